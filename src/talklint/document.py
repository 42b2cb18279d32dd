"""Document: front matter and the markdown tree of one Source, every part with an exact span.

Spans are character offsets into ``Source.text`` (the original file), never into a
normalised copy: a rule that points at ``node.span`` points at the file.

How the spans are found
-----------------------
mistune records no positions, so :func:`parse` recovers them:

* The body is given to mistune with the front-matter lines blanked (each replaced by an empty
  line) and every line break turned into LF, so line numbers are unchanged and a column in the
  normalised text is the column in the file. Normalised offsets go back to file offsets through
  the two line indexes (bisect), a CRLF counting as one break.
* The block parser runs with a tracking state: every block token is tagged with the parser's
  cursor before and after the rule that made it (paragraph merges, setext headings and blocks
  that end a block quote or list are followed explicitly).
* Block quotes and list items are parsed by mistune from a derived text (``>`` or the
  indentation stripped, leading tabs expanded). Each of their lines is the tail of one line of
  the parent text, so a per-line table maps child offsets to parent offsets; list items start
  at their marker (found from the cursor when mistune read the next item's marker line).
* Inline nodes are recovered by walking mistune's inline tokens over the exact text the inline
  parser was given, consuming each token's syntax in order (delimiters, brackets, destinations,
  backtick runs, backslash escapes). Text where no inline rule can start (most paragraphs) is
  split into text and break nodes directly, exactly as mistune would (see ``_plain_inline``).

If a position cannot be recovered the node gets its parent's span, ``Node.approximate`` is set
and ``Document.fallbacks`` counts it: it stays 0 on the whole corpus.

Span conventions
----------------
* A block span starts at its first non-blank character (list item: its marker; block quote: the
  first ``>``; indented code: the start of its first line inside its container) and ends at its
  last non-blank character: no trailing newline, no trailing spaces.
* A heading spans the whole heading: ATX from the first ``#`` to the end of the line (closing
  ``#``s included, trailing spaces not); setext from the first text character to the end of the
  underline. ``attrs["text_span"]`` is the span of the inline content only.
* A text node spans exactly the characters that produced it (a backslash escape ``\\*`` spans two
  characters; entities such as ``&amp;`` are kept verbatim by mistune and span themselves).
* Links and images: ``attrs["text_span"]`` is the text between the brackets (for autolinks the
  address), ``attrs["url_span"]`` the destination as written (without ``<>``), None for
  reference links; ``attrs["style"]`` is ``inline``, ``reference``, ``autolink`` (``<...>``) or
  ``bare`` (a bare ``https://`` URL).
* A link reference definition ``[label]: url "title"`` becomes a block node
  ``link_definition`` (attrs label, url, title, url_span, duplicate).
* Tight list items hold ``block_text`` nodes (mistune's type) where loose ones hold ``paragraph``.
* mistune sometimes adds a line to the paragraph *before* a block quote or list that this line
  ended (e.g. ``u`` / ``> q`` / ``1.``), and lists that block first. Such a paragraph's span then
  covers the block; its inline nodes still have their exact spans (a break node between the two
  parts spans the block in between).

Front matter
------------
YAML (``---`` … ``---`` or ``...``) or TOML (``+++`` … ``+++``) at the very start of the text, the
delimiter lines allowing trailing spaces and any line ending. An opening line without a closing
one is *not* front matter (markdown then sees a thematic break); ``Document.unclosed_front_matter``
records the opening line so a rule can report it.
"""

from __future__ import annotations

import bisect
import re
import string
import sys
from dataclasses import dataclass, field
from typing import Any, Iterator

import mistune
import mistune.list_parser
import yaml
from mistune.block_parser import BlockParser
from mistune.core import BlockState
from mistune.helpers import parse_link, parse_link_href, parse_link_label, unescape_char
from mistune.list_parser import LIST_PATTERN
from mistune.plugins.formatting import strikethrough as _strikethrough_plugin
from mistune.plugins.table import table as _table_plugin
from mistune.plugins.table import table_in_list as _table_in_list_plugin
from mistune.plugins.table import table_in_quote as _table_in_quote_plugin
from mistune.plugins.url import URL_LINK_PATTERN
from mistune.plugins.url import url as _url_plugin
from mistune.util import escape_url, unikey

from .source import LINE_BREAK, Source

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


@dataclass(frozen=True)
class Span:
    start: int
    end: int

    def __init__(self, start: int, end: int) -> None:
        # The frozen dataclass's own __init__ sets each field through object.__setattr__, which
        # made creating the spans of every node a noticeable part of parsing.
        fields = self.__dict__
        fields["start"] = start
        fields["end"] = end

    def __contains__(self, offset: int) -> bool:
        return self.start <= offset < self.end

    def __len__(self) -> int:
        return self.end - self.start


@dataclass
class Node:
    """One markdown element.

    ``type`` is mistune's token type: heading, paragraph, block_text (a tight list item's text),
    list, list_item, block_quote, block_code, block_html, thematic_break, table, table_head,
    table_body, table_row, table_cell, link_definition, link, image, emphasis, strong, codespan,
    inline_html, text, softbreak, linebreak, strikethrough. ``attrs`` holds mistune's attributes
    (heading ``level``, link ``url`` and ``title``, code ``info`` …) plus, for links and images,
    ``url_span`` (the raw destination in the source, a Span or None for references) and
    ``text_span``. ``raw`` is mistune's text for text, codespan (the code), inline_html,
    block_html and block_code (the code, without fences) nodes.
    """

    type: str
    span: Span
    attrs: dict[str, Any] = field(default_factory=dict)
    children: list["Node"] = field(default_factory=list)
    raw: str | None = None
    approximate: bool = False  # True when the span is a fallback (the parent's span)

    def walk(self) -> Iterator["Node"]:
        yield self
        for child in self.children:
            yield from child.walk()

    def plain_text(self) -> str:
        """The text a reader sees: text and code of all descendants, breaks as spaces/newlines."""
        parts: list[str] = []
        _plain(self, parts)
        return "".join(parts)


def _preorder(nodes: list[Node], out: list[Node]) -> None:
    for node in nodes:
        out.append(node)
        if node.children:
            _preorder(node.children, out)


def _plain(node: Node, parts: list[str]) -> None:
    if node.type in ("text", "codespan"):
        parts.append(node.raw or "")
    elif node.type == "softbreak":
        parts.append(" ")
    elif node.type == "linebreak":
        parts.append("\n")
    for child in node.children:
        _plain(child, parts)


@dataclass
class Field:
    """A top-level front-matter entry."""

    key: str
    key_span: Span
    value: Any
    value_span: Span | None  # None when the value is empty/absent


@dataclass
class FrontMatter:
    kind: str  # "yaml" or "toml"
    span: Span  # the whole block, delimiters included (not the closing line's terminator)
    body_span: Span  # the text between the delimiters (up to the closing line's start)
    data: Any = None  # the parsed value; None when it could not be parsed
    fields: dict[str, Field] = field(default_factory=dict)
    error: tuple[int, str] | None = None  # (offset, message) of a syntax error
    yaml_node: Any = None  # PyYAML's composed root node, for rules that need nested positions
    duplicates: list[Field] = field(default_factory=list)  # earlier entries of a repeated key
    warnings: list[tuple[int, str]] = field(default_factory=list)  # e.g. impossible dates kept as text
    body: str = field(default="", repr=False)  # the text of body_span
    # mapping node -> {key: value node}; yaml nodes hash by identity
    _key_index: dict[Any, dict[str, Any]] = field(default_factory=dict, repr=False, compare=False)

    def node_span(self, node: Any) -> Span:
        """The file span of a PyYAML node from :attr:`yaml_node` (e.g. ``speakers[1]``).

        Scalars span their text (quotes included; block scalars without trailing blank lines);
        collections span from their first character to the end of their last item.
        """
        base = self.body_span.start
        s, e = _yaml_extent(node, self.body)
        return Span(base + s, base + e)

    def node_at(self, *path: str | int) -> Any:
        """The YAML node at a path of mapping keys and list indexes, e.g. ``("speakers", 1)``;
        None when absent (or for TOML). A repeated key resolves to its last entry, as in data."""
        node = self.yaml_node
        for step in path:
            if isinstance(node, yaml.MappingNode) and isinstance(step, str):
                node = self.keys_of(node).get(step)
            elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and -len(node.value) <= step < len(node.value):
                node = node.value[step]
            else:
                return None
            if node is None:
                return None
        return node

    def keys_of(self, mapping: Any) -> dict[str, Any]:
        """A mapping node's scalar keys to their value nodes (the last entry of a repeated key),
        built once per node: rules look up many keys of the same mappings."""
        index = self._key_index.get(mapping)
        if index is None:
            index = {}
            for key_node, value_node in mapping.value:
                if isinstance(key_node, yaml.ScalarNode):
                    index[key_node.value] = value_node
            self._key_index[mapping] = index
        return index

    def span_at(self, *path: str | int) -> Span | None:
        """The file span of the YAML value at ``path`` (see :meth:`node_at`), or None."""
        node = self.node_at(*path)
        return None if node is None else self.node_span(node)


