"""Link syntax and link text (TL420-TL429): what a reader or a site generator meets when it
follows a page's links, checked offline.

* TL420 malformed-url: `htps://`, `http//x`, `https:/x`, `http://http://x`, a host that cannot
  exist, unbalanced brackets, `<SOFA:Channel/>` read as a link.
* TL421 link-target-space: `[t]( https://…)`, `[t](https://a b)`, `[t] (https://…)`.
* TL422 empty-link-target: `[t]()`.
* TL423 schemeless-link: `[t](www.example.org)`, which resolves as a relative path.
* TL424 handle-in-url-field: `twitter_url: @name` where the field holds a URL.
* TL425 insecure-link: `http://` to a host that serves https (``rules/data/hosts.yaml``).
* TL426 placeholder-link: `#`, `TODO`, `http://`, `example.com`.
* TL427 bare-url (off by default): a URL in prose that only GFM-style autolinking turns into a link.
* TL428 inconsistent-link-text: one target under two different labels (`[Slides](u)`, `[Video](u)`).
* TL429 misleading-link-text (off by default): "Watch the talk" pointing at a slide deck.

Every rule reads :func:`talklint.urls.link_refs` (links, images, definitions, autolinks, bare
URLs, HTML ``href``/``src`` and front-matter URL fields, each with the span of its characters)
and never looks inside code. Images are checked for syntax only (TL420, TL421, TL425): whether an
image file exists is :mod:`talklint.checks.images`' business.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections import defaultdict

from pydantic import Field

from ..document import Span
from ..finding import Applicability, Edit, Fix, Severity
from ..rule import Rule, RuleOptions
from ..urls import (KNOWN_SCHEMES, SCHEME, HostList, LinkRef, builtin_hosts, host_of, is_example_host,
                    is_url_key, link_refs, parse_url, path_of)


def _in_code(ctx, ref: LinkRef) -> bool:
    return ref.body and ctx.document.is_code(ref.span.start)


def _body_refs(ctx, images: bool = False):
    for ref in link_refs(ctx):
        if ref.body and (images or not ref.image) and not _in_code(ctx, ref):
            yield ref


def _checked_refs(ctx, images: bool = False):
    """Body references (links; images too when asked) and front-matter URL fields."""
    for ref in link_refs(ctx):
        if ref.kind == "front-matter":
            if is_url_key(ref.key):
                yield ref
        elif (images or not ref.image) and not _in_code(ctx, ref):
            yield ref


def _quote(s: str, limit: int = 60) -> str:
    s = s if len(s) <= limit else s[:limit - 1] + "…"
    return f"`{s}`"


# ---------------------------------------------------------------------------------------------
# TL420 malformed-url
# ---------------------------------------------------------------------------------------------

# `http//x`, `https//x`, `htp//x`: a web scheme with its colon lost.
_NO_COLON = re.compile(r"(?i)(https?|htps?|htt?ps?|hhttps?|ttps?)//(?=[^/\s])")
_HOST_LABEL = re.compile(r"(?!-)[^\W_](?:[\w-]{0,61}[^\W_])?$|[^\W_]$")
_IPV4 = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")
_SCHEME_AGAIN = re.compile(r"(?i)/+(https?):?/+")
_SPACE = re.compile(r"\s")  # str.isspace() of one character, as `\s` matches in a str pattern


def _edit_distance_le(a: str, b: str, limit: int) -> bool:
    """Whether the Levenshtein distance of two short words is at most ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return False
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1] <= limit


def _misspelled_web_scheme(scheme: str) -> bool:
    s = scheme.lower()
    return s not in KNOWN_SCHEMES and (_edit_distance_le(s, "http", 1) or _edit_distance_le(s, "https", 1))


def url_problem(url: str, kind: str) -> str | None:
    """Why ``url`` is not a URL a browser can follow, or None. ``kind`` is the LinkRef kind."""
    if not url.strip() or url.startswith(("#", "/", "./", "../", "?")) or placeholder_reason(url):
        return None
    m = SCHEME.match(url)
    if m is None:
        n = _NO_COLON.match(url)
        if n:
            return f"The scheme has no colon: write `{n.group(1).lower().replace('htps', 'https').replace('htp', 'http')}://`"
        return None
    scheme = m.group(1)
    low = scheme.lower()
    rest = url[m.end():]
    if _misspelled_web_scheme(scheme) and (rest.startswith("/") or kind != "front-matter"):
        return f"Misspelled scheme `{scheme}:`: a browser cannot open it (`http:` or `https:` was meant)"
    if low not in ("http", "https"):
        if low not in KNOWN_SCHEMES and kind == "autolink" and not rest.startswith("//"):
            return (f"`<{url}>` is read as a link to the unknown scheme `{scheme}:`; "
                    f"if it is text, escape the bracket: `\\<{url}>`")
        return None
    return _web_url_problem(url, scheme, rest, kind)


