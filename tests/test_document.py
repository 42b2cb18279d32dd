"""Tests for talklint.document: exact spans for every node, front matter, robustness.

The position oracle: for each document every node's span is compared with the exact source
text it must hold, for LF, CRLF and CR line endings and behind front matter; structural
invariants (nesting, delimiters, unescaped text) are checked on every document, including real
pages and random text.
"""

from __future__ import annotations

import datetime
import pathlib
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mistune.helpers import unescape_char
from mistune.util import escape_url

from talklint import document
from talklint.document import Document, Node, Span, parse
from talklint.source import Source

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpus"
SEEDS = ROOT / "seeds"


def parse_text(text: str) -> Document:
    return parse(Source.from_text("t.md", text))


def st_(doc: Document, span: Span) -> str:
    return doc.source.text[span.start:span.end]


def nodes(doc: Document, type_: str) -> list[Node]:
    return [n for n in doc.walk() if n.type == type_]


def summary(doc: Document) -> list[tuple[int, str, str]]:
    out: list[tuple[int, str, str]] = []

    def rec(node: Node, depth: int) -> None:
        out.append((depth, node.type, st_(doc, node.span)))
        for child in node.children:
            rec(child, depth + 1)

    for node in doc.children:
        rec(node, 0)
    return out


def assert_well_formed(doc: Document, *, exact: bool = True) -> None:
    """Invariants every parse must satisfy; ``exact`` adds the checks of node shapes."""
    n = len(doc.source.text)
    problems: list[tuple] = []

    def rec(node: Node, parent: Node | None) -> None:
        s, e = node.span.start, node.span.end
        assert 0 <= s <= e <= n, (node.type, node.span, n)
        if parent is not None:
            assert parent.span.start <= s and e <= parent.span.end, (node.type, node.span, parent.type, parent.span)
        if exact:
            check_shape(doc, node, problems)
        for child in node.children:
            rec(child, node)

    for node in doc.children:
        rec(node, None)
    assert not problems, problems[:10]
    spans = doc.code_spans
    assert all(a.end <= b.start for a, b in zip(spans, spans[1:])), spans
    assert all(a.start <= b.start for a, b in zip(doc.html_spans, doc.html_spans[1:]))
    for span in spans:
        if len(span):
            assert doc.is_code(span.start) and doc.is_code(span.end - 1)
    assert not doc.is_code(-1)


def check_shape(doc: Document, node: Node, problems: list) -> None:
    """The span text has the shape of its node type (delimiters, markers, destinations)."""
    text = st_(doc, node.span)
    ty = node.type
    ok = True
    if ty == "text":
        if "\t" not in text and "\r" not in text:
            ok = text == node.raw or ("\\" in text and unescape_char(text) == node.raw)
    elif ty in ("emphasis", "strong"):
        k = 1 if ty == "emphasis" else 2
        ok = len(text) > 2 * k and text[:k] == text[-k:] and text[:k] in ("*" * k, "_" * k)
    elif ty == "strikethrough":
        ok = text.startswith("~~") and text.endswith("~~")
    elif ty == "codespan":
        ok = text.startswith("`") and text.endswith("`") and node.span in doc.code_spans
    elif ty == "block_code":
        ok = node.span in doc.code_spans
        if node.attrs.get("style") == "fenced":
            ok = ok and text.lstrip(" ")[:3] in ("```", "~~~")
    elif ty in ("block_html", "inline_html"):
        ok = node.span in doc.html_spans and not doc.is_code(node.span.start)
        if ty == "inline_html":
            ok = ok and text == node.raw
    elif ty == "heading" and node.attrs.get("style") == "atx":
        ok = text.startswith("#")
    elif ty == "list_item":
        ok = text[:1] in "-*+0123456789"
    elif ty == "block_quote":
        ok = text.startswith(">")
    elif ty in ("link", "image"):
        style = node.attrs.get("style")
        tspan = node.attrs.get("text_span")
        ok = tspan is not None and node.span.start <= tspan.start <= tspan.end <= node.span.end
        if style == "inline":
            url = st_(doc, node.attrs["url_span"])
            ok = ok and text.endswith(")") and escape_url(unescape_char(url)) == node.attrs["url"]
        elif style == "reference":
            ok = ok and node.attrs["url_span"] is None and text.endswith("]")
        elif style == "autolink":
            ok = ok and text.startswith("<") and text.endswith(">")
        elif style == "bare":
            ok = ok and text == st_(doc, node.attrs["url_span"]) and text.startswith("http")
        else:
            ok = False
        if style in ("inline", "reference"):
            ok = ok and text.startswith("![" if ty == "image" else "[")
    elif ty in ("softbreak", "linebreak"):
        ok = any(c in text for c in "\r\n")
    if not ok:
        problems.append((ty, text, node.raw, node.attrs))


# ---------------------------------------------------------------------------------------------
# The position oracle: every node of these documents, with its exact text
# ---------------------------------------------------------------------------------------------

