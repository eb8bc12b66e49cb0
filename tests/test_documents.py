"""Documents read as pages (PDF, DOCX, ODT, RTF, text): alerts with the PDF page, changes, takedowns,
and hostile documents bounded in an isolated reader; generated here, in Cyrillic, Arabic and Latin text."""
from __future__ import annotations

import hashlib
import os

import pytest

import documents
from conftest import page, simple_config
from crawler.text.extractors import UnreadableDocument, extract
from crawler.text.extractors.pdf_document import PdfExtractor
from crawler.text import sandbox

TERMS = '''name = "Oleg Orlov"
[[watchlists.terms]]
name = "Svetlana Gannushkina"
[[watchlists.terms]]
name = "Alaa Abd El-Fattah"
aliases = ["علاء عبد الفتاح"]'''
PDF_TYPE = "application/pdf"


def _index(*links: str) -> str:
    items = "".join(f'<li><a href="/{link}">Document {n}</a></li>' for n, link in enumerate(links, 1))
    return page("Rights Centre", "We publish statements, appeals and reports.", f"</p><ul>{items}</ul><p>Verified.")


def _report(*extra_on_page_three: str) -> bytes:
    """A three-page report: Orlov is named in Russian, in the genitive, on page 2 only."""
    return documents.pdf([
        ["Annual report on the North Caucasus", documents.FILLER, documents.FILLER],
        [documents.FILLER, documents.RUSSIAN, documents.FILLER],
        [documents.FILLER, *extra_on_page_three],
    ], title="Annual report 2026")


def _errors(project) -> dict[str, dict]:
    return {row["url"].rsplit("/", 1)[-1]: row for row in project.ok("errors", "--format", "json").json_lines()}


def test_the_pdf_extractor_keeps_pages_and_metadata():
    extraction = extract(_report(), "http://site.example/report.pdf", PDF_TYPE)
    assert extraction.title == "Annual report 2026" and extraction.date == "2026-03-14"
    where = extraction.text.index("Олега Орлова")
    assert extraction.page_at(where) == 2 and extraction.page_at(0) == 1
    assert len(extraction.page_starts) == 3
    # an Arabic name comes out in reading order, its lam-alef ligature whole
    arabic = extract(documents.pdf([[documents.ARABIC]]), "http://site.example/a.pdf", PDF_TYPE)
    assert "علاء عبد الفتاح" in arabic.text and arabic.lang == "ar"


def test_a_document_is_told_by_its_extension_when_its_type_says_nothing():
    body = documents.docx([documents.LATIN])
    assert "Oleg Orlov" in extract(body, "http://site.example/statement.docx", "application/octet-stream").text
    with pytest.raises(UnreadableDocument) as refused:
        extract(documents.pdf([[documents.LATIN]], encrypt="secret"), "http://site.example/locked.pdf", None)
    assert "encrypted" in refused.value.reason


def test_a_reader_past_its_memory_or_time_is_stopped():
    # 70 MB of drawing operators: under pypdf's own limit on a stream, over these
    bomb = documents.pdf_bomb(70)
    with pytest.raises(UnreadableDocument) as memory:
        sandbox.run(PdfExtractor, bomb, "http://site.example/bomb.pdf", PDF_TYPE, memory_mb=64, seconds=60)
    assert "more than the limit of 64 MB of memory" in memory.value.reason
    with pytest.raises(UnreadableDocument) as time:
        sandbox.run(PdfExtractor, bomb, "http://site.example/bomb.pdf", PDF_TYPE, memory_mb=4096, seconds=1)
    assert "longer than the limit of 1 s" in time.value.reason
    # and the reader is there for the next document
    assert "Oleg Orlov" in extract(documents.pdf([[documents.LATIN]]), "http://site.example/a.pdf", PDF_TYPE).text