# url_problem depends on its two strings only, and a site's pages repeat the same addresses
# (its own pages, the speakers' profiles, the sponsors).
_url_problem_of = functools.lru_cache(maxsize=8192)(url_problem)


def _web_url_problem(url: str, scheme: str, rest: str, kind: str) -> str | None:
    if rest.startswith(("\\\\", "/\\", "\\/")):
        return f"Backslashes after `{scheme}:`: write `{scheme}://`"
    if not rest.startswith("//"):
        return f"`{scheme}:` must be followed by `//`"
    again = _SCHEME_AGAIN.match(rest)
    if again:
        return f"The scheme is written twice (`{scheme}://{again.group(1)}…`)"
    host = parse_url(url).host
    problem = _host_problem(host)
    if problem:
        return problem
    if kind != "bare" and _unbalanced(url):
        return "Unbalanced brackets in the URL: a `(` or `[` without its closing pair (or the other way round)"
    return None


def _host_problem(host: str) -> str | None:
    if not host:
        return "The URL has no host"
    if host.startswith("["):
        return None  # an IPv6 literal
    name = host.rstrip(".")
    if _SPACE.search(host):
        return f"A space in the host {_quote(host)}"
    if _IPV4.fullmatch(name) or name.lower() == "localhost":
        return None
    labels = name.split(".")
    if "" in labels:
        return f"Invalid host {_quote(host)}: an empty part between dots"
    bad = next((label for label in labels if not _HOST_LABEL.match(label) and "%" not in label), None)
    if bad is not None and "_" not in bad:
        return f"Invalid host {_quote(host)}: `{bad}` is not a valid host name part"
    if len(labels) == 1:
        return f"The host {_quote(host)} has no domain (`.com`, `.org`, …)"
    tld = labels[-1]
    if tld.isdigit():
        return f"Invalid host {_quote(host)}: it ends with a number"
    return None


def _unbalanced(url: str) -> bool:
    for open_, close in ("()", "[]"):
        opened = url.count(open_)
        if opened != url.count(close):
            return True
        if not opened:
            continue  # most URLs have no brackets: no need to follow them character by character
        depth = 0
        for c in url:
            depth += (c == open_) - (c == close)
            if depth < 0:
                return True
        if depth:
            return True
    return False


class MalformedUrl(Rule):
    """## What it does
    Finds link and image targets that are not URLs a browser can open:

    - a misspelled web scheme: `htps://`, `htttp://`, `hhttps://`, `http;//`;
    - a scheme without its colon (`http//example.org`, which is a relative path) or without
      its slashes (`https:/example.org`, `https:example.org`), backslashes (`http:\\\\x`), a
      scheme written twice (`https://https://…`);
    - a host that cannot exist: spaces in it, empty parts (`example..org`), a name without a
      domain (`https://github/…`), characters no host name may hold;
    - unbalanced brackets (`https://example.org/a_(b`);
    - an autolink with an unknown scheme, `<SOFA:Channel/>`: CommonMark reads `<letters:…>` as
      a link, so the brand name shows as a dead link without its brackets.

    Links, images, reference definitions, autolinks, HTML `href`/`src` and front-matter URL
    fields are checked; relative paths and other schemes (`mailto:`, `tel:` …) are left alone.

    ## Why is this bad?
    The reader clicks and gets an error page or nothing at all. A scheme typo is invisible in
    the rendered page: the link text looks right.

    ## Example
    ```markdown
    [Slides](htps://speakerdeck.com/ana/talk) and <SOFA:Channel/>
    ```
    Use instead:
    ```markdown
    [Slides](https://speakerdeck.com/ana/talk) and \\<SOFA:Channel/>
    ```
    """

    code = "TL420"
    name = "malformed-url"
    summary = "A link target that is not a valid URL (htps://, http//x, a bad host)"
    severity = Severity.ERROR

    def check(self, ctx):
        broken_spans = [b.target for b in broken_links(ctx)]
        for ref in _checked_refs(ctx, images=True):
            if ref.kind == "bare" and any(ref.span.start in span for span in broken_spans):
                continue  # the autolinked head of a broken link: TL421 reports the link
            problem = _url_problem_of(ref.url, ref.kind)
            if problem:
                yield self.finding(ref.span.start, ref.span.end, problem)
        for broken in broken_links(ctx):
            if broken.kind == "unbalanced":
                yield self.finding(broken.target.start, broken.target.end,
                                   "Unbalanced parentheses in the link target: the link is not rendered")


