"""Span oracle entries for the image and local-link rules (merged into oracle.ORACLE).

Written from the rules' specification: a path finding spans exactly the path characters as
written (no `?query`, no `#fragment`, no quotes or brackets), quotes that path in its message,
and — for a relative path — is checked against the file system beside the page.
"""

from __future__ import annotations

import html
import os
import re
import unicodedata
from urllib.parse import unquote

_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def _decoded(span_text):
    return unquote(html.unescape(_ESCAPE.sub(r"\1", span_text)))


def _is_path(span_text, f):
    return (bool(span_text) and span_text == span_text.strip() and not any(c in span_text for c in "?#\n")
            and span_text[0] not in "\"'<(" and f"`{_decoded(span_text)}`" in f.message)


def _beside(source, path):
    return os.path.join(os.path.dirname(os.path.abspath(source.path)), *path.split("/"))


def _names(path):
    """(folder, name) pairs from the top of ``path`` down."""
    path = os.path.normpath(path)
    parts = []
    while True:
        head, tail = os.path.split(path)
        if not tail:
            return parts[::-1]
        parts.append((head, tail))
        path = head


def _exists(path, fold):
    """True when every name along ``path`` exists, compared exactly or ignoring case."""
    current = None
    for head, tail in _names(path):
        folder = head if current is None else current
        if not os.path.isdir(folder):
            return False
        names = {fold(unicodedata.normalize("NFC", n)): n for n in os.listdir(folder)}
        key = fold(unicodedata.normalize("NFC", tail))
        if key not in names:
            return False
        current = os.path.join(folder, names[key])
    return True


def _exists_exactly(path):
    return all(os.path.isdir(h) and t in os.listdir(h) for h, t in _names(path))


def missing_path(span_text, source, f):
    """The path as written; a relative one names nothing beside the page."""
    if not _is_path(span_text, f):
        return False
    path = _decoded(span_text)
    return path.startswith("/") or not _exists_exactly(_beside(source, path)) or "static roots" in f.message


def case_mismatch(span_text, source, f):
    """The path as written; beside the page it exists only when case is ignored."""
    if not _is_path(span_text, f):
        return False
    path = _decoded(span_text)
    if path.startswith("/"):
        return True
    full = _beside(source, path)
    return _exists(full, str.casefold) and not _exists_exactly(full)


def outside_project(span_text, source, f):
    """The path as written, climbing with `..` (or root-relative)."""
    return _is_path(span_text, f) and (".." in span_text.split("/") or span_text.startswith("/"))


def missing_alt(span_text, source, f):
    """A whole markdown image with blank alt text, or a whole `<img>` tag without `alt`."""
    m = re.match(r"!\[([^\]]*)\]", span_text)
    if m:
        return not m.group(1).strip() and span_text.endswith((")", "]"))
    tag = re.fullmatch(r"<img\b(.*)>", span_text, re.I | re.S)
    return bool(tag) and not re.search(r"(?:^|\s)alt(?:\s*=|\s|/|$)", tag.group(1), re.I)


def missing_anchor(span_text, source, f):
    """The fragment after `#`, quoted in the message."""
    return (bool(span_text) and f.start > 0 and source.text[f.start - 1] == "#"
            and f"`#{_decoded(span_text)}`" in f.message)


ORACLE = {
    "TL401": missing_path,
    "TL402": case_mismatch,
    "TL403": outside_project,
    "TL404": missing_alt,
    "TL410": missing_path,
    "TL411": missing_anchor,
}
