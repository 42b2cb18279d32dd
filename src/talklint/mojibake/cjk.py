"""UTF-8 read through a CJK double-byte code page (placeholder until implemented)."""


def find(text: str) -> list:
    return []
