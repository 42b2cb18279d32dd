"""The fixer: passes to a fixed point, overlap handling, convergence failure, the write path."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from talklint.engine import FixMode, Linter, Overrides
from talklint.finding import Applicability, Edit, Fix, Severity
from talklint.fixer import (FixPolicy, WriteError, apply_edits, choose_fixes, fix_source, overlaps,
                            write_atomically)
from talklint.registry import load_registry
from talklint.rule import Rule
from talklint.source import Source

ROOT = Path(__file__).resolve().parent.parent


def run(*args, cwd=None, input=None):
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    return subprocess.run([sys.executable, "-m", "talklint", *args], cwd=cwd, input=input,
                          capture_output=True, env=env, timeout=120)


# -- edits ----------------------------------------------------------------------------------------

def test_overlaps():
    assert overlaps(Edit(0, 5), Edit(4, 6))
    assert not overlaps(Edit(0, 5), Edit(5, 6))  # touching ranges do not overlap
    assert overlaps(Edit(3, 3, "x"), Edit(3, 3, "y"))  # two insertions at one point
    assert overlaps(Edit(3, 3, "x"), Edit(1, 5))  # insertion inside a replaced range
    assert not overlaps(Edit(5, 5, "x"), Edit(1, 5))  # insertion at its end


def test_apply_edits_any_order():
    assert apply_edits("abcdef", [Edit(4, 6, "X"), Edit(0, 1, ""), Edit(2, 2, "-")]) == "b-cdX"


# -- passes ---------------------------------------------------------------------------------------

class _Base(Rule):
    """## What it does
    Test rule.

    ## Why is this bad?
    Test rule.

    ## Example
    Test rule.
    """

    severity = Severity.WARNING
    fixable = "always"


class UpperA(_Base):
    code, name = "TST001", "upper-a"

    def check(self, ctx):
        t = ctx.source.text
        i = t.find("aa")
        if i >= 0:
            yield self.finding(i, i + 2, "aa", Fix.replace(i, i + 2, "AA"))


class DropSecondA(_Base):
    """Overlaps UpperA's edit, so it must wait for the next pass."""

    code, name = "TST002", "drop-a"

    def check(self, ctx):
        t = ctx.source.text
        i = t.find("aA")
        if i >= 0:
            yield self.finding(i, i + 2, "aA", Fix.replace(i, i + 2, "b"))


class FlipOn(_Base):
    code, name = "TST003", "flip-on"

    def check(self, ctx):
        i = ctx.source.text.find("on")
        if i >= 0:
            yield self.finding(i, i + 2, "on", Fix.replace(i, i + 2, "off"))


class FlipOff(_Base):
    code, name = "TST004", "flip-off"

    def check(self, ctx):
        i = ctx.source.text.find("off")
        if i >= 0:
            yield self.finding(i, i + 3, "off", Fix.replace(i, i + 3, "on"))


class UnsafeX(_Base):
    code, name = "TST005", "unsafe-x"

    def check(self, ctx):
        i = ctx.source.text.find("x")
        if i >= 0:
            yield self.finding(i, i + 1, "x", Fix.replace(i, i + 1, "y", applicability=Applicability.UNSAFE))


def linter_with(*rules):
    registry = load_registry()
    for r in rules:
        registry.add(r)
    return Linter(overrides=Overrides(select=[r.code for r in rules] + ["TL906"]), registry=registry)


def test_overlapping_fixes_wait_for_the_next_pass():
    linter = linter_with(UpperA, DropSecondA)
    found = linter.lint_text("xaaa\n")
    chosen = choose_fixes(found, FixPolicy())
    assert [f.code for f, _ in chosen] == ["TST001"]
    out = fix_source(linter, Source.from_text("p.md", "xaaa\n"), FixPolicy())
    # pass 1: aa→AA gives xAAa; pass 2: nothing overlapping… fixed point reached
    assert out.converged and out.text == fix_source(linter, Source.from_text("p.md", out.text), FixPolicy()).text


def test_fix_twice_equals_fix_once_with_chained_rules():
    linter = linter_with(UpperA, DropSecondA)
    once = fix_source(linter, Source.from_text("p.md", "aaaa aa\n"), FixPolicy()).text
    twice = fix_source(linter, Source.from_text("p.md", once), FixPolicy()).text
    assert once == twice
    assert "aa" not in once


def test_oscillating_fixes_are_reported_and_text_left_unchanged():
    linter = linter_with(FlipOn, FlipOff)
    out = fix_source(linter, Source.from_text("p.md", "switch on\n"), FixPolicy())
    assert not out.converged
    assert out.text == "switch on\n"
    tool = [f for f in out.findings if f.code == "TL906"]
    assert len(tool) == 1
    assert "TST003" in tool[0].message and "TST004" in tool[0].message


