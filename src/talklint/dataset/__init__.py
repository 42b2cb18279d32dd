"""Datasets of pages: rows of JSONL or Parquet whose text column holds a page.

Each row is linted by :func:`lint_row`, the very function the Dask backend maps over
partitions, with the rules ``talklint check`` runs. A row is reported by its id; line and
column are inside that row's text. Bad rows (null or non-text values, undecodable bytes,
enormous texts, broken JSON lines) become ``TL907`` findings: a dataset never fails the run.

Rows are not files: rules that read the file system or the file's name (images and local
links on disk, a date in the file name) have nothing to read, so they find nothing here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterator

from ..finding import Finding, Severity

if TYPE_CHECKING:
    from ..engine import Linter

DEFAULT_MAX_CHARS = 5_000_000  # about the largest page a site generator would ever hold
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")
PARQUET_SUFFIXES = (".parquet", ".pq")
COMPRESSION_SUFFIXES = (".gz", ".bz2", ".xz", ".zst", ".zip")


def dataset_linter(config, overrides=None) -> "Linter":
    """The Linter for dataset rows: the configured rules minus those that read files."""
    from .. import linter_for
    from ..engine import Overrides

    overrides = overrides or Overrides()
    linter = linter_for(config, overrides)
    file_rules = sorted(code for code, rule in linter.registry.rules.items() if rule.reads_files)
    if not file_rules:
        return linter
    # The same rules, minus those: reuse the registry rather than loading plugins and packs again.
    return linter_for(config, Overrides(select=overrides.select, extend_select=overrides.extend_select,
                                        ignore=[*overrides.ignore, *file_rules]), linter.registry)


class DatasetError(Exception):
    """The dataset as a whole cannot be read (missing, unknown format, no such column)."""


@dataclass
class Row:
    id: str
    value: Any  # the text column's value, as read
    problem: str | None = None  # why the row could not be read at all


def dataset_format(path: str) -> str:
    """``jsonl`` or ``parquet``, from the name (compression suffixes are looked through)."""
    name = path.rstrip("/").lower()
    for suffix in COMPRESSION_SUFFIXES:
        if name.endswith(suffix):
            name = name[: -len(suffix)]
    if name.endswith(JSONL_SUFFIXES):
        return "jsonl"
    if name.endswith(PARQUET_SUFFIXES) or _is_folder(path):
        return "parquet"
    raise DatasetError(f"{path}: not a JSONL (.jsonl, .ndjson) or Parquet (.parquet, or a folder of them) dataset")


def _is_folder(path: str) -> bool:
    fs, target = _filesystem(path)
    try:
        return fs.isdir(target)
    except OSError:
        return False


def _filesystem(path: str):
    try:
        import fsspec
    except ImportError:  # local paths still work without fsspec
        from pathlib import Path

        class _Local:
            def isdir(self, p):
                return Path(p).is_dir()

        return _Local(), path
    return fsspec.core.url_to_fs(path)


# -- reading ----------------------------------------------------------------------------------

def read_rows(path: str, text_column: str, id_column: str | None) -> Iterator[Row]:
    """The rows of a dataset, streamed (memory stays bounded whatever its size)."""
    if dataset_format(path) == "jsonl":
        yield from _jsonl_rows(path, text_column, id_column)
    else:
        yield from _parquet_rows(path, text_column, id_column)


def _open_text(path: str):
    try:
        import fsspec
    except ImportError:
        if path.endswith(COMPRESSION_SUFFIXES) or "://" in path:
            raise DatasetError(f"{path}: reading it needs fsspec (pip install 'talklint[dataset]')") from None
        return open(path, encoding="utf-8", errors="surrogateescape", newline="")
    return fsspec.open(path, "rt", encoding="utf-8", errors="surrogateescape", newline="",
                       compression="infer").open()


def _jsonl_rows(path: str, text_column: str, id_column: str | None) -> Iterator[Row]:
    try:
        handle = _open_text(path)
    except (OSError, ValueError) as exc:
        raise DatasetError(f"{path}: cannot read: {exc}") from None
    with handle:
        for number, line in enumerate(_lines(handle), start=1):
            if line.strip():
                yield jsonl_row(line, f"line {number}", text_column, id_column)


def _lines(handle) -> Iterator[str]:
    # Only \n ends a JSON line: a U+2028 inside a string value must not split the row.
    pending = ""
    while chunk := handle.read(1 << 20):
        pending += chunk
        *complete, pending = pending.split("\n")
        yield from complete
    if pending:
        yield pending


def jsonl_row(line: str, where: str, text_column: str, id_column: str | None) -> Row:
    """One JSON line as a row; ``where`` ("line 7") names it when it has no id."""
    try:
        record = json.loads(line)
    except (ValueError, RecursionError) as exc:
        return Row(where, None, f"{where} is not valid JSON: {exc}")
    if not isinstance(record, dict):
        return Row(where, None, f"{where} is a JSON {type(record).__name__}, not an object")
    name = row_id(record.get(id_column) if id_column else None, where)
    if text_column not in record:
        return Row(name, None, f"no {text_column!r} field")
    return Row(name, record[text_column])


def row_id(value: Any, fallback: str) -> str:
    """A row's id as text; ``fallback`` when the id column is null or empty."""
    if value is None or (isinstance(value, str) and not value):
        return fallback
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)


