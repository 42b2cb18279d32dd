"""The fixer: apply fixes pass by pass to a fixed point, then write the file atomically.

Each pass lints the current text, takes the applicable fixes in file order, accepts a fix only
if none of its edits overlaps an edit already accepted in this pass (the others wait for the
next pass), applies them, and lints again. When no applicable fix is left, the text is final;
if that does not happen within ``MAX_PASSES``, the file is left exactly as it was and a TL906
finding names the rules involved.
"""

from __future__ import annotations

import os
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .finding import Applicability, Edit, Finding, Fix
from .source import UTF8_BOM, InvalidBytes, Source

MAX_PASSES = 12


@dataclass
class FixPolicy:
    """Which fixes apply: safe ones always; unsafe ones on request; display ones never."""

    unsafe: bool = False
    extend_safe: set[str] = field(default_factory=set)  # codes whose unsafe fixes count as safe
    extend_unsafe: set[str] = field(default_factory=set)  # codes whose safe fixes count as unsafe

    def applicability(self, finding: Finding) -> Applicability | None:
        if finding.fix is None:
            return None
        a = finding.fix.applicability
        if a is Applicability.UNSAFE and finding.code in self.extend_safe:
            a = Applicability.SAFE
        elif a is Applicability.SAFE and finding.code in self.extend_unsafe:
            a = Applicability.UNSAFE
        return a

    def applies(self, finding: Finding) -> bool:
        a = self.applicability(finding)
        return a is Applicability.SAFE or (a is Applicability.UNSAFE and self.unsafe)


@dataclass
class AppliedFix:
    code: str
    name: str
    message: str  # the fix's message, or the finding's
    line: int


@dataclass
class FixOutcome:
    text: str  # the final text (the original when nothing changed or when fixing failed)
    applied: list[AppliedFix]
    findings: list[Finding]  # what remains after fixing
    converged: bool = True
    passes: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.applied) and self.converged


def overlaps(a: Edit, b: Edit) -> bool:
    """Two edits conflict when their ranges intersect, or both insert at the same point, or one
    inserts strictly inside the other's range."""
    if a.start == a.end and b.start == b.end:
        return a.start == b.start
    if a.start == a.end:
        return b.start < a.start < b.end
    if b.start == b.end:
        return a.start < b.start < a.end
    return a.start < b.end and b.start < a.end


def apply_edits(text: str, edits: list[Edit]) -> str:
    """Apply non-overlapping edits (any order) and return the new text."""
    out = []
    pos = 0
    for e in sorted(edits, key=lambda e: (e.start, e.end)):
        out.append(text[pos:e.start])
        out.append(e.replacement)
        pos = e.end
    out.append(text[pos:])
    return "".join(out)


def _with_line_endings(source: Source, edit: Edit) -> Edit:
    """Write new line breaks in the style of the line the edit sits in, so an edit inside a
    CRLF line keeps CRLF (and a CR file stays CR). An edit that itself replaces a line break
    chose its line ending on purpose (e.g. the mixed-line-endings fix) and is left alone."""
    if "\n" not in edit.replacement and "\r" not in edit.replacement:
        return edit
    replaced = source.text[edit.start:edit.end]
    if "\n" in replaced or "\r" in replaced:
        return edit
    term = source.terminators[source.line_index(edit.start)] or source.dominant_terminator()
    normal = edit.replacement.replace("\r\n", "\n").replace("\r", "\n")
    return Edit(edit.start, edit.end, normal.replace("\n", term))


def choose_fixes(findings: list[Finding], policy: FixPolicy) -> list[tuple[Finding, Fix]]:
    """The fixes of one pass: applicable, in file order, none overlapping an earlier one."""
    accepted: list[tuple[Finding, Fix]] = []
    taken: list[Edit] = []
    candidates = [f for f in findings if policy.applies(f) and f.fix.edits]
    candidates.sort(key=lambda f: (min(e.start for e in f.fix.edits), f.code))
    for f in candidates:
        edits = f.fix.edits
        if any(overlaps(a, b) for a in edits for b in taken):
            continue
        if any(overlaps(a, b) for i, a in enumerate(edits) for b in edits[i + 1:]):
            continue  # a fix that contradicts itself is never applied
        accepted.append((f, f.fix))
        taken.extend(edits)
    return accepted


