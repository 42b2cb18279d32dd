"""UTF-8 read through a CJK double-byte code page: GBK/GB18030, Big5, Shift-JIS, EUC-KR.

``find(text)`` returns a :class:`~talklint.mojibake.Damage` for every span of ``text`` that is
UTF-8 bytes decoded with one of those code pages (``寮€鏀炬簮`` for 开放源…, ``It鈥檚`` for It’s,
``Cafﾃｩ`` for Café), and for the literal signatures of damage that cannot be undone
(``锟斤拷``: U+FFFD U+FFFD read as GBK; ``烫烫烫``/``屯屯屯``: MSVC's uninitialised memory;
``ï¿½``: U+FFFD read as Windows-1252).

How it works
------------
Damage is found by structure, not by statistics over the whole text.

1. Cheap exits: text without any character that can begin a damaged span (CJK ideographs,
   hangul, half-width katakana, U+FFFD, private use) returns at once, and builds no table.
   (The tables, derived from Python's codecs, are kept in ``__pycache__`` once built: see
   ``kept``.)
2. The text is cut into *tokens*, maximal runs of non-ASCII characters: the wrong decoder
   re-synchronises on every ASCII byte, so damage never straddles ASCII except for the one
   ASCII character a dangling lead byte swallowed (which is then inside the token, as the
   trail byte of a double-byte character).
3. For each code-page family every token character is mapped back to the bytes the family's
   codecs decode it from (U+FFFD stands for one lost byte). The byte stream is parsed as
   UTF-8 from each character that can start a UTF-8 sequence (a lead byte, followed by a
   continuation byte that lead allows if the character has a second byte), near the two
   complete characters in a row that a screen of all the tokens finds first (see
   ``_screen``; correct CJK text rarely has them). The parse tolerates exactly
   what the damage models produce: unknown bytes where U+FFFD stands, continuation bytes
   dropped at a character boundary (``errors="ignore"``), and a last character cut short at
   the end of the run. A damaged span is where this parse holds; its boundaries fall on
   character boundaries of both the damaged and the original text.
4. A span is scored: every original character it decodes to must be plausible (ideographs of
   the national standards, kana, hangul, punctuation, emoji, letters of one alphabet), each
   complete multi-byte character is evidence (two or three continuation bytes exactly where
   UTF-8 wants them), and the damaged characters themselves count against it when they are
   everyday characters (mojibake is made of rare ones). A span is reported on its own from
   ``_SOLO`` on; shorter evidence counts only for the code page that explains most of a line
   (``_LINE``, lower when the line has U+FFFD, which is damage already, or when the same text
   shows that code page's damage plainly elsewhere). Runs of U+FFFD on such a line join the
   report without a candidate. Even one damaged character stands on its own when it is a
   whole emoji (``馃帳`` 🎤), a symbol with U+FE0F (``鈻讹笍`` ▶️), an ideograph between two
   letters of one Latin word (``W眉rzburg``, ``conf矇rence``; its repair is only *tentative*,
   never a safe fix, unless the line holds more such damage or the text has the repaired word
   elsewhere, since ``Python没Go`` is also mixed Chinese and English), or a *sign*: a character that
   real text does not use and that is the first two bytes of a UTF-8 symbol or emoji, all
   that ``errors="ignore"`` left of it (``Forbes鈥 50``, ``馃 Speakers``; no repair).
6. Big5 with ``errors="ignore"`` leaves rows of valid characters that no parse explains;
   a long row of characters that are each two bytes UTF-8 can hold side by side, with a
   large share of rare ideographs, is reported as such, without a repair (``_big5_residue``);
   so is a shorter token whose characters are, in order, the byte pairs the decoder can leave
   of a run of 3-byte UTF-8 characters (``_big5_chains``).
5. Repair: an unknown byte is filled with every value the wrong codec could have lost there (a
   byte it fails to decode before the byte that follows). A candidate is offered only when
   exactly one reading of every parse re-damages *exactly* through one of the family's codecs
   (gbk, gb18030, code page 936 with ``0x80`` as ``€``, big5, cp950, big5hkscs, shift_jis,
   cp932, euc_kr, cp949; ``replace`` or ``ignore``); it is then ``verified``. A span whose
   readable part and lost characters lie apart is cut in two, the readable part repaired.
   Where bytes can vanish without a trace (Big5 and EUC-KR fail on most continuation bytes
   and drop whole characters with ``errors="ignore"``; Shift-JIS drops lead bytes EB-EF), a
   reading is offered only when the text proves a replace-mode decode (it has U+FFFD) or,
   for Shift-JIS, shows no dropped byte anywhere. Otherwise no candidate: ``notes`` give the
   partial repair and the rival readings.
7. A symbol, emoji or accented letter between ASCII characters leaves one or two characters of
   its own through GBK or Big5 (漏 for ©, 鈿 for ⚽ without its last byte, 瘀 for 🏷️ through
   Big5 with ``errors="ignore"``). Those are taken on a line where every other Chinese token is
   such a product too, and one stands where a symbol would (first on the line before a space,
   beside a digit, inside a Latin word), or the line has U+FFFD (``_lone_symbols``). A repair
   is offered only when one symbol leaves the token whole (through Big5 only beside U+FFFD),
   and never as a safe fix.

Limits: U+FFFD alone carries no code page (a line of nothing but U+FFFD from Big5 damage is
left to the replacement-character rule); Big5/EUC-KR with ``errors="ignore"`` is detectable
only in part (short runs of surviving characters look like ordinary text, and a lost emoji
or apostrophe leaves nothing at all); a lone accented word read through GBK (``Caf茅``) needs a
second damaged word on its line or elsewhere in the text, since those characters are everyday
Chinese; a Latin-1 symbol (``漏 2025`` for ©, ``聽`` for a no-break space) or a sign that is
also an everyday or first-level character (``鈴`` for ⏪, ``鉀`` for ⛪ with
``errors="ignore"``) is taken only where step 7 finds it in a symbol's place.
"""

from __future__ import annotations

import codecs
import re
import sys
import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import compress
from operator import ne

from . import Damage

__all__ = ["find"]

# --------------------------------------------------------------------------------------------
# Quick filters

# A damaged span begins with a character whose wrong-code-page bytes start with a UTF-8 lead
# byte (C2-F4) or with U+FFFD. In every supported family those characters are ideographs,
# hangul, half-width katakana (Shift-JIS single bytes), kana (Big5 extensions), private-use
# characters or U+FFFD itself.
_TRIGGER = re.compile(
    "[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3\ue000-\uf8ff\uf900-\ufaff"
    "\uff61-\uff9f\ufffd]"
)
_TOKEN = re.compile("[^\x00-\x7f]+")
_FFFD_RUN = re.compile("\ufffd+")

_SIG_FFFD_GBK = re.compile("(?:锟斤拷)+")
_SIG_MSVC = re.compile("烫{3,}|屯{3,}")
_SIG_FFFD_1252 = re.compile("(?:ï¿½)+")

_W = -1  # an unknown byte (U+FFFD in the damaged text, or a byte that was dropped)
_DROP = -2  # a byte assumed dropped (errors="ignore") before a character

# --------------------------------------------------------------------------------------------
# Code pages


@dataclass(frozen=True)
class _Variant:
    codec: str
    euro: bool = False  # Windows code page 936 / WHATWG "gbk": byte 0x80 decodes to €

    @property
    def label(self) -> str:
        return f"{self.codec}+euro" if self.euro else self.codec


@dataclass
class _Family:
    key: str
    model: str
    codecs: tuple[str, ...]
    variants: tuple[_Variant, ...]
    extra: dict[str, tuple[bytes, ...]] = field(default_factory=dict)
    rev: "_Rev | None" = None  # char -> byte options, built on first use


_FAMILIES: list[_Family] = [
    _Family(
        "gb",
        "UTF-8 read as GBK",
        ("gbk", "gb18030"),
        (_Variant("gbk"), _Variant("gb18030"), _Variant("gbk", True), _Variant("gb18030", True)),
        {"€": (b"\x80",)},
    ),
    _Family(
        "big5",
        "UTF-8 read as Big5",
        ("big5", "cp950", "big5hkscs"),
        (_Variant("big5"), _Variant("cp950"), _Variant("big5hkscs")),
    ),
    _Family(
        "sjis",
        "UTF-8 read as Shift-JIS",
        ("shift_jis", "cp932"),
        (_Variant("shift_jis"), _Variant("cp932")),
    ),
    _Family(
        "euckr",
        "UTF-8 read as EUC-KR",
        ("euc_kr", "cp949"),
        (_Variant("euc_kr"), _Variant("cp949")),
    ),
]
_BY_KEY = {f.key: f for f in _FAMILIES}
_KEYS = tuple(_BY_KEY)


def _codec_codes(codec: str) -> tuple[list[int], list[str]]:
    """(codes, chars): every byte 0x80-0xFF that decodes alone, then every two-byte code with
    what it decodes to (U+FFFD or several characters where it is no code: the caller drops
    those). Built when a family's table is, and not kept: the table holds what is needed."""
    single = _singles(codec)
    codes: list[int] = list(single)
    chars: list[str] = [bytes([b]).decode(codec) for b in single]
    trails = range(0x40, 0xFF)
    # all trail bytes after one lead in one decode, NUL standing for the lead byte
    template = b"\n".join(bytes([0, t]) for t in trails)
    for lead in range(0x81, 0xFF):
        if lead in single:
            continue
        parts = template.replace(b"\0", bytes([lead])).decode(codec, "replace").split("\n")
        if len(parts) != len(trails):  # pragma: no cover - defensive
            continue
        codes.extend(range(lead << 8 | trails[0], (lead << 8 | trails[-1]) + 1))
        chars.extend(parts)
    return codes, chars


@lru_cache(maxsize=None)
def _singles(codec: str) -> tuple[int, ...]:
    """Bytes 0x80-0xFF that the code page decodes alone."""
    out = []
    for b in range(0x80, 0x100):
        try:
            bytes([b]).decode(codec)
        except UnicodeDecodeError:
            continue
        out.append(b)
    return tuple(out)


@lru_cache(maxsize=None)
def _leads_before(codec: str, trail: int) -> frozenset[int]:
    """Lead bytes that make a two-byte code, one that decodes to one character, with ``trail``
    (a lead byte that decodes alone, or a trail byte outside 40-FE, makes no code)."""
    if not 0x40 <= trail <= 0xFE:
        return frozenset()
    single = _singles(codec)
    leads = [lead for lead in range(0x81, 0xFF) if lead not in single]
    parts = b"\n".join(bytes([lead, trail]) for lead in leads).decode(codec, "replace").split("\n")
    return frozenset(lead for lead, part in zip(leads, parts) if len(part) == 1 and part != "\ufffd")


@lru_cache(maxsize=None)
def _option(code: int) -> tuple[bytes, ...]:
    """The one-option tuple of a code, shared by every family and character that has it."""
    return (bytes([code]) if code < 0x100 else bytes([code >> 8, code & 0xFF]),)


class _Options(dict):
    """char -> byte options, filled on first use from the family's compact table (a dict of a
    few thousand characters where the tables hold 70,000)."""

    def __init__(self, rev: "_Rev"):
        super().__init__()
        self.rev = rev

    def __missing__(self, ch: str) -> tuple[bytes, ...]:
        opts = self.rev.get(ch, ())
        self[ch] = opts
        return opts


