"""Time zones, DST-aware: pure functions over the IANA database (:mod:`zoneinfo`).

Three ways to write a zone meet here:

* an abbreviation ("CET", "EDT", "CST") — :data:`ABBREVIATIONS` says what each can mean;
* a UTC offset ("+02:00", "UTC+8", "GMT-7", "Z") — :func:`parse_offset`;
* an IANA name ("Europe/Paris") — :func:`zone_named`.

Given a local date (and time), the IANA zone of the place, and a written abbreviation or
offset, :func:`check_abbreviation` and :func:`check_offset` say whether it is right, and what
is right ("CEST (UTC+02:00)").

What counts as *wrong* is deliberately narrow: the written zone must be one the place itself
uses during that year (its own standard or summer name or offset) but not the one in force on
that date — "CET" in Paris in May, "-07:00" in Seattle in January. A zone the place never uses
("10:00 PST" on a Paris page, "09:00Z") is a conversion for readers elsewhere, which is not
wrong, so it is reported as *not judged*.

The gazetteer (:class:`Gazetteer`) maps place names ("Station F", "Shenzhen", "上海") to IANA
zones; the built-in one is ``rules/data/places.yaml``.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import zoneinfo
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

import yaml

from .yamlfile import load_data


@dataclass(frozen=True)
class Meaning:
    """One thing an abbreviation can mean. ``offset`` is None for generic names ("PT",
    "Pacific Time") whose offset depends on the date. A ``rare`` meaning is one a page seldom
    intends (Philippine Standard Time is usually written PHT): it makes the abbreviation
    ambiguous, but does not keep a time written with it from having its usual offset."""

    offset: dt.timedelta | None
    name: str
    rare: bool = False


def _m(hours: float | None, name: str, *, rare: bool = False) -> Meaning:
    return Meaning(None if hours is None else dt.timedelta(hours=hours), name, rare)


# Abbreviations a conference page uses, with every offset each can mean. Several are
# ambiguous (CST, IST, BST, AST …): :func:`is_ambiguous` reports them, and only the place's
# zone can settle which one a page means.
ABBREVIATIONS: dict[str, tuple[Meaning, ...]] = {
    "UTC": (_m(0, "Coordinated Universal Time"),),
    "UT": (_m(0, "Universal Time"),),
    "Z": (_m(0, "Coordinated Universal Time"),),
    "GMT": (_m(0, "Greenwich Mean Time"),),
    "WET": (_m(0, "Western European Time"),),
    "WEST": (_m(1, "Western European Summer Time"),),
    "BST": (_m(1, "British Summer Time"), _m(6, "Bangladesh Standard Time")),
    "IST": (_m(5.5, "India Standard Time"), _m(1, "Irish Standard Time"),
            _m(2, "Israel Standard Time")),
    "CET": (_m(1, "Central European Time"),),
    "CEST": (_m(2, "Central European Summer Time"),),
    "MEZ": (_m(1, "Mitteleuropäische Zeit (CET)"),),
    "MESZ": (_m(2, "Mitteleuropäische Sommerzeit (CEST)"),),
    "EET": (_m(2, "Eastern European Time"),),
    "EEST": (_m(3, "Eastern European Summer Time"),),
    "MSK": (_m(3, "Moscow Time"),),
    "TRT": (_m(3, "Turkey Time"),),
    "WAT": (_m(1, "West Africa Time"),),
    "CAT": (_m(2, "Central Africa Time"),),
    "SAST": (_m(2, "South Africa Standard Time"),),
    "EAT": (_m(3, "East Africa Time"),),
    "IDT": (_m(3, "Israel Daylight Time"),),
    "GST": (_m(4, "Gulf Standard Time"),),
    "PKT": (_m(5, "Pakistan Standard Time"),),
    "ICT": (_m(7, "Indochina Time"),),
    "WIB": (_m(7, "Western Indonesia Time"),),
    "CST": (_m(-6, "Central Standard Time (North America)"), _m(8, "China Standard Time"),
            _m(-5, "Cuba Standard Time")),
    "HKT": (_m(8, "Hong Kong Time"),),
    "SGT": (_m(8, "Singapore Time"),),
    "MYT": (_m(8, "Malaysia Time"),),
    "PHT": (_m(8, "Philippine Time"),),
    "AWST": (_m(8, "Australian Western Standard Time"),),
    "JST": (_m(9, "Japan Standard Time"),),
    "KST": (_m(9, "Korea Standard Time"),),
    "ACST": (_m(9.5, "Australian Central Standard Time"),),
    "ACDT": (_m(10.5, "Australian Central Daylight Time"),),
    "AEST": (_m(10, "Australian Eastern Standard Time"),),
    "AEDT": (_m(11, "Australian Eastern Daylight Time"),),
    "NZST": (_m(12, "New Zealand Standard Time"),),
    "NZDT": (_m(13, "New Zealand Daylight Time"),),
    "HST": (_m(-10, "Hawaii Standard Time"),),
    "AKST": (_m(-9, "Alaska Standard Time"),),
    "AKDT": (_m(-8, "Alaska Daylight Time"),),
    "PST": (_m(-8, "Pacific Standard Time"), _m(8, "Philippine Standard Time", rare=True)),
    "PDT": (_m(-7, "Pacific Daylight Time"),),
    "MST": (_m(-7, "Mountain Standard Time"),),
    "MDT": (_m(-6, "Mountain Daylight Time"),),
    "CDT": (_m(-5, "Central Daylight Time (North America)"), _m(-4, "Cuba Daylight Time", rare=True)),
    "EST": (_m(-5, "Eastern Standard Time"),),
    "EDT": (_m(-4, "Eastern Daylight Time"),),
    "AST": (_m(-4, "Atlantic Standard Time"), _m(3, "Arabia Standard Time")),
    "ADT": (_m(-3, "Atlantic Daylight Time"),),
    "BRT": (_m(-3, "Brasília Time"),),
    "ART": (_m(-3, "Argentina Time"),),
    "NST": (_m(-3.5, "Newfoundland Standard Time"),),
    "NDT": (_m(-2.5, "Newfoundland Daylight Time"),),
    "PT": (_m(None, "Pacific Time"),),
    "MT": (_m(None, "Mountain Time"),),
    "CT": (_m(None, "Central Time"),),
    "ET": (_m(None, "Eastern Time"),),
}

# Local spellings of a name the IANA database uses: a page in German writes MEZ for CET.
ALIASES: dict[str, str] = {"MEZ": "CET", "MESZ": "CEST"}

# Names people use where the IANA database writes a bare number ("+08" for Singapore).
ZONE_EXTRAS: dict[str, tuple[str, ...]] = {
    "Asia/Singapore": ("SGT",),
    "Asia/Kuala_Lumpur": ("MYT",),
    "Asia/Dubai": ("GST",),
    "Asia/Bangkok": ("ICT",),
    "Asia/Ho_Chi_Minh": ("ICT",),
    "America/Sao_Paulo": ("BRT",),
    "America/Argentina/Buenos_Aires": ("ART",),
    "Europe/Istanbul": ("TRT",),
}

# Offsets that name UTC itself: a time given in UTC is a conversion, never a local mistake.
UTC_NAMES = frozenset({"UTC", "UT", "Z", "GMT"})

# Ideographic space too: CJK pages write "UTC\u3000+8".
_BLANK = "[ \t\u00a0\u202f\u3000]?"
_OFFSET = re.compile(
    rf"^(?P<prefix>(?:UTC|GMT|UT)?{_BLANK})(?P<sign>[+\-\u2212])(?P<gap>{_BLANK})(?P<hours>\d{{1,2}})"
    r"(?:(?P<sep>:?)(?P<minutes>\d{2}))?$")


# -- abbreviations and offsets ------------------------------------------------------------------

def meanings(abbreviation: str) -> tuple[Meaning, ...]:
    """What an abbreviation can mean; empty when it is not one talklint knows."""
    return ABBREVIATIONS.get(abbreviation.upper(), ())


def is_ambiguous(abbreviation: str) -> bool:
    """True when the abbreviation names several different offsets (CST, IST, BST …)."""
    offsets = {m.offset for m in meanings(abbreviation)}
    return len(offsets) > 1


def usual_offset(abbreviation: str) -> dt.timedelta | None:
    """The offset a time written with the abbreviation has: the one its usual meanings share
    ("PST" is -08:00); None when they differ ("CST"), depend on the date ("PT"), or the
    abbreviation is unknown."""
    offsets = {m.offset for m in meanings(abbreviation) if not m.rare}
    return offsets.pop() if len(offsets) == 1 else None


def parse_offset(text: str) -> dt.timedelta | None:
    """The offset written as "+02:00", "+0200", "+02", "UTC+8", "GMT-7", "UTC−05:30", "Z" or
    a bare "UTC"/"GMT"; None when the text is not an offset (or out of range)."""
    text = text.strip()
    if text.upper() in UTC_NAMES:
        return dt.timedelta(0)
    m = _OFFSET.match(text)
    if not m:
        return None
    hours, minutes = int(m.group("hours")), int(m.group("minutes") or 0)
    if hours > 14 or minutes >= 60:
        return None
    offset = dt.timedelta(hours=hours, minutes=minutes)
    return -offset if m.group("sign") != "+" else offset


def format_offset(offset: dt.timedelta) -> str:
    """``UTC+02:00``, ``UTC-07:00``, ``UTC+05:30``."""
    return "UTC" + _signed(offset, minutes=True, sep=":", width=2)


def offset_like(written: str, offset: dt.timedelta) -> str | None:
    """``offset`` written the way ``written`` is: "-07:00" → "-08:00", "UTC+1" → "UTC+2",
    "GMT−0700" → "GMT−0800". None when ``written`` is not an offset."""
    m = _OFFSET.match(written.strip())
    if not m:
        return None
    uses_minutes = m.group("minutes") is not None or offset.seconds % 3600
    text = _signed(offset, minutes=bool(uses_minutes), sep=m.group("sep") if m.group("minutes") else ":",
                   width=len(m.group("hours")))
    if m.group("sign") == "\u2212":
        text = text.replace("-", "\u2212")
    return m.group("prefix") + text[0] + m.group("gap") + text[1:]


def _signed(offset: dt.timedelta, *, minutes: bool, sep: str, width: int) -> str:
    total = int(offset.total_seconds()) // 60
    sign = "-" if total < 0 else "+"
    hours, mins = divmod(abs(total), 60)
    text = f"{sign}{hours:0{width}d}"
    return text + f"{sep}{mins:02d}" if minutes else text


def describe(abbreviation: str | None, offset: dt.timedelta) -> str:
    """``CEST (UTC+02:00)``, or just ``UTC+08:00`` when there is no name."""
    return f"{abbreviation} ({format_offset(offset)})" if abbreviation else format_offset(offset)


# -- the IANA database ----------------------------------------------------------------------------

@functools.lru_cache(maxsize=1024)
def zone_named(name: str) -> zoneinfo.ZoneInfo | None:
    """The IANA zone of that name, or None (an unknown name, a malformed one such as
    "../etc", or a platform with no zone database)."""
    if not name or "/" not in name and name.upper() != "UTC":
        return None
    try:
        return zoneinfo.ZoneInfo(name.strip())
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return None


def _local(zone: zoneinfo.ZoneInfo, day: dt.date, time: dt.time, fold: int) -> dt.datetime:
    return dt.datetime.combine(day, time).replace(tzinfo=zone, fold=fold)


def valid_offsets(zone_name: str, day: dt.date, time: dt.time | None = None) -> frozenset[dt.timedelta]:
    """The offsets the zone may have at that local date and time. Usually one; two in the
    hour repeated or skipped by a clock change, or, without a time, on the day of a change."""
    zone = zone_named(zone_name)
    if zone is None:
        return frozenset()
    times = [time] if time is not None else [dt.time(0), dt.time(12), dt.time(23, 59, 59)]
    return frozenset(_local(zone, day, t, fold).utcoffset() for t in times for fold in (0, 1))


@functools.lru_cache(maxsize=512)
def zone_year(zone_name: str, year: int) -> dict[str, frozenset[dt.timedelta]]:
    """Every abbreviation the zone uses in that year, with its offsets; numeric names
    ("+08") become the offset's key ``""``. Local spellings (:data:`ALIASES`,
    :data:`ZONE_EXTRAS`) are included."""
    zone = zone_named(zone_name)
    if zone is None or not dt.MINYEAR < year < dt.MAXYEAR:
        return {}
    found: dict[str, set[dt.timedelta]] = {}
    start = dt.datetime(year, 1, 1, 12, tzinfo=dt.timezone.utc)
    # Weekly samples: no zone keeps summer time for less than a week.
    for week in range(53):
        local = (start + dt.timedelta(weeks=week)).astimezone(zone)
        name = local.tzname() or ""
        found.setdefault("" if name[:1] in "+-" else name.upper(), set()).add(local.utcoffset())
    for alias, name in ALIASES.items():
        if name in found:
            found[alias] = found[name]
    for extra in ZONE_EXTRAS.get(zone_name, ()):
        found.setdefault(extra, set().union(*found.values()))
    return {name: frozenset(offs) for name, offs in found.items()}


def zone_offsets(zone_name: str, year: int) -> frozenset[dt.timedelta]:
    """Every offset the zone uses in that year."""
    return frozenset(o for offs in zone_year(zone_name, year).values() for o in offs)


def local_name(zone_name: str, day: dt.date, time: dt.time | None = None) -> tuple[str | None, dt.timedelta] | None:
    """(abbreviation or None, offset) of the zone at that local date and time."""
    zone = zone_named(zone_name)
    if zone is None:
        return None
    local = _local(zone, day, time or dt.time(12), 0)
    name = local.tzname() or ""
    if name[:1] in "+-":
        extras = ZONE_EXTRAS.get(zone_name, ())
        name = extras[0] if extras else ""
    return (name or None), local.utcoffset()


# -- verdicts ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Verdict:
    """Whether a written zone is right for a place and date.

    ``status`` is "right", "wrong" or "unjudged" (not a zone the place uses: a conversion, or
    nothing to compare with). For "wrong", ``expected`` says what is right
    ("CEST (UTC+02:00)") and ``replacement`` is the text to write instead, in the written
    style, or None when there is no name to write."""

    status: str
    expected: str | None = None
    replacement: str | None = None


RIGHT = Verdict("right")
UNJUDGED = Verdict("unjudged")


def check_abbreviation(abbreviation: str, zone_name: str, day: dt.date,
                       time: dt.time | None = None) -> Verdict:
    """Is the abbreviation right in that zone at that local date (and time)?

    >>> check_abbreviation("CET", "Europe/Paris", dt.date(2025, 5, 6), dt.time(10, 30))
    Verdict(status='wrong', expected='CEST (UTC+02:00)', replacement='CEST')
    """
    abbreviation = abbreviation.upper()
    offsets = zone_year(zone_name, day.year).get(abbreviation)
    if not offsets:
        return UNJUDGED
    if offsets & valid_offsets(zone_name, day, time):
        return RIGHT
    name, offset = local_name(zone_name, day, time)
    return Verdict("wrong", describe(name, offset), _spelled_like(abbreviation, name))


def _spelled_like(written: str, name: str | None) -> str | None:
    """The right name in the written one's language: MEZ in May is MESZ, not CEST."""
    if name is None:
        return None
    if written in ALIASES:
        for alias, canonical in ALIASES.items():
            if canonical == name:
                return alias
    return name