DOCS = {
    "lists": "- one\n- two 😀\n  - nested *em*\n  - 中文\n\n    more\n- three\n\n1. first\n2) not same list\n",
    "quote": "> quoted **bold**\n> - item a\n>   continued\n> - item b\nlazy line\n\n> > inner\n",
    "table": "| Name | When 😀 |\n|:-----|-----:|\n| **Ada** | `9:00` |\n| a \\| b | 中文 |\n",
    "code": "```python title\nx = 1\n```\n\n    indented\n    code\n\n~~~\nunclosed",
    "links": (
        'See [the *site*](https://example.com/a_(b) "T") or ![alt 😀](<img/a b.png> \'t\').\n'
        "[ref *x*][r1], [r1][] and [R1].\n"
        "<https://auto.example> <me@example.com> https://bare.example/p?q=1.\n\n"
        '[r1]: https://ref.example/x  "Ref"\n'
    ),
    "inline": (
        "Hard  \nbreak\\\nsoft\nline `co``de` ``a ` b`` \\*lit\\* &amp; <b>html</b> ~~del~~ "
        "***both*** _u_ __uu__\n"
    ),
    "headings": "# ATX *one* #\n\n  ## Two ##   \n\nSetext *h*\n---\n\n#\n",
    "html": "<!-- talklint-disable TL201 -->\n<div>\nblock\n</div>\n\ntext <!-- inline --> end\n",
    "seps": "Line one\u2028still one\x85same *em*\nnext line `c`\n",
    "nested": (
        "> | a | b |\n> |---|---|\n> | 1 | `2` |\n\n"
        "[![img](a.png)](http://x) *[in](y)* **[b][r]**\n\n> [r]: http://r\n\n"
        "- item\n  <div>\n  html\n  </div>\n- Setext\n  ---\n\n"
        "a | b\n--|--\n1 | 2 *x*\n"
    ),
}

