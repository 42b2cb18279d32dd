"""UTF-8 read through a single-byte code page, found span by span and repaired when possible.

Models: UTF-8 bytes decoded as Windows-1252, Windows-1254, Latin-1 (C1 controls included),
MacRoman or Windows-1251; the same twice (double encoding); and the lossy variants where a
byte the code page leaves undefined was dropped, or replaced by ``?`` or U+FFFD.

How a span is found
-------------------
1. A cheap whole-text prefilter (one regular expression) looks for a character that some
   code page gives for a UTF-8 lead byte (0xC2–0xF4) followed by one it gives for a
   continuation byte (0x80–0xBF), or by ``?``/U+FFFD. Clean ASCII text, and most clean
   non-ASCII text, is rejected here without any Python-level work.
2. Around each hit, the run of non-ASCII characters is turned back into bytes through each
   family of code pages (Western: Windows-1252/1254 and Latin-1; MacRoman; Windows-1251), and
   scanned for UTF-8 sequences: a lead byte, then its continuation bytes, where a ``?`` or
   U+FFFD stands for a lost byte at a known place and a sequence that is short of
   continuation bytes lost some at unknown places. Only the bytes the code page leaves
   undefined can be lost, so the lost values are few (0x81 0x8D 0x8F 0x90 0x9D, and 0x8E
   0x9E for Windows-1254; 0x98 for Windows-1251).
3. Adjacent sequences form a cluster: one damaged span. Its readings are the strict UTF-8
   decodes of every way to put the lost bytes back, keeping only assigned, non-private,
   non-control characters. A reading that is itself mojibake is repaired again (double
   encoding).
4. A cluster is reported only when the damaged text is clearly worse than its repair: ftfy's
   badness heuristic (which knows the character juxtapositions typical of mojibake), C1
   controls, U+FFFD, words that mix scripts or hold stray symbols — compared before and
   after. This keeps clean text clean: a German ``Straß“`` re-encodes to a valid NKo letter,
   but nothing about it looks damaged, so it is left alone.

How the readings are ranked
---------------------------
Complete RGI emoji sequences first (the ``emoji`` package's list of fully-qualified
sequences): a zero width joiner or a variation selector put back between two emoji must
form an RGI sequence, which settles ``ğŸ‘©â€ğŸ’¼`` (only 👩‍💼) and ``ğŸ·ï¸`` (only 🏷️). Then
context: a closing quote after a word, a letter of the same script as its neighbours, the
words of the line in the emoji's name, the same emoji used elsewhere in the text, and a
short list of emoji common on event pages. A reading is "preferred" only when it is ahead
on that evidence; when it is not, the candidates are listed and none is chosen.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from dataclasses import dataclass, field

from . import Damage

try:  # the RGI emoji list; without it emoji readings are still found, only not settled
    import emoji as _emoji

    _EMOJI_DATA: dict = _emoji.EMOJI_DATA
except ImportError:  # pragma: no cover - emoji is a dependency
    _emoji = None
    _EMOJI_DATA = {}

QMARK = "?"
FFFD = "\ufffd"
_FULLY_QUALIFIED = 2
_COMPONENT = 1
_MAX_CANDIDATES = 400  # readings of one span kept before ranking
_MAX_LISTED = 12  # readings kept in a Damage
_MAX_DEPTH = 3  # layers of double encoding undone


# -- code pages ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CodePage:
    name: str
    codec: str
    table: tuple  # 256 entries: the character a byte reads as, None when undefined
    undefined: frozenset  # byte values the code page leaves undefined
    chars: frozenset  # every character it can give, C1 controls for undefined bytes included

    def damage(self, text: str, mode: str) -> str:
        """``text`` encoded as UTF-8 and read through this code page; ``mode`` says what
        happens to undefined bytes: ``c1`` (kept as C1 controls, as browsers do), ``drop``,
        ``?`` or ``\ufffd``."""
        out = []
        for b in text.encode("utf-8", "surrogatepass"):
            c = self.table[b]
            if c is None:
                c = chr(b) if mode == "c1" else "" if mode == "drop" else mode
            out.append(c)
        return "".join(out)


def _page(name: str, codec: str) -> CodePage:
    table = []
    for b in range(256):
        try:
            table.append(bytes([b]).decode(codec))
        except UnicodeDecodeError:
            table.append(None)
    undefined = frozenset(b for b in range(256) if table[b] is None)
    chars = frozenset(c if c is not None else chr(b) for b, c in enumerate(table) if b >= 0x80)
    return CodePage(name, codec, tuple(table), undefined, chars)


W1252 = _page("Windows-1252", "cp1252")
W1254 = _page("Windows-1254", "cp1254")
LATIN1 = _page("Latin-1 (ISO-8859-1)", "latin-1")
MACROMAN = _page("MacRoman", "mac_roman")
W1251 = _page("Windows-1251", "cp1251")
PAGES = (W1252, W1254, LATIN1, MACROMAN, W1251)


@dataclass(frozen=True)
class Family:
    """Code pages that agree on which byte each of their characters stands for, so one
    char → byte map serves them all. Pages are listed in order of preference."""

    name: str
    pages: tuple
    enc: dict  # non-ASCII character → byte value
    undefined: frozenset  # union of the pages' undefined bytes


def _family(name: str, pages: tuple) -> Family:
    enc: dict[str, int] = {}
    for page in pages:
        for b in range(0x80, 0x100):
            c = page.table[b] if page.table[b] is not None else chr(b)
            if enc.setdefault(c, b) != b:  # pragma: no cover - guards the table design
                raise AssertionError(f"{name}: {c!r} stands for two bytes")
    undefined = frozenset().union(*(p.undefined for p in pages))
    return Family(name, pages, enc, undefined)


WESTERN = _family("western", (W1252, W1254, LATIN1))
MAC = _family("macroman", (MACROMAN,))
CYRILLIC = _family("cyrillic", (W1251,))
FAMILIES = (WESTERN, CYRILLIC, MAC)


def _char_class(chars) -> str:
    return "".join(sorted({re.escape(c) for c in chars}))


_LEADS = {c for f in FAMILIES for c, b in f.enc.items() if 0xC2 <= b <= 0xF4}
_CONTS = {c for f in FAMILIES for c, b in f.enc.items() if 0x80 <= b <= 0xBF}
# A lead character followed by a continuation character or a lost-byte marker.
_HOT = re.compile(f"[{_char_class(_LEADS)}][{_char_class(_CONTS | {QMARK, FFFD})}]")
# The run a hit is analysed in: non-ASCII characters and '?' (which may stand for a lost byte).
_RUN = re.compile(r"[^\x00-\x3e\x40-\x7f]+")


# -- sequences ---------------------------------------------------------------------------------

_LOST_Q = -1  # a '?' standing for a lost byte
_LOST_R = -2  # a U+FFFD standing for a lost byte


@dataclass
class _Option:
    text: str  # what the sequence decodes to (may end with a literal '?')
    lost: tuple  # the byte values put back
    mode: str  # "none", "drop", "?", "\ufffd"


@dataclass
class _Seq:
    start: int  # offsets in the run
    end: int
    lead: int
    items: list  # continuation bytes, or _LOST_Q/_LOST_R markers
    missing: int  # continuation bytes absent altogether (dropped)
    options: list = field(default_factory=list)

    @property
    def real(self) -> int:
        return sum(1 for x in self.items if x >= 0)

    @property
    def complete(self) -> bool:
        return self.missing == 0 and all(x >= 0 for x in self.items)


def _need(lead: int) -> int:
    return 1 if lead < 0xE0 else 2 if lead < 0xF0 else 3


def _codes(run: str, fam: Family) -> list:
    codes = []
    for c in run:
        if c == QMARK:
            codes.append(_LOST_Q)
        elif c == FFFD:
            codes.append(_LOST_R)
        else:
            codes.append(fam.enc.get(c))
    return codes


def _scan(codes: list, lossy: bool) -> list[_Seq]:
    seqs: list[_Seq] = []
    n = len(codes)
    i = 0
    while i < n:
        b = codes[i]
        if b is None or b < 0xC2 or b > 0xF4:
            i += 1
            continue
        need = _need(b)
        items = []
        j = i + 1
        while len(items) < need and j < n:
            c = codes[j]
            if c is None:
                break
            if c < 0:
                if not lossy:
                    break
            elif not 0x80 <= c <= 0xBF:
                break
            items.append(c)
            j += 1
        missing = need - len(items)
        if missing and not lossy:
            i += 1
            continue
        if missing + sum(1 for x in items if x < 0) > 2:
            i += 1
            continue
        seqs.append(_Seq(i, j, b, items, missing))
        i = j
    return seqs


@functools.lru_cache(maxsize=4096)
def _decode_options(lead: int, items: tuple, missing: int, undefined: frozenset) -> tuple:
    """Every plausible character a (possibly lossy) sequence can stand for."""
    need = _need(lead)
    out = []
    seen = set()
    markers = [k for k, x in enumerate(items) if x < 0]
    slot_sets = itertools.combinations(range(need), missing) if missing else [()]
    values = sorted(undefined)
    for slots in slot_sets:
        # Lay out the continuation positions: missing slots get a hole, the rest take the
        # items in order.
        layout: list = []
        it = iter(items)
        for k in range(need):
            layout.append(None if k in slots else next(it))
        holes = [k for k, x in enumerate(layout) if x is None or x < 0]
        for fill in itertools.product(values, repeat=len(holes)):
            cont = list(layout)
            for k, v in zip(holes, fill):
                cont[k] = v
            raw = bytes([lead, *cont])
            try:
                ch = raw.decode("utf-8")
            except UnicodeDecodeError:
                continue
            if ch in seen or not _plausible_char(ch) or 0xE0000 <= ord(ch) <= 0xE007F:
                continue  # tag characters only mean something inside a complete flag sequence
            seen.add(ch)
            mode = "none"
            if missing:
                mode = "drop"
            elif markers:
                mode = QMARK if items[markers[0]] == _LOST_Q else FFFD
            out.append(_Option(ch, tuple(fill), mode))
    del markers
    return tuple(out)


# -- characters ----------------------------------------------------------------------------------


@functools.lru_cache(maxsize=65536)
def _plausible_char(ch: str) -> bool:
    """A character a real text may hold (C1 controls pass: double encoding repairs them)."""
    o = ord(ch)
    if 0x80 <= o <= 0x9F:
        return True
    if (0xFDD0 <= o <= 0xFDEF) or (o & 0xFFFE) == 0xFFFE:
        return False
    cat = unicodedata.category(ch)
    if cat in ("Co", "Cs", "Cc"):
        return False
    if cat == "Cn":
        return ch in _EMOJI_DATA  # newer emoji than this Python's Unicode tables
    return True


@functools.lru_cache(maxsize=65536)
def _script(ch: str) -> str | None:
    """A coarse script for a letter, None for anything else."""
    if not ch.isalpha():
        return None
    o = ord(ch)
    if o < 0x250 or 0x1E00 <= o <= 0x1EFF:
        return "LATIN"
    if 0x370 <= o <= 0x3FF or 0x1F00 <= o <= 0x1FFF:
        return "GREEK"
    if 0x400 <= o <= 0x52F:
        return "CYRILLIC"
    first = unicodedata.name(ch, "?").split(" ", 1)[0]
    if first in ("HIRAGANA", "KATAKANA", "CJK", "IDEOGRAPHIC", "HALFWIDTH", "FULLWIDTH"):
        return "CJK"
    return first


# Non-ASCII symbols that clean text uses freely; others are suspicious.
_USUAL_SYMBOLS = set(
    "’‘“”„«»‹›–—‐‑…·•§¶°±×÷€£¥¢©®™¿¡\u00a0\u202f\u2009\u200a\u2002\u2003′″‰№→←↑↓⇒≈≠≤≥∞"
    "、。，：；！？（）【】《》「」『』〈〉・ー～￥＠＃％＆＊＋－＝"
)
# Symbols that may stand between two letters of one word.
_WORD_INTERNAL = set("’‘ʼ'‐‑–—·•/")
_C1 = re.compile("[\x80-\x9f]")


def _is_emoji_char(ch: str) -> bool:
    return ch in _EMOJI_DATA or ch + "\ufe0f" in _EMOJI_DATA


@functools.lru_cache(maxsize=65536)
def _odd(ch: str) -> bool:
    """A non-ASCII character that is rare in clean text outside mojibake."""
    if ch.isascii() or ch in _USUAL_SYMBOLS or _is_emoji_char(ch):
        return False
    cat = unicodedata.category(ch)
    if cat[0] in "LN" or cat in ("Mn", "Mc", "Zs", "Pd", "Pi", "Pf", "Ps", "Pe", "Cf", "Sc", "So"):
        return False
    return True


# Latin Extended-B, IPA, spacing modifiers, Coptic and Greek symbol variants; Syriac, Thaana, NKo (two-byte UTF-8 that a
# Latin-1 letter and a symbol happen to spell: ``ß“`` is a NKo letter).
_RARE_RANGES = ((0x0180, 0x024F), (0x0250, 0x02AF), (0x02B0, 0x02FF), (0x03E2, 0x03FF),
                (0x0700, 0x07FF))
_NOT_RARE = set("ƠơƯưȘșȚțəɛɔɣɲʻʼ") | {chr(o) for o in range(0x01C4, 0x01DD)}
_RARE = set("Ÿƒˆ˜¤¦¨¯´¸")
# Punctuation that may follow a letter directly.
_AFTER_LETTER = set("’”“»«›‹·–—‐‑")


@functools.lru_cache(maxsize=65536)
def _rare(ch: str) -> bool:
    """A character seldom written on purpose, common in mojibake (ƒ, ˆ, ¤, IPA letters …)."""
    if ch in _RARE:
        return True
    if ch in _NOT_RARE:
        return False
    o = ord(ch)
    return any(lo <= o <= hi for lo, hi in _RARE_RANGES)


@functools.lru_cache(maxsize=4096)
def _mark_script(ch: str) -> str | None:
    """The script a combining mark belongs to, None for the generic ones (U+0300–U+036F)."""
    if 0x300 <= ord(ch) <= 0x36F or 0x1AB0 <= ord(ch) <= 0x1AFF or 0x20D0 <= ord(ch) <= 0x20FF:
        return None
    first = unicodedata.name(ch, "?").split(" ", 1)[0]
    return {"COMBINING": None}.get(first, first)


def _incoherence(word: str) -> int:
    """Signs that a word is not how anyone writes: script switches between its letters, odd
    or rare characters, symbols between its letters or right after a letter, a capital
    non-ASCII letter after a small one or in a run of capitals that goes on in small letters,
    and combining marks with no letter to sit on."""
    score = 0
    alpha = [i for i, ch in enumerate(word) if ch.isalpha()]
    first, last = (alpha[0], alpha[-1]) if alpha else (0, -1)
    last_script = None
    prev = ""
    upper_run = 0
    upper_run_non_ascii = False
    for i, ch in enumerate(word):
        if ch.isalpha():
            s = _script(ch)
            if last_script is not None and s != last_script:
                score += 1
            if not ch.isascii():
                if ch.isupper() and prev.isalpha() and prev.islower():
                    score += 1
                if _rare(ch):
                    score += 2
            if ch.isupper():
                upper_run += 1
                upper_run_non_ascii |= not ch.isascii()
            else:
                if ch.islower() and upper_run >= 2 and upper_run_non_ascii and ch != "s":
                    score += 1
                upper_run, upper_run_non_ascii = 0, False
            last_script = s
        else:
            upper_run, upper_run_non_ascii = 0, False
            if not ch.isascii():
                cat = unicodedata.category(ch)
                if _rare(ch):
                    score += 2
                elif _odd(ch):
                    score += 1
                elif cat == "Mn":
                    if not prev.isalpha():
                        # A script's own mark with no letter to sit on is never written
                        # (`T•ؕR` from correct `T•Ø•R`); a variation selector after a symbol is.
                        score += 1 if _mark_script(ch) is None or 0xFE00 <= ord(ch) <= 0xFE0F else 2
                    elif _mark_script(ch) not in (None, _script(prev)):
                        score += 2  # a Syriac mark on a Latin letter
                elif cat[0] in "PS" and not _is_emoji_char(ch) and ch not in _AFTER_LETTER \
                        and not prev.isascii() and prev.isalpha():
                    score += 1
                elif first < i < last and ch not in _WORD_INTERNAL and cat[0] in "PS" \
                        and not _is_emoji_char(ch):
                    score += 1
        prev = ch
    return score


# A capital accented letter glued to a word by a no-break space: Windows-1252 "Å\xa0" is Š.
_NBSP_GLUE = re.compile("[\u00c0-\u00de\u0100-\u017f]\u00a0\\w")


def _conts(fam: Family, exclude: str = "") -> str:
    """A character class of the characters ``fam`` gives for continuation bytes."""
    return _char_class(c for c, b in fam.enc.items() if 0x80 <= b <= 0xBF and c not in exclude)


# What may follow a word that ends in a lead character (Turkish "hâlâ", Russian "в"): closing
# quotes and punctuation (German „…“ and Danish »…« close with “ and «), and in Windows-1251
# the letters of Cyrillic alphabets and №.
_CLOSING = "\u00a0’”»…·“‘«"
_LETTERS_1251 = "ЎўЈҐЁЄЇІіґёєјЅѕї№"
# What may be glued to a word's end without a space (dashes, a soft hyphen), though not
# followed by another continuation character.
_GLUED = "\u00ad–—˜ˆ‹›"
# A lead character of a three-byte sequence (E2: punctuation, symbols, dingbats) followed by
# two continuation characters, or by one next to a lost byte's '?' or a dropped byte. ftfy
# misses most of them (`âš½` for ⚽, `Acmeâ„¢` for Acme™). A glued character counts only
# where no word can go on: right before the next lead (`â—â—` for ➗➗), or a soft hyphen
# before a '?'.
_E2_WESTERN = ("â(?:[{pair}][{cont}]|\\?[{lossy}]|[{lossy}](?:\\?|(?![{cont}]))"
               "|[{glued}](?=â)|\u00ad\\?)").format(
    pair=_conts(WESTERN, _CLOSING), cont=_conts(WESTERN, "\u00a0"),
    lossy=_conts(WESTERN, _CLOSING + _GLUED), glued=_GLUED)
_E2_CYRILLIC = "в[{pair}][{cont}]".format(
    pair=_conts(CYRILLIC, _CLOSING + _LETTERS_1251),
    cont=_conts(CYRILLIC, "\u00a0" + _LETTERS_1251))

# Signatures ftfy's heuristic misses: Windows-1251 readings of emoji (F0 9F → "рџ"), of
# General Punctuation and symbols (E2 80–9F → "вЂ", "в„", "вњ" …) and of the emoji variation
# selector (EF B8 8F → "пёЏ"); MacRoman readings where a lead byte's symbol (√ ≈ ƒ ∆ ‚) sits
# right against another non-ASCII character, and of emoji (F0 → the Apple logo U+F8FF, which
# no text puts before an accented letter); and the three-byte symbols above.
_SIGNATURES = re.compile(
    "рџ[^\\s\\w]|рџ[\u0400-\u045f]|в[ЂЃѓ†‡€‰Љ‹ЊЌЋЏђ™љ›њќћџ]|пёЏ"
    "|[√≈ƒ∆‚][^\\x00-\\x7f\\s«»“”‘’]"
    f"|\uf8ff[{_conts(MAC)}]|{_E2_WESTERN}|{_E2_CYRILLIC}"
)


def _ftfy_badness(s: str) -> int:
    # ftfy takes a while to import: only text with a candidate span needs it
    from ftfy.badness import badness

    return badness(s)


def _weirdness(s: str) -> int:
    return (2 * _ftfy_badness(s) + 3 * len(_C1.findall(s)) + 2 * s.count(FFFD)
            + 2 * len(_SIGNATURES.findall(s)) + len(_NBSP_GLUE.findall(s))
            + sum(_incoherence(w) for w in s.split()))


# -- emoji -------------------------------------------------------------------------------------

# The zero width joiner and the emoji variation selector: far more common than the other
# characters their lossy byte patterns can stand for (U+FE01–FE0E, U+FE10, U+2001 …).
_EMOJI_GLUE = "\u200d\ufe0f"
_JOINERS = {0x200D, 0x20E3} | set(range(0xFE00, 0xFE10)) | set(range(0x1F3FB, 0x1F400)) \
    | set(range(0x1F1E6, 0x1F200)) | set(range(0xE0020, 0xE0080))

# Emoji often seen in the headings and lists of event and talk pages: a prior that ranks an
# ambiguous reading (🎤 over 🍤), never one that settles it. Two tiers: the first are the
# usual markers of a talk page's sections.
EVENT_EMOJI_COMMON = frozenset(
    "🎤 🎙️ 📅 🗓️ 📆 ⏰ 🕒 📍 📌 🌍 🎓 📝 📚 📖 💡 🚀 🏆 👥 💬 🔗 🎥 📽️ 📢 📣 ✨ 🎉 🏷️ 💼 "
    "👩‍💼 👨‍💼 👩‍💻 👨‍💻 🧑‍💻 📊 📈 🎯 🌐".split()
)
EVENT_EMOJI = EVENT_EMOJI_COMMON | frozenset(
    "⌚ ⏱️ ⏳ 🏢 🏛️ 🗺️ ✈️ 🏨 📄 📑 🎊 🥇 🏅 🔥 🗣️ 👤 👩‍🏫 👨‍🏫 🤝 🙌 👏 👋 💻 🖥️ 📱 🌟 ⭐ ✅ "
    "📺 🎬 📹 📷 📸 🎧 🎟️ 🎫 🔬 🧪 🧠 🤖 ⚙️ 🛠️ 🔧 🔒 📧 ✉️ ☕ 🍕 ❤️ 🌱 🌈 📋 🗂️ 🧩 ⚡ 🐍 🎨 "
    "🔔 📰 🎁 🔍 📦 🏙️ 🚩 ❓ ❗ 💰 🎶 🎵 🌆 🌎 🌏".split()
)


def _emoji_matches(text: str) -> list[tuple[int, int, str]]:
    if _emoji is None:  # pragma: no cover
        return []
    return [(m["match_start"], m["match_end"], m["emoji"]) for m in _emoji.emoji_list(text)]


def _rgi(seq: str) -> bool:
    data = _EMOJI_DATA.get(seq)
    return data is not None and data.get("status", 0) in (_FULLY_QUALIFIED, _COMPONENT)


def _emoji_words(e: str) -> set[str]:
    data = _EMOJI_DATA.get(e) or _EMOJI_DATA.get(e.replace("\ufe0f", "")) or {}
    names = [data.get("en", "")] + list(data.get("alias", []))
    words = set()
    for n in names:
        words.update(_stem(w) for w in re.split(r"[_:\s-]+", n.lower()) if len(w) > 3)
    return words - _NAME_STOPWORDS


_NAME_STOPWORDS = {"with", "from", "face", "sign", "symbol", "button", "mark", "medium", "dark",
                   "light", "skin", "tone", "black", "white", "large", "small", "person", "open"}


def _stem(w: str) -> str:
    w = w.lower()
    return w[:-1] if w.endswith("s") and len(w) > 3 else w


def _emoji_cover(full: str) -> tuple[list, set, set]:
    """(matches, covered, covered_multi): the positions of ``full`` that belong to a known
    emoji sequence, and those in a sequence of several code points (ZWJ, skin tone, keycap,
    flag, or a base with U+FE0F where the base has an emoji variation sequence)."""
    matches = _emoji_matches(full)
    covered: set[int] = set()
    covered_multi: set[int] = set()
    for ms, me, _ in matches:
        covered.update(range(ms, me))
        if me - ms > 1:
            covered_multi.update(range(ms, me))
    for i, ch in enumerate(full):
        if ch == "\ufe0f" and i and i not in covered and _EMOJI_DATA.get(full[i - 1], {}).get("variant"):
            covered.add(i)
            covered_multi.update((i - 1, i))
    return matches, covered, covered_multi


# -- clusters ------------------------------------------------------------------------------------


@dataclass
class _Reading:
    text: str  # the repaired text of the span
    modes: frozenset  # loss modes of its lossy sequences ("drop", "?", "\ufffd")
    lossy_chars: list  # (offset in text, character) of characters rebuilt from lossy sequences
    lost: tuple = ()  # the byte values put back
    outer: str = ""  # for double encoding: the reading before the inner layer was undone
    inner: list = field(default_factory=list)  # (family, reading) of the inner layer
    literal_q: int = 0  # '?' read as real question marks after sequences that lost a byte


@dataclass
class _Cluster:
    fam: Family
    start: int  # offsets in the text
    end: int
    damaged: str
    readings: list  # _Reading
    lossy: bool
    near_only: bool = False  # only accepted next to other damage on its line
    deep: _Reading | None = None  # the reading with inner layers undone (double encoding)


def _lossy_ok(seq: _Seq) -> bool:
    """A lossy sequence whose shape is worth a reading: a lead byte of a 3- or 4-byte
    sequence with at least one real continuation byte, or any lead with a U+FFFD marker."""
    if seq.real >= 1 and seq.lead >= 0xE0:
        return True
    return _LOST_R in seq.items and seq.lead in (0xC2, 0xC3, 0xC4, 0xC5)


def _complete_option(seq: _Seq) -> list:
    raw = bytes([seq.lead, *seq.items])
    try:
        ch = raw.decode("utf-8")
    except UnicodeDecodeError:
        return []
    return [_Option(ch, (), "none")] if _plausible_char(ch) else []


def _clusters_in_run(run_start: int, run: str, after: str, fam: Family, depth: int) -> list[_Cluster]:
    codes = _codes(run, fam)
    seqs = _scan(codes, lossy=bool(fam.undefined))
    for q in seqs:
        q.options = _complete_option(q) if q.complete else \
            list(_decode_options(q.lead, tuple(q.items), q.missing, fam.undefined))
        if q.items and q.items[-1] == _LOST_Q and q.real and q.missing + sum(x < 0 for x in q.items) <= 2:
            # A final '?' may be a real question mark after a sequence that lost a byte.
            seen = {o.text for o in q.options}
            for o in _decode_options(q.lead, tuple(q.items[:-1]), q.missing + 1, fam.undefined):
                if o.text + QMARK not in seen:
                    q.options.append(_Option(o.text + QMARK, o.lost, "drop"))
    groups: list[list[_Seq]] = []
    for q in seqs:
        if not q.options:
            continue
        if groups and groups[-1][-1].end == q.start:
            groups[-1].append(q)
        else:
            groups.append([q])
    out = []
    for group in groups:
        near_only = False
        if any(q.complete for q in group):
            # Next to complete sequences, a lossy one may also be a lone two-byte lead whose
            # continuation byte was dropped (Ñ for с in Ð¾ÑÐ¸Ñ); longer lone leads may not.
            pieces = []
            for q in group:
                if not (q.complete or _lossy_ok(q) or q.lead < 0xE0):
                    continue
                if pieces and pieces[-1][-1].end == q.start:
                    pieces[-1].append(q)
                else:
                    pieces.append([q])
        else:
            pieces = []
            for q in group:
                if not _lossy_ok(q):
                    continue
                if pieces and pieces[-1][-1].end == q.start:
                    pieces[-1].append(q)
                else:
                    pieces.append([q])
            if not pieces and len(group) == 1:
                q = group[0]
                nxt = run[q.end] if q.end < len(run) else after
                # A lone lead whose only continuation byte was dropped (Ãrvíztűrő for
                # Árvíztűrő): only next to other damage, and only before a small letter.
                if q.missing == 1 and q.real == 0 and q.lead in (0xC3, 0xC4, 0xC5) \
                        and nxt.isascii() and nxt.islower():
                    pieces, near_only = [group], True
        for piece in pieces:
            c = _evaluate(run_start, run, fam, piece, depth)
            if c is not None:
                c.near_only = near_only
                out.append(c)
    return out


def _evaluate(run_start: int, run: str, fam: Family, seqs: list[_Seq], depth: int) -> _Cluster | None:
    s, e = seqs[0].start, seqs[-1].end
    damaged = run[s:e]
    lossy = any(not q.complete for q in seqs)
    option_lists = [q.options for q in seqs]
    total = 1
    for ol in option_lists:
        total *= len(ol)
    if total > _MAX_CANDIDATES:
        option_lists = _prune_options(seqs)
    readings = []
    for combo in itertools.islice(itertools.product(*option_lists), _MAX_CANDIDATES):
        pieces, modes, lossy_chars, lost = [], set(), [], []
        pos = 0
        for q, opt in zip(seqs, combo):
            if not q.complete:
                lossy_chars.append((pos, opt.text[0]))
                modes.add(opt.mode)
                lost.extend(opt.lost)
            pieces.append(opt.text)
            pos += len(opt.text)
        literal_q = sum(o.mode == "drop" and o.text.endswith(QMARK) for o in combo)
        readings.append(_Reading("".join(pieces), frozenset(modes), lossy_chars, tuple(lost),
                                 literal_q=literal_q))
    if not lossy:
        # Double encoding, when the reading still holds C1 controls (Latin-1 then
        # Windows-1252); other inner layers are weighed once the span is accepted.
        r = readings[0]
        if _C1.search(r.text):
            inner = _inner_layer(r.text, fam, 1)
            if inner is not None:
                r.outer, r.inner, r.text = r.text, [inner], inner[1].text
    readings = [r for r in readings if not _C1.search(r.text)]
    if not readings:
        return None
    deep = None
    if not lossy:
        r = readings[0]
        while _layers(r) < _MAX_DEPTH:
            peeled = _peel(r, fam)
            if peeled is None:
                break
            r = peeled
        deep = r if r is not readings[0] else None
    return _Cluster(fam, run_start + s, run_start + e, damaged, readings, lossy, deep=deep)


def _prune_options(seqs: list[_Seq]) -> list[list[_Option]]:
    """Too many combinations: keep each lossy sequence's best few options, judged with its
    complete neighbours (a skin tone modifier after its base, U+FE0F after an emoji)."""
    out = []
    for k, q in enumerate(seqs):
        if len(q.options) <= 1:
            out.append(q.options)
            continue
        left = seqs[k - 1].options[0].text if k and seqs[k - 1].complete else ""
        right = seqs[k + 1].options[0].text if k + 1 < len(seqs) and seqs[k + 1].complete else ""
        def local(opt, left=left, right=right):
            full = left + opt.text + right
            _, covered, multi = _emoji_cover(full)
            i = len(left)
            ch = opt.text[0]
            zwj = ch == "\u200d" and _is_emoji_char(left[-1:] or " ") and _is_emoji_char(right[:1] or " ")
            kin = any(_kin(ch, x) for x in (left[-1:], right[:1]) if x)
            return (-(i in multi), -zwj, -(i in covered), -kin, opt.text.endswith(QMARK), _option_prior(opt))
        out.append(sorted(q.options, key=local)[:4])
    return out


def _inner_layer(s: str, fam: Family, depth: int):
    """(family, reading) when every non-ASCII character of ``s`` belongs to a complete UTF-8
    sequence once re-encoded through the same family of code pages (double encoding goes
    through the same code page twice, or Latin-1 then Windows-1252)."""
    if s.isascii() or depth >= _MAX_DEPTH:
        return None
    seqs = _scan(_codes(s, fam), lossy=False)
    if sum(q.end - q.start for q in seqs) != sum(1 for c in s if not c.isascii()):
        return None
    pieces, pos = [], 0
    for q in seqs:
        opts = _complete_option(q)
        if not opts:
            return None
        pieces.append(s[pos:q.start])
        pieces.append(opts[0].text)
        pos = q.end
    pieces.append(s[pos:])
    r = _Reading("".join(pieces), frozenset(), [])
    if _C1.search(r.text):
        deeper = _inner_layer(r.text, fam, depth + 1)
        if deeper is None:
            return None
        r.outer, r.inner, r.text = r.text, [deeper], deeper[1].text
    return fam, r


def _double_layers(text: str, accepted: list[_Cluster]) -> None:
    """Undo an inner layer of an accepted span (``Ã¢â‚¬â„¢`` → ``â€™`` → ``’``) when that makes
    its words look better still, or no worse on a line where an inner layer was undone
    already; judged with the other accepted spans repaired."""
    double_lines: set[int] = set()
    for strict in (True, False):
        for _ in range(2 * _MAX_DEPTH):
            changed = False
            fixed = [(c.start, c.end, c.readings[0].text) for c in accepted]
            for k, c in enumerate(accepted):
                if c.lossy or len(c.readings) != 1 or _layers(c.readings[0]) >= _MAX_DEPTH:
                    continue
                line = _line_of(text, c.start, c.end)[0]
                if not strict and line not in double_lines:
                    continue
                r = c.readings[0]
                peeled = _peel(r, c.fam)
                if peeled is None:
                    continue
                others = fixed[:k] + fixed[k + 1:]
                # _gain is "weirdness before minus after": compare the two repairs.
                better = _gain(text, c, peeled.text, others) - _gain(text, c, r.text, others)
                if better > 0 or (not strict and better == 0):
                    c.readings = [peeled]
                    fixed[k] = (c.start, c.end, peeled.text)
                    double_lines.add(line)
                    changed = True
            if not changed:
                break


def _peel(r: _Reading, fam: Family) -> _Reading | None:
    """``r`` with one more inner layer undone at the bottom, or None."""
    if r.inner:
        f, inner = r.inner[0]
        deeper = _peel(inner, f)
        if deeper is None:
            return None
        return _Reading(deeper.text, r.modes, r.lossy_chars, r.lost, r.outer, [(f, deeper)])
    found = _inner_layer(r.text, fam, 1)
    if found is None:
        return None
    return _Reading(found[1].text, r.modes, r.lossy_chars, r.lost, r.text, [found])


def _option_prior(opt: _Option) -> int:
    ch = opt.text[0]
    if _is_emoji_char(ch) or ch in _EMOJI_GLUE:
        return 0
    return 1 if unicodedata.category(ch)[0] in "LP" else 2


# -- acceptance ------------------------------------------------------------------------------------


def _word_window(text: str, start: int, end: int) -> tuple[int, int]:
    s, lo = start, max(0, start - 40)
    while s > lo and not text[s - 1].isspace():
        s -= 1
    e, hi = end, min(len(text), end + 40)
    while e < hi and not text[e].isspace():
        e += 1
    return s, e


def _gain(text: str, c: _Cluster, repaired: str, fixed: list) -> int:
    """How much less damaged the surrounding words look once the span is repaired, with the
    spans already accepted (``fixed``: (start, end, repair)) repaired in both versions."""
    ws, we = _word_window(text, c.start, c.end)
    pieces_before, pieces_after = [], []
    pos = ws
    for s, e, rep in sorted([x for x in fixed if x[0] < we and x[1] > ws] + [(c.start, c.end, None)],
                            key=lambda x: x[0]):
        if s < pos:
            continue
        pieces_before.append(text[pos:s])
        pieces_after.append(text[pos:s])
        if rep is None:
            pieces_before.append(text[s:e])
            pieces_after.append(repaired)
        else:
            pieces_before.append(rep)
            pieces_after.append(rep)
        pos = e
    pieces_before.append(text[pos:we])
    pieces_after.append(text[pos:we])
    return _weirdness("".join(pieces_before)) - _weirdness("".join(pieces_after))


_MIN_GAIN = 2  # a span alone must lower the weirdness this much
_MIN_GAIN_NEAR = 0  # ... and this much when its line has accepted damage of the same family


def _word_into_symbol(text: str, c: _Cluster) -> bool:
    """Letters that run on into a word of their script, repaired into no letter at all: the
    start of a correct Ukrainian word (`Відкритий`) reads as `³дкритий`. Riding on its line's
    evidence alone, such a span is left alone (`ВЈ25` for £25 is not)."""
    if not c.damaged.isalpha() or any(ch.isalpha() for ch in c.readings[0].text):
        return False
    script = _script(c.damaged[-1])
    return any(_script(ch) == script for ch in text[c.end:c.end + 1] + text[c.start - 1:c.start])


def _accept(text: str, clusters: list[_Cluster]) -> list[_Cluster]:
    """The clusters that are damage: clearly (gain ≥ 2) on their own, or at no cost (gain ≥ 0)
    on a line where the same code pages already did clear damage. Gains are computed with the
    spans accepted so far repaired, so that damage next to damage is judged on its own.
    Where readings through different code pages overlap, the longer span wins."""
    accepted: list[_Cluster] = []
    fixed: list = []
    remaining = list(clusters)

    def overlaps(c):
        return any(c.start < a.end and a.start < c.end for a in accepted)

    for strong in (True, False):
        for _ in range(4):
            lines = {(_line_of(text, a.start, a.end)[0], a.fam.name) for a in accepted}
            scored = []
            for c in remaining:
                if overlaps(c) or (strong and c.near_only):
                    continue
                if not strong and (_line_of(text, c.start, c.end)[0], c.fam.name) not in lines:
                    continue
                if not strong and c.lossy:
                    # Next to clear damage, a lossless span may ride on the line's evidence; a
                    # lossy one must stand on its own (correct `Lê’s` reads as lossy `Ꝓs`).
                    continue
                if not strong and _word_into_symbol(text, c):
                    continue
                tries = c.readings[:16] + ([c.deep] if c.deep is not None else [])
                # A repair into rare characters (IPA, Syriac, NKo …) must earn its place.
                gain = max(_gain(text, c, r.text, fixed) - 2 * sum(map(_rare, r.text)) for r in tries)
                if gain >= (_MIN_GAIN if strong else _MIN_GAIN_NEAR):
                    scored.append((gain, c))
            if not scored:
                break
            scored.sort(key=lambda x: (-(x[1].end - x[1].start), -x[0], x[1].start))
            for _, c in scored:
                if not overlaps(c):
                    accepted.append(c)
                    fixed.append((c.start, c.end, c.readings[0].text))
                    remaining.remove(c)
    accepted.sort(key=lambda c: c.start)
    return accepted


# -- ranking ---------------------------------------------------------------------------------------


@dataclass
class _Context:
    text: str
    start: int
    end: int
    line_words: set
    elsewhere: set  # emoji used in the text outside the ambiguous spans
    modes: set  # loss modes that other spans of the text show unambiguously


def _rank(c: _Cluster, ctx: _Context) -> tuple[list[_Reading], bool, list[str]]:
    """Readings best first, whether the first is ahead on evidence, and notes."""
    notes: list[str] = []
    before = ctx.text[max(0, c.start - 1):c.start]
    after = ctx.text[c.end:c.end + 1]
    scored = [(_score(r, before, after, ctx), r) for r in c.readings]
    # Stray joiners and variation selectors are out when any reading has none.
    best = max(sc["rgi_ok"] for sc, _ in scored)
    scored = [x for x in scored if x[0]["rgi_ok"] == best]
    # A byte put back inside a multi-character emoji sequence (ZWJ, variation selector, skin
    # tone) settles it.
    best = max(sc["settled"] for sc, _ in scored)
    if best:
        scored = [x for x in scored if x[0]["settled"] == best]
        if len(scored) == 1 and best == len(scored[0][1].lossy_chars):
            notes.append("settled by the RGI emoji list")
    # An emoji-shaped sequence (F0 9F …) reads as an emoji when one fits.
    best = max(sc["emoji"] for sc, _ in scored)
    if best:
        scored = [x for x in scored if x[0]["emoji"] == best]
    scored.sort(key=lambda x: (-x[0]["evidence"], -x[0]["prior"], x[0]["order"]))
    preferred = len(scored) == 1 or scored[1][0]["evidence"] < scored[0][0]["evidence"]
    if scored[0][1].literal_q and any(not r.literal_q for _, r in scored):
        # A '?' after a broken sequence is a real question mark only if the text drops its
        # lost bytes, and that evidence may be gone (fixed in an earlier pass): never chosen.
        preferred = False
    return [r for _, r in scored], preferred, notes


def _score(r: _Reading, before: str, after: str, ctx: _Context) -> dict:
    full = before + r.text + after
    off = len(before)
    matches, covered, covered_multi = _emoji_cover(full)
    rgi_ok = int(all(i in covered for i, ch in enumerate(full) if ord(ch) in _JOINERS)
                 and not any(_stray_vertical(full, off + pos) for pos, _ in r.lossy_chars))
    settled = emoji_count = evidence = prior = order = 0
    for pos, ch in r.lossy_chars:
        i = off + pos
        if i in covered_multi:
            settled += 1
        seq = _covering(matches, i) or ch
        data = _EMOJI_DATA.get(seq) or _EMOJI_DATA.get(ch) or {}
        if _is_emoji_char(ch) and ch.encode("utf-8")[0] == 0xF0 and (_rgi(seq) or _rgi(ch)):
            emoji_count += 1
        if _is_emoji_char(ch):
            order += int(float(data.get("E", 20)) * 10)
            if seq in ctx.elsewhere or ch in ctx.elsewhere:
                evidence += 2
            if _emoji_words(seq) & ctx.line_words:
                evidence += 2
            prior += data.get("status") == _FULLY_QUALIFIED
            for tier in (EVENT_EMOJI_COMMON, EVENT_EMOJI):
                if seq in tier or ch in tier or ch + "\ufe0f" in tier:
                    prior += 1
        if not _is_emoji_char(ch) or ch.encode("utf-8")[0] != 0xF0:
            evidence += _char_context(full, i, ch)
            prior += ch in _EMOJI_GLUE
            order += 1000 + ord(ch) // 256
    if len(ctx.modes) == 1 and r.modes - {"none"} == ctx.modes:
        evidence += 1  # the one way the text lost bytes elsewhere (several ways prove nothing)
    if r.literal_q and "drop" not in ctx.modes:
        prior -= 2  # a '?' right after a broken sequence is the lost byte's marker, mostly
    return {"rgi_ok": rgi_ok, "settled": settled, "emoji": emoji_count, "evidence": evidence,
            "prior": prior, "order": order}


def _stray_vertical(full: str, i: int) -> bool:
    """A vertical presentation form (U+FE10–FE19) with no CJK text beside it: the bytes of
    an emoji variation selector that lost its last one (EF B8 8F → EF B8 90 is U+FE10)."""
    if not 0xFE10 <= ord(full[i]) <= 0xFE19:
        return False
    return not any(_script(x) == "CJK" for x in full[max(0, i - 1):i] + full[i + 1:i + 2])


def _covering(matches, i) -> str:
    for ms, me, e in matches:
        if ms <= i < me:
            return e
    return ""


def _kin(a: str, b: str) -> bool:
    """Two characters of one family: the same script, or names that start alike (BOX
    DRAWINGS, SUPERSCRIPT, CIRCLED, …)."""
    if a.isalpha() and b.isalpha():
        return _script(a) == _script(b)
    na, nb = unicodedata.name(a, ""), unicodedata.name(b, "")
    return bool(na) and na.split(" ", 1)[0] == nb.split(" ", 1)[0] and not a.isascii() and not b.isascii()


def _char_context(full: str, i: int, ch: str) -> int:
    """How well a rebuilt character fits where it stands (0–3)."""
    left = full[i - 1] if i > 0 else " "
    right = full[i + 1] if i + 1 < len(full) else " "
    word_left = left.isalnum() or left in ".,!?)]*_"
    end_right = right.isspace() or right in ".,;:!?)]*_\"'-–—。，、！？；：）」』】》〉"
    if ch in "”’»›":
        return 3 if word_left and end_right else 1
    if ch in "“‘«‹„":
        return 3 if (left.isspace() or left in "([*_\"'") and right.isalnum() else 1
    if ch in "–—":
        return 2 if (left.isspace() and right.isspace()) or (left.isalnum() and right.isalnum()) else 1
    if ch in "‐‑":
        return 2 if left.isalpha() and right.isalpha() else 0
    if ch == "…":
        return 2
    cat = unicodedata.category(ch)
    if cat in ("Cf", "Zs", "Mn", "Me", "Zl", "Zp", "Co") or _stray_vertical(full, i):
        return 0
    if ch.isalpha() and (left.isascii() and left.isalpha() or right.isascii() and right.isalpha()):
        return 3 if _script(ch) == "LATIN" else 1
    if _kin(ch, left) or _kin(ch, right):
        return 3
    return 1


# -- the detector -------------------------------------------------------------------------------------


def find(text: str) -> list[Damage]:
    """Damaged spans of ``text`` (UTF-8 read through a single-byte code page), sorted."""
    if text.isascii():
        return []
    return _find(text, 1)


def _find(text: str, depth: int) -> list[Damage]:
    clusters: list[_Cluster] = []
    last_run_end = -1
    for m in _HOT.finditer(text):
        if m.start() < last_run_end:
            continue
        run_start, run_end = _run_at(text, m.start())
        last_run_end = run_end
        run = text[run_start:run_end]
        after = text[run_end:run_end + 1]
        for fam in FAMILIES:
            clusters.extend(_clusters_in_run(run_start, run, after, fam, depth))
    clusters = [c for c in clusters if not _closes_quotation(text, c.start, c.end, clusters)]
    for c in clusters:
        if _word_end_before_nbsp(text, c):
            c.near_only = True
    if not clusters:
        return []
    # Lone leads whose continuation byte was dropped, before a small letter (Ãrvíztűrő): no
    # hot pair marks them, and they only count next to other damage on their line.
    for m in _LONE_LEAD.finditer(text):
        if not any(c.start <= m.start() < c.end for c in clusters):
            clusters.extend(_clusters_in_run(m.start(), m.group(), text[m.end():m.end() + 1], WESTERN, depth))
    accepted = _accept(text, clusters)
    _double_layers(text, accepted)
    return _to_damage(text, accepted)


# The closing quotation marks each opening one takes: English “…”, German „…“ and ‚…‘, Polish
# „…”, Swedish ”…”, French «…», Danish »…«.
_QUOTE_PAIRS = {"“": "”", "‘": "’", "„": "“”", "‚": "‘’", "”": "”", "’": "’", "«": "»", "»": "«",
                "‹": "›", "›": "‹"}


def _closes_quotation(text: str, start: int, end: int, clusters: list[_Cluster]) -> bool:
    """The span is the end of a quoted word and its closing quote, and the opening quote stands
    intact before the word: `“ÎÎ”`, `«\u00a0ÎÎ\u00a0»`. Each reads as damage (`Î”` is Δ
    through Windows-1252, `Î\u00a0` is Π, a lone `Î` a Greek letter that lost its byte), but
    a page read through a code page loses its quotes too (“ reads as `â€œ`): an intact opening
    quote that pairs with the span's last character says the quotation is what was written."""
    pad, closing = "", text[end - 1]
    if closing == "\u00a0":  # French spacing: the guillemet comes after a no-break space
        pad, closing = closing, text[end:end + 1]
    i = end - 1
    while i > 0 and text[i - 1].isalpha():
        i -= 1
    q = i - 1 - len(pad)  # where the opening quote must be
    if i > start or i == end - 1 or q < 0 or text[q + 1:i] != pad:
        return False
    if not closing or closing not in _QUOTE_PAIRS.get(text[q], ""):
        return False
    # ... and not the last byte of a damaged sequence itself (`Î“` is Γ)
    return not any(c.start <= q < c.end for c in clusters)


