"""The shortcuts of talklint.document give exactly what the general code gives.

Each shortcut can be turned off (``_FAST_*``) or has a reference it is compared with: mistune's
inline parser, SafeConstructor.construct_document, yaml.compose, the line-by-line front matter
search, _Ctx.span. Comparisons run on every page of the corpus and seeds (also with CRLF line
endings), on hand-made edge cases and on random text.
"""

from __future__ import annotations

import gc
import pathlib
import re

import mistune.list_parser
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from talklint import document
from talklint.document import Document, parse
from talklint.source import Source

ROOT = pathlib.Path(__file__).resolve().parent.parent
PAGE_DIRS = [ROOT / "tests" / "corpus", ROOT / "seeds", ROOT / "benchmarks" / "corpus", ROOT / "tests" / "fixtures"]
PAGES = sorted(
    p for d in PAGE_DIRS for p in d.rglob("*") if p.is_file() and p.suffix not in (".jpg", ".png", ".tsv")
)
FLAGS = ("_FAST_INLINE", "_FAST_BLOCK", "_FAST_SPANS", "_FAST_YAML")

EDGE_CASES = [
    "",
    "---\n---\n",  # empty front matter
    "---\n---\n# T\n",
    "---\r\ntitle: a\r\n---\r\n# T\r\n\r\nSee [x](https://x.y) and **b**.\r\n",
    "\ufeff---\ntitle: a\n---\nText *e* `c`\n",
    "---\ntitle: [unclosed\n---\nbody\n",  # broken YAML
    "---\ntitle: a\n",  # unclosed front matter
    "---  \ntitle: a\n...\t\nbody\n",
    "+++\ntitle = 'a'\n+++  \nbody\n",
    "---\ntitle: a\r---\rbody [l](u)\r",  # CR only
    "---\na: &x [1, 2]\nb: *x\nc: {<<: {d: 1}}\n---\n",
    "---\nd1: 2024-02-30\nn: {d2: 2024-13-01}\nd3: 2023-02-29\n---\n",
    "---\n? [k]\n: v\n1: one\n---\n",
    "---\nbad: !!int x\n---\n",
    "---\n- a\n- b\n---\n",
    "---\ns: !!set {a, b}\no: !!omap [a: 1]\nb: !!binary aGk=\n---\n",
    "---\nk: 1\nk: 2\n---\n",
    "---\ndesc: |\n  line\n\n  more\n\nafter: >\n  folded\n---\n",
    "- a [l](u) **b**\n  - c\tx `y`\n    > q *e* <https://a.b/c_d>\n1. n https://x.y/z\n\n       code\n",
    "> quote [a](b)\n> more **c**\n>\n>> nested _d_, e\n",
    "\t- tab item ![i](p.png)\n\t\tcontinued [x](https://x.y)\n",
    "a\u200b**b**\u200bc x**y**z _u_: __w__. ![](u) [](v) [https://a.b](https://a.b)\n",
    "| a | [b](c) |\n|---|---|\n| **d** | `e` |\n",
    "Setext **h**\n===\n\nline  \nbreak [a](b)\\\nx\n",
    "* item\r\n\r\n  para [a](b)\r\n* two\r\n",
]


def same_document(a: Document, b: Document) -> bool:
    def front(doc: Document) -> tuple:
        fm = doc.front_matter
        if fm is None:
            return ()
        return (fm.kind, fm.span, fm.body_span, fm.data, fm.fields, fm.error, fm.duplicates,
                fm.warnings, yaml_tree(fm.yaml_node))

    return (
        a.children == b.children
        and list(a.walk()) == list(b.walk())
        and (a.code_spans, a.html_spans, a.fallbacks, a.unclosed_front_matter, a.parse_error)
        == (b.code_spans, b.html_spans, b.fallbacks, b.unclosed_front_matter, b.parse_error)
        and front(a) == front(b)
    )


def yaml_tree(node, path: tuple = ()) -> object:
    """A composed YAML node as plain data: type, tag, style, value and marks (a node inside
    itself, as ``&r [*r]`` makes, as how far up it is)."""
    if node is None:
        return None
    if any(node is up for up in path):
        return ("recursive", [up is node for up in path].index(True))
    marks = (node.start_mark.index, node.start_mark.line, node.start_mark.column,
             node.end_mark.index, node.end_mark.line, node.end_mark.column)
    head = (type(node).__name__, node.tag, getattr(node, "style", None), getattr(node, "flow_style", None), marks)
    if isinstance(node, yaml.ScalarNode):
        return head + (node.value,)
    path = path + (node,)
    if isinstance(node, yaml.MappingNode):
        return head + (tuple((yaml_tree(k, path), yaml_tree(v, path)) for k, v in node.value),)
    return head + (tuple(yaml_tree(v, path) for v in node.value),)


