"""Time zones, DST-aware (TL350–TL353): a zone abbreviation or UTC offset that is wrong for the
event's place and date.

* TL350 wrong-zone-abbreviation: "10:30 (CET)" on May 6 in Paris, which is on CEST then.
* TL351 wrong-utc-offset: `-07:00` on a January date in Seattle, which is on UTC-08:00 then.
* TL352 unverifiable-zone (strict mode: off by default): a zone with no place or zone to check
  it against.
* TL353 ambiguous-zone-abbreviation (strict mode: off by default): CST, IST, BST … that the
  place does not settle.

Where the event is comes from, in this order (docs/timezones.md): a ``timezone`` fact holding an
IANA name (front matter ``timezone: Europe/Paris``); the place facts (``location``, ``venue``,
"**Location:** Station F, Paris") looked up in the gazetteer ``rules/data/places.yaml``; the
event's name ("GOSIM AI Paris 2025"), or a title naming a city next to a year or as a meetup's
stop ("成都站"); and last the
configured zone: the rule option ``timezone``, else ``zone`` of ``[tool.talklint.timezones]``. A page whose place is unknown is never reported by TL350/TL351.

The zone arithmetic lives in :mod:`talklint.zones`; this module only finds what a page wrote and
where, and asks.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

from pydantic import Field

from .. import facts as F
from .. import when, zones
from ..facts import Moment, Range, ZoneValue, facts_of
from ..config import PlaceZones, TimezoneSettings, ZoneName
from ..finding import Applicability, Fix
from ..rule import Context, Rule, RuleOptions

# Facts whose zone is checked: every dated fact but a post's publication time, which is written
# on the author's or the site's clock, not the event's.
ZONED_FACTS = F.TIMED - {F.PUBLISHED}
# Facts that date the page's event, for a time written without its own date ("10:30 CET").
DATING_FACTS = (F.DATE, F.START, F.END, F.HELD)
MAX_EVENT_DAYS = 31  # longer "event dates" are a season or a typo: not days to check against

_YEAR_BEFORE = re.compile(r"(?<!\d)(?:19|20)\d\d\s*$")
# After a city, a year ("Paris 2025") or 站, a Chinese meetup's stop ("SOFAMeetup 成都站").
_EVENT_AFTER = re.compile(r"^(?:\s*(?:19|20)\d\d(?!\d)|站)")


# -- options ---------------------------------------------------------------------------------------

class ZoneOptions(RuleOptions):
    timezone: ZoneName = Field(
        default=None, description="IANA zone (`Europe/Paris`) of pages that name no place and "
        "no `timezone` of their own, for this rule only; default: `zone` of "
        "`[tool.talklint.timezones]`. A page's own place or `timezone` wins")
    places: PlaceZones = Field(
        default_factory=dict, description="More gazetteer entries for this rule only, place name → "
        "IANA zone (`{\"Kursaal\" = \"Europe/Madrid\"}`); they win over `places` of "
        "`[tool.talklint.timezones]` and over rules/data/places.yaml")


def shared_settings(ctx: Context) -> TimezoneSettings:
    """``[tool.talklint.timezones]`` of the run (the defaults for a context without a config)."""
    settings = getattr(ctx.config, "settings", None)
    return getattr(settings, "timezones", None) or TimezoneSettings()


# -- what the page says ----------------------------------------------------------------------------

@dataclass(frozen=True)
class EventZone:
    zone: str  # IANA name
    where: str  # how a message names it: "Station F (Europe/Paris)"


@dataclass
class Written:
    """A zone written on the page, with the local dates (and times) it applies to."""

    zone: ZoneValue
    moments: list[tuple[dt.date, dt.time | None]] = field(default_factory=list)


def event_zone(facts: F.Facts, gazetteer: zones.Gazetteer, configured: str | None) -> EventZone | None:
    """Where the page's event takes place, by the precedence in the module docstring."""
    for fact in facts.all(F.TIMEZONE):
        name = fact.value if isinstance(fact.value, str) else fact.raw
        if isinstance(name, str) and zones.zone_named(name.strip()) is not None:
            return EventZone(name.strip(), f"its `{fact.key}` {name.strip()}")
    found = zones.settle(m for text in _texts(facts, F.PLACE) for m in gazetteer.matches(text))
    if found is None:
        named = [m for text in _texts(facts, F.EVENT) for m in gazetteer.matches(text)]
        named += [m for text in _texts(facts, F.TITLE) for m in gazetteer.matches(text)
                  if _names_event(text, m)]
        found = zones.settle(named)
    if found is not None:
        return EventZone(found.zone, f"{found.name} ({found.zone})")
    if configured:
        return EventZone(configured, f"the configured time zone {configured}")
    return None


