"""Declarative rules: YAML rule packs validated by pydantic, turned into Rule classes.

A pack is a YAML file holding ``rules:``, a list of rule definitions. Each definition has a
``kind``:

``existence``
    A phrase (``tokens``) or regular expression (``patterns``) that must not appear.
``substitution``
    ``swap`` maps a wrong spelling to the right one; the finding carries a fix.

A typo in a pack (an unknown key, a bad code, an invalid regex) is a :class:`PackError`
naming the file and the rule, raised when the pack is loaded, never in the middle of a run.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal, Union

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .finding import Applicability, Fix, Severity
from .prose import excluded_ranges
from .rule import CODE_PATTERN, NAME_PATTERN, Rule


class PackError(Exception):
    """A rule pack that cannot be loaded; the message names the file and the key."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True,
                              alias_generator=lambda s: s.replace("_", "-"))


class _RuleBase(_Model):
    code: str
    name: str
    message: str
    severity: Severity = Severity.WARNING
    enabled: bool = True
    summary: str = ""
    what: str
    why: str
    example: str
    ignore_case: bool = False
    scope: Literal["prose", "all"] = "prose"

    @field_validator("code")
    @classmethod
    def _code(cls, v: str) -> str:
        if not CODE_PATTERN.match(v):
            raise ValueError(f"{v!r} is not a rule code like 'TL801'")
        return v

    @field_validator("message")
    @classmethod
    def _message(cls, v: str) -> str:
        try:
            v.format(match="x", replacement="y")
        except (KeyError, IndexError, ValueError) as exc:
            raise ValueError(
                f"message may use only {{match}} and {{replacement}} (write {{{{ for a brace): {exc}"
            ) from None
        return v

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not NAME_PATTERN.match(v):
            raise ValueError(f"{v!r} is not a kebab-case rule name")
        return v


class ExistenceRule(_RuleBase):
    kind: Literal["existence"]
    tokens: list[str] = []
    patterns: list[str] = []

    @model_validator(mode="after")
    def _something(self):
        if not self.tokens and not self.patterns:
            raise ValueError("an existence rule needs 'tokens' or 'patterns'")
        for p in self.patterns:
            try:
                re.compile(p)
            except re.error as exc:
                raise ValueError(f"pattern {p!r} is not a valid regular expression: {exc}") from None
        return self


class SubstitutionRule(_RuleBase):
    kind: Literal["substitution"]
    swap: dict[str, str]
    fix: Literal["safe", "unsafe", "display"] = "safe"


RuleDef = Annotated[Union[ExistenceRule, SubstitutionRule], Field(discriminator="kind")]


class Pack(_Model):
    rules: list[RuleDef]


def load_pack(path: Path) -> list[type[Rule]]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise PackError(f"{path}: cannot read rule pack: {exc}") from None
    except yaml.YAMLError as exc:
        raise PackError(f"{path}: invalid YAML: {exc}") from None
    try:
        pack = Pack.model_validate(data)
    except ValidationError as exc:
        raise PackError(f"{path}: {_describe(exc, data)}") from None
    return [_build(defn, path) for defn in pack.rules]


def _describe(exc: ValidationError, data) -> str:
    parts = []
    for err in exc.errors():
        loc = list(err["loc"])
        where = ""
        if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
            rule = (data or {}).get("rules", [])[loc[1]] if isinstance(data, dict) else {}
            label = rule.get("code") if isinstance(rule, dict) else None
            where = f"rule {label or '#' + str(loc[1] + 1)}"
            loc = [x for x in loc[2:] if not (isinstance(x, str) and x in ("existence", "substitution"))]
        key = ".".join(str(x) for x in loc)
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown key"
        parts.append(f"{where + ': ' if where else ''}{key + ': ' if key else ''}{msg}")
    return "; ".join(parts)


def _doc(defn: _RuleBase) -> str:
    return (f"## What it does\n{defn.what.strip()}\n\n## Why is this bad?\n{defn.why.strip()}\n\n"
            f"## Example\n{defn.example.strip()}\n")


def _build(defn: _RuleBase, path: Path) -> type[Rule]:
    flags = re.IGNORECASE if defn.ignore_case else 0
    attrs = dict(
        code=defn.code, name=defn.name, severity=defn.severity, default_enabled=defn.enabled,
        summary=defn.summary, origin=f"rule pack {path.name}", __doc__=_doc(defn),
        definition=defn,
    )
    if isinstance(defn, ExistenceRule):
        alternatives = [_word_pattern(t) for t in defn.tokens] + list(defn.patterns)
        attrs.update(pattern=re.compile("|".join(f"(?:{a})" for a in alternatives), flags),
                     fixable="never")
        base = _ExistenceRule
    else:
        keys = sorted(defn.swap, key=len, reverse=True)
        attrs.update(pattern=re.compile("|".join(_word_pattern(k) for k in keys), flags),
                     fixable="never" if defn.fix == "display" else "always")
        base = _SubstitutionRule
    return type(f"Pack_{defn.code}", (base,), attrs)


def _word_pattern(phrase: str) -> str:
    """A literal phrase that matches only as whole words (spaces match any run of spaces)."""
    body = r"\s+".join(re.escape(w) for w in phrase.split())
    left = r"(?<![\w])" if phrase[:1].isalnum() or phrase[:1] == "_" else ""
    right = r"(?![\w])" if phrase[-1:].isalnum() or phrase[-1:] == "_" else ""
    return f"{left}{body}{right}"


class _PackRule(Rule):
    pattern: re.Pattern
    definition: _RuleBase

    def _matches(self, ctx):
        text = ctx.source.text
        skip = excluded_ranges(ctx) if self.definition.scope == "prose" else None
        for m in self.pattern.finditer(text):
            if m.start() == m.end():
                continue
            if skip is not None and skip.overlaps(m.start(), m.end()):
                continue
            yield m

    def _message(self, match: str, replacement: str = "") -> str:
        return self.definition.message.format(match=match, replacement=replacement)


class _ExistenceRule(_PackRule):
    def check(self, ctx):
        for m in self._matches(ctx):
            yield self.finding(m.start(), m.end(), self._message(m.group()))


class _SubstitutionRule(_PackRule):
    def check(self, ctx):
        defn: SubstitutionRule = self.definition  # type: ignore[assignment]
        lookup = {k.lower() if defn.ignore_case else k: v for k, v in defn.swap.items()}
        for m in self._matches(ctx):
            found = m.group()
            key = found.lower() if defn.ignore_case else found
            right = lookup.get(key)
            if right is None:  # whitespace inside a phrase differed: normalise it
                right = lookup.get(" ".join(key.split()), "")
            if right == found:
                continue
            fix = Fix.replace(m.start(), m.end(), right, f"Replace with `{right}`",
                              Applicability(defn.fix))
            yield self.finding(m.start(), m.end(), self._message(found, right), fix=fix)
