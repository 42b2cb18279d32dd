"""Mojibake benchmark: damage clean lines in known ways, then ask talklint and ftfy to repair them.

Clean lines with known originals live in ``benchmarks/data/clean_lines.txt`` (built from the
other files in ``benchmarks/data`` by ``--build-data``, deterministically, and committed). Each
damage model is applied to every clean line that holds non-ASCII text; a damaged line is kept
only when the damage changed it. Per model the benchmark reports:

- talklint detection: the line has at least one TL102 (mojibake) finding;
- talklint repairs with the real fixer, once with safe fixes only and once with safe and unsafe
  fixes: *exact* (the fixed line equals the original), *partial* (some damaged pieces put back
  correctly, the others left), *wrong* (at least one change is not what the original had), the
  rest is unchanged;
- ftfy's ``fix_text`` with its defaults and with conservative settings, classified the same way.

On the clean lines themselves: how many talklint flags (TL102 or TL103) or changes, and how many
each ftfy configuration changes.

    python benchmarks/mojibake.py                   # full run, text table
    python benchmarks/mojibake.py --markdown        # the table for RESULTS.md
    python benchmarks/mojibake.py --limit 200 --models w1252 w1254-drop --examples 5
"""

from __future__ import annotations

import argparse
import codecs
import json
import os
import random
import re
import sys
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import ftfy
import ftfy.bad_codecs  # noqa: F401  (registers the sloppy-windows-* codecs)
from ftfy.badness import is_bad

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
CLEAN_FILE = DATA / "clean_lines.txt"
SEED = 20250506

# --------------------------------------------------------------------------------------------
# Damage models
# --------------------------------------------------------------------------------------------


def _byte_table(codec: str) -> list[str | None]:
    """What each byte decodes to in a single-byte code page; None where it is undefined."""
    table: list[str | None] = []
    for b in range(256):
        try:
            table.append(bytes([b]).decode(codec))
        except UnicodeDecodeError:
            table.append(None)
    return table


_TABLES = {c: _byte_table(c) for c in ("cp1252", "cp1254", "cp1251", "latin-1", "mac_roman")}


def read_as(data: bytes, codec: str, undefined: str) -> str:
    """Decode bytes through a single-byte code page. ``undefined`` says what becomes of a byte the
    code page leaves undefined: "drop", "?", "\\ufffd", or "c1" (the byte read as the C1 control
    of the same number, as ftfy's sloppy codecs and browsers do)."""
    table = _TABLES[codec]
    out = []
    for b in data:
        ch = table[b]
        if ch is None:
            if undefined == "drop":
                continue
            ch = chr(b) if undefined == "c1" else undefined
        out.append(ch)
    return "".join(out)


def _single(codec: str, undefined: str) -> Callable[[str], str]:
    def damage(text: str) -> str:
        return read_as(text.encode("utf-8"), codec, undefined)
    return damage


def _multi(codec: str, errors: str) -> Callable[[str], str]:
    def _cjk(text: str) -> str:
        return text.encode("utf-8").decode(codec, errors)
    _cjk.codec = (codec, errors)  # type: ignore[attr-defined]
    return _cjk


def _incremental(damage: Callable[[str], str]) -> Callable[[str], list[tuple[str, str]]]:
    """Cut the line after every character where the damage splits: damaging the text before the
    cut and the text after it one by one gives the same as damaging both together. (A decoder's
    pending state is no test: Python's GBK and Big5 decoders hold an undecodable byte as pending,
    so that test misses cuts and counts correct partial repairs as wrong.) Falls back to cuts at
    ASCII characters below '0' if the pieces do not add up to the damaged line."""

    def segment(text: str) -> list[tuple[str, str]]:
        segs: list[tuple[str, str]] = []
        last = 0
        rest = damage(text)
        for i in range(1, len(text)):
            head, tail = damage(text[last:i]), damage(text[i:])
            if head + tail == rest:
                segs.append((text[last:i], head))
                last, rest = i, tail
        if last < len(text):
            segs.append((text[last:], rest))
        if "".join(d for _, d in segs) != damage(text):
            return _chunked(damage)(text)
        return segs
    return segment


def _web_gbk_errors(exc: UnicodeDecodeError) -> tuple[str, int]:
    """Windows' code page 936 and browsers' GBK decoder read a lone byte 0x80 as the euro sign,
    where Python's gbk codec finds an error; anything else invalid becomes U+FFFD."""
    return ("\u20ac" if exc.object[exc.start] == 0x80 else "\ufffd"), exc.start + 1


codecs.register_error("talklint-bench-web-gbk", _web_gbk_errors)


def _double(text: str) -> str:
    once = read_as(text.encode("utf-8"), "cp1252", "c1")
    return read_as(once.encode("utf-8"), "cp1252", "c1")


_TOKEN = re.compile(r"( +)")


def _non_ascii_tokens(text: str) -> tuple[list[str], list[int]]:
    parts = _TOKEN.split(text)
    return parts, [i for i, p in enumerate(parts) if not p.isascii()]


_w1252 = _single("cp1252", "c1")
_w1252_drop = _single("cp1252", "drop")
_w1254_drop = _single("cp1254", "drop")


def _same(text: str) -> str:
    return text


