"""Mojibake: text that was encoded one way and decoded another, found span by span.

``find_damage(text)`` returns the damaged spans of a text, each with its ranked candidate
repairs and the damage model that explains it. Detectors live in their own modules:
``latin`` (UTF-8 read through a single-byte code page: Windows-1252/1254/1251, Latin-1,
MacRoman; double encoding; lossy variants with dropped, ``?`` or U+FFFD bytes) and ``cjk``
(UTF-8 read as GBK/GB18030, Big5, Shift-JIS, EUC-KR).
"""

from __future__ import annotations

import re
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
    tentative: bool = False  # the repair is certain if this is damage, but whether it is damage
    # rests on thin evidence (an ideograph or two inside a Latin word may be real Chinese): never safe
    doubt: str = ""  # why a tentative repair may be wrong, when not for that reason

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
    if any(d.tentative for d in out):
        _confirm(text, out)
    return out


_LETTER = r"[^\W\d_]"


def sure(d: Damage) -> bool:
    """A repair that TL102 applies as a safe fix (outside code): the only reading, verified,
    nothing lost (or the loss settled by an emoji sequence), not tentative."""
    return d.unambiguous and d.verified and (not d.lossy or d.settled) and not d.tentative


def _confirm(text: str, found: list[Damage]) -> None:
    """Settle a tentative repair (one damaged character inside a Latin word) when the repaired
    word is written elsewhere in the text: as it stands there, or as the sure repairs make it.
    The latter keeps fixing local and done in one go: a fix pass that wrote Würzburg on one line
    must not be what turns ``W眉rzburg`` on another into a safe fix in the next pass."""
    changed = True
    while changed:
        changed = False
        sure_ones = [d for d in found if sure(d)]
        for d in found:
            if d.tentative and _word_elsewhere(text, d, sure_ones):
                d.tentative = False
                changed = True


def _word_elsewhere(text: str, d: Damage, sure_ones: list[Damage]) -> bool:
    ls = text.rfind("\n", 0, d.start) + 1
    le = text.find("\n", d.end)
    le = len(text) if le < 0 else le
    a, b = d.start, d.end
    while a > ls and text[a - 1].isalpha():
        a -= 1
    while b < le and text[b].isalpha():
        b += 1
    word = text[a : d.start] + d.candidates[0] + text[d.end : b]
    if len(word) < 4 or not all(c.isalpha() for c in word):
        return False
    # the text with its sure repairs made, and where the word stands in it
    pieces, at, shift = [], 0, 0
    for o in sure_ones:
        pieces.append(text[at : o.start])
        pieces.append(o.candidates[0])
        at = o.end
        if o.end <= a:
            shift += len(o.candidates[0]) - (o.end - o.start)
    pieces.append(text[at:])
    repaired = "".join(pieces)
    a, b = a + shift, b + shift  # d itself is not repaired there
    pattern = re.compile(f"(?<!{_LETTER}){re.escape(word)}(?!{_LETTER})", re.IGNORECASE)
    return any(m.end() <= a or b <= m.start() for m in pattern.finditer(repaired))
