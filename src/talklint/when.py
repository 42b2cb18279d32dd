"""Dates, times and time zones as a conference world writes them, each part with its span.

Everything here reads a slice ``text[start:end]`` of the whole file and returns values whose
spans are offsets into ``text``, so a rule can point at the exact day, weekday or zone.

Understood (see docs/facts.md for the full list):

* ISO 8601 and YAML timestamps: ``2025-05-06``, ``2025-05-06T10:30:00+02:00``,
  ``2024-09-25 11:30:00-04:00``, ``2019-05-21T11:20:00.000Z``; ``2025/05/06``, ``2025.05.06``.
* English: ``May 6, 2025``, ``6 May 2025``, ``Nov. 7, 2020``, ``Tuesday, May 6, 2025``,
  ``September 23rd``; ranges ``May 6-7, 2025``, ``6–7 May 2025``, ``May 30 - June 1, 2025``.
* CJK: ``2025年5月6日``, ``2019 年 11 月 24 日（星期日）``, ``5月6日（周二）``, ``5 月 24 日-- 6 月 13 日``.
* Numeric day/month orders: ``13/04/2025`` is read, ``03/04/2025`` is *ambiguous* and never
  guessed (the expression carries :data:`AMBIGUOUS` and both readings).
* Times: ``14:30``, ``2 pm``, ``2:30PM``, ``上午 9:30``, ``晚 7 点``, ``noon``; ranges with ``-``,
  ``–``, ``—``, ``to``, ``~``, ``至``; a zone after them: ``CET``, ``(CET)``, ``Europe/Paris``,
  ``UTC+8``, ``GMT-7``, ``+02:00``.

Impossible values (Feb 30, month 13, 25:00) are kept, with a problem, so that a rule can report
them: nothing here guesses or silently drops what was written.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, replace
from typing import Any, Iterator, Union

from . import zones
from .document import Span
from .facts import DateValue, Moment, Piece, Range, TimeValue, ZoneValue
from .lazyre import LazyPattern

Value = Union[Moment, Range]

# Problems an expression or a fact can carry.
INVALID_DATE = "invalid date"
INVALID_TIME = "invalid time"
AMBIGUOUS = "ambiguous numeric date"
MALFORMED = "malformed timestamp"
UNREADABLE = "unreadable"

_S = r"[ \t\u00a0\u202f\u3000]"  # blanks inside one expression (never a line break)
_ZW = "\u200b\u200c\u200d\u2060\ufeff"


def _cases(*names: str) -> str:
    """An alternation matching each name capitalised or in capitals, never in lower case: "may"
    and "sun" are words, "May" and "Sun" at the start of a date are not."""
    out = []
    for name in names:
        out.append(name)
        out.append(name.upper())
    return "|".join(sorted(set(out), key=len, reverse=True))


_MONTH_NAMES = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
    "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9,
    "sept": 9, "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12,
    "december": 12,
}
_WEEKDAY_NAMES = {
    "mon": 0, "monday": 0, "tue": 1, "tues": 1, "tuesday": 1, "wed": 2, "wednesday": 2,
    "thu": 3, "thur": 3, "thurs": 3, "thursday": 3, "fri": 4, "friday": 4, "sat": 5,
    "saturday": 5, "sun": 6, "sunday": 6,
}
_CJK_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "七": 6}

_MON = "(?:" + _cases(*(n.capitalize() for n in _MONTH_NAMES)) + ")"
_WD = "(?:" + _cases(*(n.capitalize() for n in _WEEKDAY_NAMES)) + ")"
_YEAR = r"(?:1[89]|2\d)\d\d(?!\d)"
_ORD = r"(?:st|nd|rd|th)?"
_DAY_END = r"(?![\d:：])(?![A-Za-z])"
# Between the two ends of a date range.
_DATE_SEP = rf"(?:{_S}*(?:-{{1,2}}|–|—|~|～|至|到){_S}*|{_S}+(?:to|through|thru|until|till){_S}+)"
_CJK_WD = (rf"(?:{_S}*[，,、]?{_S}*[（(]?{_S}*(?P<cw>(?:周|星期|礼拜)[一二三四五六日天七])"
           rf"(?:{_S}*[）)])?)?")

_FORMS = {
    # Tuesday, May 6, 2025 · Nov. 7, 2020 · May 6-7, 2025 · May 30 - June 1, 2025
    "mdy": (rf"(?:(?P<aw>{_WD})\.?,?{_S}+(?:the{_S}+)?)?"
            rf"(?P<am>{_MON})(?:\.{_S}*|{_S}+)(?P<ad>\d{{1,2}}){_ORD}{_DAY_END}"
            rf"(?:{_DATE_SEP}(?:(?P<am2>{_MON})(?:\.{_S}*|{_S}+))?(?P<ad2>\d{{1,2}}){_ORD}{_DAY_END})?"
            rf"(?:,?{_S}+(?P<ay>{_YEAR})(?![0-9a-z_]))?"),
    # Monday, 24 June, 2019 · 6–7 May 2025 · 30th of May
    "dmy": (rf"(?:(?P<bw>{_WD})\.?,?{_S}+(?:the{_S}+)?)?"
            rf"(?<![\w.,:/])(?P<bd>\d{{1,2}}){_ORD}"
            rf"(?:{_DATE_SEP}(?P<bd2>\d{{1,2}}){_ORD})?"
            rf"{_S}+(?:of{_S}+)?(?P<bm>{_MON})\.?(?![\w])(?:,?{_S}+(?P<by>{_YEAR})(?![0-9a-z_]))?"),
    # 2025-05-06 · 2025/05/06 · 2025.05.06 · 2025-05-06T10:30:00+02:00
    "iso": (rf"(?<![\w./\-:])(?P<iy>\d{{4}})(?P<isep>[-/.])(?P<im>\d{{1,2}})(?P=isep)(?P<id>\d{{1,2}})(?!\d)"
            rf"(?:T(?P<it>\d{{1,2}}:\d{{2}}(?::\d{{2}}(?:[.,]\d+)?)?)"
            rf"(?P<iz>Z|[+\-−]\d{{2}}(?::?\d{{2}})?)?)?(?![\w.\-/]\d)"),
    # 13/04/2025 · 03/04/2025 (ambiguous) · 06.05.2025
    "num": (rf"(?<![\w./\-:])(?P<na>\d{{1,2}})(?P<nsep>[/.\-])(?P<nb>\d{{1,2}})(?P=nsep)"
            rf"(?P<ny>{_YEAR})(?![\w]|[./\-]\d)"),
    # 2025年5月6日（周二） · 5 月 6 日 · 5月6日至7日
    "cjk": (rf"(?<![\d])(?:(?P<cy>{_YEAR}){_S}*年{_S}*)?(?P<cm>\d{{1,2}}){_S}*月{_S}*"
            rf"(?P<cd>\d{{1,2}}){_S}*[日号](?:{_DATE_SEP}(?P<cd2>\d{{1,2}}){_S}*[日号])?{_CJK_WD}"),
}
_DATE = LazyPattern("|".join(f"(?P<{name}>{body})" for name, body in _FORMS.items()))
# Cheap first passes: every date has one of these near its start. One alternation of them all
# is several times slower than the four separate searches (the regex engine tries each branch
# at every position), and the full date pattern is slower still.
_ANCHORS = (
    re.compile("月"),
    re.compile(r"[0-9](?:[/.\-][0-9]|[ \t\u00a0]+[A-Z])"),  # [0-9] scans faster than \d
    re.compile("Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec|JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC"),
)
_LOOKBACK = 32  # how far before an anchor a date may start ("Wednesday, September 25th")
_TOKEN_START = re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9]")

# -- times ------------------------------------------------------------------------------------

_MERIDIEM = r"(?P<{p}ap>[AaPp]\.?[Mm]\.?)(?![A-Za-z])"
_CJK_PERIOD = r"(?P<{p}cp>上午|下午|晚上|晚间|晚|早上|早晨|早|中午|凌晨|傍晚)"


def _time_form(p: str) -> str:
    return (rf"(?:{_CJK_PERIOD.format(p=p)}{_S}*)?"
            rf"(?:(?<![\d:.])(?P<{p}h>\d{{1,2}})[:：](?P<{p}m>\d{{2}})(?:[:：](?P<{p}s>\d{{2}})(?:[.,]\d+)?)?(?![\d])"
            rf"(?:{_S}*{_MERIDIEM.format(p=p)})?"
            rf"|(?<![\d:.])(?P<{p}h2>\d{{1,2}}){_S}*{_MERIDIEM.format(p=p + 'x')}"
            rf"|(?<![\d:.])(?P<{p}h3>\d{{1,2}}){_S}*[点點時时](?:{_S}*(?P<{p}half>半)|{_S}*(?P<{p}m3>\d{{1,2}}){_S}*分)?"
            rf"|(?P<{p}noon>[Nn]oon|NOON|[Mm]idnight|MIDNIGHT)(?![A-Za-z]))")


# "Z" alone is read only as a whole value (a timestamp's suffix), never after a time in prose.
_ABBR = "(?:" + "|".join(sorted((a for a in zones.ABBREVIATIONS if a != "Z"), key=len, reverse=True)) + ")"
_IANA_AREAS = "Africa|America|Antarctica|Arctic|Asia|Atlantic|Australia|Europe|Indian|Pacific|Etc"
_ZONE_BODY = (rf"(?P<zo>(?:UTC|GMT|UT){_S}?[+\-−]{_S}?\d{{1,2}}(?::?\d{{2}})?(?!\d)|[+\-−]\d{{2}}:?\d{{2}}(?!\d))"
              rf"|(?P<zi>(?:{_IANA_AREAS})/[A-Za-z_\-]+(?:/[A-Za-z_\-]+)?)"
              rf"|(?P<za>{_ABBR})(?![A-Za-z])")
_ZONE_AFTER = LazyPattern(rf"{_S}*(?P<open>[(（]{_S}*)?(?:{_ZONE_BODY})(?(open){_S}*[)）])")
_ZONE_WHOLE = LazyPattern(rf"{_S}*(?:{_ZONE_BODY}|(?P<zz>Z)){_S}*\Z")

_TIME_SEP = rf"(?:{_S}*(?:-{{1,2}}|–|—|~|～|至|到){_S}*|{_S}+(?:to|until|till){_S}+)"
_TIME_ONE = LazyPattern(_time_form("t"))
_TIME_SEP_RE = LazyPattern(_TIME_SEP)
_TIME_GATE = re.compile(r"\d[:：]\d\d|\d\s*[AaPp]\.?[Mm]|[点點時时]|[Nn]oon|NOON|[Mm]idnight")

# What may stand between a date and the time that goes with it ("May 6, 2025 at 10:30").
_DATE_TIME_GLUE = LazyPattern(rf"(?:{_S}*[,，、]?{_S}*(?:(?:at|from|@|,){_S}+)?|T)")


# ---------------------------------------------------------------------------------------------
# Expressions
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expr:
    """One date, time or date-time expression found in a text: a :class:`Moment` or a
    :class:`Range`, or None with ``problem`` set (an ambiguous numeric date: ``readings``
    holds its two possible dates, day-first and month-first)."""

    span: Span
    value: Value | None
    problem: str | None = None
    readings: tuple[DateValue, ...] = ()

    @property
    def has_date(self) -> bool:
        return self.problem == AMBIGUOUS or any(m.date is not None for m in moments(self.value))

    @property
    def has_time(self) -> bool:
        return any(m.time is not None for m in moments(self.value))


def moments(value: Any) -> list[Moment]:
    """The moments of a value: itself, or a range's two ends."""
    if isinstance(value, Moment):
        return [value]
    if isinstance(value, Range):
        return [value.start, value.end]
    return []


