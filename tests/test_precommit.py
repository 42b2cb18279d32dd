"""The published pre-commit hooks, run for real: ``pre-commit try-repo`` installs talklint from
this working tree into pre-commit's own environment and runs each hook on a scratch git
repository holding a broken talk page, a clean one and a fixable one.

pre-commit builds that environment with pip (from the package index, or pip's cache), so the
first test takes tens of seconds; the environment is shared by the tests of this module.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

BROKEN = "# Keynote\n\nIt\u00e2\u20ac\u2122s the opening talk.\n"  # `Itâ€™s`: mojibake
CLEAN = "# Keynote\n\nIt\u2019s the opening talk, on May 6, 2025.\n"
FIXABLE = "# Keynote   \n\nIt\u00e2\u20ac\u2122s the opening talk.\n"
FIXED = "# Keynote\n\nIt\u2019s the opening talk.\n"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="pre-commit needs git")


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    repo = tmp_path_factory.mktemp("scratch-repo")
    env = dict(os.environ,
               PRE_COMMIT_HOME=str(tmp_path_factory.mktemp("pre-commit-home")),
               GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.invalid",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.invalid")
    env.pop("PRE_COMMIT", None)
    subprocess.run(["git", "init", "-q", str(repo)], check=True, env=env)
    for name, text in (("broken.md", BROKEN), ("clean.md", CLEAN), ("fixable.md", FIXABLE)):
        (repo / name).write_text(text, encoding="utf-8")
    subprocess.run(["git", "add", "."], cwd=repo, check=True, env=env)
    return repo, env


def try_repo(scratch, hook: str, *files: str) -> subprocess.CompletedProcess:
    repo, env = scratch
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), hook, "--files", *files],
        cwd=repo, env=env, capture_output=True, text=True, timeout=900)


def test_check_hook_fails_on_a_broken_page(scratch):
    result = try_repo(scratch, "talklint", "broken.md")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "broken.md:3:3: TL102" in result.stdout


def test_check_hook_passes_on_a_clean_page(scratch):
    result = try_repo(scratch, "talklint", "clean.md")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Passed" in result.stdout


def test_fix_hook_rewrites_the_page(scratch):
    repo, _ = scratch
    result = try_repo(scratch, "talklint-fix", "fixable.md")
    # pre-commit fails a hook that changed files, so the user sees and stages the fix.
    assert result.returncode == 1, result.stdout + result.stderr
    assert "files were modified by this hook" in result.stdout
    assert (repo / "fixable.md").read_text(encoding="utf-8") == FIXED
    again = try_repo(scratch, "talklint-fix", "fixable.md")
    assert again.returncode == 0, again.stdout + again.stderr


def test_published_hooks_are_valid():
    result = subprocess.run([sys.executable, "-m", "pre_commit", "validate-manifest",
                             str(ROOT / ".pre-commit-hooks.yaml")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    result = subprocess.run([sys.executable, "-m", "pre_commit", "validate-config",
                             str(ROOT / ".pre-commit-config.yaml")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
