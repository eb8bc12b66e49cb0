"""Are two checkouts' matchers the same? Mentions and `--explain` rows of both, compared text by text.

Run by hand: `PYTHONPATH=. python bench/match_outputs.py --compare-with OTHER-CHECKOUT [--corpus PATH]`.
It prints how many texts differ, with the first differences, and never fails. Watchlists: the
10,000 `popular` and 10,000 `synthetic` people of `bench/match.py`, and the two labelled
watchlists of tests/data/names. Texts: every document of the corpus that `bench/match.py` scans,
the whole of them at once (mentions only), and every labelled sentence. A mention is compared
with its term, watchlist, kind, matched text, offsets and rule; an explain row with all its fields.
Each checkout runs in a process of its own, as in `bench/match.py`.
"""
from __future__ import annotations

import argparse
import json
import os
import pickle
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
NAMES = HERE / "tests" / "data" / "names"


def labelled(checkout: Path) -> tuple[dict, list[str]]:
    """The labelled watchlists and sentences (of this checkout, so that both sides read the same)."""
    from crawler.core.terms import Term

    watchlists = {}
    for name in ("watchlist", "world_watchlist"):
        config = tomllib.loads((NAMES / f"{name}.toml").read_text(encoding="utf-8"))
        watchlists[name] = [
            Term(entry["name"], kind=entry.get("kind", "person"), aliases=tuple(entry.get("aliases", ())),
                 watchlist=watchlist["name"], given=entry.get("given"), surname=entry.get("surname"),
                 patronymic=entry.get("patronymic"))
            for watchlist in config["watchlists"] for entry in watchlist["terms"]]
    sentences = []
    for name in ("eval.jsonl", "world.jsonl"):
        with open(NAMES / name, encoding="utf-8") as f:
            sentences += [json.loads(line)["text"] for line in f if line.strip()]
    return watchlists, sentences


def outputs(corpus: Path) -> dict:
    """(watchlist, kind of text, number) -> (mentions, explain rows) of the checkout on sys.path."""
    sys.path.insert(0, str(HERE / "bench"))
    import match
    from alerts.matching.matcher import Matcher
    from crawler.core.terms import Term

    documents = match.corpus_documents(corpus)
    watchlists, sentences = labelled(HERE)
    names = corpus / "names-popular-by-country"
    rows = {"synthetic": match.synthetic_rows(10_000)}
    if names.is_dir():
        rows["popular"] = match.popular_rows(names, 10_000)
    for label, people in rows.items():
        watchlists[label] = [Term(name, kind=kind, aliases=aliases, watchlist="bench") for name, kind, aliases in people]
    found = {}
    for label, terms in watchlists.items():
        matcher = Matcher(terms)
        for kind, texts in (("document", documents), ("sentence", sentences)):
            for number, text in enumerate(texts):
                mentions = [(m.term, m.watchlist, m.kind, m.matched, m.start, m.end, m.rule) for m in matcher.find(text)]
                found[(label, kind, number)] = (mentions, matcher.explain(text))
        whole = "\n".join(documents)
        found[(label, "all documents", 0)] = ([(m.term, m.start, m.end, m.rule) for m in matcher.find(whole)], [])
    return found


def run_child(checkout: Path, corpus: Path, out: Path) -> bool:
    env = dict(os.environ, PYTHONPATH=str(checkout))
    done = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", str(out), "--corpus", str(corpus)],
                          cwd=checkout, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        print(f"{checkout}: failed\n{done.stderr[-2000:]}")
    return done.returncode == 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=HERE.parent / "shared" / "corpus")
    parser.add_argument("--compare-with", type=Path, metavar="OTHER-CHECKOUT", required=False,
                        help="another checkout of Vigil (e.g. `git worktree add --detach DIR COMMIT`)")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        sys.path.insert(0, os.getcwd())
        with open(args.child, "wb") as f:
            pickle.dump(outputs(args.corpus), f)
        return
    if not args.compare_with:
        print("--compare-with OTHER-CHECKOUT is needed: there is nothing to compare with")
        return
    with tempfile.TemporaryDirectory() as folder:
        paths = {name: Path(folder) / f"{name}.pickle" for name in ("other", "this")}
        if not (run_child(args.compare_with.resolve(), args.corpus, paths["other"])
                and run_child(HERE, args.corpus, paths["this"])):
            return
        other, this = (pickle.loads(path.read_bytes()) for path in paths.values())
    differ = [key for key in sorted(set(other) | set(this)) if other.get(key) != this.get(key)]
    print(f"{len(this)} texts and watchlists, {sum(len(v[0]) for v in this.values())} mentions, "
          f"{sum(len(v[1]) for v in this.values())} explain rows; {len(differ)} differ")
    for key in differ[:5]:
        (mentions, rows), (old_mentions, old_rows) = this.get(key, ([], [])), other.get(key, ([], []))
        print(key, "mentions only here:", [m for m in mentions if m not in old_mentions][:3],
              "only there:", [m for m in old_mentions if m not in mentions][:3],
              "explain rows that differ:", sum(1 for row in rows if row not in old_rows))


if __name__ == "__main__":
    main()