def _mixed_plan(text: str) -> list[tuple[str, Callable[[str], str]]] | None:
    parts, idx = _non_ascii_tokens(text)
    differing = [i for i in idx if _w1254_drop(parts[i]) != _w1252_drop(parts[i])]
    if len(differing) < 2:
        return None
    turn = {i: (_w1254_drop if n % 2 == 0 else _w1252_drop) for n, i in enumerate(differing)}
    return [(p, turn.get(i, _w1254_drop) if i in idx else _same) for i, p in enumerate(parts)]


def _partial_plan(text: str) -> list[tuple[str, Callable[[str], str]]] | None:
    parts, idx = _non_ascii_tokens(text)
    if len(idx) < 2:
        return None
    damaged = set(idx[0::2])
    return [(p, _w1252 if i in damaged else _same) for i, p in enumerate(parts)]


def _planned(plan: Callable) -> tuple[Callable[[str], str], Callable[[str], list[tuple[str, str]]]]:
    def segment(text: str) -> list[tuple[str, str]]:
        steps = plan(text)
        if steps is None:
            return [(c, c) for c in text]
        return [(c, f(c)) for token, f in steps for c in token]

    def damage(text: str) -> str:
        return "".join(d for _, d in segment(text))
    return damage, segment


_mixed, _mixed_segments = _planned(_mixed_plan)
_mixed.__doc__ = """Space-separated words alternately read as Windows-1254 and as Windows-1252 (undefined
    bytes dropped in both), as on a page pasted together from two sources. Only words that the
    two code pages damage differently (emoji, ð/ğ, ý/ı, þ/ş, Ý/İ, bytes 8E/9E) take turns; the
    others are read as Windows-1254 (like the GOSIM seed's `ğŸ‘©â€ğŸ’¼`). Lines with fewer than
    two such words are left alone, so every damaged line really mixes the two."""
_partial, _partial_segments = _planned(_partial_plan)
_partial.__doc__ = """Every other space-separated word with non-ASCII text read as Windows-1252, the others left
    correct: damaged and correct text on one line."""


def _charwise(damage: Callable[[str], str]) -> Callable[[str], list[tuple[str, str]]]:
    """Single-byte code pages damage each character on its own."""
    def segment(text: str) -> list[tuple[str, str]]:
        return [(c, damage(c)) for c in text]
    return segment


_CUT = re.compile(r"([\x00-\x2f])")  # bytes no CJK code page takes as a trail byte


def _chunked(damage: Callable[[str], str]) -> Callable[[str], list[tuple[str, str]]]:
    """Double-byte code pages read across character boundaries; cut the line at ASCII characters
    below '0' (never a trail byte) and keep the cut only if damaging the pieces one by one gives
    the same as damaging the line."""
    def segment(text: str) -> list[tuple[str, str]]:
        pieces = [p for p in _CUT.split(text) if p]
        segs = [(p, damage(p)) for p in pieces]
        if "".join(d for _, d in segs) != damage(text):
            return [(text, damage(text))]
        return segs
    return segment


@dataclass(frozen=True)
class Model:
    name: str
    description: str
    damage: Callable[[str], str]
    lossy: bool = False
    required: bool = True  # named in issue 4's coverage list
    segment: Callable[[str], list[tuple[str, str]]] | None = None  # (original, damaged) pieces

    def segments(self, text: str) -> list[tuple[str, str]]:
        """The line cut into pieces whose damaged forms add up to the damaged line: a tool's result
        that repairs some pieces and leaves the others as they are is a partial repair, not a
        wrong one."""
        if self.segment is not None:
            return self.segment(text)
        return (_incremental if self.damage.__name__ == "_cjk" else _charwise)(self.damage)(text)


def _m(name, description, damage, lossy=False, required=True, segment=None) -> Model:
    return Model(name, description, damage, lossy, required, segment)


