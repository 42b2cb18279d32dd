"""The Dask backend of ``check-dataset --scheduler``: the rows are read by the workers, partition
by partition, and each row goes through :func:`talklint.dataset.lint_row` — the function the
local path uses — with a Linter built once per worker process.

Only findings travel back to the client (partition by partition, in order), so
the client's memory holds one partition's findings at a time, never the texts.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Iterator

from . import DatasetError, Row, dataset_format, jsonl_row, lint_row, row_id

if TYPE_CHECKING:
    from ..config import Config
    from ..engine import Overrides
    from ..finding import Finding


def connect(scheduler: str, workers: int | None = None):
    """A Dask client: ``local`` starts a LocalCluster of worker processes on this machine;
    anything else is the address of a running scheduler (``tcp://10.0.0.5:8786``)."""
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise DatasetError("--scheduler needs Dask: pip install 'talklint[dask]'") from None
    if scheduler == "local":
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        return Client(cluster)
    try:
        return Client(scheduler, timeout="30s")
    except (OSError, TimeoutError) as exc:
        raise DatasetError(f"--scheduler {scheduler}: cannot connect: {exc}") from None


def partitions(path: str, text_column: str, id_column: str, blocksize: str):
    """The dataset as a list of Dask delayed objects, each a partition's list of rows."""
    import dask
    import dask.bag as db

    if dataset_format(path) == "jsonl":
        bag = db.read_text(path, blocksize=blocksize, compression="infer", encoding="utf-8",
                           errors="surrogateescape", linedelimiter="\n")
        return [dask.delayed(_jsonl_partition)(part, k, text_column, id_column)
                for k, part in enumerate(bag.to_delayed(), start=1)]
    import dask.dataframe as dd

    try:
        frame = dd.read_parquet(path, columns=[text_column, id_column])
    except (OSError, ValueError, KeyError) as exc:
        raise DatasetError(f"{path}: cannot read: {exc}") from None
    return [dask.delayed(_frame_partition)(part, text_column, id_column) for part in frame.to_delayed()]


def _jsonl_partition(lines: list[str], block: int, text_column: str, id_column: str) -> list[Row]:
    # A block has no global line numbers: a row without an id is named by its block and line.
    return [jsonl_row(line, f"block {block}, line {i}", text_column, id_column)
            for i, line in enumerate(lines, start=1) if line.strip()]


def _frame_partition(frame, text_column: str, id_column: str) -> list[Row]:
    texts = frame[text_column].astype(object).tolist()
    ids = frame[id_column].astype(object).tolist()
    return [Row(row_id(_plain(key), f"row {i}"), _plain(value)) for i, (value, key) in enumerate(zip(texts, ids), 1)]


def _plain(value):
    """pandas' missing values (NaN, NA) as None: they are null text, not a float."""
    if value is None or type(value).__name__ in ("NAType", "NaTType"):
        return None
    if isinstance(value, float) and value != value:
        return None
    return value


def lint_partition(rows: list[Row], config: "Config", overrides: "Overrides",
                   max_chars: int) -> tuple[int, list["Finding"]]:
    from . import dataset_linter

    linter = dataset_linter(config, overrides)
    return len(rows), [f for row in rows for f in lint_row(linter, row, max_chars)]


def findings_by_partition(client, path: str, text_column: str, id_column: str, config: "Config",
                          overrides: "Overrides", max_chars: int, blocksize: str = "16MiB") -> Iterator[tuple[int, list["Finding"]]]:
    """Each partition's row count and findings, in partition order, as soon as that partition
    and the ones before it are done."""
    import dask

    parts = partitions(path, text_column, id_column, blocksize)
    linted = [dask.delayed(lint_partition)(p, config, overrides, max_chars) for p in parts]
    futures = client.compute(linted)
    for future in futures:
        yield future.result()
        future.release()
