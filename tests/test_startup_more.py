"""More of what a run of one file does before and around its page, done later or less often:
the misspelling list searched in its sorted text instead of read into a set, the phrase pack of
TL222 kept validated, empty defaults made without pydantic, the cache's run key read from the
settings without their serializer. Each must give exactly what the plain way gives."""

from __future__ import annotations

import datetime
import json
import random
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from talklint import cache
from talklint.checks import residue, words
from talklint.checks.words import (PlainList, builtin_dictionary_path, load_dictionary, shipped_dictionary,
                                   sorted_index)
from talklint.config import Config, LinkCheckSettings, Settings, TimezoneSettings, default_settings
from talklint.engine import Linter, Overrides
from talklint.rule import construct_defaults, default_options

ROOT = Path(__file__).resolve().parent.parent

from test_startup import run_python  # noqa: E402  (tests/ is on sys.path: pytest's rootdir mode)


@pytest.fixture
def writes_kept(monkeypatch):
    monkeypatch.setattr(sys, "dont_write_bytecode", False)


# -- the misspelling list, searched ------------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped():
    path = builtin_dictionary_path()
    raw = path.read_bytes()
    return PlainList.searched(raw, sorted_index(raw)), load_dictionary(str(path))


def near_misses(keys, rng: random.Random, n: int) -> set[str]:
    out = {"", "a", "zzzzzz", "the", "and", "recieve"}
    for key in rng.sample(sorted(keys), n):
        out |= {key[:-1], key + "a", key + "s", key[1:], key[:2], key[:1], "z" + key, key[:3] + "zz", key.upper()}
    return out


def test_the_shipped_list_is_sorted_and_indexed(shipped):
    searched, plain = shipped
    assert searched._index is not None
    keys = plain.keys_set
    assert all(word in searched for word in keys)  # each of the 94,000 misspellings is found
    assert "keys_set" not in searched.__dict__  # by search, without building the set


def test_search_answers_as_the_set_does(shipped):
    searched, plain = shipped
    keys = plain.keys_set
    words_ = near_misses(keys, random.Random(7), 4000)
    assert {w for w in words_ if w in searched} == {w for w in words_ if w in keys}
    assert searched.hits(words_) == keys.intersection(words_)
    for word in random.Random(8).sample(sorted(keys), 500):
        assert searched[word] == plain[word]
    with pytest.raises(KeyError):
        searched["zzzzzz"]


def test_after_many_words_the_set_is_built_and_answers_the_same(shipped):
    raw = builtin_dictionary_path().read_bytes()
    searched = PlainList.searched(raw, sorted_index(raw))
    keys = shipped[1].keys_set
    rng = random.Random(9)
    answers = []
    while "keys_set" not in searched.__dict__:
        page = near_misses(keys, rng, 200)
        answers.append((searched.hits(page), keys.intersection(page)))
    page = near_misses(keys, rng, 200)
    answers.append((searched.hits(page), keys.intersection(page)))
    assert all(got == want for got, want in answers)
    assert searched.keys_set == keys and len(searched) == len(keys)
    assert dict(searched.items()) == dict(shipped[1].items())
    assert all(searched[k] == shipped[1][k] for k in ("recieve", "happend", "definately"))


sorted_lists = st.lists(st.text(alphabet="abc", min_size=1, max_size=4), unique=True, max_size=30).map(sorted)


@given(sorted_lists, st.lists(st.text(alphabet="abcdé", max_size=5), max_size=20), st.booleans())
def test_search_on_small_sorted_lists(keys, probes, end):
    text = "# a list\n#\n" + "\n".join(f"{k},{k}é,x" for k in keys) + ("\n" if end else "")
    index = sorted_index(text.encode("utf-8"))
    if not keys:
        assert index is None
        return
    searched = PlainList.searched(text.encode("utf-8"), index)
    assert {p for p in probes + keys if p in searched} == {p for p in probes + keys if p in keys}
    assert all(searched[k] == (k + "é", "x") for k in keys)
    assert searched.hits(probes + keys) == frozenset(keys)


