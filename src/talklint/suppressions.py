"""Inline suppressions written as HTML comments in the markdown.

``<!-- talklint-disable CODE … -->`` … ``<!-- talklint-enable CODE … -->``
    Suppress from the comment to the matching enable (or the end of the file).
``<!-- talklint-disable-next-line CODE … -->``
    Suppress on the line after the comment.
``<!-- talklint-disable-line CODE … -->``
    Suppress on the comment's own line.
``<!-- talklint-disable-file CODE … -->``
    Suppress in the whole file.

CODE may be a rule code or name, several separated by spaces or commas; none means every rule.
Comments inside code blocks and code spans are examples, not directives. A comment that starts
like a directive but is not one, or names an unknown rule, is reported (TL904); a directive that
suppresses nothing is reported as unused (TL905).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .finding import Finding

COMMENT = re.compile(r"<!--\s*(talklint\b[^\n]*?)\s*-->", re.IGNORECASE)
DIRECTIVE = re.compile(
    r"^talklint-(disable-next-line|disable-line|disable-file|disable|enable)(?:\s+(.*))?$", re.DOTALL
)
KINDS = ("disable", "enable", "disable-next-line", "disable-line", "disable-file")


@dataclass
class Directive:
    kind: str
    codes: list[str] | None  # None: every rule
    start: int
    end: int
    line: int
    used: set[str] = field(default_factory=set)


@dataclass
class Problem:
    """A malformed or unused directive, turned into a finding by the engine."""

    code: str  # "TL904" or "TL905"
    message: str
    start: int
    end: int


def parse_directives(source, document, resolve) -> tuple[list[Directive], list[Problem]]:
    """Find directives. ``resolve(code_or_name)`` returns a rule code or None if unknown."""
    directives: list[Directive] = []
    problems: list[Problem] = []
    text = source.text
    if "talklint" not in text:
        return directives, problems
    for m in COMMENT.finditer(text):
        if document.is_code(m.start()):
            continue
        body = m.group(1).strip()
        d = DIRECTIVE.match(body)
        if not d:
            problems.append(Problem("TL904", f"Not a talklint directive: `{body}` (expected one of "
                                    + ", ".join(f"talklint-{k}" for k in KINDS) + ")", m.start(), m.end()))
            continue
        kind, rest = d.group(1), (d.group(2) or "").strip()
        codes: list[str] | None = None
        if rest:
            codes = []
            for token in re.split(r"[\s,]+", rest):
                if not token:
                    continue
                code = resolve(token)
                if code is None:
                    problems.append(Problem("TL904", f"Unknown rule `{token}` in `talklint-{kind}`",
                                            m.start(), m.end()))
                else:
                    codes.append(code)
            if not codes:
                continue
        line, _ = source.position(m.start())
        end_line, _ = source.position(m.end())
        directives.append(Directive(kind, codes, m.start(), m.end(), end_line if kind == "disable-next-line" else line))
    return directives, problems


def _covers(d: Directive, code: str) -> bool:
    return d.codes is None or code in d.codes


def apply(findings: list[Finding], directives: list[Directive], enabled: set[str],
          deferred: frozenset[str] = frozenset(), defer_bare: bool = False,
          ) -> tuple[list[Finding], list[Problem]]:
    """Drop suppressed findings; report directives that suppressed nothing.

    A directive is not judged unused for the codes in ``deferred`` (cross-file rules: whether
    it suppresses anything depends on which files are checked together), nor, with
    ``defer_bare``, when it names no rule (the cross-file pass may still use it: it is judged
    there, see :func:`unused_bare`)."""
    if not directives:
        return findings, []
    ranges, problems = _ranges(directives)
    kept = _suppress(findings, directives, ranges)
    problems += _unused(directives, enabled - deferred, defer_bare)
    return kept, problems


def suppress(findings: list[Finding], directives: list[Directive]) -> list[Finding]:
    """The findings that no directive suppresses (cross-file findings, after the per-file pass:
    malformed directives were reported there already)."""
    if not directives:
        return findings
    return _suppress(findings, directives, _ranges(directives)[0])


def unused_bare(d: Directive) -> Problem | None:
    """The problem of a directive naming no rule that suppressed nothing at all, if it is one."""
    if d.kind != "enable" and d.codes is None and not d.used:
        return _unused_problem(d)
    return None


def _ranges(directives: list[Directive]) -> tuple[list[tuple[Directive, str | None, int, int]], list[Problem]]:
    """Turn disable/enable pairs into ranges per code (None = all codes)."""
    ranges: list[tuple[Directive, str | None, int, int]] = []
    open_: dict[str | None, Directive] = {}
    problems: list[Problem] = []
    for d in sorted(directives, key=lambda d: d.start):
        if d.kind == "disable":
            for code in d.codes or [None]:
                open_.setdefault(code, d)
        elif d.kind == "enable":
            closed = False
            for code in list(open_) if d.codes is None else d.codes:
                start = open_.pop(code, None)
                if start is not None:
                    ranges.append((start, code, start.start, d.start))
                    closed = True
            if not closed:
                problems.append(Problem("TL905", "`talklint-enable` without a matching `talklint-disable`",
                                        d.start, d.end))
    for code, d in open_.items():
        ranges.append((d, code, d.start, 1 << 62))
    return ranges, problems


def _suppress(findings, directives, ranges) -> list[Finding]:
    kept = []
    for f in findings:
        suppressed_by = None
        for d in directives:
            if not _covers(d, f.code):
                continue
            if (d.kind == "disable-file"
                    or (d.kind == "disable-line" and f.line == d.line)
                    or (d.kind == "disable-next-line" and f.line == d.line + 1)):
                suppressed_by = d
                break
        if suppressed_by is None:
            for d, code, start, end in ranges:
                if (code is None or code == f.code) and start <= f.start < end:
                    suppressed_by = d
                    break
        if suppressed_by is None:
            kept.append(f)
        else:
            suppressed_by.used.add(f.code)
    return kept


def _unused(directives: list[Directive], judged: set[str], defer_bare: bool) -> list[Problem]:
    problems = []
    for d in directives:
        if d.kind == "enable":
            continue
        if d.codes is None:
            if not d.used and not defer_bare:
                problems.append(_unused_problem(d))
            continue
        unused = [c for c in d.codes if c not in d.used and c in judged]
        if unused:
            problems.append(Problem("TL905", f"Unused `talklint-{d.kind}` for {', '.join(unused)}: no such finding here",
                                    d.start, d.end))
    return problems


def _unused_problem(d: Directive) -> Problem:
    return Problem("TL905", f"Unused `talklint-{d.kind}`: it suppresses no finding", d.start, d.end)
