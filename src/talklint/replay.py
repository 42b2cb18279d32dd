"""Replaying an unchanged run: the report of the last identical run, without linting anything.

The content cache (:mod:`talklint.cache`) answers unchanged *files*, but a run over them still
imports every rule, builds the linter, walks the folders with their excludes and runs the
cross-file pass, which takes far longer than reading the answers. So after a plain run (no
fix, no diff, no stdin, no ``--diff-base``, no link checking) with the cache on, talklint also
writes a *run record* into the cache folder: its report, and everything the run read.

A record is found by a key of what the run was asked — the command-line options that decide
findings and the current folder — and of the code that answered it: Python, ``sys.path`` and
the mtimes of its ``site-packages`` folders (installing, upgrading or removing a distribution,
such as a rule plugin, changes them), talklint's own files and the time-zone database. Its
report is printed again, in whatever output format is asked now, only when everything the run
read still reads the same:

* every page checked: its stat (size, mtime, ctime, inode) — or, when the page changed within
  :data:`~talklint.cache.RACY_NS` of the run's start, the hash of the content that was checked;
* every folder walked: its mtime, which changes when an entry is added, removed or renamed —
  or, when it changed too close to the run, its listing;
* every config file discovery looked for, present or not; every ``.gitignore`` and ``.git``
  the walk looked for; the files the configuration names; the modules of plugin rules;
* every probe a rule recorded while linting (image folders, linked pages:
  :mod:`talklint.probes`).

Any difference, any doubt, and any damage to the record means a normal run, which writes a
new record. A record is read by the cache's restricted unpickler, after its report's hash has
been checked.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import pickle
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from . import probes
from .atomic import write_atomically
from .cache import RACY_NS, DataUnpickler, content_digest, file_stamp, folder_for, own_code_stamp

FORMAT = 1
PREFIX = "run-"
_BATCH = 256  # reported files pickled together: fewer, larger pickles read back faster


def run_key(options: dict[str, Any]) -> str:
    """The key of a run: ``options`` (what decides its findings) and the code that runs it."""
    import zoneinfo

    parts = {
        "format": FORMAT,
        "python": [sys.version, sys.executable],
        # sys.path[0] is the script's folder, or the current folder with `python -m`.
        "sys.path": [(p, _mtime(p)) if _is_site(p) else (p, None) for p in sys.path[1:]],
        "code": own_code_stamp(),
        "time-zones": [(folder, _stamp(os.path.join(folder, "tzdata.zi"))) for folder in zoneinfo.TZPATH],
        "cwd": os.getcwd(),
        # TL353 judges a page without dates by this year's rules.
        "year": time.localtime().tm_year,
        "options": options,
    }
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.blake2b(text.encode("utf-8", "surrogateescape"), digest_size=20).hexdigest()


def locate(paths: list[str], config_file: str | None, cache_dir: str | None) -> tuple[Path, list[str]] | None:
    """The cache folder of a run, and the config files that discovery looks at, found without
    validating the configuration (None when it cannot be read: the normal run says why)."""
    from .configfile import ConfigError, discovery_start, find_config_file, read_table

    tried: list[str] = []
    found = Path(config_file) if config_file else find_config_file(discovery_start(paths), tried)
    try:
        table = read_table(found)[0] if found is not None else {}
    except ConfigError:
        return None
    settings = [table[k] for k in ("cache-dir", "cache_dir") if k in table]
    if len(settings) > 1 or not all(isinstance(v, str) for v in settings):
        return None
    root = found.parent if found is not None else Path.cwd()
    return folder_for(root, settings[0] if settings else None, cache_dir), tried or [str(found)]


def record_path(folder: Path, key: str) -> Path:
    return Path(folder) / f"{PREFIX}{key[:32]}.pickle"


def _is_site(path: str) -> bool:
    return os.path.basename(path.rstrip("/\\")) in ("site-packages", "dist-packages")


def _mtime(path: str) -> int | None:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return None


def _stamp(path: str) -> tuple | None:
    try:
        return file_stamp(os.stat(path))
    except OSError:
        return None


def _racy(stamp: tuple | None, start_ns: int) -> bool:
    """Changed too close to the run's start for its stat to prove what it held then."""
    return stamp is not None and max(stamp[1], stamp[2]) + RACY_NS >= start_ns


