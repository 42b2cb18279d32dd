"""Where a local reference points: the file on disk behind `photo.jpg`, `../talks/a.md` or
`/assets/x.jpg`, looked up the way a web server on Linux would find it.

* A relative path is resolved against the folder of the page that holds it; a root-relative
  path (`/assets/x.jpg`) against each of the site's static roots (setting ``static-roots``).
* Every name is compared exactly, as a case-sensitive file system does. A name that exists only
  with other letter case (`Photo.JPG` for `photo.jpg`) or in another Unicode normalisation is
  a case mismatch: found on macOS and Windows, missing on the server.
* Nothing outside the project root is ever read: a path that leaves it (`../../../etc/passwd`)
  is reported as outside before any folder is listed. The project root is the folder of the
  config file; without one, the closest folder above the page that holds a ``.git`` entry, else
  the current folder when the page lies inside it, else the page's own folder. That last one is
  a guess (``Site.root_known`` is False): nothing above it is read, but a path that leaves it is
  not reported either, since the real project may well hold it.
* Folders are listed once per run (:class:`RunCache`, kept per :class:`~talklint.config.Config`
  object, so each worker process has its own), however many pages point into them.
* Every read of the file system is recorded as a probe (:mod:`talklint.probes`), memo or not,
  so that a cached result is reused only while the disk still reads the same.
"""

from __future__ import annotations

import enum
import hashlib
import os
import re
import unicodedata
import weakref
from dataclasses import dataclass, field
from urllib.parse import unquote

from . import probes

GENERATORS = ("github", "hugo", "jekyll", "eleventy", "astro")