MODELS: list[Model] = [
    _m("w1252", "UTF-8 read as Windows-1252, undefined bytes as C1 controls (ftfy's sloppy codec)", _w1252),
    _m("w1252-drop", "UTF-8 read as Windows-1252 (Python strict cp1252), undefined bytes dropped", _w1252_drop, True),
    _m("w1252-qmark", "UTF-8 read as Windows-1252, undefined bytes as '?'", _single("cp1252", "?"), True),
    _m("w1252-fffd", "UTF-8 read as Windows-1252, undefined bytes as U+FFFD", _single("cp1252", "\ufffd"), True),
    _m("w1254", "UTF-8 read as Windows-1254, undefined bytes as C1 controls", _single("cp1254", "c1")),
    _m("w1254-drop", "UTF-8 read as Windows-1254, undefined bytes (81 8D 8E 8F 90 9D 9E) dropped", _w1254_drop, True),
    _m("w1254-qmark", "UTF-8 read as Windows-1254, undefined bytes as '?'", _single("cp1254", "?"), True),
    _m("w1254-fffd", "UTF-8 read as Windows-1254, undefined bytes as U+FFFD", _single("cp1254", "\ufffd"), True),
    _m("latin1", "UTF-8 read as Latin-1 (ISO-8859-1)", _single("latin-1", "c1")),
    _m("macroman", "UTF-8 read as MacRoman", _single("mac_roman", "c1")),
    _m("w1251", "UTF-8 read as Windows-1251, undefined byte 98 as a C1 control", _single("cp1251", "c1")),
    _m("w1251-drop", "UTF-8 read as Windows-1251, undefined byte 98 dropped", _single("cp1251", "drop"), True),
    _m("double-w1252", "UTF-8 read as Windows-1252, twice (double encoding)", _double),
    _m("mixed-1254-1252", "Windows-1254 and Windows-1252 damage (bytes dropped) in one line", _mixed, True,
       segment=_mixed_segments),
    _m("partial-w1252", "Windows-1252 damage on some words of a line, others correct", _partial,
       segment=_partial_segments),
    _m("gbk-replace", "UTF-8 read as GBK, errors='replace'", _multi("gbk", "replace"), True),
    _m("gbk-ignore", "UTF-8 read as GBK, errors='ignore'", _multi("gbk", "ignore"), True),
    _m("gbk-web", "UTF-8 read as GBK as Windows (cp936) and browsers do: 0x80 as €, errors as U+FFFD",
       _multi("gbk", "talklint-bench-web-gbk"), True),
    _m("gb18030-replace", "UTF-8 read as GB18030, errors='replace'", _multi("gb18030", "replace"), True),
    _m("gb18030-ignore", "UTF-8 read as GB18030, errors='ignore'", _multi("gb18030", "ignore"), True),
    _m("big5-replace", "UTF-8 read as Big5, errors='replace'", _multi("big5", "replace"), True),
    _m("big5-ignore", "UTF-8 read as Big5, errors='ignore'", _multi("big5", "ignore"), True),
    _m("cp932-replace", "UTF-8 read as Shift-JIS (Windows cp932), errors='replace' (not required by issue 4)",
       _multi("cp932", "replace"), True, False),
    _m("cp949-replace", "UTF-8 read as EUC-KR (Windows cp949), errors='replace' (not required by issue 4)",
       _multi("cp949", "replace"), True, False),
]
MODEL_BY_NAME = {m.name: m for m in MODELS}


def damage_all(lines: list[str], model: Model) -> list[tuple[str, str]]:
    """(original, damaged) for every line with non-ASCII text that the model changes."""
    out = []
    for line in lines:
        if line.isascii():
            continue
        damaged = model.damage(line)
        if damaged != line:
            out.append((line, damaged))
    return out


# --------------------------------------------------------------------------------------------
# Clean lines
# --------------------------------------------------------------------------------------------

_UNSAFE_START = re.compile(r"(```|~~~|<|---|\+\+\+|={3,}|!\[)")


def usable(line: str) -> str | None:
    """A line fit to stand as its own markdown paragraph in a batch document, or None."""
    line = line.strip()
    if not line or _UNSAFE_START.match(line):
        return None
    if "\ufffd" in line or "\t" in line or any(unicodedata.category(c) == "Cc" for c in line):
        return None
    return line


def _read_list(name: str) -> list[str]:
    text = (DATA / name).read_text(encoding="utf-8")
    return [ln for ln in text.split("\n") if ln and not ln.startswith("# ")]


HEADINGS = [
    "Speakers", "Schedule", "Workshops", "Sponsors", "Venue", "Keynote", "Call for Proposals",
    "Lightning Talks", "Sprints", "Social Event", "Travel & Accommodation", "Code of Conduct",
    "Tickets", "FAQ", "Volunteers", "Diversity Grants", "Track Information", "Media & Talks",
    "Intervenants", "Programme", "Redner:innen", "Anreise", "Prelegenci", "Konuşmacılar",
    "Etkinlik Programı", "Ponentes", "Palestrantes", "Řečníci", "Докладчики", "Программа",
    "Ομιλητές", "议程", "嘉宾介绍", "演讲主题", "講者介紹", "タイムテーブル", "登壇者", "발표자", "일정",
]
ROLES = ["Keynote", "Host", "Speaker", "Chair", "Panelist", "Mentor", "Organiser", "Volunteer"]
EN_PHRASES = [
    "Registration is open", "Slides are online", "Video coming soon", "Doors open at 9:00",
    "Join us for the sprint", "Thanks to our sponsors", "Lunch is on us", "See you next year",
    "Questions welcome", "Workshop room B", "Live stream starts at 10:00", "Best paper award",
]
TIMES = ["09:00", "09:30", "10:15", "10:30", "11:10", "12:00", "13:30", "14:45", "16:00", "17:20"]


def _is_latin(s: str) -> bool:
    return all(ord(c) < 0x250 or c in "’“”—–…•" or 0x1E00 <= ord(c) < 0x1F00 for c in s)