def parse_both(source: Source, monkeypatch: pytest.MonkeyPatch) -> tuple[Document, Document]:
    fast = parse(source)
    with monkeypatch.context() as m:
        for flag in FLAGS:
            m.setattr(document, flag, False)
        slow = parse(source)
    return fast, slow


def test_shortcuts_are_on() -> None:
    assert all(getattr(document, flag) for flag in FLAGS)


def test_same_document_on_every_page(monkeypatch: pytest.MonkeyPatch) -> None:
    assert len(PAGES) > 500
    differ = []
    for path in PAGES:
        source = Source.from_bytes(str(path), path.read_bytes())
        for src in (source, Source.from_text(str(path), source.text.replace("\n", "\r\n"))):
            fast, slow = parse_both(src, monkeypatch)
            if not same_document(fast, slow):
                differ.append(str(path.relative_to(ROOT)))
    assert differ == []


@pytest.mark.parametrize("text", EDGE_CASES)
def test_same_document_on_edge_cases(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for variant in (text, text.replace("\n", "\r\n"), "\ufeff" + text, text.replace("  ", "\t")):
        fast, slow = parse_both(Source.from_text("t.md", variant), monkeypatch)
        assert same_document(fast, slow), variant


def test_edge_cases_use_the_shortcuts() -> None:
    # Otherwise the comparisons above would not exercise them.
    doc = parse(Source.from_text("t.md", "- a [l](u) **b**\n  - c\n"))
    link = next(n for n in doc.walk() if n.type == "link")
    assert link.attrs["style"] == "inline" and doc.text_of(link.attrs["text_span"]) == "l"
    assert document._simple_inline("a **b** [c](d) `e`") is not None
    assert document._FAST_YAML and document._construct(document._Constructor(), document._compose("a: [1]\n")) == {"a": [1]}


# -- inline tokens: _simple_inline against mistune ---------------------------------------------

def token_tree(tokens: list[dict]) -> list:
    """Tokens as the walker reads them (private position keys left out)."""
    return [
        (t["type"], t.get("raw"), sorted((t.get("attrs") or {}).items()), token_tree(t.get("children") or []))
        for t in tokens
    ]


INLINE_PIECES = [
    "**", "*", "_", "__", "a", "b", "中", "\u200b", " ", "  ", "\n", ".", ":", ",", "!", "?", "(", ")", "[", "]",
    "](", "![", "[x](u)", "`", "``", "<", ">", "<https://a.b/c_d>", "https://x.y/z", "http://q.r/", "~", "&amp;",
    "1", "é", "-", "'", '"', "\\", "/", "#", "|", "<b>", "mailto:a@b.c", "\t", "\u3000", "、", "$", "+", "=",
    "[x]", "(u)", "![a](p.png)", "**b**", "_c_", "`d`", " \n", "ttp", "h",
]
HAND_INLINE = [
    "**When**: Tuesday", "a **b** c\n**d**", "**Bonus:** [Hear](https://x.y/?a=1&b=2)", "x**a**y", "**(a)**",
    "_fill it_, ok", "a __b__ c", "xhttps://a.b c", "(https://a.b)", "see https://x.y/a. ok", "![](u.png)",
    "[](u)", "a <https://x.y/a_b> b", "a\u200b**b**\u200bc", "[https://x.y/](https://x.y/)", "`<a/>`是",
    "a ` x ` b", "a ``x`` b", "**a***", "***a**", "*a**", "**a*", "a_b_c", "_a_b", "**a**_b", "[a](b \"t\")",
    "[a] (b)", "[a](<b>)", "[a](b)c", "![a](b)![c](d)", "**a** **b**", "*a*b*c*", "https://x.y/*a*", "[a\nb](c)",
    "<https://a.b/*x*>", "a  \n**b**", "**a\nb**", "[x](u)[y](v)", "\\*a*", "&amp;[a](b&amp;c)", "[a](b)]",
]


@pytest.mark.parametrize("text", HAND_INLINE)
def test_simple_inline_tokens_are_mistunes_on_hand_cases(text: str) -> None:
    S = text.strip(document._INLINE_STRIP)
    for env in ({"ref_links": {}}, {"ref_links": {"a": {"url": "r"}, "x": {"url": "s"}}}):
        tokens = document._simple_inline(S)
        if tokens is not None:
            assert token_tree(tokens) == token_tree(document._INLINE(S, env)), S


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(INLINE_PIECES), min_size=1, max_size=14).map("".join))
def test_simple_inline_tokens_are_mistunes(text: str) -> None:
    S = text.strip(document._INLINE_STRIP)
    tokens = document._simple_inline(S) if S else None
    if tokens is not None:
        assert token_tree(tokens) == token_tree(document._INLINE(S, {"ref_links": {}}))


