"""Which files a walk yields: the per-folder walk must agree with `is_excluded`, file by file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from test_cli import write

from talklint.config import Config, load_config
from talklint.files import FileSelector


def reference(selector: FileSelector, top: str) -> list[str]:
    """The walk written plainly: os.walk, and `is_excluded` asked about every entry."""
    found = []
    for folder, dirs, files in os.walk(top, followlinks=False):
        base = Path(folder)
        dirs[:] = sorted(d for d in dirs if not selector.is_excluded(base / d, True))
        for name in files:
            p = base / name
            if selector.wanted_extension(name) and not selector.is_excluded(p, False):
                found.append(str(p))
    return sorted(found)


@pytest.fixture
def tree(tmp_path) -> Path:
    root = tmp_path / "site"
    write(root / "talklint.toml", 'extend-exclude = ["drafts/", "*.skip.md", "/top-only.md"]\n')
    write(root / ".gitignore", "ignored.md\n*.log\nbuild/\nsub/*.txt\n")
    for name in ["a.md", "A.MD", "top-only.md", "x.skip.md", "ignored.md", "notes.txt", ".hidden.md",
                 "name.", ".md", "page.mdx", "image.png", "node_modules/n.md", "build/b.md", "drafts/d.md",
                 "sub/ignored.md", "sub/local.md", "sub/s.txt", "sub/deep/ignored.md", "sub/deep/top-only.md",
                 "repo/r.md", "repo/q.md", "weird name/ü.md"]:
        write(root / name, "# x\n")
    write(root / "sub" / ".gitignore", "!ignored.md\nlocal.md\n")
    (root / "repo" / ".git").mkdir()
    write(root / "repo" / ".gitignore", "r.md\n")
    (root / "link-dir").symlink_to(root / "sub")
    (root / "link-file.md").symlink_to(root / "a.md")
    (root / "broken.md").symlink_to(root / "nowhere.md")
    return root


@pytest.mark.parametrize("where, top", [
    ("site", "."), ("site", "sub"), ("site", "./sub"), ("site", "sub/../sub"), ("site", "link-dir"),
    ("outside", "site"), ("outside", "site/sub"), ("site", "ABS"),
])
@pytest.mark.parametrize("gitignore", [True, False])
def test_walk_agrees_with_is_excluded(tree, monkeypatch, where, top, gitignore):
    monkeypatch.chdir(tree if where == "site" else tree.parent)
    config = load_config(tree / "talklint.toml")
    config.settings.respect_gitignore = gitignore
    top = str(tree) if top == "ABS" else top
    walked = list(FileSelector(config).collect([top]))
    assert walked == reference(FileSelector(config), top)
    assert walked  # the tree is not all excluded


def test_what_the_walk_yields(tree, monkeypatch):
    monkeypatch.chdir(tree)
    walked = list(FileSelector(load_config(tree / "talklint.toml")).collect(["."]))
    assert walked == sorted([
        "A.MD", "a.md", ".hidden.md", "broken.md", "link-file.md", "notes.txt", "page.mdx",
        "repo/q.md", "sub/deep/ignored.md", "sub/deep/top-only.md", "sub/ignored.md", "weird name/ü.md",
    ])


def test_walk_without_a_config(tree, monkeypatch):
    monkeypatch.chdir(tree / "sub")
    walked = list(FileSelector(Config()).collect(["."]))
    assert walked == reference(FileSelector(Config()), ".")
    assert "deep/top-only.md" in walked and "local.md" not in walked
