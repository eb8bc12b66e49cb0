"""Generates a realistic NGO/media site of N pages (30-60 KB each) for the crawl benchmark."""
from __future__ import annotations

import random
from pathlib import Path

EN_WORDS = ("court police detained activist lawyer report torture prison colony sentence appeal human rights "
            "defender journalist investigation authorities region protest statement release charges trial week "
            "monday evening family witness evidence prosecutor hearing judge ruling organisation monitoring").split()
RU_WORDS = ("суд полиция задержан активист адвокат доклад пытки колония приговор жалоба права человека "
            "правозащитник журналист следствие власти регион протест заявление освобождение обвинение процесс "
            "неделя понедельник вечер семья свидетель прокурор заседание судья решение организация").split()
WATCHED_EN = ["Oleg Orlov", "Stanislav Markelov", "Igor Kalyapin", "Svetlana Gannushkina"]
WATCHED_RU = ["Олега Орлова", "Станиславу Маркелову", "Игорем Каляпиным", "Светлана Ганнушкина"]


def _sentence(rng: random.Random, words) -> str:
    chosen = rng.choices(words, k=rng.randint(10, 22))
    return chosen[0].capitalize() + " " + " ".join(chosen[1:]) + "."


def _paragraph(rng, words, names=None) -> str:
    sentences = [_sentence(rng, words) for _ in range(rng.randint(3, 6))]
    if names:
        i = rng.randrange(len(sentences))
        sentences[i] = sentences[i][:-1] + f", {rng.choice(names)}."
    return " ".join(sentences)


def page_html(n: int, total: int, seed: int = 1) -> str:
    rng = random.Random(seed * 1_000_003 + n)
    russian = n % 4 == 0
    words, names = (RU_WORDS, WATCHED_RU) if russian else (EN_WORDS, WATCHED_EN)
    naming = n % 10 == 0
    paragraphs = [_paragraph(rng, words, names if naming and i == 2 else None) for i in range(rng.randint(8, 16))]
    nav = "".join(f'<li><a href="/section/{i}/">Section {i}</a></li>' for i in range(40))
    sidebar = "".join(f'<li><a href="/page/{rng.randrange(total)}.html">{_sentence(rng, words)[:60]}</a></li>'
                      for _ in range(25))
    style = "".join(f".c{i}{{margin:{i}px;padding:{i % 7}px;color:#{i * 37 % 4096:03x}}}" for i in range(300))
    script = "var cfg=" + repr({f"k{i}": i * 31 for i in range(400)}) + ";"
    title = _sentence(rng, words)[:80]
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html>
<html lang="{'ru' if russian else 'en'}"><head><meta charset="utf-8"><title>{title}</title>
<style>{style}</style><script>{script}</script></head>
<body><header><nav><ul>{nav}</ul></nav></header>
<div class="cookie-banner">We use cookies. <button>Accept</button></div>
<main><article><h1>{title}</h1><p class="date">2026-11-{1 + n % 28:02d}</p>
{body}
</article></main>
<aside class="sidebar"><h2>Most read</h2><ul>{sidebar}</ul></aside>
<footer><p>Rights Centre 2026. Page {n} of {total}.</p></footer></body></html>"""


def generate(root: Path, total: int, seed: int = 1) -> list[str]:
    """Write `total` pages and a sitemap under root; returns the page paths."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "page").mkdir(exist_ok=True)
    paths = []
    for n in range(total):
        path = f"page/{n}.html"
        (root / path).write_text(page_html(n, total, seed), encoding="utf-8")
        paths.append(path)
    (root / "robots.txt").write_text("User-agent: *\nAllow: /\n")
    return paths


def write_sitemap(root: Path, base_url: str, paths: list[str]) -> None:
    urls = "".join(f"<url><loc>{base_url}/{p}</loc></url>" for p in paths)
    (root / "sitemap.xml").write_text(
        f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"{urls}</urlset>", encoding="utf-8")
