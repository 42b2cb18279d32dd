"""Span oracle entries for the time-zone rules (merged into oracle.ORACLE).

Written from docs/timezones.md, not from checks/timezones.py or talklint.zones: a span must hold
exactly one zone abbreviation or UTC offset, standing alone (no letter or digit glued to it),
quoted at the start of the message; for TL350/TL351 the zone and date the message names are
looked up again in the IANA database, which must give the offset the message says is right.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

_ABBREVIATION = re.compile(r"[A-Z]{2,5}")
_OFFSET = re.compile(r"(?:UTC|GMT|UT)?[ \u00a0]?([+\-\u2212])[ \u00a0]?(\d{1,2})(?::?(\d{2}))?")
_RIGHT = re.compile(r"(?P<zone>[A-Z][A-Za-z_]+(?:/[A-Za-z_\-]+)+)\)?`? on (?P<day>\d{4}-\d\d-\d\d)\b.*"
                    r"it is (?:(?P<abbr>\S+) )?\(?UTC(?P<sign>[+-])(?P<h>\d\d):(?P<m>\d\d)\)? then$")
# Written zones that name UTC itself: never reported by these rules.
_UTC = {"UTC", "UT", "GMT", "Z"}
_AMBIGUOUS = {"CST", "IST", "BST", "AST", "PST", "CDT"}


def _standing_alone(source, f) -> bool:
    """Nothing glued to the zone, except the time before an offset ("09:00:00-07:00")."""
    text = source.text
    before = text[f.start - 1] if f.start else " "
    after = text[f.end] if f.end < len(text) else " "
    glued_before = before.isalpha() or (before.isdigit() and text[f.start].isalpha())
    return not glued_before and not (after.isalnum() or after == ":")


def _quoted_first(span_text, f) -> bool:
    return f.message.startswith(f"`{span_text}` ")


def _offset(text: str) -> dt.timedelta | None:
    m = _OFFSET.fullmatch(text)
    if not m:
        return None
    value = dt.timedelta(hours=int(m.group(2)), minutes=int(m.group(3) or 0))
    return value if m.group(1) == "+" else -value


def _right_offset_checks_out(f, written: dt.timedelta | None = None) -> bool:
    """The message's zone, date and "it is … (UTC±hh:mm)" agree with the IANA database at noon
    (a day of clock change is never reported), and differ from what was written."""
    m = _RIGHT.search(f.message)
    if not m:
        return False
    stated = dt.timedelta(hours=int(m["h"]), minutes=int(m["m"])) * (1 if m["sign"] == "+" else -1)
    day = dt.date.fromisoformat(m["day"])
    noon = dt.datetime.combine(day, dt.time(12), tzinfo=zoneinfo.ZoneInfo(m["zone"]))
    return noon.utcoffset() == stated and stated != written


def wrong_abbreviation(span_text, source, f):
    return (_ABBREVIATION.fullmatch(span_text) is not None and span_text not in _UTC - {"GMT"}
            and _standing_alone(source, f) and _quoted_first(span_text, f)
            and _right_offset_checks_out(f))


def wrong_offset(span_text, source, f):
    written = _offset(span_text)
    return (written is not None and written != dt.timedelta(0) and _standing_alone(source, f)
            and _quoted_first(span_text, f) and _right_offset_checks_out(f, written))


def unverifiable_zone(span_text, source, f):
    is_zone = _ABBREVIATION.fullmatch(span_text) is not None or bool(_offset(span_text))
    return (is_zone and span_text not in _UTC and span_text not in _AMBIGUOUS
            and _standing_alone(source, f) and _quoted_first(span_text, f))


def ambiguous_abbreviation(span_text, source, f):
    return (span_text in _AMBIGUOUS and _standing_alone(source, f)
            and f.message.startswith(f"`{span_text}` is ambiguous"))


ORACLE: dict = {
    "TL350": wrong_abbreviation,
    "TL351": wrong_offset,
    "TL352": unverifiable_zone,
    "TL353": ambiguous_abbreviation,
}
