"""Rows per second of ``talklint check-dataset``: one process against a Dask LocalCluster.

The dataset is built reproducibly from the pages in ``tests/corpus/`` and ``seeds/`` (each page
as is and with added damage, repeated to ``--rows`` rows), written as JSONL and Parquet to a
scratch folder. Each configuration runs ``talklint check-dataset`` as a user would (a new
process, cluster start-up included) and its wall time is measured.

    python benchmarks/dataset.py --rows 20000 --workers 2
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DAMAGE = ("", "\nItâ€™s the keynote.   \n", "\n\nThe  talk  is on May 6, 2025.\u200b\n")


def pages() -> list[str]:
    found = sorted((ROOT / "seeds").glob("*.txt")) + sorted(
        p for p in (ROOT / "tests" / "corpus").rglob("*") if p.is_file() and p.name != "ATTRIBUTION.md")
    return [p.read_bytes().decode("utf-8", "replace") for p in found]


def build(folder: Path, n: int) -> tuple[Path, Path, int]:
    texts = [text + damage for text in pages() for damage in DAMAGE]
    rows = [{"id": f"row-{i}", "body": texts[i % len(texts)]} for i in range(n)]
    jsonl = folder / "talks.jsonl"
    with open(jsonl, "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    import pyarrow as pa
    import pyarrow.parquet as pq

    parquet = folder / "talks.parquet"
    pq.write_table(pa.Table.from_pylist(rows), parquet, row_group_size=1000)
    return jsonl, parquet, sum(len(r["body"].encode("utf-8")) for r in rows)


def timed(args: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "talklint", "check-dataset", *args,
                           "--output-format", "json-lines", "-o", os.devnull], capture_output=True)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(done.stderr.decode())
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        jsonl, parquet, size = build(Path(tmp), options.rows)
        print(f"{options.rows:,} rows, {size / 1e6:.1f} MB of text; {options.workers} Dask workers\n")
        print("| input | backend | wall s | rows/s |")
        print("|---|---|---:|---:|")
        common = ["--text-column", "body", "--id-column", "id"]
        for path in (jsonl, parquet):
            for label, extra in (("one process", []),
                                 (f"Dask LocalCluster, {options.workers} workers",
                                  ["--scheduler", "local", "--workers", str(options.workers)])):
                wall = timed([str(path), *common, *extra])
                print(f"| {path.suffix[1:]} | {label} | {wall:.1f} | {options.rows / wall:,.0f} |")


if __name__ == "__main__":
    main()
