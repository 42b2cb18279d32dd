"""Built-in rules, one family per module. ``RULES`` is what the entry point registers."""

from . import encoding, frontmatter, invisible, structure, tool, whitespace

RULES = [
    *encoding.RULES,
    *whitespace.RULES,
    *invisible.RULES,
    *frontmatter.RULES,
    *structure.RULES,
    *tool.RULES,
]
