"""Rule documentation generated from the rules themselves: `talklint explain` and docs/rules/."""

from __future__ import annotations

from .rule import Rule

FIXABLE = {
    "always": "Always fixable (see the rule for whether the fix is safe or unsafe).",
    "sometimes": "Sometimes fixable.",
    "never": "Not fixable.",
}


def render_rule(rule: type[Rule]) -> str:
    off = "" if rule.default_enabled else (
        ' Off by default: enable it with `extend-select = ["%s"]`.' % rule.code)
    lines = [
        f"# {rule.code} {rule.name}",
        "",
        f"Default severity: {rule.severity.value}. {FIXABLE[rule.fixable]}{off} From {rule.origin}.",
        "",
        rule.documentation().strip(),
    ]
    fields = rule.Options.model_fields
    if fields:
        lines += ["", "## Options", ""]
        for name, info in fields.items():
            key = name.replace("_", "-")
            default = info.default if info.default_factory is None else info.default_factory()
            lines.append(f"- `{key}` (default `{default!r}`): {info.description or ''}".rstrip(": "))
    return "\n".join(lines) + "\n"


def rule_reference(registry) -> dict[str, str]:
    """The rule reference as files: ``index.md`` plus one page per rule, by file name."""
    pages = {}
    rows = ["# Rules", "", "Generated from the rules' own documentation by "
            "`python -m talklint.docs docs/rules`; do not edit by hand.", "",
            "| code | name | fix | severity | default | summary |", "| --- | --- | --- | --- | --- | --- |"]
    for rule in registry.sorted():
        fname = f"{rule.code}-{rule.name}.md"
        pages[fname] = render_rule(rule)
        fix = {"always": "yes", "sometimes": "sometimes", "never": ""}[rule.fixable]
        default = "on" if rule.default_enabled else "off"
        rows.append(f"| [{rule.code}]({fname}) | {rule.name} | {fix} | {rule.severity.value} | "
                    f"{default} | {rule.one_line()} |")
    pages["index.md"] = "\n".join(rows) + "\n"
    return pages


def write_reference(folder) -> list[str]:
    """Write the rule reference into ``folder``, removing pages of rules that no longer exist."""
    from pathlib import Path

    from .registry import load_registry

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    pages = rule_reference(load_registry())
    for old in folder.glob("*.md"):
        if old.name not in pages:
            old.unlink()
    for name, text in pages.items():
        (folder / name).write_text(text, encoding="utf-8")
    return sorted(pages)


if __name__ == "__main__":  # python -m talklint.docs docs/rules
    import sys

    written = write_reference(sys.argv[1] if len(sys.argv) > 1 else "docs/rules")
    print(f"wrote {len(written)} pages")
