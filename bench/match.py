"""Benchmark of the name matcher: compile, load and scan speed with 10, 1,000 and 10,000 terms, before and after.

Run by hand: `PYTHONPATH=. python bench/match.py [--corpus PATH] [--repeat N] [--compare-with OTHER-CHECKOUT]`.
It prints figures and never fails. Two watchlists are measured:

- `popular`: person terms made of common given names and surnames of 75 countries
  (corpus `names-popular-by-country`), romanised with the native spelling as an alias, so that
  candidate hits are frequent, as in a real list of thousands of detainees;
- `synthetic`: invented Russian names that never occur in the text (the scan with few hits).

Each checkout (this one and, with `--compare-with`, another one, e.g. a detached worktree of an
older commit) runs in a process of its own, so peak memory is its own; the figures are printed
side by side. Times are CPU seconds of that process, so that other work on a busy machine does
not count; each scan is timed at its quickest of `--repeat` turns, the sizes taking turns.
Without the corpus it scans generated text and the popular watchlist is skipped.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
SIZES = (10, 1_000, 10_000)

_GIVEN = ["Aleksei", "Andrei", "Anna", "Boris", "Dmitry", "Elena", "Igor", "Irina", "Ivan", "Maria", "Mikhail",
          "Natalia", "Nikolai", "Olga", "Pavel", "Sergei", "Svetlana", "Tatiana", "Vladimir", "Yulia"]
_FEMALE = {"Anna", "Elena", "Irina", "Maria", "Natalia", "Olga", "Svetlana", "Tatiana", "Yulia"}
_SYLLABLES = ["ba", "vo", "gri", "de", "zha", "ka", "lo", "mi", "no", "pe", "ro", "sa", "ti", "fu", "kha",
              "che", "shu", "ya", "bel", "dor", "kov", "lin", "mar", "nev", "rat", "sel", "tur", "zar"]
_ENDINGS = ["ov", "ev", "in", "sky", "enko", "yan", "chuk", "ich"]
REAL = [("Oleg Orlov", "person", ()), ("Stanislav Markelov", "person", ()), ("Natalia Estemirova", "person", ()),
        ("Igor Kalyapin", "person", ()), ("Svetlana Gannushkina", "person", ()), ("Sergei Davidis", "person", ()),
        ("Lev Ponomarev", "person", ()), ("Юрий Дмитриев", "person", ()),
        ("Committee Against Torture", "keyword", ("Комитет против пыток",)),
        ("foreign agent", "keyword", ("иностранный агент",))]


def synthetic_rows(count: int, seed: int = 7) -> list[tuple[str, str, tuple]]:
    """Plausible romanised Russian names that do not occur in the corpus, after ten real terms."""
    rng = random.Random(seed)
    rows, seen = list(REAL), set()
    while len(rows) < count:
        given = rng.choice(_GIVEN)
        stem = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3)))
        surname = (stem + rng.choice(_ENDINGS)).capitalize()
        if given in _FEMALE and surname.endswith(("ov", "ev", "in")):
            surname += "a"
        if surname not in seen:
            seen.add(surname)
            rows.append((f"{given} {surname}", "person", ()))
    return rows


def _plain(name: str) -> str:
    """Without the stress marks the list writes (Смирно́в)."""
    return unicodedata.normalize("NFC", "".join(c for c in unicodedata.normalize("NFD", name)
                                                if c not in "\u0301\u0300")).strip()


def popular_rows(folder: Path, count: int, seed: int = 17) -> list[tuple[str, str, tuple]]:
    """`count` people named with a common given name and a common surname of one country, countries
    taking turns: "Ivan Smirnov" with the alias "Иван Смирнов" where the list has a native spelling."""
    rng = random.Random(seed)
    given: dict[str, list[tuple[str, str]]] = {}
    surnames: dict[str, list[tuple[str, str]]] = {}
    for name, table in (("common-forenames-by-country.csv", given), ("common-surnames-by-country.csv", surnames)):
        with open(folder / name, encoding="utf-8-sig", newline="") as f:
            for row in csv.DictReader(f):
                native, latin = _plain(row["Localized Name"]), _plain(row["Romanized Name"])
                if latin and " " not in latin and (native, latin) not in table.setdefault(row["Country"], []):
                    table[row["Country"]].append((native, latin))
    countries = sorted(c for c in surnames if given.get(c))
    rows, seen = [], set()
    while len(rows) < count:
        for country in countries:
            (g_native, g_latin), (s_native, s_latin) = rng.choice(given[country]), rng.choice(surnames[country])
            name = f"{g_latin} {s_latin}"
            if name in seen:
                continue
            seen.add(name)
            native = f"{g_native} {s_native}"
            rows.append((name, "person", (native,) if native != name else ()))
            if len(rows) == count:
                break
    return rows


def corpus_text(corpus: Path) -> str:
    return "\n".join(corpus_documents(corpus))


def corpus_documents(corpus: Path) -> list[str]:
    """The OVD-Info reports and the text of the site's pages, one string each."""
    parts = []
    for path in sorted(corpus.glob("ovdinfo-reports/**/content.txt")) + sorted(corpus.glob("ovdinfo-reports/_posts/*.md")):
        parts.append(path.read_text(encoding="utf-8", errors="replace"))
    for path in sorted(corpus.glob("ovdinfo-site-mirror/site/**/index.html")):
        html = path.read_text(encoding="utf-8", errors="replace")
        html = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", html)
        parts.append(re.sub(r"<[^>]+>", " ", html))
    return parts


