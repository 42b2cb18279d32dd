"""Span oracle entries for the dates rules (merged into oracle.ORACLE)."""

ORACLE: dict = {}
