"""Fact extraction (talklint.facts.extract): front matter through the alias table, labelled
lines and prose of the body, exact spans, and no exception on any input."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from talklint import facts as F
from talklint import when
from talklint.document import parse
from talklint.extract import aliases, normalise_key
from talklint.facts import Moment, Range
from talklint.source import Source

HERE = Path(__file__).parent
SEEDS = HERE.parent / "seeds"
CORPUS = HERE / "corpus"


def extract(text: str, path: str = "page.md"):
    return F.extract(parse(Source.from_text(path, text)))


def at(text, span):
    return text[span.start:span.end]


def test_seed_event_and_session():
    text = (SEEDS / "000_afdc039d540db778.txt").read_text(encoding="utf-8")
    facts = extract(text)
    dates = facts.first(F.EVENT_DATES)
    assert dates.key == "Dates" and dates.raw == "May 6-7, 2025"
    assert (dates.value.start.date.date, dates.value.end.date.date) == (dt.date(2025, 5, 6), dt.date(2025, 5, 7))
    date = facts.first(F.DATE)
    assert date.raw == "May 6, 2025" and date.value.date.date == dt.date(2025, 5, 6)
    time = facts.first(F.TIME)
    assert time.raw == "10:30 - 11:10 (CET)"
    assert isinstance(time.value, Range) and time.value.zone.text == "CET"
    assert at(text, time.value.zone.span) == "CET"
    place = facts.first(F.PLACE)
    assert place.value == "Station F, Paris, France" and at(text, place.span) == place.value


def test_seed_recap():
    text = (SEEDS / "003_03374025f63cef72.txt").read_text(encoding="utf-8")
    facts = extract(text)
    held = facts.first(F.HELD)
    assert held.raw == "Nov. 7, 2020" and held.value.date.date == dt.date(2020, 11, 7)
    published = facts.first(F.PUBLISHED)
    assert published.raw == "November 17, 2020" and published.origin == "body"


def test_front_matter_aliases_and_spans():
    text = ("---\n"
            "title: 'Edges of Python'\n"
            "duration: '30'\n"
            "start: '2024-07-12T11:20:00+02:00'\n"
            "end_datetime: 2024-07-12 11:50:00+02:00\n"
            "room: South Hall 2A\n"
            "presenter_slugs:\n- frank-wiles\n- 'ada'\n"
            "timezone: Europe/Prague\n"
            "unknown: 2024-01-01\n"
            "---\nbody\n")
    facts = extract(text)
    assert facts.first(F.TITLE).value == "Edges of Python"
    assert at(text, facts.first(F.TITLE).span) == "Edges of Python"
    assert facts.first(F.DURATION).value == dt.timedelta(minutes=30)
    start = facts.first(F.START)
    assert start.key == "start" and at(text, start.span) == "2024-07-12T11:20:00+02:00"
    assert start.value.zone.offset == dt.timedelta(hours=2) and at(text, start.value.zone.span) == "+02:00"
    end = facts.first(F.END)
    assert end.key == "end_datetime" and end.value.time.hour == 11
    assert facts.first(F.PLACE).value == "South Hall 2A"
    assert [p.text for p in facts.first(F.SPEAKERS).value] == ["frank-wiles", "ada"]
    assert [at(text, p.span) for p in facts.first(F.SPEAKERS).value] == ["frank-wiles", "ada"]
    assert facts.first(F.TIMEZONE).value.kind == "iana"
    assert all(f.key != "unknown" for f in facts)


def test_front_matter_invalid_and_malformed_values():
    text = "---\ndate: 2025-02-30\nstart: 2024-09-25 1130\nend: '03/04/2025'\n---\n"
    facts = extract(text)
    assert facts.first(F.DATE).problem == when.INVALID_DATE
    assert facts.first(F.DATE).value.date.day == 30
    assert facts.first(F.START).problem == when.MALFORMED
    end = facts.first(F.END)
    assert end.problem == when.AMBIGUOUS and len(end.readings) == 2


def test_toml_front_matter():
    text = '+++\ntitle = "Activities"\ndate = 2019-05-21T11:20:00Z\n+++\n'
    facts = extract(text)
    assert facts.first(F.DATE).value.date.date == dt.date(2019, 5, 21)


@pytest.mark.parametrize("line, name, key, raw", [
    ("- **Date:** May 6, 2025", F.DATE, "Date", "May 6, 2025"),
    ("**Date**: May 6, 2025", F.DATE, "Date", "May 6, 2025"),
    ("Date: May 6, 2025", F.DATE, "Date", "May 6, 2025"),
    ("* **When**: Tuesday, July 9th.", F.TIME, "When", "Tuesday, July 9th."),
    ("- 活动时间：2019年5月26日（周日）13:30-17:30", F.TIME, "活动时间", "2019年5月26日（周日）13:30-17:30"),
    ("​**活动时间**​：8 月 29 日周四晚 7 点", F.TIME, "活动时间", "8 月 29 日周四晚 7 点"),
    ("**直播时间：**2020年5月28日（周四）20:00-21:00", F.TIME, "直播时间", "2020年5月28日（周四）20:00-21:00"),
    ("- 活动时间：时间：2019 年 12 月 28 日（周六）13:00-17:30", F.TIME, "活动时间", "2019 年 12 月 28 日（周六）13:00-17:30"),
    ("> - **Location:** Station F, Paris, France  ", F.PLACE, "Location", "Station F, Paris, France"),
    ("- 活动地点：北京海淀中关村创业大街", F.PLACE, "活动地点", "北京海淀中关村创业大街"),
    ("**Dates:** May 6-7, 2025 <!-- a comment -->", F.EVENT_DATES, "Dates", "May 6-7, 2025"),
])
def test_labelled_lines(line, name, key, raw):
    text = f"# Page\n\n{line}\n"
    fact = extract(text).first(name)
    assert fact is not None and fact.origin == "body"
    assert (fact.key, fact.raw) == (key, raw)
    assert at(text, fact.span) == raw


def test_labelled_values_read_as_dates():
    text = "- 活动时间：2019年5月26日（周日）13:30-17:30\n"
    r = extract(text).first(F.TIME).value
    assert r.start.date.date == dt.date(2019, 5, 26) and r.start.date.weekday.text == "周日"
    assert (r.start.time.hour, r.end.time.hour) == (13, 17)


def test_unlabelled_and_unknown_labels():
    facts = extract("Track: AI Infra\nhttps://example.org/2024/05/06/post\nNote: 10:30\n")
    assert not [f for f in facts if f.name != F.MENTIONED]
    assert not facts.all(F.MENTIONED)


def test_speakers_in_body():
    text = "**Speakers:** Ada Lovelace, Grace Hopper and Alan Turing\n"
    pieces = extract(text).first(F.SPEAKERS).value
    assert [p.text for p in pieces] == ["Ada Lovelace", "Grace Hopper", "Alan Turing"]
    assert [at(text, p.span) for p in pieces] == ["Ada Lovelace", "Grace Hopper", "Alan Turing"]


def test_code_and_html_are_skipped():
    text = ("```yaml\nDate: May 6, 2025\n```\n\n`Date: May 7, 2025`\n\n"
            "<div>Date: May 8, 2025</div>\n\n<!-- May 9, 2025 -->\n")
    assert not list(extract(text))


def test_prose_mentions_and_held():
    text = ("We met on Tuesday, May 6, 2025 at 10:30 CEST.\n\n"
            "The meetup was held on 2020年11月7日 in Shenzhen.\n\n"
            "本次活动于 2019 年 5 月 26 日在杭州举办。\n\n"
            "The next one will be held on June 1, 2025.\n")
    facts = extract(text)
    mentioned = facts.all(F.MENTIONED)
    assert mentioned[0].raw == "Tuesday, May 6, 2025 at 10:30 CEST"
    assert mentioned[0].value.zone.text == "CEST"
    held = facts.all(F.HELD)
    assert [h.raw for h in held] == ["2020年11月7日", "2019 年 5 月 26 日"]
    assert mentioned[-1].raw == "June 1, 2025"  # future: an announcement, not a recap


def test_alias_table_is_data():
    table = aliases()
    assert table.front_matter[normalise_key("start_datetime")] == F.START
    assert table.front_matter[normalise_key("Start-Datetime")] == F.START
    assert table.body_labels[normalise_key("活动时间")] == F.TIME
    assert set(table.front_matter.values()) <= F.CANONICAL


def test_no_date_text_is_cheap():
    assert list(extract("# Title\n\nJust words, no numbers at all.\n")) == []


@pytest.mark.parametrize("path", sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.name != "ATTRIBUTION.md"),
                         ids=lambda p: p.relative_to(CORPUS).as_posix())
def test_corpus_spans(path):
    source = Source.from_bytes(str(path), path.read_bytes())
    for fact in F.extract(parse(source)):
        assert source.text[fact.span.start:fact.span.end] == fact.raw
        for m in when.moments(fact.value):
            for part in (m.date, m.time, m.zone):
                if part is not None:
                    assert fact.span.start <= part.span.start <= part.span.end <= fact.span.end


@settings(derandomize=True, max_examples=150, deadline=None)
@given(st.lists(st.sampled_from([
    "---\n", "date: 2025-02-30\n", "start: '2024-07-12T11:20:00+02:00'\n", "title: x\n", "speakers: [a, b]\n",
    "- **Date:** May 6, 2025\n", "**Time:** 10:30 - 11:10 (CET)\n", "活动时间：5月6日（周二）晚 7 点\n",
    "```\n", "> ", "held on Nov. 7, 2020\n", "03/04/2025 ", "\u200b", "<!-- ", " -->", "\r\n", "Date:", "**",
]), max_size=14))
def test_no_exception_on_any_page(parts):
    text = "".join(parts)
    for fact in extract(text):
        assert 0 <= fact.span.start <= fact.span.end <= len(text)