EXPECTED = {
    'lists': [
        (0, 'list', '- one\n- two 😀\n  - nested *em*\n  - 中文\n\n    more\n- three'),
        (1, 'list_item', '- one'),
        (2, 'block_text', 'one'),
        (3, 'text', 'one'),
        (1, 'list_item', '- two 😀\n  - nested *em*\n  - 中文\n\n    more'),
        (2, 'block_text', 'two 😀'),
        (3, 'text', 'two 😀'),
        (2, 'list', '- nested *em*\n  - 中文\n\n    more'),
        (3, 'list_item', '- nested *em*'),
        (4, 'paragraph', 'nested *em*'),
        (5, 'text', 'nested '),
        (5, 'emphasis', '*em*'),
        (6, 'text', 'em'),
        (3, 'list_item', '- 中文\n\n    more'),
        (4, 'paragraph', '中文'),
        (5, 'text', '中文'),
        (4, 'paragraph', 'more'),
        (5, 'text', 'more'),
        (1, 'list_item', '- three'),
        (2, 'block_text', 'three'),
        (3, 'text', 'three'),
        (0, 'list', '1. first'),
        (1, 'list_item', '1. first'),
        (2, 'block_text', 'first'),
        (3, 'text', 'first'),
        (0, 'list', '2) not same list'),
        (1, 'list_item', '2) not same list'),
        (2, 'block_text', 'not same list'),
        (3, 'text', 'not same list'),
    ],
    'quote': [
        (0, 'block_quote', '> quoted **bold**\n> - item a\n>   continued\n> - item b\nlazy line'),
        (1, 'paragraph', 'quoted **bold**'),
        (2, 'text', 'quoted '),
        (2, 'strong', '**bold**'),
        (3, 'text', 'bold'),
        (1, 'list', '- item a\n>   continued\n> - item b\nlazy line'),
        (2, 'list_item', '- item a\n>   continued'),
        (3, 'block_text', 'item a\n>   continued'),
        (4, 'text', 'item a'),
        (4, 'softbreak', '\n'),
        (4, 'text', 'continued'),
        (2, 'list_item', '- item b\nlazy line'),
        (3, 'block_text', 'item b\nlazy line'),
        (4, 'text', 'item b'),
        (4, 'softbreak', '\n'),
        (4, 'text', 'lazy line'),
        (0, 'block_quote', '> > inner'),
        (1, 'block_quote', '> inner'),
        (2, 'paragraph', 'inner'),
        (3, 'text', 'inner'),
    ],
    'table': [
        (0, 'table', '| Name | When 😀 |\n|:-----|-----:|\n| **Ada** | `9:00` |\n| a \\| b | 中文 |'),
        (1, 'table_head', '| Name | When 😀 |'),
        (2, 'table_cell', 'Name'),
        (3, 'text', 'Name'),
        (2, 'table_cell', 'When 😀'),
        (3, 'text', 'When 😀'),
        (1, 'table_body', '| **Ada** | `9:00` |\n| a \\| b | 中文 |'),
        (2, 'table_row', '| **Ada** | `9:00` |'),
        (3, 'table_cell', '**Ada**'),
        (4, 'strong', '**Ada**'),
        (5, 'text', 'Ada'),
        (3, 'table_cell', '`9:00`'),
        (4, 'codespan', '`9:00`'),
        (2, 'table_row', '| a \\| b | 中文 |'),
        (3, 'table_cell', 'a \\| b'),
        (4, 'text', 'a '),
        (4, 'text', '\\|'),
        (4, 'text', ' b'),
        (3, 'table_cell', '中文'),
        (4, 'text', '中文'),
    ],
    'code': [
        (0, 'block_code', '```python title\nx = 1\n```'),
        (0, 'block_code', '    indented\n    code'),
        (0, 'block_code', '~~~\nunclosed'),
    ],
    'links': [
        (0, 'paragraph', 'See [the *site*](https://example.com/a_(b) "T") or ![alt 😀](<img/a b.png> \'t\').\n'
                         '[ref *x*][r1], [r1][] and [R1].\n'
                         '<https://auto.example> <me@example.com> https://bare.example/p?q=1.'),
        (1, 'text', 'See '),
        (1, 'link', '[the *site*](https://example.com/a_(b) "T")'),
        (2, 'text', 'the '),
        (2, 'emphasis', '*site*'),
        (3, 'text', 'site'),
        (1, 'text', ' or '),
        (1, 'image', "![alt 😀](<img/a b.png> 't')"),
        (2, 'text', 'alt 😀'),
        (1, 'text', '.'),
        (1, 'softbreak', '\n'),
        (1, 'link', '[ref *x*][r1]'),
        (2, 'text', 'ref '),
        (2, 'emphasis', '*x*'),
        (3, 'text', 'x'),
        (1, 'text', ', '),
        (1, 'link', '[r1][]'),
        (2, 'text', 'r1'),
        (1, 'text', ' and '),
        (1, 'link', '[R1]'),
        (2, 'text', 'R1'),
        (1, 'text', '.'),
        (1, 'softbreak', '\n'),
        (1, 'link', '<https://auto.example>'),
        (2, 'text', 'https://auto.example'),
        (1, 'text', ' '),
        (1, 'link', '<me@example.com>'),
        (2, 'text', 'me@example.com'),
        (1, 'text', ' '),
        (1, 'link', 'https://bare.example/p?q=1'),
        (2, 'text', 'https://bare.example/p?q=1'),
        (1, 'text', '.'),
        (0, 'link_definition', '[r1]: https://ref.example/x  "Ref"'),
    ],
    'inline': [
        (0, 'paragraph', 'Hard  \nbreak\\\nsoft\nline `co``de` ``a ` b`` \\*lit\\* &amp; <b>html</b> ~~del~~ '
                         '***both*** _u_ __uu__'),
        (1, 'text', 'Hard'),
        (1, 'linebreak', '  \n'),
        (1, 'text', 'break'),
        (1, 'linebreak', '\\\n'),
        (1, 'text', 'soft'),
        (1, 'softbreak', '\n'),
        (1, 'text', 'line '),
        (1, 'codespan', '`co``de`'),
        (1, 'text', ' '),
        (1, 'codespan', '``a ` b``'),
        (1, 'text', ' \\*lit\\* &amp; '),
        (1, 'inline_html', '<b>'),
        (1, 'text', 'html'),
        (1, 'inline_html', '</b>'),
        (1, 'text', ' '),
        (1, 'strikethrough', '~~del~~'),
        (2, 'text', 'del'),
        (1, 'text', ' '),
        (1, 'emphasis', '***both***'),
        (2, 'strong', '**both**'),
        (3, 'text', 'both'),
        (1, 'text', ' '),
        (1, 'emphasis', '_u_'),
        (2, 'text', 'u'),
        (1, 'text', ' '),
        (1, 'strong', '__uu__'),
        (2, 'text', 'uu'),
    ],
    'headings': [
        (0, 'heading', '# ATX *one* #'),
        (1, 'text', 'ATX '),
        (1, 'emphasis', '*one*'),
        (2, 'text', 'one'),
        (0, 'heading', '## Two ##'),
        (1, 'text', 'Two'),
        (0, 'heading', 'Setext *h*\n---'),
        (1, 'text', 'Setext '),
        (1, 'emphasis', '*h*'),
        (2, 'text', 'h'),
        (0, 'heading', '#'),
    ],
    'html': [
        (0, 'block_html', '<!-- talklint-disable TL201 -->'),
        (0, 'block_html', '<div>\nblock\n</div>'),
        (0, 'paragraph', 'text <!-- inline --> end'),
        (1, 'text', 'text '),
        (1, 'inline_html', '<!-- inline -->'),
        (1, 'text', ' end'),
    ],
    'seps': [
        (0, 'paragraph', 'Line one\u2028still one\x85same *em*\nnext line `c`'),
        (1, 'text', 'Line one\u2028still one\x85same '),
        (1, 'emphasis', '*em*'),
        (2, 'text', 'em'),
        (1, 'softbreak', '\n'),
        (1, 'text', 'next line '),
        (1, 'codespan', '`c`'),
    ],
    'nested': [
        (0, 'block_quote', '> | a | b |\n> |---|---|\n> | 1 | `2` |'),
        (1, 'table', '| a | b |\n> |---|---|\n> | 1 | `2` |'),
        (2, 'table_head', '| a | b |'),
        (3, 'table_cell', 'a'),
        (4, 'text', 'a'),
        (3, 'table_cell', 'b'),
        (4, 'text', 'b'),
        (2, 'table_body', '| 1 | `2` |'),
        (3, 'table_row', '| 1 | `2` |'),
        (4, 'table_cell', '1'),
        (5, 'text', '1'),
        (4, 'table_cell', '`2`'),
        (5, 'codespan', '`2`'),
        (0, 'paragraph', '[![img](a.png)](http://x) *[in](y)* **[b][r]**'),
        (1, 'link', '[![img](a.png)](http://x)'),
        (2, 'image', '![img](a.png)'),
        (3, 'text', 'img'),
        (1, 'text', ' '),
        (1, 'emphasis', '*[in](y)*'),
        (2, 'link', '[in](y)'),
        (3, 'text', 'in'),
        (1, 'text', ' '),
        (1, 'strong', '**[b][r]**'),
        (2, 'link', '[b][r]'),
        (3, 'text', 'b'),
        (0, 'block_quote', '> [r]: http://r'),
        (1, 'link_definition', '[r]: http://r'),
        (0, 'list', '- item\n  <div>\n  html\n  </div>\n- Setext\n  ---'),
        (1, 'list_item', '- item\n  <div>\n  html\n  </div>'),
        (2, 'block_text', 'item'),
        (3, 'text', 'item'),
        (2, 'block_html', '<div>\n  html\n  </div>'),
        (1, 'list_item', '- Setext\n  ---'),
        (2, 'heading', 'Setext\n  ---'),
        (3, 'text', 'Setext'),
        (0, 'table', 'a | b\n--|--\n1 | 2 *x*'),
        (1, 'table_head', 'a | b'),
        (2, 'table_cell', 'a'),
        (3, 'text', 'a'),
        (2, 'table_cell', 'b'),
        (3, 'text', 'b'),
        (1, 'table_body', '1 | 2 *x*'),
        (2, 'table_row', '1 | 2 *x*'),
        (3, 'table_cell', '1'),
        (4, 'text', '1'),
        (3, 'table_cell', '2 *x*'),
        (4, 'text', '2 '),
        (4, 'emphasis', '*x*'),
        (5, 'text', 'x'),
    ],
}

