"""Span oracle entries for the cross-file rules (merged into oracle.ORACLE).

Each checks, from the rule's specification, that the span is exactly one value as written:
one whole front-matter scalar (no quotes, no blanks, nothing of a neighbouring word) on one
line, and that it is the value the message talks about.
"""

from __future__ import annotations

import re


def _whole_value(span_text, source, f) -> bool:
    """One line, no blanks or quotes at its edges, not cut out of a longer word or slug."""
    if not span_text or "\n" in span_text or "\r" in span_text:
        return False
    if span_text != span_text.strip() or span_text[0] in "'\"" or span_text[-1] in "'\"":
        return False
    text = source.text
    before = text[f.start - 1] if f.start else " "
    after = text[f.end] if f.end < len(text) else " "
    return not (before.isalnum() or before in "-_") and not (after.isalnum() or after in "-_")


def linked_slug(span_text, source, f):
    """A link value (slug, id or name) that the message names as the missing one."""
    return _whole_value(span_text, source, f) and f"names `{span_text}`," in f.message


def event_dates(span_text, source, f):
    """The dates as written (holding a digit), quoted in the message as this page's."""
    return (_whole_value(span_text, source, f) and re.search(r"\d", span_text) is not None
            and f" is on `{span_text}` here, " in f.message)


def speaker_name(span_text, source, f):
    """A name as written, with a letter, quoted in the message as this page's spelling."""
    return (_whole_value(span_text, source, f) and any(c.isalpha() for c in span_text)
            and f.message.startswith(f"Speaker name `{span_text}` is written `"))


ORACLE: dict = {
    "TL360": linked_slug,
    "TL361": linked_slug,
    "TL362": event_dates,
    "TL363": speaker_name,
}
