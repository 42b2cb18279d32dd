"""The engine: lint one Source, lint many paths with a pool of worker processes.

Per file: read bytes → Source → Document (parsed once) → every enabled rule → positions →
inline suppressions → per-file-ignores → sorted findings. Rules only read; the engine decides
what is reported.

After all files, the cross-file pass (:class:`ProjectPass`) hands what the cross-file rules
collected from each file to their ``finish`` and decides on their findings the same way
(see :mod:`talklint.project`).

With a content cache (:mod:`talklint.cache`), :func:`lint_paths` answers unchanged files from
it in the parent process and sends only the others to the workers.
"""

from __future__ import annotations

import collections
import gc
import os
import pickle
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator

from . import probes, suppressions
from .config import Config, ConfigError, Settings
from .document import parse
from .finding import Finding, Severity
from .project import Collected, FileSummary, ProjectRule, Site, finding_at
from .registry import Registry, load_registry
from .rule import Context, Rule
from .selection import PerFileIgnores, check_selectors, enabled_codes, matches_any
from .source import Source

if TYPE_CHECKING:
    from .cache import ContentCache
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
    summary: FileSummary | None = None  # what the cross-file rules collected (project runs)
    late: bool = False  # cross-file findings, reported after every file
    # For the content cache: the file's stat taken before reading it, when, its content hash,
    # and what the analysis read besides the file (:mod:`talklint.probes`).
    stamp: tuple | None = None
    checked_ns: int = 0
    digest: str | None = None
    probes: list = field(default_factory=list)


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
        self.project_rules = [r for r in self.rules if isinstance(r, ProjectRule)]
        self.project_codes = frozenset(r.code for r in self.project_rules)
        # The rules that read a file's text (TL902 reports binary files, which are not read).
        self.checked = [r for r in self.rules if r.code != "TL902"]
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
        return self.analyse(source, path)[0]

    def analyse(self, source: Source, path: str | None = None,
                project: bool = False) -> tuple[list[Finding], FileSummary | None]:
        """Findings of one file and, in a project run, what the cross-file rules collected.

        In a project run a suppression that names no rule is judged unused only after the
        cross-file pass, which may still use it; otherwise the findings do not depend on it."""
        with _PausedCollector():
            return self._analyse(source, path, project)

    def _analyse(self, source: Source, path: str | None,
                 project: bool) -> tuple[list[Finding], FileSummary | None]:
        path = path or source.path
        project = project and bool(self.project_rules)
        if source.binary:
            found = [self._tool_finding("TL902", "Binary file (it contains NUL bytes): not checked")]
            return self._decide([f.with_position(source) for f in found], path, source, None)[0], None
        document = parse(source)
        ctx = Context(source=source, document=document, path=path, config=self.config)
        found: list[Finding] = []
        data: dict = {}
        run = self._run
        for rule in self.checked:
            found += run(rule, rule.check, ctx, "failed on this file")
            if project and rule.code in self.project_codes:
                data[rule.code] = self._collect(rule, ctx, found)
        if found:
            found = [f.with_position(source) for f in found]
        kept, directives = self._decide(found, path, source, document, project)
        if not project:
            return kept, None
        return kept, FileSummary(path, data, self._cross_file_directives(directives, source))

    def _run(self, rule: Rule, method, ctx: Context, failed: str) -> list[Finding]:
        try:
            return list(method(ctx))
        except Exception as exc:  # one rule's bug must not hide the others' findings
            return [self._failure(rule, exc, failed)]

    def _collect(self, rule: ProjectRule, ctx: Context, found: list[Finding]):
        try:
            return rule.collect(ctx)
        except Exception as exc:
            found.append(self._failure(rule, exc, "failed collecting from this file"))
            return None

    def _failure(self, rule: Rule, exc: Exception, failed: str) -> Finding:
        detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        if os.environ.get("TALKLINT_DEBUG"):
            traceback.print_exc()
        return self._tool_finding("TL903", f"Rule {rule.code} [{rule.name}] {failed}: {detail}")

    def _cross_file_directives(self, directives, source: Source) -> list:
        return [(d, Site.of(source, d.start, d.end)) for d in directives
                if d.codes is None or self.project_codes.intersection(d.codes)]

    def _decide(self, found: list[Finding], path: str, source: Source, document,
                project: bool = False) -> tuple[list[Finding], list]:
        directives = []
        if document is not None:
            directives, problems = suppressions.parse_directives(source, document, self.resolve_code)
            found, unused = suppressions.apply(found, directives, self.enabled,
                                               deferred=self.project_codes, defer_bare=project)
            problems += unused
            for p in problems:
                found.append(self._tool_finding(p.code, p.message, p.start, p.end).with_position(source))
        return self.reported(found, path), directives

    def reported(self, found: list[Finding], path: str) -> list[Finding]:
        """The findings that select/ignore and per-file-ignores let through, sorted."""
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

    def lint_path(self, path: str, fix: FixMode | None = None, project: bool = False,
                  for_cache: bool = False) -> FileResult:
        """Lint (and fix) one file; in a project run, also collect for the cross-file rules.

        ``for_cache``: also return what the content cache keeps (plain lint only)."""
        try:
            checked_ns = time.time_ns()
            st = os.stat(path)  # before reading: a later change shows as a new stamp
            raw = Path(path).read_bytes()
        except OSError as exc:
            reason = exc.strerror or str(exc)
            if Path(path).is_dir():
                reason = "Is a directory"
            finding = self._tool_finding("TL901", f"Cannot read file: {reason}")
            finding.path, finding.line, finding.column, finding.end_line, finding.end_column = path, 1, 1, 1, 1
            return FileResult(path, self._decide([finding], path, Source.from_text(path, ""), None)[0])
        source = Source.from_bytes(path, raw)
        if fix is None or source.binary:
            if not for_cache:
                findings, summary = self.analyse(source, path, project)
                return FileResult(path, findings, source, summary=summary)
            from .cache import content_digest, file_stamp  # not imported by runs without a cache

            with probes.recording() as read:
                findings, summary = self.analyse(source, path, project)
            return FileResult(path, findings, source, summary=summary, stamp=file_stamp(st),
                              checked_ns=checked_ns, digest=content_digest(raw), probes=read)
        return self.fix_file(source, path, fix, project)

    def fix_file(self, source: Source, path: str, mode: FixMode, project: bool = False) -> FileResult:
        """Fix one file: to a fixed point, then write it (or diff it, or keep the text).

        The cross-file summary describes the text the file holds afterwards, so cross-file
        findings point into the fixed file."""
        from .fixer import WriteError, encode, fix_source, write_atomically

        watch = _LastLinted(self, project)
        outcome = fix_source(watch, source, mode.policy, path)
        result = FileResult(path, outcome.findings, source, summary=watch.summary)
        if not outcome.changed:
            if mode.stdin_text:
                result.fixed_text = source.text
            return result
        # Whether bytes survive is read from the fixer's last Source, not from TL101 findings,
        # which --ignore, a suppression or TL105 (a whole-file encoding) can remove.
        surviving = watch.last.invalid_bytes if watch.last is not None else source.invalid_bytes
        if source.invalid_bytes and (not mode.policy.unsafe or surviving):
            # Writing would turn the undecodable bytes into U+FFFD for good.
            result.findings, result.summary = self.analyse(source, path, project)
            result.note = "not valid UTF-8: not rewritten (only an unsafe repair that makes it valid may be)"
            if mode.stdin_text:
                result.fixed_text = source.text
            return result
        result.applied = outcome.applied
        if mode.stdin_text:
            result.fixed_text = outcome.text
        elif not mode.write:
            result.diff = unified_diff(path, source.text, outcome.text)
            result.summary = None  # nothing was written: the fixed text is nobody's content
        else:
            try:
                write_atomically(path, source.raw, encode(source, outcome.text))
            except WriteError as exc:
                result.write_error = str(exc)
                result.applied = []
                result.findings, result.summary = self.analyse(source, path, project)
        return result

    def lint_text(self, text: str, path: str = STDIN) -> list[Finding]:
        return self.lint_source(Source.from_text(path, text), path)

    def lint_bytes(self, raw: bytes, path: str = STDIN, fix: FixMode | None = None) -> FileResult:
        source = Source.from_bytes(path, raw)
        if fix is None or source.binary:
            return FileResult(path, self.lint_source(source, path), source)
        return self.fix_file(source, path, fix)


