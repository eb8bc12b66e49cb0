"""Text normalisation for matching: words, their folded keys and offsets into the original text."""
from __future__ import annotations

import operator
import re
import unicodedata
from functools import lru_cache
from bisect import bisect_left
from itertools import accumulate

from alerts.matching.arabic import arabic_key, has_arabic
from alerts.matching.chinese import HAN_CLASS, HAN_RE, han_reading
from crawler.core.charclass import narrowed, within_common

# Characters that may sit inside a word without changing it: soft hyphen, zero-width
# joiners, word joiner, BOM, variation selectors, combining marks (stress) and the middle dot
# of BGN/PCGN (Ty·ay·a), Arabic short-vowel marks and tatweel. A zero-width space separates words.
_INSIDE = "\u00ad\u00b7\u200c\u200d\u2060\ufeff\ufe00-\ufe0f\u0300-\u036f\u064b-\u065f\u0670\u0640"
_IGNORABLE = {ord(c): None for c in "\u00ad\u00b7\u200b\u200c\u200d\u2060\ufeff\u0301\u0300"}
_IGNORABLE.update({cp: None for cp in range(0xFE00, 0xFE10)})
# Translating a non-ASCII word looks up every letter of it, which costs more than this search: most
# words have none of the characters a table changes, so each table is applied only after its search.
_IGNORABLE_RE = re.compile("[" + "".join(map(chr, _IGNORABLE)) + "]")
_APOSTROPHES = "'’ʼ`´ʹʺ"
_CYRILLIC_APOSTROPHE_RE = re.compile(r"(?<=[а-яёіїєґўА-ЯЁІЇЄҐЎ])['’](?=[а-яёіїєґўА-ЯЁІЇЄҐЎ])")
_APOSTROPHE_RE = re.compile("['’]")
_CYRILLIC_RE = re.compile(r"[\u0400-\u04ff]")
_LATIN_RE = re.compile(r"[a-zA-Z\u00c0-\u024f]")

# Latin letters that are not decomposed by NFD.
_LATIN_SPECIAL = str.maketrans({"ß": "ss", "ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d",
                                "ð": "d", "þ": "th", "ı": "i", "ŀ": "l", "ħ": "h"})
_DROP_MARKS = str.maketrans({c: None for c in _APOSTROPHES + "ʻ"})
_MARKS_RE = re.compile("[" + re.escape(_APOSTROPHES + "ʻ") + "]")
# Spelling differences between romanisations that are folded away on both sides.
_LATIN_FOLD = str.maketrans({"w": "v", "j": "i", "y": "i"})
# Both at once: neither touches the letters of "x" and "kh", which latin_key replaces in between.
_DROP_MARKS_AND_FOLD = {**_DROP_MARKS, **_LATIN_FOLD}
_DOUBLE_RE = re.compile(r"(.)\1+")
_FIRST_GROUP = operator.itemgetter(1)  # what r"\1" gives, without parsing that template again at every call
# Look-alike letters, used only inside a word that mixes both scripts.
_TO_CYRILLIC = str.maketrans("aceopxykmhtbiACEOPXYKMHTBI", "асеорхукмнтвіАСЕОРХУКМНТВІ")
_TO_LATIN = str.maketrans("асеорхукмнтвіАСЕОРХУКМНТВІ", "aceopxykmhtbiACEOPXYKMHTBI")


def clean(word: str) -> str:
    """Remove invisible characters and stress marks, apply NFKC and lower-case."""
    if word.isascii():
        return word.lower()  # no character _IGNORABLE removes is ASCII, and NFKC leaves ASCII as it is
    if _IGNORABLE_RE.search(word) is not None:
        word = word.translate(_IGNORABLE)
    return unicodedata.normalize("NFKC", word).lower()


def is_cyrillic(word: str) -> bool:
    return _CYRILLIC_RE.search(word) is not None


class _Unaccented(dict):
    """A translate table filled as characters are met: each one decomposed (NFD) without its combining marks.

    Letter by letter this is the same as for the whole word: NFD decomposes each character on its own and
    only reorders combining marks, which are all dropped.
    """

    def __missing__(self, code: int) -> str:
        letter = chr(code).translate(_LATIN_SPECIAL)
        plain = self[code] = "".join(c for c in unicodedata.normalize("NFD", letter) if not unicodedata.combining(c))
        return plain


_UNACCENTED = _Unaccented()


def strip_diacritics(word: str) -> str:
    """Latin letters without accents: 'Alexeï' -> 'alexei' (expects lower case)."""
    if word.isascii():
        return word
    return word.translate(_UNACCENTED)


