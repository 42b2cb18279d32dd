"""Local links (TL410, TL411): links to other files of the project and to headings.

* TL410 missing-local-file: a link to a file (`slides.pdf`, `../talks/keynote.md`) that does
  not exist.
* TL411 missing-anchor: a link to `#section` of this page or of another markdown page where no
  heading or HTML anchor has that id, with ids computed as the configured site generator
  computes them (:mod:`talklint.slugs`).

Only what can be resolved with confidence is judged: routes and permalinks (`/talks/keynote/`,
`../schedule`), links without a file extension and root-relative links to pages are left
alone (see :func:`talklint.references.link_is_file`). Case mismatches and paths leaving the
project are TL402 and TL403 (module ``images``).
"""

from __future__ import annotations

import difflib

from .. import probes
from ..document import parse
from ..finding import Severity
from ..paths import MAX_MARKDOWN_BYTES, Status, inside, percent_decode, read_small, real_path, site_for
from ..references import PAGE_EXTENSIONS, collect, extension, looked_in, resolved, shown
from ..rule import Rule
from ..slugs import anchors
from ..source import Source

MARKDOWN_EXTENSIONS = PAGE_EXTENSIONS - {"html", "htm"}


class MissingLocalFile(Rule):
    """## What it does
    Finds links to files of the project that do not exist: `[slides](slides.pdf)`,
    `[the keynote](../talks/keynote.md)`, `<a href="schedule.html">`. Markdown links (inline and
    reference-style, reported at the definition) and HTML `<a href>` are checked.

    Only links whose last segment has a known file extension are judged (`.md`, `.html`, `.pdf`,
    `.pptx`, `.zip`, images, media …), since site generators serve pages under other URLs
    than their files (permalinks, pretty URLs). Not reported:

    - routes and permalinks: `/talks/keynote/`, `../schedule`, `/news/`;
    - root-relative links to pages (`/about.html`, `/feed.xml`): generated, not copied; a
      root-relative link to an asset (`/files/slides.pdf`) is looked up in the static roots
      (setting `static-roots`), and not reported when there are none;
    - `talk.html` when a source with that name exists beside it (`talk.md`, `talk.njk`, or a
      folder `talk/`): the generator makes it;
    - external URLs, `mailto:` and the like, template syntax, and scheme-less domains such as
      `www.pycon.org` or `pycon.org` (the link-syntax rules report those).

    ## Why is this bad?
    The reader clicks on "slides" and gets a 404: the file was renamed, moved, or never added.

    ## Example
    ```markdown
    [Slides](slides/keynote.pdf)
    ```
    with no `slides/keynote.pdf` beside the page.
    """

    code = "TL410"
    reads_files = True  # files beside the page: dataset rows have none
    name = "missing-local-file"
    summary = "A link names a file of the project that does not exist"
    severity = Severity.ERROR

    def check(self, ctx):
        for ref, found in resolved(ctx):
            if ref.kind == "link" and found.status == Status.MISSING:
                yield self.finding(*ref.path_span, f"Linked file `{shown(ref.target.path)}` not found "
                                   f"{looked_in(ctx, ref)}")


