"""Encoding (TL1xx): bytes that are not valid UTF-8."""

from __future__ import annotations

from ..finding import Severity
from ..rule import Rule

_MAX_BYTES_SHOWN = 8


class InvalidUtf8(Rule):
    """## What it does
    Reports bytes that are not valid UTF-8: one finding per run of adjacent bad bytes. The
    file is still checked: each bad byte reads as one U+FFFD REPLACEMENT CHARACTER, so the
    finding points at those characters, and the message names the bytes and their offset in
    the file (0-based, counting a byte order mark if there is one).

    ## Why is this bad?
    Such a file was saved in another encoding (often Windows-1252 or Latin-1: `0x92` is a
    curly apostrophe there) or was damaged. Site generators either refuse it or show `�`
    where the text had a character.

    ## Example
    `Let<0x92>s meet in Z<0xFC>rich` (Windows-1252 bytes in a UTF-8 file) gives
    ```console
    page.md:3:4: TL101 [invalid-utf8] Invalid UTF-8 byte 0x92 at byte 57
    ```
    Re-save the file as UTF-8: `Let’s meet in Zürich`.
    """

    code = "TL101"
    name = "invalid-utf8"
    summary = "Bytes that are not valid UTF-8"
    severity = Severity.ERROR
    fixable = "never"

    def check(self, ctx):
        source = ctx.source
        bom = 3 if source.bom else 0
        for run in source.invalid_bytes:
            data = run.data
            shown = " ".join(f"0x{b:02X}" for b in data[:_MAX_BYTES_SHOWN])
            if len(data) > _MAX_BYTES_SHOWN:
                shown += f" … ({len(data)} bytes)"
            noun = "bytes" if len(data) > 1 else "byte"
            yield self.finding(run.offset, run.offset + len(data),
                               f"Invalid UTF-8 {noun} {shown} at byte {run.byte_offset + bom}")


RULES = [InvalidUtf8]
