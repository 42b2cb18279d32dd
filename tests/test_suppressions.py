"""Inline suppressions: disable/enable ranges, next-line, line, file; malformed and unused ones."""

from __future__ import annotations

import pytest

from talklint.engine import Linter, Overrides


@pytest.fixture(scope="module")
def linter():
    return Linter(overrides=Overrides(select=["TL201", "TL204", "TL904", "TL905"]))


def codes(linter, text):
    return [(f.line, f.code) for f in linter.lint_text(text, "page.md")]


def test_disable_enable_range(linter):
    text = ("a   \n"
            "<!-- talklint-disable TL201 -->\n"
            "b   \n"
            "c\u200b\n"
            "<!-- talklint-enable TL201 -->\n"
            "d   \n")
    assert codes(linter, text) == [(1, "TL201"), (4, "TL204"), (6, "TL201")]


def test_disable_by_name_and_several_codes(linter):
    text = ("<!-- talklint-disable trailing-whitespace, TL204 -->\n"
            "b   \n"
            "c\u200b\n")
    assert codes(linter, text) == []


def test_disable_without_codes_means_all(linter):
    text = "<!-- talklint-disable -->\nb   \nc\u200b\n<!-- talklint-enable -->\nd   \n"
    assert codes(linter, text) == [(5, "TL201")]


def test_disable_next_line_only_affects_next_line(linter):
    text = "<!-- talklint-disable-next-line TL201 -->\nb   \nc   \n"
    assert codes(linter, text) == [(3, "TL201")]


def test_disable_line(linter):
    text = "zero\u200bwidth <!-- talklint-disable-line TL204 -->\nc\u200b\n"
    assert codes(linter, text) == [(2, "TL204")]


def test_disable_file_anywhere(linter):
    text = "a   \nb   \n\n<!-- talklint-disable-file TL201 -->\n"
    assert codes(linter, text) == []


def test_unused_suppressions_are_reported(linter):
    text = ("<!-- talklint-disable-next-line TL201 -->\n"
            "clean line\n"
            "<!-- talklint-disable-file TL204 -->\n"
            "<!-- talklint-enable TL201 -->\n")
    assert codes(linter, text) == [(1, "TL905"), (3, "TL905"), (4, "TL905")]


def test_malformed_and_unknown_are_reported(linter):
    text = ("<!-- talklint-disabel TL201 -->\n"
            "<!-- talklint-disable-next-line TL999 -->\n"
            "x\n")
    found = linter.lint_text(text, "page.md")
    assert [(f.line, f.code) for f in found] == [(1, "TL904"), (2, "TL904")]
    assert "talklint-disabel" in found[0].message
    assert "TL999" in found[1].message
    assert (found[0].column, found[0].end_column) == (1, len("<!-- talklint-disabel TL201 -->") + 1)


def test_directives_inside_code_are_examples(linter):
    text = ("```markdown\n"
            "<!-- talklint-disable-file TL201 -->\n"
            "```\n"
            "`<!-- talklint-disable-file -->` in a code span\n"
            "a   \n")
    assert codes(linter, text) == [(5, "TL201")]


def test_suppression_of_disabled_rule_is_not_unused():
    linter = Linter(overrides=Overrides(select=["TL204", "TL905"]))
    text = "<!-- talklint-disable-next-line TL201 -->\nclean\n"
    assert codes(linter, text) == []
