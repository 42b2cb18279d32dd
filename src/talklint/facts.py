"""Event facts: what a page says about when, where, who and what, each with its exact span.

Facts come from front matter (any common field naming; the aliases live in
``rules/data/fields.yaml``) and from the body ("- **Date:** May 6, 2025",
"**Time:** 10:30 - 11:10 (CET)", "时间：2025年5月6日 10:30–11:10", "held on Nov. 7, 2020").
Rules never parse dates themselves: they read :func:`facts_of` and compare values.

Every value keeps the span of the characters it was read from, so a finding can point at the
day that does not exist, the weekday that does not match, or the "CET" that is wrong in May.
Spans are offsets into ``Source.text`` (the whole file), as everywhere in talklint.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterator

from .document import Span

if TYPE_CHECKING:
    from .rule import Context

# Canonical fact names. Front-matter aliases map onto these (rules/data/fields.yaml).
TITLE = "title"
DATE = "date"  # the day of a session / post (may carry a time)
START = "start"  # start date-time of a session
END = "end"  # end date-time of a session
TIME = "time"  # a time or time range written on its own ("10:30 - 11:10 (CET)")
DURATION = "duration"
TIMEZONE = "timezone"  # an explicit zone field (IANA name, abbreviation or offset)
PLACE = "place"  # location / room / venue / city
SPEAKERS = "speakers"  # speaker names or slugs
EVENT = "event"  # the event's name ("GOSIM AI Paris 2025")
EVENT_DATES = "event_dates"  # the event's dates ("Dates: May 6-7, 2025")
PUBLISHED = "published"  # when a post/recap was published
HELD = "held"  # a recap's "held on Nov. 7, 2020": when the reported event took place
SLUG = "slug"  # the page's own slug / id / permalink
NAME = "name"  # a speaker page's name
MENTIONED = "mentioned"  # a date written in the body's prose, with no label ("on May 6, 2025")

# Facts whose value is a Moment or a Range.
TIMED = frozenset((DATE, START, END, TIME, EVENT_DATES, PUBLISHED, HELD, MENTIONED))
CANONICAL = frozenset((TITLE, DATE, START, END, TIME, DURATION, TIMEZONE, PLACE, SPEAKERS, EVENT,
                       EVENT_DATES, PUBLISHED, HELD, SLUG, NAME, MENTIONED))


@dataclass(frozen=True)
class Piece:
    """A piece of text as written, with its span."""

    text: str
    span: Span


@dataclass(frozen=True)
class DateValue:
    """A calendar date as written. ``year`` is None when the text gives none ("5月6日").

    The fields are what was written, not validated: ``date`` is None for Feb 30 or month 13.
    """

    year: int | None
    month: int
    day: int
    span: Span
    weekday: Piece | None = None  # a written weekday ("Tue", "周二"), if any
    weekday_number: int | None = None  # 0 = Monday … 6 = Sunday, for ``weekday``

    @property
    def date(self) -> dt.date | None:
        if self.year is None:
            return None
        try:
            return dt.date(self.year, self.month, self.day)
        except ValueError:
            return None


@dataclass(frozen=True)
class TimeValue:
    """A wall-clock time as written (24-hour after parsing "2 pm")."""

    hour: int
    minute: int
    span: Span
    second: int = 0

    @property
    def time(self) -> dt.time | None:
        try:
            return dt.time(self.hour, self.minute, self.second)
        except ValueError:
            return None


@dataclass(frozen=True)
class ZoneValue:
    """A written time zone: an abbreviation ("CET"), an IANA name ("Europe/Paris") or a UTC
    offset ("+02:00", "UTC+8", "GMT-7"). ``offset`` is set for offsets and for abbreviations
    with one fixed meaning; None otherwise."""

    text: str
    span: Span
    kind: str  # "abbreviation" | "iana" | "offset"
    offset: dt.timedelta | None = None


@dataclass(frozen=True)
class Moment:
    """A date, a time, or both, with an optional zone; ``span`` covers all of it."""

    span: Span
    date: DateValue | None = None
    time: TimeValue | None = None
    zone: ZoneValue | None = None


@dataclass(frozen=True)
class Range:
    """From ``start`` to ``end`` ("May 6-7, 2025", "10:30 - 11:10 (CET)").

    Parts left out in the text are filled from the other end ("May 6-7, 2025": both ends are
    in May 2025); ``zone`` is a zone written once for the whole range."""

    span: Span
    start: Moment
    end: Moment
    zone: ZoneValue | None = None


@dataclass
class Fact:
    """One fact. ``value`` depends on the kind of fact:

    - dates and times (date, start, end, time, event_dates, published, held, mentioned): a
      :class:`Moment` or a :class:`Range`, or None when the text could not be read as one
      (then ``problem`` says why: "malformed timestamp", "ambiguous numeric date" with both
      ``readings``, "unreadable"). An impossible date or time (Feb 30, 25:00) is kept in the
      value, so a rule can point at it, and ``problem`` is "invalid date" / "invalid time":
      check ``problem`` before trusting a value. ``talklint.when.moments(value)`` gives a
      value's moments and ``talklint.when.zone_of(value, moment)`` the zone that applies to
      one (its own, else the range's);
    - duration: a :class:`datetime.timedelta` or None;
    - speakers: a list of :class:`Piece` (one per name or slug);
    - everything else: the text as a :class:`str`.
    """

    name: str  # canonical name (module constants above)
    origin: str  # "front-matter" or "body"
    # key: for prose dates, the words that classified them ("was held on", "By") or "".
    key: str  # the front-matter key or the body label as written ("start_datetime", "Date", "时间")
    span: Span  # the value's characters in the file
    raw: str  # the value as written
    value: Any = None
    problem: str | None = None
    # An ambiguous numeric date's possible readings (day first, month first); empty otherwise.
    readings: tuple[DateValue, ...] = ()


@dataclass
class Facts:
    items: list[Fact] = field(default_factory=list)

    def __iter__(self) -> Iterator[Fact]:
        return iter(self.items)

    def all(self, name: str, origin: str | None = None) -> list[Fact]:
        return [f for f in self.items if f.name == name and (origin is None or f.origin == origin)]

    def first(self, name: str, origin: str | None = None) -> Fact | None:
        found = self.all(name, origin)
        return found[0] if found else None


def facts_of(ctx: "Context") -> Facts:
    """The facts of the file being checked, extracted once per file and shared by all rules."""
    cached = ctx.shared.get("facts")
    if cached is None:
        cached = ctx.shared["facts"] = extract(ctx.document)
    return cached


def extract(document: Any) -> Facts:
    """All the facts of a parsed :class:`~talklint.document.Document` (see :mod:`talklint.extract`)."""
    from .extract import extract_facts

    return extract_facts(document)
