"""The link cache: what each URL answered, kept between runs so that CI does not ask the same
hosts again on every commit.

One JSON file (``<cache-dir>/links.json``), read once and written once per run (atomically:
a temporary file in the same folder, then a rename). Only definitive answers are kept — a
status below 500 other than 429, or a host that does not resolve — never a timeout, a refused
connection or a server error, which say nothing about tomorrow. An entry is fresh for
``cache-ttl`` seconds.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from ..atomic import write_atomically

if TYPE_CHECKING:
    from .http import Outcome

VERSION = 1
FILE_NAME = "links.json"


class LinkCache:
    def __init__(self, folder: Path | None, ttl: float, clock: Callable[[], float] = time.time):
        self.path = folder / FILE_NAME if folder is not None and ttl > 0 else None
        self.ttl = ttl
        self.clock = clock
        self.entries: dict[str, dict] = {}
        self.dirty = False
        if self.path is not None:
            self.entries = _read(self.path)

    def get(self, url: str) -> Outcome | None:
        entry = self.entries.get(url)
        if entry is None or self.clock() - entry.get("checked", 0) > self.ttl:
            return None
        from .http import Outcome  # here: the HTTP client's imports are heavy

        try:
            return Outcome.from_dict(entry)
        except (TypeError, ValueError):
            return None

    def put(self, url: str, outcome: Outcome) -> None:
        if self.path is not None and outcome.definitive:
            self.entries[url] = outcome.to_dict()
            self.dirty = True

    def save(self) -> str | None:
        """Write the cache; the reason when it could not be written (the run goes on)."""
        if self.path is None or not self.dirty:
            return None
        now = self.clock()
        keep = {u: e for u, e in self.entries.items() if now - e.get("checked", 0) <= self.ttl}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            data = json.dumps({"version": VERSION, "entries": keep}, ensure_ascii=False, sort_keys=True)
            write_atomically(self.path, data.encode("utf-8"), prefix=".links-")
        except OSError as exc:
            return f"link cache {self.path} not written: {exc.strerror or exc}"
        self.dirty = False
        return None


def _read(path: Path) -> dict[str, dict]:
    """The entries of a cache file; a missing, unreadable or foreign file is an empty cache."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("version") != VERSION or not isinstance(data.get("entries"), dict):
        return {}
    return {u: e for u, e in data["entries"].items() if isinstance(u, str) and isinstance(e, dict)}
