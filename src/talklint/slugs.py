"""Heading anchors the way each site generator computes them, for checking `#section` links.

Each algorithm below follows its implementation (checked against the source):

* ``github`` and ``astro`` — github-slugger 2 (GitHub's own rendering; Astro's
  rehype-heading-ids): lowercase; delete every character of the Unicode categories Other_Number,
  punctuation other than connector punctuation and `-`, symbols, controls, format, private use,
  unassigned and separators other than the space, unless it is Alphabetic; each space becomes
  `-`. Repeats get `-1`, `-2` … (a counter per original slug, skipping taken ones). CJK letters
  are kept: `## 活动时间` → `活动时间`.
* ``hugo`` — goldmark's ``github`` auto heading ID type as Hugo implements it: trim spaces;
  keep letters, decimal digits and `_` (lowercased); each space and `-` becomes `-`; drop the
  rest (marks too). An empty result is `heading`; repeats get the first free `-1`, `-2` ….
  ``{#id}`` at the end of a heading sets the id (attributes are on by default).
* ``jekyll`` — kramdown with Jekyll's default ``input: GFM`` (kramdown-parser-gfm):
  lowercase; delete every character that is not a letter, mark, decimal digit, connector
  punctuation, `-`, space or tab; each space or tab becomes `-` (never collapsed). Repeats get
  `-1`, `-2` … from a counter per slug. ``{#id}`` and ``{: #id}`` set ids.
* ``eleventy`` — Eleventy has no heading ids of its own; sites add markdown-it-anchor, whose
  default slugify is ``encodeURIComponent(text.trim().toLowerCase().replace(/\\s+/g, '-'))``,
  often with Eleventy's ``slugify`` filter instead (ASCII transliteration, words joined by
  `-`). Both are accepted, and so is ``{#id}`` (markdown-it-attrs). Repeats: `-1`, `-2` ….

Ids given in the page's HTML (``id="…"``, ``<a name="…">``) count for every generator.
The heading text is what a reader sees (text and code, entities decoded); image alt text is
part of it only for Hugo, as in goldmark.
"""

from __future__ import annotations

import html
import re
import unicodedata
from typing import Callable, Iterable
from urllib.parse import quote

from .document import Document, Node

# Characters github-slugger keeps although their category is stripped: Other_Alphabetic
# symbols (circled and squared Latin letters).
_ALPHABETIC_SYMBOLS = ((0x24B6, 0x24E9), (0x1F130, 0x1F149), (0x1F150, 0x1F169), (0x1F170, 0x1F189))
_GITHUB_STRIP = ("No", "Pd", "Pe", "Pf", "Pi", "Po", "Ps", "Sc", "Sk", "Sm", "So",
                 "Cc", "Cf", "Co", "Cn", "Zl", "Zp", "Zs")

_ATTRIBUTES = re.compile(r"[ \t]*\{:?[ \t]*([^{}]*)\}[ \t]*$")
_ATTRIBUTE_ID = re.compile(r"(?:^|\s)#([^\s#.{}=]+)")
_BLOCK_IAL = re.compile(r"^[ \t]{0,3}\{:[ \t]*([^{}\n]*)\}[ \t]*$", re.M)
_HTML_ID = re.compile(r"""(?<![\w-])(?:id|name)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""", re.I)


def _alphabetic_symbol(cp: int) -> bool:
    return any(a <= cp <= b for a, b in _ALPHABETIC_SYMBOLS)


def slug_github(text: str) -> str:
    out = []
    for ch in text.lower():
        if ch == " ":
            out.append("-")
        elif ch == "-" or unicodedata.category(ch) not in _GITHUB_STRIP or _alphabetic_symbol(ord(ch)):
            out.append(ch)
    return "".join(out)


def _lower1(ch: str) -> str:
    low = ch.lower()
    return low if len(low) == 1 else low[0]  # Go's unicode.ToLower maps one rune to one rune


def slug_hugo(text: str) -> str:
    out = []
    for ch in text.strip(" \t\r\n\v\f"):
        if ch in "- ":
            out.append("-")
        elif ch == "_" or unicodedata.category(ch).startswith("L") or unicodedata.category(ch) == "Nd":
            out.append(_lower1(ch))
    return "".join(out)


def _ruby_word(ch: str) -> bool:
    """Onigmo's \\p{Word}: letters, marks, decimal digits, connector punctuation."""
    category = unicodedata.category(ch)
    return category[0] in "LM" or category in ("Nd", "Pc")


def slug_kramdown_gfm(text: str) -> str:
    out = []
    for ch in text.lower():
        if ch in " \t":
            out.append("-")
        elif ch == "-" or _ruby_word(ch):
            out.append(ch)
    return "".join(out)


def slug_markdown_it_anchor(text: str) -> str:
    return quote(re.sub(r"\s+", "-", text.strip().lower()), safe="-_.!~*'()")


_TRANSLITERATE = {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss",
                  "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "œ": "oe", "Œ": "OE", "ł": "l",
                  "Ł": "L", "đ": "d", "Đ": "D", "þ": "th", "ð": "d", "&": " and "}