@pytest.mark.e2e
def test_a_pdf_alerts_once_with_its_page_then_on_new_text_only_and_its_removal_is_a_takedown(site, project):
    site.write("index.html", _index("report.pdf"))
    report = _report()
    site.write("report.pdf", report)
    project.write_config(simple_config(site.url, terms=TERMS, subscriber_extra="takedowns = true"))
    project.ok("crawl")
    alerts = project.alerts()
    assert len(alerts) == 1 and alerts[0]["url"] == f"{site.url}/report.pdf"
    assert alerts[0]["title"] == "Annual report 2026"
    [mention] = alerts[0]["mentions"]
    assert mention["term"] == "Oleg Orlov" and mention["matched"] == "Олега Орлова" and mention["page"] == 2
    assert mention["snippet"].startswith("[page 2] ") and "Олега Орлова" in mention["snippet"]
    stored = project.db().execute("SELECT doc_page, snippet FROM mentions").fetchall()
    assert [(row[0], row[1][:9]) for row in stored] == [(2, "[page 2] ")]
    # the evidence is the PDF itself, byte for byte
    [snapshot] = [r for r in project.ok("history", f"{site.url}/report.pdf", "--format", "json").json_lines()
                  if "snapshot" in r]
    proof = project.path / "proof.pdf"
    shown = project.ok("evidence", str(snapshot["snapshot"]), "--out", str(proof)).stdout
    assert proof.read_bytes() == report and hashlib.sha256(report).hexdigest() in shown

    # A paragraph naming someone else is added on page 3: Orlov, named as before, is not alerted again.
    site.write("report.pdf", _report("Правозащитники потребовали прекратить преследование Светланы Ганнушкиной."))
    result = project.ok("crawl", "--revisit-all")
    assert "changed 1" in result.stdout
    alerts = project.alerts()
    assert len(alerts) == 2
    assert [(m["term"], m["page"]) for m in alerts[1]["mentions"]] == [("Svetlana Gannushkina", 3)]

    site.remove("report.pdf")
    project.ok("crawl", "--revisit-all")
    removed = [a for a in project.alerts() if a["event"] == "removed"]
    assert [a["url"] for a in removed] == [f"{site.url}/report.pdf"]


@pytest.mark.e2e
def test_office_documents_and_text_are_read_from_links_and_sitemaps(site, project):
    site.write("index.html", _index("statement.docx", "appeal.odt", "letter.rtf", "note.txt", "sheet.xls", "download"))
    site.write("statement.docx", documents.docx(["Statement of the Centre", documents.RUSSIAN], title="Statement"))
    site.write("appeal.odt", documents.odt(["Appeal", documents.ARABIC], title="Appeal"))
    site.headers["/appeal.odt"] = {"Content-Type": "application/octet-stream"}   # told by its extension
    site.write("letter.rtf", documents.rtf(["Open letter", "The Centre demands the release of Svetlana "
                                            "Gannushkina's colleagues and an end to the raids."], title="Letter"))
    site.write("note.txt", "Note for the press\n\nPolice detained the human rights lawyer Oleg Orlov again on "
                           "Friday, a week after his release.\n")
    site.write("sheet.xls", b"\xd0\xcf\x11\xe0 not read")
    # served as application/octet-stream from a URL that names no format: told by its bytes
    site.write("download", documents.docx(["Court decision", "The court extended the detention of Svetlana "
                                           "Gannushkina's fellow defenders by three months."]))
    site.write("listed.pdf", documents.pdf([["Court ruling", documents.LATIN]], title="Ruling"))
    site.write("sitemap.xml", f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                              f"<url><loc>{site.url}/listed.pdf</loc></url></urlset>")
    project.write_config(simple_config(site.url, terms=TERMS, source_extra=f'sitemaps = ["{site.url}/sitemap.xml"]'))
    project.ok("crawl")
    alerted = {alert["url"].rsplit("/", 1)[-1]: alert for alert in project.alerts()}
    assert set(alerted) == {"statement.docx", "appeal.odt", "letter.rtf", "note.txt", "listed.pdf", "download"}, alerted
    assert alerted["statement.docx"]["title"] == "Statement"
    assert alerted["appeal.odt"]["mentions"][0]["term"] == "Alaa Abd El-Fattah"
    assert "page" not in alerted["statement.docx"]["mentions"][0]
    assert alerted["listed.pdf"]["mentions"][0]["page"] == 1   # a one-page PDF says so too
    errors = _errors(project)
    assert errors["sheet.xls"]["kind"] == "skipped" and "not read: a .xls document" in errors["sheet.xls"]["reason"]


