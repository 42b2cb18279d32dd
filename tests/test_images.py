"""Image references and paths (TL401–TL404) in small projects built in tmp_path: static roots,
generators' conventions, case, the project boundary, and the per-run folder cache."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import pytest

from talklint import paths
from talklint.config import Config, Settings, load_config
from talklint.engine import Linter, Overrides

CODES = ["TL401", "TL402", "TL403", "TL404", "TL410", "TL411"]
SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def project(tmp_path: Path, files: dict[str, str], config: str = "") -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "talklint.toml").write_text(config, encoding="utf-8")
    for name, text in files.items():
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return tmp_path


def lint(root: Path, page: str, select=CODES):
    linter = Linter(load_config(root / "talklint.toml"), Overrides(select=list(select)))
    result = linter.lint_path(str(root / page))
    return [(f.line, f.column, f.code, result.source.text[f.start:f.end]) for f in result.findings]


def test_seed_page_images_not_in_seeds():
    linter = Linter(Config(), Overrides(select=["TL401"]))
    result = linter.lint_path(str(SEEDS / "000_afdc039d540db778.txt"))
    assert [(f.line, f.column, result.source.text[f.start:f.end]) for f in result.findings] == [
        (47, 16, "yonghua-lin.png"), (77, 9, "mofa.png")]


def test_root_relative_paths_use_static_roots(tmp_path):
    root = project(tmp_path, {
        "src/assets/img/a.jpg": "",
        "src/_content/posts/p.md": "---\ncover:\n  url: /assets/img/a.jpg\n---\n![a](/assets/img/a.jpg) "
                                   "![b](/assets/img/b.jpg) ![c](/../etc/c.png)\n",
    }, 'static-roots = ["src/"]\n')
    assert lint(root, "src/_content/posts/p.md") == [
        (5, 30, "TL401", "/assets/img/b.jpg"), (5, 54, "TL403", "/../etc/c.png")]


def test_root_relative_paths_without_static_roots_are_not_reported(tmp_path):
    root = project(tmp_path, {"p.md": "![a](/assets/missing.jpg) and [x](/files/missing.pdf)\n"})
    assert lint(root, "p.md") == []


def test_a_missing_static_root_is_no_static_root(tmp_path):
    root = project(tmp_path, {"p.md": "![a](/assets/missing.jpg)\n"}, 'static-roots = ["public/"]\n')
    assert lint(root, "p.md") == []


def test_hugo_bundle_and_site_relative_front_matter(tmp_path):
    root = project(tmp_path, {
        "static/images/site.png": "",
        "content/talks/keynote/index.md": "---\ncover: /cover.jpg\nimage: images/site.png\n"
                                          "photo: images/gone.png\n---\n![d](diagram.png)\n",
        "content/talks/keynote/cover.jpg": "",
        "content/talks/keynote/diagram.png": "",
    }, 'site-generator = "hugo"\nstatic-roots = ["static/"]\n')
    assert lint(root, "content/talks/keynote/index.md") == [(4, 8, "TL401", "images/gone.png")]


@pytest.mark.parametrize("generator", ["hugo", "jekyll"])
def test_site_relative_front_matter_without_static_roots_is_not_judged(tmp_path, generator):
    root = project(tmp_path, {"content/p.md": "---\nimage: images/x.png\n---\n![x](images/x.png)\n"},
                   f'site-generator = "{generator}"\n')
    assert lint(root, "content/p.md") == [(4, 6, "TL401", "images/x.png")]


def test_astro_front_matter_relative_to_the_page(tmp_path):
    root = project(tmp_path, {
        "src/content/keynoters/anna.mdx": "---\nname: Anna\nimage: ./anna.jpg\n---\n",
        "src/content/keynoters/armin.mdx": "---\nname: Armin\nimage: ./armin.jpg\n---\n",
        "src/content/keynoters/anna.jpg": "",
    }, 'site-generator = "astro"\n')
    assert lint(root, "src/content/keynoters/anna.mdx") == []
    assert lint(root, "src/content/keynoters/armin.mdx") == [(3, 8, "TL401", "./armin.jpg")]


def test_encoded_names_queries_and_fragments(tmp_path):
    root = project(tmp_path, {
        "my photo.jpg": "", "café.png": "",
        "p.md": "![a](my%20photo.jpg?w=300#x) ![b](<my photo.jpg>) ![c](caf%C3%A9.png) ![d](caf%C3.png)\n"
                '<img src="my&#32;photo.jpg" alt="e">\n',
    })
    assert lint(root, "p.md") == [(1, 76, "TL401", "caf%C3.png")]


def test_case_mismatch_and_its_fix(tmp_path):
    root = project(tmp_path, {"Photos/Speaker.JPG": "", "p.md": "![a](photos/speaker.jpg)\n"})
    linter = Linter(load_config(root / "talklint.toml"), Overrides(select=["TL402"]))
    [finding] = linter.lint_path(str(root / "p.md")).findings
    assert finding.message.startswith("`photos/speaker.jpg` is `Photos/Speaker.JPG` on disk")
    assert [(e.start, e.end, e.replacement) for e in finding.fix.edits] == [(5, 23, "Photos/Speaker.JPG")]


def test_unicode_normalisation_is_a_mismatch(tmp_path):
    nfd = unicodedata.normalize("NFD", "José.jpg")
    root = project(tmp_path, {nfd: "", "p.md": "![a](José.jpg)\n"})
    assert lint(root, "p.md") == [(1, 6, "TL402", "José.jpg")]


def test_ambiguous_case_has_no_fix(tmp_path):
    root = project(tmp_path, {"A.png": "", "a.PNG": "", "p.md": "![a](a.png)\n"})
    if len(os.listdir(root)) < 4:
        pytest.skip("case-insensitive file system")
    linter = Linter(load_config(root / "talklint.toml"), Overrides(select=["TL402"]))
    [finding] = linter.lint_path(str(root / "p.md")).findings
    assert finding.fix is None


def test_outside_the_project_is_never_listed(tmp_path, monkeypatch):
    root = project(tmp_path / "site", {"in.png": "", "p.md": "![x](../../../etc/passwd) ![y](../secret/x.png) "
                                                "[z](../../notes.pdf) ![in](in.png)\n"})
    listed = []
    real = os.scandir

    def spy(path="."):
        listed.append(os.path.realpath(path))
        return real(path)

    linter = Linter(load_config(root / "talklint.toml"), Overrides(select=CODES))
    monkeypatch.setattr(paths.os, "scandir", spy)
    assert [f.code for f in linter.lint_path(str(root / "p.md")).findings] == ["TL403", "TL403", "TL403"]
    assert listed and all(paths.inside(p, os.path.realpath(root)) for p in listed)


def test_folders_are_listed_once_per_run(tmp_path, monkeypatch):
    files = {f"talks/t{i}.md": f"![a](../img/p{i}.png)\n" for i in range(5)}
    files.update({f"img/p{i}.png": "" for i in range(5)})
    root = project(tmp_path, files)
    calls = []
    real = os.scandir
    linter = Linter(load_config(root / "talklint.toml"), Overrides(select=["TL401"]))
    monkeypatch.setattr(paths.os, "scandir", lambda p=".": calls.append(p) or real(p))
    for i in range(5):
        assert linter.lint_path(str(root / f"talks/t{i}.md")).findings == []
    assert len(calls) == len(set(calls)) == 2  # talks/.. (the root) and img/


def test_project_root_without_config_is_the_repository(tmp_path, monkeypatch):
    (tmp_path / "repo/.git").mkdir(parents=True)
    page = tmp_path / "repo/content/p.md"
    page.parent.mkdir()
    page.write_text("![a](../../outside.png) ![b](../inside.png)\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    linter = Linter(Config(), Overrides(select=CODES))
    assert [f.code for f in linter.lint_path(str(page)).findings] == ["TL403", "TL401"]


def test_image_fields_are_configurable(tmp_path):
    page = "---\nportrait: me.png\nspeakers:\n  - photo: a.png\n  - photo: b.png\n---\n"
    root = project(tmp_path, {"a.png": "", "p.md": page}, 'extend-image-fields = ["portrait"]\n')
    assert lint(root, "p.md") == [(2, 11, "TL401", "me.png"), (5, 12, "TL401", "b.png")]
    root2 = project(tmp_path / "two", {"p.md": page}, 'image-fields = ["portrait"]\n')
    assert lint(root2, "p.md") == [(2, 11, "TL401", "me.png")]


def test_toml_front_matter(tmp_path):
    root = project(tmp_path, {"p.md": '+++\ntitle = "T"\nimage = "gone.png"\n[cover]\nurl = "also-gone.jpg"\n+++\n'})
    assert lint(root, "p.md") == [(3, 10, "TL401", "gone.png"), (5, 8, "TL401", "also-gone.jpg")]


def test_alt_text(tmp_path):
    root = project(tmp_path, {"p.md": '![](a.png) ![ok](b.png) <img src="c.png"> <img src="d.png" alt="">\n'})
    assert lint(root, "p.md", ["TL404"]) == [(1, 1, "TL404", "![](a.png)"), (1, 25, "TL404", '<img src="c.png">')]


def test_missing_alt_text_is_on_by_default_as_info():
    linter = Linter(Config())
    assert "TL404" in linter.enabled
    assert [(f.code, f.severity.value) for f in linter.lint_text("# T\n\n![](x.png)\n")] == [("TL404", "info")]


@pytest.mark.parametrize("text", [
    "![](%)", "![](%ZZ)", "![](%C3)", "![](\x00.png)", "![](" + "a/" * 3000 + "x.png)", "<img src>",
    "<img src=>", "<img srcset=', ,'>", "![](<>)", "![](#)", "![](?)", "![](./)", "![](../)", "![](/)",
    "---\nimage: [1, {a: b}, null]\ncover: {url: 3}\n---\n", "---\nimage: !!binary aGVsbG8=\n---\n",
    "[x](a.md#%)", "[x](#%E6%B4)", "[x](.md)", "[x](...md)", "[x](a.html#)",
])
def test_no_traceback_on_odd_input(tmp_path, text):
    root = project(tmp_path, {"p.md": text + "\n"})
    linter = Linter(load_config(root / "talklint.toml"), Overrides(select=CODES))
    found = linter.lint_path(str(root / "p.md")).findings
    assert not [f for f in found if f.code == "TL903"]


def test_stdin_without_a_name_checks_alt_text_only():
    linter = Linter(Config(), Overrides(select=CODES))
    assert [f.code for f in linter.lint_text("![](missing.png)\n[x](gone.pdf)\n")] == ["TL404"]


def test_settings_reject_an_unknown_generator(tmp_path):
    from talklint.config import ConfigError

    (tmp_path / "talklint.toml").write_text('site-generator = "gatsby"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="site-generator"):
        load_config(tmp_path / "talklint.toml")


def test_settings_defaults():
    settings = Settings()
    assert settings.static_roots == [] and settings.site_generator == "github"


def test_no_outside_finding_when_the_project_root_is_only_guessed(tmp_path, monkeypatch):
    """A page outside the current folder, with no config and no .git above it: its own folder
    is all talklint knows of the project, so `../x.md` is neither read nor called outside."""
    site = tmp_path / "site"
    (site / "docs").mkdir(parents=True)
    (site / "README.md").write_text("# Readme\n", encoding="utf-8")
    page = site / "docs" / "page.md"
    page.write_text("# Page\n\nSee [the readme](../README.md) and ![x](../../secret.png).\n", encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    from talklint.config import Config
    from talklint.engine import Linter

    codes = {f.code for f in Linter(Config()).lint_path(str(page)).findings}
    assert "TL403" not in codes
