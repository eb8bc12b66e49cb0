"""Builds the near-duplicate story set (stories.json) from real corpus texts; run by hand.

    python tests/data/stories/build_stories.py [--corpus ../shared/corpus]

True pairs are a real text and a republished copy of it with the edits republishers make
(another lead sentence, a "Source:" line, a translated or rewritten title, their own
boilerplate, a dropped paragraph, typo fixes, re-wrapped paragraphs, a dateline); some pairs
are two differently edited copies. Hard non-pairs are two different texts of the same site
template or topic: two OVD-Info legal guides with the same template residue, two sections of
one OVD-Info report, two blocks of one list of detainees, two articles of one news site as
the extractor returns them, and a follow-up that reuses one background paragraph. Hard
non-pairs are chosen by exact word-trigram overlap, independently of the code under test.
The output is deterministic for a given corpus and trafilatura version.
"""
from __future__ import annotations

import argparse
import gzip
import itertools
import json
import random
import re
import sys
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

import trafilatura

from republish import EDIT_KINDS, plain, republish

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
MAX_CHARS = 2800          # texts are cut at a paragraph boundary near this length
MIN_CHARS = 350
SEED = 20240611
OVD_LICENSE = "CC BY 3.0 (OVD-Info, ovdinfo.org)"
WORD = re.compile(r"\w+")

# What OVD-Info's page template leaves in extracted text (taken from the mirrored pages).
OVD_TEMPLATE_HEAD = "Твои права\nСообщить о задержании:\nПравовой бот\n8 800 707-05-28"
OVD_TEMPLATE_TAIL = ("Об инструкции\nСодержание\nСообщить о задержании: Правовой бот 8 800 707-05-28\n"
                     "ОВД-Инфо (ovdinfo.org) лицензировано в соответствии с Creative Commons Attribution 3.0 "
                     "Unported License.")


# ---------------------------------------------------------------- corpus texts

def cut(text: str, limit: int = MAX_CHARS) -> str:
    """The leading paragraphs of a text, up to about `limit` characters."""
    kept, size = [], 0
    for para in (p.strip() for p in text.split("\n")):
        if not para:
            continue
        if kept and size + len(para) > limit:
            break
        kept.append(para)
        size += len(para) + 1
    return "\n".join(kept)


def ovd_pages(corpus: Path) -> list[dict]:
    index = json.loads((corpus / "ovdinfo-site-mirror/index.json").read_text("utf-8"))
    texts = []
    for page in index["pages"]:
        if "/legal/" not in page["file"] and "/articles/" not in page["file"] and "/documents/" not in page["file"]:
            continue
        html = (corpus / "ovdinfo-site-mirror" / page["file"]).read_bytes()
        body = trafilatura.extract(html, url=page["url"]) or ""
        lines = body.split("\n")
        if lines and lines[0] in ("Статьи", "Документы", "Новости"):
            lines = lines[1:]
        title = page["title"].split(" | ")[0].strip()
        if lines and lines[0].strip() == title:
            lines = lines[1:]
        body = cut("\n".join(lines))
        if len(body) < MIN_CHARS or page["file"].endswith("legal/index.html"):
            continue
        texts.append({"id": "ovd:" + page["file"].removeprefix("site/").removesuffix("/index.html"),
                      "lang": "ru", "title": title, "body": body, "url": page["url"],
                      "origin": f"ovdinfo-site-mirror/{page['file']} via trafilatura.extract",
                      "license": OVD_LICENSE})
    return texts


def detainee_blocks(corpus: Path) -> list[dict]:
    """Blocks of OVD-Info's list of detainees: the same template, different people and police stations."""
    page = "site/news/spiski-zaderzhannyh/index.html"
    html = (corpus / "ovdinfo-site-mirror" / page).read_bytes()
    lines = [l for l in (trafilatura.extract(html) or "").split("\n") if l.strip()]
    blocks, current, size = [], [], 0
    for line in lines[3:]:
        heading = len(line) < 90 and not line[0].isdigit() and not line.startswith("На ночь")
        if heading and size > 1400:
            blocks.append(current)
            current, size = [], 0
        current.append(line)
        size += len(line)
    texts = []
    for number, block in enumerate(blocks):
        texts.append({"id": f"ovd:news/spiski-zaderzhannyh#{number}", "lang": "ru",
                      "title": "Списки задержанных на акции",
                      "body": "\n".join(block), "url": "https://ovdinfo.github.io/news/spiski-zaderzhannyh",
                      "origin": f"ovdinfo-site-mirror/{page} via trafilatura.extract, block {number}",
                      "license": OVD_LICENSE})
    return texts


def report_sections(corpus: Path) -> list[dict]:
    index_sets = ["2014/20-2-trials", "2014/adm-report", "2014/cr-report", "2014/ej-report", "2015/20_2-report"]
    texts = []
    for report in index_sets:
        sections, current = [], None
        for line in (corpus / "ovdinfo-reports" / report / "content.txt").read_text("utf-8").split("\n"):
            line = line.strip()
            if not line:
                continue
            if line.startswith("#"):
                current = {"title": line.lstrip("# "), "paras": []}
                sections.append(current)
            elif current is not None:
                current["paras"].append(line)
        for number, section in enumerate(sections):
            body = cut("\n".join(section["paras"]))
            if len(body) < MIN_CHARS:
                continue
            texts.append({"id": f"report:{report}#{number}", "lang": "ru", "title": section["title"], "body": body,
                          "url": f"https://reports.ovdinfo.org/{report}/", "group": report,
                          "origin": f"ovdinfo-reports/{report}/content.txt, section {number}",
                          "license": OVD_LICENSE})
    return texts


