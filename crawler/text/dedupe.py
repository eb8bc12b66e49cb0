"""Near-duplicate texts: MinHash signatures, LSH band keys and the same-story test.

A republished statement differs from the original by a lead sentence, a "Source:" line, a
title, some boilerplate, a dropped paragraph or a few typo fixes. Such copies share most of
their word trigrams and unrelated texts of one site share few, so the Jaccard similarity of
the trigram sets tells them apart. It is estimated from a one-permutation MinHash (Li, Owen
and Zhang, 2012): every trigram is hashed once with CRC-32, the low 7 bits pick one of 128
bins and the other 25 bits are the value whose minimum the bin keeps. The share of equal bins
among the bins not empty in both texts estimates the Jaccard similarity (standard error
about 0.04 at 0.5 for texts of a few hundred words). CRC-32 is fixed by a standard, so stored
signatures stay comparable across Python versions and processes.

For look-ups, `band_keys` cuts the bins (empty ones filled by optimal densification,
Shrivastava 2017) into 42 bands of 3 rows. Two texts share a key with probability
1 - (1 - J**3)**42: 0.94 at J = 0.4, 0.996 at 0.5, 0.04 at 0.1.

Everything here is a pure function of its arguments; signatures carry a format version.
"""
from __future__ import annotations

import hashlib
import re
import struct
import unicodedata
import zlib

from crawler.core.charclass import narrowed, within_common

VERSION = 1                    # stored with every signature: change it when anything below changes
SHINGLE_WORDS = 3
BINS = 128                     # a power of two: the bin is the hash's low bits
BIN_BITS = 7
EMPTY = 0xFFFFFFFF             # a bin no trigram fell into; real values have 25 bits
_NO_HASH = 1 << 32             # above every CRC-32
BANDS, ROWS = 42, 3            # 126 of the 128 bins; P(candidate | J) = 1 - (1 - J**3)**42
MIN_SHINGLES = 20              # below this, only identical texts are one story
# From this estimated Jaccard similarity on, two texts are one story. On the test set copies
# score 0.52 and more, look-alikes 0.19 at most. A 40-word statement given a lead, a source
# line and two boilerplate blocks scores 0.52 to 0.6, so the line is drawn well below that.
THRESHOLD = 0.40

_HEADER = struct.Struct("<BH")
_BINS = struct.Struct(f"<{BINS}I")
SIGNATURE_SIZE = _HEADER.size + _BINS.size
_BANDED = struct.Struct(f"<{BANDS * ROWS}I")
_BAND_BYTES = 4 * ROWS
_BAND_PREFIXES = [f"{VERSION}{band:02d}" for band in range(BANDS)]

# Scripts written without spaces: every character is a word.
_UNSPACED = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u0e00-\u0e7f"
_WORD = re.compile(rf"[{_UNSPACED}]|[^\W_{_UNSPACED}]+")
_COMMON_WORD = re.compile(narrowed(re.compile(rf"[^\W_{_UNSPACED}]")) + "+")   # no unspaced script there


def words(text: str) -> list[str]:
    """The normalised words of a text: NFKC, case-folded, ё as е, punctuation and line breaks gone."""
    if text.isascii():   # NFKC leaves ASCII as it is, and case-folds it as lower() does
        return _COMMON_WORD.findall(text.lower())
    text = unicodedata.normalize("NFKC", text.casefold()).replace("ё", "е")
    return (_COMMON_WORD if within_common(text) else _WORD).findall(text)


