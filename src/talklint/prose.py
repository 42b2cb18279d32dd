"""Where the prose is: the parts of a document that are written text, not code or addresses.

Rules about words (typos, entity names, phrases) must not fire inside code, front matter, HTML
tags, link destinations, bare URLs or e-mail addresses. This module computes those excluded
ranges once per file and caches them in ``Context.shared``.
"""

from __future__ import annotations

import bisect
import re

from .document import Span

BARE_URL = re.compile(r"""(?:https?|ftp)://[^\s<>"'`)\]]+|www\.[^\s<>"'`)\]]+""", re.IGNORECASE)
# An address starts where its local part starts: without the lookbehind, each position of a
# long run of word characters (a 100,000-character front-matter key) would be tried as the
# start of an address, each try scanning to the end of the run — quadratic time.
EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# The "@" first and the look-behind after it: the regex engine then skips from "@" to "@".
HANDLE = re.compile(r"@(?<![\w@]@)[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?")


class ExcludedRanges:
    """Sorted, merged ranges of non-prose text with a fast overlap test."""

    def __init__(self, spans: list[tuple[int, int]]):
        merged: list[list[int]] = []
        for s, e in sorted(spans):
            if merged and s <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], e)
            else:
                merged.append([s, e])
        self.starts = [s for s, _ in merged]
        self.ends = [e for _, e in merged]

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect.bisect_right(self.starts, max(start, end - 1)) - 1
        return i >= 0 and self.ends[i] > start

    def __contains__(self, offset: int) -> bool:
        return self.overlaps(offset, offset + 1)


def excluded_ranges(ctx) -> ExcludedRanges:
    """Ranges that word rules must skip, cached per file."""
    cached = ctx.shared.get("prose.excluded")
    if cached is not None:
        return cached
    doc = ctx.document
    text = ctx.source.text
    fm = doc.front_matter
    spans: list[tuple[int, int]] = [
        (s.start, s.end) for s in doc.code_spans if fm is None or s != fm.span
    ]
    if fm is not None:
        spans += _front_matter_outside_text_values(fm)
    spans += [(s.start, s.end) for s in getattr(doc, "html_spans", [])]
    for node in doc.walk():
        url_span = node.attrs.get("url_span") if node.attrs else None
        if url_span is not None:
            spans.append((url_span.start, url_span.end))
    # addresses and handles need an "@": most pages have none, and scanning for them is slow
    for pattern in (BARE_URL, EMAIL, HANDLE) if "@" in text else (BARE_URL,):
        spans += [m.span() for m in pattern.finditer(text)]
    result = ExcludedRanges(spans)
    ctx.shared["prose.excluded"] = result
    return result


def span_text(ctx, span: Span) -> str:
    return ctx.source.text[span.start:span.end]


def _front_matter_outside_text_values(fm) -> list[tuple[int, int]]:
    """The front matter minus its top-level string values, which are prose (titles,
    descriptions); keys, dates, numbers and lists stay excluded."""
    keep = sorted(
        (f.value_span.start, f.value_span.end)
        for f in fm.fields.values()
        if f.value_span is not None and isinstance(f.value, str)
    )
    out: list[tuple[int, int]] = []
    pos = fm.span.start
    for s, e in keep:
        if s > pos:
            out.append((pos, s))
        pos = max(pos, e)
    if pos < fm.span.end:
        out.append((pos, fm.span.end))
    return out
