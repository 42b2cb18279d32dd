"""Span oracle entries for the schema rules (merged into oracle.ORACLE)."""

ORACLE: dict = {}
