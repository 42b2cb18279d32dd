"""Small helpers shared by the test modules."""

from __future__ import annotations

from pathlib import Path

CORPUS = Path(__file__).parent / "corpus"


def corpus_files() -> list[Path]:
    """The real pages copied into tests/corpus (their attribution is in ATTRIBUTION.md)."""
    return sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.name != "ATTRIBUTION.md")


def real_page_positions(codes, path: Path) -> list[tuple[int, int, str]]:
    """(line, column, code) of what the given rules report on one real page."""
    from talklint.engine import Linter, Overrides

    linter = Linter(overrides=Overrides(select=list(codes)))
    return sorted((f.line, f.column, f.code) for f in linter.lint_path(str(path)).findings)