def test_simple_inline_covers_the_common_constructs() -> None:
    for S in ("**When**: Tuesday", "see [a](https://b.c/d_e), `f` and ![g](h.png)", "a <https://x.y> b",
              "_e_ and __s__, *e* https://x.y/z"):
        assert document._simple_inline(S) is not None, S


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(list("ab \n\\`*_~[]<h:/tps.") + ["http://", "https://"]), max_size=20).map("".join),
       st.integers(0, 40), st.integers(0, 40))
def test_has_inline_syntax_is_the_pattern(text: str, a: int, b: int) -> None:
    assert document._has_inline_syntax(text) == bool(document._INLINE_SYNTAX.search(text))
    assert document._has_inline_syntax(text, a, b) == bool(document._INLINE_SYNTAX.search(text, a, b))


# -- front matter --------------------------------------------------------------------------------

def find_front_matter_by_lines(source: Source) -> tuple[str | None, int]:
    """The line-by-line search that _find_front_matter shortcuts for LF-only text."""
    text = source.text
    if not text or text[0] not in "-+":
        return None, -1
    first = source.line_text(1).rstrip(" \t")
    closers = {"---": ("---", "..."), "+++": ("+++",)}.get(first)
    if closers is None:
        return None, -1
    kind = "yaml" if first == "---" else "toml"
    for i in range(1, len(source.line_starts)):
        if source.line_text(i + 1).rstrip(" \t") in closers:
            return kind, i
    return kind, -1


FRONT_LINES = ["---", "--- ", "---\t", "...", "+++", "+++ ", "a: 1", "", " ---", "----", "...x", "\u2028", "\x85", "\f"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(FRONT_LINES), min_size=1, max_size=8), st.sampled_from(["\n", "\r\n", "\r"]),
       st.booleans())
def test_front_matter_search_is_the_line_by_line_one(lines: list[str], eol: str, final_eol: bool) -> None:
    text = eol.join(lines) + (eol if final_eol else "")
    source = Source.from_text("t.md", text)
    assert document._find_front_matter(source) == find_front_matter_by_lines(source)


YAML_BODIES = [
    "", "a: 1\n", "# only a comment\n", "a: [1, 2]\nb: {c: d}\n", "a: &x [1]\nb: *x\n", "a: &x {k: 1}\nb: *x\n",
    "<<: {a: 1}\nb: 2\n", "base: &b {a: 1}\nm:\n  <<: *b\n  c: 2\n", "=: v\n", "d: 2024-02-30\nn: {e: 2023-02-29}\n",
    "t: 2024-01-01 10:00:00\nu: 2024-01-01\n", "bad: !!int x\n", "b: !!bool maybe\n", "? [k]\n: v\n", "1: one\n",
    "s: !!set {a, b}\n", "o: !!omap [a: 1]\n", "bin: !!binary aGk=\n", "k: 1\nk: 2\n", "- a\n- b\n", "plain\n",
    "a: !!str 1\nb: !custom x\n", "x: [unclosed\n", "x: 'a\n", "x: ~\ny: null\nz: yes\nw: 1.5e3\nv: .inf\n",
    "a: &r [*r]\n", "n:\n  - m: 1\n    d: 2024-02-31\n  - 2024-04-31\n", "a: !!float x\n", "a: !!timestamp x\n",
]


@pytest.mark.parametrize("body", YAML_BODIES)
def test_yaml_shortcuts_match_pyyaml(body: str) -> None:
    loader = document._YAML_LOADER
    try:
        expected = yaml.compose(body, Loader=loader)
    except yaml.YAMLError as exc:
        with pytest.raises(type(exc)):
            document._compose(body)
        return
    root = document._compose(body)
    assert yaml_tree(root) == yaml_tree(expected)
    if root is None:
        return
    fast, slow = document._Constructor(), document._Constructor()
    try:
        want = slow.construct_document(expected)
    except Exception as exc:
        with pytest.raises(type(exc)):
            document._construct(fast, root)
        return
    got = document._construct(fast, root)
    assert repr(got) == repr(want)  # repr: the same shapes and types (True is not 1)
    assert [(n.start_mark.index, m) for n, m in fast.problems] == [(n.start_mark.index, m) for n, m in slow.problems]


def test_yaml_shortcut_keeps_aliases_shared() -> None:
    data = document._construct(document._Constructor(), document._compose("a: &x [1]\nb: *x\n"))
    assert data["a"] is data["b"]


# -- offsets and list patterns ---------------------------------------------------------------------

