"""Document: front matter and the markdown tree of one Source, every part with an exact span.

Spans are character offsets into ``Source.text`` (the original file), never into a
normalised copy: a rule that points at ``node.span`` points at the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator

from .source import Source


@dataclass(frozen=True)
class Span:
    start: int
    end: int

    def __contains__(self, offset: int) -> bool:
        return self.start <= offset < self.end

    def __len__(self) -> int:
        return self.end - self.start


@dataclass
class Node:
    """One markdown element.

    ``type`` is mistune's token type: heading, paragraph, list, list_item, block_quote,
    block_code, block_html, thematic_break, table, table_head, table_body, table_row,
    table_cell, link, image, emphasis, strong, codespan, inline_html, text, softbreak,
    linebreak, …  ``attrs`` holds mistune's attributes (heading ``level``, link ``url`` and
    ``title``, code ``info`` …) plus, for links and images, ``url_span`` (the raw destination
    in the source, a Span or None for references) and ``text_span``.
    """

    type: str
    span: Span
    attrs: dict[str, Any] = field(default_factory=dict)
    children: list["Node"] = field(default_factory=list)
    raw: str | None = None

    def walk(self) -> Iterator["Node"]:
        yield self
        for child in self.children:
            yield from child.walk()


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
    span: Span  # the whole block, delimiters included
    body_span: Span  # the text between the delimiters
    data: Any = None  # the parsed value; None when it could not be parsed
    fields: dict[str, Field] = field(default_factory=dict)
    error: tuple[int, str] | None = None  # (offset, message) of a syntax error
    yaml_node: Any = None  # PyYAML's composed root node, for rules that need nested positions


@dataclass
class Document:
    source: Source
    front_matter: FrontMatter | None
    children: list[Node]
    code_spans: list[Span]  # sorted, non-overlapping: code blocks, code spans, front matter

    def walk(self) -> Iterator[Node]:
        for node in self.children:
            yield from node.walk()

    def is_code(self, offset: int) -> bool:
        """True when ``offset`` lies in front matter, a code block or a code span."""
        import bisect

        i = bisect.bisect_right([s.start for s in self.code_spans], offset) - 1
        return i >= 0 and offset < self.code_spans[i].end


def parse(source: Source) -> Document:
    """Parse a Source into a Document. Never raises on any text."""
    raise NotImplementedError
