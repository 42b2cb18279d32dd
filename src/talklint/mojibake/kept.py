"""Tables the CJK detector derives from Python's codecs, kept on disk between runs.

Building them (every code of eleven code pages decoded, the common levels of four national
standards, what each symbol and emoji leaves through GBK and Big5) takes about a quarter of a
second, the whole cost of linting one page with Chinese, Japanese or Korean text. Python keeps
compiled modules in ``__pycache__`` beside their source; the tables are kept there too, and read
back (a few milliseconds) while they would be built the same: the same detector code, the same
Python (its codecs and Unicode database) and the same ``emoji`` package.

Never written when Python writes no bytecode (``PYTHONDONTWRITEBYTECODE``); a kept file that is
missing, of another key or damaged (its digest does not match) is ignored and the tables are
built as without one. The file holds only plain data (strings, bytes, tuples, lists, dicts and
frozensets in ``marshal``'s format) and is checked against its digest before it is read.
"""

from __future__ import annotations

import hashlib
import marshal
import sys
from pathlib import Path
from typing import Callable

FORMAT = 1
_MAGIC = b"talklint-cjk-tables\0"
_DIGEST = 32  # bytes of a blake2b digest


def kept_path(source: Path) -> Path:
    """Where the tables of the module at ``source`` are kept (one file per Python version, as
    compiled modules are)."""
    return source.parent / "__pycache__" / f"{source.stem}.{sys.implementation.cache_tag}.tables"


def key_of(source: Path) -> bytes:
    """What the kept tables must have been built with: the module's code and the versions of
    the data it reads."""
    import unicodedata

    try:
        import emoji

        emoji_version = getattr(emoji, "__version__", "?")
    except ImportError:  # pragma: no cover - emoji is a dependency
        emoji_version = "-"
    digest = hashlib.blake2b(source.read_bytes(), digest_size=_DIGEST)
    digest.update(f"\0{FORMAT}\0{sys.version}\0{unicodedata.unidata_version}\0{emoji_version}".encode())
    return digest.digest()


def load(source: Path, build: Callable[[], dict]) -> dict:
    """The tables kept for the module at ``source``; when there are none of its key, ``build()``
    (which builds them all) is called and its tables are kept for the next run, where Python
    writes bytecode. Returns {} when nothing was read: the caller then builds on first use."""
    try:
        key = key_of(source)
        path = kept_path(source)
    except OSError:  # no source to key on (a frozen installation): build every run
        return {}
    found = _read(path, key)
    if found is not None:
        return found
    if sys.dont_write_bytecode:
        return {}
    _write(path, key, build())
    return {}


def _read(path: Path, key: bytes) -> dict | None:
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    head = len(_MAGIC) + 2 * _DIGEST
    if len(raw) < head or not raw.startswith(_MAGIC) or raw[len(_MAGIC) : len(_MAGIC) + _DIGEST] != key:
        return None
    payload = memoryview(raw)[head:]
    if hashlib.blake2b(payload, digest_size=_DIGEST).digest() != raw[head - _DIGEST : head]:
        return None  # torn or damaged: marshal is only ever given bytes it wrote
    try:
        tables = marshal.loads(payload)
    except (EOFError, ValueError, TypeError):  # pragma: no cover - the digest matched
        return None
    return tables if isinstance(tables, dict) else None


def _write(path: Path, key: bytes, tables: dict) -> None:
    from ..atomic import write_atomically

    try:
        payload = marshal.dumps(tables)
        digest = hashlib.blake2b(payload, digest_size=_DIGEST).digest()
        path.parent.mkdir(exist_ok=True)
        write_atomically(path, _MAGIC + key + digest + payload, mode=0o644)
    except Exception:  # a read-only installation: build every run (a cache is never worth a crash)
        return
