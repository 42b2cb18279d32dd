"""Words in prose: TL211 misspelling (list, options, exceptions), TL212 entity-name-context (the
``context``/``unless`` keys of rule packs), TL240 repeated-word; real pages; speed."""

from __future__ import annotations

import textwrap
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from helpers import corpus_files, real_page_positions

from talklint.checks.words import (_BLANKS, _PLAIN_ENTRY, PlainList, _plain_keys, builtin_dictionary_path,
                                   keep_case, load_dictionary, page_language, parse_dictionary,
                                   DictionaryError)
from talklint.config import Config, ConfigError, Settings
from talklint.declarative import PackError, load_pack
from talklint.engine import Linter, Overrides
from talklint.finding import Applicability

HERE = Path(__file__).parent
CORPUS = HERE / "corpus"


def lint(text, select=("TL211",), rules=None, path="page.md", root=None):
    config = Config(Settings(rules=rules or {}), (root / "talklint.toml") if root else None)
    return Linter(config, Overrides(select=list(select))).lint_text(text, path)


def words(findings):
    return [(f.line, f.column, f.code) for f in findings]


def apply(text, findings):
    edits = sorted((e for f in findings if f.fix and f.fix.applicability != Applicability.DISPLAY
                    for e in f.fix.edits), key=lambda e: e.start, reverse=True)
    for e in edits:
        text = text[:e.start] + e.replacement + text[e.end:]
    return text


# -- the shipped list ---------------------------------------------------------------------------------

def test_shipped_list_is_big_documented_and_filtered():
    path = builtin_dictionary_path()
    head = path.read_text(encoding="utf-8").split("\n", 8)[:8]
    assert any("MIT OR Apache-2.0" in line for line in head)
    assert any("crate-ci/typos" in line for line in head)
    words = load_dictionary(str(path))
    assert len(words) > 90_000
    assert words["recieve"] == ("receive",) and words["definately"] == ("definitely",)
    assert len(words["happend"]) > 1
    # Real words, names, short keys, hex-like and words common to other languages are out.
    for word in ("statics", "ba", "ot", "ist", "accidently", "calender", "wether", "als", "alle",
                 "sebastiaan", "cleary", "dedcaed"):
        assert word not in words, word
    assert all(k == k.lower() and k.isascii() and k.isalpha() for k in words)


def test_parse_dictionary_errors_name_the_line():
    assert parse_dictionary("# c\n\nteh,the\nwih,with,wish\n", "x") == {"teh": ("the",), "wih": ("with", "wish")}
    with pytest.raises(DictionaryError, match=r"x:2: .*'teh'"):
        parse_dictionary("# c\nteh\n", "x")
    with pytest.raises(DictionaryError, match=r"x:1:"):
        parse_dictionary("te h,the\n", "x")


def test_plain_lists_are_read_lazily_like_a_dict():
    text = "# c\n\nteh,the\nwih,with,wish\nteh,tea\nzz,z"
    plain = parse_dictionary(text, "x")
    assert isinstance(plain, PlainList)
    assert plain == {"teh": ("tea",), "wih": ("with", "wish"), "zz": ("z",)}  # the last line wins
    assert plain["zz"] == ("z",) and "teh" in plain and "the" not in plain and len(plain) == 3
    with pytest.raises(KeyError):
        plain["with"]  # a correction is not a misspelling
    # A line that is not plain (spaces, CRLF, capitals, an empty correction) is read line by line.
    for text in ("teh ,the\n", "teh,the\r\n", "Teh,the\n", "teh,the,,then\n", "teh\n"):
        assert PlainList.of(text) is None, text
    assert parse_dictionary("Teh, the\r\n", "x") == {"teh": ("the",)}


def _general_keys(text: str) -> list[str] | None:
    """The line-by-line test of a plain list (what the quick test must agree with)."""
    keys = _PLAIN_ENTRY.findall(text)
    lines = text.split("\n")
    if len(keys) != len(lines) - lines.count("") - (text.count("\n#") + text.startswith("#")):
        return None
    return keys