def zone_of(value: Any, moment: Moment) -> ZoneValue | None:
    """The zone that applies to ``moment``: its own, else the one written for the whole range."""
    if moment.zone is not None:
        return moment.zone
    return value.zone if isinstance(value, Range) else None


# -- validity -----------------------------------------------------------------------------------


def date_problem(d: DateValue) -> str | None:
    """INVALID_DATE for a month or day that cannot exist (Feb 30, month 13, Feb 29 of a common
    year); None otherwise. Without a year, Feb 29 is allowed."""
    if not 1 <= d.month <= 12 or d.day < 1:
        return INVALID_DATE
    if d.year is None:
        last = 29 if d.month == 2 else calendar.monthrange(2001, d.month)[1]
    elif not 1 <= d.year <= 9999:
        return INVALID_DATE
    else:
        last = calendar.monthrange(d.year, d.month)[1]
    return INVALID_DATE if d.day > last else None


def time_problem(t: TimeValue) -> str | None:
    if t.minute > 59 or t.second > 59 or t.hour > 24 or (t.hour == 24 and (t.minute or t.second)):
        return INVALID_TIME
    return None


def value_problem(value: Any) -> str | None:
    """The first INVALID_DATE / INVALID_TIME among a value's parts."""
    for m in moments(value):
        if m.date is not None and date_problem(m.date):
            return INVALID_DATE
        if m.time is not None and time_problem(m.time):
            return INVALID_TIME
    return None