def _without_marks(word: str) -> str:
    return word.translate(_DROP_MARKS) if _MARKS_RE.search(word) is not None else word


def light_fold(word: str) -> str:
    """Lower case without accents, invisible characters or apostrophes; ё becomes е."""
    word = clean(word)
    if is_cyrillic(word):
        return _without_marks(word.replace("ё", "е"))
    return _without_marks(strip_diacritics(word))


def latin_key(word: str) -> str:
    """Fold a Latin word so that common romanisations of one name meet (y/i/j, w/v, kh/h, x/ks, doubles)."""
    word = strip_diacritics(word)
    if word.isascii():
        # The ASCII characters of the table, replaced in turn: quicker than a translation on short words.
        word = word.replace("'", "").replace("`", "").replace("w", "v").replace("j", "i").replace("y", "i")
    else:
        word = word.translate(_DROP_MARKS_AND_FOLD)
    word = word.replace("x", "ks").replace("kh", "h")
    return _DOUBLE_RE.sub(_FIRST_GROUP, word)


def joined_latin_key(head_key: str, tail_key: str) -> str | None:
    """latin_key of a word of lower-case ASCII letters from the keys of its two parts; None when they meet on letters
    latin_key changes together. It folds letters one by one, then turns kh into h and writes a doubled letter once,
    so the parts' keys only join wrongly where k meets h or both keys have the same letter at the join."""
    if head_key[-1] == tail_key[0] or head_key[-1] == "k" and tail_key[0] == "h":
        return None
    return head_key + tail_key


# Ukrainian and Belarusian letters meet their Russian counterparts: Матвійчук, Матвийчук.
_CYRILLIC_FOLD = str.maketrans({"ё": "е", "і": "и", "ї": "и", "є": "е", "ґ": "г", "ў": "в",
                                **{c: None for c in _APOSTROPHES}})
_CYRILLIC_FOLD_RE = re.compile("[" + re.escape("ёіїєґў" + _APOSTROPHES) + "]")


def cyrillic_key(word: str) -> str:
    return word.translate(_CYRILLIC_FOLD) if _CYRILLIC_FOLD_RE.search(word) is not None else word


def word_key(word: str) -> str:
    """The key a word is matched by; never empty and never contains a space."""
    if word.isascii():
        return latin_key(word.lower()) or "_"  # what the steps below come to for ASCII
    word = clean(word)
    has_cyrillic = is_cyrillic(word)
    if not has_cyrillic and not word.isascii():
        if has_arabic(word):
            return arabic_key(word) or "_"
        if HAN_RE.match(word):
            # One character is one word; its key is its reading, so 许志永 meets "Xu Zhiyong".
            return latin_key(han_reading(word)) or word
    if has_cyrillic and _LATIN_RE.search(word):
        cyrillic_letters = len(_CYRILLIC_RE.findall(word))
        latin_letters = len(_LATIN_RE.findall(word))
        word = word.translate(_TO_CYRILLIC if cyrillic_letters >= latin_letters else _TO_LATIN)
        has_cyrillic = is_cyrillic(word)
    key = cyrillic_key(word) if has_cyrillic else latin_key(word)
    return key or "_"


@lru_cache(maxsize=65536)
def phrase_key(phrase: str) -> str:
    """Keys of the words of a phrase, each surrounded by one space, as stored in the automaton."""
    if phrase.isalpha() and not HAN_RE.search(phrase):
        return f" {word_key(phrase)} "  # one word, as split_words would find it (most names), without its set-up
    keys = split_words(phrase).keys
    return " " + " ".join(keys) + " " if keys else ""


def words_of(phrase: str) -> list[str]:
    """The words of a phrase, split as a text is split."""
    return list(_words_of(phrase))


@lru_cache(maxsize=65536)
def _words_of(phrase: str) -> tuple[str, ...]:
    words = split_words(phrase)
    return tuple(words.word(i) for i in range(len(words.keys)))


class Words:
    """The words of a text with their keys, joined into one string to scan."""

    __slots__ = ("text", "starts", "ends", "keys", "joined", "_key_starts")

    def __init__(self, text: str, starts: list[int], ends: list[int], keys: list[str]):
        self.text = text
        self.starts = starts
        self.ends = ends
        self.keys = keys
        self.joined = " " + " ".join(keys) + " "
        self._key_starts: list[int] | None = None

    def index_at(self, joined_pos: int) -> int:
        """Index of the word whose key starts at `joined_pos` of `joined`."""
        if self._key_starts is None:
            # Key i starts after the leading space and the keys and spaces before it.
            self._key_starts = [offset + i + 1 for i, offset in enumerate(accumulate(map(len, self.keys), initial=0))]
        return bisect_left(self._key_starts, joined_pos)

    def word(self, i: int) -> str:
        return self.text[self.starts[i]:self.ends[i]]

    def gap(self, i: int) -> str:
        """The characters between word i-1 and word i."""
        return self.text[self.ends[i - 1]:self.starts[i]]


