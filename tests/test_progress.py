"""The progress counter: shown on a terminal for many files, never in CI or when piped."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path


def make_pages(folder: Path, n: int = 30) -> None:
    folder.mkdir()
    for i in range(n):
        (folder / f"p{i:02}.md").write_text(f"# Page {i}\n\nText.\n")


def run_on_terminal(args, cwd, env) -> bytes:
    """Run talklint with stdout and stderr on a pseudo-terminal, return what it showed."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "talklint", *args], cwd=cwd, env=env,
                            stdin=subprocess.DEVNULL, stdout=slave, stderr=slave)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=120)
    os.close(master)
    return b"".join(chunks)


def test_progress_on_terminal_only(tmp_path):
    make_pages(tmp_path / "pages")
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "NO_COLOR", "FORCE_COLOR")}
    shown = run_on_terminal(["check", "pages", "-j", "1"], tmp_path, env)
    assert b"talklint: 30/30 files" in shown
    assert b"All checks passed" in shown

    in_ci = run_on_terminal(["check", "pages", "-j", "1"], tmp_path, {**env, "CI": "true"})
    assert b"files\r" not in in_ci and b"30/30" not in in_ci

    piped = subprocess.run([sys.executable, "-m", "talklint", "check", "pages"], cwd=tmp_path,
                           env=env, capture_output=True)
    assert b"30/30" not in piped.stderr + piped.stdout
