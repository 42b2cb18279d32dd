"""Schema rules (TL310-TL315): front matter checked against the page's document kind.

A kind (talk, speaker, event, post, recap, place, page, or one of the user's) lists the fields
a page must and may hold, with their types and the other names real sites give them
(``rules/data/kinds.yaml``, :mod:`talklint.kinds`). How a page's kind is chosen is documented in
:mod:`talklint.kinds` and docs/schema.md; a page with no kind gets no finding from the rules that
need one (all but TL313).

* TL310 missing-field: a required field is absent.
* TL311 empty-field: a required field (or a non-empty-string one) holds nothing.
* TL312 wrong-field-type: a value of the wrong type ("tomorrow" as a date, a list as a title).
* TL313 field-whitespace: spaces at the start or end of a text value.
* TL314 misspelled-key: an unknown key one typo away from a key the kind knows.
* TL315 unknown-key (off by default): any key the kind does not know.

Where findings point: the key for key problems; the value for empty and type problems (the key
when the value has no characters, as in ``title:``; the item for a bad item of a list); the
front matter's opening ``---``/``+++`` line for a missing field (an empty span at the start of the
file when the page has no front matter at all).
"""

from __future__ import annotations

import functools
import sys
from dataclasses import dataclass, field
from typing import Any

import yaml

from ..document import Field, FrontMatter, Span
from ..finding import Applicability, Edit, Fix, Severity
from ..kinds import TYPE_LABELS, Choice, FieldSpec, Kind, KindSet, bad_item, is_empty, matches
from ..rule import Rule

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SHOWN = 40  # characters of a value quoted in a message


@functools.lru_cache(maxsize=1)
def _default_kind_set() -> KindSet:
    from ..config import Config

    return Config().kinds


@dataclass
class _Entry:
    field: Field  # the key and value as written
    name: str | None  # the kind's field it belongs to, None for keys the kind does not list
    spec: FieldSpec | None


@dataclass
class _Page:
    front: FrontMatter | None
    choice: Choice | None
    entries: list[_Entry] = field(default_factory=list)
    misspelled: dict[str, list[str]] = field(default_factory=dict)  # key -> nearest known keys


def _page(ctx) -> _Page | None:
    """The front matter of the file with its kind, worked out once per file for all six rules.
    None when the front matter is broken or never closed (TL301's business)."""
    if "schema" not in ctx.shared:
        ctx.shared["schema"] = _analyse(ctx)
    return ctx.shared["schema"]


def _kinded_page(ctx) -> _Page | None:
    """The front matter of the file when the page has a kind: what the rules that judge fields
    against a kind look at."""
    page = _page(ctx)
    return page if page is not None and page.choice is not None else None


def _analyse(ctx) -> _Page | None:
    front = ctx.document.front_matter
    if (front is not None and front.error is not None) or ctx.document.unclosed_front_matter is not None:
        return None
    kinds = getattr(ctx.config, "kinds", None) or _default_kind_set()
    data = front.data if front is not None else None
    page = _Page(front, kinds.kind_for(ctx.path, data))
    if front is None or not isinstance(data, dict):
        return page
    kind = page.choice.kind if page.choice else None
    for f in front.fields.values():
        name = kind.field_of(f.key) if kind else None
        page.entries.append(_Entry(f, name, kind.fields[name] if name else None))
    if kind is not None:
        present = {e.field.key.casefold() for e in page.entries}
        for e in page.entries:
            if not kind.allows(e.field.key):
                near = nearest_keys(e.field.key, kind.known_keys())
                if near:
                    page.misspelled[e.field.key] = [k for k in near if k.casefold() not in present] or near
    return page


def _text(ctx, span: Span | None) -> str:
    return ctx.source.text[span.start:span.end] if span else ""


