"""Declarative YAML rule packs: loading, errors at load time, matching, fixes, user packs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from talklint.config import Config, Settings
from talklint.declarative import PackError, keep_spacing, load_pack, match_case, phrase_regexes
from talklint.docs import render_rule
from talklint.engine import Linter, Overrides
from talklint.finding import Applicability
from talklint.registry import RegistryError, builtin_pack_dir, load_registry, missing_doc_sections

ROOT = Path(__file__).resolve().parent.parent
PACKS = ROOT / "rules"
USER_PACKS = Path(__file__).parent / "fixtures" / "packs"

DOCS = "    what: What it does.\n    why: Why it is bad.\n    example: An example.\n"


def write_pack(folder: Path, body: str, name: str = "x.yaml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def lint(text: str, select, pack_dirs=(), root: Path | None = None):
    config = Config(Settings(rule_packs=[str(d) for d in pack_dirs]),
                    (root / "talklint.toml") if root else None)
    linter = Linter(config, Overrides(select=list(select)))
    return linter.lint_text(text, "page.md")


def apply(text: str, findings, applicabilities=(Applicability.SAFE, Applicability.UNSAFE)) -> str:
    edits = sorted((e for f in findings if f.fix and f.fix.applicability in applicabilities
                    for e in f.fix.edits), key=lambda e: e.start, reverse=True)
    for e in edits:
        text = text[:e.start] + e.replacement + text[e.end:]
    return text


# -- the shipped packs ------------------------------------------------------------------------------

def test_builtin_pack_dir_is_the_checkout_rules_folder():
    assert builtin_pack_dir() == PACKS


@pytest.mark.parametrize("path", sorted(PACKS.glob("*.yaml")), ids=lambda p: p.name)
def test_shipped_pack_loads_with_full_docs(path):
    rules = load_pack(path)
    assert rules
    for rule in rules:
        assert rule.code.startswith("TL")
        assert missing_doc_sections(rule) == []
        assert rule.origin == f"rule pack {path.name}"
        doc = render_rule(rule)
        assert doc.startswith(f"# {rule.code} {rule.name}\n")
        assert f"From rule pack {path.name}." in doc


def test_shipped_rules_are_registered():
    reg = load_registry()
    tl210, tl220 = reg.get("TL210"), reg.get("placeholder-text")
    assert (tl210.name, tl210.fixable, tl210.severity.value) == ("entity-name-case", "always", "warning")
    assert (tl220.code, tl220.fixable, tl220.severity.value) == ("TL220", "never", "warning")
    assert tl210.one_line() == "Well-known product and project names written with the wrong capitals"


def test_entity_names_only_change_case():
    """The pack's own policy: each entry fixes capitals only, never the letters, and the wrong
    form always has a capital (lower-case forms are commands, handles and domains)."""
    [rule] = yaml.safe_load((PACKS / "entity-names.yaml").read_text(encoding="utf-8"))["rules"]
    assert rule["fix"] == "safe" and rule.get("ignore-case", False) is False
    for wrong, right in rule["swap"].items():
        assert wrong.casefold() == right.casefold() and wrong != right, wrong
        assert wrong != wrong.lower(), wrong


# -- load-time errors: file, rule, key ---------------------------------------------------------------

GOOD_SUB = """\
rules:
  - kind: substitution
    code: TL801
    name: word-swap
    message: "Use {replacement}, not {match}"