def zyte_articles(corpus: Path) -> list[dict]:
    base = corpus / "zyte-article-extraction-benchmark"
    index = json.loads((base / "index.json").read_text("utf-8"))
    truth = json.loads((base / "ground-truth.json").read_text("utf-8"))
    texts = []
    for page in index["pages"]:
        html = gzip.decompress((base / page["file"]).read_bytes())
        meta = trafilatura.extract_metadata(html)
        key = page["ground_truth"]["key"]
        extracted = cut(trafilatura.extract(html, url=page["url"]) or "")
        texts.append({"id": "zyte:" + key[:12], "lang": page["lang"], "title": (meta.title if meta else "") or "",
                      "body": cut(truth[key]["articleBody"]), "extracted": extracted, "url": page["url"],
                      "site": urlsplit(page["url"]).hostname,
                      "origin": f"zyte-article-extraction-benchmark/{page['file']}: articleBody of ground-truth.json "
                                "(extracted: trafilatura.extract of the page)",
                      "license": "MIT (scrapinghub/article-extraction-benchmark); third-party article text"})
    return texts


def eval_pages(corpus: Path) -> list[dict]:
    base = corpus / "trafilatura-eval"
    index = json.loads((base / "index.json").read_text("utf-8"))
    texts = []
    for page in index["pages"]:
        if page["lang"] in ("de", "en") and page["selection_reason"] != "news-media-or-ngo":
            continue
        html = (base / page["file"]).read_bytes()
        body = cut(trafilatura.extract(html, url=page["url"]) or "")
        meta = trafilatura.extract_metadata(html)
        if len(body) < MIN_CHARS or body.count("\n") < 2:
            continue
        texts.append({"id": "trafilatura:" + Path(page["file"]).stem[:40], "lang": page["lang"],
                      "title": (meta.title if meta else "") or "", "body": body, "url": page["url"],
                      "origin": f"trafilatura-eval/{page['file']} via trafilatura.extract",
                      "license": "Apache-2.0 (adbar/trafilatura test pages); third-party page text"})
    return texts


# ---------------------------------------------------------------- choosing hard non-pairs

def trigrams(text: str) -> set:
    words = WORD.findall(text.lower().replace("ё", "е"))
    return set(zip(words, words[1:], words[2:]))


def most_alike(texts: list[dict], count: int, same_group=lambda a, b: True, uses: int = 2) -> list[tuple]:
    """The `count` most overlapping pairs (exact word-trigram Jaccard), each text in at most `uses` pairs."""
    grams = {t["id"]: trigrams(plain(t)) for t in texts}
    scored = []
    for a, b in itertools.combinations(texts, 2):
        if not same_group(a, b):
            continue
        ga, gb = grams[a["id"]], grams[b["id"]]
        scored.append((len(ga & gb) / max(1, len(ga | gb)), a["id"], b["id"], a, b))
    scored.sort(key=lambda s: (-s[0], s[1], s[2]))
    used, chosen = defaultdict(int), []
    for score, _, _, a, b in scored:
        if used[a["id"]] >= uses or used[b["id"]] >= uses:
            continue
        used[a["id"]] += 1
        used[b["id"]] += 1
        chosen.append((a, b, score))
        if len(chosen) == count:
            break
    return chosen


# ---------------------------------------------------------------- the set

