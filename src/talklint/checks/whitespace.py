"""Whitespace and line endings (TL2xx): trailing whitespace, the final newline, mixed line endings.

These rules work on ``Source``'s line index, never on ``str.splitlines``, so a stray U+2028 or
form feed inside a line does not shift line numbers.
"""

from __future__ import annotations

import bisect
import re

from pydantic import Field

from ..finding import Applicability, Fix
from ..rule import Rule, RuleOptions

TERMINATOR_NAMES = {"\n": "LF", "\r\n": "CRLF", "\r": "CR"}


def _describe_whitespace(ws: str) -> str:
    spaces, tabs = ws.count(" "), ws.count("\t")
    parts = []
    if spaces:
        parts.append(f"{spaces} space{'s' if spaces != 1 else ''}")
    if tabs:
        parts.append(f"{tabs} tab{'s' if tabs != 1 else ''}")
    return " and ".join(parts)


def _front_matter_fix_is_safe(ctx) -> bool:
    """Whether stripping every trailing blank in the front matter leaves its parsed value as it
    was. Block scalars (``|``, ``>``) and multi-line TOML strings keep trailing blanks as content,
    so deleting them there changes the data; plain scalars and keys do not."""
    cached = ctx.shared.get("whitespace.fm_safe")
    if cached is not None:
        return cached
    fm = ctx.document.front_matter
    safe = False
    if fm is not None and fm.error is None:
        body = ctx.source.text[fm.body_span.start:fm.body_span.end]
        stripped = "".join(line.rstrip(" \t") + term for line, term in _split_keep(body))
        try:
            if fm.kind == "yaml":
                import yaml

                safe = yaml.safe_load(stripped) == fm.data
            elif fm.kind == "toml":
                import sys

                if sys.version_info >= (3, 11):
                    import tomllib
                else:  # pragma: no cover
                    import tomli as tomllib
                safe = tomllib.loads(stripped) == fm.data
        except Exception:  # any parse problem means we could not verify the edit
            safe = False
    ctx.shared["whitespace.fm_safe"] = safe
    return safe


# A space or a tab that ends a line. Source ends lines only at LF, CRLF and CR, so a line's last
# character is followed by `\r`, `\n` or the end of the text.
_BLANK_LINE_END = re.compile(r"[ \t](?=[\r\n]|\Z)")


def _blank_ended_lines(source):
    """(line number, start offset, text) of the lines that end with a space or a tab, in order:
    the only lines TrailingWhitespace can report. Most pages have none, which C-level substring
    searches tell; otherwise one regex scan finds them instead of a Python step per line."""
    text = source.text
    if not (" \n" in text or "\t\n" in text or " \r" in text or "\t\r" in text
            or text.endswith((" ", "\t"))):
        return
    starts, ends = source.line_starts, source.line_ends
    for m in _BLANK_LINE_END.finditer(text):
        i = source.line_index(m.start())
        yield i + 1, starts[i], text[starts[i]:ends[i]]


def _split_keep(text: str):
    from ..source import LINE_BREAK

    pos = 0
    for m in LINE_BREAK.finditer(text):
        yield text[pos:m.start()], m.group()
        pos = m.end()
    yield text[pos:], ""


class TrailingWhitespace(Rule):
    """## What it does
    Reports spaces and tabs at the end of a line, including lines that hold nothing but
    whitespace. Exactly `br-spaces` (default 2) trailing spaces after text are allowed,
    since that is how markdown writes a hard line break (markdownlint's MD009).
    With `strict = true` those two spaces are reported too, unless they really make a hard
    line break: inside a paragraph, with the paragraph going on on the next line.

    Trailing whitespace inside code blocks, code spans and front matter is reported as well.

    ## Why is this bad?
    Trailing whitespace is invisible, shows up as noise in every diff, and is often the
    leftover of a copy from a word processor or a CMS. Two or more spaces at the end of a line
    inside a paragraph make a hard line break, so stray spaces can break lines where nobody
    meant to.

    ## Example
    ```markdown
    **Room:** Hall A·
    ```
    (`·` stands for a space.) Use instead:
    ```markdown
    **Room:** Hall A
    ```

    ## Fix
    Deletes the whitespace (safe). Where it makes a hard line break (two or more spaces at the
    end of a paragraph line that goes on), the fix keeps `br-spaces` spaces so the break stays;
    with `br-spaces` below 2 it deletes them and is unsafe, as the break is lost. Inside code the whitespace is content, so its deletion is
    unsafe; in front matter it is safe only when the parsed front matter stays the same.
    """

    code = "TL201"
    name = "trailing-whitespace"
    summary = "Spaces or tabs at the end of a line"
    fixable = "always"

    class Options(RuleOptions):
        br_spaces: int = Field(default=2, ge=0, description=(
            "Trailing spaces allowed after text, as a hard line break; below 2, none are allowed."))
        strict: bool = Field(default=False, description=(
            "Also report those spaces where they make no hard line break (before a blank line, "
            "at the end of the file, on a heading or table row, in code)."))

    def check(self, ctx):
        source, doc = ctx.source, ctx.document
        br = self.options.br_spaces if self.options.br_spaces >= 2 else 0
        strict = self.options.strict
        fm = doc.front_matter
        paragraphs = None  # built on first need: most files have no hard breaks
        for lineno, start, text in _blank_ended_lines(source):
            content = text.rstrip(" \t")
            if len(content) == len(text):
                continue
            ws = text[len(content):]
            ws_start = start + len(content)
            ws_end = start + len(text)
            hard = False
            if content and ws.endswith("  ") and not doc.is_code(ws_start):
                if paragraphs is None:
                    paragraphs = _paragraph_spans(doc)
                hard = _continues_paragraph(source, paragraphs, lineno, ws_start)
            if content and br and ws == " " * br and (not strict or hard):
                continue

            if not content:
                message = f"Whitespace-only line ({_describe_whitespace(ws)})"
            elif br and ws == " " * br:
                message = f"Trailing whitespace ({_describe_whitespace(ws)}) that makes no hard line break"
            else:
                message = f"Trailing whitespace ({_describe_whitespace(ws)})"
            yield self.finding(ws_start, ws_end, message, fix=self._fix(ctx, fm, ws_start, ws_end, hard, br))

    def _fix(self, ctx, fm, start, end, hard, br) -> Fix:
        if hard:
            if br:
                keep = " " * br
                # Only the excess goes: the hard break the writer asked for stays.
                return Fix.replace(start, end, keep, f"Keep {br} trailing spaces (the hard line break)")
            return Fix.delete(start, end, "Remove trailing whitespace (this removes a hard line break)",
                              Applicability.UNSAFE)
        if fm is not None and fm.span.start <= start < fm.span.end:
            applicability = Applicability.SAFE if _front_matter_fix_is_safe(ctx) else Applicability.UNSAFE
            return Fix.delete(start, end, "Remove trailing whitespace", applicability)
        if ctx.document.is_code(start):
            return Fix.delete(start, end, "Remove trailing whitespace (it is part of the code)",
                              Applicability.UNSAFE)
        return Fix.delete(start, end, "Remove trailing whitespace")