def test_unsafe_fixes_only_on_request_and_policy_overrides():
    linter = linter_with(UnsafeX)
    src = Source.from_text("p.md", "x\n")
    assert fix_source(linter, src, FixPolicy()).text == "x\n"
    assert fix_source(linter, src, FixPolicy(unsafe=True)).text == "y\n"
    assert fix_source(linter, src, FixPolicy(extend_safe={"TST005"})).text == "y\n"
    linter2 = linter_with(UpperA)
    assert fix_source(linter2, Source.from_text("p.md", "aa\n"), FixPolicy(extend_unsafe={"TST001"})).text == "aa\n"


def test_display_fixes_are_never_applied():
    class Display(_Base):
        code, name = "TST006", "display-only"

        def check(self, ctx):
            yield self.finding(0, 1, "d", Fix.replace(0, 1, "D", applicability=Applicability.DISPLAY))

    linter = linter_with(Display)
    assert fix_source(linter, Source.from_text("p.md", "d\n"), FixPolicy(unsafe=True)).text == "d\n"


# -- the command line -----------------------------------------------------------------------------

DIRTY = "# Talk   \n\nText  \nmore\u200btext\n"


@pytest.fixture
def page(tmp_path):
    (tmp_path / "talklint.toml").write_text("")
    p = tmp_path / "talk.md"
    p.write_bytes(DIRTY.encode())
    return p


def test_fix_applies_safe_fixes_and_reports_what_remains(page):
    r = run("check", "--fix", "talk.md", "--no-color", cwd=page.parent)
    assert page.read_text() == "# Talk\n\nText  \nmore\u200btext\n"
    assert r.returncode == 1  # the invisible character's fix is unsafe
    out = r.stdout.decode()
    assert "Fixed 1 finding. Found 1 remaining finding in 1 file." in out
    assert "1 more has an unsafe fix (`--unsafe-fixes`)." in out


def test_unsafe_fixes_and_exit_codes(page):
    r = run("check", "--fix", "--unsafe-fixes", "talk.md", cwd=page.parent)
    assert r.returncode == 0, r.stdout
    assert page.read_text() == "# Talk\n\nText  \nmoretext\n"
    page.write_text(DIRTY)
    r = run("check", "--fix", "--unsafe-fixes", "--exit-non-zero-on-fix", "talk.md", cwd=page.parent)
    assert r.returncode == 1
    r = run("check", "--fix", "--unsafe-fixes", "--exit-non-zero-on-fix", "talk.md", cwd=page.parent)
    assert r.returncode == 0  # nothing left to fix


def test_diff_writes_nothing(page):
    r = run("check", "--diff", "talk.md", cwd=page.parent)
    assert r.returncode == 1
    assert page.read_text() == DIRTY
    assert r.stdout.decode() == ("--- a/talk.md\n+++ b/talk.md\n@@ -1,4 +1,4 @@\n-# Talk   \n+# Talk\n"
                                 " \n Text  \n more\u200btext\n")
    assert b"Would apply 1 fix in 1 file." in r.stderr
    clean = page.parent / "clean.md"
    clean.write_text("# Clean\n")
    r = run("check", "--diff", "clean.md", cwd=page.parent)
    assert r.returncode == 0 and r.stdout == b""


def test_show_fixes(page):
    r = run("check", "--fix", "--show-fixes", "--unsafe-fixes", "talk.md", cwd=page.parent)
    out = r.stdout.decode()
    assert "Fixed 2 in talk.md:" in out
    assert "1 × TL201 [trailing-whitespace]" in out and "1 × TL204 [invisible-character]" in out


def test_fix_on_stdin_prints_fixed_text(page):
    r = run("check", "--fix", "-", "--stdin-filename", "talk.md", cwd=page.parent, input=DIRTY.encode())
    assert r.stdout.decode() == "# Talk\n\nText  \nmore\u200btext\n"
    assert b"TL204" in r.stderr
    assert r.returncode == 1


def test_fix_and_diff_cannot_be_combined(page):
    r = run("check", "--fix", "--diff", "talk.md", cwd=page.parent)
    assert r.returncode == 2 and b"cannot be combined" in r.stderr


def test_extend_safe_fixes_from_config(page):
    (page.parent / "talklint.toml").write_text('extend-safe-fixes = ["invisible-character"]\n')
    run("check", "--fix", "talk.md", cwd=page.parent)
    assert page.read_text() == "# Talk\n\nText  \nmoretext\n"


# -- the write path -------------------------------------------------------------------------------

def test_line_endings_and_bom_survive(tmp_path):
    p = tmp_path / "crlf.md"
    p.write_bytes(b"\xef\xbb\xbf# T  \r\n\r\nLine   \r\nlast")
    r = run("check", "--fix", "--select", "TL201,TL202", "crlf.md", cwd=tmp_path)
    assert r.returncode == 0, r.stdout
    assert p.read_bytes() == b"\xef\xbb\xbf# T  \r\n\r\nLine  \r\nlast\r\n"  # two spaces are allowed


def test_permissions_kept(page):
    os.chmod(page, 0o640)
    run("check", "--fix", "talk.md", cwd=page.parent)
    assert stat.S_IMODE(page.stat().st_mode) == 0o640
    assert "Talk   " not in page.read_text()


