"""Source: the bytes of one file turned into text, with the facts needed to point into it.

Offsets everywhere in talklint are character (code point) offsets into ``Source.text``.
Line and column are derived here, once, 1-based, with columns counted in code points.

Only LF, CRLF and CR end a line, as in editors and on GitHub. ``str.splitlines`` would also
break at U+0085, U+2028, form feed and others, which occur inside damaged text and would shift
every later line number.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass, field
from itertools import accumulate

UTF8_BOM = b"\xef\xbb\xbf"
LINE_BREAK = re.compile(r"\r\n|\r|\n")
_PREFERENCE = ("\n", "\r\n", "\r")  # tie-break order for the dominant line ending
# Bytes that are not valid UTF-8 come back from ``surrogateescape`` as U+DC80..U+DCFF,
# one character per byte, so their byte values and positions survive decoding.
_ESCAPED_BYTES = re.compile("[\udc80-\udcff]+")


@dataclass(frozen=True)
class InvalidBytes:
    """A run of bytes that is not valid UTF-8, replaced in the text by one U+FFFD each."""

    offset: int  # character offset of the first replacement character in Source.text
    byte_offset: int  # offset in the file's bytes (after the BOM)
    data: bytes


@dataclass
class Source:
    """One file's text and how it was stored on disk."""

    path: str
    text: str
    raw: bytes = b""
    bom: bool = False
    invalid_bytes: list[InvalidBytes] = field(default_factory=list)
    binary: bool = False
    line_starts: list[int] = field(default_factory=list)
    line_ends: list[int] = field(default_factory=list)  # offset of each line's terminator
    terminators: list[str] = field(default_factory=list)  # "\n", "\r\n", "\r" or "" (last line)

    def __post_init__(self) -> None:
        if not self.line_starts:
            self._index_lines()

    # -- construction -------------------------------------------------------------------

    @classmethod
    def from_bytes(cls, path: str, raw: bytes) -> "Source":
        """Decode ``raw`` as UTF-8 (BOM optional). Never raises on bad input."""
        if b"\x00" in raw:
            return cls(path=path, text="", raw=raw, binary=True)
        bom = raw.startswith(UTF8_BOM)
        body = raw[len(UTF8_BOM):] if bom else raw
        try:
            text = body.decode("utf-8")
            invalid: list[InvalidBytes] = []
        except UnicodeDecodeError:
            text, invalid = _decode_with_replacement(body)
        return cls(path=path, text=text, raw=raw, bom=bom, invalid_bytes=invalid)

    @classmethod
    def from_text(cls, path: str, text: str) -> "Source":
        """A Source for text already in memory; a leading BOM is taken off, as from bytes."""
        bom = text.startswith("\ufeff")
        if bom:
            text = text[1:]
        raw = (UTF8_BOM if bom else b"") + text.encode("utf-8", "surrogatepass")
        return cls(path=path, text=text, raw=raw, bom=bom)

    def _index_lines(self) -> None:
        text = self.text
        if "\r" not in text:  # LF only, the usual case: C-level split instead of a regex scan
            lengths = [len(line) + 1 for line in text.split("\n")]
            starts = [0, *accumulate(lengths[:-1])]
            self.line_starts = starts
            self.line_ends = [s - 1 for s in starts[1:]]
            self.line_ends.append(len(text))
            self.terminators = ["\n"] * (len(starts) - 1)
            self.terminators.append("")
            return
        starts = [0]
        ends: list[int] = []
        terms: list[str] = []
        for m in LINE_BREAK.finditer(self.text):
            ends.append(m.start())
            terms.append(m.group())
            starts.append(m.end())
        ends.append(len(self.text))
        terms.append("")
        self.line_starts, self.line_ends, self.terminators = starts, ends, terms

    # -- positions ----------------------------------------------------------------------

    @property
    def line_count(self) -> int:
        """Number of lines; a final terminator does not open an extra line."""
        n = len(self.line_starts)
        if n > 1 and self.line_starts[-1] == len(self.text):
            return n - 1
        return n

    def line_index(self, offset: int) -> int:
        """0-based line index holding ``offset`` (a terminator belongs to its line)."""
        return max(0, bisect.bisect_right(self.line_starts, offset) - 1)

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a character offset; columns count code points."""
        i = self.line_index(offset)
        return i + 1, offset - self.line_starts[i] + 1

    def offset(self, line: int, column: int) -> int:
        """Inverse of :meth:`position`."""
        return self.line_starts[line - 1] + column - 1

    def line_text(self, line: int) -> str:
        """Text of a 1-based line without its terminator."""
        i = line - 1
        return self.text[self.line_starts[i]:self.line_ends[i]]

    def line_span(self, line: int) -> tuple[int, int]:
        """(start, end) offsets of a 1-based line's content, terminator excluded."""
        i = line - 1
        return self.line_starts[i], self.line_ends[i]

    def lines(self):
        """Yield (line number, start offset, text) for every line, terminators excluded."""
        for i in range(self.line_count):
            s, e = self.line_starts[i], self.line_ends[i]
            yield i + 1, s, self.text[s:e]

    def terminator_counts(self) -> "Counter[str]":
        return Counter(t for t in self.terminators if t)

    def dominant_terminator(self) -> str:
        """The most frequent line terminator; LF on a tie or when there is none, since LF is
        what git, editors and site generators expect by default."""
        counts = self.terminator_counts()
        return max(_PREFERENCE, key=lambda t: (counts[t], -_PREFERENCE.index(t)))

    def byte_offset(self, offset: int) -> int:
        """Byte offset (after any BOM) of a character offset, for encoding messages."""
        return len(self.text[:offset].encode("utf-8", "surrogatepass"))


def split_lines(text: str) -> list[str]:
    """Lines with their terminators, breaking only at LF, CRLF and CR."""
    return _LINE_WITH_END.findall(text)


_LINE_WITH_END = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def _decode_with_replacement(body: bytes) -> tuple[str, list[InvalidBytes]]:
    """Decode invalid UTF-8 with U+FFFD per bad byte, recording each bad run."""
    escaped = body.decode("utf-8", "surrogateescape")
    invalid: list[InvalidBytes] = []
    pieces: list[str] = []
    last = 0
    byte_pos = 0  # byte offset of escaped[last]
    for m in _ESCAPED_BYTES.finditer(escaped):
        before = escaped[last:m.start()]
        pieces.append(before)
        byte_pos += len(before.encode("utf-8"))
        data = bytes(ord(c) - 0xDC00 for c in m.group())
        # Each bad byte becomes one character, so text offsets equal escaped offsets.
        invalid.append(InvalidBytes(offset=m.start(), byte_offset=byte_pos, data=data))
        pieces.append("\ufffd" * len(data))
        byte_pos += len(data)
        last = m.end()
    pieces.append(escaped[last:])
    return "".join(pieces), invalid