def _shown(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _SHOWN else text[:_SHOWN - 1] + "…"


def _about(choice: Choice) -> str:
    return f"{choice.kind.name} page: {choice.reason}"


# -- TL310 missing-field ----------------------------------------------------------------------------


class MissingField(Rule):
    """## What it does
    Reports a field that the page's kind requires but the front matter does not have, under
    any of its names: a talk without `title`, a speaker without `name`, a post or an event
    without a date. The finding is the front matter's opening line (`---` or `+++`), one per
    missing field; a page with no front matter at all, which a `kinds` glob says is a talk,
    gets an empty finding at its start.

    Only pages with a kind are checked: a glob of the `kinds` setting, a `kind:`/`type:`/
    `layout:` value that names a kind, or a kind detected from the keys present (see
    docs/schema.md). A page whose kind is unsure is not checked.

    ## Why is this bad?
    The site shows a talk without a title or a post without a date (sorted first or last, or
    dropped from the feed), and every tool that reads the page has nothing to go on.

    ## Example
    ```markdown
    ---
    type: talk
    speakers: [ada-lovelace]
    room: Hall A
    ---
    ```
    Use instead:
    ```markdown
    ---
    type: talk
    title: The first program
    speakers: [ada-lovelace]
    room: Hall A
    ---
    ```
    """

    code = "TL310"
    name = "missing-field"
    summary = "A field the page's kind requires is missing"
    severity = Severity.ERROR

    def check(self, ctx):
        page = _kinded_page(ctx)
        if page is None:
            return
        kind = page.choice.kind
        present = {e.name for e in page.entries}
        # A required field given under a misspelt key is misspelled-key's finding, not a second one.
        present |= {kind.field_of(k) for near in page.misspelled.values() for k in near}
        start, end = (0, ctx.source.line_ends[0]) if page.front is not None else (0, 0)
        for name in kind.required():
            if name not in present:
                yield self.finding(start, end, f"Missing required field `{name}`{_other_names(kind, name)} "
                                               f"({_about(page.choice)})")


def _other_names(kind: Kind, name: str) -> str:
    aliases = kind.fields[name].aliases
    if not aliases:
        return ""
    shown = ", ".join(f"`{a}`" for a in aliases[:3]) + (", …" if len(aliases) > 3 else "")
    return f" (or {shown})"


# -- TL311 empty-field ------------------------------------------------------------------------------


class EmptyField(Rule):
    """## What it does
    Reports a required field that is present but holds nothing (`title:`, `title: ""`,
    `title: null`, `speakers: []`), and a field of type `non-empty-string` that holds an
    empty string. The finding is the value, or the key when there is no value at all.

    An optional field written `key:` or `key: null` is how many sites say "not given" (pretalx
    exports write `track: null`): it is not reported.

    ## Why is this bad?
    An empty required field is a missing field that no longer looks missing: the page renders
    a blank title or an empty date, and the hole is easy to overlook in review.

    ## Example
    ```markdown
    ---
    title: ""
    speakers: [ada-lovelace]
    room: Hall A
    ---
    ```
    Use instead:
    ```markdown
    ---
    title: The first program
    speakers: [ada-lovelace]
    room: Hall A
    ---
    ```
    """

    code = "TL311"
    name = "empty-field"
    summary = "A required field holds no value"

    def check(self, ctx):
        page = _kinded_page(ctx)
        if page is None:
            return
        for e in page.entries:
            if e.spec is None or not is_empty(e.field.value):
                continue
            if e.spec.required or (isinstance(e.field.value, str) and "non-empty-string" in e.spec.type):
                span = e.field.value_span or e.field.key_span
                what = "required field" if e.spec.required else "field"
                yield self.finding(span.start, span.end,
                                   f"The {what} `{e.field.key}` is empty ({_about(page.choice)})")


# -- TL312 wrong-field-type -------------------------------------------------------------------------


class WrongFieldType(Rule):
    """## What it does
    Reports a value whose type is not one the page's kind allows for the field: a list where
    text is expected, `tomorrow` or `May 6` as a date, `true` or words with spaces as a URL,
    `"false"` (a quoted string) where a boolean is expected. The finding is the value; for a
    list whose items must be strings, the first bad item.

    Types are read the way YAML reads them: `date: 2024-05-06` is a date, `date: "2024-05-06"`
    a string in ISO 8601 form, and both are accepted as dates. Only the form of a date is
    checked here; a date that does not exist (Feb 30) is the date rules' finding. In the same
    way a URL field only has to hold one word of text: an address without `https://` or a bare
    handle is reported by the link rules (`schemeless-link`, `handle-in-url-field`). Empty
    values are left to `empty-field`.

    ## Why is this bad?
    Templates and site generators expect a type: a list rendered as a title shows
    `["Ada", "Grace"]`, a date that is not a date breaks sorting or the build, a string
    `"false"` is true in JavaScript, a sentence in a URL field makes a broken link.

    ## Example
    ```markdown
    ---
    title: [The first program]
    start: tomorrow
    draft: "false"
    ---
    ```
    Use instead:
    ```markdown
    ---
    title: The first program
    start: 2025-05-06T10:30:00+02:00
    draft: false
    ---
    ```
    """

    code = "TL312"
    name = "wrong-field-type"
    summary = "A front-matter value of the wrong type"
    severity = Severity.ERROR

    def check(self, ctx):
        page = _kinded_page(ctx)
        if page is None:
            return
        for e in page.entries:
            f = e.field
            if e.spec is None or is_empty(f.value) or f.value_span is None:
                continue
            if matches(f.value, e.spec.type, _text(ctx, f.value_span)):
                continue
            want = " or ".join(dict.fromkeys(TYPE_LABELS[t] for t in e.spec.type))
            item = bad_item(f.value, e.spec.type)
            if item is not None and page.front.kind == "yaml" and page.front.span_at(f.key, item):
                span = page.front.span_at(f.key, item)
                message = f"Item {item + 1} of `{f.key}` is {_describe(f.value[item], _text(ctx, span))}: want {want}"
            else:
                span = f.value_span
                message = f"`{f.key}` should be {want}, not {_describe(f.value, _text(ctx, span))}"
            yield self.finding(span.start, span.end, f"{message} ({_about(page.choice)})")


def _describe(value: Any, raw: str) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        return "empty"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, bool):
        return f"the boolean `{_shown(raw)}`"
    if isinstance(value, (int, float)):
        return f"the number `{_shown(raw)}`"
    return f"`{_shown(raw)}`"


