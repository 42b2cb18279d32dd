"""The Rule base class: one rule is one class, with its metadata next to its code.

A rule reads a :class:`Context` and yields :class:`Finding` objects. It never prints and never
filters its own findings by configuration: the engine decides what is reported.

The class docstring is the rule's documentation. It must have the sections ``What it does``,
``Why is this bad?`` and ``Example`` (``talklint explain`` and docs/rules are generated from it).
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, Iterable, Iterator

from pydantic import BaseModel, ConfigDict

from .finding import Finding, Fix, Severity

if TYPE_CHECKING:
    from .document import Document
    from .source import Source

CODE_PATTERN = re.compile(r"^[A-Z]{1,4}[0-9]{3}$")
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
DOC_SECTIONS = ("What it does", "Why is this bad?", "Example")


class RuleOptions(BaseModel):
    """Base of every rule's options model: unknown keys are errors.

    pydantic builds a model's validator when it is first used, not when the class is defined
    (``defer_build``): most runs set no rule options, and the models of the rules a run never
    configures then cost nothing (see :func:`default_options`)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True,
                              alias_generator=lambda s: s.replace("_", "-"), defer_build=True)


def default_options(model: type[RuleOptions]) -> RuleOptions:
    """``model()``: the options of a rule that the config does not mention.

    Validating no input only fills in the defaults, which pydantic does not validate unless
    asked to; then the same object is built without the validator (``model_construct``). A
    model whose defaults are validated, that has a model validator or a required field (the
    error must be the same) is validated as usual."""
    if _validates_defaults(model):
        return model()
    return construct_defaults(model)


# Factories that pydantic calls with no argument, as it finds by reading their signature: for a
# built-in type that parses its text signature, which took a hundredth of a one-file run.
_EMPTY_FACTORIES = (list, dict, set, frozenset, tuple)


def construct_defaults(model: type[BaseModel]) -> BaseModel:
    """``model.model_construct()``: the model's defaults, built without its validator; empty
    containers are made here, the other defaults by pydantic."""
    values = {name: f.default_factory() for name, f in model.model_fields.items()
              if f.default_factory in _EMPTY_FACTORIES}
    return model.model_construct(_fields_set=set(), **values)


def _validates_defaults(model: type[RuleOptions]) -> bool:
    decorators = model.__pydantic_decorators__
    return bool(model.model_config.get("validate_default") or decorators.model_validators
                or any(f.validate_default or f.is_required() for f in model.model_fields.values()))


@dataclass
class Context:
    """What a rule may read about the file being checked."""

    source: "Source"
    document: "Document"
    path: str  # the path as given/displayed
    config: object = None  # the resolved talklint.config.Config
    shared: dict = field(default_factory=dict)  # per-file cache rules may share (e.g. facts)


class Rule:
    code: ClassVar[str]
    name: ClassVar[str]
    summary: ClassVar[str] = ""  # one line, shown by `talklint rules`
    severity: ClassVar[Severity] = Severity.WARNING
    fixable: ClassVar[str] = "never"  # "never" | "sometimes" | "always"
    default_enabled: ClassVar[bool] = True
    # True for rules that read the file system or the file's name (images on disk, a date in the
    # file name): text that is not a file (dataset rows) skips them.
    reads_files: ClassVar[bool] = False
    origin: ClassVar[str] = "talklint"  # plugin or rule-pack that provides the rule
    Options: ClassVar[type[RuleOptions]] = RuleOptions

    def __init__(self, options: RuleOptions | None = None) -> None:
        self.options = options if options is not None else default_options(self.Options)

    def check(self, ctx: Context) -> Iterable[Finding]:  # pragma: no cover - abstract
        raise NotImplementedError

    # -- helpers for subclasses ----------------------------------------------------------

    def finding(self, start: int, end: int, message: str, fix: Fix | None = None,
                severity: Severity | None = None) -> Finding:
        return Finding(code=self.code, name=self.name, message=message, start=start, end=end,
                       severity=severity or self.severity, fix=fix)

    @classmethod
    def documentation(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def doc_sections(cls) -> dict[str, str]:
        """Split the docstring into its ``## Section`` parts (the heading line may also be
        written ``Section:`` on its own)."""
        return split_sections(cls.documentation())

    @classmethod
    def one_line(cls) -> str:
        if cls.summary:
            return cls.summary
        what = cls.doc_sections().get("What it does", "")
        first = what.strip().split("\n\n")[0].replace("\n", " ")
        return re.split(r"(?<=[a-z0-9)\]`])\.\s+(?=[A-Z])", first)[0].rstrip(".")


def split_sections(doc: str) -> dict[str, str]:
    sections: dict[str, str] = {}
    current = None
    lines: list[str] = []
    for line in doc.splitlines():
        m = re.match(r"^(?:##\s*)?(What it does|Why is this bad\?|Example|Options|Fix|Known limits)\s*:?\s*$", line)
        if m:
            if current:
                sections[current] = "\n".join(lines).strip()
            current, lines = m.group(1), []
        elif current:
            lines.append(line)
    if current:
        sections[current] = "\n".join(lines).strip()
    return sections


def iter_rule_classes(objs: Iterable[object]) -> Iterator[type[Rule]]:
    for obj in objs:
        if inspect.isclass(obj) and issubclass(obj, Rule) and obj is not Rule and hasattr(obj, "code"):
            yield obj
