"""Document structure (TL5xx): headings and the outline of a page."""

from __future__ import annotations

import re

from ..rule import Rule

ATX_MARKER = re.compile(r"#{1,6}(?=[ \t]|$)")


def heading_marker_span(source, node) -> tuple[int, int]:
    """The ``###`` of an ATX heading, or the first line of a setext heading's text.

    An ATX heading is one line, so its first ``#`` run after the node's start is the marker
    (block-quote ``>`` and list markers that may precede it hold no ``#``).
    """
    text = source.text
    start, end = node.span.start, node.span.end
    first_line_end = source.line_ends[source.line_index(start)]
    body = text[start:end].rstrip("\r\n")
    if not any(c in body for c in "\r\n"):
        m = ATX_MARKER.search(text, start, first_line_end)
        if m:
            return m.start(), m.end()
    line = text[start:first_line_end]
    lead = len(line) - len(line.lstrip(" \t>"))
    return start + lead, start + len(line.rstrip(" \t"))


class HeadingIncrement(Rule):
    """## What it does
    Reports a heading that is more than one level deeper than the heading before it, such as
    a `###` right after a `#`. The first heading may have any level, and going back up any
    number of levels is fine (markdownlint's MD001). Headings inside block quotes and lists
    count as well; headings in code blocks and HTML do not.

    ## Why is this bad?
    Headings are the page's outline: screen readers, tables of contents and search engines
    navigate by them. A skipped level is a hole in the outline, usually a heading picked for
    its font size rather than its place.

    ## Example
    ```markdown
    # Keynote: Open source for good
    ### Speaker
    ```
    Use instead:
    ```markdown
    # Keynote: Open source for good
    ## Speaker
    ```
    """

    code = "TL501"
    name = "heading-increment"
    summary = "A heading skips a level (h1 followed by h3)"
    fixable = "never"

    def check(self, ctx):
        previous = None
        for node in ctx.document.walk():
            if node.type != "heading":
                continue
            level = node.attrs.get("level")
            if not isinstance(level, int):
                continue
            if previous is not None and level > previous + 1:
                start, end = heading_marker_span(ctx.source, node)
                yield self.finding(start, end,
                                   f"Heading level {level} follows level {previous}: "
                                   f"expected level {previous + 1} at most")
            previous = level


RULES = [HeadingIncrement]
