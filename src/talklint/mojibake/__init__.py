"""Mojibake: text that was encoded one way and decoded another, found span by span.

``find_damage(text)`` returns the damaged spans of a text, each with its ranked candidate
repairs and the damage model that explains it. Detectors live in their own modules:
``latin`` (UTF-8 read through a single-byte code page: Windows-1252/1254/1251, Latin-1,
MacRoman; double encoding; lossy variants with dropped, ``?`` or U+FFFD bytes) and ``cjk``
(UTF-8 read as GBK/GB18030, Big5, Shift-JIS, EUC-KR).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Damage:
    start: int  # character offsets into the text given to find_damage
    end: int
    damaged: str  # text[start:end]
    candidates: list[str]  # plausible originals, best first; empty when none is good
    model: str  # how it was damaged, e.g. "UTF-8 read as Windows-1252"
    lossy: bool = False  # bytes were lost (dropped, replaced by ? or U+FFFD)
    verified: bool = False  # re-damaging candidates[0] the same way gives back `damaged` exactly
    notes: list[str] = field(default_factory=list)
    # Extensions (the fields above are the shared interface):
    preferred: bool = False  # candidates[0] is ahead of the others on evidence, not just listed first
    encoding: str = ""  # the code page the UTF-8 bytes were read as, e.g. "Windows-1254"
    loss: str = ""  # how undefined bytes were lost: "", "dropped", "?" or "U+FFFD"
    layers: int = 1  # 2 or more for double encoding
    settled: bool = False  # lossy, but every rebuilt character sits inside a multi-character RGI
    # emoji sequence (ZWJ, U+FE0F, skin tone) and only one reading does: the lost bytes are pinned

    @property
    def unambiguous(self) -> bool:
        return len(self.candidates) == 1


def find_damage(text: str) -> list[Damage]:
    """All damaged spans in ``text``, sorted, non-overlapping."""
    from . import cjk, latin

    found = latin.find(text) + cjk.find(text)
    found.sort(key=lambda d: (d.start, -(d.end - d.start)))
    out: list[Damage] = []
    for d in found:
        if out and d.start < out[-1].end:
            continue  # the longer, earlier explanation wins
        out.append(d)
    return out
