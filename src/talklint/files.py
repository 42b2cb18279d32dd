"""Which files a run checks: walking folders with excludes, extensions and .gitignore files.

Files named explicitly on the command line are always checked (whatever their extension),
unless ``force-exclude`` is set and an exclude pattern matches them — the setting pre-commit
users want, since pre-commit passes every staged file explicitly.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from .config import Config

if TYPE_CHECKING:
    import pathspec


class FileSelector:
    def __init__(self, config: Config, extra_excludes: list[str] = (), force_exclude: bool | None = None):
        s = config.settings
        self.root = config.root.resolve()
        patterns = list(s.exclude) + list(s.extend_exclude) + list(extra_excludes)
        self._patterns = patterns
        self.extensions = {e.lower().lstrip(".") for e in s.extensions}
        self.respect_gitignore = s.respect_gitignore
        self.force_exclude = s.force_exclude if force_exclude is None else force_exclude
        self._gitignores: dict[Path, pathspec.PathSpec | None] = {}
        # Walking lists thousands of files in a few folders: resolve each folder once.
        self._real_dirs: dict[Path, Path] = {}
        self._git_dirs: dict[Path, bool] = {}
        self._chains: dict[Path, list[tuple[str, pathspec.PathSpec]]] = {}
        # What the walk read, for a run record (:mod:`talklint.replay`): every folder listed,
        # with its mtime and its entries, and every `.gitignore` and `.git` looked for.
        self.listed: list[tuple[str, int, tuple[str, ...]]] = []
        self.looked_for: set[str] = set()

    # -- matching ---------------------------------------------------------------------------

    @functools.cached_property
    def exclude(self) -> "pathspec.PathSpec":
        """The exclude patterns, compiled when first needed: a run on files named on the
        command line (pre-commit) does not need them."""
        import pathspec

        return pathspec.GitIgnoreSpec.from_lines(self._patterns)

    def _resolve(self, path: Path) -> Path:
        """``path.resolve()``, resolving the folder once for all the files in it."""
        if path.is_symlink() or path.name in ("", ".", ".."):
            return path.resolve()
        return self._resolve_dir(path.parent) / path.name

    def _resolve_dir(self, folder: Path) -> Path:
        if folder not in self._real_dirs:
            self._real_dirs[folder] = folder.resolve()
        return self._real_dirs[folder]

    def _rel(self, real: Path) -> str | None:
        try:
            return real.relative_to(self.root).as_posix()
        except ValueError:
            return None

    def _has_git(self, folder: Path) -> bool:
        if folder not in self._git_dirs:
            self.looked_for.add(str(folder / ".git"))
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
            self.looked_for.add(str(f))
            if f.is_file():
                try:
                    import pathspec

                    spec = pathspec.GitIgnoreSpec.from_lines(f.read_text(encoding="utf-8", errors="replace").splitlines())
                except (OSError, ValueError):
                    spec = None
            self._gitignores[folder] = spec
        return self._gitignores[folder]

    def _gitignored(self, path: Path, is_dir: bool) -> bool:
        return _ignored_by(self._gitignore_chain(path.parent), path.as_posix(), is_dir)


    def _gitignore_chain(self, folder: Path) -> list[tuple[str, pathspec.PathSpec]]:
        """The .gitignore files that apply in ``folder`` (up to the repository or the config
        root), each with the folder prefix its patterns are relative to; once per folder."""
        if folder not in self._chains:
            spec = self._gitignore_spec(folder)
            chain = []
            if spec is not None:
                prefix = folder.as_posix()
                chain.append((prefix if prefix.endswith("/") else prefix + "/", spec))
            # The folder above has its chain already, in a walk: build on it.
            if folder != self.root and not self._has_git(folder) and folder.parent != folder:
                chain += self._gitignore_chain(folder.parent)
            self._chains[folder] = chain
        return self._chains[folder]

    def wanted_extension(self, name: str) -> bool:
        """Whether a file of this name is checked when a folder is walked."""
        return _suffix(name).lower().lstrip(".") in self.extensions

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
        """The wanted files under ``top``, as :meth:`is_excluded` decides, with the work done
        once per folder rather than once per file (folders hold thousands of pages). Symlinked
        folders are listed, never entered."""
        found = []
        todo = [str(top)]
        while todo:
            folder = todo.pop()
            try:
                with os.scandir(folder) as listing:
                    entries = list(listing)
            except OSError:
                continue
            self._note_listing(folder, [e.name for e in entries])
            here = _Folder(self, Path(folder))
            for entry in entries:
                try:
                    is_dir = entry.is_dir()
                except OSError:
                    is_dir = False
                if is_dir:
                    if not here.excludes(entry, True) and not entry.is_symlink():
                        todo.append(entry.path)
                        # Not a link: its real path follows from this folder's, no resolving.
                        self._real_dirs[Path(entry.path)] = here.real_dir / entry.name
                elif self.wanted_extension(entry.name) and not here.excludes(entry, False):
                    found.append(here.display(entry.name))
        yield from sorted(found)

    def _note_listing(self, folder: str, names: list[str]) -> None:
        self.listed.append(listing(folder, names))



class _Folder:
    """One walked folder: what :meth:`FileSelector.is_excluded` needs for each of its entries,
    computed once."""

    def __init__(self, selector: FileSelector, base: Path):
        self.selector = selector
        self.base = base
        self.shown = str(base)
        self.posix = base.as_posix()
        self.real_dir = selector._resolve_dir(base)
        self.real = str(self.real_dir)
        self.chain = selector._gitignore_chain(self.real_dir) if selector.respect_gitignore else []
        root = str(selector.root)
        self.root, self.root_prefix = root, root if root.endswith(os.sep) else root + os.sep

    def display(self, name: str) -> str:
        """``str(base / name)``."""
        return _child(self.shown, name, os.sep)

    def excludes(self, entry: os.DirEntry, is_dir: bool) -> bool:
        selector = self.selector
        if entry.is_symlink():
            resolved = Path(entry.path).resolve()
            real = str(resolved)
            chain = selector._gitignore_chain(resolved.parent) if selector.respect_gitignore else []
        else:
            real, chain = _child(self.real, entry.name, os.sep), self.chain
        slash = "/" if is_dir else ""
        own = _child(self.posix, entry.name, "/")
        if selector.exclude.match_file(own + slash):
            return True
        if real == self.root:
            rel: str | None = "."
        elif real.startswith(self.root_prefix):
            rel = real[len(self.root_prefix):].replace(os.sep, "/")
        else:
            rel = None
        if rel is not None and rel != own and selector.exclude.match_file(rel + slash):
            return True
        return bool(chain) and _ignored_by(chain, real.replace(os.sep, "/"), is_dir)


def listing(folder: str, names: list[str]) -> tuple[str, int, tuple[str, ...]]:
    """(folder, mtime, sorted names) of a folder just listed, for a run record
    (:mod:`talklint.replay`). Taken after listing: a folder changed since then has a newer
    mtime, which a run record treats as too recent to trust (it compares the listing instead);
    -1 when the folder cannot be read."""
    try:
        mtime = os.stat(folder).st_mtime_ns
    except OSError:
        mtime = -1
    return folder, mtime, tuple(sorted(names))


def _ignored_by(chain: list[tuple[str, pathspec.PathSpec]], text: str, is_dir: bool) -> bool:
    """Whether the .gitignore files of ``chain`` (closest first) ignore ``text`` (a real path,
    as POSIX). As in git, the closest file that has a say decides: `!name` in a folder's
    .gitignore takes back what a .gitignore above it ignored."""
    for prefix, spec in chain:
        verdict = spec.check_file(text[len(prefix):] + ("/" if is_dir else "")).include
        if verdict is not None:
            return verdict
    return False


def _suffix(name: str) -> str:
    """``PurePath(name).suffix``."""
    i = name.rfind(".")
    return name[i:] if 0 < i < len(name) - 1 else ""


def _child(folder: str, name: str, sep: str) -> str:
    """``folder / name`` as pathlib writes it (``.`` disappears)."""
    if folder == ".":
        return name
    return folder + name if folder.endswith(sep) else folder + sep + name