# -- dates ------------------------------------------------------------------------------------


# "Thursday and Friday, September 26th and 27th": weekdays and days are two parallel lists,
# so the weekday written next to a day is not that day's.
_WEEKDAY_LIST_BEFORE = LazyPattern(rf"{_WD}\.?,?{_S}*(?:and|or|&|,|/){_S}*$")
_DAY_LIST_AFTER = LazyPattern(rf"{_S}*(?:,|and|or|&){_S}*\d{{1,2}}{_ORD}(?![\d:：.])"
                             rf"(?!{_S}*(?:[AaPp]\.?[Mm]|[点時时]))")


def _weekday(m: re.Match, group: str) -> tuple[Piece | None, int | None]:
    text = m.group(group)
    if not text:
        return None, None
    s, e = m.span(group)
    if _WEEKDAY_LIST_BEFORE.search(m.string, max(0, s - 24), s) or _DAY_LIST_AFTER.match(m.string, m.end()):
        return None, None
    if group == "cw":
        number = _CJK_WEEKDAYS[text[-1]]
    else:
        number = _WEEKDAY_NAMES[text.lower()]
    return Piece(text, Span(s, e)), number


def _month(name: str) -> int:
    return _MONTH_NAMES[name.lower().rstrip(".")]


def _span_of(m: re.Match, first: str, last: str) -> Span:
    """From the start of group ``first`` to the end of ``last`` (the groups that are set)."""
    return Span(m.start(first), m.end(last))