class _Rev:
    """What a family's code pages decode to each character from, kept compactly: ``prim`` is a
    string indexed by code point holding the character's code as a character (the bytes: one
    code 80-FF, or lead << 8 | trail; NUL where there is none), and ``extra`` the characters
    with several codes or outside the BMP. A read-only mapping char -> tuple of byte strings,
    in the order the codecs list them."""

    def __init__(self, prim: str, extra: dict[str, tuple[bytes, ...]]):
        self.prim = prim
        self.extra = extra
        self.memo = _Options(self)  # the hot path's lookups: options or () per character

    def get(self, ch: str, default=None):
        opts = self.extra.get(ch)
        if opts is not None:
            return opts
        o = ord(ch)
        code = ord(self.prim[o]) if o < 0x10000 else 0
        return _option(code) if code else default

    def __getitem__(self, ch: str) -> tuple[bytes, ...]:
        opts = self.get(ch)
        if opts is None:
            raise KeyError(ch)
        return opts

    def __contains__(self, ch: str) -> bool:
        return self.get(ch) is not None

    def __len__(self) -> int:
        return len(self.prim) - self.prim.count("\0") + sum(1 for ch in self.extra if ord(ch) >= 0x10000)

    def items(self):
        """(char, options) for every character: those with one code first, then the others."""
        for o, code in self.codes():
            yield chr(o), (bytes([code]) if code < 0x100 else bytes([code >> 8, code & 0xFF]),)
        yield from self.extra.items()

    def codes(self):
        """(code point, code) of every BMP character with one code, without building options."""
        for m in _PRESENT.finditer(self.prim):
            if chr(m.start()) not in self.extra:
                yield m.start(), ord(m.group())


_PRESENT = re.compile("[^\0]")


def _family(key: str) -> _Family:
    fam = _BY_KEY[key]
    if fam.rev is None:
        kept = _kept(("rev", key))
        fam.rev = _build_rev(fam) if kept is None else _Rev(*kept)
    return fam


# Every table below that is derived from the codecs alone is kept on disk (see ``kept``): read
# from there on first use when it is, built otherwise.
_KEPT: dict | None = None


def _kept(name):
    """The kept table ``name``, or None when it is to be built."""
    global _KEPT
    if _KEPT is None:
        _KEPT = {}  # while the kept file is read, or the tables built to be kept: build each
        from pathlib import Path

        from . import kept

        _KEPT = kept.load(Path(__file__), _all_tables)
    return _KEPT.get(name)


def _all_tables() -> dict:
    """Every kept table, built (or taken from the caches) now."""
    tables: dict = {}
    for key in _KEYS:
        rev = _family(key).rev
        tables["rev", key] = (rev.prim, rev.extra)
        tables["screen", key] = _screen_table(key)
        tables["starters", key] = _starters(key)
        tables["signs", key] = _signs(key)
    for key in _PRODUCT_CODECS:
        tables["products", key] = _products(key)
    tables["levels"] = _levels()
    tables["residue"] = _residue_table()
    tables["chain"] = _chain_string()
    return tables


def _build_rev(fam: _Family) -> _Rev:
    tables = [_codec_codes(codec) for codec in fam.codecs]
    first: dict[str, int] = {}  # char -> its first code
    for codes, chars in reversed(tables):
        first.update(zip(reversed(chars), reversed(codes)))
    for ch in [ch for ch in first if len(ch) != 1 or ch == "\ufffd"]:
        del first[ch]  # no code: U+FFFD for bytes that fail, or two characters
    # a character has several codes when a code page's first or last code for it is not the
    # family's first: only those few are looked for code by code
    several: set[str] = set()
    for codes, chars in tables:
        for own in (dict(zip(chars, codes)), dict(zip(reversed(chars), reversed(codes)))):
            several.update(compress(own, map(ne, own.values(), map(first.get, own))))
    several &= first.keys()
    more: dict[str, list[int]] = {}
    for codes, chars in tables:
        for ch, code in compress(zip(chars, codes), map(several.__contains__, chars)):
            have = more.setdefault(ch, [])
            if code not in have:
                have.append(code)
    for ch, opts in fam.extra.items():
        have = more.setdefault(ch, [first[ch]] if ch in first else [])
        for bs in opts:
            code = bs[0] if len(bs) == 1 else bs[0] << 8 | bs[1]
            if code not in have:
                have.insert(0, code)
        first[ch] = have[0]
    first.pop("\ufffd", None)
    more.pop("\ufffd", None)
    extra = {ch: tuple(_option(c)[0] for c in codes) for ch, codes in more.items() if len(codes) > 1}
    for ch in list(filter("\uffff".__lt__, first)):
        extra.setdefault(ch, _option(first.pop(ch)))
    prim = ["\0"] * 0x10000
    for _ in map(prim.__setitem__, map(ord, first), map(chr, first.values())):  # a loop in C
        pass
    return _Rev("".join(prim), extra)


@lru_cache(maxsize=None)
def _lost_bytes(key: str, nxt: int | None) -> frozenset[int]:
    """Bytes that some codec of the family cannot decode when followed by ``nxt``.

    These are the only values a U+FFFD (or a dropped byte) can stand for: Python's CJK
    decoders report one bad byte at a time and go on with the next byte.
    """
    fam = _BY_KEY[key]
    if nxt == _W:  # an unknown continuation byte followed
        return frozenset().union(*(_lost_bytes(key, c) for c in range(0x80, 0xC0)))
    out = set()
    for codec in fam.codecs:
        single = _singles(codec)
        paired = frozenset() if nxt is None else _leads_before(codec, nxt)
        out.update(b for b in range(0x80, 0x100) if b not in single and b not in paired)
    return frozenset(out)


# --------------------------------------------------------------------------------------------
# Plausibility of characters


def _charset_rows(codec: str, leads: tuple[int, int], trails: tuple[int, int]) -> frozenset[str]:
    out = set()
    # a row in one decode: a code that fails leaves U+FFFD, alone or beside a character
    template = b"\n".join(bytes([0, t]) for t in range(trails[0], trails[1] + 1))
    for lead in range(leads[0], leads[1] + 1):
        out.update(template.replace(b"\0", bytes([lead])).decode(codec, "replace").split("\n"))
    return frozenset(ch for ch in out if len(ch) == 1 and ch != "\ufffd")


def _common_sets() -> tuple[frozenset[str], frozenset[str]]:
    """(level1, level2): ideographs and hangul in the common levels of the national standards.
    Built on demand: the detector reads them from ``_levels``."""
    level1 = (
        _charset_rows("gb2312", (0xB0, 0xD7), (0xA1, 0xFE))  # GB2312 level 1: 3755 hanzi
        | _charset_rows("big5", (0xA4, 0xC6), (0x40, 0xFE))  # Big5 frequently used: 5401
        | _charset_rows("euc_jp", (0xB0, 0xCF), (0xA1, 0xFE))  # JIS X 0208 level 1: 2965
        | _charset_rows("euc_kr", (0xB0, 0xC8), (0xA1, 0xFE))  # KS X 1001 hangul: 2350
    )
    level2 = (
        _charset_rows("gb2312", (0xD8, 0xF7), (0xA1, 0xFE))
        | _charset_rows("big5", (0xC9, 0xF9), (0x40, 0xFE))
        | _charset_rows("euc_jp", (0xD0, 0xF4), (0xA1, 0xFE))
        | _charset_rows("euc_kr", (0xCA, 0xFD), (0xA1, 0xFE))
    ) - level1
    return level1, level2


@lru_cache(maxsize=None)
def _levels() -> str:
    """Indexed by code point (all the sets are in the BMP): "1" for the level-1 characters of
    _common_sets, "2" for level 2, "e" for the everyday ideographs of level 1 (_everyday) and
    "f" for those of level 2, "0" for the rest. 64 KB where the sets take megabytes."""
    kept = _kept("levels")
    if kept is not None:
        return kept
    level1, level2 = _common_sets()
    everyday = _everyday()
    table = ["0"] * 0x10000
    for chars, mark, daily in ((level1, "1", "e"), (level2, "2", "f")):
        for ch in chars:
            table[ord(ch)] = daily if ch in everyday else mark
    return "".join(table)


# categories of an original (repaired) character
_HAN1, _HAN2, _HANX, _KANA, _HANGUL, _CJKP, _PUNCT, _EMOJI, _LATIN, _GREEK, _CYR, _ASCII, _FMT, _BAD = (
    "han1", "han2", "hanx", "kana", "hangul", "cjkp", "punct", "emoji", "latin", "greek", "cyr",
    "ascii", "fmt", "bad",
)


@lru_cache(maxsize=65536)
def _category(ch: str) -> str:
    o = ord(ch)
    if o < 0x80:
        return _ASCII if 0x20 <= o < 0x7F else _BAD
    if 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0xF900 <= o <= 0xFAFF or 0x20000 <= o <= 0x3134F:
        level = _levels()[o] if o < 0x10000 else "0"
        if level in "1e":
            return _HAN1
        if level in "2f":
            return _HAN2
        return _HANX if unicodedata.category(ch) == "Lo" else _BAD
    if 0xAC00 <= o <= 0xD7A3:
        return _HANGUL if _levels()[o] in "1e" else _HAN2
    if 0x3041 <= o <= 0x3096 or 0x3099 <= o <= 0x30FF or 0x31F0 <= o <= 0x31FF or 0xFF61 <= o <= 0xFF9F:
        return _KANA
    if 0x3000 <= o <= 0x303F or 0xFF01 <= o <= 0xFF60 or 0xFFE0 <= o <= 0xFFE6 or 0x3200 <= o <= 0x33FF:
        return _CJKP if unicodedata.category(ch) != "Cn" else _BAD
    if 0x1F000 <= o <= 0x1FAFF or 0x2600 <= o <= 0x27BF or 0x2B00 <= o <= 0x2BFF:
        return _EMOJI if unicodedata.category(ch) != "Cn" or _newer_emoji(ch) else _BAD
    if o in (0xFE0F, 0x200D, 0x20E3) or 0xE0020 <= o <= 0xE007F:  # with the tags of 🏴 flags
        return _EMOJI
    if 0x200B <= o <= 0x200F or o in (0x2060, 0xFEFF):
        return _FMT
    if 0x2010 <= o <= 0x205E or 0x20A0 <= o <= 0x20C0 or 0x2100 <= o <= 0x23FF or 0x2460 <= o <= 0x25FF:
        return _PUNCT if unicodedata.category(ch) not in ("Cn", "Cf") else _BAD
    if 0xA0 <= o <= 0xBF or o in (0xD7, 0xF7):
        return _PUNCT
    cat = unicodedata.category(ch)
    if 0xC0 <= o <= 0x17F or 0x1E00 <= o <= 0x1EFF:
        return _LATIN if cat in ("Lu", "Ll") and ch not in _RARE_LATIN else _BAD
    if 0x180 <= o <= 0x24F:
        # of Latin Extended-B only Vietnamese, pinyin, Romanian letters are everyday text
        return _LATIN if ch in _LATIN_EXT_B else _BAD
    if 0x370 <= o <= 0x3FF:
        return _GREEK if cat in ("Lu", "Ll") else _BAD
    if 0x400 <= o <= 0x4FF:
        return _CYR if cat in ("Lu", "Ll") else _BAD
    for lo, hi, name in _OTHER_SCRIPTS:
        if lo <= o <= hi:
            return name if cat in ("Lo", "Mn", "Mc", "Nd", "Lm") else _BAD
    return _BAD


@lru_cache(maxsize=None)
def _emoji_data() -> dict:
    import emoji

    return emoji.EMOJI_DATA


def _newer_emoji(ch: str) -> bool:
    """An emoji newer than this Python's Unicode database (🛜, 🩷 are Unicode 15): the emoji
    list knows it, so its mojibake is not an unassigned code point."""
    return ch in _emoji_data()


_RARE_LATIN = frozenset("\u0132\u0133\u0138\u013f\u0140\u0149\u017f")  # Ĳ ĳ ĸ Ŀ ŀ ŉ ſ
_LATIN_EXT_B = frozenset("ƠơƯưǍǎǏǐǑǒǓǔǕǖǗǘǙǚǛǜȘșȚț")
_OTHER_SCRIPTS = ((0x0590, 0x05FF, "hebrew"), (0x0600, 0x06FF, "arabic"), (0x0900, 0x097F, "deva"),
                  (0x0E00, 0x0E7F, "thai"))