LINE_ENDINGS = {"lf": "\n", "crlf": "\r\n", "cr": "\r"}


@pytest.mark.parametrize("eol", sorted(LINE_ENDINGS))
@pytest.mark.parametrize("name", sorted(DOCS))
def test_every_node_span_holds_its_text(name: str, eol: str) -> None:
    nl = LINE_ENDINGS[eol]
    doc = parse_text(DOCS[name].replace("\n", nl))
    expected = [(d, t, s.replace("\n", nl)) for d, t, s in EXPECTED[name]]
    assert summary(doc) == expected
    assert doc.fallbacks == 0
    assert_well_formed(doc)


@pytest.mark.parametrize("name", sorted(DOCS))
def test_spans_behind_front_matter(name: str) -> None:
    front = '---\r\ntitle: "Front 😀"\r\n---\r\n'
    doc = parse_text(front + DOCS[name])
    assert doc.front_matter is not None and doc.front_matter.error is None
    assert summary(doc) == EXPECTED[name]
    assert all(node.span.start >= len(front) for node in doc.walk())
    assert_well_formed(doc)


def test_line_and_column_after_crlf_emoji_and_separators() -> None:
    text = "---\r\nk: 😀\r\n---\r\n😀 a\u2028b\x85c *em*\r\nnext `code` 中文\r\n"
    doc = parse_text(text)
    em = nodes(doc, "emphasis")[0]
    code = nodes(doc, "codespan")[0]
    # U+2028 and U+0085 do not break lines: the emphasis stays on line 4
    assert doc.source.position(em.span.start) == (4, 9)
    assert doc.source.position(code.span.start) == (5, 6)
    assert st_(doc, code.span) == "`code`"


def test_heading_attrs_and_text_span() -> None:
    doc = parse_text("## Title *x* ##  \n\nSub 😀\n===\n")
    atx, setext = doc.children
    assert atx.attrs["level"] == 2 and atx.attrs["style"] == "atx"
    assert st_(doc, atx.span) == "## Title *x* ##"
    assert st_(doc, atx.attrs["text_span"]) == "Title *x*"
    assert setext.attrs["level"] == 1 and setext.attrs["style"] == "setext"
    assert st_(doc, setext.span) == "Sub 😀\n==="
    assert st_(doc, setext.attrs["text_span"]) == "Sub 😀"
    assert atx.plain_text() == "Title x"


def test_link_attrs() -> None:
    doc = parse_text(DOCS["links"])
    links = nodes(doc, "link")
    inline = links[0]
    assert inline.attrs["style"] == "inline"
    assert st_(doc, inline.attrs["url_span"]) == "https://example.com/a_(b)"
    assert st_(doc, inline.attrs["text_span"]) == "the *site*"
    assert inline.attrs["title"] == "T"
    image = nodes(doc, "image")[0]
    assert st_(doc, image.attrs["url_span"]) == "img/a b.png"
    assert st_(doc, image.attrs["text_span"]) == "alt 😀"
    ref = links[1]
    assert ref.attrs["style"] == "reference" and ref.attrs["url_span"] is None
    assert ref.attrs["url"] == "https://ref.example/x" and ref.attrs["label"] == "r1"
    auto, email, bare = links[4], links[5], links[6]
    assert auto.attrs["style"] == "autolink" and st_(doc, auto.attrs["url_span"]) == "https://auto.example"
    assert email.attrs["url"] == "mailto:me@example.com"
    assert bare.attrs["style"] == "bare" and st_(doc, bare.attrs["url_span"]) == "https://bare.example/p?q=1"
    definition = doc.children[-1]
    assert definition.type == "link_definition"
    assert st_(doc, definition.attrs["url_span"]) == "https://ref.example/x"
    assert definition.attrs["label"] == "r1" and definition.attrs["title"] == "Ref"