""" + DOCS

ERRORS = [
    ("swap-not-a-mapping", GOOD_SUB + "    swap: [Github, GitHub]\n",
     "rule TL801: swap: Input should be a valid dictionary"),
    ("unknown-key", GOOD_SUB + "    swap: {a: b}\n    sevrity: error\n",
     "rule TL801: sevrity: unknown key (did you mean 'severity'?)"),
    ("unknown-key-no-guess", GOOD_SUB + "    swap: {a: b}\n    colour: red\n",
     "rule TL801: colour: unknown key"),
    ("unknown-top-level-key", "rules: []\nrulez: []\n",
     "rulez: unknown key (did you mean 'rules'?)"),
    ("bad-code", GOOD_SUB.replace("TL801", "tl-801") + "    swap: {a: b}\n",
     "rule tl-801: code: 'tl-801' is not a rule code: want 1-4 capital letters and 3 digits, like 'TL801'"),
    ("bad-name", GOOD_SUB.replace("word-swap", "Word_Swap") + "    swap: {a: b}\n",
     "rule TL801: name: 'Word_Swap' is not a kebab-case rule name like 'entity-name-case'"),
    ("unknown-placeholder", GOOD_SUB.replace("{match}", "{word}") + "    swap: {a: b}\n",
     "rule TL801: message: unknown placeholder {word}: the message may use only {match} and "
     "{replacement} (write {{ and }} for literal braces)"),
    ("placeholder-attribute", GOOD_SUB.replace("{match}", "{match.upper}") + "    swap: {a: b}\n",
     "rule TL801: message: unknown placeholder {match.upper}: the message may use only {match} and "
     "{replacement} (write {{ and }} for literal braces)"),
    ("placeholder-conversion", GOOD_SUB.replace("{match}", "{match!r}") + "    swap: {a: b}\n",
     "rule TL801: message: unknown placeholder {match!r}: the message may use only {match} and "
     "{replacement} (write {{ and }} for literal braces)"),
    ("unbalanced-brace", GOOD_SUB.replace("{match}", "{match") + "    swap: {a: b}\n",
     "rule TL801: message: expected '}' before end of string (write {{ and }} for literal braces)"),
    ("replacement-in-existence", """\
        rules:
          - kind: existence
            code: TL802
            name: no-foo
            message: "Do not write {match}; write {replacement}"
            tokens: [foo]
            what: a
            why: b
            example: c
        """,
     "rule TL802: message: unknown placeholder {replacement}: the message may use only {match} "
     "(write {{ and }} for literal braces)"),
    ("bad-regex", """\
        rules:
          - kind: existence
            code: TL802
            name: no-foo
            message: "No {match}"
            patterns: ['foo(bar']
            what: a
            why: b
            example: c
        """,
     "rule TL802: patterns: pattern 'foo(bar' is not a valid regular expression: "
     "missing ), unterminated subpattern at position 3"),
    ("regex-matches-nothing", """\
        rules:
          - kind: existence
            code: TL802
            name: no-foo
            message: "No {match}"
            patterns: ['x*']
            what: a
            why: b
            example: c
        """,
     "rule TL802: patterns: pattern 'x*' matches the empty string"),
    ("existence-without-tokens", """\
        rules:
          - kind: existence
            code: TL802
            name: no-foo
            message: "No {match}"
            what: a
            why: b
            example: c
        """,
     "rule TL802: an existence rule needs 'tokens' or 'patterns'"),
    ("missing-what", GOOD_SUB.replace("    what: What it does.\n", "") + "    swap: {a: b}\n",
     "rule TL801: what: required key is missing"),
    ("missing-why", GOOD_SUB.replace("    why: Why it is bad.\n", "") + "    swap: {a: b}\n",
     "rule TL801: why: required key is missing"),
    ("missing-example", GOOD_SUB.replace("    example: An example.\n", "") + "    swap: {a: b}\n",
     "rule TL801: example: required key is missing"),
    ("blank-what", GOOD_SUB.replace("What it does.", "'  '") + "    swap: {a: b}\n",
     "rule TL801: what: must not be empty"),
    ("wrong-kind", GOOD_SUB.replace("kind: substitution", "kind: substitute") + "    swap: {a: b}\n",
     "rule TL801: kind: unknown kind 'substitute': want one of existence, substitution"),
    ("missing-kind", GOOD_SUB.replace("  - kind: substitution\n    code", "  - code") + "    swap: {a: b}\n",
     "rule TL801: kind: missing: want one of existence, substitution"),
    ("bad-severity", GOOD_SUB + "    swap: {a: b}\n    severity: fatal\n",
     "rule TL801: severity: Input should be 'error', 'warning' or 'info'"),
    ("bad-fix", GOOD_SUB + "    swap: {a: b}\n    fix: always\n",
     "rule TL801: fix: Input should be 'safe', 'unsafe' or 'display'"),
    ("yaml-boolean-key", GOOD_SUB + "    swap: {No: Nö}\n",
     "rule TL801: swap: a key is not text: YAML read false here; put the text in quotes"),
    ("yaml-null-value", GOOD_SUB + "    swap: {Nodejs: null}\n",
     "rule TL801: swap.Nodejs: a value is not text: YAML read null here; put the text in quotes"),
    ("swap-empty", GOOD_SUB + "    swap: {}\n",
     "rule TL801: swap: needs at least one 'wrong: right' entry"),
    ("swap-to-itself", GOOD_SUB + "    swap: {GitHub: GitHub}\n",
     "rule TL801: swap: 'GitHub' is replaced by itself"),
    ("swap-chain", GOOD_SUB + "    swap: {colour: color, color: hue}\n",
     "rule TL801: swap: the replacement 'color' of 'colour' contains 'color', which the rule "
     "replaces too: map 'colour' straight to the final form, so that fixing once is enough"),
    # The replacement holds a key only after its white space is folded, or its case.
    ("swap-chain-spaced", GOOD_SUB + "    swap: {Nodejs Conf: the Node.js  conf, Node.js conf: Node.js Conf}\n",
     "rule TL801: swap: the replacement 'the Node.js  conf' of 'Nodejs Conf' contains 'Node.js  conf', which "
     "the rule replaces too: map 'Nodejs Conf' straight to the final form, so that fixing once is enough"),
    ("swap-chain-folded-case", GOOD_SUB + "    ignore-case: true\n    swap: {colour: COLOR, color: hue}\n",
     "rule TL801: swap: the replacement 'COLOR' of 'colour' contains 'COLOR', which the rule "
     "replaces too: map 'colour' straight to the final form, so that fixing once is enough"),
    ("swap-case-clash", GOOD_SUB + "    ignore-case: true\n    swap: {Github: GitHub, github: GitHub}\n",
     "rule TL801: swap: keys 'Github' and 'github' differ only in case, but the rule has ignore-case: true"),
    ("rule-without-code", GOOD_SUB.replace("    code: TL801\n", "") + "    swap: {a: b}\n",
     "rule #1: code: required key is missing"),
    ("rule-not-a-mapping", "rules:\n  - just a string\n",
     "rule #1: a rule must be a mapping of keys, not a string"),
    ("rules-not-a-list", "rules: {code: TL801}\n", "rules: Input should be a valid list"),
    ("no-rules", "{}\n", "rules: required key is missing"),
    ("empty-file", "", "a rule pack must be a mapping with a 'rules' list, not an empty document"),
    ("top-level-list", "- kind: existence\n", "a rule pack must be a mapping with a 'rules' list, not a list"),
    ("invalid-yaml", "rules:\n  - kind: existence\n   code: TL802\n",
     "invalid YAML: line 3, column 4: expected <block end>, but found '<block mapping start>'"),
    ("duplicate-key", GOOD_SUB + "    swap: {a: b}\n    code: TL802\n",
     "invalid YAML: line 10, column 5: found duplicate key 'code' (first at line 3)"),
]


@pytest.mark.parametrize("body, message", [pytest.param(b, m, id=i) for i, b, m in ERRORS])
def test_pack_error_names_file_rule_and_key(tmp_path, body, message):
    path = write_pack(tmp_path, body)
    with pytest.raises(PackError) as info:
        load_pack(path)
    assert str(info.value) == f"{path}: {message}"


def test_every_error_of_a_pack_is_reported_one_per_line(tmp_path):
    path = write_pack(tmp_path, GOOD_SUB.replace("TL801", "TL8") + "    swap: {a: b}\n    colour: red\n")
    with pytest.raises(PackError) as info:
        load_pack(path)
    assert str(info.value).splitlines() == [
        f"{path}: rule TL8: code: 'TL8' is not a rule code: want 1-4 capital letters and 3 digits, like 'TL801'",
        f"{path}: rule TL8: colour: unknown key",
    ]


def test_pack_code_clashing_with_a_builtin_names_both(tmp_path):
    write_pack(tmp_path / "packs", GOOD_SUB.replace("TL801", "TL201") + "    swap: {a: b}\n")
    with pytest.raises(RegistryError) as info:
        load_registry([tmp_path / "packs"])
    assert str(info.value) == (
        "rule code TL201 is defined twice: by TL201 trailing-whitespace "
        "(talklint.checks.whitespace.TrailingWhitespace, from talklint) "
        "and by TL201 word-swap (from rule pack x.yaml)")


def test_two_packs_with_one_code_names_both(tmp_path):
    write_pack(tmp_path / "packs", GOOD_SUB + "    swap: {a: b}\n", "a.yaml")
    write_pack(tmp_path / "packs", GOOD_SUB.replace("word-swap", "other-swap") + "    swap: {c: d}\n", "b.yaml")
    with pytest.raises(RegistryError) as info:
        load_registry([tmp_path / "packs"])
    assert str(info.value) == ("rule code TL801 is defined twice: by TL801 word-swap (from rule pack a.yaml) "
                               "and by TL801 other-swap (from rule pack b.yaml)")


def test_missing_pack_folder(tmp_path):
    with pytest.raises(PackError) as info:
        load_registry([tmp_path / "nope"])
    assert str(info.value) == f"{tmp_path / 'nope'}: rule-pack folder not found"


def test_same_folder_twice_loads_once():
    reg = load_registry([PACKS, PACKS])
    assert reg.get("TL210") is not None


# -- user packs through the configuration, end to end ------------------------------------------------

PAGE = """\
# Our talk