def _word_end_before_nbsp(text: str, c: _Cluster) -> bool:
    """`VIÐ\u00a05`, `HOTĂRÎ\u00a02`: a word's last letter and the no-break space after it
    read as one character of another script (Р, Π). A word of one script that ends in a
    letter of another is weak evidence on its own: such a span counts only next to other
    damage on its line."""
    if len(c.damaged) != 2 or c.damaged[1] != "\u00a0" or c.start == 0:
        return False
    script = _script(text[c.start - 1])
    if script is None or _script(c.damaged[0]) != script:
        return False
    return all(_script(r.text[-1]) != script for r in c.readings)


_LONE_LEAD = re.compile("(?<![^\\x00-\\x7f])[ÃÄÅ](?=[a-z])")


def _run_at(text: str, pos: int) -> tuple[int, int]:
    s = pos
    while s > 0 and _in_run(text[s - 1]):
        s -= 1
    e, n = pos, len(text)
    while e < n and _in_run(text[e]):
        e += 1
    return s, e


def _in_run(ch: str) -> bool:
    return ch == QMARK or not ch.isascii()


def _line_of(text: str, start: int, end: int) -> tuple[int, int]:
    ls = max(text.rfind("\n", 0, start), text.rfind("\r", 0, start)) + 1
    ends = [i for i in (text.find("\n", end), text.find("\r", end)) if i != -1]
    return ls, (min(ends) if ends else len(text))