def test_link_destination_forms() -> None:
    doc = parse_text('[a](\n  http://x.y/\\(z "t")\n[b](<u v> (p)) [c](q\\_r)\n')
    urls = [st_(doc, n.attrs["url_span"]) for n in nodes(doc, "link")]
    assert urls == ["http://x.y/\\(z", "u v", "q\\_r"]
    assert_well_formed(doc)


def test_list_and_code_attrs() -> None:
    doc = parse_text("3. a\n4. b\n\n```py extra\nx\n```\n")
    lst = doc.children[0]
    assert lst.attrs["ordered"] is True and lst.attrs["start"] == 3
    code = doc.children[1]
    assert code.attrs["info"] == "py extra" and code.raw == "x\n"


def test_escapes_span_their_backslashes() -> None:
    doc = parse_text("a \\*b\\* \\\\ c \\h\n")
    texts = [(st_(doc, n.span), n.raw) for n in nodes(doc, "text")]
    assert "".join(s for s, _ in texts) == "a \\*b\\* \\\\ c \\h"
    assert "".join(r for _, r in texts) == "a *b* \\ c \\h"
    assert_well_formed(doc)


def test_tabs_in_nested_blocks() -> None:
    doc = parse_text("\tcode\n\n>\tquoted\n-\titem\n\n \t more\n")
    assert [st_(doc, n.span) for n in nodes(doc, "text")] == ["quoted", "item", "more"]
    assert st_(doc, nodes(doc, "block_code")[0].span) == "\tcode"
    assert_well_formed(doc)


def test_empty_first_line_list_item() -> None:
    doc = parse_text("-\n  -\n    x\n- y\n")
    assert summary(doc) == [
        (0, "list", "-\n  -\n    x\n- y"),
        (1, "list_item", "-\n  -\n    x"),
        (2, "list", "-\n    x"),
        (3, "list_item", "-\n    x"),
        (4, "block_text", "x"),
        (5, "text", "x"),
        (1, "list_item", "- y"),
        (2, "block_text", "y"),
        (3, "text", "y"),
    ]


def test_code_and_html_spans() -> None:
    text = "---\nk: v\n---\nProse `code` here.\n\n```\nblock\n```\n\n<!-- comment -->\n\nEnd <i>x</i>\n"
    doc = parse_text(text)
    assert [st_(doc, s) for s in doc.code_spans] == ["---\nk: v\n---", "`code`", "```\nblock\n```"]
    assert doc.code_spans[0] == doc.front_matter.span
    assert [st_(doc, s) for s in doc.html_spans] == ["<!-- comment -->", "<i>", "</i>"]
    assert doc.is_code(text.index("k: v"))
    assert doc.is_code(text.index("code`"))
    assert doc.is_code(text.index("block"))
    assert not doc.is_code(text.index("Prose"))
    assert not doc.is_code(text.index("comment"))
    assert doc.is_html(text.index("comment")) and not doc.is_html(text.index("End"))


def test_mistune_reordered_paragraph_keeps_exact_text() -> None:
    # mistune appends the "1." line to the paragraph *before* the quote and puts the quote first
    doc = parse_text("u\n>é\n1.\n")
    assert [n.type for n in doc.children] == ["block_quote", "paragraph"]
    assert [st_(doc, n.span) for n in nodes(doc, "text")] == ["é", "u", "1."]
    assert doc.fallbacks == 0
    assert_well_formed(doc)


# ---------------------------------------------------------------------------------------------
# Front matter
# ---------------------------------------------------------------------------------------------

YAML_DOC = (
    "---\r\n"
    'title: "Keynote 😀 开幕"\r\n'
    "start: 2024-09-23 11:30:00-04:00\r\n"
    "speakers:\r\n"
    "  - name: Ada\r\n"
    "  - name: Grace 🎤\r\n"
    "tags: [a, b]\r\n"
    "empty:\r\n"
    "intro: >\r\n"
    "  Folded 😀\r\n"
    "  text\r\n"
    "\r\n"
    "# trailing comment\r\n"
    "---\r\n"
    "# Body 😀\r\n"
)


