"""``--diff-base REF``: only the files changed since a git ref are checked."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from test_cli import run, write

DIRTY = "# Talk\n\nTrailing spaces   \n"

pytestmark = pytest.mark.skipif(subprocess.run(["git", "--version"], capture_output=True).returncode != 0,
                                reason="needs git")

GIT_ENV = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.invalid",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.invalid")


def git(repo, *args):
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, env=GIT_ENV)


@pytest.fixture
def repo(tmp_path):
    """main: old.md and edited.md (both dirty); branch `topic` edits edited.md, adds new.md,
    deletes gone.md; main moves on with main-only.md; untracked.md is not committed."""
    git(tmp_path, "init", "-q", "-b", "main")
    write(tmp_path / "talklint.toml", "")
    for name in ("old.md", "edited.md", "gone.md"):
        write(tmp_path / "talks" / name, DIRTY)
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "base")
    git(tmp_path, "checkout", "-q", "-b", "topic")
    write(tmp_path / "talks" / "edited.md", DIRTY + "More.\n")
    write(tmp_path / "talks" / "new.md", DIRTY)
    (tmp_path / "talks" / "gone.md").unlink()
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "topic")
    git(tmp_path, "checkout", "-q", "main")
    write(tmp_path / "talks" / "main-only.md", DIRTY)
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "main moves on")
    git(tmp_path, "checkout", "-q", "topic")
    write(tmp_path / "talks" / "untracked.md", DIRTY)
    write(tmp_path / ".gitignore", "ignored.md\n")
    write(tmp_path / "talks" / "ignored.md", DIRTY)
    return tmp_path


def checked_paths(repo, *args):
    r = run("check", *args, "--output-format", "json", cwd=repo)
    assert r.returncode in (0, 1), r.stderr.decode()
    return sorted({f["path"] for f in json.loads(r.stdout)})


def test_only_files_changed_since_the_merge_base_are_checked(repo):
    assert checked_paths(repo, "--diff-base", "main") == [
        "talks/edited.md", "talks/new.md", "talks/untracked.md"]


def test_without_diff_base_everything_is_checked(repo):
    assert checked_paths(repo) == ["talks/edited.md", "talks/new.md", "talks/old.md", "talks/untracked.md"]


def test_uncommitted_edits_count_as_changed(repo):
    write(repo / "talks" / "old.md", DIRTY + "Edited, not committed.\n")
    assert "talks/old.md" in checked_paths(repo, "--diff-base", "HEAD")
    assert checked_paths(repo, "talks/edited.md", "--diff-base", "HEAD") == []


def test_works_from_a_subfolder(repo):
    r = run("check", ".", "--diff-base", "main", "--output-format", "json", cwd=repo / "talks")
    assert sorted({f["path"] for f in json.loads(r.stdout)}) == ["edited.md", "new.md", "untracked.md"]


def test_unknown_ref_is_a_usage_error(repo):
    r = run("check", "--diff-base", "no-such-branch", cwd=repo)
    assert r.returncode == 2
    assert "unknown git ref 'no-such-branch'" in r.stderr.decode()


def test_outside_a_git_work_tree_is_a_usage_error(tmp_path):
    write(tmp_path / "talklint.toml", "")
    write(tmp_path / "a.md", DIRTY)
    r = run("check", "--diff-base", "main", cwd=tmp_path, env={"GIT_CEILING_DIRECTORIES": str(tmp_path.parent)})
    assert r.returncode == 2
    assert "talklint: error:" in r.stderr.decode()


def test_cross_file_rules_do_not_judge_a_slice(tmp_path):
    git(tmp_path, "init", "-q", "-b", "main")
    write(tmp_path / "talklint.toml", "")
    write(tmp_path / "speakers" / "amy.md", "---\nname: Amy\n---\n\nAmy.\n")
    write(tmp_path / "talks" / "t.md", "---\ntitle: T\nspeakers: [amy, bob]\n---\n\nA talk.\n")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "base")
    write(tmp_path / "speakers" / "amy.md", "---\nname: Amy\n---\n\nAmy, edited.\n")
    everything = run("check", "--output-format", "json", cwd=tmp_path)
    assert "TL360" in {f["code"] for f in json.loads(everything.stdout)}  # bob has no page
    changed = run("check", "--diff-base", "HEAD", "--output-format", "json", cwd=tmp_path)
    assert changed.returncode == 0, changed.stdout.decode()