_SPLIT_RE = re.compile(rf"([\w{_INSIDE}]+)")
# Chinese runs no spaces between words: each character is a word of its own. The middle dot of
# Uyghur and other foreign names in characters (伊力哈木·土赫提) separates words there.
_SPLIT_HAN_RE = re.compile(rf"([{HAN_CLASS}]|(?:[^\W{HAN_CLASS}]|[{_INSIDE.replace(chr(0xb7), '')}])+)")
_SPLIT_COMMON_RE = re.compile("(" + narrowed(re.compile(rf"[\w{_INSIDE}]")) + "+)")   # the same, on most texts
_KEY_CACHE: dict[str, str] = {}
_KEY_CACHE_LIMIT = 400_000


def _merge_cyrillic_apostrophes(text: str, starts: list[int], ends: list[int], words: list[str]) -> None:
    """Ukrainian and Belarusian write an apostrophe inside a word: В'ячеслав."""
    joins = []  # words that join the one before them
    for found in _APOSTROPHE_RE.finditer(text):  # the few apostrophes first: a lookbehind at every place is slow
        at = found.start()
        if not _CYRILLIC_APOSTROPHE_RE.match(text, at):
            continue
        i = bisect_left(starts, at + 1)
        if 0 < i < len(starts) and starts[i] == at + 1 and ends[i - 1] == at:
            joins.append(i)
    if not joins:
        return
    if len(joins) <= 32:
        for i in reversed(joins):  # from the end, so that a word with two apostrophes joins in turn
            ends[i - 1] = ends[i]
            words[i - 1] = text[starts[i - 1]:ends[i]]
            del starts[i], ends[i], words[i]
        return
    # Many: rebuilt in slices, as each deletion moves the rest of the lists.
    new_starts, new_ends, new_words = [], [], []
    done = 0
    for i in joins:
        new_starts += starts[done:i]
        new_ends += ends[done:i]
        new_words += words[done:i]
        new_ends[-1] = ends[i]
        new_words[-1] = text[new_starts[-1]:ends[i]]
        done = i + 1
    starts[:] = new_starts + starts[done:]
    ends[:] = new_ends + ends[done:]
    words[:] = new_words + words[done:]


def split_words(text: str, wanted: frozenset[str] | None = None) -> Words | None:
    """Split a text into words and build the string of their keys, ' k1 k2 ... kn '.

    With `wanted`, None when no word's key is one of those: the distinct words are looked up first,
    and a text none of whose keys are wanted is not split further (see Matcher.find)."""
    # A text within the common scripts is split by the narrowed pattern, which finds the same words sooner
    # (crawler/core/charclass.py). A string knows whether it is ASCII without reading it; other names
    # are not checked, as the check costs more than it saves on a few words.
    is_ascii = text.isascii()
    if is_ascii or len(text) > 200 and within_common(text):
        splitter = _SPLIT_COMMON_RE
    else:
        splitter = _SPLIT_HAN_RE if HAN_RE.search(text) else _SPLIT_RE
    parts = splitter.split(text)  # gap, word, gap, word, ..., gap
    words = parts[1::2]
    cache = _KEY_CACHE
    if len(cache) > _KEY_CACHE_LIMIT:
        cache.clear()
    apostrophes = not is_ascii and ("'" in text or "’" in text)   # joins words only between Cyrillic letters
    if wanted is not None and not apostrophes and wanted.isdisjoint(_keys_of(set(words), cache)):
        return None
    offsets = list(accumulate(map(len, parts)))
    starts = offsets[0:-1:2]
    ends = offsets[1::2]
    if apostrophes:
        _merge_cyrillic_apostrophes(text, starts, ends, words)
    keys = list(map(cache.get, words))
    if None in keys:
        for i, key in enumerate(keys):
            if key is None:
                word = words[i]
                keys[i] = cache[word] = word_key(word)
    return Words(text, starts, ends, keys)


def _keys_of(words: set[str], cache: dict[str, str]) -> set[str]:
    keys = set(map(cache.get, words))
    if None in keys:
        keys.discard(None)
        for word in words:
            if word not in cache:
                keys.add(cache.setdefault(word, word_key(word)))
    return keys
