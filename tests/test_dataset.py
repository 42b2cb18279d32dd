"""``talklint check-dataset`` and the library API: rows of JSONL and Parquet give the same
findings as ``talklint check`` on the same texts written to files — on the local path and on a
real Dask LocalCluster with two workers."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest

import talklint
from talklint.config import ConfigError
from talklint.dataset import Row, dataset_linter, lint_row

from test_cli import ROOT, run, write

HERE = Path(__file__).resolve().parent
DAMAGE = ("", "\nItâ€™s the keynote.   \n", "\n\nThe  talk  is on May 6, 2025.\u200b\n", "\r\nA line\r\n")


def pages() -> list[str]:
    found = sorted((ROOT / "seeds").glob("*.txt")) + sorted(
        p for p in (HERE / "corpus").rglob("*") if p.is_file() and p.name != "ATTRIBUTION.md")
    return [p.read_bytes().decode("utf-8", "replace") for p in found]


def dataset_rows() -> list[dict]:
    """A few hundred rows: every real page with and without added damage, several times."""
    rows = []
    for copy in range(3):
        for i, text in enumerate(pages()):
            for j, damage in enumerate(DAMAGE):
                rows.append({"id": f"r{copy}-{i}-{j}", "body": text + damage, "other": copy})
    return rows


BAD_ROWS = [{"id": "null", "body": None}, {"id": "number", "body": 17}, {"id": "no-body"},
            {"id": "huge", "body": "x" * 2_000}, {"id": "surrogate", "body": "a\ud83cb"}]


def file_rule_codes() -> list[str]:
    registry = talklint.linter_for().registry
    return sorted(code for code, rule in registry.rules.items() if rule.reads_files)


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    """The rows as JSONL and Parquet, and each text as a file for `talklint check`."""
    folder = tmp_path_factory.mktemp("dataset")
    write(folder / "talklint.toml", "")
    rows = dataset_rows()
    with open(folder / "talks.jsonl", "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    pytest.importorskip("pyarrow")
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pylist([{"id": r["id"], "body": r["body"]} for r in rows])
    pq.write_table(table, folder / "talks.parquet", row_group_size=100)
    for row in rows:
        (folder / "pages" / f"{row['id']}.md").parent.mkdir(exist_ok=True)
        (folder / "pages" / f"{row['id']}.md").write_bytes(row["body"].encode("utf-8"))
    return folder, rows


def key(f: dict) -> tuple:
    return (f["line"], f["column"], f["end_line"], f["end_column"], f["code"], f["message"])


@pytest.fixture(scope="module")
def expected(data):
    """What `talklint check` finds in the same texts written to files, by row id."""
    folder, _ = data
    ignore = [arg for code in file_rule_codes() for arg in ("--ignore", code)]
    r = run("check", "pages", "--output-format", "json", *ignore, cwd=folder)
    assert r.returncode == 1, r.stderr.decode()
    by_row = defaultdict(list)
    for f in json.loads(r.stdout):
        by_row[Path(f["path"]).stem].append(key(f))
    return by_row


def dataset_findings(folder, *args) -> dict[str, list]:
    r = run("check-dataset", *args, "--output-format", "json-lines", cwd=folder)
    assert r.returncode == 1, r.stderr.decode()
    by_row = defaultdict(list)
    for line in r.stdout.decode("utf-8").splitlines():
        f = json.loads(line)
        by_row[f["row"]].append(key(f))
    return by_row


@pytest.mark.parametrize("name", ["talks.jsonl", "talks.parquet"])
def test_local_path_matches_check_on_files(data, expected, name):
    folder, rows = data
    got = dataset_findings(folder, name, "--text-column", "body", "--id-column", "id")
    assert len(rows) >= 200 and sum(map(len, expected.values())) > 100
    assert got == expected


def test_dask_local_cluster_matches_check_on_files(data, expected):
    pytest.importorskip("dask.distributed")
    folder, _ = data
    for name in ("talks.parquet", "talks.jsonl"):
        got = dataset_findings(folder, name, "--text-column", "body", "--id-column", "id",
                               "--scheduler", "local", "--workers", "2", "--blocksize", "64KiB")
        assert got == expected, name


def test_bad_rows_are_findings_not_failures(tmp_path):
    rows = [{"id": "good", "body": "# Fine\n"}, *BAD_ROWS]
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n[1, 2]\n{broken\n", encoding="utf-8")
    r = run("check-dataset", str(path), "--text-column", "body", "--id-column", "id",
            "--max-chars", "1000", "--output-format", "json-lines", cwd=tmp_path)
    assert r.returncode == 1, r.stderr.decode()
    found = {f["row"]: f["message"] for f in map(json.loads, r.stdout.decode().splitlines())}
    assert found == {
        "null": "Row not checked: its text is null",
        "number": "Row not checked: its text is of type int, not a string",
        "no-body": "Row not checked: no 'body' field",
        "huge": "Row not checked: 2,000 characters, over the limit of 1,000 (--max-chars)",
        "surrogate": "Row not checked: its text holds lone surrogates (invalid Unicode, e.g. a broken \\ud83c escape in JSON)",
        "line 7": "Row not checked: line 7 is a JSON list, not an object",
        "line 8": found["line 8"],
    }
    assert found["line 8"].startswith("Row not checked: line 8 is not valid JSON")
    assert "TL907   invalid-row                          7" in r.stderr.decode()


def test_text_report_names_the_row(tmp_path):
    path = tmp_path / "t.jsonl"
    path.write_text(json.dumps({"id": "talk-17", "body": "# Talk\n\nSpaces   \n"}) + "\n", encoding="utf-8")
    r = run("check-dataset", str(path), "--text-column", "body", "--id-column", "id", cwd=tmp_path)
    out = r.stdout.decode()
    assert f"{path}[talk-17]:3:7: TL201 [trailing-whitespace]" in out
    assert "Found 1 findings in 1 rows." in out or "Found 1 finding in 1 row." in out


def test_parquet_output(data, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    folder, _ = data
    out = tmp_path / "findings.parquet"
    r = run("check-dataset", "talks.jsonl", "--text-column", "body", "--id-column", "id",
            "--output-format", "parquet", "-o", str(out), cwd=folder)
    assert r.returncode == 1, r.stderr.decode()
    table = pq.read_table(out).to_pylist()
    jsonl = dataset_findings(folder, "talks.jsonl", "--text-column", "body", "--id-column", "id")
    assert len(table) == sum(map(len, jsonl.values()))
    assert all(r["dataset"] == "talks.jsonl" and r["row"] for r in table)


def test_usage_errors(data):
    folder, _ = data
    r = run("check-dataset", "talks.csv", "--text-column", "body", cwd=folder)
    assert r.returncode == 2 and b"not a JSONL" in r.stderr
    r = run("check-dataset", "talks.parquet", "--text-column", "nope", cwd=folder)
    assert r.returncode == 2 and b"no column 'nope'" in r.stderr
    r = run("check-dataset", "talks.jsonl", "--text-column", "body", "--scheduler", "local", cwd=folder)
    assert r.returncode == 2 and b"--scheduler needs --id-column" in r.stderr
    r = run("check-dataset", "missing.jsonl", "--text-column", "body", cwd=folder)
    assert r.returncode == 2 and b"missing.jsonl" in r.stderr


# -- the library API ----------------------------------------------------------------------------

def test_lint_text_returns_the_cli_findings(tmp_path):
    text = "# Talk\n\nItâ€™s here.   \n"
    write(tmp_path / "talklint.toml", "")
    page = write(tmp_path / "p.md", text)
    r = run("check", "p.md", "--output-format", "json", cwd=tmp_path)
    cli = [key(f) for f in json.loads(r.stdout)]
    assert [key(f.to_dict()) for f in talklint.lint_text(text, "p.md")] == cli
    assert [key(f.to_dict()) for f in talklint.lint_file(page)] == cli


def test_lint_text_config_forms(tmp_path):
    text = "# Talk\n\nItâ€™s here.   \n"
    assert {f.code for f in talklint.lint_text(text, config={"select": ["TL201"]})} == {"TL201"}
    toml = write(tmp_path / "talklint.toml", 'ignore = ["TL201"]\n')
    assert "TL201" not in {f.code for f in talklint.lint_text(text, config=toml)}
    assert talklint.linter_for({"select": ["TL201"]}) is talklint.linter_for({"select": ["TL201"]})
    with pytest.raises(ConfigError, match="unknown key 'selct'"):
        talklint.lint_text(text, config={"selct": ["TL201"]})


def test_lint_row_is_the_per_row_function():
    linter = dataset_linter(None)
    findings = lint_row(linter, Row("a", "Spaces   \n"))
    assert [(f.code, f.row, f.line, f.column) for f in findings] == [("TL201", "a", 1, 7)]
    assert not set(file_rule_codes()) & linter.enabled
