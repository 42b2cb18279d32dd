"""Where ``check-dataset`` writes findings: a reporter of ``talklint check`` (text, json,
json-lines) or a Parquet file, one row per finding, written batch by batch."""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager

PARQUET_COLUMNS = ("dataset", "row", "line", "column", "end_line", "end_column", "code", "name",
                   "severity", "message", "fix")


@contextmanager
def writer_for(output_format: str, output_file: str | None, data: str):
    if output_format == "parquet":
        writer = ParquetWriter(output_file)
    else:
        out = open(output_file, "w", encoding="utf-8") if output_file else sys.stdout
        writer = ReporterWriter(output_format, out)
    try:
        yield writer
    finally:
        writer.close()


class ReporterWriter:
    def __init__(self, output_format: str, out) -> None:
        from ..report import get_reporter

        self.out = out
        self.reporter = get_reporter(output_format)(out, quiet=True)
        self.reporter.start()
        self.finishes = output_format == "json"  # the text summary is check-dataset's own

    def write(self, findings: list) -> None:
        if findings:
            self.reporter.file(findings[0].path, findings)

    def close(self) -> None:
        if self.finishes:
            self.reporter.finish(None)
        if self.out is not sys.stdout:
            self.out.close()
        else:
            self.out.flush()


class ParquetWriter:
    def __init__(self, path: str) -> None:
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError:
            from . import DatasetError

            raise DatasetError("--output-format parquet needs pyarrow: pip install 'talklint[dataset]'") from None
        self.pa = pa
        self.schema = pa.schema([(c, pa.int64() if c in ("line", "column", "end_line", "end_column") else pa.string())
                                 for c in PARQUET_COLUMNS])
        self.writer = pq.ParquetWriter(path, self.schema)

    def write(self, findings: list) -> None:
        if not findings:
            return
        records = []
        for f in findings:
            d = f.to_dict()
            records.append({
                "dataset": d.pop("path"), "row": d.get("row"),
                **{k: d[k] for k in ("line", "column", "end_line", "end_column", "code", "name", "severity", "message")},
                "fix": json.dumps(d["fix"], ensure_ascii=False) if d["fix"] is not None else None,
            })
        self.writer.write_table(self.pa.Table.from_pylist(records, schema=self.schema))

    def close(self) -> None:
        self.writer.close()
