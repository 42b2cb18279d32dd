"""Invisible characters (TL204): characters that take no room on the page but change the text."""

from __future__ import annotations

import re
import unicodedata

from ..finding import Applicability, Fix
from ..rule import Rule

# Deliberately absent: U+200C/U+200D (ZWNJ/ZWJ join emoji sequences and shape Indic, Persian
# and Arabic script), variation selectors, U+00AD soft hyphen and the LRM/RLM marks, which all
# have legitimate uses in text. TAB, LF and CR are ordinary whitespace.
INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
    "\u200b\u2060\ufeff"
    "\u202a-\u202e\u2066-\u2069"
    "\u2028\u2029]+"
)

# unicodedata.name() has no name for control characters; these are their Unicode name aliases.
_C0 = (
    "NULL", "START OF HEADING", "START OF TEXT", "END OF TEXT", "END OF TRANSMISSION", "ENQUIRY",
    "ACKNOWLEDGE", "ALERT", "BACKSPACE", "CHARACTER TABULATION", "LINE FEED", "LINE TABULATION",
    "FORM FEED", "CARRIAGE RETURN", "SHIFT OUT", "SHIFT IN", "DATA LINK ESCAPE", "DEVICE CONTROL ONE",
    "DEVICE CONTROL TWO", "DEVICE CONTROL THREE", "DEVICE CONTROL FOUR", "NEGATIVE ACKNOWLEDGE",
    "SYNCHRONOUS IDLE", "END OF TRANSMISSION BLOCK", "CANCEL", "END OF MEDIUM", "SUBSTITUTE", "ESCAPE",
    "INFORMATION SEPARATOR FOUR", "INFORMATION SEPARATOR THREE", "INFORMATION SEPARATOR TWO",
    "INFORMATION SEPARATOR ONE",
)
_C1 = (
    "PADDING CHARACTER", "HIGH OCTET PRESET", "BREAK PERMITTED HERE", "NO BREAK HERE", "INDEX",
    "NEXT LINE", "START OF SELECTED AREA", "END OF SELECTED AREA", "CHARACTER TABULATION SET",
    "CHARACTER TABULATION WITH JUSTIFICATION", "LINE TABULATION SET", "PARTIAL LINE FORWARD",
    "PARTIAL LINE BACKWARD", "REVERSE LINE FEED", "SINGLE SHIFT TWO", "SINGLE SHIFT THREE",
    "DEVICE CONTROL STRING", "PRIVATE USE ONE", "PRIVATE USE TWO", "SET TRANSMIT STATE",
    "CANCEL CHARACTER", "MESSAGE WAITING", "START OF GUARDED AREA", "END OF GUARDED AREA",
    "START OF STRING", "SINGLE GRAPHIC CHARACTER INTRODUCER", "SINGLE CHARACTER INTRODUCER",
    "CONTROL SEQUENCE INTRODUCER", "STRING TERMINATOR", "OPERATING SYSTEM COMMAND", "PRIVACY MESSAGE",
    "APPLICATION PROGRAM COMMAND",
)


_C1_RE = re.compile("[\x80-\x9f]")


def char_name(ch: str) -> str:
    o = ord(ch)
    if o < 0x20:
        return _C0[o]
    if o == 0x7F:
        return "DELETE"
    if 0x80 <= o <= 0x9F:
        return _C1[o - 0x80]
    return unicodedata.name(ch, "UNNAMED CHARACTER")


def describe(run: str) -> str:
    """``U+200B ZERO WIDTH SPACE ×2, U+2060 WORD JOINER``: each character, repeats collapsed."""
    parts: list[str] = []
    i = 0
    while i < len(run):
        j = i
        while j < len(run) and run[j] == run[i]:
            j += 1
        label = f"U+{ord(run[i]):04X} {char_name(run[i])}"
        parts.append(label if j - i == 1 else f"{label} ×{j - i}")
        i = j
    return ", ".join(parts)


class InvisibleCharacter(Rule):
    """## What it does
    Reports characters that are invisible on the page but present in the text: zero width
    space (U+200B), word joiner (U+2060), a stray byte order mark (U+FEFF) after the start of
    the file, control characters other than tab and line breaks (form feed, vertical tab,
    escape, delete, and the C1 controls U+0080–U+009F), the bidirectional embedding, override
    and isolate controls (U+202A–U+202E, U+2066–U+2069), and the line and paragraph separators
    U+2028/U+2029. Adjacent characters are reported together. Code and front matter are
    checked too.

    Zero width joiner and non-joiner (U+200D, U+200C), variation selectors, the soft hyphen
    and the left-to-right/right-to-left marks are not reported: emoji sequences and many
    scripts need them.

    ## Why is this bad?
    They come in with text pasted from word processors, chat tools and CMS exports. They
    break search ("Django" with a zero width space inside does not match "Django"),
    comparisons of names, slugs and URLs, and YAML values; bidirectional overrides can make
    text read differently from how it is stored. C1 controls are almost always the trace of
    text decoded with the wrong encoding: a run of them that lies inside a mojibake span
    (`â€\u009d` for `”`, Latin-1 `â\u0080\u0099` for `’`) is left to TL102, which
    reports the whole span with its repair; a run only partly inside one is reported here in
    full.

    ## Example
    ```markdown
    - ⟨U+2060⟩Ways of maximising talents in projects
    ```
    The item starts with an invisible U+2060 WORD JOINER, shown here as `⟨U+2060⟩`.
    Use instead:
    ```markdown
    - Ways of maximising talents in projects
    ```

    ## Fix
    Deletes the characters. Unsafe: a zero width space may be the only thing between two
    words (or a deliberate break opportunity in a long URL), and a separator may stand for a
    line break.
    """

    code = "TL204"
    name = "invisible-character"
    summary = "Zero width spaces, control characters and other invisible characters"
    fixable = "always"

    def check(self, ctx):
        spans = None
        for m in INVISIBLE.finditer(ctx.source.text):
            run = m.group()
            if _C1_RE.search(run):
                # C1 controls inside a mojibake span (â€\x9d for ”) are TL102's, with a repair.
                if spans is None:
                    from .mojibake import damage

                    spans = damage(ctx)
                from .mojibake import in_damage

                if in_damage(spans, m.start(), m.end()):
                    continue
            plural = "s" if len(run) > 1 else ""
            message = f"Invisible character{plural} {describe(run)}"
            if any(0x80 <= ord(c) <= 0x9F for c in run):
                message += " (C1 controls usually mean text was decoded with the wrong encoding)"
            yield self.finding(m.start(), m.end(), message,
                               fix=Fix.delete(m.start(), m.end(), f"Delete the invisible character{plural}",
                                              Applicability.UNSAFE))


RULES = [InvisibleCharacter]
