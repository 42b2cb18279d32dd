"""Fixture files with inline expectations, run through the real engine.

Layout: ``tests/fixtures/rules/<CODE>/<name>``. Expectations:

* ``<!-- expect: TL201 -->`` — a finding of that code starts on this line;
  ``<!-- expect: TL201@7 -->`` — … at column 7; several codes separated by commas.
* ``<!-- expect-next-line: TL201 -->`` — the same for the line after the comment (for findings
  a comment on the line itself would change, like trailing whitespace).
* ``<name>.expect`` beside a fixture: lines ``LINE:COL CODE`` (or ``LINE CODE``), ``#`` comments,
  for fixtures that cannot hold comments (binary, exact line endings, no final newline).

Each fixture is linted with every rule (``select = ALL``, plus the folder's own code so a rule
that is off by default is on in its own folder; rules that look at the files beside a page —
``FILE_CONTEXT_RULES`` — run only in their own folder). Findings and markers must match exactly,
as a multiset; a file named ``clean*`` must give no finding at all. Images and PDFs in a folder
are what its fixtures point at, not fixtures.

For a fixable rule, ``<name>.fixed`` holds the fixture with that rule's fixes applied (safe and
unsafe; display-only fixes never are). The fixed text is linted again: no finding of the rule
with a safe fix may remain, so fixing twice changes nothing.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from pathlib import Path

import pytest
from helpers import corpus_files

from talklint.config import Config, Settings
from talklint.engine import Linter, Overrides
from talklint.finding import Applicability
from talklint.registry import load_registry
from talklint.source import Source

import oracle

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures" / "rules"
CORPUS = HERE / "corpus"
SEEDS = HERE.parent / "seeds"
SIDECARS = (".expect", ".fixed")
# Files that fixtures point at (images, slides): part of a fixture, not fixtures themselves.
ASSETS = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".pdf")
# Rules whose findings depend on the files beside a page rather than on its text run only in
# their own folders, where each fixture brings the files it points at.
FILE_CONTEXT_RULES = ("TL401", "TL402", "TL403", "TL410", "TL411")

MARKER = re.compile(r"<!--\s*expect(-next-line)?:\s*([^>]*?)\s*-->")
MARKER_CODE = re.compile(r"^([A-Z]{1,4}[0-9]{3})(?:@(\d+))?$")


# -- helpers shared with test_rule_meta ----------------------------------------------------------

def fixture_files() -> list[Path]:
    return sorted(p for p in FIXTURES.rglob("*")
                  if p.is_file() and p.suffix not in SIDECARS and p.suffix.lower() not in ASSETS)


def fixture_id(path: Path) -> str:
    return path.relative_to(FIXTURES).as_posix()


def fixture_code(path: Path) -> str:
    return path.relative_to(FIXTURES).parts[0]


@functools.lru_cache(maxsize=None)
def linter_for(code: str | None) -> Linter:
    registry = load_registry()
    select = ["ALL"] + ([code] if code and registry.get(code) else [])
    ignore = [c for c in FILE_CONTEXT_RULES if c != code] if code else []
    return Linter(overrides=Overrides(select=select, ignore=ignore))


@functools.lru_cache(maxsize=None)
def lint_fixture(path: Path):
    """(source, findings) of one fixture file, linted as a file on disk."""
    result = linter_for(fixture_code(path)).lint_path(str(path))
    return result.source, result.findings


def lint_bytes_as(path: Path, raw: bytes):
    result = linter_for(fixture_code(path)).lint_bytes(raw, str(path))
    return result.source, result.findings


def parse_markers(source: Source, path: Path) -> list[tuple[int, str, int | None]]:
    """(line, code, column or None) for every expectation of a fixture."""
    markers: list[tuple[int, str, int | None]] = []
    for lineno, _, text in source.lines():
        for m in MARKER.finditer(text):
            target = lineno + 1 if m.group(1) else lineno
            for token in re.split(r"[\s,]+", m.group(2)):
                if not token:
                    continue
                cm = MARKER_CODE.match(token)
                assert cm, f"{path}:{lineno}: bad expectation {token!r}"
                markers.append((target, cm.group(1), int(cm.group(2)) if cm.group(2) else None))
    sidecar = path.with_name(path.name + ".expect")
    if sidecar.exists():
        for n, raw in enumerate(sidecar.read_text(encoding="utf-8").splitlines(), 1):
            raw = raw.split("#", 1)[0].strip()
            if not raw:
                continue
            sm = re.fullmatch(r"(\d+)(?::(\d+))?\s+([A-Z]{1,4}[0-9]{3})", raw)
            assert sm, f"{sidecar}:{n}: expected `LINE:COL CODE`, got {raw!r}"
            markers.append((int(sm.group(1)), sm.group(3), int(sm.group(2)) if sm.group(2) else None))
    return markers


def compare(findings, markers) -> tuple[list[str], list[str]]:
    """(unexpected findings, unmatched markers), as readable strings."""
    with_col = Counter((line, code, col) for line, code, col in markers if col is not None)
    without_col = Counter((line, code) for line, code, col in markers if col is None)
    unexpected = []
    for f in findings:
        if with_col[(f.line, f.code, f.column)]:
            with_col[(f.line, f.code, f.column)] -= 1
        elif without_col[(f.line, f.code)]:
            without_col[(f.line, f.code)] -= 1
        else:
            unexpected.append(f"{f.line}:{f.column} {f.code} {f.message}")
    missing = [f"{line}:{col} {code}" for (line, code, col), n in with_col.items() for _ in range(n)]
    missing += [f"{line} {code}" for (line, code), n in without_col.items() for _ in range(n)]
    return unexpected, missing


def apply_edits(text: str, edits) -> str:
    """Apply non-overlapping edits from the end backwards (the real fixer is tested elsewhere)."""
    out = text
    last_start = len(text) + 1
    for e in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
        assert e.end <= last_start, f"overlapping edits at {e.start}..{e.end}"
        out = out[:e.start] + e.replacement + out[e.end:]
        last_start = e.start
    return out


def encode_like(source: Source, text: str) -> bytes:
    return (b"\xef\xbb\xbf" if source.bom else b"") + text.encode("utf-8", "surrogatepass")


# -- the fixture runner ---------------------------------------------------------------------------

FILES = fixture_files()


@pytest.mark.parametrize("path", FILES, ids=fixture_id)
def test_fixture(path):
    source, findings = lint_fixture(path)
    markers = parse_markers(source, path)
    if path.name.startswith("clean"):
        assert not markers, f"{fixture_id(path)}: a clean fixture must not expect findings"
    unexpected, missing = compare(findings, markers)
    assert not unexpected and not missing, (
        f"{fixture_id(path)}\n  unexpected: {unexpected}\n  expected but not found: {missing}")


def _fix_cases():
    registry = load_registry()
    cases = []
    for path in FILES:
        rule = registry.get(fixture_code(path))
        if rule is not None and rule.fixable != "never" and not path.name.startswith("clean"):
            cases.append(pytest.param(path, rule.code, id=fixture_id(path)))
    return cases


@pytest.mark.parametrize("path, code", _fix_cases())
def test_fix(path, code):
    source, findings = lint_fixture(path)
    edits = [e for f in findings if f.code == code and f.fix is not None
             and f.fix.applicability != Applicability.DISPLAY for e in f.fix.edits]
    expected_path = path.with_name(path.name + ".fixed")
    if not edits:
        assert not expected_path.exists(), f"{expected_path.name} exists but {code} offers no fix here"
        return
    assert expected_path.exists(), f"missing {expected_path.relative_to(HERE)} for the {code} fixes"
    fixed = encode_like(source, apply_edits(source.text, edits))
    assert fixed == expected_path.read_bytes()
    _, again = lint_bytes_as(path, fixed)
    left = [f for f in again if f.code == code and f.fix is not None
            and f.fix.applicability == Applicability.SAFE]
    assert not left, [f"{f.line}:{f.column} {f.message}" for f in left]


# -- positions: every finding on every fixture, seed and corpus page passes the oracle -----------

def _oracle_inputs():
    paths = [*FILES, *sorted(p for p in SEEDS.iterdir() if p.is_file())]
    if CORPUS.is_dir():
        paths += sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.name != "ATTRIBUTION.md")
    return paths


@pytest.mark.parametrize("path", _oracle_inputs(), ids=lambda p: p.relative_to(HERE.parent).as_posix())
def test_oracle(path):
    if path.is_relative_to(FIXTURES):
        source, findings = lint_fixture(path)
    else:
        result = linter_for(None).lint_path(str(path))
        source, findings = result.source, result.findings
    problems = [p for p in (oracle.check_finding(source, f) for f in findings) if p]
    assert not problems, "\n".join(problems)


# -- rule options, which fixtures (default config) cannot reach -----------------------------------

def _lint_with(rules: dict, text: str, select=("TL201",)):
    linter = Linter(Config(Settings(rules=rules)), Overrides(select=list(select)))
    return [(f.line, f.column, f.code) for f in linter.lint_text(text, "page.md")]


def test_trailing_whitespace_strict():
    text = ("# Heading  \n"                 # 1: a heading has no hard break
            "\n"
            "A hard break  \n"              # 3: paragraph goes on: a real hard break
            "goes on here.  \n"             # 4: end of paragraph: not a break
            "\n"
            "```\n"
            "code  \n"                      # 7: code: not a break
            "```\n"
            "- tight item  \n"              # 9: list item text goes on: a real break
            "  continued\n"
            "\n"
            "| a | b |  \n"                 # 12: a table row: not a break
            "| - | - |\n"
            "\n"
            "> a quote  \n"                 # 15: the quoted paragraph goes on: a real break
            "> goes on\n"
            "\n"
            "last line  \n")                # 18: end of file: not a break
    assert _lint_with({}, text) == []
    assert _lint_with({"trailing-whitespace": {"strict": True}}, text) == [
        (1, 10, "TL201"), (4, 14, "TL201"), (7, 5, "TL201"), (12, 10, "TL201"), (18, 10, "TL201")]


def test_trailing_whitespace_br_spaces():
    text = "one  \nthree   \ntwo\n"
    assert _lint_with({"TL201": {"br-spaces": 3}}, text) == [(1, 4, "TL201")]
    assert _lint_with({"TL201": {"br-spaces": 0}}, text) == [(1, 4, "TL201"), (2, 6, "TL201")]


def test_trailing_whitespace_hard_break_fix_keeps_break():
    linter = Linter(overrides=Overrides(select=["TL201"]))
    [f] = linter.lint_text("a hard break    \nhere\n", "page.md")
    assert f.fix.applicability == Applicability.SAFE
    assert apply_edits("a hard break    \nhere\n", f.fix.edits) == "a hard break  \nhere\n"
    linter0 = Linter(Config(Settings(rules={"TL201": {"br-spaces": 0}})), Overrides(select=["TL201"]))
    [f] = linter0.lint_text("a hard break  \nhere\n", "page.md")
    assert f.fix.applicability == Applicability.UNSAFE  # deleting it would lose the line break


def test_trailing_whitespace_fix_applicability():
    linter = Linter(overrides=Overrides(select=["TL201"]))
    text = ("---\ntitle: Talk \nintro: |\n  kept \n---\n"  # a literal block keeps its spaces
            "```\ncode \n```\n"
            "prose \n")
    found = {f.line: f.fix.applicability for f in linter.lint_text(text, "page.md")}
    assert found == {2: Applicability.UNSAFE, 4: Applicability.UNSAFE, 7: Applicability.UNSAFE,
                     9: Applicability.SAFE}
    text = "---\ntitle: Talk \nspeakers: [a] \n---\nprose\n"  # plain scalars: verified safe
    found = {f.line: f.fix.applicability for f in linter.lint_text(text, "page.md")}
    assert found == {2: Applicability.SAFE, 3: Applicability.SAFE}


def test_messages():
    linter = Linter(overrides=Overrides(select=["ALL"]))
    raw = b"\xef\xbb\xbf# Caf\xe9 \x93x\x94\n\nZ\xfc\xe9rich\xe2\x80\x8b\xe2\x81\xa0\n"
    result = linter.lint_bytes(raw, "page.md")
    messages = [(f.code, f.message) for f in result.findings]
    assert ("TL101", "Invalid UTF-8 byte 0xE9 at byte 8") in messages  # BOM counted: offsets as in the file
    assert ("TL101", "Invalid UTF-8 bytes 0xFC 0xE9 at byte 16") in messages
    assert ("TL204", "Invisible characters U+200B ZERO WIDTH SPACE, U+2060 WORD JOINER") in messages
    text = "a\r\nb\nc\nd"
    found = {f.code: f for f in linter.lint_text(text)}
    assert found["TL203"].message == "Line ends with CRLF, but the file mostly uses LF (2 LF, 1 CRLF)"
    assert found["TL202"].fix.edits[0].replacement == "\n"
    assert (found["TL202"].line, found["TL202"].column) == (4, 2)


def test_dominant_terminator_tie_and_none():
    assert Source.from_text("x", "a\r\nb\n").dominant_terminator() == "\n"
    assert Source.from_text("x", "a\r\nb\rc").dominant_terminator() == "\r\n"
    assert Source.from_text("x", "single line").dominant_terminator() == "\n"


# -- real pages stay clean ------------------------------------------------------------------------

CORPUS_CODES = {"TL101", "TL201", "TL202", "TL203", "TL204", "TL301", "TL501"}

# Findings on tests/corpus that were checked by hand and are real (path → (line, column, code)).
REAL_CORPUS_FINDINGS = {
    # The abstract pasted from pretalx: two lines of an LF file end with CRLF (bytes 0d 0a).
    "EuroPython__website/src/content/sessions/BABLES.mdx": [(40, 289, "TL203"), (41, 1, "TL203")],
    "djangocon__2024.djangocon.us/src/_content/schedule/talks/project-management-in-open-source.md": [
        # A bullet list pasted from a document editor: each item starts with U+2060 WORD JOINER
        # (`- \u2060Ways of…`) and the lines before it end with one space.
        (16, 291, "TL201"), (18, 184, "TL201"), (20, 97, "TL201"), (21, 50, "TL201"), (22, 39, "TL201"),
        (21, 3, "TL204"), (22, 3, "TL204"), (23, 3, "TL204"),
    ],
    # A stray U+200B at the end of a paragraph (`…应用实践。\u200b`), from a rich-text editor.
    "sofastack__sofastack.tech/content/zh/activities/sofa-channel-21-1/index.md": [(35, 121, "TL204")],
    "9984__2017.9984.io/_src/_speakers/kerri-lemoie.md": [
        # A space at the end of a line of the folded `intro: >` scalar, then a line of four spaces
        # inside it (front matter), and a space at the end of a body paragraph.
        (10, 153, "TL201"), (11, 1, "TL201"), (19, 338, "TL201"),
    ],
}


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.relative_to(CORPUS).as_posix())
def test_corpus_page_has_only_real_findings(path):
    result = linter_for(None).lint_path(str(path))
    got = sorted((f.line, f.column, f.code) for f in result.findings if f.code in CORPUS_CODES)
    assert got == sorted(REAL_CORPUS_FINDINGS.get(path.relative_to(CORPUS).as_posix(), []))