def _first_set(m: re.Match, *groups: str) -> str:
    return next(g for g in groups if m.group(g) is not None)


def _day_range(m: re.Match, year: str, month: str, month2: str | None, day: str, day2: str,
               weekday: tuple[Piece | None, int | None], start_span: Span, end_span: Span,
               span: Span) -> Expr:
    """A single date, or a range within one written expression ("May 6-7, 2025")."""
    y = int(m.group(year)) if m.group(year) else None
    mo = _month(m.group(month)) if not m.group(month).isdigit() else int(m.group(month))
    piece, number = weekday
    start = DateValue(y, mo, int(m.group(day)), start_span, piece, number)
    if m.group(day2) is None:
        return Expr(span, Moment(span, date=start))
    mo2 = mo
    if month2 and m.group(month2):
        mo2 = _month(m.group(month2))
    end = DateValue(y, mo2, int(m.group(day2)), end_span)
    if y is not None and mo2 < mo:  # "Dec 30 - Jan 2, 2025": the start is in the year before
        start = replace(start, year=y - 1)
    return Expr(span, Range(span, Moment(start.span, date=start), Moment(end.span, date=end)))


def _mdy(m: re.Match) -> Expr:
    span = Span(*m.span("mdy"))
    first_end = m.end("ad")
    start_span = Span(m.start("am"), first_end + _ordinal_len(m.string, first_end))
    if m.group("ad2") is None:
        start_span = Span(m.start("am"), m.end("ay") if m.group("ay") else start_span.end)
        end_span = start_span
    else:
        end_start = m.start("am2") if m.group("am2") else m.start("ad2")
        end_span = Span(end_start, m.end("ay") if m.group("ay") else
                        m.end("ad2") + _ordinal_len(m.string, m.end("ad2")))
    return _day_range(m, "ay", "am", "am2", "ad", "ad2", _weekday(m, "aw"), start_span, end_span, span)


def _dmy(m: re.Match) -> Expr:
    span = Span(*m.span("dmy"))
    tail = m.end("by") if m.group("by") else m.end("bm") + (1 if m.string.startswith(".", m.end("bm")) else 0)
    if m.group("bd2") is None:
        start_span = end_span = Span(m.start("bd"), tail)
    else:
        start_span = Span(m.start("bd"), m.end("bd") + _ordinal_len(m.string, m.end("bd")))
        end_span = Span(m.start("bd2"), tail)
    return _day_range(m, "by", "bm", None, "bd", "bd2", _weekday(m, "bw"), start_span, end_span, span)


def _ordinal_len(text: str, pos: int) -> int:
    return 2 if text[pos:pos + 2] in ("st", "nd", "rd", "th") else 0


def _cjk(m: re.Match) -> Expr:
    span = Span(*m.span("cjk"))
    first = "cy" if m.group("cy") else "cm"
    if m.group("cd2") is None:
        date_end = _cjk_day_end(m, "cd")
        start_span = end_span = Span(m.start(first), date_end)
    else:
        start_span = Span(m.start(first), _cjk_day_end(m, "cd"))
        end_span = Span(m.start("cd2"), _cjk_day_end(m, "cd2"))
    return _day_range(m, "cy", "cm", None, "cd", "cd2", _weekday(m, "cw"), start_span, end_span, span)


