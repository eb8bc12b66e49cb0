"""Words around a lone surname that tell a person from a place, a month or a word, and suffixes that belong to it."""
from __future__ import annotations

from alerts.matching.normalize import Words, word_key

_APOSTROPHES = ("'", "’", "ʼ")
_HYPHENS = ("-", "‐", "‑")

# Turkish case endings written after an apostrophe: Kavala'nın, Kılıç'a, Keskin'den. Locative and
# ablative say where, so after a lone surname they name a place (Kavala'da: in Kavala).
_TURKISH_SUFFIXES = frozenset("""
in ın un ün nin nın nun nün a e ya ye na ne i ı u ü yi yı yu yü ni nı nu nü
la le yla yle ca ce dir dır tir tır yken ki
da de ta te dan den tan ten nda nde ndan nden
""".split())
_TURKISH_PLACE = frozenset("da de ta te nda nde dan den tan ten ndan nden".split())

# A word before a lone surname that makes it a place: in Kavala, в Кавале, w Kavali, en Cáceres, في رجب.
# Keys as the automaton folds them (lower case, no accents; Arabic script by letter class).
_PLACE_BEFORE = frozenset(word_key(w) for w in """
in near outside into v ve w we pod en au aux tại dar
в во под під ў
город місто горад město miasto
في بمدينة مدينة در
""".split())
# Nouns that, followed by "of"/"de"/"di", name a place or time: the port of, la provincia de.
_PLACE_NOUNS = frozenset(word_key(w) for w in """
port city town village province region governorate district county river lake valley island month
puerto ciudad provincia region rio departamento municipio estado pueblo mes
miasto wojewodstvo mesto reka
город области район деревня порт месяц
""".split())
_OF = frozenset(word_key(w) for w in ["of", "de", "del", "di", "du", "des", "la"])
# Nouns after a lone surname that make it a place: Kavala airport, Cáceres province.
_PLACE_AFTER = frozenset(word_key(w) for w in """
province region city river port airport district county street square bay valley governorate mountains
oblast raion harbour harbor
kenti kentinde kentine sehri sehrinde limani limaninda limanina ilinde
""".split())
# A month name, alone, is a date: Rajab, Ramadan.
_TIME_BEFORE = frozenset(word_key(w) for w in ["شهر", "ماه", "month", "mes", "mois", "месяц", "месяца"])
_MAKE_A_PLACE_BEFORE = _PLACE_BEFORE | _TIME_BEFORE | _OF | {"из"}


def suffix_end(words: Words, last: int) -> tuple[int, str, bool]:
    """End offset of word `last` with an English possessive or a Turkish case ending taken in, the label
    for the rule, and whether the ending says where (Kavala'da)."""
    nxt = last + 1
    if nxt < len(words.keys) and words.gap(nxt) in _APOSTROPHES:
        key = words.keys[nxt]
        if key == "s":
            return words.ends[nxt], "English possessive", False
        word = words.word(nxt).lower()
        if word in _TURKISH_SUFFIXES or key in _TURKISH_SUFFIXES:
            return words.ends[nxt], "Turkish suffix", word in _TURKISH_PLACE or key in _TURKISH_PLACE
    return words.ends[last], "", False


def names_a_place(words: Words, first: int, last: int, rule: str = "") -> bool:
    """True when the words around a lone surname make it a place or a date (in Kavala, the port of Kavala)."""
    i = first - 1
    # The word is looked up before the gap is cut out of the text: few words make a place.
    if i >= 0 and words.keys[i] in _MAKE_A_PLACE_BEFORE and words.gap(first).strip() == "":
        key = words.keys[i]
        if key in _PLACE_BEFORE or key in _TIME_BEFORE:
            return True
        if key == "из" and "genitive" in rule:
            return True  # из Кавалы; із Буткевичем is "with"
        if key in _OF and i >= 1 and words.keys[i - 1] in _PLACE_NOUNS and words.gap(i).strip() == "":
            return True
        if key in _OF and i >= 2 and words.keys[i - 1] in _OF and words.keys[i - 2] in _PLACE_NOUNS:
            return True
    j = last + 1
    return j < len(words.keys) and words.keys[j] in _PLACE_AFTER and words.gap(j).strip() == ""


# Characters that may follow a Chinese surname used alone for the person (许称, 许的律师, 许被):
# function words and verbs, never the first character of a given name in practice.
_HAN_AFTER_SURNAME = frozenset("的被在说曾已于和与是也称表先女则因仍对向将遭获并还等今目现从此当后前再即就都又要会能所认拒指")


def han_surname_stands_alone(words: Words, last: int) -> bool:
    """A Chinese surname stands for the person only before a function word or punctuation, not inside
    a word (许多, 允许) or before another given name (许达)."""
    j = last + 1
    if j < len(words.keys) and words.gap(j) == "":
        nxt = words.word(j)
        if len(nxt) == 1 and nxt not in _HAN_AFTER_SURNAME:
            return False
    i = words.starts[last] - 1
    return i < 0 or not ("\u4e00" <= words.text[i] <= "\u9fff")


def starts_another_name(words: Words, last: int) -> bool:
    """The lone surname is followed by another family name: al-Sisi, السيسي (Abdel Fattah el-Sisi)."""
    j = last + 1
    if j >= len(words.keys):
        return False
    gap = words.gap(j)
    word = words.word(j)
    if gap.strip() == "" and words.keys[j].startswith("ال") and words.keys[j] not in ("الذي", "التي", "الذين"):
        return True
    if gap.strip() == "" and word in ("al", "el", "Al", "El") and j + 1 < len(words.keys):
        return words.gap(j + 1) in _HYPHENS + (" ",) and words.word(j + 1)[:1].isupper()
    return False
