"""Documents: pypdf beside pypdfium2 (and Vigil's use of both) on generated NGO-style PDFs (text quality in Cyrillic, Arabic and Latin,
speed), and the time Vigil takes per document of each format, in process and in its isolated reader.

Run from the repository root:  python bench/documents.py [--rounds N]
The PDFs are made with fpdf2 in DejaVu Sans, Arabic shaped by HarfBuzz, as a word processor writes them.
"""
from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
import unicodedata
from collections import Counter
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
for path in (REPO_ROOT, REPO_ROOT / "tests"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import documents  # noqa: E402  (tests/documents.py: the generators)

RUSSIAN = [
    "Правозащитный центр «Мемориал» сообщает, что в понедельник утром сотрудники полиции задержали "
    "правозащитника Олега Орлова после выхода из здания суда.",
    "По словам адвоката, Олегу Орлову предъявлено обвинение в повторной «дискредитации» армии; суд назначил "
    "заседание на следующую неделю.",
    "Мы требуем немедленно освободить Олега Петровича Орлова и прекратить преследование правозащитников в России.",
]
ARABIC = [
    "طالبت المنظمة بالإفراج عن علاء عبد الفتاح وعن المحامي أوليغ أورلوف فوراً ومن دون شروط.",
    "وقالت الأسرة إن علاء عبد الفتاح بدأ إضراباً عن الطعام احتجاجاً على استمرار احتجازه دون وجه حق.",
    "تدعو المنظمات الحقوقية السلطات إلى احترام التزاماتها الدولية وضمان المحاكمة العادلة.",
]
LATIN = [
    "Police detained the human rights lawyer Oleg Orlov on Monday morning after he left the court; his "
    "colleagues said he was taken to an unknown location.",
    "The organisation documents arbitrary detentions, unfair trials and reprisals against lawyers and "
    "journalists, and publishes its findings in annual reports to the United Nations.",
    "We call on the authorities to release Alaa Abd El-Fattah and Oleg Orlov and to end the prosecution of "
    "human rights defenders.",
]
NAMES = ["Олега Орлова", "Олегу Орлову", "Олега Петровича Орлова", "علاء عبد الفتاح", "Oleg Orlov",
         "Alaa Abd El-Fattah"]


def _samples() -> dict[str, list[list[str]]]:
    return {
        "Russian statement, 3 pages": [RUSSIAN * 4] * 3,
        "Arabic appeal, 2 pages": [ARABIC * 4] * 2,
        "English report, 20 pages": [LATIN * 5] * 20,
        "Mixed briefing, 5 pages": [RUSSIAN + ARABIC + LATIN] * 5,
    }


def _words(text: str) -> Counter:
    return Counter(unicodedata.normalize("NFC", text).lower().split())


def _quality(extracted: str, pages: list[list[str]]) -> tuple[float, float]:
    """Word recall against the paragraphs written, and the share of planted names found whole."""
    truth = _words(" ".join(" ".join(page) for page in pages))
    got = _words(extracted)
    recall = sum((truth & got).values()) / sum(truth.values())
    flat = " ".join(extracted.split())
    planted = [name for name in NAMES if any(name in paragraph for page in pages for paragraph in page)]
    return recall, sum(name in flat for name in planted) / len(planted)


def _pypdf(body: bytes) -> str:
    import pypdf

    return "\n".join(page.extract_text() or "" for page in pypdf.PdfReader(io.BytesIO(body)).pages)


def _pdfium(body: bytes) -> str:
    import pypdfium2

    document = pypdfium2.PdfDocument(body)
    try:
        return "\n".join(document[index].get_textpage().get_text_bounded() for index in range(len(document)))
    finally:
        document.close()


def _timed(call, body: bytes, rounds: int) -> tuple[str, float]:
    times, text = [], ""
    for _ in range(rounds):
        start = time.perf_counter()
        text = call(body)
        times.append(time.perf_counter() - start)
    return text, statistics.median(times) * 1000


def _vigil(body: bytes) -> str:
    from crawler.text.extractors.pdf_document import PdfExtractor

    return PdfExtractor().extract(body, "https://ngo.example/report.pdf", "application/pdf").text


def compare_libraries(rounds: int) -> None:
    print("PDF text: pypdf, pypdfium2, and Vigil's reader (PDFium, pypdf for right-to-left pages); "
          "median of %d rounds; ms, recall of words, planted names found whole" % rounds)
    readers = {"pypdf": _pypdf, "pypdfium2": _pdfium, "Vigil": _vigil}
    print(f"{'document':28} {'KB':>4} | " + " | ".join(f"{name:>9} {'recall':>6} {'names':>5}" for name in readers))
    for name, pages in _samples().items():
        body = documents.pdf(pages, title=name)
        row = [f"{name:28} {len(body) / 1024:4.0f}"]
        for reader in readers.values():
            text, ms = _timed(reader, body, rounds)
            recall, names = _quality(text, pages)
            row.append(f"{ms:9.1f} {recall:6.1%} {names:5.0%}")
        print(" | ".join(row))


def per_format(rounds: int) -> None:
    from crawler.text import sandbox
    from crawler.text.extractors import claimed

    paragraphs = RUSSIAN + ARABIC + LATIN
    samples = {
        "PDF, 5 pages": (documents.pdf([paragraphs] * 5), "application/pdf", "a.pdf"),
        "DOCX": (documents.docx(paragraphs * 5), None, "a.docx"),
        "ODT": (documents.odt(paragraphs * 5), None, "a.odt"),
        "RTF": (documents.rtf(paragraphs * 5), None, "a.rtf"),
        "text": ("\n\n".join(paragraphs * 5).encode(), "text/plain", "a.txt"),
    }
    print("\nVigil's extraction per document (median of %d rounds): in this process, and in the isolated "
          "reader (a fork per document, limits set, answer pickled back)" % rounds)
    start = time.perf_counter()
    sandbox.run(claimed("text/rtf"), samples["RTF"][0], "https://ngo.example/a.rtf", "text/rtf")
    print(f"starting the reader (once per crawl, at its first document): {(time.perf_counter() - start) * 1000:.0f} ms")
    print(f"{'format':14} {'KB':>5} {'in process ms':>14} {'isolated ms':>12}")
    for name, (body, content_type, file) in samples.items():
        cls = claimed(content_type, f"https://ngo.example/{file}")
        url = f"https://ngo.example/{file}"
        _, inside = _timed(lambda b: cls().extract(b, url, content_type), body, rounds)
        if cls.isolated:
            _, isolated = _timed(lambda b: sandbox.run(cls, b, url, content_type), body, rounds)
            shown = f"{isolated:12.1f}"
        else:
            shown = f"{'(not isolated)':>12}"
        print(f"{name:14} {len(body) / 1024:5.0f} {inside:14.1f} {shown}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    compare_libraries(args.rounds)
    per_format(args.rounds)


if __name__ == "__main__":
    main()
