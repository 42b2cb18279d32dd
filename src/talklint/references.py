"""Local references of a page — images and links to files — with exact spans, and where they
resolve (:mod:`talklint.paths`). Shared by the image rules (TL401–TL404) and the local-link
rules (TL410, TL411); computed once per file and cached in ``Context.shared``.

Where references come from:

* markdown images and links, inline (`![alt](path)`) or through a reference definition
  (`![alt][logo]` … `[logo]: path`, reported once, at the definition);
* HTML in the page: ``<img src>``, ``<img srcset>`` and ``<a href>`` (comments skipped);
* front-matter fields that name images (settings ``image-fields`` and ``extend-image-fields``,
  dotted for nested keys: ``cover.url``; a list is followed item by item: ``speakers.photo``).

External URLs (any scheme, ``//host``), empty targets and template syntax (`{{ … }}`,
`{% … %}`, MDX `{expr}`) are not local references and are skipped here.
"""

from __future__ import annotations

import html
import os
import re
from dataclasses import dataclass
from typing import Any, Iterator

import yaml
from mistune.util import unikey

from .document import Document, Node
from .paths import Lookup, Site, Status, Target, lookup, resolve, site_for, split_target

IMAGE_FIELDS = ["image", "images", "photo", "photos", "avatar", "cover", "cover.url", "cover.image",
                "thumbnail", "featured_image", "featuredImage", "feature_image", "hero", "hero_image",
                "banner", "headshot", "picture", "og_image", "social_image",
                "speakers.photo", "speakers.image", "speakers.avatar"]

# Last-segment extensions that make a link target a file (rather than a route such as
# `/talks/keynote/` or a bare domain such as `pycon.org`).
PAGE_EXTENSIONS = frozenset("md markdown mdx mdown mkd html htm".split())
GENERATED_EXTENSIONS = frozenset("xml json txt rss atom ics".split())
ASSET_EXTENSIONS = frozenset("""
png jpg jpeg gif svg webp avif bmp ico tif tiff heic
pdf ppt pptx pps ppsx key odp doc docx odt rtf xls xlsx ods csv tsv epub
zip gz tgz tar bz2 xz 7z
mp3 mp4 m4a m4v mov webm ogg ogv wav flac avi mkv vtt srt
ipynb py js css yml yaml toml
""".split())
FILE_EXTENSIONS = PAGE_EXTENSIONS | GENERATED_EXTENSIONS | ASSET_EXTENSIONS

