"""``--output-format text`` (the default): ``path:line:col: CODE [name] message``, the source line
and a caret under the span, then a summary.

The source excerpt is the page's own, untrusted text: control characters (ESC, C1, bidi
overrides …) are shown as visible escapes, so a page cannot move the cursor, recolour the
terminal or hide text. Carets account for wide (CJK, emoji) characters and tabs.
"""

from __future__ import annotations

import unicodedata

from . import Reporter

RESET = "\x1b[0m"
STYLE = {
    "path": "\x1b[1m", "code": "\x1b[1;31m", "name": "\x1b[2m", "caret": "\x1b[1;31m",
    "gutter": "\x1b[34m", "summary": "\x1b[1m", "ok": "\x1b[1;32m", "fix": "\x1b[36m",
}
# Characters that could act on a terminal or reorder what is shown.
_BIDI = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def visible(ch: str) -> str:
    """How one character of untrusted text is shown in the excerpt."""
    o = ord(ch)
    if ch == "\t":
        return "    "
    if o < 0x20 or o == 0x7F or 0x80 <= o <= 0x9F or ch in _BIDI:
        return f"<U+{o:04X}>"
    if ch in "\u200c\u200d" or 0xE0020 <= o <= 0xE007F:  # joiners and emoji tags render fine
        return ch
    if unicodedata.category(ch) in ("Cf", "Zl", "Zp"):
        return f"<U+{o:04X}>"
    return ch


def width(s: str) -> int:
    if s.isascii() and s.isprintable():  # most excerpts: one column a character
        return len(s)
    w = 0
    for ch in s:
        if unicodedata.combining(ch) or ch in "\u200c\u200d" or "\ufe00" <= ch <= "\ufe0f":
            continue
        w += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return w


def safe(s: str) -> str:
    if s.isascii() and s.isprintable():  # most text: nothing to escape
        return s
    return "".join(visible(c) for c in s)


class TextReporter(Reporter):
    def _c(self, style: str, text: str) -> str:
        return f"{STYLE[style]}{text}{RESET}" if self.color else text

    def file(self, path, findings) -> None:
        parts = []  # one write per file: a run reports thousands of findings
        for f in findings:
            where = f.path if f.row is None else f"{f.path}[{f.row}]"
            header = (f"{self._c('path', safe(where))}:{f.line}:{f.column}: "
                      f"{self._c('code', f.code)} {self._c('name', '[' + f.name + ']')} {safe(f.message)}")
            if f.fix is not None and self.applies(f):
                header += " " + self._c("fix", "[*]")
            parts.append(header + "\n")
            if self.quiet or not f.source_line and f.line <= 0:
                continue
            parts.append(self._excerpt(f))
        if parts:
            self.out.write("".join(parts))

    def _excerpt(self, f) -> str:
        line = f.source_line
        start = max(0, f.column - 1)
        end = f.end_column - 1 if f.end_line == f.line else len(line) + 1
        end = max(end, start + 1)
        before = safe(line[:start])
        marked = safe(line[start:end]) if start < len(line) else ""
        caret = "^" * max(1, width(marked))
        gutter = str(f.line)
        pad = " " * len(gutter)
        return (f"{self._c('gutter', pad + ' |')}\n"
                f"{self._c('gutter', gutter + ' |')} {safe(line)}\n"
                f"{self._c('gutter', pad + ' |')} {' ' * width(before)}{self._c('caret', caret)}\n\n")

    def finish(self, summary) -> None:
        if self.statistics and summary.by_code:
            for code, count in sorted(summary.by_code.items(), key=lambda kv: (-kv[1], kv[0])):
                fixable = " [*]" if summary.fixable_by_code.get(code) else ""
                self.out.write(f"{count:>6}\t{code}\t{summary.names[code]}{fixable}\n")
        if self.quiet:
            return
        fixed = f"Fixed {summary.fixed} {_findings(summary.fixed)}. " if summary.fixed else ""
        if summary.findings == 0:
            self.out.write(self._c("ok", f"{fixed}All checks passed ({_files(summary.files)})") + "\n")
            return
        remaining = " remaining" if summary.fixed else ""
        where = _files(summary.files_with_findings)
        if summary.files != summary.files_with_findings:
            where += f" ({summary.files} checked)"
        text = f"{fixed}Found {summary.findings}{remaining} {_findings(summary.findings)} in {where}."
        if summary.fixable:
            text += f" {summary.fixable} fixable with `talklint check {self.fix_hint}`."
        if summary.unsafe_hidden:
            text += (f" {summary.unsafe_hidden} more {'has' if summary.unsafe_hidden == 1 else 'have'}"
                     " an unsafe fix (`--unsafe-fixes`).")
        self.out.write(self._c("summary", text) + "\n")


def _findings(n: int) -> str:
    return "finding" if n == 1 else "findings"


def _files(n: int) -> str:
    return f"{n} file" + ("" if n == 1 else "s")
