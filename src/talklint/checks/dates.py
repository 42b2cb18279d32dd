"""Dates and times that cannot be true (TL320–TL330).

Every rule reads the page's facts (:func:`talklint.facts.facts_of`): dates and times from the
front matter, from labelled lines of the body and from its prose, already parsed with the span
of each part. No rule parses text itself.

* TL320 invalid-date: Feb 30, month 13, 25:00, a malformed timestamp.
* TL321 weekday-mismatch: "Tuesday, May 7, 2025" (a Wednesday).
* TL322 reversed-range: "May 7-6, 2025", "11:10 - 10:30".
* TL323 ambiguous-date: 03/04/2025 (3 April or March 4?).
* TL324 end-before-start: the `end` field before the `start` field.
* TL325 implausible-duration: a session of 0 minutes or of more than a day.
* TL326 duration-mismatch: `duration: 30` but start → end is 45 minutes.
* TL327 date-outside-event: the session's date is not one of the event's dates.
* TL328 path-date-mismatch: `2020-11-07-recap.md` dated 2020-11-08.
* TL329 recap-before-event: a recap published before the event it reports was held.
* TL330 date-mismatch: the front matter's date is not the date written in the body.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Iterator

from .. import when
from ..facts import (DATE, DURATION, END, EVENT_DATES, HELD, PUBLISHED, START, TIME, TIMED,
                     DateValue, Fact, Facts, Moment, Range, TimeValue, facts_of)
from ..rule import Rule, RuleOptions

FRONT_MATTER = "front-matter"
BODY = "body"
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")


# ---------------------------------------------------------------------------------------------
# Helpers shared by the rules
# ---------------------------------------------------------------------------------------------


def _timed_facts(facts: Facts, *names: str) -> Iterator[Fact]:
    wanted = names or TIMED
    return (f for f in facts if f.name in wanted and f.value is not None)


def _unique_dates(value) -> list[DateValue]:
    """The dates written in a value, each once (a date shared by both ends of "May 6, 10:30 -
    11:10" is one written date)."""
    seen, out = set(), []
    for m in when.moments(value):
        if m.date is not None and m.date.span not in seen:
            seen.add(m.date.span)
            out.append(m.date)
    return out


def _unique_times(value) -> list[TimeValue]:
    seen, out = set(), []
    for m in when.moments(value):
        if m.time is not None and m.time.span not in seen:
            seen.add(m.time.span)
            out.append(m.time)
    return out


def _show(d: dt.date) -> str:
    return f"{_MONTHS[d.month - 1]} {d.day}, {d.year}"


def _show_time(t: TimeValue) -> str:
    return f"{t.hour:02d}:{t.minute:02d}"


def _instant(value, moment: Moment) -> dt.datetime | None:
    """The moment as a datetime: aware when its zone has a fixed offset, naive otherwise;
    None without a valid date."""
    if moment.date is None or moment.date.date is None:
        return None
    t = moment.time.time if moment.time is not None else None
    if moment.time is not None and t is None:
        return None
    zone = when.zone_of(value, moment)
    tz = dt.timezone(zone.offset) if zone is not None and zone.offset is not None else None
    return dt.datetime.combine(moment.date.date, t or dt.time(0), tzinfo=tz)


def _difference(later: dt.datetime, earlier: dt.datetime) -> dt.timedelta:
    """later − earlier, comparing wall clocks when only one of them has a known offset."""
    if (later.tzinfo is None) != (earlier.tzinfo is None):
        later, earlier = later.replace(tzinfo=None), earlier.replace(tzinfo=None)
    return later - earlier


def _minutes(delta: dt.timedelta) -> str:
    total = int(delta.total_seconds() // 60)
    hours, minutes = divmod(abs(total), 60)
    sign = "-" if total < 0 else ""
    if hours and minutes:
        return f"{sign}{hours} h {minutes} min"
    if hours:
        return f"{sign}{hours} h"
    return f"{sign}{minutes} min"


def _first_date(fact: Fact) -> DateValue | None:
    dates = _unique_dates(fact.value)
    return dates[0] if dates else None


def _reference_year(facts: Facts) -> tuple[dt.date, Fact] | None:
    """A dated fact of the page that gives year-less dates ("Monday, September 23") their year:
    the front matter's date, start or publication date, else a body date with a year."""
    for origin in (FRONT_MATTER, BODY):
        for name in (START, DATE, PUBLISHED, EVENT_DATES, TIME, HELD):
            for fact in facts.all(name, origin):
                d = _first_date(fact) if fact.value is not None else None
                if d is not None and d.date is not None:
                    return d.date, fact
    return None


def _infer_year(month: int, day: int, reference: dt.date) -> dt.date | None:
    """The first date with this month and day from three months before ``reference`` on: a
    page mostly announces what is coming, or reports what just happened."""
    earliest = reference - dt.timedelta(days=90)
    for year in (reference.year - 1, reference.year, reference.year + 1):
        try:
            candidate = dt.date(year, month, day)
        except ValueError:
            continue
        if candidate >= earliest:
            return candidate
    return None


# ---------------------------------------------------------------------------------------------
# TL320 invalid-date
# ---------------------------------------------------------------------------------------------


class InvalidDate(Rule):
    """## What it does
    Finds dates and times that do not exist: February 30, `2024-02-29` in a common year, month
    13 (`2024-13-01`), `25:00`, `10:75`, and front-matter timestamps that do not parse
    (`start: 2024-09-25 1130`). Dates are checked wherever they are written: front matter,
    labelled lines ("**Date:** …") and prose.

    ## Why is this bad?
    A date that does not exist is a typo, and every calendar, schedule and feed built from the
    page breaks on it or silently shows another day.

    ## Example
    ```markdown
    ---
    date: 2025-02-30
    ---
    **Time:** 10:30 - 25:10
    ```
    Use instead:
    ```markdown
    ---
    date: 2025-03-02
    ---
    **Time:** 10:30 - 11:10
    ```
    """

    code = "TL320"
    name = "invalid-date"
    summary = "A date or time that does not exist (Feb 30, month 13, 25:00, a malformed timestamp)"

    def check(self, ctx):
        facts = facts_of(ctx)
        reported: set = set()
        for fact in facts:
            if fact.name not in TIMED:
                continue
            if fact.problem == when.MALFORMED:
                reported.add(fact.span)
                yield self.finding(fact.span.start, fact.span.end,
                                   f"`{fact.raw}` is not a valid date/time (expected e.g. 2025-05-06 or "
                                   f"2025-05-06T10:30:00+02:00)")
                continue
            for d in _unique_dates(fact.value):
                if when.date_problem(d) and d.span not in reported:
                    reported.add(d.span)
                    yield self.finding(d.span.start, d.span.end, _date_message(ctx, d))
            for t in _unique_times(fact.value):
                if when.time_problem(t) and t.span not in reported:
                    reported.add(t.span)
                    yield self.finding(t.span.start, t.span.end,
                                       f"`{ctx.source.text[t.span.start:t.span.end]}` is not a time of day")


def _date_message(ctx, d: DateValue) -> str:
    written = ctx.source.text[d.span.start:d.span.end]
    if not 1 <= d.month <= 12:
        return f"`{written}` is not a date: there is no month {d.month}"
    year = f" {d.year}" if d.year is not None else ""
    days = 29 if d.year is None and d.month == 2 else calendar.monthrange(d.year or 2001, d.month)[1]
    return f"`{written}` is not a date: {_MONTHS[d.month - 1]}{year} has {days} days"


# ---------------------------------------------------------------------------------------------
# TL321 weekday-mismatch
# ---------------------------------------------------------------------------------------------


class WeekdayMismatchOptions(RuleOptions):
    infer_year: bool = True  # check "Monday, September 23" against the year of the page's date


class WeekdayMismatch(Rule):
    """## What it does
    Finds a weekday written with a date that falls on another day: "Tuesday, May 7, 2025" (a
    Wednesday), "2019年5月26日（周六）" (a Sunday).

    A date written without a year ("Monday, September 23", "5 月 16 日周四") is checked in the
    year nearest to the page's own date (its front-matter date, start or publication date);
    set `infer-year = false` to check only dates that carry their year.

    ## Why is this bad?
    One of the two is wrong, and readers do not know which: some will come on the Tuesday,
    some on the 7th.

    ## Example
    ```markdown
    - **Date:** Tuesday, May 7, 2025
    ```
    Use instead:
    ```markdown
    - **Date:** Tuesday, May 6, 2025
    ```

    ## Options
    - `infer-year` (default `true`): give year-less dates the year of the page's date.
    """

    code = "TL321"
    name = "weekday-mismatch"
    summary = "A weekday that does not match its date"
    Options = WeekdayMismatchOptions

    def check(self, ctx):
        facts = facts_of(ctx)
        reference = None
        for fact in _timed_facts(facts):
            for d in _unique_dates(fact.value):
                if d.weekday is None or d.weekday_number is None or when.date_problem(d):
                    continue
                date, source = d.date, ""
                if date is None and self.options.infer_year:
                    if reference is None:
                        reference = _reference_year(facts) or (None, None)
                    if reference[0] is not None:
                        date = _infer_year(d.month, d.day, reference[0])
                        source = f" (the year of the page's `{reference[1].key}`)"
                if date is None or date.weekday() == d.weekday_number:
                    continue
                start, end = min(d.span.start, d.weekday.span.start), max(d.span.end, d.weekday.span.end)
                yield self.finding(start, end,
                                   f"`{d.weekday.text}` does not match the date: {_show(date)}{source} "
                                   f"is a {_WEEKDAYS[date.weekday()]}")


# ---------------------------------------------------------------------------------------------
# TL322 reversed-range
# ---------------------------------------------------------------------------------------------


class ReversedRangeOptions(RuleOptions):
    allow_overnight: bool = True  # "22:00 - 02:00" ends the next morning


class ReversedRange(Rule):
    """## What it does
    Finds a date range or a time range that ends before it starts: "May 7-6, 2025",
    "11:10 - 10:30", "2025 年 6 月 9 日 - 2025 年 5 月 9 日".

    A time range from the evening into the early morning ("22:00 - 02:00") is read as ending
    the next day and is not reported (set `allow-overnight = false` to report it).

    ## Why is this bad?
    The two ends were swapped or one of them is a typo; calendars built from the page either
    reject the event or show it with a negative length.

    ## Example
    ```markdown
    **Time:** 11:10 - 10:30 (CET)
    ```
    Use instead:
    ```markdown
    **Time:** 10:30 - 11:10 (CET)
    ```

    ## Options
    - `allow-overnight` (default `true`): a time range starting at 18:00 or later and ending
      before 06:00 ends the next day.
    """

    code = "TL322"
    name = "reversed-range"
    summary = "A date or time range that ends before it starts"
    Options = ReversedRangeOptions

    def check(self, ctx):
        for fact in _timed_facts(facts_of(ctx)):
            value = fact.value
            if not isinstance(value, Range):
                continue
            message = self._reversed(value)
            if message:
                yield self.finding(value.span.start, value.span.end, message)

    def _reversed(self, r: Range) -> str | None:
        a, b = r.start, r.end
        if a.date is not None and b.date is not None and a.date is not b.date:
            if a.date.date is None or b.date.date is None:
                return None
            if b.date.date < a.date.date:
                return f"The range ends ({_show(b.date.date)}) before it starts ({_show(a.date.date)})"
            if b.date.date > a.date.date:
                return None
        if a.time is None or b.time is None or a.time.time is None or b.time.time is None:
            return None
        if (a.time.hour, a.time.minute) <= (b.time.hour, b.time.minute):
            return None
        if self.options.allow_overnight and a.time.hour >= 18 and b.time.hour < 6:
            return None
        return f"The range ends ({_show_time(b.time)}) before it starts ({_show_time(a.time)})"


# ---------------------------------------------------------------------------------------------
# TL323 ambiguous-date
# ---------------------------------------------------------------------------------------------

_NUMERIC = re.compile(r"(\d{1,2})([/.\-])(\d{1,2})\2\d{4}")


class AmbiguousDate(Rule):
    """## What it does
    Finds numeric dates that read differently in different countries: `03/04/2025` is 3 April
    in Europe and March 4 in the United States. A date whose first number is above 12
    (`13/04/2025`) or whose two numbers are equal (`05/05/2025`) has one reading and is not
    reported, and neither is an ambiguous date on a page that settles its own order with
    another date (`13/04/2025` elsewhere on the page means day first).

    ## Why is this bad?
    Half of the readers come on the wrong day, and a program cannot tell either.

    ## Example
    ```markdown
    **Date:** 03/04/2025
    ```
    Use instead:
    ```markdown
    **Date:** 3 April 2025
    ```
    """

    code = "TL323"
    name = "ambiguous-date"
    summary = "A numeric date that reads as two different days (03/04/2025)"

    def check(self, ctx):
        facts = facts_of(ctx)
        ambiguous = [f for f in facts if f.problem == when.AMBIGUOUS]
        if not ambiguous or _settled_order(facts):
            return
        for fact in ambiguous:
            day_first, month_first = fact.readings
            yield self.finding(fact.span.start, fact.span.end,
                               f"`{fact.raw}` is ambiguous: {_show(day_first.date)} (day first) or "
                               f"{_show(month_first.date)} (month first)? Write the month as a word "
                               f"or use {month_first.date.isoformat()} / {day_first.date.isoformat()}")


def _settled_order(facts: Facts) -> bool:
    """True when the page's other numeric dates show one order: a first number above 12 (day
    first) or a second number above 12 (month first), and not both."""
    orders = set()
    for fact in facts:
        for m in _NUMERIC.finditer(fact.raw):
            a, b = int(m.group(1)), int(m.group(3))
            if a > 12 >= b:
                orders.add("day")
            elif b > 12 >= a:
                orders.add("month")
    return len(orders) == 1


# ---------------------------------------------------------------------------------------------
# Session start and end (TL324, TL325, TL326)
# ---------------------------------------------------------------------------------------------


def _session(facts: Facts) -> tuple[Fact, Fact, dt.timedelta] | None:
    """(start fact, end fact, end − start) of a session whose start and end are both dated
    and timed: an event's `start_date`/`end_date` (days) is not a session."""
    start = next((f for f in facts.all(START) if isinstance(f.value, Moment)), None)
    end = next((f for f in facts.all(END) if isinstance(f.value, Moment) and f.origin == (start and start.origin)), None)
    if start is None or end is None or start.value.time is None or end.value.time is None:
        return None
    a = _instant(start.value, start.value)
    if end.value.date is None:  # `end: 11:50` with a dated start
        end_moment = Moment(end.value.span, date=start.value.date, time=end.value.time, zone=end.value.zone)
    else:
        end_moment = end.value
    b = _instant(end_moment, end_moment)
    if a is None or b is None:
        return None
    return start, end, _difference(b, a)


class EndBeforeStart(Rule):
    """## What it does
    Finds a session whose end (front matter `end`, `end_datetime`, `ends_at` …) comes before
    its start (`start`, `start_datetime` …). When both carry a UTC offset, the instants are
    compared; otherwise the wall-clock times.

    ## Why is this bad?
    The schedule cannot place the session, and exporting it to a calendar fails or shows a
    negative length. Usually one of the two was copied from the neighbouring session.

    ## Example
    ```yaml
    start: '2024-07-12T11:20:00+02:00'
    end: '2024-07-12T10:50:00+02:00'
    ```
    Use instead:
    ```yaml
    start: '2024-07-12T11:20:00+02:00'
    end: '2024-07-12T11:50:00+02:00'
    ```
    """

    code = "TL324"
    name = "end-before-start"
    summary = "A session's end field comes before its start field"

    def check(self, ctx):
        session = _session(facts_of(ctx))
        if session is None:
            return
        start, end, length = session
        if length < dt.timedelta(0):
            yield self.finding(end.span.start, end.span.end,
                               f"`{end.key}` ({end.raw}) is {_minutes(-length)} before `{start.key}` ({start.raw})")


class ImplausibleDurationOptions(RuleOptions):
    max_hours: float = 24  # a session longer than this is a typo (a day or a month off)
    min_minutes: float = 1  # a session shorter than this (0 minutes) is a typo


class ImplausibleDuration(Rule):
    """## What it does
    Finds a session that lasts no time at all or longer than a day: a `duration` field of `0`
    or less, start and end fields at the same moment or more than 24 hours apart, a time range
    such as "10:30 - 10:30".

    ## Why is this bad?
    Sessions last minutes or hours. Zero or several days means a wrong day, month or hour in
    one of the values, and the schedule shows the session wrongly.

    ## Example
    ```yaml
    start: 2024-09-25 11:30:00-04:00
    end: 2024-09-26 11:55:00-04:00
    ```
    Use instead:
    ```yaml
    start: 2024-09-25 11:30:00-04:00
    end: 2024-09-25 11:55:00-04:00
    ```

    ## Options
    - `max-hours` (default `24`): the longest plausible session.
    - `min-minutes` (default `1`): the shortest plausible session.

    A negative length is reported by TL324 end-before-start or TL322 reversed-range instead.
    """

    code = "TL325"
    name = "implausible-duration"
    summary = "A session of no length at all or longer than a day"
    Options = ImplausibleDurationOptions

    def check(self, ctx):
        facts = facts_of(ctx)
        session = _session(facts)
        if session is not None:
            start, end, length = session
            problem = self._implausible(length, negative_ok=False)
            if problem:
                yield self.finding(end.span.start, end.span.end,
                                   f"From `{start.key}` to `{end.key}` is {_minutes(length)}: {problem}")
        for fact in facts.all(DURATION):
            if fact.value is not None:
                problem = self._implausible(fact.value, negative_ok=True)
                if problem:
                    yield self.finding(fact.span.start, fact.span.end,
                                       f"`{fact.key}: {fact.raw}` is {_minutes(fact.value)}: {problem}")
        for fact in _timed_facts(facts, TIME, DATE):
            r = fact.value
            if isinstance(r, Range) and r.start.time and r.end.time and r.start.date is r.end.date \
                    and (r.start.time.hour, r.start.time.minute) == (r.end.time.hour, r.end.time.minute):
                yield self.finding(r.span.start, r.span.end, "The time range starts and ends at the same time")

    def _implausible(self, length: dt.timedelta, *, negative_ok: bool) -> str | None:
        if length < dt.timedelta(0):
            return "a negative length" if negative_ok else None
        if length < dt.timedelta(minutes=self.options.min_minutes):
            return "no time at all"
        if length > dt.timedelta(hours=self.options.max_hours):
            return f"longer than {self.options.max_hours:g} hours"
        return None


class DurationMismatchOptions(RuleOptions):
    tolerance_minutes: float = 0  # a difference up to this is not reported
    multi_slot: bool = True  # a duration that is a whole multiple of end − start is not reported


class DurationMismatch(Rule):
    """## What it does
    Finds a `duration` field that disagrees with the session's start and end: `duration: 30`
    (minutes, the usual unit of a bare number) with a start at 11:20 and an end at 12:05.

    ## Why is this bad?
    Schedules show one, calendars compute the other: one of the three values is wrong.

    ## Example
    ```yaml
    duration: '30'
    start: '2024-07-12T11:20:00+02:00'
    end: '2024-07-12T12:05:00+02:00'
    ```
    Use instead:
    ```yaml
    duration: '45'
    start: '2024-07-12T11:20:00+02:00'
    end: '2024-07-12T12:05:00+02:00'
    ```

    A duration that is a whole multiple of end − start (`duration: 180` for a 90-minute slot)
    is read as a session split over several slots of the schedule, such as a tutorial in two
    parts, and is not reported (option `multi-slot`).

    ## Options
    - `tolerance-minutes` (default `0`): differences up to this many minutes are not reported.
    - `multi-slot` (default `true`): accept a duration that is a whole multiple of end − start.
    """

    code = "TL326"
    name = "duration-mismatch"
    summary = "A duration field that disagrees with end − start"
    Options = DurationMismatchOptions

    def check(self, ctx):
        facts = facts_of(ctx)
        session = _session(facts)
        duration = next((f for f in facts.all(DURATION) if f.value is not None), None)
        if session is None or duration is None:
            return
        start, end, length = session
        if length < dt.timedelta(0) or duration.value <= dt.timedelta(0):
            return  # TL324's or TL325's finding
        if self.options.multi_slot and length > dt.timedelta(0) and duration.value > length \
                and duration.value % length == dt.timedelta(0):
            return  # a session split over several equal slots gives its total duration
        if abs(length - duration.value) > dt.timedelta(minutes=self.options.tolerance_minutes):
            yield self.finding(duration.span.start, duration.span.end,
                               f"`{duration.key}` is {_minutes(duration.value)}, but `{start.key}` to "
                               f"`{end.key}` is {_minutes(length)}")


# ---------------------------------------------------------------------------------------------
# TL327 date-outside-event
# ---------------------------------------------------------------------------------------------


class DateOutsideEvent(Rule):
    """## What it does
    Finds a session dated outside the dates of its event when the page gives both: "Dates:
    May 6-7, 2025" for the conference and "Date: May 8, 2025" for the session. The session's
    date is read from its date, start or time field or label; the event's from `event_dates`
    / "Dates:" / "Event dates:". A session date without a year takes the event's year. A page
    that gives several different event dates (a list of events) is not checked.

    ## Why is this bad?
    The session cannot take place when the event does not: one of the dates is a typo, or the
    page was copied from another edition of the event.

    ## Example
    ```markdown
    - **Dates:** May 6-7, 2025
    - **Date:** May 8, 2025
    ```
    Use instead:
    ```markdown
    - **Dates:** May 6-7, 2025
    - **Date:** May 6, 2025
    ```
    """

    code = "TL327"
    name = "date-outside-event"
    summary = "A session dated outside its event's dates"

    def check(self, ctx):
        facts = facts_of(ctx)
        events = list(_timed_facts(facts, EVENT_DATES))
        bounds = {_bounds(f.value) for f in events}
        if len(bounds) != 1 or None in bounds:
            return  # no event dates, or a page about several events: which is the session's?
        event = events[0]
        (bounds,) = bounds
        first, last = bounds
        for fact in _timed_facts(facts, DATE, START, TIME):
            for d in _unique_dates(fact.value):
                day = d.date if d.year is not None else _with_year(d, first.year)
                if day is None or first <= day <= last:
                    continue
                yield self.finding(d.span.start, d.span.end,
                                   f"{_show(day)} is outside the event's dates ({_span_words(first, last)}, "
                                   f"`{event.key}`)")


def _bounds(value) -> tuple[dt.date, dt.date] | None:
    days = [d.date for d in _unique_dates(value)]
    if not days or any(d is None for d in days):
        return None
    return min(days), max(days)


def _with_year(d: DateValue, year: int) -> dt.date | None:
    try:
        return dt.date(year, d.month, d.day)
    except ValueError:
        return None


def _span_words(first: dt.date, last: dt.date) -> str:
    return _show(first) if first == last else f"{_show(first)} to {_show(last)}"


# ---------------------------------------------------------------------------------------------
# TL328 path-date-mismatch
# ---------------------------------------------------------------------------------------------

# A Jekyll-style file name (2020-11-07-recap.md) or date folders (2024/05/06/).
_PATH_DATE = re.compile(r"(?:^|[/\\])((?:19|20)\d\d)(?:-(\d\d)-(\d\d)(?=[-_./]|$)|[/\\](\d\d)[/\\](\d\d)(?=[/\\]))")


def path_date(path: str) -> tuple[dt.date, str] | None:
    """The date written in a file's path, with the text that wrote it; None when there is none
    or it is not a real date."""
    found = None
    for m in _PATH_DATE.finditer(path.replace("\\", "/")):
        found = m
    if found is None:
        return None
    year, month, day = int(found.group(1)), int(found.group(2) or found.group(4)), int(found.group(3) or found.group(5))
    try:
        return dt.date(year, month, day), found.group().lstrip("/")
    except ValueError:
        return None


class PathDateMismatch(Rule):
    """## What it does
    Finds a page whose file or folder name carries a date (`2020-11-07-recap.md`,
    `blog/2024/05/06/keynote.md`) that is not the date in its front matter (`date`,
    `published_datetime`, `start` …). A date field with a time and a UTC offset may fall on
    the day before or after in another zone, so one day of difference is allowed for it.

    ## Why is this bad?
    Static site generators build the page's address from one and sort or publish by the
    other: the page appears under the wrong day, or two copies of it exist.

    ## Example
    `_posts/2020-11-07-recap.md`:
    ```yaml
    date: 2020-11-17
    ```
    Use instead:
    ```yaml
    date: 2020-11-07
    ```
    """

    code = "TL328"
    name = "path-date-mismatch"
    summary = "A date in the file or folder name that disagrees with the date field"
    reads_files = True  # the file's name: dataset rows have none

    def check(self, ctx):
        found = path_date(ctx.path or "")
        if found is None:
            return
        day, written = found
        candidates = [f for name in (DATE, PUBLISHED, START) for f in facts_of(ctx).all(name, FRONT_MATTER)
                      if isinstance(f.value, Moment) and f.value.date is not None and f.value.date.date]
        if not candidates or any(_same_day(f.value, day) for f in candidates):
            return
        fact = candidates[0]
        d = fact.value.date
        yield self.finding(d.span.start, d.span.end,
                           f"The path says {day.isoformat()} (`{written}`) but `{fact.key}` is {d.date.isoformat()}")


def _same_day(moment: Moment, day: dt.date) -> bool:
    written = moment.date.date
    slack = 1 if moment.time is not None and moment.zone is not None else 0
    return abs((written - day).days) <= slack


# ---------------------------------------------------------------------------------------------
# TL329 recap-before-event
# ---------------------------------------------------------------------------------------------


class RecapBeforeEvent(Rule):
    """## What it does
    Finds a recap dated before the event it reports: the page says the event "was held on Nov.
    7, 2020" (or "took place on …", "于 2020年11月7日举办") but its publication date — a
    byline ("By November 1, 2020"), `published_datetime`, or the front-matter `date` of such a
    page — is earlier.

    ## Why is this bad?
    A report cannot be written before the event: the publication date or the event's date is
    wrong, and feeds and archives sort the recap among the announcements.

    ## Example
    ```markdown
    ---
    date: 2020-11-01
    ---
    The 2020 LF AI & DATA Day – Shenzhen was held on Nov. 7, 2020.
    ```
    Use instead:
    ```markdown
    ---
    date: 2020-11-17
    ---
    The 2020 LF AI & DATA Day – Shenzhen was held on Nov. 7, 2020.
    ```
    """

    code = "TL329"
    name = "recap-before-event"
    summary = "A recap published before the event it reports"

    def check(self, ctx):
        facts = facts_of(ctx)
        held = [f for f in _timed_facts(facts, HELD)]
        if not held:
            return
        published = [f for f in _timed_facts(facts, PUBLISHED)] + facts.all(DATE, FRONT_MATTER)
        for pub in published:
            pub_date = _first_date(pub) if pub.value is not None else None
            if pub_date is None or pub_date.date is None:
                continue
            for h in held:
                held_date = _first_date(h)
                day = held_date.date if held_date and held_date.year is not None else (
                    _with_year(held_date, pub_date.year) if held_date else None)
                if day is not None and pub_date.date < day:
                    yield self.finding(pub_date.span.start, pub_date.span.end,
                                       f"Published {_show(pub_date.date)}, before the event it reports "
                                       f"was held ({_show(day)})")
                    return


# ---------------------------------------------------------------------------------------------
# TL330 date-mismatch
# ---------------------------------------------------------------------------------------------


class DateMismatchOptions(RuleOptions):
    # Front-matter keys that make `date` the post's publication date rather than the session's.
    publication_markers: list[str] = ["author", "authors", "authorlink", "author_link", "categories",
                                      "layout", "draft", "aliases"]


class DateMismatch(Rule):
    """## What it does
    Finds a front-matter date that is not the date written in the body: `start:
    2024-07-10T…` with "**When**: Monday, July 8th", `date: 2025-05-06` with "**Date:** May 7,
    2025". The body's date is read from its labelled lines (Date, Time, When, 日期, 时间,
    活动时间 …); a body date without a year takes the front matter's year.

    The front-matter `date` of a blog post is the day the post was published, usually before
    the event it announces or after the event it reports, so it is compared only on pages
    that do not look like blog posts (no `author`, `categories`, `layout`, `draft` or
    `aliases` key: option `publication-markers`). A `start` field is always compared.

    ## Why is this bad?
    The schedule, the calendar export and the page's text disagree, and readers see two
    different days for one session.

    ## Example
    ```markdown
    ---
    date: 2025-05-06
    ---
    - **Date:** May 7, 2025
    ```
    Use instead:
    ```markdown
    ---
    date: 2025-05-07
    ---
    - **Date:** May 7, 2025
    ```

    ## Options
    - `publication-markers`: front-matter keys that mark `date` as a publication date.
    """

    code = "TL330"
    name = "date-mismatch"
    summary = "A front-matter date that disagrees with the date written in the body"
    Options = DateMismatchOptions

    def check(self, ctx):
        facts = facts_of(ctx)
        front = self._front_date(ctx, facts)
        if front is None:
            return
        fact, written, slack = front
        day = written.date
        for body in _timed_facts(facts, DATE, TIME):
            if body.origin != BODY:
                continue
            dates = _unique_dates(body.value)
            if not dates:
                continue
            days = [d.date if d.year is not None else _with_year(d, day.year) for d in dates]
            if any(x is None for x in days) or min(days) - slack <= day <= max(days) + slack:
                continue
            d = dates[0]
            yield self.finding(d.span.start, d.span.end,
                               f"The body says {_span_words(min(days), max(days))}, but `{fact.key}` in the "
                               f"front matter is {day.isoformat()}")

    def _front_date(self, ctx, facts: Facts) -> tuple[Fact, DateValue, dt.timedelta] | None:
        """The front matter's session date, and the slack allowed around it: a day for a UTC
        timestamp ("…T23:00:00Z"), which may fall on another day where the event is."""
        candidates = facts.all(START, FRONT_MATTER)
        fm = ctx.document.front_matter
        markers = {k.casefold() for k in self.options.publication_markers}
        if fm is not None and not any(k.casefold() in markers for k in fm.fields):
            candidates += facts.all(DATE, FRONT_MATTER)
        for fact in candidates:
            if isinstance(fact.value, Moment) and fact.value.date is not None and fact.value.date.date:
                zone = fact.value.zone
                utc = fact.value.time is not None and zone is not None and zone.offset == dt.timedelta(0)
                return fact, fact.value.date, dt.timedelta(days=1 if utc else 0)
        return None


RULES = [InvalidDate, WeekdayMismatch, ReversedRange, AmbiguousDate, EndBeforeStart,
         ImplausibleDuration, DurationMismatch, DateOutsideEvent, PathDateMismatch,
         RecapBeforeEvent, DateMismatch]
