"""Schema rules (TL310-TL315) and document kinds: choosing a kind, user kind files, types,
misspellings, fixes, real pages, and inputs that must not crash."""

from __future__ import annotations

import datetime as dt
import pickle
from pathlib import Path

import pytest
from click.testing import CliRunner

from talklint.checks.schema import nearest_keys, osa_distance
from talklint.cli import cli
from talklint.config import Config, ConfigError, Settings, load_config
from talklint.engine import Linter, Overrides
from talklint.finding import Applicability
from talklint.kinds import load_kinds, matches

from test_rules_fixtures import apply_edits

HERE = Path(__file__).parent
REAL = HERE / "data" / "schema"
SCHEMA = ["TL310", "TL311", "TL312", "TL313", "TL314", "TL315"]


def lint(text, path="page.md", config=None, select=SCHEMA):
    linter = Linter(config or Config(), Overrides(select=list(select)))
    return linter.lint_text(text, path)


def codes(text, **kw):
    return [(f.line, f.column, f.code) for f in lint(text, **kw)]


def kind_of(text, path="page.md", config=None):
    from talklint.document import parse
    from talklint.source import Source

    doc = parse(Source.from_text(path, text))
    choice = (config or Config()).kinds.kind_for(path, doc.front_matter.data if doc.front_matter else None)
    return choice.kind.name if choice else None


# -- choosing a kind ------------------------------------------------------------------------------

def test_kind_from_kind_key_only_when_it_names_a_kind():
    assert kind_of("---\ntype: talk\n---\n") == "talk"
    assert kind_of("---\ntype: Keynote\n---\n") == "talk"  # a name of the talk kind, any case
    assert kind_of("---\nlayout: post\ntitle: x\n---\n") == "post"
    assert kind_of("---\ntype: docs\ntitle: x\n---\n") is None  # Hugo's `type`: names no kind
    assert kind_of("---\nkind: CafeDeployment\n---\n") is None


def test_kind_detection_is_conservative():
    assert kind_of("---\ntitle: x\nspeakers: [a]\nroom: B\n---\n") == "talk"
    assert kind_of("---\ntitle: x\nroom: B\n---\n") is None  # one signal is not enough
    assert kind_of("---\nname: x\ncompany: y\nbio: z\n---\n") == "speaker"
    # as many signs of a talk (room, track) as of a speaker (photo, company): unsure
    assert kind_of("---\nroom: a\ntrack: b\nphoto: c\ncompany: d\n---\n") is None
    assert kind_of("---\n- a\n- b\n---\n") is None


def test_kind_from_globs_last_match_wins(tmp_path):
    cfg = tmp_path / "talklint.toml"
    cfg.write_text('[kinds]\n"content/**" = "post"\n"content/talks/**" = "talk"\n'
                   '"content/talks/README.md" = "none"\n', encoding="utf-8")
    config = load_config(cfg)
    root = tmp_path / "content"
    assert kind_of("---\nroom: a\n---\n", str(root / "news" / "a.md"), config) == "post"
    assert kind_of("---\ntype: speaker\n---\n", str(root / "talks" / "a.md"), config) == "talk"
    assert kind_of("---\ntype: talk\n---\n", str(root / "talks" / "README.md"), config) is None
    # a page with no front matter that a glob makes a talk misses its title
    linter = Linter(config, Overrides(select=["TL310"]))
    [f] = linter.lint_text("# Keynote\n", str(root / "talks" / "k.md"))
    assert (f.start, f.end) == (0, 0) and "`title`" in f.message and "path glob `content/talks/**`" in f.message


def test_kind_detection_can_be_turned_off():
    config = Config(Settings(kind_detection=False))
    assert kind_of("---\ntitle: x\nspeakers: [a]\nroom: B\n---\n", config=config) is None
    assert kind_of("---\ntype: talk\n---\n", config=config) == "talk"
    config = Config(Settings(kind_keys=["category"]))
    assert kind_of("---\ncategory: talks\n---\n", config=config) == "talk"
    assert kind_of("---\ntype: speaker\nroom: a\ntrack: b\n---\n", config=config) == "talk"


