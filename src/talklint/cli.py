"""The command line: ``talklint check``, ``talklint rules``, ``talklint explain``.

Exit codes: 0 no findings, 1 findings, 2 usage, configuration or internal error. click's own
default of 1 for its exceptions is mapped to 2 in :func:`main`.
"""

from __future__ import annotations

import gc
import os
import sys
import time

import click

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _split(values: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    for v in values:
        out.extend(x.strip() for x in v.split(",") if x.strip())
    return out


class ToolError(click.ClickException):
    exit_code = EXIT_ERROR

    def show(self, file=None) -> None:
        click.echo(f"talklint: error: {self.format_message()}", err=True)


class _Group(click.Group):
    """The command group. ``check-dataset`` is imported when it is run or listed: a plain
    ``talklint check`` (pre-commit) should not pay for it."""

    lazy = {"check-dataset": ("talklint.dataset.command", "check_dataset")}

    def list_commands(self, ctx) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx, name: str):
        if name in self.lazy and name not in self.commands:
            import importlib

            module, attr = self.lazy[name]
            self.add_command(getattr(importlib.import_module(module), attr), name)
        return super().get_command(ctx, name)

    def resolve_command(self, ctx, args):
        # An unknown name: load every command first, so that the error suggests close ones.
        if args and self.get_command(ctx, click.utils.make_str(args[0])) is None:
            for name in self.lazy:
                self.get_command(ctx, name)
        return super().resolve_command(ctx, args)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="talklint", prog_name="talklint")
def cli() -> None:
    """talklint: a data-quality linter for conference talk and event pages."""


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--select", multiple=True, metavar="RULES", help="Only these rules (codes, prefixes, names, ALL); comma-separated.")
@click.option("--extend-select", multiple=True, metavar="RULES", help="Rules to enable on top of the selection.")
@click.option("--ignore", multiple=True, metavar="RULES", help="Rules to disable.")
@click.option("--exclude", multiple=True, metavar="PATTERN", help="Extra paths to exclude (gitignore syntax).")
@click.option("--force-exclude/--no-force-exclude", default=None, help="Apply excludes to files named on the command line.")
@click.option("--output-format", type=click.Choice(["text", "json", "json-lines", "github", "sarif", "gitlab", "junit"]),
              default="text", show_default=True, help="How findings are printed (see the README).")
@click.option("-o", "--output-file", type=click.Path(dir_okay=False, writable=True), help="Write the report to this file.")
@click.option("--stdin-filename", metavar="PATH", help="The path to report (and to match config against) for text read from stdin.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="Use this talklint.toml or pyproject.toml.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="Worker processes (default: all cores).")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("-q", "--quiet", is_flag=True, help="Print findings only: no source excerpts, no summary.")
@click.option("--statistics", is_flag=True, help="Count findings per rule.")
@click.option("--color/--no-color", default=None, help="Colour the text output (default: when writing to a terminal).")
@click.option("--progress/--no-progress", default=None, help="Show progress on a terminal (default: on for many files, never in CI).")
@click.option("--fix", is_flag=True, help="Apply safe fixes, then report what remains.")
@click.option("--unsafe-fixes", is_flag=True, help="Also apply unsafe fixes with --fix (without --fix: show them as available).")
@click.option("--diff", is_flag=True, help="Print a unified diff of what --fix would change; write nothing.")
@click.option("--show-fixes", is_flag=True, help="List the fixes applied, per file.")
@click.option("--exit-non-zero-on-fix", is_flag=True, help="With --fix: exit 1 when anything was fixed, even if nothing remains.")
@click.option("--diff-base", metavar="REF", help="Only check files changed since this git ref (and uncommitted or untracked ones).")
@click.option("--check-links/--no-check-links", default=None,
              help="Request every http(s) link and report broken ones (default: setting `check-links`, off).")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the content cache.")
@click.option("--cache-dir", metavar="PATH", help="Folder of the content cache (default: setting `cache-dir`, "
              "else .talklint_cache beside the config file or in the current folder).")
