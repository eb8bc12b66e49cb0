"""Chinese names: characters read as pinyin (pypinyin), pinyin cut into syllables, and Palladius Cyrillic."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_HAN_RANGES = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
HAN_RE = re.compile(f"[{_HAN_RANGES}]")
HAN_CLASS = _HAN_RANGES  # for character classes built elsewhere

# The hundred commonest Chinese surnames in pinyin; a name of pinyin syllables that opens with one is
# written surname first (Xu Zhiyong, Ding Jiaxi).
SURNAMES = frozenset("""
wang li zhang liu chen yang huang zhao wu zhou xu sun ma zhu hu guo he gao lin luo zheng liang xie song tang
han feng deng cao peng zeng xiao tian dong pan yuan cai jiang yu du ye cheng wei su lü lu ding ren yao shen
zhong cui tan fan liao jin wan xia fu qiu hou bai kong mao qin shi gu hao meng long duan lei qian tao jia
yan yin mo qiao xiong hong kang gong wen niu fang ou zou zhai geng shao chang ni tang wu teng hua
""".split())


@lru_cache(maxsize=1)
def syllables() -> frozenset[str]:
    """Every toneless pinyin syllable, from pypinyin's own table."""
    from pypinyin.pinyin_dict import pinyin_dict

    found = set()
    for readings in pinyin_dict.values():
        for reading in readings.split(","):
            plain = "".join(c for c in unicodedata.normalize("NFD", reading) if not unicodedata.combining(c))
            found.add(plain.replace("ü", "v"))
    found.update(s.replace("v", "u") for s in list(found) if "v" in s)
    return frozenset(s for s in found if s.isascii() and s.isalpha() and s not in ("m", "n", "ng", "hm", "hng"))


@lru_cache(maxsize=65536)
def split_syllables(word: str) -> tuple[str, ...] | None:
    """"zhiyong" -> ("zhi", "yong"); None when the word is not a run of pinyin syllables."""
    word = word.lower().replace("'", "").replace("’", "").replace("-", "")
    if not word.isascii() or not word.isalpha():
        return None
    table = syllables()
    # Fewest syllables wins, and at a tie the longer first one (Xian, not Xi'an, unless written so).
    best: list[tuple[str, ...] | None] = [None] * (len(word) + 1)
    best[0] = ()
    for end in range(1, len(word) + 1):
        for start in range(max(0, end - 6), end):
            if best[start] is not None and word[start:end] in table:
                candidate = best[start] + (word[start:end],)
                if best[end] is None or len(candidate) < len(best[end]):
                    best[end] = candidate
    return best[len(word)]


def looks_chinese(words: list[str]) -> bool:
    """A name of two or three words, all pinyin, that opens with a common Chinese surname."""
    if not 2 <= len(words) <= 3:
        return False
    folded = [_plain(w) for w in words]
    return folded[0] in SURNAMES and all(split_syllables(w) and len(split_syllables(w)) <= 3 for w in folded)


def _plain(word: str) -> str:
    if word.isascii():
        return word.lower()  # nothing to decompose; most names are plain ASCII
    return "".join(c for c in unicodedata.normalize("NFD", word.lower()) if not unicodedata.combining(c))


@lru_cache(maxsize=65536)
def han_reading(character: str) -> str:
    """The toneless pinyin of one Chinese character (许 -> xu), as a name would be read."""
    from pypinyin import Style, lazy_pinyin

    return lazy_pinyin(character, style=Style.NORMAL, errors="ignore", v_to_u=True)[0] if character else ""


# Palladius: the Russian (and Ukrainian and Belarusian press) spelling of pinyin.
_INITIALS = {"b": "б", "p": "п", "m": "м", "f": "ф", "d": "д", "t": "т", "n": "н", "l": "л", "g": "г", "k": "к",
             "h": "х", "j": "цз", "q": "ц", "x": "с", "zh": "чж", "ch": "ч", "sh": "ш", "r": "ж", "z": "цз",
             "c": "ц", "s": "с", "": ""}
_FINALS = {"a": "а", "o": "о", "e": "э", "ai": "ай", "ei": "эй", "ao": "ао", "ou": "оу", "an": "ань", "en": "энь",
           "ang": "ан", "eng": "эн", "ong": "ун", "er": "эр", "i": "и", "ia": "я", "ie": "е", "iao": "яо", "iu": "ю",
           "ian": "янь", "in": "инь", "iang": "ян", "ing": "ин", "iong": "юн", "u": "у", "ua": "уа", "uo": "о",
           "uai": "уай", "ui": "уй", "uan": "уань", "un": "унь", "uang": "уан", "v": "юй", "ve": "юэ", "van": "юань",
           "vn": "юнь", "ue": "юэ"}
_ZERO_INITIAL = {"yi": "и", "ya": "я", "ye": "е", "yao": "яо", "you": "ю", "yan": "янь", "yin": "инь", "yang": "ян",
                 "ying": "ин", "yong": "юн", "yu": "юй", "yue": "юэ", "yuan": "юань", "yun": "юнь", "wu": "у",
                 "wa": "ва", "wo": "во", "wai": "вай", "wei": "вэй", "wan": "вань", "wen": "вэнь", "wang": "ван",
                 "weng": "вэн", "e": "э", "a": "а", "o": "о", "ai": "ай", "ao": "ао", "an": "ань", "ang": "ан",
                 "en": "энь", "ou": "оу", "er": "эр"}


def palladius_syllable(syllable: str) -> str | None:
    syllable = syllable.replace("ü", "v")
    if syllable in _ZERO_INITIAL:
        return _ZERO_INITIAL[syllable]
    initial = next((i for i in ("zh", "ch", "sh") if syllable.startswith(i)), syllable[:1])
    final = syllable[len(initial):]
    if initial not in _INITIALS:
        return None
    if final == "i" and initial in ("z", "c", "s"):
        return _INITIALS[initial] + "ы"
    if initial in ("j", "q", "x") and final.startswith("u"):
        final = "v" + final[1:]  # ju, qu, xu are jü, qü, xü
    if initial == "h" and final == "ui":
        return "хуэй"
    cyrillic = _FINALS.get(final)
    return None if cyrillic is None else _INITIALS[initial] + cyrillic


def palladius(word: str) -> str | None:
    """Сюй for Xu, Чжиюн for Zhiyong: the Palladius spelling of a pinyin word."""
    parts = split_syllables(_plain(word))
    if not parts:
        return None
    pieces = [palladius_syllable(p) for p in parts]
    return None if None in pieces else "".join(pieces)
