"""What the CI formats (SARIF, GitLab) share: repository-relative paths and stable fingerprints."""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path


def repository_root(start: Path | None = None) -> Path:
    """The enclosing git work tree (where CI systems resolve paths from), else the folder."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / ".git").exists():
            return folder
    return here


def relative_path(path: str, root: Path) -> str:
    """``path`` relative to ``root`` with forward slashes; kept as given when outside it."""
    try:
        return Path(path).resolve().relative_to(root).as_posix()
    except ValueError:
        return Path(path).as_posix()


class Fingerprints:
    """Fingerprints that survive edits elsewhere in a file: built from the rule, the file and
    the text of the finding's line (not its number), plus the occurrence count of that same
    triple, so two identical findings on identical lines stay distinct."""

    def __init__(self) -> None:
        self._seen: Counter = Counter()

    def of(self, relpath: str, finding) -> str:
        key = (finding.code, relpath, finding.source_line.strip())
        self._seen[key] += 1
        raw = "\0".join((*key, str(self._seen[key])))
        return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()
