"""What a run does before the first page, done less often or later: validators built on first
use, the shipped packs and kinds validated once and kept, the phrase regexes and literal tests
that every page pays for. Each must give exactly what the plain way gives."""

from __future__ import annotations

import json
import pickle
import random
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from talklint import declarative, kinds, registry
from talklint.config import ConfigError, Settings, default_settings, load_config
from talklint.declarative import (LEFT_BOUNDARY, RIGHT_BOUNDARY, _phrase_body, is_word_char, literal_gate,
                                  load_pack, phrase_regexes)
from talklint.registry import builtin_pack_dir, load_shipped, pack_files

ROOT = Path(__file__).resolve().parent.parent


def run_python(code: str, cwd: Path | None = None) -> str:
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          cwd=cwd, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


# -- settings without a config file ----------------------------------------------------------------


def test_default_settings_are_the_validated_defaults():
    built, validated = default_settings(), Settings.model_validate({})
    assert built == validated
    assert built.model_dump(mode="json") == validated.model_dump(mode="json")
    assert built.model_fields_set == validated.model_fields_set == set()
    assert built.link_check == validated.link_check and built.timezones == validated.timezones


def test_a_run_without_a_config_file_builds_no_settings_validator(tmp_path):
    (tmp_path / "a.md").write_text("# Title\n\nText.\n", encoding="utf-8")
    out = run_python("""
        from talklint.config import LinkCheckSettings, Settings, TimezoneSettings, discover
        config = discover(["a.md"])
        print(config.path, Settings.__pydantic_complete__, LinkCheckSettings.__pydantic_complete__,
              TimezoneSettings.__pydantic_complete__)
    """, cwd=tmp_path)
    assert out.split() == ["None", "False", "False", "False"]