# -- writing --------------------------------------------------------------------------------


@dataclass
class Recorder:
    """Gathers a run's report and what it read, as the run goes; :meth:`save` writes the record
    (or nothing, when the run cannot be replayed)."""

    key: str
    start_ns: int  # taken before the run read anything
    pages: list[tuple[str, str | None]] = field(default_factory=list)  # path, digest checked
    probes: dict = field(default_factory=dict)  # an ordered set
    replayable: bool = True

    def __post_init__(self) -> None:
        # The report is pickled as it comes, a batch of files at a time, so a big run holds
        # bytes, not objects.
        self._stream = tempfile.SpooledTemporaryFile(max_size=8 << 20)
        self._batch: list[tuple[str, bool, list]] = []

    def file(self, result) -> None:
        """One file's result (a :class:`~talklint.engine.FileResult`), as it is reported."""
        self.pages.append((result.path, result.digest))
        for probe in result.probes:
            if probe[0] == "link":  # the link cache's answers expire: never replayed
                self.replayable = False
            try:
                self.probes[probe] = None
            except TypeError:  # a plugin's probe that cannot be compared cheaply
                self.replayable = False
        self._report(result.path, False, result.findings)

    def cross_file(self, path: str, findings: list) -> None:
        self._report(path, True, findings)

    def _report(self, path: str, late: bool, findings: list) -> None:
        if self.replayable and (findings or late):
            self._batch.append((path, late, findings))
            if len(self._batch) >= _BATCH:
                self._flush()

    def _flush(self) -> None:
        try:
            pickle.dump(self._batch, self._stream, protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError):
            self.replayable = False
        self._batch = []

    def save(self, folder: Path, *, listed, looked_for, config_files, named, summary,
             fix_codes: tuple[set, set]) -> None:
        """Write the record, unless something the run read cannot be trusted to be checked
        again. ``listed``: the folders walked (path, mtime, entries); ``looked_for``: the
        `.gitignore`/`.git` paths the walk tried; ``config_files``: the config files discovery
        tried; ``named``: files the configuration or plugins name; ``fix_codes``: the codes of
        `extend-safe-fixes` and `extend-unsafe-fixes`."""
        if not self.replayable:
            return
        try:
            watched = self._watched(listed, looked_for, config_files, named)
        except _Untrusted:
            return
        self._flush()
        pickle.dump([], self._stream)  # the end
        if not self.replayable:
            return
        self._stream.seek(0)
        report = self._stream.read()
        header = {"format": FORMAT, "key": self.key, "watched": watched, "probes": tuple(self.probes),
                  "summary": summary, "fix-codes": fix_codes, "report": content_digest(report)}
        try:
            data = pickle.dumps(header, protocol=pickle.HIGHEST_PROTOCOL) + report
            folder.mkdir(parents=True, exist_ok=True)
            write_atomically(record_path(folder, self.key), data, prefix=".run-")
        except (OSError, pickle.PicklingError, TypeError, AttributeError):
            return  # a record is an optimisation: a run never fails for it

    def _watched(self, listed, looked_for, config_files, named) -> list[tuple]:
        start = self.start_ns
        watched: list[tuple] = []
        for path, digest in self.pages:
            stamp = _stamp(path)
            if _racy(stamp, start):
                if digest is None:
                    raise _Untrusted(path)
                watched.append(("page", path, stamp, digest))
            else:
                watched.append(("page", path, stamp, None))
        for folder, mtime, names in listed:
            racy = mtime < 0 or mtime + RACY_NS >= start
            watched.append(("folder", folder, mtime, names if racy else None))
        for path in sorted(looked_for):
            if os.path.basename(path) == ".git":  # git changes its folder all the time: only presence counts
                watched.append(("exists", path, os.path.lexists(path)))
            else:
                watched.append(("file", path, self._trusted(path)))
        for path in [*config_files, *named]:
            watched.append(("file", path, self._trusted(path)))
        return watched

    def _trusted(self, path: str) -> tuple | None:
        stamp = _stamp(path)
        if _racy(stamp, self.start_ns):
            raise _Untrusted(path)
        return stamp


