"""Image references and local paths (TL401–TL404): every image a page shows must be there, under
exactly the name written, inside the project, and described for readers who cannot see it.

* TL401 missing-image: an image path (markdown, HTML ``<img>``, front-matter fields) that names
  no file.
* TL402 path-case-mismatch: an image or linked file that exists only with other letter case.
* TL403 path-outside-project: an image or link path that leads out of the project root.
* TL404 missing-alt-text: an image in the body without alt text.

Where paths resolve, and what is left alone, is :mod:`talklint.references` and
:mod:`talklint.paths`; the user's view is docs/links-and-images.md.
"""

from __future__ import annotations

from ..finding import Applicability, Fix, Severity
from ..paths import Status, corrected_path, site_for
from ..references import html_tags, looked_in, resolved, shown
from ..rule import Rule


class MissingImage(Rule):
    """## What it does
    Finds image references that name no file: markdown images (`![alt](path)` and
    reference-style `![alt][logo]`, reported at the definition), HTML `<img src>` and
    `<img srcset>`, and front-matter fields that name images (`image`, `photo`, `avatar`,
    `cover`, `cover.url`, … — settings `image-fields` and `extend-image-fields`).

    - A relative path is looked up beside the page (`photo.jpg`, `./photo.jpg`, `../img/a.png`;
      a Hugo page bundle's `index.md` finds the images next to it).
    - A root-relative path (`/assets/x.jpg`) is looked up in the site's static roots (setting
      `static-roots`). **When no static roots are configured, root-relative paths are not
      reported**: talklint cannot know where the site root is.
    - Front-matter values are also looked up in the static roots (many themes read them as
      site-relative), and `/cover.jpg` in the front matter of a bundle's `index.md` also in the
      bundle. With `site-generator = "hugo"` or `"jekyll"` and no static roots, a front-matter
      path not found beside the page is not reported.
    - `%20` and other percent-escapes are decoded, `?query` and `#fragment` are ignored.
    - External URLs, `data:` URIs and template syntax (`{{ .Site.BaseURL }}`, MDX `{src}`) are
      not checked here.

    A name that exists with other letter case is TL402, a path that leaves the project is
    TL403.

    ## Why is this bad?
    The page shows a broken-image icon, or no speaker photo at all, and the social card of the
    talk falls back to nothing. It happens when a page is copied from another site or a
    submission system without its images.

    ## Example
    ```markdown
    ![Yonghua Lin](yonghua-lin.png)
    ```
    with no `yonghua-lin.png` beside the page. Add the file, or fix the path.
    """

    code = "TL401"
    reads_files = True  # files beside the page: dataset rows have none
    name = "missing-image"
    summary = "An image path names no file"
    severity = Severity.ERROR

    def check(self, ctx):
        for ref, found in resolved(ctx):
            if ref.kind == "image" and found.status == Status.MISSING:
                where = f" in {ref.describe()}" if ref.field else ""
                yield self.finding(*ref.path_span, f"Image `{shown(ref.target.path)}`{where} not found "
                                   f"{looked_in(ctx, ref)}")


class PathCaseMismatch(Rule):
    """## What it does
    Finds image and file paths that exist only with other letter case (or another Unicode
    normalisation) than written: `Photo.JPG` for `photo.jpg`, `Talks/a.md` for `talks/a.md`.
    Every name along the path is compared exactly, as a Linux file system does.

    ## Why is this bad?
    macOS and Windows find the file whatever the case, so the page looks right on the author's
    laptop; the Linux server that hosts the site does not, and the image is missing there.

    ## Example
    ```markdown
    ![Speaker](Photo.JPG)
    ```
    where the file is `photo.jpg`. Use instead:
    ```markdown
    ![Speaker](photo.jpg)
    ```

    ## Fix
    Rewrites the path with each name spelt as on disk. Unsafe: renaming the file may be what
    was meant. Not offered when the path holds escapes or when several names on disk differ
    from it only in case.
    """

    code = "TL402"
    reads_files = True  # files beside the page: dataset rows have none
    name = "path-case-mismatch"
    summary = "A path matches a file only when letter case is ignored"
    fixable = "sometimes"

    def check(self, ctx):
        seen: set[tuple[int, int]] = set()
        for ref, found in resolved(ctx):
            if found.status != Status.CASE or ref.path_span in seen:
                continue
            seen.add(ref.path_span)
            on_disk = "/".join(s for s in found.segments if s not in ("", ".", ".."))
            fix = None
            if ref.exact and ref.raw_path == ref.target.path:
                corrected = corrected_path(ref.raw_path, found)
                if corrected is not None and corrected != ref.raw_path:
                    fix = Fix.replace(*ref.path_span, corrected, f"Write `{corrected}`", Applicability.UNSAFE)
            yield self.finding(*ref.path_span, f"`{shown(ref.target.path)}` is `{shown(on_disk)}` on disk: "
                               "the case differs, which breaks on a case-sensitive server", fix)


