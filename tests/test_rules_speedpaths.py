"""The short cuts of the per-page rules: each one may only skip text where its rule cannot report
anything. Every test here would fail if a short cut skipped a real finding: the rule is run with
and without it (or its test is compared with the work it stands for) on text at the boundary."""

from __future__ import annotations

import re
import sys

import pytest

from talklint.checks import links, residue, timezones, whitespace, words
from talklint.config import Config, Settings
from talklint.engine import Linter, Overrides
from talklint.source import Source

EVERY_CHARACTER = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)


def report(text: str, codes: tuple[str, ...], path: str = "page.md") -> list[tuple]:
    linter = Linter(Config(Settings()), Overrides(select=list(codes)))
    return [(f.line, f.column, f.code, f.message, f.fix.edits if f.fix else None)
            for f in linter.lint_text(text, path)]


def same_without(monkeypatch, target, name: str, replacement, text: str, codes: tuple[str, ...]):
    """What the rules report on ``text``, which must not change when the short cut is off."""
    found = report(text, codes)
    with monkeypatch.context() as m:
        m.setattr(target, name, replacement)
        assert report(text, codes) == found
    return found


# -- TL211 / TL240: the page's letter runs -------------------------------------------------------

RUNS_TEXTS = [
    "Attendees will recieve a certificate.",
    "café recieve naïve Straße ÉCOLE 東京recieve",
    "İstanbul KELVIN ſeperate ıdentity",  # letters whose case folds to ASCII
    "snake_case seperate-files v2seperate 42 x\u200by",
    "lone \udcff surrogate and \ud800 too",
    "",
    "UPPER lower MiXeD",
]


@pytest.mark.parametrize("text", RUNS_TEXTS)
def test_letter_runs_are_the_regex_runs(text):
    ctx = type("Ctx", (), {})()
    ctx.source, ctx.shared = Source.from_text("p.md", text), {}
    assert words.lower_letter_runs(ctx) == words._LOWER_RUNS.findall(ctx.source.text.lower())


def test_misspellings_next_to_other_scripts_are_still_found():
    text = "Wir recieve. 我们 recieve 的 seperate, «definately»\n"
    found = report(text, ("TL211",))
    assert [f[3].split("`")[1] for f in found] == ["recieve", "recieve", "seperate", "definately"]


def test_folding_letters_are_every_non_ascii_letter_the_word_class_matches():
    matched = set(re.findall("[A-Za-z]", EVERY_CHARACTER, re.IGNORECASE))
    assert {c for c in matched if not c.isascii()} == set(words._FOLDING_LETTERS)
    lowered_to_ascii = {c for c in EVERY_CHARACTER if not c.isascii()
                        and any(x.isascii() and x.isalpha() for x in c.lower())}
    assert lowered_to_ascii <= set(words._FOLDING_LETTERS)


REPEATS = [
    "Join us for the the keynote.\n",
    "Join us for the\nthe keynote.\n",
    "> Join us for the\n> the keynote.\n",
    "Join us for the\r\nthe keynote.\r\n",
    "Join us for the\u200b the keynote.\n",
    "Join us (the the) keynote.\n",
    "The the keynote starts.\n",
    "我们 the the 会议\n",
    "A \u212aelvin \u212aelvin scale.\n",  # Kelvin signs: the regex decides
    "An \u0130s is here.\n",
    "the the the keynote\n",
    "no repeat here at all\n",
    "MOSN 是 MOSN\n",  # equal runs, yet no repeat
    "a, a list; the. The\n",
]


@pytest.mark.parametrize("text", REPEATS)
def test_repeated_word_short_cut_changes_nothing(monkeypatch, text):
    same_without(monkeypatch, words, "_may_repeat", lambda ctx: True, text, ("TL240",))


@pytest.mark.parametrize("text", [t for t in REPEATS if words._REPEAT.search(t)])
def test_text_with_a_repeat_passes_the_short_cut(text):
    ctx = type("Ctx", (), {})()
    ctx.source, ctx.shared = Source.from_text("p.md", text), {}
    assert words._may_repeat(ctx)


