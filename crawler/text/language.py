"""A text's language: the script decides for most languages; Latin-script text is told apart by
its commonest words. The <html lang> attribute, often wrong, is only a fallback."""
from __future__ import annotations

import re
from collections import Counter

from crawler.core.charclass import narrowed, within_common

_STOPWORDS = {
    "en": "the and of to is that for with on was are this by be it from have not which has were their",
    "de": "der die und das ist nicht mit den von zu ein eine sich auf für im dem des auch wird",
    "fr": "le les et des est une dans pour pas du qui sur au avec il sont ce cette aux été leur nous",
    "es": "el los las del por con una para es se al lo más como pero fue sus también y",
    "pt": "não uma para com da dos das também pelo pela ao são foi mais seu sua muito",
    "it": "il di che è per un una con da lo le non sono del della gli anche alla nel questo ma",
    "pl": "się nie że jest jak ale przez oraz dla czy także już może tego które został",
    "nl": "het een van dat op niet zijn voor ook aan er wordt werd",
    "cs": "je že jsou pro které jako byl bylo také jeho podle",
    "id": "yang dan di ini itu dengan untuk dari dalam tidak akan pada adalah ke",
    "sv": "och är att som på inte har jag av för till",
    "no": "og er ikke på som av jeg har til med",
    "tr": "ve bir bu için ile çok olarak daha gibi olan",
    "fi": "ja on ei se että oli ovat myös kuin mutta tai hän ole",
    "hu": "az és hogy nem is egy van meg már csak mint",
}
_WORD_COUNTS = Counter(word for words in _STOPWORDS.values() for word in set(words.split()))
# a word common to several languages tells them apart from none
_STOPWORD_LANG = {
    word: lang for lang, words in _STOPWORDS.items() for word in words.split() if _WORD_COUNTS[word] == 1
}
_SCRIPT_RANGES = {
    "latin": "AZaz\u00c0\u024f", "cyrillic": "\u0400\u04ff", "ja": "\u3040\u30ff", "ko": "\uac00\ud7af",
    "zh": "\u4e00\u9fff", "ar": "\u0600\u06ff", "he": "\u0590\u05ff", "el": "\u0370\u03ff",
    "ka": "\u10a0\u10ff", "hy": "\u0530\u058f", "th": "\u0e00\u0e7f", "hi": "\u0900\u097f",
}
# One str.translate turns each letter of a script into that script's mark (and every other character
# up to the last range into a space), then one count per script: a regex scan per script costs ten times more.
_SCRIPT_MARKS = {script: chr(ord("a") + index) for index, script in enumerate(_SCRIPT_RANGES)}


def _script_table() -> str:
    table = [" "] * (1 + max(ord(char) for ranges in _SCRIPT_RANGES.values() for char in ranges))
    for script, ranges in _SCRIPT_RANGES.items():
        for first, last in zip(ranges[::2], ranges[1::2]):
            table[ord(first) : ord(last) + 1] = _SCRIPT_MARKS[script] * (ord(last) - ord(first) + 1)
    return "".join(table)


_SCRIPT_TABLE = _script_table()
_LANGUAGE_SAMPLE_CHARS = 2500
_SCRIPT_WEIGHT = {"zh": 4, "ja": 4, "ko": 3}
_WORD = re.compile(r"[^\W\d_]+")
_COMMON_WORD = re.compile(narrowed(re.compile(r"[^\W\d_]")) + "+")


def detect_language(text: str, html_lang: str | None = None) -> str | None:
    """ISO 639-1 code of the text's language, or the page's lang attribute when the text says too little."""
    sample = text[:_LANGUAGE_SAMPLE_CHARS]
    declared = (html_lang or "").strip().lower()[:2] or None
    # an ideograph or syllable block carries about as much as a word of Latin letters
    marked = sample.translate(_SCRIPT_TABLE)
    counts = {script: marked.count(mark) * _SCRIPT_WEIGHT.get(script, 1) for script, mark in _SCRIPT_MARKS.items()}
    script = max(counts, key=counts.get)
    if counts[script] < 20:
        return declared
    if script == "zh" and counts["ja"] > 0.1 * counts["zh"]:
        return "ja"  # kanji outnumber kana in Japanese text
    if script == "cyrillic":
        return _cyrillic_language(sample.lower())
    if script != "latin":
        return script
    sample = sample.lower()
    words = (_COMMON_WORD if within_common(sample) else _WORD).findall(sample)
    votes = Counter(filter(None, map(_STOPWORD_LANG.get, words)))   # in the order first met, as max() reads them
    if not votes:
        return declared
    best = max(votes, key=votes.get)
    # a declared Latin-script language close behind the count is more likely right
    if declared in votes and votes[declared] >= 0.8 * votes[best]:
        return declared
    return best


def _cyrillic_language(sample: str) -> str:
    if sample.count("ў") > 0.002 * len(sample):
        return "be"
    if sum(sample.count(char) for char in "іїєґ") > 0.01 * len(sample):
        return "uk"
    if sample.count("ы") + sample.count("э") < 0.001 * len(sample) and sample.count("ъ") > 0.005 * len(sample):
        return "bg"
    return "ru"
