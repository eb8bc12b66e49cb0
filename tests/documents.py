"""Documents built for tests and benchmarks: PDF (fpdf2), DOCX (python-docx), ODT (odfpy), RTF, and hostile ones.

Nothing is stored: each file is made when asked for, hostile ones included, so no big file is
committed. The PDFs use DejaVu Sans (Debian's fonts-dejavu-core), which has Cyrillic and Arabic.
"""
from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import Path

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")

RUSSIAN = ("Правозащитный центр «Мемориал» сообщает, что в понедельник утром сотрудники полиции задержали "
           "правозащитника Олега Орлова после выхода из здания суда.")
ARABIC = "طالبت المنظمة بالإفراج عن علاء عبد الفتاح وعن المحامي أوليغ أورلوف فوراً ومن دون شروط."
LATIN = ("Police detained the human rights lawyer Oleg Orlov on Monday morning after he left the court; "
         "his colleagues said he was taken to an unknown location.")
FILLER = ("The organisation documents arbitrary detentions, unfair trials and reprisals against lawyers and "
          "journalists, and publishes its findings in annual reports to the United Nations.")


def pdf(pages: list[list[str]], title: str | None = None, encrypt: str | None = None) -> bytes:
    """A PDF with one page per list of paragraphs, written in DejaVu Sans with Arabic shaped."""
    from fpdf import FPDF

    document = FPDF()
    document.add_font("DejaVu", "", str(FONT))
    document.set_font("DejaVu", size=11)
    document.set_text_shaping(True)
    if title:
        document.set_title(title)
    document.set_creation_date(__import__("datetime").datetime(2026, 3, 14, tzinfo=__import__("datetime").timezone.utc))
    for paragraphs in pages:
        document.add_page()
        for paragraph in paragraphs:
            document.multi_cell(0, 6, paragraph, new_x="LMARGIN", new_y="NEXT")
            document.ln(4)
    if encrypt:
        document.set_encryption(owner_password="owner", user_password=encrypt)
    return bytes(document.output())


def scanned_pdf(pages: int = 2) -> bytes:
    """A PDF with drawings and no text layer, as a scanner makes."""
    from fpdf import FPDF

    document = FPDF()
    for _ in range(pages):
        document.add_page()
        document.rect(20, 20, 170, 250, style="F")
    return bytes(document.output())


def docx(paragraphs: list[str], title: str | None = None) -> bytes:
    import docx as python_docx

    document = python_docx.Document()
    if title:
        document.core_properties.title = title
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def odt(paragraphs: list[str], title: str | None = None) -> bytes:
    from odf import dc, text
    from odf.opendocument import OpenDocumentText

    document = OpenDocumentText()
    if title:
        document.meta.addElement(dc.Title(text=title))
    for paragraph in paragraphs:
        document.text.addElement(text.P(text=paragraph))
    out = io.BytesIO()
    document.write(out)
    return out.getvalue()


def rtf(paragraphs: list[str], title: str | None = None) -> bytes:
    """RTF as word processors write it: 7-bit, other characters as \\uN escapes."""
    def escaped(line: str) -> str:
        return "".join(c if ord(c) < 128 and c not in "\\{}" else
                       (f"\\{c}" if c in "\\{}" else f"\\u{ord(c) if ord(c) < 32768 else ord(c) - 65536}?")
                       for c in line)
    info = f"{{\\info{{\\title {escaped(title)}}}}}" if title else ""
    body = "".join(f"{escaped(p)}\\par\n" for p in paragraphs)
    return f"{{\\rtf1\\ansi\\ansicpg1252\\deff0{{\\fonttbl{{\\f0 Arial;}}}}{info}\n{body}}}".encode("ascii")


# Hostile documents: each is small on the wire and costly to read without bounds.

def pdf_bomb(unpacked_mb: int = 1024) -> bytes:
    """A one-page PDF whose content stream inflates to `unpacked_mb` MB of text-drawing operators."""
    chunk = b"BT /F1 12 Tf 10 10 Td (Oleg Orlov) Tj ET\n" * 4096
    compressor = zlib.compressobj(9)
    parts = [compressor.compress(chunk) for _ in range(unpacked_mb * 1024 * 1024 // len(chunk))]
    stream = b"".join(parts) + compressor.flush()
    return _pdf_with(stream, b"/Filter /FlateDecode ")


def looping_pdf() -> bytes:
    """A PDF whose page tree holds itself: a reader that follows it naively never ends."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length 0 >>\nstream\n\nendstream",
    ]
    return _assemble(objects)


def corrupt_pdf() -> bytes:
    """A PDF header and trailer around garbage."""
    return b"%PDF-1.7\n" + bytes(range(256)) * 64 + b"\ntrailer\n<< /Root 99 0 R >>\n%%EOF\n"


def docx_bomb(unpacked_mb: int = 1024) -> bytes:
    """A DOCX whose document.xml inflates to `unpacked_mb` MB."""
    sample = docx(["Oleg Orlov was detained."])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(sample)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            if member.filename != "word/document.xml":
                target.writestr(member, source.read(member))
        with target.open("word/document.xml", "w", force_zip64=True) as document:
            document.write(b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
                           b'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>')
            block = b"A" * (1024 * 1024)
            for _ in range(unpacked_mb):
                document.write(block)
            document.write(b"</w:t></w:r></w:p></w:body></w:document>")
    return out.getvalue()


def _pdf_with(stream: bytes, extra: bytes) -> bytes:
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< " + extra + b"/Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    return _assemble(objects)


def _assemble(objects: list[bytes]) -> bytes:
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
