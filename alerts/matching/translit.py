"""Romanisations of Cyrillic names (iuliia schemas plus German, French and Ukrainian usage) and back."""
from __future__ import annotations

import json
import re
from functools import lru_cache

import iuliia

from alerts.matching.normalize import is_cyrillic, latin_key, light_fold

class _LowerCaseSchema:
    """An iuliia schema applied to one lower-case word, without iuliia's per-call overhead."""

    def __init__(self, schema):
        with open(schema.path, encoding="utf-8") as f:
            definition = json.load(f)
        self.letters = definition.get("mapping") or {}
        self.after = definition.get("prev_mapping") or {}
        self.before = definition.get("next_mapping") or {}
        self.endings = definition.get("ending_mapping") or {}
        # The letters whose spelling may depend on a neighbour (a one-letter key of `after` is a letter at
        # the start of the word); every other letter is spelled by `letters` alone, as a whole word without
        # any of them is.
        self.contextual = frozenset(pair[-1] for pair in self.after) | frozenset(pair[0] for pair in self.before)
        self.table = str.maketrans(self.letters)
        # A letter beside a neighbour that changes its spelling (or at the start or end that does): most words
        # have letters with such rules but none beside such a neighbour, and the table alone spells them.
        branches = []
        for letter in sorted(self.contextual):
            before = "".join(sorted(pair[0] for pair in self.after if len(pair) == 2 and pair[1] == letter))
            after = "".join(sorted(pair[1] for pair in self.before if len(pair) == 2 and pair[0] == letter))
            escaped = re.escape(letter)
            branches += [f"[{re.escape(before)}]{escaped}"] if before else []
            branches += [f"{escaped}[{re.escape(after)}]"] if after else []
            branches += [rf"\A{escaped}"] if letter in self.after else []
            branches += [rf"{escaped}\Z"] if letter in self.before else []
        self.context_re = re.compile("|".join(branches)) if branches else None

    def translate(self, word: str) -> str:
        tail = self.endings.get(word[-2:]) if len(word) > 2 else None
        stem = word[:-2] if tail is not None else word
        if self.context_re is None or self.context_re.search(stem) is None:
            return stem.translate(self.table) + (tail or "")
        out = []
        last = len(stem) - 1
        for i, letter in enumerate(stem):
            if letter not in self.contextual:
                out.append(self.letters.get(letter, letter))
                continue
            prev = stem[i - 1] if i else ""
            nxt = stem[i + 1] if i < last else ""
            latin = self.after.get(prev + letter)
            if latin is None:
                latin = self.before.get(letter + nxt)
            if latin is None:
                latin = self.letters.get(letter, letter)
            out.append(latin)
        return "".join(out) + (tail or "")


# iuliia schemas that differ in how names are written in the press and in documents; the
# first that produces a form names it in a rule. The GOST and ISO schemas with diacritics
# fold to the scholarly ones, so they add nothing.
_IULIIA = (
    ("Wikipedia", iuliia.WIKIPEDIA),
    ("BGN/PCGN", iuliia.BGN_PCGN),
    ("ICAO passport", iuliia.ICAO_DOC_9303),
    ("ALA-LC", iuliia.ALA_LC_ALT),
    ("scholarly", iuliia.SCIENTIFIC),
    ("GOST 7.79", iuliia.GOST_779),
    ("Russian passport (French)", iuliia.MVD_310_FR),
    ("MVD", iuliia.MVD_782),
    ("Yandex", iuliia.YANDEX_MAPS),
    ("Telegram", iuliia.TELEGRAM),
)
_SCHEMAS = tuple((label, _LowerCaseSchema(schema)) for label, schema in _IULIIA)
_VOWELS = "аеёиоуыэюяіїє"
_SIBILANTS = "жчшщ"

_GERMAN = {"а": "a", "б": "b", "в": "w", "г": "g", "д": "d", "е": "e", "ё": "jo", "ж": "sch", "з": "s",
           "и": "i", "й": "j", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
           "с": "s", "т": "t", "у": "u", "ф": "f", "х": "ch", "ц": "z", "ч": "tsch", "ш": "sch",
           "щ": "schtsch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "ju", "я": "ja",
           "і": "i", "ї": "ji", "є": "je", "ґ": "g"}