# -- user kinds -----------------------------------------------------------------------------------

USER_KINDS = """\
kinds:
  - name: talk              # replaces the built-in talk, keeping its fields
    extends: talk
    fields:
      speakers: {type: list-of-strings, required: true, aliases: [presenter_slugs]}
      level: {type: string}
  - name: sponsor
    description: A sponsor of the conference.
    names: [sponsors]
    fields:
      name: {type: non-empty-string, required: true}
      tier: {type: string, required: true}
      logo: {type: path}
    extra: [order, type]
    detect: {signals: [tier, logo], min: 2}
"""


def _config_with(tmp_path, kinds_text, settings='kind-files = ["kinds"]\n'):
    (tmp_path / "kinds").mkdir(exist_ok=True)
    (tmp_path / "kinds" / "site.yaml").write_text(kinds_text, encoding="utf-8")
    cfg = tmp_path / "talklint.toml"
    cfg.write_text(settings, encoding="utf-8")
    return load_config(cfg)


def test_user_kind_files(tmp_path):
    config = _config_with(tmp_path, USER_KINDS)
    assert set(config.kinds.kinds) >= {"talk", "sponsor", "speaker"}
    assert codes("---\ntype: talk\ntitle: x\n---\n", config=config) == [(1, 1, "TL310")]  # speakers now required
    assert codes("---\ntype: talk\ntitle: x\npresenter_slugs: [a, {b: c}]\n---\n", config=config) == [
        (4, 22, "TL312")]
    assert codes("---\ntier: gold\nlogo: /l.png\norder: 3\n---\n", config=config) == [
        (1, 1, "TL310")]  # a detected sponsor needs a name
    assert codes("---\ntype: sponsors\nname: ACME\ntier: gold\ntierr: x\n---\n", config=config) == [
        (5, 1, "TL314")]


@pytest.mark.parametrize("text, message", [
    ("kinds:\n  - name: talk\n    fields:\n      title: {type: strng}\n",
     "kind 'talk': key 'fields.title.type.0': Input should be 'any'"),
    ("kinds:\n  - name: talk\n    feilds: {}\n", "kind 'talk': key 'feilds': unknown key"),
    ("kinds:\n  - name: x\n    extends: nothing\n", "kind 'x': key 'extends': no kind named 'nothing'"),
    ("kinds:\n  - name: none\n", "'none' is reserved"),
    ("kinds:\n  - name: x\n    fields:\n      a: {aliases: [b]}\n      b: {}\n", "key 'b' belongs to two fields"),
    ("kinds:\n  - name: x\n    fields: {a: {}}\n    detect: {signals: [z]}\n", "'z' is not a key of a field"),
    ("kinds: [\n", "invalid YAML"),
    ("- just a list\n", "a mapping with a 'kinds' list"),
])
def test_bad_kind_file_is_a_config_error(tmp_path, text, message):
    with pytest.raises(ConfigError) as exc:
        _config_with(tmp_path, text)
    assert "site.yaml" in str(exc.value) and message in str(exc.value)


def test_bad_kind_settings(tmp_path):
    with pytest.raises(ConfigError, match=r"talklint.toml: key 'kinds.\"x/\*\*\"': unknown kind 'tlak'"):
        _config_with(tmp_path, "kinds: []\n", '[kinds]\n"x/**" = "tlak"\n')
    with pytest.raises(ConfigError, match="missing.yaml: kind file not found"):
        _config_with(tmp_path, "kinds: []\n", 'kind-files = ["missing.yaml"]\n')