def _texts(facts: F.Facts, name: str) -> list[str]:
    return [f.value if isinstance(f.value, str) else f.raw for f in facts.all(name)]


def _names_event(text: str, match: zones.PlaceMatch) -> bool:
    """A city in a title says where the event is only inside an event name ("GOSIM AI Paris
    2025", "SOFAMeetup 成都站"); "Why Paris loves Python" says nothing about where the talk is."""
    return bool(_YEAR_BEFORE.search(text[:match.start]) or _EVENT_AFTER.match(text[match.end:]))


def written_zones(facts: F.Facts) -> list[Written]:
    """Every zone written in a dated fact, once per span, with the local dates and times it
    applies to; a time without a date ("10:30 (CET)") takes the page's dates."""
    days: list[dt.date] | None = None  # most pages write no zone and never need them
    by_span: dict[tuple[int, int], Written] = {}
    for fact in facts:
        if fact.name not in ZONED_FACTS:
            continue
        for moment, zone in _zoned_moments(fact.value):
            if days is None:
                days = page_days(facts)
            written = by_span.setdefault((zone.span.start, zone.span.end), Written(zone))
            written.moments += [(day, _time_of(moment)) for day in _days_of(moment, days)]
    return list(by_span.values())


def _zoned_moments(value: object) -> Iterator[tuple[Moment, ZoneValue]]:
    if isinstance(value, Moment) and value.zone is not None:
        yield value, value.zone
    elif isinstance(value, Range):
        for moment in (value.start, value.end):
            zone = moment.zone or value.zone
            if zone is not None:
                yield moment, zone



def _time_of(moment: Moment) -> dt.time | None:
    return moment.time.time if moment.time is not None else None


def _days_of(moment: Moment, page: list[dt.date]) -> list[dt.date]:
    if moment.date is None:
        return page
    if moment.date.date is not None:
        return [moment.date.date]
    # "5月6日" has no year: the page's own dates may give it one.
    return [d for d in page if (d.month, d.day) == (moment.date.month, moment.date.day)]


def page_days(facts: F.Facts) -> list[dt.date]:
    """The days a time written without a date ("**Time:** 10:30 (CET)") is checked at.

    The dates written in the body come first: they sit next to the time. A front-matter
    `date` comes next, unless it falls outside the event's dates, where it is the day a post
    announcing the event was published; then every day of the event's dates."""
    body = _days(f for f in facts if f.name in DATING_FACTS and f.origin == "body")
    if body:
        return body
    front = _days(f for f in facts if f.name in DATING_FACTS and f.origin != "body")
    event = sorted({d for f in facts.all(F.EVENT_DATES) for d in _range_days(f.value)})
    if front and (not event or set(front) <= set(event)):
        return front
    return event or front


def _days(facts: Iterable[F.Fact]) -> list[dt.date]:
    return sorted({d for f in facts for m in when.moments(f.value) if (d := _day(m)) is not None})


def _day(moment: Moment) -> dt.date | None:
    return moment.date.date if moment.date is not None else None


def _range_days(value: object) -> list[dt.date]:
    ends = [d for m in when.moments(value) if (d := _day(m)) is not None]
    if not ends:
        return []
    first, last = min(ends), max(ends)
    if (last - first).days > MAX_EVENT_DAYS:
        return [first, last]
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def _exactly_written(ctx: Context, zone: ZoneValue) -> bool:
    """The span holds the zone as written: a finding must point at exactly those characters."""
    return ctx.source.text[zone.span.start:zone.span.end] == zone.text and bool(zone.text)


# -- the rules ------------------------------------------------------------------------------------

class _ZoneRule(Rule):
    """Shared machinery: options → gazetteer, page → event zone and written zones."""

    Options = ZoneOptions

    def __init__(self, options: RuleOptions | None = None) -> None:
        super().__init__(options)
        # One run has one config, but a rule object may serve several (the library API):
        # a gazetteer per set of shared places, built once.
        self._gazetteers: dict[tuple[tuple[str, str], ...], zones.Gazetteer] = {}

    def gazetteer(self, shared: TimezoneSettings) -> zones.Gazetteer:
        """The built-in gazetteer, with the shared places, with this rule's own places."""
        key = tuple(sorted(shared.places.items()))
        if key not in self._gazetteers:
            self._gazetteers[key] = zones.builtin_gazetteer().merged({**shared.places, **self.options.places})
        return self._gazetteers[key]

    def zones_on_page(self, ctx: Context) -> tuple[EventZone | None, list[Written]]:
        facts = facts_of(ctx)
        written = ctx.shared.get("timezones.written")
        if written is None:  # the same for every zone rule: it reads the page's facts only
            written = [w for w in written_zones(facts) if _exactly_written(ctx, w.zone)]
            ctx.shared["timezones.written"] = written
        if not written:
            return None, []
        shared = shared_settings(ctx)
        configured = self.options.timezone or shared.zone
        # The zone rules with the same places and zone find the same event zone on a page.
        places = tuple(sorted({**shared.places, **self.options.places}.items()))
        key = ("timezones.event", places, configured)
        if key not in ctx.shared:
            ctx.shared[key] = event_zone(facts, self.gazetteer(shared), configured)
        return ctx.shared[key], written


