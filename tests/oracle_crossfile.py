"""Span oracle entries for the crossfile rules (merged into oracle.ORACLE)."""

ORACLE: dict = {}
