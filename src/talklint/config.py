"""Configuration: ``[tool.talklint]`` in pyproject.toml or a ``talklint.toml``, validated by pydantic.

The file is found by walking upward from the checked paths (their common folder); the first
folder holding a ``talklint.toml``, or a ``pyproject.toml`` with a ``[tool.talklint]`` table,
wins. Paths inside the config (``exclude``, ``per-file-ignores``, ``rule-packs``) are relative
to the folder holding that file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal, Optional

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from . import zones
from .configfile import CONFIG_FILES, ConfigError, discovery_start, find_config_file, read_table
from .rule import construct_defaults

__all__ = ["CONFIG_FILES", "Config", "ConfigError", "Settings", "discover", "find_config_file", "load_config"]

DEFAULT_EXCLUDE = [
    ".git/", ".hg/", ".svn/", ".venv/", "venv/", ".tox/", ".nox/", "node_modules/",
    "__pycache__/", ".mypy_cache/", ".pytest_cache/", ".ruff_cache/", ".talklint_cache/",
    "_site/", "site-packages/",
]


def _kebab(name: str) -> str:
    return name.replace("_", "-")


# The validators are built when a config file is first validated, not at import (``defer_build``):
# a run without a config file never needs them (see :func:`default_settings`).
_MODEL_CONFIG = ConfigDict(extra="forbid", alias_generator=_kebab, populate_by_name=True, defer_build=True)


def _defaults(model):
    """A default factory: the model's defaults without building its validator. Validating no
    input gives the same object: these models validate neither defaults nor the whole model."""
    return lambda: construct_defaults(model)


class LinkCheckSettings(BaseModel):
    """``[tool.talklint.link-check]``: how ``--check-links`` talks to the network."""

    model_config = _MODEL_CONFIG

    timeout: float = Field(default=10.0, gt=0, description="Seconds to wait for a host to answer one request.")
    concurrency: int = Field(default=8, ge=1, le=64, description="Requests in flight at once.")
    per_host: int = Field(default=2, ge=1, le=16, description="Requests in flight to one host at once.")
    retries: int = Field(default=2, ge=0, le=10, description="Retries after 429, 502, 503, 504 or a timeout.")
    max_retry_after: float = Field(
        default=60.0, ge=0, description="Longest `Retry-After` (seconds) honoured; a longer wait gives up.")
    max_redirects: int = Field(default=10, ge=0, le=50, description="Redirects followed before giving up.")
    cache_dir: str = Field(
        default=".talklint_cache", description="Folder of the link cache (`links.json`), relative to the config file.")
    cache_ttl: float = Field(
        default=86400.0, ge=0, description="Seconds a cached answer stays fresh; 0 turns the cache off.")
    user_agent: str = Field(default="", description="The User-Agent header; default: `talklint/<version>`.")
    exclude: list[str] = Field(
        default_factory=list, description="Regular expressions: URLs matching one are never requested.")


# Validated types shared by the settings and the options of the time-zone rules.
ZoneName = Annotated[Optional[str], AfterValidator(zones.known_zone)]
PlaceZones = Annotated[dict[str, str], AfterValidator(zones.known_places)]


class TimezoneSettings(BaseModel):
    """``[tool.talklint.timezones]``: where the events are, for every time-zone rule (TL35x)."""

    model_config = _MODEL_CONFIG

    zone: ZoneName = Field(
        default=None, description="IANA zone (`Europe/Paris`) of pages that name no place and no "
        "`timezone` of their own; a page's own place or `timezone` wins, and a rule's `timezone` "
        "option overrides it for that rule.")
    places: PlaceZones = Field(
        default_factory=dict, description="More gazetteer entries, place name → IANA zone; they win "
        "over rules/data/places.yaml, and a rule's `places` option wins over them for that rule.")



class Settings(BaseModel):
    """Everything ``[tool.talklint]`` may hold. Keys are kebab-case, as in the docs."""

    model_config = _MODEL_CONFIG

    select: list[str] | None = Field(
        default=None, description="Rules to enable (codes, code prefixes, names or ALL); "
        "default: every rule that is on by default.")
    extend_select: list[str] = Field(default_factory=list, description="Rules to enable in addition to `select`.")
    ignore: list[str] = Field(default_factory=list, description="Rules to disable.")
    per_file_ignores: dict[str, list[str]] = Field(
        default_factory=dict, description="Glob (gitignore syntax, relative to the config file) → rules ignored there.")
    exclude: list[str] = Field(
        default_factory=lambda: list(DEFAULT_EXCLUDE),
        description="Paths never checked when walking folders (gitignore syntax); replaces the default list.")
    extend_exclude: list[str] = Field(default_factory=list, description="Paths excluded in addition to `exclude`.")
    respect_gitignore: bool = Field(default=True, description="Skip files that `.gitignore` files exclude.")
    force_exclude: bool = Field(
        default=False, description="Apply excludes to files named on the command line too (for pre-commit).")
    extensions: list[str] = Field(
        default_factory=lambda: ["md", "markdown", "mdx", "txt"],
        description="File extensions checked when walking folders.")
    rule_packs: list[str] = Field(default_factory=list, description="Folders of YAML rule packs to load.")
    rules: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="Per-rule options: `[tool.talklint.rules.<name or code>]`.")
    extend_safe_fixes: list[str] = Field(default_factory=list, description="Rules whose unsafe fixes count as safe.")
    extend_unsafe_fixes: list[str] = Field(default_factory=list, description="Rules whose safe fixes count as unsafe.")
    static_roots: list[str] = Field(
        default_factory=list, description="Folders (relative to the config file) that root-relative paths "
        "such as `/assets/x.jpg` are resolved against: the site's static roots (docs/links-and-images.md). "
        "Empty: root-relative paths are not checked.")
    site_generator: Literal["github", "hugo", "jekyll", "eleventy", "astro"] = Field(
        default="github", description="The generator whose heading ids `#section` links are checked against, "
        "and whose path conventions apply (docs/links-and-images.md).")
    image_fields: list[str] | None = Field(
        default=None, description="Front-matter fields that name images (dotted for nested keys: `cover.url`); "
        "default: image, images, photo, photos, avatar, cover, cover.url, thumbnail, featured_image, … "
        "(docs/links-and-images.md).")
    extend_image_fields: list[str] = Field(
        default_factory=list, description="Front-matter fields that name images, in addition to `image-fields`.")
    kinds: dict[str, str] = Field(
        default_factory=dict, description="Glob (gitignore syntax, relative to the config file) → the document "
        "kind of matching pages (`talk`, `speaker` …, or `none`); the last matching glob wins (docs/schema.md).")
    kind_files: list[str] = Field(
        default_factory=list, description="YAML files or folders of document kinds to load besides the built-in "
        "ones; a kind with a built-in kind's name replaces it.")
    kind_keys: list[str] = Field(
        default_factory=lambda: ["kind", "type", "layout"],
        description="Front-matter keys whose value chooses a page's kind when it names a known kind.")
    kind_detection: bool = Field(
        default=True, description="Guess the kind of a page that no glob or kind key names, from the keys "
        "its front matter holds.")
    check_links: bool = Field(
        default=False, description="Request every http(s) link after the per-file pass (`--check-links`); "
        "never on by default (docs/online-links.md).")
    cache_dir: str | None = Field(
        default=None, description="Folder of the content cache (relative to the config file); "
        "default: `.talklint_cache` beside the config file, else in the current folder.")
    link_check: LinkCheckSettings = Field(
        default_factory=_defaults(LinkCheckSettings), description="How links are checked online: `[tool.talklint.link-check]`.")
    timezones: TimezoneSettings = Field(
        default_factory=_defaults(TimezoneSettings), description="Where the events are, for every time-zone rule: "
        "`[tool.talklint.timezones]` (docs/timezones.md).")


class Config:
    """Settings plus where they came from."""

    def __init__(self, settings: Settings | None = None, path: Path | None = None):
        self.settings = settings or default_settings()
        self.path = path  # the file they were read from, or None for defaults
        self.root = path.parent if path else Path.cwd()
        self.kinds = self._kind_set()  # built now, so a broken kind file stops the run at once

    def _kind_set(self):
        from .kinds import KindError, build_kind_set

        try:
            return build_kind_set(self.settings, self.root)
        except KindError as exc:
            # Errors in a kind file name that file; errors in the settings name the config.
            where = f"{self.path}: " if self.path and str(exc).startswith("key ") else ""
            raise ConfigError(f"{where}{exc}") from None

    def __repr__(self) -> str:
        return f"Config(path={self.path!r})"


def default_settings() -> Settings:
    """``Settings()``: the settings of a run without a config file, built without validation."""
    return construct_defaults(Settings)


def load_config(path: Path) -> Config:
    data, table = read_table(path)
    return Config(validate_settings(data, path, table), path)


def validate_settings(data: dict, path: Path | str, table: str = "") -> Settings:
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(exc, str(path), table)) from None


def describe_validation_error(exc: ValidationError, path: str, table: str = "") -> str:
    lines = []
    for err in exc.errors():
        key = ".".join(str(x) for x in err["loc"])
        where = f"{path}: {table + ' ' if table else ''}"
        if err["type"] == "extra_forbidden":
            lines.append(f"{where}unknown key '{key}'")
        else:
            got = err.get("input")
            lines.append(f"{where}key '{key}': {err['msg']} (got {got!r})")
    return "\n".join(lines)


def discover(paths: list[str], explicit: str | None = None) -> Config:
    """The config for a run: ``--config`` if given, else the nearest one above the paths."""
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise ConfigError(f"{explicit}: config file not found")
        return load_config(path)
    found = find_config_file(discovery_start(paths))
    return load_config(found) if found else Config()
