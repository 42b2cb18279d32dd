"""Document kinds: what front matter a talk, speaker, event, post … page must and may hold.

A kind is data, not code: ``rules/data/kinds.yaml`` ships the built-in kinds, and the files and
folders named by the ``kind-files`` setting add or replace kinds (a kind with the name of an
earlier one replaces it). Each file holds ``kinds:``, a list of :class:`KindSpec` mappings,
validated here by pydantic so that a typo in a kind file stops the run with a message naming
the file, the kind and the key (:class:`KindError`).

Which kind a page is (:meth:`KindSet.kind_for`), first rule that gives an answer:

1. the ``kinds`` setting: gitignore-style globs, relative to the config file, mapped to a kind
   name (or ``none``); the last glob that matches wins;
2. a front-matter key of ``kind-keys`` (``kind``, ``type``, ``layout``) whose value names a
   known kind (``type: talk``; ``type: docs`` names none and is ignored);
3. detection, when ``kind-detection`` is on: each kind lists ``detect.signals``, keys typical of
   it; the kind with most distinct signalled fields wins if it reaches its ``detect.min`` and no
   other kind has as many. Otherwise the page has no kind and no schema rule looks at it.

Keys are compared without regard to case (Hugo lower-cases them; a ``Title:`` is a title).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .yamlfile import YamlFileError, read_mapping

if TYPE_CHECKING:
    import pathspec

NO_KIND = "none"  # the value of a `kinds` glob that means "no kind": no schema findings

FieldType = Literal["any", "string", "non-empty-string", "date", "datetime", "time", "duration",
                    "integer", "number", "boolean", "url", "path", "list", "list-of-strings",
                    "mapping"]

_KIND_NAME = re.compile(r"^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$")


class KindError(Exception):
    """A kind file that cannot be loaded; the message names the file, the kind and the key."""


class _Model(BaseModel):
    # The validators are built when a kind file is first validated, not at import: the shipped
    # kinds are validated once and kept (:func:`talklint.registry.load_shipped`).
    model_config = ConfigDict(extra="forbid", populate_by_name=True,
                              alias_generator=lambda s: s.replace("_", "-"), defer_build=True)


def _as_list(v):
    return [v] if isinstance(v, str) else v


def _key(name: str) -> str:
    return name.casefold()


class FieldSpec(_Model):
    """One field of a kind: its type(s), whether it is required, and its other names."""

    type: list[FieldType] = Field(default_factory=lambda: ["any"])
    required: bool = False
    aliases: list[str] = Field(default_factory=list)
    description: str = ""

    @field_validator("type", "aliases", mode="before")
    @classmethod
    def _one_or_many(cls, v):
        return _as_list(v)

    @field_validator("type")
    @classmethod
    def _some_type(cls, v):
        if not v:
            raise ValueError("give at least one type")
        return v


class DetectSpec(_Model):
    """Keys typical of a kind (field names or aliases) and how many distinct fields must show."""

    signals: list[str]
    min: int = Field(default=2, ge=1)


class KindSpec(_Model):
    name: str
    description: str = ""
    extends: str | None = None
    names: list[str] = Field(default_factory=list)  # values of a kind key naming this kind
    fields: dict[str, Union[FieldSpec, None]] = Field(default_factory=dict)
    extra: list[str] = Field(default_factory=list)  # keys allowed as they are, never checked
    detect: DetectSpec | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not _KIND_NAME.match(v):
            raise ValueError(f"{v!r} is not a kind name: want lowercase letters, digits, - or _ "
                             "(like 'talk' or 'lightning-talk')")
        if v == NO_KIND:
            raise ValueError(f"{NO_KIND!r} is reserved: it means 'no kind' in the kinds setting")
        return v

    @field_validator("fields", mode="before")
    @classmethod
    def _fields(cls, v):
        # `key:` with nothing after it declares a key of any type.
        return {k: ({} if spec is None else spec) for k, spec in v.items()} if isinstance(v, dict) else v

    @model_validator(mode="after")
    def _one_owner_per_key(self):
        owner: dict[str, str] = {}
        for name, spec in self.fields.items():
            for key in (name, *spec.aliases):
                other = owner.setdefault(_key(key), name)
                if other != name:
                    raise ValueError(f"key {key!r} belongs to two fields: {other!r} and {name!r}")
        return self


class KindFile(_Model):
    kinds: list[KindSpec]


@dataclass(frozen=True)
class Kind:
    """A resolved kind: inherited fields merged in, every key (name or alias) indexed."""

    name: str
    description: str
    names: frozenset[str]
    fields: dict[str, FieldSpec]  # by field name
    owners: dict[str, str]  # casefolded key (name or alias) -> field name
    extra: frozenset[str]  # casefolded
    signals: dict[str, str]  # casefolded signal key -> field name
    detect_min: int
    origin: str  # the file that defined it

    def field_of(self, key: str) -> str | None:
        return self.owners.get(_key(key))

    def allows(self, key: str) -> bool:
        k = _key(key)
        return k in self.owners or k in self.extra

    def known_keys(self) -> list[str]:
        """Every key the kind knows, as written in its definition (for suggestions)."""
        out = []
        for name, spec in self.fields.items():
            out += [name, *spec.aliases]
        return out

    def required(self) -> list[str]:
        return [name for name, spec in self.fields.items() if spec.required]


def _merge(spec: KindSpec, parent: Kind | None, origin: str) -> Kind:
    fields: dict[str, FieldSpec] = dict(parent.fields) if parent else {}
    extra = set(parent.extra) if parent else set()
    for name, own in spec.fields.items():
        mine = {_key(k) for k in (name, *own.aliases)}
        # A field of the child replaces every inherited field it shares a key with.
        for inherited in [n for n, s in fields.items() if mine & {_key(k) for k in (n, *s.aliases)}]:
            del fields[inherited]
        fields[name] = own
    owners = {_key(k): name for name, s in fields.items() for k in (name, *s.aliases)}
    extra |= {_key(k) for k in spec.extra}
    extra -= set(owners)
    signals: dict[str, str] = {}
    if spec.detect is not None:
        for key in spec.detect.signals:
            if _key(key) not in owners:
                raise ValueError(f"detect.signals: {key!r} is not a key of a field of the kind")
            signals[_key(key)] = owners[_key(key)]
    return Kind(
        name=spec.name, description=spec.description,
        names=frozenset(_key(n) for n in (spec.name, *spec.names)),
        fields=fields, owners=owners, extra=frozenset(extra), signals=signals,
        detect_min=spec.detect.min if spec.detect else 0, origin=origin)


# -- loading ------------------------------------------------------------------------------------


def _read_kind_file(path: Path) -> KindFile:
    try:
        data = read_mapping(path, "kind file", "a 'kinds' list")
    except YamlFileError as exc:
        raise KindError(str(exc)) from None
    try:
        return KindFile.model_validate(data)
    except ValidationError as exc:
        raise KindError("\n".join(_describe(exc, data, path))) from None


def _describe(exc: ValidationError, data: dict, path: Path) -> list[str]:
    kinds = data.get("kinds")
    lines = []
    for err in exc.errors():
        loc = list(err["loc"])
        where = ""
        if len(loc) >= 2 and loc[0] == "kinds" and isinstance(loc[1], int):
            item = kinds[loc[1]] if isinstance(kinds, list) and loc[1] < len(kinds) else None
            name = item.get("name") if isinstance(item, dict) else None
            where = f"kind {name!r}" if isinstance(name, str) else f"kind #{loc[1] + 1}"
            loc = loc[2:]
        loc = [x for x in loc if x not in ("FieldSpec", "[key]")]
        key = ".".join(str(x) for x in loc)
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown key"
        lines.append(": ".join(x for x in (str(path), where, f"key '{key}'" if key else "", msg) if x))
    return lines


def kind_files(paths: Iterable[Path]) -> list[Path]:
    """The files named, folders expanded to their ``*.yaml``/``*.yml`` files (sorted)."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out += sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
        elif path.is_file():
            out.append(path)
        else:
            raise KindError(f"{path}: kind file not found")
    return out