# ---------------------------------------------------------------------------------------------
# Broken inline-link syntax: `[t](https://a b)`, `[t] (https://…)`, `[t](https://a/(b)`
# ---------------------------------------------------------------------------------------------


class BrokenLink:
    """Text that was meant as an inline link and is not one."""

    def __init__(self, kind: str, target: Span, gap: Span | None = None):
        self.kind = kind  # "space-inside", "gap", "unbalanced"
        self.target = target  # the destination's characters
        self.gap = gap  # the blank between `]` and `(`


# `[text](` or `[text] (`, then a destination that starts like a web address. The `[` comes
# first and the look-behind after it, so that the regex engine skips to the brackets.
_BROKEN = re.compile(
    r"\[(?<![\\!\]]\[)(?P<text>[^\[\]\n]{1,300})\](?P<gap>[ \t]?)\((?P<dest>(?:https?://|www\.)[^\s()<>]*)")
_INLINE_CONTAINERS = frozenset(("paragraph", "block_text", "heading", "table_cell"))
# What every match of _BROKEN holds from its `]` on: a block without it has no broken link, and
# one scan of the text tells which blocks may have one before the tree is walked.
_BROKEN_HINT = re.compile(r"\][ \t]?\((?:https?://|www\.)")


def broken_links(ctx) -> list[BrokenLink]:
    cached = ctx.shared.get("links.broken")
    if cached is None:
        cached = list(_find_broken(ctx))
        ctx.shared["links.broken"] = cached
    return cached


def _find_broken(ctx):
    doc = ctx.document
    text = ctx.source.text
    if "](" not in text and "] (" not in text:
        return
    # Hints cannot overlap (a hint holds one `]`, its first character), so these are all of them.
    hints = [m.start() for m in _BROKEN_HINT.finditer(text)]
    if not hints:
        return
    starts = None
    for block in _inline_blocks(doc.children):
        i = bisect.bisect_left(hints, block.span.start)
        if i == len(hints) or hints[i] >= block.span.end:
            continue  # a match in the block would hold a hint in the block
        if starts is None:
            starts = {n.span.start for n in doc.walk() if n.type in ("link", "image") and not n.approximate}
        chunk = text[block.span.start:block.span.end]
        for m in _BROKEN.finditer(chunk):
            at = block.span.start + m.start()
            if at in starts or doc.is_code(at) or doc.is_html(at):
                continue
            found = _classify(text, block.span.start, m)
            if found is not None:
                yield found


def _inline_blocks(nodes):
    for node in nodes:
        if node.type in _INLINE_CONTAINERS and not node.approximate:
            yield node
        elif node.children:
            yield from _inline_blocks(node.children)


def _classify(text: str, base: int, m) -> BrokenLink | None:
    dest_start, dest_end = base + m.start("dest"), base + m.end("dest")
    line_end = text.find("\n", dest_end)
    line_end = len(text) if line_end < 0 else line_end
    after = text[dest_end:line_end]
    if m.group("gap"):
        if after.startswith(")"):
            return BrokenLink("gap", Span(dest_start, dest_end), Span(base + m.start("gap"), base + m.end("gap")))
        return None
    if after.startswith("("):
        return BrokenLink("unbalanced", Span(dest_start, dest_end + _paren_run(after)))
    words = re.match(r"((?:[ \t]+[^\s()\"'<>]+)+)[ \t]*\)", after)
    if words and not re.match(r"[ \t]+[\"'(]", after):
        return BrokenLink("space-inside", Span(dest_start, dest_end + len(words.group(1))))
    return None


def _paren_run(after: str) -> int:
    """Length of `(…)…` after a destination, up to the end of the line's non-blank run."""
    m = re.match(r"[^\s<>]*", after)
    return m.end() if m else 0


# ---------------------------------------------------------------------------------------------
# TL421 link-target-space
# ---------------------------------------------------------------------------------------------