def signature(text: str) -> bytes:
    """A 515-byte fingerprint of a text (version, trigram count, 128 bin minima)."""
    found = words(text)
    if len(found) >= SHINGLE_WORDS:   # each word encoded once, not once in each of its three shingles
        encoded = list(map(str.encode, found))
        shingles = map(b" ".join, zip(*(encoded[i:] for i in range(SHINGLE_WORDS))))
    else:
        shingles = [" ".join(found).encode()] if found else []
    hashes = set(map(zlib.crc32, shingles))
    # The least hash of each bin: the hashes of one bin order as their values do (same low bits).
    lowest = [_NO_HASH] * BINS
    mask = BINS - 1
    for h in hashes:
        if h < lowest[h & mask]:
            lowest[h & mask] = h
    minima = [EMPTY if h == _NO_HASH else h >> BIN_BITS for h in lowest]
    return _HEADER.pack(VERSION, min(len(hashes), 0xFFFF)) + _BINS.pack(*minima)


def similarity(sig_a: bytes, sig_b: bytes) -> float:
    """The estimated Jaccard similarity of two texts' word-trigram sets, from 0.0 to 1.0."""
    _, bins_a = _unpack(sig_a)
    _, bins_b = _unpack(sig_b)
    same = [a for a, b in zip(bins_a, bins_b) if a == b]
    empty_in_both = same.count(EMPTY)
    used = BINS - empty_in_both
    return (len(same) - empty_in_both) / used if used else 0.0


def is_same_story(sig_a: bytes, sig_b: bytes) -> bool:
    """Whether two texts are one story: nearly the same text, as a republished copy is."""
    count_a, _ = _unpack(sig_a)
    count_b, _ = _unpack(sig_b)
    if min(count_a, count_b) == 0:
        return False  # pages without text are not a story
    if min(count_a, count_b) < MIN_SHINGLES:
        return bytes(sig_a) == bytes(sig_b)  # too few words to judge nearness: only the same words will do
    return similarity(sig_a, sig_b) >= THRESHOLD


def band_keys(sig: bytes) -> list[str]:
    """Index keys of a signature: two texts that are one story share at least one, nearly always.

    A text too short to judge gets a single key that only the same words produce; a text
    without words gets none.
    """
    count, bins = _unpack(sig)
    if count == 0:
        return []
    if count < MIN_SHINGLES:
        return [f"{VERSION}x{hashlib.blake2b(sig, digest_size=8).hexdigest()}"]
    # The bands' bins packed at once; band b is bytes 12b to 12b + 12, as it was packed on its own.
    packed = _BANDED.pack(*(_densified(bins) if EMPTY in bins else bins)[:BANDS * ROWS])
    blake2b = hashlib.blake2b
    return [prefix + blake2b(packed[at:at + _BAND_BYTES], digest_size=8).hexdigest()
            for prefix, at in zip(_BAND_PREFIXES, range(0, len(packed), _BAND_BYTES))]


def _unpack(sig: bytes) -> tuple[int, tuple[int, ...]]:
    if not isinstance(sig, (bytes, bytearray, memoryview)) or len(sig) != SIGNATURE_SIZE:
        raise ValueError(f"not a text signature of {SIGNATURE_SIZE} bytes")
    version, count = _HEADER.unpack_from(sig)
    if version != VERSION:
        raise ValueError(f"text signature of format {version}, this version reads {VERSION}")
    return count, _BINS.unpack_from(sig, _HEADER.size)


def _densified(bins: tuple[int, ...]) -> list[int]:
    """Empty bins take the value of a donor bin chosen by a fixed pseudo-random probe sequence.

    Both texts of a pair probe the same sequence, so a filled bin matches with the same
    probability as a real one (optimal densification).
    """
    filled = list(bins)
    if all(value == EMPTY for value in bins):
        return filled
    for slot, value in enumerate(bins):
        attempt = 0
        while value == EMPTY and attempt < 4 * BINS:
            donor = zlib.crc32(struct.pack("<HH", slot, attempt)) & (BINS - 1)
            value = bins[donor]
            attempt += 1
        if value == EMPTY:  # a nearly empty signature: the next filled bin to the right
            value = next(v for v in bins[slot:] + bins[:slot] if v != EMPTY)
        filled[slot] = value
    return filled