Check = Callable[[str, str, dt.date, "dt.time | None"], zones.Verdict]


class _WrongZoneRule(_ZoneRule):
    kind: str  # the ZoneValue kind this rule judges
    judge: Check

    def check(self, ctx: Context) -> Iterable:
        place, written = self.zones_on_page(ctx)
        if place is None:
            return
        for w in written:
            if w.zone.kind != self.kind or not w.moments:
                continue
            verdict = _verdict(type(self).judge, w, place.zone)
            if verdict is not None:
                yield self._finding(w, place, verdict)

    def _finding(self, w: Written, place: EventZone, verdict: zones.Verdict):
        days = sorted({day for day, _ in w.moments})
        when = " and ".join(d.isoformat() for d in days[:2]) + (" …" if len(days) > 2 else "")
        message = (f"`{w.zone.text}` is wrong for {place.where} on {when}: "
                   f"it is {verdict.expected} then")
        fix = None
        if verdict.replacement and verdict.replacement != w.zone.text:
            fix = Fix.replace(w.zone.span.start, w.zone.span.end, verdict.replacement,
                              f"Write `{verdict.replacement}`", Applicability.UNSAFE)
        return self.finding(w.zone.span.start, w.zone.span.end, message, fix)


def _verdict(judge: Check, w: Written, zone: str) -> zones.Verdict | None:
    """Wrong only if wrong at every date and time it applies to: a page whose dates straddle
    a clock change is right on some of them."""
    verdicts = [judge(w.zone.text, zone, day, time) for day, time in w.moments]
    if not verdicts or any(v.status != "wrong" for v in verdicts):
        return None
    if len({v.replacement for v in verdicts}) > 1:
        return zones.Verdict("wrong", " or ".join(sorted({v.expected for v in verdicts})), None)
    return verdicts[0]


class WrongZoneAbbreviation(_WrongZoneRule):
    """## What it does
    Finds a time-zone abbreviation that is the event place's own zone, but the wrong half of
    the year for the date: "10:30 - 11:10 (CET)" on May 6, 2025 at Station F in Paris, which is
    on summer time, CEST (UTC+02:00), from late March to late October; "EST" for a July date
    in New York (EDT); "GMT" for a summer date in London (BST).

    The place comes from the page (its `timezone`, its location or venue looked up in the
    gazetteer `rules/data/places.yaml`, its event name) or from the configured zone (`zone` in
    `[tool.talklint.timezones]`, or the rule's `timezone` option); see
    docs/timezones.md. A page whose place is unknown is never reported, nor is a zone the
    place never uses ("9:00 PST" on a Paris page is a time converted for other readers).
    Dates are checked with the IANA time-zone database, so the rules of each year apply,
    and a date on which the clocks change is never reported.

    ## Why is this bad?
    A reader who converts the time gets it an hour wrong, and calendar exports built from
    the page put the session at the wrong hour.

    ## Example
    ```markdown
    - **Date:** May 6, 2025
    - **Time:** 10:30 - 11:10 (CET)
    - **Location:** Station F, Paris, France
    ```
    Use instead (an unsafe fix, since the time itself may be what is wrong):
    ```markdown
    - **Time:** 10:30 - 11:10 (CEST)
    ```
    """

    code = "TL350"
    name = "wrong-zone-abbreviation"
    summary = "A time-zone abbreviation that is wrong for the event's place and date (CET in May in Paris)"
    fixable = "sometimes"
    kind = "abbreviation"
    judge = staticmethod(zones.check_abbreviation)


class WrongUtcOffset(_WrongZoneRule):
    """## What it does
    Finds a UTC offset that the event place uses during the year, but not on the date it is
    written for: `start: 2025-01-15T09:00:00-07:00` for a session in Seattle, which is on
    UTC-08:00 (PST) in January; "14:00 UTC+1" for a July date in Paris (UTC+02:00).

    The place is found as for TL350 (docs/timezones.md); a page whose place is unknown is never
    reported. An offset of zero (`Z`, `+00:00`, "UTC") says the time is given in UTC, and an
    offset the place never uses is a time converted for readers elsewhere: neither is reported.

    ## Why is this bad?
    The offset turns a wall-clock time into an instant. With the wrong one, every calendar,
    countdown and "add to calendar" link built from the page is an hour off.

    ## Example
    ```markdown
    ---
    location: Seattle, WA
    start: 2025-01-15T09:00:00-07:00
    ---
    ```
    Use instead (an unsafe fix, written in the same style):
    ```markdown
    start: 2025-01-15T09:00:00-08:00
    ```
    """

    code = "TL351"
    name = "wrong-utc-offset"
    summary = "A UTC offset that is wrong for the event's place and date (-07:00 in January in Seattle)"
    fixable = "always"
    kind = "offset"
    judge = staticmethod(zones.check_offset)