class _LastLinted:
    """The linter as the fixer sees it, remembering the last Source it linted (the fixer's final
    text, with the invalid bytes that no fix replaced: ``fixer._surviving_invalid``) and what
    the cross-file rules collected from it."""

    def __init__(self, linter: Linter, project: bool = False):
        self.linter = linter
        self.registry = linter.registry
        self.project = project
        self.last: Source | None = None
        self.summary: FileSummary | None = None

    def lint_source(self, source: Source, path: str | None = None) -> list[Finding]:
        self.last = source
        findings, self.summary = self.linter.analyse(source, path, self.project)
        return findings


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

@dataclass
class _Job:
    """What every worker needs besides its share of the paths."""

    fix: FixMode | None
    project: bool
    for_cache: bool


_worker_linter: Linter | None = None
_worker_job: _Job | None = None


def _init_worker(linter: Linter | None, config: Config, overrides: Overrides, job: _Job) -> None:
    """A forked worker inherits the parent's linter (rules built, data loaded); a spawned one
    builds its own."""
    global _worker_linter, _worker_job
    _worker_linter = linter or Linter(config, overrides)
    _worker_job = job


def _lint_chunk(paths: list[str]) -> list[FileResult]:
    assert _worker_linter is not None and _worker_job is not None
    results = [_lint_one(_worker_linter, p, _worker_job) for p in paths]
    if not _worker_job.for_cache:  # the cache keeps summaries as objects: it reads no pickles
        for result in results:
            if result.summary is not None:
                result.summary = result.summary.packed()
    return results


