"""Span oracle entries for the link-syntax, link-text and online rules (TL420–TL436), merged into
oracle.ORACLE. Written from the rules' specification: what characters each finding must span."""

from __future__ import annotations

import re

_PLACEHOLDERS = {"#", "todo", "tbd", "tba", "tbc", "fixme", "xxx", "url", "link", "href", "...", "…",
                 "http://", "https://", "javascript:void(0)", "javascript:void(0);", "javascript:;",
                 "about:blank", "your-link", "your-url", "insert-link", "insert-url", "add-link",
                 "http", "https", "<url>", "<link>", "<todo>", "<tbd>", "http://www.", "https://www."}


def _before(source, f, n=1):
    return source.text[max(0, f.start - n):f.start]


def _after(source, f, n=1):
    return source.text[f.end:f.end + n]


def _opens_target(source, f):
    """The span starts where a link target starts: after `(`, `<`, `]: `, a quote, `: `."""
    before = source.text[max(0, f.start - 3):f.start]
    return before.endswith(("(", "<", '"', "'", " ", "\t")) or f.start == 0


def _one_token(span_text):
    return bool(span_text) and "\n" not in span_text


def malformed_url(span_text, source, f):
    """A whole URL as written: it starts where a target starts and holds a scheme (or a
    web scheme without its colon), with no line break."""
    return (_one_token(span_text) and _opens_target(source, f)
            and re.match(r"[A-Za-z][A-Za-z0-9+.-]*(:|//)", span_text) is not None)


def link_target_space(span_text, source, f):
    """Blanks around a target (inside the parentheses), the blank of `] (`, or a whole
    target that holds a blank."""
    if span_text and not span_text.strip(" \t\n"):
        between_gap = _before(source, f) == "]" and _after(source, f) == "("
        around = _before(source, f) == "(" or _after(source, f) == ")" or _after(source, f) == "<"
        return between_gap or around
    return (_before(source, f) == "(" and _after(source, f) == ")" and " " in span_text
            and "\n" not in span_text)


def empty_link_target(span_text, source, f):
    return span_text in ("()", "(<>)") or (span_text == "" and _before(source, f, 6).lower() == 'href="')


def schemeless_link(span_text, source, f):
    return (_one_token(span_text) and _opens_target(source, f) and "://" not in span_text
            and re.match(r"(?i)(www\.|[a-z0-9-]+\.[a-z]{2,}(/|$))", span_text) is not None)


def handle_in_url_field(span_text, source, f):
    fm_end = source.text.find("\n---", 3)
    return (re.fullmatch(r"@?[A-Za-z0-9_][A-Za-z0-9_.-]*(@[A-Za-z0-9.-]+)?", span_text) is not None
            and 0 < f.start < fm_end)


def insecure_link(span_text, source, f):
    return _one_token(span_text) and span_text[:7].lower() == "http://" and _opens_target(source, f)


def placeholder_link(span_text, source, f):
    value = span_text.strip().lower()
    if value in _PLACEHOLDERS or re.fullmatch(r"x{3,}|\.{3,}", value):
        return True
    return re.search(r"(?i)(^|[/.])(example\.(com|org|net)|[^/]*\.(example|test|invalid))(/|:|$)", value) is not None


def bare_url(span_text, source, f):
    return (re.match(r"(?i)(https?|ftp)://\S+$", span_text) is not None and _before(source, f) != "<"
            and span_text[-1] not in ".,;:!?")


def link_label(span_text, source, f):
    """A link's text: between `[` and `](`."""
    return bool(span_text) and _before(source, f) == "[" and source.text.startswith("](", f.end)


def online_url(span_text, source, f):
    return _one_token(span_text) and re.match(r"(?i)https?://", span_text) is not None


ORACLE = {
    "TL420": malformed_url,
    "TL421": link_target_space,
    "TL422": empty_link_target,
    "TL423": schemeless_link,
    "TL424": handle_in_url_field,
    "TL425": insecure_link,
    "TL426": placeholder_link,
    "TL427": bare_url,
    "TL428": link_label,
    "TL429": link_label,
    **{code: online_url for code in ("TL430", "TL431", "TL432", "TL433", "TL434", "TL435", "TL436")},
}