class MissingAnchor(Rule):
    """## What it does
    Finds links to a heading that is not there: `[agenda](#agenda)` in a page without an
    "Agenda" heading, or `[abstract](keynote.md#abstract)` when `keynote.md` has none.

    Heading ids are computed the way the configured site generator computes them (setting
    `site-generator`):

    - `github` (default) and `astro`: github-slugger — lowercase, punctuation and symbols
      dropped, letters of every script kept (`## 活动时间` → `#活动时间`), spaces become `-`;
    - `hugo`: goldmark's GitHub-style ids as Hugo makes them; `{#id}` sets an id;
    - `jekyll`: kramdown's GFM ids; `{#id}` and `{: #id}` set ids;
    - `eleventy`: markdown-it-anchor, with its default slugify or Eleventy's `slugify`
      filter (both accepted).

    Repeated headings get `-1`, `-2` … as each generator numbers them. Ids in the page's HTML
    (`id="…"`, `<a name="…">`) count for every generator, and so does `#top`. With `github`
    the match ignores letter case; elsewhere it is exact.

    Fragments of other kinds of files (`code.py#L10`, `slides.pdf#page=3`), footnote links
    (`#fn1`) and text fragments (`#:~:text=`) are not checked; nor is a link whose target
    page cannot be resolved with confidence (see TL410).

    ## Why is this bad?
    The link lands at the top of the page instead of the section, usually because the heading
    was renamed after the link was written.

    ## Example
    ```markdown
    ## Schedule

    See the [schedule](#agenda).
    ```
    Use instead:
    ```markdown
    See the [schedule](#schedule).
    ```
    """

    code = "TL411"
    reads_files = True  # files beside the page: dataset rows have none
    name = "missing-anchor"
    summary = "A link points to a heading id that the page does not have"

    def check(self, ctx):
        located = site_for(ctx)
        generator = located[0].generator if located else _generator(ctx.config)
        lookups = {id(ref): found for ref, found in resolved(ctx)}
        for ref in collect(ctx):
            fragment = ref.target.fragment
            if ref.kind != "link" or not _checkable(fragment):
                continue
            if ref.target.path:
                target = _linked_page(lookups.get(id(ref)))
                ids = _page_anchors(located[0], target) if target else None
                name = f"`{shown(ref.target.path)}`"
            else:
                ids = _document_anchors(ctx, generator)
                name = "this page"
            if ids is None or _matches(fragment, ids, generator):
                continue
            yield self.finding(*ref.fragment_span, f"No heading or anchor `#{shown(fragment)}` in {name}"
                               + _suggestion(fragment, ids))


def _generator(config) -> str:
    return getattr(getattr(config, "settings", None), "site_generator", "github") or "github"


def _checkable(fragment: str | None) -> bool:
    if not fragment or fragment.lower() == "top" or fragment.startswith(":~:"):
        return False
    lowered = fragment.lower()
    footnote = lowered.startswith("fnref") or (
        lowered.startswith("fn") and (lowered[2:3] in (":", "-", "_") or lowered[2:3].isdigit()))
    return not footnote


def _matches(fragment: str, ids: set[str], generator: str) -> bool:
    if fragment in ids:
        return True
    if generator == "github":
        folded = fragment.casefold()
        return any(folded == i.casefold() for i in ids)
    return False


def _suggestion(fragment: str, ids: set[str]) -> str:
    close = difflib.get_close_matches(fragment.lower(), sorted(ids), n=1, cutoff=0.75)
    return f" (did you mean `#{close[0]}`?)" if close else ""


def _document_anchors(ctx, generator: str) -> set[str]:
    key = ("locallinks.anchors", generator)
    if key not in ctx.shared:
        ctx.shared[key] = {percent_decode(a) for a in anchors(ctx.document, generator)}
    return ctx.shared[key]


def _linked_page(found) -> str | None:
    """The markdown file a link resolved to, if it did."""
    if found is None or found.status not in (Status.FOUND, Status.CASE) or not found.path or found.is_dir:
        return None
    return found.path if extension(found.path) in MARKDOWN_EXTENSIONS else None


def _page_anchors(site, path: str) -> set[str] | None:
    """Anchors of another page, parsed once per run; None when it is not read (outside the
    project once symlinks are followed, too large, unreadable)."""
    return probes.remembered(site.cache.anchors, (path, site.generator), lambda: _read_anchors(site, path))


def _read_anchors(site, path: str) -> set[str] | None:
    real = real_path(path)
    if not inside(real, site.root):
        return None
    data = read_small(real, MAX_MARKDOWN_BYTES)
    if data is None:
        return None
    source = Source.from_bytes(path, data)
    if source.binary:
        return None
    return {percent_decode(a) for a in anchors(parse(source), site.generator)}


RULES = [MissingLocalFile, MissingAnchor]