def fix_source(linter, source: Source, policy: FixPolicy, path: str | None = None,
               max_passes: int = MAX_PASSES) -> FixOutcome:
    """Fix ``source`` to a fixed point; never raises for a rule's fix."""
    path = path or source.path
    findings = linter.lint_source(source, path)
    current = source
    applied: list[AppliedFix] = []
    codes_per_pass: list[set[str]] = []
    passes = 0
    while True:
        chosen = choose_fixes(findings, policy)
        if not chosen:
            break
        if passes >= max_passes:
            involved = sorted(set().union(*codes_per_pass[-3:]))
            return _not_converged(linter, source, path, findings, involved, passes)
        passes += 1
        edits = [_with_line_endings(current, e) for _, fix in chosen for e in fix.edits]
        text = apply_edits(current.text, edits)
        if text == current.text:
            break  # the fixes change nothing: another pass would not either
        for f, fix in chosen:
            applied.append(AppliedFix(f.code, f.name, fix.message or f.message, f.line))
        codes_per_pass.append({f.code for f, _ in chosen})
        current = Source(path=source.path, text=text, raw=b"", bom=source.bom,
                         invalid_bytes=_surviving_invalid(current, edits))
        findings = linter.lint_source(current, path)
    return FixOutcome(current.text, applied, findings, True, passes)


def _surviving_invalid(current: Source, edits: list[Edit]) -> list[InvalidBytes]:
    """Invalid bytes that no edit replaced, moved to their offsets in the new text."""
    out = []
    for b in current.invalid_bytes:
        if any(e.start <= b.offset and b.offset + len(b.data) <= e.end for e in edits):
            continue
        shift = sum(len(e.replacement) - (e.end - e.start) for e in edits if e.end <= b.offset)
        out.append(InvalidBytes(b.offset + shift, b.byte_offset, b.data))
    return out


def _not_converged(linter, source, path, findings, involved, passes) -> FixOutcome:
    rule = linter.registry.rules.get("TL906")
    f = Finding(code="TL906", name=rule.name if rule else "fix-not-converged",
                message=(f"Fixes did not settle after {passes} passes (rules involved: "
                         f"{', '.join(involved)}); the file was left unchanged"),
                start=0, end=0, severity=rule.severity if rule else None).with_position(source)
    original = linter.lint_source(source, path)
    return FixOutcome(source.text, [], sorted([f, *original], key=lambda x: x.sort_key), False, passes)


# -- writing ------------------------------------------------------------------------------------

class WriteError(Exception):
    """The fixed text could not be written; the file is untouched."""


def encode(source: Source, text: str) -> bytes:
    data = text.encode("utf-8")
    return UTF8_BOM + data if source.bom else data


def write_atomically(path: str, original: bytes, data: bytes) -> None:
    """Replace the file's content with ``data``: through a symlink to its target, keeping the
    permission bits, refusing if the file changed since it was read, never leaving a partial
    file or a stray temporary file behind."""
    target = Path(os.path.realpath(path))
    try:
        st = target.stat()
    except OSError as exc:
        raise WriteError(f"cannot stat: {exc.strerror or exc}") from None
    if not os.access(target, os.W_OK):
        raise WriteError("file is read-only: not written")
    try:
        current = target.read_bytes()
    except OSError as exc:
        raise WriteError(f"cannot re-read before writing: {exc.strerror or exc}") from None
    if current != original:
        raise WriteError("file changed on disk since it was read: not written")
    fd, tmp = None, None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".talklint.tmp", dir=target.parent)
        with os.fdopen(fd, "wb") as fh:
            fd = None
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, stat.S_IMODE(st.st_mode))
        os.replace(tmp, target)
        tmp = None
    except OSError as exc:
        raise WriteError(f"cannot write: {exc.strerror or exc}") from None
    finally:
        if fd is not None:
            os.close(fd)
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