class LinkTargetSpace(Rule):
    """## What it does
    Finds blanks typed around or inside a link target:

    - `[Slides]( https://…)` or `[Slides](https://… )`: CommonMark ignores blanks around the
      destination, so the link works there, but other markdown processors, link checkers and
      scripts that read `](…)` do not; the blank is always a typo;
    - `[Slides](https://example.org/my talk.pdf)`: a blank *inside* an unbracketed
      destination ends it, so this is no link at all: the reader sees the brackets and the
      address as text;
    - `[Slides] (https://…)`: a blank between `]` and `(` makes the text and the address two
      things, and no link.

    ## Why is this bad?
    The first kind is fragile; the two others are links that silently are not.

    ## Example
    ```markdown
    [Slides]( https://example.org/talk.pdf) · [Video] (https://youtu.be/x)
    ```
    Use instead:
    ```markdown
    [Slides](https://example.org/talk.pdf) · [Video](https://youtu.be/x)
    ```

    ## Fix
    Blanks around the destination are deleted (safe: CommonMark reads the link the same). A
    blank between `]` and `(` is deleted, and blanks inside a destination's path are written
    `%20` (unsafe: the text becomes a link, which should be checked).
    """

    code = "TL421"
    name = "link-target-space"
    summary = "A blank around or inside a link target (](  https://…), [t] (…))"
    fixable = "sometimes"

    def check(self, ctx):
        text = ctx.source.text
        for ref in _body_refs(ctx, images=True):
            if ref.kind == "inline" and ref.node is not None:
                yield from self._around(text, ref)
        for broken in broken_links(ctx):
            if broken.kind == "gap":
                g = broken.gap
                yield self.finding(g.start, g.end, "A blank between `]` and `(`: this is not a link",
                                   Fix.delete(g.start, g.end, "Delete the blank", Applicability.UNSAFE))
            elif broken.kind == "space-inside":
                yield self._inside(text, broken.target)

    def _around(self, text: str, ref: LinkRef):
        node = ref.node
        open_paren = node.attrs["text_span"].end + 1
        if text[open_paren:open_paren + 1] != "(":
            return
        start = ref.span.start - (1 if text[ref.span.start - 1:ref.span.start] == "<" else 0)
        if start > open_paren + 1:
            yield self.finding(open_paren + 1, start, "A blank before the link target",
                               Fix.delete(open_paren + 1, start, "Delete the blank"))
        end = ref.span.end + (1 if text[ref.span.end:ref.span.end + 1] == ">" else 0)
        close = node.span.end - 1
        if close > end and text[close] == ")" and not text[end:close].strip():
            yield self.finding(end, close, "A blank after the link target",
                               Fix.delete(end, close, "Delete the blank"))

    def _inside(self, text: str, target: Span):
        url = text[target.start:target.end]
        host_end = parse_url(url).host_span[1] if url.lower().startswith("http") else url.find("/")
        fix = None
        if 0 < host_end and not any(c.isspace() for c in url[:host_end]):
            fix = Fix.replace(target.start, target.end, re.sub(r"[ \t]+", "%20", url),
                              "Write the blanks as %20", Applicability.UNSAFE)
        return self.finding(target.start, target.end,
                            "A blank inside the link target ends it: this is not a link", fix)


# ---------------------------------------------------------------------------------------------
# TL422 empty-link-target
# ---------------------------------------------------------------------------------------------


class EmptyLinkTarget(Rule):
    """## What it does
    Finds links whose target is empty: `[Slides]()`, `[Slides](<>)`, `<a href="">`.

    Images are left to the image rules.

    ## Why is this bad?
    An empty target links to the page itself: the reader clicks "Slides" and nothing happens.
    It is usually a link whose address was never filled in.

    ## Example
    ```markdown
    [Slides]() · [Video](https://youtu.be/x)
    ```
    Use instead:
    ```markdown
    [Slides](https://speakerdeck.com/ana/talk) · [Video](https://youtu.be/x)
    ```
    """

    code = "TL422"
    name = "empty-link-target"
    summary = "A link with an empty target: [Slides]()"
    severity = Severity.ERROR

    def check(self, ctx):
        text = ctx.source.text
        for node in ctx.document.walk():
            if node.type != "link" or node.attrs.get("style") != "inline" or node.approximate:
                continue
            if node.attrs.get("url") or ctx.document.is_code(node.span.start):
                continue
            open_paren = node.attrs["text_span"].end + 1
            if text[open_paren:open_paren + 1] == "(" and text[node.span.end - 1:node.span.end] == ")":
                target = text[open_paren + 1:node.span.end - 1].strip()
                if target in ("", "<>"):
                    yield self.finding(open_paren, node.span.end, "Empty link target: the link goes nowhere")
        for ref in link_refs(ctx):
            if ref.kind == "html" and not ref.image and not ref.url.strip():
                yield self.finding(ref.span.start, ref.span.end, 'Empty `href=""`: the link goes nowhere')


# ---------------------------------------------------------------------------------------------
# TL423 schemeless-link
# ---------------------------------------------------------------------------------------------