_LOSS_NAME = {"drop": "dropped", QMARK: "?", FFFD: "U+FFFD"}


def _page_hint(clusters: list[_Cluster]) -> CodePage | None:
    """Windows-1254 when the text's Western damage needs it (ğ, ı, ş, İ where Windows-1252
    has ð, ý, þ, Ý) and none needs Windows-1252; Windows-1252 when some needs that; None
    when nothing tells them apart (`â€�` may have lost 0x9E, „ in Windows-1254)."""
    only_1254 = only_1252 = 0
    for c in clusters:
        if c.fam is not WESTERN:
            continue
        chars = {ch for ch in c.damaged if not ch.isascii() and ch != FFFD}
        in1252, in1254 = chars <= W1252.chars, chars <= W1254.chars
        only_1254 += in1254 and not in1252
        only_1252 += in1252 and not in1254
    if only_1254 and not only_1252:
        return W1254
    return W1252 if only_1252 else None


def _to_damage(text: str, clusters: list[_Cluster]) -> list[Damage]:
    modes_seen: set[str] = set()
    for c in clusters:
        # A loss mode every reading of a span shares is certain (`æ?—` can only have lost a
        # byte to '?'); it tells how this text lost bytes elsewhere.
        modes_seen |= frozenset.intersection(*(r.modes for r in c.readings)) - {"none"}
    hint = _page_hint(clusters)
    elsewhere: set[str] | None = None
    out = []
    for c in clusters:
        notes: list[str] = []
        readings, preferred = c.readings, True
        if c.lossy and c.fam is WESTERN:
            # Lost bytes must be undefined in a code page the damaged characters fit; the
            # text's other damage says which of Windows-1252/1254 it is when both fit.
            fits = [p for p in _pages_of(c) if p.undefined]
            pages = [hint] if hint in fits else fits
            kept = [r for r in readings if any(set(r.lost) <= p.undefined for p in pages)]
            readings = kept or readings
        if len(readings) > 1:
            if elsewhere is None:
                elsewhere = _emoji_outside(text, clusters)
            ls, le = _line_of(text, c.start, c.end)
            words = {_stem(w) for w in re.findall(r"[A-Za-z]{4,}", text[ls:le])}
            c.readings = readings
            readings, preferred, notes = _rank(c, _Context(text, c.start, c.end, words, elsewhere, modes_seen))
        readings = readings[:_MAX_LISTED]
        best = readings[0]
        page, mode, verified = _verify(c, best, hint or W1252)
        out.append(Damage(
            start=c.start, end=c.end, damaged=c.damaged, candidates=[r.text for r in readings],
            model=_model_name(page, c, best, mode), lossy=c.lossy, verified=verified, notes=notes,
            preferred=preferred, encoding=page.name if page else "",
            loss=_LOSS_NAME.get(mode, ""), layers=_layers(best),
            settled=len(readings) == 1 and "settled by the RGI emoji list" in notes))
    return out


