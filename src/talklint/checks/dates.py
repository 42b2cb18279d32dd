"""Placeholder: filled in by the dates rules."""

RULES: list = []
