"""The content cache: a file's findings and cross-file summary, kept between runs.

One cache file per *run key* — talklint's version and code, the plugins, Python, the resolved
configuration and every file it names, the command-line selection, the current folder and
whether the run has a cross-file pass — holds one entry per checked file, keyed by the file's
absolute and displayed path (per-file-ignores, document kinds and dates in file names depend on
the path, so the entry holds the findings after every decision). An entry is reused when:

* the file's content is the same: its stat (size, mtime, ctime, inode) is unchanged and was
  taken well after its last change, or else its content hash is unchanged (a file written in
  the same clock tick as it was cached is always hashed, as git does with racily clean files);
* everything else its findings read still reads the same: the probes recorded while it was
  linted (:mod:`talklint.probes`: folder listings for images and local links, linked pages,
  the link cache) are validated.

Writing is atomic (a temporary file, then a rename); a cache file that cannot be read, is
corrupt or was written by another format is ignored, never an error. Entries of files not seen
for :data:`KEEP_UNSEEN` are dropped on save, and cache files of other run keys not used for as
long are deleted, so the folder stays bounded.

The file is a pickle, read by an unpickler that builds only plain data and talklint's (and its
rule plugins') data classes, so a planted cache file cannot run code.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import pickle
import sys
import time
from dataclasses import dataclass, is_dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import probes
from .atomic import write_atomically

if TYPE_CHECKING:
    from .engine import FileResult, Linter

FORMAT = 2  # bumped whenever Entry or the payload changes shape
KEEP_UNSEEN = 30 * 86400  # seconds an entry of a file not seen in any run is kept
RACY_NS = 2_000_000_000  # a stat taken this soon after the file's mtime does not prove its content
DEFAULT_DIR = ".talklint_cache"
_PREFIX = "files-"


@dataclass
class Entry:
    stamp: tuple  # (size, mtime_ns, ctime_ns, inode) when the file was read
    digest: str  # blake2b of the bytes
    checked_ns: int  # when the stamp was taken
    seen: float  # last run that used or wrote the entry (seconds since the epoch)
    # (findings, cross-file summary, probes), pickled on its own: unpickled only when used, and
    # dropped again once used, so a run over many files does not hold every result at once.
    payload: bytes


@dataclass
class Cached:
    """What an entry gives back: the findings and summary of the file, as a lint found them."""

    findings: list
    summary: Any  # FileSummary | None
    probes: tuple = ()  # what else the findings read (for a run record)
    digest: str = ""  # the hash of the content the findings are of


def file_stamp(st: os.stat_result) -> tuple:
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def content_digest(raw: bytes) -> str:
    return hashlib.blake2b(raw, digest_size=20).hexdigest()


class ContentCache:
    """The entries of one run key, loaded at the start of a run and saved at its end."""

    def __init__(self, folder: Path, key: str, modules: frozenset[str] = frozenset(), clock=time.time):
        """``modules``: where the rules come from (their summaries' classes may be cached)."""
        self.folder = Path(folder)
        self.key = key
        self.path = self.folder / f"{_PREFIX}{key[:32]}.pickle"
        self.clock = clock
        self.now = clock()
        self.modules = modules
        self.entries: dict[str, Entry] = _load(self.path, key, modules)
        self.seen: set[str] = set()
        self.dirty = False
        self._memo: dict = {}  # probe values of this run, shared by all entries

    @staticmethod
    def slot(path: str) -> str:
        return f"{os.path.abspath(path)}\0{path}"

    def lookup(self, path: str) -> Cached | None:
        """What the entry of ``path`` holds, if it can be reused."""
        slot = self.slot(path)
        self.seen.add(slot)
        entry = self.entries.get(slot)
        checked_ns = time.time_ns()
        try:
            st = os.stat(path)
        except OSError:
            return None
        if entry is None or not self._same_content(entry, st, checked_ns, path):
            return None
        content = _loads(entry.payload, self.modules)
        if content is None or not probes.still_valid(content[2], self._memo):
            return None
        if entry.seen < self.now - 3600:  # refresh rarely: a save rewrites the whole file
            entry.seen = self.now
            self.dirty = True
        return Cached(content[0], content[1], content[2], entry.digest)

    def _same_content(self, entry: Entry, st: os.stat_result, checked_ns: int, path: str) -> bool:
        stamp = file_stamp(st)
        if stamp == entry.stamp and st.st_mtime_ns + RACY_NS < entry.checked_ns:
            return True
        try:
            with open(path, "rb") as handle:
                raw = handle.read()
        except OSError:
            return False
        if content_digest(raw) != entry.digest:
            return False
        entry.stamp, entry.checked_ns = stamp, checked_ns
        self.dirty = True
        return True

    def store(self, result: "FileResult") -> None:
        """Keep what a plain lint (no fix) of an unchanged file found."""
        if result.digest is None or result.stamp is None:
            return
        try:
            payload = pickle.dumps((result.findings, result.summary, tuple(result.probes)),
                                   protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError):
            return  # a plugin collected something that does not pickle: lint this file every time
        slot = self.slot(result.path)
        self.seen.add(slot)
        self.entries[slot] = Entry(result.stamp, result.digest, result.checked_ns, self.now, payload)
        self.dirty = True

    def save(self) -> str | None:
        """Write the cache (pruned); the reason when it could not be written (the run goes on)."""
        if not self.dirty:
            return None
        self._prune()
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            _mark_as_cache(self.folder)
            data = _dump(self.key, self.entries)
            write_atomically(self.path, data, prefix=".files-")
        except (OSError, pickle.PicklingError, TypeError, AttributeError) as exc:
            return f"cache {self.path} not written: {getattr(exc, 'strerror', None) or exc}"
        self.dirty = False
        _remove_stale_keys(self.folder, self.path, self.now)
        return None

    def _prune(self) -> None:
        for slot in [s for s in self.entries if s not in self.seen]:
            entry = self.entries[slot]
            if entry.seen < self.now - KEEP_UNSEEN or not os.path.exists(slot.split("\0", 1)[0]):
                del self.entries[slot]


def open_cache(linter: "Linter", folder: Path, project: bool) -> ContentCache:
    modules = frozenset(c.__module__ for c in linter.registry.rules.values())
    return ContentCache(folder, run_key(linter, project), modules)


# -- the run key --------------------------------------------------------------------------------


def run_key(linter: "Linter", project: bool) -> str:
    """Everything besides a file's own path and bytes that its findings depend on."""
    config = linter.config
    settings = config.settings
    parts = {
        "format": FORMAT,
        "python": sys.version,
        "talklint": _version(),
        "code": _code_stamp(linter),
        "plugins": _plugin_versions(linter),
        "settings": settings_data(settings),
        "overrides": vars(linter.overrides),
        "enabled": sorted(linter.enabled),
        "config": str(config.path.resolve()) if config.path else None,
        "root": str(Path(config.root).resolve()),
        "cwd": os.getcwd(),
        "project": project,
        "named-files": _named_files(config),
        "time-zones": _tz_database(),
        # TL353 judges a page without dates by this year's rules: a new year, new entries.
        "year": time.localtime().tm_year,
    }
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.blake2b(text.encode("utf-8", "surrogateescape"), digest_size=20).hexdigest()


def settings_data(settings) -> Any:
    """``settings.model_dump(mode="json")``. Settings of plain data (as TOML gives them, but
    dates and times, and infinite floats) are read field by field: the dump builds the
    serializer of the settings, which a run without a config file never needs otherwise."""
    try:
        return _json_data(settings)
    except _NotPlain:
        return settings.model_dump(mode="json")


class _NotPlain(Exception):
    """A value whose JSON form is pydantic's to decide."""


_PLAIN_TYPES = (str, int, bool, type(None))


def _json_data(value) -> Any:
    kind = type(value)
    if kind in _PLAIN_TYPES or (kind is float and value - value == 0):  # not inf or nan
        return value
    if kind is list:
        return [_json_data(v) for v in value]
    if kind is dict and all(type(k) is str for k in value):
        return {k: _json_data(v) for k, v in value.items()}
    fields = getattr(kind, "model_fields", None)
    if (isinstance(fields, dict) and not kind.model_computed_fields and value.model_extra is None
            and not any(f.exclude for f in fields.values())):
        # A nested model dumps as its field's type: only a value of exactly that type is plain.
        values = {name: getattr(value, name) for name in fields}
        if all(fields[name].annotation is type(v) for name, v in values.items() if hasattr(type(v), "model_fields")):
            return {name: _json_data(v) for name, v in values.items()}
    raise _NotPlain


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("talklint")
    except metadata.PackageNotFoundError:  # pragma: no cover - run from a bare checkout
        return "unknown"


def _tz_database() -> list:
    """The IANA database the time-zone rules read: the tzdata package, else the system's."""
    import zoneinfo
    from importlib import metadata

    try:
        found: list = [("tzdata", metadata.version("tzdata"))]
    except metadata.PackageNotFoundError:
        found = []
    return found + [(folder, _stat(Path(folder) / "tzdata.zi")) for folder in zoneinfo.TZPATH]


def _plugin_versions(linter: "Linter | None" = None) -> list:
    """The rule plugins installed: those the linter's registry loaded, else scanned for."""
    from .registry import _entry_points

    found = getattr(getattr(linter, "registry", None), "entry_points", None)
    return sorted((ep.name, ep.value, getattr(ep.dist, "name", None), getattr(ep.dist, "version", None))
                  for ep in (found if found is not None else _entry_points()))


def _code_stamp(linter: "Linter") -> list:
    """Stats of talklint's own files and of the module of every rule class (plugins)."""
    return own_code_stamp() + [[(m, _stat(Path(m))) for m in plugin_modules(linter)]]


def own_code_stamp() -> list:
    """Stats of talklint's own files: code and shipped data (edits in a checkout count)."""
    import talklint

    package = Path(talklint.__file__).resolve().parent
    # Installed, the rule packs and data sit inside the package; in a checkout, beside src/.
    checkout_data = package.parent.parent / "rules"
    roots = [package] + ([checkout_data] if checkout_data.is_dir() else [])
    return [tree_stamp(root) for root in roots]


def plugin_modules(linter: "Linter") -> list[str]:
    """The files of the modules that hold rule classes, outside talklint."""
    import talklint

    package = str(Path(talklint.__file__).resolve().parent)
    modules = {sys.modules[c.__module__].__file__ or "" for c in linter.registry.rules.values()
               if c.__module__ in sys.modules and getattr(sys.modules[c.__module__], "__file__", None)}
    return sorted(m for m in modules if not m.startswith(package))


def tree_stamp(root: Path) -> list:
    out = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if not name.endswith((".pyc", ".pyo")):
                path = os.path.join(folder, name)
                out.append((os.path.relpath(path, root), _stat(Path(path))))
    return out


def _stat(path: Path) -> tuple | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns)


