"""Cross-file rules: a pass over the whole set of checked files, after the per-file pass.

A :class:`ProjectRule` works in two steps, so that files can still be linted by worker
processes (and, with issue 9, be read back from a cache):

``collect(ctx)``
    runs per file, in the worker, right after the per-file rules, and returns a small picklable
    summary of what the rule needs from that file (or None). Positions in it are already
    resolved (:class:`Site`), because the Source is not shipped back to the parent. A summary
    must be a pure function of the file's content and the configuration: that is what lets a
    cache keep it beside the file's findings.
``finish(pages)``
    runs once in the parent, after every file, with the summaries of all files, and yields
    findings attached to those files (:meth:`ProjectRule.finding_at`).

The engine then decides what is reported exactly as for per-file findings: select/ignore,
per-file-ignores, and the file's inline suppressions, which are shipped in the
:class:`FileSummary` for that reason. Text read from stdin gets no cross-file pass.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable

from .finding import Finding
from .rule import Context, Rule

if TYPE_CHECKING:
    from .source import Source
    from .suppressions import Directive


@dataclass(frozen=True)
class Site:
    """A span of a file with its positions resolved, so it can be reported without the text."""

    start: int
    end: int
    line: int
    column: int
    end_line: int
    end_column: int
    line_text: str  # the text of ``line``, for the excerpt under the finding

    @classmethod
    def of(cls, source: "Source", start: int, end: int) -> "Site":
        line, column = source.position(start)
        end_line, end_column = source.position(end)
        text = source.line_text(line) if source.line_count >= line else ""
        return cls(start, end, line, column, end_line, end_column, text)

    def label(self, path: str) -> str:
        return f"{path}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Collected:
    """What one rule collected from one file."""

    path: str
    data: Any


@dataclass
class FileSummary:
    """Everything the cross-file pass needs from one file; shipped from the worker."""

    path: str
    data: dict[str, Any] = field(default_factory=dict)  # rule code → what its collect() returned
    # Suppressions that can apply to cross-file findings (bare ones and those naming a
    # cross-file rule), as the per-file pass left them: ``used`` holds what they suppressed there.
    directives: list[tuple["Directive", Site]] = field(default_factory=list)
    # Whether each value of ``data`` is still pickled (:meth:`packed`).
    is_packed: bool = False

    def packed(self) -> "FileSummary":
        """This summary with each rule's share pickled on its own (None values dropped): how the
        cross-file pass holds it until that rule's turn, a few hundred bytes instead of dozens
        of objects. A worker process sends it so, and the parent never unpickles it only to
        pickle it again."""
        if self.is_packed:
            return self
        data = {code: pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
                for code, value in self.data.items() if value is not None}
        return FileSummary(self.path, data, self.directives, is_packed=True)


class ProjectRule(Rule):
    """Base of rules that look across files. ``check`` finds nothing by default: the rule's
    findings come from :meth:`finish`."""

    def check(self, ctx: Context) -> Iterable[Finding]:
        return ()

    def collect(self, ctx: Context) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def finish(self, pages: list[Collected]) -> Iterable[Finding]:  # pragma: no cover - abstract
        raise NotImplementedError

    def finding_at(self, path: str, site: Site, message: str) -> Finding:
        """A finding on ``site`` of the file ``path``. Cross-file findings are never fixable:
        they depend on other files, which a fix of one file cannot see."""
        return finding_at(self, message, path, site)


def finding_at(rule: type[Rule] | Rule, message: str, path: str, site: Site) -> Finding:
    """A finding of ``rule`` on ``site`` of the file ``path``, its positions filled in."""
    return Finding(code=rule.code, name=rule.name, message=message, start=site.start, end=site.end,
                   severity=rule.severity, path=path, line=site.line, column=site.column,
                   end_line=site.end_line, end_column=site.end_column, source_line=site.line_text)