_FRENCH = {"а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "io", "ж": "j", "з": "z",
           "и": "i", "й": "ï", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
           "с": "s", "т": "t", "у": "ou", "ф": "f", "х": "kh", "ц": "ts", "ч": "tch", "ш": "ch",
           "щ": "chtch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "iou", "я": "ia",
           "і": "i", "ї": "ï", "є": "ie", "ґ": "g"}
# Ukrainian national romanisation (2010), used for Ukrainian names.
_UKRAINIAN = {"а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ie", "ж": "zh",
              "з": "z", "и": "y", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n",
              "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
              "ч": "ch", "ш": "sh", "щ": "shch", "ь": "", "ю": "iu", "я": "ia", "'": "", "ʼ": "",
              "ё": "io", "ы": "y", "э": "e", "ъ": ""}
_UKRAINIAN_INITIAL = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}
UKRAINIAN_LETTERS = set("іїєґ")


# Compiled once: romanisations runs for every Cyrillic spelling of every watched name.
_SKIY_END_RE = re.compile(r"(с|ц)кий$")
_ADJECTIVE_END_RE = re.compile(r"[иы]й$")
_IN_END_RE = re.compile(r"[иы]н$")
_CONSONANT_EV_END_RE = re.compile(r"[^аеиоуыэюя]ев$")
_OV_END_RE = re.compile(r"[ое]в$")


def _ski_without_short_i(match: re.Match) -> str:
    return match.group(1) + "ки"


def _german(word: str, is_surname: bool) -> str:
    """German press usage (Duden): Chodorkowski, Jelzin, Gorbatschow, Juri, Wassili."""
    word = _ADJECTIVE_END_RE.sub("и", _SKIY_END_RE.sub(_ski_without_short_i, word))
    out = []
    for i, ch in enumerate(word):
        prev = word[i - 1] if i else ""
        nxt = word[i + 1] if i + 1 < len(word) else ""
        if ch in "её" and (not prev or prev in _VOWELS + "ьъ"):
            out.append("je" if ch == "е" else "jo")
        elif ch == "ё" and prev in _SIBILANTS:
            out.append("o")
        elif ch == "с" and prev in _VOWELS and nxt in _VOWELS:
            out.append("ss")
        elif ch == "ь" and nxt in _VOWELS:
            out.append("j")
        elif ch == "и" and prev == "ь":
            out.append("i")
        else:
            out.append(_GERMAN.get(ch, ch))
    return "".join(out)


def _french(word: str, is_surname: bool) -> str:
    """French press usage: Khodorkovski, Eltsine, Gorbatchev, Iouri, Sergueï."""
    word = _ADJECTIVE_END_RE.sub("и", _SKIY_END_RE.sub(_ski_without_short_i, word))
    out = []
    for i, ch in enumerate(word):
        prev = word[i - 1] if i else ""
        nxt = word[i + 1] if i + 1 < len(word) else ""
        if ch == "г" and nxt in "еиыэё":
            out.append("gu")
        elif ch == "е" and prev in _VOWELS:
            out.append("ïe")
        elif ch == "ё" and prev in _SIBILANTS:
            out.append("e")
        elif ch == "и" and prev in _VOWELS:
            out.append("ï")
        elif ch == "с" and prev in _VOWELS and nxt in _VOWELS:
            out.append("ss")
        elif ch == "ь" and nxt in _VOWELS:
            out.append("i")
        else:
            out.append(_FRENCH.get(ch, ch))
    latin = "".join(out)
    if is_surname and _IN_END_RE.search(word):
        latin += "e"
    return latin


def _ukrainian(word: str, is_surname: bool) -> str:
    out = []
    for i, ch in enumerate(word):
        out.append(_UKRAINIAN_INITIAL.get(ch) if i == 0 and ch in _UKRAINIAN_INITIAL else _UKRAINIAN.get(ch, ch))
    return "".join(out)


