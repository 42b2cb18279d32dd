"""The CI output formats end to end: SARIF (validated against the SARIF 2.1.0 schema), GitLab
Code Quality, JUnit XML, JSON lines, and GitHub workflow commands that a page cannot hijack."""

from __future__ import annotations

import io
import json
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from talklint.finding import Finding, Severity
from talklint.report.github import GithubReporter
from talklint.report.junit import JunitReporter

from test_cli import run, write

HERE = Path(__file__).resolve().parent
SARIF_SCHEMA = HERE / "data" / "sarif" / "sarif-2.1.0-rtm.5.json"

DAMAGED = ("# Keynote\n\nItâ€™s the opening talk.   \n\n"
           "Also: donâ€™t miss the closing talk.\n\nItâ€™s the opening talk.   \n")


@pytest.fixture
def repo(tmp_path):
    """A git work tree (the repository root CI resolves paths from) with the pages one level down."""
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    write(tmp_path / "talklint.toml", "")
    write(tmp_path / "talks" / "damaged.md", DAMAGED)
    write(tmp_path / "talks" / "clean.md", "# Talk\n\nA clean page.\n")
    return tmp_path


def report(repo, fmt, *paths):
    r = run("check", *(paths or ("talks",)), "--output-format", fmt, cwd=repo)
    assert r.returncode == 1, r.stderr.decode()
    return r.stdout.decode("utf-8")


def json_findings(repo):
    return json.loads(report(repo, "json"))


# -- SARIF --------------------------------------------------------------------------------------

def test_sarif_is_valid_sarif_2_1_0(repo):
    log = json.loads(report(repo, "sarif"))
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.validate(log, schema, cls=jsonschema.Draft4Validator)
    run_ = log["runs"][0]
    assert log["version"] == "2.1.0"
    assert run_["columnKind"] == "unicodeCodePoints"
    assert run_["originalUriBaseIds"]["%SRCROOT%"]["uri"] == repo.resolve().as_uri() + "/"


def test_sarif_results_match_the_json_report(repo):
    results = json.loads(report(repo, "sarif"))["runs"][0]["results"]
    expected = json_findings(repo)
    assert len(results) == len(expected) > 0
    for got, want in zip(results, expected):
        location = got["locations"][0]["physicalLocation"]
        assert location["artifactLocation"] == {"uri": "talks/damaged.md", "uriBaseId": "%SRCROOT%"}
        assert location["region"] == {"startLine": want["line"], "startColumn": want["column"],
                                      "endLine": want["end_line"], "endColumn": want["end_column"]}
        assert got["ruleId"] == want["code"]
        assert got["message"]["text"] == want["message"]


def test_sarif_describes_each_rule_from_its_documentation(repo):
    driver = json.loads(report(repo, "sarif"))["runs"][0]["tool"]["driver"]
    ids = [r["id"] for r in driver["rules"]]
    assert sorted(ids) == sorted(set(ids)) and {"TL102", "TL201"} <= set(ids)
    for result in json.loads(report(repo, "sarif"))["runs"][0]["results"]:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
    mojibake = driver["rules"][ids.index("TL102")]
    assert mojibake["name"] == "mojibake"
    assert "Why is this bad?" in mojibake["help"]["markdown"]


def test_sarif_paths_are_relative_to_the_repository_root_from_any_folder(repo):
    r = run("check", "damaged.md", "--output-format", "sarif", cwd=repo / "talks")
    result = json.loads(r.stdout)["runs"][0]["results"][0]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "talks/damaged.md"


def _fingerprints(log_text):
    return [r["partialFingerprints"]["talklint/v1"] for r in json.loads(log_text)["runs"][0]["results"]]


def test_sarif_fingerprints_are_unique_and_survive_moved_lines(repo):
    before = _fingerprints(report(repo, "sarif"))
    assert len(set(before)) == len(before)  # the repeated line's findings stay distinct
    write(repo / "talks" / "damaged.md", "<!-- a new first line -->\n\n" + DAMAGED)
    after = _fingerprints(report(repo, "sarif"))
    assert after == before


def test_sarif_carries_fixes_as_replacements(repo):
    results = json.loads(report(repo, "sarif"))["runs"][0]["results"]
    trailing = next(r for r in results if r["ruleId"] == "TL201")
    replacement = trailing["fixes"][0]["artifactChanges"][0]["replacements"][0]
    assert replacement["deletedRegion"] == {"startLine": 3, "startColumn": 25, "endLine": 3, "endColumn": 28}
    assert replacement["insertedContent"] == {"text": ""}


# -- GitLab Code Quality ------------------------------------------------------------------------

