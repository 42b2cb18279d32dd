"""The registry: every rule talklint knows, from plugins and from rule packs.

Built-in rules register exactly as third-party ones do, through the ``talklint.rules``
entry-point group. An entry point may name a Rule class, an iterable of Rule classes, or a
module (all Rule classes defined in it are taken). Rule packs (YAML) come from the ``rules/``
folder shipped with talklint and from folders named in config (``rule-packs``).
"""

from __future__ import annotations

import functools
import inspect
import re
import sys
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Callable, TypeVar

from .declarative import PackError, load_pack
from .finding import Severity
from .rule import CODE_PATTERN, DOC_SECTIONS, NAME_PATTERN, Rule, iter_rule_classes

ENTRY_POINT_GROUP = "talklint.rules"
T = TypeVar("T")
FIXABLE_VALUES = ("never", "sometimes", "always")


class RegistryError(Exception):
    """Two rules with one code or name, or a plugin that does not load."""


@dataclass
class Registry:
    rules: dict[str, type[Rule]] = field(default_factory=dict)  # by code, sorted on demand
    # The ``talklint.rules`` entry points loaded (:func:`load_registry`), for the cache's key:
    # scanning the installed distributions again took a hundredth of a one-file run.
    entry_points: list | None = field(default=None, compare=False, repr=False)

    def add(self, rule: type[Rule]) -> None:
        where = _describe_rule(rule)
        if not CODE_PATTERN.match(str(getattr(rule, "code", ""))):
            raise RegistryError(f"{where}: bad rule code {getattr(rule, 'code', None)!r} "
                                "(want 1-4 capital letters and 3 digits, like 'TL201')")
        if not NAME_PATTERN.match(str(getattr(rule, "name", ""))):
            raise RegistryError(f"{where}: bad rule name {getattr(rule, 'name', None)!r} "
                                "(want kebab-case, like 'trailing-whitespace')")
        if getattr(rule, "fixable", None) not in FIXABLE_VALUES:
            raise RegistryError(f"{where}: bad 'fixable' {rule.fixable!r} "
                                f"(want one of {', '.join(FIXABLE_VALUES)})")
        if not isinstance(getattr(rule, "severity", None), Severity):
            raise RegistryError(f"{where}: bad 'severity' {rule.severity!r} (want a talklint.finding.Severity)")
        old = self.rules.get(rule.code)
        if old is not None and old is not rule:
            raise RegistryError(f"rule code {rule.code} is defined twice: by {_describe_rule(old)} "
                                f"and by {where}")
        clash = self.by_name(rule.name)
        if clash is not None and clash is not rule:
            raise RegistryError(f"rule name {rule.name!r} is used twice: by {_describe_rule(clash)} "
                                f"and by {where}")
        self.rules[rule.code] = rule

    def by_name(self, name: str) -> type[Rule] | None:
        for rule in self.rules.values():
            if rule.name == name:
                return rule
        return None

    def get(self, code_or_name: str) -> type[Rule] | None:
        return self.rules.get(code_or_name.upper()) or self.by_name(code_or_name.lower())

    def sorted(self) -> list[type[Rule]]:
        return [self.rules[c] for c in sorted(self.rules)]


