"""Benchmark of the links a crawl reads on a page: Scrapy's LinkExtractor beside Vigil's LinkReader.

Run by hand: `PYTHONPATH=. python bench/links.py [--pages N] [--corpus PATH]`. It prints figures and never
fails. A source follows the links of every page above its `max_depth` (2 by default), in the crawl
process. Two sets of pages, each read by both, alternately, in one process (CPU time):

- `site`: N pages of the crawl benchmark's generated site (bench/sitegen.py: 40 navigation links the
  same on every page, 25 sidebar links to other pages), read in order, as a crawl of one site reads them;
- `corpus`: every HTML page of the corpus's extraction sets, each of another site (the worst case for
  LinkReader, which keeps what it worked out for the pages that follow).

Both are checked to give the same URLs. The parse (Scrapy's `response.selector`) is made before the timing
for both, as the spider's response carries it.
"""
from __future__ import annotations

import argparse
import gzip
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from scrapy.http import HtmlResponse  # noqa: E402
from scrapy.linkextractors import IGNORED_EXTENSIONS, LinkExtractor  # noqa: E402

from bench.sitegen import page_html  # noqa: E402
from crawler.ingest.links import LinkReader  # noqa: E402

DENY_EXTENSIONS = [e for e in IGNORED_EXTENSIONS if e not in ("pdf", "doc", "docx", "odt", "rtf")]


def site_pages(count: int) -> list[HtmlResponse]:
    return [HtmlResponse(f"http://127.0.0.1:8000/page/{n}.html", body=page_html(n, count).encode(), encoding="utf-8")
            for n in range(count)]


def corpus_pages(corpus: Path) -> list[HtmlResponse]:
    pages = []
    for number, path in enumerate(sorted(p for name in ("trafilatura-eval", "zyte-article-extraction-benchmark",
                                                        "mozilla-readability-test-pages")
                                         for p in (corpus / name).rglob("*") if p.suffix in (".html", ".gz"))):
        body = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
        pages.append(HtmlResponse(f"https://site{number}.example.org/news/{number}.html", body=body, encoding="utf-8"))
    return pages


def measure(pages: list[HtmlResponse]) -> dict[str, float]:
    hosts = {urlsplit(page.url).hostname for page in pages}
    for page in pages:
        page.selector   # parsed once, as the spider's response is
    extractor = LinkExtractor(unique=True, deny_extensions=DENY_EXTENSIONS)
    reader = LinkReader(allow=(), deny=(), deny_extensions=DENY_EXTENSIONS, hosts=hosts)
    found = {}
    started = time.process_time()
    expected = [[link.url for link in extractor.extract_links(page) if urlsplit(link.url).hostname in hosts]
                for page in pages]
    found["LinkExtractor"] = time.process_time() - started
    started = time.process_time()
    got = [reader.urls(page) for page in pages]
    found["LinkReader"] = time.process_time() - started
    if got != expected:
        print("LinkReader and LinkExtractor differ")
    links = sum(map(len, expected))
    return {name: seconds / len(pages) * 1000 for name, seconds in found.items()} | {"links": links / len(pages)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=1000, help="pages of the generated site (default 1000)")
    parser.add_argument("--corpus", type=Path, default=HERE.parent.parent / "shared" / "corpus")
    args = parser.parse_args()
    sets = {"site": site_pages(args.pages)}
    if args.corpus.is_dir():
        sets["corpus"] = corpus_pages(args.corpus)
    print(f"{'pages':>8} {'set':<8} {'links/page':>10} {'LinkExtractor ms/page':>22} {'LinkReader ms/page':>19}")
    for name, pages in sets.items():
        figures = measure(pages)
        print(f"{len(pages):>8} {name:<8} {figures['links']:>10.1f} {figures['LinkExtractor']:>22.3f} "
              f"{figures['LinkReader']:>19.3f}")


if __name__ == "__main__":
    main()
