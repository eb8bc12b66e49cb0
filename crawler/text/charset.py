"""Decoding of fetched HTML and feed bytes to text, whatever charset they declare or hide."""

from __future__ import annotations

import codecs
import math
import re
import unicodedata
from collections import Counter

from charset_normalizer import from_bytes
from w3lib.encoding import read_bom

# Labels browsers treat as another (wider) codec, after the WHATWG Encoding Standard;
# every other label goes through codecs.lookup.
_LABEL_TO_CODEC = {
    "ascii": "cp1252",
    "us-ascii": "cp1252",
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "iso_8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "l1": "cp1252",
    "cp819": "cp1252",
    "iso-8859-9": "cp1254",
    "latin5": "cp1254",
    "iso-8859-11": "cp874",
    "tis-620": "cp874",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "gb_2312-80": "gb18030",
    "csgb2312": "gb18030",
    "chinese": "gb18030",
    "big5": "big5hkscs",
    "euc-kr": "cp949",
    "ks_c_5601-1987": "cp949",
    "korean": "cp949",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "ms_kanji": "cp932",
    "windows-31j": "cp932",
    "x-mac-cyrillic": "mac_cyrillic",
    "x-mac-ukrainian": "mac_cyrillic",
    "maccyrillic": "mac_cyrillic",
    "koi8-ru": "koi8_u",
    "ibm866": "cp866",
    "866": "cp866",
    "ibm855": "cp855",
    "unicode-1-1-utf-8": "utf-8",
    # a page served as bytes cannot really be UTF-16 without a BOM; browsers read UTF-8
    "utf-16": "utf-8",
    "utf-16le": "utf-8",
    "utf-16be": "utf-8",
}

# The declarations are read here rather than with w3lib's http_content_type_encoding and
# html_body_declared_encoding: those take the first declaration in the first 4 KB and map
# fewer labels, where a page is read here in each codec it declares, in the first 16 KB.
_HTTP_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
# <meta charset=...>, <meta http-equiv=content-type content="...; charset=...">, <?xml encoding=...?>
_DOC_CHARSET = re.compile(
    rb"""<meta[^>]*?charset\s*=\s*["']?\s*([\w.:-]+)"""
    rb"""|<\?xml[^>]*?encoding\s*=\s*["']\s*([\w.:-]+)""",
    re.IGNORECASE,
)
_DECLARATION_SCAN_BYTES = 16_384
_XML_ENCODING_DECL = re.compile(r"""(<\?xml[^>]*?)\s+encoding\s*=\s*["'][^"']*["']""", re.IGNORECASE)

# Single-byte codecs a page without a trustworthy declaration is tried in.
_CYRILLIC_CODECS = tuple(
    codecs.lookup(name).name for name in ("cp1251", "koi8_r", "cp866", "mac_cyrillic", "iso8859_5", "koi8_u", "cp855")
)
_LATIN_CODECS = tuple(codecs.lookup(name).name for name in ("cp1252", "cp1250", "iso8859_2"))
_SINGLE_BYTE_CODECS = frozenset(_CYRILLIC_CODECS + _LATIN_CODECS)