def _cjk_day_end(m: re.Match, group: str) -> int:
    """The end of "6日" / "6 日": the day's digits, blanks, and 日/号."""
    pos = m.end(group)
    text = m.string
    while text[pos] not in "日号":
        pos += 1
    return pos + 1


def _iso(m: re.Match) -> Expr | None:
    span = Span(*m.span("iso"))
    if m.group("isep") != "-" and not (len(m.group("im")) == len(m.group("id")) == 2
                                       and int(m.group("im")) <= 12 and int(m.group("id")) <= 31):
        return None  # "2024.13.1" is a version number (CalVer), not a date with a typo
    date_span = Span(m.start("iy"), m.end("id"))
    date = DateValue(int(m.group("iy")), int(m.group("im")), int(m.group("id")), date_span)
    time = zone = None
    if m.group("it"):
        time = _iso_time(m.group("it"), m.start("it"))
    if m.group("iz"):
        zone = _zone_value(m.group("iz"), Span(*m.span("iz")))
    return Expr(span, Moment(span, date=date, time=time, zone=zone))


def _iso_time(text: str, start: int) -> TimeValue:
    parts = re.split(r"[:：]", text.split(".")[0].split(",")[0])
    second = int(parts[2]) if len(parts) > 2 else 0
    return TimeValue(int(parts[0]), int(parts[1]), Span(start, start + len(text)), second)


def _num(m: re.Match) -> Expr:
    span = Span(*m.span("num"))
    a, b, y = int(m.group("na")), int(m.group("nb")), int(m.group("ny"))
    day_first = DateValue(y, b, a, span)
    month_first = DateValue(y, a, b, span)
    if a == b or (a > 12) != (b > 12):
        # one reading only: the same either way, or one number cannot be a month
        date = day_first if a > 12 or a == b else month_first
        return Expr(span, Moment(span, date=date))
    if a > 12 and b > 12:
        return Expr(span, Moment(span, date=day_first))  # no month at all: invalid either way
    return Expr(span, None, AMBIGUOUS, (day_first, month_first))


_BUILDERS = {"mdy": _mdy, "dmy": _dmy, "iso": _iso, "num": _num, "cjk": _cjk}


def _date_at(m: re.Match) -> Expr | None:
    form = next(name for name in _BUILDERS if m.group(name) is not None)
    return _BUILDERS[form](m)


def _merge_dates(first: Expr, second: Expr, text: str) -> Expr:
    """Two single dates joined by a range separator ("30 May - 1 June 2025")."""
    a, b = first.value.date, second.value.date
    if a.year is None and b.year is not None:
        year = b.year - 1 if (a.month, a.day) > (b.month, b.day) else b.year
        a = replace(a, year=year)
    span = Span(first.span.start, second.span.end)
    return Expr(span, Range(span, replace(first.value, date=a), second.value))


def _single_date(e: Expr) -> bool:
    return isinstance(e.value, Moment) and e.value.date is not None and e.value.time is None


# -- times ------------------------------------------------------------------------------------


def _time_at(m: re.Match, p: str = "t") -> TimeValue:
    """A TimeValue from a match of :func:`_time_form` (meridiem and CJK periods applied)."""
    g = m.group
    if g(p + "noon"):
        hour, minute, second = (12 if g(p + "noon").lower() == "noon" else 0), 0, 0
        meridiem = None
    elif g(p + "h") is not None:
        hour, minute = int(g(p + "h")), int(g(p + "m"))
        second = int(g(p + "s")) if g(p + "s") else 0
        meridiem = g(p + "ap")
    elif g(p + "h2") is not None:
        hour, minute, second = int(g(p + "h2")), 0, 0
        meridiem = g(p + "xap")
    else:
        hour, second = int(g(p + "h3")), 0
        minute = 30 if g(p + "half") else int(g(p + "m3") or 0)
        meridiem = None
    hour = _apply_meridiem(hour, meridiem)
    hour = _apply_cjk_period(hour, g(p + "cp"))
    start = m.start(p + "cp") if g(p + "cp") else m.start()
    return TimeValue(hour, minute, Span(start, m.end()), second)


def _apply_meridiem(hour: int, meridiem: str | None) -> int:
    if not meridiem or hour > 12:
        return hour
    pm = meridiem.lower().startswith("p")
    if hour == 12:
        return 12 if pm else 0
    return hour + 12 if pm else hour


def _apply_cjk_period(hour: int, period: str | None) -> int:
    if period is None or hour >= 12:
        return hour
    if period in ("下午", "晚上", "晚间", "晚", "傍晚") or (period == "中午" and hour < 6):
        return hour + 12
    return hour