We utilize Django in order to ship. Join us at Django Con
Europe, [click here](https://2024.djangocon.us/djangocon) for tickets.
"""


@pytest.fixture
def project(tmp_path) -> Path:
    shutil.copytree(USER_PACKS / "my-rules", tmp_path / "my-rules")
    (tmp_path / "talklint.toml").write_text('rule-packs = ["my-rules"]\n', encoding="utf-8")
    (tmp_path / "page.md").write_text(PAGE, encoding="utf-8")
    return tmp_path


def run(args, cwd: Path):
    env = dict(os.environ)
    env.pop("CI", None)
    return subprocess.run([sys.executable, "-m", "talklint", *args], cwd=cwd, env=env, text=True,
                          capture_output=True, timeout=120)


def test_user_pack_rules_are_listed(project):
    r = run(["rules", "--output-format", "json"], project)
    assert r.returncode == 0, r.stderr
    rows = {row["code"]: row for row in json.loads(r.stdout)}
    assert rows["HS001"] == {
        "code": "HS001", "name": "house-word-choice", "fixable": "always", "severity": "warning",
        "default": True, "origin": "rule pack house-style.yaml", "summary": "Prefers plain words to longer ones",
    }
    assert rows["HS003"]["default"] is False and rows["HS003"]["severity"] == "info"
    assert "TL210" in rows  # the shipped packs are still there

    r = run(["explain", "house-event-name"], project)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("# HS002 house-event-name\n")
    assert "## What it does\nThe event's own name, spelt as on its logo.\n" in r.stdout
    assert "## Example\n`Django Con Europe` → `DjangoCon Europe`" in r.stdout


def test_user_pack_rules_are_checked(project):
    r = run(["check", "--output-format", "json", "--extend-select", "HS003", "page.md"], project)
    assert r.returncode == 1, r.stderr
    got = [(f["line"], f["column"], f["end_line"], f["end_column"], f["code"], f["message"])
           for f in json.loads(r.stdout)]
    assert got == [
        (3, 4, 3, 11, "HS001", "Write 'use' rather than 'utilize'"),
        (3, 19, 3, 30, "HS001", "Write 'to' rather than 'in order to'"),
        (3, 48, 3, 58, "HS002", "Our event is called 'DjangoCon', not 'Django Con'"),
        (4, 10, 4, 20, "HS003", "Link text 'click here' says nothing about the target"),
    ]
    # off by default: not reported unless selected
    r = run(["check", "--output-format", "json", "page.md"], project)
    assert "HS003" not in {f["code"] for f in json.loads(r.stdout)}


def test_broken_user_pack_is_a_clear_error(project):
    pack = project / "my-rules" / "house-style.yaml"
    pack.write_text(pack.read_text(encoding="utf-8").replace("swap:\n      utilize: use\n      in order to: to\n",
                                                             "swap: utilize\n"), encoding="utf-8")
    for args in (["check", "page.md"], ["rules"]):
        r = run(args, project)
        assert r.returncode == 2
        assert r.stderr == (f"talklint: error: {pack.resolve()}: rule HS001: swap: "
                            "Input should be a valid dictionary\n")
        assert r.stdout == ""


# -- matching: prose only, whole words ---------------------------------------------------------------

EVERYWHERE = """\
---
title: Foobar in the title
foobar: key
list: [Foobar]
---
# Foobar heading

Prose Foobar, `Foobar code`, [Foobar text](https://example.org/Foobar "Foobar title").
<https://example.org/Foobar> https://Foobar.example.org/x www.Foobar.org
Foobar@example.org and mail@Foobar.org, @Foobar, <b title="Foobar">Foobar</b> <!-- Foobar -->
![Foobar alt](Foobar.png)

```
Foobar block
```

    Foobar indented

[ref]: https://example.org/Foobar
"""


def _foobar_pack(tmp_path, scope):
    write_pack(tmp_path / f"packs-{scope}", f"""\
        rules:
          - kind: substitution
            code: XT001
            name: foobar
            message: "{{match}} → {{replacement}}"
            scope: {scope}
            what: a
            why: b
            example: c
            swap: {{Foobar: FooBar}}
        """)
    return tmp_path / f"packs-{scope}"


def test_nothing_fires_outside_prose(tmp_path):
    found = lint(EVERYWHERE, ["XT001"], [_foobar_pack(tmp_path, "prose")])
    assert [(f.line, f.column) for f in found] == [
        (2, 8),    # a front-matter string value is prose (not the key, not a list)
        (6, 3),    # heading
        (8, 7),    # paragraph (not the code span)
        (8, 31),   # link text (not its destination)
        (8, 72),   # link title
        (10, 68),  # text between HTML tags (not the attribute, not the comment)
        (11, 3),   # image alt text (not its source)
    ]
    assert all(EVERYWHERE[f.start:f.end] == "Foobar" for f in found)


def test_scope_all_reads_everything(tmp_path):
    prose = lint(EVERYWHERE, ["XT001"], [_foobar_pack(tmp_path, "prose")])
    everything = lint(EVERYWHERE, ["XT001"], [_foobar_pack(tmp_path, "all")])
    assert len(everything) == EVERYWHERE.count("Foobar") > len(prose)


@pytest.mark.parametrize("text, hits", [
    ("Github", ["Github"]),
    ("on Github.", ["Github"]),
    ("Github's, Github-hosted, (Github)", ["Github"] * 3),
    ("_Github_ and __Github__ and *Github*", ["Github"] * 3),
    ("使用Github托管 Githubで 깃허브Github에서", ["Github"] * 3),  # scripts without spaces
    ("ÅGithub Githubé Github_token my_Github xGithub Github2 2Github", []),  # letters of any script
    ("Githubé", []),  # decomposed: e + U+0301 COMBINING ACUTE ACCENT
    ("Г Githubы", []),
    ("github GITHUB GitHub", []),  # case-sensitive
])
def test_whole_words_in_any_script(text, hits):
    regexes = phrase_regexes(("Github",))
    assert [m.group() for rx in regexes for m in rx.finditer(text)] == hits


def test_phrases_with_symbols_and_spaces():
    [rx] = phrase_regexes((".NET",))
    assert [m.group() for m in rx.finditer("on .NET, ASP.NET and .NETCore")] == [".NET", ".NET"]
    [rx] = phrase_regexes(("C++",))
    assert [m.span() for m in rx.finditer("C++ and C++20 and AC++")] == [(0, 3), (8, 11)]
    [rx] = phrase_regexes(("Django Con",))
    assert [m.group() for m in rx.finditer("Django Con, Django\n  Con, DjangoCon")] == ["Django Con", "Django\n  Con"]


def test_overlapping_entries_longest_wins(tmp_path):
    pack = write_pack(tmp_path / "p", """\
        rules:
          - kind: existence
            code: XT002
            name: overlap
            message: "{match}"
            tokens: [Lorem, Lorem ipsum]
            patterns: ['ipsum dolor']
            what: a
            why: b
            example: c
        """).parent
    found = lint("Lorem ipsum dolor.\n", ["XT002"], [pack])
    assert [f.message for f in found] == ["Lorem ipsum"]


# -- substitution fixes ------------------------------------------------------------------------------

def test_entity_name_fix_content():
    text = "# Github and Javascript\n\nSee github.com, @github and `Github`, or Pyladies.\n"
    found = lint(text, ["TL210"])
    assert [(f.line, f.column, f.message) for f in found] == [
        (1, 3, "'Github' is spelt 'GitHub'"),
        (1, 14, "'Javascript' is spelt 'JavaScript'"),
        (3, 42, "'Pyladies' is spelt 'PyLadies'"),
    ]
    for f in found:
        assert f.fix.applicability == Applicability.SAFE
        [edit] = f.fix.edits
        assert (edit.start, edit.end) == (f.start, f.end)
        assert f.fix.message == f"Replace with `{edit.replacement}`"
    fixed = apply(text, found)
    assert fixed == "# GitHub and JavaScript\n\nSee github.com, @github and `Github`, or PyLadies.\n"
    assert lint(fixed, ["TL210"]) == []


def _swap_pack(tmp_path, extra: str, swap: str):
    body = ("rules:\n"
            "  - kind: substitution\n"
            "    code: XT003\n"
            "    name: swap-test\n"
            '    message: "{replacement}, not {match}"\n'
            + DOCS
            + "".join(f"    {line}\n" for line in extra.splitlines())
            + f"    swap: {swap}\n")
    return write_pack(tmp_path / "p", body).parent


def test_case_sensitive_by_default(tmp_path):
    pack = _swap_pack(tmp_path, "", "{utilize: use}")
    assert [f.message for f in lint("utilize Utilize UTILIZE\n", ["XT003"], [pack])] == ["use, not utilize"]


def test_ignore_case_keeps_the_shape_of_the_word(tmp_path):
    pack = _swap_pack(tmp_path, "ignore-case: true\n", "{utilize: use, e-mail: email, github: GitHub}")
    text = "utilize. Utilize. UTILIZE. E-mail, E-MAIL. github, GITHUB, GitHub.\n"
    found = lint(text, ["XT003"], [pack])
    assert apply(text, found) == "use. Use. USE. Email, EMAIL. GitHub, GitHub, GitHub.\n"
    assert [f.message for f in found][:3] == ["use, not utilize", "Use, not Utilize", "USE, not UTILIZE"]
    assert len(found) == 7  # "GitHub" is already right


def test_match_case_helper():
    assert match_case("Utilize", "use") == "Use"
    assert match_case("UTILIZE", "use") == "USE"
    assert match_case("utilize", "use") == "use"
    assert match_case("I", "me") == "Me"  # one capital letter: a sentence start, not shouting
    assert match_case("GITHUB", "GitHub") == "GitHub"  # a spelling is kept as written
    assert match_case("«Utilize", "use") == "Use"


def test_phrase_across_lines_keeps_the_line_break(tmp_path):
    pack = _swap_pack(tmp_path, "", "{Pycon US: PyCon US, Django Con: DjangoCon}")
    text = "At Pycon\nUS and Django\n  Con.\n"
    found = lint(text, ["XT003"], [pack])
    assert [f.message for f in found] == ["PyCon US, not Pycon US", "DjangoCon, not Django Con"]
    # the same number of words: the line break stays; fewer words: they join
    assert apply(text, found) == "At PyCon\nUS and DjangoCon.\n"
    assert keep_spacing("a\n  b", "x y") == "x\n  y"
    assert keep_spacing("a\nb", "xy") == "xy"
    assert keep_spacing("a b", "x y") == "x y"


@pytest.mark.parametrize("fix, fixable, applicability", [
    ("safe", "always", Applicability.SAFE),
    ("unsafe", "always", Applicability.UNSAFE),
    ("display", "never", Applicability.DISPLAY),
])
def test_fix_applicability(tmp_path, fix, fixable, applicability):
    pack = _swap_pack(tmp_path, f"fix: {fix}\n", "{Github: GitHub}")
    [rule] = load_pack(pack / "x.yaml")
    assert rule.fixable == fixable
    [f] = lint("Github\n", ["XT003"], [pack])
    assert f.fix.applicability == applicability
    assert f.fix.edits[0].replacement == "GitHub"


def test_placeholder_rule_on_typical_text():
    text = textwrap.dedent("""\
        # Talk

        Room: TBA. Slides: coming soon. We build a TODO app.

        Lorem ipsum dolor sit amet.

        [Insert abstract]

        TODO: bio
        """)
    found = lint(text, ["TL220"])
    assert [(f.line, f.column, text[f.start:f.end]) for f in found] == [
        (5, 1, "Lorem ipsum"), (7, 1, "[Insert abstract]"), (9, 1, "TODO")]
    assert all(f.fix is None for f in found)


def test_a_huge_front_matter_key_is_read_in_linear_time():
    # The e-mail pattern of the prose exclusions once tried every position of a run of word
    # characters as the start of an address, scanning to the run's end each time: this key
    # took minutes (quadratic); now it is one pass.
    key = "x" * 300_000
    text = f"---\n{key}: 1\n---\n\n# [Insert title]\n\nWrite to jane.doe@example.org. TODO: bio\n"
    found = lint(text, ["TL220"])
    assert [text[f.start:f.end] for f in found] == ["[Insert title]", "TODO"]


def test_email_addresses_are_not_prose():
    from talklint.prose import EMAIL

    text = "Mail jane.doe+talks@example.co.uk or bob@x.org, not @handle or a@b."
    assert [m.group() for m in EMAIL.finditer(text)] == ["jane.doe+talks@example.co.uk", "bob@x.org"]


def test_phrase_regexes_are_compiled_when_a_page_may_match(tmp_path):
    # Their word boundaries are slow to compile: a page holding none of the literals (the first
    # words of the phrases) never needs them.
    pack = write_pack(tmp_path / "p", GOOD_SUB + "    swap: {Github: GitHub}\n").parent
    linter = Linter(Config(Settings(rule_packs=[str(pack)])), Overrides(select=["TL801"]))
    [rule] = linter.rules
    assert linter.lint_text("Nothing to see here.\n", "page.md") == []
    assert vars(type(rule)).get("_regexes") is None
    [found] = linter.lint_text("Hosted on Github.\n", "page.md")
    assert found.message and vars(type(rule))["_regexes"] == phrase_regexes(("Github",))