def test_cli_exits_2_on_a_bad_kind(tmp_path):
    (tmp_path / "talklint.toml").write_text('[kinds]\n"**" = "tlak"\n', encoding="utf-8")
    (tmp_path / "a.md").write_text("# a\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(tmp_path)])
    assert result.exit_code == 2 and "unknown kind 'tlak'" in result.output


def test_config_with_kinds_pickles():
    config = pickle.loads(pickle.dumps(Config()))
    assert "talk" in config.kinds.kinds


# -- types ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("value, raw, types, ok", [
    (dt.date(2025, 5, 6), "2025-05-06", ["date"], True),
    ("2025-05-06T10:30:00+02:00", "", ["date"], True),
    ("2024-13-01", "", ["date"], True),  # a date of the wrong value is the date rules' finding
    ("tomorrow", "", ["date"], False),
    ("May 6, 2025", "", ["date"], False),
    ("2025-05-06", "", ["datetime"], False),
    (dt.datetime(2025, 5, 6, 10, 30), "", ["datetime"], True),
    (630, "10:30", ["time"], True),  # YAML 1.1 reads 10:30 as 630
    (630, "630", ["time"], False),
    ("10:30 am", "", ["time"], True),
    ("PT45M", "", ["duration"], True),
    ("1h 30min", "", ["duration"], True),
    ("'30'", "", ["duration"], False),
    ("30", "", ["duration"], True),
    (True, "true", ["integer"], False),
    ("false", "", ["boolean"], False),
    ("https://x.org/a b", "", ["url"], False),
    ("www.example.org", "", ["url"], True),  # TL423's finding, not a type error
    ("my photo.jpg", "", ["path"], True),
    (["a", 1], "", ["list-of-strings"], True),
    (["a", None], "", ["list-of-strings"], False),
    ({"a": 1}, "", ["string"], False),
    ({"a": 1}, "", ["string", "mapping"], True),
    ("9" * 100000 + "x", "", ["duration", "date", "time"], False),  # no pattern runs away
])
def test_types(value, raw, types, ok):
    assert matches(value, types, raw) is ok


# -- misspellings ---------------------------------------------------------------------------------

def test_osa_distance():
    assert osa_distance("speeker", "speaker", 2) == 1
    assert osa_distance("tilte", "title", 2) == 1
    assert osa_distance("abc", "xyzw", 1) == 2  # stops early: more than the limit


@pytest.mark.parametrize("key, near", [
    ("speeker", ["speaker"]),
    ("descripton", ["description"]),
    ("start_datetme", ["start_datetime"]),
    ("daet", ["date"]),  # short keys: a swap only
    ("data", []),
    ("links", []),  # a plural
    ("company2", []),  # a number
    ("x" * 1000, []),
])
def test_nearest_keys(key, near):
    known = load_kinds()["talk"].known_keys() + ["company", "link"]
    assert nearest_keys(key, known) == near


# -- fixes ----------------------------------------------------------------------------------------

def _fix_of(text, code):
    [f] = [f for f in lint(text, select=[code]) if f.code == code]
    return f.fix


def test_whitespace_fix_is_verified():
    fix = _fix_of("---\ntitle: \u00a0Keynote\n---\n", "TL313")  # a plain scalar: the NBSP goes
    assert fix.applicability == Applicability.SAFE
    assert apply_edits("---\ntitle: \u00a0Keynote\n---\n", fix.edits) == "---\ntitle: Keynote\n---\n"
    # without its no-break space the value would become a list: no fix
    assert _fix_of("---\ntitle: \u00a0[x]\n---\n", "TL313") is None
    assert _fix_of('---\ntitle: "\\tKeynote"\n---\n', "TL313") is None  # an escape
    assert codes("---\nintro: |\n  kept \n---\n", select=["TL313"]) == []  # block scalars: TL201's


def test_rename_fix_is_unsafe_and_keeps_quotes():
    fix = _fix_of('---\ntype: talk\ntitle: x\n"speeker": a\n---\n', "TL314")
    assert fix.applicability == Applicability.UNSAFE
    assert [e.replacement for e in fix.edits] == ['"speaker"']
    # `presenter_slugs` already gives the speakers: no rename
    assert _fix_of("---\ntype: talk\ntitle: x\npresenter_slugs: [a]\nspeeker: a\n---\n", "TL314") is None


def test_missing_field_not_reported_twice_for_a_misspelt_key():
    assert codes("---\ntype: talk\ntilte: x\n---\n", select=["TL310", "TL314"]) == [(3, 1, "TL314")]


def test_unknown_key_is_off_by_default():
    text = "---\ntype: talk\ntitle: x\nsponsor: y\n---\n"
    assert codes(text, select=["ALL"]) == []
    assert codes(text, select=["TL315"]) == [(4, 1, "TL315")]


