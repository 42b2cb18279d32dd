"""Every URL a page holds, with the span of its characters, and what can be said about a URL
offline.

A page names URLs in many places: inline links and images (``[t](url)``), reference
definitions (``[t]: url``), autolinks (``<https://…>``), bare URLs, ``href``/``src`` attributes
of HTML, and front-matter fields (``website_url: …``, ``social: {website: …}``,
``links: [{url: …}]``). :func:`link_refs` gathers them once per file (cached in
``Context.shared``) for the link rules (:mod:`talklint.checks.links`) and the online check
(:mod:`talklint.online`).

The host lists (https hosts, video, slide, paper and profile hosts, handle fields) live in
``rules/data/hosts.yaml``.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any, Iterator

import yaml

from .document import Node, Span
from .yamlfile import load_data

# -- references ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkRef:
    """One URL as written in a file.

    ``span`` covers exactly the URL's characters (no ``<>``, no quotes). ``kind`` is ``inline``,
    ``reference`` (a ``[label]: url`` definition), ``autolink``, ``bare``, ``html`` or
    ``front-matter``. ``text`` is the link text a reader sees (empty for images, HTML and front
    matter); ``key`` the front-matter key path (``social.website``) or the HTML attribute.
    """

    url: str
    span: Span
    kind: str
    image: bool = False
    text: str = ""
    key: str = ""
    node: Node | None = None

    @property
    def body(self) -> bool:
        return self.kind != "front-matter"


_HTML_URL_ATTR = re.compile(
    r"""<(?P<tag>a|img|source|video|audio|iframe|link)\b[^>]*?\s(?P<attr>href|src)\s*=\s*"""
    r"""(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<uq>[^\s"'=<>`]+))""",
    re.IGNORECASE,
)


def link_refs(ctx) -> list[LinkRef]:
    """All URLs of the file being checked, in file order (cached per file)."""
    cached = ctx.shared.get("urls.refs")
    if cached is None:
        cached = sorted(_collect(ctx), key=lambda r: (r.span.start, r.span.end))
        ctx.shared["urls.refs"] = cached
    return cached


def _collect(ctx) -> Iterator[LinkRef]:
    doc = ctx.document
    text = ctx.source.text
    yield from _front_matter_refs(doc.front_matter, text)
    for node in doc.walk():
        if node.type in ("link", "image"):
            span = node.attrs.get("url_span")
            style = node.attrs.get("style")
            if span is None or node.approximate:
                continue  # a reference use: its definition is reported where it is written
            label = node.plain_text() if node.type == "link" else ""
            yield LinkRef(text[span.start:span.end], span, style or "inline", node.type == "image", label, node=node)
        elif node.type == "link_definition":
            span = node.attrs.get("url_span")
            if span is not None and not node.approximate:
                yield LinkRef(text[span.start:span.end], span, "reference", key=str(node.attrs.get("label", "")), node=node)
    for html in doc.html_spans:
        chunk = text[html.start:html.end]
        if "=" not in chunk or chunk.startswith("<!--"):
            continue
        for m in _HTML_URL_ATTR.finditer(chunk):
            group = next(g for g in ("dq", "sq", "uq") if m.group(g) is not None)
            a, b = m.span(group)
            yield LinkRef(m.group(group), Span(html.start + a, html.start + b), "html",
                          image=m.group("tag").lower() != "a", key=m.group("attr").lower())


# -- front matter -------------------------------------------------------------------------------


def _front_matter_refs(fm, text: str) -> Iterator[LinkRef]:
    """String values of the front matter that are URLs or sit in a URL field, at any depth.

    Only values whose characters in the file are exactly the value get a reference (plain
    scalars, and quoted ones without escapes): a span must hold what the finding quotes."""
    if fm is None or fm.data is None:
        return
    if fm.kind == "yaml" and fm.yaml_node is not None:
        for path, node in _yaml_scalars(fm.yaml_node, ()):
            ref = _scalar_ref(fm, text, path, node)
            if ref is not None:
                yield ref
    elif fm.kind == "toml":
        for key, f in fm.fields.items():
            if isinstance(f.value, str) and f.value_span is not None:
                span = _unquoted(text, f.value_span, f.value)
                if span is not None and (is_url_key(key) or looks_like_url(f.value)):
                    yield LinkRef(f.value, span, "front-matter", key=key)


def _yaml_scalars(node: Any, path: tuple[str, ...], depth: int = 0,
                  out: list | None = None) -> list[tuple[tuple[str, ...], Any]]:
    """(key path, node) of every scalar under a key, in document order (a list: nested
    generators cost more than the walk itself)."""
    if out is None:
        out = []
    if depth > 50:
        return out
    # Most values are scalars: taken here, not by a call each (as the call would take them:
    # one level deeper, under a key).
    inline = depth < 50
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                if inline and isinstance(value_node, yaml.ScalarNode):
                    out.append(((*path, str(key_node.value)), value_node))
                else:
                    _yaml_scalars(value_node, (*path, str(key_node.value)), depth + 1, out)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            if inline and isinstance(item, yaml.ScalarNode):
                if path:
                    out.append((path, item))
            else:
                _yaml_scalars(item, path, depth + 1, out)
    elif isinstance(node, yaml.ScalarNode) and path:
        out.append((path, node))
    return out


def _scalar_ref(fm, text: str, path: tuple[str, ...], node: Any) -> LinkRef | None:
    value = node.value
    if not isinstance(value, str) or not value or node.tag != "tag:yaml.org,2002:str":
        return None
    if node.style in ("|", ">"):
        return None  # a block of prose, never one URL
    if not (is_url_key(path[-1]) or looks_like_url(value)):
        return None
    span = _unquoted(text, fm.node_span(node), value)
    if span is None:
        return None
    return LinkRef(value, span, "front-matter", key=".".join(path))


def _unquoted(text: str, span: Span, value: str) -> Span | None:
    """The span of ``value`` inside a scalar's span (quotes taken off), or None when the
    characters differ (escapes, folded lines)."""
    raw = text[span.start:span.end]
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "\"'":
        span = Span(span.start + 1, span.end - 1)
        raw = raw[1:-1]
    return span if raw == value else None


# Field names that hold a URL: `url`, `*_url`, `*-url`, `videoUrl`, `href`, `link`, `*_link`,
# `homepage`, `website`, `map`, `authorlink`. `gitx` is EuroPython's (pretalx export) field for a
# GitHub/GitLab profile URL. Names of a platform alone (`github`, `twitter`) hold handles.
_URL_KEY = re.compile(
    r"(?:.*(?:[_-]url|Url|URL|[_-]link|[_-]href)|url|href|link|links?|homepage|website|web|"
    r"authorlink|gitx|map|resource)$")


@functools.lru_cache(maxsize=4096)  # the same few keys on every page
def is_url_key(key: str) -> bool:
    return bool(_URL_KEY.fullmatch(key.rsplit(".", 1)[-1]))


def looks_like_url(value: str) -> bool:
    # Only "h" and "H" lower-case to a text starting with "h": other values need no copy.
    return value[:1] in "hH" and value[:8].lower().startswith(("http://", "https://"))


# -- URLs ---------------------------------------------------------------------------------------

SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]{0,31}):")