# Letter frequencies (percent) of running Russian text, with the letters Bulgarian and
# Ukrainian use more often raised a little so that their pages score as Cyrillic too.
_CYRILLIC_LETTER_PERCENT = {
    "о": 10.97, "е": 8.45, "а": 8.01, "и": 7.35, "н": 6.70, "т": 6.26, "с": 5.47,
    "р": 4.73, "в": 4.54, "л": 4.40, "к": 3.49, "м": 3.21, "д": 2.98, "п": 2.81,
    "у": 2.62, "я": 2.01, "ы": 1.90, "ь": 1.74, "г": 1.70, "з": 1.65, "б": 1.59,
    "ч": 1.44, "й": 1.21, "х": 0.97, "ж": 0.94, "ш": 0.73, "ю": 0.64, "ц": 0.48,
    "щ": 0.36, "э": 0.32, "ф": 0.26, "ъ": 0.80, "ё": 0.20, "і": 2.00, "ї": 0.30,
    "є": 0.30, "ґ": 0.05, "ў": 0.30,
}
_CYRILLIC_LETTER_SCORE = {letter: math.log(percent / 100) for letter, percent in _CYRILLIC_LETTER_PERCENT.items()}
_RARE_CYRILLIC_SCORE = math.log(0.0005)
_MIXED_SCRIPT_SCORE = -5.0  # a Cyrillic letter glued to an ASCII letter, or an accented letter amid others
_STRAY_SYMBOL_SCORE = -6.0
_CONTROL_SCORE = -10.0
_PLAIN_PUNCTUATION_SCORE = -1.0
_OPENING_MARKS = frozenset("«“„‘‚¡¿")
_CLOSING_MARKS = frozenset("»”’…")
_FREE_STANDING_MARKS = frozenset("—–\u00a0№°§©®•·€±×")
# Scoring a sample of the runs of high bytes is as telling as scoring them all, and bounded.
_SAMPLE_RUNS = 80
_RUN_CONTEXT = 3
_HIGH_BYTE_RUN = re.compile(rb"[\x80-\xff]+")
# bytes that are not UTF-8, as errors="surrogateescape" leaves them
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")
_ESCAPED_RUN = re.compile("[\udc80-\udcff]+")
# A declared single-byte charset is kept unless another codec reads better by this much
# per character where the two readings differ.
_DECLARED_MARGIN = 0.5
_MIN_DIFFERING_CHARS = 3
_IMPLAUSIBLE_MEAN = -5.0
# charset-normalizer reads this much of a body: enough to tell, and bounded on a huge one
_DETECTION_BYTES = 65_536


def decode_html(body: bytes, content_type: str | None = None) -> str:
    """Decode an HTML page or an XML feed to text.

    The order is a byte-order mark, then valid UTF-8 (a few stray legacy bytes in it are
    decoded in the single-byte codec they read best in), then the HTTP charset and the
    document's own declaration (<meta> or <?xml encoding?>) when they decode to readable
    text, then detection among Cyrillic and Western single-byte codecs, then
    charset-normalizer. Never raises on any bytes.
    """
    if not body:
        return ""
    codec, bom = read_bom(body)
    if codec is not None:
        return body[len(bom):].decode(codec, errors="replace")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    declared = declared_codecs(body, content_type)
    escaped = body.decode("utf-8", errors="surrogateescape")
    if _mostly_utf8(escaped):
        # a UTF-8 page with a few stray legacy bytes (an included ad, a truncated excerpt)
        return _decode_stray_bytes(escaped, declared)
    sample = _high_byte_sample(body)
    for codec in declared:
        if codec == "utf-8":
            continue
        try:
            text = body.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
        if codec not in _SINGLE_BYTE_CODECS or _best_single_byte(sample, preferred=codec) == codec:
            return text
    best = _best_single_byte(sample, preferred=None)
    if best is not None:
        return body.decode(best, errors="replace")
    match = from_bytes(body[:_DETECTION_BYTES]).best()
    if match is not None and match.encoding:
        return body.decode(match.encoding, errors="replace")
    return body.decode("utf-8", errors="replace")


def decode_feed(body: bytes, content_type: str | None = None) -> str:
    """Decode an RSS/Atom/sitemap body, dropping the XML encoding pseudo-attribute.

    The text is already decoded, and XML parsers refuse a str that still declares an
    encoding.
    """
    text = decode_html(body, content_type)
    return _XML_ENCODING_DECL.sub(r"\1", text, count=1)


def declared_codecs(body: bytes, content_type: str | None = None) -> list[str]:
    """Python codec names declared by the HTTP header, then by the document, deduplicated."""
    labels = []
    if content_type:
        labels += _HTTP_CHARSET.findall(content_type)
    for meta_label, xml_label in _DOC_CHARSET.findall(body[:_DECLARATION_SCAN_BYTES]):
        labels.append((meta_label or xml_label).decode("ascii", "replace"))
    codec_names: list[str] = []
    for label in labels:
        codec = codec_for_label(label)
        if codec and codec not in codec_names:
            codec_names.append(codec)
    return codec_names


