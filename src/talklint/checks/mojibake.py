"""Mojibake (TL102) and replacement characters (TL103): text decoded with the wrong encoding.

Both rules read one list of damaged spans per file, computed once by :func:`damage` and kept
in ``Context.shared`` (``checks/invisible.py`` reads it too, to leave the C1 controls of a
mojibake span to TL102).
"""

from __future__ import annotations

import unicodedata

from ..finding import Applicability, Fix, Severity
from ..mojibake import Damage, find_damage, sure
from ..rule import Rule

SHARED_KEY = "mojibake.damage"
_MAX_SHOWN = 10  # candidates listed in a message


def damage(ctx) -> list[Damage]:
    """The damaged spans of the file, sorted and non-overlapping, computed once per file.

    Spans that hold a U+FFFD the Source put there for bytes that are not UTF-8 are left out:
    those bytes are TL101's, and their real values are not known to the text.
    """
    cached = ctx.shared.get(SHARED_KEY)
    if cached is not None:
        return cached
    text = ctx.source.text
    found: list[Damage] = []
    if not text.isascii():
        invalid = [(r.offset, r.offset + len(r.data)) for r in ctx.source.invalid_bytes]
        for d in find_damage(text):
            if any(s < d.end and d.start < e for s, e in invalid):
                continue
            found.append(d)
    ctx.shared[SHARED_KEY] = found
    return found


def in_damage(spans: list[Damage], start: int, end: int) -> bool:
    """True when ``[start, end)`` lies wholly inside one damaged span."""
    import bisect

    i = bisect.bisect_right([d.start for d in spans], start) - 1
    return i >= 0 and spans[i].start <= start and end <= spans[i].end


def _in_code(ctx, start: int, end: int) -> bool:
    """Inside a code block or code span (front matter, also in ``code_spans``, is not code)."""
    doc = ctx.document
    fm = doc.front_matter
    for span in doc.code_spans:
        if fm is not None and span == fm.span:
            continue
        if span.start < end and start < span.end:
            return True
    return False


def _show(s: str) -> str:
    """Text for a message: controls and invisible characters spelled out."""
    out = []
    for ch in s:
        o = ord(ch)
        if ch in "\u200d\ufe0f":  # inside emoji sequences: shown as they are
            out.append(ch)
        elif o < 0x20 or 0x7F <= o <= 0x9F or (unicodedata.category(ch) in ("Cf", "Zl", "Zp", "Zs") and ch != " "):
            out.append(f"<U+{o:04X}>")
        else:
            out.append(ch)
    return "".join(out)


def _label(candidate: str) -> str:
    """`🎤` (microphone): a candidate with its emoji name when it is one emoji."""
    try:
        import emoji
    except ImportError:  # pragma: no cover - emoji is a dependency
        return f"`{_show(candidate)}`"
    data = emoji.EMOJI_DATA.get(candidate)
    if data:
        return f"`{candidate}` ({data['en'].strip(':').replace('_', ' ')})"
    return f"`{_show(candidate)}`"