def test_gitlab_code_quality_report(repo):
    issues = json.loads(report(repo, "gitlab"))
    expected = json_findings(repo)
    assert len(issues) == len(expected)
    for issue, want in zip(issues, expected):
        assert issue["check_name"] == want["code"]
        assert issue["location"] == {"path": "talks/damaged.md",
                                     "lines": {"begin": want["line"], "end": want["end_line"]}}
        assert issue["severity"] in {"info", "minor", "major", "critical", "blocker"}
        assert want["message"] in issue["description"]
    fingerprints = [i["fingerprint"] for i in issues]
    assert len(set(fingerprints)) == len(fingerprints)
    write(repo / "talks" / "damaged.md", "\n\n\n" + DAMAGED)
    assert [i["fingerprint"] for i in json.loads(report(repo, "gitlab"))] == fingerprints


# -- JUnit --------------------------------------------------------------------------------------

def test_junit_one_case_per_file_one_failure_per_finding(repo):
    root = ET.fromstring(report(repo, "junit"))
    cases = {c.get("name"): c for c in root.iter("testcase")}
    assert set(cases) == {"talks/clean.md", "talks/damaged.md"}
    assert cases["talks/clean.md"].find("failure") is None
    failures = cases["talks/damaged.md"].findall("failure")
    assert [f.get("type") for f in failures] == [f["code"] for f in json_findings(repo)]
    assert root.get("failures") == str(len(failures))


def test_junit_output_stays_well_formed_with_control_characters():
    out = io.StringIO()
    reporter = JunitReporter(out)
    reporter.start()
    finding = Finding("TL204", "invisible-character", "bad \x00\x1b[31m text \udc80", 0, 1,
                      Severity.WARNING, path="p.md", line=1, column=1, end_line=1, end_column=2)
    reporter.file("p\x07.md", [finding])
    reporter.finish(None)
    root = ET.fromstring(out.getvalue())  # raises on a character XML cannot hold
    failure = root.find(".//failure")
    assert "<U+0000><U+001B>[31m" in failure.get("message")
    assert root.find(".//testcase").get("name") == "p<U+0007>.md"


# -- JSON lines ---------------------------------------------------------------------------------

def test_json_lines_are_the_json_report_one_per_line(repo):
    lines = report(repo, "json-lines").splitlines()
    assert [json.loads(line) for line in lines] == json_findings(repo)


# -- GitHub workflow commands -------------------------------------------------------------------

def _assert_only_annotations(output: str) -> None:
    for line in output.split("\n")[:-1]:
        assert line.startswith(("::error ", "::warning ", "::notice ")), repr(line)
    assert "\r" not in output


def test_github_messages_cannot_issue_workflow_commands():
    out = io.StringIO()
    message = "quoted text\n::set-env name=PATH::/evil\r\n::stop-commands::token\n::add-mask::x"
    finding = Finding("TL102", "mojibake", message, 0, 1, Severity.ERROR, path="a,b:c.md",
                      line=1, column=1, end_line=1, end_column=2)
    GithubReporter(out).file("a,b:c.md", [finding])
    _assert_only_annotations(out.getvalue())
    assert "file=a%2Cb%3Ac.md," in out.getvalue()
    assert "%0A::set-env name=PATH::/evil%0D%0A::stop-commands::token" in out.getvalue()


def test_github_output_of_a_page_that_holds_workflow_commands(tmp_path):
    page = ("# Talk\n\n::set-env name=PATH::/evil\n::stop-commands::pwned\n"
            "::stop-commands::pwned   \nItâ€™s here\n::add-mask::Itâ€™s\n")
    write(tmp_path / "talklint.toml", "")
    write(tmp_path / "evil.md", page)
    r = run("check", "evil.md", "--output-format", "github", cwd=tmp_path)
    assert r.returncode == 1
    output = r.stdout.decode("utf-8")
    _assert_only_annotations(output)
    assert output.count("\n") >= 3  # the findings are there, each on its own annotation line


def test_junit_cross_file_findings_join_their_file_case():
    out = io.StringIO()
    reporter = JunitReporter(out)
    reporter.start()
    first = Finding("TL201", "trailing-whitespace", "x", 0, 1, path="a.md", line=1, column=1, end_line=1, end_column=2)
    late = Finding("TL360", "missing-speaker-page", "y", 0, 1, path="a.md", line=2, column=1, end_line=2, end_column=2)
    reporter.file("a.md", [first])
    reporter.cross_file("a.md", [late])
    reporter.finish(None)
    root = ET.fromstring(out.getvalue())
    assert [c.get("name") for c in root.iter("testcase")] == ["a.md"]
    assert [f.get("type") for f in root.iter("failure")] == ["TL201", "TL360"]
