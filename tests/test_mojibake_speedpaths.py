"""The short cuts of TL102's CJK detector: each one may only skip work whose result is known.
Every test here would fail if a short cut changed what is found: the detector is run with and
without it, or the short cut is checked against what it stands for on every character."""

from __future__ import annotations

import dataclasses
import glob
import os
import subprocess
import sys
from pathlib import Path

import pytest

from talklint.mojibake import cjk, kept
from test_mojibake_cjk import ALL_CLEAN, MODELS, damage

ROOT = Path(__file__).parent.parent
KEYS = ("gb", "big5", "sjis", "euckr")
BMP = "".join(chr(c) for c in range(0x10000) if not 0xD800 <= c <= 0xDFFF)


def _pages() -> list[str]:
    """Every test page and seed with non-ASCII text, and clean CJK lines (every fifth: each is
    parsed at length once damaged) damaged through every model, beside their clean selves, ten
    lines to a text."""
    texts = []
    for pattern in ("tests/corpus/**/*.md", "tests/corpus/**/*.mdx", "tests/fixtures/mojibake/**/*",
                    "seeds/**/*.md", "seeds/**/*.txt"):
        for name in sorted(glob.glob(str(ROOT / pattern), recursive=True)):
            if os.path.isfile(name):
                text = Path(name).read_bytes().decode("utf-8", "replace")
                if not text.isascii():
                    texts.append(text)
    for model in sorted(MODELS):
        lines = [f"{damage(line, model)} {line}" for line in ALL_CLEAN[::5]]
        texts += ["\n".join(lines[i : i + 10]) for i in range(0, len(lines), 10)]
    return texts


PAGES = _pages()


def _facts(found) -> list[dict]:
    return [dataclasses.asdict(d) for d in found]


def _plans_token_by_token(tokens: list[str]) -> dict:
    """What ``_plans`` stands for: ``_screen``'s plan with each token's own start mask, and no
    token or family left out."""
    plans = {}
    for i, plan in cjk._screen(tokens).items():
        out = []
        for key, windows in plan:
            mask = cjk._start_mask(tokens[i], key)
            out.append((key, mask, mask if windows is None else cjk._and(mask, windows)))
        plans[i] = out
    return plans


def test_plans_find_what_every_screened_token_gives(monkeypatch):
    """Start masks cut from one mask of all the tokens, and tokens and families with no place to
    start left out: the same damage on every test page, seed and damaged line."""
    assert len(PAGES) > 20
    found = [_facts(cjk.find(text)) for text in PAGES]
    assert any(found)  # the damaged lines are found
    monkeypatch.setattr(cjk, "_plans", _plans_token_by_token)
    assert [_facts(cjk.find(text)) for text in PAGES] == found


@pytest.mark.parametrize("key", KEYS)
def test_a_character_with_no_code_starts_no_parse(key):
    """``_spans`` asks whether the next character can start a parse where it asked whether it
    has a code at all (``k + 1 == j``): the same question only if no character without a code
    can start one. Exhaustive over the BMP and the family's characters beyond it."""
    rev = cjk._family(key).rev
    mask = cjk._start_mask(BMP, key)
    assert len(mask) == len(BMP)
    no_code = [ch for ch, m in zip(BMP, mask) if m and ch != "\ufffd" and rev.memo[ch] == ()]
    assert no_code == []
    astral = [ch for ch in rev.extra if ord(ch) >= 0x10000]
    assert all(rev.memo[ch] != () for ch in astral)
    # and a mask made of many characters at once is the masks of each
    assert mask == b"".join(cjk._start_mask(ch, key) for ch in BMP)
    text = "\n".join(["a" + "".join(astral) + "\U0001f600"] * 2)
    assert cjk._start_mask(text, key) == b"".join(cjk._start_mask(ch, key) for ch in text)


def test_spans_look_characters_up_only_for_a_parse(monkeypatch):
    """A token whose starts all score nothing alone is not looked up character by character."""
    key = "gb"
    rev = cjk._family(key).rev
    lone = next(ch for ch, opts in rev.items() if len(opts) == 1 and len(opts[0]) == 2
                and cjk._seq_len(opts[0][0]) == 2 and cjk._LONE[key][ch] == 2)
    assert cjk._start_mask("的", key) == b"\x00"
    looked = []

    class Counting(dict):
        def __missing__(self, ch):
            looked.append(ch)
            return rev.memo[ch]

    monkeypatch.setattr(rev, "memo", Counting())
    assert cjk._token_spans("的" + lone + "的", 0, "的" + lone + "的", [(key, None)]) == []
    assert looked == []


