"""Compiled matchers kept on disk, one file per set of terms, library versions and matching code."""
from __future__ import annotations

import gc
import hashlib
import json
import pickle
from importlib import metadata
from pathlib import Path
from typing import Iterable

from alerts.matching.matcher import Matcher
from crawler.core.files import write_atomic
from crawler.core.terms import Term

_LIBRARIES = ("pyahocorasick", "iuliia", "pytrovich", "pymorphy3", "pymorphy3-dicts-ru", "pymorphy3-dicts-uk",
              "pypinyin", "anyascii")
_SOURCES = ("matcher.py", "namesakes.py", "variants.py", "names.py", "inflect.py", "translit.py",
            "normalize.py", "forenames.py", "arabic.py", "chinese.py", "slavic.py", "origins.py", "regional.py",
            "surroundings.py")
_PREFIX = "matcher-"


def cached_matcher(terms: Iterable[Term], cache_dir: str | Path) -> Matcher:
    """A matcher compiled earlier for the same terms and library versions, or a new one saved for next time."""
    terms = list(terms)
    cache_dir = Path(cache_dir)
    path = cache_dir / f"{_PREFIX}{fingerprint(terms)}.pickle"
    collecting = gc.isenabled()
    gc.disable()  # loading builds as many objects as compiling, and no garbage: collections would double the time
    try:
        with open(path, "rb") as f:
            matcher = pickle.load(f)
        if isinstance(matcher, Matcher):
            return matcher
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        pass
    finally:
        if collecting:
            gc.enable()
    matcher = Matcher(terms)
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        write_atomic(path, pickle.dumps(matcher, protocol=pickle.HIGHEST_PROTOCOL))
        for old in cache_dir.glob(f"{_PREFIX}*.pickle"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError:
        pass  # the cache only saves time; a read-only directory must not stop matching
    return matcher


def fingerprint(terms: list[Term]) -> str:
    """Hash of the terms, the library versions and this package's matching code."""
    digest = hashlib.sha256()
    rows = [[t.name, t.kind, list(t.aliases), t.watchlist, t.given, t.surname, t.patronymic] for t in terms]
    digest.update(json.dumps(rows, ensure_ascii=False).encode())
    for library in _LIBRARIES:
        try:
            digest.update(f"{library}={metadata.version(library)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(library.encode())
    here = Path(__file__).parent
    for source in _SOURCES:
        digest.update((here / source).read_bytes())
    return digest.hexdigest()[:24]
