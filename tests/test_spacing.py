"""Spacing in prose: TL241 space-before-punctuation, TL242 missing-space-after-sentence,
TL243 double-space, TL244 misplaced-nbsp; how they share blanks with TL201; real pages."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import corpus_files, real_page_positions

from talklint.engine import FixMode, Linter, Overrides
from talklint.finding import Applicability
from talklint.fixer import FixPolicy

HERE = Path(__file__).parent
CORPUS = HERE / "corpus"
SEEDS = HERE.parent / "seeds"
CODES = ("TL241", "TL242", "TL243", "TL244")
N = "\u00a0"


def lint(text, select=CODES, path="page.md"):
    return Linter(overrides=Overrides(select=list(select))).lint_text(text, path)


def found(text, select=CODES, path="page.md"):
    return [(f.line, f.column, f.code) for f in lint(text, select, path)]


def apply(text, findings):
    edits = sorted((e for f in findings if f.fix and f.fix.applicability == Applicability.SAFE
                    for e in f.fix.edits), key=lambda e: e.start, reverse=True)
    last = len(text) + 1
    for e in edits:
        assert e.end <= last, "overlapping edits"
        text = text[:e.start] + e.replacement + text[e.end:]
        last = e.start
    return text


# -- TL241 --------------------------------------------------------------------------------------------

def test_french_by_page_path_or_sentence():
    text = "Bienvenue à tous : le programme est prêt !\n"
    assert found("Bienvenue : the talk starts !\n") == [(1, 10, "TL241"), (1, 28, "TL241")]
    assert found(text) == []
    assert found("Welcome : now !\n", path="content/fr/index.md") == []
    assert found("---\nlang: fr\n---\nWelcome : now !\n") == []
    # French spacing before `,` and `.` is wrong in French too.
    assert found("Le programme , les ateliers et les talks .\n", path="fr/x.md") == [(1, 13, "TL241"), (1, 41, "TL241")]


def test_cjk_sentences_keep_their_spacing():
    assert found("再考虑到近年被广泛应用容器，Kubernetes , 以及 Service Mesh , Istio。\n") == []


# -- TL242 --------------------------------------------------------------------------------------------

def test_glued_sentence_exceptions():
    assert found("It works.The end. Node.js, types.Any, time.Now, www.google.Com, e.g.The end.\n",
                 select=("TL242",)) == [(1, 9, "TL242")]
    [f] = lint("Great!See you.\n", select=("TL242",))
    assert apply("Great!See you.\n", [f]) == "Great! See you.\n"


def test_glued_sentences_do_not_overlap():
    # `Okk!Go` shares its `k` with the first glued pair `ne!Ok`: as a scan for the whole
    # pattern, only the first is reported (the fix of the first changes the second anyway).
    assert found("done!Okk!Go now.\n", select=("TL242",)) == [(1, 5, "TL242")]


def test_runs_of_blanks_are_found_whole():
    assert found("the  end   of\t  it\n", select=("TL243",)) == [(1, 4, "TL243"), (1, 9, "TL243")]
    assert [f.end - f.start for f in lint("a  b   c\n", select=("TL243",))] == [2, 3]
    assert found("Hi there , you  .\nword \t:\n", select=("TL241",)) == [(1, 9, "TL241"), (1, 15, "TL241"),
                                                                        (2, 5, "TL241")]
    assert [f.end - f.start for f in lint("x there \t ,\n", select=("TL241",))] == [3]


# -- TL243 --------------------------------------------------------------------------------------------

def test_double_space_exceptions():
    text = ("Name:    Ana\n"              # after a colon
            "Ana      Speaker\n"          # aligned with the line above? no: the next line
            "Bo       Host\n"
            "One.  Two.\n"                # after a sentence end
            "-   item\n"                  # after a list marker
            "the  end\n")                 # a real one
    assert found(text, select=("TL243",)) == [(6, 4, "TL243")]


# -- TL244 --------------------------------------------------------------------------------------------

def test_nbsp_kept_where_typography_wants_it():
    text = (f"10{N}km, 6{N}May, 1{N}000, Mr.{N}Smith, a{N}— b, «{N}oui{N}», 50{N}%\n"
            f"{N}{N}indent, two{N}{N}on purpose, 中文{N}文本\n")
    assert found(text, select=("TL244",)) == []


def test_nbsp_and_trailing_whitespace_share_the_line_end():
    text = f"so far.{N} \nnext. {N}\n"
    linter = Linter(overrides=Overrides(select=["TL201", "TL244"]))
    findings = linter.lint_text(text, "page.md")
    assert [(f.line, f.column, f.code) for f in findings] == [(1, 8, "TL244"), (1, 9, "TL201"), (2, 6, "TL244")]
    assert apply(text, findings) == "so far.\nnext.\n"


def test_nbsp_then_double_space_fixed_in_one_pass():
    text = f"LF AI &{N} DATA and speech.{N}  At the end\n"
    fixed = apply(text, lint(text))
    assert fixed == "LF AI & DATA and speech. At the end\n"
    assert lint(fixed) == []


# -- fixing the seeds: one pass leaves nothing safe to fix -----------------------------------------------

def test_seeds_fix_to_a_fixed_point(tmp_path):
    for seed in sorted(SEEDS.iterdir()):
        path = tmp_path / seed.name
        shutil.copy(seed, path)
        linter = Linter(overrides=Overrides(select=list(CODES) + ["TL201"]))
        linter.lint_path(str(path), FixMode(FixPolicy()))
        again = linter.lint_path(str(path))
        assert not [f for f in again.findings if f.fix and f.fix.applicability == Applicability.SAFE], seed.name
    text = (tmp_path / "004_3b18ec10e17f39a9.txt").read_text(encoding="utf-8")
    assert text.startswith("## Open Source AI Has Won: Why")
    text = (tmp_path / "003_03374025f63cef72.txt").read_text(encoding="utf-8")
    assert "LF AI & DATA Foundation gave the opening speech. At the end" in text
    assert N not in text


# -- real pages: every finding of these rules, read and judged real -----------------------------------

REAL = {
    # "opportunities to aid my  objectives"
    "djangocon__2024.djangocon.us/src/_content/schedule/talks/project-management-in-open-source.md": [
        (18, 158, "TL243")],
    # "Mixture of Experts : From", "hire : A", "Answer this : In", "be with you !"
    "EuroPython__website/src/content/sessions/VBHMEL.mdx": [(39, 37, "TL241"), (41, 49, "TL241"),
                                                            (47, 12, "TL241"), (53, 612, "TL241")],
    # "The talk  will", "technical  (hard)", "cultural  (soft)"
    "EuroPython__website/src/content/sessions/CMETS8.mdx": [(54, 94, "TL243"), (54, 127, "TL243"),
                                                            (54, 148, "TL243")],
    # "available\u00a0python\u00a0geospatial", a trailing no-break space
    "djangocon__2024.djangocon.us/src/_content/schedule/talks/"
    "open-source-python-tools-to-visualize-and-analyse-geospatial-data.md": [
        (19, 20, "TL244"), (19, 27, "TL244"), (22, 119, "TL244")],
}


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.relative_to(CORPUS).as_posix())
def test_real_pages(path):
    assert real_page_positions(CODES, path) == REAL.get(path.relative_to(CORPUS).as_posix(), [])