def builtin_pack_dir() -> Path | None:
    """The ``rules/`` folder: inside the wheel as ``talklint/_packs``, in a checkout at its root."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "_packs", here.parent.parent / "rules"):
        if candidate.is_dir():
            return candidate
    return None


DATA_FOLDER = "data"  # phrase lists and other data that rules read themselves: not rule packs


def pack_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*")
                  if p.suffix in (".yaml", ".yml") and p.is_file()
                  and DATA_FOLDER not in p.relative_to(folder).parts[:-1])


def builtin_data_file(name: str) -> Path:
    """A data file shipped in ``rules/data/`` (e.g. the boilerplate phrase pack)."""
    folder = builtin_pack_dir()
    if folder is None:  # pragma: no cover - a broken installation
        raise FileNotFoundError("talklint's rules/ folder is missing")
    return folder / DATA_FOLDER / name


# -- the shipped files, validated once ----------------------------------------------------------

SHIPPED_FORMAT = 1
# Modules whose code shapes what every shipped file gives: the YAML loader, the finding and
# rule types, and this one.
_SHARED_CODE = ("yamlfile.py", "finding.py", "rule.py", "registry.py")


def load_shipped(path: Path, validate: Callable[[], T], code: tuple[str, ...] = (),
                 raw: bytes | None = None) -> T:
    """``validate()``: what a file shipped with talklint (a built-in rule pack, the kinds)
    holds, validated. Validating them (PyYAML, then pydantic, whose validators are built for
    it) took a tenth of a run of one file; so what ``validate()`` returns is kept, as Python
    keeps compiled modules, in ``__pycache__`` beside the file, and used again while the
    file's bytes, its path, the code that validates it (``code``: the files of the modules
    that do, besides the shared ones) and the versions of Python, pydantic and PyYAML are the
    same. Never written when Python writes no bytecode (``PYTHONDONTWRITEBYTECODE``); a kept
    file that cannot be read is validated again. ``validate()`` must return plain data, data
    classes, enums or pydantic models (see :class:`talklint.cache.DataUnpickler`). ``raw``: the
    file's bytes, when the caller has read them already (a large file is not read twice)."""
    try:
        if raw is None:
            raw = path.read_bytes()
        key = _shipped_key(path, raw, tuple(code))
    except OSError:
        return validate()
    kept = path.parent / "__pycache__" / f"{path.name}.pickle"
    found = _read_kept(kept, key)
    if found:
        return found[0]
    value = validate()
    if not sys.dont_write_bytecode:
        _write_kept(kept, key, value, path, raw)
    return value