def _well_known_hosts() -> frozenset[str]:
    hosts = builtin_hosts()
    return frozenset().union(*(lst.hosts() for lst in (hosts.https, hosts.video, hosts.slides, hosts.paper)))


_SCHEMELESS = re.compile(r"(?i)www\.[^\s/]+\.[^\s/]+|[a-z0-9.-]+\.[a-z]{2,}(?=/|$)")


def schemeless_host(url: str) -> str | None:
    """The host of a web address written without its scheme (`www.x.org/…`, `github.com/…`)."""
    if SCHEME.match(url) and not url.lower().startswith("www."):
        return None
    m = _SCHEMELESS.match(url)
    if not m:
        return None
    host = m.group(0).split("/")[0].lower()
    if host.startswith("www.") or host in _well_known_hosts():
        return host
    return None


class SchemelessLink(Rule):
    """## What it does
    Finds web addresses written without `https://` where a URL is expected: link targets
    (`[site](www.example.org)`, `[code](github.com/ana/x)`), HTML `href`s and front-matter URL
    fields (`website: www.example.org`). Only addresses that start with `www.` or with a
    well-known host (the lists in `rules/data/hosts.yaml`) are reported, so relative paths
    such as `talk.html` are never taken for hosts.

    ## Why is this bad?
    Without a scheme the target is a relative path: on `https://conf.org/talks/ana/` the link
    `www.example.org` opens `https://conf.org/talks/ana/www.example.org`, a 404.

    ## Example
    ```markdown
    [Ana's site](www.ana.dev)
    ```
    Use instead:
    ```markdown
    [Ana's site](https://www.ana.dev)
    ```

    ## Fix
    Adds `https://` in front (unsafe: the site might serve only `http://`).
    """

    code = "TL423"
    name = "schemeless-link"
    summary = "A link to www.… without https://, which resolves as a relative path"
    fixable = "always"

    def check(self, ctx):
        for ref in _checked_refs(ctx):
            if ref.kind in ("bare", "autolink") or ref.image:
                continue
            host = schemeless_host(ref.url)
            if host:
                yield self.finding(ref.span.start, ref.span.end,
                                   f"{_quote(ref.url)} has no scheme: it is read as a relative path",
                                   Fix.replace(ref.span.start, ref.span.start, "https://", "Add `https://`",
                                               Applicability.UNSAFE))


# ---------------------------------------------------------------------------------------------
# TL424 handle-in-url-field
# ---------------------------------------------------------------------------------------------

_HANDLE = re.compile(r"@?[A-Za-z0-9_][A-Za-z0-9_.-]{0,60}(?:@[A-Za-z0-9.-]+\.[A-Za-z]{2,})?")


def _platform(key: str) -> str | None:
    """`twitter_url` → `twitter`; None when the field does not name a platform."""
    last = key.rsplit(".", 1)[-1]
    m = re.fullmatch(r"(?i)([a-z]+?)(?:[_-]?url|[_-]link|[_-]profile)", last)
    return m.group(1).lower() if m else None


class HandleInUrlField(Rule):
    """## What it does
    Finds a bare handle (`@ana`, `ana_dev`) in a front-matter field that holds a URL:
    `twitter_url: @ana`, `gitx: ana-dev` (EuroPython's field for a GitHub/GitLab profile URL),
    `website: ana`. A field counts as a URL field when its name says so (`url`, `*_url`,
    `*-url`, `*Url`, `href`, `link`, `homepage`, `website`, `gitx`, …). A field named after the
    platform alone (`twitter: ana`, `github: ana`, as DjangoCon presenters write it) holds a
    handle and is never reported.

    ## Why is this bad?
    The site template puts the value in `href`: a handle becomes a relative link to a page
    that does not exist.

    ## Example
    ```yaml
    twitter_url: "@ana_dev"
    ```
    Use instead:
    ```yaml
    twitter_url: https://x.com/ana_dev
    ```

    ## Fix
    When the field names a platform with a known profile URL (the `handles` table of
    `rules/data/hosts.yaml`: `twitter_url`, `github_url`, `linkedin_url`, …), the handle is
    turned into that URL (unsafe: check that the profile is the right one).
    """

    code = "TL424"
    name = "handle-in-url-field"
    summary = "A bare @handle in a front-matter field that holds a URL"
    fixable = "sometimes"

    def check(self, ctx):
        templates = builtin_hosts().handles
        for ref in link_refs(ctx):
            if ref.kind != "front-matter" or not is_url_key(ref.key):
                continue
            value = ref.url
            if not _HANDLE.fullmatch(value) or placeholder_reason(value) or _looks_like_domain(value):
                continue
            if "." in value.strip("@") and not value.startswith("@"):
                continue  # `talk.html`, `ana.dev`: a file or a host, not a handle
            platform = _platform(ref.key)
            fix = None
            if platform in templates:
                url = templates[platform].format(handle=value.lstrip("@"))
                fix = Fix.replace(ref.span.start, ref.span.end, url, f"Write `{url}`", Applicability.UNSAFE)
            yield self.finding(ref.span.start, ref.span.end,
                               f"`{ref.key}` holds a URL, but {_quote(value)} is a handle", fix)


