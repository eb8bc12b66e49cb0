"""Arabic and Persian names: keys of Arabic-script words, and the Arabic-script and Latin forms of a romanised name.

A rule table of our own, not pyarabic or camel-tools. The matcher needs two things no library
gives: a many-to-one key that lets every spelling of a name in Arabic script meet (hamza seats,
alef maqsura, taa marbuta, Persian yeh and keheh, tatweel, diacritics, emphatic consonants that
press romanisations do not tell apart), and the reverse, the Arabic-script skeletons a Latin
spelling such as "Hathloul" may stand for. pyarabic only normalises Arabic script (the first half,
a dozen lines here) and has not been released since 2022; camel-tools romanises Arabic to
scholarly schemes in one direction and loads its data from a hub at run time. Both directions
here are one table, so the key of a text word and the keys generated from a name cannot drift.
"""
from __future__ import annotations

import re
from functools import lru_cache
from itertools import product

_ARABIC_RE = re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")

# Letters that romanisations do not tell apart share one representative. Hamza and ain are alef
# (Ali, Alaa, Omar are written without them), hamza on a yeh or waw seat is that letter (Raif, Raouf); the emphatics meet their plain letters
# (Sabah/Sabbah, Tariq); kh and h are one in Latin keys too; taa marbuta is written ه as often as ة.
_CLASSES = {
    "ا": "ا", "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ء": "ا", "ع": "ا", "ئ": "ي", "ؤ": "و",
    "ب": "ب", "پ": "پ", "ت": "ت", "ط": "ت", "ث": "ث", "ج": "ج", "چ": "چ", "ژ": "ژ",
    "ح": "ه", "خ": "ه", "ه": "ه", "ة": "ه", "ۀ": "ه", "ھ": "ه",
    "د": "د", "ض": "د", "ذ": "ذ", "ظ": "ذ", "ر": "ر", "ز": "ز", "س": "س", "ص": "س", "ش": "ش",
    "غ": "غ", "ف": "ف", "ڤ": "ف", "ق": "ق", "ك": "ك", "ک": "ك", "گ": "گ", "ل": "ل", "م": "م", "ن": "ن",
    "و": "و", "ي": "ي", "ی": "ي", "ى": "ي", "ې": "ي", "ۍ": "ي",
}
_DOUBLE_RE = re.compile(r"(.)\1+")


def has_arabic(word: str) -> bool:
    return _ARABIC_RE.search(word) is not None


def arabic_key(word: str) -> str:
    """The key of an Arabic-script word: letters folded to their class, doubles and everything else dropped."""
    return _DOUBLE_RE.sub(r"\1", "".join(_CLASSES.get(c, "") for c in word))


# Attached prefixes: and, with/by, for, so, like; and the article after each of them.
PREFIXES = ("", "و", "ب", "ل", "ف", "ك")
_ARTICLE = "ال"


def prefixed(key: str, article: bool) -> list[tuple[str, str]]:
    """A word's key with the attached prefixes (and the article, when the name takes one), each labelled."""
    forms = []
    for prefix in PREFIXES:
        label = f"prefix {prefix}" if prefix else ""
        forms.append((_DOUBLE_RE.sub(r"\1", prefix + key), label))
        if article:
            forms.append((_DOUBLE_RE.sub(r"\1", prefix + _ARTICLE + key), ", ".join(filter(None, [label, "article"]))))
    return forms


# Latin spelling -> Arabic-script letters; vowels are handled apart, by position.
_CONSONANTS = {
    "sh": ("ش",), "ch": ("ش", "چ", "ه"), "kh": ("ه",), "gh": ("غ", "ق"), "th": ("ث", "ذ", "ت"), "dh": ("ذ", "د"),
    "zh": ("ژ", "ج"), "dj": ("ج",), "tch": ("چ",), "ph": ("ف",), "ts": ("تس",),
    "b": ("ب",), "p": ("پ", "ب"), "t": ("ت",), "d": ("د",), "r": ("ر",), "z": ("ز", "ذ"), "s": ("س", "ث"),
    "f": ("ف",), "v": ("و", "ف"), "w": ("و",), "l": ("ل",), "m": ("م",), "n": ("ن",), "h": ("ه",),
    "q": ("ق",), "k": ("ك", "ق"), "g": ("ج", "ق", "گ", "غ"), "j": ("ج",), "x": ("كس",), "c": ("ك", "س"),
    "'": ("ا",), "`": ("ا",), "y": ("ي",),
}
# A vowel inside a word: the letters it may be written with ("" when it is not written).
_MIDDLE_VOWELS = {
    "aa": ("ا",), "ee": ("ي",), "ii": ("ي",), "oo": ("و",), "ou": ("و", ""), "uu": ("و",),
    "ai": ("ي", "اي"), "ay": ("ي", "اي"), "ei": ("ي", ""), "ey": ("ي",), "au": ("و", "او"), "aw": ("و", "او"),
    "ao": ("او", "و"), "ie": ("ي",), "ia": ("يا", "ي"), "io": ("يو",), "ua": ("وا",),
    "a": ("", "ا"), "e": ("", "ي"), "i": ("", "ي"), "o": ("", "و"), "u": ("و", ""),
}
_FINAL_VOWELS = {
    "ah": ("ه", "اه"), "eh": ("ه",), "a": ("ا", "ه", "ي", ""), "e": ("ه", "ي", ""), "i": ("ي",), "y": ("ي",),
    "ee": ("ي",), "ie": ("ي",), "ey": ("ي",), "ei": ("ي",), "ai": ("اي", "ي"), "ay": ("اي", "ي"),
    "ou": ("و",), "oo": ("و",), "u": ("و",), "o": ("و", ""), "aa": ("ا", "اء"), "ao": ("او",),
}
_VOWEL_LETTERS = "aeiou"
_LIMIT = 96