def build_clean_lines() -> list[str]:
    """All clean lines, in a fixed order: the seed, corpus and written lines, then lines composed
    from the fragment lists with a seeded RNG (every single emoji is used at least once, every
    multi-code-point emoji twice)."""
    rng = random.Random(SEED)
    static = _read_list("seed_lines.txt") + _read_list("corpus_lines.txt") + _read_list("written_lines.txt")
    singles = _read_list("emoji_single.txt")
    seqs = _read_list("emoji_sequences.txt")
    names = _read_list("names.txt")
    places = _read_list("places.txt")
    titles = _read_list("titles.txt")
    latin_names = [n for n in names if _is_latin(n)]
    zh_names = [n for n in names if re.fullmatch(r"[\u4e00-\u9fff]{2,3}", n)]
    zh_places = ["北京", "上海", "深圳", "杭州", "巴黎", "柏林", "东京", "首尔", "伦敦", "成都"]
    zh_titles = [t for t in titles if re.search(r"[\u4e00-\u9fff]", t) and not re.search(r"[\u3040-\u30ff]", t)]
    ja_titles = [t for t in titles if re.search(r"[\u3040-\u30ff]", t)]
    ja_names = ["山田太郎", "佐藤花子", "鈴木一郎", "高橋美咲", "田中健", "伊藤さくら"]
    ko_titles = [t for t in titles if re.search(r"[\uac00-\ud7a3]", t)]
    ko_names = [n for n in names if re.fullmatch(r"[\uac00-\ud7a3]{3}", n)]
    ru_names = [n for n in names if re.search(r"[\u0400-\u04ff]", n)]
    ru_titles = [t for t in titles if re.search(r"[\u0400-\u04ff]", t)]
    latin_titles = [t for t in titles if _is_latin(t)]
    tr_names = ["Çağrı Yılmaz", "Ğülşen Öztürk", "İlkay Şahin", "Ayşe Doğan", "Müge Çelik",
                "Ahmet Güneş", "Oğuz Kaan Erdoğan"]
    tr_places = ["İstanbul", "Eskişehir", "Muğla", "Ankara", "İzmir", "Kadıköy"]
    c = rng.choice

    emoji_templates = [
        lambda e: f"## {e} {c(HEADINGS)}",
        lambda e: f"### {e} {c(HEADINGS)}",
        lambda e: f"{e} {c(EN_PHRASES)}!",
        lambda e: f"- {e} **{c(latin_names)}** — “{c(latin_titles)}”",
        lambda e: f"{c(titles)} {e}",
        lambda e: f"{e} {c(zh_names)}将在{c(zh_places)}发表演讲：“{c(zh_titles)}”。",
        lambda e: f"{e}{e} {c(EN_PHRASES)} {e}",
        lambda e: f"{c(TIMES)}–{c(TIMES)} {e} {c(titles)} · {c(names)}",
        lambda e: f"{e} {c(ROLES)}: {c(names)} ({c(places)})",
        lambda e: f"It’s {c(latin_names).split()[0]}’s turn {e} — “{c(EN_PHRASES)}”",
    ]
    composed: list[str] = []
    for e in singles:
        composed.append(c(emoji_templates)(e))
    for e in seqs + seqs:
        composed.append(c(emoji_templates)(e))
    text_templates = [
        lambda: f"{c(latin_names)} will present “{c(latin_titles)}” in {c(places)}.",
        lambda: f"- **{c(names)}** ({c(places)}) — {c(titles)}",
        lambda: f"{c(TIMES)}–{c(TIMES)} · {c(titles)} · {c(names)}",
        lambda: f"{c(zh_names)}将在{c(zh_places)}发表主题演讲《{c(zh_titles)}》，欢迎参加！",
        lambda: f"演讲嘉宾：{c(zh_names)}（{c(zh_places)}），议题：{c(zh_titles)}。",
        lambda: f"{c(ja_names)}さんが「{c(ja_titles)}」について講演します。",
        lambda: f"発表者：{c(ko_names)} — 주제: {c(ko_titles)}",
        lambda: f"{c(ko_names)} 님의 발표: 「{c(ko_titles)}」, 장소: {c(['서울', '부산', '대전'])}",
        lambda: f"{c(ru_names)} выступит с докладом «{c(ru_titles)}».",
        lambda: f"{c(tr_names)}, {c(tr_places)} etkinliğinde “{c(titles)}” başlıklı bir konuşma yapacak.",
        lambda: f"Speakers: {c(names)}, {c(names)} and {c(names)}.",
        lambda: f"“{c(latin_titles)}” — {c(latin_names)}, {c(places)} ({c(TIMES)}\u00a0CET)",
        lambda: f"{c(latin_names)} ’{rng.randint(10, 25)} • {c(places)} • {rng.randint(20, 900)}\u00a0€",
    ]
    for _ in range(900):
        composed.append(c(text_templates)())
    out: list[str] = []
    seen: set[str] = set()
    for line in static + composed:
        u = usable(line)
        if u is not None and u not in seen:
            seen.add(u)
            out.append(u)
    return out


def write_clean_lines(path: Path = CLEAN_FILE) -> list[str]:
    lines = build_clean_lines()
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return lines


def load_clean_lines(path: Path = CLEAN_FILE) -> list[str]:
    return [ln for ln in path.read_text(encoding="utf-8").split("\n") if ln]


def read_extra_clean(paths: list[str]) -> list[str]:
    """Usable lines of the markdown files under ``paths`` (not committed data: e.g. a local corpus
    of real pages, to measure false positives on more clean text). Fenced code is skipped."""
    files: list[Path] = []
    for p in map(Path, paths):
        files.extend(sorted(f for f in p.rglob("*") if f.suffix in (".md", ".mdx", ".markdown"))
                     if p.is_dir() else [p])
    out: list[str] = []
    seen: set[str] = set()
    for f in files:
        try:
            text = f.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        fence = None
        for raw in text.splitlines():
            m = re.match(r"\s*(`{3,}|~{3,})", raw)
            if m:
                fence = None if fence and m.group(1)[0] == fence else (fence or m.group(1)[0])
                continue
            line = usable(raw)
            if fence is None and line is not None and line not in seen:
                seen.add(line)
                out.append(line)
    return out


# --------------------------------------------------------------------------------------------
# Outcomes and metrics
# --------------------------------------------------------------------------------------------

