"""Which rules run where: select / extend-select / ignore and per-file-ignores.

A selector is ``ALL``, a rule code (``TL201``), a code prefix (``TL2``, ``TL``) or a rule name
(``trailing-whitespace``). When several selectors match one rule, the most specific wins
(a full code or name beats a longer prefix, which beats a shorter one); on a tie, ignore wins.
Rules that are off by default (heuristics, style) are enabled only by their full code or name,
never by a prefix or ``ALL``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .config import ConfigError
from .registry import Registry

if TYPE_CHECKING:
    import pathspec

EXACT = 1000  # specificity of a full code or name


def specificity(selector: str, rule) -> int | None:
    """How specifically ``selector`` names ``rule``; None when it does not match."""
    if selector == "ALL":
        return 0
    if selector.lower() == rule.name or selector.upper() == rule.code:
        return EXACT
    upper = selector.upper()
    if rule.code.startswith(upper) and upper[:1].isalpha():
        return len(upper)
    return None


def check_selectors(selectors: list[str], registry: Registry, where: str) -> None:
    for sel in selectors:
        if not any(specificity(sel, r) is not None for r in registry.rules.values()):
            raise ConfigError(f"{where}: unknown rule selector '{sel}'")


def enabled_codes(registry: Registry, select: list[str] | None, extend_select: list[str],
                  ignore: list[str]) -> set[str]:
    enabled = set()
    for rule in registry.rules.values():
        best_on = -1 if select is None and rule.default_enabled else None
        for sel in (select or []) + extend_select:
            s = specificity(sel, rule)
            if s is None or (s < EXACT and not rule.default_enabled):
                continue
            best_on = s if best_on is None else max(best_on, s)
        best_off = None
        for sel in ignore:
            s = specificity(sel, rule)
            if s is not None:
                best_off = s if best_off is None else max(best_off, s)
        if best_on is not None and (best_off is None or best_on > best_off):
            enabled.add(rule.code)
    return enabled


def matches_any(code: str, name: str, selectors: list[str], registry: Registry) -> bool:
    rule = registry.rules.get(code)
    if rule is None:
        return any(sel == "ALL" or code.startswith(sel.upper()) for sel in selectors)
    return any(specificity(sel, rule) is not None for sel in selectors)


class PerFileIgnores:
    """``per-file-ignores``: gitignore-style globs, relative to the config file's folder."""

    def __init__(self, table: dict[str, list[str]], root: Path, registry: Registry, where: str):
        self.root = root
        self.entries = []
        for glob, selectors in table.items():
            check_selectors(selectors, registry, f"{where}: per-file-ignores '{glob}'")
            self.entries.append((_glob_spec(glob), selectors))

    def selectors_for(self, path: str) -> list[str]:
        if not self.entries:  # resolving the path costs a system call per folder in it
            return []
        rel = relative_posix(path, self.root)
        out: list[str] = []
        for spec, selectors in self.entries:
            if spec.match_file(rel):
                out.extend(selectors)
        return out


def relative_posix(path: str, root: Path) -> str:
    try:
        return Path(path).resolve().relative_to(root.resolve()).as_posix()
    except (ValueError, OSError):
        return Path(path).as_posix()


def _glob_spec(glob: str) -> "pathspec.PathSpec":
    import pathspec  # only configurations with globs need it

    return pathspec.GitIgnoreSpec.from_lines([glob])
