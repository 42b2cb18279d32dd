"""Cross-file consistency (TL360–TL369): links between pages and facts that pages share.

These rules see the whole set of checked files (:mod:`talklint.project`). Per file they collect
only what the file's *content* says (front-matter values with their positions, the event facts);
everything that depends on where a file lies — whether it is a speaker page, its file-name slug,
which site it belongs to — is worked out in ``finish``, from the path. So a summary stays a pure
function of content and configuration, as a content cache needs.

A page's *site* is worked out from its folders: speaker pages live in a speaker folder
(``speakers/``, ``presenters/``, ``_speakers/`` …), and the folder that holds that one is the
site's content root. A talk is checked only against the speaker pages whose content root
contains it, so two sites checked in one run do not mix, and a run that holds no speaker page
of a talk's site says nothing about its speakers (the same for talks and talk folders).
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from difflib import get_close_matches
from pathlib import PurePath
from typing import Any, Iterable, Iterator

from pydantic import Field

from .. import facts
from ..finding import Finding, Severity
from ..project import Collected, ProjectRule, Site
from ..rule import Context, RuleOptions

SPEAKER_FOLDERS = ["speakers", "_speakers", "presenters", "_presenters", "keynoters", "people", "_people"]
TALK_FOLDERS = ["talks", "_talks", "sessions", "_sessions", "tutorials", "_tutorials"]
BUNDLE_STEMS = ("index", "_index")  # Hugo page bundles: the folder is the page's slug


# -- what a file says: front-matter values with their sites ---------------------------------------

@dataclass(frozen=True)
class Value:
    """A front-matter value (or one item of a list) as written, with its site."""

    text: str
    site: Site


def front_matter_values(ctx: Context, keys: Iterable[str]) -> dict[str, list[Value]]:
    """The values of the top-level front-matter ``keys`` that are strings or numbers, one per
    list item, each spanning exactly its characters (without quotes)."""
    fm = ctx.document.front_matter
    if fm is None or not isinstance(fm.data, dict):
        return {}
    out: dict[str, list[Value]] = {}
    for key in keys:
        found = list(_yaml_values(ctx, key) if fm.kind == "yaml" else _toml_values(ctx, key))
        if found:
            out[key] = found
    return out


def _yaml_values(ctx: Context, key: str) -> Iterator[Value]:
    import yaml

    fm = ctx.document.front_matter
    node = fm.node_at(key)
    items = node.value if isinstance(node, yaml.SequenceNode) else [node]
    for item in items:
        if not isinstance(item, yaml.ScalarNode) or item.tag.endswith((":null", ":bool")):
            continue
        span = fm.node_span(item)
        start, end = span.start, span.end
        raw = ctx.source.text[start:end]
        if item.style in ("'", '"') and raw[1:-1] == item.value:
            start, end = start + 1, end - 1
        elif raw != item.value:  # folded, escaped or multi-line: not a slug or a name
            continue
        if item.value.strip():
            yield Value(item.value, Site.of(ctx.source, start, end))


def _toml_values(ctx: Context, key: str) -> Iterator[Value]:
    fm = ctx.document.front_matter
    field = fm.fields.get(key)
    if field is None or field.value_span is None:
        return
    value = field.value
    items = value if isinstance(value, list) else [value]
    text = ctx.source.text
    pos, end = field.value_span.start, field.value_span.end
    for item in items:
        if not isinstance(item, (str, int)) or isinstance(item, bool):
            continue
        written = str(item)
        at = text.find(written, pos, end)
        if at < 0 or not written.strip():
            continue
        pos = at + len(written)
        yield Value(written, Site.of(ctx.source, at, pos))


# -- where a file lies: kinds, slugs and sites (parent side) --------------------------------------

def folders_of(path: str, cwd: str | None = None) -> tuple[PurePath, ...]:
    """The folders that hold ``path``, nearest first; absolute, so that a run naming some paths
    relatively and others absolutely still sees one site. ``cwd`` is the current folder, for a
    caller that looks it up once for many paths."""
    folder, name = os.path.split(path)
    if name in ("", ".", ".."):  # not a file name: the folder is not simply what precedes it
        return _folder_and_parents(os.path.dirname(os.path.abspath(path)))
    return _absolute_folder(cwd or os.getcwd(), folder)


@functools.lru_cache(maxsize=4096)
def _absolute_folder(cwd: str, folder: str) -> tuple[PurePath, ...]:
    # For `folder/name` with a plain name, ``dirname(abspath(path))`` is ``abspath(folder)``:
    # worked out once per folder, not once per page (``abspath`` asks the system for the cwd).
    return _folder_and_parents(os.path.normpath(os.path.join(cwd, folder)))


@functools.lru_cache(maxsize=4096)
def _folder_and_parents(folder: str) -> tuple[PurePath, ...]:
    # Pages share few folders: the same PurePath objects (their hashes computed once) serve
    # every page of a folder, which made the cross-file pass of 10,000 pages 3x faster.
    here = PurePath(folder)
    return (here, *here.parents)


def folder_root(path: str, folders: list[str], cwd: str | None = None) -> PurePath | None:
    """The folder holding the nearest ancestor named in ``folders`` (the site's content root),
    or None when the file is in none of them."""
    return _root_among(folders_of(path, cwd), tuple(folders))


@functools.lru_cache(maxsize=4096)
def _root_among(parents: tuple[PurePath, ...], folders: tuple[str, ...]) -> PurePath | None:
    # Pages of one folder share their parents' tuple: the names are compared once per folder.
    for parent in parents:
        if parent.name in folders:
            return parent.parent
    return None


def file_slug(path: str) -> str:
    folder, name = os.path.split(path)
    stem = _stem(name)
    return PurePath(folder).name if stem in BUNDLE_STEMS else stem


def _stem(name: str) -> str:
    """``PurePath(name).stem`` of a name without ``/``, without building a path per page."""
    if name in ("", ".") or name.endswith("."):  # where pathlib's rules differ between versions
        return PurePath(name).stem
    dot = name.rfind(".")
    return name[:dot] if dot > 0 else name


def slug_of_value(value: str) -> str:
    """``/presenters/jane-doe/`` → ``jane-doe``; a plain slug stays as it is."""
    parts = [part for part in value.strip().split("/") if part]
    return parts[-1] if parts else value.strip()


@functools.lru_cache(maxsize=16384)  # a site names each speaker on many pages
def fold(text: str) -> str:
    """A name or slug as compared: no accents, no case, letters and digits between single spaces."""
    text = text.translate(_LETTERS)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(re.sub(r"[\W_]+", " ", text.casefold()).split())


# Letters that NFKD does not split into a base letter and a mark.
_LETTERS = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ß": "ss",
                          "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ı": "i", "þ": "th", "ð": "d"})


@dataclass
class Target:
    """A page others link to: its slugs, its names, the site it belongs to."""

    path: str
    root: PurePath
    slugs: set[str]
    names: list[Value]


def targets(pages: list[Collected], folders: list[str], id_keys: list[str],
            name_keys: list[str] = ()) -> list[Target]:
    """The pages in one of ``folders``, with the slugs they can be linked by."""
    out = []
    cwd, folders = os.getcwd(), tuple(folders)
    for page in pages:
        root = folder_root(page.path, folders, cwd)
        if root is None:
            continue
        slugs = {file_slug(page.path)}
        slugs.update(slug_of_value(v.text) for key in id_keys for v in page.data.get(key, []))
        names = [v for key in name_keys for v in page.data.get(key, [])]
        out.append(Target(page.path, root, slugs, names))
    return out


def link_findings(rule: ProjectRule, pages: list[Collected], found: list[Target],
                  ref_keys: list[str], what: str) -> Iterator[Finding]:
    """Findings for the values of ``ref_keys`` that name no page among ``found`` of the
    linking page's site; pages of a site with no such page at all are not judged."""
    own = {t.path for t in found}
    by_root: dict[PurePath, list[Target]] = defaultdict(list)
    for t in found:
        by_root[t.root].append(t)
    sites: dict[tuple, tuple[set[str], set[str]]] = {}  # the same few sets for every page of a site
    # A missing slug is usually named by many pages of a site: look for a close match once.
    messages: dict[tuple, str] = {}
    cwd = os.getcwd()
    held: dict[tuple, tuple] = {}  # a folder's parents → those that hold targets
    for page in pages:
        parents = folders_of(page.path, cwd)
        roots = held.get(parents)
        if roots is None:
            roots = held[parents] = tuple(f for f in parents if f in by_root)
        if page.path in own or not roots:
            continue
        if roots not in sites:
            related = [t for root in roots for t in by_root[root]]
            sites[roots] = (frozenset(s for t in related for s in t.slugs),
                            {fold(v.text) for t in related for v in t.names})
        known, names = sites[roots]
        for key in ref_keys:
            for value in page.data.get(key, []):
                if value.text in known or fold(value.text) in names:
                    continue
                slot = (known, key, value.text)  # copies of a site share the message
                if slot not in messages:
                    messages[slot] = _missing(value.text, key, what, known)
                yield rule.finding_at(page.path, value.site, messages[slot])


def _missing(text: str, key: str, what: str, known: set[str]) -> str:
    message = f"`{key}` names `{text}`, but no {what} among the checked files has this slug"
    close = get_close_matches(text, sorted(known), n=1, cutoff=0.85)
    if not close:
        close = [k for k in sorted(known) if k.casefold() == text.casefold()][:1]
    return message + (f" (did you mean `{close[0]}`?)" if close else "")


# -- the rules -------------------------------------------------------------------------------------

class LinkOptions(RuleOptions):
    speaker_folders: list[str] = Field(default_factory=lambda: list(SPEAKER_FOLDERS),
                                       description="Folder names that hold speaker pages")
    id_keys: list[str] = Field(default_factory=lambda: ["slug", "id", "permalink"],
                               description="Front-matter keys that give a page's own slug (besides its file name)")


class SpeakerLinkOptions(LinkOptions):
    reference_keys: list[str] = Field(
        default_factory=lambda: ["speakers", "presenter_slugs", "speaker_slugs", "presenters", "speaker"],
        description="Front-matter keys of a talk that name its speakers by slug")
    name_keys: list[str] = Field(default_factory=lambda: ["name"],
                                 description="Front-matter keys of a speaker page that hold the speaker's name "
                                             "(a talk may name a speaker by name instead of slug)")


class MissingSpeakerPage(ProjectRule):
    """## What it does
    Reports a speaker that a talk links to (`speakers: [jane-doe]`, `presenter_slugs`) when no
    speaker page among the checked files has that slug. A speaker page is a page in a speaker
    folder (`speakers/`, `presenters/`, `keynoters/` … option `speaker-folders`); its slugs are
    its file name (the folder name for `index.md`) and its `slug`, `id` and `permalink` fields.
    A talk that names the speaker by name (`speakers: [Jane Doe]`) is fine when a speaker page
    has that `name`.

    Only talks of a site whose speaker pages are among the checked files are judged: checking a
    talk on its own, or a folder of talks without the speakers' folder, reports nothing. When
    only part of the speaker pages is checked, a speaker whose page was left out is reported:
    the rule can only say "not among the checked files".

    ## Why is this bad?
    The site links the talk to a page that does not exist: a broken speaker link, a talk with
    no speaker shown, or a build error. It usually comes from a typo in the slug or a speaker
    page renamed after the schedule was exported.

    ## Example
    `sessions/keynote.md`, with `speakers/jane-doe.md` checked too:
    ```yaml
    speakers:
    - jane-deo
    ```
    ```console
    sessions/keynote.md:2:3: TL360 [missing-speaker-page] `speakers` names `jane-deo`, but no speaker page among the checked files has this slug (did you mean `jane-doe`?)
    ```
    """

    code = "TL360"
    name = "missing-speaker-page"
    summary = "A talk links to a speaker slug that no checked speaker page has"
    severity = Severity.WARNING
    Options = SpeakerLinkOptions

    def collect(self, ctx: Context) -> Any:
        o = self.options
        return front_matter_values(ctx, [*o.reference_keys, *o.id_keys, *o.name_keys]) or None

    def finish(self, pages: list[Collected]) -> Iterable[Finding]:
        o = self.options
        found = targets(pages, o.speaker_folders, o.id_keys, o.name_keys)
        return link_findings(self, pages, found, o.reference_keys, "speaker page")


class TalkLinkOptions(RuleOptions):
    talk_folders: list[str] = Field(default_factory=lambda: list(TALK_FOLDERS),
                                    description="Folder names that hold talk and session pages")
    speaker_folders: list[str] = Field(default_factory=lambda: list(SPEAKER_FOLDERS),
                                       description="Folder names that hold speaker pages")
    id_keys: list[str] = Field(default_factory=lambda: ["talk_id", "slug", "id", "permalink"],
                               description="Front-matter keys that give a talk's own slug (besides its file name)")
    reference_keys: list[str] = Field(default_factory=lambda: ["talk_id", "talk_ids", "talks", "submissions"],
                                      description="Front-matter keys of a speaker page that name talks by slug")


class MissingTalkPage(ProjectRule):
    """## What it does
    Reports a talk that a speaker page links to (`talk_id: my-talk`, `submissions: [my-talk]`)
    when no talk page among the checked files has that slug. A talk page is a page in a talk
    folder (`talks/`, `_talks/`, `sessions/`, `tutorials/` … option `talk-folders`); its slugs
    are its file name and its `talk_id`, `slug`, `id` and `permalink` fields.

    As for speakers (TL360), only speaker pages of a site whose talk pages are among the checked
    files are judged, and a talk whose page was left out of the run is reported.

    ## Why is this bad?
    On sites where the speaker page pulls in the talk (Jekyll's 9984 summit: "a talk can be
    connected to any speaker with the `talk_id`"), the speaker's page silently shows no talk.

    ## Example
    `_speakers/jane-doe.md`, with `_talks/` checked too:
    ```yaml
    talk_id: blockchain-capital-market
    ```
    ```console
    _speakers/jane-doe.md:2:10: TL361 [missing-talk-page] `talk_id` names `blockchain-capital-market`, but no talk page among the checked files has this slug (did you mean `blockchain-capital-markets`?)
    ```
    """

    code = "TL361"
    name = "missing-talk-page"
    summary = "A speaker page links to a talk slug that no checked talk page has"
    severity = Severity.WARNING
    Options = TalkLinkOptions

    def collect(self, ctx: Context) -> Any:
        o = self.options
        return front_matter_values(ctx, [*o.reference_keys, *o.id_keys]) or None

    def finish(self, pages: list[Collected]) -> Iterable[Finding]:
        o = self.options
        talks = targets(pages, o.talk_folders, o.id_keys)
        own = {t.path for t in talks}
        # Only speaker pages link to talks here: a talk's own `talk_id` is its slug, not a link.
        cwd, folders = os.getcwd(), tuple(o.speaker_folders)
        speakers = [p for p in pages if p.path not in own and folder_root(p.path, folders, cwd)]
        return link_findings(self, speakers, talks, o.reference_keys, "talk page")


# -- one fact, several spellings or values -----------------------------------------------------------

def odd_ones(entries: list[tuple[str, Any]], key=lambda e: e[1]) -> Iterator[tuple[tuple, tuple]]:
    """(entry, another entry it disagrees with) for every entry whose value is not the most
    common one; when no value is the most common, every entry is odd, and named against the
    first entry of another value. Entries are (path, value, …)."""
    counts = Counter(key(e) for e in entries)
    if len(counts) < 2:
        return
    ranked = counts.most_common()
    top = ranked[0][0] if ranked[0][1] > ranked[1][1] else None
    for entry in entries:
        if key(entry) == top:
            continue
        wanted = top if top is not None else next(v for v, _ in ranked if v != key(entry))
        yield entry, next(e for e in entries if key(e) == wanted)


def osa_distance(a: str, b: str) -> int:
    """Edits (insert, delete, substitute, swap two neighbours) from ``a`` to ``b``."""
    prev2, prev = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        row = [i]
        for j, cb in enumerate(b, 1):
            cost = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cost = min(cost, prev2[j - 2] + 1)
            row.append(cost)
        prev2, prev = prev, row
    return prev[-1]


class NameOptions(RuleOptions):
    speaker_folders: list[str] = Field(default_factory=lambda: list(SPEAKER_FOLDERS),
                                       description="Folder names that hold speaker pages")
    id_keys: list[str] = Field(default_factory=lambda: ["slug", "id", "permalink"],
                               description="Front-matter keys that give a page's own slug (besides its file name)")
    name_keys: list[str] = Field(default_factory=lambda: ["name"],
                                 description="Front-matter keys that hold the speaker's name")
    max_edits: int = Field(2, ge=0, description="For pages that share a slug: the most letters "
                                                "two spellings of one name may differ by")


class SpeakerNameVariant(ProjectRule):
    """## What it does
    Reports a speaker's name written two ways on the speaker pages of one site:

    - names that are equal once accents, case, punctuation and spacing are set aside
      (`Łukasz Langa` and `Lukasz Langa`, `Jane Doe` and `jane  doe`), on any two pages;
    - names of pages that share a slug (`slug`, `id`, `permalink` or file name) and differ by a
      letter or two (`Jane Doe` and `Jnae Doe`, option `max-edits`).

    The spelling most pages use is taken as the right one and the others are reported; when no
    spelling is the most common, each page is reported, naming the other spelling. Pages that
    share a slug but have names further apart are left alone: that is more likely two people
    than one name misspelt.

    ## Why is this bad?
    One person shows up as two, search and speaker indexes split, and the misspelt page is
    usually the one a speaker notices first.

    ## Example
    `keynoters/lukasz-langa.md` has `name: Łukasz Langa`, and `speakers/ABC123.md` has:
    ```yaml
    name: Lukasz Langa
    slug: lukasz-langa
    ```
    ```console
    speakers/ABC123.md:2:7: TL363 [speaker-name-variant] Speaker name `Lukasz Langa` is written `Łukasz Langa` in keynoters/lukasz-langa.md:2:7
    ```
    (With only these two pages, each is reported.)
    """

    code = "TL363"
    name = "speaker-name-variant"
    summary = "A speaker's name spelled two ways across the speaker pages of a site"
    severity = Severity.WARNING
    Options = NameOptions

    def collect(self, ctx: Context) -> Any:
        o = self.options
        return front_matter_values(ctx, [*o.id_keys, *o.name_keys]) or None

    def finish(self, pages: list[Collected]) -> Iterable[Finding]:
        o = self.options
        by_site: dict[PurePath, list[tuple[str, Value, Target]]] = defaultdict(list)
        for target in targets(pages, o.speaker_folders, o.id_keys, o.name_keys):
            for value in target.names:
                by_site[target.root].append((target.path, value, target))
        reported: set[tuple[str, int]] = set()
        for entries in by_site.values():
            for entry, other in self._variants(entries):
                path, value, _ = entry
                if (path, value.site.start) not in reported:
                    reported.add((path, value.site.start))
                    yield self.finding_at(path, value.site, self._message(value, other))

    def _variants(self, entries) -> Iterator[tuple[tuple, tuple]]:
        groups: dict[str, list] = defaultdict(list)
        for entry in entries:
            groups[fold(entry[1].text)].append(entry)
        for group in groups.values():
            yield from odd_ones(group, key=lambda e: e[1].text)
        by_slug: dict[str, list] = defaultdict(list)
        for entry in entries:
            for slug in entry[2].slugs:
                by_slug[slug].append(entry)
        for group in by_slug.values():
            close = [e for e in group if any(self._close(e[1].text, f[1].text) for f in group)]
            yield from odd_ones(close, key=lambda e: e[1].text)

    def _close(self, a: str, b: str) -> bool:
        fa, fb = fold(a), fold(b)
        return fa != fb and osa_distance(fa, fb) <= self.options.max_edits < min(len(fa), len(fb)) // 2

    @staticmethod
    def _message(value: Value, other: tuple) -> str:
        path, written, _ = other
        return f"Speaker name `{value.text}` is written `{written.text}` in {written.site.label(path)}"


# -- the event's dates -----------------------------------------------------------------------------

@dataclass(frozen=True)
class EventDates:
    """What one page says the dates of an event are."""

    event: str  # the event's name as written
    written: Value  # the dates as written
    first: dt.date
    last: dt.date


def _days(value: Any) -> tuple[dt.date, dt.date] | None:
    """First and last day of a Moment or Range whose dates are complete and valid."""
    ends = (value.start, value.end) if isinstance(value, facts.Range) else (value, value)
    days = [m.date.date if isinstance(m, facts.Moment) and m.date is not None else None for m in ends]
    return (days[0], days[1]) if None not in days else None


def _event_dates(ctx: Context) -> EventDates | None:
    try:
        found = facts.facts_of(ctx)
    except NotImplementedError:  # no fact extractor installed yet: nothing to compare
        return None
    event = found.first(facts.EVENT)
    if event is None or not fold(event.raw):
        return None
    for fact in found.all(facts.EVENT_DATES):
        days = _days(fact.value) if fact.value is not None else None
        if days is not None and days[0] <= days[1]:
            written = Value(fact.raw, Site.of(ctx.source, fact.span.start, fact.span.end))
            return EventDates(event.raw, written, *days)
    return None


class EventDatesOptions(RuleOptions):
    max_days_apart: int = Field(31, ge=0, description="Dates of one event name further apart than "
                                                      "this (first days) are taken as two editions")


class EventDatesDisagree(ProjectRule):
    """## What it does
    Reports pages of the same event (the same event name, e.g. `GOSIM AI Paris 2025`, once case,
    accents and spacing are set aside) that give it different dates (`Dates: May 6-7, 2025` on
    one page, `May 5-6, 2025` on another). The dates most pages give are taken as right and the
    others are reported; when no dates are the most common, every page is reported, naming
    the other dates.

    Pages whose first days are more than a month apart (option `max-days-apart`) are taken as
    two editions that share a name (`PyCon US`), not as a disagreement. Dates the page does not
    give in full (no year) are not compared.

    ## Why is this bad?
    Visitors book travel by the dates they read, on whichever page they land. When the event
    moved, every page must move with it.

    ## Example
    `index.md` says `Dates: May 6-7, 2025` for GOSIM AI Paris 2025, and `talks/keynote.md`:
    ```markdown
    - **Event:** GOSIM AI Paris 2025
    - **Dates:** May 5-6, 2025
    ```
    ```console
    talks/keynote.md:2:12: TL362 [event-dates-disagree] GOSIM AI Paris 2025 is on `May 5-6, 2025` here, but on `May 6-7, 2025` in index.md:3:12
    ```
    (With only these two pages, each is reported.)
    """

    code = "TL362"
    name = "event-dates-disagree"
    summary = "Two pages of one event give it different dates"
    severity = Severity.WARNING
    Options = EventDatesOptions

    def collect(self, ctx: Context) -> Any:
        return _event_dates(ctx)

    def finish(self, pages: list[Collected]) -> Iterable[Finding]:
        by_event: dict[str, list[tuple[str, EventDates]]] = defaultdict(list)
        for page in pages:
            by_event[fold(page.data.event)].append((page.path, page.data))
        for entries in by_event.values():
            for (path, mine), (other_path, other) in odd_ones(entries, key=lambda e: (e[1].first, e[1].last)):
                if abs((mine.first - other.first).days) <= self.options.max_days_apart:
                    yield self.finding_at(path, mine.written.site, self._message(mine, other, other_path))

    @staticmethod
    def _message(mine: EventDates, other: EventDates, other_path: str) -> str:
        return (f"{mine.event} is on `{mine.written.text}` here, but on `{other.written.text}` "
                f"in {other.written.site.label(other_path)}")


RULES = [MissingSpeakerPage, MissingTalkPage, EventDatesDisagree, SpeakerNameVariant]
