"""Near-duplicate detection, measured: recall, false merges, similarity spread and speed.

    PYTHONPATH=. python bench/dedupe.py [--stories PATH] [--corpus PATH]

Reads the labelled story set of the tests; with the corpus it also times signatures on real
5 KB texts and looks for merges among every pair of distinct corpus texts.
"""
from __future__ import annotations

import argparse
import gzip
import itertools
import json
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

from crawler.text import dedupe

REPO = Path(__file__).resolve().parents[1]
STORIES = REPO / "tests" / "data" / "stories" / "stories.json"
TEXT_SIZE = 5000


def exact_jaccard(a: str, b: str) -> float:
    def trigrams(text):
        words = dedupe.words(text)
        return set(zip(words, words[1:], words[2:]))
    ta, tb = trigrams(a), trigrams(b)
    return len(ta & tb) / max(1, len(ta | tb))


def spread(values: list[float]) -> str:
    values = sorted(values)
    at = lambda q: values[min(len(values) - 1, int(q * len(values)))]
    return (f"min {values[0]:.3f}  p5 {at(0.05):.3f}  p25 {at(0.25):.3f}  median {statistics.median(values):.3f}  "
            f"p75 {at(0.75):.3f}  p95 {at(0.95):.3f}  max {values[-1]:.3f}")


def histogram(values: list[float]) -> str:
    buckets = [0] * 10
    for value in values:
        buckets[min(9, int(value * 10))] += 1
    return "  ".join(f"{i / 10:.1f}-:{n}" for i, n in enumerate(buckets))


def story_set(path: Path) -> None:
    data = json.loads(path.read_text("utf-8"))
    texts = data["texts"]
    sigs = {text_id: dedupe.signature(entry["text"]) for text_id, entry in texts.items()}
    pairs = [p for p in data["pairs"] if p["same_story"]]
    others = [p for p in data["pairs"] if not p["same_story"]]
    sim = lambda p: dedupe.similarity(sigs[p["a"]], sigs[p["b"]])
    print(f"story set: {len(pairs)} true pairs, {len(others)} hard non-pairs, {len(texts)} texts")
    print(f"method: MinHash (one permutation, {dedupe.BINS} bins) of word {dedupe.SHINGLE_WORDS}-grams, "
          f"threshold {dedupe.THRESHOLD}, LSH {dedupe.BANDS} bands x {dedupe.ROWS} rows")

    index = defaultdict(set)
    for text_id, sig in sigs.items():
        for key in dedupe.band_keys(sig):
            index[key].add(text_id)
    found = lambda p: p["b"] in set().union(*(index[k] for k in dedupe.band_keys(sigs[p["a"]])))
    joined = [p for p in pairs if dedupe.is_same_story(sigs[p["a"]], sigs[p["b"]])]
    merged = [p for p in others if dedupe.is_same_story(sigs[p["a"]], sigs[p["b"]])]
    looked_up = [p for p in joined if found(p)]
    print(f"recall: {len(joined)}/{len(pairs)} = {len(joined) / len(pairs):.3f} "
          f"(through a band-key look-up: {len(looked_up) / len(pairs):.3f})")
    print(f"false merges: {len(merged)}/{len(others)}")
    for p in merged:
        print(f"  merged: {p['kind']}: {p['a']} ~ {p['b']} ({sim(p):.3f})")

    pair_sims, other_sims = [sim(p) for p in pairs], [sim(p) for p in others]
    print(f"similarity of true pairs:  {spread(pair_sims)}")
    print(f"   histogram: {histogram(pair_sims)}")
    print(f"similarity of non-pairs:   {spread(other_sims)}")
    print(f"   histogram: {histogram(other_sims)}")
    by_kind = defaultdict(list)
    for p in others:
        by_kind[p["kind"]].append(sim(p))
    for kind, values in sorted(by_kind.items()):
        print(f"   non-pairs, {kind}: {len(values)}, max {max(values):.3f}, median {statistics.median(values):.3f}")
    errors = [abs(sim(p) - exact_jaccard(texts[p["a"]]["text"], texts[p["b"]]["text"])) for p in data["pairs"]]
    print(f"estimate vs exact trigram Jaccard: mean |error| {statistics.mean(errors):.3f}, max {max(errors):.3f}")
    print("threshold sweep (recall / false merges):  " + "  ".join(
        f"{t:.2f}: {sum(s >= t for s in pair_sims) / len(pairs):.3f}/{sum(s >= t for s in other_sims)}"
        for t in (0.25, 0.30, 0.35, 0.40, 0.45, 0.50, 0.55, 0.60)))
    related = {(a, b) for ids in index.values() for a in ids for b in ids if a < b}
    roots = {text_id: text_id.split("~")[0] for text_id in texts}
    unrelated = sum(1 for a, b in itertools.combinations(sorted(texts), 2) if roots[a] != roots[b])
    spurious = sum(1 for a, b in related if roots[a] != roots[b])
    print(f"band-key candidates among texts of different origin: {spurious}/{unrelated}")


# What a republisher wraps around a statement: about 40 words.
WRAPPING = ("Публикуем заявление правозащитников без изменений, с разрешения авторов.",
            "Источник: ОВД-Инфо",
            "Подписывайтесь на наш Telegram-канал, чтобы первыми узнавать о новостях.",
            "Поделиться: ВКонтакте Facebook Twitter Telegram",
            "Поддержите независимые СМИ: оформите регулярное пожертвование.")


