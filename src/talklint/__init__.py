"""talklint: a data-quality linter for conference talk and event pages written in markdown.

The library API is :func:`lint_text` (and :func:`lint_file`): the findings are the objects the
command line reports (:class:`talklint.finding.Finding`, with ``line``/``column`` filled in).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Mapping


def __getattr__(name: str) -> str:
    # The version is read from the installed metadata when asked for, not on every import.
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    global __version__
    try:
        from importlib.metadata import version as _version

        __version__ = _version("talklint")
    except Exception:  # pragma: no cover - running from a source tree
        __version__ = "0.0.0"
    return __version__

if TYPE_CHECKING:
    from .config import Config
    from .engine import Linter
    from .finding import Finding

__all__ = ["__version__", "lint_text", "lint_file", "linter_for"]

_LINTERS: dict[str, "Linter"] = {}


def linter_for(config: "Config | str | os.PathLike | Mapping[str, Any] | None" = None,
               overrides=None, registry=None) -> "Linter":
    """The :class:`~talklint.engine.Linter` for a configuration, built once and reused.

    ``config`` is None (the defaults), a :class:`~talklint.config.Config`, the path of a
    ``talklint.toml``/``pyproject.toml``, or a mapping of settings as in ``[tool.talklint]``
    (``{"select": ["TL1"], "rules": {...}}``); ``overrides`` are command-line settings
    (:class:`~talklint.engine.Overrides`); ``registry`` an already loaded rule registry for
    the same configuration. Configuration errors raise
    :class:`~talklint.config.ConfigError`.
    """
    from pathlib import Path

    from .config import Config, load_config, validate_settings
    from .engine import Linter

    if config is None:
        config = Config()
    elif isinstance(config, (str, os.PathLike)):
        config = load_config(Path(config))
    elif isinstance(config, Mapping):
        config = Config(validate_settings(dict(config), "settings"))
    key = f"{config.path}\0{config.settings.model_dump_json()}\0{overrides!r}"
    linter = _LINTERS.get(key)
    if linter is None:
        linter = _LINTERS[key] = Linter(config, overrides, registry)
    return linter


def lint_text(text: str, path: str = "-", config=None) -> list["Finding"]:
    """Lint one text and return its findings, sorted, after suppressions and per-file ignores.

    ``path`` is what findings report and what ``per-file-ignores`` match (no file is read);
    ``config`` is as for :func:`linter_for`.
    """
    return linter_for(config).lint_text(text, path)


def lint_file(path: str | os.PathLike, config=None) -> list["Finding"]:
    """Lint one file from disk (bytes, BOM and line endings as ``talklint check`` reads them)."""
    return linter_for(config).lint_path(os.fspath(path)).findings