def check_offset(written: str, zone_name: str, day: dt.date, time: dt.time | None = None) -> Verdict:
    """Is the written UTC offset right in that zone at that local date (and time)?

    An offset of zero is never judged (it says "in UTC"), nor is one the zone does not use at
    all that year (a time converted for readers elsewhere).

    >>> check_offset("-07:00", "America/Los_Angeles", dt.date(2025, 1, 15), dt.time(9))
    Verdict(status='wrong', expected='PST (UTC-08:00)', replacement='-08:00')
    """
    offset = parse_offset(written)
    if not offset or offset not in zone_offsets(zone_name, day.year):
        return UNJUDGED
    if offset in valid_offsets(zone_name, day, time):
        return RIGHT
    name, right = local_name(zone_name, day, time)
    return Verdict("wrong", describe(name, right), offset_like(written, right))


# -- the gazetteer --------------------------------------------------------------------------------

# A place name is a whole word: not glued to a Latin letter or digit on either side. CJK
# names have no spaces around them ("在上海举办"), so CJK neighbours do not count.
_LETTER = r"0-9A-Za-z\u00C0-\u024F"


@dataclass(frozen=True)
class PlaceMatch:
    name: str  # the gazetteer name that matched ("Station F")
    zone: str  # its IANA zone
    broad: bool  # a country or province, which yields to any city or venue
    start: int = 0  # where it matched in the searched text
    end: int = 0