def test_yaml_front_matter_fields_and_spans() -> None:
    doc = parse_text(YAML_DOC)
    fm = doc.front_matter
    assert fm is not None and fm.kind == "yaml" and fm.error is None
    assert st_(doc, fm.span) == YAML_DOC[: YAML_DOC.index("---\r\n# Body") + 3]
    assert st_(doc, fm.body_span).startswith("title") and st_(doc, fm.body_span).endswith("comment\r\n")
    f = fm.fields
    assert list(f) == ["title", "start", "speakers", "tags", "empty", "intro"]
    assert (st_(doc, f["title"].key_span), st_(doc, f["title"].value_span)) == ("title", '"Keynote 😀 开幕"')
    assert f["title"].value == "Keynote 😀 开幕"
    tz = datetime.timezone(datetime.timedelta(hours=-4))
    assert f["start"].value == datetime.datetime(2024, 9, 23, 11, 30, tzinfo=tz)
    assert st_(doc, f["start"].value_span) == "2024-09-23 11:30:00-04:00"
    assert f["speakers"].value == [{"name": "Ada"}, {"name": "Grace 🎤"}]
    assert st_(doc, f["speakers"].value_span) == "- name: Ada\r\n  - name: Grace 🎤"
    assert st_(doc, f["tags"].value_span) == "[a, b]"
    assert f["empty"].value is None and f["empty"].value_span is None
    assert f["intro"].value == "Folded 😀 text\n"
    assert st_(doc, f["intro"].value_span) == ">\r\n  Folded 😀\r\n  text"
    assert st_(doc, fm.span_at("speakers", 1)) == "name: Grace 🎤"
    assert st_(doc, fm.span_at("speakers", 1, "name")) == "Grace 🎤"
    assert st_(doc, fm.node_span(fm.node_at("tags", 1))) == "b"
    assert fm.span_at("speakers", 9) is None and fm.span_at("missing") is None
    heading = doc.children[0]
    assert st_(doc, heading.span) == "# Body 😀"
    assert doc.source.position(heading.span.start) == (15, 1)
    assert doc.code_spans == [fm.span]


def test_yaml_marks_count_code_points_with_crlf() -> None:
    # PyYAML's mark.index counts characters (a CRLF is two): check it against the text itself
    body = "a: 😀😀😀\r\nb: 🎤 x\r\nc: 'q 中'\r\nd:\r\n  - 😀\r\n  - e\r\n"
    doc = parse_text("---\r\n" + body + "---\r\n")
    f = doc.front_matter.fields
    assert [st_(doc, f[k].value_span) for k in "abcd"] == ["😀😀😀", "🎤 x", "'q 中'", "- 😀\r\n  - e"]


def test_yaml_syntax_error_offset() -> None:
    text = '---\r\ntitle: "😀 ok"\r\nspeaker: Ada 😀 x: y\r\n---\r\nBody\r\n'
    doc = parse_text(text)
    fm = doc.front_matter
    assert fm.data is None and fm.fields == {}
    offset, message = fm.error
    assert doc.source.position(offset) == (3, 17)
    assert text[offset] == ":"
    assert "mapping values" in message
    assert st_(doc, doc.children[0].span) == "Body"


def test_yaml_non_mapping_duplicates_and_bad_dates() -> None:
    doc = parse_text("---\n- a\n- b\n---\n")
    assert doc.front_matter.data == ["a", "b"] and doc.front_matter.fields == {}
    doc = parse_text("---\na: 1\na: 2\n---\n")
    fm = doc.front_matter
    assert fm.data == {"a": 2} and fm.fields["a"].value == 2
    assert [(d.value, st_(doc, d.value_span)) for d in fm.duplicates] == [(1, "1")]
    doc = parse_text("---\ndate: 2024-02-30\n---\n")
    fm = doc.front_matter
    assert fm.error is None and fm.data == {"date": "2024-02-30"}
    assert fm.warnings and fm.warnings[0][0] == doc.source.text.index("2024")


def test_node_at_repeated_and_nested_keys() -> None:
    doc = parse_text("---\na: 1\nb: {c: [x, y]}\na: 2\n? [k]\n: v\n---\n")
    fm = doc.front_matter
    assert fm.node_at("a").value == "2"  # the last entry of a repeated key, as in data
    assert fm.node_at("b", "c", 1).value == "y" and fm.node_at("b", "c", -1).value == "y"
    assert fm.node_at("b", "d") is None and fm.node_at("a", "x") is None and fm.node_at("z") is None
    assert fm.node_at("b", "c", 2) is None and fm.node_at("b", 0) is None
    assert st_(doc, fm.span_at("b", "c", 0)) == "x"


def test_walk_is_document_order_and_repeatable() -> None:
    doc = parse_text("# T *e*\n\n> q [l](u)\n\n- a\n  - b `c`\n\n| h |\n|---|\n| d |\n")

    def recursive(nodes):
        for node in nodes:
            yield node
            yield from recursive(node.children)

    expected = [id(n) for n in recursive(doc.children)]
    assert [id(n) for n in doc.walk()] == expected == [id(n) for n in doc.walk()]
    made = Document(doc.source, None, doc.children, [])
    assert [id(n) for n in made.walk()] == expected


@pytest.mark.parametrize("text", ["", "\n", "a", "a\n", "a\nb", "\n\nx\n\n", "a\u2028b\x85c\n",
                                  "a\r\nb\rc\n", "\r", "x\r\n"])
def test_line_index(text: str) -> None:
    source = Source.from_text("x.md", text)
    starts, ends, terms = [0], [], []
    for m in re.finditer(r"\r\n|\r|\n", text):
        ends.append(m.start())
        terms.append(m.group())
        starts.append(m.end())
    assert (source.line_starts, source.line_ends, source.terminators) == (starts, ends + [len(text)], terms + [""])