def _chunks(word: str) -> list[tuple[str, tuple[str, ...]]]:
    """The Latin word cut into consonant and vowel chunks, each with its Arabic-script options."""
    out: list[tuple[str, tuple[str, ...]]] = []
    i = 0
    while i < len(word):
        if word[i] in _VOWEL_LETTERS or (word[i] == "y" and i + 1 == len(word)):
            j = i
            while j < len(word) and (word[j] in _VOWEL_LETTERS or (word[j] in "yw" and j > i and (
                    j + 1 == len(word) or word[j + 1] not in _VOWEL_LETTERS))):
                j += 1
            j = max(j, i + 1)  # a final y after a consonant is a vowel of its own: Massry, Badawy
            run = word[i:j]
            if i == 0:
                # A vowel opening a word is written with alef (or ain), plus its long-vowel letter.
                tail = run[1:]
                options = {"ا"}
                if run[:2] in ("ou", "oo", "uu") or run[0] == "u":
                    options.add("او")
                if run[0] in "ie" or tail[:1] in "iy":
                    options.add("اي")
                if tail == "a" or tail == "aa":
                    options = {"ا"}
                out.append((run, tuple(sorted(options))))
            elif j == len(word):
                out.append((run, _FINAL_VOWELS.get(run) or _final_run(run)))
            else:
                out.append((run, _MIDDLE_VOWELS.get(run) or _middle_run(run)))
            i = j
            continue
        for size in (3, 2, 1):
            chunk = word[i:i + size]
            if chunk in _CONSONANTS:
                out.append((chunk, _CONSONANTS[chunk]))
                i += size
                break
        else:
            i += 1  # a letter no romanisation of Arabic uses
    return out


_SEMIVOWELS = {"w": ("و",), "y": ("ي",)}


def _middle_run(run: str) -> tuple[str, ...]:
    options = (_MIDDLE_VOWELS.get(c) or _SEMIVOWELS.get(c, ("",)) for c in run)
    return tuple(dict.fromkeys("".join(p) for p in product(*options)))


def _final_run(run: str) -> tuple[str, ...]:
    head = _middle_run(run[:-1]) if len(run) > 1 else ("",)
    return tuple(dict.fromkeys(h + t for h in head for t in _FINAL_VOWELS.get(run[-1], ("",))))


@lru_cache(maxsize=16384)
def skeletons(latin: str) -> tuple[str, ...]:
    """Arabic-script keys a romanised word may stand for: "Hathloul" -> هذلول, هثلول..."""
    from alerts.matching.normalize import light_fold

    word = light_fold(latin).replace("-", "")
    if not word or not word.isascii():
        return ()
    # Doubled consonants are written once (with a shadda nobody types).
    word = re.sub(r"([^aeiou])\1+", r"\1", word)
    chunks = _chunks(word)
    if not chunks:
        return ()
    keys: dict[str, None] = {}
    for tried, combo in enumerate(product(*(options for _, options in chunks))):
        key = arabic_key("".join(combo))
        if len(key) >= 2:
            keys.setdefault(key)
        if len(keys) >= _LIMIT or tried >= 8 * _LIMIT:
            break  # a long name has too many spellings to list; the commonest come first
    return tuple(keys)


