"""Link syntax and link text rules (TL420–TL429): options, helpers and edge cases that fixture
files (linted with the default configuration) cannot reach."""

from __future__ import annotations

import pytest
from helpers import CORPUS, corpus_files

from talklint.checks.links import placeholder_reason, schemeless_host, url_problem
from talklint.config import Config, Settings
from talklint.engine import Linter, Overrides
from talklint.urls import HostList, host_of, is_url_key, parse_url

CODES = [f"TL42{i}" for i in range(10)]


def _lint(text, select=CODES, rules=None, path="page.md"):
    linter = Linter(Config(Settings(rules=rules or {})), Overrides(select=list(select)))
    return [(f.line, f.column, f.code, f.message) for f in linter.lint_text(text, path)]


@pytest.mark.parametrize("url, kind, expected", [
    ("htps://a.org", "inline", "Misspelled scheme"),
    ("hhttp://a.org", "inline", "Misspelled scheme"),
    ("http;//a.org", "inline", None),  # `http;//` has no scheme at all: a relative path, left alone
    ("https//a.org/x", "inline", "no colon"),
    ("https:/a.org", "inline", "must be followed by `//`"),
    ("http:\\\\a.org", "inline", "Backslashes"),
    ("https://http://a.org", "inline", "written twice"),
    ("https://a..org", "inline", "empty part"),
    ("https://-a.org", "inline", "not a valid host name part"),
    ("https://github/x", "inline", "no domain"),
    ("https://a.org/x_(y", "inline", "Unbalanced"),
    ("SOFA:Channel/", "autolink", "unknown scheme"),
    ("https://a.org/x_(y)", "inline", None),
    ("https://a.org/x)(y", "inline", "Unbalanced"),  # as many of each, closed before opened
    ("https://a.org/x][y", "inline", "Unbalanced"),
    ("https://a.org/[x](y)", "inline", None),
    ("https://a.org/x]", "inline", "Unbalanced"),
    ("https://localhost:8000/", "inline", None),
    ("https://10.0.0.1/", "inline", None),
    ("https://[::1]/", "inline", None),
    ("https://my_host.a.org/", "inline", None),  # underscores occur in real DNS names
    ("mailto:a@b.org", "inline", None),
    ("vscode://file/x", "autolink", None),
    ("SOFA:Channel/", "inline", None),  # only autolinks turn text into a link by accident
    ("tags: x", "front-matter", None),
    ("http://", "inline", None),  # a placeholder (TL426), not also malformed
])
def test_url_problem(url, kind, expected):
    problem = url_problem(url, kind)
    if expected is None:
        assert problem is None
    else:
        assert problem is not None and expected in problem


@pytest.mark.parametrize("text, columns", [
    ("[a](https://x.org/a b)\n", [5]),
    ("see [a] (https://x.org) now\n", [8]),
    ("x\\[a](https://x.org/a b)\n", []),  # an escaped bracket, an image, a reference label
    ("![a](https://x.org/a b)\n", []),
    ("[z][a](https://x.org/a b)\n", []),
])
def test_broken_link_starts(text, columns):
    assert [c for _, c, _, _ in _lint(text, select=["TL421"])] == columns


def test_parse_url_and_hosts():
    p = parse_url("https://user@Ana.Dev:8443/x?y#z")
    assert (p.scheme, p.host, p.rest) == ("https", "Ana.Dev", ":8443/x?y#z")
    assert host_of("HTTPS://www.YouTube.com./watch") == "www.youtube.com"
    lst = HostList.of(["docs.google.com/presentation", "youtube.com"])
    assert lst.match("https://docs.google.com/presentation/d/1")
    assert not lst.match("https://docs.google.com/document/d/1")
    assert lst.match("https://m.youtube.com/watch?v=1") and not lst.match("https://notyoutube.com/")


