"""Local links (TL410, TL411) and heading slugs per site generator."""

from __future__ import annotations

from pathlib import Path

import pytest

from talklint.config import load_config
from talklint.document import parse
from talklint.engine import Linter, Overrides
from talklint.slugs import (anchors, slug_eleventy_filter, slug_github, slug_hugo, slug_kramdown_gfm,
                            slug_markdown_it_anchor)
from talklint.source import Source

from test_images import project


def ids(markdown: str, generator: str) -> set[str]:
    return anchors(parse(Source.from_text("p.md", markdown)), generator)


def lint(root: Path, page: str, select=("TL410", "TL411")):
    linter = Linter(load_config(root / "talklint.toml"), Overrides(select=list(select)))
    result = linter.lint_path(str(root / page))
    return [(f.line, f.column, f.code, result.source.text[f.start:f.end]) for f in result.findings]


# -- slugs, from each implementation's own test cases and source -----------------------------------

@pytest.mark.parametrize("text, expected", [
    ("heading with a - dash", "heading-with-a---dash"),
    ("heading with an _ underscore", "heading-with-an-_-underscore"),
    ("exchange.bind_headers(exchange, routing [, bindCallback])", "exchangebind_headersexchange-routing--bindcallback"),
    ("apostrophe’s should be trimmed", "apostrophes-should-be-trimmed"),
    ("I ♥ unicode", "i--unicode"),
    ("en–dash", "endash"),
    ("😄 unicode emoji", "-unicode-emoji"),
    ("Привет non-latin 你好", "привет-non-latin-你好"),
    ("SOFAChannel#21：活动时间", "sofachannel21活动时间"),
    ("Ⓐ circled", "ⓐ-circled"),
])
def test_github_slugger(text, expected):
    assert slug_github(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("  Hello, World!  ", "hello-world"),
    ("What's new in Django 5.x?", "whats-new-in-django-5x"),
    ("活动 时间", "活动-时间"),
    ("snake_case - 2024", "snake_case---2024"),
    ("नमस्ते", "नमसत"),  # goldmark drops combining marks
])
def test_hugo(text, expected):
    assert slug_hugo(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Hello, World!", "hello-world"),
    (" leading\ttab", "-leading-tab"),
    ("नमस्ते", "नमस्ते"),  # Onigmo's \p{Word} keeps marks
    ("What's new?", "whats-new"),
])
def test_kramdown_gfm(text, expected):
    assert slug_kramdown_gfm(text) == expected


def test_markdown_it_anchor_and_eleventy_filter():
    assert slug_markdown_it_anchor("  Hello   World (2024) ") == "hello-world-(2024)"
    assert slug_markdown_it_anchor("活动时间") == "%E6%B4%BB%E5%8A%A8%E6%97%B6%E9%97%B4"
    assert slug_eleventy_filter("Über Django & Wagtail's future") == "ueber-django-and-wagtails-future"


def test_repeated_headings_per_generator():
    page = "# FAQ\n\n## FAQ\n\n## FAQ 1\n\n## FAQ\n"
    assert ids(page, "github") == {"faq", "faq-1", "faq-1-1", "faq-2"}
    assert ids(page, "hugo") == {"faq", "faq-1", "faq-1-1", "faq-2"}
    assert ids(page, "jekyll") == {"faq", "faq-1", "faq-2"}  # kramdown counts, it does not check


def test_hugo_repeats_take_the_first_free_suffix():
    assert ids("# a\n\n# a-1\n\n# a\n", "hugo") == {"a", "a-1", "a-2"}
    assert ids("# a\n\n# a-1\n\n# a\n", "github") == {"a", "a-1", "a-2"}
    assert ids("# ?\n\n# !\n", "hugo") == {"heading", "heading-1"}


def test_explicit_ids():
    page = "## Call for papers {#cfp}\n\nText\n{: #para}\n"
    assert "cfp" in ids(page, "hugo") and "call-for-papers" not in ids(page, "hugo")
    assert {"cfp", "para"} <= ids(page, "jekyll")
    assert "cfp" not in ids(page, "github") and "call-for-papers-cfp" in ids(page, "github")
    assert {"cfp", "call-for-papers-cfp"} <= ids(page, "astro")


def test_heading_text_is_what_the_reader_sees():
    page = "## The *big* `talk()` &amp; [its slides](s.pdf) ![logo](l.png)\n"
    assert "the-big-talk--its-slides-" in ids(page, "github")
    assert "the-big-talk--its-slides-logo" in ids(page, "hugo")


def test_html_ids_count_everywhere():
    page = '<a name="venue"></a>\n\n<div id="map">x</div>\n'
    for generator in ("github", "hugo", "jekyll", "eleventy", "astro"):
        assert {"venue", "map"} <= ids(page, generator)


# -- the rules ------------------------------------------------------------------------------------

def test_anchor_per_generator(tmp_path):
    page = "## What's new? {#new}\n\n[a](#new) [b](#whats-new) [c](#whats-new-new)\n"
    expected = {
        "github": ["new", "whats-new"],
        "hugo": ["whats-new", "whats-new-new"],
        "jekyll": ["whats-new", "whats-new-new"],
        "astro": ["whats-new"],
        "eleventy": ["whats-new"],
    }
    for generator, missing in expected.items():
        root = project(tmp_path / generator, {"p.md": page}, f'site-generator = "{generator}"\n')
        assert [text for _, _, _, text in lint(root, "p.md")] == missing, generator


def test_case_of_fragments(tmp_path):
    page = "## Schedule\n\n[a](#Schedule)\n"
    assert lint(project(tmp_path / "g", {"p.md": page}), "p.md") == []
    hugo = project(tmp_path / "h", {"p.md": page}, 'site-generator = "hugo"\n')
    assert lint(hugo, "p.md") == [(3, 6, "TL411", "Schedule")]


def test_jekyll_html_twin(tmp_path):
    files = {"talks/keynote.md": "# Keynote\n\n## Abstract\n",
             "p.md": "[a](talks/keynote.html#abstract) [b](talks/keynote.html#bio) [c](talks/gone.html)\n"}
    root = project(tmp_path / "j", files, 'site-generator = "jekyll"\n')
    assert lint(root, "p.md") == [(1, 57, "TL411", "bio"), (1, 66, "TL410", "talks/gone.html")]
    other = project(tmp_path / "e", files, 'site-generator = "eleventy"\n')
    assert lint(other, "p.md") == [(1, 66, "TL410", "talks/gone.html")]


def test_domains_and_routes_are_not_files(tmp_path):
    root = project(tmp_path, {"p.md": "[a](pycon.org) [b](www.pycon.org/2024) [c](docs.python.org/3/) "
                                      "[d](../talks/keynote/) [e](/news/) [f](/feed.xml) [g](README)\n"})
    assert lint(root, "p.md") == []


def test_linked_page_outside_the_project_through_a_symlink_is_not_read(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "notes.md").write_text("# Notes\n", encoding="utf-8")
    root = project(tmp_path / "site", {"p.md": "[n](shared/notes.md#missing)\n"})
    (root / "shared").symlink_to(outside)
    assert lint(root, "p.md") == []


def test_html_links_and_reference_definitions(tmp_path):
    root = project(tmp_path, {"a.md": "# A\n",
                              "p.md": '<a href="a.md#b">x</a> [y][r] [z][r]\n\n[r]: gone.pdf\n'})
    assert lint(root, "p.md") == [(1, 15, "TL411", "b"), (3, 6, "TL410", "gone.pdf")]