def _layers(r: _Reading) -> int:
    return 1 + (_layers(r.inner[0][1]) if r.inner else 0)


def _pages_of(c: _Cluster) -> list[CodePage]:
    chars = {ch for ch in c.damaged if not ch.isascii() and ch != FFFD}
    return [p for p in c.fam.pages if chars <= p.chars]


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def _emoji_outside(text: str, clusters: list[_Cluster]) -> set[str]:
    """Emoji in the text outside ambiguous spans, and the readings of unambiguous ones."""
    found: set[str] = set()
    ambiguous = [(c.start, c.end) for c in clusters if len(c.readings) > 1]
    for m in _NON_ASCII.finditer(text):
        if any(s < m.end() and m.start() < e for s, e in ambiguous):
            continue
        for _, _, e in _emoji_matches(m.group()):
            found.add(e)
    for c in clusters:
        if len(c.readings) == 1:
            found.update(e for _, _, e in _emoji_matches(c.readings[0].text))
    found |= {e.replace("\ufe0f", "") for e in found}
    return found


def _verify(c: _Cluster, r: _Reading, hint: CodePage = W1252) -> tuple[CodePage | None, str, bool]:
    """The code page and loss mode under which reading ``r``, damaged again the same way,
    gives back exactly the damaged text (``verified``); the text's hint is tried first, so
    that ``Ä°`` in a Turkish text is named Windows-1254 (both pages read it alike)."""
    modes = r.modes - {"none"}
    if len(modes) > 1:
        return None, "mixed", False
    mode = next(iter(modes)) if modes else "c1"
    pages = sorted(c.fam.pages, key=lambda p: p is not hint)
    for page in pages:
        if redamage(r, page, mode) == c.damaged:
            return page, mode, True
    return None, mode, False


