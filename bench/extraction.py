"""Extraction and charset quality of crawler.text.extract beside plain trafilatura.extract, on the shared corpus.

Run from the repository root:  python bench/extraction.py [--corpus PATH] [--sets zyte,...] [--limit N]
"""

from __future__ import annotations

import argparse
import gzip
import html
import json
import re
import sys
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

SETS = ("zyte", "trafilatura", "readability", "charsets", "speed")

# CJK ideographs and kana count one token each; other scripts split on non-word characters.
_TOKEN = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]|[^\W\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]+")


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(unicodedata.normalize("NFC", text).lower())


def token_scores(predicted: str, truth: str) -> tuple[float, float, float]:
    """Precision, recall and F1 of the bag of tokens; an empty prediction scores 0, 0, 0."""
    predicted_bag, truth_bag = Counter(tokens(predicted)), Counter(tokens(truth))
    overlap = sum((predicted_bag & truth_bag).values())
    if not overlap:
        return 0.0, 0.0, 0.0
    precision = overlap / sum(predicted_bag.values())
    recall = overlap / sum(truth_bag.values())
    return precision, recall, 2 * precision * recall / (precision + recall)


def normalise_segment(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def segment_counts(predicted: str, with_segments: list[str], without_segments: list[str]) -> tuple[int, int]:
    """How many `with` segments the text holds and how many `without` segments it keeps out."""
    text = normalise_segment(predicted)
    found = sum(normalise_segment(segment) in text for segment in with_segments)
    kept_out = sum(normalise_segment(segment) not in text for segment in without_segments)
    return found, kept_out


@dataclass
class Page:
    name: str
    body: bytes
    url: str | None
    truth: str = ""
    with_segments: list[str] = field(default_factory=list)
    without_segments: list[str] = field(default_factory=list)


def zyte_pages(corpus: Path) -> Iterator[Page]:
    root = corpus / "zyte-article-extraction-benchmark"
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    for entry in json.loads((root / "index.json").read_text(encoding="utf-8"))["pages"]:
        key = entry["ground_truth"]["key"]
        body = gzip.decompress((root / entry["file"]).read_bytes())
        yield Page(key[:12], body, entry.get("url"), truth=truth[key]["articleBody"])


def trafilatura_eval_pages(corpus: Path) -> Iterator[Page]:
    root = corpus / "trafilatura-eval"
    truth = json.loads((root / "evaldata-subset.json").read_text(encoding="utf-8"))
    for entry in json.loads((root / "index.json").read_text(encoding="utf-8"))["pages"]:
        segments = truth[entry["ground_truth"]["key"]]
        yield Page(
            entry["file"],
            (root / entry["file"]).read_bytes(),
            entry.get("url"),
            with_segments=segments["with"],
            without_segments=segments["without"],
        )


def html_text(fragment: str) -> str:
    """Visible text of an HTML fragment, one block per line."""
    from lxml import html as lxml_html

    tree = lxml_html.fromstring(fragment or "<div></div>")
    for block in tree.iter("p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "br", "tr", "pre", "blockquote"):
        block.tail = "\n" + (block.tail or "")
    return tree.text_content()


def readability_pages(corpus: Path) -> Iterator[Page]:
    root = corpus / "mozilla-readability-test-pages"
    for entry in json.loads((root / "index.json").read_text(encoding="utf-8"))["pages"]:
        if entry.get("kind") != "real-site snapshot":
            continue
        expected = (root / entry["ground_truth"]["file"]).read_text(encoding="utf-8")
        name = entry["file"].split("/")[1]
        yield Page(name, (root / entry["file"]).read_bytes(), entry.get("url"), html_text(expected))


def ours(page: Page) -> str:
    from crawler.text.extract import extract

    extraction = extract(page.body, page.url or "")
    return extraction.text if extraction else ""


def trafilatura_default(page: Page) -> str:
    """trafilatura as installed: its own expressions put back for the call, as importing Vigil's
    extraction rewrites them in this process (crawler/text/xpath_rewrite.py)."""
    import trafilatura
    from trafilatura import xpaths

    from crawler.text.xpath_rewrite import ORIGINALS

    rewritten = {name: list(getattr(xpaths, name)) for name in ORIGINALS}
    try:
        for name, expressions in ORIGINALS.items():
            getattr(xpaths, name)[:] = expressions
        return trafilatura.extract(page.body, url=page.url) or ""
    finally:
        for name, expressions in rewritten.items():
            getattr(xpaths, name)[:] = expressions


EXTRACTORS: dict[str, Callable[[Page], str]] = {"ours": ours, "trafilatura": trafilatura_default}


@dataclass
class Totals:
    pages: int = 0
    precision: float = 0.0
    recall: float = 0.0
    f1: float = 0.0
    with_found: int = 0
    with_total: int = 0
    without_kept_out: int = 0
    without_total: int = 0
    seconds: float = 0.0


def warm_up(pages: list[Page]) -> None:
    """Load what both extractors load lazily (justext's stop lists take a second), outside the timings."""
    from trafilatura.external import jt_stoplist_init

    jt_stoplist_init()
    for extractor in EXTRACTORS.values():
        for page in pages[:3]:
            extractor(page)


def run_extractors(pages: list[Page], scored_by_tokens: bool) -> dict[str, Totals]:
    warm_up(pages)
    results = {name: Totals() for name in EXTRACTORS}
    for page in pages:
        for name, extractor in EXTRACTORS.items():
            started = time.process_time()
            text = extractor(page)
            totals = results[name]
            totals.seconds += time.process_time() - started
            totals.pages += 1
            if scored_by_tokens:
                precision, recall, f1 = token_scores(text, page.truth)
                totals.precision += precision
                totals.recall += recall
                totals.f1 += f1
            else:
                found, kept_out = segment_counts(text, page.with_segments, page.without_segments)
                totals.with_found += found
                totals.with_total += len(page.with_segments)
                totals.without_kept_out += kept_out
                totals.without_total += len(page.without_segments)
    return results


def token_rows(set_name: str, results: dict[str, Totals]) -> list[list[str]]:
    rows = []
    for name, totals in results.items():
        count = max(totals.pages, 1)
        rows.append([
            set_name, name, str(totals.pages),
            f"P {totals.precision / count:.3f}", f"R {totals.recall / count:.3f}", f"F1 {totals.f1 / count:.3f}",
            f"{1000 * totals.seconds / count:.1f} ms CPU/page",
        ])
    return rows


def segment_rows(set_name: str, results: dict[str, Totals]) -> list[list[str]]:
    rows = []
    for name, totals in results.items():
        found = totals.with_found / max(totals.with_total, 1)
        kept_out = totals.without_kept_out / max(totals.without_total, 1)
        leaked = totals.without_total - totals.without_kept_out
        precision = totals.with_found / max(totals.with_found + leaked, 1)
        f1 = 2 * precision * found / (precision + found) if precision + found else 0.0
        rows.append([
            set_name, name, str(totals.pages),
            f"with {found:.3f}", f"without {kept_out:.3f}", f"F1 {f1:.3f}",
            f"{1000 * totals.seconds / max(totals.pages, 1):.1f} ms CPU/page",
        ])
    return rows


def speed_rows(pages: list[Page], repeats: int = 5) -> list[list[str]]:
    """CPU milliseconds per page on the corpus pages of 30-60 KB (the size of a typical article page)
    and on the crawl benchmark's generated pages. The extractors take turns page by page, and each
    page counts with its quickest of `repeats` runs, so that other work on the machine weighs little."""
    from bench.sitegen import page_html

    generated = [Page(str(number), page_html(number, 1000).encode(), f"http://127.0.0.1/page/{number}.html")
                 for number in range(200)]
    sized = [page for page in pages if 30_000 <= len(page.body) <= 60_000]
    rows = []
    for label, chosen in (("speed 30-60 KB", sized), ("speed bench/sitegen", generated)):
        warm_up(chosen)
        quickest = {name: [float("inf")] * len(chosen) for name in EXTRACTORS}
        for _ in range(repeats):
            for index, page in enumerate(chosen):
                for name, extractor in EXTRACTORS.items():
                    started = time.process_time()
                    extractor(page)
                    quickest[name][index] = min(quickest[name][index], time.process_time() - started)
        per_page = {name: sum(times) / max(len(chosen), 1) for name, times in quickest.items()}
        for name, seconds in per_page.items():
            ratio = f"{seconds / per_page['trafilatura']:.2f}x trafilatura" if name != "trafilatura" else ""
            rows.append([label, name, str(len(chosen)), ratio, "", "", f"{1000 * seconds:.1f} ms CPU/page"])
    return rows


def cyrillic_feed_rows(corpus: Path) -> list[list[str]]:
    """Share of chardet's Cyrillic files decoded exactly, as served and with a wrong or no declaration."""
    from trafilatura.utils import decode_file

    from crawler.text.charset import decode_html

    root = corpus / "chardet-cyrillic-feeds"
    entries = json.loads((root / "index.json").read_text(encoding="utf-8"))["pages"]
    declaration = re.compile(rb"""(encoding|charset)\s*=\s*["']?[\w-]+["']?""")
    cases = {
        "as served": (lambda body: body, None),
        "no declaration": (lambda body: declaration.sub(b"", body, count=2), None),
        "served as utf-8": (lambda body: declaration.sub(b"", body, count=2), "text/html; charset=utf-8"),
        "served as iso-8859-1": (lambda body: declaration.sub(b"", body, count=2), "text/html; charset=iso-8859-1"),
        "served as windows-1251": (lambda body: declaration.sub(b"", body, count=2), "text/html; charset=windows-1251"),
        "served as koi8-r": (lambda body: declaration.sub(b"", body, count=2), "text/html; charset=koi8-r"),
    }
    rows = []
    for case, (transform, content_type) in cases.items():
        ours_right = theirs_right = 0
        for entry in entries:
            body = transform((root / entry["file"]).read_bytes())
            truth = body.decode(entry["ground_truth"]["python_codec"])
            ours_right += decode_html(body, content_type) == truth
            theirs_right += decode_file(body) == truth
        rows.append(["cyrillic feeds", case, str(len(entries)),
                     f"ours {ours_right / len(entries):.3f}", f"trafilatura {theirs_right / len(entries):.3f}", "", ""])
    return rows


def reencoded_page_rows(corpus: Path) -> list[list[str]]:
    """OVD-Info's Russian pages re-encoded in each legacy Cyrillic codec, declared right, not at all, or wrongly."""
    from trafilatura.utils import decode_file

    from crawler.text.charset import decode_html

    root = corpus / "ovdinfo-site-mirror"
    pages = [(root / entry["file"]).read_text(encoding="utf-8")
             for entry in json.loads((root / "index.json").read_text(encoding="utf-8"))["pages"]]
    declarations = re.compile(r"<meta[^>]*charset[^>]*>", re.IGNORECASE)
    rows = []
    for label in ("own codec", "none", "utf-8", "windows-1251"):
        ours_right = theirs_right = total = 0
        for codec in ("cp1251", "koi8_r", "cp866", "mac_cyrillic", "iso8859_5"):
            meta = {"own codec": codec.replace("_", "-"), "none": ""}.get(label, label)
            for html_text in pages:
                marked = declarations.sub(f'<meta charset="{meta}">' if meta else "", html_text)
                body = marked.encode(codec, errors="xmlcharrefreplace")
                truth = body.decode(codec)
                ours_right += decode_html(body) == truth
                theirs_right += decode_file(body) == truth
                total += 1
        rows.append(["ovdinfo re-encoded", f"declared {label}", str(total),
                     f"ours {ours_right / total:.3f}", f"trafilatura {theirs_right / total:.3f}", "", ""])
    return rows


def _markup_free(text: str) -> str:
    return normalise_segment(html.unescape(re.sub(r"<[^>]*>", " ", text)))


def misdeclared_page_rows(corpus: Path) -> list[list[str]]:
    """trafilatura-eval pages in legacy, undeclared or wrongly declared charsets.

    A page counts as decoded right when the decoded page holds no U+FFFD and its text holds
    every non-ASCII ground-truth segment that some reading of the bytes contains.
    """
    from trafilatura.utils import decode_file

    from crawler.text.charset import decode_html, declared_codecs

    root = corpus / "trafilatura-eval"
    truth = json.loads((root / "evaldata-subset.json").read_text(encoding="utf-8"))
    ours_right = theirs_right = total = 0
    for entry in json.loads((root / "index.json").read_text(encoding="utf-8"))["pages"]:
        if entry["valid_utf8"] and (entry.get("declared_charset") or "").lower() == "utf-8":
            continue
        body = (root / entry["file"]).read_bytes()
        segments = truth[entry["ground_truth"]["key"]]
        non_ascii = [normalise_segment(s) for s in segments["with"] + segments["without"] if not s.isascii()]
        readings = [_markup_free(body.decode(codec, "replace"))
                    for codec in ["utf-8", "cp1252", "cp1250", "gb18030", *declared_codecs(body)]]
        judged = [s for s in non_ascii if any(s in reading for reading in readings)]
        total += 1
        for decoded, is_ours in ((decode_html(body), True), (decode_file(body), False)):
            text = _markup_free(decoded)
            right = "\ufffd" not in decoded and all(s in text for s in judged)
            if is_ours:
                ours_right += right
            else:
                theirs_right += right
    return [["trafilatura-eval", "legacy/mis-declared", str(total),
             f"ours {ours_right / max(total, 1):.3f}", f"trafilatura {theirs_right / max(total, 1):.3f}", "", ""]]


def print_table(rows: list[list[str]]) -> None:
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=REPO_ROOT.parent / "shared" / "corpus")
    parser.add_argument("--sets", default=",".join(SETS), help=f"comma-separated, among {', '.join(SETS)}")
    parser.add_argument("--limit", type=int, default=0, help="pages per set (0: all)")
    args = parser.parse_args(argv)
    chosen = [name.strip() for name in args.sets.split(",") if name.strip()]
    unknown = sorted(set(chosen) - set(SETS))
    if unknown:
        parser.error(f"unknown set(s): {', '.join(unknown)}")
    if not args.corpus.is_dir():
        parser.error(f"corpus folder not found: {args.corpus}")

    try:
        print_table(measure(args.corpus, chosen, args.limit))
    except (FileNotFoundError, KeyError, json.JSONDecodeError) as error:
        print(f"extraction.py: the corpus at {args.corpus} is incomplete: {error}", file=sys.stderr)
        return 2
    return 0


def measure(corpus: Path, chosen: list[str], limit: int) -> list[list[str]]:
    """The table's rows for the chosen sets, `limit` pages of each (0: all)."""

    def take(pages: Iterator[Page]) -> list[Page]:
        pages = list(pages)
        return pages[:limit] if limit else pages

    rows: list[list[str]] = [["set", "extractor", "pages", "", "", "", "speed"]]
    if "zyte" in chosen:
        rows += token_rows("zyte", run_extractors(take(zyte_pages(corpus)), scored_by_tokens=True))
    if "trafilatura" in chosen:
        rows += segment_rows("trafilatura-eval", run_extractors(take(trafilatura_eval_pages(corpus)), False))
    if "readability" in chosen:
        rows += token_rows("readability", run_extractors(take(readability_pages(corpus)), scored_by_tokens=True))
    if "speed" in chosen:
        every_page = [*zyte_pages(corpus), *trafilatura_eval_pages(corpus), *readability_pages(corpus)]
        rows += speed_rows(every_page)
    if "charsets" in chosen:
        rows += cyrillic_feed_rows(corpus) + reencoded_page_rows(corpus) + misdeclared_page_rows(corpus)
    return rows


if __name__ == "__main__":
    sys.exit(main())