def build(corpus: Path) -> dict:
    rng = random.Random(SEED)
    ovd = ovd_pages(corpus)
    blocks = detainee_blocks(corpus)
    sections = report_sections(corpus)
    zyte = zyte_articles(corpus)
    evals = eval_pages(corpus)
    texts: dict[str, dict] = {}
    items: list[dict] = []

    def keep(text_id: str, text: str, origin: str, license: str, url: str) -> str:
        texts[text_id] = {"text": text, "origin": origin, "license": license, "url": url}
        return text_id

    def base(t: dict) -> str:
        return keep(t["id"], plain(t), t["origin"], t["license"], t["url"])

    # True pairs: the original and a copy, or two copies, each with 2-4 kinds of edit.
    zyte_pool = [t for t in zyte if len(t["body"]) >= MIN_CHARS and t["body"].count("\n") >= 2]
    rng.shuffle(zyte_pool)
    eval_pool = sorted(evals, key=lambda t: t["id"])
    rng.shuffle(eval_pool)
    originals = ovd + rng.sample(sections, 12) + zyte_pool[:20] + eval_pool[:16]
    for number, text in enumerate(originals):
        first = EDIT_KINDS[number % len(EDIT_KINDS)]
        kinds = [first] + rng.sample([k for k in EDIT_KINDS if k != first], rng.randint(1, 3))
        others = [o for o in originals if o is not text and o["lang"] == text["lang"]]
        if len(others) < 3:
            others = [o for o in originals if o is not text]
        copy, notes = republish(rng, text, kinds, others)
        derived = f"derived from {text['id']} by edits: " + "; ".join(notes)
        b = keep(text["id"] + "~copy", copy, derived, text["license"], text["url"])
        if number % 3 == 2:  # two republishers, two differently edited copies
            kinds_a = rng.sample(EDIT_KINDS, 2)
            copy_a, notes_a = republish(rng, text, kinds_a, others)
            a = keep(text["id"] + "~copy2", copy_a, f"derived from {text['id']} by edits: " + "; ".join(notes_a),
                     text["license"], text["url"])
            notes = notes_a + ["| other copy:"] + notes
        else:
            a = base(text)
        items.append({"a": a, "b": b, "same_story": True, "kind": "republished", "lang": text["lang"],
                      "edits": notes})

    # Hard non-pairs.
    guides = [t for t in ovd if t["id"].startswith("ovd:legal/")]
    for a, b, score in most_alike(guides, 22):
        ta = keep(a["id"] + "~template", "\n".join([OVD_TEMPLATE_HEAD, plain(a), OVD_TEMPLATE_TAIL]),
                  a["origin"] + ", with the site template's residue", a["license"], a["url"])
        tb = keep(b["id"] + "~template", "\n".join([OVD_TEMPLATE_HEAD, plain(b), OVD_TEMPLATE_TAIL]),
                  b["origin"] + ", with the site template's residue", b["license"], b["url"])
        items.append({"a": ta, "b": tb, "same_story": False, "kind": "same template, same topic (legal guides)",
                      "lang": "ru", "trigram_jaccard": round(score, 3)})
    same_report = lambda a, b: a["group"] == b["group"]
    for a, b, score in most_alike(sections, 22, same_report):
        items.append({"a": base(a), "b": base(b), "same_story": False, "kind": "same report, same topic",
                      "lang": "ru", "trigram_jaccard": round(score, 3)})
    for a, b in list(zip(blocks, blocks[1:]))[::2]:
        items.append({"a": base(a), "b": base(b), "same_story": False, "kind": "same list template, other people",
                      "lang": "ru", "trigram_jaccard": round(_jaccard(plain(a), plain(b)), 3)})
    by_site = defaultdict(list)
    for t in zyte:
        if len(t["extracted"]) >= MIN_CHARS // 2:
            by_site[t["site"]].append(t)
    site_pairs = [(pages[0], pages[1]) for site, pages in sorted(by_site.items()) if len(pages) >= 2]
    site_pairs.sort(key=lambda ab: -_jaccard(ab[0]["extracted"], ab[1]["extracted"]))
    for a, b in site_pairs[:25]:
        ta = keep(a["id"] + "~extracted", a["extracted"], a["origin"], a["license"], a["url"])
        tb = keep(b["id"] + "~extracted", b["extracted"], b["origin"], b["license"], b["url"])
        items.append({"a": ta, "b": tb, "same_story": False, "kind": "same site, as extracted",
                      "lang": a["lang"], "trigram_jaccard": round(_jaccard(a["extracted"], b["extracted"]), 3)})
    # A follow-up reuses one background paragraph of an earlier text.
    longer = [t for t in ovd if t["body"].count("\n") >= 6]
    rng.shuffle(longer)
    for a, b in zip(longer[0:20:2], longer[1:20:2]):
        paras_a = a["body"].split("\n")
        background = max(paras_a[1:], key=lambda p: min(len(p), 600))
        paras_b = b["body"].split("\n")
        paras_b.insert(2, background)
        follow = keep(b["id"] + "~followup", "\n".join([b["title"]] + paras_b),
                      b["origin"] + f", with one background paragraph of {a['id']} inserted", b["license"], b["url"])
        items.append({"a": base(a), "b": follow, "same_story": False, "kind": "follow-up sharing a paragraph",
                      "lang": "ru", "trigram_jaccard": round(_jaccard(plain(a), texts[follow]["text"]), 3)})
    for number, item in enumerate(items):
        item["id"] = number
    about = ("Real texts and labelled pairs for near-duplicate detection: same_story true for a republished "
             "copy, false for a look-alike of the same site or topic. Origins and licenses: README.md.")
    return {"about": about, "texts": texts, "pairs": items}


def _jaccard(a: str, b: str) -> float:
    ga, gb = trigrams(a), trigrams(b)
    return len(ga & gb) / max(1, len(ga | gb))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    parser.add_argument("--out", type=Path, default=HERE / "stories.json")
    args = parser.parse_args(argv)
    if not (args.corpus / "MANIFEST.md").is_file():
        print(f"error: no corpus at {args.corpus} (give --corpus PATH)", file=sys.stderr)
        return 2
    data = build(args.corpus)
    args.out.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", "utf-8")
    pairs = data["pairs"]
    print(f"{sum(p['same_story'] for p in pairs)} true pairs, {sum(not p['same_story'] for p in pairs)} non-pairs, "
          f"{len(data['texts'])} texts, {args.out.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