def _looks_like_domain(value: str) -> bool:
    return bool(re.fullmatch(r"(?i)[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}", value))


# ---------------------------------------------------------------------------------------------
# TL425 insecure-link
# ---------------------------------------------------------------------------------------------


class InsecureLink(Rule):
    """## What it does
    Finds `http://` links and images to hosts that serve the same pages over `https://`: the
    hosts listed under `https` in `rules/data/hosts.yaml` (GitHub, YouTube, LinkedIn, X,
    Speaker Deck, …) and those added with the option `extra-hosts`. With `--check-links`, any
    other `http://` link whose host answers with a redirect to the same address over
    `https://` is reported too.

    Turn the rule off (`ignore = ["insecure-link"]`) if your pages keep `http://` on purpose.

    ## Why is this bad?
    The reader's first request travels unencrypted and can be altered on the way; images over
    `http://` on an `https://` page are blocked or upgraded by browsers (mixed content); and
    the page looks unmaintained.

    ## Example
    ```markdown
    [Code](http://github.com/ana/demo)
    ```
    Use instead:
    ```markdown
    [Code](https://github.com/ana/demo)
    ```

    ## Fix
    Changes `http` to `https` (safe for listed hosts: each serves every page over https and
    redirects http there; unsafe when found online).
    """

    code = "TL425"
    name = "insecure-link"
    summary = "http:// to a host that serves https://"
    fixable = "always"

    class Options(RuleOptions):
        extra_hosts: list[str] = Field(default_factory=list, description=(
            "More hosts (or host/path prefixes) known to serve https; subdomains match too."))

    def __init__(self, options=None):
        super().__init__(options)
        builtin = builtin_hosts().https
        self.hosts = HostList(builtin.entries + HostList.of(self.options.extra_hosts).entries)

    def check(self, ctx):
        for ref in _checked_refs(ctx, images=True):
            if ref.url[:7].lower() == "http://" and self.hosts.match(ref.url):
                yield insecure_finding(self, ref.span.start, ref.url, Applicability.SAFE)


def insecure_finding(rule: Rule, start: int, url: str, applicability: Applicability, confirmed: bool = False):
    """The TL425 finding for ``url`` starting at ``start`` (shared with the online check)."""
    how = "answers with a redirect to https" if confirmed else "serves https"
    return rule.finding(start, start + len(url), f"`http://` link: {host_of(url)} {how}",
                        Fix.replace(start, start + 4, "https", "Use `https://`", applicability))


# ---------------------------------------------------------------------------------------------
# TL426 placeholder-link
# ---------------------------------------------------------------------------------------------

_PLACEHOLDER_WORDS = frozenset("""
# todo tbd tba tbc fixme xxx url link href your-link your-url insert-link insert-url add-link
... … http:// https:// http https javascript:void(0) javascript:void(0); javascript:; about:blank
""".split())
_PLACEHOLDER = re.compile(r"(?i)<?(?:url|link|todo|tbd)>?|x{3,}|\.{3,}")


def placeholder_reason(url: str, example_domains: bool = False) -> str | None:
    """Why a target is a placeholder, or None."""
    value = url.strip()
    low = value.lower()
    if low in _PLACEHOLDER_WORDS or _PLACEHOLDER.fullmatch(value):
        return f"{_quote(value)} is a placeholder, not a link target"
    if low in ("http://www.", "https://www."):
        return f"{_quote(value)} is a placeholder, not a link target"
    if example_domains:
        host = host_of(value) or (value.split("/")[0].lower() if not SCHEME.match(value) else "")
        if is_example_host(host):
            return f"{_quote(value)} points at {host}, a name reserved for examples"
    return None


