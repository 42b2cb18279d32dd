"""Pull the facts of a page out of its front matter and its body (``facts.extract``).

* Front matter: each top-level key whose name is an alias in ``rules/data/fields.yaml`` becomes
  a fact. Values are read from the characters of the file, not from PyYAML's objects, so a
  ``2024-09-25 11:30:00-04:00`` keeps the span of each part and its written offset.
* Body: labelled lines ("- **Date:** May 6, 2025", "**Time:** 10:30 - 11:10 (CET)",
  "活动时间：2019年5月26日（周日）13:30-17:30") whose label is an alias; then every other date in
  the prose, as a ``held`` fact after "was held on" / "took place on", a ``published`` fact in a
  byline ("By November 17, 2020", "Posted on …"), a ``mentioned`` fact otherwise. Code, HTML and
  addresses are skipped.

A page without a digit in its body costs one regex pass for the labels and nothing else.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any, Iterator

import yaml

from . import when
from .document import Span
from .yamlfile import load_data
from .facts import (CANONICAL, DURATION, HELD, MENTIONED, PUBLISHED, SPEAKERS, TIMED, TIMEZONE,
                    Fact, Facts, Piece)

FRONT_MATTER = "front-matter"
BODY = "body"

_ZW = "\u200b\u200c\u200d\u2060\ufeff"


# ---------------------------------------------------------------------------------------------
# Aliases (rules/data/fields.yaml)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Aliases:
    front_matter: dict[str, str]  # normalised key → canonical fact name
    body_labels: dict[str, str]  # normalised label → canonical fact name


@functools.lru_cache(maxsize=4096)  # pages of a site repeat the same few keys
def normalise_key(key: str) -> str:
    """"Start-Datetime", "start_datetime" and "start datetime" are the same key."""
    return re.sub(r"[\s_\-]+", " ", key.strip()).casefold()


def _alias_table(data: Any, section: str) -> dict[str, str]:
    table: dict[str, str] = {}
    entries = (data or {}).get(section) or {}
    if not isinstance(entries, dict):
        raise ValueError(f"fields.yaml: `{section}` must map fact names to lists of aliases")
    for name, aliases in entries.items():
        if name not in CANONICAL:
            raise ValueError(f"fields.yaml: unknown fact name {name!r} in `{section}`")
        for alias in aliases or []:
            table[normalise_key(str(alias))] = name
    return table


@functools.lru_cache(maxsize=1)
def aliases() -> Aliases:
    from .registry import builtin_data_file

    data = load_data(builtin_data_file("fields.yaml").read_text(encoding="utf-8"))
    return Aliases(_alias_table(data, "front-matter"), _alias_table(data, "body-labels"))


# ---------------------------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------------------------


def _timed(text: str, start: int, end: int, *, timestamp: bool) -> when.Expr:
    """The date/time value written in ``text[start:end]`` (UNREADABLE when there is none)."""
    expr = when.parse_timestamp(text, start, end) if timestamp else None
    if expr is None:
        expr = when.parse_value(text, start, end)
    if expr is None:
        return when.Expr(Span(start, end), None, when.UNREADABLE)
    return expr


def _speaker_pieces(text: str, start: int, end: int) -> list[Piece]:
    """Names in a written list: "Ada Lovelace, Grace Hopper and Alan Turing", "张三、李四"."""
    pieces = []
    for m in re.finditer(r"[^,，、;；&/]+", text[start:end]):
        for part in re.finditer(r"(?:(?!\s+and\s).)+", m.group()):
            name = part.group().strip(" \t*_")
            name = re.sub(r"^and\s+", "", name)
            if name:
                offset = text.find(name, start + m.start() + part.start(), start + m.end())
                pieces.append(Piece(name, Span(offset, offset + len(name))))
    return pieces


def _unquoted(text: str, span: Span) -> tuple[int, int]:
    s, e = span.start, span.end
    if e - s >= 2 and text[s] in "'\"" and text[e - 1] == text[s]:
        return s + 1, e - 1
    return s, e


def _fact(name: str, origin: str, key: str, text: str, s: int, e: int, value: Any = None,
          problem: str | None = None) -> Fact:
    return Fact(name, origin, key, Span(s, e), text[s:e], value, problem)


def _expr_fact(name: str, origin: str, key: str, text: str, s: int, e: int, expr: when.Expr) -> Fact:
    problem = expr.problem or when.value_problem(expr.value)
    fact = _fact(name, origin, key, text, s, e, expr.value, problem)
    fact.readings = expr.readings
    return fact


def _value_fact(name: str, origin: str, key: str, text: str, s: int, e: int, raw_value: Any,
                *, timestamp: bool) -> Fact:
    """A fact whose value is read from ``text[s:e]`` according to its kind."""
    if name in TIMED:
        return _expr_fact(name, origin, key, text, s, e, _timed(text, s, e, timestamp=timestamp))
    elif name == DURATION:
        value = when.parse_duration(raw_value)
        problem = None if value is not None else when.UNREADABLE
    elif name == TIMEZONE:
        value = when.parse_zone(text, s, e)
        problem = None if value is not None else when.UNREADABLE
    elif name == SPEAKERS:
        value, problem = _speaker_pieces(text, s, e), None
    else:
        value, problem = (raw_value.strip() if isinstance(raw_value, str) else raw_value), None
    return _fact(name, origin, key, text, s, e, value, problem)


# ---------------------------------------------------------------------------------------------
# Front matter
# ---------------------------------------------------------------------------------------------


def _front_matter_facts(document: Any, table: dict[str, str]) -> Iterator[Fact]:
    fm = document.front_matter
    if fm is None or not fm.fields:
        return
    text = document.source.text
    for key, entry in fm.fields.items():
        name = table.get(normalise_key(key))
        if name is None or entry.value_span is None or entry.value is None:
            continue
        if isinstance(entry.value, list):
            yield from _list_facts(name, key, entry, fm, text)
        elif not isinstance(entry.value, dict):
            s, e = _unquoted(text, entry.value_span)
            yield _value_fact(name, FRONT_MATTER, key, text, s, e, entry.value, timestamp=True)


def _list_facts(name: str, key: str, entry: Any, fm: Any, text: str) -> Iterator[Fact]:
    """A list value: speakers become one fact with a piece per item; other kinds one fact per
    item (``dates: [2025-05-06, 2025-05-07]``)."""
    items = _list_item_spans(fm, key, text)
    if name == SPEAKERS:
        pieces = [Piece(text[s:e], Span(s, e)) for s, e in items]
        span = entry.value_span
        yield _fact(name, FRONT_MATTER, key, text, span.start, span.end, pieces)
        return
    for s, e in items:
        yield _value_fact(name, FRONT_MATTER, key, text, s, e, text[s:e], timestamp=True)


def _list_item_spans(fm: Any, key: str, text: str) -> list[tuple[int, int]]:
    node = fm.node_at(key)
    if not isinstance(node, yaml.SequenceNode):
        return []
    spans = []
    for item in node.value:
        if isinstance(item, yaml.MappingNode):  # speakers: [{name: Ada, …}]
            item = next((v for k, v in item.value if getattr(k, "value", None) == "name"), None)
        if isinstance(item, yaml.ScalarNode) and item.value:
            span = fm.node_span(item)
            spans.append(_unquoted(text, span))
    return spans


# ---------------------------------------------------------------------------------------------
# Body: labelled lines
# ---------------------------------------------------------------------------------------------

_LABEL_LINE = re.compile(
    rf"^[ \t]*(?:>[ \t]*)*(?:[-*+][ \t]+|\d{{1,2}}[.)][ \t]+)?[{_ZW}]*(?:\*\*|__)?[{_ZW}]*"
    rf"(?P<label>[^\W\d_](?:[\w&/'’-]|[ ](?=[\w&])){{0,30}})"
    rf"[ \t]*(?:\*\*|__)?[{_ZW}]*[ \t]*[:：](?!//)[ \t]*(?:\*\*|__)?[{_ZW}]*[ \t]*"
    rf"(?P<value>[^\r\n]*)", re.MULTILINE)
_MAX_LABEL_PREFIX = 80  # a label's colon is near the start of its line
_VALUE_TAIL = re.compile(rf"(?:[ \t{_ZW}]|\*\*|__|\\)+$")


def _label_value_span(text: str, m: re.Match, table: dict[str, str]) -> tuple[int, int]:
    """The value of a labelled line without what follows it (an HTML comment, the closing
    ``**`` of "**Track: AI Infra**", trailing blanks) and without a repeated label
    ("活动时间：时间：2019 年…")."""
    s, e = m.span("value")
    comment = text.find("<!--", s, e)
    if comment >= 0:
        e = comment
    inner = _LABEL_LINE.match(text[s:e])
    if inner and table.get(normalise_key(inner.group("label"))) and inner.group("value"):
        s += inner.start("value")
    tail = _VALUE_TAIL.search(text, s, e)
    if tail is not None:
        e = tail.start()
    return s, max(s, e)


def _label_matches(text: str, start: int) -> Iterator[re.Match]:
    """Labelled lines, found from their colons: str.find skips text many times faster than a
    regex tries a line-anchored pattern at every position of a long page."""
    for colon_char in (":", "："):
        pos = text.find(colon_char, start)
        while pos >= 0:
            line_start = text.rfind("\n", 0, pos) + 1
            if pos - line_start <= _MAX_LABEL_PREFIX and line_start >= start:
                m = _LABEL_LINE.match(text, line_start)
                if m is not None and m.start("value") > pos:
                    yield m
            next_line = text.find("\n", pos)
            pos = -1 if next_line < 0 else text.find(colon_char, next_line)


def _label_facts(document: Any, table: dict[str, str], start: int) -> Iterator[Fact]:
    text = document.source.text
    for m in sorted(_label_matches(text, start), key=lambda m: m.start()):
        name = table.get(normalise_key(m.group("label")))
        if name is None:
            continue
        if document.is_code(m.start("label")) or document.is_html(m.start("label")):
            continue
        s, e = _label_value_span(text, m, table)
        if s == e:
            continue
        yield _value_fact(name, BODY, m.group("label").strip(), text, s, e, text[s:e],
                          timestamp=False)


# ---------------------------------------------------------------------------------------------
# Body: dates in prose
# ---------------------------------------------------------------------------------------------

# Before a date, on its line: the reported event is over ("was held on", "took place on").
_HELD_BEFORE = re.compile(
    r"(?:\b(?:was|were|had\s+been|has\s+been)\s+(?:successfully\s+|first\s+|officially\s+)?"
    r"(?:held|hosted|organi[sz]ed)|\btook\s+place|\bhappened)\s+(?:on\s+)?(?:the\s+)?$", re.IGNORECASE)
# 于 2020 年 11 月 7 日 (在…) 举办/举行/召开 — but not 将于 / 即将于 (will be held).
_HELD_CJK_BEFORE = re.compile(r"(?<![将会])于\s*$")
_HELD_CJK_AFTER = re.compile(r"[^。\n]{0,30}?(?:成功)?(?:举办|举行|召开)(?!\S{0,3}(?:报名|预告))")
# A byline: the page's own publication date.
_BYLINE_BEFORE = re.compile(
    r"^[ \t>*_-]*(?:By\s+(?:[A-Z][\w.'’-]*\s+){0,3}?(?:on\s+)?|(?:Posted|Published)\s+(?:on\s+)?|"
    r"发布于\s*|发表于\s*|发布时间[:：]\s*)$")
_URLISH = re.compile(r"://|^www\.|^/|\]\(")


def _classify(text: str, expr: when.Expr, line_start: int) -> tuple[str, str]:
    """(fact name, key) of a date found in prose."""
    before = text[line_start:expr.span.start]
    held = _HELD_BEFORE.search(before)
    if held:
        return HELD, held.group().strip()
    if _HELD_CJK_BEFORE.search(before) and _HELD_CJK_AFTER.match(text, expr.span.end):
        return HELD, "于"
    byline = _BYLINE_BEFORE.match(before)
    if byline:
        return PUBLISHED, byline.group().strip(" \t>*_-") or "By"
    return MENTIONED, ""


def _in_address(text: str, span: Span) -> bool:
    """A date inside a URL, a path or a file name ("/2024/05/06/", "2020-11-07-recap.md")."""
    s = span.start
    while s > 0 and not text[s - 1].isspace() and text[s - 1] not in "([<\"'":
        s -= 1
    before = text[s:span.start]
    after = text[span.end:span.end + 1]
    return bool(_URLISH.search(before)) or before.endswith("/") or after in ("/", "-", "_")


def _prose_facts(document: Any, start: int, claimed: list[Span]) -> Iterator[Fact]:
    text = document.source.text
    for expr in when.scan_dates(text, start):
        span = expr.span
        if any(c.start <= span.start < c.end for c in claimed):
            continue
        if document.is_code(span.start) or document.is_html(span.start) or _in_address(text, span):
            continue
        line_start = text.rfind("\n", 0, span.start) + 1
        name, key = _classify(text, expr, line_start)
        yield _expr_fact(name, BODY, key, text, span.start, span.end, expr)


# ---------------------------------------------------------------------------------------------


def extract_facts(document: Any) -> Facts:
    table = aliases()
    facts = Facts()
    facts.items.extend(_front_matter_facts(document, table.front_matter))
    text = document.source.text
    fm = document.front_matter
    body_start = fm.span.end if fm is not None else 0
    labelled = list(_label_facts(document, table.body_labels, body_start))
    facts.items.extend(labelled)
    if any(text.find(digit, body_start) >= 0 for digit in "0123456789"):  # memchr-fast
        facts.items.extend(_prose_facts(document, body_start, [f.span for f in labelled]))
    return facts
