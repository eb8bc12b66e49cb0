"""Writing a file in one step: whoever reads it sees the old content or the new, never half of either."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(path: str | os.PathLike, data: bytes, mode: int = 0o600) -> None:
    """Replace `path` with `data`: written beside it under a temporary name, then renamed over it.
    The file gets `mode` (owner-only by default: configs and caches may hold secrets); OSError
    when it cannot be written, and no temporary file is left behind."""
    path = Path(path)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")   # created 0o600
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        if mode != 0o600:
            os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