def test_yaml_delimiters() -> None:
    doc = parse_text("---  \ntitle: x\n...\nBody\n")
    assert doc.front_matter.data == {"title": "x"}
    assert st_(doc, doc.front_matter.span) == "---  \ntitle: x\n..."
    doc = parse_text("---\n---\nBody")
    assert doc.front_matter.data is None and doc.front_matter.error is None
    assert st_(doc, doc.children[0].span) == "Body"


def test_unclosed_front_matter_is_markdown() -> None:
    doc = parse_text("---\ntitle: x\n\nBody\n")
    assert doc.front_matter is None
    assert st_(doc, doc.unclosed_front_matter) == "---"
    assert doc.children[0].type == "thematic_break"
    assert_well_formed(doc)


def test_toml_front_matter() -> None:
    text = (
        '+++\r\ntitle = "Hello 😀" # c\r\ndate = 2024-09-23T11:30:00-04:00\r\ntags = [\r\n  "a",\r\n'
        '  "b", # x\r\n]\r\n"quoted key" = 1\r\ndesc = """\r\nmulti = no\r\n"""\r\n[params]\r\nx = 1\r\n'
        "+++\r\nBody\r\n"
    )
    doc = parse_text(text)
    fm = doc.front_matter
    assert fm.kind == "toml" and fm.error is None
    got = {k: (st_(doc, f.key_span), st_(doc, f.value_span)) for k, f in fm.fields.items()}
    assert got == {
        "title": ("title", '"Hello 😀"'),
        "date": ("date", "2024-09-23T11:30:00-04:00"),
        "tags": ("tags", '[\r\n  "a",\r\n  "b", # x\r\n]'),
        "quoted key": ('"quoted key"', "1"),
        "desc": ("desc", '"""\r\nmulti = no\r\n"""'),
        "params": ("params", "x = 1"),
    }
    assert fm.fields["tags"].value == ["a", "b"] and fm.fields["params"].value == {"x": 1}
    assert st_(doc, doc.children[0].span) == "Body"
    assert doc.code_spans == [fm.span]


def test_toml_syntax_error_offset() -> None:
    doc = parse_text('+++\ntitle = "ok"\nbad = 😀x\n+++\nBody\n')
    offset, message = doc.front_matter.error
    assert doc.source.position(offset) == (3, 7)
    assert doc.front_matter.data is None and message


# ---------------------------------------------------------------------------------------------
# Real pages and robustness
# ---------------------------------------------------------------------------------------------

REAL = sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.name != "ATTRIBUTION.md") + sorted(
    p for p in SEEDS.iterdir() if p.is_file()
)


@pytest.mark.parametrize("path", REAL, ids=lambda p: str(p.relative_to(ROOT)))
def test_real_pages_parse_without_fallback(path: pathlib.Path) -> None:
    doc = parse(Source.from_bytes(str(path), path.read_bytes()))
    assert doc.fallbacks == 0 and doc.parse_error is None
    if doc.front_matter is not None:
        assert doc.front_matter.error is None
    assert_well_formed(doc)


def test_real_toml_page() -> None:
    path = CORPUS / "sofastack__sofastack.tech/content/zh/activities/_index.md"
    doc = parse(Source.from_bytes(str(path), path.read_bytes()))
    fm = doc.front_matter
    assert fm.kind == "toml" and fm.data == {"draft": False, "title": "活动", "description": "SOFAStack 社区活动"}
    assert st_(doc, fm.fields["title"].value_span) == '"活动"'
    assert st_(doc, doc.children[0].span) == "## Kube looks awesome. Who is it for?"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "---",
        "---\n",
        "+++",
        "---\n---",
        "\r\r\r\n\n",
        "   \t  ",
        "a" * 200_000,
        "*a " * 5_000,
        "[" * 5_000 + "]" * 5_000,
        "> " * 300 + "deep",
        "- " * 300 + "deep",
        "".join(chr(c) for c in range(1, 0x3000, 7)),
        "\ufffd\ufffd\x00\x01\x7f\ud7ff\ufeff",
        "---\n\x01: \x02\n---\n",
        "---\n" + "[" * 3000 + "\n---\n",
        "---\n" + "a: &a [1]\nb: [*a, *a]\n" * 3 + "---\n",
        "+++\n[[a]]\n[[a]]\nb = '''x\n+++\n",
        "|a|\n|-|\n" + "|x|\n" * 100,
        "```\n" * 3 + "\t\t\t> - 1. ",
    ],
    ids=lambda t: repr(t[:20]),
)
def test_never_raises(text: str) -> None:
    doc = parse_text(text)
    assert doc.parse_error is None
    assert_well_formed(doc, exact=False)


def test_binary_and_invalid_bytes() -> None:
    for raw in (b"\x00\x01\x02", b"\xff\xfe# Title \xc3\x28\n", bytes(range(256))):
        doc = parse(Source.from_bytes("b.md", raw))
        assert_well_formed(doc, exact=False)


MARKDOWNISH = list("#*_[]()!`>-+ \n\r|:~<\\.1a&;") + ["😀", "中", "é", "\t", "\u2028", "\x85"]
TOKENS = [
    "# ", "## ", "- ", "  - ", "1. ", "> ", "    ", "```", "---", "***", "\n", "\r\n", "\n\n", "*em*", "**b**",
    "`c`", '[a](http://x.y "t")', "![i](p.png)", "[r]", "[r]: /u", "<http://a.b>", "http://c.d/e.",
    "| a | b |", "|---|---|", "<!-- c -->", "<div>", "text", "😀", "中文", "\\*", "&amp;", "  \n", "~~s~~",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from(MARKDOWNISH), max_size=120))