_SCRIPT = {_HAN1: "cjk", _HAN2: "cjk", _HANX: "cjk", _KANA: "cjk", _HANGUL: "cjk", _LATIN: "latin",
           _GREEK: "greek", _CYR: "cyr", "hebrew": "hebrew", "arabic": "arabic", "deva": "deva", "thai": "thai"}

# How ordinary is a character of the damaged text, as text? Mojibake is mostly made of
# rare ideographs, symbols and half-width katakana; clean text of common ones.


def _everyday() -> frozenset[str]:
    """Ideographs of everyday text: GB2312 level 1, JIS level 1, and the Big5 frequent
    characters that Japanese also counts as frequent (traditional forms). Built on demand:
    the detector reads them from ``_levels``."""
    gb1 = _charset_rows("gb2312", (0xB0, 0xD7), (0xA1, 0xFE))
    jis1 = _charset_rows("euc_jp", (0xB0, 0xCF), (0xA1, 0xFE))
    big5_1 = _charset_rows("big5", (0xA4, 0xC6), (0x40, 0xFE))
    return gb1 | jis1 | (big5_1 & jis1)


@lru_cache(maxsize=65536)
def _ordinary(ch: str) -> float:
    cat = _category(ch)
    if cat in (_KANA, _HANGUL, _CJKP) and not 0xFF61 <= ord(ch) <= 0xFF9F:
        return 1.0
    if cat in (_HAN1, _HAN2):
        return 1.0 if _levels()[ord(ch)] in "ef" else 0.4
    return 0.0


# --------------------------------------------------------------------------------------------
# Parsing the re-encoded bytes as UTF-8


@dataclass
class _Slot:
    """One character of the original text, as far as the parse knows it."""

    data: list[int]  # bytes; _W where unknown
    k0: int  # first damaged character (token index) holding one of its bytes
    k1: int  # last one
    unknown: int = 0  # bytes standing for U+FFFD
    inserted: int = 0  # bytes assumed dropped
    truncated: int = 0  # bytes missing at the end of the run
    region: bool = False  # a stretch of U+FFFD whose characters are not even delimited

    def complete(self) -> bool:
        return not (self.unknown or self.inserted or self.truncated or self.region)


def _seq_len(b: int) -> int:
    if b < 0x80:
        return 1
    if 0xC2 <= b <= 0xDF:
        return 2
    if 0xE0 <= b <= 0xEF:
        return 3
    if 0xF0 <= b <= 0xF4:
        return 4
    return 0


def _second_ok(lead: int, b: int) -> bool:
    if lead == 0xE0:
        return 0xA0 <= b <= 0xBF
    if lead == 0xED:
        return 0x80 <= b <= 0x9F
    if lead == 0xF0:
        return 0x90 <= b <= 0xBF
    if lead == 0xF4:
        return 0x80 <= b <= 0x8F
    return 0x80 <= b <= 0xBF


def _region_ok(pattern: list[int], at_end: bool) -> bool:
    """Can a stretch of unknown (_W) and known continuation bytes be cut into UTF-8 sequences
    whose lead bytes are all unknown? At the end of a run the last one may be cut short."""
    n = len(pattern)
    ok = [False] * (n + 1)
    ok[n] = True
    for i in range(n - 1, -1, -1):
        if pattern[i] != _W:
            continue
        for ln in (2, 3, 4):
            if i + ln <= n and ok[i + ln]:
                ok[i] = True
                break
        if not ok[i] and at_end and n - i <= 3:
            ok[i] = True
    return ok[0]


_TAKE_NEITHER = ("big5", "euckr")  # families that fail on both F0 and 9F


def _lost_lead_groups(data: list[int], key: str) -> float:
    """Evidence in a stretch of U+FFFD and continuation bytes that is made of characters whose
    lead byte was lost: (?, c, c) for three-byte ones, (?, 9F, c, ?) for an emoji, and, weaker,
    (?, c, ?) for a three-byte character that lost its last byte too. (?, ?, c, c) is an emoji
    whose F0 and 9F both failed (Big5 and EUC-KR take neither) and whose last two bytes made
    one character: all four bytes accounted for, which counts as much as two groups.
    0 if it is anything else."""
    i, n, found = 0, len(data), 0.0
    while i < n:
        if data[i] != _W or i + 1 >= n:
            return 0.0
        if data[i + 1] == _W:
            whole = i + 3 < n and data[i + 2] != _W and data[i + 3] != _W and (i + 4 == n or data[i + 4] == _W)
            if not (whole and key in _TAKE_NEITHER):
                return 0.0
            i, found = i + 4, found + 2.0
            continue
        if data[i + 1] == 0x9F and i + 3 < n and data[i + 2] != _W:
            i, found = i + 4, found + 1.0
        elif i + 2 < n and data[i + 2] != _W:
            i, found = i + 3, found + 1.0
        elif i + 2 < n:
            i, found = i + 3, found + 0.5
        else:
            return 0.0
    return found


@dataclass
class _Parse:
    start: int
    end: int  # token index after the last damaged character of the span
    slots: list[_Slot]


def _feed(st: list, b: int, first: bool, k: int) -> bool:
    """Feed one byte of damaged character k into the parse state ``[cur, need, new_slots]``."""
    cur = st[0]
    if cur is not None and cur.region:
        if b == _W or 0x80 <= b <= 0xBF:
            if len(cur.data) >= _MAX_REGION:
                return False  # a long stretch of lost bytes says nothing more
            cur.data.append(b)
            cur.k1 = k
            cur.unknown += b == _W
            return True
        if not _region_ok(cur.data, False):
            return False
        st[2].append(cur)
        st[0] = cur = None
    elif cur is not None:
        if b == _DROP:
            cur.data.append(_W)
            cur.inserted += 1
            st[1] -= 1
            if st[1] == 0:
                st[2].append(cur)
                st[0] = None
            return True
        if b == _W or (0x80 <= b <= 0xBF and (len(cur.data) != 1 or _second_ok(cur.data[0], b))):
            cur.data.append(b)
            cur.k1 = k
            cur.unknown += b == _W
            st[1] -= 1
            if st[1] == 0:
                st[2].append(cur)
                st[0] = None
            return True
        if not (first and _seq_len(b)):
            return False
        # the continuation bytes still wanted were dropped at this character boundary
        cur.inserted += st[1]
        cur.data.extend([_W] * st[1])
        st[1] = 0
        st[2].append(cur)
        st[0] = cur = None
    # a lead byte is expected
    if b == _W:
        st[0] = _Slot([_W], k, k, unknown=1, region=True)
        return True
    ln = _seq_len(b)
    if ln == 0 or (ln == 1 and first):
        return False
    if ln == 1:
        st[2].append(_Slot([b], k, k))
        return True
    st[0] = _Slot([b], k, k)
    st[1] = ln - 1
    return True


def _copy(slot: _Slot | None) -> _Slot | None:
    if slot is None:
        return None
    return _Slot(list(slot.data), slot.k0, slot.k1, slot.unknown, slot.inserted, slot.truncated, slot.region)


_MAX_PATHS = 8
_MAX_REGION = 24


def _parse(items: list, start: int, end: int, open_end: bool) -> list[_Parse]:
    """Parse the bytes of ``items[start:end]`` as UTF-8 for as long as the damage models allow.

    ``items[k]`` is a tuple of byte-string options for token character k, or None for U+FFFD.
    ``open_end``: ``end`` is the end of the token (ASCII or the end of the text follows), where
    a character may have lost its last bytes. A character with several byte options (the same
    character at two codes) forks the parse. Returns, for every path, the longest explained
    prefix that ends on a boundary of both texts; the longest first.
    """
    # a path: [cur, need, slots, good_end, good_slots]
    paths = [[None, 0, [], start, 0]]
    done: list[_Parse] = []
    k = start
    while k < end and paths:
        opts = items[k]
        nxt = []

        def step(cur, need, slots, good_end, good_slots, seq, starts):
            """The path after feeding ``seq`` (characters starting at ``starts``), or None."""
            st = [_copy(cur), need, []]
            if not all(_feed(st, b, j in starts, k) for j, b in enumerate(seq)):
                return None
            new_slots = slots + st[2] if st[2] else slots
            if st[0] is None:
                return [None, 0, new_slots, k + 1, len(new_slots)]
            return [st[0], st[1], new_slots, good_end, good_slots]

        for cur, need, slots, good_end, good_slots in paths:
            moved = 0
            for seq in ((_W,),) if opts is None else opts:
                path = step(cur, need, slots, good_end, good_slots, seq, (0,))
                if path is not None:
                    nxt.append(path)
                    moved += 1
            if not moved and cur is not None and not cur.region and need:
                # errors="ignore": bytes may have been dropped before this character
                for m in range(1, need + 1):
                    for seq in ((_W,),) if opts is None else opts:
                        path = step(cur, need, slots, good_end, good_slots,
                                    (_DROP,) * m + tuple(seq), (0, m))
                        if path is not None:
                            nxt.append(path)
                            moved += 1
                            break
                    if moved:
                        break
            if not moved and good_end > start:
                done.append(_Parse(start, good_end, slots[:good_slots]))
        paths = nxt[:_MAX_PATHS]
        k += 1
    for cur, need, slots, good_end, good_slots in paths:
        if cur is not None and k == end and open_end:
            # the run ends inside a character: its last bytes were lost (or a U+FFFD stretch)
            if cur.region:
                if _region_ok(cur.data, True):
                    slots = slots + [cur]
                    good_end, good_slots = k, len(slots)
            else:
                cur = _copy(cur)
                cur.truncated = need
                cur.data.extend([_W] * need)
                slots = slots + [cur]
                good_end, good_slots = k, len(slots)
        if good_end > start:
            done.append(_Parse(start, good_end, slots[:good_slots]))
    done.sort(key=lambda p: -p.end)
    return done


# --------------------------------------------------------------------------------------------
# Filling unknown bytes

_MAX_FILL = 64


def _fill(slot: _Slot, after: int | None, key: str) -> list[str] | None:
    """The characters ``slot`` can have been, or None when there are too many to list.

    ``after`` is the byte that followed the slot in the original (None when unknown).
    """
    if slot.region:
        return None
    data = slot.data
    unknown_at = [i for i, b in enumerate(data) if b == _W]
    if not unknown_at:
        try:
            return [bytes(data).decode("utf-8")]
        except UnicodeDecodeError:
            return []
    if unknown_at[0] == 0:
        return None
    # a lost byte is one the wrong codec could not decode before the byte that came next
    choices = []
    for i in unknown_at:
        nxt = data[i + 1] if i + 1 < len(data) else after
        lost = _lost_bytes(key, nxt)
        choices.append([v for v in range(0x80, 0xC0) if v in lost])
    combos = 1
    for c in choices:
        combos *= len(c)
    if combos > 256:
        return None
    out = []
    fills = [list(data)]
    for i, vals in zip(unknown_at, choices):
        fills = [f[:i] + [v] + f[i + 1 :] for f in fills for v in vals]
    for bs in fills:
        try:
            ch = bytes(bs).decode("utf-8")
        except UnicodeDecodeError:
            continue
        if _category(ch) != _BAD:
            out.append(ch)
    return out


# --------------------------------------------------------------------------------------------
# Scoring


@dataclass
class _Span:
    key: str
    start: int  # offsets in text
    end: int
    parse: _Parse
    score: float
    chars: list  # per slot: list of possible characters or None
    weak: bool
    alts: list = field(default_factory=list)  # (chars, drops) of other parses of the same span
    open_end: bool = True  # the span ends where its token ends (not at a parse failure)
    lost_only: bool = False  # a run of U+FFFD with nothing left to decode
    cjk: bool = False  # decodes to CJK characters
    evidence: float = 0.0  # the score without the credit for U+FFFD (which any code page explains)
    tentative: bool = False  # a damaged character or two inside a Latin word and nothing else:
    # reported, but repaired safely only with the evidence _confirmed and mojibake._confirm look for


