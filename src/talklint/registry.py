"""The registry: every rule talklint knows, from plugins and from rule packs.

Built-in rules register exactly as third-party ones do, through the ``talklint.rules``
entry-point group. An entry point may name a Rule class, an iterable of Rule classes, or a
module (all Rule classes defined in it are taken). Rule packs (YAML) come from the ``rules/``
folder shipped with talklint and from folders named in config (``rule-packs``).
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from .declarative import PackError, load_pack
from .rule import CODE_PATTERN, DOC_SECTIONS, NAME_PATTERN, Rule, iter_rule_classes

ENTRY_POINT_GROUP = "talklint.rules"


class RegistryError(Exception):
    """Two rules with one code or name, or a plugin that does not load."""


@dataclass
class Registry:
    rules: dict[str, type[Rule]] = field(default_factory=dict)  # by code, sorted on demand

    def add(self, rule: type[Rule]) -> None:
        if not CODE_PATTERN.match(getattr(rule, "code", "")):
            raise RegistryError(f"{rule.__module__}.{rule.__name__}: bad rule code {getattr(rule, 'code', None)!r}")
        if not NAME_PATTERN.match(getattr(rule, "name", "")):
            raise RegistryError(f"{rule.code}: bad rule name {getattr(rule, 'name', None)!r}")
        old = self.rules.get(rule.code)
        if old is not None and old is not rule:
            raise RegistryError(f"rule code {rule.code} is defined twice: by {old.origin} and by {rule.origin}")
        clash = self.by_name(rule.name)
        if clash is not None and clash is not rule:
            raise RegistryError(f"rule name {rule.name!r} is used by {clash.code} and {rule.code}")
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


def pack_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())


def _load_entry_point(ep) -> list[type[Rule]]:
    try:
        obj = ep.load()
    except Exception as exc:  # a broken plugin must not take talklint down with a traceback
        raise RegistryError(f"plugin {ep.name!r} ({ep.value}) failed to load: {exc}") from None
    if inspect.ismodule(obj):
        objs = [v for _, v in inspect.getmembers(obj)]
    elif inspect.isclass(obj):
        objs = [obj]
    else:
        objs = list(obj)
    rules = list(iter_rule_classes(objs))
    dist = getattr(ep, "dist", None)
    for r in rules:
        if dist is not None and dist.name != "talklint" and r.origin == "talklint":
            r.origin = f"plugin {dist.name}"
    return rules


def load_registry(extra_pack_dirs: list[Path] | tuple = ()) -> Registry:
    """Collect built-in rules, plugins and rule packs. Raises RegistryError or PackError."""
    reg = Registry()
    for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
        for rule in _load_entry_point(ep):
            reg.add(rule)
    if not reg.rules:  # running from a source tree that was never installed
        from .checks import RULES

        for rule in RULES:
            reg.add(rule)
    folders = [d for d in [builtin_pack_dir()] if d is not None] + [Path(d) for d in extra_pack_dirs]
    for folder in folders:
        if not folder.is_dir():
            raise PackError(f"{folder}: rule-pack folder not found")
        for path in pack_files(folder):
            for rule in load_pack(path):
                reg.add(rule)
    return reg


def missing_doc_sections(rule: type[Rule]) -> list[str]:
    sections = rule.doc_sections()
    return [s for s in DOC_SECTIONS if not sections.get(s)]
