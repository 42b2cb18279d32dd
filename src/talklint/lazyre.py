"""Regular expressions compiled when first used.

Python's regex compiler is slow on large Unicode classes and long alternations (it builds each
class's bitmap in Python, code point by code point): a few milliseconds for some of talklint's
patterns. Compiled at import, every run paid for all of them, though a page at hand needs only
some (a page without CJK text never needs the CJK ones). A run of one file, the pre-commit case,
spent a good part of its time there.
"""

from __future__ import annotations

import functools
import re

# What a compiled pattern offers; after the first use they are the compiled pattern's own.
_MEMBERS = ("search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split",
            "scanner", "flags", "groups", "groupindex")


class LazyPattern:
    """``re.compile(pattern, flags)``, compiled at the first use of a method or attribute.

    ``pattern`` is known without compiling (patterns are built from each other's text). The
    first use copies the compiled pattern's bound methods and attributes onto this object, so
    later calls find them directly, at the cost of a call on the compiled pattern.
    """

    def __init__(self, pattern: str, flags: int | re.RegexFlag = 0) -> None:
        self.pattern = pattern
        self._compile_flags = flags

    def compiled(self) -> re.Pattern:
        return re.compile(self.pattern, self._compile_flags)

    def __getattr__(self, name: str):
        # Called only for what is not set yet; special names are not a pattern's business
        # (copy and pickle probe for some).
        if name not in _MEMBERS:
            raise AttributeError(name)
        compiled = self.compiled()
        for member in _MEMBERS:
            setattr(self, member, getattr(compiled, member))
        return getattr(compiled, name)

    def __repr__(self) -> str:
        return f"LazyPattern({self.pattern!r}, {self._compile_flags!r})"


# UTF-8 of a character from U+2E80 up: E2 BA..BF (U+2E80-U+2FFF) or a lead byte E3-F4. A bytes
# class compiles at once, where a class of the CJK ranges takes milliseconds.
_FROM_CJK_UTF8 = re.compile(rb"\xe2[\xba-\xbf]|[\xe3-\xf4]")


@functools.lru_cache(maxsize=8)  # rules of one page ask about the same text
def may_hold_cjk(text: str) -> bool:
    """False when ``text`` has no character from U+2E80 up, where the CJK blocks begin (radicals,
    punctuation, kana, ideographs, Hangul, full-width forms); then a pattern that needs such a
    character cannot match and need not be compiled. True does not say there is CJK text."""
    if text.isascii():
        return False
    return _FROM_CJK_UTF8.search(text.encode("utf-8", "surrogatepass")) is not None
