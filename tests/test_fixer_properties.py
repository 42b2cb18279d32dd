"""Property tests of fixing: idempotent, complete, local, and faithful to line endings and BOM."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from talklint.engine import Linter, Overrides
from talklint.fixer import FixPolicy, encode, fix_source
from talklint.source import Source, split_lines

FIXTURES = Path(__file__).parent / "fixtures"
LINTER = Linter(overrides=Overrides(select=["ALL"]))
POLICIES = [FixPolicy(), FixPolicy(unsafe=True)]

words = st.sampled_from(["talk", "Keynote", "北京", "📅", "👩\u200d💼", "Café", "**bold**", "`code  `",
                         "[link](https://x.org)", "- item", "> quote", "# Title", "## Sub", "#### Deep",
                         "1. one", "|a|b|", "```", "---", "<!-- c -->", ""])
noise = st.sampled_from(["", "", "", " ", "  ", "   ", "\t", " \t ", "\u200b", "\u2060", "\x0c"])


@st.composite
def documents(draw):
    lines = []
    for _ in range(draw(st.integers(1, 12))):
        parts = draw(st.lists(st.tuples(words, noise), max_size=4))
        lines.append("".join(w + n for w, n in parts))
    style = draw(st.sampled_from(["\n", "\r\n", "\r", "mixed"]))
    out = []
    for i, line in enumerate(lines):
        term = draw(st.sampled_from(["\n", "\r\n", "\r"])) if style == "mixed" else style
        out.append(line + term)
    text = "".join(out)
    if draw(st.booleans()):
        text = text.rstrip("\r\n")
    bom = draw(st.booleans())
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


def fixed(raw: bytes, policy: FixPolicy) -> tuple[Source, str]:
    source = Source.from_bytes("page.md", raw)
    return source, fix_source(LINTER, source, policy).text


def check_properties(raw: bytes, policy: FixPolicy) -> None:
    source, text = fixed(raw, policy)
    # Fixing twice equals fixing once.
    again = fix_source(LINTER, Source.from_text("page.md", text), policy).text
    assert again == text
    # No fixable finding remains.
    left = [f for f in LINTER.lint_text(text, "page.md") if policy.applies(f)]
    assert left == []
    # The BOM survives, and so does a single line-ending style.
    assert encode(source, text).startswith(b"\xef\xbb\xbf") == source.bom
    styles = {t for t in source.terminators if t}
    if len(styles) == 1:
        assert {t for t in Source.from_text("x", text).terminators if t} <= styles
    # Text is local: every original line without a fixable finding is still there, verbatim.
    flagged = set()
    for f in LINTER.lint_source(source, "page.md"):
        if policy.applies(f):  # its line, and every line its edits cover (TL105 transcodes them all)
            flagged.add(f.line)
            for line, _, end_line, _ in f.edit_positions:
                flagged.update(range(line, end_line + 1))
    kept = split_lines(text)
    for number, line in enumerate(split_lines(source.text), start=1):
        if number not in flagged and number + 1 not in flagged:  # a fix may touch the line break before
            body = line.rstrip("\r\n")
            assert any(k.rstrip("\r\n") == body for k in kept), (number, line)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents(), st.sampled_from(POLICIES))
def test_generated_documents(raw, policy):
    check_properties(raw, policy)


FIXTURE_FILES = sorted(p for p in FIXTURES.rglob("*") if p.is_file()
                       and p.suffix in (".md", ".mdx", ".txt", ".markdown"))


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: str(p.relative_to(FIXTURES)))
@pytest.mark.parametrize("policy", POLICIES, ids=["safe", "unsafe"])
def test_every_fixture(path, policy):
    check_properties(path.read_bytes(), policy)