# -- TL313 field-whitespace -------------------------------------------------------------------------


class FieldWhitespace(Rule):
    """## What it does
    Reports a text value of the front matter that starts or ends with white space (spaces,
    tabs, no-break spaces, a line break written `\\n`): `title: " Keynote"`, `tags: ["AI "]`.
    Top-level values and the items of top-level lists are checked, in every page, whatever
    its kind. The finding is the value as written, quotes included.

    Block scalars (`|`, `>`) are not checked: their indentation and final line break are
    syntax, and spaces at the end of their lines are `trailing-whitespace` findings.

    ## Why is this bad?
    The space is invisible in the page but not to the code that reads it: `"AI "` and `"AI"`
    make two tags with two tag pages, a padded slug makes a broken link, a padded title
    sorts apart from the others.

    ## Example
    ```markdown
    ---
    title: " Keynote: the future of Python "
    tags: ["Python ", AI]
    ---
    ```
    Use instead:
    ```markdown
    ---
    title: "Keynote: the future of Python"
    tags: ["Python", AI]
    ---
    ```

    ## Fix
    Deletes the white space inside the quotes (or at the edge of a plain value). The fix is
    safe when the white space is written as itself and the front matter, parsed again, holds
    the same data with only this value trimmed; otherwise (an escape such as `\\t`, a value
    folded over lines) there is no fix.
    """

    code = "TL313"
    name = "field-whitespace"
    summary = "A front-matter text value starts or ends with white space"
    fixable = "sometimes"

    def check(self, ctx):
        page = _page(ctx)
        if page is None or page.front is None or not isinstance(page.front.data, dict):
            return
        for e in page.entries:
            yield from self._check_value(ctx, page.front, e.field.key, e.field.value, e.field.value_span, ())

    def _check_value(self, ctx, front, key, value, span, path):
        if isinstance(value, list) and not path and front.kind == "yaml":
            for i, item in enumerate(value):
                yield from self._check_value(ctx, front, key, item, front.span_at(key, i), (i,))
            return
        if not isinstance(value, str) or span is None or value == value.strip() or not value.strip():
            return
        raw = _text(ctx, span)
        if not _plain_or_quoted(front, key, path, raw):
            return
        where = "starts and ends" if value != value.lstrip() and value != value.rstrip() else (
            "starts" if value != value.lstrip() else "ends")
        label = f"`{key}`" if not path else f"Item {path[0] + 1} of `{key}`"
        yield self.finding(span.start, span.end, f"{label} {where} with white space: {value!r}",
                           _trim_fix(front, key, path, value, span, raw))