# -- real pages -----------------------------------------------------------------------------------

REAL_FINDINGS = {
    # Quoted values that start with a space (a copy from a CMS title field).
    "sofastack-java-kubernetes-operator-kubecon-na2019.md": [(2, 8, "TL313"), (4, 14, "TL313")],
    "9984-george-howard.md": [(5, 11, "TL313")],
    # `descripton:`: the page's description is never read.
    "sofastack-sofa-boot-lab.md": [(8, 1, "TL314")],
    # `gitx: www.github.com/…` and `gitx: steve-s`: the link rules' findings, not a type error.
    "europython-speaker-9CX9CB.mdx": [],
    "europython-speaker-G9FNPT.mdx": [],
}


@pytest.mark.parametrize("name", sorted(REAL_FINDINGS))
def test_real_pages(name):
    linter = Linter(overrides=Overrides(select=list(SCHEMA)))
    found = linter.lint_path(str(REAL / name)).findings
    assert sorted((f.line, f.column, f.code) for f in found) == REAL_FINDINGS[name]


# -- inputs that must not crash -------------------------------------------------------------------

@pytest.mark.parametrize("text", ids=lambda t: repr(t[:40]), argvalues=[
    "---\ntitle: [unclosed\n---\n",
    "---\n- a\n- b\n---\n",
    "---\njust text\n---\n",
    "---\n---\n",
    "---\n? [a, b]\n: c\n1: x\nnull: y\n---\n",
    "---\ntype: talk\ntitle: &a [*a]\n---\n",
    "---\ntype: talk\ntitle: " + "x " * 200000 + "\n---\n",
    "---\ntype: talk\n" + "k" * 100000 + ": 1\n---\n",
    "---\ntype: talk\nstart: 2024-02-30\nend: 2024-13-01T25:00:00\n---\n",
    "+++\ntype = \"talk\"\ntitle = \"x\"\n[params]\nspeeker = 1\n+++\n",
    "+++\ntitle = [\n+++\n",
    "+++\n+++\n",
    "---\ntype: talk\ntitle: x\nspeakers:\n" + "  - " * 1 + "[" * 500 + "]" * 500 + "\n---\n",
    "\ufeff---\r\ntype: talk\r\ntitle: \" x \"\r\n---\r\n",
])
def test_no_crash(text):
    found = lint(text, select=[*SCHEMA, "TL301", "TL903"])
    assert not [f for f in found if f.code == "TL903"], [f.message for f in found]


# -- docs/schema.md stays true ----------------------------------------------------------------------

DOC = HERE.parent / "docs" / "schema.md"


def test_docs_example_loads_and_works(tmp_path):
    import re

    blocks = re.findall(r"```(toml|yaml)\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    (tmp_path / "lint").mkdir()
    (tmp_path / "pyproject.toml").write_text([b for k, b in blocks if k == "toml"][-1], encoding="utf-8")
    (tmp_path / "lint" / "kinds.yaml").write_text([b for k, b in blocks if k == "yaml"][-1], encoding="utf-8")
    config = load_config(tmp_path / "pyproject.toml")
    page = str(tmp_path / "src" / "content" / "sponsors" / "acme.md")
    assert codes("---\nname: ACME\ntier: gold\nlogo: a.png\norder: first\n---\n", path=page, config=config) == [
        (5, 8, "TL312")]


def test_docs_list_every_builtin_kind():
    text = DOC.read_text(encoding="utf-8")
    for name in load_kinds():
        assert f"| `{name}` |" in text, name


def test_broken_front_matter_is_left_to_tl301(tmp_path):
    cfg = tmp_path / "talklint.toml"
    cfg.write_text('[kinds]\n"**" = "talk"\n', encoding="utf-8")
    config = load_config(cfg)
    for text in ("---\ntitle: [x\n---\n", "---\ntitle: x\n\nno closing line\n"):
        assert codes(text, path=str(tmp_path / "a.md"), config=config) == []
    assert codes("---\n- a list\n---\n", path=str(tmp_path / "a.md"), config=config) == [(1, 1, "TL310")]