class PlaceholderLink(Rule):
    """## What it does
    Finds link targets that stand in for a real address: `#`, `TODO`, `TBD`, `XXX`, `url`,
    `...`, `http://` alone, `javascript:void(0)`. Links, HTML `href`s and front-matter URL
    fields are checked.

    Links to the names reserved for examples are reported too (`example.com`, `example.org`,
    `example.net`, `*.example`, `*.test`, `*.invalid`: RFC 2606 and RFC 6761): on a talk page
    such a link is always a stand-in. Documentation and templates that use these names on
    purpose can turn that part off with the option `example-domains = false` (or a
    `per-file-ignores` entry).

    ## Why is this bad?
    The page was published before the address was known. The reader clicks "Slides" and lands
    on the top of the same page, or on a domain that will never hold the slides.

    ## Example
    ```markdown
    [Slides](#) · [Video](TODO)
    ```
    Use instead:
    ```markdown
    [Slides](https://speakerdeck.com/ana/talk) · [Video](https://youtu.be/x)
    ```
    """

    code = "TL426"
    name = "placeholder-link"
    summary = "A placeholder link target: #, TODO, http://"

    class Options(RuleOptions):
        example_domains: bool = Field(default=True, description=(
            "Also report links to example.com, example.org, example.net, *.example, *.test "
            "and *.invalid."))

    def check(self, ctx):
        for ref in _checked_refs(ctx):
            if ref.image or ref.kind == "bare":
                continue
            reason = placeholder_reason(ref.url, self.options.example_domains)
            if reason:
                yield self.finding(ref.span.start, ref.span.end, reason)


# ---------------------------------------------------------------------------------------------
# TL427 bare-url
# ---------------------------------------------------------------------------------------------


class BareUrl(Rule):
    """## What it does
    Finds URLs written bare in prose (`see https://example.org/slides`), which only GitHub-style
    autolinking turns into links. Off by default: a style choice.

    ## Why is this bad?
    CommonMark, kramdown (Jekyll) and several site generators show a bare URL as plain text
    unless an extension is on, so the same page has links on GitHub and none on the site.
    Angle brackets (`<https://…>`) make a link everywhere; better still, give it a text.

    ## Example
    ```markdown
    Slides: https://speakerdeck.com/ana/talk
    ```
    Use instead:
    ```markdown
    Slides: <https://speakerdeck.com/ana/talk>
    ```

    ## Fix
    Puts the URL in angle brackets (safe: the address and its extent are unchanged).
    """

    code = "TL427"
    name = "bare-url"
    summary = "A bare URL in prose where a link was meant"
    severity = Severity.INFO
    fixable = "always"
    default_enabled = False

    def check(self, ctx):
        text = ctx.source.text
        for ref in _body_refs(ctx):
            if ref.kind != "bare" or ctx.document.is_html(ref.span.start):
                continue
            s, e = ref.span.start, ref.span.end
            if text[s - 1:s] in ("<", "(", "[", '"', "'") or text[e:e + 1] in (">", '"', "'"):
                continue
            yield self.finding(s, e, f"Bare URL {_quote(ref.url)}: write it as a link",
                               Fix((Edit(s, s, "<"), Edit(e, e, ">")), Applicability.SAFE, "Write `<…>`"))


# ---------------------------------------------------------------------------------------------
# TL428 inconsistent-link-text
# ---------------------------------------------------------------------------------------------

# Labels that name a kind of resource: two different kinds on one target mean one of the
# links points at the wrong place.
_KIND_WORDS = {
    "video": r"video|recording|watch|youtube|vimeo|livestream|stream|视频|录像|回放|直播",
    "slides": r"slides?|deck|slide deck|presentation|speakerdeck|slideshare|幻灯片|课件|ppt",
    "paper": r"paper|preprint|article|arxiv|publication|论文",
    "code": r"code|source|repo|repository|github|gitlab|源码|代码",
    "profile": r"twitter|linkedin|mastodon|profile|bio|homepage|website|blog",
    "tickets": r"tickets?|register|registration|sign ?up|rsvp|报名",
    "schedule": r"schedule|agenda|program|programme|日程|议程",
}
_KIND_PATTERNS = {k: re.compile(rf"(?i)(?<![\w])(?:{v})(?![\w])") for k, v in _KIND_WORDS.items()}


def label_kinds(label: str) -> frozenset[str]:
    return frozenset(k for k, rx in _KIND_PATTERNS.items() if rx.search(label))


def _target_key(url: str) -> str:
    url = url.strip()
    url = re.sub(r"(?i)^https?://(?:www\.)?", "", url)
    return url.rstrip("/").lower()