_SIGN = 6.0  # a sign character (see _signs) whose last bytes were lost: _SOLO with two bytes lost


@lru_cache(maxsize=None)
def _signs(key: str) -> frozenset[str]:
    """Characters that are the first two bytes of a UTF-8 symbol (E2 80-A0: quotes, dashes,
    bullets, arrows, math, dingbats) or of an emoji (F0 9F) read through the family, and that
    real text does not use: outside GB2312 and outside every national standard's first level
    (鈥 for E2 80, 馃 for F0 9F; 窶 through Shift-JIS). Where ``errors="ignore"`` dropped
    the rest of the character, such a character is all that is left of it."""
    kept = _kept(("signs", key))
    if kept is not None:
        return kept
    levels = _levels()
    gb2312 = _charset_rows("gb2312", (0xA1, 0xF7), (0xA1, 0xFE))
    rev = _family(key).rev
    found = [chr(m.start()) for m in re.finditer("[\ue280-\ue2a0\uf09f]", rev.prim)]
    found += [ch for ch, opts in rev.extra.items()
              if any(len(o) == 2 and ((o[0] == 0xE2 and 0x80 <= o[1] <= 0xA0) or o == b"\xf0\x9f") for o in opts)]

    def common(ch: str) -> bool:
        return ord(ch) < 0x10000 and levels[ord(ch)] in "1e"

    return frozenset(ch for ch in found if not (common(ch) or ch in gb2312 or _ordinary(ch) >= 1.0))


# half-width katakana that are the bytes B8, BC, BD, BF: what is left of U+FE0F or of a
# full-width form (EF B8 8F, EF BC xx, ...) whose lead byte EF Shift-JIS dropped
_SJIS_AFTER_LOST_EF = frozenset("\uff78\uff7c\uff7d\uff7f")
_COMMON_PUNCT = frozenset("\u2018\u2019\u201c\u201d\u2013\u2014\u2026\u2022")
_FAMILY_PRIOR = {"gb": 0.0, "sjis": -0.1, "big5": -0.2, "euckr": -0.3}
_CHAR_SCORE = {
    _HAN1: 3.0, _KANA: 3.0, _HANGUL: 3.0, _CJKP: 3.0, _HAN2: 1.5, _HANX: -1.0,
    _PUNCT: 2.0, _EMOJI: 2.0, _LATIN: 1.0, _GREEK: 0.5, _CYR: 0.5, _ASCII: 0.5, _FMT: 1.0,
    "hebrew": 0.5, "arabic": 0.5, "deva": 2.0, "thai": 2.0,
}


_WORD = 4  # letters in a row that make a word of them


def _presentation(chars: list) -> bool:
    """A symbol and U+FE0F decoded side by side that make an RGI emoji (▶️, ☀️): their bytes
    chain across three damaged characters, which real text does not do by chance."""
    if ["\ufe0f"] not in chars:
        return False
    single = [c[0] if c is not None and len(c) == 1 else "" for c in chars]
    return any(b == "\ufe0f" and a and a + b in _emoji_data() for a, b in zip(single, single[1:]))


_IDEOGRAPH = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def _other_ideographs(text: str, start: int, end: int) -> bool:
    """Does the line of ``text[start:end]`` hold an ideograph outside that stretch?"""
    ls = text.rfind("\n", 0, start) + 1
    le = text.find("\n", end)
    return bool(_IDEOGRAPH.search(text, ls, start) or _IDEOGRAPH.search(text, end, len(text) if le < 0 else le))


def _score(key: str, token: str, p: _Parse, t0: int, after: int | None, text: str) -> _Span | None:
    slots = p.slots
    chars: list = []
    score = 0.0
    scripts: set[str] = set()
    multibyte = 0
    lost_leads = 0
    signed = standalone = inword = False  # evidence that stands even in a span of one damaged character
    # (signed: a sign character lost its last bytes; standalone: a whole emoji, an emoji
    # presentation sequence or a letter inside a Latin word)
    for idx, slot in enumerate(slots):
        if slot.complete():
            try:
                ch = bytes(slot.data).decode("utf-8")
            except UnicodeDecodeError:
                return None
            cat = _category(ch)
            if cat == _BAD:
                return None
            chars.append([ch])
            sc = _CHAR_SCORE[cat]
            if ch in _COMMON_PUNCT:
                sc = 3.5
            elif len(slot.data) == 4 and cat == _EMOJI:
                sc = 5.0
                standalone = True
                if token[slot.k0] in _signs(key) and slot.k1 == slot.k0 + 1:
                    # 馃 and the one character after it: that character (often kana, which
                    # GBK keeps in rows A4-A5) is no evidence of clean text
                    sc += _ordinary(token[slot.k1])
            if len(slot.data) == 2:
                sc = min(sc, 1.0)
            score += sc
            if cat != _ASCII:
                multibyte += 1
            if cat in _SCRIPT:
                scripts.add(_SCRIPT[cat])
            continue
        nxt = slots[idx + 1].data[0] if idx + 1 < len(slots) else after
        opts = _fill(slot, nxt, key)
        if opts is not None and not opts:
            return None
        chars.append(opts)
        if not slot.region:
            known = sum(1 for b in slot.data if b != _W)
            score += 1.0 * (known - 1)
            if (slot.truncated or slot.inserted) and token[slot.k0] in _signs(key):
                score += _SIGN
                signed = True
        else:
            # lead bytes lost, continuation bytes kept: three-byte characters show as (?, c, c)
            groups = _lost_lead_groups(slot.data, key)
            lost_leads += groups
            score += 1.0 * groups
        score -= 1.5 * slot.inserted + 1.0 * slot.truncated
    if len(scripts) > 1:
        return None
    if lost_leads < 2 and not any(sl.data[0] >= 0xC2 for sl in slots):
        return None  # U+FFFD alone says nothing about the code page
    # the damaged characters themselves: ordinary ones speak for clean text
    damaged = token[p.start : p.end]
    score -= sum(_ordinary(c) for c in damaged)
    score += _FAMILY_PRIOR[key]
    fffd = damaged.count("\ufffd")
    score += fffd
    if slots and len(slots[-1].data) == 1 and p.end < len(token):
        # a swallowed ASCII byte leaves the decoder at a character boundary: the next damaged
        # character would have to go on with a lead byte, and it does not. Such a reading joins
        # correct text to damage next to it (a fix pass that repaired ー beside a lost byte
        # would read 銈ー as ォ`), so it is no reading at all
        return None
    alpha = [c[0] for c in chars if c is not None and len(c) == 1
             and _SCRIPT.get(_category(c[0])) in ("latin", "greek", "cyr", "hebrew", "arabic")]
    if alpha and len(alpha) == multibyte and len(alpha) >= 3:
        # each damaged character is exactly one letter of one alphabet: by chance in real
        # text a few times in a row at most, so a longer word of them is strong evidence
        score += (1.0 if len(alpha) >= _WORD else 0.5) * len(alpha)
    if _presentation(chars):
        score += 2.0
        standalone = True
    # accented letters, apostrophes, quotes, dashes and no-break spaces inside Latin text
    inline = [c[0] for c in chars if c is not None and len(c) == 1 and not c[0].isascii()]
    if inline and len(inline) == multibyte and all(
        _category(c) in (_LATIN, _FMT) or c in _COMMON_PUNCT or c == "\xa0" for c in inline
    ):
        left = text[t0 + p.start - 1] if p.start == 0 and t0 > 0 else ""
        right = chars[-1][0] if chars[-1] and chars[-1][0].isascii() else (
            text[t0 + p.end] if p.end == len(token) and t0 + p.end < len(text) else "")
        score += 1.5 * (left.isascii() and left.isalnum()) + 1.5 * (right.isascii() and right.isalnum())
        if (left.isascii() and left.isalpha() and right.isascii() and right.isalpha()
                and all(_category(c) == _LATIN for c in inline) and _category(damaged[0]) in (_HAN1, _HAN2, _HANX)
                and not _other_ideographs(text, t0, t0 + len(token))):
            # an ideograph between two letters of one word, on a line with no other Chinese, is
            # no word of its own (measured: never in the clean pages) but one accented letter
            # read as a pair of bytes. Chinese around it could make it one ("这个api没bug");
            # kana and hangul are never taken: particles do stand between words ("XMLかJSON")
            score += 1.5
            standalone = True
            # one or two such characters are also what mixed Chinese and English looks like
            # ("Python没Go", "Java默默Go", a table cell, a short heading): enough to report, not
            # to repair unseen
            inword = p.end - p.start <= 2
    weak = multibyte < 2 and "\ufffd" not in damaged and not (signed or standalone)
    return _Span(key, t0 + p.start, t0 + p.end, p, score, chars, weak, cjk="cjk" in scripts,
                 evidence=score - fffd, tentative=inword)


# --------------------------------------------------------------------------------------------
# Verification


def _euro_handler(mode: str):
    def handler(exc: UnicodeDecodeError):
        if exc.object[exc.start] == 0x80:
            return "€", exc.start + 1
        return ("\ufffd" if mode == "replace" else ""), exc.end

    return handler


codecs.register_error("talklint-cjk-euro-replace", _euro_handler("replace"))
codecs.register_error("talklint-cjk-euro-ignore", _euro_handler("ignore"))


def _verify(fam: _Family, original: str, damaged: str, ctx: str) -> list[tuple[_Variant, str]]:
    """The (variant, errors mode) pairs that damage ``original + ctx`` into ``damaged + ctx``.

    One decode per variant, not two: both modes stop at the same bad bytes, so the ignore
    decode is the replace decode without its U+FFFD (a reading never holds U+FFFD itself).
    And the euro variant reads like its plain one unless the plain one failed somewhere."""
    data = (original + ctx).encode("utf-8")
    target = damaged + ctx
    out = []
    plain: dict[str, str] = {}
    for v in fam.variants:
        if v.euro and "\ufffd" not in plain[v.codec]:
            replaced = plain[v.codec]
        else:
            replaced = data.decode(v.codec, "talklint-cjk-euro-replace" if v.euro else "replace")
            if not v.euro:
                plain[v.codec] = replaced
        if replaced == target:
            out.append((v, "replace"))
        if replaced.replace("\ufffd", "") == target:
            out.append((v, "ignore"))
    return out


# --------------------------------------------------------------------------------------------
# The detector

_SOLO = 4.5  # score of a span reported whatever surrounds it
_LINE = 3.0  # total score of a family's spans on a line that is mostly explained by them
_LINE_FFFD = 1.0  # the same for spans with U+FFFD (which is damage already)
_LINE_DOC = 1.5  # the same on a text with a span of that family scoring _SOLO
_LINE_LATIN = 3.5  # the same when the spans decode to no CJK character at all
_LINE_COVER = 0.6  # share of the line's non-ASCII characters (in tokens that can be damage)


