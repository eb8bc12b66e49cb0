"""jusText's stop words as one set built once per process, not once per page.

trafilatura asks jusText to classify a page's paragraphs when its own text looks short,
with the stop words of every language (154,000 words) when the page's language is not
known, and jusText turns that list into a new set of lower-cased words on every call:
about 3 ms and a 15 MB set per page, which stood at once in every extraction thread. The
words and the set they make never change, so `define_stoplist` here builds it once per
list and hands the same set back. The set is the one jusText would build, so the text
extracted is unchanged (tests/test_extract.py reads the corpus with it).
"""
from __future__ import annotations

import justext.core
from trafilatura import external

_define_stoplist = justext.core.define_stoplist
_built: tuple[object, frozenset] | None = None   # (the list trafilatura passes, held so it stays itself; its set)


def define_stoplist(stoplist) -> frozenset:
    global _built
    if isinstance(stoplist, frozenset):   # one language's words (a few hundred): cheap, and new each call
        return _define_stoplist(stoplist)
    built = _built
    if built is None or built[0] is not stoplist:
        built = _built = (stoplist, _define_stoplist(stoplist))
    return built[1]


def warm() -> None:
    """Build the every-language set now (a fork server shares it with the workers it forks)."""
    define_stoplist(external.JT_STOPLIST or external.jt_stoplist_init())


justext.core.define_stoplist = define_stoplist
