"""The command line end to end: paths, formats, exit codes, stdin, config errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


def run(*args, cwd=None, input=None, env=None):
    e = dict(os.environ)
    e.pop("CI", None)
    e.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "talklint", *args], cwd=cwd, input=input,
        capture_output=True, env=e, timeout=120,
    )


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, str):
        text = text.encode("utf-8")
    path.write_bytes(text)
    return path


CLEAN = "# Talk\n\nA clean page.\n"
DIRTY = "# Talk\n\nTrailing spaces here   \nand a zero\u200bwidth space.\n"


@pytest.fixture
def project(tmp_path):
    write(tmp_path / "talklint.toml", "")
    write(tmp_path / "talks" / "clean.md", CLEAN)
    write(tmp_path / "talks" / "dirty.md", DIRTY)
    return tmp_path


def test_clean_file_exits_zero(project):
    r = run("check", "talks/clean.md", cwd=project)
    assert r.returncode == 0, r.stdout + r.stderr
    assert b"All checks passed" in r.stdout


def test_findings_exit_one_with_exact_positions(project):
    r = run("check", "talks/dirty.md", "--no-color", cwd=project)
    assert r.returncode == 1
    out = r.stdout.decode()
    assert "talks/dirty.md:3:21: TL201 [trailing-whitespace]" in out
    assert "talks/dirty.md:4:11: TL204 [invisible-character]" in out
    assert "Found 2 findings in 1 file." in out


def test_text_output_has_excerpt_and_caret(project):
    r = run("check", "talks/dirty.md", "--select", "TL201", "--no-color", cwd=project)
    lines = r.stdout.decode().splitlines()
    i = lines.index("3 | Trailing spaces here   ")
    caret_line = lines[i + 1]
    assert caret_line == "  |" + " " * 21 + "^^^"


def test_plain_output_when_piped_has_no_escape_codes(project):
    r = run("check", "talks/dirty.md", cwd=project)
    assert b"\x1b[" not in r.stdout and b"\x1b[" not in r.stderr


def test_walks_folders_with_extensions(project):
    write(project / "talks" / "notes.txt", DIRTY)
    write(project / "talks" / "page.mdx", DIRTY)
    write(project / "talks" / "image.png", b"\x89PNG\r\n\x1a\n\x00\x00")
    write(project / "talks" / "script.py", "x = 1   \n")
    r = run("check", ".", "--output-format", "json", cwd=project)
    paths = {f["path"] for f in json.loads(r.stdout)}
    assert paths == {"talks/dirty.md", "talks/notes.txt", "talks/page.mdx"}


def test_exclude_option_and_config(project):
    r = run("check", ".", "--exclude", "talks/dirty.md", cwd=project)
    assert r.returncode == 0, r.stdout
    write(project / "talklint.toml", 'extend-exclude = ["dirty.*"]\n')
    assert run("check", ".", cwd=project).returncode == 0


def test_gitignore_is_respected(project):
    write(project / ".gitignore", "dirty.md\n")
    assert run("check", ".", cwd=project).returncode == 0
    write(project / "talklint.toml", "respect-gitignore = false\n")
    assert run("check", ".", cwd=project).returncode == 1


def test_explicit_file_is_checked_even_if_excluded_unless_forced(project):
    write(project / "talklint.toml", 'extend-exclude = ["talks/dirty.md"]\n')
    assert run("check", "talks/dirty.md", cwd=project).returncode == 1
    assert run("check", "talks/dirty.md", "--force-exclude", cwd=project).returncode == 0


def test_stdin_with_filename(project):
    r = run("check", "-", "--stdin-filename", "talks/from-stdin.md", "--output-format", "json",
            cwd=project, input=DIRTY.encode())
    assert r.returncode == 1
    findings = json.loads(r.stdout)
    assert {f["path"] for f in findings} == {"talks/from-stdin.md"}
    assert [(f["line"], f["column"]) for f in findings] == [(3, 21), (4, 11)]


def test_stdin_filename_matches_per_file_ignores(project):
    write(project / "talklint.toml", '[per-file-ignores]\n"talks/*.md" = ["TL201", "invisible-character"]\n')
    r = run("check", "-", "--stdin-filename", "talks/x.md", cwd=project, input=DIRTY.encode())
    assert r.returncode == 0, r.stdout


def test_json_schema(project):
    r = run("check", "talks/dirty.md", "--output-format", "json", cwd=project)
    findings = json.loads(r.stdout)
    assert len(findings) == 2
    ws = findings[0]
    assert set(ws) == {"path", "line", "column", "end_line", "end_column", "code", "name",
                       "severity", "message", "fix"}
    assert (ws["line"], ws["column"], ws["end_line"], ws["end_column"]) == (3, 21, 3, 24)
    assert ws["fix"]["applicability"] == "safe"
    assert ws["fix"]["edits"] == [
        {"line": 3, "column": 21, "end_line": 3, "end_column": 24, "content": "  "}]  # keeps the hard break


def test_json_on_seeds_is_valid():
    r = run("check", str(SEEDS), "--output-format", "json")
    assert r.returncode == 1
    findings = json.loads(r.stdout)
    assert findings, "the seeds are damaged on purpose"
    for f in findings:
        assert f["line"] >= 1 and f["column"] >= 1
        assert (f["end_line"], f["end_column"]) >= (f["line"], f["column"])
        assert f["code"].startswith("TL")
        assert Path(f["path"]).name in {p.name for p in SEEDS.iterdir()}


def test_github_format(project):
    r = run("check", "talks/dirty.md", "--output-format", "github", cwd=project)
    lines = r.stdout.decode().splitlines()
    assert lines[0].startswith("::warning file=talks/dirty.md,line=3,col=21,endLine=3,endColumn=24,"
                               "title=TL201 [trailing-whitespace]::TL201 ")
    assert all(line.startswith("::") for line in lines)


def test_output_file(project, tmp_path):
    target = tmp_path / "report.json"
    r = run("check", "talks/dirty.md", "--output-format", "json", "--output-file", str(target), cwd=project)
    assert r.returncode == 1
    assert r.stdout == b""
    assert len(json.loads(target.read_text())) == 2


def test_exit_zero_quiet_statistics(project):
    r = run("check", "talks/dirty.md", "--exit-zero", cwd=project)
    assert r.returncode == 0 and b"Found 2 findings" in r.stdout
    r = run("check", "talks/dirty.md", "--quiet", cwd=project)
    assert r.returncode == 1
    assert r.stdout.decode().splitlines() == [
        "talks/dirty.md:3:21: TL201 [trailing-whitespace] Trailing whitespace (3 spaces) [*]",
        "talks/dirty.md:4:11: TL204 [invisible-character] Invisible character U+200B ZERO WIDTH SPACE",
    ]
    r = run("check", "talks/dirty.md", "--statistics", "--quiet", cwd=project)
    stats = [line.split("\t") for line in r.stdout.decode().splitlines() if "\t" in line]
    assert [s[1:] for s in stats] == [["TL201", "trailing-whitespace [*]"], ["TL204", "invisible-character"]]


@pytest.mark.parametrize("option,value", [
    ("--select", "TL201"), ("--select", "TL2"), ("--select", "trailing-whitespace"),
])
def test_select_by_code_prefix_and_name(project, option, value):
    r = run("check", "talks/dirty.md", option, value, "--output-format", "json", cwd=project)
    codes = {f["code"] for f in json.loads(r.stdout)}
    assert "TL201" in codes
    if value != "TL2":
        assert codes == {"TL201"}


def test_ignore_and_extend_select(project):
    r = run("check", "talks/dirty.md", "--ignore", "TL201,TL204", cwd=project)
    assert r.returncode == 0
    r = run("check", "talks/dirty.md", "--select", "TL201", "--extend-select", "TL204",
            "--output-format", "json", cwd=project)
    assert {f["code"] for f in json.loads(r.stdout)} == {"TL201", "TL204"}


def test_more_specific_selector_wins(project):
    r = run("check", "talks/dirty.md", "--select", "TL201", "--ignore", "TL2",
            "--output-format", "json", cwd=project)
    assert {f["code"] for f in json.loads(r.stdout)} == {"TL201"}


@pytest.mark.parametrize("args,message", [
    (["--select", "TL999"], "unknown rule selector 'TL999'"),
    (["--ignore", "no-such-rule"], "unknown rule selector 'no-such-rule'"),
    (["--output-format", "xml"], "Invalid value for '--output-format'"),
    (["--no-such-flag"], "No such option"),
])
def test_usage_errors_exit_two(project, args, message):
    r = run("check", "talks/clean.md", *args, cwd=project)
    assert r.returncode == 2
    assert message in r.stderr.decode()
    assert b"Traceback" not in r.stderr


@pytest.mark.parametrize("config,message", [
    ("selectt = ['TL201']\n", "talklint.toml: unknown key 'selectt'"),
    ("select = 'TL201'\n", "talklint.toml: key 'select': Input should be a valid list"),
    ("select = ['TL9999']\n", "talklint.toml: key 'select': unknown rule selector 'TL9999'"),
    ("[rules.trailing-whitespace]\nbr-spaces = 'two'\n", "br-spaces"),
    ("[rules.trailing-whitespace]\nfrobnicate = 1\n", "unknown key 'frobnicate'"),
    ("[rules.no-such-rule]\n", "rules.no-such-rule"),
    ("select = [\n", "talklint.toml: invalid TOML"),
])
def test_config_errors_name_file_and_key(project, config, message):
    write(project / "talklint.toml", config)
    r = run("check", "talks/clean.md", cwd=project)
    assert r.returncode == 2, r.stdout
    assert message in r.stderr.decode()
    assert b"Traceback" not in r.stderr


def test_pyproject_config_found_upward(tmp_path):
    write(tmp_path / "pyproject.toml", "[project]\nname = 'site'\n\n[tool.talklint]\nignore = ['TL201']\n")
    write(tmp_path / "content" / "talks" / "dirty.md", "Trailing   \n")
    r = run("check", "content/talks", cwd=tmp_path)
    assert r.returncode == 0, r.stdout
    write(tmp_path / "pyproject.toml", "[tool.talklint]\nunknown-key = 1\n")
    r = run("check", "content/talks", cwd=tmp_path)
    assert r.returncode == 2
    assert "pyproject.toml: [tool.talklint] unknown key 'unknown-key'" in r.stderr.decode()


def test_per_file_ignores(project):
    write(project / "talklint.toml", '[per-file-ignores]\n"talks/dirty.md" = ["TL2"]\n')
    assert run("check", ".", cwd=project).returncode == 0


def test_missing_path_reported_and_others_checked(project):
    r = run("check", "talks/nope.md", "talks/dirty.md", "--output-format", "json", cwd=project)
    assert r.returncode == 1
    findings = json.loads(r.stdout)
    assert findings[0]["path"] == "talks/nope.md" and findings[0]["code"] == "TL901"
    assert {f["path"] for f in findings[1:]} == {"talks/dirty.md"}


def test_bad_input_never_crashes(project):
    write(project / "bad" / "binary.md", b"\x89PNG\x00\x00\x01")
    write(project / "bad" / "latin1.md", "Caf\u00e9 menu\n".encode("latin-1"))
    write(project / "bad" / "empty.md", b"")
    write(project / "bad" / "yaml.md", "---\ntitle: [unclosed\n---\n# Hi\n")
    write(project / "bad" / "huge.md", ("word " * 200_000 + "\n") * 5)
    r = run("check", "bad", "--output-format", "json", cwd=project)
    assert r.returncode == 1, r.stderr
    by_path = {}
    for f in json.loads(r.stdout):
        by_path.setdefault(Path(f["path"]).name, set()).add(f["code"])
    assert by_path["binary.md"] == {"TL902"}
    assert "TL105" in by_path["latin1.md"]  # a whole-file encoding: reported once, not byte by byte
    assert "TL301" in by_path["yaml.md"]
    assert "empty.md" not in by_path
    assert b"Traceback" not in r.stderr


def test_many_files_with_workers_match_single_process(project):
    for i in range(30):
        write(project / "many" / f"p{i:02}.md", DIRTY if i % 3 else CLEAN)
    one = run("check", "many", "--output-format", "json", "-j", "1", cwd=project)
    two = run("check", "many", "--output-format", "json", "-j", "2", cwd=project)
    assert json.loads(one.stdout) == json.loads(two.stdout)
    assert len(json.loads(one.stdout)) == 20 * 2
    assert b"files" not in two.stderr  # no progress indicator when piped


def test_rules_and_explain():
    r = run("rules")
    assert r.returncode == 0
    assert any(line.startswith("TL201  trailing-whitespace") for line in r.stdout.decode().splitlines())
    r = run("rules", "--output-format", "json")
    rows = json.loads(r.stdout)
    assert {"code", "name", "fixable", "severity", "summary"} <= set(rows[0])
    r = run("explain", "trailing-whitespace")
    assert r.returncode == 0
    text = r.stdout.decode()
    assert text.startswith("# TL201 trailing-whitespace")
    for section in ("## What it does", "## Why is this bad?", "## Example"):
        assert section in text
    r = run("explain", "TL000")
    assert r.returncode == 2 and b"no rule has the code or name" in r.stderr


def test_version_and_help():
    assert run("--version").returncode == 0
    assert run("check", "--help").returncode == 0


def test_version_is_the_installed_one():
    from importlib.metadata import version

    import talklint
    from talklint import __version__

    assert talklint.__version__ == __version__ == version("talklint")
    assert run("--version").stdout.decode().strip() == f"talklint, version {__version__}"
    with pytest.raises(AttributeError):
        talklint.no_such_thing  # noqa: B018


def test_check_dataset_is_loaded_only_when_needed():
    # `talklint check` does not import the dataset command, yet help lists it, it runs, and a
    # misspelt command name is still matched against it.
    code = ("import sys; from talklint.cli import main; sys.argv = ['talklint', 'check', '--no-cache', '-']\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.startswith(('talklint.dataset', 'talklint.online.http'))))")
    r = subprocess.run([sys.executable, "-c", code], input=b"# Title\n", capture_output=True, timeout=120)
    assert r.stdout.decode().splitlines()[-1] == "[]"
    listed = run("--help").stdout.decode()
    assert "check-dataset" in listed and "Check the pages in a JSONL or Parquet dataset" in listed
    assert run("check-dataset", "--help").returncode == 0
    r = run("check-datase")
    assert r.returncode == 2 and b"Did you mean 'check-dataset'?" in r.stderr


def test_collector_is_paused_for_start_up_only(tmp_path, monkeypatch):
    import gc

    from talklint import cli as cli_module
    from talklint import engine

    enabled = []
    real_init, real_lint = engine.Linter.__init__, engine.Linter.lint_path

    def init(self, *args, **kwargs):
        enabled.append(("build", gc.isenabled()))
        real_init(self, *args, **kwargs)

    def lint_path(self, *args, **kwargs):
        enabled.append(("lint", gc.isenabled()))
        return real_lint(self, *args, **kwargs)

    monkeypatch.setattr(engine.Linter, "__init__", init)
    monkeypatch.setattr(engine.Linter, "lint_path", lint_path)
    page = write(tmp_path / "talk.md", "# Talk\n")
    try:
        with pytest.raises(SystemExit):
            cli_module.main(["check", "--no-cache", "--no-progress", str(page)])
        assert enabled == [("build", False), ("lint", True)] and gc.isenabled()
        with pytest.raises(SystemExit) as info:  # stops before linting: the collector is back on
            cli_module.main(["check", "--no-cache", "--select", "TL000", str(page)])
        assert info.value.code == 2 and gc.isenabled()
    finally:
        gc.unfreeze()
        gc.enable()