def check(paths, select, extend_select, ignore, exclude, force_exclude, output_format, output_file,
          stdin_filename, config_file, jobs, exit_zero, quiet, statistics, color, progress,
          fix, unsafe_fixes, diff, show_fixes, exit_non_zero_on_fix, diff_base, check_links,
          no_cache, cache_dir) -> None:
    """Check markdown talk and event pages (folders are walked; `-` reads stdin)."""
    start_ns = time.time_ns()  # before anything is read: a run record vouches for what is older
    paths = list(paths) or ["."]
    # A plain run with the cache may be answered by replaying an identical earlier run.
    record = None
    if not (fix or diff or diff_base or no_cache or check_links or "-" in paths or output_format == "sarif"):
        record = _Record.find(paths, config_file, cache_dir, start_ns, {
            "paths": paths, "select": select, "extend-select": extend_select, "ignore": ignore,
            "exclude": exclude, "force-exclude": force_exclude, "config": config_file,
            "check-links": check_links, "unsafe-fixes": unsafe_fixes})
        if record is not None and record.replay is not None:
            _print_replay(record.replay, output_format, output_file, color, quiet, statistics, unsafe_fixes,
                          exit_zero)
    from .config import ConfigError, discover
    from .declarative import PackError
    from .engine import FixMode, Linter, Overrides, ProjectPass
    from .files import FileSelector
    from .fixer import FixPolicy
    from .registry import RegistryError
    from .report import Summary

    config_paths = [stdin_filename] if stdin_filename and paths == ["-"] else paths
    try:
        config = discover(config_paths, config_file)
        if check_links is not None:
            config.settings.check_links = check_links
        overrides = Overrides(
            select=_split(select) or None, extend_select=_split(extend_select), ignore=_split(ignore),
            exclude=_split(exclude), force_exclude=force_exclude,
        )
        linter = Linter(config, overrides)
        policy = FixPolicy(
            unsafe=unsafe_fixes,
            extend_safe=linter.codes_for(config.settings.extend_safe_fixes, "extend-safe-fixes"),
            extend_unsafe=linter.codes_for(config.settings.extend_unsafe_fixes, "extend-unsafe-fixes"),
        )
    except (ConfigError, PackError, RegistryError) as exc:
        raise ToolError(str(exc)) from None
    if fix and diff:
        raise click.UsageError("--fix and --diff cannot be combined: --diff shows what --fix would do")
    from_stdin = paths == ["-"]
    fix_mode = None
    if fix or diff:
        fix_mode = FixMode(policy, write=fix, stdin_text=from_stdin)

    selector = FileSelector(config, overrides.exclude, overrides.force_exclude)
    files = list(selector.collect(paths))
    if diff_base:
        from .gitdiff import GitError, keep_changed

        try:
            files = keep_changed(files, diff_base)
        except GitError as exc:
            raise ToolError(str(exc)) from None

    cache = None if no_cache or files == ["-"] else _open_cache(linter, config, cache_dir, not diff_base)
    _startup_done()
    if diff:
        return _run_diff(linter, files, stdin_filename, jobs, fix_mode, cache)
    # With --fix on stdin the fixed text goes to stdout, so the report goes to stderr.
    out = open(output_file, "w", encoding="utf-8") if output_file else (
        sys.stderr if fix and from_stdin else sys.stdout)
    errors = []
    try:
        unsafe_hint = (lambda f: policy.applicability(f) is not None and policy.applicability(f).value == "unsafe")
        reporter = _reporter(output_format, out, color, quiet, statistics, policy, linter.registry)
        summary = Summary()
        reporter.start()
        show_progress = progress if progress is not None else (
            len(files) >= 20 and _isatty(sys.stderr) and _isatty(sys.stdout) and not os.environ.get("CI")
        )
        # The cross-file pass runs over the files of this run (never over stdin): its findings
        # are reported after every file's own, and after fixes, which they point into.
        # --diff-base checks a slice of the site: cross-file rules would judge the whole from it.
        project = ProjectPass(linter) if linter.project_rules and not diff_base else None
        results = _results(linter, files, stdin_filename, jobs, fix_mode, project is not None, cache)
        with _Progress(len(files), show_progress) as bar:
            for result in results:
                summary.add(result.findings, policy.applies,
                            unsafe_available=lambda f: not unsafe_fixes and unsafe_hint(f),
                            fixed=len(result.applied))
                if project is not None:
                    project.add(result)
                if result.fixed_text is not None:
                    sys.stdout.write(result.fixed_text)
                    sys.stdout.flush()
                if show_fixes and result.applied:
                    _show_fixes(result, err=out is sys.stdout and from_stdin)
                if result.write_error:
                    errors.append(f"{result.path}: {result.write_error}")
                if result.note:
                    click.echo(f"talklint: {result.path}: {result.note}", err=True)
                if record is not None:
                    record.recorder.file(result)
                reporter.file(result.path, result.findings)
                bar.step()
        if project is not None:
            for result in project.finish():
                summary.add(result.findings, policy.applies, late=True,
                            had_findings=result.path in project.reported)
                reporter.cross_file(result.path, result.findings)
                if record is not None:
                    record.recorder.cross_file(result.path, result.findings)
            errors += project.errors
        _save_cache(cache)
        if record is not None and cache is not None and not errors:
            record.save(selector, linter, summary, policy)
        reporter.finish(summary)
    finally:
        if out not in (sys.stdout, sys.stderr):
            out.close()
    for message in errors:
        click.echo(f"talklint: error: {message}", err=True)
    if errors:
        sys.exit(EXIT_ERROR)
    _exit(summary, exit_zero, exit_non_zero_on_fix)