def _shipped_key(path: Path, raw: bytes, code: tuple[str, ...]) -> str:
    import hashlib

    digest = hashlib.sha256(raw)  # twice as fast as blake2b here: the misspelling list is 2 MB
    digest.update(f"\0{path}\0{_code_stamp(code)}".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


@functools.lru_cache(maxsize=8)
def _code_stamp(code: tuple[str, ...]) -> str:
    import hashlib

    import pydantic
    import yaml

    here = Path(__file__).parent
    digest = hashlib.blake2b(digest_size=20)
    for name in (*(str(here / n) for n in _SHARED_CODE), *code):
        digest.update(Path(name).read_bytes() + b"\0")
    return f"{SHIPPED_FORMAT} {sys.version} {pydantic.VERSION} {yaml.__version__} {digest.hexdigest()}"


def _read_kept(kept: Path, key: str) -> tuple | None:
    """``(value,)`` from a kept file of this key; None when there is none, or it is damaged
    or of another key. Only data is unpickled (never a function): see DataUnpickler."""
    try:
        with open(kept, "rb") as fh:
            from .cache import DataUnpickler

            content = DataUnpickler(fh, frozenset()).load()
    except Exception:  # missing, unreadable, damaged: validate again
        return None
    if not (isinstance(content, tuple) and len(content) == 2 and content[0] == key):
        return None
    return (content[1],)


def _write_kept(kept: Path, key: str, value, path: Path, raw: bytes) -> None:
    import pickle

    from .atomic import write_atomically

    try:
        if path.read_bytes() != raw:  # changed while it was validated: keep nothing
            return
        kept.parent.mkdir(exist_ok=True)
        data = pickle.dumps((key, value), protocol=pickle.HIGHEST_PROTOCOL)
        write_atomically(kept, data, mode=(path.stat().st_mode & 0o777) | 0o200)  # as Python's .pyc files
    except Exception:  # a read-only installation: validate every run (a cache is never worth a crash)
        return


def _describe_rule(rule: type[Rule]) -> str:
    """``TL901 unreadable-file (talklint.checks.tool.UnreadableFile, from talklint)``."""
    label = " ".join(str(x) for x in (getattr(rule, "code", ""), getattr(rule, "name", "")) if x)
    defined = f"{rule.__module__}.{rule.__qualname__}"
    if getattr(rule, "definition", None) is not None:  # a rule-pack rule: the class is generated
        defined = ""
    where = ", ".join(x for x in (defined, f"from {getattr(rule, 'origin', '?')}") if x)
    return f"{label} ({where})" if label else where


def _dist_name(ep) -> str | None:
    """The name of the distribution providing ``ep``. Each read of ``Distribution.name``
    parses the distribution's METADATA file again, so it is read once per entry point; and not
    at all for talklint itself, which the name of its metadata folder already tells (parsing
    METADATA, with the e-mail parser it imports, took a hundredth of a one-file run)."""
    dist = getattr(ep, "dist", None)
    if dist is None:
        return None
    if getattr(dist, "_normalized_name", None) == "talklint":
        return "talklint"
    return dist.name


def _plugin_label(ep, dist_name: str | None) -> str:
    name = f"plugin {dist_name}" if dist_name is not None else f"plugin {ep.name!r}"
    return f"{name} (entry point {ep.name} = {ep.value})"


def _load_entry_point(ep, dist_name: str | None) -> list[type[Rule]]:
    label = _plugin_label(ep, dist_name)
    try:
        obj = ep.load()
    except Exception as exc:  # a broken plugin must not take talklint down with a traceback
        detail = f"{type(exc).__name__}: {exc}"
        raise RegistryError(f"{label} failed to load: {detail}") from None
    if inspect.ismodule(obj):
        # Classes defined in the module or its submodules, not those it merely imports.
        objs = [v for _, v in inspect.getmembers(obj, inspect.isclass)
                if v.__module__ == obj.__name__ or v.__module__.startswith(obj.__name__ + ".")]
    elif inspect.isclass(obj):
        objs = [obj]
    else:
        try:
            objs = list(obj)
        except TypeError:
            raise RegistryError(f"{label}: the entry point must name a Rule class, a list of Rule "
                                f"classes or a module, not {type(obj).__name__}") from None
    rules = list(iter_rule_classes(objs))
    if not rules:
        raise RegistryError(f"{label} provides no rules (no subclass of talklint.rule.Rule with a code)")
    for r in rules:
        if (dist_name is not None and _norm(dist_name) != "talklint" and "origin" not in vars(r)
                and r.__module__.split(".")[0] != "talklint"):
            r.origin = f"plugin {dist_name}"
    return rules


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _entry_points() -> list:
    """The ``talklint.rules`` entry points, talklint's own first, then by distribution name,
    so that which of two clashing rules is reported first does not depend on sys.path."""
    return [ep for ep, _ in _named_entry_points()]


def _named_entry_points() -> list[tuple]:
    """:func:`_entry_points`, each with the name of its distribution (or None)."""
    eps = [(ep, _dist_name(ep)) for ep in _group_entry_points(ENTRY_POINT_GROUP)]

    def key(item):
        ep, dist_name = item
        name = _norm(dist_name) if dist_name is not None else ""
        return (name != "talklint", name, ep.name)

    return sorted(eps, key=key)


def _group_entry_points(group: str) -> list:
    """``metadata.entry_points(group=group)``, parsing only the entry points of distributions
    whose ``entry_points.txt`` names the group: ``entry_points()`` parses and sorts those of
    every installed distribution, a good part of a one-file run. Distributions are told apart
    as ``entry_points()`` does (the first of a normalized name wins)."""
    seen: set[str] = set()
    found = []
    for dist in metadata.distributions():
        name = getattr(dist, "_normalized_name", None) or _norm(dist.name or "")
        if name in seen:
            continue
        seen.add(name)
        text = dist.read_text("entry_points.txt")
        if text and group in text:
            found += dist.entry_points.select(group=group)
    return found


def load_registry(extra_pack_dirs: list[Path] | tuple = ()) -> Registry:
    """Collect built-in rules, plugins and rule packs. Raises RegistryError or PackError."""
    reg = Registry()
    builtin_seen = False
    named = _named_entry_points()
    reg.entry_points = [ep for ep, _ in named]
    for ep, dist_name in named:
        if dist_name is not None and _norm(dist_name) == "talklint":
            builtin_seen = True
        for rule in _load_entry_point(ep, dist_name):
            reg.add(rule)
    if not builtin_seen:  # running from a source tree that was never installed
        from .checks import RULES

        for rule in RULES:
            reg.add(rule)
    builtin = builtin_pack_dir()
    folders = [d for d in [builtin] if d is not None] + [Path(d) for d in extra_pack_dirs]
    seen: set[Path] = set()
    for folder in folders:
        if not folder.is_dir():
            raise PackError(f"{folder}: rule-pack folder not found")
        for path in pack_files(folder):
            if path.resolve() in seen:  # the same folder named twice
                continue
            seen.add(path.resolve())
            for rule in load_pack(path, shipped=folder == builtin):
                reg.add(rule)
    return reg


def missing_doc_sections(rule: type[Rule]) -> list[str]:
    sections = rule.doc_sections()
    return [s for s in DOC_SECTIONS if not sections.get(s)]