def test_the_quick_plain_test_agrees_with_the_line_by_line_one():
    assert set(_BLANKS) == {chr(c) for c in range(0x110000) if chr(c).isspace()} - {"\n"}
    shipped = builtin_dictionary_path().read_text(encoding="utf-8")
    quick = _plain_keys(shipped)
    assert quick is not None  # the shipped list takes the quick way
    assert quick == _general_keys(shipped)
    samples = ["", "#", "# c", "# c\n", "teh,the", "teh,the\n", "# c\nteh,the\nwih,with,wish\n",
               "#a\n#b\nteh,the", "\nteh,the\n", "# c\n\nteh,the\n", "teh,the\n\n", "teh,the\n#x\n",
               "teh,the,\n", "teh,,the\n", ",teh,the\n", "teh\n", "teh,the\nwih\n", "Teh,the\n",
               "teh,th e\n", "teh,the\r\n", "teh,the\t\n", "teh,the\u3000\n", "teh,the\xa0\n",
               "teh,thé\nwih,wiß\n", "tëh,the\n", "teh,the\nwih,with", "# a,,b\nteh,the\n"]
    for text in samples:
        quick = _plain_keys(text)
        assert quick is None or quick == _general_keys(text), text


@given(st.text(alphabet="ab,#\n \tA\r\xa0é", max_size=40))
def test_the_quick_plain_test_never_disagrees(text):
    quick = _plain_keys(text)
    assert quick is None or quick == _general_keys(text)


def test_configured_entries_override_and_allow_removes():
    text = "A speakr will recieve teh slides.\n"
    found = lint(text, rules={"misspelling": {"extend-words": {"recieve": "get"}, "allow": ["teh", "speakr"]}})
    assert [f.message for f in found] == ["`recieve` is a misspelling of `get`"]


def test_addresses_and_handles_are_not_prose():
    text = ("Mail recieve@x.org, ask @recieve or @@recieve, see www.recieve.org; "
            "but x@recieve and a@b recieve are words.\n")
    assert [f.column for f in lint(text)] == [91]
    assert [f.column for f in lint("No at sign: recieve www.recieve.org HTTP://recieve.org\n")] == [13]


def test_keep_case():
    assert keep_case("recieve", "receive") == "receive"
    assert keep_case("Recieve", "receive") == "Receive"
    assert keep_case("RECIEVE", "receive") == "RECEIVE"


# -- TL211 fixes and exceptions -------------------------------------------------------------------------

def test_fix_is_safe_when_unique_and_shown_only_when_several():
    [one, several] = lint("We recieve it. It happend.\n")
    assert one.fix.applicability == Applicability.SAFE and one.fix.edits[0].replacement == "receive"
    assert several.fix.applicability == Applicability.DISPLAY
    assert "`happened`" in several.message and "`happen`" in several.message


def test_sentence_start_and_title_case():
    text = ("Recieve it.  Then Recieve is a name here.\n\n"
            "## How to Recieve Feedback Without Tears\n\n"
            "## how to recieve feedback\n\n"
            "- Recieve a badge\n"
            "1. Recieve a badge\n"
            "Note: Recieve a badge\n")
    assert words(lint(text)) == [(1, 1, "TL211"), (3, 11, "TL211"), (5, 11, "TL211"), (7, 3, "TL211"),
                                 (8, 4, "TL211"), (9, 7, "TL211")]


