"""Span oracle entries for the schema rules (merged into oracle.ORACLE).

Written from docs/schema.md, not from checks/schema.py: the front matter is split and parsed
again here with PyYAML or tomllib, and a span must hold exactly the key, the value or the
opening line that the finding is about.
"""

from __future__ import annotations

import re
import sys

import yaml

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

_OPEN = re.compile(r"\A(---|\+\+\+)[ \t]*(?:\r\n|\r|\n)")
_QUOTED = re.compile(r"`([^`]+)`")


def _front(source):
    """(kind, data, body start offset, body end offset) of the front matter, or None."""
    text = source.text
    m = _OPEN.match(text)
    if not m:
        return None
    delim = m.group(1)
    closers = ("---", "...") if delim == "---" else ("+++",)
    pos = m.end()
    for line in re.finditer(r"[^\r\n]*(?:\r\n|\r|\n|$)", text[pos:]):
        if line.group().rstrip("\r\n").rstrip(" \t") in closers:
            body = text[pos:pos + line.start()]
            try:
                data = yaml.safe_load(body) if delim == "---" else tomllib.loads(body.replace("\r\n", "\n"))
            except Exception:
                return None
            return ("yaml" if delim == "---" else "toml"), data, pos, pos + line.start()
        if not line.group():
            break
    return None


def _load_value(kind, span_text):
    """The value a span's text stands for, read the way the front matter reads it."""
    try:
        if kind == "yaml":
            return True, yaml.safe_load(span_text)
        return True, tomllib.loads("x = " + span_text)["x"]
    except Exception:
        return False, None


def _first_key(message):
    m = _QUOTED.search(message)
    return m.group(1) if m else None


def _is_top_level_key(span_text, source, f, front):
    kind, data, start, end = front
    if not isinstance(data, dict) or not (start <= f.start < f.end <= end):
        return False
    line_start = source.line_starts[source.line_index(f.start)]
    if source.text[line_start:f.start].strip(" \t"):
        return False  # a key of the top level starts its line
    after = source.text[f.end:f.end + 64].lstrip(" \t")
    ok, key = _load_value(kind, span_text) if span_text[:1] in "\"'" else (True, span_text)
    return ok and key in data and after[:1] == (":" if kind == "yaml" else "=")


def missing_field(span_text, source, f):
    """The opening delimiter line, or an empty span at 0 for a page without front matter; the
    field named is not a top-level key."""
    front = _front(source)
    field = _first_key(f.message)
    if front is None:
        return f.start == f.end == 0 and field is not None
    data = front[1]
    first_line_end = source.line_ends[0]
    return ((f.start, f.end) == (0, first_line_end) and span_text.rstrip(" \t") in ("---", "+++")
            and not (isinstance(data, dict) and field in data))


def _is_empty(value):
    return value is None or value == [] or value == {} or (isinstance(value, str) and not value.strip())


def empty_field(span_text, source, f):
    """The empty value of the key named, or the key itself when nothing follows its colon."""
    front = _front(source)
    key = _first_key(f.message)
    if front is None or not isinstance(front[1], dict) or key not in front[1]:
        return False
    kind, data, start, end = front
    if not (start <= f.start <= f.end <= end) or not _is_empty(data[key]):
        return False
    if span_text == key:
        rest = source.text[f.end:source.line_ends[source.line_index(f.end)]].lstrip(" \t")
        return rest.startswith(":") and (rest[1:].strip(" \t") == "" or rest[1:].lstrip(" \t").startswith("#"))
    ok, value = _load_value(kind, span_text)
    return ok and _is_empty(value) and value == data[key]


def _value_or_item(span_text, source, f, front, key):
    """The span's text is the value of ``key`` or one item of it (when it is a list)."""
    kind, data, start, end = front
    if not isinstance(data, dict) or key not in data or not (start <= f.start < f.end <= end):
        return None
    ok, value = _load_value(kind, span_text)
    if not ok:
        return None
    if value == data[key]:
        return "value", value
    if isinstance(data[key], list) and value in data[key]:
        return "item", value
    return None


def wrong_field_type(span_text, source, f):
    """The value (or an item) of the key the message names, not empty."""
    front = _front(source)
    key = _first_key(f.message)
    if front is None or key is None:
        return False
    found = _value_or_item(span_text, source, f, front, key)
    return found is not None and not _is_empty(found[1])


def field_whitespace(span_text, source, f):
    """A text value (or item) of the key named with white space at an edge; a fix only deletes
    white space inside the span."""
    front = _front(source)
    key = _first_key(f.message)
    if front is None or key is None:
        return False
    found = _value_or_item(span_text, source, f, front, key)
    if found is None or not isinstance(found[1], str) or found[1] == found[1].strip():
        return False
    if f.fix is not None:
        for e in f.fix.edits:
            removed = source.text[e.start:e.end]
            if e.replacement or not (f.start <= e.start < e.end <= f.end) or removed.strip():
                return False
    return True


def _osa(a, b):
    d = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        d[i][0] = i
    for j in range(len(b) + 1):
        d[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[-1][-1]


def misspelled_key(span_text, source, f):
    """A top-level key, and each key suggested is one or two edits away from it."""
    front = _front(source)
    if front is None or not _is_top_level_key(span_text, source, f, front):
        return False
    m = re.match(r"Unknown key `([^`]+)`: did you mean (.*?)\?", f.message)
    key = span_text.strip("\"'")
    if not m or m.group(1) != key:
        return False
    suggested = _QUOTED.findall(m.group(2))
    return bool(suggested) and all(0 < _osa(key.casefold(), s.casefold()) <= 2 for s in suggested)


def unknown_key(span_text, source, f):
    front = _front(source)
    return (front is not None and _is_top_level_key(span_text, source, f, front)
            and _first_key(f.message) == span_text.strip("\"'"))


ORACLE = {
    "TL310": missing_field,
    "TL311": empty_field,
    "TL312": wrong_field_type,
    "TL313": field_whitespace,
    "TL314": misspelled_key,
    "TL315": unknown_key,
}
