"""Every registered rule is documented, has an oracle entry, and has fixtures that trigger it
and that must not (``tests/fixtures/rules/<CODE>/``; for cross-file rules, cases of several
pages in ``tests/fixtures/crossfile/<CODE>/``)."""

from __future__ import annotations

import pytest

from talklint.finding import Severity
from talklint.project import ProjectRule
from talklint.registry import load_registry, missing_doc_sections
from talklint.rule import CODE_PATTERN, NAME_PATTERN, RuleOptions, default_options

from oracle import predicate_for
from test_crossfile import cross_file_findings_by_case
from test_rules_fixtures import FIXTURES, SIDECARS, fixture_files, lint_fixture

REGISTRY = load_registry()
RULES = REGISTRY.sorted()

# Rules no fixture file can trigger; each is tested directly in the named test module.
FIXTURE_EXEMPT = {
    "TL901": "unreadable-file needs a path that cannot be read (missing, a folder): test_engine_rules.py",
    "TL903": "internal-error needs a rule that crashes, injected into a Linter: test_engine_rules.py",
    "TL906": "fix-not-converged comes from the fixer (rules whose fixes undo each other), not from linting a file",
    "TL907": "invalid-row comes from dataset rows, not files: test_dataset.py",
    **{code: "online (--check-links) rules answer from a server: tests/test_online.py starts one on 127.0.0.1"
       for code in ("TL430", "TL431", "TL432", "TL433", "TL434", "TL435", "TL436")},
}



def _ids(rules):
    return [r.code for r in rules]


@pytest.mark.parametrize("rule", RULES, ids=_ids(RULES))
def test_metadata(rule):
    assert CODE_PATTERN.match(rule.code)
    assert NAME_PATTERN.match(rule.name)
    assert isinstance(rule.severity, Severity)
    assert rule.fixable in ("never", "sometimes", "always")
    assert issubclass(rule.Options, RuleOptions)
    rule.Options()  # every option has a default
    assert not missing_doc_sections(rule), f"{rule.code}: docstring lacks {missing_doc_sections(rule)}"
    assert rule.one_line() and "\n" not in rule.one_line()


@pytest.mark.parametrize("rule", RULES, ids=_ids(RULES))
def test_default_options_equal_validated_ones(rule):
    # A rule the config does not mention gets its defaults without pydantic's validator:
    # the very object that validating no input gives.
    built, validated = default_options(rule.Options), rule.Options()
    assert type(built) is type(validated) and built == validated
    assert built.model_dump() == validated.model_dump() and built.model_fields_set == set()


@pytest.mark.parametrize("rule", RULES, ids=_ids(RULES))
def test_summary(rule):
    assert rule.summary.strip() and "\n" not in rule.summary


@pytest.mark.parametrize("rule", RULES, ids=_ids(RULES))
def test_oracle_entry(rule):
    assert predicate_for(rule.code) is not None, f"add a span oracle for {rule.code} to tests/oracle.py"


def _findings_by_file(code):
    if issubclass(REGISTRY.get(code), ProjectRule):
        return cross_file_findings_by_case(code)
    folder = FIXTURES / code
    return {p: [f for f in lint_fixture(p)[1] if f.code == code]
            for p in fixture_files() if p.parent.is_relative_to(folder)}


@pytest.mark.parametrize("rule", [r for r in RULES if r.code not in FIXTURE_EXEMPT],
                         ids=_ids([r for r in RULES if r.code not in FIXTURE_EXEMPT]))
def test_fixtures_trigger_and_clean(rule):
    by_file = _findings_by_file(rule.code)
    assert by_file, f"no fixtures in tests/fixtures/rules/{rule.code}/ (or crossfile/{rule.code}/)"
    assert any(by_file[p] for p in by_file), f"no fixture triggers {rule.code}"
    clean = [p for p in by_file if p.name.startswith("clean")]
    assert clean, f"no clean* fixture for {rule.code}"
    assert not any(by_file[p] for p in clean)


@pytest.mark.parametrize("rule", [r for r in RULES if r.code not in FIXTURE_EXEMPT],
                         ids=_ids([r for r in RULES if r.code not in FIXTURE_EXEMPT]))
def test_fix_availability_matches_metadata(rule):
    findings = [f for fs in _findings_by_file(rule.code).values() for f in fs]
    with_fix = [f for f in findings if f.fix is not None]
    fixed_files = [p for p in (FIXTURES / rule.code).rglob("*.fixed")]
    if rule.fixable == "never":
        assert not with_fix and not fixed_files
    else:
        assert with_fix and fixed_files, f"{rule.code} is fixable: its fixtures need a fix and a .fixed file"
    if rule.fixable == "always":
        assert len(with_fix) == len(findings)


def test_exemptions_are_real_rules():
    for code in FIXTURE_EXEMPT:
        assert REGISTRY.get(code) is not None


def test_fixture_folders_name_registered_rules():
    for folder in FIXTURES.iterdir():
        assert folder.is_dir() and REGISTRY.get(folder.name) is not None, f"{folder.name}: no such rule"


def test_sidecars_belong_to_fixtures():
    for p in FIXTURES.rglob("*"):
        if p.suffix in SIDECARS:
            assert p.with_suffix("").exists(), f"{p} has no fixture"


def test_default_options_validate_what_validation_would_catch():
    # Options whose defaults pydantic would check (or that cannot be built from nothing) are
    # validated, so a broken plugin's options fail as they always did.
    from pydantic import Field, ValidationError, model_validator

    class Required(RuleOptions):
        level: int

    class Checked(RuleOptions):
        level: int = Field(default="high", validate_default=True)

    class Whole(RuleOptions):
        level: int = 1

        @model_validator(mode="after")
        def _positive(self):
            if self.level > 0:
                raise ValueError("level must not be positive")
            return self

    for model in (Required, Checked, Whole):
        with pytest.raises(ValidationError):
            default_options(model)

    class Plain(RuleOptions):
        words: list[str] = Field(default_factory=lambda: ["a"])
        level: int = 2

    built = default_options(Plain)
    assert built == Plain() and built.words == ["a"] and built.words is not default_options(Plain).words