# A damaged span of some length always holds two complete UTF-8 characters in a row (or a
# four-byte one, or a U+FFFD): a cheap screen over the family's bytes of a long token. The
# screen maps each character straight to the classes of its bytes (one str.translate for all
# the tokens of a text), since a byte-level pattern is slow on text whose bytes are nearly all
# >= 0x80, and Python work per token is slow on the many tokens of CJK text: b, d two-byte leads
# (b: those of accented Latin, Greek, Cyrillic, Hebrew and Arabic letters), t three-byte leads,
# p F0, q F1-F4, c continuation bytes, n 9F (the continuation byte after F0 in every emoji),
# a 40-7E (the ASCII byte a dangling lead swallows), F U+FFFD, . anything else.
def _byte_classes() -> str:
    classes = ["."] * 256
    for lo, hi, cls in ((0x40, 0x7E, "a"), (0x80, 0xBF, "c"), (0xC2, 0xDF, "d"), (0xC3, 0xC5, "b"),
                        (0xCE, 0xD1, "b"), (0xD7, 0xDB, "b"), (0xE0, 0xEF, "t"), (0xF0, 0xF0, "p"),
                        (0xF1, 0xF4, "q"), (0x9F, 0x9F, "n")):
        classes[lo : hi + 1] = [cls] * (hi + 1 - lo)
    return "".join(classes)


# (In the screen a one-byte code's class is followed by "_": patterns skip it between bytes.)
_CHARS = ("b_?[cn]", "t_?[cn]_?[cn]", "[pq]_?[cn]_?[cn]_?[cn]")  # one complete UTF-8 character
_M = f"(?:{'|'.join(_CHARS)})"
# (two complete characters, or one and a swallowed ASCII byte) with the first character's
# branches spelled out: the same matches as _M + "_?(?:" + _M + "|a)", found faster
_SEED = re.compile("|".join(f"{c}_?(?:{_M}|a)" for c in _CHARS) + "|p_?n_?[cn]_?[cn]|F")
_SHORT_SEED = re.compile("[bdtpq]_?[cn]|F")
_SHORT = 4  # tokens this short only need one UTF-8 lead and continuation byte
_BEFORE_SEED = 6  # longer ones from this many characters before a seed on


@lru_cache(maxsize=None)
def _screen_table(key: str) -> list[str]:
    """str.translate table: character -> the classes of the bytes of its first byte option,
    two characters for every character so that character i of a text is at 2i and 2i + 1 of
    its screen: a one-byte code's class is followed by "_", a character with no code is "..",
    U+FFFD is "F_". (Characters outside the BMP stay as they are: ``_screen`` replaces them.)"""
    kept = _kept(("screen", key))
    if kept is not None:
        return kept
    classes = _byte_classes()
    # prim holds each character's first code: its lead byte's class and its trail byte's (NUL,
    # no code, reads as ".."), then a one-byte code's class moved first
    lead = "." * 0x100 + "".join(c * 0x100 for c in classes[1:])
    trail = classes * 0x100
    pair = {a + b: sys.intern(a + b) for a in set(classes) for b in set(classes)}
    single = {"." + b: sys.intern(b + "_") for b in set(classes)}
    prim = _family(key).rev.prim
    leads, trails = prim.translate(lead), prim.translate(trail)
    table = list(map(pair.__getitem__, map(str.__add__, leads, trails)))
    for m in re.finditer("[\x80-\xff]", prim):
        table[m.start()] = single["." + trails[m.start()]]
    table[0xFFFD] = "F_"
    return table


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def _screen(tokens: list[str]) -> dict[int, list[tuple[str, bytearray | None]]]:
    """The tokens worth parsing, each with its plan: the families, in order, whose screen of
    the token holds a seed, and for each the token indices where a parse may start (None:
    everywhere, for a short token). Every other token holds no damaged span."""
    plans: dict[int, list[tuple[str, bytearray | None]]] = {}
    for i, key, windows, _ in _screened(tokens):
        plans.setdefault(i, []).append((key, windows))
    return dict(sorted(plans.items()))


def _plans(tokens: list[str]) -> dict[int, list[tuple[str, bytes, bytes]]]:
    """``_screen`` narrowed to what ``_token_spans`` would parse, for ``_spans``: each family
    with the token's start mask and the indices where a parse may start, near a seed and on a
    character that can begin UTF-8. A token and family with no such index are left out, since
    ``_token_spans`` finds nothing there (most of them on correct CJK text)."""
    plans: dict[int, list[tuple[str, bytes, bytes]]] = {}
    for i, key, windows, mask in _screened(tokens):
        allowed = mask if windows is None else _and(mask, windows)
        if 1 in allowed:
            plans.setdefault(i, []).append((key, mask, allowed))
    return dict(sorted(plans.items()))


def _and(mask: bytes, windows: bytes) -> bytes:
    return (int.from_bytes(mask, "big") & int.from_bytes(windows, "big")).to_bytes(len(mask), "big")


def _screened(tokens: list[str]):
    """(token index, family, windows, start mask) for every token and family whose screen holds
    a seed, family by family; windows are None for a short token.

    All tokens are screened at once, one translation per family, so that the many tokens
    of correct CJK text cost no Python work of their own; the start masks too (a mask is
    made character by character, so a slice of the joined tokens' mask is the token's)."""
    joined = "\n".join(tokens)  # "\n" screens as "..", which no seed crosses
    original = joined
    if _ASTRAL.search(joined):
        joined = _ASTRAL.sub("\0", joined)  # one character, no class, as before
    at = [0]  # where each token starts in joined
    for t in tokens:
        at.append(at[-1] + len(t) + 1)
    short = [i for i, t in enumerate(tokens) if len(t) <= _SHORT]
    for key in _KEYS:
        screen = joined.translate(_screen_table(key))
        last, windows, planned = -1, bytearray(), []
        for m in _SEED.finditer(screen):
            c = m.start() // 2
            i = bisect_right(at, c) - 1
            n = len(tokens[i])
            if n <= _SHORT:
                continue
            if i != last:
                last, windows = i, bytearray(n)
                planned.append((i, windows))
            lo = max(0, c - at[i] - _BEFORE_SEED)
            hi = (m.end() - 1) // 2 - at[i]
            windows[lo : hi + 1] = b"\x01" * (hi + 1 - lo)
        search = _SHORT_SEED.search
        for i in short:
            if search(screen, 2 * at[i], 2 * (at[i] + len(tokens[i]))):
                planned.append((i, None))
        if planned:
            starts = _start_mask(original, key)
            for i, windows in planned:
                yield i, key, windows, starts[at[i] : at[i] + len(tokens[i])]


@lru_cache(maxsize=None)
def _starters(key: str) -> tuple[str, frozenset[str]]:
    """Characters whose bytes can begin a UTF-8 sequence (U+FFFD too: a lost lead byte): a
    lead byte, and when the character has a second byte, a continuation byte that lead allows.
    A parse from any other character fails on its first character.

    (table, astral): a str.translate table, such a character -> "\\x01", every other BMP
    character -> "\\x00"; and those outside the BMP."""
    kept = _kept(("starters", key))
    if kept is not None:
        return kept
    rev = _family(key).rev
    table = bytearray(0x10000)
    for m in _starter_codes().finditer(rev.prim):
        table[m.start()] = 1
    astral = set()
    for ch, opts in rev.extra.items():
        if any(_can_start(o) for o in opts):
            if ord(ch) < 0x10000:
                table[ord(ch)] = 1
            else:
                astral.add(ch)
    table[0xFFFD] = 1
    return table.decode("latin-1"), frozenset(astral)


def _start_mask(token: str, key: str) -> bytes:
    """Per character of ``token``: 1 where a parse may start (see _starters), else 0."""
    table, astral = _starters(key)
    mask = token.translate(table)
    if not mask.isascii():  # characters outside the BMP are left as they are, and only they
        mask = _ASTRAL.sub(lambda m: "\x01" if m.group() in astral else "\x00", mask)
    return mask.encode("latin-1")


def _can_start(option: bytes) -> bool:
    return _seq_len(option[0]) >= 2 and (len(option) == 1 or (0x80 <= option[1] <= 0xBF and _second_ok(*option)))


@lru_cache(maxsize=None)
def _starter_codes() -> re.Pattern:
    """The codes of _can_start as a pattern over the characters of ``_Rev.prim``."""
    ranges = ["\xc2-\xf4"]  # one byte: a lead byte whose continuation bytes follow
    for lead in range(0xC2, 0xF5):
        trails = [t for t in range(0x80, 0xC0) if _second_ok(lead, t)]
        ranges.append(f"{chr(lead << 8 | trails[0])}-{chr(lead << 8 | trails[-1])}")
    return re.compile(f"[{''.join(ranges)}]")


def _token_spans(token: str, t0: int, text: str, plan: list[tuple[str, bytearray | None]]) -> list[_Span]:
    """The spans of one token, for the families ``_screen`` planned, in that order."""
    masks = []
    for key, starts in plan:
        # where a parse may start: near a seed (starts; None: anywhere), on a character that
        # can begin UTF-8
        mask = _start_mask(token, key)
        masks.append((key, mask, mask if starts is None else _and(mask, starts)))
    return _spans(token, t0, text, masks)


def _spans(token: str, t0: int, text: str, plan: list[tuple[str, bytes, bytes]]) -> list[_Span]:
    """``_token_spans`` with the start masks made (see ``_plans``)."""
    spans: list[_Span] = []
    t1 = t0 + len(token)
    after = ord(text[t1]) if t1 < len(text) else None
    n = len(token)
    for fam_key, mask, allowed in plan:
        # where a parse may start: near a seed, on a character that can begin UTF-8 (mask)
        k = allowed.find(1)
        if k < 0:
            continue
        rev = _family(fam_key).rev.memo
        lone = _LONE[fam_key]
        items: list = []  # the characters' byte options, looked up for the first parse
        j = -1
        while k < n:
            # The next character goes on with no lead byte when it is past the token, or is no
            # starter: a character without a code is none (only U+FFFD, whose item is None and
            # not (), starts without one), so "k + 1 == j" (the next item is ()) implies it.
            if (k + 1 == n or not mask[k + 1]) and lone[token[k]] >= (1 if 0 < k < n - 1 else 2):
                # a two-byte character alone, and it scores nothing (see _lone)
                k = allowed.find(1, k + 1)
                if k < 0:
                    break
                continue
            if not items:
                # parses start at k or later, so nothing before k is ever looked up
                items = [()] * k + [None if ch == "\ufffd" else rev[ch] for ch in token[k:]]
            if j < k:
                j = k
                while j < n and items[j] != ():
                    j += 1
            parses = _parse(items, k, j, j == n)
            best = None
            for p in parses:
                if best is not None and p.end < best.parse.end:
                    break
                sp = _score(fam_key, token, p, t0, after if p.end == n else None, text)
                if sp is None:
                    continue
                if best is None:
                    best = sp
                elif sp.end == best.end:
                    best.alts.append((sp.chars, any(sl.inserted or sl.truncated for sl in p.slots),
                                      any(sl.truncated for sl in p.slots)))
            if best is not None and best.score > 0:
                best.open_end = best.parse.end == n
                spans.append(best)
                k = allowed.find(1, best.parse.end)
            else:
                k = allowed.find(1, k + 1)
            if k < 0:
                break
    return spans


class _Lone(dict):
    """char -> what a parse from a character that is one complete two-byte UTF-8 character
    (its only code is a two-byte lead and a continuation byte) scores when the next character
    cannot go on with a lead byte: then that character is the only parse, and its score is
    known without parsing. 2: it scores nothing (no span) anywhere in a token; 1: nothing
    unless it is the first or last character of its token (an accented letter or a no-break
    space gains from ASCII letters beside the token); 0: it may score, or is no such character.
    Filled on first use with ``_score`` itself, so the shortcut cannot drift from it."""

    def __init__(self, key: str):
        super().__init__()
        self.key = key

    def __missing__(self, ch: str) -> int:
        opts = None if ch == "\ufffd" else _family(self.key).rev.memo[ch]
        verdict = 0
        if opts and len(opts) == 1 and len(opts[0]) == 2 and _seq_len(opts[0][0]) == 2 and 0x80 <= opts[0][1] <= 0xBF:
            # the character inside a token of three: p.start > 0 and p.end < len(token), where
            # _score reads nothing of the text around the token
            sp = _score(self.key, "\u3000" + ch + "\u3000", _Parse(1, 2, [_Slot(list(opts[0]), 1, 1)]), 0, None,
                        "\u3000" + ch + "\u3000")
            if sp is None:
                verdict = 2  # no plausible character: nothing, whatever surrounds it
            elif sp.score <= 0:
                decoded = opts[0].decode("utf-8")
                edge = _category(decoded) in (_LATIN, _FMT) or decoded in _COMMON_PUNCT or decoded == "\xa0"
                verdict = 1 if edge else 2
        self[ch] = verdict
        return verdict