@lru_cache(maxsize=65536)
def romanisations(word: str, is_surname: bool = False) -> dict[str, str]:
    """Folded keys of the common romanisations of a Cyrillic word, each with the name of its convention."""
    word = light_fold(word) if not word.islower() else word
    # As written first, then with е for ё: the first spelling to give a key names its convention, in
    # every process (a set's order changes with the process's hash seed).
    spellings = dict.fromkeys((word, word.replace("ё", "е")))
    found: dict[str, str] = {}
    tried: set[str] = set()  # schemas often agree; a spelling seen before adds nothing to `found`

    def add(latin: str, label: str) -> None:
        if latin in tried:
            return
        tried.add(latin)
        if latin and not is_cyrillic(latin):
            found.setdefault(latin_key(latin.lower()), label)

    for spelling in spellings:
        for label, schema in _SCHEMAS:
            add(schema.translate(spelling), label)
    if is_surname and _CONSONANT_EV_END_RE.search(word):
        # -ев is often -ёв (Пономарёв, Горбачёв): Ponomaryov, Ponomarjow, whether or not the ё was written.
        for label, schema in _SCHEMAS[:4]:
            add(schema.translate(word[:-2] + "ёв"), label)
        add(_german(word[:-2] + "ёв", True), "German")
    add(_german(word, is_surname), "German")
    add(_french(word, is_surname), "French")
    if is_surname and _OV_END_RE.search(word):
        add(_french(word, False)[:-1] + "ff", "French, old style")
    if set(word) & UKRAINIAN_LETTERS:
        add(_ukrainian(word, is_surname), "Ukrainian national")
    return found


# Latin spellings -> Cyrillic, each with a cost; several are tried and the cheapest kept.
_REVERSE = {
    "shch": (("щ", 0),), "schtsch": (("щ", 0),), "chtch": (("щ", 0),), "tsch": (("ч", 0),),
    "sch": (("ш", 1), ("щ", 1)), "gue": (("ге", 0.5),), "gui": (("ги", 0.5),), "tch": (("ч", 0),), "zh": (("ж", 0),), "kh": (("х", 0),),
    "ch": (("ч", 0), ("х", 1), ("ш", 2)), "sh": (("ш", 0),), "ts": (("ц", 0), ("тс", 1)), "tz": (("ц", 1),),
    "ya": (("я", 0), ("ья", 1), ("ия", 1)), "ja": (("я", 0), ("ья", 1), ("ия", 1)),
    "ia": (("ия", 0), ("я", 0.5), ("ья", 1)),
    "yu": (("ю", 0), ("ью", 1)), "ju": (("ю", 0), ("ью", 1)), "iu": (("ю", 0.5), ("ию", 0.5), ("ью", 1)),
    "iou": (("ю", 1),), "ou": (("у", 1.5),),
    "yo": (("ё", 0), ("ьо", 1), ("йо", 1)), "jo": (("ё", 0),), "io": (("ио", 0), ("ё", 1), ("ьо", 1)),
    "ye": (("е", 0), ("ье", 1)), "je": (("е", 0), ("ье", 1)), "ie": (("ие", 0), ("ье", 1), ("е", 1.5)),
    "iy": (("ий", 0), ("ый", 1)), "yi": (("ый", 0), ("ий", 1), ("ьи", 1)), "ii": (("ий", 0), ("ии", 1)),
    "ij": (("ий", 0),), "yj": (("ый", 0),), "ei": (("ей", 0), ("еи", 2)), "ey": (("ей", 0), ("эй", 1)),
    "ai": (("ай", 0), ("аи", 1)), "ay": (("ай", 0),), "oi": (("ой", 0), ("ои", 1)), "oy": (("ой", 0),),
    "ui": (("уй", 0), ("уи", 1)), "uy": (("уй", 0),),
    "a": (("а", 0),), "b": (("б", 0),), "c": (("к", 1), ("ц", 1), ("с", 1)), "d": (("д", 0),),
    "e": (("е", 0), ("э", 1)), "f": (("ф", 0),), "g": (("г", 0),), "h": (("х", 1), ("г", 1.5)),
    "i": (("и", 0), ("й", 1), ("ы", 2)), "j": (("й", 0), ("дж", 1), ("ж", 2)), "k": (("к", 0),),
    "l": (("л", 0),), "m": (("м", 0),), "n": (("н", 0),), "o": (("о", 0),), "p": (("п", 0),),
    "q": (("к", 1),), "r": (("р", 0),), "s": (("с", 0), ("з", 2)), "t": (("т", 0),), "u": (("у", 0),),
    "v": (("в", 0),), "w": (("в", 0),), "x": (("кс", 0),), "y": (("ы", 0), ("й", 0), ("и", 1)),
    "z": (("з", 0), ("ц", 2)), "'": (("ь", 0),), "ʹ": (("ь", 0),), "’": (("ь", 0),),
}
# Endings whose Cyrillic spelling is not letter by letter: the whole match is replaced.
_REVERSE_ENDINGS = (
    (re.compile(r"(?:sk|sc)(?:iy|ii|ij|yi|yj|i|y)$"), "ский", 0),
    (re.compile(r"(?:tsk|tzk|zk|ck)(?:iy|ii|ij|yi|yj|i|y)$"), "цкий", 0),
    (re.compile(r"sk(?:aya|aia|aja|aïa)$"), "ская", 0),
    (re.compile(r"(?:tsk|zk|ck)(?:aya|aia|aja|aïa)$"), "цкая", 0),
    (re.compile(r"(?<=[^aeiouy])(?:iy|ii|ij|i|y)$"), "ий", 0.5),
    (re.compile(r"(?<=[^aeiouy])(?:y|yy|yi|yj)$"), "ый", 0.5),
    (re.compile(r"(?<=[aeiou])[iyjï]$"), "й", 0),
)
# The lengths of the spellings that begin with each letter, longest first: no other chunk is in _REVERSE.
_CHUNK_SIZES = {letter: tuple(sorted({len(c) for c in _REVERSE if c[0] == letter}, reverse=True))
                for letter in {c[0] for c in _REVERSE}}
