"""Time zones: the pure functions of talklint.zones, the gazetteer, and the TL35x rules run on
hand-built facts (so they are tested independently of the fact extractor)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from talklint import facts as F
from talklint import zones
from talklint.checks import timezones as T
from talklint.document import Span, parse
from talklint.finding import Applicability
from talklint.rule import Context
from talklint.source import Source

H = dt.timedelta(hours=1)
D = dt.date


# -- offsets ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, hours", [
    ("+02:00", 2), ("+0200", 2), ("+02", 2), ("-07:00", -7), ("UTC+8", 8), ("GMT-7", -7),
    ("UTC\u22125:30", -5.5), ("UTC + 8", 8), ("UT-5", -5), ("Z", 0), ("UTC", 0), ("gmt", 0),
])
def test_parse_offset(text, hours):
    assert zones.parse_offset(text) == dt.timedelta(hours=hours)


@pytest.mark.parametrize("text", ["+15", "+02:60", "CET", "", "2", "UTC+", "+2:00:00"])
def test_parse_offset_rejects(text):
    assert zones.parse_offset(text) is None


@pytest.mark.parametrize("written, hours, expected", [
    ("-07:00", -8, "-08:00"), ("+0100", 2, "+0200"), ("+01", 2, "+02"), ("UTC+1", 2, "UTC+2"),
    ("GMT\u22120700", -8, "GMT\u22120800"), ("UTC + 8", 9, "UTC + 9"), ("+05", 5.5, "+05:30"),
])
def test_offset_like(written, hours, expected):
    assert zones.offset_like(written, dt.timedelta(hours=hours)) == expected


def test_format_and_describe():
    assert zones.format_offset(dt.timedelta(hours=-8)) == "UTC-08:00"
    assert zones.format_offset(dt.timedelta(hours=5, minutes=30)) == "UTC+05:30"
    assert zones.describe("CEST", 2 * H) == "CEST (UTC+02:00)"
    assert zones.describe(None, 8 * H) == "UTC+08:00"


def test_ambiguity():
    assert zones.is_ambiguous("CST") and zones.is_ambiguous("IST") and zones.is_ambiguous("bst")
    assert not zones.is_ambiguous("CET") and not zones.is_ambiguous("JST")
    assert not zones.is_ambiguous("XYZ") and zones.meanings("XYZ") == ()


# -- the IANA database -----------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["Europe/Pariss", "../etc/passwd", "", "CET", "Europe/", "a" * 300])
def test_zone_named_rejects(name):
    assert zones.zone_named(name) is None


def test_zone_year_lists_both_halves():
    assert zones.zone_year("Europe/Paris", 2025) == {"CET": frozenset({H}), "CEST": frozenset({2 * H}),
                                                     "MEZ": frozenset({H}), "MESZ": frozenset({2 * H})}
    assert zones.zone_year("Asia/Singapore", 2025)["SGT"] == frozenset({8 * H})
    assert zones.zone_year("Nowhere/Atall", 2025) == {}


def test_valid_offsets_around_clock_changes():
    paris = "Europe/Paris"
    assert zones.valid_offsets(paris, D(2025, 5, 6), dt.time(10, 30)) == {2 * H}
    assert zones.valid_offsets(paris, D(2025, 3, 30)) == {H, 2 * H}  # the day clocks go forward
    assert zones.valid_offsets(paris, D(2025, 3, 30), dt.time(2, 30)) == {H, 2 * H}  # skipped hour
    assert zones.valid_offsets(paris, D(2025, 10, 26), dt.time(2, 30)) == {H, 2 * H}  # repeated hour
    assert zones.valid_offsets(paris, D(2025, 10, 26), dt.time(12)) == {H}


# -- verdicts --------------------------------------------------------------------------------------

@pytest.mark.parametrize("abbr, zone, day, time, status, expected, replacement", [
    # the seed: CET on May 6, 2025 in Paris
    ("CET", "Europe/Paris", D(2025, 5, 6), dt.time(10, 30), "wrong", "CEST (UTC+02:00)", "CEST"),
    ("CEST", "Europe/Paris", D(2025, 5, 6), None, "right", None, None),
    ("CEST", "Europe/Paris", D(2025, 1, 6), None, "wrong", "CET (UTC+01:00)", "CET"),
    ("MEZ", "Europe/Berlin", D(2025, 7, 1), None, "wrong", "CEST (UTC+02:00)", "MESZ"),
    ("EST", "America/New_York", D(2024, 7, 4), None, "wrong", "EDT (UTC-04:00)", "EDT"),
    ("EDT", "America/New_York", D(2024, 9, 22), dt.time(13, 30), "right", None, None),
    ("GMT", "Europe/London", D(2025, 7, 6), None, "wrong", "BST (UTC+01:00)", "BST"),
    ("IST", "Europe/Dublin", D(2025, 1, 6), None, "wrong", "GMT (UTC+00:00)", "GMT"),
    ("PDT", "America/Los_Angeles", D(2025, 1, 15), None, "wrong", "PST (UTC-08:00)", "PST"),
    ("AEST", "Australia/Sydney", D(2025, 1, 15), None, "wrong", "AEDT (UTC+11:00)", "AEDT"),
    ("CST", "America/Chicago", D(2025, 7, 6), None, "wrong", "CDT (UTC-05:00)", "CDT"),
    ("CST", "Asia/Shanghai", D(2025, 7, 6), None, "right", None, None),
    ("CST", "Asia/Taipei", D(2025, 7, 6), None, "right", None, None),
    ("SGT", "Asia/Singapore", D(2025, 7, 6), None, "right", None, None),
    ("JST", "Asia/Tokyo", D(2025, 7, 6), None, "right", None, None),
    ("IST", "Asia/Kolkata", D(2025, 7, 6), None, "right", None, None),
    # not the place's own zone: a conversion for other readers, never judged
    ("PST", "Europe/Paris", D(2025, 7, 6), None, "unjudged", None, None),
    ("UTC", "Europe/London", D(2025, 7, 6), None, "unjudged", None, None),
    ("CET", "Asia/Shanghai", D(2025, 7, 6), None, "unjudged", None, None),
    # the days clocks change: both halves are right on that day
    ("CET", "Europe/Paris", D(2025, 3, 30), None, "right", None, None),
    ("CEST", "Europe/Paris", D(2025, 10, 26), None, "right", None, None),
])
def test_check_abbreviation(abbr, zone, day, time, status, expected, replacement):
    assert zones.check_abbreviation(abbr, zone, day, time) == zones.Verdict(status, expected, replacement)


@pytest.mark.parametrize("written, zone, day, time, status, expected, replacement", [
    ("-07:00", "America/Los_Angeles", D(2025, 1, 15), dt.time(9), "wrong", "PST (UTC-08:00)", "-08:00"),
    ("-07:00", "America/Los_Angeles", D(2025, 7, 15), dt.time(9), "right", None, None),
    ("+02:00", "Europe/Prague", D(2024, 7, 12), dt.time(11, 55), "right", None, None),
    # Vilnius is on EEST in July: +02:00 is its winter offset
    ("+02:00", "Europe/Vilnius", D(2023, 7, 19), dt.time(11, 55), "wrong", "EEST (UTC+03:00)", "+03:00"),
    ("+03:00", "Europe/Vilnius", D(2023, 7, 19), dt.time(11, 55), "right", None, None),
    ("-04:00", "America/New_York", D(2024, 9, 22), dt.time(13, 30), "right", None, None),
    ("+08:00", "Asia/Shanghai", D(2019, 4, 24), dt.time(15), "right", None, None),
    ("UTC+1", "Europe/Paris", D(2025, 7, 15), None, "wrong", "CEST (UTC+02:00)", "UTC+2"),
    ("+01:00", "Europe/London", D(2025, 1, 15), None, "wrong", "GMT (UTC+00:00)", "+00:00"),
    # UTC itself, and offsets the place never uses, are not judged
    ("+00:00", "Europe/London", D(2025, 7, 15), None, "unjudged", None, None),
    ("Z", "Europe/Paris", D(2025, 7, 15), None, "unjudged", None, None),
    ("+08:00", "Europe/Paris", D(2025, 7, 15), None, "unjudged", None, None),
    ("not an offset", "Europe/Paris", D(2025, 7, 15), None, "unjudged", None, None),
])
def test_check_offset(written, zone, day, time, status, expected, replacement):
    assert zones.check_offset(written, zone, day, time) == zones.Verdict(status, expected, replacement)


# -- the gazetteer ---------------------------------------------------------------------------------

def test_builtin_gazetteer_loads_and_knows_the_conference_cities():
    g = zones.builtin_gazetteer()
    for name, zone in [("Paris", "Europe/Paris"), ("Station F", "Europe/Paris"), ("Prague", "Europe/Prague"),
                       ("Vilnius", "Europe/Vilnius"), ("Durham, NC", "America/New_York"),
                       ("Seattle", "America/Los_Angeles"), ("上海", "Asia/Shanghai"),
                       ("Bangalore", "Asia/Kolkata"), ("Sydney", "Australia/Sydney")]:
        assert g.places[name] == zone


@pytest.mark.parametrize("texts, zone", [
    (["Station F, Paris, France"], "Europe/Paris"),
    (["Hong Kong, China"], "Asia/Hong_Kong"),  # a city beats its country
    (["Frankfurt am Main, Germany"], "Europe/Berlin"),
    (["Germany"], "Europe/Berlin"),
    (["浙江杭州西湖区学院路77号黄龙万科中心-I座"], "Asia/Shanghai"),
    (["Durham, NC"], "America/New_York"),
    (["Paris, TX"], "America/Chicago"),
    (["Forum Hall", "Prague Congress Centre"], "Europe/Prague"),
    (["Parisian café"], None),  # not a whole word
    (["Durham"], None),  # which Durham?
    (["Berlin / Paris"], None),  # disagreeing places: no guess
    (["Online"], None),
    ([], None),
])
def test_gazetteer_settles(texts, zone):
    g = zones.builtin_gazetteer()
    found = zones.settle(m for t in texts for m in g.matches(t))
    assert (found.zone if found else None) == zone


def test_gazetteer_merge_and_errors(tmp_path):
    g = zones.builtin_gazetteer().merged({"Kursaal": "Europe/Madrid", "Paris": "America/Chicago"})
    assert zones.settle(g.matches("Kursaal, San Sebastián")).zone == "Europe/Madrid"
    assert g.places["Paris"] == "America/Chicago"
    bad = tmp_path / "places.yaml"
    for text, message in [("zones: {Europe/Pariss: [Paris]}", "unknown IANA"),
                          ("zones: {Europe/Paris: [Paris]}\nregions: {Europe/Berlin: [Paris]}", "listed under"),
                          ("zones: {Europe/Paris: Paris}", "list of place names"),
                          ("places: {}", "expected the mappings"),
                          ("zones: [", "expected")]:
        bad.write_text(text, encoding="utf-8")
        with pytest.raises(zones.GazetteerError, match=message):
            zones.read_gazetteer(bad)


# -- the rules, on hand-built facts ------------------------------------------------------------------

def _span(text: str, part: str, after: int = 0) -> Span:
    start = text.index(part, after)
    return Span(start, start + len(part))


def _zone(text: str, part: str, kind: str, after: int = 0) -> F.ZoneValue:
    return F.ZoneValue(part, _span(text, part, after), kind, zones.parse_offset(part))


def _date(text: str, part: str, day: dt.date) -> F.DateValue:
    return F.DateValue(day.year, day.month, day.day, _span(text, part))


def _time(text: str, part: str, after: int = 0) -> F.TimeValue:
    h, m = part.split(":")
    return F.TimeValue(int(h), int(m), _span(text, part, after))


def _fact(name: str, text: str, raw: str, value=None, key: str = "") -> F.Fact:
    return F.Fact(name, "body", key or name, _span(text, raw), raw, value if value is not None else raw)


def _run(rule_cls, text: str, facts: list[F.Fact], **options):
    source = Source.from_text("page.md", text)
    ctx = Context(source=source, document=parse(source), path="page.md")
    ctx.shared["facts"] = F.Facts(facts)
    rule = rule_cls(rule_cls.Options(**options))
    return [(text[f.start:f.end], f.message, f.fix) for f in rule.check(ctx)]


SEED = ("- **Dates:** May 6-7, 2025\n"
        "- **Location:** Station F, Paris, France\n"
        "- **Date:** May 6, 2025\n"
        "- **Time:** 10:30 - 11:10 (CET)\n")


def _seed_facts(text: str = SEED, place: str | None = "Station F, Paris, France", zone: str = "CET",
                date: str = "May 6, 2025", days: tuple[dt.date, ...] = (D(2025, 5, 6),)) -> list[F.Fact]:
    """The facts of SEED (or of a variant of it): its place, its dates and its time."""
    time_raw = f"10:30 - 11:10 ({zone})"
    t0 = _span(text, time_raw).start
    time_range = F.Range(_span(text, time_raw),
                         F.Moment(_span(text, "10:30"), time=_time(text, "10:30")),
                         F.Moment(_span(text, "11:10"), time=_time(text, "11:10")),
                         zone=_zone(text, zone, "abbreviation", t0))
    facts = [_fact(F.PLACE, text, place, key="Location")] if place else []
    for day in days:
        value = _date(text, date, day)
        facts.append(_fact(F.DATE, text, date, F.Moment(value.span, date=value)))
    return facts + [_fact(F.TIME, text, time_raw, time_range)]


def test_seed_cet_in_may_in_paris():
    [(span, message, fix)] = _run(T.WrongZoneAbbreviation, SEED, _seed_facts())
    assert span == "CET"
    assert message == ("`CET` is wrong for Station F (Europe/Paris) on 2025-05-06: "
                       "it is CEST (UTC+02:00) then")
    assert fix.applicability == Applicability.UNSAFE
    assert [e.replacement for e in fix.edits] == ["CEST"]


def test_no_place_no_finding_unless_configured():
    facts = _seed_facts(place=None)
    assert _run(T.WrongZoneAbbreviation, SEED, facts) == []
    [(span, message, _)] = _run(T.WrongZoneAbbreviation, SEED, facts, timezone="Europe/Berlin")
    assert span == "CET" and "the configured time zone Europe/Berlin" in message


def test_front_matter_timezone_wins_over_place():
    text = SEED + "timezone: Asia/Shanghai\n"
    facts = _seed_facts(text) + [_fact(F.TIMEZONE, text, "Asia/Shanghai", key="timezone")]
    assert _run(T.WrongZoneAbbreviation, text, facts) == []  # CET is a conversion from Shanghai


def test_page_place_wins_over_configured_zone():
    assert len(_run(T.WrongZoneAbbreviation, SEED, _seed_facts(), timezone="Asia/Tokyo")) == 1


def test_event_name_and_title_with_year_place_the_page():
    text = "# GOSIM AI Paris 2025: AI Open Source for Good\n" + SEED.replace("Station F, Paris, France", "Main hall")
    title = _fact(F.TITLE, text, "GOSIM AI Paris 2025: AI Open Source for Good")
    assert [s for s, _, _ in _run(T.WrongZoneAbbreviation, text, _seed_facts(text, place=None) + [title])] == ["CET"]
    event = _fact(F.EVENT, text, "GOSIM AI Paris")
    assert [s for s, _, _ in _run(T.WrongZoneAbbreviation, text, _seed_facts(text, place=None) + [event])] == ["CET"]
    text3 = "# SOFAMeetup 上海站\n" + text.split("\n", 1)[1]
    title3 = _fact(F.TITLE, text3, "SOFAMeetup 上海站")
    assert _run(T.UnverifiableZone, text3, _seed_facts(text3, place=None) + [title3]) == []  # placed
    text2 = "# Why Paris loves Python\n" + text.split("\n", 1)[1]
    title2 = _fact(F.TITLE, text2, "Why Paris loves Python")
    assert _run(T.WrongZoneAbbreviation, text2, _seed_facts(text2, place=None) + [title2]) == []


def test_dates_straddling_a_clock_change_are_not_reported():
    text = SEED.replace("May 6, 2025", "March 29, 2025").replace("(CET)", "(CEST)")
    facts = _seed_facts(text, zone="CEST", date="March 29, 2025", days=(D(2025, 3, 29), D(2025, 3, 30)))
    assert _run(T.WrongZoneAbbreviation, text, facts) == []  # CEST is right on the 30th
    facts = _seed_facts(text, zone="CEST", date="March 29, 2025", days=(D(2025, 3, 28), D(2025, 3, 29)))
    assert [s for s, _, _ in _run(T.WrongZoneAbbreviation, text, facts)] == ["CEST"]


def _iso_page(stamp: str, place: str):
    text = f"---\nlocation: {place}\nstart: {stamp}\n---\n"
    date_part, rest = stamp.split("T")
    y, mo, d = map(int, date_part.split("-"))
    hm, zone = rest[:5], rest[8:]
    start = _span(text, stamp).start
    moment = F.Moment(_span(text, stamp), date=F.DateValue(y, mo, d, _span(text, date_part)),
                      time=_time(text, hm, start), zone=_zone(text, zone, "offset", start + 19))
    return text, [_fact(F.PLACE, text, place, key="location"), _fact(F.START, text, stamp, moment, key="start")]


def test_offset_in_january_in_seattle():
    text, facts = _iso_page("2025-01-15T09:00:00-07:00", "Seattle, WA")
    [(span, message, fix)] = _run(T.WrongUtcOffset, text, facts)
    assert span == "-07:00"
    assert message == ("`-07:00` is wrong for Seattle (America/Los_Angeles) on 2025-01-15: "
                       "it is PST (UTC-08:00) then")
    assert [e.replacement for e in fix.edits] == ["-08:00"] and fix.applicability == Applicability.UNSAFE


@pytest.mark.parametrize("stamp, place", [
    ("2024-07-12T11:55:00+02:00", "Prague"),
    ("2023-07-19T11:55:00+03:00", "Vilnius, Lithuania"),
    ("2024-09-22T13:30:00-04:00", "Durham, NC"),
    ("2019-04-24T15:00:00+08:00", "上海市徐汇区田林路200号"),
    ("2025-07-15T09:00:00+00:00", "London"),
])
def test_right_offsets_are_not_reported(stamp, place):
    text, facts = _iso_page(stamp, place)
    assert _run(T.WrongUtcOffset, text, facts) == []
    assert _run(T.UnverifiableZone, text, facts) == []


def test_rules_judge_only_their_kind():
    text, facts = _iso_page("2025-01-15T09:00:00-07:00", "Seattle, WA")
    assert _run(T.WrongZoneAbbreviation, text, facts) == []
    assert _run(T.WrongUtcOffset, SEED, _seed_facts()) == []


def test_a_span_that_does_not_hold_the_zone_is_not_reported():
    facts = _seed_facts()
    rng = facts[2].value
    facts[2].value = F.Range(rng.span, rng.start, rng.end,
                             zone=F.ZoneValue("CET", Span(rng.zone.span.start - 1, rng.zone.span.end), "abbreviation"))
    assert _run(T.WrongZoneAbbreviation, SEED, facts) == []


def test_strict_unverifiable_zone():
    text, facts = _iso_page("2024-07-12T11:55:00+02:00", "Forum Hall")
    assert not T.UnverifiableZone.default_enabled and not T.AmbiguousZoneAbbreviation.default_enabled
    [(span, message, fix)] = _run(T.UnverifiableZone, text, facts)
    assert span == "+02:00" and "cannot be checked" in message and fix is None
    text, facts = _iso_page("2024-07-12T11:55:00+00:00", "Forum Hall")
    assert _run(T.UnverifiableZone, text, facts) == []  # UTC cannot be wrong that way
    text, facts = _iso_page("2024-07-12T11:55:00+02:00", "Forum Hall")
    assert _run(T.UnverifiableZone, text, facts, timezone="Europe/Prague") == []


def _cst_page(place: str):
    text = SEED.replace("(CET)", "(CST)").replace("Station F, Paris, France", place)
    return text, _seed_facts(text, place=place, zone="CST")


def test_strict_ambiguous_abbreviation():
    text, facts = _cst_page("Online")
    [(span, message, _)] = _run(T.AmbiguousZoneAbbreviation, text, facts)
    assert span == "CST"
    assert message == ("`CST` is ambiguous: it can mean Central Standard Time (North America) (UTC-06:00), "
                       "China Standard Time (UTC+08:00) or Cuba Standard Time (UTC-05:00)")
    assert _run(T.UnverifiableZone, text, facts) == []  # once, by TL353
    for settled in ("Shanghai", "Chicago"):
        assert _run(T.AmbiguousZoneAbbreviation, *_cst_page(settled)) == []
    assert len(_run(T.AmbiguousZoneAbbreviation, *_cst_page("Paris"))) == 1
    # CST in Chicago in May is also the wrong half of the year
    assert [s for s, _, _ in _run(T.WrongZoneAbbreviation, *_cst_page("Chicago"))] == ["CST"]


def test_options_are_validated():
    with pytest.raises(ValueError, match="unknown IANA"):
        T.ZoneOptions(timezone="Europe/Pariss")
    with pytest.raises(ValueError, match="unknown IANA"):
        T.ZoneOptions(places={"Kursaal": "Spain"})
    assert T.ZoneOptions.model_validate({"places": {"Kursaal": "Europe/Madrid"}}).places


def test_no_traceback_on_odd_facts():
    text = "x" * 40
    odd = [F.Fact(F.TIME, "body", "Time", Span(0, 3), "xxx", None),
           F.Fact(F.DATE, "body", "Date", Span(0, 3), "xxx", "not a moment"),
           F.Fact(F.PLACE, "body", "Location", Span(0, 3), "xxx", None),
           F.Fact(F.TIMEZONE, "front-matter", "timezone", Span(0, 3), "xxx", ["a", "list"]),
           F.Fact(F.START, "body", "start", Span(0, 3), "xxx",
                  F.Moment(Span(0, 3), date=F.DateValue(2025, 2, 30, Span(0, 3)),
                           zone=F.ZoneValue("xxx", Span(0, 3), "offset"))),
           F.Fact(F.END, "body", "end", Span(0, 3), "xxx",
                  F.Moment(Span(0, 3), date=F.DateValue(9999, 12, 31, Span(0, 3)),
                           zone=F.ZoneValue("xxx", Span(0, 3), "abbreviation")))]
    for rule in T.RULES:
        assert _run(rule, text, odd, timezone="Europe/Paris") is not None


# -- real pages: right zones stay unreported ---------------------------------------------------------

REAL = Path(__file__).parent / "data" / "timezones"  # copied from ../shared/corpus: see ATTRIBUTION.md
TZ_CODES = ["TL350", "TL351", "TL352", "TL353"]


def _lint_real(name: str, **options):
    from talklint.config import Config, Settings
    from talklint.engine import Linter, Overrides

    rules = {code: dict(options) for code in TZ_CODES} if options else {}
    linter = Linter(Config(Settings(rules=rules)), Overrides(select=TZ_CODES))
    result = linter.lint_path(str(REAL / name))
    return [(f.line, f.column, f.code, result.source.text[f.start:f.end]) for f in result.findings]


@pytest.mark.parametrize("name, zone", [
    ("europython-77T3JS.mdx", None),  # +02:00 in July at the Prague Congress Centre
    ("europython-77T3JS.mdx", "Europe/Prague"),
    ("sofastack-sofa-meetup-6.md", None),  # +08:00 in 上海
    ("sofastack-2025-summer-of-open-source.md", "Asia/Shanghai"),  # "18:00 UTC+8" in prose
    ("djangocon-a-brief-history-of-django.md", "America/New_York"),  # -04:00 in September, Durham NC
    ("djangocon-opportunity-grant-last-call.md", "America/New_York"),  # "Noon EDT" in April
])
def test_real_pages_with_right_zones(name, zone):
    found = _lint_real(name, **({"timezone": zone} if zone else {}))
    assert [f for f in found if f[2] in ("TL350", "TL351", "TL353")] == []
    if zone:
        assert found == []


def test_real_page_without_a_place_in_strict_mode():
    # The DjangoCon talk names a room, not a city: its offsets cannot be checked.
    assert _lint_real("djangocon-a-brief-history-of-django.md") == [
        (3, 36, "TL352", "-04:00"), (4, 34, "TL352", "-04:00")]
    # The page names its place (the Prague Congress Centre), which wins over the option.
    assert _lint_real("europython-77T3JS.mdx", timezone="Europe/Vilnius") == []
    # -04:00 is no offset Chicago uses: a time converted from elsewhere, not judged.
    assert _lint_real("djangocon-a-brief-history-of-django.md", timezone="America/Chicago") == []
    # Halifax uses -04:00 in winter only (-03:00 in September): that is caught.
    assert _lint_real("djangocon-a-brief-history-of-django.md", timezone="America/Halifax") == [
        (3, 36, "TL351", "-04:00"), (4, 34, "TL351", "-04:00")]


def test_a_post_date_outside_the_event_does_not_date_its_times():
    # An announcement published in March for a May event: the time is checked on May 6-7.
    text = "---\ndate: 2025-03-01\n---\n- **Dates:** May 6-7, 2025\n- **Location:** Paris\n- **Time:** 10:30 - 11:10 (CEST)\n"
    facts = _seed_facts(text, place="Paris", zone="CEST", date="2025-03-01", days=(D(2025, 3, 1),))
    facts[1].origin = "front-matter"
    rng = F.Range(_span(text, "May 6-7, 2025"),
                  F.Moment(_span(text, "May 6"), date=F.DateValue(2025, 5, 6, _span(text, "May 6"))),
                  F.Moment(_span(text, "7, 2025"), date=F.DateValue(2025, 5, 7, _span(text, "7, 2025"))))
    facts.append(_fact(F.EVENT_DATES, text, "May 6-7, 2025", rng))
    assert T.page_days(F.Facts(facts)) == [D(2025, 5, 6), D(2025, 5, 7)]
    assert _run(T.WrongZoneAbbreviation, text, facts) == []
    facts.pop()  # without the event's dates, the front-matter date is all there is
    assert [s for s, _, _ in _run(T.WrongZoneAbbreviation, text, facts)] == ["CEST"]


# -- [tool.talklint.timezones]: one place for every TL35x rule -------------------------------------

def _lint_text(text: str, timezones: dict | None = None, rules: dict | None = None):
    from talklint.config import Config, Settings
    from talklint.engine import Linter, Overrides

    settings = Settings.model_validate({"timezones": timezones or {}, "rules": rules or {}})
    found = Linter(Config(settings), Overrides(select=TZ_CODES)).lint_text(text, "page.md")
    return [(f.code, text[f.start:f.end], f.message) for f in found]


NO_PLACE = "---\ndate: 2025-05-06\n---\n\n**Time:** 10:30 - 11:10 (CET)\n"
KURSAAL = "---\ndate: 2025-05-06\nvenue: Kursaal\n---\n\n**Time:** 10:30 - 11:10 (CET)\n"


def test_shared_zone_serves_every_rule():
    assert [c for c, _, _ in _lint_text(NO_PLACE)] == ["TL352"]
    [(code, span, message)] = _lint_text(NO_PLACE, {"zone": "Europe/Paris"})
    assert (code, span) == ("TL350", "CET") and "the configured time zone Europe/Paris" in message


def test_rule_option_overrides_the_shared_zone():
    rules = {"wrong-zone-abbreviation": {"timezone": "Asia/Tokyo"}}
    # Tokyo never uses CET: a converted time, not judged; TL352 still has the shared zone.
    assert _lint_text(NO_PLACE, {"zone": "Europe/Paris"}, rules) == []


def test_shared_places_and_rule_places():
    assert [c for c, _, _ in _lint_text(KURSAAL)] == ["TL352"]
    [(code, _, message)] = _lint_text(KURSAAL, {"places": {"Kursaal": "Europe/Madrid"}})
    assert code == "TL350" and "Kursaal (Europe/Madrid)" in message
    rules = {"TL350": {"places": {"Kursaal": "Asia/Tokyo"}}}
    assert _lint_text(KURSAAL, {"places": {"Kursaal": "Europe/Madrid"}}, rules) == []


@pytest.mark.parametrize("table, key", [({"zone": "Europe/Pariss"}, "timezones.zone"),
                                        ({"places": {"Kursaal": "Spain"}}, "timezones.places"),
                                        ({"timezone": "Europe/Paris"}, "timezones.timezone")])
def test_shared_settings_are_validated(table, key):
    from talklint.config import ConfigError, validate_settings

    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        validate_settings({"timezones": table}, "talklint.toml")