EXACT, PARTIAL, WRONG, UNCHANGED = "exact", "partial", "wrong", "unchanged"


def consistent(repaired: str, segments: list[tuple[str, str]]) -> bool:
    """Whether ``repaired`` is the damaged line with some of its pieces put back as they were in
    the original and the others left damaged: every change the tool made was right."""
    reach = {0}
    for orig, dmg in segments:
        nxt = set()
        for j in reach:
            if repaired.startswith(dmg, j):
                nxt.add(j + len(dmg))
            if repaired.startswith(orig, j):
                nxt.add(j + len(orig))
        if not nxt:
            return False
        reach = nxt
    return len(repaired) in reach


def classify(original: str, damaged: str, repaired: str,
             segments: list[tuple[str, str]] | None = None) -> str:
    """exact: the repair gives the original; unchanged: the tool left the line as it was;
    partial: it repaired some damaged pieces correctly and left the others (needs the line's
    ``segments``); wrong: it changed the line into something else (at least one change was wrong)."""
    if repaired == original:
        return EXACT
    if repaired == damaged:
        return UNCHANGED
    if segments is not None and consistent(repaired, segments):
        return PARTIAL
    return WRONG


@dataclass
class LineResult:
    original: str
    damaged: str
    detected: bool  # >= 1 TL102 finding
    detected_any: bool  # >= 1 TL102 or TL103 finding
    crashed: bool  # a TL903 finding: a rule raised on this line's document
    messages: list[str]
    tl_safe: str  # text after safe fixes
    tl_unsafe: str  # text after safe and unsafe fixes
    ftfy_default: str
    ftfy_conservative: str
    ftfy_bad: bool = False  # ftfy.badness.is_bad: ftfy's own detector, for reference
    segments: list[tuple[str, str]] | None = None  # see Model.segments; None for clean lines
    tl_ms: float = 0.0  # talklint's CPU time on this line (lint and both fix runs)


@dataclass
class Tally:
    n: int = 0
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, key: str, yes: bool = True) -> None:
        self.counts[key] = self.counts.get(key, 0) + (1 if yes else 0)

    def pct(self, key: str) -> float:
        return 100.0 * self.counts.get(key, 0) / self.n if self.n else 0.0


def tally(results: list[LineResult]) -> Tally:
    t = Tally(n=len(results))
    for r in results:
        t.add("detected", r.detected)
        t.add("detected_any", r.detected_any)
        t.add("crashed", r.crashed)
        t.add("ftfy_bad", r.ftfy_bad)
        for key, text in (("tl_safe", r.tl_safe), ("tl_unsafe", r.tl_unsafe),
                          ("ftfy_default", r.ftfy_default), ("ftfy_conservative", r.ftfy_conservative)):
            t.add(f"{key}:{classify(r.original, r.damaged, text, r.segments)}")
        t.counts["tl_ms"] = t.counts.get("tl_ms", 0) + r.tl_ms
    return t


# --------------------------------------------------------------------------------------------
# The tools
# --------------------------------------------------------------------------------------------

CONSERVATIVE = ftfy.TextFixerConfig(
    uncurl_quotes=False, fix_character_width=False, fix_latin_ligatures=False, unescape_html=False,
    fix_line_breaks=False, remove_control_chars=False, normalization=None, restore_byte_a0=False,
)
DEFAULT = ftfy.TextFixerConfig()


def run_ftfy(line: str) -> tuple[str, str]:
    return ftfy.fix_text(line, DEFAULT), ftfy.fix_text(line, CONSERVATIVE)


BATCH = 1  # lines per document: 1 lets the lint cache skip every line already seen
_HEADER = "# Mojibake benchmark\n\n"  # keeps a first line of "---" or "key: value" from being front matter
_HEADER_LINES = 2


class _CachingLinter:
    """The linter, with lint results remembered by document text: the detection lint, the fixer's
    first lint (safe-only run and safe+unsafe run), passes the two runs share, and a fixed line
    that is some clean line again are computed once. The fixer itself is the real one."""

    def __init__(self, linter, cache: dict[str, list]) -> None:
        self._linter = linter
        self.cache = cache

    def lint_source(self, source, path=None):
        if source.invalid_bytes:
            return self._linter.lint_source(source, path)
        found = self.cache.get(source.text)
        if found is None:
            found = self.cache[source.text] = self._linter.lint_source(source, path)
        return found

    def __getattr__(self, name):
        return getattr(self._linter, name)