def _named_files(config) -> list:
    """Stats of the files the configuration names: editing one changes what is found."""
    out = []
    for name, path in named_paths(config):
        try:
            if path.is_dir():
                out.append((name, tree_stamp(path)))
            elif path.is_file():
                out.append((name, _stat(path)))
        except OSError:
            continue
    return out


def named_paths(config) -> list[tuple[str, Path]]:
    """The paths the configuration names (rule packs, kind files, rule options such as a
    misspelling rule's `extend-files`), as written and resolved."""
    root = Path(config.root)
    settings = config.settings
    named = [*settings.rule_packs, *settings.kind_files]
    for options in settings.rules.values():
        named += [v for value in options.values() for v in (value if isinstance(value, list) else [value])
                  if isinstance(v, str)]
    return [(name, Path(name) if Path(name).is_absolute() else root / name)
            for name in sorted(set(named)) if name and "\n" not in name and len(name) <= 4096]


# -- reading and writing ----------------------------------------------------------------------


class DataUnpickler(pickle.Unpickler):
    """Builds plain data, enums, data classes and pydantic models of talklint and of the
    modules that provide rules — never a function, so a planted file cannot run code."""

    SAFE = {("builtins", n) for n in ("set", "frozenset", "tuple", "list", "dict", "bytes", "bytearray",
                                      "str", "int", "float", "bool", "complex", "slice", "range")}
    SAFE |= {("datetime", n) for n in ("date", "datetime", "time", "timedelta", "timezone")}
    SAFE |= {("collections", "OrderedDict"), ("collections", "Counter"), ("copyreg", "_reconstructor"),
             ("builtins", "object")}

    def __init__(self, stream, modules: frozenset[str]):
        super().__init__(stream)
        self.modules = modules

    def find_class(self, module: str, name: str):
        if (module, name) in self.SAFE:
            return super().find_class(module, name)
        if module.split(".")[0] == "talklint" or module in self.modules:
            found = super().find_class(module, name)
            if isinstance(found, type) and (is_dataclass(found) or issubclass(found, Enum) or _is_model(found)):
                return found
        raise pickle.UnpicklingError(f"{module}.{name} is not cache data")


