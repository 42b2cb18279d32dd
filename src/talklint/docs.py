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