# Spellings Russian does not allow: й or ь before a vowel, ы after a vowel or a hushing letter...
_CONSONANTS = "бвгджзклмнпрстфхцчшщ"
_IMPOSSIBLE_RE = re.compile(rf"й[аеёиоуыэюя]|^[йьыъ]|[аеёиоуыэюяьъ][ьъ]|[аеёиоуэюя]ы|[жчшщкгх]ы|[жчшщ][яю]|"
                            rf"[аеёиоуыэюя]э|ы[аеёиоуыэюя]|[{_CONSONANTS}]й|иа$|(.)\1\1")


def _expansions(word: str, beam: int) -> list[tuple[float, str]]:
    results: list[tuple[float, str]] = []
    targets = [(word, "", 0.0)]
    for pattern, cyrillic, cost in _REVERSE_ENDINGS:
        m = pattern.search(word)
        if m:
            targets.append((word[:m.start()], cyrillic, cost))
    for text, suffix, extra in targets:
        states: list[list[tuple[float, str]]] = [[] for _ in range(len(text) + 1)]
        states[0] = [(0.0, "")]
        for pos in range(len(text)):
            current = states[pos]
            if not current:
                continue
            current.sort()
            del current[beam:]
            matched = False
            for size in _CHUNK_SIZES.get(text[pos], ()):
                if pos + size > len(text):
                    continue
                chunk = text[pos:pos + size]
                options = _REVERSE.get(chunk)
                if options is None:
                    continue
                matched = True
                following = states[pos + size]
                for cyr, cost in options:
                    if chunk == "e" and pos == 0 and cyr == "э":
                        cost = 0.5
                    following.extend([(base_cost + cost, prefix + cyr) for base_cost, prefix in current])
            if not matched:
                states[pos + 1].extend([(base_cost + 3, prefix + text[pos]) for base_cost, prefix in current])
        for cost, cyrillic in states[len(text)]:
            results.append((cost + extra, cyrillic + suffix))
    return results


@lru_cache(maxsize=65536)
def to_cyrillic(word: str, limit: int = 3) -> tuple[tuple[str, float], ...]:
    """Plausible Cyrillic spellings of a romanised Russian word, cheapest first, with their costs."""
    latin = light_fold(word)
    if not latin or is_cyrillic(latin):
        return ()
    wanted = limit * 4
    seen: dict[str, float] = {}
    enough = float("inf")  # the cost of the wanted-th cheapest spelling, once that many are seen
    for cost, cyrillic in sorted(_expansions(latin, beam=12)):
        if cost >= enough:
            # A spelling ranks at its cost or above, after the spellings seen before it at that cost:
            # none from here on ranks among the wanted ones.
            break
        if cyrillic in seen or _IMPOSSIBLE_RE.search(cyrillic):
            continue
        # "ts" read as two letters is rarer than ц; "t" + "s" costs nothing letter by letter.
        seen[cyrillic] = cost + 0.75 * cyrillic.count("тс")
        if len(seen) >= wanted:
            enough = sorted(seen.values())[wanted - 1]
    ranked = sorted(seen.items(), key=lambda item: item[1])
    return tuple(ranked[:wanted])
