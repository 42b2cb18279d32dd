"""An example talklint plugin: one rule, registered through the ``talklint.rules`` entry point."""

from __future__ import annotations

import re

from talklint.finding import Severity
from talklint.rule import Rule

# Letters in any script that has case; a heading needs at least two words of them to "shout".
_CASED_WORD = re.compile(r"[^\W\d_]{2,}")


class ShoutingTitle(Rule):
    """## What it does
    Flags an ATX heading (`# …`) whose words are all written in capital letters.

    ## Why is this bad?
    A title in ALL CAPS reads as shouting, is harder to read, and looks out of place next to the
    other talks in a schedule. Themes that want capitals set them with CSS (`text-transform`).

    ## Example
    ```markdown
    # DEPLOYING DJANGO WITHOUT TEARS
    ```
    Use instead:
    ```markdown
    # Deploying Django without tears
    ```
    """

    code = "XMP001"
    name = "example-shouting-title"
    summary = "Heading written in ALL CAPS"
    severity = Severity.WARNING

    def check(self, ctx):
        text = ctx.source.text
        for node in ctx.document.walk():
            if node.type != "heading":
                continue
            raw = text[node.span.start:node.span.end]
            m = re.match(r"[ ]{0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$", raw.splitlines()[0] if raw else "")
            if not m:  # a setext heading (underlined) or an empty one
                continue
            title = m.group(2)
            words = _CASED_WORD.findall(title)
            if len(words) >= 2 and all(w.isupper() for w in words):
                start = node.span.start + m.start(2)
                yield self.finding(start, start + len(title), f"Heading is written in ALL CAPS: {title!r}")


RULES = [ShoutingTitle]