@dataclass
class Document:
    """A parsed file. ``code_spans`` and ``html_spans`` are indexed when the Document is made
    (for :meth:`is_code` and :meth:`is_html`): treat them as read-only."""

    source: Source
    front_matter: FrontMatter | None
    children: list[Node]
    code_spans: list[Span]  # sorted, non-overlapping: code blocks, code spans, front matter
    html_spans: list[Span] = field(default_factory=list)  # sorted: block_html and inline_html
    unclosed_front_matter: Span | None = None  # an opening ``---``/``+++`` line never closed
    fallbacks: int = 0  # nodes whose span could not be recovered (they hold a parent's span)
    parse_error: str | None = None  # set only if the parser itself failed (a bug): body left empty

    def __post_init__(self) -> None:
        self._code_starts = [s.start for s in self.code_spans]
        self._html_starts = [s.start for s in self.html_spans]
        self._nodes: list[Node] | None = None

    def walk(self) -> Iterator[Node]:
        """Every node, depth first in document order. Many rules walk the same tree, so the
        order is computed once (the tree is read-only once made)."""
        nodes = self._nodes
        if nodes is None:
            nodes = self._nodes = []
            _preorder(self.children, nodes)
        return iter(nodes)

    def is_code(self, offset: int) -> bool:
        """True when ``offset`` lies in front matter, a code block or a code span."""
        i = bisect.bisect_right(self._code_starts, offset) - 1
        return i >= 0 and offset < self.code_spans[i].end

    def is_html(self, offset: int) -> bool:
        """True when ``offset`` lies in an HTML block or inline HTML (comments included)."""
        i = bisect.bisect_right(self._html_starts, offset) - 1
        return i >= 0 and offset < self.html_spans[i].end

    def text_of(self, span: Span) -> str:
        return self.source.text[span.start:span.end]


# ---------------------------------------------------------------------------------------------
# Front matter
# ---------------------------------------------------------------------------------------------

# libyaml's safe loader when PyYAML was built with it (about 13x faster, same marks: character
# offsets, CRLF counted as two); the pure-Python SafeLoader otherwise. Never an unsafe loader.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# A closing line after a LF (where every line but the first starts): the leading "\n" lets the
# search skip to each line break instead of trying every position.
_CLOSERS = {
    "yaml": re.compile(r"\n(?:---|\.\.\.)[ \t]*$", re.M),
    "toml": re.compile(r"\n\+\+\+[ \t]*$", re.M),
}
_TOML_ERROR_AT = re.compile(r"\(at line (\d+), column (\d+)\)")


def _find_front_matter(source: Source) -> tuple[str | None, int]:
    """Return (kind, index of the closing line) or (kind, -1) when unclosed, (None, -1) if none."""
    text = source.text
    if not text or text[0] not in "-+":
        return None, -1
    first = source.line_text(1).rstrip(" \t")
    if first == "---":
        kind, closers = "yaml", ("---", "...")
    elif first == "+++":
        kind, closers = "toml", ("+++",)
    else:
        return None, -1
    starts, ends = source.line_starts, source.line_ends
    if "\r" not in text and len(starts) > 1:  # LF only: "$" ends exactly the lines Source counts
        m = _CLOSERS[kind].search(text, starts[1] - 1)
        return kind, (bisect.bisect_right(starts, m.start() + 1) - 1 if m else -1)
    for i in range(1, len(starts)):
        line = text[starts[i]:ends[i]].rstrip(" \t")
        if line in closers:
            return kind, i
    return kind, -1


def _front_matter(source: Source, kind: str, close: int) -> FrontMatter:
    starts, ends = source.line_starts, source.line_ends
    body_start = starts[1]
    body_end = starts[close]
    fm = FrontMatter(
        kind=kind,
        span=Span(0, ends[close]),
        body_span=Span(body_start, body_end),
        body=source.text[body_start:body_end],
    )
    try:
        if kind == "yaml":
            _parse_yaml(fm)
        else:
            _parse_toml(fm)
    except Exception as exc:  # pragma: no cover - defensive: never raise on input
        fm.data = None
        fm.fields = {}
        fm.error = (body_start, f"{type(exc).__name__}: {exc}")
    return fm