def _lint_one(linter: Linter, path: str, job: _Job) -> FileResult:
    result = linter.lint_path(path, job.fix, job.project, job.for_cache)
    result.source = None  # do not ship the text back to the parent
    return result


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def lint_paths(linter: Linter, paths: Iterable[str], jobs: int | None = None,
               fix: FixMode | None = None, project: bool = False,
               cache: "ContentCache | None" = None) -> Iterator[FileResult]:
    """Lint (and fix) files, yielding results in the order of ``paths`` as each is ready.

    With ``project``, each result carries what the cross-file rules collected from its file
    (feed the results to a :class:`ProjectPass`). With ``cache``, unchanged files are answered
    from it and what plain lints find is stored in it (the caller saves it)."""
    paths = list(paths)
    hits = [_from_cache(cache, p, fix) for p in paths] if cache is not None else [None] * len(paths)
    job = _Job(fix, project, for_cache=cache is not None and fix is None)
    fresh = _lint_many(linter, [p for p, hit in zip(paths, hits) if hit is None], jobs or default_jobs(), job)
    for hit in hits:
        if hit is not None:
            yield hit
            continue
        result = next(fresh)
        if job.for_cache:
            cache.store(result)  # type: ignore[union-attr]
        yield result


def _from_cache(cache: "ContentCache", path: str, fix: FixMode | None) -> FileResult | None:
    """The cached result of ``path``, if it can be reused. A file that --fix would rewrite is
    linted again: its fixes must be computed from its text."""
    entry = cache.lookup(path)
    if entry is None or (fix is not None and any(fix.policy.applies(f) for f in entry.findings)):
        return None
    return FileResult(path, entry.findings, summary=entry.summary, digest=entry.digest,
                      probes=list(entry.probes))


def _lint_many(linter: Linter, paths: list[str], jobs: int, job: _Job) -> Iterator[FileResult]:
    """Results in the order of ``paths``; workers take chunks of paths, and at most a few
    chunks per worker are in flight, so memory stays bounded whatever the number of files."""
    if jobs <= 1 or len(paths) < 8:
        for p in paths:
            yield _lint_one(linter, p, job)
        return
    import concurrent.futures
    import multiprocessing

    fork = sys.platform.startswith("linux")
    ctx = multiprocessing.get_context("fork" if fork else "spawn")
    early = _warm_up(linter, paths, job) if fork else {}
    rest = [p for i, p in enumerate(paths) if i not in early]
    chunks = _chunks(rest, jobs)
    results: Iterator[FileResult] = iter(())
    if chunks:
        pool = concurrent.futures.ProcessPoolExecutor(
            max_workers=jobs, mp_context=ctx, initializer=_init_worker,
            initargs=(linter if fork else None, linter.config, linter.overrides, job))
        results = _in_order(pool, chunks, jobs * 4)
    with _Frozen(fork):
        for i in range(len(paths)):
            yield early.pop(i) if i in early else next(results)


# Files the parent lints before it forks: enough, spread over the run, to build what rules make
# on first use (compiled patterns, the mojibake tables: about 0.4 s), which each worker would
# otherwise build again for itself.
WARM_UP_FILES = 16