def generated_text() -> str:
    sentence = ("Правозащитник Олег Орлов рассказал о деле Станислава Маркелова; Natalia Estemirova's "
                "colleagues met Igor Kalyapin of the Committee Against Torture in Moscow yesterday. ")
    return sentence * 20000


def measure(corpus: Path, repeat: int) -> dict:
    """Figures of the matcher of the checkout on sys.path (run in a child process)."""
    from alerts.matching.matcher import Matcher
    from crawler.core.terms import Term
    try:
        from alerts.matching.matchercache import cached_matcher as cached
    except ImportError:  # a checkout from before the cache had a module of its own
        cached = Matcher.cached

    text = corpus_text(corpus) if corpus.is_dir() else ""
    figures: dict = {"text": f"corpus, {len(text.encode('utf-8')) / 1e6:.2f} MB" if text else "generated text"}
    text = text or generated_text()
    megabytes = len(text.encode("utf-8")) / 1e6
    watchlists = {"synthetic": synthetic_rows(max(SIZES))}
    names = corpus / "names-popular-by-country"
    if names.is_dir():
        watchlists["popular"] = popular_rows(names, max(SIZES))
    for label, rows in watchlists.items():
        terms = [Term(name, kind=kind, aliases=aliases, watchlist="bench") for name, kind, aliases in rows]
        matchers = {}
        for count in SIZES:
            started = time.process_time()
            matchers[count] = Matcher(terms[:count])
            figures[f"{label} {count} compile s"] = time.process_time() - started
        best = {count: float("inf") for count in SIZES}
        found = {}
        for _ in range(repeat):
            for count, matcher in matchers.items():
                started = time.process_time()
                found[count] = len(matcher.find(text))
                best[count] = min(best[count], time.process_time() - started)
        for count in SIZES:
            figures[f"{label} {count} MB/s"] = megabytes / best[count]
            figures[f"{label} {count} mentions"] = found[count]
        figures[f"{label} 10,000 / 10 speed"] = best[10] / best[max(SIZES)]
        del matchers
        with tempfile.TemporaryDirectory() as cache_dir:
            cached(terms, cache_dir)
            started = time.process_time()
            cached(terms, cache_dir)
            figures[f"{label} 10,000 load s"] = time.process_time() - started
    figures["peak RSS MB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return figures


def run_child(checkout: Path, corpus: Path, repeat: int) -> dict:
    env = dict(os.environ, PYTHONPATH=str(checkout))
    out = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", "--corpus", str(corpus),
                          "--repeat", str(repeat)], cwd=checkout, env=env, capture_output=True, text=True)
    if out.returncode != 0:
        print(f"{checkout}: failed\n{out.stderr[-2000:]}")
        return {}
    return json.loads(out.stdout.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=HERE.parent / "shared" / "corpus")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--compare-with", type=Path, metavar="OTHER-CHECKOUT",
                        help="another checkout of Vigil (e.g. `git worktree add --detach DIR COMMIT`) to measure too")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        sys.path.insert(0, os.getcwd())
        print(json.dumps(measure(args.corpus, args.repeat)))
        return
    checkouts = {"this": HERE}
    if args.compare_with:
        checkouts = {"other": args.compare_with.resolve(), "this": HERE}
    results = {name: run_child(path, args.corpus, args.repeat) for name, path in checkouts.items()}
    keys = list(dict.fromkeys(k for r in results.values() for k in r))
    header = "".join(f"{name + ' (' + path.name + ')':>24}" for name, path in checkouts.items())
    print(f"{'':34}{header}")
    for key in keys:
        cells = []
        for name in checkouts:
            value = results[name].get(key, "")
            cells.append(f"{value:>24.2f}" if isinstance(value, float) else f"{value!s:>24}")
        print(f"{key:34}{''.join(cells)}")


if __name__ == "__main__":
    main()
