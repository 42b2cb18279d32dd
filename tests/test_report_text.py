"""The text reporter: excerpts that cannot drive a terminal, carets under wide characters."""

from __future__ import annotations

import io

from talklint.finding import Finding
from talklint.report import Summary
from talklint.report.text import TextReporter, safe, width


def render(finding: Finding, **kw) -> str:
    out = io.StringIO()
    TextReporter(out, **kw).file(finding.path, [finding])
    return out.getvalue()


def make(line: str, col: int, end_col: int) -> Finding:
    return Finding(code="TL204", name="invisible-character", message="m", start=0, end=0,
                   path="p.md", line=1, column=col, end_line=1, end_column=end_col, source_line=line)


def test_escape_sequences_in_page_text_are_neutralised():
    line = "Talk \x1b[2J\x1b]0;pwned\x07 title \u202egnp.exe\x9b"
    text = render(make(line, 6, 7))
    assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text and "\x9b" not in text
    assert "<U+001B>[2J" in text and "<U+202E>" in text and "<U+009B>" in text


def test_caret_under_cjk_and_emoji_accounts_for_width():
    line = "时间：📅 stray\u200b"
    col = line.index("\u200b") + 1
    text = render(make(line, col, col + 1))
    source, caret = text.splitlines()[2], text.splitlines()[3]
    prefix = "1 | "
    assert source.startswith(prefix)
    # Everything before the flagged character is 2-wide CJK/emoji or 1-wide ASCII.
    expected_indent = width("时间：📅 stray")
    assert caret == "  | " + " " * expected_indent + "^" * len("<U+200B>")


def test_message_is_escaped_too():
    f = make("x", 1, 2)
    f.message = "bad \x1b[31m red"
    assert "\x1b" not in render(f)


def test_color_only_when_asked():
    f = make("x", 1, 2)
    assert "\x1b[" not in render(f, color=False)
    assert "\x1b[" in render(f, color=True)


def test_summary_lines():
    out = io.StringIO()
    TextReporter(out).finish(Summary(files=3))
    assert out.getvalue() == "All checks passed (3 files)\n"


def test_safe_keeps_ordinary_text():
    assert safe("Café 北京 👩\u200d💼 naïve") == "Café 北京 👩\u200d💼 naïve"
