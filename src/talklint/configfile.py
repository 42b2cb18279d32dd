"""Finding the config file and reading its talklint table, before any validation.

Kept apart from :mod:`talklint.config` (which validates with pydantic) so that a run that is
replayed (:mod:`talklint.replay`) can find its cache folder without importing the models.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

CONFIG_FILES = ("talklint.toml", ".talklint.toml", "pyproject.toml")


class ConfigError(Exception):
    """A configuration problem; the message names the file and the key."""


def _toml():
    """The TOML parser, imported when a file is parsed: most runs of one file parse none."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    return tomllib


def _may_name_talklint(text: str) -> bool:
    """False when no key of the TOML ``text`` can be ``talklint``: the word is not in it, and
    no escape (``\\u0074alklint`` in a quoted key) could spell it. Parsing a project's
    pyproject.toml took more than the rest of finding the config."""
    return "talklint" in text or "\\u" in text or "\\U" in text


def discovery_start(paths: list[str]) -> Path:
    """Where discovery starts: the common folder of the checked paths (else the current one)."""
    real = [Path(p) for p in paths if p != "-"] or [Path.cwd()]
    try:
        return Path(os.path.commonpath([str(p.resolve()) for p in real]))
    except ValueError:  # paths on different drives
        return Path.cwd()


def find_config_file(start: Path, tried: list[str] | None = None) -> Path | None:
    """The nearest `talklint.toml`, `.talklint.toml` or `pyproject.toml` with a
    ``[tool.talklint]`` table, from ``start`` upward; ``tried`` collects every path looked at."""
    folder = start if start.is_dir() else start.parent
    folder = folder.resolve()
    for candidate in (folder, *folder.parents):
        for name in CONFIG_FILES:
            path = candidate / name
            if tried is not None:
                tried.append(str(path))
            if not path.is_file():
                continue
            if name != "pyproject.toml":
                return path
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue  # a broken pyproject of someone else's tool is not ours to judge here
            if not _may_name_talklint(text):
                continue
            tomllib = _toml()
            try:
                data = tomllib.loads(text)
            except tomllib.TOMLDecodeError:
                continue
            if "talklint" in data.get("tool", {}):
                return path
    return None


def read_table(path: Path) -> tuple[dict, str]:
    """The talklint settings of a config file, unvalidated, and how its table is named."""
    tomllib = _toml()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not valid UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    if path.name == "pyproject.toml":
        return data.get("tool", {}).get("talklint", {}), "[tool.talklint]"
    return data, ""