@pytest.mark.parametrize("key, url_key", [
    ("website_url", True), ("videoUrl", True), ("social.website", True), ("links.url", True),
    ("gitx", True), ("homepage", True), ("twitter", False), ("github", False), ("tweet", False),
    ("title", False), ("photo", False),
])
def test_url_keys(key, url_key):
    assert is_url_key(key) is url_key


def test_schemeless_hosts():
    assert schemeless_host("www.ana.dev/talks") == "www.ana.dev"
    assert schemeless_host("github.com/ana") == "github.com"
    assert schemeless_host("talk.html") is None and schemeless_host("ana.dev") is None
    assert schemeless_host("https://www.ana.dev") is None


def test_example_domains_option():
    text = "[Video](https://example.com/video) · [Site](https://talks.example/) · [Ok](https://ana.dev)\n"
    assert _lint(text, ["TL426"], {"placeholder-link": {"example-domains": False}}) == []
    got = _lint(text, ["TL426"])
    assert [(c, m.split(" points")[0]) for _, c, _, m in got] == [
        (9, "`https://example.com/video`"), (45, "`https://talks.example/`")]
    assert placeholder_reason("www.example.org/x", example_domains=True)


def test_insecure_link_extra_hosts():
    text = "[Old](http://www.adamfast.com/) · [Wiki](http://wiki.corp.internal/)\n"
    assert _lint(text, ["TL425"]) == []
    got = _lint(text, ["TL425"], {"insecure-link": {"extra-hosts": ["adamfast.com"]}})
    assert [(line, col) for line, col, _, _ in got] == [(1, 7)]


def test_handle_fix_uses_the_platform_template():
    linter = Linter(overrides=Overrides(select=["TL424"]))
    [twitter, gitx] = linter.lint_text('---\ntwitter_url: "@ana"\ngitx: ana\n---\n', "p.md")
    assert twitter.fix.edits[0].replacement == "https://x.com/ana"
    assert gitx.fix is None  # GitHub or GitLab: no way to know


def test_toml_front_matter():
    text = '+++\nwebsite = "www.ana.dev"\ntwitter_url = "@ana"\n+++\n# Talk\n'
    assert [(line, col, code) for line, col, code, _ in _lint(text)] == [(2, 12, "TL423"), (3, 16, "TL424")]


def test_quoted_yaml_with_escapes_is_skipped_not_misplaced():
    text = '---\nwebsite: "www.ana\\u002edev"\n---\n'
    assert _lint(text) == []


@pytest.mark.parametrize("text", [
    "[", "](", "[a](", "[a] (", "[a](https://", "[a](https://x y", "<a href=>", "<a href='", "---\nurl:\n---\n",
    "---\nurl: [1, 2]\n---\n", "---\nlinks: {url: {a: 1}}\n---\n", "[a](<https://x y>) [b]( ) [c](\n)",
    "[x](https://a.org/(((((((((((", "\x00[a](b)", "[a](https://\u00e9\u00e9.org) [b](https://xn--.org)",
    "| [a] (https://x.org) |\n|---|\n", "> [a](https://a b)\n> c)", "- [a](https://x.org/a b c d e f g)",
])
def test_no_traceback_on_odd_input(text):
    linter = Linter(overrides=Overrides(select=CODES))
    for f in linter.lint_text(text, "odd.md"):
        assert f.code in CODES  # TL903 (a rule crashed) never


# Findings on the real pages of tests/corpus, checked by hand: both are real.
REAL = {
    # "… the workshop here: https://ep2023.europython.eu/humble-data" (bare-url is off by default).
    "EuroPython__website/src/content/sessions/BABLES.mdx": [(42, "TL427")],
    # The live stream at http://live.bilibili.com/…, which serves https.
    "sofastack__sofastack.tech/content/zh/activities/sofa-channel-21-1/index.md": [(21, "TL425")],
}


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.name)
def test_real_pages(path):
    linter = Linter(overrides=Overrides(select=CODES))
    key = path.relative_to(CORPUS).as_posix()
    assert [(f.line, f.code) for f in linter.lint_path(str(path)).findings] == REAL.get(key, [])