def _add_file(kinds: dict[str, Kind], path: Path) -> None:
    for spec in _read_kind_file(path).kinds:
        parent = None
        if spec.extends is not None:
            parent = kinds.get(spec.extends)
            if parent is None:
                raise KindError(f"{path}: kind {spec.name!r}: key 'extends': no kind named "
                                f"{spec.extends!r} is defined before it (known: {', '.join(sorted(kinds))})")
        try:
            kinds[spec.name] = _merge(spec, parent, str(path))
        except ValueError as exc:
            raise KindError(f"{path}: kind {spec.name!r}: {exc}") from None


def builtin_kinds_file() -> Path:
    from .registry import builtin_data_file

    return builtin_data_file("kinds.yaml")


@functools.lru_cache(maxsize=None)
def _builtin_kinds() -> tuple[Kind, ...]:
    from .registry import load_shipped

    path = builtin_kinds_file()
    return load_shipped(path, lambda: _read_kinds(path), code=(__file__,))


def _read_kinds(path: Path) -> tuple[Kind, ...]:
    kinds: dict[str, Kind] = {}
    _add_file(kinds, path)
    return tuple(kinds.values())


def load_kinds(extra_files: Iterable[Path] = ()) -> dict[str, Kind]:
    """The built-in kinds, then those of ``extra_files`` in order (a later kind of the same name
    replaces the earlier one; ``extends`` sees the kinds defined before it)."""
    kinds = {k.name: k for k in _builtin_kinds()}
    for path in kind_files(extra_files):
        _add_file(kinds, path)
    return kinds