_LONE = {key: _Lone(key) for key in _KEYS}


def _signatures(text: str) -> list[Damage]:
    out = []
    if "锟" in text:
        for m in _SIG_FFFD_GBK.finditer(text):
            out.append(Damage(m.start(), m.end(), m.group(), [], "U+FFFD (EF BF BD) read as GBK",
                              lossy=True, notes=["replacement characters from an earlier lossy decode; the original is lost"]))
    if "烫" in text or "屯" in text:
        for m in _SIG_MSVC.finditer(text):
            byte = "0xCC" if m.group()[0] == "烫" else "0xCD"
            out.append(Damage(m.start(), m.end(), m.group(), [],
                              f"uninitialised memory ({byte} bytes, MSVC) read as GBK", lossy=True,
                              notes=["garbage from a program's uninitialised buffer; there is no original text"]))
    if "ï¿½" in text:
        for m in _SIG_FFFD_1252.finditer(text):
            out.append(Damage(m.start(), m.end(), m.group(), [], "U+FFFD (EF BF BD) read as Windows-1252",
                              lossy=True, notes=["replacement characters from an earlier lossy decode; the original is lost"]))
    return out


def find(text: str) -> list[Damage]:
    """Spans of ``text`` that are UTF-8 read through a CJK code page, sorted, non-overlapping."""
    out = _signatures(text) if ("锟" in text or "烫" in text or "屯" in text or "ï¿½" in text) else []
    if not _TRIGGER.search(text):
        return out
    # the tokens that could be damage
    tokens: list[str] = []
    at: list[int] = []  # where each token starts in text
    for m in _TOKEN.finditer(text):
        if _TRIGGER.search(m.group()):
            tokens.append(m.group())
            at.append(m.start())
    longest = max(map(len, tokens), default=0)
    # per line with spans: the spans found, in token order
    found_in: dict[int, list[_Span]] = {}
    strong: set[str] = set()  # families with a span that stands on its own somewhere in the text
    for i, plan in _plans(tokens).items():
        found = _spans(tokens[i], at[i], text, plan)
        if found:
            found_in.setdefault(text.rfind("\n", 0, at[i]) + 1, []).extend(found)
            strong.update(s.key for s in found if s.score >= _SOLO and not s.weak)
    taken = [(d.start, d.end) for d in out]
    keep: list[_Span] = []
    for ls, spans in sorted(found_in.items()):
        le = text.find("\n", ls)
        line_start = (ls, len(text) if le < 0 else le)
        # the non-ASCII characters of the line that could be damage
        size = fffd_in_tokens = 0
        for i in range(bisect_left(at, ls), bisect_left(at, line_start[1])):
            fffd = tokens[i].count("\ufffd")
            if fffd < len(tokens[i]):  # U+FFFD alone is no code page's evidence
                size += len(tokens[i])
                fffd_in_tokens += fffd
        # the family that explains the line best may report its short spans too
        by_fam: dict[str, list[_Span]] = {}
        for s in spans:
            by_fam.setdefault(s.key, []).append(s)
        best_fam, best_total = None, float("-inf")
        for key, fs in by_fam.items():
            total = sum(s.score for s in fs)
            cover = sum(s.end - s.start for s in fs) / max(size, 1)
            # U+FFFD is damage already: the question is only which code page made it
            if any("\ufffd" in text[s.start : s.end] for s in fs):
                need = _LINE_FFFD
            elif key in strong:
                need = _LINE_DOC  # the text shows this damage plainly elsewhere
            elif not any(s.cjk for s in fs):
                need = _LINE_LATIN  # accented letters and quotes only: single words are weak
            else:
                need = _LINE
            # characters the family leaves unexplained count against it
            inside = sum(text.count("\ufffd", s.start, s.end) for s in fs)
            unexplained = size - (sum(s.end - s.start for s in fs) - inside) - fffd_in_tokens
            evidence = sum(s.evidence for s in fs) - 2.0 * max(unexplained, 0)
            if cover >= _LINE_COVER and total >= need and evidence > best_total:
                best_fam, best_total = key, evidence
        for s in sorted(spans, key=lambda s: (s.key != best_fam, -s.score)):
            if s.key != best_fam and (s.weak or s.score < _SOLO):
                continue
            if any(s.start < e and b < s.end for b, e in taken):
                continue
            taken.append((s.start, s.end))
            keep.append(s)
        if best_fam is not None:
            # runs of U+FFFD on a line damaged through one code page are that damage too
            for m in _FFFD_RUN.finditer(text, line_start[0], line_start[1]):
                if not any(m.start() < e and b < m.end() for b, e in taken):
                    taken.append((m.start(), m.end()))
                    keep.append(_Span(best_fam, m.start(), m.end(), _Parse(0, 0, []), 0.0, [], True, lost_only=True))
    for s in keep:
        if s.tentative:
            s.tentative = not _confirmed(s, keep, text)
    # errors="ignore" shows where a character lost bytes without a U+FFFD
    dropped = {s.key for s in keep if any(sl.inserted or sl.truncated for sl in s.parse.slots)}
    keep.sort(key=lambda s: s.start)
    for s in keep:
        out.extend(_to_damage(s, text, s.key in dropped))
    if longest >= _RESIDUE_RUN:
        taken = [(d.start, d.end) for d in out]
        out.extend(d for d in _big5_residue(text) if not any(d.start < e and b < d.end for b, e in taken))
    if longest >= _CHAIN_MIN:
        taken = [(d.start, d.end) for d in out]
        out.extend(d for d in _big5_chains(tokens, at) if not any(d.start < e and b < d.end for b, e in taken))
    if tokens:
        out.extend(_lone_symbols(text, tokens, at, [(d.start, d.end) for d in out]))
    out.sort(key=lambda d: d.start)
    return out


def _confirmed(s: _Span, keep: list[_Span], text: str) -> bool:
    """Evidence for a lone damaged character inside a Latin word (see _score) that does not come
    from the character itself: more damage of its code page on its line. (The repaired word
    written elsewhere in the text is the other evidence: ``find_damage`` looks for it, since
    the word may come out of another detector's repair.)"""
    ls = text.rfind("\n", 0, s.start) + 1
    le = text.find("\n", s.end)
    le = len(text) if le < 0 else le
    return any(o is not s and o.key == s.key and not o.lost_only and ls <= o.start and o.end <= le for o in keep)


# Big5 with errors="ignore" drops every byte it cannot pair, so what is left of UTF-8 text is
# a row of valid Big5 characters that no parse can explain. What gives it away is statistics:
# every surviving character is two bytes that stood side by side in UTF-8 (lead and
# continuation, two continuations, or continuation and lead), and about half of them are rare
# ideographs. Measured on 10,800 clean lines (SOFAStack's pages in both scripts, the
# benchmark's lines): the longest row of such characters is 10, and no row of 8 or more holds
# more than a quarter of rare ones (clean text has 1-2% of them), while a third of the
# benchmark's Big5-ignore lines with ideographs left hold a row that passes the bounds below.
_RESIDUE_RUN = 8
_RESIDUE_RARE = 0.5  # share of rare ideographs a row of _RESIDUE_RUN or more needs
_RESIDUE_LONG = 12  # rows this long need only a share of
_RESIDUE_LONG_RARE = 0.3


_RESIDUE_ROW = re.compile(f"[12]{{{_RESIDUE_RUN},}}")


@lru_cache(maxsize=None)
def _residue_table() -> str:
    """str.translate table: a Big5 character whose two bytes can be adjacent UTF-8 bytes ->
    "2" if it is a rare ideograph, "1" otherwise; every other character -> "0"."""
    kept = _kept("residue")
    if kept is not None:
        return kept

    def adjacent(b1: int, b2: int) -> bool:
        if _seq_len(b1) >= 2:
            return 0x80 <= b2 <= 0xBF and (_seq_len(b1) == 2 or _second_ok(b1, b2))
        return 0x80 <= b1 <= 0xBF and (0x80 <= b2 <= 0xBF or _seq_len(b2) >= 2)

    rev = _family("big5").rev
    # the codes of adjacent bytes, as a character class over the code points of prim
    ranges = []
    for b1 in range(0x80, 0x100):
        run = [b2 for b2 in range(0x40, 0x100) if adjacent(b1, b2)]
        ranges += [f"{chr(b1 << 8 | a)}-{chr(b1 << 8 | b)}" for a, b in _runs(run)]
    found = [chr(m.start()) for m in re.finditer(f"[{''.join(ranges)}]", rev.prim)]
    found += [ch for ch, opts in rev.extra.items()
              if ord(ch) < 0x10000 and any(len(o) == 2 and adjacent(o[0], o[1]) for o in opts)]
    table = ["0"] * 0x10000
    category = _category.__wrapped__  # most of these characters are never met: not cached
    for ch in found:
        table[ord(ch)] = "2" if category(ch) in (_HAN2, _HANX) else "1"
    return "".join(table)


def _runs(values: list[int]) -> list[tuple[int, int]]:
    """Sorted integers as (first, last) of their runs of consecutive values."""
    out: list[tuple[int, int]] = []
    for v in values:
        if out and out[-1][1] == v - 1:
            out[-1] = (out[-1][0], v)
        else:
            out.append((v, v))
    return out


def _big5_residue(text: str) -> list[Damage]:
    out = []
    for m in _RESIDUE_ROW.finditer(text.translate(_residue_table())):
        row = m.group()
        share = _RESIDUE_LONG_RARE if len(row) >= _RESIDUE_LONG else _RESIDUE_RARE
        if row.count("2") >= share * len(row):
            out.append(Damage(m.start(), m.end(), text[m.start() : m.end()], [], _BY_KEY["big5"].model,
                              lossy=True, encoding="Big5", loss="dropped",
                              notes=["what is left of UTF-8 text after a Big5 decoder dropped the bytes it "
                                     "could not pair: the original cannot be rebuilt"]))
    return out


# The residue has a stricter shape than adjacent byte pairs. Big5 pairs greedily and drops a
# byte it cannot pair, so along a run of 3-byte UTF-8 characters (lead E0-EF, two continuation
# bytes) a surviving character is one of three pairs: lead and first continuation ("A", a
# level-2 ideograph in Big5), both continuations ("B") or last continuation and the next lead
# ("C"); the decoder can only stand on a first continuation byte right after a "C", so every
# "B" follows a "C". Such a chain is "(A|CB?)+". Genuine Traditional Chinese breaks it at once:
# its common characters are "B" or "C" pairs in any order, or have an ASCII-range trail byte.
# Measured on 22,000 clean tokens (the benchmark's lines, the shared corpus, the test pages):
# no token of 3 or more characters is such a chain, against 733 of the 1,282 tokens of 3 or
# more characters that Big5 with errors="ignore" leaves of the benchmark's lines. Shorter
# tokens need rare ideographs for a margin: one "A" in 3 or 4 characters, two "A" of two.
_CHAIN_MIN = 2
_CHAIN_PLAIN = 5  # tokens this long need no "A"
_CHAIN = re.compile("(?:A|CB?)+")


class _ChainTable(dict):
    def __missing__(self, code: int) -> str:
        return "X"