class Talklint:
    """talklint through its Python API: TL102 and TL103 only, one line per paragraph."""

    def __init__(self, registry=None) -> None:
        from talklint.engine import Linter, Overrides
        from talklint.fixer import FixPolicy
        from talklint.registry import load_registry

        registry = registry if registry is not None else load_registry([])
        self.available = {"TL102", "TL103"} & set(registry.rules)
        # TL903 too: a rule that crashes must show up, not just find nothing.
        select = sorted(self.available) + ["TL903"]
        self.linter = Linter(overrides=Overrides(select=select), registry=registry)
        self.safe = FixPolicy(unsafe=False)
        self.unsafe = FixPolicy(unsafe=True)
        self.cache: dict[str, list] = {}

    def _run(self, lines: list[str]) -> list[tuple[list, str, str]] | None:
        from talklint.fixer import fix_source
        from talklint.source import Source

        text = _HEADER + "\n\n".join(lines) + "\n"
        source = Source.from_text("benchmark.md", text)
        if len(self.cache) > 200_000:
            self.cache.clear()
        linter = _CachingLinter(self.linter, self.cache)
        findings = linter.lint_source(source, "benchmark.md")
        per_line: list[list] = [[] for _ in lines]
        for f in findings:
            idx, rem = divmod(f.line - 1 - _HEADER_LINES, 2)
            if rem or not 0 <= idx < len(lines):
                return None  # a finding between lines: run these lines one by one
            per_line[idx].append(f)
        fixed = []
        for policy in (self.safe, self.unsafe):
            if not any(f.fix is not None for f in findings):
                fixed.append(list(lines))
                continue
            out = fix_source(linter, source, policy, "benchmark.md").text
            if not out.startswith(_HEADER):
                return None
            parts = out[len(_HEADER):].removesuffix("\n").split("\n\n")
            if len(parts) != len(lines):
                return None
            fixed.append(parts)
        return [(per_line[i], fixed[0][i], fixed[1][i]) for i in range(len(lines))]

    def run(self, lines: list[str], batch: int = BATCH) -> list[tuple[list, str, str]]:
        out: list[tuple[list, str, str]] = []
        for i in range(0, len(lines), batch):
            chunk = lines[i:i + batch]
            got = self._run(chunk) if batch > 1 else None
            if got is None:
                got = []
                for line in chunk:
                    one = self._run([line])
                    got.append(one[0] if one else ([], line, line))
            out.extend(got)
        return out


@dataclass(frozen=True)
class Outcome:
    """What the tools make of one text (it depends on the text only, not on how it was damaged)."""

    codes: frozenset[str]
    messages: tuple[str, ...]
    tl_safe: str
    tl_unsafe: str
    ftfy_default: str
    ftfy_conservative: str
    ftfy_bad: bool
    tl_ms: float


def outcomes(texts: list[str], tl: Talklint, batch: int = BATCH) -> list[Outcome]:
    out = []
    for i in range(0, len(texts), batch):
        chunk = texts[i:i + batch]
        t0 = time.process_time()  # CPU time: comparable on a machine shared with other work
        tl_out = tl.run(chunk, batch)
        ms = 1000 * (time.process_time() - t0) / len(chunk)
        for text, (findings, safe, unsafe) in zip(chunk, tl_out):
            fd, fc = run_ftfy(text)
            out.append(Outcome(frozenset(f.code for f in findings),
                               tuple(f"{f.code} {f.message}" for f in findings),
                               safe, unsafe, fd, fc, is_bad(text), ms))
    return out


def line_result(original: str, damaged: str, o: Outcome,
                segments: list[tuple[str, str]] | None = None) -> LineResult:
    return LineResult(
        original=original, damaged=damaged, detected="TL102" in o.codes,
        detected_any=bool(o.codes & {"TL102", "TL103"}), crashed="TL903" in o.codes,
        messages=list(o.messages), tl_safe=o.tl_safe, tl_unsafe=o.tl_unsafe,
        ftfy_default=o.ftfy_default, ftfy_conservative=o.ftfy_conservative, ftfy_bad=o.ftfy_bad,
        segments=segments, tl_ms=o.tl_ms)


def evaluate(pairs: list[tuple[str, str]], tl: Talklint, batch: int = BATCH,
             model: Model | None = None) -> list[LineResult]:
    """Results for (original, damaged) pairs, in one process."""
    got = outcomes([d for _, d in pairs], tl, batch)
    return [line_result(orig, dmg, o, model.segments(orig) if model else None)
            for (orig, dmg), o in zip(pairs, got)]


# --------------------------------------------------------------------------------------------
# Running (two worker processes by default)
# --------------------------------------------------------------------------------------------

_WORKER_TL: Talklint | None = None


def _job(args: tuple[list[str], int]) -> list[tuple[str, Outcome]]:
    global _WORKER_TL
    if _WORKER_TL is None:
        _WORKER_TL = Talklint()
    texts, batch = args
    return list(zip(texts, outcomes(texts, _WORKER_TL, batch)))


def run_all(clean: list[str], models: list[Model], jobs: int, batch: int = BATCH,
            chunk: int = 100, extra_clean: list[str] | None = None) -> dict[str, list[LineResult]]:
    """Every clean and damaged line through both tools. Each distinct text is evaluated once (the
    lossy variants and the lossless one often give the same line), in chunks spread over ``jobs``
    worker processes."""
    sets: dict[str, list[tuple[str, str]]] = {
        "clean": [(ln, ln) for ln in clean],
        "extra-clean": [(ln, ln) for ln in extra_clean or []],
    }
    for m in models:
        sets[m.name] = damage_all(clean, m)
    unique = list(dict.fromkeys(d for pairs in sets.values() for _, d in pairs))
    tasks = [(unique[i:i + chunk], batch) for i in range(0, len(unique), chunk)]
    done: dict[str, Outcome] = {}
    if jobs <= 1:
        for part in map(_job, tasks):
            done.update(part)
    else:
        import multiprocessing as mp

        with mp.get_context("fork" if sys.platform != "win32" else "spawn").Pool(jobs) as pool:
            for part in pool.imap_unordered(_job, tasks):
                done.update(part)
    by_name = {m.name: m for m in models}
    return {name: [line_result(o, d, done[d], by_name[name].segments(o) if name in by_name else None)
                   for o, d in pairs]
            for name, pairs in sets.items()}


