"""The date rules (TL320–TL330): options that fixtures (default config) cannot reach, messages,
and the real pages that must stay clean."""

from __future__ import annotations

from pathlib import Path

import pytest

from talklint.checks.dates import path_date
from talklint.config import Config, Settings
from talklint.engine import Linter, Overrides

HERE = Path(__file__).parent
CORPUS = HERE / "corpus"
SEEDS = HERE.parent / "seeds"


def lint(text: str, select=("TL32", "TL33"), rules=None, path="page.md"):
    linter = Linter(Config(Settings(rules=rules or {})), Overrides(select=list(select)))
    return [(f.code, text[f.start:f.end], f.message) for f in linter.lint_text(text, path)]


def codes(found):
    return [c for c, _, _ in found]


def test_weekday_infer_year_option():
    text = "---\ndate: 2019-06-12T12:00:00+08:00\n---\n- 活动时间：6 月 12 日周四晚 7 点\n"
    [(code, span, message)] = lint(text, ["TL321"])
    assert span == "6 月 12 日周四" and "June 12, 2019" in message and "Wednesday" in message
    assert lint(text, ["TL321"], {"weekday-mismatch": {"infer-year": False}}) == []


def test_weekday_year_inferred_forward_from_publication():
    # published in January about September: the coming September, not the last one
    text = "---\npublished_datetime: 2024-01-17 05:00:00\n---\nTutorials on Sunday, September 22nd.\n"
    assert lint(text, ["TL321"]) == []


def test_overnight_option():
    text = "- **Time:** 22:00 - 02:00\n"
    assert lint(text, ["TL322"]) == []
    assert codes(lint(text, ["TL322"], {"reversed-range": {"allow-overnight": False}})) == ["TL322"]


def test_implausible_duration_options():
    text = ("---\nstart: '2024-07-12T09:00:00+02:00'\nend: '2024-07-12T21:00:00+02:00'\n---\n")
    assert lint(text, ["TL325"]) == []
    found = lint(text, ["TL325"], {"implausible-duration": {"max-hours": 8}})
    assert codes(found) == ["TL325"] and "12 h" in found[0][2]


def test_duration_mismatch_options():
    text = ("---\nduration: '180'\nstart: '2024-07-08T13:45:00+02:00'\nend: '2024-07-08T15:15:00+02:00'\n---\n")
    assert lint(text, ["TL326"]) == []
    assert codes(lint(text, ["TL326"], {"duration-mismatch": {"multi-slot": False}})) == ["TL326"]
    text = ("---\nduration: 32\nstart: '2024-07-08T13:45:00+02:00'\nend: '2024-07-08T14:15:00+02:00'\n---\n")
    assert codes(lint(text, ["TL326"])) == ["TL326"]
    assert lint(text, ["TL326"], {"duration-mismatch": {"tolerance-minutes": 5}}) == []


def test_date_mismatch_publication_markers():
    text = "---\nauthor: someone\ndate: 2025-05-01\n---\n- **Date:** May 7, 2025\n"
    assert lint(text, ["TL330"]) == []
    assert codes(lint(text, ["TL330"], {"date-mismatch": {"publication-markers": []}})) == ["TL330"]


def test_date_mismatch_utc_timestamp_allows_a_day():
    text = "---\ndate: 2019-05-25T23:20:00.000Z\n---\n- 日期：2019年5月26日\n"
    assert lint(text, ["TL330"]) == []


def test_end_before_start_compares_instants():
    text = "---\nstart: '2024-07-12T11:20:00+02:00'\nend: '2024-07-12T09:50:00Z'\n---\n"
    assert lint(text, ["TL324", "TL325"]) == []  # 09:50Z is 11:50 in Prague


@pytest.mark.parametrize("path, expected", [
    ("_posts/2020-11-07-recap.md", "2020-11-07"),
    ("blog/2024/05/06/keynote.md", "2024-05-06"),
    ("content/2024-05-06/index.md", "2024-05-06"),
    ("talks/keynote.md", None),
    ("2020-13-45-bad.md", None),
    ("v2020-11-07.md", None),
])
def test_path_date(path, expected):
    found = path_date(path)
    assert (found[0].isoformat() if found else None) == expected


def test_messages():
    found = lint("- **Date:** Tuesday, May 7, 2025\n- **Time:** 10:30 - 25:00\n")
    assert ("TL321", "Tuesday, May 7, 2025",
            "`Tuesday` does not match the date: May 7, 2025 is a Wednesday") in found
    assert ("TL320", "25:00", "`25:00` is not a time of day") in found
    [(_, _, message)] = lint("**Date:** 03/04/2025\n", ["TL323"])
    assert message == ("`03/04/2025` is ambiguous: April 3, 2025 (day first) or March 4, 2025 "
                       "(month first)? Write the month as a word or use 2025-03-04 / 2025-04-03")


def _real_pages():
    pages = [p for p in CORPUS.rglob("*") if p.is_file() and p.name != "ATTRIBUTION.md"]
    return sorted(pages) + sorted(p for p in SEEDS.iterdir() if p.is_file())


@pytest.mark.parametrize("path", _real_pages(), ids=lambda p: p.name)
def test_real_pages_are_clean(path):
    linter = Linter(overrides=Overrides(select=["TL32", "TL33"]))
    assert [f"{f.line}:{f.column} {f.code} {f.message}" for f in linter.lint_path(str(path)).findings] == []