def test_random_characters(text: str) -> None:
    doc = parse_text(text)
    assert doc.parse_error is None
    assert_well_formed(doc, exact=False)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(TOKENS), max_size=40).map("".join))
def test_random_markdown(text: str) -> None:
    doc = parse_text(text)
    assert doc.parse_error is None
    assert_well_formed(doc, exact=False)
    # text nodes hold exactly their own characters (escapes aside)
    for node in nodes(doc, "text"):
        span_text = st_(doc, node.span)
        if not any(c in span_text for c in "\\\t\r"):
            assert span_text == node.raw


# -- fast paths: the same Document as mistune's own code paths --------------------------------



def parse_both(source: Source, monkeypatch: pytest.MonkeyPatch) -> tuple[Document, Document]:
    """The source parsed with the fast paths, then with mistune's inline parser and block search."""
    fast = parse(source)
    with monkeypatch.context() as m:
        m.setattr(document, "_FAST_INLINE", False)
        m.setattr(document, "_FAST_BLOCK", False)
        slow = parse(source)
    return fast, slow


def same_document(a: Document, b: Document) -> bool:
    def front(doc: Document) -> tuple:
        fm = doc.front_matter
        if fm is None:
            return ()
        return (fm.kind, fm.span, fm.body_span, fm.data, fm.fields, fm.error, fm.duplicates, fm.warnings)

    return (
        a.children == b.children  # types, spans, attrs (url/text spans...), raw text, children
        and list(a.walk()) == list(b.walk())
        and (a.code_spans, a.html_spans, a.fallbacks, a.unclosed_front_matter, a.parse_error)
        == (b.code_spans, b.html_spans, b.fallbacks, b.unclosed_front_matter, b.parse_error)
        and front(a) == front(b)
    )


def test_fast_paths_are_on() -> None:
    # Otherwise the comparisons below compare the slow path with itself.
    assert document._FAST_INLINE and document._FAST_BLOCK


# Every page, LF and CRLF, with every shortcut on and off: test_document_speedpaths.py.


PLAIN_TEXT = list("ab h!&;#.,:1(é中") + [" ", "  ", "   ", "\n", "\t", "\u00a0", "\u3000", "\x0b", "\x0c", "\x1c",
                                          "http", "ttp:", "&amp;", "&h;", "!x", "@"]
BLOCKISH = PLAIN_TEXT + ["\n\n", "\n- ", "\n1. ", "\n> ", "\n    ", "\n\t", "\n# ", "\n---", "\n***", "\n|", "|",
                         "\n```", "\n<div>", "\n[a]: /u", "*", "**", "_", "`", "[", "]", "(", ")", "<", "\\", "~~",
                         "1)", "2024", "\u00a0\n", "\n\u00a0\n", "\n\x1c\n", "\n=", "\n--", "$", "\"", "+ "]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(BLOCKISH), max_size=40).map("".join))
def test_fast_paths_give_the_same_document_on_random_text(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    for eol_text in (text, "---\nt: 1\n---\n" + text, text.replace("\n", "\r\n")):
        fast, slow = parse_both(Source.from_text("t.md", eol_text), monkeypatch)
        assert same_document(fast, slow), eol_text


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PLAIN_TEXT), max_size=30).map("".join))
def test_plain_inline_tokens_are_mistunes(text: str) -> None:
    S = text.strip(document._INLINE_STRIP)
    if not S or document._INLINE_SYNTAX.search(S):
        return
    expected = document._INLINE(S, {"ref_links": {}})
    got = [
        {"type": ty, "raw": S[a:b]} if ty == "text" else {"type": ty}
        for ty, a, b in document._plain_inline(S)
    ]
    assert got == expected


def test_inline_syntax_characters() -> None:
    # each of these starts mistune markup, so the text goes to mistune's inline parser
    for text in ("a\\*b", "a`b`", "*a*", "_a_", "~~a~~", "[a]", "a]", "![a](b)", "<a>", "<x@y.z>",
                 "see http://x.y/z", "https://x.y"):
        assert document._INLINE_SYNTAX.search(text), text
    for text in ("Hello, world!", "h ttp", "a & b; c", "x (y) z", "50% off #1", "line\nbreak  \nend"):
        assert not document._INLINE_SYNTAX.search(text), text


def test_block_rules_are_anchored_at_line_starts() -> None:
    for name in document._BLOCK.rules:
        assert name in document._ANCHORED_BLOCK_RULES
        assert document._BLOCK.specification[name].startswith(("^", "(^")), name


def test_paragraph_starting_with_punctuation_or_digit() -> None:
    text = "(a) first\n2024 second\n“third”\n\u00a0\nfourth\n# Heading\n**bold** text\n- item\n"
    doc = parse_text(text)
    assert [n.type for n in doc.children] == ["paragraph", "heading", "paragraph", "list"]
    assert st_(doc, doc.children[0].span) == "(a) first\n2024 second\n“third”\n\u00a0\nfourth"
    assert st_(doc, doc.children[2].span) == "**bold** text"