# Latin spellings of one Arabic or Persian sound, for names found in Latin text: Youssef, Yusuf,
# Yousef; Hussein, Husayn; Mohammed, Muhammad; Hathloul, Hathlul. Each change costs one and at
# most two are made, so a name has some dozens of spellings, not thousands.
_LATIN_ALTERNATIVES = {
    "ou": ("u", "o", "oo"), "oo": ("ou", "u"), "u": ("ou", "o", "oo"), "o": ("u", "ou"),
    "ee": ("i", "ei"), "i": ("ee", "e", "y"), "e": ("a", "i", "u"), "a": ("e", "aa"), "aa": ("a",),
    "ai": ("ay", "ei", "ey", "a"), "ay": ("ai", "ei", "ey"), "ei": ("ai", "ay", "ey", "e"), "ey": ("ei", "ai", "ay"),
    "th": ("dh", "t", "z"), "dh": ("th", "d", "z"), "z": ("dh", "th"), "q": ("k", "g", "gh"), "k": ("q", "kh"),
    "j": ("g", "dj", "c"), "g": ("j", "gh"), "gh": ("g", "q"), "sh": ("ch",), "ch": ("sh",), "kh": ("h",), "h": ("kh", ""),
}
_SPELLINGS = 400
_LATIN_CHUNK_RE = re.compile(r"ou|oo|ee|aa|ai|ay|ei|ey|th|dh|gh|sh|ch|kh|.")


@lru_cache(maxsize=16384)
def latin_spellings(latin: str, budget: int = 2) -> tuple[str, ...]:
    """Other Latin spellings of a romanised Arabic or Persian word (the word itself first)."""
    from alerts.matching.normalize import light_fold

    word = light_fold(latin)
    chunks = _LATIN_CHUNK_RE.findall(word)
    found = {word: None}
    frontier = [(0, chunks)]
    for _ in range(budget):
        following = []
        for start, current in frontier:
            for i in range(start, len(current)):
                for alternative in _LATIN_ALTERNATIVES.get(current[i], ()):
                    if alternative == "" and (i == 0 or i == len(current) - 1 or current[i - 1] not in "aeiou"):
                        continue  # only an h between vowels may go (Mohammed/Moammed is too far)
                    changed = current[:i] + [alternative] + current[i + 1:]
                    found.setdefault("".join(changed))
                    following.append((i + 1, changed))
                    if len(found) >= _SPELLINGS:
                        return tuple(found)  # a long name: the spellings with fewest changes are kept
        frontier = following
    return tuple(found)


# Words that open a compound name: Abd al-Rahman (servant of), Abu (father of).
_ABD_RE = re.compile(r"^(abd[ -][ae]l|abd[ -]ul|abdoul|abdou|abdul|abdel|abdal|abdol|abdu|abd)[ -]?(.+)$")
_SUN_LETTERS = ("t", "th", "d", "dh", "r", "z", "s", "sh", "n", "l")
_ARTICLE_RE = re.compile(r"^(?:al|el|ul|ol|a[tdrzsnl]|ash|adh|ath)[- ](.+)$|^(?:al|el)(.{4,})$", re.IGNORECASE)


def strip_article(word: str) -> tuple[str, bool]:
    """("Hathloul", True) for al-Hathloul, el-Hathloul, Alhathloul, ash-Shami; the word and False otherwise."""
    m = _ARTICLE_RE.match(word.strip())
    if not m:
        return word, False
    return (m.group(1) or m.group(2)), True


def article_forms(core: str) -> list[tuple[str, ...]]:
    """Latin ways of writing the article before a name: al-X, el-X, Al X, AlX, and ash-Shami for sun letters."""
    forms = [(core,)]
    lower = core.lower()
    for article in ("al", "el"):
        forms.append((article, core))
        forms.append((article + core,))
    for sun in _SUN_LETTERS:
        if lower.startswith(sun) and (len(sun) == 2 or lower[1:2] != "h"):
            forms.append(("a" + sun, core))
            forms.append(("e" + sun, core))
            break
    return forms


def abd_parts(word: str) -> str | None:
    """The name after Abd (servant of) in Abdulhadi, Abdel-Fattah, Abd al-Rahman; None for other words."""
    m = _ABD_RE.match(word.lower())
    if not m or len(m.group(2)) < 3:
        return None
    return m.group(2).lstrip("- ")


def abd_forms(core: str) -> list[tuple[str, ...]]:
    """Latin ways of writing Abd + name, joined, hyphenated or apart, with each form of the article."""
    core = core.lower()
    forms: list[tuple[str, ...]] = []
    for link in ("ul", "el", "al", "oul", "ol", "u", "ou"):
        forms.append(("abd" + link + core,))
        forms.append(("abd" + link, core))
    for article in ("al", "el", "ul"):
        forms.append(("abd", article, core))
    for sun in _SUN_LETTERS:
        if core.startswith(sun) and (len(sun) == 2 or core[1:2] != "h"):
            forms.append(("abd", "a" + sun, core))
            forms.append(("abdu" + sun + core,))
            forms.append(("abde" + sun + core,))
            break
    return forms