def _plain_or_quoted(front: FrontMatter, key: str, path: tuple, raw: str) -> bool:
    if front.kind == "toml":
        return raw[:1] in "\"'" and not raw.startswith(('"""', "'''"))
    node = front.node_at(key, *path)
    # A plain scalar's style is None from PyYAML's Python composer and "" from libyaml's.
    return isinstance(node, yaml.ScalarNode) and node.style in (None, "", "'", '"')


def _trim_fix(front: FrontMatter, key: str, path: tuple, value: str, span: Span, raw: str) -> Fix | None:
    quoted = raw[:1] in "\"'" and len(raw) >= 2 and raw[-1] == raw[0]
    inner_start = span.start + (1 if quoted else 0)
    inner = raw[1:-1] if quoted else raw
    lead = value[:len(value) - len(value.lstrip())]
    trail = value[len(value.rstrip()):]
    if not inner.startswith(lead) or not inner.endswith(trail) or len(lead) + len(trail) > len(inner):
        return None  # the white space is written as escapes or folded: no edit is unambiguous
    edits = []
    if lead:
        edits.append((inner_start, inner_start + len(lead)))
    if trail:
        inner_end = inner_start + len(inner)
        edits.append((inner_end - len(trail), inner_end))
    if not _verified(front, key, path, value.strip(), edits):
        return None
    return Fix(tuple(Edit(a, b) for a, b in edits), Applicability.SAFE, "Delete the white space")


def _verified(front: FrontMatter, key: str, path: tuple, want: str, edits) -> bool:
    """The front matter with ``edits`` applied parses to the same data but the trimmed value."""
    base = front.body_span.start
    body = front.body
    for a, b in sorted(edits, reverse=True):
        body = body[:a - base] + body[b - base:]
    try:
        data = yaml.load(body, Loader=_YAML_LOADER) if front.kind == "yaml" else tomllib.loads(body)
    except Exception:
        return False
    expected = _with(front.data, key, path, want)
    return data == expected


def _with(data: dict, key: str, path: tuple, value: Any) -> dict:
    out = dict(data)
    if path:
        items = list(out[key])
        items[path[0]] = value
        out[key] = items
    else:
        out[key] = value
    return out


# -- TL314 misspelled-key, TL315 unknown-key --------------------------------------------------------


def osa_distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein distance (optimal string alignment: an adjacent swap costs one),
    or ``limit + 1`` as soon as it is known to exceed ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


def _limit(key: str) -> int:
    """How many edits a misspelling of a key this long may hold: short keys collide with real
    words of their own (`date`/`data`, `name`/`game`), so they allow only a swap (checked by
    the caller); long ones tolerate two."""
    n = len(key)
    return 1 if n <= 9 else 2


def _related(a: str, b: str) -> bool:
    """Keys that differ in a way real sites use on purpose: a plural (`link`/`links`), a number
    (`company`/`company2`)."""
    if a.rstrip("0123456789") == b.rstrip("0123456789"):
        return True
    short, long_ = sorted((a, b), key=len)
    return long_ in (short + "s", short + "es")


_MAX_KEY = 64  # longer keys are no misspelling of a field name


def nearest_keys(key: str, known: list[str]) -> list[str]:
    """The known keys nearest to ``key`` within the allowed distance (see :func:`_limit`)."""
    k = key.casefold()
    if len(k) > _MAX_KEY or len(k) < 3:
        return []
    limit = _limit(k)
    best: dict[int, list[str]] = {}
    for cand in known:
        c = cand.casefold()
        if c == k or _related(k, c):
            continue
        d = osa_distance(k, c, limit)
        if d > limit or (len(k) <= 4 and sorted(k) != sorted(c)):
            continue
        best.setdefault(d, [])
        if c not in (x.casefold() for x in best[d]):
            best[d].append(cand)
    return best[min(best)] if best else []


