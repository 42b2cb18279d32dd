"""UTF-8 read through a single-byte code page (placeholder until implemented)."""


def find(text: str) -> list:
    return []