class _StrictRule(_ZoneRule):
    """Strict mode: off by default, so a page is held to it only when the config selects the
    rule by its code or name (``extend-select = ["TL352", "TL353"]``)."""

    default_enabled = False


class UnverifiableZone(_StrictRule):
    """## What it does
    Strict mode, off by default (enable it with `extend-select = ["TL352"]`): finds a time-zone
    abbreviation or UTC offset on a page that names no place the gazetteer knows and no `timezone`, so
    nothing can tell whether it is right for the date. Zones that name UTC itself (`Z`,
    `+00:00`, "UTC", "GMT") and IANA names are never reported: they cannot be wrong that way.
    Ambiguous abbreviations are TL353's.

    ## Why is this bad?
    "10:00 (+02:00)" is right in Prague in July and wrong in London; a site that wants every
    time checked needs every page to say where it is.

    ## Example
    ```markdown
    ---
    start: 2024-07-12T11:55:00+02:00
    room: Forum Hall
    ---
    ```
    Add the place (`location: Prague`), or `timezone: Europe/Prague`, or set `zone` in
    `[tool.talklint.timezones]` for the whole site.
    """

    code = "TL352"
    name = "unverifiable-zone"
    summary = "A zone or UTC offset with no place or time zone to check it against (strict mode)"

    def check(self, ctx: Context) -> Iterable:
        place, written = self.zones_on_page(ctx)
        if place is not None:
            return
        for w in written:
            zone = w.zone
            if zone.kind == "iana" or _names_utc(zone) or zones.is_ambiguous(zone.text):
                continue
            yield self.finding(zone.span.start, zone.span.end,
                               f"`{zone.text}` cannot be checked: no place or time zone is known "
                               "for this page (add its location or `timezone`)")


def _names_utc(zone: ZoneValue) -> bool:
    if zone.text.upper() in zones.UTC_NAMES:
        return True
    return zone.kind == "offset" and zones.parse_offset(zone.text) == dt.timedelta(0)


class AmbiguousZoneAbbreviation(_StrictRule):
    """## What it does
    Strict mode, off by default (enable it with `extend-select = ["TL353"]`): finds a time-zone
    abbreviation with several meanings that the page's place does not settle: "CST" is US Central
    (UTC-06:00), China (UTC+08:00) or Cuba (UTC-05:00); "IST" is India, Ireland or Israel;
    "BST" is British Summer Time or Bangladesh. "CST" on a page placed in Shanghai or Chicago
    is settled, and not reported.

    ## Why is this bad?
    Readers elsewhere cannot tell which time is meant, and neither can a program.

    ## Example
    ```markdown
    **Time:** 19:00 CST
    ```
    Use instead: `19:00 (UTC+8)`, or name the place.
    """

    code = "TL353"
    name = "ambiguous-zone-abbreviation"
    summary = "A time-zone abbreviation with several meanings the page's place does not settle (strict mode)"

    def check(self, ctx: Context) -> Iterable:
        place, written = self.zones_on_page(ctx)
        for w in written:
            zone = w.zone
            if zone.kind != "abbreviation" or not zones.is_ambiguous(zone.text):
                continue
            if place is not None and _settled(zone.text, place.zone, w.moments):
                continue
            yield self.finding(zone.span.start, zone.span.end,
                               f"`{zone.text}` is ambiguous: it can mean {_meanings(zone.text)}")


def _settled(abbreviation: str, zone: str, moments: list[tuple[dt.date, dt.time | None]]) -> bool:
    """The place uses this abbreviation (in the years of the page, or this year)."""
    years = {day.year for day, _ in moments} or {dt.date.today().year}
    return any(abbreviation.upper() in zones.zone_year(zone, year) for year in years)


def _meanings(abbreviation: str) -> str:
    parts = [f"{m.name} ({zones.format_offset(m.offset)})" for m in zones.meanings(abbreviation)
             if m.offset is not None]
    return ", ".join(parts[:-1]) + " or " + parts[-1] if len(parts) > 1 else "".join(parts)


RULES = [WrongZoneAbbreviation, WrongUtcOffset, UnverifiableZone, AmbiguousZoneAbbreviation]
