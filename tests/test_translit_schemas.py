"""An iuliia schema spells a word by its table alone only where no neighbour would change a letter."""
from __future__ import annotations

import random

from alerts.matching.translit import _SCHEMAS


def _letter_by_letter(schema, word: str) -> str:
    """The schema's rules applied to every letter with its neighbours."""
    tail = schema.endings.get(word[-2:]) if len(word) > 2 else None
    stem = word[:-2] if tail is not None else word
    out = []
    for i, letter in enumerate(stem):
        prev = stem[i - 1] if i else ""
        nxt = stem[i + 1] if i + 1 < len(stem) else ""
        latin = schema.after.get(prev + letter)
        if latin is None:
            latin = schema.before.get(letter + nxt)
        out.append(latin if latin is not None else schema.letters.get(letter, letter))
    return "".join(out) + (tail or "")


def test_schemas_spell_as_their_rules_do():
    rng = random.Random(31)
    words = ["орлов", "ерофеев", "подъезд", "ильин", "соловьёв", "тсой", "еремеев", "эльдар", "ксения", "щукин"]
    words += ["".join(rng.choice("абвгдеёжзийклмнопрстуфхцчшщъыьэюя") for _ in range(rng.randint(1, 9)))
              for _ in range(5000)]
    for label, schema in _SCHEMAS:
        for word in words:
            assert schema.translate(word) == _letter_by_letter(schema, word), (label, word)