def _warm_up(linter: Linter, paths: list[str], job: _Job) -> dict[int, FileResult]:
    """Lint a few files, spread over ``paths``, in this process, so that the workers inherit
    what they built. The results are reported in their place, as if a worker had linted them."""
    count = min(WARM_UP_FILES, len(paths) // 8)
    stride = max(1, len(paths) // max(1, count))
    return {i: _lint_one(linter, paths[i], job) for i in range(0, len(paths), stride)[:count]}


class _PausedCollector:
    """The cycle collector waits while one file is linted. The parse tree and nearly all that
    rules build from it hold no reference cycles and go as the file is done, so collections in
    the middle of a file walked objects about to go, again and again (a tenth of a run's CPU).
    Between files the collector runs as usual, on what the run keeps and the rare cycles left.
    A collector turned off by the caller stays off."""

    def __enter__(self) -> "_PausedCollector":
        self.paused = gc.isenabled()
        if self.paused:
            gc.disable()
        return self

    def __exit__(self, *exc) -> None:
        if self.paused:
            gc.enable()


class _Frozen:
    """Everything alive when the workers fork is frozen (``gc.freeze``): a collection in a
    worker would otherwise write to every page of it, copying memory the worker only reads.
    What this run froze is unfrozen when it ends, unless the caller had frozen objects itself
    (the command line freezes what start-up built, for good)."""

    def __init__(self, active: bool) -> None:
        self.ours = active and gc.get_freeze_count() == 0
        if active:
            gc.freeze()

    def __enter__(self) -> "_Frozen":
        return self

    def __exit__(self, *exc) -> None:
        if self.ours:
            gc.unfreeze()


def _chunks(paths: list[str], jobs: int) -> list[list[str]]:
    """``paths`` cut into chunks for the workers: large enough that sending them costs little,
    and smaller towards the end, so that the workers finish at about the same time rather than
    one waiting for another's last large chunk."""
    size = max(1, min(32, len(paths) // (jobs * 8) or 1))
    small = max(1, size // 4)
    tail = min(len(paths), jobs * 2 * size)  # the last files, in small chunks
    bulk = len(paths) - tail
    return ([paths[i:min(i + size, bulk)] for i in range(0, bulk, size)]
            + [paths[i:i + small] for i in range(bulk, len(paths), small)])


def _in_order(pool, chunks: list[list[str]], ahead: int) -> Iterator[FileResult]:
    """The results of ``chunks`` in order, with at most ``ahead`` chunks in flight, so memory
    stays bounded whatever the number of files."""
    with pool:
        pending: collections.deque = collections.deque()
        for chunk in chunks:
            pending.append(pool.submit(_lint_chunk, chunk))
            if len(pending) >= ahead:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()


# -- the cross-file pass -----------------------------------------------------------------------

class ProjectPass:
    """Gathers what the cross-file rules collected from each file, then runs their ``finish``.

    Feed it every :class:`FileResult` of a project run as it is reported (:meth:`add`); then
    :meth:`finish` gives the cross-file findings per file, sorted by path, and the problems of
    suppressions that only the cross-file pass can judge. ``errors`` lists the rules that
    crashed in ``finish`` (a bug: the run exits 2)."""

    def __init__(self, linter: Linter):
        self.linter = linter
        # Each rule's share of a summary is kept pickled until that rule's turn: a few hundred
        # bytes a file instead of dozens of objects, which a run over 100,000 files holds at once.
        self.summaries: dict[str, FileSummary] = {}
        self.reported: set[str] = set()  # files whose per-file findings were reported already
        self.errors: list[str] = []

    def add(self, result: FileResult) -> None:
        if result.summary is not None:
            self.summaries[result.path] = result.summary.packed()
        if result.findings:
            self.reported.add(result.path)

    def finish(self) -> list[FileResult]:
        found: dict[str, list[Finding]] = {}
        for rule in self.linter.project_rules:
            for f in self._finish(rule):
                found.setdefault(f.path, []).append(f)
        results = []
        for path in sorted(set(found) | self._with_deferred_directives()):
            findings = self._decide(path, found.get(path, []))
            if findings:
                results.append(FileResult(path, findings, late=True))
        return results

    def _finish(self, rule: ProjectRule) -> list[Finding]:
        # Unpickled here, and dropped as the rule is done with them (it runs once).
        pages = [Collected(path, pickle.loads(s.data.pop(rule.code))) for path, s in self.summaries.items()
                 if rule.code in s.data]
        try:
            findings = list(rule.finish(pages))
        except Exception as exc:
            detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
            if os.environ.get("TALKLINT_DEBUG"):
                traceback.print_exc()
            self.errors.append(f"rule {rule.code} [{rule.name}] failed in the cross-file pass: {detail}")
            return []
        stray = [f for f in findings if f.path not in self.summaries]
        if stray:
            self.errors.append(f"rule {rule.code} [{rule.name}] reported on {stray[0].path!r}, "
                               "which is not among the checked files")
        return [f for f in findings if f.path in self.summaries]

    def _with_deferred_directives(self) -> set[str]:
        return {path for path, s in self.summaries.items()
                if any(d.codes is None and d.kind != "enable" for d, _ in s.directives)}

    def _decide(self, path: str, findings: list[Finding]) -> list[Finding]:
        summary = self.summaries[path]
        kept = suppressions.suppress(findings, [d for d, _ in summary.directives])
        for d, site in summary.directives:
            problem = suppressions.unused_bare(d)
            if problem is not None:
                rule = self.linter.registry.rules[problem.code]
                kept.append(finding_at(rule, problem.message, path, site))
        return self.linter.reported(kept, path)