def _parquet_rows(path: str, text_column: str, id_column: str | None) -> Iterator[Row]:
    try:
        import pyarrow.dataset as ds
    except ImportError:
        raise DatasetError(f"{path}: reading Parquet needs pyarrow (pip install 'talklint[dataset]')") from None
    fs, target = _filesystem(path)
    try:
        data = ds.dataset(target, format="parquet", filesystem=fs)
    except (OSError, ValueError) as exc:
        raise DatasetError(f"{path}: cannot read: {exc}") from None
    columns = [text_column] + ([id_column] if id_column and id_column != text_column else [])
    missing = [c for c in columns if c not in data.schema.names]
    if missing:
        raise DatasetError(f"{path}: no column {missing[0]!r} (columns: {', '.join(data.schema.names)})")
    number = 0
    for batch in data.to_batches(columns=columns, batch_size=1024):
        texts = batch.column(text_column).to_pylist()
        ids = batch.column(id_column).to_pylist() if id_column else [None] * len(texts)
        for value, key in zip(texts, ids):
            number += 1
            yield Row(row_id(key, f"row {number}"), value)


# -- linting ----------------------------------------------------------------------------------

def lint_row(linter: "Linter", row: Row, max_chars: int = DEFAULT_MAX_CHARS) -> list[Finding]:
    """The findings of one row, each carrying the row's id (``Finding.row``)."""
    findings = [f for f in _lint_value(linter, row, max_chars) if f.code in linter.enabled]
    for f in findings:
        f.row = row.id
    return findings


def _lint_value(linter: "Linter", row: Row, max_chars: int) -> list[Finding]:
    from ..engine import STDIN
    from ..source import Source

    if row.problem is not None:
        return [_row_finding(linter, f"Row not checked: {row.problem}")]
    value = row.value
    if value is None:
        return [_row_finding(linter, "Row not checked: its text is null")]
    if isinstance(value, (bytes, bytearray, memoryview)):
        source = Source.from_bytes(STDIN, bytes(value))
    elif isinstance(value, str):
        if _has_lone_surrogate(value):
            return [_row_finding(linter, "Row not checked: its text holds lone surrogates "
                                         "(invalid Unicode, e.g. a broken \\ud83c escape in JSON)")]
        source = Source.from_text(STDIN, value)
    else:
        return [_row_finding(linter, f"Row not checked: its text is of type {type(value).__name__}, not a string")]
    if len(source.text) > max_chars:
        return [_row_finding(linter, f"Row not checked: {len(source.text):,} characters, over the "
                                     f"limit of {max_chars:,} (--max-chars)")]
    return linter.lint_source(source, STDIN)


def _has_lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _row_finding(linter: "Linter", message: str) -> Finding:
    rule = linter.registry.rules["TL907"]
    finding = Finding(code="TL907", name=rule.name, message=message, start=0, end=0,
                      severity=Severity.ERROR)
    finding.line = finding.column = finding.end_line = finding.end_column = 1
    return finding