# A URL scheme (`https:`, `mailto:`, `data:`) or a protocol-relative `//host`: not a local file.
_EXTERNAL = re.compile(r"^(?:[A-Za-z][A-Za-z0-9+.-]*:|//|\\\\)")
# Template syntax of the generators and of MDX: the real path is only known after rendering.
_TEMPLATE = re.compile(r"\{\{|\{%|<%|\$\{|^\{|\{<")
_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")
# `?` or `#` where the path ends; an entity such as `&#32;` is skipped whole.
_QUERY_OR_FRAGMENT = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});|([?#])")

MAX_MARKDOWN_BYTES = 4 * 1024 * 1024  # a linked page larger than this is not parsed for anchors


class Status(str, enum.Enum):
    FOUND = "found"
    CASE = "case"  # found only by ignoring letter case / Unicode normalisation
    MISSING = "missing"
    OUTSIDE = "outside"  # leaves the project root (or the static root)
    UNKNOWN = "unknown"  # cannot be decided: nothing to resolve against, or unreadable


@dataclass(frozen=True)
class Target:
    """A reference split into path, query and fragment. Offsets are into ``raw``."""

    raw: str
    path: str  # decoded (percent-escapes resolved); '' for a fragment-only reference
    path_end: int  # end of the path characters in raw
    fragment: str | None  # decoded, without '#'; None when there is no '#'
    fragment_start: int  # where the fragment text starts in raw (after '#')


def is_external(raw: str) -> bool:
    return bool(_EXTERNAL.match(raw.strip()))


def is_template(text: str) -> bool:
    return bool(_TEMPLATE.search(text))


def percent_decode(text: str) -> str:
    """`my%20photo.jpg` → `my photo.jpg`; a text whose escapes are not UTF-8 is kept as written."""
    if "%" not in text or not _PERCENT.search(text):
        return text
    try:
        return unquote(text, errors="strict")
    except UnicodeDecodeError:
        return text


def split_target(raw: str, unescape=lambda s: s) -> Target | None:
    """Split a local reference; None for external URLs and templates.

    ``unescape`` undoes the syntax the reference was written in (markdown backslash escapes and
    entities, HTML entities) before percent-decoding.
    """
    if not raw.strip() or is_external(raw):
        return None
    q = h = len(raw)
    for m in _QUERY_OR_FRAGMENT.finditer(raw):
        if m.group(1):
            q = min(q, m.start())
            if m.group(1) == "#":
                h = m.start()
                break
    h = h if h < len(raw) else -1
    path = percent_decode(unescape(raw[:q]))
    if is_template(path) or is_template(unescape(raw)):
        return None
    fragment = percent_decode(unescape(raw[h + 1:])) if h >= 0 else None
    return Target(raw, path, q, fragment, h + 1 if h >= 0 else len(raw))


# ---------------------------------------------------------------------------------------------
# Lookup
# ---------------------------------------------------------------------------------------------


def fold(name: str) -> str:
    return unicodedata.normalize("NFC", name).casefold()


@dataclass
class Listing:
    names: dict[str, bool]  # name → is a folder
    folded: dict[str, list[str]]
    digest: str = ""  # of the names and kinds: what a probe compares


def _scan(folder: str) -> dict[str, bool] | None:
    try:
        with os.scandir(folder) as entries:
            names = {}
            for entry in entries:
                try:
                    names[entry.name] = entry.is_dir()
                except OSError:
                    names[entry.name] = False
    except OSError:
        return None
    return names


def _listing_digest(names: dict[str, bool] | None) -> str | None:
    if names is None:
        return None
    text = "\0".join(f"{'d' if is_dir else 'f'}{name}" for name, is_dir in sorted(names.items()))
    return hashlib.blake2b(text.encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()


@probes.validator("listing")
def _listing_now(folder: str) -> str | None:
    return _listing_digest(_scan(folder))


def _listing_of(names: dict[str, bool] | None) -> Listing | None:
    if names is None:
        return None
    folded: dict[str, list[str]] = {}
    for name in sorted(names):
        folded.setdefault(fold(name), []).append(name)
    return Listing(names, folded, _listing_digest(names))


class RunCache:
    """Folder listings, project roots and parsed linked pages, shared by one run's rules."""

    def __init__(self) -> None:
        self.listings: dict[str, Listing | None] = {}
        self.roots: dict[str, tuple[str, bool]] = {}
        self.anchors: dict[tuple[str, str], object] = {}
        # Real paths of the folders pages lie in and of the config root: thousands of pages
        # share a few, and each ``realpath`` looks at every folder above.
        self.reals: dict[str, str] = {}

    def listing(self, folder: str) -> Listing | None:
        if folder not in self.listings:
            self.listings[folder] = _listing_of(_scan(folder))
        listing = self.listings[folder]
        probes.record("listing", folder, listing.digest if listing is not None else None)
        return listing


_RUN_CACHES: "weakref.WeakKeyDictionary[object, RunCache]" = weakref.WeakKeyDictionary()


def run_cache(config: object) -> RunCache:
    if config is None:
        return RunCache()
    try:
        cache = _RUN_CACHES.get(config)
        if cache is None:
            cache = _RUN_CACHES[config] = RunCache()
        return cache
    except TypeError:  # not weak-referenceable: no sharing between files
        return RunCache()


@dataclass
class Lookup:
    status: Status
    path: str | None = None  # the absolute path found (FOUND, CASE)
    is_dir: bool = False
    segments: list[str] = field(default_factory=list)  # the written segments, corrected to disk
    ambiguous: bool = False  # several names differ from the written one only in case


def inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def walk(cache: RunCache, base: str, segments: list[str], boundary: str) -> Lookup:
    """Follow written path segments from ``base``, comparing names exactly.

    ``.``, empty segments and ``..`` are kept as written; a name is looked up in its folder's
    listing. A folder outside ``boundary`` is never listed: the path is OUTSIDE.
    """
    current = base
    corrected: list[str] = []
    case = ambiguous = False
    is_dir = True
    for i, segment in enumerate(segments):
        if segment in ("", "."):
            corrected.append(segment)
            continue
        if segment == "..":
            current = os.path.dirname(current)
            corrected.append(segment)
            is_dir = True
            continue
        if not inside(current, boundary):
            return Lookup(Status.OUTSIDE)
        if not is_dir:
            return Lookup(Status.MISSING)
        listing = cache.listing(current)
        if listing is None:
            return Lookup(Status.UNKNOWN)
        name = segment if segment in listing.names else None
        if name is None:
            matches = listing.folded.get(fold(segment), [])
            if not matches:
                return Lookup(Status.MISSING)
            name, case = matches[0], True
            ambiguous = ambiguous or len(matches) > 1
        corrected.append(name)
        is_dir = listing.names[name]
        current = os.path.join(current, name)
    if not inside(current, boundary):
        return Lookup(Status.OUTSIDE)
    return Lookup(Status.CASE if case else Status.FOUND, current, is_dir, corrected, ambiguous)


def lookup(cache: RunCache, base: str, path: str, boundary: str) -> Lookup:
    """Resolve ``path`` (relative, '/'-separated) against ``base`` within ``boundary``."""
    target = os.path.normpath(os.path.join(base, *path.split("/")))
    if not inside(target, boundary):
        return Lookup(Status.OUTSIDE)
    return walk(cache, base, path.split("/"), boundary)


# ---------------------------------------------------------------------------------------------
# The site a page belongs to
# ---------------------------------------------------------------------------------------------


@dataclass
class Site:
    root: str  # the project root (real path)
    root_known: bool  # False when the root is only the page's own folder (see the module doc)
    static_roots: list[str]  # existing static roots (real paths)
    generator: str
    cache: RunCache


def _realdir(path: str, cache: RunCache | None = None) -> str:
    absolute = os.path.abspath(path)
    if cache is None:
        real = os.path.realpath(absolute)
    else:
        real = cache.reals.get(absolute)
        if real is None:
            real = cache.reals[absolute] = os.path.realpath(absolute)
    probes.record("realpath", absolute, real)  # a symlink may come to point elsewhere
    return real


@probes.validator("realpath")
def _realpath_now(path: str) -> str:
    return _resolved(path, probes.shared())


def _resolved(path: str, memo: dict) -> str:
    """``os.path.realpath`` of an absolute, normalised path, resolving each folder above it once
    per ``memo`` (validating a run's cache checks thousands of folders with common parents)."""
    slot = ("~realpath", path)
    if slot not in memo:
        parent = os.path.dirname(path)
        if parent == path or os.path.islink(path):
            memo[slot] = os.path.realpath(path)
        else:
            memo[slot] = os.path.join(_resolved(parent, memo), os.path.basename(path))
    return memo[slot]


def project_root(config: object, page_dir: str, cache: RunCache) -> tuple[str, bool]:
    """(root, known): see the module documentation."""
    config_path = getattr(config, "path", None)
    if config_path is not None:
        root = _realdir(os.fspath(config.root), cache)  # type: ignore[attr-defined]
        if inside(page_dir, root):
            return root, True
    if page_dir not in cache.roots:
        cache.roots[page_dir] = _git_root(page_dir)
    probes.record("git-root", page_dir, cache.roots[page_dir])
    return cache.roots[page_dir]


@probes.validator("git-root")
def _git_root(page_dir: str) -> tuple[str, bool]:
    """(root, known) from the closest folder above ``page_dir`` that holds ``.git``, else
    from the current folder (part of the content cache's key)."""
    memo = probes.shared()
    root = _git_above(page_dir, memo)
    known = True
    if root is None:
        if ("~cwd",) not in memo:
            memo[("~cwd",)] = os.path.realpath(os.getcwd())
        cwd = memo[("~cwd",)]
        known = inside(page_dir, cwd)
        root = cwd if known else page_dir
    return root, known


def _git_above(folder: str, memo: dict) -> str | None:
    """The closest folder at or above ``folder`` that holds ``.git``; each folder looked at
    once per ``memo``."""
    slot = ("~git", folder)
    if slot not in memo:
        parent = os.path.dirname(folder)
        if os.path.exists(os.path.join(folder, ".git")):
            memo[slot] = folder
        else:
            memo[slot] = None if parent == folder else _git_above(parent, memo)
    return memo[slot]


def real_path(path: str) -> str:
    """The path with symlinks resolved, as a probe."""
    return _realdir(path)


def read_small(path: str, limit: int) -> bytes | None:
    """The bytes of a file other than the page (a linked page), as a probe; None when it is
    unreadable or larger than ``limit``."""
    data = _read_small(path, limit)
    probes.record("bytes", (path, limit), _digest(data))
    return data


def _read_small(path: str, limit: int) -> bytes | None:
    try:
        if os.path.getsize(path) > limit:
            return None
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return None


def _digest(data: bytes | None) -> str | None:
    return None if data is None else hashlib.blake2b(data, digest_size=16).hexdigest()


@probes.validator("bytes")
def _bytes_now(key: tuple[str, int]) -> str | None:
    return _digest(_read_small(*key))


def page_folder(path: str, cache: RunCache | None = None) -> str | None:
    """The real folder of a checked page, or None for text read from stdin without a name."""
    if not path or path == "-":
        return None
    return _realdir(os.path.dirname(os.path.abspath(path)) or ".", cache)


def site_for(ctx) -> tuple[Site, str] | None:
    """(Site, the page's folder) for a rule context; None when the page has no location."""
    cached = ctx.shared.get("paths.site")
    if cached is not None:
        return cached
    config = ctx.config
    cache = run_cache(config)
    folder = page_folder(ctx.path, cache)
    if folder is None:
        return None
    root, known = project_root(config, folder, cache)
    settings = getattr(config, "settings", None)
    configured = list(getattr(settings, "static_roots", []) or [])
    base = _realdir(os.fspath(getattr(config, "root", os.getcwd())), cache)
    statics = []
    for entry in configured:
        real = _realdir(os.path.join(base, entry), cache)
        if _isdir(real):
            statics.append(real)
    generator = getattr(settings, "site_generator", "github") or "github"
    result = (Site(root, known, statics, generator, cache), folder)
    ctx.shared["paths.site"] = result
    return result


@probes.validator("isdir")
def _isdir_now(path: str) -> bool:
    return os.path.isdir(path)


def _isdir(path: str) -> bool:
    found = _isdir_now(path)
    probes.record("isdir", path, found)
    return found


def best(lookups: list[Lookup]) -> Lookup:
    """The best of several candidate lookups: found, else a case mismatch, else what the first
    (the primary location) says."""
    for status in (Status.FOUND, Status.CASE):
        for item in lookups:
            if item.status == status:
                return item
    if not lookups:
        return Lookup(Status.UNKNOWN)
    if all(item.status == Status.OUTSIDE for item in lookups):
        return lookups[0]
    for item in lookups:
        if item.status == Status.MISSING:
            return item
    return lookups[0]


def resolve(site: Site, folder: str, path: str, bases: list[str] | None = None) -> Lookup:
    """Resolve a decoded path: relative against ``folder`` (then ``bases``), root-relative
    against the static roots (then ``bases``). UNKNOWN when there is nothing to resolve
    against."""
    lookups = []
    if path.startswith("/"):
        rel = path.lstrip("/")
        for root in site.static_roots:
            lookups.append(lookup(site.cache, root, rel, root))
    else:
        lookups.append(lookup(site.cache, folder, path, site.root))
    for extra in bases or ():
        rel = path.lstrip("/")
        boundary = extra if extra in site.static_roots else site.root
        lookups.append(lookup(site.cache, extra, rel, boundary))
    return best(lookups)


def corrected_path(raw_path: str, found: Lookup) -> str | None:
    """The written path with each name spelt as on disk, when the written form maps one to one
    onto path segments (no escapes); None otherwise."""
    if found.ambiguous or any(c in raw_path for c in "%\\&"):
        return None
    written = raw_path.split("/")
    if raw_path.startswith("/"):
        written = written[1:]
    if len(written) != len(found.segments):
        return None
    out = "/".join(found.segments)
    return "/" + out if raw_path.startswith("/") else out