# -- choosing a page's kind ----------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    """The kind of one page and how it was chosen (for messages)."""

    kind: Kind
    reason: str  # "path glob `content/talks/**`", "`type: talk`", "detected from keys …"


class KindSet:
    """All kinds known to a run and the settings that choose one per page."""

    def __init__(self, kinds: dict[str, Kind], globs: dict[str, str], root: Path,
                 kind_keys: list[str], detection: bool = True):
        self.kinds = kinds
        self.root = root
        self.kind_keys = [_key(k) for k in kind_keys]
        self.detection = detection
        self.by_name: dict[str, Kind] = {}
        for kind in kinds.values():  # later kinds win a name both claim: user files come last
            for name in kind.names:
                self.by_name[name] = kind
        for kind in kinds.values():  # a kind's own name always means that kind
            self.by_name[kind.name] = kind
        self.globs: list[tuple[str, pathspec.PathSpec, str]] = []
        for glob, name in globs.items():
            if name != NO_KIND and name not in kinds:
                raise KindError(f"key 'kinds.\"{glob}\"': unknown kind {name!r} "
                                f"(known: {', '.join(sorted(kinds))}, or {NO_KIND!r})")
            self.globs.append((glob, _glob_spec(glob), name))

    def kind_for(self, path: str | None, data: Any) -> Choice | None:
        """The kind of a page at ``path`` whose parsed front matter is ``data``."""
        if path and self.globs:
            from .selection import relative_posix

            rel = relative_posix(path, self.root)
            matched = [(glob, name) for glob, spec, name in self.globs if spec.match_file(rel)]
            if matched:
                glob, name = matched[-1]
                return None if name == NO_KIND else Choice(self.kinds[name], f"path glob `{glob}`")
        if not isinstance(data, dict):
            return None
        keys = {k.casefold(): k for k in data if isinstance(k, str)}  # _key, without a call per key
        for kind_key in self.kind_keys:
            value = data[keys[kind_key]] if kind_key in keys else None
            if isinstance(value, str) and _key(value.strip()) in self.by_name:
                return Choice(self.by_name[_key(value.strip())], f"`{keys[kind_key]}: {value.strip()}`")
        return self._detect(keys) if self.detection else None

    def _signal_index(self) -> dict[str, list[tuple[int, str]]]:
        """Signal key → (position of a kind, its field) for every kind that has the signal: a
        page's keys are looked up once, not once per kind."""
        index = self.__dict__.get("_signals")
        if index is None:
            index = {}
            for i, kind in enumerate(self.kinds.values()):
                for key, name in kind.signals.items():
                    index.setdefault(key, []).append((i, name))
            self._signals = index
        return index

    def _detect(self, keys: dict[str, str]) -> Choice | None:
        index = self._signal_index()
        found: dict[int, dict[str, str]] = {}  # position of a kind → its fields, as for each kind
        for k, written in keys.items():
            for i, name in index.get(k, ()):
                found.setdefault(i, {}).setdefault(name, written)
        scores = []
        for i, kind in enumerate(self.kinds.values()):
            if not kind.signals:
                continue
            fields = found.get(i, {})
            if len(fields) >= kind.detect_min:
                scores.append((len(fields), kind, sorted(fields.values())))
        if not scores:
            return None
        scores.sort(key=lambda s: -s[0])
        if len(scores) > 1 and scores[1][0] == scores[0][0]:
            return None  # two kinds fit as well: unsure, so no kind
        _, kind, seen = scores[0]
        return Choice(kind, "detected from " + ", ".join(f"`{k}`" for k in seen))


def build_kind_set(settings: Any, root: Path) -> KindSet:
    """The KindSet of a configuration (``kind-files``, ``kinds``, ``kind-keys``,
    ``kind-detection``). Raises :class:`KindError`."""
    kinds = load_kinds(root / p for p in settings.kind_files)
    return KindSet(kinds, settings.kinds, root, settings.kind_keys, settings.kind_detection)


# -- types -----------------------------------------------------------------------------------------

_ISO_DATE = re.compile(
    r"\d{4}-\d{1,2}-\d{1,2}"
    r"(?P<time>(?:[Tt]|[ \t]+)\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?"
    r"(?:[ \t]*(?:[Zz]|[+-]\d{1,2}(?::?\d{2})?))?)?")