class _Constructor(yaml.constructor.SafeConstructor):
    """SafeConstructor that keeps impossible timestamps as text and reports them."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[tuple[Any, str]] = []

    def construct_yaml_timestamp(self, node):  # type: ignore[override]
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError) as exc:
            self.problems.append((node, f"not a valid date/time: {node.value!r} ({exc})"))
            return node.value

    def construct_object(self, node, deep=False):  # type: ignore[override]
        if node.tag == _YAML_STR and type(node) is yaml.ScalarNode:
            return node.value  # what construct_yaml_str returns, without the dispatch
        try:
            return super().construct_object(node, deep)
        except (yaml.YAMLError, RecursionError):
            raise
        except Exception as exc:
            raise yaml.constructor.ConstructorError(
                None, None, f"{type(exc).__name__}: {exc}", node.start_mark
            ) from exc


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", _Constructor.construct_yaml_timestamp)
_YAML_STR = "tag:yaml.org,2002:str"
_YAML_MAP = "tag:yaml.org,2002:map"
_YAML_SEQ = "tag:yaml.org,2002:seq"
# Scalar tags whose constructors only read the node (the timestamp one may record a problem).
_YAML_SCALAR_TAGS = frozenset(
    "tag:yaml.org,2002:" + t for t in ("null", "bool", "int", "float", "timestamp")
)


class _NotSimple(Exception):
    pass


def _construct(constructor: _Constructor, root: Any) -> Any:
    """constructor.construct_document(root), built directly when the tree is plain data.

    SafeConstructor builds collections breadth first through generators and tracks aliases and
    merge keys. For a tree of str-keyed mappings, sequences and the scalars of
    _YAML_SCALAR_TAGS, with no node reached twice, that gives what one recursive pass gives;
    anything else, an error or a recorded problem (whose order depends on that breadth-first
    order) leaves the whole document to construct_document.
    """
    if _FAST_YAML:
        try:
            data = _simple_data(constructor, root, set())
        except Exception:
            data = _NotSimple
        if data is not _NotSimple and not constructor.problems:
            return data
        constructor.problems.clear()
    return constructor.construct_document(root)


def _simple_data(constructor: _Constructor, node: Any, seen: set[int]) -> Any:
    kind = type(node)
    tag = node.tag
    if kind is yaml.ScalarNode:
        if tag == _YAML_STR:
            return node.value
        if tag not in _YAML_SCALAR_TAGS:
            raise _NotSimple(tag)
        return constructor.yaml_constructors[tag](constructor, node)
    if id(node) in seen:
        raise _NotSimple("alias")
    seen.add(id(node))
    if kind is yaml.MappingNode and tag == _YAML_MAP:
        data = {}
        for key_node, value_node in node.value:
            if type(key_node) is not yaml.ScalarNode or key_node.tag != _YAML_STR:
                raise _NotSimple(key_node.tag)
            data[key_node.value] = _simple_data(constructor, value_node, seen)
        return data
    if kind is yaml.SequenceNode and tag == _YAML_SEQ:
        return [_simple_data(constructor, item, seen) for item in node.value]
    raise _NotSimple(tag)


# The loader asks its resolver for the tag of every node; with no path resolvers and no
# wildcard implicit resolvers (as in the safe loaders) the answer depends on the node alone.
_FAST_YAML = not _YAML_LOADER.yaml_path_resolvers and None not in _YAML_LOADER.yaml_implicit_resolvers
_IMPLICIT_TAGS = _YAML_LOADER.yaml_implicit_resolvers
_DEFAULT_SCALAR_TAG = _YAML_LOADER.DEFAULT_SCALAR_TAG


def _resolve_tag(kind: type, value: Any, implicit: tuple[bool, bool],
                 _resolvers=_IMPLICIT_TAGS.get, _scalar=yaml.ScalarNode) -> str:
    """What Resolver.resolve answers when it has no path resolvers, without its list building.
    Called for every node: the names it uses are bound once, as defaults."""
    if kind is _scalar:
        if implicit[0]:
            resolvers = _resolvers(value[:1])
            if resolvers:
                for tag, regexp in resolvers:
                    if regexp.match(value):
                        return tag
        return _DEFAULT_SCALAR_TAG
    if kind is yaml.SequenceNode:
        return _YAML_LOADER.DEFAULT_SEQUENCE_TAG
    return _YAML_LOADER.DEFAULT_MAPPING_TAG


def _no_path(*_args: Any) -> None:
    """Stands in for the path-resolver bookkeeping, which has nothing to track."""


def _compose(body: str) -> Any:
    """yaml.compose(body, Loader=_YAML_LOADER), resolving tags through _resolve_tag."""
    if not _FAST_YAML:
        return yaml.compose(body, Loader=_YAML_LOADER)
    loader = _YAML_LOADER(body)
    loader.resolve = _resolve_tag
    loader.descend_resolver = loader.ascend_resolver = _no_path
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def _yaml_error(exc: BaseException, body: str) -> tuple[int, str]:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        index = mark.index if mark is not None else 0
        parts = [p for p in (exc.context, exc.problem) if p]
        message = "; ".join(parts) if parts else str(exc)
        return min(max(index, 0), len(body)), message
    if isinstance(exc, yaml.reader.ReaderError):
        message = str(exc.reason)
        if isinstance(exc.character, int):
            message += f" (#x{exc.character:04x})"
        return min(max(exc.position, 0), len(body)), message
    return 0, f"{type(exc).__name__}: {exc}"


def _parse_yaml(fm: FrontMatter) -> None:
    body = fm.body
    base = fm.body_span.start
    try:
        root = _compose(body)
    except Exception as exc:
        offset, message = _yaml_error(exc, body)
        fm.error = (base + offset, message)
        return
    fm.yaml_node = root
    if root is None:
        return
    pairs = list(root.value) if isinstance(root, yaml.MappingNode) else []
    constructor = _Constructor()
    try:
        fm.data = _construct(constructor, root)
    except Exception as exc:
        offset, message = _yaml_error(exc, body)
        fm.error = (base + offset, message)
        fm.data = None
        return
    for node, message in constructor.problems:
        fm.warnings.append((base + node.start_mark.index, message))
    if not isinstance(fm.data, dict):
        return
    counts: dict[str, int] = {}
    for key_node, _ in pairs:
        if isinstance(key_node, yaml.ScalarNode):
            counts[key_node.value] = counts.get(key_node.value, 0) + 1
    for key_node, value_node in pairs:
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
            continue
        key_text = key_node.value
        value: Any = None
        try:
            if key_node.tag == "tag:yaml.org,2002:str":
                key_obj: Any = key_text
            else:
                key_obj = _Constructor().construct_object(key_node, deep=True)
            if counts[key_text] == 1 and key_obj in fm.data:
                value = fm.data[key_obj]
            else:  # a repeated key: data holds the last value only
                value = _Constructor().construct_object(value_node, deep=True)
        except Exception:
            value = None
        if type(key_node) is yaml.ScalarNode and key_node.style not in _BLOCK_SCALAR:
            ks = key_node.start_mark.index  # what _yaml_extent gives, as for the value below
            ke = max(ks, key_node.end_mark.index)
        else:
            ks, ke = _yaml_extent(key_node, body)
        if type(value_node) is yaml.ScalarNode and value_node.style not in _BLOCK_SCALAR:
            vs = value_node.start_mark.index  # what _yaml_extent gives, without the call
            ve = max(vs, value_node.end_mark.index)
        else:
            vs, ve = _yaml_extent(value_node, body)
        value_span = Span(base + vs, base + ve) if ve > vs else None
        entry = Field(key_text, Span(base + ks, base + ke), value, value_span)
        if key_text in fm.fields:
            fm.duplicates.append(fm.fields[key_text])
        fm.fields[key_text] = entry  # the last occurrence wins, as in data


_BLOCK_SCALAR = ("|", ">")


def _yaml_extent(node: Any, body: str) -> tuple[int, int]:
    """(start, end) of a composed node inside the YAML text (see FrontMatter.node_span)."""
    start = node.start_mark.index
    end = node.end_mark.index
    if isinstance(node, yaml.ScalarNode):
        if node.style in _BLOCK_SCALAR:
            while end > start and body[end - 1] in " \t\r\n":
                end -= 1
        return start, max(start, end)
    if getattr(node, "flow_style", False):
        return start, max(start, end)
    # block collection: its end mark lies at the next token (after comments and blank lines)
    last = None
    stack = [node]
    depth = 0
    while stack and depth < 10000:
        depth += 1
        current = stack.pop()
        if isinstance(current, yaml.ScalarNode) or getattr(current, "flow_style", False) or not current.value:
            last = current
            break
        item = current.value[-1]
        if isinstance(current, yaml.MappingNode):
            key_node, value_node = item
            if isinstance(value_node, yaml.ScalarNode) and value_node.start_mark.index == value_node.end_mark.index:
                stack.append(key_node)  # `key:` with nothing after it
            else:
                stack.append(value_node)
        else:
            stack.append(item)
    if last is None or last is node:
        while end > start and body[end - 1] in " \t\r\n":
            end -= 1
        return start, end
    _, last_end = _yaml_extent(last, body)
    return start, max(start, last_end)


def _parse_toml(fm: FrontMatter) -> None:
    body = fm.body
    base = fm.body_span.start
    try:
        fm.data = tomllib.loads(body)
    except Exception as exc:
        message = str(exc)
        offset = 0
        m = _TOML_ERROR_AT.search(message)
        if m:
            line, column = int(m.group(1)), int(m.group(2))
            pos = 0
            for _ in range(line - 1):
                nl = body.find("\n", pos)
                if nl < 0:
                    pos = len(body)
                    break
                pos = nl + 1
            offset = min(pos + column - 1, len(body))
            message = message[:m.start()].rstrip()
        elif "end of document" in message:
            offset = len(body)
        fm.error = (base + offset, message)
        fm.data = None
        return
    for key, ks, ke, vs, ve in _toml_entries(body):
        if key in fm.fields or key not in fm.data:
            continue
        fm.fields[key] = Field(key, Span(base + ks, base + ke), fm.data[key],
                               Span(base + vs, base + ve) if ve > vs else None)


_TOML_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _toml_key(body: str, i: int) -> tuple[str | None, int, bool]:
    """Parse a key at i: (key text or None, end, dotted)."""
    parts: list[str] = []
    n = len(body)
    while True:
        while i < n and body[i] in " \t":
            i += 1
        if i < n and body[i] in "\"'":
            q = body[i]
            j = i + 1
            while j < n and body[j] != q and body[j] != "\n":
                j += 2 if (q == '"' and body[j] == "\\") else 1
            if j >= n or body[j] != q:
                return None, j, False
            raw = body[i + 1:j]
            if q == '"':
                try:
                    raw = tomllib.loads(f"k = {body[i:j + 1]}")["k"]
                except Exception:
                    pass
            parts.append(raw)
            i = j + 1
        else:
            m = _TOML_BARE_KEY.match(body, i)
            if not m:
                return None, i, False
            parts.append(m.group())
            i = m.end()
        j = i
        while j < n and body[j] in " \t":
            j += 1
        if j < n and body[j] == ".":
            i = j + 1
            continue
        return (parts[0] if len(parts) == 1 else ".".join(parts)), i, len(parts) > 1


def _toml_value_end(body: str, i: int) -> tuple[int, int]:
    """(end of the value's text, position after its line) for a value starting at i."""
    n = len(body)
    depth = 0
    last = i
    while i < n:
        c = body[i]
        if body.startswith('"""', i) or body.startswith("'''", i):
            q = body[i:i + 3]
            j = body.find(q, i + 3)
            while j > 0 and q == '"""' and _escaped(body, j):
                j = body.find(q, j + 1)
            j = n if j < 0 else j + 3
            while j < n and body[j] == q[0]:
                j += 1
            i = last = j
            continue
        if c in "\"'":
            j = i + 1
            while j < n and body[j] != c and body[j] != "\n":
                j += 2 if (c == '"' and body[j] == "\\") else 1
            i = last = min(j + 1, n)
            continue
        if c == "#":
            nl = body.find("\n", i)
            i = n if nl < 0 else nl
            continue
        if c == "\n" or c == "\r":
            if depth <= 0:
                break
        elif c in "[{":
            depth += 1
            last = i + 1
        elif c in "]}":
            depth -= 1
            last = i + 1
        elif c not in " \t":
            last = i + 1
        i += 1
    nl = body.find("\n", i)
    return last, (n if nl < 0 else nl + 1)


def _escaped(body: str, j: int) -> bool:
    k = j - 1
    count = 0
    while k >= 0 and body[k] == "\\":
        count += 1
        k -= 1
    return count % 2 == 1


def _toml_entries(body: str):
    """Yield (key, key_start, key_end, value_start, value_end) for root keys and tables.

    A table's value spans its entries (an array of tables: from its first entry to its last);
    dotted keys are not fields.
    """
    n = len(body)
    pos = 0
    current: list | None = None  # [key_start, key_end, value_start, value_end] of the open table
    in_root = True
    tables: dict[str, list] = {}
    while pos < n:
        i = pos
        while i < n and body[i] in " \t":
            i += 1
        nl = body.find("\n", i)
        line_end = n if nl < 0 else nl
        if i >= n or body[i] in "\r\n#":
            pos = line_end + 1
            continue
        if body[i] == "[":
            in_root = False
            k0 = i + (2 if body.startswith("[[", i) else 1)
            key, kend, dotted = _toml_key(body, k0)
            while k0 < kend and body[k0] in " \t":
                k0 += 1
            current = None
            if key is not None and not dotted:
                current = tables.setdefault(key, [k0, kend, None, None])
            pos = line_end + 1
            continue
        key, kend, dotted = _toml_key(body, i)
        j = kend
        while j < n and body[j] in " \t":
            j += 1
        if key is None or j >= n or body[j] != "=":
            pos = line_end + 1
            continue
        j += 1
        while j < n and body[j] in " \t":
            j += 1
        vend, after = _toml_value_end(body, j)
        if in_root:
            if not dotted:
                yield key, i, kend, j, vend
        elif current is not None:
            if current[2] is None:
                current[2] = i
            current[3] = vend if current[3] is None else max(current[3], vend)
        pos = after
    for key, (ks, ke, vs, ve) in tables.items():
        if vs is None:
            vs = ve = ke
        yield key, ks, ke, vs, ve


# ---------------------------------------------------------------------------------------------
# mistune with a tracking block state
# ---------------------------------------------------------------------------------------------


class _State(BlockState):
    """BlockState that records where each block token starts and ends (``_s``/``_e``)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.spawned: dict[int, tuple[int, "_State"]] = {}
        self.lmap: Any = None  # (child line starts, line info, parent state); None at the root
        self.breaks: list[int] | None = None  # starts of nested rules that ended the current rule

    def child_state(self, src: str, lazy_line_starts=None) -> "_State":  # type: ignore[override]
        child = super().child_state(src, lazy_line_starts)
        self.spawned[id(child.tokens)] = (self.cursor, child)
        return child  # type: ignore[return-value]

    def add_paragraph(self, text: str) -> None:
        last = self.last_token()
        end = self.cursor + len(text)
        if last and last["type"] == "paragraph":
            last["text"] += text
            _extend(last, self.cursor, end)
        else:
            self.tokens.append(
                {"type": "paragraph", "text": text, "_s": self.cursor, "_e": end, "_pieces": [[self.cursor, end]]}
            )

    def append_paragraph(self):
        last = self.last_token()
        if last and last["type"] == "paragraph":
            pos = self.find_line_end()
            last["text"] += self.get_text(pos)
            _extend(last, self.cursor, pos)
            return pos
        return None


def _extend(paragraph: dict, start: int, end: int) -> None:
    """Add src[start:end] to a paragraph's pieces (mistune can add a line after a later block)."""
    pieces = paragraph.setdefault("_pieces", [[paragraph.get("_s", start), paragraph.get("_e", start)]])
    if pieces[-1][1] == start:
        pieces[-1][1] = end
    elif end > start:
        pieces.append([start, end])
    paragraph["_e"] = max(paragraph.get("_e", end), end)


def _tag(state: _State, start: int, n_before: int, end: Any, broken_at: int | None) -> None:
    """Give the tokens a rule just added their start and end.

    ``broken_at``: where a nested rule (a block that ended a block quote or a list item) began:
    the token ends there, not where the rule's return value says.
    """
    toks = state.tokens
    new = [i for i in range(max(0, n_before - 1), len(toks)) if "_s" not in toks[i]]
    if not new:
        return
    e = broken_at if broken_at is not None else (end if end else state.cursor)
    for i in new:
        token = toks[i]
        token["_s"] = start
        token["_e"] = max(e, start)


class _BlockParser(BlockParser):
    def parse_method(self, m, state):  # type: ignore[override]
        if m.lastgroup == "blank_line" and _FAST_BLOCK and (not state.tokens or "_s" in state.tokens[-1]):
            return self._parse_blank_line(m, state)
        start = state.cursor
        n_before = len(state.tokens)
        outer = state.breaks
        state.breaks = mine = []
        try:
            end = super().parse_method(m, state)
        finally:
            state.breaks = outer
        if end and outer is not None:
            outer.append(start)  # this rule ended the enclosing one (block quote or list)
        if m.lastgroup == "setex_heading" and end:
            last = state.last_token()
            if last and last.get("style") == "setext" and last.get("_e", 0) < end:
                last["_e"] = end
        _tag(state, start, n_before, end, mine[0] if mine else None)
        return end

    def _parse_blank_line(self, m, state) -> int | None:
        """parse_method for a blank line (most calls), the same with less bookkeeping: the rule
        adds one token and runs no other rule, so no rule ends inside it. Only when the token
        before is tagged (_tag would tag it too)."""
        toks = state.tokens
        start = state.cursor
        n_before = len(toks)
        end = self._methods["blank_line"](m, state)
        if end and state.breaks is not None:
            state.breaks.append(start)
        stop = max(end if end else state.cursor, start)
        for token in toks[n_before:]:
            if "_s" not in token:
                token["_s"] = start
                token["_e"] = stop
        return end

    def _parse_plain_paragraph(self, state, sc):  # type: ignore[override]
        """Read paragraph lines up to the next line that starts a block or is blank.

        mistune does this only for a line starting with a letter; for any other line (a digit,
        punctuation, "**") it searches the rest of the text for the next block with its whole
        rule set, position by position. Every block rule is anchored at a line start, so that
        search ends at the first later line start a rule matches: the same place this walk
        stops. A line blank only to ``str.strip`` (such as a no-break space) ends the walk
        early; mistune then searches from it and adds the rest to the same paragraph. Lines
        that no rule can start (see _starts_no_block) are not matched at all.
        """
        if not _FAST_BLOCK:
            return super()._parse_plain_paragraph(state, sc)
        src = state.src
        pos = cursor = state.cursor
        end = state.cursor_max
        while pos < end:
            nl = src.find("\n", pos)
            line_end = len(src) if nl < 0 else nl + 1
            if pos > cursor and not _starts_no_block(src, pos, line_end) and sc.match(src, pos):
                break
            if src[pos:line_end].isspace():  # not .strip(), without the copy (never empty here)
                break
            pos = line_end
        if pos <= cursor:
            return False
        state.add_paragraph(src[cursor:pos])
        state.cursor = pos
        return True

    def _parse_indent_code_fast(self, state):  # type: ignore[override]
        """mistune tries this at every block start. Its line test needs four spaces or spaces
        then a tab, so a line starting with anything else (nearly all) is answered here."""
        start = state.cursor
        if _FAST_BLOCK and state.src[start:start + 1] not in _INDENT_STARTS:
            return None
        n_before = len(state.tokens)
        end = super()._parse_indent_code_fast(state)
        if end is not None:
            _tag(state, start, n_before, end, None)
        return end

    def parse_ref_link(self, m, state):  # type: ignore[override]
        last = state.last_token()
        if last and last["type"] == "paragraph":
            return super().parse_ref_link(m, state)
        label = m.group("reflink_1")
        key = unikey(label)
        duplicate = key in state.env["ref_links"]
        end = super().parse_ref_link(m, state)
        if end:
            href, href_pos = parse_link_href(state.src, m.end(), block=True)
            attrs: dict[str, Any] = {"label": label, "duplicate": duplicate}
            if href is not None and href_pos is not None:
                p = _skip_link_start_whitespace(state.src, m.end())
                attrs["url"] = escape_url(unescape_char(href))
                attrs["_href"] = (p + 1, href_pos - 1) if state.src.startswith("<", p) else (p, href_pos)
                if not duplicate:
                    title = state.env["ref_links"].get(key, {}).get("title")
                    if title:
                        attrs["title"] = title
            state.append_token({"type": "link_definition", "attrs": attrs})
        return end


def _starts_no_block(src: str, pos: int, line_end: int) -> bool:
    """Whether no block rule of _ANCHORED_BLOCK_RULES can match the line src[pos:line_end].

    Each needs the line to start with whitespace, a digit or punctuation, except a table row
    without a leading ``|`` (``nptable``), which needs a ``|`` in the line.
    """
    c = src[pos]
    return not (c.isspace() or c.isdigit() or c in _PUNCT) and src.find("|", pos, line_end) < 0


def _skip_link_start_whitespace(src: str, pos: int) -> int:
    n = len(src)
    while pos < n and src[pos] in " \t":
        pos += 1
    if pos < n and src[pos] in "\n\r":
        pos += 2 if src.startswith("\r\n", pos) else 1
        while pos < n and src[pos] in " \t":
            pos += 1
    return pos


_BLOCK = _BlockParser()
_MARKDOWN = mistune.Markdown(
    renderer=None,
    block=_BLOCK,
    plugins=[_table_plugin, _table_in_quote_plugin, _table_in_list_plugin, _strikethrough_plugin, _url_plugin],
)
_INLINE = _MARKDOWN.inline


def _cache_list_break_patterns() -> None:
    """Recent mistune versions build and compile the pattern of the blocks that end a list item
    once per list item, from the parser's rules and the item's indentation alone. Our parser's rules
    are fixed once it is made, so its patterns are kept; any other parser gets mistune's own."""
    build = getattr(mistune.list_parser, "_compile_list_break_sc", None)
    if build is None or getattr(build, "cached_for", None) is not None:
        return
    patterns: dict[int, Any] = {}

    def cached(block: Any, leading_width: int) -> Any:
        if block is not _BLOCK:
            return build(block, leading_width)
        pattern = patterns.get(leading_width)
        if pattern is None:
            pattern = patterns[leading_width] = build(block, leading_width)
        return pattern

    cached.cached_for = _BLOCK  # type: ignore[attr-defined]
    cached.__wrapped__ = build  # type: ignore[attr-defined]
    mistune.list_parser._compile_list_break_sc = cached


_cache_list_break_patterns()
# Block rules whose patterns only match at a line start (see _BlockParser._parse_plain_paragraph);
# the walk is off if mistune was configured with any other rule. Tests turn it off to compare.
_ANCHORED_BLOCK_RULES = frozenset((
    "fenced_code", "indent_code", "atx_heading", "setex_heading", "thematic_break", "block_quote",
    "list", "ref_link", "raw_html", "blank_line", "table", "nptable",
))
_FAST_BLOCK = set(_BLOCK.rules) <= _ANCHORED_BLOCK_RULES and bool(_BLOCK.sc_flag & re.M)
_INDENT_STARTS = (" ", "\t")
_ATX = re.compile(BlockParser.SPECIFICATION["atx_heading"], re.M)
_LIST_ITEM = re.compile(LIST_PATTERN, re.M)
_INLINE_STRIP = " \r\n\t\f"
# Inline spans computed as offset plus a constant where _Ctx.span would do just that; tests turn
# it off to compare with _Ctx.span.
_FAST_SPANS = True
_BLANK = " \t\n\v\f"
_PUNCT = frozenset(string.punctuation)
_LINEBREAK = re.compile(_INLINE.STD_LINEBREAK)
_SOFTBREAK = re.compile(_INLINE.HARD_LINEBREAK)
_BACKTICKS = re.compile(r"`+")
# `(dest)` or `(dest "title")` without escapes, parentheses, angle brackets or line-spanning titles
_SIMPLE_DESTINATION = re.compile(
    r"""[ \t]*([^\s()<>\\\x00-\x1f\x7f]+)(?:[ \t]+(?:"[^"\\\n]*"|'[^'\\\n]*'))?[ \t]*\)"""
)


# ---------------------------------------------------------------------------------------------
# Offsets: child state -> normalised text -> original text
# ---------------------------------------------------------------------------------------------


class _Ctx:
    """Maps offsets of the normalised text (what mistune parses) to offsets of Source.text.

    Identity when nothing was changed; a constant shift past the front matter when the text has
    no CR; otherwise line by line (a normalised column is the original column).
    """

    def __init__(self, source: Source, norm: str, identity: bool, body_norm: int, body_orig: int) -> None:
        self.text = source.text
        self.n = len(source.text)
        self.norm = norm
        self.identity = identity
        self.ols = source.line_starts
        self.shift: int | None = None
        self.nbs = body_norm
        if not identity:
            if "\r" not in source.text:
                self.shift = body_orig - body_norm
        self._nls: list[int] | None = None
        self.fallbacks = 0

    @property
    def nls(self) -> list[int]:
        """Line starts of the normalised text; made on first use, since with a constant shift
        most documents never map an offset line by line."""
        nls = self._nls
        if nls is None:
            nls = self._nls = [0]
            nls.extend(m.end() for m in re.finditer("\n", self.norm))
        return nls

    def orig_start(self, x: int) -> int:
        if self.identity:
            return min(x, self.n)
        if self.shift is not None and x >= self.nbs:
            return min(x + self.shift, self.n)
        line = bisect.bisect_right(self.nls, x) - 1
        if line >= len(self.ols):
            return self.n
        return min(self.ols[line] + x - self.nls[line], self.n)

    def orig_end(self, x: int) -> int:
        """Offset just after the character at normalised offset x."""
        if self.identity:
            return min(x + 1, self.n)
        if self.shift is not None and x >= self.nbs:
            return min(x + 1 + self.shift, self.n)
        line = bisect.bisect_right(self.nls, x) - 1
        if line >= len(self.ols):
            return self.n
        if x < len(self.norm) and self.norm[x] == "\n":
            return self.ols[line + 1] if line + 1 < len(self.ols) else self.n
        return min(self.ols[line] + x - self.nls[line] + 1, self.n)

    def shift_over(self, state: _State, lo: int, hi: int) -> int | None:
        """d such that :meth:`span` maps state.src[s:e] to (s + d, e + d), each capped at the
        text's length, whenever lo <= s <= e <= hi; None when the mapping is not that simple
        there: a range over two lines of a nested block's text, offsets in the indentation or
        ``>`` a nested line was cut from, lines before the body of a text with CRs."""
        d = 0
        while state.lmap is not None:  # what _to_norm does, for a range within one line
            starts, info, parent = state.lmap
            i = bisect.bisect_right(starts, lo) - 1
            if i < 0 or (i + 1 < len(starts) and hi >= starts[i + 1]):
                return None
            crs, prs, _ = info[i]
            if lo < crs:
                return None
            step = prs - crs
            lo += step
            hi += step
            d += step
            state = parent
        if self.identity:
            return d
        if self.shift is not None and lo >= self.nbs:
            return d + self.shift
        return None

    def span(self, state: _State, s: int, e: int) -> Span:
        """File span of state.src[s:e]."""
        if e < s:
            e = s
        if state.lmap is None:
            if self.identity:
                n = self.n
                return Span(min(s, n), min(e, n))
            if self.shift is not None and s >= self.nbs:
                n, d = self.n, self.shift
                return Span(min(s + d, n), min(e + d, n))
            a = self.orig_start(s)
            return Span(a, a) if e == s else Span(a, max(a, self.orig_end(e - 1)))
        a = self.orig_start(_to_norm(state, s))
        if e == s:
            return Span(a, a)
        return Span(a, max(a, self.orig_end(_to_norm(state, e - 1))))


def _to_norm(state: _State, o: int) -> int:
    while state.lmap is not None:
        starts, info, parent = state.lmap
        i = bisect.bisect_right(starts, o) - 1
        if i < 0:
            i = 0
        crs, prs, pws = info[i]
        o = prs + (o - crs) if o >= crs else max(pws, prs - (crs - o))
        state = parent
    return o


def _align(ctx: _Ctx, child: _State, parent: _State, pstart: int) -> None:
    """Map each line of child.src to the parent line it was derived from (its tail)."""
    csrc, psrc = child.src, parent.src
    cn, pn = len(csrc), len(psrc)
    starts: list[int] = []
    info: list[tuple[int, int, int]] = []
    c, p = 0, min(pstart, pn)
    while c < cn or not starts:
        ce = csrc.find("\n", c)
        if ce < 0:
            ce = cn
        rest = csrc[c:ce].lstrip(" \t")
        crs = ce - len(rest)
        pe = psrc.find("\n", p)
        if pe < 0:
            pe = pn
        if rest and not psrc.endswith(rest, p, pe):
            ctx.fallbacks += 1
            prs = p
        else:
            prs = pe - len(rest)
        pws = prs
        while pws > p and psrc[pws - 1] in " \t":
            pws -= 1
        starts.append(c)
        info.append((crs, prs, pws))
        c = ce + 1
        p = min(pe + 1, pn)
    child.lmap = (starts, info, parent)


# ---------------------------------------------------------------------------------------------
# Blocks
# ---------------------------------------------------------------------------------------------


def _trim(src: str, s: int, e: int, keep_indent: bool = False) -> tuple[int, int]:
    e = min(e, len(src))
    s = min(s, e)
    if keep_indent:
        while True:  # skip blank lines only
            nl = src.find("\n", s, e)
            if nl < 0 or src[s:nl].strip(_BLANK):
                break
            s = nl + 1
    else:
        while s < e and src[s] in _BLANK:
            s += 1
    while e > s and src[e - 1] in _BLANK:
        e -= 1
    return s, e


def _blocks(ctx: _Ctx, state: _State, tokens: list[dict]) -> list[Node]:
    out: list[Node] = []
    src = state.src
    for t in tokens:
        ty = t.get("type")
        if ty == "blank_line":
            continue
        approx = False
        if "_s" not in t:
            ctx.fallbacks += 1
            s0, e0, approx = 0, len(src), True
        else:
            s0, e0 = t["_s"], t["_e"]
        keep = ty == "block_code" and t.get("style") == "indent"
        s, e = _trim(src, s0, e0, keep)
        attrs = dict(t.get("attrs") or {})
        node = Node(ty, ctx.span(state, s, e), attrs, approximate=approx)
        if ty in ("paragraph", "block_text"):
            node.children = _inline_block(ctx, state, t.get("text", ""), s0, node, pieces=t.get("_pieces"))
        elif ty == "heading":
            attrs["style"] = t.get("style")
            text = t.get("text", "")
            if t.get("style") == "atx":
                m = _ATX.match(src, s0)
                if m:
                    group = m.group("atx_2")
                    off = m.start("atx_2") + len(group) - len(group.lstrip(string.whitespace))
                else:
                    off = s
                node.children = _inline_block(ctx, state, text, off, node, stripped=True, text_span=True)
            else:
                node.children = _inline_block(
                    ctx, state, text, s0, node, pieces=t.get("_pieces"), text_span=True
                )
        elif ty == "block_code":
            node.raw = t.get("raw")
            attrs["style"] = t.get("style")
            if "marker" in t:
                attrs["marker"] = t["marker"]
        elif ty == "block_html":
            node.raw = t.get("raw")
        elif ty == "block_quote":
            node.children = _container(ctx, state, t, s)
        elif ty == "list":
            attrs["bullet"] = t.get("bullet")
            attrs["tight"] = t.get("tight")
            node.children = _list_items(ctx, state, t, s, e)
        elif ty == "table":
            node.children = _table(ctx, state, t, s0, e, node)
        elif ty == "link_definition":
            href = attrs.pop("_href", None)
            attrs["url_span"] = ctx.span(state, href[0], href[1]) if href else None
        out.append(node)
    return out


def _container(ctx: _Ctx, state: _State, token: dict, line_start_of: int) -> list[Node]:
    entry = state.spawned.get(id(token.get("children")))
    if entry is None:
        return _fallback_tree(ctx, token.get("children") or [], ctx.span(state, line_start_of, line_start_of))
    child = entry[1]
    p = state.src.rfind("\n", 0, line_start_of) + 1
    _align(ctx, child, state, p)
    return _blocks(ctx, child, token["children"])


def _list_items(ctx: _Ctx, state: _State, token: dict, s: int, e: int) -> list[Node]:
    src = state.src
    items = token.get("children") or []
    entries = [state.spawned.get(id(item.get("children"))) for item in items]
    starts: list[int] = []
    for k in range(len(items)):
        if k == 0:
            starts.append(s)
            continue
        prev = entries[k - 1]
        if prev is None:
            starts.append(starts[-1])
            continue
        cursor = prev[0]
        ls = src.rfind("\n", 0, max(cursor - 1, 0)) + 1
        while ls < len(src) and src[ls] in " \t":
            ls += 1
        starts.append(max(ls, starts[-1]))
    out: list[Node] = []
    for k, item in enumerate(items):
        start = starts[k]
        end = starts[k + 1] if k + 1 < len(items) else e
        a, b = _trim(src, start, end)
        node = Node("list_item", ctx.span(state, a, b))
        entry = entries[k]
        if entry is None:
            ctx.fallbacks += 1
            node.approximate = True
            node.children = _fallback_tree(ctx, item.get("children") or [], node.span)
        else:
            child = entry[1]
            line_start = src.rfind("\n", 0, start) + 1
            m = _LIST_ITEM.match(src, line_start)
            if m and not m.group("list_3").strip() and child.src.strip():
                nl = src.find("\n", line_start)
                line_start = len(src) if nl < 0 else nl + 1
            _align(ctx, child, state, line_start)
            node.children = _blocks(ctx, child, item["children"])
        out.append(node)
    return out


def _split_cells(text: str, base: int) -> list[tuple[int, int]]:
    """Cells of a table row as (start, end) offsets, like mistune's _split_table_cells."""
    cells = []
    start = 0
    pos = 0
    n = len(text)
    while pos < n:
        if text[pos] == "|":
            k = pos - 1
            backslashes = 0
            while k >= 0 and text[k] == "\\":
                backslashes += 1
                k -= 1
            if backslashes % 2 == 0:
                cells.append((start, pos))
                start = pos + 1
        pos += 1
    cells.append((start, n))
    out = []
    for a, b in cells:
        cell = text[a:b]
        lead = len(cell) - len(cell.lstrip())
        tail = len(cell) - len(cell.rstrip())
        if lead == len(cell):
            out.append((base + a + lead, base + a + lead))
        else:
            out.append((base + a + lead, base + b - tail))
    return out


def _row_cells(src: str, ls: int, le: int, count: int) -> list[tuple[int, int]] | None:
    line = src[ls:le]
    text = line.rstrip(" \t")
    off = 0
    if not text.startswith("|") and text.startswith((" ", "\t")):
        stripped = text.lstrip(" ")
        off = len(text) - len(stripped)
        text = stripped
    if text.startswith("|") and text.endswith("|") and len(text) >= 2:
        cells = _split_cells(text[1:-1], ls + off + 1)
        if len(cells) == count:
            return cells
    cells = _split_cells(line.rstrip(" \t"), ls)
    if len(cells) == count:
        return cells
    return None


def _table(ctx: _Ctx, state: _State, token: dict, s0: int, e: int, table: Node) -> list[Node]:
    """Head, body, rows and cells: the header line, the delimiter line, then one line per row."""
    src = state.src
    children = token.get("children") or []
    wanted = 2 + sum(len(c.get("children") or []) for c in children if c.get("type") == "table_body")
    lines: list[tuple[int, int]] = []
    pos = s0
    while pos < len(src) and len(lines) < wanted:
        nl = src.find("\n", pos)
        le = len(src) if nl < 0 else nl
        lines.append((pos, le))
        pos = le + 1
    out: list[Node] = []
    for part in children:
        if part.get("type") == "table_head":
            ls, le = lines[0] if lines else (s0, s0)
            a, b = _trim(src, ls, le)
            head = Node("table_head", ctx.span(state, a, b))
            head.children = _cells(ctx, state, part.get("children") or [], ls, le, head)
            out.append(head)
        else:
            rows = part.get("children") or []
            body_lines = lines[2:2 + len(rows)]
            if body_lines:
                a = _trim(src, body_lines[0][0], body_lines[0][1])[0]
                b = _trim(src, body_lines[-1][0], body_lines[-1][1])[1]
                body = Node("table_body", ctx.span(state, a, b))
            else:
                body = Node("table_body", Span(table.span.end, table.span.end))
            for k, row in enumerate(rows):
                if k < len(body_lines):
                    ls, le = body_lines[k]
                    a, b = _trim(src, ls, le)
                    row_node = Node("table_row", ctx.span(state, a, b))
                    row_node.children = _cells(ctx, state, row.get("children") or [], ls, le, row_node)
                else:
                    ctx.fallbacks += 1
                    row_node = Node("table_row", body.span, approximate=True)
                    row_node.children = _fallback_tree(ctx, row.get("children") or [], body.span)
                body.children.append(row_node)
            out.append(body)
    return out


def _cells(ctx: _Ctx, state: _State, cells: list[dict], ls: int, le: int, row: Node) -> list[Node]:
    positions = _row_cells(state.src, ls, le, len(cells))
    out = []
    for k, cell in enumerate(cells):
        attrs = dict(cell.get("attrs") or {})
        if positions is None:
            ctx.fallbacks += 1
            node = Node("table_cell", row.span, attrs, approximate=True)
            cell_text = cell.get("text", "").strip(_INLINE_STRIP)
            node.children = _fallback_tree(ctx, _INLINE(cell_text, state.env) if cell_text else [], row.span)
        else:
            a, b = positions[k]
            node = Node("table_cell", ctx.span(state, a, b), attrs)
            node.children = _inline_block(ctx, state, cell.get("text", ""), a, node, stripped=True)
        out.append(node)
    return out


def _fallback_tree(ctx: _Ctx, tokens: list[dict], span: Span) -> list[Node]:
    out = []
    for t in tokens:
        if t.get("type") == "blank_line":
            continue
        ctx.fallbacks += 1
        node = Node(t.get("type", "text"), span, dict(t.get("attrs") or {}), raw=t.get("raw"), approximate=True)
        kids = t.get("children")
        if isinstance(kids, list):
            node.children = _fallback_tree(ctx, kids, span)
        out.append(node)
    return out


# ---------------------------------------------------------------------------------------------
# Inline
# ---------------------------------------------------------------------------------------------


class _Miss(Exception):
    pass


def _inline_block(
    ctx: _Ctx,
    state: _State,
    text: str,
    off: int,
    parent: Node,
    stripped: bool = False,
    pieces: Any = None,
    text_span: bool = False,
) -> list[Node]:
    """Parse a block's inline text (as mistune would) and give every inline node its span.

    ``off`` is where ``text`` starts in state.src (``stripped``: where its stripped form starts).
    ``pieces``: the (start, end) ranges of state.src a paragraph's text was gathered from.
    ``text_span``: record the span of the inline text in ``parent.attrs["text_span"]``.
    """
    S = text.strip(_INLINE_STRIP)
    lead = len(text) - len(text.lstrip(_INLINE_STRIP))
    if not S:
        if text_span:  # an empty heading: an empty span at its end
            parent.attrs["text_span"] = Span(parent.span.end, parent.span.end)
        return []
    src = state.src
    plain = _FAST_INLINE and not _has_inline_syntax(S)
    if pieces is not None and len(pieces) > 1:
        if "".join(src[a:b] for a, b in pieces) == text:
            walker = _InlineWalker(ctx, state, 0, S, (pieces, lead))
            if text_span:
                parent.attrs["text_span"] = walker.span(0, len(S))
            if plain:
                return _plain_nodes(walker, S)
            tokens = (_FAST_INLINE and _simple_inline(S)) or _INLINE(S, state.env)
            try:
                nodes, _ = walker.seq(tokens, 0)
            except (_Miss, IndexError, RecursionError):
                return _fallback_tree(ctx, _INLINE(S, state.env), parent.span)
            return nodes
    if not stripped:
        off += lead
    if not src.startswith(S, off):
        found = src.find(S, max(0, off - len(text) - 8))
        if found < 0:
            tokens = _INLINE(S, state.env)
            ctx.fallbacks += 1
            return _fallback_tree(ctx, tokens, parent.span)
        off = found
    if text_span:
        parent.attrs["text_span"] = ctx.span(state, off, off + len(S))
    # Most text: file offsets are offsets in S plus a constant, none past the end of the file
    # (what _InlineWalker.span gives), and the nodes are made without a walker.
    shift = ctx.shift_over(state, off, off + len(S)) if _FAST_SPANS else None
    if shift is not None and off + len(S) + shift <= ctx.n:
        if plain:
            return _shifted_plain_nodes(S, off + shift)
        tokens = _simple_inline(S) if _FAST_INLINE else None
        if tokens is not None:
            return _simple_nodes(tokens, off + shift)
    else:
        tokens = _simple_inline(S) if _FAST_INLINE and not plain else None
    walker = _InlineWalker(ctx, state, off, S)
    if plain:
        return _plain_nodes(walker, S)
    if tokens is None:
        tokens = _INLINE(S, state.env)
    try:
        nodes, end = walker.seq(tokens, 0)
    except (_Miss, IndexError, RecursionError):
        return _fallback_tree(ctx, tokens, ctx.span(state, off, off + len(S)))
    return nodes


# Inline text the fast path may handle: none of the characters that can start a rule of
# _INLINE (escape, code, emphasis, strikethrough, links and images, link ends, autolinks, HTML)
# nor a bare URL. Line breaks are the only syntax left, found as mistune finds them. "!" alone is
# plain text: it starts nothing without "[".
_INLINE_SYNTAX = re.compile(r"[\\`*_~\[\]<]|https?://")
# Its two parts apart: a character class alone is searched far faster than the alternation.
_SYNTAX_CHAR = re.compile(r"[\\`*_~\[\]<]")
_URL_START = re.compile(r"https?://")
_PLAIN_RULES = frozenset((
    "escape", "codespan", "emphasis", "strikethrough", "link", "link_close", "auto_link",
    "auto_email", "inline_html", "linebreak", "softbreak", "url_link",
))
# Off when mistune was configured with a rule _INLINE_SYNTAX does not account for; tests turn it
# off to compare with mistune's own inline parser.
_FAST_INLINE = set(_INLINE.rules) <= _PLAIN_RULES


def _has_inline_syntax(S: str, a: int = 0, b: int | None = None) -> bool:
    """Whether _INLINE_SYNTAX matches in S[a:b]."""
    if b is None:
        b = len(S)
    if _SYNTAX_CHAR.search(S, a, b):
        return True
    return S.find("://", a, b) >= 0 and _URL_START.search(S, a, b) is not None


def _plain_inline(S: str, pos: int = 0, n: int | None = None) -> list[tuple[str, int, int]]:
    """mistune's inline tokens for text without inline syntax (see _INLINE_SYNTAX), as
    (type, start, end) in S: text runs and the breaks between lines. ``pos`` and ``n`` limit it
    to S[pos:n] (a break may then end past ``n``).

    Like mistune, the spaces before a line's end belong to the break: two or more make a
    ``linebreak``, fewer a ``softbreak``; either also takes the next line's leading whitespace.
    """
    out = []
    if n is None:
        n = len(S)
    while pos < n:
        nl = S.find("\n", pos, n)
        if nl < 0:
            out.append(("text", pos, n))
            break
        start = nl
        while start > pos and S[start - 1] == " ":
            start -= 1
        if start > pos:
            out.append(("text", pos, start))
        m = _LINEBREAK.match(S, start)
        if m:
            out.append(("linebreak", start, m.end()))
        else:
            m = _SOFTBREAK.match(S, start)
            out.append(("softbreak", start, m.end()))  # type: ignore[union-attr]
        pos = m.end()  # type: ignore[union-attr]
    return out


# Inline text made of plain runs and these constructs with plain contents covers most of what
# the fast path above leaves to mistune: ``[text](destination)``, ``![alt](destination)``,
# ``*emphasis*``, ``**strong**`` (and with ``_``), ```code```, ``<https://autolinks>`` and bare
# ``https://`` URLs. Plain here means no inline syntax (_INLINE_SYNTAX) and no line break; a
# destination has no spaces, parentheses, angle brackets, escapes or title. Autolinks and bare
# URLs are matched with mistune's own patterns, then kept only without the characters of
# _URL_UNSAFE.
_SIMPLE_CONSTRUCT = re.compile(  # the lookahead lets the search skip to a possible start
    r"(?=[!\[*_`<]|https?://)(?:"
    r"(?P<bang>!?)\[(?P<label>[^\\`*_~\[\]<\n]*)\]\((?P<dest>[^\s()<>\\\x00-\x1f\x7f]+)\)"
    r"|(?P<stars>\*\*?|__?)(?P<inner>[^\\`*_~\[\]<\n]+)(?P=stars)"
    r"|`(?P<code>[^`\n]+)`(?!`)"
    r"|<(?P<auto>[A-Za-z][A-Za-z0-9.+-]{1,31}:[^<>\x00-\x20]*)>"  # mistune's auto_link
    r"|(?P<bare>" + URL_LINK_PATTERN + r")"
    r")"
)
_URL_UNSAFE = re.compile(r"[\\`*~\[\]]")
# A link text that is one bare URL as the url plugin matches it: mistune keeps it as the text.
_BARE_URL = re.compile(URL_LINK_PATTERN)
# Around emphasis only characters whose flanking does not depend on what mistune counts as
# punctuation or whitespace. The opening run precedes a letter or digit (so it can open), the
# closing run follows one and is not followed by another ``*`` (so it can close); with ``*``
# that is enough. A closing run after one of a few punctuation marks precedes the end, a space
# or a line break. ``_`` must not be inside a word: its opening run follows the start, a space
# or a line break, its closing run precedes one of those or common punctuation.
_EMPHASIS_BEFORE = ("", " ", "\n")
_EMPHASIS_AFTER_WORD = ("", " ", "\n", ":", ",", ".", ";", "!", "?", ")")
_EMPHASIS_AFTER_MARK = ("", " ", "\n")
_EMPHASIS_LAST_MARKS = frozenset(":.!?)")


def _simple_inline(S: str) -> list[dict] | None:
    """mistune's inline tokens for S when it is made only of plain runs and the simple
    constructs of _SIMPLE_CONSTRUCT; None for anything else (then mistune parses S).

    Each token also tells where it lies in S (``_at``: start, end; ``_text`` and ``_dest``: a
    link's text and destination; ``_style``: as _InlineWalker.link names it), so that
    _simple_nodes can make the nodes without walking S again.
    """
    out: list[dict] = []
    pos = 0
    for m in _SIMPLE_CONSTRUCT.finditer(S):
        if not _plain_run(S, pos, m.start(), out):
            return None
        token = _simple_token(S, m)
        if token is None:
            return None
        out.append(token)
        pos = m.end()
    if not out or not _plain_run(S, pos, len(S), out):
        return None
    return out


def _simple_token(S: str, m: re.Match) -> dict | None:
    """The token of one _SIMPLE_CONSTRUCT match, or None when mistune might read it otherwise."""
    a, b = m.span()
    kind = m.lastgroup
    if kind == "code":
        code = m.group("code")
        if code.strip(" ") and code.startswith(" ") and code.endswith(" "):
            code = code[1:-1]  # one space each side is padding, as in mistune's parse_codespan
        return {"type": "codespan", "raw": code, "_at": (a, b)}
    if kind == "inner":
        return _emphasis_token(S, m, a, b)
    if kind == "auto" or kind == "bare":
        url = m.group(kind)
        if _URL_UNSAFE.search(url):
            return None
        start, end = m.span(kind)
        text = {"type": "text", "raw": url, "_at": (start, end)}
        return {"type": "link", "children": [text], "attrs": {"url": escape_url(url)}, "_at": (a, b),
                "_style": "autolink" if kind == "auto" else "bare"}
    label = m.group("label")
    image = bool(m.group("bang"))
    if _has_inline_syntax(label) and (image or not _BARE_URL.fullmatch(label)):
        return None
    url = escape_url(unescape_char(m.group("dest")))  # what mistune's parse_link makes of it
    children = [{"type": "text", "raw": label, "_at": m.span("label")}] if label else []
    return {"type": "image" if image else "link", "children": children, "attrs": {"url": url},
            "_at": (a, b), "_text": m.span("label"), "_dest": m.span("dest"), "_style": "inline"}


def _emphasis_token(S: str, m: re.Match, a: int, b: int) -> dict | None:
    inner = m.group("inner")
    stars = m.group("stars")
    before = S[a - 1:a]
    after = S[b:b + 1]
    last = inner[-1]
    if not inner[0].isalnum() or _has_inline_syntax(inner):
        return None
    if last.isalnum():
        if stars[0] == "*" and after != "*" or after in _EMPHASIS_AFTER_WORD:
            pass
        else:
            return None
    elif last not in _EMPHASIS_LAST_MARKS or after not in _EMPHASIS_AFTER_MARK:
        return None
    if stars[0] == "_" and before not in _EMPHASIS_BEFORE:
        return None
    text = {"type": "text", "raw": inner, "_at": m.span("inner")}
    return {"type": "strong" if len(stars) == 2 else "emphasis", "children": [text], "_at": (a, b)}


def _plain_run(S: str, a: int, b: int, out: list[dict]) -> bool:
    """Add the tokens of the plain text S[a:b] to ``out``; False when it is not plain."""
    if a == b:
        return True
    if _has_inline_syntax(S, a, b):
        return False
    for ty, x, y in _plain_inline(S, a, b):
        if y > b:
            return False
        out.append({"type": "text", "raw": S[x:y], "_at": (x, y)} if ty == "text" else {"type": ty, "_at": (x, y)})
    return True


def _simple_nodes(tokens: list[dict], shift: int) -> list[Node]:
    """The nodes _InlineWalker makes of _simple_inline's tokens where its spans are offsets
    plus ``shift`` (none past the end of the file), from the positions the tokens carry."""
    out = []
    for t in tokens:
        a, b = t["_at"]
        span = Span(a + shift, b + shift)
        ty = t["type"]
        if ty == "text" or ty == "codespan":
            out.append(Node(ty, span, raw=t["raw"]))
        elif ty == "softbreak" or ty == "linebreak":
            out.append(Node(ty, span))
        elif ty == "emphasis" or ty == "strong":
            out.append(Node(ty, span, {}, _simple_nodes(t["children"], shift)))
        else:  # link or image, as _InlineWalker.link makes them
            attrs = dict(t["attrs"])
            children = _simple_nodes(t["children"], shift)
            style = t["_style"]
            if style == "inline":
                ta, tb = t["_text"]
                attrs["text_span"] = Span(ta + shift, tb + shift)
                da, db = t["_dest"]
                attrs.update(style=style, url_span=Span(da + shift, db + shift))
            else:  # autolink or bare URL: the link's text is its address
                inner = children[0].span
                attrs.update(style=style, text_span=inner, url_span=inner)
                if style == "bare":
                    span = inner
            out.append(Node(ty, span, attrs, children))
    return out


def _plain_nodes(walker: "_InlineWalker", S: str) -> list[Node]:
    """The nodes the walker would make of _plain_inline's tokens, without running mistune."""
    shift = walker.shift
    if shift is not None and walker.off + len(S) + shift <= walker.ctx.n:
        return _shifted_plain_nodes(S, walker.off + shift)
    return [
        Node(ty, walker.span(a, b), raw=S[a:b]) if ty == "text" else Node(ty, walker.span(a, b))
        for ty, a, b in _plain_inline(S)
    ]


def _shifted_plain_nodes(S: str, shift: int) -> list[Node]:
    """_plain_nodes where the walker's spans are offsets in S plus ``shift``, none past the end
    of the file."""
    if "\n" not in S:  # one line: one text node
        return [Node("text", Span(shift, len(S) + shift), raw=S)]
    return [
        Node(ty, Span(a + shift, b + shift), raw=S[a:b]) if ty == "text" else Node(ty, Span(a + shift, b + shift))
        for ty, a, b in _plain_inline(S)
    ]


class _InlineWalker:
    def __init__(self, ctx: _Ctx, state: _State, off: int, S: str, pieces: Any = None) -> None:
        self.ctx = ctx
        self.state = state
        self.off = off
        self.S = S
        self.literal = False  # inside autolinks and bare URLs a backslash is just a character
        self.pieces = None
        # the constant that span() adds, when ctx.span would only add one (see _Ctx.shift_over)
        self.shift = ctx.shift_over(state, off, off + len(S)) if pieces is None and _FAST_SPANS else None
        if pieces is not None:
            ranges, lead = pieces
            self.pieces = ranges
            self.lead = lead
            self.cum = []
            total = 0
            for a, b in ranges:
                self.cum.append(total)
                total += b - a

    def _at(self, k: int) -> int:
        k += self.lead
        i = max(0, bisect.bisect_right(self.cum, k) - 1)
        return self.pieces[i][0] + k - self.cum[i]

    def span(self, a: int, b: int) -> Span:
        shift = self.shift
        if shift is not None:
            n = self.ctx.n
            start = min(self.off + a + shift, n)
            return Span(start, min(self.off + b + shift, n) if b > a else start)
        if self.pieces is None:
            return self.ctx.span(self.state, self.off + a, self.off + b)
        sa = self._at(a)
        if b <= a:
            return self.ctx.span(self.state, sa, sa)
        return self.ctx.span(self.state, sa, self._at(b - 1) + 1)

    def seq(self, tokens: list[dict], pos: int) -> tuple[list[Node], int]:
        nodes = []
        for t in tokens:
            node, pos = self.one(t, pos)
            nodes.append(node)
        return nodes, pos

    def text(self, raw: str, pos: int) -> int:
        """End of the source text that produced ``raw``, starting at pos.

        In text a backslash before ASCII punctuation is always an escape (mistune's first inline
        rule), so it is consumed with the character it escapes; any other character is literal.
        """
        S = self.S
        if (self.literal or "\\" not in raw) and S.startswith(raw, pos):
            return pos + len(raw)
        n = len(S)
        j = pos
        for c in raw:
            if j >= n:
                break
            sj = S[j]
            if sj == "\\" and j + 1 < n and S[j + 1] in _PUNCT:
                if S[j + 1] != c:
                    break
                j += 2
            elif sj == c:
                j += 1
            else:
                break
        else:
            return j
        if S.startswith(raw, pos):  # an autolink's text kept verbatim inside a link's text
            return pos + len(raw)
        raise _Miss(raw)

    def literal_seq(self, tokens: list[dict], pos: int) -> tuple[list[Node], int]:
        saved = self.literal
        self.literal = True
        try:
            return self.seq(tokens, pos)
        finally:
            self.literal = saved

    def one(self, t: dict, pos: int) -> tuple[Node, int]:
        S = self.S
        ty = t.get("type")
        if ty == "text":
            raw = t.get("raw", "")
            end = self.text(raw, pos)
            return Node("text", self.span(pos, end), raw=raw), end
        if ty in ("emphasis", "strong", "strikethrough"):
            if ty == "strikethrough":
                k, ch = 2, "~"
            else:
                k = 1 if ty == "emphasis" else 2
                ch = S[pos] if pos < len(S) else ""
                if ch not in ("*", "_"):
                    raise _Miss(ty)
            if S[pos:pos + k] != ch * k:
                raise _Miss(ty)
            kids, q = self.seq(t.get("children") or [], pos + k)
            if S[q:q + k] != ch * k:
                raise _Miss(ty)
            end = q + k
            return Node(ty, self.span(pos, end), dict(t.get("attrs") or {}), kids), end
        if ty == "codespan":
            m = _BACKTICKS.match(S, pos)
            if not m:
                raise _Miss(ty)
            size = m.end() - m.start()
            close = None
            for m2 in _BACKTICKS.finditer(S, m.end()):
                if m2.end() - m2.start() == size:
                    close = m2.start()
                    break
            if close is None:
                raise _Miss(ty)
            end = close + size
            return Node(ty, self.span(pos, end), raw=t.get("raw")), end
        if ty == "inline_html":
            raw = t.get("raw", "")
            if not S.startswith(raw, pos):
                raise _Miss(ty)
            end = pos + len(raw)
            return Node(ty, self.span(pos, end), raw=raw), end
        if ty == "linebreak":
            m = _LINEBREAK.match(S, pos)
            if not m:
                raise _Miss(ty)
            return Node(ty, self.span(pos, m.end())), m.end()
        if ty == "softbreak":
            m = _SOFTBREAK.match(S, pos)
            if not m:
                raise _Miss(ty)
            return Node(ty, self.span(pos, m.end())), m.end()
        if ty in ("link", "image"):
            return self.link(t, pos)
        raise _Miss(str(ty))

    def link(self, t: dict, pos: int) -> tuple[Node, int]:
        S = self.S
        ty = t["type"]
        attrs = dict(t.get("attrs") or {})
        children = t.get("children") or []
        if ty == "link" and S.startswith("<", pos):
            # <scheme:...> or <user@host>
            close = S.find(">", pos)
            if close < 0:
                raise _Miss("autolink")
            kids, q = self.literal_seq(children, pos + 1)
            if q != close:
                raise _Miss("autolink")
            inner = self.span(pos + 1, close)
            attrs.update(style="autolink", text_span=inner, url_span=inner)
            return Node(ty, self.span(pos, close + 1), attrs, kids), close + 1
        if ty == "link" and not S.startswith("[", pos):
            kids, q = self.literal_seq(children, pos)  # a bare URL: its text is the link
            inner = self.span(pos, q)
            attrs.update(style="bare", text_span=inner, url_span=inner)
            return Node(ty, inner, attrs, kids), q
        opener = "![" if ty == "image" else "["
        if not S.startswith(opener, pos):
            raise _Miss(ty)
        inner_start = pos + len(opener)
        kids, q = self.seq(children, inner_start)
        if not S.startswith("]", q):
            raise _Miss(ty)
        attrs["text_span"] = self.span(inner_start, q)
        r = q + 1
        if "ref" in t:
            end = r
            if S.startswith("[", r):
                label, next_pos = parse_link_label(S, r + 1)
                if label is not None and next_pos is not None and (label == "" or label == t.get("label")):
                    end = next_pos
            attrs.update(style="reference", url_span=None, label=t.get("label"))
            return Node(ty, self.span(pos, end), attrs, kids), end
        if not S.startswith("(", r):
            raise _Miss(ty)
        m = _SIMPLE_DESTINATION.match(S, r + 1)
        if m:  # the common case, which mistune's parser reads the same way
            url_span = self.span(m.start(1), m.end(1))
            next_pos = m.end()
        else:
            parsed, next_pos = parse_link(S, r + 1, max_nested_level=_INLINE.max_nested_level)
            if parsed is None or next_pos is None:
                raise _Miss(ty)
            p = _skip_link_start_whitespace(S, r + 1)
            href, href_pos = parse_link_href(S, r + 1)
            if href is None or href_pos is None:
                url_span = self.span(p, p)
            elif S.startswith("<", p):
                url_span = self.span(p + 1, href_pos - 1)
            else:
                url_span = self.span(p, href_pos)
        attrs.update(style="inline", url_span=url_span)
        return Node(ty, self.span(pos, next_pos), attrs, kids), next_pos


# ---------------------------------------------------------------------------------------------
# parse
# ---------------------------------------------------------------------------------------------


def _normalise(text: str) -> str:
    if "\r" in text:
        return LINE_BREAK.sub("\n", text)
    return text


_CODE_TYPES = frozenset(("block_code", "codespan"))
_HTML_TYPES = frozenset(("block_html", "inline_html"))


def _finish(nodes: list[Node], parent: Node | None, code: list[Span], html: list[Span],
            order: list[Node]) -> None:
    """Collect code and HTML spans and the nodes in document order (:meth:`Document.walk`), and
    keep children inside their parent: only whitespace-only blocks need it (an indented code
    block of spaces at the end of a block quote whose span stops at its last ``>``)."""
    if parent is not None:
        ps, pe = parent.span.start, parent.span.end
    for node in nodes:
        order.append(node)
        if parent is not None:
            cs, ce = node.span.start, node.span.end
            if cs < ps or ce > pe:
                cs = min(max(cs, ps), pe)
                node.span = Span(cs, min(max(ce, cs), pe))
        ty = node.type
        if ty in _CODE_TYPES:
            code.append(node.span)
        elif ty in _HTML_TYPES:
            html.append(node.span)
        if node.children:
            _finish(node.children, node, code, html, order)


def _merged(spans: list[Span]) -> list[Span]:
    out: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, s.end)):
        if out and span.start < out[-1].end:
            if span.end > out[-1].end:
                out[-1] = Span(out[-1].start, span.end)
            continue
        out.append(span)
    return out