def test_repeats_are_reported_at_the_boundaries():
    assert len(report("Join us for the\nthe keynote.\n", ("TL240",))) == 1
    assert len(report("Join us for the\u200b the keynote.\n", ("TL240",))) == 1
    assert report("MOSN 是 MOSN\n", ("TL240",)) == []


def test_dictionary_entries_read_twice_are_the_same():
    shipped = load_shipped()
    first = shipped["recieve"]
    assert shipped["recieve"] is first and first == ("receive",)
    with pytest.raises(KeyError):
        shipped["receive"]


def load_shipped():
    path = words.builtin_dictionary_path()
    return words.load_dictionary(str(path), path.stat().st_mtime)


# -- TL201: lines ending in a blank ------------------------------------------------------------

BLANK_ENDS = [
    "a \nb\n",
    "a\t\r\nb  \r\nc\r\n",
    "a \rb\rc \r",
    "no blank at all\nreally\n",
    "last line \t",
    "  \n\t\n",
    "nbsp\u00a0\nform feed\x0c\n",  # not spaces or tabs: never reported
    "a \u2028 b\n",  # U+2028 does not end a line
    "",
    " ",
]


@pytest.mark.parametrize("text", BLANK_ENDS)
def test_blank_ended_lines_are_every_line_with_trailing_blanks(text):
    source = Source.from_text("p.md", text)
    expected = [(n, s, t) for n, s, t in source.lines() if t != t.rstrip(" \t")]
    assert list(whitespace._blank_ended_lines(source)) == expected


@pytest.mark.parametrize("text", BLANK_ENDS)
def test_trailing_whitespace_short_cut_changes_nothing(monkeypatch, text):
    def every_line(source):
        return source.lines()

    same_without(monkeypatch, whitespace, "_blank_ended_lines", every_line, text, ("TL201",))


# -- TL222: verdicts kept per line, author boxes ------------------------------------------------

def test_a_phrase_first_seen_in_code_is_still_reported_outside_it():
    codes = ("TL222",)
    page = "```\nSkip to main content\n```\n\nSkip to main content\n\n# Talk\n\nText.\n"
    assert [f[0] for f in report(page, codes)] == [5]
    # and again on a second page linted by a rule that has seen the line
    linter = Linter(Config(Settings()), Overrides(select=list(codes)))
    first = linter.lint_text(page, "a.md")
    second = linter.lint_text("Skip to main content\n\n# Talk\n\nText.\n", "b.md")
    assert [f.line for f in first] == [5] and [f.line for f in second] == [1]


def test_a_phrase_seen_outside_code_is_not_reported_in_code():
    linter = Linter(Config(Settings()), Overrides(select=["TL222"]))
    assert [f.line for f in linter.lint_text("Skip to main content\n\n# Talk\n\nText.\n", "a.md")] == [1]
    in_code = "# Talk\n\n```\nSkip to main content\n```\n\n    Skip to main content\n\nText.\n"
    assert linter.lint_text(in_code, "b.md") == []
    assert linter.lint_text("# Talk\n\nText.\n\nRead more\n", "c.md")[0].line == 5


def test_the_bullets_are_the_author_box_regex_bullets():
    assert "[" + residue._AUTHOR_BOX_BULLETS + "]" in residue._AUTHOR_BOX_NAME.pattern
    for bullet in residue._AUTHOR_BOX_BULLETS:
        assert residue._AUTHOR_BOX_NAME.fullmatch(f"{bullet} Ada Lovelace")


@pytest.mark.parametrize("bullet", list("•·▪◦‣"))
def test_an_author_box_alone_is_still_reported(bullet):
    page = (f"# Talk\n\nThe talk.\n\n{bullet} Ada Lovelace\n\n"
            "Ada Lovelace is a mathematician who wrote the first program.\n")
    found = report(page, ("TL222",))
    assert [f[0] for f in found] == [5]
    assert "author box" in found[0][3]