_LONGEST_MOMENT = 64
_CLOCK = re.compile(r"\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AaPp]\.?[Mm]\.?)?")
_SEXAGESIMAL = re.compile(r"[0-9][0-9_]*(?::[0-5]?[0-9])+")  # YAML 1.1 reads 10:30 as 630
_DURATION = re.compile(
    r"(?i)(?:\d+(?:\.\d+)?"
    r"|P(?:\d+D)?(?:T(?=\d)(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d+)?S)?)?"
    r"|\d{1,2}:\d{2}(?::\d{2})?"
    r"|(?:\d+(?:\.\d+)?\s*(?:h|hr|hrs|hours?|m|mins?|minutes?|s|secs?|seconds?|分钟|小时)\s*)+)")


def _is_scalar(value: Any) -> bool:
    return not isinstance(value, (list, dict))


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


# Whether a URL has a scheme, a host or a handle in its place is the link rules' business
# (TL423 schemeless-link, TL424 handle-in-url-field): here a URL is one word of text.
def _is_url(value: Any) -> bool:
    return isinstance(value, str) and not any(c.isspace() for c in value.strip())


def _is_path(value: Any) -> bool:
    return isinstance(value, str) and "\n" not in value.strip()


def _short(text: Any) -> str | None:
    """``text`` stripped, when it is a string short enough to be a date, a time or a duration
    (the patterns are never run over a huge value)."""
    if not isinstance(text, str) or len(text) > _LONGEST_MOMENT:
        return None
    return text.strip()


def _shaped(pattern: re.Pattern, text: Any) -> re.Match | None:
    short = _short(text)
    return pattern.fullmatch(short) if short is not None else None


def _is_date(value: Any, raw: str) -> bool:
    # Only the shape is checked: Feb 30 or month 13 is a date of the wrong value, which the
    # date rules report; a type error would say the same thing twice.
    return isinstance(value, dt.date) or _shaped(_ISO_DATE, value) is not None


def _is_datetime(value: Any, raw: str) -> bool:
    m = _shaped(_ISO_DATE, value)
    return isinstance(value, dt.datetime) or (m is not None and m.group("time") is not None)


def _is_time(value: Any, raw: str) -> bool:
    if isinstance(value, int) and not isinstance(value, bool):
        return _shaped(_SEXAGESIMAL, raw) is not None
    return isinstance(value, dt.time) or _shaped(_CLOCK, value) is not None


def _is_duration(value: Any, raw: str) -> bool:
    return _number(value) or isinstance(value, dt.timedelta) or _shaped(_DURATION, value) is not None


_CHECKS = {
    "any": lambda v, raw: True,
    "string": lambda v, raw: _is_scalar(v),
    "non-empty-string": lambda v, raw: _is_scalar(v),
    "date": _is_date,
    "datetime": _is_datetime,
    "time": _is_time,
    "duration": _is_duration,
    "integer": lambda v, raw: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v, raw: _number(v),
    "boolean": lambda v, raw: isinstance(v, bool),
    "url": lambda v, raw: _is_url(v),
    "path": lambda v, raw: _is_path(v),
    "list": lambda v, raw: isinstance(v, list),
    "list-of-strings": lambda v, raw: isinstance(v, list) and all(_is_scalar(x) and x is not None for x in v),
    "mapping": lambda v, raw: isinstance(v, dict),
}

TYPE_LABELS = {
    "any": "anything", "string": "text", "non-empty-string": "text", "date": "an ISO 8601 date",
    "datetime": "an ISO 8601 date and time", "time": "a time of day", "duration": "a duration",
    "integer": "a whole number", "number": "a number", "boolean": "true or false",
    "url": "a URL", "path": "a URL or file path", "list": "a list",
    "list-of-strings": "a list of strings", "mapping": "a mapping",
}


def matches(value: Any, types: list[str], raw: str = "") -> bool:
    """True when ``value`` (written as ``raw``) is of one of ``types``."""
    return any(_CHECKS[t](value, raw) for t in types)


def bad_item(value: Any, types: list[str]) -> int | None:
    """For a list that fails only because of its items: the index of the first bad item."""
    if "list-of-strings" not in types or not isinstance(value, list):
        return None
    for i, item in enumerate(value):
        if not _is_scalar(item) or item is None:
            return i
    return None


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or (
        isinstance(value, (list, dict)) and not value)


def _glob_spec(glob: str) -> "pathspec.PathSpec":
    import pathspec  # only configurations with globs need it

    return pathspec.GitIgnoreSpec.from_lines([glob])