def _is_model(cls: type) -> bool:
    try:
        from pydantic import BaseModel
    except ImportError:  # pragma: no cover
        return False
    return issubclass(cls, BaseModel)


def _dump(key: str, entries: dict[str, Entry]) -> bytes:
    return pickle.dumps({"format": FORMAT, "key": key, "entries": entries}, protocol=pickle.HIGHEST_PROTOCOL)


def _loads(data: bytes, modules: frozenset[str]) -> Any:
    """An entry's payload, or None when it is damaged or holds what is not cache data."""
    try:
        content = DataUnpickler(io.BytesIO(data), modules).load()
    except Exception:  # any damage: a cache is never worth a crash
        return None
    if not isinstance(content, tuple) or len(content) != 3 or not isinstance(content[2], tuple):
        return None
    return content


def _load(path: Path, key: str, modules: frozenset[str]) -> dict[str, Entry]:
    """The entries of a cache file; a missing, unreadable, corrupt or foreign one is empty."""
    try:
        data = path.read_bytes()
    except OSError:
        return {}
    try:
        payload = DataUnpickler(io.BytesIO(data), modules).load()
    except Exception:  # any damage: a cache is never worth a crash
        return {}
    if not isinstance(payload, dict) or payload.get("format") != FORMAT or payload.get("key") != key:
        return {}
    entries = payload.get("entries")
    if not isinstance(entries, dict):
        return {}
    return {s: e for s, e in entries.items()
            if isinstance(s, str) and isinstance(e, Entry) and isinstance(getattr(e, "payload", None), bytes)}