def test_settings_from_a_file_are_validated(tmp_path):
    path = tmp_path / "talklint.toml"
    path.write_text('[link-check]\ntimeout = 3\n[timezones]\nzone = "Europe/Paris"\n', encoding="utf-8")
    settings = load_config(path).settings
    assert settings.link_check.timeout == 3.0 and settings.link_check.retries == 2
    assert settings.timezones.zone == "Europe/Paris"
    path.write_text("[link-check]\ntimeout = 0\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"key 'link-check.timeout': Input should be greater than 0"):
        load_config(path)
    path.write_text('[timezones]\nzone = "Mars/Olympus"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"key 'timezones.zone'"):
        load_config(path)


# -- shipped files, validated once ------------------------------------------------------------------


@pytest.fixture
def writes_kept(monkeypatch):
    monkeypatch.setattr(sys, "dont_write_bytecode", False)


def counting(value):
    calls = []

    def validate():
        calls.append(1)
        return value

    return validate, calls


def test_a_shipped_file_is_validated_once_and_kept(tmp_path, writes_kept):
    path = tmp_path / "data.yaml"
    path.write_text("a: 1\n", encoding="utf-8")
    validate, calls = counting({"a": [1, 2]})
    assert load_shipped(path, validate) == {"a": [1, 2]}
    assert (tmp_path / "__pycache__" / "data.yaml.pickle").is_file()
    assert load_shipped(path, validate) == {"a": [1, 2]}
    assert len(calls) == 1


def test_a_changed_file_is_validated_again(tmp_path, writes_kept):
    path = tmp_path / "data.yaml"
    path.write_text("a: 1\n", encoding="utf-8")
    load_shipped(path, lambda: "old")
    path.write_text("a: 2\n", encoding="utf-8")
    validate, calls = counting("new")
    assert load_shipped(path, validate) == "new" and calls == [1]
    assert load_shipped(path, validate) == "new" and calls == [1]


def test_changed_code_means_validating_again(tmp_path, writes_kept):
    path, code = tmp_path / "data.yaml", tmp_path / "validator.py"
    path.write_text("a: 1\n", encoding="utf-8")
    code.write_text("VERSION = 1\n", encoding="utf-8")
    load_shipped(path, lambda: "by version 1", code=(str(code),))
    code.write_text("VERSION = 2\n", encoding="utf-8")
    registry._code_stamp.cache_clear()  # read once per process: as the code it stands for
    assert load_shipped(path, lambda: "by version 2", code=(str(code),)) == "by version 2"


def test_a_validation_error_is_raised_every_time(tmp_path, writes_kept):
    path = tmp_path / "data.yaml"
    path.write_text("a: 1\n", encoding="utf-8")

    def broken():
        raise ValueError("bad pack")

    for _ in range(2):
        with pytest.raises(ValueError, match="bad pack"):
            load_shipped(path, broken)
    assert not (tmp_path / "__pycache__" / "data.yaml.pickle").exists()


def test_nothing_is_kept_when_python_writes_no_bytecode(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    path = tmp_path / "data.yaml"
    path.write_text("a: 1\n", encoding="utf-8")
    validate, calls = counting("value")
    assert load_shipped(path, validate) == load_shipped(path, validate) == "value"
    assert calls == [1, 1] and not (tmp_path / "__pycache__").exists()


class _Planted:
    def __reduce__(self):
        return (exec, ("import pathlib; pathlib.Path('planted').touch()",))


def test_a_damaged_or_planted_kept_file_is_validated_again(tmp_path, writes_kept, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "data.yaml"
    path.write_text("a: 1\n", encoding="utf-8")
    load_shipped(path, lambda: "value")
    kept = tmp_path / "__pycache__" / "data.yaml.pickle"
    key = pickle.loads(kept.read_bytes())[0]
    for content in (b"not a pickle", pickle.dumps(("another key", "stale")), pickle.dumps((key, _Planted()))):
        kept.write_bytes(content)
        validate, calls = counting("value")
        assert load_shipped(path, validate) == "value" and calls == [1]
    assert not (tmp_path / "planted").exists()


def test_a_read_only_folder_is_no_error(tmp_path, writes_kept):
    path = tmp_path / "data.yaml"
    path.write_text("a: 1\n", encoding="utf-8")
    (tmp_path / "__pycache__").write_text("a file where the folder would be", encoding="utf-8")
    assert load_shipped(path, lambda: "value") == "value"


def test_kept_packs_build_the_rules_validated_packs_build(tmp_path, writes_kept, monkeypatch):
    packs = tmp_path / "rules"
    packs.mkdir()
    for path in pack_files(builtin_pack_dir()):
        (packs / path.name).write_bytes(path.read_bytes())
    for path in sorted(packs.glob("*.yaml")):
        fresh = load_pack(path)
        load_pack(path, shipped=True)  # validates, then keeps
        with monkeypatch.context() as m:
            m.setattr(declarative, "read_pack", lambda p: pytest.fail("validated again"))
            kept = load_pack(path, shipped=True)
        assert [r.definition for r in kept] == [r.definition for r in fresh]
        for a, b in zip(kept, fresh):
            assert (a.code, a.name, a.severity, a.fixable, a.default_enabled, a.__doc__, a.literals, a.phrases) == \
                   (b.code, b.name, b.severity, b.fixable, b.default_enabled, b.__doc__, b.literals, b.phrases)
            assert [x.pattern for x in a.pattern_regexes] == [x.pattern for x in b.pattern_regexes]


def test_kept_kinds_are_the_validated_kinds(tmp_path, writes_kept, monkeypatch):
    shipped = tmp_path / "kinds.yaml"
    shipped.write_bytes(kinds.builtin_kinds_file().read_bytes())
    monkeypatch.setattr(kinds, "builtin_kinds_file", lambda: shipped)
    fresh = kinds._read_kinds(shipped)
    kinds._builtin_kinds.cache_clear()
    try:
        assert kinds._builtin_kinds() == fresh  # validated, then kept
        kinds._builtin_kinds.cache_clear()
        with monkeypatch.context() as m:
            m.setattr(kinds, "_read_kinds", lambda p: pytest.fail("validated again"))
            assert kinds._builtin_kinds() == fresh
    finally:
        kinds._builtin_kinds.cache_clear()


def test_a_run_reports_the_same_with_kept_packs_and_kinds(tmp_path):
    # The whole tool, once validating the shipped files and once from what it kept of them.
    page = tmp_path / "talk.md"
    page.write_text("---\ntitle: Hi\nspeaker: Jane McKenzie\n---\n\nWe use Github and Numpy. TODO: fix\n",
                    encoding="utf-8")
    code = """
        import sys
        sys.dont_write_bytecode = False
        from talklint.cli import main
        sys.argv = ["talklint", "check", "--no-cache", "--output-format", "json", "talk.md"]
        main()
    """
    runs = []
    for _ in range(2):
        done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                              cwd=tmp_path, timeout=120)
        assert done.returncode == 1, done.stderr
        runs.append(json.loads(done.stdout))
    assert runs[0] == runs[1]
    assert {f["code"] for f in runs[0]} >= {"TL210", "TL220"}


# -- matching phrases ---------------------------------------------------------------------------------


def reference_regexes(phrases, ignore_case=False):
    """The phrase regexes written plainly: the boundary, then the phrases, longest first."""
    groups: dict = {}
    for phrase in phrases:
        groups.setdefault((is_word_char(phrase[:1]), is_word_char(phrase[-1:])), []).append(phrase)
    flags = re.IGNORECASE if ignore_case else 0
    out = []
    for (left, right), members in sorted(groups.items()):
        body = "|".join(_phrase_body(m) for m in sorted(members, key=len, reverse=True))
        out.append(re.compile(f"{LEFT_BOUNDARY if left else ''}(?:{body}){RIGHT_BOUNDARY if right else ''}", flags))
    return out


ALPHABET = ["G", "g", "i", "t", "h", "u", "b", "C", "+", ".", "N", "E", "T", "_", "__", " ", "\n", "-",
            "é", "\u0301", "使", "で", "1", "#", "ı"]


def random_text(rng: random.Random, size: int) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(size))


@pytest.mark.parametrize("seed", range(6))
def test_phrase_regexes_find_what_the_plain_regexes_find(seed):
    rng = random.Random(seed)
    for _ in range(60):
        phrases = tuple({" ".join(random_text(rng, rng.randint(1, 4)).split()) or "G"
                         for _ in range(rng.randint(1, 5))})
        phrases = tuple(p for p in phrases if p)
        for ignore_case in (False, True):
            phrase_regexes.cache_clear()
            ours, plain = phrase_regexes(phrases, ignore_case), reference_regexes(phrases, ignore_case)
            for _ in range(15):
                text = random_text(rng, rng.randint(0, 30))
                assert [[m.span() for m in rx.finditer(text)] for rx in ours] == \
                       [[m.span() for m in rx.finditer(text)] for rx in plain], (phrases, text)


def test_phrase_regexes_on_the_shipped_names():
    texts = ["Github", "a Github b", "_Github_", "__Github__", "x_Github", "使用Github托管", "Githubで",
             "GitHub", "Githubs", "é\u0301Github", "\nGithub\n", "C++ and .NET", "Django\nCon", "Numpy."]
    for path in pack_files(builtin_pack_dir()):
        for rule in load_pack(path):
            if not rule.phrases:
                continue
            ours = phrase_regexes(rule.phrases, rule.definition.ignore_case)
            plain = reference_regexes(rule.phrases, rule.definition.ignore_case)
            for text in texts + [f"see {p}, {p}." for p in rule.phrases]:
                assert [[m.span() for m in rx.finditer(text)] for rx in ours] == \
                       [[m.span() for m in rx.finditer(text)] for rx in plain], (rule.code, text)


@pytest.mark.parametrize("seed", range(4))
def test_literal_gate_answers_as_in_does(seed):
    rng = random.Random(seed)
    alphabet = "abAB+.é "
    for _ in range(400):
        literals = tuple({"".join(rng.choice(alphabet) for _ in range(rng.randint(1, 4)))
                          for _ in range(rng.randint(1, 8))})
        gate = literal_gate(literals)
        for _ in range(20):
            text = "".join(rng.choice(alphabet + "\n") for _ in range(rng.randint(0, 16)))
            assert (gate.search(text) is not None) == any(lit in text for lit in literals), (literals, text)


def test_a_rule_finds_the_same_before_and_after_its_gate_is_built(tmp_path):
    names = [f"Name{chr(65 + i)}x" for i in range(20)]
    body = "".join(f"      {n}: NAME{n[4]}X\n" for n in names)
    pack = tmp_path / "names.yaml"
    pack.write_text(textwrap.dedent("""\
        rules:
          - kind: substitution
            code: TL881
            name: many-names
            message: "Write {replacement}"
            what: What it does.
            why: Why it is bad.
            example: An example.
            swap:
        """) + body, encoding="utf-8")
    [rule_cls] = load_pack(pack)
    assert len(rule_cls.literals) >= rule_cls.GATE_MIN_LITERALS
    from talklint.document import parse
    from talklint.rule import Context
    from talklint.source import Source

    rule = rule_cls()
    pages = [f"Text {names[i % 20]} and NameZx.\n" if i % 3 else "Nothing here.\n" for i in range(3 * rule.GATE_AFTER)]
    found = []
    for i, text in enumerate(pages):
        source = Source.from_bytes(f"p{i}.md", text.encode())
        ctx = Context(source=source, document=parse(source), path=source.path)
        found.append([(f.start, f.end, f.message) for f in rule.check(ctx)])
    assert rule._gate is not None
    expected = [[(5, 11, f"Write NAME{names[i % 20][4]}X")] if i % 3 else [] for i in range(len(pages))]
    assert found == expected
