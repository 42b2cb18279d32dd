"""Reading the YAML files users write (rule packs, kind files): a key given twice is an error,
not a silent overwrite, and every error names the file, the line and the column."""

from __future__ import annotations

from pathlib import Path

import yaml


class YamlFileError(Exception):
    """A YAML file that cannot be read, parsed, or is not a mapping; the message names it."""


# libyaml's parser is about ten times faster than PyYAML's; the constructor (Python) is the same.
_FAST_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class UniqueKeyLoader(yaml.SafeLoader):
    """The safe loader, refusing a mapping that holds one key twice (PyYAML keeps the last)."""


class _FastUniqueKeyLoader(_FAST_SAFE_LOADER):  # type: ignore[misc, valid-type]
    """:class:`UniqueKeyLoader` on libyaml's parser."""


def _construct_mapping(loader, node, deep=False):
    seen: dict = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        try:
            hash(key)
        except TypeError:
            continue  # the default constructor reports unhashable keys itself
        if key in seen:
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping", node.start_mark,
                f"found duplicate key {key!r} (first at line {seen[key] + 1})", key_node.start_mark)
        seen[key] = key_node.start_mark.line
    return loader.construct_mapping(node, deep=deep)


UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_FastUniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_data(text: str):
    """A YAML data file that talklint ships (``rules/data/``), read with the safe loader."""
    return yaml.load(text, Loader=_FAST_SAFE_LOADER)  # noqa: S506 - a safe loader


def _load_unique(text: str):
    try:
        return yaml.load(text, Loader=_FastUniqueKeyLoader)  # noqa: S506 - a safe loader
    except yaml.YAMLError:
        # PyYAML's own parser words its errors the way the docs and users know: let it say why.
        return yaml.load(text, Loader=UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass


def read_mapping(path: Path, what: str, holds: str) -> dict:
    """The top-level mapping of the file ``path``, a ``what`` ("rule pack") that holds
    ``holds`` ("a 'rules' list"). Raises :class:`YamlFileError`."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise YamlFileError(f"{path}: cannot read {what}: {exc}") from None
    try:
        data = _load_unique(text)
    except yaml.YAMLError as exc:
        raise YamlFileError(f"{path}: invalid YAML: {yaml_problem(exc)}") from None
    if not isinstance(data, dict):
        article = "an" if what[:1] in "aeiou" else "a"
        raise YamlFileError(f"{path}: {article} {what} must be a mapping with {holds}, not {yaml_type(data)}")
    return data


def yaml_problem(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None)
    if mark is None or not problem:
        return " ".join(str(exc).split())
    return f"line {mark.line + 1}, column {mark.column + 1}: {problem}"


def yaml_type(value) -> str:
    """What a YAML value is, in words ("a list", "an empty document")."""
    if value is None:
        return "an empty document"
    return {list: "a list", str: "a string", int: "a number", float: "a number",
            bool: "a boolean"}.get(type(value), type(value).__name__)