def parse(source: Source) -> Document:
    """Parse a Source into a Document. Never raises on any text.

    Front matter must start on the first line (``---`` for YAML, ``+++`` for TOML) and be closed
    by a delimiter line; an unclosed opening line is not front matter (see the module docs).
    """
    front: FrontMatter | None = None
    unclosed: Span | None = None
    try:
        kind, close = _find_front_matter(source)
        if kind is not None and close > 0:
            front = _front_matter(source, kind, close)
        elif kind is not None:
            unclosed = Span(0, source.line_ends[0])
    except Exception:  # pragma: no cover - defensive: treat the text as having no front matter
        front, unclosed = None, None
    try:
        return _parse_body(source, front, unclosed)
    except Exception as exc:  # pragma: no cover - defensive: a bug must not stop a whole run
        spans = [front.span] if front is not None else []
        return Document(source, front, [], spans, unclosed_front_matter=unclosed, fallbacks=1,
                        parse_error=f"{type(exc).__name__}: {exc}")


def _release(root: _State) -> None:
    """Forget the nested states. Each points back at its parent, so the state tree, and every
    token it holds, would otherwise wait for the cycle collector instead of going at once."""
    stack = [root]
    while stack:
        state = stack.pop()
        stack.extend(child for _, child in state.spawned.values())
        state.spawned.clear()


