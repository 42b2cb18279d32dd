"""The engine: lint one Source, lint many paths with a pool of worker processes.

Per file: read bytes → Source → Document (parsed once) → every enabled rule → positions →
inline suppressions → per-file-ignores → sorted findings. Rules only read; the engine decides
what is reported.
"""

from __future__ import annotations

import os
import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator

from . import suppressions
from .config import Config, ConfigError, Settings
from .document import parse
from .finding import Finding, Severity
from .registry import Registry, load_registry
from .rule import Context, Rule
from .selection import PerFileIgnores, check_selectors, enabled_codes, matches_any
from .source import Source

if TYPE_CHECKING:
    from .fixer import FixPolicy

STDIN = "-"


@dataclass
class Overrides:
    """Command-line settings that take precedence over the config file."""

    select: list[str] | None = None
    extend_select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    force_exclude: bool | None = None


@dataclass
class FixMode:
    """What ``--fix``/``--diff`` asks for."""

    policy: "FixPolicy"
    write: bool = True  # False for --diff: compute, never write
    stdin_text: bool = False  # keep the fixed text to print it (stdin)


@dataclass
class FileResult:
    path: str
    findings: list[Finding]
    source: Source | None = None
    applied: list = field(default_factory=list)  # AppliedFix of the fixes that were applied
    diff: str = ""  # unified diff of the fix (--diff)
    fixed_text: str | None = None  # the fixed text, for stdin
    write_error: str | None = None  # why a fixed file was not written
    note: str | None = None  # something the user should know (not an error)


class Linter:
    """Everything needed to lint files under one configuration; built once per process."""

    def __init__(self, config: Config | None = None, overrides: Overrides | None = None,
                 registry: Registry | None = None):
        self.config = config or Config()
        self.overrides = overrides or Overrides()
        s: Settings = self.config.settings
        where = str(self.config.path) if self.config.path else "settings"
        pack_dirs = [self.config.root / p for p in s.rule_packs]
        self.registry = registry or load_registry(pack_dirs)
        for key, selectors in (("select", s.select or []), ("extend-select", s.extend_select),
                               ("ignore", s.ignore)):
            check_selectors(selectors, self.registry, f"{where}: key '{key}'")
        o = self.overrides
        for key, selectors in (("--select", o.select or []), ("--extend-select", o.extend_select),
                               ("--ignore", o.ignore)):
            check_selectors(selectors, self.registry, key)
        select = o.select if o.select is not None else s.select
        self.enabled = enabled_codes(self.registry, select, s.extend_select + o.extend_select,
                                     s.ignore + o.ignore)
        self.per_file_ignores = PerFileIgnores(s.per_file_ignores, self.config.root, self.registry, where)
        self.rules: list[Rule] = [self._instantiate(self.registry.rules[c], where)
                                  for c in sorted(self.enabled)]
        unknown = [k for k in s.rules if self.registry.get(k) is None]
        if unknown:
            raise ConfigError(f"{where}: key 'rules.{unknown[0]}': no rule has this code or name")

    def _instantiate(self, rule_cls: type[Rule], where: str) -> Rule:
        raw = {}
        for key, value in self.config.settings.rules.items():
            if key.upper() == rule_cls.code or key.lower() == rule_cls.name:
                raw.update(value)
        if not raw:
            return rule_cls()
        from pydantic import ValidationError

        from .config import describe_validation_error

        try:
            options = rule_cls.Options.model_validate(raw)
        except ValidationError as exc:
            raise ConfigError(describe_validation_error(exc, where, f"[rules.{rule_cls.name}]")) from None
        return rule_cls(options)

    def codes_for(self, selectors: list[str], key: str) -> set[str]:
        """Rule codes named by selectors in a config key (validated)."""
        from .selection import specificity

        where = f"{self.config.path or 'settings'}: key '{key}'"
        check_selectors(selectors, self.registry, where)
        return {r.code for r in self.registry.rules.values()
                if any(specificity(s, r) is not None for s in selectors)}

    # -- one file ---------------------------------------------------------------------------

    def resolve_code(self, token: str) -> str | None:
        rule = self.registry.get(token)
        return rule.code if rule else None

    def _tool_finding(self, code: str, message: str, start: int = 0, end: int = 0) -> Finding:
        rule = self.registry.rules[code]
        return Finding(code=code, name=rule.name, message=message, start=start, end=end,
                       severity=rule.severity)

    def lint_source(self, source: Source, path: str | None = None) -> list[Finding]:
        path = path or source.path
        if source.binary:
            found = [self._tool_finding("TL902", "Binary file (it contains NUL bytes): not checked")]
            return self._decide([f.with_position(source) for f in found], path, source, None)
        document = parse(source)
        ctx = Context(source=source, document=document, path=path, config=self.config)
        found: list[Finding] = []
        for rule in self.rules:
            if rule.code == "TL902":
                continue
            try:
                found.extend(rule.check(ctx))
            except Exception as exc:  # one rule's bug must not hide the others' findings
                detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
                if os.environ.get("TALKLINT_DEBUG"):
                    traceback.print_exc()
                found.append(self._tool_finding("TL903", f"Rule {rule.code} [{rule.name}] failed on this file: {detail}"))
        found = [f.with_position(source) for f in found]
        return self._decide(found, path, source, document)

    def _decide(self, found: list[Finding], path: str, source: Source, document) -> list[Finding]:
        if document is not None:
            directives, problems = suppressions.parse_directives(source, document, self.resolve_code)
            found, unused = suppressions.apply(found, directives, self.enabled)
            problems += unused
            for p in problems:
                found.append(self._tool_finding(p.code, p.message, p.start, p.end).with_position(source))
        ignored = self.per_file_ignores.selectors_for(path) if path != STDIN else []
        kept = []
        for f in found:
            if f.code not in self.enabled:
                continue
            if ignored and matches_any(f.code, f.name, ignored, self.registry):
                continue
            kept.append(f)
        kept.sort(key=lambda f: f.sort_key)
        return kept

    def lint_path(self, path: str, fix: FixMode | None = None) -> FileResult:
        try:
            raw = Path(path).read_bytes()
        except OSError as exc:
            reason = exc.strerror or str(exc)
            if Path(path).is_dir():
                reason = "Is a directory"
            finding = self._tool_finding("TL901", f"Cannot read file: {reason}")
            finding.path, finding.line, finding.column, finding.end_line, finding.end_column = path, 1, 1, 1, 1
            return FileResult(path, self._decide([finding], path, Source.from_text(path, ""), None))
        source = Source.from_bytes(path, raw)
        if fix is None or source.binary:
            return FileResult(path, self.lint_source(source, path), source)
        return self.fix_file(source, path, fix)

    def fix_file(self, source: Source, path: str, mode: FixMode) -> FileResult:
        """Fix one file: to a fixed point, then write it (or diff it, or keep the text)."""
        from .fixer import WriteError, encode, fix_source, write_atomically

        watch = _LastLinted(self)
        outcome = fix_source(watch, source, mode.policy, path)
        result = FileResult(path, outcome.findings, source)
        if not outcome.changed:
            if mode.stdin_text:
                result.fixed_text = source.text
            return result
        # Whether bytes survive is read from the fixer's last Source, not from TL101 findings,
        # which --ignore, a suppression or TL105 (a whole-file encoding) can remove.
        surviving = watch.last.invalid_bytes if watch.last is not None else source.invalid_bytes
        if source.invalid_bytes and (not mode.policy.unsafe or surviving):
            # Writing would turn the undecodable bytes into U+FFFD for good.
            result.findings = self.lint_source(source, path)
            result.note = "not valid UTF-8: not rewritten (only an unsafe repair that makes it valid may be)"
            if mode.stdin_text:
                result.fixed_text = source.text
            return result
        result.applied = outcome.applied
        if mode.stdin_text:
            result.fixed_text = outcome.text
        elif not mode.write:
            result.diff = unified_diff(path, source.text, outcome.text)
        else:
            try:
                write_atomically(path, source.raw, encode(source, outcome.text))
            except WriteError as exc:
                result.write_error = str(exc)
                result.applied = []
                result.findings = self.lint_source(source, path)
        return result

    def lint_text(self, text: str, path: str = STDIN) -> list[Finding]:
        return self.lint_source(Source.from_text(path, text), path)

    def lint_bytes(self, raw: bytes, path: str = STDIN, fix: FixMode | None = None) -> FileResult:
        source = Source.from_bytes(path, raw)
        if fix is None or source.binary:
            return FileResult(path, self.lint_source(source, path), source)
        return self.fix_file(source, path, fix)