def test_symlink_is_written_through(page):
    link = page.parent / "link.md"
    link.symlink_to(page.name)
    run("check", "--fix", "link.md", cwd=page.parent)
    assert link.is_symlink()
    assert page.read_text().startswith("# Talk\n")


def test_read_only_file_reported_and_untouched(page, monkeypatch):
    # Root may write anything, so the read-only check is exercised through os.access.
    linter = Linter(overrides=Overrides(select=["TL201"]))
    os.chmod(page, 0o444)
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if mode == os.W_OK else real_access(p, mode))
    result = linter.lint_path(str(page), FixMode(FixPolicy()))
    assert result.write_error == "file is read-only: not written"
    assert page.read_text() == DIRTY
    assert [f.code for f in result.findings] == ["TL201"]  # still reported
    assert sorted(os.listdir(page.parent)) == ["talk.md", "talklint.toml"]


def test_read_only_cli_exit_two(page, monkeypatch, capsys):
    from talklint.cli import main

    os.chmod(page, 0o444)
    real_access = os.access
    if os.geteuid() == 0:  # root may write anything: make the check see what a user would
        monkeypatch.setattr(os, "access", lambda p, mode: False if mode == os.W_OK else real_access(p, mode))
    monkeypatch.chdir(page.parent)
    with pytest.raises(SystemExit) as exit_:
        main(["check", "--fix", "talk.md", "--no-progress"])
    assert exit_.value.code == 2
    assert "talk.md: file is read-only: not written" in capsys.readouterr().err
    assert page.read_text() == DIRTY


def test_concurrent_modification_refused(page):
    original = page.read_bytes()
    page.write_text("someone else edited this\n")
    with pytest.raises(WriteError, match="changed on disk"):
        write_atomically(str(page), original, b"fixed\n")
    assert page.read_text() == "someone else edited this\n"


def test_concurrent_modification_through_cli(page, monkeypatch):
    linter = Linter(overrides=Overrides(select=["TL201"]))
    from talklint import fixer

    real = fixer.fix_source

    def edit_meanwhile(*args, **kwargs):
        out = real(*args, **kwargs)
        page.write_text("edited meanwhile\n")
        return out

    monkeypatch.setattr(fixer, "fix_source", edit_meanwhile)
    result = linter.lint_path(str(page), FixMode(FixPolicy()))
    assert "changed on disk" in result.write_error
    assert page.read_text() == "edited meanwhile\n"


def test_failure_leaves_nothing_behind(page, monkeypatch):
    def boom(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(WriteError, match="No space left"):
        write_atomically(str(page), page.read_bytes(), b"new\n")
    assert page.read_text() == DIRTY
    assert sorted(os.listdir(page.parent)) == ["talk.md", "talklint.toml"]


def test_invalid_utf8_file_is_not_rewritten(tmp_path):
    p = tmp_path / "latin1.md"
    # UTF-8 text with one Latin-1 byte pasted in: damage (TL101), not a whole-file encoding (TL105)
    data = "Caf\u00e9 talk   \n".encode("utf-8") + "Z\u00fcrich\n".encode("latin-1")
    p.write_bytes(data)
    r = run("check", "--fix", "latin1.md", cwd=tmp_path)
    assert p.read_bytes() == data
    assert b"not valid UTF-8: not rewritten" in r.stderr
    assert r.returncode == 1
    r = run("check", "--fix", "--unsafe-fixes", "latin1.md", cwd=tmp_path)
    assert p.read_bytes() == data  # no repair made it valid


def test_fix_seeds_changes_only_what_safe_fixes_claim(tmp_path):
    seeds = tmp_path / "seeds"
    shutil.copytree(ROOT / "seeds", seeds)
    before = {p.name: p.read_bytes() for p in seeds.iterdir()}
    claimed = json.loads(run("check", "seeds", "--output-format", "json", cwd=tmp_path).stdout)
    safe = [f for f in claimed if f["fix"] and f["fix"]["applicability"] == "safe"]
    diff = run("check", "--diff", "seeds", cwd=tmp_path).stdout.decode()
    r = run("check", "--fix", "seeds", cwd=tmp_path)
    assert r.returncode == 1  # the seeds keep findings that have no safe fix
    # Rebuild the expected files from the claimed edits alone and compare byte for byte.
    for name, data in before.items():
        source = Source.from_bytes(name, data)
        edits = []
        for f in safe:
            if Path(f["path"]).name != name:
                continue
            for e in f["fix"]["edits"]:
                start = source.offset(e["line"], e["column"])
                end = source.offset(e["end_line"], e["end_column"])
                edits.append(Edit(start, end, e["content"]))
        expected = apply_edits(source.text, edits).encode("utf-8")
        assert (seeds / name).read_bytes() == expected, name
    # What --diff showed beforehand is exactly what --fix then wrote.
    from talklint.engine import unified_diff

    shown = "".join(
        unified_diff(f"seeds/{name}", Source.from_bytes(name, data).text,
                     Source.from_bytes(name, (seeds / name).read_bytes()).text)
        for name, data in sorted(before.items()))
    assert diff == shown and diff
