"""Span oracle entries for the timezones rules (merged into oracle.ORACLE)."""

ORACLE: dict = {}