def redamage(r: _Reading, page: CodePage, mode: str) -> str:
    """A reading damaged again: inner layers first (double encoding), then read through
    ``page`` with undefined bytes handled per ``mode``."""
    text = r.text
    if r.inner:
        fam, inner = r.inner[0]
        again = None
        for p in fam.pages:  # the inner layer never lost bytes
            candidate = redamage(inner, p, "c1")
            if candidate == r.outer:
                again = candidate
                break
        if again is None:
            return ""
        text = again
    return page.damage(text, mode)


def _inner_pages(r: _Reading) -> list[str]:
    names = []
    while r.inner:
        fam, inner = r.inner[0]
        for p in fam.pages:
            if redamage(inner, p, "c1") == r.outer:
                names.append(p.name)
                break
        r = inner
    return names


def _model_name(page: CodePage | None, c: _Cluster, r: _Reading, mode: str) -> str:
    name = page.name if page is not None else (
        "a mix of Windows-1252 and Latin-1" if c.fam is WESTERN else c.fam.pages[0].name)
    model = f"UTF-8 read as {name}"
    inner = _inner_pages(r)
    if inner:
        if set(inner) == {name}:
            model += " twice (double encoding)" if len(inner) == 1 else f" {len(inner) + 1} times"
        else:
            model += f", after being read as {' then '.join(reversed(inner))} (double encoding)"
    if c.lossy:
        model += {"drop": "; undefined bytes dropped", QMARK: "; undefined bytes replaced by ?",
                  FFFD: "; undefined bytes replaced by U+FFFD"}.get(mode, "; bytes lost")
    elif page is not None and page is not LATIN1 and _C1.search(c.damaged):
        model += "; undefined bytes kept as C1 controls"
    return model