@pytest.mark.parametrize("text", [
    "# h\nb,x\na,y\n",  # not sorted
    "# h\na,x\na,y\n",  # a misspelling twice: the last line wins, as in a dict
    "# h\na,x\n\nb,y\n",  # an empty line
    "# h\na,x\n# c\nb,y\n",  # a comment after the header
    "# h\na,x\r\nb,y\r\n",
    "# h\na,x\nB,y\n",
    "a,x\nb,y\n",  # no header: the first line has no line break before it
    "# c\n",
    "",
])
def test_other_lists_are_not_searched(text, tmp_path, writes_kept):
    assert sorted_index(text.encode("utf-8")) is None
    path = tmp_path / "list.csv"
    path.write_bytes(text.encode("utf-8"))
    got = shipped_dictionary(str(path), 1.0)
    want = load_dictionary(str(path), 1.0)
    assert dict(got.items()) == dict(want.items())


def test_the_index_is_kept(tmp_path, writes_kept):
    path = tmp_path / "list.csv"
    path.write_text("# c\naa,b\nab,c\nb,d\n", encoding="utf-8")
    first = shipped_dictionary(str(path), 2.0)
    assert (tmp_path / "__pycache__" / "list.csv.pickle").is_file()
    shipped_dictionary.cache_clear()
    again = shipped_dictionary(str(path), 2.0)
    assert first._index == again._index == sorted_index(path.read_bytes())
    assert "ab" in again and "b" in again and "ba" not in again


def lint(text, rules=None, select=("TL211",)):
    config = Config(Settings(rules=rules or {}))
    return Linter(config, Overrides(select=list(select))).lint_text(text, "page.md")


TEXTS = [
    "Attendees will recieve a certificate; the workshop is seperate from the talk.\n",
    "# Definately A Great Talk\n\nRecieve teh slides. Occured twice: occured.\n",
    "A speakr will recieve teh slides, wih notes.\n",
]


@pytest.mark.parametrize("rules", [None, {"misspelling": {"allow": ["teh", "speakr"]}},
                                   {"misspelling": {"extend-words": {"recieve": "get", "speakr": "speaker"}}},
                                   {"misspelling": {"extend-words": {"wih": ["with", "wish"]}, "allow": ["occured"]}}])
def test_findings_are_those_of_the_set(rules, monkeypatch):
    searched = [[(f.start, f.message, f.fix) for f in lint(t, rules)] for t in TEXTS]
    monkeypatch.setattr(words, "_LOOKUPS_BEFORE_SET", 0)  # every list answers from its set
    shipped_dictionary.cache_clear()
    try:
        plain = [[(f.start, f.message, f.fix) for f in lint(t, rules)] for t in TEXTS]
    finally:
        shipped_dictionary.cache_clear()
    assert searched == plain
    assert any(searched)


def test_a_one_file_run_builds_no_set_of_misspellings(tmp_path):
    (tmp_path / "a.md").write_text("# Title\n\nYou will recieve it.\n", encoding="utf-8")
    out = run_python("""
        import sys
        from talklint.checks.words import builtin_dictionary_path, shipped_dictionary
        from talklint.cli import main
        sys.argv = ["talklint", "check", "--no-cache", "--output-format", "json", "a.md"]
        try:
            main()
        except SystemExit:
            pass
        path = builtin_dictionary_path()
        used = shipped_dictionary(str(path), path.stat().st_mtime)
        print("\\nset built:", "keys_set" in used.__dict__, used._index is not None)
    """, cwd=tmp_path)
    report, _, state = out.rpartition("\nset built:")
    assert [f["code"] for f in json.loads(report)] == ["TL211"]
    assert state.split() == ["False", "True"]


# -- the phrase pack of TL222, kept validated ------------------------------------------------------------


