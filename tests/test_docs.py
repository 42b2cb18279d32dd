"""The rule reference in docs/rules is generated from the rules and must not be stale."""

from pathlib import Path

from talklint.docs import rule_reference
from talklint.registry import load_registry

DOCS = Path(__file__).resolve().parent.parent / "docs" / "rules"


def test_rule_reference_is_up_to_date():
    expected = rule_reference(load_registry())
    on_disk = {p.name: p.read_text(encoding="utf-8") for p in DOCS.glob("*.md")}
    stale = sorted(n for n in expected.keys() | on_disk.keys() if expected.get(n) != on_disk.get(n))
    assert not stale, f"docs/rules is stale ({stale}): run `python -m talklint.docs docs/rules`"


def test_readme_mentions_every_config_key():
    from talklint.config import Settings

    readme = (DOCS.parent.parent / "README.md").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"`{name.replace('_', '-')}`" in readme, name