def _meridiem_of(m: re.Match) -> str | None:
    return m.group("tap") or m.group("txap")


def _zone_after(text: str, pos: int, end: int, *, bare_minus: bool = True) -> tuple[ZoneValue | None, int]:
    """The zone written right after a time. ``bare_minus=False`` refuses "-04:00" glued to the
    time: after "10:30" it is the end of a range ("10:30-11:00"), after "11:30:00" an offset."""
    zm = _ZONE_AFTER.match(text, pos, end)
    if zm is None:
        return None, pos
    group = _first_set(zm, "zo", "zi", "za")
    written = zm.group(group)
    if not bare_minus and written[0] in "-−":
        return None, pos
    zone = _zone_value(written, Span(*zm.span(group)))
    if zone is None:
        return None, pos
    return zone, zm.end()


def _zone_value(written: str, span: Span) -> ZoneValue | None:
    """A ZoneValue for an abbreviation, an IANA name or an offset; None for an unknown IANA-like
    name ("Europe/Pariss" is not a zone)."""
    if written in zones.ABBREVIATIONS:
        return ZoneValue(written, span, "abbreviation", zones.usual_offset(written))
    if "/" in written:
        return ZoneValue(written, span, "iana") if zones.zone_named(written) is not None else None
    offset = zones.parse_offset(written)
    if offset is None:
        return None
    return ZoneValue(written, span, "offset", offset)


def _time_expr(text: str, pos: int, end: int) -> Expr | None:
    """A time or a time range starting exactly at ``pos``, with the zones written after it."""
    m1 = _TIME_ONE.match(text, pos, end)
    if m1 is None or (m1.group("th3") is not None and not _cjk_hour_ok(m1)):
        return None
    t1 = _time_at(m1)
    zone1, after1 = _zone_after(text, m1.end(), end, bare_minus=m1.group("ts") is not None)
    sep = _TIME_SEP_RE.match(text, after1, end)
    m2 = _TIME_ONE.match(text, sep.end(), end) if sep else None
    if m2 is None or (m2.group("th3") is not None and not _cjk_hour_ok(m2)):
        span = Span(t1.span.start, after1)
        return Expr(span, Moment(span, time=t1, zone=zone1))
    t2 = _time_at(m2)
    zone2, after2 = _zone_after(text, m2.end(), end)
    if _meridiem_of(m2) and not _meridiem_of(m1) and m1.group("th") is not None:
        # "7:00-10:00 pm": the start shares the end's half of the day when that keeps it first
        shifted = _apply_meridiem(t1.hour, _meridiem_of(m2))
        if shifted * 60 + t1.minute <= t2.hour * 60 + t2.minute:
            t1 = replace(t1, hour=shifted)
    elif m2.group("tcp") is None and m1.group("tcp") is not None and m2.group("th3") is not None:
        t2 = replace(t2, hour=_apply_cjk_period(t2.hour, m1.group("tcp")))
    span = Span(t1.span.start, after2)
    start = Moment(Span(t1.span.start, after1), time=t1, zone=zone1)
    end_moment = Moment(Span(t2.span.start, m2.end()), time=t2)
    if zone1 is None:  # a zone written once, after the range, belongs to the whole range
        return Expr(span, Range(span, start, end_moment, zone=zone2))
    end_moment = replace(end_moment, span=Span(t2.span.start, after2), zone=zone2)
    return Expr(span, Range(span, start, end_moment))


def _cjk_hour_ok(m: re.Match) -> bool:
    """"7 点" is a time; "7 时" only with a period before it ("下午 3 时"), since 时 alone also
    means "when" ("3 时间段")."""
    return "点" in m.group() or "點" in m.group() or m.group("tcp") is not None


# ---------------------------------------------------------------------------------------------
# Scanning
# ---------------------------------------------------------------------------------------------


def scan_dates(text: str, start: int = 0, end: int | None = None, *, with_times: bool = True) -> list[Expr]:
    """Every date expression in ``text[start:end]``, in order: single dates, ranges (written as
    one expression or as two dates joined by a separator), each with the time or time range and
    zone written right after it when ``with_times``."""
    end = len(text) if end is None else end
    found: list[Expr] = []
    pos = start
    for m in _date_matches(text, start, end):
        if m.start() < pos:
            continue
        expr = _date_at(m)
        if expr is None:
            continue
        pos = expr.span.end
        if _single_date(expr):
            expr, pos = _maybe_range(text, expr, pos, end)
        if with_times and expr.value is not None:
            expr, pos = _attach_time(text, expr, pos, end)
        found.append(expr)
    return found