def test_the_kept_phrase_pack_is_the_validated_one(tmp_path, writes_kept, monkeypatch):
    # A copy of the pack stands in for the shipped one, so the test keeps nothing in the tree.
    copy = tmp_path / "boilerplate.yaml"
    copy.write_bytes(residue.BOILERPLATE_PACK.read_bytes())
    validated = residue._read_boilerplate_pack(str(residue.BOILERPLATE_PACK))
    monkeypatch.setattr(residue, "BOILERPLATE_PACK", copy)
    residue.load_boilerplate_pack.cache_clear()
    try:
        first = residue.load_boilerplate_pack(str(copy))
        assert (tmp_path / "__pycache__" / "boilerplate.yaml.pickle").is_file()
        residue.load_boilerplate_pack.cache_clear()
        kept = residue.load_boilerplate_pack(str(copy))
    finally:
        residue.load_boilerplate_pack.cache_clear()
    assert first == kept == validated
    assert [e.model_dump() for e in kept.entries] == [e.model_dump() for e in validated.entries]


def test_another_phrase_pack_is_validated_as_before(tmp_path):
    path = tmp_path / "pack.yaml"
    path.write_text("entries:\n  - id: x\n    label: X\n    patterns: ['(']\n", encoding="utf-8")
    with pytest.raises(ValueError, match="not a valid regular expression"):
        residue.load_boilerplate_pack(str(path))
    assert not (tmp_path / "__pycache__").exists()


def test_a_run_with_the_kept_pack_builds_no_pack_validator(tmp_path):
    (tmp_path / "a.md").write_text("Skip to main content\n\n# Title\n\nText.\n", encoding="utf-8")
    code = """
        import sys
        sys.dont_write_bytecode = False
        from talklint.checks import residue
        from talklint.cli import main
        sys.argv = ["talklint", "check", "--no-cache", "--output-format", "json", "a.md"]
        try:
            main()
        except SystemExit:
            pass
        print("\\nbuilt:", residue.BoilerplatePack.__pydantic_complete__, residue.BoilerplateEntry.__pydantic_complete__)
    """
    runs = [run_python(code, cwd=tmp_path).rpartition("\nbuilt:") for _ in range(2)]
    assert runs[0][0] == runs[1][0] and "TL222" in runs[0][0]
    assert runs[1][2].split() == ["False", "False"]  # the second run reads the pack it kept


def test_extra_phrases_still_validate(tmp_path):
    found = lint("Hello there\n\nText.\n", {"scraped-boilerplate": {"extra-phrases": ["Hello there"]}},
                 select=("TL222",))
    assert [f.code for f in found] == ["TL222"]


# -- defaults without pydantic ---------------------------------------------------------------------------


def test_constructed_defaults_are_the_validated_ones():
    for model in (Settings, LinkCheckSettings, TimezoneSettings):
        built, validated = construct_defaults(model), model.model_validate({})
        assert built == validated and built.model_fields_set == validated.model_fields_set == set()
    settings = default_settings()
    assert settings.ignore == [] and settings.ignore is not default_settings().ignore  # not shared
    from talklint.registry import load_registry

    for rule in load_registry().rules.values():
        options = getattr(rule, "Options", None)
        if options is not None:
            built, validated = default_options(options), options.model_validate({})
            assert built == validated and built.model_fields_set == validated.model_fields_set, rule.code


# -- the run key without the settings' serializer --------------------------------------------------------


SETTINGS = [
    {},
    {"select": ["ALL"], "ignore": ["TL211"], "per-file-ignores": {"a/*.md": ["TL201"]},
     "rules": {"TL211": {"allow": ["teh"], "extend-words": {"wih": ["with", "wish"]}, "n": 1.5, "z": None},
               "line-length": {"max": 100, "nested": {"a": [1, True, "x"]}}},
     "link-check": {"timeout": 3, "exclude": ["^https://x"]},
     "timezones": {"zone": "Europe/Paris", "places": {"Lyon": "Europe/Paris"}},
     "site-generator": "hugo", "image-fields": ["cover.url"], "cache-dir": "c"},
    {"rules": {"x": {"when": datetime.date(2024, 1, 2)}}},  # dates: pydantic's ISO form
    {"rules": {"x": {"at": datetime.datetime(2024, 1, 2, 3, 4, 5)}}},
    {"rules": {"x": {"big": float("inf"), "nan": float("nan")}}},
    {"rules": {"x": {"a": {1: "b"}, "t": (1, 2)}}},  # a key that is no string, a tuple
]