class InconsistentLinkText(Rule):
    """## What it does
    Finds one link target used in a page under labels that name different kinds of thing:
    `[Slides](u)` and `[Video](u)`, `[Code](u)` and `[Paper](u)`. Kinds are read from the
    label's words (video/recording/watch, slides/deck, paper/article, code/repository,
    profile/website, tickets/registration, schedule/agenda, in English and Chinese).

    Different wordings of the same thing (`[Django](u)`, `[the Django project](u)`) are fine
    and never reported; neither are labels that name no kind.

    ## Why is this bad?
    One of the two links was copied and its target never changed: the reader who wants the
    video gets the slides, and the video is not linked anywhere.

    ## Example
    ```markdown
    [Slides](https://speakerdeck.com/ana/talk) · [Video](https://speakerdeck.com/ana/talk)
    ```
    Use instead:
    ```markdown
    [Slides](https://speakerdeck.com/ana/talk) · [Video](https://youtu.be/x)
    ```
    """

    code = "TL428"
    name = "inconsistent-link-text"
    summary = "One link target under labels of different kinds ([Slides](u), [Video](u))"

    def check(self, ctx):
        groups: dict[str, list[tuple[LinkRef, frozenset[str]]]] = defaultdict(list)
        for ref in _body_refs(ctx):
            if ref.kind != "inline" or not ref.url.strip() or ref.url.startswith("#"):
                continue
            kinds = label_kinds(ref.text)
            if kinds:
                groups[_target_key(ref.url)].append((ref, kinds))
        for uses in groups.values():
            first, first_kinds = uses[0]
            for ref, kinds in uses[1:]:
                if kinds.isdisjoint(first_kinds):
                    label = ref.node.attrs["text_span"]
                    yield self.finding(label.start, label.end,
                                       f"The same target as {_quote(first.text, 40)} "
                                       f"(line {ctx.source.position(first.span.start)[0]}), "
                                       f"but this label promises something else")


# ---------------------------------------------------------------------------------------------
# TL429 misleading-link-text
# ---------------------------------------------------------------------------------------------

_CONFLICTS = {
    # promised kind: the kinds of target that cannot deliver it
    "video": ("slides", "paper", "profile"),
    "slides": ("video", "profile"),
    "paper": ("profile", "video", "slides"),
}


def target_kind(url: str) -> str | None:
    hosts = builtin_hosts()
    for kind in ("video", "slides", "paper"):
        if getattr(hosts, kind).match(url):
            return kind
    if hosts.profile.match(url) and _is_profile_path(url):
        return "profile"
    return None


def _is_profile_path(url: str) -> bool:
    segments = [s for s in path_of(url).split("/") if s]
    return len(segments) <= 2 and not any(s in ("status", "posts", "pulse", "feed", "p", "reel") for s in segments)


class MisleadingLinkText(Rule):
    """## What it does
    Finds link labels that promise one kind of resource and point at another, by the host
    lists of `rules/data/hosts.yaml`: "Watch the talk" or "video" pointing at a slide deck, a
    paper or a profile; "slides" pointing at a video; "Read the paper" pointing at a
    profile. A heuristic: info severity, off by default. Only targets whose host is listed
    are judged, so a talk page of the conference's own site (which may embed the video)
    never is.

    ## Why is this bad?
    The reader expects a video and gets a slide deck or someone's profile: usually a link
    copied from the line above.

    ## Example
    ```markdown
    [Watch the talk](https://speakerdeck.com/ana/talk)
    ```
    Use instead:
    ```markdown
    [Watch the talk](https://youtu.be/x) · [Slides](https://speakerdeck.com/ana/talk)
    ```
    """

    code = "TL429"
    name = "misleading-link-text"
    summary = "A link label that promises a video, slides or a paper and points elsewhere"
    severity = Severity.INFO
    default_enabled = False

    def check(self, ctx):
        for ref in _body_refs(ctx):
            if ref.kind != "inline":
                continue
            promised = label_kinds(ref.text) & _CONFLICTS.keys()
            if len(promised) != 1:
                continue
            (want,) = promised
            got = target_kind(ref.url)
            if got in _CONFLICTS[want]:
                label = ref.node.attrs["text_span"]
                yield self.finding(label.start, label.end,
                                   f"The label promises {_ARTICLE[want]}, but {host_of(ref.url)} "
                                   f"hosts {_ARTICLE[got]}")


_ARTICLE = {"video": "a video", "slides": "slides", "paper": "a paper", "profile": "a profile"}


RULES = [MalformedUrl, LinkTargetSpace, EmptyLinkTarget, SchemelessLink, HandleInUrlField,
         InsecureLink, PlaceholderLink, BareUrl, InconsistentLinkText, MisleadingLinkText]