# --------------------------------------------------------------------------------------------
# Reporting
# --------------------------------------------------------------------------------------------

COLUMNS = [
    ("model", None), ("n", None),
    ("TL det %", "detected"), ("TL det any %", "detected_any"),
    ("TL exact %", "tl_unsafe:exact"), ("TL partial %", "tl_unsafe:partial"), ("TL wrong %", "tl_unsafe:wrong"),
    ("TL safe exact %", "tl_safe:exact"), ("TL safe wrong %", "tl_safe:wrong"),
    ("ftfy is_bad %", "ftfy_bad"), ("ftfy exact %", "ftfy_default:exact"), ("ftfy wrong %", "ftfy_default:wrong"),
    ("ftfy cons exact %", "ftfy_conservative:exact"), ("ftfy cons wrong %", "ftfy_conservative:wrong"),
]


def _ms(t: Tally) -> str:
    return f"{t.counts.get('tl_ms', 0) / t.n:.1f}" if t.n else "0"


def table_rows(results: dict[str, list[LineResult]], models: list[Model]) -> list[list[str]]:
    rows = []
    pooled: list[LineResult] = []
    for m in models:
        t = tally(results[m.name])
        pooled.extend(results[m.name])
        label = m.name if m.required else m.name + " *"
        rows.append([label, str(t.n)] + [f"{t.pct(k):.1f}" for _, k in COLUMNS[2:]] + [_ms(t)])
    total = tally(pooled)
    rows.append(["all models", str(total.n)] + [f"{total.pct(k):.1f}" for _, k in COLUMNS[2:]] + [_ms(total)])
    return rows


def clean_summary(results: list[LineResult]) -> list[tuple[str, int, int]]:
    n = len(results)
    flagged = sum(r.detected_any for r in results)
    return [
        ("talklint flagged (TL102/TL103)", flagged, n),
        ("talklint changed (safe fixes)", sum(r.tl_safe != r.original for r in results), n),
        ("talklint changed (safe + unsafe fixes)", sum(r.tl_unsafe != r.original for r in results), n),
        ("ftfy is_bad flagged", sum(r.ftfy_bad for r in results), n),
        ("ftfy default changed", sum(r.ftfy_default != r.original for r in results), n),
        ("ftfy conservative changed", sum(r.ftfy_conservative != r.original for r in results), n),
    ]


HEADER = [c for c, _ in COLUMNS] + ["TL ms/line"]


def render_text(rows: list[list[str]]) -> str:
    header = HEADER
    widths = [max(len(header[i]), *(len(r[i]) for r in rows)) for i in range(len(header))]
    lines = ["  ".join(h.rjust(w) if i else h.ljust(w) for i, (h, w) in enumerate(zip(header, widths)))]
    for r in rows:
        lines.append("  ".join(v.rjust(w) if i else v.ljust(w) for i, (v, w) in enumerate(zip(r, widths))))
    return "\n".join(lines)


def render_markdown(rows: list[list[str]]) -> str:
    header = HEADER
    out = ["| " + " | ".join(header) + " |", "|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|"]
    for r in rows:
        out.append("| " + " | ".join(r) + " |")
    return "\n".join(out)


def failures(results: list[LineResult], k: int) -> list[tuple[str, LineResult]]:
    """k failures, worst kinds first and taking turns: wrong safe repairs, wrong unsafe repairs,
    misses, then detected but not repaired exactly."""
    buckets: dict[str, list[LineResult]] = {"wrong safe fix": [], "wrong unsafe fix": [],
                                            "not detected": [], "not repaired": []}
    for r in results:
        if classify(r.original, r.damaged, r.tl_safe, r.segments) == WRONG:
            buckets["wrong safe fix"].append(r)
        elif classify(r.original, r.damaged, r.tl_unsafe, r.segments) == WRONG:
            buckets["wrong unsafe fix"].append(r)
        elif not r.detected:
            buckets["not detected"].append(r)
        elif r.tl_unsafe != r.original:
            buckets["not repaired"].append(r)
    for items in buckets.values():
        items.sort(key=lambda r: (len(r.damaged), r.damaged))  # short examples first: easier to read
    out: list[tuple[str, LineResult]] = []
    rounds = 0
    while len(out) < k and any(len(items) > rounds for items in buckets.values()):
        for kind, items in buckets.items():  # one of each kind per round, worst kind first
            if len(items) > rounds and len(out) < k:
                out.append((kind, items[rounds]))
        rounds += 1
    return out


