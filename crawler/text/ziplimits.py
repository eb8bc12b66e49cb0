"""Zip-based documents (DOCX, ODT) checked before they are opened: a zip bomb is refused by its own index."""
from __future__ import annotations

import io
import zipfile

from crawler.text.extractors import UnreadableDocument

MAX_UNPACKED = 200 * 1024 * 1024   # bytes all members may unpack to
MAX_RATIO = 200                    # unpacked to packed, per member: text compresses ~5-20 times
MAX_MEMBERS = 10_000


def check_zip(body: bytes, name: str) -> None:
    """Raise UnreadableDocument when the archive is broken or unpacks to more than the bounds allow.
    The sizes in a zip's index may lie; the child's memory limit holds what they hide."""
    try:
        members = zipfile.ZipFile(io.BytesIO(body)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as error:
        raise UnreadableDocument(f"not a readable {name} file (a broken zip archive: {error})"[:300]) from None
    if len(members) > MAX_MEMBERS:
        raise UnreadableDocument(f"the {name} file holds {len(members):,} parts (a zip bomb?)")
    unpacked = sum(member.file_size for member in members)
    if unpacked > MAX_UNPACKED:
        raise UnreadableDocument(f"the {name} file unpacks to {unpacked / 2**20:,.0f} MB, over the limit of "
                                 f"{MAX_UNPACKED / 2**20:.0f} MB (a zip bomb?)")
    for member in members:
        if member.file_size > 1_000_000 and member.file_size > MAX_RATIO * max(member.compress_size, 1):
            raise UnreadableDocument(f"a part of the {name} file unpacks {member.file_size // max(member.compress_size, 1):,} "
                                     f"times its packed size (a zip bomb?)")