# -- TL420: broken-link hint, cached URL verdicts, spaces in hosts --------------------------------

BROKEN = [
    "[Slides](https://example.org/a b)\n",
    "[Slides] (https://speakerdeck.com/x)\n",
    "[Slides]\t(https://speakerdeck.com/x)\n",
    "[Video](www.youtube.com/watch?v=1 now)\n",
    "[t](https://a.org/(b)\n",
    "[t](http://x.org)\n",
    "[t](/relative path)\n",
    # several blocks: the broken links sit in blocks after and between well-formed ones
    "Intro [a](https://x.org).\n\n- item\n- [Slides](https://example.org/a b)\n\n"
    "| a | b |\n|---|---|\n| [t] (https://x.org) | c |\n\n# [Talk](https://x.org/(b)\n\nEnd [z](https://z.org)\n",
    "# Title [t]\n(https://x.org)\n\n> [q](https://q.org/a b)\n",
]


@pytest.mark.parametrize("text", BROKEN)
def test_broken_link_hint_is_in_every_broken_link(monkeypatch, text):
    for m in links._BROKEN.finditer(text):
        assert links._BROKEN_HINT.search(m.group())
    same_without(monkeypatch, links, "_BROKEN_HINT", re.compile(""),  # matches everywhere
                 text, ("TL420", "TL421"))


def test_url_verdicts_are_the_same_from_the_cache():
    urls = ["htps://x.org", "http//x.org", "https://exa mple.org", "https://github/x",
            "https://a..b", "https://x.org/a_(b", "https://x.org"]
    for url in urls * 2:
        for kind in ("inline", "bare", "autolink", "front-matter"):
            assert links._url_problem_of(url, kind) == links.url_problem(url, kind)


def test_space_in_a_host_is_any_unicode_space():
    assert {c for c in EVERY_CHARACTER if links._SPACE.search(c)} == {c for c in EVERY_CHARACTER if c.isspace()}
    assert "space" in links._host_problem("exa\u3000mple.org")


# -- TL350-TL353: the zones written on a page, shared by the zone rules --------------------------

ZONED = [
    "- **Date:** May 6, 2025\n- **Time:** 10:30 - 11:10 (CET)\n- **Location:** Station F, Paris, France\n",
    "- **Date:** July 4, 2025\n- **Time:** 10:30 (EST) to 11:00 (UTC-5)\n- **Location:** New York\n",
    "---\ntitle: PyCon Berlin\nlocation: Berlin\ndate: 2025-05-06\n---\n**Time:** 10:30 (PST)\n",
    "---\ntitle: Talk\ndate: 2025-05-06\n---\n**Time:** 10:30 CST\n",
    "---\ntitle: Talk\nlocation: Paris\n---\n**Date:** May 6, 2025\n**Time:** 10:30 (UTC+2)\n",
    "# Talk\n\nNo zone here, 10:30 on May 6, 2025.\n",
]
ZONE_CODES = ("TL350", "TL351", "TL352", "TL353")


@pytest.mark.parametrize("text", ZONED)
def test_zone_rules_sharing_a_page_report_what_each_reports_alone(text):
    together = report(text, ZONE_CODES)
    alone = sorted(x for code in ZONE_CODES for x in report(text, (code,)))
    assert sorted(together) == alone


def test_the_shared_zones_still_give_their_findings():
    assert [f[2] for f in report(ZONED[0], ZONE_CODES)] == ["TL350"]


def test_written_zones_of_a_page_without_zones_is_empty_and_keeps_its_days():
    from talklint.facts import extract
    from talklint.document import parse

    doc = parse(Source.from_text("p.md", "---\ndate: 2025-05-06\n---\n**Time:** 10:30 (CET)\n"))
    written = timezones.written_zones(extract(doc))
    assert [str(day) for w in written for day, _ in w.moments] == ["2025-05-06"]
    doc = parse(Source.from_text("p.md", "---\ndate: 2025-05-06\n---\n**Time:** 10:30\n"))
    assert timezones.written_zones(extract(doc)) == []