@lru_cache(maxsize=None)
def _chain_table() -> dict[int, str]:
    """str.translate table: a Big5 character by its place in a run of 3-byte UTF-8 characters
    ("A", "B" or "C", see above); every other character -> "X"."""
    cont, lead = range(0xA1, 0xC0), [b for b in range(0xE0, 0xF0) if b != 0xED]  # ED A1-BF: surrogates
    pairs = [(b1, b2, "A") for b1 in lead for b2 in cont]
    pairs += [(b1, b2, "B") for b1 in cont for b2 in cont]
    pairs += [(b1, b2, "C") for b1 in cont for b2 in range(0xE0, 0xF0)]
    table: dict[int, str] = {}
    for b1, b2, kind in pairs:
        try:
            ch = bytes((b1, b2)).decode("big5")
        except UnicodeDecodeError:
            continue
        if ch.encode("big5") == bytes((b1, b2)):
            table[ord(ch)] = kind
    return _ChainTable(table)


def _is_chain(kinds: str) -> bool:
    if len(kinds) == 2:
        return kinds == "AA"
    return bool(_CHAIN.fullmatch(kinds)) and (len(kinds) >= _CHAIN_PLAIN or "A" in kinds)


@lru_cache(maxsize=None)
def _chain_string() -> str:
    """_chain_table as a string indexed by code point, "\\n" kept: one translation for all the
    tokens of a text, joined by newlines."""
    kept = _kept("chain")
    if kept is not None:
        return kept
    out = ["X"] * 0x10000
    for code, kind in _chain_table().items():
        out[code] = kind
    out[10] = "\n"
    return "".join(out)


_CHAIN_LINE = re.compile("^(?:A|CB?)+$", re.M)


def _big5_chains(tokens: list[str], at: list[int]) -> list[Damage]:
    out = []
    kinds = "\n".join(tokens).translate(_chain_string())
    for m in _CHAIN_LINE.finditer(kinds):
        i = kinds.count("\n", 0, m.start())  # chains are rare: no index of every token
        token, t0 = tokens[i], at[i]
        if len(token) >= _CHAIN_MIN and _is_chain(m.group()):
            out.append(Damage(t0, t0 + len(token), token, [], _BY_KEY["big5"].model,
                              lossy=True, encoding="Big5", loss="dropped",
                              notes=["what is left of UTF-8 text after a Big5 decoder dropped the bytes it "
                                     "could not pair: the original cannot be rebuilt"]))
    return out


# A symbol or emoji between ASCII text leaves one or two characters of its own through GBK or
# Big5, and those are real characters (漏 for ©, 聽 for a no-break space, 鈿 for ⚽ without its
# last byte, 瘀 for 🏷️ through Big5 with errors="ignore"), too ordinary to be taken alone. They
# are taken when every Chinese token of the line is such a product and one of them stands where
# its symbol would: what is left of an emoji first on the line (after markdown's markers) before
# a space or last after a space (an everyday character only before a capitalised word: "中 | EN"
# is a language switch), a sign on its side of a number (漏 2025, 21聽掳C, 3脳3), a letter inside
# a Latin word, a no-break space between a word and what follows it; or the line has U+FFFD,
# which is damage already. Measured: no line of the clean text (the benchmark's lines and extra
# clean lines, the test pages, the seeds, 10,000 real pages with 120,000 lines of Chinese) is
# taken, whole or as one line, and none of the test suite's traditional Chinese and Japanese.
_PRODUCT_MAX = 2  # characters a symbol leaves at most
_PRODUCT_CODECS = {"gb": (("gbk", "gb18030"), "talklint-cjk-euro"), "big5": (("big5", "cp950"), "")}
_LEAD_IN = re.compile(r"[ \t]*(?:(?:#{1,6}|[-*+>]|\d{1,3}[.)])[ \t]+)*\**")
_SYMBOL_RANGES = ((0xA0, 0xBF), (0xD7, 0xD7), (0xF7, 0xF7), (0x2010, 0x205E), (0x20A0, 0x20C0),
                  (0x2100, 0x22FF))


@lru_cache(maxsize=None)
def _products(key: str) -> dict[str, tuple[str, ...]]:
    """Token -> the symbols that leave it between ASCII characters, read through the family
    (both errors modes): Latin-1 and general punctuation, currency and math signs, and every
    emoji with its sequences. Built on first use (a few hundredths of a second)."""
    kept = _kept(("products", key))
    if kept is not None:
        return kept
    names, euro = _PRODUCT_CODECS[key]
    symbols = [chr(o) for lo, hi in _SYMBOL_RANGES for o in range(lo, hi + 1)
               if unicodedata.category(chr(o)) not in ("Cn", "Cc", "Cf")]
    symbols += [chr(o) for r in (range(0xC0, 0x250), range(0x1E00, 0x1F00)) for o in r
                if _category(chr(o)) == _LATIN]
    emoji = sorted(_emoji_data())
    symbols += emoji + ["\ufe0f\u20e3"]  # the keycap's tail: 3️⃣ is 3 and then these
    symbols += [e + e for e in emoji if len(e) == 1 and ord(e) >= 0x1F000]  # 🎉🎉
    # all the symbols in one decode per code page, each followed by a space: no trail byte is
    # below 0x40, so any ASCII character would do the same. The errors="ignore" decode is the
    # replace decode without its U+FFFD (see _verify)
    data = " \n".join(symbols).encode("utf-8") + b" "
    found: dict[str, set[str]] = {}
    for codec in names:
        for errors in ("replace", euro + "-replace") if euro else ("replace",):
            for sym, part in zip(symbols, data.decode(codec, errors).split("\n")):
                replaced = part[:-1] if part.endswith(" ") else ""
                for token in {replaced, replaced.replace("\ufffd", "")} if replaced else ():
                    if (len(token) <= _PRODUCT_MAX and "\ufffd" not in token and token.isprintable()
                            and _TRIGGER.search(token) and _TOKEN.fullmatch(token)):
                        found.setdefault(token, set()).add(sym)
    return {token: tuple(sorted(syms)) for token, syms in found.items()}


def _symbol_slot(text: str, start: int, end: int, ls: int, le: int) -> bool:
    """Does ``text[start:end]`` stand where a symbol or emoji would (see _products)?"""
    before, after = text[ls:start], text[end:le]
    if after[:1] == " " and _LEAD_IN.fullmatch(before):
        return True  # "## ⚽ Speakers", "- 🎤 Talk", "© 2025"
    # "Video coming soon ⛺" (a heading of one word, "## 概要", is no such place)
    return before[-1:] == " " and not after.strip(" !.?") and not _LEAD_IN.fullmatch(before)


def _nbsp_slot(text: str, start: int, end: int) -> bool:
    """A no-break space read as GBK (聽) between a word and a word or its punctuation."""
    return (text[start:end] == "聽" and start > 0 and not text[start - 1].isspace()
            and text[end : end + 1] not in ("", " "))


# signs written before a number ("£25", "© 2025") and after one ("21 °C"); "3×3" both
_BEFORE_NUMBER = frozenset("£¥€₹₩₺©±−×·\xa0\u202f\u2009")
_AFTER_NUMBER = frozenset("°‰′″²³¹½¼¾×·%\xa0\u202f\u2009")


def _letter_slot(text: str, start: int, end: int, pieces: list[str], products: dict) -> bool:
    """Letters read as one ideograph each, between two ASCII letters of one word (Caf矇s,
    R矇sum矇): the GBK detector's evidence for ``W眉rzburg``, here for any family."""
    return _in_word(text, start, end) and all(not _is_symbol(products[p]) for p in pieces)


_CAPITALISED = re.compile(" [A-Z][a-z]")


def _emoji_slot_piece(piece: str, symbols: tuple[str, ...], text: str, end: int) -> bool:
    """Can ``piece`` stand for the emoji that begins or ends a line? Only as what is left of
    emoji, and never an everyday character: 不 and 中 (what Big5 leaves of 🤣 and 🤤) are also
    a language switch ("中 | EN") or a word in a vocabulary list ("- 本 Book")."""
    return (all(s in _emoji_data() or s[0] == "\ufe0f" or all(map(_emoji_data().__contains__, s))
                for s in symbols)
            and not any(_ordinary(c) >= 1.0 for c in piece))


def _in_word(text: str, start: int, end: int) -> bool:
    return (start > 0 and text[start - 1].isascii() and text[start - 1].isalpha()
            and text[end : end + 1].isascii() and text[end : end + 1].isalpha())


def _near_digit(text: str, start: int, end: int) -> bool:
    return (start > 0 and text[start - 1].isdigit()) or text[end : end + 2].lstrip(" ")[:1].isdigit()


def _number_slot(text: str, start: int, end: int, symbols: tuple[str, ...]) -> bool:
    """Does a product of ``symbols`` stand beside a digit on the side those signs take?"""
    after = text[end : end + 2].lstrip(" ")[:1]
    return ((start > 0 and text[start - 1].isdigit() and all(s in _AFTER_NUMBER for s in symbols))
            or (after.isdigit() and all(s in _BEFORE_NUMBER for s in symbols)))


def _lone_symbols(text: str, tokens: list[str], at: list[int], taken: list[tuple[int, int]]) -> list[Damage]:
    """Damage made of the characters _products lists, on lines where nothing else is Chinese."""
    out: list[Damage] = []
    i, n = 0, len(tokens)
    while i < n:
        ls = text.rfind("\n", 0, at[i]) + 1
        le = text.find("\n", at[i])
        le = len(text) if le < 0 else le
        j = bisect_left(at, le, i)
        line, i = range(i, j), j
        if max(map(len, tokens[line.start : line.stop])) > _PRODUCT_MAX * 3 and any(
                len(tokens[k]) > _PRODUCT_MAX * 3 and tokens[k].strip("\ufffd") for k in line):
            continue  # a run of Chinese too long to be what symbols left
        todo = [k for k in line if tokens[k].strip("\ufffd")]
        if taken:
            todo = [k for k in todo if not any(at[k] < e and b < at[k] + len(tokens[k]) for b, e in taken)]
        if todo:
            out.extend(_line_symbols(text, tokens, at, todo, ls, le, taken))
    return out


def _line_symbols(text: str, tokens: list[str], at: list[int], todo: list[int], ls: int, le: int,
                  taken: list[tuple[int, int]]) -> list[Damage]:
    """The damage of one line's tokens ``todo`` (see _lone_symbols), or nothing."""
    # a character lost byte by byte (two U+FFFD or more) is what a code page leaves of UTF-8;
    # one U+FFFD may be a UTF-8 decoder's, for a byte of another encoding
    fffd = "\ufffd\ufffd" in text[ls:le]
    spans = [(at[i], at[i] + len(tokens[i])) for i in todo]
    slots = [_symbol_slot(text, a, b, ls, le) for a, b in spans]
    if not (fffd or any(slots) or any(_near_digit(text, a, b) or _in_word(text, a, b) or _nbsp_slot(text, a, b)
                                      for a, b in spans)):
        return []  # nothing stands where a symbol would: the tables are not even looked at
    for key in ("gb", "big5"):
        products = _products(key)
        pieces = []
        for i in todo:
            ps = _product_pieces(tokens[i], products)
            if ps is None:
                break
            pieces.append(ps)
        else:
            if _symbol_line(text, spans, slots, pieces, products, fffd):
                return _line_damage(text, spans, pieces, products, key, ls, le, taken, fffd)
    return []


def _symbol_line(text: str, spans: list[tuple[int, int]], slots: list[bool], pieces: list[list[str]],
                 products: dict[str, tuple[str, ...]], fffd: bool) -> bool:
    """Is a line whose tokens are all products (``pieces``) damage?"""
    if fffd:
        return True  # beside U+FFFD anything goes
    # otherwise one symbol must take a symbol's place (letters read as ideographs only inside a word)
    return any((slot and any(_emoji_slot_piece(p, products[p], text, b) for p in ps))
               or _number_slot(text, a, b, products[ps[0]])
               or _letter_slot(text, a, b, ps, products)
               or _nbsp_slot(text, a, b)
               for (a, b), slot, ps in zip(spans, slots, pieces))


