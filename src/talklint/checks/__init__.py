"""Built-in rules, one family per module. ``RULES`` is what the entry point registers."""

from . import tool

RULES = [*tool.RULES]
