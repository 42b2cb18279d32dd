"""talklint: a data-quality linter for conference talk and event pages written in markdown."""

from __future__ import annotations

try:
    from importlib.metadata import version as _version

    __version__ = _version("talklint")
except Exception:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"


def lint_text(text: str, path: str = "-", config=None):
    """Lint one text and return its findings (the objects the CLI reports)."""
    from .engine import Linter

    return Linter(config).lint_text(text, path)