def test_not_in_identifiers_paths_or_other_languages():
    text = textwrap.dedent("""\
        ---
        slug: seperate-tracks
        file: recieve.png
        title: Seperate tracks
        ---
        content/zh/blog/ospp-exprience-sharing and sqlflow-ai-didi-antfin are paths.
        a_seperate_thing, seperate/path, ~/seperate, $seperate, %seperate, 0xseperate
        Le programme est très intéressant pour les développeurs: programm.
        """)
    assert words(lint(text)) == [(4, 8, "TL211")]
    assert lint("Le programme est prêt pour nous: seperate.\n", path="site/fr/page.md") == []
    assert lint("---\nlang: de\n---\nseperate\n") == []
    assert words(lint("---\nlang: zh-CN\n---\n通过 VM tempalte，我们\n")) == [(4, 7, "TL211")]


def test_page_language():
    class Ctx:
        def __init__(self, path, fm=None):
            from talklint.document import parse
            from talklint.source import Source

            self.document = parse(Source.from_text(path, fm or "x\n"))
            self.path = path
            self.shared = {}

    assert page_language(Ctx("content/fr/index.md")) == "fr"
    assert page_language(Ctx("talk.de.md")) == "de"
    assert page_language(Ctx("content/zh/blog/x/index.md")) == "zh"
    assert page_language(Ctx("x.md", "---\nlanguage: es-MX\n---\n")) == "es"
    assert page_language(Ctx("src/content/sessions/ABC.mdx")) is None
    assert page_language(Ctx("french/deploy.md")) is None


# -- TL211 options ------------------------------------------------------------------------------------------

def test_allow_and_extend_words():
    text = "We recieve teh speakr.\n"
    assert [f.message for f in lint(text)] == ["`recieve` is a misspelling of `receive`",
                                                "`teh` is a misspelling of `the`"]
    found = lint(text, rules={"misspelling": {"allow": ["Recieve"], "extend-words": {"Speakr": "speaker"}}})
    assert words(found) == [(1, 12, "TL211"), (1, 16, "TL211")]
    assert apply(text, found) == "We recieve the speaker.\n"
    found = lint(text, rules={"TL211": {"extend-words": {"speakr": ["speaker", "speakers"]}}})
    assert found[-1].fix.applicability == Applicability.DISPLAY


def test_extend_files_are_relative_to_the_config(tmp_path):
    (tmp_path / "lists").mkdir()
    (tmp_path / "lists" / "ours.csv").write_text("# ours\nspeakr,speaker\nrecieve,receive,recipe\n")
    found = lint("A speakr will recieve it.\n", rules={"misspelling": {"extend-files": ["lists/ours.csv"]}},
                 root=tmp_path)
    assert [(f.column, f.fix.applicability) for f in found] == [(3, Applicability.SAFE), (15, Applicability.DISPLAY)]
    found = lint("x\n", select=("TL211", "TL903"), rules={"misspelling": {"extend-files": ["nope.csv"]}},
                 root=tmp_path)
    assert [f.code for f in found] == ["TL903"] and "nope.csv" in found[0].message


def test_bad_options_are_config_errors():
    with pytest.raises(ConfigError, match="misspelling"):
        Linter(Config(Settings(rules={"misspelling": {"extend-words": {"two words": "x"}}})))
    with pytest.raises(ConfigError, match="alow"):
        Linter(Config(Settings(rules={"misspelling": {"alow": ["x"]}})))


# -- TL212: context in rule packs -----------------------------------------------------------------------------

PACK = """\
rules:
  - kind: substitution
    code: TL801
    name: firm-name
    message: "{match} → {replacement}"
    what: w
    why: w
    example: e
    fix: unsafe
    swap: {Gardner: Gartner}
"""


def _pack(tmp_path, extra):
    path = tmp_path / "p.yaml"
    path.write_text(PACK + textwrap.indent(textwrap.dedent(extra), "    "), encoding="utf-8")
    return path


def _lint_pack(tmp_path, text):
    linter = Linter(Config(Settings(rule_packs=[str(tmp_path)])), Overrides(select=["TL801"]))
    return [f.column for f in linter.lint_text(text, "page.md")]