def slug_eleventy_filter(text: str) -> str:
    text = text.replace("'", "").replace("\u2019", "")
    text = "".join(_TRANSLITERATE.get(ch, ch) for ch in text)
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


# -- repeated headings ------------------------------------------------------------------------


def _unique_counter(slugs: Iterable[str]) -> list[str]:
    """github-slugger: a counter per original slug, skipping slugs already taken."""
    occurrences: dict[str, int] = {}
    out = []
    for original in slugs:
        result = original
        while result in occurrences:
            occurrences[original] += 1
            result = f"{original}-{occurrences[original]}"
        occurrences[result] = 0
        out.append(result)
    return out


def _unique_first_free(slugs: Iterable[str], empty: str | None = None) -> list[str]:
    """Hugo and markdown-it-anchor: the first free `-1`, `-2` …"""
    taken: set[str] = set()
    out = []
    for slug in slugs:
        if not slug and empty:
            slug = empty
        result, i = slug, 1
        while result in taken:
            result, i = f"{slug}-{i}", i + 1
        taken.add(result)
        out.append(result)
    return out


def _unique_kramdown(slugs: Iterable[str]) -> list[str]:
    """kramdown-parser-gfm: the n-th repeat of a slug gets `-n`, taken or not."""
    counter: dict[str, int] = {}
    out = []
    for slug in slugs:
        counter[slug] = counter.get(slug, -1) + 1
        out.append(f"{slug}-{counter[slug]}" if counter[slug] else slug)
    return out


# -- heading text ---------------------------------------------------------------------------


def _text(node: Node, with_alt: bool, parts: list[str]) -> None:
    if node.type in ("text", "codespan"):
        parts.append(node.raw or "")
        return
    if node.type == "image" and not with_alt:
        return
    if node.type in ("softbreak", "linebreak"):
        parts.append(" ")
    for child in node.children:
        _text(child, with_alt, parts)


def heading_text(node: Node, with_alt: bool = False) -> str:
    parts: list[str] = []
    for child in node.children:
        _text(child, with_alt, parts)
    return html.unescape("".join(parts))


def split_attributes(text: str) -> tuple[str, str | None]:
    """(text without a trailing `{#id …}` block, the id or None)."""
    m = _ATTRIBUTES.search(text)
    if not m:
        return text, None
    found = _ATTRIBUTE_ID.search(m.group(1))
    if not found:
        return text, None
    return text[:m.start()], found.group(1)


# -- the generators --------------------------------------------------------------------------

# (slug function, uniqueness function, image alt in the text, how `{#id}` is read):
# "honoured" — the id replaces the automatic one; "also" — both are accepted (a plugin may add
# attributes); "ignored" — the braces are heading text.
Variant = tuple[Callable[[str], str], Callable[[list[str]], list[str]], bool, str]

VARIANTS: dict[str, list[Variant]] = {
    "github": [(slug_github, _unique_counter, False, "ignored")],
    "astro": [(slug_github, _unique_counter, False, "also")],
    "hugo": [(slug_hugo, lambda s: _unique_first_free(s, "heading"), True, "honoured")],
    "jekyll": [(slug_kramdown_gfm, _unique_kramdown, False, "honoured")],
    "eleventy": [(slug_markdown_it_anchor, _unique_first_free, False, "also"),
                 (slug_eleventy_filter, _unique_first_free, False, "also")],
}


def _world_ids(headings: list[Node], variant: Variant, honour: bool) -> set[str]:
    slug, unique, with_alt, _ = variant
    auto: list[str] = []
    explicit: set[str] = set()
    for node in headings:
        text = heading_text(node, with_alt)
        if honour:
            text, given = split_attributes(text)
            if given is not None:
                explicit.add(given)
                continue
        auto.append(slug(text))
    return set(unique(auto)) | explicit


def _variant_ids(headings: list[Node], variant: Variant) -> set[str]:
    attributes = variant[3]
    ids: set[str] = set()
    if attributes in ("ignored", "also"):
        ids |= _world_ids(headings, variant, honour=False)
    if attributes in ("honoured", "also"):
        ids |= _world_ids(headings, variant, honour=True)
    return ids


def anchors(document: Document, generator: str) -> set[str]:
    """Every fragment that lands somewhere in the page under ``generator``."""
    headings = [n for n in document.walk() if n.type == "heading"]
    ids: set[str] = set()
    for variant in VARIANTS.get(generator, VARIANTS["github"]):
        ids |= _variant_ids(headings, variant)
    text = document.source.text
    for span in document.html_spans:
        for m in _HTML_ID.finditer(text, span.start, span.end):
            ids.add(html.unescape(next(g for g in m.groups() if g is not None)))
    if generator in ("hugo", "jekyll", "eleventy", "astro"):
        for m in _BLOCK_IAL.finditer(text):
            found = _ATTRIBUTE_ID.search(m.group(1))
            if found:
                ids.add(found.group(1))
    return ids