class GazetteerError(ValueError):
    pass


class Gazetteer:
    """Place names → IANA zones, matched case-sensitively on word boundaries, longest first.

    ``places`` are cities and venues; ``regions`` are countries and provinces with one zone,
    which count only where no place matched ("Hong Kong, China" is in Hong Kong)."""

    def __init__(self, places: Mapping[str, str], regions: Mapping[str, str] | None = None) -> None:
        self.places = {n: z for n, z in places.items() if n.strip()}
        self.regions = {n: z for n, z in (regions or {}).items() if n.strip() and n not in self.places}
        names = sorted([*self.places, *self.regions], key=len, reverse=True)
        self._pattern = re.compile(
            f"(?<![{_LETTER}])(?:" + "|".join(map(re.escape, names)) + f")(?![{_LETTER}])"
        ) if names else None

    def matches(self, text: str) -> list[PlaceMatch]:
        if self._pattern is None or not text:
            return []
        return [self._match(m) for m in self._pattern.finditer(text)]

    def _match(self, m: re.Match) -> PlaceMatch:
        name = m.group()
        broad = name not in self.places
        zone = self.regions[name] if broad else self.places[name]
        return PlaceMatch(name, zone, broad, m.start(), m.end())

    def merged(self, extra: Mapping[str, str]) -> "Gazetteer":
        """This gazetteer with more places (which win over the names already here)."""
        if not extra:
            return self
        return Gazetteer({**self.places, **extra}, {n: z for n, z in self.regions.items() if n not in extra})


