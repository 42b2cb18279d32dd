"""Findings and fixes as plain data: what rules produce, what reporters and the fixer consume."""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Applicability(str, enum.Enum):
    """How sure a fix is (ruff's model).

    ``safe``: mechanical, meaning-preserving, verified: applied by ``--fix``.
    ``unsafe``: a likely repair a person should look at: applied only with ``--unsafe-fixes``.
    ``display``: a suggestion that is shown and never applied (e.g. several candidates).
    """

    SAFE = "safe"
    UNSAFE = "unsafe"
    DISPLAY = "display"


@dataclass(frozen=True, order=True)
class Edit:
    """Replace ``text[start:end]`` with ``replacement`` (character offsets)."""

    start: int
    end: int
    replacement: str = ""


@dataclass(frozen=True)
class Fix:
    edits: tuple[Edit, ...]
    applicability: Applicability = Applicability.SAFE
    message: str = ""

    @classmethod
    def replace(cls, start: int, end: int, text: str, message: str = "",
                applicability: Applicability = Applicability.SAFE) -> "Fix":
        return cls((Edit(start, end, text),), applicability, message)

    @classmethod
    def delete(cls, start: int, end: int, message: str = "",
               applicability: Applicability = Applicability.SAFE) -> "Fix":
        return cls((Edit(start, end, ""),), applicability, message)


@dataclass
class Finding:
    """One problem at one place. ``start``/``end`` are character offsets into the source text."""

    code: str
    name: str
    message: str
    start: int
    end: int
    severity: Severity = Severity.WARNING
    fix: Fix | None = None
    path: str = ""
    # Filled in by the engine from the Source, so reporters never need the text again.
    line: int = 0
    column: int = 0
    end_line: int = 0
    end_column: int = 0
    source_line: str = ""
    edit_positions: tuple = ()  # (line, column, end_line, end_column) of each fix edit
    row: str | None = None  # the row id, for a page read from a dataset (check-dataset)

    @property
    def sort_key(self):
        return (self.path, self.line, self.column, self.code, self.end_line, self.end_column)

    def with_position(self, source) -> "Finding":
        line, col = source.position(self.start)
        end_line, end_col = source.position(self.end)
        text = source.line_text(line) if source.line_count >= line else ""
        edits = []
        if self.fix is not None:
            for e in self.fix.edits:
                el, ec = source.position(e.start)
                eel, eec = source.position(e.end)
                edits.append((el, ec, eel, eec))
        return replace(self, path=source.path, line=line, column=col, end_line=end_line,
                       end_column=end_col, source_line=text, edit_positions=tuple(edits))

    def to_dict(self) -> dict:
        """The stable JSON form documented in docs/json-schema.md."""
        data = {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "code": self.code,
            "name": self.name,
            "severity": self.severity.value,
            "message": self.message,
            "fix": None,
        }
        if self.row is not None:
            data["row"] = self.row
        if self.fix is not None:
            data["fix"] = {
                "applicability": self.fix.applicability.value,
                "message": self.fix.message,
                "edits": [
                    {
                        "line": pos[0], "column": pos[1], "end_line": pos[2], "end_column": pos[3],
                        "content": e.replacement,
                    }
                    for e, pos in zip(self.fix.edits, self.edit_positions)
                ],
            }
        return data