def _paragraph_spans(doc) -> list[tuple[int, int]]:
    # Tight list items hold their text in "block_text" nodes, where hard breaks work as well.
    return sorted((n.span.start, n.span.end) for n in doc.walk() if n.type in ("paragraph", "block_text"))


def _continues_paragraph(source, paragraphs, lineno: int, offset: int) -> bool:
    """True when the paragraph holding ``offset`` goes on on the next line, i.e. trailing
    spaces at ``offset`` make a hard line break (at a paragraph's end they are ignored)."""
    if lineno >= source.line_count:
        return False
    next_text = source.line_text(lineno + 1)
    stripped = next_text.rstrip(" \t")
    if not stripped.strip(" \t>"):
        return False
    last = source.line_starts[lineno] + len(stripped) - 1  # last visible character of the next line
    # Paragraphs never nest or overlap, so only the last one starting at or before offset can hold it.
    i = bisect.bisect_right(paragraphs, (offset, float("inf"))) - 1
    if i < 0:
        return False
    s, e = paragraphs[i]
    return offset < e and s <= last < e


class MissingFinalNewline(Rule):
    """## What it does
    Reports a non-empty file whose last line does not end with a line break.

    ## Why is this bad?
    POSIX tools treat an unterminated last line as incomplete: `cat` glues the next file to
    it, `wc -l` miscounts, and git shows "\\ No newline at end of file" in every diff that
    touches the last line. Generated files that are later concatenated break in odd ways.

    ## Example
    A file ending in `Thanks to our sponsors!` with no line break after it. Use instead: the
    same text followed by a line break.

    ## Fix
    Appends the file's most frequent line break (LF, CRLF or CR; LF when there is none). Safe.
    """

    code = "TL202"
    name = "missing-final-newline"
    summary = "The file does not end with a line break"
    fixable = "always"

    def check(self, ctx):
        source = ctx.source
        text = source.text
        if not text or text.endswith(("\n", "\r")):
            return
        end = len(text)
        term = source.dominant_terminator()
        yield self.finding(end, end, "No line break at the end of the file",
                           fix=Fix.replace(end, end, term, f"Add a final {TERMINATOR_NAMES[term]}"))


class MixedLineEndings(Rule):
    """## What it does
    Reports a file that ends its lines in more than one way (LF, CRLF, CR). Each line break
    that differs from the file's most frequent one is reported; on a tie LF counts as the
    most frequent.

    ## Why is this bad?
    Mixed line endings usually come from text pasted in from another system (a CMS export,
    a form on Windows). They make diffs noisy, can break front-matter parsing and tools that
    split on one kind of line break, and a lone CR is not a line break for many tools at all.

    ## Example
    A file whose lines end in LF, except the two lines of an abstract pasted from a
    Windows tool, which end in CRLF. Use instead: LF everywhere.

    ## Fix
    Replaces each differing line break with the most frequent one. Safe.
    """

    code = "TL203"
    name = "mixed-line-endings"
    summary = "The file mixes LF, CRLF and CR line endings"
    fixable = "always"

    def check(self, ctx):
        source = ctx.source
        counts = source.terminator_counts()
        if len(counts) < 2:
            return
        dominant = source.dominant_terminator()
        want = TERMINATOR_NAMES[dominant]
        summary = ", ".join(f"{counts[t]} {TERMINATOR_NAMES[t]}" for t in ("\n", "\r\n", "\r") if counts[t])
        for i, term in enumerate(source.terminators):
            if not term or term == dominant:
                continue
            start = source.line_ends[i]
            end = start + len(term)
            yield self.finding(
                start, end,
                f"Line ends with {TERMINATOR_NAMES[term]}, but the file mostly uses {want} ({summary})",
                fix=Fix.replace(start, end, dominant, f"Use {want}"),
            )


RULES = [TrailingWhitespace, MissingFinalNewline, MixedLineEndings]
