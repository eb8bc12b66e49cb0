"""Benchmark of the name matcher: compile time and scan speed for 10, 1,000 and 10,000 terms.

Run by hand: `PYTHONPATH=. python bench/match.py [--corpus PATH] [--repeat N]`. It prints figures
and never fails; without the corpus it scans generated text. Times are CPU seconds of this
process, so that other work on a busy machine does not count.
"""
from __future__ import annotations

import argparse
import random
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from alerts.matching.matcher import Matcher  # noqa: E402
from crawler.core.terms import Term  # noqa: E402

REAL_TERMS = [
    Term("Oleg Orlov"), Term("Stanislav Markelov"), Term("Natalia Estemirova"), Term("Igor Kalyapin"),
    Term("Svetlana Gannushkina"), Term("Sergei Davidis"), Term("Lev Ponomarev"), Term("Юрий Дмитриев"),
    Term("Committee Against Torture", kind="keyword", aliases=("Комитет против пыток",)),
    Term("foreign agent", kind="keyword", aliases=("иностранный агент",)),
]
_GIVEN = ["Aleksei", "Andrei", "Anna", "Boris", "Dmitry", "Elena", "Igor", "Irina", "Ivan", "Maria", "Mikhail",
          "Natalia", "Nikolai", "Olga", "Pavel", "Sergei", "Svetlana", "Tatiana", "Vladimir", "Yulia"]
_FEMALE = {"Anna", "Elena", "Irina", "Maria", "Natalia", "Olga", "Svetlana", "Tatiana", "Yulia"}
_SYLLABLES = ["ba", "vo", "gri", "de", "zha", "ka", "lo", "mi", "no", "pe", "ro", "sa", "ti", "fu", "kha",
              "che", "shu", "ya", "bel", "dor", "kov", "lin", "mar", "nev", "rat", "sel", "tur", "zar"]
_ENDINGS = ["ov", "ev", "in", "sky", "enko", "yan", "chuk", "ich"]


def synthetic_terms(count: int, seed: int = 7) -> list[Term]:
    """Plausible romanised Russian names that do not occur in the corpus."""
    rng = random.Random(seed)
    terms, seen = [], set()
    while len(terms) < count:
        given = rng.choice(_GIVEN)
        stem = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3)))
        surname = (stem + rng.choice(_ENDINGS)).capitalize()
        if given in _FEMALE and surname.endswith(("ov", "ev", "in")):
            surname += "a"
        if surname not in seen:
            seen.add(surname)
            terms.append(Term(f"{given} {surname}", watchlist="bench"))
    return terms


def corpus_text(corpus: Path) -> str:
    parts = []
    for path in sorted(corpus.glob("ovdinfo-reports/**/content.txt")) + sorted(corpus.glob("ovdinfo-reports/_posts/*.md")):
        parts.append(path.read_text(encoding="utf-8", errors="replace"))
    for path in sorted(corpus.glob("ovdinfo-site-mirror/site/**/index.html")):
        html = path.read_text(encoding="utf-8", errors="replace")
        html = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", html)
        parts.append(re.sub(r"<[^>]+>", " ", html))
    return "\n".join(parts)


def generated_text() -> str:
    sentence = ("Правозащитник Олег Орлов рассказал о деле Станислава Маркелова; Natalia Estemirova's "
                "colleagues met Igor Kalyapin of the Committee Against Torture in Moscow yesterday. ")
    return sentence * 20000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=Path(__file__).resolve().parent.parent.parent / "shared" / "corpus")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    text = corpus_text(args.corpus) if args.corpus.is_dir() else ""
    source = f"corpus {args.corpus}" if text else "generated text"
    if not text:
        text = generated_text()
    print(f"text: {source}, {len(text.encode('utf-8')) / 1e6:.2f} MB")
    synthetic = synthetic_terms(10_000 - len(REAL_TERMS))
    matchers = {}
    for count in (10, 1_000, 10_000):
        terms = REAL_TERMS + synthetic[: count - len(REAL_TERMS)]
        started = time.process_time()
        matchers[count] = Matcher(terms)
        print(f"{count:>6} terms: compile {time.process_time() - started:6.2f} s CPU")
    # Scans take turns so that a busy machine slows every size alike; the best round counts.
    megabytes = len(text.encode("utf-8")) / 1e6
    best = {count: float("inf") for count in matchers}
    found = {}
    for _ in range(args.repeat):
        for count, matcher in matchers.items():
            started = time.process_time()
            found[count] = len(matcher.find(text))
            best[count] = min(best[count], time.process_time() - started)
    speeds = {count: megabytes / seconds for count, seconds in best.items()}
    for count in matchers:
        print(f"{count:>6} terms: scan {speeds[count]:6.2f} MB/s, {found[count]} mentions")
    with tempfile.TemporaryDirectory() as cache_dir:
        terms = REAL_TERMS + synthetic
        started = time.process_time()
        Matcher.cached(terms, cache_dir)
        first = time.process_time() - started
        started = time.process_time()
        Matcher.cached(terms, cache_dir)
        again = time.process_time() - started
    print(f"cache, 10,000 terms: first {first:.2f} s, reused {again:.2f} s")
    print(f"speed with 10,000 terms / speed with 10: {speeds[10_000] / speeds[10]:.2f}")


if __name__ == "__main__":
    main()
