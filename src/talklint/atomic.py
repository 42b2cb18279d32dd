"""Writing a file so that a reader sees the old content or the new, never a part of it."""

from __future__ import annotations

import os
from pathlib import Path


def write_atomically(path: Path, data: bytes, *, prefix: str = ".", mode: int | None = None) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename.

    Caches and run records are read by runs that may start while another writes them; a rename
    within one folder replaces the file in one step. ``mode``: the new file's permissions (the
    temporary file is created 0600). Errors are raised; the temporary file never stays behind.
    """
    import tempfile  # only runs that write pay for importing it

    fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