@pytest.mark.e2e
def test_hostile_documents_are_recorded_and_bounded_and_the_crawl_goes_on(site, project):
    hostile = {
        "bomb.pdf": documents.pdf_bomb(100),     # 300 KB that inflate to 100 MB, past the limit set below
        "loop.pdf": documents.looping_pdf(),
        "locked.pdf": documents.pdf([[documents.LATIN]], encrypt="secret"),
        "corrupt.pdf": documents.corrupt_pdf(),
        "scan.pdf": documents.scanned_pdf(),
        "bomb.docx": documents.docx_bomb(250),   # 300 KB that unpack to 250 MB
    }
    for name, body in hostile.items():
        site.write(name, body)
    # 200 MB (a sparse file): refused by its Content-Length, past the download limit, before its body is read
    site.write("huge.pdf", b"%PDF-1.7\n")
    os.truncate(site.root / "huge.pdf", 200 * 1024 * 1024)
    site.write("good.pdf", _report())
    site.write("index.html", _index(*hostile, "huge.pdf", "good.pdf"))
    project.write_config(simple_config(site.url, terms=TERMS))
    # Read by an extraction worker process, so each failure's kind crosses two processes to be recorded
    project.ok("crawl", env={"VIGIL_DOCUMENT_MEMORY_MB": "64", "VIGIL_EXTRACT_WORKERS": "1"})
    errors = _errors(project)
    expected = {"bomb.pdf": ("processing", "more than the limit of 64 MB of memory"),
                "loop.pdf": ("processing", "cannot be loaded"),
                "locked.pdf": ("processing", "encrypted with a password"), "corrupt.pdf": ("processing", "not a readable PDF"),
                "scan.pdf": ("no_text", "no text layer on any of its 2 page(s)"),
                "bomb.docx": ("processing", "a zip bomb?"), "huge.pdf": ("too_large", "download limit")}
    for name, (kind, words) in expected.items():
        assert name in errors, (name, sorted(errors))
        assert errors[name]["kind"] == kind and words in errors[name]["reason"], errors[name]
    assert [a["url"].rsplit("/", 1)[-1] for a in project.alerts()] == ["good.pdf"]


def test_an_unreadable_document_keeps_its_kind_across_processes():
    import pickle

    from crawler.core.kinds import FailureKind

    crossed = pickle.loads(pickle.dumps(UnreadableDocument("no text layer", FailureKind.NO_TEXT)))
    assert (crossed.kind, crossed.reason, str(crossed)) == (FailureKind.NO_TEXT, "no text layer", "no text layer")


def test_the_document_reader_dies_with_the_crawl_process():
    import subprocess
    import sys
    import time

    from conftest import REPO
    from crawler.core.processes import process_alive

    script = ("import os, sys\nsys.path.insert(0, 'tests')\nimport documents\n"
              "from crawler.text import sandbox\nfrom crawler.text.extractors import extract\n"
              "extract(documents.rtf(['Statement']), 'https://ngo.example/a.rtf', 'text/rtf')\n"
              "print(sandbox._server.process.pid, flush=True)\n"
              "os._exit(1)  # as a crawl does on a full disk\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, cwd=REPO,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    # communicate() returned: the reader kept no pipe of the crawl open
    reader = int(result.stdout.split()[0])
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and process_alive(reader):
        time.sleep(0.05)
    assert not process_alive(reader)


def test_a_process_forked_from_the_crawl_starts_a_reader_of_its_own():
    body = documents.rtf(["Statement on Oleg Orlov"])
    assert "Oleg Orlov" in extract(body, "https://ngo.example/a.rtf", "text/rtf").text
    crawl_reader = sandbox._server.process.pid
    child = os.fork()
    if child == 0:   # as an extraction worker forked from the crawl process
        try:
            ok = sandbox._server.process is None and "Oleg Orlov" in extract(body, "https://ngo.example/a.rtf",
                                                                              "text/rtf").text
            ok = ok and sandbox._server.process.pid != crawl_reader
        except BaseException:  # noqa: BLE001 -- whatever happens, the child only reports
            ok = False
        os._exit(0 if ok else 1)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert "Oleg Orlov" in extract(body, "https://ngo.example/a.rtf", "text/rtf").text   # the crawl's reader still answers
    assert sandbox._server.process.pid == crawl_reader