def _exit(summary, exit_zero: bool, exit_non_zero_on_fix: bool = False):
    if exit_zero:
        sys.exit(EXIT_CLEAN)
    if summary.findings or (exit_non_zero_on_fix and summary.fixed):
        sys.exit(EXIT_FINDINGS)
    sys.exit(EXIT_CLEAN)


def _reporter(output_format, out, color, quiet, statistics, policy, registry):
    from .report import get_reporter

    if color is None:
        color = (not os.environ.get("NO_COLOR")
                 and (bool(os.environ.get("FORCE_COLOR")) or (out is sys.stdout and _isatty(out))))
    return get_reporter(output_format)(
        out, color=color, quiet=quiet, statistics=statistics, applies=policy.applies,
        fix_hint="--fix --unsafe-fixes" if policy.unsafe else "--fix", registry=registry)


class _Record:
    """The run record of a plain run (:mod:`talklint.replay`): the replay of an identical
    earlier run, if there is one, else what is needed to record this one."""

    def __init__(self, folder, tried, recorder, replay):
        self.folder, self.tried, self.recorder, self.replay = folder, tried, recorder, replay

    @classmethod
    def find(cls, paths, config_file, cache_dir, start_ns, options) -> "_Record | None":
        from . import replay

        located = replay.locate(paths, config_file, cache_dir)
        if located is None:
            return None
        folder, tried = located
        try:  # now, not at the end: creating it changes the listing of the folder that holds it
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            return None
        key = replay.run_key(options)
        return cls(folder, tried, replay.Recorder(key, start_ns), replay.load(folder, key))

    def save(self, selector, linter, summary, policy) -> None:
        from .cache import named_paths, plugin_modules
        from .replay import named_files

        named, folders = named_files([path for _, path in named_paths(linter.config)])
        self.recorder.save(self.folder, listed=selector.listed + folders, looked_for=selector.looked_for,
                           config_files=self.tried, named=named + plugin_modules(linter), summary=summary,
                           fix_codes=(policy.extend_safe, policy.extend_unsafe))


def _print_replay(found, output_format, output_file, color, quiet, statistics, unsafe_fixes, exit_zero):
    """Print a replayed run's report as a run would, and exit as it would."""
    from .fixer import FixPolicy

    policy = FixPolicy(unsafe=unsafe_fixes, extend_safe=found.fix_codes[0], extend_unsafe=found.fix_codes[1])
    out = open(output_file, "w", encoding="utf-8") if output_file else sys.stdout
    try:
        reporter = _reporter(output_format, out, color, quiet, statistics, policy, None)
        reporter.start()
        for path, late, findings in found.results():
            (reporter.cross_file if late else reporter.file)(path, findings)
        reporter.finish(found.summary)
    finally:
        if out is not sys.stdout:
            out.close()
    _exit(found.summary, exit_zero)


def _show_fixes(result, err: bool) -> None:
    from collections import Counter

    counts = Counter((a.code, a.name) for a in result.applied)
    click.echo(f"Fixed {len(result.applied)} in {result.path}:", err=err)
    for (code, name), n in sorted(counts.items()):
        click.echo(f"  {n:>4} × {code} [{name}]", err=err)


def _open_cache(linter, config, cache_dir, project):
    """The content cache of this run; the cross-file pass has its own entries, since it changes
    which suppressions a file's own pass may call unused."""
    from .cache import cache_folder, open_cache

    return open_cache(linter, cache_folder(config, cache_dir), project and bool(linter.project_rules))


def _save_cache(cache) -> None:
    problem = cache.save() if cache is not None else None
    if problem:
        click.echo(f"talklint: warning: {problem}", err=True)


def _run_diff(linter, files, stdin_filename, jobs, fix_mode, cache=None) -> None:
    """--diff: print what --fix would change; exit 1 if anything, 0 if nothing."""
    would_fix = 0
    changed_files = 0
    for result in _results(linter, files, stdin_filename, jobs, fix_mode, cache=cache):
        if result.fixed_text is not None and result.applied:
            from .engine import unified_diff

            result.diff = unified_diff(result.path, result.source.text, result.fixed_text)
        if result.diff:
            sys.stdout.write(result.diff)
            would_fix += len(result.applied)
            changed_files += 1
    noun = "fix" if would_fix == 1 else "fixes"
    click.echo(f"Would apply {would_fix} {noun} in {changed_files} file{'s' if changed_files != 1 else ''}.", err=True)
    sys.exit(EXIT_FINDINGS if changed_files else EXIT_CLEAN)


