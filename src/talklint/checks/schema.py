"""Placeholder: filled in by the schema rules."""

RULES: list = []