def _date_matches(text: str, start: int, end: int) -> Iterator[re.Match]:
    """Matches of the full date pattern, found from the anchors: for each anchor, the earliest
    word start shortly before it where a date begins that reaches past the anchor."""
    anchors = sorted({m.start() for rx in _ANCHORS for m in rx.finditer(text, start, end)})
    done = start
    # Anchors close together ("1.2.3", "2024-09-25 10:00") look back over the same words: a
    # date is tried once per word start, as a match depends only on where it starts.
    tried: dict[int, re.Match | None] = {}
    for anchor in anchors:
        if anchor < done:
            continue
        line_start = text.rfind("\n", 0, anchor) + 1
        lo = max(start, line_start, anchor - _LOOKBACK, done)
        for w in _TOKEN_START.finditer(text, lo, anchor + 1):
            at = w.start()
            m = tried[at] if at in tried else tried.setdefault(at, _DATE.match(text, at, end))
            if m is not None and m.end() > anchor:
                done = m.end()
                yield m
                break


def _maybe_range(text: str, expr: Expr, pos: int, end: int) -> tuple[Expr, int]:
    sep = re.compile(_DATE_SEP).match(text, pos, end)
    if sep is None:
        return expr, pos
    m = _DATE.match(text, sep.end(), end)
    if m is None:
        return expr, pos
    second = _date_at(m)
    if second is None or not _single_date(second):
        return expr, pos
    return _merge_dates(expr, second, text), second.span.end


def _attach_time(text: str, expr: Expr, pos: int, end: int) -> tuple[Expr, int]:
    glue = _DATE_TIME_GLUE.match(text, pos, end)
    at = glue.end() if glue else pos
    if _TIME_GATE.match(text, at, min(end, at + 12)) is None and not _TIME_GATE.search(text, at, min(end, at + 12)):
        return expr, pos
    timed = _time_expr(text, at, end)
    if timed is None:
        return expr, pos
    return combine(expr, timed), timed.span.end


def scan_times(text: str, start: int = 0, end: int | None = None) -> list[Expr]:
    """Every time or time range (with its zone) in ``text[start:end]``."""
    end = len(text) if end is None else end
    found: list[Expr] = []
    if _TIME_GATE.search(text, start, end) is None:
        return found
    pos = start
    while pos < end:
        m = _TIME_ONE.search(text, pos, end)
        if m is None:
            break
        expr = _time_expr(text, m.start(), end)
        if expr is None:
            pos = m.end() if m.end() > pos else pos + 1
            continue
        found.append(expr)
        pos = max(expr.span.end, pos + 1)
    return found


def combine(date: Expr, time: Expr) -> Expr:
    """A date (or date range) and a time (or time range) written for it, as one expression."""
    span = Span(min(date.span.start, time.span.start), max(date.span.end, time.span.end))
    if date.value is None:
        return replace(date, span=span)
    d, t = date.value, time.value
    if isinstance(d, Moment):
        if isinstance(t, Moment):
            return Expr(span, Moment(span, date=d.date, time=t.time, zone=t.zone or d.zone))
        start = replace(t.start, span=_union(d.span, t.start.span), date=d.date)
        return Expr(span, Range(span, start, replace(t.end, date=d.date), zone=t.zone))
    t_start, t_end = (t, None) if isinstance(t, Moment) else (t.start, t.end)
    start = replace(d.start, time=t_start.time, zone=t_start.zone)
    end = replace(d.end, time=t_end.time, zone=t_end.zone) if t_end is not None else d.end
    zone = t.zone if isinstance(t, Range) else None
    return Expr(span, Range(span, start, end, zone=zone or d.zone))


def _union(a: Span, b: Span) -> Span:
    return Span(min(a.start, b.start), max(a.end, b.end))


def parse_value(text: str, start: int, end: int) -> Expr | None:
    """The date/time written in a labelled value or a front-matter string ("May 6, 2025",
    "7:00-10:00 pm, Monday, September 23", "10:30 - 11:10 (CET)"): its first date expression
    combined with its first time expression outside that date; None when there is neither."""
    dates = scan_dates(text, start, end)
    date = next((d for d in dates), None)
    if date is not None and date.has_time:
        return date
    times = [t for t in scan_times(text, start, end)
             if date is None or t.span.end <= date.span.start or t.span.start >= date.span.end]
    if date is None:
        return times[0] if times else None
    if times and date.value is not None:
        return combine(date, times[0])
    return date


# ---------------------------------------------------------------------------------------------
# Whole values: timestamps, zones, durations
# ---------------------------------------------------------------------------------------------