def codec_for_label(label: str) -> str | None:
    """The Python codec a browser would use for a charset label, or None when unknown."""
    label = label.strip().strip("\"'").lower()
    try:
        name = codecs.lookup(_LABEL_TO_CODEC.get(label, label)).name
    except LookupError:
        return None
    return {"iso8859-1": "cp1252", "ascii": "cp1252", "latin-1": "cp1252"}.get(name, name)


def _mostly_utf8(escaped: str) -> bool:
    """True when valid multi-byte UTF-8 sequences far outnumber the invalid bytes (escaped as surrogates)."""
    invalid = len(_ESCAPED_BYTE.findall(escaped))
    valid_multibyte = len(escaped) - len(escaped.encode("ascii", errors="ignore")) - invalid
    return valid_multibyte >= 10 and valid_multibyte >= 4 * invalid


def _decode_stray_bytes(escaped: str, declared: list[str]) -> str:
    """Decode the bytes that were not UTF-8 in the single-byte codec they read best in."""
    runs = [match.span() for match in _ESCAPED_RUN.finditer(escaped)][:_SAMPLE_RUNS]
    sample = b" ".join(
        escaped[max(start - _RUN_CONTEXT, 0):end + _RUN_CONTEXT].encode("utf-8", errors="surrogateescape")
        for start, end in runs
    )
    preferred = next((codec for codec in declared if codec in _SINGLE_BYTE_CODECS), None)
    codec = _best_single_byte(sample, preferred=preferred) or "cp1252"

    def decode_run(match: re.Match) -> str:
        return match.group().encode("utf-8", errors="surrogateescape").decode(codec, errors="replace")

    return _ESCAPED_RUN.sub(decode_run, escaped)


def _high_byte_sample(body: bytes) -> bytes:
    """Runs of bytes >= 0x80 with a little context, spread evenly over the body, joined by spaces."""
    runs = [match.span() for match in _HIGH_BYTE_RUN.finditer(body)]
    if len(runs) > _SAMPLE_RUNS:
        step = len(runs) / _SAMPLE_RUNS
        runs = [runs[int(index * step)] for index in range(_SAMPLE_RUNS)]
    return b" ".join(body[max(start - _RUN_CONTEXT, 0):end + _RUN_CONTEXT] for start, end in runs)


def _best_single_byte(sample: bytes, preferred: str | None) -> str | None:
    """The single-byte codec whose reading of the sample looks most like real text.

    A preferred (declared) codec is kept unless another one reads better by a clear margin
    on the characters where the two readings differ. Returns None when nothing is
    preferred and no candidate reads plausibly (CJK, binary), so that the caller falls back
    to a general detector.
    """
    if not sample:
        return preferred or "cp1252"
    readings: dict[str, tuple[str, list[float]]] = {}
    for codec in _shortlist(sample, preferred):
        try:
            text = sample.decode(codec)
        except UnicodeDecodeError:
            continue
        readings[codec] = (text, character_scores(text))
    if not readings:
        return preferred
    best_codec = max(readings, key=lambda codec: sum(readings[codec][1]))
    if preferred is None:
        scores = readings[best_codec][1]
        return best_codec if sum(scores) / max(len(scores), 1) >= _IMPLAUSIBLE_MEAN else None
    if best_codec == preferred or preferred not in readings:
        return best_codec
    preferred_text, preferred_scores = readings[preferred]
    best_text, best_scores = readings[best_codec]
    differing = [
        index
        for index, (preferred_char, best_char) in enumerate(zip(_non_ascii(preferred_text), _non_ascii(best_text)))
        if preferred_char != best_char
    ]
    gain = sum(best_scores[index] - preferred_scores[index] for index in differing)
    if len(differing) >= _MIN_DIFFERING_CHARS and gain > _DECLARED_MARGIN * len(differing):
        return best_codec
    return preferred