# Schemes a page may link to on purpose. Any other scheme in an autolink (`<SOFA:Channel/>`)
# made text into a link by accident.
KNOWN_SCHEMES = frozenset("""
http https mailto tel sms ftp ftps sftp ssh git svn irc ircs xmpp matrix news nntp webcal data
file magnet geo urn doi isbn tag slack zoommtg msteams spotify steam skype callto facetime
feed rtmp rtsp mms bitcoin ethereum ipfs ipns dat gemini gopher telnet ldap about chrome
vscode jetbrains obsidian zotero discord whatsapp tg viber line weixin javascript
""".split())


@dataclass(frozen=True)
class ParsedUrl:
    scheme: str  # lowercased, "" when none
    host: str  # as written (not lowercased), "" when none
    host_span: tuple[int, int]  # offsets of the host inside the URL string
    rest: str  # what follows the host (port, path, query, fragment)


_AUTHORITY = re.compile(r"(?P<userinfo>[^@/?#\\]*@)?(?P<host>\[[^\]]*\]|[^:/?#\\]*)(?P<port>:[^/?#\\]*)?")


def parse_url(url: str) -> ParsedUrl:
    """Split ``scheme://host…``; a URL without ``//`` after its scheme has no host."""
    m = SCHEME.match(url)
    if not m:
        return ParsedUrl("", "", (0, 0), url)
    scheme = m.group(1).lower()
    pos = m.end()
    if not url.startswith("//", pos):
        return ParsedUrl(scheme, "", (pos, pos), url[pos:])
    a = _AUTHORITY.match(url, pos + 2)
    return ParsedUrl(scheme, a.group("host"), a.span("host"), url[a.end("host"):])


def host_of(url: str) -> str:
    """The lowercased host of an http(s) URL, without a trailing dot; "" when none."""
    p = parse_url(url)
    if p.scheme not in ("http", "https"):
        return ""
    return p.host.lower().rstrip(".")


def path_of(url: str) -> str:
    rest = parse_url(url).rest
    rest = re.sub(r"^:\d*", "", rest)
    return re.split(r"[?#]", rest, maxsplit=1)[0]


# RFC 2606 / RFC 6761 names reserved for documentation and testing.
_EXAMPLE_HOST = re.compile(r"(?:.*\.)?(?:example\.(?:com|net|org)|example|invalid|test)", re.IGNORECASE)


def is_example_host(host: str) -> bool:
    return bool(host) and bool(_EXAMPLE_HOST.fullmatch(host.rstrip(".")))


# -- host lists -----------------------------------------------------------------------------


@dataclass(frozen=True)
class HostList:
    """Host entries (``youtube.com``) and host+path entries (``docs.google.com/presentation``)."""

    entries: tuple[tuple[str, tuple[str, ...]], ...]

    @classmethod
    def of(cls, items) -> "HostList":
        out = []
        for item in items or []:
            host, _, path = str(item).strip().lower().partition("/")
            out.append((host, tuple(s for s in path.split("/") if s)))
        return cls(tuple(out))

    def match(self, url: str) -> bool:
        host = host_of(url)
        if not host:
            return False
        segments = None
        for entry, prefix in self.entries:
            if host != entry and not host.endswith("." + entry):
                continue
            if not prefix:
                return True
            if segments is None:
                segments = [s.lower() for s in path_of(url).split("/") if s]
            if tuple(segments[:len(prefix)]) == prefix:
                return True
        return False

    def hosts(self) -> frozenset[str]:
        return frozenset(h for h, _ in self.entries)


@dataclass(frozen=True)
class Hosts:
    https: HostList
    video: HostList
    slides: HostList
    paper: HostList
    profile: HostList
    handles: dict


def _hosts_file():
    from .registry import builtin_data_file

    return builtin_data_file("hosts.yaml")


@functools.lru_cache(maxsize=1)
def builtin_hosts() -> Hosts:
    data = load_data(_hosts_file().read_text(encoding="utf-8")) or {}
    return Hosts(
        https=HostList.of(data.get("https")),
        video=HostList.of(data.get("video")),
        slides=HostList.of(data.get("slides")),
        paper=HostList.of(data.get("paper")),
        profile=HostList.of(data.get("profile")),
        handles={str(k).lower(): str(v) for k, v in (data.get("handles") or {}).items()},
    )