# -- the kept tables ------------------------------------------------------------------------------


def _source(tmp_path: Path) -> Path:
    source = tmp_path / "cjk.py"
    source.write_bytes(Path(cjk.__file__).read_bytes())
    return source


def test_kept_tables_are_read_back_only_with_their_key(tmp_path, monkeypatch):
    source = _source(tmp_path)
    tables = {("rev", "gb"): ("\0" * 4, {"€": (b"\x80",)}), "levels": "01ef", ("signs", "gb"): frozenset("鈥")}
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    assert kept.load(source, lambda: tables) == {}
    assert not kept.kept_path(source).exists()  # Python writes no bytecode: nothing kept
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    assert kept.load(source, lambda: tables) == {}  # built, and kept
    assert kept.kept_path(source).exists()
    assert kept.load(source, lambda: pytest.fail("built again")) == tables
    # damaged: built again
    path = kept.kept_path(source)
    raw = bytearray(path.read_bytes())
    raw[-3] ^= 1
    path.write_bytes(bytes(raw))
    built = []
    assert kept.load(source, lambda: built.append(1) or tables) == {}
    assert built == [1] and kept.load(source, lambda: pytest.fail("built again")) == tables
    # other code: built again
    source.write_bytes(source.read_bytes() + b"\n# changed\n")
    assert kept.load(source, lambda: built.append(2) or tables) == {}
    assert built == [1, 2]
    # unreadable or truncated: built again, never an error
    path.write_bytes(path.read_bytes()[:100])
    assert kept.load(source, lambda: built.append(3) or tables) == {}
    assert built == [1, 2, 3]


_RUN = """
import pathlib, sys
from talklint.mojibake import cjk, find_damage, kept
kept.kept_path = lambda source: pathlib.Path(sys.argv[1])
if sys.argv[2] == "read":
    def refuse(*args):
        raise AssertionError("a table was built")
    cjk._build_rev = cjk._codec_codes = cjk._charset_rows = cjk._byte_classes = refuse
texts = [line.rstrip("\\n") for line in sys.stdin]
print(repr([[(d.start, d.end, d.candidates, d.model, d.verified, d.notes) for d in find_damage(t)] for t in texts]))
if sys.argv[2] == "compare":
    read = kept._read(pathlib.Path(sys.argv[1]), kept.key_of(pathlib.Path(cjk.__file__)))
    cjk._KEPT = {}
    for f in cjk._FAMILIES:
        f.rev = None
    for cached in (cjk._screen_table, cjk._starters, cjk._signs, cjk._products, cjk._levels,
                   cjk._residue_table, cjk._chain_string):
        cached.cache_clear()
    print(read == cjk._all_tables(), len(read))
"""


def test_kept_tables_give_what_building_gives(tmp_path):
    """A run that builds the tables (and keeps them), one that reads them back and builds none,
    and one that only builds find the same damage; the kept tables equal freshly built ones."""
    lines = [damage(line, model) + " " + line for line in ALL_CLEAN[::25] for model in sorted(MODELS)]
    lines += ["漏 2025 Forbes鈥 50", "## 馃帳 Speakers", "W眉rzburg", "锟斤拷", "Itâ€™s"]
    stdin = "\n".join(lines) + "\n"
    path = tmp_path / "cjk.tables"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

    def run(mode: str, **extra) -> str:
        return subprocess.run([sys.executable, "-c", _RUN, str(path), mode], input=stdin, capture_output=True,
                              text=True, check=True, env={**env, **extra}).stdout

    without = run("build", PYTHONDONTWRITEBYTECODE="1")
    assert not path.exists()
    assert run("build") == without
    assert path.exists()
    assert run("read") == without
    out = run("compare").split("\n")
    assert out[0] == without.rstrip("\n") and out[1].startswith("True ")
    assert "UTF-8 read as GBK" in without and "UTF-8 read as Big5" in without