def settle(found: Iterable[PlaceMatch]) -> PlaceMatch | None:
    """The one zone these matches place the event in: the first city or venue, or the first
    region when no city or venue matched. None when nothing matched, or when the names
    disagree ("Berlin / Paris"): a guess would make findings up."""
    found = list(found)
    specific = [m for m in found if not m.broad] or found
    if not specific or len({m.zone for m in specific}) > 1:
        return None
    return specific[0]


def read_gazetteer(path: Path) -> Gazetteer:
    """Load a gazetteer file (``zones:`` and ``regions:``, each mapping an IANA zone to a list
    of names). An unknown zone, a name listed twice or a malformed file is an error."""
    try:
        data = load_data(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise GazetteerError(f"{path}: {exc}") from None
    if not isinstance(data, dict) or set(data) - {"zones", "regions"}:
        raise GazetteerError(f"{path}: expected the mappings `zones:` and `regions:` (IANA zone → names)")
    seen: dict[str, str] = {}
    places = names_by_zone(data.get("zones") or {}, f"{path}: zones", seen)
    regions = names_by_zone(data.get("regions") or {}, f"{path}: regions", seen)
    return Gazetteer(places, regions)


def names_by_zone(zones: object, where: str, seen: dict[str, str] | None = None) -> dict[str, str]:
    """``{zone: [name, …]}`` turned into ``{name: zone}``, every zone and name checked.
    ``seen`` collects names across calls, so a name cannot be listed twice anywhere."""
    seen = {} if seen is None else seen
    if not isinstance(zones, dict):
        raise GazetteerError(f"{where}: expected a mapping of IANA zone → list of names")
    places: dict[str, str] = {}
    for zone, names in zones.items():
        if not isinstance(zone, str) or zone_named(zone) is None:
            raise GazetteerError(f"{where}: unknown IANA time zone {zone!r}")
        if not isinstance(names, list) or not all(isinstance(n, str) and n.strip() for n in names):
            raise GazetteerError(f"{where}: {zone}: expected a list of place names")
        for name in names:
            if name in seen:
                raise GazetteerError(f"{where}: {name!r} is listed under {seen[name]} and {zone}")
            seen[name] = places[name] = zone
    return places


def known_zone(name: str | None) -> str | None:
    """``name`` when it is an IANA zone (or None); for validators of settings and options."""
    if name is not None and zone_named(name) is None:
        raise ValueError(f"unknown IANA time zone {name!r}")
    return name


def known_places(places: dict[str, str]) -> dict[str, str]:
    """``places`` when every name is non-blank and every zone an IANA zone; for validators."""
    for name, zone in places.items():
        if not name.strip() or zone_named(zone) is None:
            raise ValueError(f"{name!r}: unknown IANA time zone {zone!r}")
    return places


@functools.lru_cache(maxsize=1)
def builtin_gazetteer() -> Gazetteer:
    from .registry import builtin_data_file

    return read_gazetteer(builtin_data_file("places.yaml"))
