"""Front matter (TL3xx): the YAML or TOML block at the top of a page."""

from __future__ import annotations

from ..finding import Severity
from ..rule import Rule


class InvalidFrontMatter(Rule):
    """## What it does
    Reports front matter (YAML between `---` lines, or TOML between `+++` lines) that cannot
    be parsed. The finding starts where the parser found the error and runs to the end of
    that line (it is empty when the error is at a line's end or at the end of the block).

    Also reports a first line `---` or `+++` that is never closed: then the page has no front
    matter at all, and markdown reads the line as a thematic break. The finding is that line.

    ## Why is this bad?
    The site generator fails on the page, or silently drops its title, date and speakers.
    Every rule that reads front matter fields has nothing to check.

    ## Example
    ```markdown
    ---
    title: Keynote: the future of Python
    ---
    ```
    A plain YAML value cannot hold `: `. Use instead:
    ```markdown
    ---
    title: "Keynote: the future of Python"
    ---
    ```
    """

    code = "TL301"
    name = "invalid-front-matter"
    summary = "Front matter that cannot be parsed"
    severity = Severity.ERROR
    fixable = "never"

    def check(self, ctx):
        doc = ctx.document
        unclosed = getattr(doc, "unclosed_front_matter", None)
        if unclosed is not None:
            delimiter = ctx.source.text[unclosed.start:unclosed.end].rstrip(" \t")
            yield self.finding(unclosed.start, unclosed.end,
                               f"Front matter opened with `{delimiter}` is never closed: "
                               f"the page has no front matter")
        fm = doc.front_matter
        if fm is None or fm.error is None:
            return
        offset, message = fm.error
        source = ctx.source
        offset = max(0, min(offset, len(source.text)))
        line_end = source.line_ends[source.line_index(offset)]
        # An error at the end of the block ("end of stream") must not point at the closing
        # delimiter line: it is then empty.
        end = max(offset, min(line_end, fm.body_span.end))
        kind = (fm.kind or "").upper() or "front matter"
        yield self.finding(offset, end, f"Invalid {kind} front matter: {message}")


RULES = [InvalidFrontMatter]