_MD_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.S)
_TAG = re.compile(r"""<(img|a)\b((?:[^>"']|"[^"]*"|'[^']*')*)>""", re.I)
_ATTR = re.compile(r"""([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")
_SRCSET_ITEM = re.compile(r"\s*([^\s,][^\s]*?)(?=,|\s|$)[^,]*,?")
_PATH_LIKE = re.compile(r"\.[A-Za-z0-9]{2,5}$")


def md_unescape(text: str) -> str:
    return html.unescape(_MD_ESCAPE.sub(r"\1", text))


@dataclass(frozen=True)
class Reference:
    kind: str  # "image" or "link"
    where: str  # "markdown", "html" or "front matter"
    start: int  # file offset of target.raw[0]
    end: int  # file offset just past the written value
    target: Target
    exact: bool  # target.raw is the file text at start: its offsets map one to one
    field: str | None = None  # the front-matter field, dotted

    @property
    def path_span(self) -> tuple[int, int]:
        if not self.exact:
            return self.start, self.end
        return self.start, self.start + self.target.path_end

    @property
    def fragment_span(self) -> tuple[int, int]:
        return self.start + self.target.fragment_start, self.end

    @property
    def raw_path(self) -> str:
        return self.target.raw[:self.target.path_end]

    def describe(self) -> str:
        if self.field:
            return f"front-matter field `{self.field}`"
        return self.kind


# ---------------------------------------------------------------------------------------------
# Collecting
# ---------------------------------------------------------------------------------------------


def _definitions(document: Document) -> dict[str, Node]:
    found: dict[str, Node] = {}
    for node in document.walk():
        if node.type == "link_definition" and not node.attrs.get("duplicate"):
            found.setdefault(unikey(node.attrs.get("label") or ""), node)
    return found


def _markdown(document: Document) -> Iterator[Reference]:
    text = document.source.text
    definitions = _definitions(document)
    seen: set[tuple[str, int]] = set()
    for node in document.walk():
        if node.type not in ("image", "link"):
            continue
        style = node.attrs.get("style")
        if style == "inline":
            span = node.attrs.get("url_span")
        elif style == "reference":
            definition = definitions.get(unikey(node.attrs.get("label") or ""))
            span = definition.attrs.get("url_span") if definition else None
        else:
            continue
        if span is None or (node.type, span.start) in seen:
            continue
        seen.add((node.type, span.start))
        raw = text[span.start:span.end]
        target = split_target(raw, md_unescape)
        if target is not None:
            yield Reference(node.type, "markdown", span.start, span.end, target, True)


@dataclass(frozen=True)
class Tag:
    name: str  # lowercase: "img" or "a"
    start: int  # file offsets of the whole tag
    end: int
    attributes: dict[str, tuple[int, str]]  # lowercase name → (file offset of the value, value)


def html_tags(document: Document) -> Iterator[Tag]:
    """The ``<img>`` and ``<a>`` tags of the page's HTML, outside HTML comments."""
    text = document.source.text
    for span in document.html_spans:
        chunk = text[span.start:span.end]
        comments = [m.span() for m in _COMMENT.finditer(chunk)]
        for tag in _TAG.finditer(chunk):
            if any(a <= tag.start() < b for a, b in comments):
                continue
            attributes: dict[str, tuple[int, str]] = {}
            for m in _ATTR.finditer(tag.group(2)):
                group = next((g for g in (2, 3, 4) if m.group(g) is not None), None)
                start = span.start + tag.start(2) + (m.start(group) if group else m.end())
                attributes.setdefault(m.group(1).lower(), (start, m.group(group) if group else ""))
            yield Tag(tag.group(1).lower(), span.start + tag.start(), span.start + tag.end(), attributes)


def _html(document: Document) -> Iterator[Reference]:
    for tag in html_tags(document):
        kind = "image" if tag.name == "img" else "link"
        if ("src" if kind == "image" else "href") in tag.attributes:
            start, value = tag.attributes["src" if kind == "image" else "href"]
            yield from _html_reference(kind, start, value)
        if kind == "image" and "srcset" in tag.attributes:
            start, value = tag.attributes["srcset"]
            for m in _SRCSET_ITEM.finditer(value):
                yield from _html_reference(kind, start + m.start(1), m.group(1))


def _html_reference(kind: str, start: int, value: str) -> Iterator[Reference]:
    target = split_target(value, html.unescape)
    if target is not None:
        yield Reference(kind, "html", start, start + len(value), target, True)


def _front_matter(document: Document, fields: list[str]) -> Iterator[Reference]:
    fm = document.front_matter
    if fm is None or fm.error is not None:
        return
    for name in fields:
        keys = name.split(".")
        if fm.kind == "yaml":
            root = fm.yaml_node
            if isinstance(root, yaml.MappingNode) and keys[0] not in fm.keys_of(root):
                continue  # most fields are absent: no need to look through every entry
            for node in _yaml_scalars(root, keys):
                span = fm.node_span(node)
                yield from _field_reference(document, name, str(node.value), span.start, span.end)
        else:
            for value, span in _toml_strings(fm, keys):
                yield from _field_reference(document, name, value, *span)


def _yaml_scalars(node: Any, keys: list[str]) -> Iterator[yaml.ScalarNode]:
    if isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _yaml_scalars(item, keys)
    elif not keys:
        if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:str":
            yield node
    elif isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == keys[0]:
                yield from _yaml_scalars(value_node, keys[1:])


def _toml_strings(fm, keys: list[str]) -> Iterator[tuple[str, tuple[int, int]]]:
    """String values at ``keys`` in TOML front matter, with their spans: the field's span for a
    top-level string, else the only place the quoted value appears in the front matter."""
    values = list(_data_strings(fm.data, keys))
    top = fm.fields.get(keys[0]) if len(keys) == 1 else None
    for value in values:
        if top is not None and top.value == value and top.value_span is not None:
            yield value, (top.value_span.start, top.value_span.end)
            continue
        places = [m.start() for q in "\"'" for m in re.finditer(re.escape(q + value + q), fm.body)]
        if len(places) == 1:
            start = fm.body_span.start + places[0]
            yield value, (start, start + len(value) + 2)


def _data_strings(data: Any, keys: list[str]) -> Iterator[str]:
    if isinstance(data, list):
        for item in data:
            yield from _data_strings(item, keys)
    elif not keys:
        if isinstance(data, str):
            yield data
    elif isinstance(data, dict) and keys[0] in data:
        yield from _data_strings(data[keys[0]], keys[1:])


def _field_reference(document: Document, name: str, value: str, start: int, end: int) -> Iterator[Reference]:
    written = document.source.text[start:end]
    if len(written) >= 2 and written[0] in "\"'" and written[-1] == written[0]:
        written, start, end = written[1:-1], start + 1, end - 1
    target = split_target(value)
    if target is None or not _PATH_LIKE.search(target.path) or value != value.strip():
        return
    exact = written == value
    yield Reference("image", "front matter", start, end, target, exact, field=name)


def image_fields(config: object) -> list[str]:
    settings = getattr(config, "settings", None)
    fields = getattr(settings, "image_fields", None)
    return [*(IMAGE_FIELDS if fields is None else fields), *getattr(settings, "extend_image_fields", [])]


def collect(ctx) -> list[Reference]:
    """Every local reference of the page (cached per file)."""
    cached = ctx.shared.get("references")
    if cached is None:
        document = ctx.document
        cached = [*_markdown(document), *_html(document), *_front_matter(document, image_fields(ctx.config))]
        cached.sort(key=lambda r: r.start)
        ctx.shared["references"] = cached
    return cached


def shown(path: str) -> str:
    """A path as quoted in a message: long ones are cut."""
    return path if len(path) <= 80 else path[:77] + "…"


def looked_in(ctx, ref: Reference) -> str:
    """Where a path that was not found was looked for, for the message."""
    site, folder = site_for(ctx)
    if ref.target.path.startswith("/"):
        where = "in the static roots (" + ", ".join(_from_root(site, r) for r in site.static_roots) + ")"
        return where + (" or in the page bundle" if ref.field and _is_bundle(ctx.path) else "")
    return f"relative to {_from_root(site, folder)}"


def _from_root(site: Site, folder: str) -> str:
    rel = os.path.relpath(folder, site.root)
    return "./" if rel == "." else rel.replace(os.sep, "/") + "/"


# ---------------------------------------------------------------------------------------------
# Resolving
# ---------------------------------------------------------------------------------------------


def extension(path: str) -> str | None:
    last = path.rsplit("/", 1)[-1]
    if "." not in last[1:]:
        return None
    return last.rsplit(".", 1)[1].lower()


def link_is_file(path: str) -> bool:
    """A link target that names a file we can judge: its last segment has a known file
    extension and, when root-relative, it is an asset rather than a generated page."""
    if not path or path.endswith("/") or path.lower().startswith("www."):
        return False
    ext = extension(path)
    if ext not in FILE_EXTENSIONS:
        return False
    return not path.startswith("/") or ext in ASSET_EXTENSIONS


def _is_bundle(page: str) -> bool:
    stem = os.path.basename(page).split(".", 1)[0]
    return stem in ("index", "_index")


def resolve_image(ctx, ref: Reference) -> Lookup:
    located = site_for(ctx)
    if located is None:
        return Lookup(Status.UNKNOWN)
    site, folder = located
    path = ref.target.path
    from_fields = ref.where == "front matter"
    bases: list[str] = []
    if path.startswith("/"):
        if from_fields and _is_bundle(ctx.path):
            bases.append(folder)  # Hugo themes read `/cover.jpg` as a page-bundle resource
    elif from_fields or site.generator == "hugo":
        bases += site.static_roots  # site-relative in Hugo render hooks and in many themes
    found = resolve(site, folder, path, bases)
    if found.status == Status.MISSING and not site.static_roots and (
            path.startswith("/") or (from_fields and site.generator in ("hugo", "jekyll"))):
        return Lookup(Status.UNKNOWN)  # site-relative, and the site root is unknown
    return found


def resolve_link(ctx, ref: Reference) -> Lookup:
    path = ref.target.path
    located = site_for(ctx)
    if located is None or not link_is_file(path):
        return Lookup(Status.UNKNOWN)
    site, folder = located
    bases = site.static_roots if site.generator == "hugo" and not path.startswith("/") else []
    found = resolve(site, folder, path, list(bases))
    if found.status == Status.MISSING and extension(path) in ("html", "htm"):
        twin = _twin(site, folder, path)
        if twin is not None:
            # Jekyll writes `talk.md` to `talk.html`: its headings are the anchors. Other
            # generators may write it elsewhere (`talk/index.html`): not judged.
            if site.generator == "jekyll" and extension(twin) in PAGE_EXTENSIONS - {"html", "htm"}:
                return Lookup(Status.FOUND, twin)
            return Lookup(Status.UNKNOWN)
    return found


def _twin(site: Site, folder: str, path: str) -> str | None:
    """The source of a generated page: a file with the same name (`talk.md`, `talk.njk`) or a
    folder that becomes `talk/index.html`, beside where `talk.html` would be; markdown first."""
    parent, _, name = path.rpartition("/")
    stem = name.rsplit(".", 1)[0]
    bases = site.static_roots if path.startswith("/") else [folder]
    for base in bases:
        where = lookup(site.cache, base, parent.lstrip("/") or ".", site.root if base == folder else base)
        listing = site.cache.listing(where.path) if where.status == Status.FOUND and where.path else None
        if not listing:
            continue
        names = sorted((n for n in listing.names if n == stem or n.rsplit(".", 1)[0] == stem),
                       key=lambda n: extension(n) not in PAGE_EXTENSIONS)
        if names:
            return os.path.join(where.path, names[0])
    return None


def resolved(ctx) -> list[tuple[Reference, Lookup]]:
    """Every local reference with a path, with where it resolves (cached per file)."""
    cached = ctx.shared.get("references.resolved")
    if cached is None:
        cached = []
        for ref in collect(ctx):
            if not ref.target.path:
                continue
            how = resolve_image if ref.kind == "image" else resolve_link
            cached.append((ref, how(ctx, ref)))
        ctx.shared["references.resolved"] = cached
    return cached
