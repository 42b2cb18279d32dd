"""``--diff-base REF``: the files changed since a git ref, so a large repository checks only
what a branch or a commit touched.

"Changed" is what a pull request shows plus the work in progress: files that differ between
the merge base of REF and HEAD and the working tree (staged or not), and untracked files that
are not ignored. Deleted files are left out: there is nothing to check.
"""

from __future__ import annotations

import subprocess
from pathlib import Path


class GitError(Exception):
    """git is missing, the folder is not in a work tree, or the ref is unknown."""


def _git(args: list[str], cwd: Path) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True,
                              encoding="utf-8", errors="surrogateescape")
    except OSError as exc:
        raise GitError(f"cannot run git: {exc.strerror or exc}") from None
    if done.returncode != 0:
        raise GitError(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"git {args[0]} failed")
    return done.stdout


def changed_files(ref: str, cwd: Path | None = None) -> set[Path]:
    """Absolute, resolved paths of the files changed since ``ref``."""
    cwd = (cwd or Path.cwd()).resolve()
    top = Path(_git(["rev-parse", "--show-toplevel"], cwd).strip())
    try:
        _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], cwd)
    except GitError:
        raise GitError(f"--diff-base: unknown git ref {ref!r}") from None
    try:
        base = _git(["merge-base", ref, "HEAD"], cwd).strip()
    except GitError:  # no common history (or no HEAD yet): compare with the ref itself
        base = ref
    names = _git(["diff", "--name-only", "-z", "--no-renames", "--diff-filter=d", base, "--"], top).split("\0")
    names += _git(["ls-files", "--others", "--exclude-standard", "-z"], top).split("\0")
    return {(top / name).resolve() for name in names if name}


def keep_changed(files: list[str], ref: str) -> list[str]:
    """The files (as given) that changed since ``ref``, in their order."""
    changed = changed_files(ref)
    return [f for f in files if f == "-" or Path(f).resolve() in changed]
