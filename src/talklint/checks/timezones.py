"""Placeholder: filled in by the timezones rules."""

RULES: list = []