def _parse_body(source: Source, front: FrontMatter | None, unclosed: Span | None) -> Document:
    text = source.text
    body_norm = body_orig = 0
    if front is not None:
        close = bisect.bisect_right(source.line_starts, front.span.end) - 1
        if close + 1 < len(source.line_starts):
            body_orig = source.line_starts[close + 1]
            body_norm = close + 1
            norm = "\n" * body_norm + _normalise(text[body_orig:])
        else:
            body_orig = body_norm = len(text)  # nothing after the front matter
            norm = "\n" * close
        identity = False
    else:
        norm = _normalise(text)
        identity = norm is text or norm == text
    if not norm.endswith("\n"):
        norm += "\n"
    ctx = _Ctx(source, norm, identity, body_norm, body_orig)
    root = _State()
    root.process(norm)
    _BLOCK.parse(root)
    children = _blocks(ctx, root, root.tokens)
    _release(root)
    code: list[Span] = [front.span] if front is not None else []
    html: list[Span] = []
    order: list[Node] = []
    _finish(children, None, code, html, order)
    document = Document(
        source=source,
        front_matter=front,
        children=children,
        code_spans=_merged(code),
        html_spans=_merged(html),
        unclosed_front_matter=unclosed,
        fallbacks=ctx.fallbacks,
    )
    document._nodes = order
    return document