def _rename_fix(ctx, page: _Page, e: _Entry, target: str) -> Fix | None:
    kind = page.choice.kind
    field_name = kind.field_of(target)
    if any(x.name == field_name for x in page.entries):
        return None  # the field is already given: renaming would make two values of it
    raw = _text(ctx, e.field.key_span)
    if raw == e.field.key:
        new = target
    elif len(raw) == len(e.field.key) + 2 and raw[0] == raw[-1] and raw[0] in "\"'" and raw[1:-1] == e.field.key:
        new = raw[0] + target + raw[0]
    else:
        return None
    span = e.field.key_span
    return Fix.replace(span.start, span.end, new, f"Rename `{e.field.key}` to `{target}`", Applicability.UNSAFE)


class MisspelledKey(Rule):
    """## What it does
    Reports a front-matter key that the page's kind does not know but that is one typo away
    from a key it knows: `speeker` for `speaker`, `descripton` for `description`, `tilte` for
    `title`. The finding is the key.

    A typo is one inserted, deleted, replaced or swapped character (two for keys of ten
    characters or more); keys of four characters or fewer count only a swap of two neighbours
    (`daet`), since `data` or `time` are keys of their own. Keys are not reported when they
    differ from a known key only by a plural `s` or a number (`link`/`links`,
    `company2`), or when the kind allows them (`extra`). Keys far from every known key are
    left alone: real sites hold many keys of their own (see `unknown-key` to report those).

    ## Why is this bad?
    The generator does not read a misspelt key: the page silently loses its description, its
    speakers or its date, and nothing fails.

    ## Example
    ```markdown
    ---
    title: The first program
    speeker: ada-lovelace
    ---
    ```
    Use instead:
    ```markdown
    ---
    title: The first program
    speaker: ada-lovelace
    ---
    ```

    ## Fix
    Renames the key to the nearest known key, when there is exactly one and the page does not
    already have that field under some name. The fix is unsafe: the renamed key starts being
    read, which changes the rendered page (that is the point, but a person should look), and
    the nearest key can be the wrong guess (`speeker` may have meant `speakers`).
    """

    code = "TL314"
    name = "misspelled-key"
    summary = "An unknown front-matter key that looks like a misspelling of a known one"
    fixable = "sometimes"

    def check(self, ctx):
        page = _kinded_page(ctx)
        if page is None:
            return
        for e in page.entries:
            near = page.misspelled.get(e.field.key)
            if not near:
                continue
            shown = " or ".join(f"`{k}`" for k in near)
            fix = _rename_fix(ctx, page, e, near[0]) if len(near) == 1 else None
            yield self.finding(e.field.key_span.start, e.field.key_span.end,
                               f"Unknown key `{e.field.key}`: did you mean {shown}? ({_about(page.choice)})", fix)


class UnknownKey(Rule):
    """## What it does
    Reports every front-matter key that the page's kind does not know (not a field, an alias
    or an `extra` key of the kind), except those `misspelled-key` reports. The finding is the
    key. Off by default: enable it by its code or name for sites whose kinds list every key.

    ## Why is this bad?
    On a site with a complete schema, an unknown key is data that no template reads: a typo
    too far from the real key to be recognised, or a field the schema should learn.

    ## Example
    With a kind `talk` that lists `title`, `speakers` and `start`:
    ```markdown
    ---
    title: The first program
    presenter: ada-lovelace
    ---
    ```
    Use instead (or add `presenter` to the kind's aliases of `speakers`):
    ```markdown
    ---
    title: The first program
    speakers: [ada-lovelace]
    ---
    ```
    """

    code = "TL315"
    name = "unknown-key"
    summary = "A front-matter key the page's kind does not know"
    severity = Severity.INFO
    default_enabled = False

    def check(self, ctx):
        page = _kinded_page(ctx)
        if page is None:
            return
        kind = page.choice.kind
        for e in page.entries:
            if kind.allows(e.field.key) or e.field.key in page.misspelled:
                continue
            yield self.finding(e.field.key_span.start, e.field.key_span.end,
                               f"Unknown key `{e.field.key}` ({_about(page.choice)})")


RULES = [MissingField, EmptyField, WrongFieldType, FieldWhitespace, MisspelledKey, UnknownKey]