class _Untrusted(Exception):
    """A file changed too close to the run for a record to vouch for it."""


def named_files(paths: list[Path]) -> tuple[list[str], list[tuple[str, int, tuple[str, ...]]]]:
    """The files under ``paths`` (files, or folders walked), and the folders listed (path,
    mtime, entries: a file added to a named folder, such as a rule pack, changes it), for
    :meth:`Recorder.save`."""
    from .files import listing

    files: list[str] = []
    folders: list[tuple[str, int, tuple[str, ...]]] = []
    for path in paths:
        if not path.is_dir():
            files.append(str(path))
            continue
        for folder, dirs, names in os.walk(path):
            folders.append(listing(folder, dirs + names))
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            files += [os.path.join(folder, name) for name in sorted(names) if not name.endswith((".pyc", ".pyo"))]
    return files, folders


# -- replaying ------------------------------------------------------------------------------


@dataclass
class Replay:
    """A record whose run read the same as now: its report, to hand to a reporter."""

    summary: Any  # report.Summary
    fix_codes: tuple[set, set]
    _report: bytes

    def results(self) -> Iterator[tuple[str, bool, list]]:
        """(path, late, findings) in the order the run reported them."""
        stream = io.BytesIO(self._report)
        while batch := DataUnpickler(stream, frozenset()).load():
            yield from batch


def load(folder: Path, key: str) -> Replay | None:
    """The replay of the record of ``key``, if everything its run read still reads the same."""
    path = record_path(folder, key)
    try:
        data = path.read_bytes()
        stream = io.BytesIO(data)
        header = DataUnpickler(stream, frozenset()).load()
    except Exception:  # missing or damaged: a record is never worth a failure
        return None
    if not isinstance(header, dict) or header.get("format") != FORMAT or header.get("key") != key:
        return None
    report = data[stream.tell():]
    if content_digest(report) != header.get("report") or not _still_valid(header):
        return None
    _touch(path)
    return Replay(header["summary"], header["fix-codes"], report)


def _still_valid(header: dict) -> bool:
    try:
        if not all(_same(entry) for entry in header["watched"]):
            return False
        found = header["probes"]
        if found:
            from . import paths  # noqa: F401 - registers the validators of file-system probes
        return probes.still_valid(found, {})
    except Exception:  # an entry of an unexpected shape
        return False


def _same(entry: tuple) -> bool:
    kind, path = entry[0], entry[1]
    if kind == "page":
        stamp, digest = entry[2], entry[3]
        now = _stamp(path)
        if digest is None:
            return now == stamp
        return now is not None and _digest_of(path) == digest
    if kind == "folder":
        mtime, names = entry[2], entry[3]
        if names is None:
            return _mtime(path) == mtime
        try:
            return tuple(sorted(os.listdir(path))) == names
        except OSError:
            return False
    if kind == "exists":
        return os.path.lexists(path) == entry[2]
    if kind == "file":
        return _stamp(path) == entry[2]
    return False


def _digest_of(path: str) -> str | None:
    try:
        with open(path, "rb") as handle:
            return content_digest(handle.read())
    except OSError:
        return None


def _touch(path: Path) -> None:
    """Mark a record used now and then, so pruning keeps it (a replay writes nothing else)."""
    try:
        if path.stat().st_mtime < time.time() - 3600:
            os.utime(path)
    except OSError:
        pass