def short_statements(path: Path) -> None:
    """Where recall ends: the first N words of real texts, wrapped as a republisher does."""
    data = json.loads(path.read_text("utf-8"))
    originals = [t["text"] for text_id, t in data["texts"].items()
                 if "~" not in text_id and text_id.startswith(("ovd:", "report:"))]
    print("short statements with a 40-word wrapping (lead, source line, boilerplate):")
    for size in (20, 30, 40, 60, 100, 200):
        scores, joined = [], 0
        for text in originals:
            words = text.split()[:size]
            statement = " ".join(words)
            copy = "\n".join([WRAPPING[0], statement, *WRAPPING[1:]])
            a, b = dedupe.signature(statement), dedupe.signature(copy)
            scores.append(dedupe.similarity(a, b))
            joined += dedupe.is_same_story(a, b)
        print(f"   {size:3d} words: similarity median {statistics.median(scores):.3f}, min {min(scores):.3f}; "
              f"joined {joined}/{len(originals)}")


def timing(label: str, texts: list[str]) -> None:
    texts = [t[:TEXT_SIZE] for t in texts if len(t) >= TEXT_SIZE][:20]
    if not texts:
        print(f"speed, {label}: no text of {TEXT_SIZE} characters")
        return
    # CPU time of this process, best of 5 runs per text: other processes on the machine count less
    per_text = []
    for text in texts:
        best = float("inf")
        for _ in range(5):
            start = time.process_time()
            for _ in range(20):
                dedupe.signature(text)
            best = min(best, (time.process_time() - start) / 20)
        per_text.append(best * 1e6)
    sigs = [dedupe.signature(t) for t in texts]
    start = time.process_time()
    for a, b in itertools.product(sigs, sigs):
        dedupe.similarity(a, b)
    per_similarity = (time.process_time() - start) / len(sigs) ** 2 * 1e6
    start = time.process_time()
    for sig in sigs:
        dedupe.band_keys(sig)
    per_keys = (time.process_time() - start) / len(sigs) * 1e6
    print(f"speed, {label}, {len(texts)} texts of {TEXT_SIZE} characters: "
          f"signature median {statistics.median(per_text):.0f} µs CPU (max {max(per_text):.0f}); similarity {per_similarity:.0f} µs; band_keys {per_keys:.0f} µs; "
          f"signature {dedupe.SIGNATURE_SIZE} bytes")


def corpus_texts(corpus: Path) -> dict[str, str]:
    """Distinct real texts of the corpus: OVD-Info pages and report sections, Zyte article bodies."""
    import trafilatura
    texts = {}
    index = json.loads((corpus / "ovdinfo-site-mirror" / "index.json").read_text("utf-8"))
    for page in index["pages"]:
        text = trafilatura.extract((corpus / "ovdinfo-site-mirror" / page["file"]).read_bytes()) or ""
        texts["ovd:" + page["file"]] = text
    for report in sorted((corpus / "ovdinfo-reports").glob("*/*/content.txt")):
        for number, section in enumerate(report.read_text("utf-8").split("\n# ")):
            texts[f"report:{report.parent.name}#{number}"] = section
    base = corpus / "zyte-article-extraction-benchmark"
    truth = json.loads((base / "ground-truth.json").read_text("utf-8"))
    for key, entry in truth.items():
        texts["zyte:" + key[:12]] = entry["articleBody"]
    index = json.loads((base / "index.json").read_text("utf-8"))
    for page in index["pages"][:60]:
        html = gzip.decompress((base / page["file"]).read_bytes())
        texts["zyte-extracted:" + page["file"][5:17]] = trafilatura.extract(html) or ""
    return {k: v for k, v in texts.items() if v.strip()}


def corpus_scan(corpus: Path) -> None:
    texts = corpus_texts(corpus)
    timing("Russian", [v for k, v in texts.items() if k.startswith(("ovd", "report"))])
    timing("English and others", [v for k, v in texts.items() if k.startswith("zyte:")])
    sigs = {k: dedupe.signature(v) for k, v in texts.items()}
    def same_page(a: str, b: str) -> bool:  # a Zyte page's extracted text and its ground truth
        return a.startswith("zyte") and b.startswith("zyte") and a.split(":", 1)[1] == b.split(":", 1)[1]
    compared = merges = 0
    for a, b in itertools.combinations(sorted(sigs), 2):
        if same_page(a, b):
            continue
        compared += 1
        if dedupe.is_same_story(sigs[a], sigs[b]):
            merges += 1
            print(f"  corpus merge: {a} ~ {b} ({dedupe.similarity(sigs[a], sigs[b]):.3f}, "
                  f"exact {exact_jaccard(texts[a], texts[b]):.3f})")
    print(f"corpus-wide: {merges} merges among {compared} pairs of {len(texts)} distinct texts")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stories", type=Path, default=STORIES)
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    args = parser.parse_args(argv)
    if not args.stories.is_file():
        print(f"error: no story set at {args.stories}", file=sys.stderr)
        return 2
    story_set(args.stories)
    short_statements(args.stories)
    if (args.corpus / "MANIFEST.md").is_file():
        corpus_scan(args.corpus)
    else:
        print(f"corpus not found at {args.corpus}: speed and corpus-wide figures skipped (give --corpus PATH)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