def test_context_and_unless(tmp_path):
    _pack(tmp_path, """\
        context:
          - before: "(?i)report\\\\s+by\\\\s+$"
          - after: "^'s\\\\s+Magic"
        unless: {after: "^\\\\s+\\\\(\\\\d{4}"}
        """)
    text = "A report by Gardner; Gardner's Magic Quadrant; Howard Gardner; a report by Gardner (1983).\n"
    assert _lint_pack(tmp_path, text) == [13, 22]


@pytest.mark.parametrize("extra, message", [
    ("context: [{befor: x}]", r"rule TL801: context.0.befor: unknown key \(did you mean 'before'\?\)"),
    ("context: [{}]", r"rule TL801: context.0: .*needs 'before' or 'after'"),
    ("unless: [{after: '('}]", r"rule TL801: unless.0.after: .*not a valid regular expression"),
    ("context: nope", r"rule TL801: context: "),
])
def test_context_errors_at_load_time(tmp_path, extra, message):
    path = _pack(tmp_path, extra + "\n")
    with pytest.raises(PackError, match=message):
        load_pack(path)


def test_entity_name_context_pack_is_unsafe_and_has_context():
    [rule] = load_pack(HERE.parent / "rules" / "entity-names-context.yaml")
    assert rule.code == "TL212" and rule.definition.fix == "unsafe"
    assert rule.definition.context and rule.definition.unless


# -- TL240 --------------------------------------------------------------------------------------------------

def test_repeated_word_runs_and_fixes():
    text = "It is the the the end.\nWe will go to to the talk.\n"
    found = lint(text, select=("TL240",))
    assert [(f.line, f.column, f.message) for f in found] == [
        (1, 11, "`the` is repeated (3 times in a row)"), (2, 15, "`to` is repeated")]
    assert apply(text, found) == "It is the end.\nWe will go to the talk.\n"


def test_repeated_word_behind_an_invisible_character():
    # The zero-width space does not separate the words on the page (the fixer's property test
    # found the second line changed by a repeat that only appeared once TL204 removed it).
    text = "talk\u200b\ntalk Keynote\nthe\u2060 the end\ntalk\u200btalk\n"
    found = lint(text, select=("TL240",))
    assert [(f.line, f.column) for f in found] == [(2, 1), (3, 6)]


# -- real pages: every finding of these rules, read and judged real -----------------------------------------

WORD_CODES = ("TL211", "TL212", "TL240")
REAL = {
    "EuroPython__website/src/content/sessions/R3P9UX.mdx": [(50, 171, "TL211")],  # piplines
    # "prior to to being", "NAT transveral and and gateway"
    "djangocon__2024.djangocon.us/src/_content/posts/introducing-keynote-natalia-bidart.md": [(18, 147, "TL240")],
    "djangocon__2024.djangocon.us/src/_content/schedule/talks/webrtc-with-django-channels-htmx-and-coturn.md": [
        (27, 239, "TL240")],
}


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.relative_to(CORPUS).as_posix())
def test_real_pages(path):
    assert real_page_positions(WORD_CODES, path) == REAL.get(path.relative_to(CORPUS).as_posix(), [])


# -- speed --------------------------------------------------------------------------------------------------

def test_linear_on_pathological_pages():
    """Long lines, one huge paragraph of one repeated word, many candidate misspellings: the
    rules stay linear (bounded look-backs, one finding per run)."""
    # (Many findings on one very long line are avoided: each finding keeps a copy of its line.)
    page = ("word " * 100_000 + "\n") * 2 + "a b " * 50_000 + "\n" + "We recieve the the seperate.\n" * 5_000
    linter = Linter(overrides=Overrides(select=list(WORD_CODES)))
    start = time.perf_counter()
    found = linter.lint_text(page, "page.md")
    assert time.perf_counter() - start < 20
    assert sum(f.code == "TL240" and "times in a row" in f.message for f in found) == 1
    assert sum(f.code == "TL211" for f in found) == 10_000