def _line_damage(text: str, spans: list[tuple[int, int]], pieces: list[list[str]], products: dict,
                 key: str, ls: int, le: int, taken: list[tuple[int, int]], fffd: bool) -> list[Damage]:
    out = []
    for (start, _), ps in zip(spans, pieces):
        for p in ps:
            out.append(_symbol_damage(p, start, key, products[p], fffd))
            start += len(p)
    out.extend(_lost_run(m.start(), m.end(), text, key) for m in _FFFD_RUN.finditer(text, ls, le)
               if not any(m.start() < e and b < m.end() for b, e in taken))
    return out


def _product_pieces(token: str, products: dict[str, tuple[str, ...]]) -> list[str] | None:
    """``token`` cut into the products of one symbol each, the longest first; None if it is not."""
    pieces, k = [], 0
    while k < len(token):
        for n in range(_PRODUCT_MAX, 0, -1):
            if token[k : k + n] in products:
                pieces.append(token[k : k + n])
                k += n
                break
        else:
            return None
    if len(pieces) > 1 and len({_is_symbol(products[p]) for p in pieces}) > 1:
        return None  # signs side by side ("21 °C") or letters ("ươ"), not a letter beside a sign (鈴木)
    return pieces


def _is_symbol(symbols: tuple[str, ...]) -> bool:
    """Is a product's origin a symbol or emoji (not a letter)?"""
    return any(_category(s[0]) != _LATIN for s in symbols)


def _symbol_damage(token: str, start: int, key: str, symbols: tuple[str, ...], fffd: bool) -> Damage:
    fam = _BY_KEY[key]
    if key == "big5" and not fffd:
        # Big5 with errors="ignore" drops whole characters without a trace (see _exact_drops):
        # even a symbol that leaves the token whole may have had neighbours
        shown = " ".join(symbols[:8]) + (" …" if len(symbols) > 8 else "")
        return Damage(start, start + len(token), token, [], fam.model, lossy=True, encoding=_ENCODING[key],
                      loss="dropped", notes=[f"what is left of one of {shown}; bytes may have vanished "
                                             "without a trace"])
    if len(symbols) == 1 and any(token == symbols[0].encode("utf-8").decode(c, "strict")
                                 for c in _PRODUCT_CODECS[key][0] if _decodes(symbols[0], c)):
        return Damage(start, start + len(token), token, list(symbols), fam.model, verified=True,
                      encoding=_ENCODING[key], tentative=True,
                      doubt="a lone Chinese character can also be real",
                      notes=["a symbol's bytes read as one character: real Chinese can look the same, but "
                             "nothing else on its line is Chinese"])
    shown = " ".join(symbols[:8]) + (" …" if len(symbols) > 8 else "")
    return Damage(start, start + len(token), token, [], fam.model, lossy=True, encoding=_ENCODING[key],
                  loss="dropped", notes=[f"what is left of one of {shown}: the decoder dropped the other bytes"])


def _lost_run(start: int, end: int, text: str, key: str) -> Damage:
    """A run of U+FFFD on a line the family's damage explains (as ``_to_damage`` reports one)."""
    return Damage(start, end, text[start:end], [], _BY_KEY[key].model, lossy=True, encoding=_ENCODING[key],
                  loss="U+FFFD", notes=[f"{end - start} byte(s) the code page could not decode; "
                                        "the characters they belonged to are lost"])


def _decodes(symbol: str, codec: str) -> bool:
    try:
        symbol.encode("utf-8").decode(codec)
    except UnicodeDecodeError:
        return False
    return True


_ENCODING = {"gb": "GBK", "big5": "Big5", "sjis": "Shift-JIS", "euckr": "EUC-KR"}
_MAX_READINGS = 64


def _readings(chars: list) -> list[str] | None:
    """Every string the per-slot options spell, or None when there are too many (or unknown)."""
    out = [""]
    for opts in chars:
        if not opts:
            return None
        out = [r + c for r in out for c in opts]
        if len(out) > _MAX_READINGS:
            return None
    return out


def _naming(key: str, ok: list) -> tuple[str, str]:
    """(model, encoding) of a verified reading: GB18030 when only gb18030 reproduces it."""
    if key == "gb" and all(v.codec == "gb18030" for v, _ in ok):
        return "UTF-8 read as GB18030", "GB18030"
    return _BY_KEY[key].model, _ENCODING[key]


def _plain(reading: str) -> float:
    """How everyday a reading's characters are, on average (ideographs by level, kana, hangul,
    CJK punctuation)."""
    return sum(_ordinary(c) for c in reading) / max(len(reading), 1)


def _exact_drops(s: _Span, text: str, damaged: str, readings, ignore_seen: bool) -> bool:
    """Can bytes have been lost inside the span without a trace (errors="ignore")?"""
    if s.key in ("big5", "euckr"):
        # these code pages fail on so many bytes that whole characters vanish under
        # errors="ignore" without a trace: a reading is certain only in a replace-mode decode
        return "\ufffd" in text
    if s.key == "sjis":
        # Shift-JIS fails on lead bytes EB-EF and F0-FC: with errors="ignore" a lost lead byte
        # and the continuation bytes around it can leave valid UTF-8 behind, and a whole hangul
        # syllable can vanish. Certain only in a replace-mode decode, or where nothing in the
        # text shows that bytes were dropped
        return "\ufffd" in text or (
            not ignore_seen
            and not any(0xAC00 <= ord(c) <= 0xD7A3 for r in readings for c in r)
            and damaged[-1] not in _SJIS_AFTER_LOST_EF
        )
    return True  # GBK/GB18030 decode every lead byte: a lost byte always shows


def _to_damage(s: _Span, text: str, ignore_seen: bool = False) -> list[Damage]:
    fam = _BY_KEY[s.key]
    damaged = text[s.start : s.end]
    if s.lost_only:
        return [Damage(s.start, s.end, damaged, [], fam.model, lossy=True, encoding=_ENCODING[s.key],
                       loss="U+FFFD", notes=[f"{len(damaged)} byte(s) the code page could not decode; "
                                             "the characters they belonged to are lost"])]
    slots = s.parse.slots
    dropped = any(sl.inserted or sl.truncated for sl in slots)
    loss = "U+FFFD" if "\ufffd" in damaged else ("dropped" if dropped else "")
    # every reading of every parse, kept when it re-damages exactly
    readings: set[str] = set()
    open_ended = False
    # a parse that needs dropped bytes is no rival where nothing else in the text was dropped
    primary = _readings(s.chars)
    rivals = []
    for chars, drops, truncated in s.alts:
        if drops and "\ufffd" in text:
            continue  # a replace-mode decode drops nothing
        if drops and not truncated and not dropped and primary is not None and len(primary) == 1:
            # bytes dropped inside the span against a reading that needs none: a rival only
            # if it reads at least as plainly
            best = sum(max(map(_ordinary, c)) if c else 1.0 for c in chars) / max(len(chars), 1)
            if best < _plain(primary[0]):
                continue
        rivals.append(chars)
    for chars in [s.chars] + rivals:
        rs = _readings(chars)
        if rs is None:
            open_ended = True
        else:
            readings.update(rs)
    ctx = text[s.end : s.end + 1]
    if ctx and ord(ctx) >= 0x80:
        ctx = ""
    good = {r: ok for r in sorted(readings) if (ok := _verify(fam, r, damaged, ctx))}
    exact = _exact_drops(s, text, damaged, readings, ignore_seen)
    if len(good) == 1 and not open_ended and exact:
        (cand, ok), = good.items()
        model, encoding = _naming(s.key, ok)
        notes = [f"decoded as {', '.join(sorted({v.label for v, _ in ok}))} "
                 f"({' or '.join(sorted({m for _, m in ok}))})"]
        if s.tentative:
            notes.append("inside a Latin word, with no other damage on its line: real Chinese can look the same")
        return [Damage(s.start, s.end, damaged, [cand], model, lossy=bool(loss), verified=True,
                       notes=notes, encoding=encoding, loss=loss, tentative=s.tentative)]
    if len(good) > 1:
        note = "several readings fit: " + ", ".join(sorted(good)[:8])
    elif not exact and good:
        note = f"the reading {next(iter(good))!r} fits, but bytes may have vanished without a trace"
    else:
        note = ""
    if not s.alts:
        parts = _split(s, text, fam, loss, ignore_seen)
        if parts is not None:
            return parts
    partial = "".join(c[0] if c is not None and len(c) == 1 else "\ufffd" for c in s.chars)
    notes = [note] if note else []
    notes.append(f"partial repair: {partial} (\ufffd: a character whose bytes were lost)")
    return [Damage(s.start, s.end, damaged, [], fam.model, lossy=bool(loss) or not exact, notes=notes,
                   encoding=_ENCODING[s.key], loss=loss)]


def _split(s: _Span, text: str, fam: _Family, loss: str, ignore_seen: bool) -> list[Damage] | None:
    """Cut a span with lost characters where both texts have a boundary, so that the parts
    that decode unambiguously get their own repair. None when there is nothing to gain."""
    slots = s.parse.slots
    base = s.start - s.parse.start  # text offset of token index 0
    atoms: list[list[int]] = []  # slot indices sharing damaged characters
    for i, sl in enumerate(slots):
        if atoms and slots[atoms[-1][-1]].k1 >= sl.k0:
            atoms[-1].append(i)
        else:
            atoms.append([i])
    known = [all(s.chars[i] is not None and len(s.chars[i]) == 1 for i in a) for a in atoms]
    segments: list[tuple[bool, list[int]]] = []
    for a, k in zip(atoms, known):
        if segments and segments[-1][0] == k:
            segments[-1][1].extend(a)
        else:
            segments.append((k, list(a)))
    if len(segments) < 2:
        return None
    out = []
    for k, idx in segments:
        a, b = base + slots[idx[0]].k0, base + slots[idx[-1]].k1 + 1
        part = text[a:b]
        reading = "".join(s.chars[i][0] for i in idx) if k else None
        if k and _plain(reading) < _plain(part):
            # a part stands on its neighbour's evidence, so it must at least read as plainly as
            # it looks: correct 系统 next to a lost byte (in a second fix pass) is not ϵͳ read
            # as GBK, and is no damage at all
            continue
        if k and sum(len(slots[i].data) for i in idx if len(slots[i].data) > 1) >= 3:
            ctx = text[b : b + 1] if b < len(text) and text[b].isascii() else ""
            ok = _verify(fam, reading, part, ctx)
            sub = _Span(s.key, a, b, s.parse, s.score, [], s.weak)
            if ok and _exact_drops(sub, text, part, [reading], ignore_seen):
                ploss = "U+FFFD" if "\ufffd" in part else (
                    "dropped" if any(slots[i].inserted or slots[i].truncated for i in idx) else "")
                model, encoding = _naming(s.key, ok)
                out.append(Damage(a, b, part, [reading], model, lossy=bool(ploss), verified=True,
                                  notes=[f"decoded as {', '.join(sorted({v.label for v, _ in ok}))}; "
                                         "the characters next to it lost bytes"],
                                  encoding=encoding, loss=ploss))
                continue
        partial = "".join(s.chars[i][0] if s.chars[i] is not None and len(s.chars[i]) == 1 else "\ufffd"
                          for i in idx)
        out.append(Damage(a, b, part, [], fam.model, lossy=True, encoding=_ENCODING[s.key], loss=loss or "dropped",
                          notes=[f"partial repair: {partial} (\ufffd: a character whose bytes were lost)"]))
    # parts must lie in the span in order (a part that reads less plainly is left out)
    if not out or out[0].start < s.start or out[-1].end > s.end or any(x.end > y.start for x, y in zip(out, out[1:])):
        return None
    return out