def _short(s: str, n: int = 160) -> str:
    s = s.encode("unicode_escape").decode("ascii") if any(unicodedata.category(c) == "Cc" for c in s) else s
    return s if len(s) <= n else s[:n - 1] + "…"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--limit", type=int, default=0, help="use only the first N clean lines")
    ap.add_argument("--models", nargs="+", metavar="MODEL", help=f"models to run (default all): {' '.join(MODEL_BY_NAME)}")
    ap.add_argument("--markdown", action="store_true", help="print the tables as markdown")
    ap.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1), help="worker processes (default 2)")
    ap.add_argument("--batch", type=int, default=BATCH, help="lines per talklint document (1 = one document per line)")
    ap.add_argument("--examples", type=int, default=0, metavar="K", help="print the K worst failures per model")
    ap.add_argument("--failures", metavar="FILE", help="write every result that is not an exact repair as JSON lines")
    ap.add_argument("--extra-clean", nargs="+", metavar="PATH",
                    help="also measure flagged/changed on the lines of these markdown files or folders")
    ap.add_argument("--build-data", action="store_true", help="rebuild benchmarks/data/clean_lines.txt and exit")
    args = ap.parse_args(argv)

    if args.build_data:
        lines = write_clean_lines()
        print(f"{len(lines)} clean lines ({sum(not ln.isascii() for ln in lines)} with non-ASCII text) -> {CLEAN_FILE}")
        return 0
    models = MODELS
    if args.models:
        unknown = [m for m in args.models if m not in MODEL_BY_NAME]
        if unknown:
            ap.error(f"unknown model(s): {', '.join(unknown)}")
        models = [MODEL_BY_NAME[m] for m in args.models]
    clean = load_clean_lines()
    if args.limit:
        clean = clean[:args.limit]

    tl = Talklint()
    missing = {"TL102", "TL103"} - tl.available
    if missing:
        print(f"note: talklint has no rule {', '.join(sorted(missing))} yet: its columns measure nothing",
              file=sys.stderr)
    tl.run(["Itâ€™s ğŸ“… 寮€鏀炬簮"])  # import every detector before the workers fork: one code version
    t0, c0 = time.perf_counter(), time.process_time()
    extra = read_extra_clean(args.extra_clean) if args.extra_clean else []
    results = run_all(clean, models, args.jobs, args.batch, extra_clean=extra)
    elapsed = time.perf_counter() - t0
    import resource

    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = time.process_time() - c0 + kids.ru_utime + kids.ru_stime

    rows = table_rows(results, models)
    summary = clean_summary(results["clean"])
    extra_summary = clean_summary(results["extra-clean"]) if extra else []
    non_ascii = sum(not ln.isascii() for ln in clean)
    if args.markdown:
        print(render_markdown(rows))
        print()
        print(f"Clean lines: {len(clean)} ({non_ascii} with non-ASCII text).")
        print()
        print("| on the clean lines | lines | % |")
        print("|---|---:|---:|")
        for label, k, n in summary:
            print(f"| {label} | {k} | {100.0 * k / n if n else 0:.2f} |")
        if extra:
            print(f"\nExtra clean lines (--extra-clean): {len(extra)} "
                  f"({sum(not ln.isascii() for ln in extra)} with non-ASCII text).\n")
            print("| on the extra clean lines | lines | % |")
            print("|---|---:|---:|")
            for label, k, n in extra_summary:
                print(f"| {label} | {k} | {100.0 * k / n if n else 0:.2f} |")
    else:
        print(render_text(rows))
        print(f"\nclean lines: {len(clean)} ({non_ascii} with non-ASCII text)")
        for label, k, n in summary:
            print(f"  {label}: {k} ({100.0 * k / n if n else 0:.2f}%)")
        if extra:
            print(f"extra clean lines: {len(extra)} ({sum(not ln.isascii() for ln in extra)} with non-ASCII text)")
            for label, k, n in extra_summary:
                print(f"  {label}: {k} ({100.0 * k / n if n else 0:.2f}%)")
    if any(not m.required for m in models):
        print("\n* not required by issue 4")
    crashed = sum(r.crashed for res in results.values() for r in res)
    if crashed:
        print(f"\nwarning: a talklint rule raised (TL903) on {crashed} line(s); see --examples/--failures",
              file=sys.stderr)
    print(f"\n{sum(len(v) for v in results.values())} lines evaluated in {elapsed:.1f} s "
          f"({cpu:.1f} s CPU) with {args.jobs} job(s)",
          file=sys.stderr)

    if args.examples:
        for name in ["clean", "extra-clean"] + [m.name for m in models]:
            res = results[name]
            if name in ("clean", "extra-clean"):
                bad = [("changed" if r.tl_unsafe != r.original else "flagged", r) for r in res
                       if r.detected_any or r.tl_unsafe != r.original][:args.examples]
            else:
                bad = failures(res, args.examples)
            if not bad:
                continue
            print(f"\n## {name}")
            for kind, r in bad:
                print(f"- {kind}")
                print(f"    damaged:  {_short(r.damaged)}")
                print(f"    talklint: {_short(r.tl_unsafe)}" + ("" if r.tl_unsafe != r.damaged else "  (unchanged)"))
                if r.tl_safe != r.tl_unsafe:
                    print(f"    safe only: {_short(r.tl_safe)}")
                print(f"    expected: {_short(r.original)}")
                for msg in r.messages[:3]:
                    print(f"    finding:  {_short(msg)}")
    if args.failures:
        with open(args.failures, "w", encoding="utf-8") as fh:
            for name, res in results.items():
                for r in res:
                    if name in ("clean", "extra-clean"):
                        if not (r.detected_any or r.tl_unsafe != r.original):
                            continue
                    elif r.tl_unsafe == r.original and r.tl_safe == r.original:
                        continue
                    row = {k: v for k, v in r.__dict__.items() if k != "segments"}
                    row["model"] = name
                    for key in ("tl_safe", "tl_unsafe", "ftfy_default", "ftfy_conservative"):
                        row[key + "_class"] = classify(r.original, r.damaged, row[key], r.segments)
                    fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