class Mojibake(Rule):
    """## What it does
    Finds mojibake: text that was stored as UTF-8 and then read through a single-byte code
    page (Windows-1252, Windows-1254, Latin-1, MacRoman, Windows-1251), sometimes twice, and
    sometimes with bytes lost on the way (dropped, or replaced by `?` or U+FFFD because the
    code page had no character for them). Each damaged span is reported at its exact place
    (a line can mix damaged and correct text), with the most likely original and how the
    text was damaged. Code is checked too.

    UTF-8 read through a Chinese double-byte code page (GBK, GB18030, Big5) is found too:
    `寮€鏀炬簮` for 开放源, `W眉rzburg` for Würzburg, with bytes lost (`鈥�`, or dropped by a
    decoder that ignores errors, where Big5 leaves chains of characters in a shape real text
    does not take). What GBK or Big5 leaves of a symbol or emoji between ASCII text (`漏 2025`
    for `© 2025`, `鈿 Video` for `⚽ Video`) is reported only where that symbol would stand
    (before a number, at the start or end of a line, inside a Latin word) and only on a line
    with no other Chinese; its message says that a lone Chinese character can also be real.

    A span is reported only when the repair makes the text look clearly better (ftfy's
    mojibake heuristic, C1 controls, U+FFFD, words that mix scripts or hold stray symbols),
    so correct text in any language is left alone.

    ## Why is this bad?
    Readers see `Itâ€™s` instead of `It’s` and `ğŸ“…` instead of 📅. Mojibake spreads: every
    copy of the page, every feed and search index built from it carries it on, and each
    round trip through the wrong code page makes it worse (`Ã¢â‚¬â„¢`).

    ## Example
    ```markdown
    ## ğŸ“… Event and Session Details
    Itâ€™s a pleasure to kick off this session.
    ```
    gives `` `ğŸ“…` is mojibake for `📅` (UTF-8 read as Windows-1254)`` and
    `` `â€™` is mojibake for `’` (UTF-8 read as Windows-1252)``. Use instead:
    ```markdown
    ## 📅 Event and Session Details
    It’s a pleasure to kick off this session.
    ```

    ## Fix
    Replaces the span with its repair.

    - **Safe** when the repair is the only reading, no byte was lost, and damaging the
      repair again the same way gives back exactly the damaged text (`📅`, `’`, `é`, and
      double encoding undone layer by layer). Also safe: a lossy span *settled* by the RGI
      emoji list, where every rebuilt character sits inside a multi-character emoji sequence
      and only one reading does so (`ğŸ·ï¸` → 🏷️, `ğŸ‘©â€ğŸ’¼` → 👩‍💼): the lost byte is pinned
      by the sequence, and the repair round-trips.
    - **Unsafe** when other bytes were lost: the lost bytes can only be the few the code
      page leaves undefined, so the readings are rebuilt and ranked, RGI emoji sequences
      first, then context (a closing quote after a
      word, a letter of the same script as its neighbours, the line's words in an emoji's
      name, the same emoji elsewhere in the file). The best reading is offered as an unsafe
      fix only when that evidence puts it ahead; the other readings are listed.
    - **No fix** when readings tie on evidence (`ğŸ¤` may be 🎤, 🍤, 🐤, 🤝 … : all are
      listed, the most common on event pages first, and none is chosen).
    - **Unsafe** too, though the repair is the only reading, for one or two damaged
      characters alone inside a Latin word (`W眉rzburg` → Würzburg): `Python没Go` is also
      how mixed Chinese and English is written. It is safe when the line holds more damage
      of the same code page or the text spells the repaired word elsewhere.
    - Inside code blocks and code spans a fix is never safe: code may show mojibake on
      purpose.

    ## Known limits
    A lone lead character whose only continuation byte was dropped (`NAÃVE` for `NAÏVE`) is
    found only next to other damage on its line and before a small letter. A `?` right
    after a damaged sequence may be a lost byte or a real question mark: it is read as the
    lost byte when the rest of the text lost its bytes to `?`, and it is never repaired as
    a real question mark (that reading is only listed). A symbol that lost a byte and now
    reads as `â` and a closing quote or a dash (`â”` for ❔, `â—` for ❗) looks like the
    end of a correct word (Turkish `hâlâ”`) and is not reported. An everyday Chinese
    character alone on a line (`- 本 Book`, `## 中 China`) is never read as what Big5 or GBK
    left of an emoji, though it can be (🤣 through Big5 leaves 不). Big5 with dropped bytes
    can leave one or two characters, or nothing but ASCII: those are not found.
    """

    code = "TL102"
    name = "mojibake"
    summary = "Text decoded with the wrong encoding (Itâ€™s for It’s), with its repair"
    # An error: the page shows garbage to every reader, and the repair is usually exact.
    severity = Severity.ERROR
    fixable = "sometimes"

    def check(self, ctx):
        for d in damage(ctx):
            yield self.finding(d.start, d.end, self.message(d), fix=self.fix_for(ctx, d))

    @staticmethod
    def message(d: Damage) -> str:
        shown = f"`{_show(d.damaged)}`"
        if not d.candidates:
            if d.lossy:
                return f"{shown} is mojibake ({d.model}); the lost bytes cannot be rebuilt"
            # several readings re-damage exactly, or none does
            return f"{shown} is mojibake ({d.model}); no single reading of it can be verified"
        if d.unambiguous and d.tentative:
            return (f"{shown} is probably mojibake for `{_show(d.candidates[0])}` ({d.model}); "
                    f"{d.doubt or 'Chinese between Latin letters can also be real'}")
        if d.unambiguous:
            return f"{shown} is mojibake for `{_show(d.candidates[0])}` ({d.model})"
        others = d.candidates[1:_MAX_SHOWN]
        more = len(d.candidates) - 1 - len(others)
        listed = ", ".join(_label(c) for c in others) + (f" and {more} more" if more > 0 else "")
        if d.preferred:
            return (f"{shown} is mojibake, most likely for {_label(d.candidates[0])} ({d.model}); "
                    f"it could also be {listed}")
        return (f"{shown} is mojibake for one of {_label(d.candidates[0])}, {listed} ({d.model}): "
                "the lost bytes cannot be told apart")

    @staticmethod
    def fix_for(ctx, d: Damage) -> Fix | None:
        if not d.candidates:
            return None
        best = d.candidates[0]
        if sure(d):
            applicability = Applicability.SAFE
        elif d.unambiguous or d.preferred:
            applicability = Applicability.UNSAFE
        else:
            return None
        if _in_code(ctx, d.start, d.end):
            applicability = Applicability.UNSAFE
        return Fix.replace(d.start, d.end, best, f"Replace with `{_show(best)}`", applicability)


class ReplacementCharacter(Rule):
    """## What it does
    Reports U+FFFD REPLACEMENT CHARACTER (`�`) written in the text: one finding per run.
    Two kinds are left to other rules: the U+FFFD that stand for bytes of the file that are
    not UTF-8 (TL101 reports those bytes), and a U+FFFD inside a mojibake span (`â€�` for
    `”`), which TL102 reports once with the whole span and its repair. A run only partly
    inside a mojibake span is reported here in full.

    ## Why is this bad?
    A `�` means a character was lost when the text was converted: some program could not
    decode it and put the replacement character in its place. Readers see a box or a
    question mark where a letter, a quote or an emoji was.

    ## Example
    ```markdown
    Join us in Z�rich on May 6.
    ```
    The original character is gone; find it in the source the text was copied from
    (`Zürich`).
    """

    code = "TL103"
    name = "replacement-character"
    summary = "U+FFFD replacement characters: a character was lost in a conversion"
    severity = Severity.WARNING
    fixable = "never"

    def check(self, ctx):
        text = ctx.source.text
        if "\ufffd" not in text:
            return
        placeholders = set()
        for run in ctx.source.invalid_bytes:
            placeholders.update(range(run.offset, run.offset + len(run.data)))
        spans = damage(ctx)
        i, n = 0, len(text)
        while True:
            i = text.find("\ufffd", i)
            if i < 0:
                return
            if i in placeholders:
                i += 1
                continue
            j = i
            while j < n and text[j] == "\ufffd" and j not in placeholders:
                j += 1
            if not in_damage(spans, i, j):
                count = j - i
                what = "replacement character" if count == 1 else f"{count} replacement characters"
                yield self.finding(i, j, f"U+FFFD {what}: a character was lost when this text was converted")
            i = j


RULES = [Mojibake, ReplacementCharacter]