NESTED = [
    "- a\n  - b [c](d)\n    > e **f**\n", "> - a `b`\n>   c\n", "1. x\n\n   ```\n   code\n   ```\n   y _z_\n",
    "- \tt\n  - u\n\t\tv\n", "> a\n>\n> > b\n> > c [d](e)\n",
]


@pytest.mark.parametrize("text", NESTED)
def test_shift_over_matches_ctx_span(text: str) -> None:
    seen = []  # whether each shortcut taken was in a nested block
    for variant in (text, text.replace("\n", "\r\n"), "---\na: 1\n---\n" + text):
        source = Source.from_text("t.md", variant)
        original = document._Ctx.shift_over

        def check(ctx, state, lo, hi):
            d = original(ctx, state, lo, hi)
            if d is not None:
                for s in range(lo, hi + 1):
                    for e in range(s, hi + 1):
                        assert ctx.span(state, s, e) == document.Span(min(s + d, ctx.n), min(e + d, ctx.n))
                seen.append(state.lmap is not None)
            return d

        with pytest.MonkeyPatch.context() as m:
            m.setattr(document._Ctx, "shift_over", check)
            assert parse(source).parse_error is None  # parse() would turn a failed check into this
    if text == NESTED[0]:  # the shortcut is taken inside nested blocks
        assert any(seen)


def test_list_break_patterns_are_mistunes() -> None:
    cached = mistune.list_parser._compile_list_break_sc
    if getattr(cached, "cached_for", None) is None:
        pytest.skip("this mistune builds no list break pattern per item")
    build = cached.__wrapped__
    other = mistune.create_markdown().block
    for width in range(0, 6):
        pattern = cached(document._BLOCK, width)
        assert cached(document._BLOCK, width) is pattern  # kept
        expected = build(document._BLOCK, width)
        assert (pattern.pattern, pattern.flags) == (expected.pattern, expected.flags)
        mine = cached(other, width)  # another parser: built by mistune each time
        assert (mine.pattern, mine.flags) == (build(other, width).pattern, build(other, width).flags)


# -- block starts ------------------------------------------------------------------------------

def line_starts(text: str) -> list[int]:
    return [0] + [m.end() for m in re.finditer("\n", text)]


def test_lines_that_start_no_block_match_no_rule() -> None:
    sc = document._BLOCK.compile_sc()
    firsts = [chr(c) for c in range(0x3000) if not 0xD800 <= c <= 0xDFFF] + ["\u3000", "\ufeff", "\U0001F600"]
    skipped = 0
    for c in firsts:
        for line in (c + "x\n", c + "\n", c + c + c + "\n", c + "x | y\n", c + " a|b\n", c, c + "1. x\n"):
            text = "p\n" + line + "---|---\n"
            pos = 2
            nl = text.find("\n", pos)
            end = len(text) if nl < 0 else nl + 1
            if document._starts_no_block(text, pos, end):
                skipped += 1
                assert sc.match(text, pos) is None, repr(line)
    assert skipped > 1000  # letters, for one


def test_lines_that_start_no_block_match_no_rule_on_every_page() -> None:
    sc = document._BLOCK.compile_sc()
    for path in PAGES:
        text = Source.from_bytes(str(path), path.read_bytes()).text.replace("\r", "\n")
        starts = line_starts(text)
        for pos, end in zip(starts, starts[1:] + [len(text)]):
            if pos < len(text) and document._starts_no_block(text, pos, end):
                assert sc.match(text, pos) is None, (path, text[pos:end])


# -- memory ----------------------------------------------------------------------------------------

def test_parse_leaves_no_reference_cycles() -> None:
    # The nested parser states point at their parents; left linked they would wait for the
    # cycle collector, which the engine pauses while it lints a file.
    texts = NESTED + EDGE_CASES + [PAGES[0].read_text(encoding="utf-8", errors="replace")]
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        for text in texts:
            parse(Source.from_text("t.md", text))
        assert gc.collect() == 0
    finally:
        if enabled:
            gc.enable()


def test_engine_pauses_the_collector_for_each_file(monkeypatch: pytest.MonkeyPatch) -> None:
    from talklint import engine

    linter = engine.Linter()
    seen = []

    def watching_parse(source: Source) -> Document:
        seen.append(gc.isenabled())
        return parse(source)

    monkeypatch.setattr(engine, "parse", watching_parse)
    enabled = gc.isenabled()
    try:
        gc.enable()
        linter.lint_source(Source.from_text("t.md", "# T\n\ntext\n"))
        assert seen == [False] and gc.isenabled()  # paused for the file, then back on
        gc.disable()
        linter.lint_source(Source.from_text("t.md", "# T\n"))
        assert seen == [False, False] and not gc.isenabled()  # a caller's choice is kept
    finally:
        (gc.enable if enabled else gc.disable)()
