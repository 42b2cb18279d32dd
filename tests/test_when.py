"""Date and time parsing (talklint.when): values, spans, problems, and no exception on any text."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from talklint import when
from talklint.facts import Moment, Range

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
CJK_WEEKDAYS = "一二三四五六日"


def one(text: str) -> when.Expr:
    found = when.scan_dates(text)
    assert len(found) == 1, found
    return found[0]


def value(text: str):
    expr = when.parse_value(text, 0, len(text))
    assert expr is not None, text
    return expr.value


def ymd(moment: Moment):
    d = moment.date
    return (d.year, d.month, d.day)


def hm(moment: Moment):
    return (moment.time.hour, moment.time.minute)


def at(text: str, span) -> str:
    return text[span.start:span.end]


# -- single dates -----------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected, span_text", [
    ("on May 6, 2025.", (2025, 5, 6), "May 6, 2025"),
    ("on 6 May 2025.", (2025, 5, 6), "6 May 2025"),
    ("held on Nov. 7, 2020, at", (2020, 11, 7), "Nov. 7, 2020"),
    ("Sept 23rd 2024", (2024, 9, 23), "Sept 23rd 2024"),
    ("the 30th of May", (None, 5, 30), "30th of May"),
    ("2025-05-06", (2025, 5, 6), "2025-05-06"),
    ("2025/05/06", (2025, 5, 6), "2025/05/06"),
    ("2025.05.06", (2025, 5, 6), "2025.05.06"),
    ("2025年5月6日", (2025, 5, 6), "2025年5月6日"),
    ("2019 年 11 月 24 日", (2019, 11, 24), "2019 年 11 月 24 日"),
    ("5月6日", (None, 5, 6), "5月6日"),
    ("13/04/2025", (2025, 4, 13), "13/04/2025"),
    ("04/13/2025", (2025, 4, 13), "04/13/2025"),
    ("05/05/2025", (2025, 5, 5), "05/05/2025"),
    ("By November 17, 2020No Comments", (2020, 11, 17), "November 17, 2020"),
])
def test_single_dates(text, expected, span_text):
    expr = one(text)
    assert isinstance(expr.value, Moment)
    assert ymd(expr.value) == expected
    assert at(text, expr.value.date.span) == span_text


@pytest.mark.parametrize("text, weekday, number", [
    ("Tuesday, May 6, 2025", "Tuesday", 1),
    ("Monday, 24 June, 2019", "Monday", 0),
    ("5月6日（周二）", "周二", 1),
    ("2019年6月24日，星期一", "星期一", 0),
    ("12 月 15 日，周四晚 19 点", "周四", 3),
    ("Wed. Sept 25", "Wed", 2),
])
def test_weekdays(text, weekday, number):
    d = one(text).value
    d = (d.start if isinstance(d, Range) else d).date
    assert d.weekday.text == weekday and d.weekday_number == number
    assert at(text, d.weekday.span) == weekday


def test_weekday_lists_are_not_paired_with_days():
    text = "sprints on Thursday and Friday, September 26th and 27th, 2024"
    assert one(text).value.date.weekday is None


def test_lower_case_month_words_are_not_dates():
    assert when.scan_dates("you may 10 times, we march 3 miles, sun 5") == []


@pytest.mark.parametrize("text", [
    "version 2.10.13", "ratio 3:1", "build 2024.13.1", "room 12-31", "call 555-1234",
    "1/2 cup", "06/04 18:00", "ISBN 978-3-16-148410-0", "2020-2021 season",
])
def test_not_dates(text):
    assert when.scan_dates(text) == []


# -- ranges -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, start, end, start_text, end_text", [
    ("May 6-7, 2025", (2025, 5, 6), (2025, 5, 7), "May 6", "7, 2025"),
    ("6–7 May 2025", (2025, 5, 6), (2025, 5, 7), "6", "7 May 2025"),
    ("May 30 - June 1, 2025", (2025, 5, 30), (2025, 6, 1), "May 30", "June 1, 2025"),
    ("30 May - 1 June 2025", (2025, 5, 30), (2025, 6, 1), "30 May", "1 June 2025"),
    ("Dec 30 - Jan 2, 2025", (2024, 12, 30), (2025, 1, 2), "Dec 30", "Jan 2, 2025"),
    ("September 22nd-27th", (None, 9, 22), (None, 9, 27), "September 22nd", "27th"),
    ("2026 年 4 月 1 日-2026 年 4 月 25 日", (2026, 4, 1), (2026, 4, 25), "2026 年 4 月 1 日", "2026 年 4 月 25 日"),
    ("5 月 24 日-- 6 月 13 日", (None, 5, 24), (None, 6, 13), "5 月 24 日", "6 月 13 日"),
    ("5月6日至7日", (None, 5, 6), (None, 5, 7), "5月6日", "7日"),
    ("Monday, September 23rd through Wednesday, September 25th", (None, 9, 23), (None, 9, 25),
     "September 23rd", "September 25th"),
])
def test_date_ranges(text, start, end, start_text, end_text):
    r = one(text).value
    assert isinstance(r, Range)
    assert ymd(r.start) == start and ymd(r.end) == end
    assert at(text, r.start.date.span) == start_text
    assert at(text, r.end.date.span) == end_text
    assert at(text, r.span) == text


# -- times and zones ----------------------------------------------------------------------------------

@pytest.mark.parametrize("text, start, end, zone", [
    ("10:30 - 11:10 (CET)", (10, 30), (11, 10), "CET"),
    ("10:30–11:10 CEST", (10, 30), (11, 10), "CEST"),
    ("10:30 to 11:10 Europe/Paris", (10, 30), (11, 10), "Europe/Paris"),
    ("10:30~11:10 UTC+8", (10, 30), (11, 10), "UTC+8"),
    ("10:30至11:10", (10, 30), (11, 10), None),
    ("13:30--18:00", (13, 30), (18, 0), None),
    ("13：00 -17：30", (13, 0), (17, 30), None),
    ("7:00-10:00 pm", (19, 0), (22, 0), None),
    ("11:00 am - 1:00 pm", (11, 0), (13, 0), None),
    ("11:00-1:00 pm", (11, 0), (13, 0), None),
    ("2 pm — 4 pm GMT-7", (14, 0), (16, 0), "GMT-7"),
    ("晚 7 点 - 9 点", (19, 0), (21, 0), None),
])
def test_time_ranges(text, start, end, zone):
    r = value(text)
    assert isinstance(r, Range)
    assert hm(r.start) == start and hm(r.end) == end
    if zone is None:
        assert r.zone is None
    else:
        assert r.zone.text == zone and at(text, r.zone.span) == zone


@pytest.mark.parametrize("text, expected", [
    ("2 pm", (14, 0)), ("2:30PM", (14, 30)), ("12 am", (0, 0)), ("12:15 p.m.", (12, 15)),
    ("上午 9:30", (9, 30)), ("晚 7 点", (19, 0)), ("下午 13 点", (13, 0)), ("7点半", (7, 30)),
    ("noon", (12, 0)), ("14:30", (14, 30)),
])
def test_times(text, expected):
    m = value(text)
    assert hm(m) == expected
    assert at(text, m.time.span) == text


@pytest.mark.parametrize("text, kind, offset", [
    ("10:30 CET", "abbreviation", dt.timedelta(hours=1)),
    ("10:30 (CST)", "abbreviation", None),
    ("10:30 UTC+8", "offset", dt.timedelta(hours=8)),
    ("10:30 GMT-7", "offset", dt.timedelta(hours=-7)),
    ("10:30 +02:00", "offset", dt.timedelta(hours=2)),
    ("10:30 America/New_York", "iana", None),
    ("11:30:00-04:00", "offset", dt.timedelta(hours=-4)),
    # One table with talklint.zones: every abbreviation it knows is read after a time, with
    # the offset of its usual meaning (PST is -08:00 though Philippine time is also "PST").
    ("10:30 MYT", "abbreviation", dt.timedelta(hours=8)),
    ("10:30 PST", "abbreviation", dt.timedelta(hours=-8)),
    ("10:30 CDT", "abbreviation", dt.timedelta(hours=-5)),
    ("10:30 PT", "abbreviation", None),
    ("10:30 UTC\u3000+8", "offset", dt.timedelta(hours=8)),
])
def test_zones_after_times(text, kind, offset):
    m = value(text)
    assert m.zone.kind == kind and m.zone.offset == offset


def test_unknown_iana_name_is_not_a_zone():
    assert value("10:30 Europe/Pariss").zone is None


def test_date_with_time_and_zone():
    text = "Monday, April 29th at Noon EDT"
    m = one(text).value
    assert ymd(m) == (None, 4, 29) and hm(m) == (12, 0) and m.zone.text == "EDT"
    assert at(text, m.span) == text and at(text, m.date.span) == "April 29th"


def test_cjk_date_with_time_range():
    text = "2019年5月26日（周日）13:30-17:30"
    r = value(text)
    assert ymd(r.start) == ymd(r.end) == (2019, 5, 26)
    assert hm(r.start) == (13, 30) and hm(r.end) == (17, 30)
    assert r.start.date is r.end.date  # one written date, shared by both ends


def test_time_before_date():
    r = value("7:00-10:00 pm, Monday, September 23")
    assert ymd(r.start) == (None, 9, 23) and hm(r.start) == (19, 0) and hm(r.end) == (22, 0)


# -- problems -----------------------------------------------------------------------------------------

def test_ambiguous_numeric_date_is_not_guessed():
    expr = one("on 03/04/2025")
    assert expr.value is None and expr.problem == when.AMBIGUOUS
    day_first, month_first = expr.readings
    assert (day_first.day, day_first.month) == (3, 4) and (month_first.month, month_first.day) == (3, 4)


@pytest.mark.parametrize("text", ["February 30, 2024", "2024-13-01", "2023年2月29日", "April 31"])
def test_invalid_dates_are_kept_with_a_problem(text):
    expr = one(text)
    assert when.value_problem(expr.value) == when.INVALID_DATE


def test_invalid_time():
    assert when.value_problem(value("10:30 - 25:10")) == when.INVALID_TIME
    assert when.value_problem(value("10:00 - 24:00")) is None


@pytest.mark.parametrize("text, expected", [
    ("2024-09-25 11:30:00-04:00", ((2024, 9, 25), (11, 30), dt.timedelta(hours=-4))),
    ("2024-07-12T11:20:00+02:00", ((2024, 7, 12), (11, 20), dt.timedelta(hours=2))),
    ("2019-05-21T11:20:00.000Z", ((2019, 5, 21), (11, 20), dt.timedelta(0))),
    ("2024-01-17 05:00:00", ((2024, 1, 17), (5, 0), None)),
    ("2024-02-30", ((2024, 2, 30), None, None)),
])
def test_timestamps(text, expected):
    expr = when.parse_timestamp(text, 0, len(text))
    m = expr.value
    assert ymd(m) == expected[0]
    assert (hm(m) if m.time else None) == expected[1]
    assert (m.zone.offset if m.zone else None) == expected[2]
    assert at(text, m.date.span) == text[:len(text.split("T")[0].split(" ")[0])]


@pytest.mark.parametrize("text", ["2024-09-25 1130", "2024-9-25T25", "2024/13"])
def test_malformed_timestamps(text):
    assert when.parse_timestamp(text, 0, len(text)).problem == when.MALFORMED


def test_not_a_timestamp():
    assert when.parse_timestamp("May 6, 2025", 0, 11) is None


@pytest.mark.parametrize("raw, minutes", [
    (30, 30), ("30", 30), ("45 min", 45), ("1h30", 90), ("1h 30m", 90), ("1.5 hours", 90),
    ("1:30", 90), ("PT1H30M", 90), ("90 minutes", 90), ("2 hours", 120), (0, 0), ("-15", -15),
])
def test_durations(raw, minutes):
    assert when.parse_duration(raw) == dt.timedelta(minutes=minutes)


@pytest.mark.parametrize("raw", ["tba", "", None, True, "soon", [30]])
def test_unreadable_durations(raw):
    assert when.parse_duration(raw) is None


@pytest.mark.parametrize("text, kind", [("Europe/Paris", "iana"), ("CET", "abbreviation"),
                                        ("UTC+8", "offset"), ("+02:00", "offset"), ("Z", "abbreviation")])
def test_zone_values(text, kind):
    assert when.parse_zone(text, 0, len(text)).kind == kind


# -- round trips and robustness -------------------------------------------------------------------------

dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2999, 12, 31))


def _formats(d: dt.date, weekday: bool) -> list[str]:
    month = MONTHS[d.month - 1]
    wd = WEEKDAYS[d.weekday()] + ", " if weekday else ""
    cjk_wd = f"（周{CJK_WEEKDAYS[d.weekday()]}）" if weekday else ""
    return [f"{wd}{month} {d.day}, {d.year}", f"{wd}{d.day} {month} {d.year}",
            f"{wd}{month[:3]}. {d.day}, {d.year}", d.isoformat(), f"{d.year}年{d.month}月{d.day}日{cjk_wd}",
            f"{d.year} 年 {d.month:02d} 月 {d.day:02d} 日{cjk_wd}"]


@settings(derandomize=True, max_examples=200)
@given(dates, st.booleans(), st.sampled_from(["", "On ", "The meetup is on ", "时间："]),
       st.sampled_from(["", ".", " at the venue", "。"]))
def test_round_trip_dates(d, weekday, before, after):
    for written in _formats(d, weekday):
        text = before + written + after
        expr = one(text)
        m = expr.value
        assert m.date.date == d
        assert at(text, m.span) == written
        if weekday and "-" not in written:
            assert m.date.weekday_number == d.weekday()


@settings(derandomize=True, max_examples=200)
@given(dates, st.integers(1, 20))
def test_round_trip_date_ranges(d, days):
    e = d + dt.timedelta(days=days)
    if e.year > 2999:
        return
    if d.month == e.month and d.year == e.year:
        text = f"{MONTHS[d.month - 1]} {d.day}-{e.day}, {d.year}"
    else:
        text = f"{MONTHS[d.month - 1]} {d.day}, {d.year} - {MONTHS[e.month - 1]} {e.day}, {e.year}"
    r = one(text).value
    assert (r.start.date.date, r.end.date.date) == (d, e)


@settings(derandomize=True, max_examples=200)
@given(st.times(), st.times(), st.sampled_from([" - ", "–", " to ", "~", "至", " — "]),
       st.sampled_from(["", " CET", " (UTC+8)", " Europe/Paris", " GMT-7"]))
def test_round_trip_time_ranges(a, b, sep, zone):
    text = f"{a.hour:02d}:{a.minute:02d}{sep}{b.hour:02d}:{b.minute:02d}{zone}"
    r = value(text)
    assert hm(r.start) == (a.hour, a.minute) and hm(r.end) == (b.hour, b.minute)
    assert (r.zone.text if r.zone else "") == zone.strip(" ()")


@settings(derandomize=True, max_examples=300)
@given(st.text(alphabet=st.sampled_from(list("0123456789 -/.:年月日号周二至~–()+APMapmMayJuneTuesday,CETUTC\n")),
               max_size=60))
def test_no_exception_on_any_text(text):
    for expr in when.scan_dates(text):
        assert 0 <= expr.span.start <= expr.span.end <= len(text)
        when.value_problem(expr.value)
    when.scan_times(text)
    when.parse_value(text, 0, len(text))
    when.parse_timestamp(text, 0, len(text))
    when.parse_zone(text, 0, len(text))
    when.parse_duration(text)


@settings(derandomize=True, max_examples=200)
@given(st.text(max_size=80))
def test_no_exception_on_unicode(text):
    when.scan_dates(text)
    when.parse_value(text, 0, len(text))
