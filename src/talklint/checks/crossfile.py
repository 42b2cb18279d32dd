"""Placeholder: filled in by the crossfile rules."""

RULES: list = []