class _LastLinted:
    """The linter as the fixer sees it, remembering the last Source it linted: the fixer's final
    text, with the invalid bytes that no fix replaced (``fixer._surviving_invalid``)."""

    def __init__(self, linter: Linter):
        self.linter = linter
        self.registry = linter.registry
        self.last: Source | None = None

    def lint_source(self, source: Source, path: str | None = None) -> list[Finding]:
        self.last = source
        return self.linter.lint_source(source, path)


def unified_diff(path: str, before: str, after: str) -> str:
    import difflib

    from .source import split_lines

    lines = difflib.unified_diff(split_lines(before), split_lines(after),
                                 fromfile=f"a/{path}", tofile=f"b/{path}")
    out = []
    for line in lines:
        out.append(line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n")
    return "".join(out)


# -- many files -------------------------------------------------------------------------------

_worker_linter: Linter | None = None


_worker_fix: FixMode | None = None


def _init_worker(config: Config, overrides: Overrides, fix: FixMode | None) -> None:
    global _worker_linter, _worker_fix
    _worker_linter = Linter(config, overrides)
    _worker_fix = fix


def _lint_in_worker(path: str) -> FileResult:
    assert _worker_linter is not None
    result = _worker_linter.lint_path(path, _worker_fix)
    result.source = None  # do not ship the text back to the parent
    return result


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def lint_paths(linter: Linter, paths: Iterable[str], jobs: int | None = None,
               fix: FixMode | None = None) -> Iterator[FileResult]:
    """Lint (and fix) files, yielding results in the order of ``paths`` as each is ready."""
    paths = list(paths)
    jobs = jobs or default_jobs()
    if jobs <= 1 or len(paths) < 8:
        for p in paths:
            result = linter.lint_path(p, fix)
            result.source = None
            yield result
        return
    import concurrent.futures
    import multiprocessing

    ctx = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
    chunk = max(1, min(64, len(paths) // (jobs * 8) or 1))
    with concurrent.futures.ProcessPoolExecutor(
        max_workers=jobs, mp_context=ctx, initializer=_init_worker,
        initargs=(linter.config, linter.overrides, fix),
    ) as pool:
        yield from pool.map(_lint_in_worker, paths, chunksize=chunk)
