"""The engine's own findings that no fixture file can produce: TL901 and TL903."""

from __future__ import annotations

from talklint.engine import Linter, Overrides
from talklint.registry import load_registry
from talklint.rule import Rule
from talklint.source import Source

from oracle import check_finding


def test_unreadable_missing_file(tmp_path):
    linter = Linter(overrides=Overrides(select=["ALL"]))
    path = str(tmp_path / "missing.md")
    result = linter.lint_path(path)
    assert [(f.code, f.line, f.column) for f in result.findings] == [("TL901", 1, 1)]
    assert "No such file or directory" in result.findings[0].message
    assert result.findings[0].path == path


def test_unreadable_directory(tmp_path):
    linter = Linter(overrides=Overrides(select=["ALL"]))
    result = linter.lint_path(str(tmp_path))
    [finding] = result.findings
    assert finding.code == "TL901" and "Is a directory" in finding.message


def test_unreadable_can_be_ignored(tmp_path):
    linter = Linter(overrides=Overrides(select=["ALL"], ignore=["unreadable-file"]))
    assert linter.lint_path(str(tmp_path / "missing.md")).findings == []


class Crashing(Rule):
    """## What it does
    Crashes.

    ## Why is this bad?
    It is a test double.

    ## Example
    Any text.
    """

    code = "ZZ999"
    name = "crashing-rule"
    summary = "Always raises"

    def check(self, ctx):
        raise ValueError("boom")


def test_internal_error_keeps_other_findings():
    registry = load_registry()
    registry.add(Crashing)
    linter = Linter(overrides=Overrides(select=["ALL", "ZZ999"]), registry=registry)
    text = "# Title \n\nText\u200b\n"
    findings = linter.lint_text(text, "page.md")
    codes = sorted(f.code for f in findings)
    assert codes == ["TL201", "TL204", "TL903"]
    [crash] = [f for f in findings if f.code == "TL903"]
    assert "ZZ999 [crashing-rule]" in crash.message and "ValueError: boom" in crash.message
    source = Source.from_text("page.md", text)
    assert all(check_finding(source, f) is None for f in findings)