def _results(linter, files, stdin_filename, jobs, fix_mode=None, project=False, cache=None):
    from .engine import lint_paths

    if "-" in files:
        raw = sys.stdin.buffer.read()
        stdin_mode = fix_mode
        if fix_mode is not None:
            from dataclasses import replace

            stdin_mode = replace(fix_mode, stdin_text=True)
        result = linter.lint_bytes(raw, stdin_filename or "-", stdin_mode)
        result.path = stdin_filename or "-"
        for f in result.findings:
            f.path = result.path
        yield result
        files = [f for f in files if f != "-"]
    yield from lint_paths(linter, files, jobs, fix_mode, project, cache)


def _isatty(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class _Progress:
    """A one-line counter on stderr, erased at the end."""

    def __init__(self, total: int, enabled: bool):
        self.total, self.enabled, self.done = total, enabled, 0

    def __enter__(self):
        return self

    def step(self) -> None:
        self.done += 1
        if self.enabled and (self.done % 25 == 0 or self.done == self.total):
            sys.stderr.write(f"\rtalklint: {self.done}/{self.total} files")
            sys.stderr.flush()

    def __exit__(self, *exc) -> None:
        if self.enabled:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()


@cli.command()
@click.option("--output-format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="Use this config (for its rule packs).")
def rules(output_format, config_file) -> None:
    """List every rule: code, name, fixable, default severity, summary."""
    import json

    registry = _registry(config_file)
    rows = []
    for r in registry.sorted():
        rows.append({
            "code": r.code, "name": r.name, "fixable": r.fixable, "severity": r.severity.value,
            "default": r.default_enabled, "origin": r.origin, "summary": r.one_line(),
        })
    if output_format == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    code_width = max((len(r["code"]) for r in rows), default=5)
    name_width = max((len(r["name"]) for r in rows), default=20)
    for row in rows:
        fix = {"always": "fix", "sometimes": "fix?", "never": ""}[row["fixable"]]
        default = "" if row["default"] else " (off by default)"
        click.echo(f"{row['code']:<{code_width}}  {row['name']:<{name_width}}  {fix:<4}  "
                   f"{row['severity']:<7}  {row['summary']}{default}")


@cli.command()
@click.argument("rule")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="Use this config (for its rule packs).")
def explain(rule, config_file) -> None:
    """Print a rule's documentation (by code or name)."""
    from .docs import render_rule

    registry = _registry(config_file)
    found = registry.get(rule)
    if found is None:
        raise ToolError(f"no rule has the code or name {rule!r} (see `talklint rules`)")
    click.echo(render_rule(found))


def _registry(config_file):
    from .config import ConfigError, discover
    from .declarative import PackError
    from .registry import RegistryError, load_registry

    try:
        config = discover([], config_file)
        return load_registry([config.root / p for p in config.settings.rule_packs])
    except (ConfigError, PackError, RegistryError) as exc:
        raise ToolError(str(exc)) from None


def main(argv: list[str] | None = None) -> None:
    """Entry point: runs click without its own exit handling so exit codes stay ours."""
    _pause_gc()
    try:
        _main(argv)
    finally:
        _startup_done(freeze=False)  # a run that ended early leaves the collector as it found it


# Start-up (imports, the rule registry, the rules' tables) allocates a great many objects that
# live as long as the run, and frees few: the collections they trigger find little garbage and
# took a tenth of a one-file run. The collector is paused until the linter is built.
_gc_paused = False


def _pause_gc() -> None:
    global _gc_paused
    if gc.isenabled():
        gc.disable()
        _gc_paused = True


def _startup_done(freeze: bool = True) -> None:
    """Turn the collector back on once the linter is built. What start-up built is frozen first
    (``gc.freeze``): later collections skip it, and forked workers, which inherit it, do not
    write to the memory it lies in."""
    global _gc_paused
    if _gc_paused:
        _gc_paused = False
        if freeze:
            gc.freeze()
        gc.enable()


def _main(argv: list[str] | None) -> None:
    try:
        code = cli.main(args=argv, prog_name="talklint", standalone_mode=False)
    except click.exceptions.Exit as exc:  # --help, --version
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(EXIT_ERROR)
    except click.exceptions.Abort:
        click.echo("talklint: aborted", err=True)
        sys.exit(EXIT_ERROR)
    except KeyboardInterrupt:
        sys.exit(EXIT_ERROR)
    except BrokenPipeError:
        sys.stderr.close()
        sys.exit(EXIT_ERROR)
    except SystemExit:
        raise
    except Exception as exc:  # a bug: say so clearly, exit 2, never 1
        import traceback

        click.echo(f"talklint: internal error: {type(exc).__name__}: {exc}", err=True)
        if os.environ.get("TALKLINT_DEBUG"):
            traceback.print_exc()
        else:
            click.echo("(set TALKLINT_DEBUG=1 for the traceback)", err=True)
        sys.exit(EXIT_ERROR)
    sys.exit(code if isinstance(code, int) else EXIT_CLEAN)


if __name__ == "__main__":  # pragma: no cover
    main()