class PathOutsideProject(Rule):
    """## What it does
    Finds image and link paths that lead out of the project root, such as
    `../../../etc/passwd` or `/../secret.png`. Nothing there is read: the path is reported
    instead of checked.

    The project root is the folder of the config file (`talklint.toml` or `pyproject.toml`);
    without one, the closest folder above the page that holds `.git`. A root-relative path
    must stay inside its static root.

    ## Why is this bad?
    The published site holds only what is inside the project, so such a path cannot work
    there; and a page that points outside its project is often a copy-paste from another
    repository, or worse.

    ## Example
    ```markdown
    ![Diagram](../../../../shared/diagram.png)
    ```
    Copy the image into the project and point at the copy.
    """

    code = "TL403"
    reads_files = True  # files beside the page: dataset rows have none
    name = "path-outside-project"
    summary = "A path leads outside the project root"
    severity = Severity.ERROR

    def check(self, ctx):
        site = site_for(ctx)
        if site is None or not site[0].root_known:
            return  # a guessed root: the real project may hold the path
        seen: set[tuple[int, int]] = set()
        for ref, found in resolved(ctx):
            if found.status == Status.OUTSIDE and ref.path_span not in seen:
                seen.add(ref.path_span)
                yield self.finding(*ref.path_span, f"`{shown(ref.target.path)}` leads outside the project "
                                   "root: not checked")


class MissingAltText(Rule):
    """## What it does
    Finds images in the body without alt text: `![](photo.jpg)`, `![ ](photo.jpg)`,
    `![][logo]`, and HTML `<img>` without an `alt` attribute. External images count too.

    `<img alt="">` is not reported: an empty `alt` is how HTML marks an image as decorative.
    Markdown has no such way, so an empty `![]` is always reported.

    Its severity is `info`: pages exported from a CMS or a submission system often hold dozens of
    images without alt text, and the data-quality findings should stand out among them. Turn it
    off with `ignore = ["TL404"]` for such a site, or use `per-file-ignores`.

    ## Why is this bad?
    Screen readers announce the file name or nothing at all, search engines and feed readers
    see nothing, and when the image fails to load the reader gets no hint of what it was — a
    speaker's photo, a slide, a venue map.

    ## Example
    ```markdown
    ![](yonghua-lin.png)
    ```
    Use instead:
    ```markdown
    ![Yonghua Lin on stage at GOSIM AI Paris](yonghua-lin.png)
    ```
    """

    code = "TL404"
    name = "missing-alt-text"
    summary = "An image has no alt text"
    severity = Severity.INFO

    def check(self, ctx):
        document = ctx.document
        text = ctx.source.text
        for node in document.walk():
            if node.type != "image" or node.approximate:
                continue
            alt = node.attrs.get("text_span")
            if alt is not None and not text[alt.start:alt.end].strip():
                yield self.finding(node.span.start, node.span.end, "Image without alt text")
        for tag in html_tags(document):
            if tag.name == "img" and "alt" not in tag.attributes:
                yield self.finding(tag.start, tag.end, "`<img>` without an `alt` attribute")


RULES = [MissingImage, PathCaseMismatch, PathOutsideProject, MissingAltText]