_TIMESTAMP = re.compile(
    r"(?P<y>\d{4})-(?P<mo>\d{1,2})-(?P<d>\d{1,2})"
    r"(?:(?:[Tt]|[ \t]+)(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:\.\d*)?)?"
    r"(?:[ \t]*(?P<z>Z|[+\-]\d{1,2}(?::?\d{2})?))?)?")
# Looks like an attempt at a timestamp: starts with a year and a separator.
_TIMESTAMP_LIKE = re.compile(r"\d{4}[-/.]\d")


def parse_timestamp(text: str, start: int, end: int) -> Expr | None:
    """A whole value read as an ISO 8601 / YAML timestamp (``2024-09-25 11:30:00-04:00``).

    A value that starts like a timestamp but does not parse as one ("2024-09-25 1130",
    "2024-9-25T25") gives an Expr with problem MALFORMED; a value that is not a timestamp at
    all gives None (then :func:`parse_value` may read it as written prose)."""
    s, e = _strip(text, start, end)
    m = _TIMESTAMP.fullmatch(text, s, e)
    if m is None:
        if _TIMESTAMP_LIKE.match(text, s, e):
            return Expr(Span(s, e), None, MALFORMED)
        return None
    date = DateValue(int(m["y"]), int(m["mo"]), int(m["d"]), Span(m.start("y"), m.end("d")))
    time = zone = None
    if m["h"] is not None:
        time_end = m.end("s") if m["s"] else m.end("mi")
        while time_end < e and text[time_end] in ".0123456789" and m["s"]:
            time_end += 1
        time = TimeValue(int(m["h"]), int(m["mi"]), Span(m.start("h"), time_end), int(m["s"] or 0))
    if m["z"] is not None:
        zone = _zone_value(m["z"], Span(*m.span("z"))) or ZoneValue(m["z"], Span(*m.span("z")), "offset")
    span = Span(s, e)
    return Expr(span, Moment(span, date=date, time=time, zone=zone))


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and (text[start].isspace() or text[start] in _ZW):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in _ZW):
        end -= 1
    return start, end


def parse_zone(text: str, start: int, end: int) -> ZoneValue | None:
    """A whole value read as a zone ("Europe/Paris", "CET", "UTC+8", "+02:00")."""
    s, e = _strip(text, start, end)
    m = _ZONE_WHOLE.match(text, s, e)
    if m is None:
        return None
    group = _first_set(m, "zo", "zi", "za", "zz")
    return _zone_value(m.group(group), Span(*m.span(group)))


_DURATION_PARTS = re.compile(
    r"(?:(?P<h>\d+(?:\.\d+)?)\s*(?:h|hrs?|hours?|小时|時間)\s*)?"
    r"(?:(?P<m>\d+)\s*(?:m|mins?|minutes?|分钟|分)?)?", re.IGNORECASE)
_ISO_DURATION = re.compile(r"P(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?(?:(?P<s>\d+)S)?)",
                           re.IGNORECASE)
_CLOCK_DURATION = re.compile(r"(?P<h>\d{1,2}):(?P<m>\d{2})(?::\d{2})?")


def parse_duration(value: Any) -> dt.timedelta | None:
    """A duration value: a number of minutes (``30``, ``'30'``), ``45 min``, ``1h30``,
    ``1.5 hours``, ``1:30``, ``PT1H30M``; None when it cannot be read."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return _minutes_delta(value)
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or len(text) > 40:
        return None
    sign = -1 if text.startswith("-") else 1
    text = text.lstrip("+-").strip()
    for pattern in (_ISO_DURATION, _CLOCK_DURATION, _DURATION_PARTS):
        m = pattern.fullmatch(text)
        if m is None or not any(m.groupdict().values()):
            continue
        parts = m.groupdict()
        minutes = float(parts.get("h") or 0) * 60 + float(parts.get("m") or 0) + float(parts.get("s") or 0) / 60
        if pattern is _DURATION_PARTS and parts.get("h") is None and not re.fullmatch(
                r"\d+\s*(?:m|mins?|minutes?|分钟|分)?", text, re.IGNORECASE):
            continue
        return _minutes_delta(sign * minutes)
    return None


def _minutes_delta(minutes: float) -> dt.timedelta | None:
    """A duration of so many minutes; None beyond 10 million minutes (19 years: not a session,
    and past what timedelta holds for absurd inputs)."""
    if minutes != minutes or abs(minutes) >= 1e7:  # NaN or absurd
        return None
    return dt.timedelta(minutes=minutes)
