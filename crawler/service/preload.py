"""What the fork server of crawl workers loads once, so that every worker forked from it shares it.

Imported by multiprocessing's fork server (crawler/service/crawlprocess.py) before it forks
any worker: the crawl's libraries (Scrapy, Twisted, trafilatura, lxml) and the dictionaries
that name matching loads on first use (Russian and Ukrainian morphology, pinyin, Arabic
forms), about 100 MB that each worker would otherwise load for itself. The pages stay
shared for as long as no worker writes to them; `gc.freeze()` keeps the collector from
touching these objects, which would copy their pages into every worker.
"""
from __future__ import annotations

import gc
import logging

from crawler.core.processes import limit_malloc_arenas

limit_malloc_arenas()   # before any thread: the workers inherit it

import crawler.service.crawlworker  # noqa: E402,F401  (Scrapy, Twisted, trafilatura, the ingestion)
from alerts.matching.matcher import Matcher  # noqa: E402
from crawler.core.terms import PERSON, Term  # noqa: E402
from crawler.text.extractors import extract  # noqa: E402
from crawler.text.stoplists import warm as build_stop_words  # noqa: E402

# Names in the scripts whose dictionaries load lazily, and a text that makes each of them load.
_WARM_TERMS = ("Oleg Orlov", "Олександра Матвійчук", "Li Ming", "Ahmed Mansoor")
_WARM_TEXT = ("Олега Орлова задержали. Олександру Матвійчук нагородили. 李明 被拘留. أحمد منصور معتقل. "
              "Oleg Orlov was detained.")


def _warm() -> None:
    try:
        build_stop_words()   # jusText's stop words of every language, 40 MB, read on the first short page
        matcher = Matcher([Term(name=name, watchlist="warm", kind=PERSON) for name in _WARM_TERMS])
        matcher.find(_WARM_TEXT)
        extract(f"<html><body><article><p>{_WARM_TEXT * 20}</p></article></body></html>".encode(),
                "http://example.org/", "text/html")
    except Exception as exc:  # a worker then loads what it needs itself: slower, never wrong
        logging.getLogger("vigil.worker").warning("crawl workers could not preload their dictionaries: %s", exc)


_warm()
gc.collect()
gc.freeze()
