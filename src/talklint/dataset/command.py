"""``talklint check-dataset``: lint the pages held in a column of a JSONL or Parquet dataset."""

from __future__ import annotations

import sys
from collections import Counter
from typing import Iterable, Iterator

import click

from . import DEFAULT_MAX_CHARS

FORMATS = ("text", "json", "json-lines", "parquet")


@click.command("check-dataset")
@click.argument("data")
@click.option("--text-column", required=True, help="The column (JSON field) that holds each page's markdown.")
@click.option("--id-column", help="The column that identifies a row in the report (default: its line or row number).")
@click.option("--select", multiple=True, metavar="RULES", help="Only these rules (codes, prefixes, names, ALL); comma-separated.")
@click.option("--extend-select", multiple=True, metavar="RULES", help="Rules to enable on top of the selection.")
@click.option("--ignore", multiple=True, metavar="RULES", help="Rules to disable.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="Use this talklint.toml or pyproject.toml.")
@click.option("--output-format", type=click.Choice(FORMATS), default="text", show_default=True,
              help="parquet needs --output-file.")
@click.option("-o", "--output-file", help="Write the findings to this file instead of stdout.")
@click.option("--max-chars", type=click.IntRange(min=1), default=DEFAULT_MAX_CHARS, show_default=True,
              help="Rows with longer texts are reported (TL907), not checked.")
@click.option("--scheduler", metavar="ADDRESS", help="Run on Dask: `local` for a local cluster, or a scheduler address.")
@click.option("--workers", type=click.IntRange(min=1), help="Worker processes of `--scheduler local` (default: one per core).")
@click.option("--blocksize", default="16MiB", show_default=True, help="Size of a JSONL partition on Dask.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--progress/--no-progress", default=None, help="Count rows on a terminal (default: on a terminal, never in CI).")
def check_dataset(data, text_column, id_column, select, extend_select, ignore, config_file, output_format,
                  output_file, max_chars, scheduler, workers, blocksize, exit_zero, progress) -> None:
    """Check the pages in a JSONL or Parquet dataset (local, or any URL fsspec can open)."""
    from ..cli import EXIT_CLEAN, EXIT_FINDINGS, ToolError, _split, _startup_done
    from ..config import ConfigError, discover
    from ..declarative import PackError
    from ..engine import Overrides
    from ..registry import RegistryError
    from . import DatasetError

    if output_format == "parquet" and not output_file:
        raise click.UsageError("--output-format parquet needs --output-file")
    if scheduler and not id_column:
        raise click.UsageError("--scheduler needs --id-column: rows read in parallel blocks have no global row number")
    try:
        from . import dataset_linter

        config = discover([data] if "://" not in data else ["."], config_file)
        overrides = Overrides(select=_split(select) or None, extend_select=_split(extend_select),
                              ignore=_split(ignore))
        linter = dataset_linter(config, overrides)
        _startup_done()
        batches = (_on_dask(data, text_column, id_column, config, overrides, max_chars, scheduler,
                            workers, blocksize) if scheduler
                   else _local(linter, data, text_column, id_column, max_chars))
        counts = _write(batches, data, output_format, output_file, progress)
    except (ConfigError, PackError, RegistryError, DatasetError) as exc:
        raise ToolError(str(exc)) from None
    _print_summary(counts, linter, to_stderr=output_format != "text" and not output_file)
    sys.exit(EXIT_FINDINGS if counts["findings"] and not exit_zero else EXIT_CLEAN)


def _local(linter, data, text_column, id_column, max_chars) -> Iterator[tuple[int, list]]:
    from . import lint_row, read_rows

    for row in read_rows(data, text_column, id_column):
        yield 1, lint_row(linter, row, max_chars)


def _on_dask(data, text_column, id_column, config, overrides, max_chars, scheduler, workers, blocksize):
    from .cluster import connect, findings_by_partition

    with connect(scheduler, workers) as client:
        yield from findings_by_partition(client, data, text_column, id_column, config, overrides,
                                         max_chars, blocksize)


def _write(batches: Iterable[tuple[int, list]], data: str, output_format: str, output_file: str | None,
           progress: bool | None) -> Counter:
    """Stream the findings to the writer; count rows, findings and findings per rule."""
    from .writers import writer_for

    counts: Counter = Counter()
    show = progress if progress is not None else _interactive()
    with writer_for(output_format, output_file, data) as writer:
        for rows, findings in batches:
            counts["rows"] += rows
            counts["findings"] += len(findings)
            for f in findings:
                counts["rule:" + f.code] += 1
                f.path = data
            writer.write(findings)
            if show:
                sys.stderr.write(f"\rtalklint: {counts['rows']:,} rows")
                sys.stderr.flush()
    if show:
        sys.stderr.write("\r\x1b[K")
    return counts


def _interactive() -> bool:
    import os

    return sys.stderr.isatty() and not os.environ.get("CI")


def _print_summary(counts: Counter, linter, to_stderr: bool) -> None:
    per_rule = sorted(((k[5:], n) for k, n in counts.items() if k.startswith("rule:")), key=lambda x: (-x[1], x[0]))
    lines = []
    if per_rule:
        lines.append(f"{'rule':<7} {'name':<28} {'findings':>9}")
        for code, n in per_rule:
            rule = linter.registry.rules.get(code)
            lines.append(f"{code:<7} {(rule.name if rule else ''):<28} {n:>9,}")
    checked = f"{counts['rows']:,} rows" if counts["rows"] else "the dataset"
    lines.append(f"Found {counts['findings']:,} findings in {checked}." if counts["findings"]
                 else f"All checks passed ({checked}).")
    click.echo("\n".join(lines), err=to_stderr)