def _shortlist(sample: bytes, preferred: str | None) -> list[str]:
    """The preferred codec plus the two likeliest Cyrillic and the likeliest Western codec.

    Ranked on the byte histogram alone, which is cheap; the context-aware scoring then
    decides among these few.
    """
    histogram = Counter(sample)
    high_bytes = [(byte, count) for byte, count in histogram.items() if byte >= 0x80]

    def histogram_score(codec: str) -> float:
        table = _CONTEXT_FREE_SCORES[codec]
        return sum(table[byte - 0x80] * count for byte, count in high_bytes)

    cyrillic = sorted(_CYRILLIC_CODECS, key=histogram_score, reverse=True)[:2]
    latin = max(_LATIN_CODECS, key=histogram_score)
    return list(dict.fromkeys(([preferred] if preferred else []) + cyrillic + [latin]))


def _context_free_scores(codec: str) -> list[float]:
    scores = []
    for byte in range(0x80, 0x100):
        try:
            char = bytes([byte]).decode(codec)
        except UnicodeDecodeError:
            scores.append(-100.0)
            continue
        scores.append(_character_score(char, " ", " "))
    return scores


def _non_ascii(text: str) -> list[str]:
    return [char for char in text if char >= "\x80"]


def text_plausibility(text: str) -> float:
    """Mean score per non-ASCII character: about -3 for real Cyrillic or Western text, below -4.5 for mojibake."""
    scores = character_scores(text)
    return sum(scores) / len(scores) if scores else 0.0


def character_scores(text: str) -> list[float]:
    """A score for each non-ASCII character of the text: how likely it is in real text.

    Cyrillic letters score by their frequency in running text and lose points for an
    upper-case letter after a lower-case one; accented Latin letters are expected next to
    ASCII letters and Cyrillic letters are not; box drawing, control characters and
    punctuation that sits inside a word are what a wrong codec produces.
    """
    scores = []
    last = len(text) - 1
    for index, char in enumerate(text):
        if char < "\x80":
            continue
        before = text[index - 1] if index else " "
        after = text[index + 1] if index < last else " "
        scores.append(_character_score(char, before, after))
    return scores


def _character_score(char: str, before: str, after: str) -> float:
    if char.isalpha():
        ascii_neighbour = (before < "\x80" and before.isalpha()) or (after < "\x80" and after.isalpha())
        if "\u0400" <= char <= "\u04ff":
            if ascii_neighbour:
                return _MIXED_SCRIPT_SCORE
            score = _CYRILLIC_LETTER_SCORE.get(char.lower(), _RARE_CYRILLIC_SCORE)
            if char.isupper():
                score -= 4.0 if (before.isalpha() and before.islower()) else 1.0
            return score
        if char <= "\u024f":
            if ascii_neighbour:
                return 0.0
            if before.isalpha() or after.isalpha():
                return _MIXED_SCRIPT_SCORE
            return _PLAIN_PUNCTUATION_SCORE  # a one-letter word: "à", "é"
        return _STRAY_SYMBOL_SCORE
    before_letter, after_letter = before.isalpha(), after.isalpha()
    if unicodedata.category(char).startswith("C"):
        return _CONTROL_SCORE
    if char in _OPENING_MARKS and not before_letter:
        return _PLAIN_PUNCTUATION_SCORE
    if char in _CLOSING_MARKS and not after_letter:
        return _PLAIN_PUNCTUATION_SCORE
    if char == "’" and before_letter:
        return _PLAIN_PUNCTUATION_SCORE
    if char in _FREE_STANDING_MARKS and not (before_letter or after_letter):
        return _PLAIN_PUNCTUATION_SCORE
    return _STRAY_SYMBOL_SCORE


_CONTEXT_FREE_SCORES = {codec: _context_free_scores(codec) for codec in _CYRILLIC_CODECS + _LATIN_CODECS}