def _mark_as_cache(folder: Path) -> None:
    """A `.gitignore` and a CACHEDIR.TAG, so the folder is neither committed nor backed up."""
    for name, text in ((".gitignore", "# Created by talklint.\n*\n"),
                       ("CACHEDIR.TAG", "Signature: 8a477f597d28d172789f06886806bc55\n"
                                        "# This file is a cache directory tag created by talklint.\n")):
        target = folder / name
        if not target.exists():
            try:
                target.write_text(text, encoding="utf-8")
            except OSError:
                pass


def _remove_stale_keys(folder: Path, current: Path, now: float) -> None:
    """Cache files of other run keys, and run records (:mod:`talklint.replay`), unused for long."""
    for other in [*folder.glob(f"{_PREFIX}*.pickle"), *folder.glob("run-*.pickle")]:
        try:
            if other != current and other.stat().st_mtime < now - KEEP_UNSEEN:
                other.unlink()
        except OSError:
            continue


def cache_folder(config, explicit: str | None) -> Path:
    return folder_for(config.root, config.settings.cache_dir, explicit)


def folder_for(root: Path, setting: str | None, explicit: str | None) -> Path:
    """``--cache-dir``, else the setting ``cache-dir`` (relative to the config file), else
    `.talklint_cache` beside the config file or in the current folder."""
    if explicit:
        return Path(explicit)
    name = setting or DEFAULT_DIR
    return Path(name) if Path(name).is_absolute() else Path(root) / name
