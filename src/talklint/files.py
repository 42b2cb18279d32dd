"""Which files a run checks: walking folders with excludes, extensions and .gitignore files.

Files named explicitly on the command line are always checked (whatever their extension),
unless ``force-exclude`` is set and an exclude pattern matches them — the setting pre-commit
users want, since pre-commit passes every staged file explicitly.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

import pathspec

from .config import Config


class FileSelector:
    def __init__(self, config: Config, extra_excludes: list[str] = (), force_exclude: bool | None = None):
        s = config.settings
        self.root = config.root.resolve()
        patterns = list(s.exclude) + list(s.extend_exclude) + list(extra_excludes)
        self.exclude = pathspec.GitIgnoreSpec.from_lines(patterns)
        self.extensions = {e.lower().lstrip(".") for e in s.extensions}
        self.respect_gitignore = s.respect_gitignore
        self.force_exclude = s.force_exclude if force_exclude is None else force_exclude
        self._gitignores: dict[Path, pathspec.PathSpec | None] = {}
        # Walking lists thousands of files in a few folders: resolve each folder once.
        self._real_dirs: dict[Path, Path] = {}
        self._git_dirs: dict[Path, bool] = {}
        self._chains: dict[Path, list[tuple[str, pathspec.PathSpec]]] = {}

    # -- matching ---------------------------------------------------------------------------

    def _resolve(self, path: Path) -> Path:
        """``path.resolve()``, resolving the folder once for all the files in it."""
        if path.is_symlink() or path.name in ("", ".", ".."):
            return path.resolve()
        parent = path.parent
        if parent not in self._real_dirs:
            self._real_dirs[parent] = parent.resolve()
        return self._real_dirs[parent] / path.name

    def _rel(self, real: Path) -> str | None:
        try:
            return real.relative_to(self.root).as_posix()
        except ValueError:
            return None

    def _has_git(self, folder: Path) -> bool:
        if folder not in self._git_dirs:
            self._git_dirs[folder] = (folder / ".git").exists()
        return self._git_dirs[folder]

    def is_excluded(self, path: Path, is_dir: bool) -> bool:
        real = self._resolve(path)
        rel = self._rel(real)
        candidates = [rel] if rel is not None else []
        candidates.append(path.as_posix())
        for c in candidates:
            c = c + "/" if is_dir and not c.endswith("/") else c
            if self.exclude.match_file(c):
                return True
        return self.respect_gitignore and self._gitignored(real, is_dir)

    def _gitignore_spec(self, folder: Path) -> pathspec.PathSpec | None:
        if folder not in self._gitignores:
            spec = None
            f = folder / ".gitignore"
            if f.is_file():
                try:
                    spec = pathspec.GitIgnoreSpec.from_lines(f.read_text(encoding="utf-8", errors="replace").splitlines())
                except (OSError, ValueError):
                    spec = None
            self._gitignores[folder] = spec
        return self._gitignores[folder]

    def _gitignored(self, path: Path, is_dir: bool) -> bool:
        text = path.as_posix()
        for prefix, spec in self._gitignore_chain(path.parent):
            if spec.match_file(text[len(prefix):] + ("/" if is_dir else "")):
                return True
        return False

    def _gitignore_chain(self, folder: Path) -> list[tuple[str, pathspec.PathSpec]]:
        """The .gitignore files that apply in ``folder`` (up to the repository or the config
        root), each with the folder prefix its patterns are relative to; once per folder."""
        if folder not in self._chains:
            chain = []
            for above in (folder, *folder.parents):
                spec = self._gitignore_spec(above)
                if spec is not None:
                    prefix = above.as_posix()
                    chain.append((prefix if prefix.endswith("/") else prefix + "/", spec))
                if above == self.root or self._has_git(above):
                    break
            self._chains[folder] = chain
        return self._chains[folder]

    def wanted_extension(self, path: Path) -> bool:
        return path.suffix.lower().lstrip(".") in self.extensions

    # -- walking ----------------------------------------------------------------------------

    def collect(self, args: list[str]) -> Iterator[str]:
        """Yield the paths to check, in a stable order; missing paths are yielded too, so the
        engine reports them instead of silently skipping them."""
        for arg in args:
            if arg == "-":
                yield arg
                continue
            path = Path(arg)
            if path.is_dir():
                yield from self._walk(path)
            elif self.force_exclude and self.is_excluded(path, False):
                continue
            else:
                yield arg

    def _walk(self, top: Path) -> Iterator[str]:
        found = []
        for folder, dirs, files in os.walk(top, followlinks=False):
            base = Path(folder)
            dirs[:] = sorted(d for d in dirs if not self.is_excluded(base / d, True))
            for name in files:
                p = base / name
                if self.wanted_extension(p) and not self.is_excluded(p, False):
                    found.append(str(p))
        yield from sorted(found)