@pytest.mark.parametrize("data", SETTINGS)
def test_settings_data_is_the_dump(data):
    settings = Settings.model_validate(data)
    assert json.dumps(cache.settings_data(settings), sort_keys=True, default=str) == \
        json.dumps(settings.model_dump(mode="json"), sort_keys=True, default=str)


def test_settings_data_of_the_defaults_is_the_dump():
    assert cache.settings_data(default_settings()) == Settings.model_validate({}).model_dump(mode="json")


@pytest.mark.parametrize("data", [{}, {
    "select": ["ALL"], "ignore": ["TL240"], "per-file-ignores": {"a/*.md": ["TL201"]},
    "rules": {"TL211": {"allow": ["teh"], "extend-words": {"wih": ["with", "wish"]}}},
    "link-check": {"timeout": 3}, "timezones": {"zone": "Europe/Paris"}, "site-generator": "hugo"}])
def test_the_run_key_is_the_one_of_the_dump(data, monkeypatch):
    linter = Linter(Config(Settings.model_validate(data)), Overrides())
    key = cache.run_key(linter, False)
    monkeypatch.setattr(cache, "settings_data", lambda s: s.model_dump(mode="json"))
    assert cache.run_key(linter, False) == key


def test_a_cached_run_without_a_config_file_builds_no_settings_serializer(tmp_path):
    (tmp_path / "a.md").write_text("# Title\n\nText.\n", encoding="utf-8")
    out = run_python("""
        from talklint import cache
        from talklint.config import LinkCheckSettings, Settings, discover
        from talklint.engine import Linter, Overrides
        linter = Linter(discover(["a.md"]), Overrides())
        cache.run_key(linter, False)
        print(Settings.__pydantic_complete__, LinkCheckSettings.__pydantic_complete__)
    """, cwd=tmp_path)
    assert out.split() == ["False", "False"]


# -- finding the config file ----------------------------------------------------------------------------


def test_a_pyproject_without_talklint_is_not_parsed(tmp_path, monkeypatch):
    from talklint import configfile

    (tmp_path / "pyproject.toml").write_text('[tool.black]\nline-length = 99\n', encoding="utf-8")
    monkeypatch.setattr(configfile, "_toml", lambda: pytest.fail("parsed"))
    assert configfile.find_config_file(tmp_path) is None


@pytest.mark.parametrize("text, found", [
    ('[tool.talklint]\nignore = ["TL201"]\n', True),
    ('[tool."t\\u0061lklint"]\nignore = ["TL201"]\n', True),  # a quoted key, spelt with an escape
    ('[tool."t\\U00000061lklint"]\n', True),
    ("[tool.'talklint']\n", True),
    ('[tool.black]\nx = "talklint"\n', False),
    ('[tool.talklint\n', False),  # broken: someone else's problem
    ('x = "\\u00e9"\n', False),
])
def test_a_pyproject_naming_talklint_is_found(tmp_path, text, found):
    from talklint import configfile

    (tmp_path / "pyproject.toml").write_text(text, encoding="utf-8")
    assert (configfile.find_config_file(tmp_path) is not None) is found


def test_the_run_key_names_the_plugins_the_registry_loaded(monkeypatch):
    from talklint import registry

    linter = Linter(Config(), Overrides())
    assert linter.registry.entry_points == registry._entry_points()
    assert cache._plugin_versions(linter) == cache._plugin_versions()
    key = cache.run_key(linter, False)
    monkeypatch.setattr(registry, "_entry_points", lambda: pytest.fail("scanned again"))
    assert cache.run_key(linter, False) == key
    given = Linter(Config(), Overrides(), registry=registry.Registry(dict(linter.registry.rules)))
    monkeypatch.undo()
    assert cache.run_key(given, False) == key  # a registry built by hand: the plugins are scanned for
