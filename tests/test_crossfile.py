"""Cross-file rules (TL360–TL369) and the cross-file pass of the engine.

Fixtures: ``tests/fixtures/crossfile/<CODE>/<case>/`` is one run: every page under the case
folder is checked together, as ``talklint check <case>`` would. Expectations are written as in
``tests/fixtures/rules`` (``<!-- expect: TL360 -->``, ``<!-- expect-next-line: … -->``,
``<name>.expect`` sidecars), plus ``# expect: TL360`` as a comment at the end of a YAML or TOML
front-matter line, where an HTML comment cannot go. Only findings of the cross-file rules and
TL905 are compared; a case named ``clean*`` must give none. Real pages in the fixtures are
listed in ``tests/fixtures/crossfile/ATTRIBUTION.md``.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from test_cli import run, write
from test_rules_fixtures import compare, parse_markers

from oracle import check_finding
from talklint import facts
from talklint.config import Config, Settings
from talklint.document import Span, parse
from talklint.engine import Linter, Overrides, ProjectPass, lint_paths
from talklint.project import ProjectRule
from talklint.rule import Context
from talklint.source import Source

HERE = Path(__file__).parent
CASES_ROOT = HERE / "fixtures" / "crossfile"
PAGE_SUFFIXES = (".md", ".mdx", ".markdown", ".txt")
FRONT_MATTER_MARKER = re.compile(r"#\s*expect:\s*([A-Z]{1,4}[0-9]{3}(?:\s*,\s*[A-Z]{1,4}[0-9]{3})*)\s*$")
COMPARED = ("TL36", "TL905")


def cases() -> list[Path]:
    return sorted(p for p in CASES_ROOT.glob("*/*") if p.is_dir())


def case_id(case: Path) -> str:
    return case.relative_to(CASES_ROOT).as_posix()


def pages(case: Path) -> list[Path]:
    return sorted(p for p in case.rglob("*") if p.is_file() and p.suffix in PAGE_SUFFIXES)


def run_project(linter: Linter, paths: list[str], jobs: int = 1, fix=None):
    """(per-file results, cross-file results) of one run, as the CLI makes it."""
    project = ProjectPass(linter)
    results = []
    for result in lint_paths(linter, paths, jobs, fix, project=True):
        project.add(result)
        results.append(result)
    return results, project.finish(), project


@functools.lru_cache(maxsize=None)
def lint_case(case: Path):
    """{path: findings of the compared codes} for one case."""
    code = case.parent.name
    linter = Linter(overrides=Overrides(select=["ALL", code]))
    results, late, project = run_project(linter, [str(p) for p in pages(case)])
    assert not project.errors
    found: dict[str, list] = {}
    for result in [*results, *late]:
        found.setdefault(result.path, []).extend(f for f in result.findings if f.code.startswith(COMPARED))
    return found


def front_matter_markers(source: Source) -> list[tuple[int, str, None]]:
    out = []
    for lineno, _, text in source.lines():
        m = FRONT_MATTER_MARKER.search(text)
        if m and "<!--" not in text:
            out += [(lineno, code.strip(), None) for code in m.group(1).split(",")]
    return out


@pytest.mark.parametrize("case", cases(), ids=case_id)
def test_case(case):
    found = lint_case(case)
    problems = []
    for page in pages(case):
        source = Source.from_bytes(str(page), page.read_bytes())
        markers = parse_markers(source, page) + front_matter_markers(source)
        if case.name.startswith("clean"):
            assert not markers, f"{page}: a clean case must not expect findings"
        unexpected, missing = compare(found.get(str(page), []), markers)
        if unexpected or missing:
            problems.append(f"{page.relative_to(case)}\n  unexpected: {unexpected}\n  missing: {missing}")
        problems += [p for p in (check_finding(source, f) for f in found.get(str(page), [])) if p]
    assert not problems, "\n".join(problems)


def cross_file_findings_by_case(code: str) -> dict[Path, list]:
    """{case: findings of ``code``} for the cases of one rule (used by test_rule_meta)."""
    return {case: [f for fs in lint_case(case).values() for f in fs if f.code == code]
            for case in cases() if case.parent.name == code}


def test_fixture_folders_name_cross_file_rules():
    codes = {r.code for r in Linter(overrides=Overrides(select=["ALL"])).project_rules}
    assert {p.name for p in CASES_ROOT.iterdir() if p.is_dir()} <= codes


# -- the engine: workers, fixes, suppressions, stdin, output -------------------------------------

TALK = "---\ntitle: Talk\nspeakers:\n- ghost\n- amy\n---\n\nA talk.\n"
SPEAKER = "---\nname: Amy\n---\n\nAmy.\n"


def site(tmp_path: Path, talks: int = 1, talk: str = TALK) -> list[str]:
    paths = [write(tmp_path / "speakers" / "amy.md", SPEAKER)]
    paths += [write(tmp_path / "talks" / f"t{i}.md", talk) for i in range(talks)]
    return [str(p) for p in paths]


def positions(results) -> list[tuple[str, int, int, str]]:
    return [(Path(f.path).name, f.line, f.column, f.code) for r in results for f in r.findings]


@pytest.mark.parametrize("jobs", [1, 2])
def test_worker_pool_and_single_process_agree(tmp_path, jobs):
    paths = site(tmp_path, talks=9)
    linter = Linter(overrides=Overrides(select=["TL360"]))
    results, late, _ = run_project(linter, paths, jobs=jobs)
    assert all(r.source is None for r in results)  # the text stays in the worker
    assert positions(late) == [(f"t{i}.md", 4, 3, "TL360") for i in range(9)]
    assert all(r.late for r in late)
    assert [r.path for r in late] == sorted(r.path for r in late)


def test_stdin_gets_no_cross_file_pass(tmp_path):
    site(tmp_path)
    proc = run("check", "-", "--select", "TL360", "--stdin-filename", "talks/x.md",
               cwd=tmp_path, input=TALK.encode())
    assert proc.returncode == 0, proc.stdout


def test_cli_reports_cross_file_findings_after_the_others(tmp_path):
    site(tmp_path, talk=TALK + "trailing   \n")
    proc = run("check", ".", "--select", "TL360,TL201", "--output-format", "json", cwd=tmp_path)
    assert proc.returncode == 1
    found = [(d["path"], d["line"], d["code"]) for d in json.loads(proc.stdout)]
    assert found == [("talks/t0.md", 9, "TL201"), ("talks/t0.md", 4, "TL360")]
    proc = run("check", ".", "--select", "TL360,TL201", "--no-color", cwd=tmp_path)
    out = proc.stdout.decode()
    assert out.index("TL201") < out.index("TL360")
    assert "Found 2 findings in 1 file (2 checked)." in out
    assert "4 | - ghost\n  |   ^^^^^\n" in out


def test_cli_exit_codes(tmp_path):
    site(tmp_path)
    assert run("check", ".", "--select", "TL360", cwd=tmp_path).returncode == 1
    assert run("check", ".", "--select", "TL360", "--exit-zero", cwd=tmp_path).returncode == 0
    assert run("check", "talks", "--select", "TL360", cwd=tmp_path).returncode == 0  # no speaker pages
    assert run("check", ".", "--select", "TL201", cwd=tmp_path).returncode == 0


def test_fix_then_cross_file_positions_point_into_the_fixed_text(tmp_path):
    from talklint.engine import FixMode
    from talklint.fixer import FixPolicy

    talk = "---\ntitle: Talk   \nspeakers: [amy,   ghost]\n---\n\nA talk.\n"
    paths = site(tmp_path, talk=talk)
    linter = Linter(overrides=Overrides(select=["TL360", "TL201", "TL243"]))
    results, late, _ = run_project(linter, paths, fix=FixMode(FixPolicy(unsafe=True)))
    fixed = Path(paths[1]).read_text()
    assert fixed != talk and sum(len(r.applied) for r in results) >= 1
    [[f]] = [r.findings for r in late]
    assert fixed[f.start:f.end] == "ghost"
    assert (f.line, f.column) == (3, fixed.splitlines()[2].index("ghost") + 1)
    proc = run("check", ".", "--select", "TL360,TL201", "--fix", "--output-format", "json", cwd=tmp_path)
    assert [(d["path"], d["code"]) for d in json.loads(proc.stdout)] == [("talks/t0.md", "TL360")]
    assert proc.returncode == 1


def test_per_file_ignores_and_select(tmp_path):
    site(tmp_path)
    write(tmp_path / "talklint.toml", '[per-file-ignores]\n"talks/*" = ["missing-speaker-page"]\n')
    assert run("check", ".", "--select", "TL360", cwd=tmp_path).returncode == 0
    (tmp_path / "talklint.toml").unlink()
    assert run("check", ".", "--select", "TL36", "--ignore", "TL360", cwd=tmp_path).returncode == 0


def _findings(tmp_path, talk: str, select=("TL360", "TL905")):
    linter = Linter(overrides=Overrides(select=list(select)))
    results, late, _ = run_project(linter, site(tmp_path, talk=talk))
    return positions(results), positions(late)


def test_suppressions_of_cross_file_rules(tmp_path):
    suppressed = TALK + "\n<!-- talklint-disable-file TL360 -->\n"
    assert _findings(tmp_path, suppressed) == ([], [])
    # A bare directive is judged after the cross-file pass: here it is used by TL360 alone.
    bare = TALK + "\n<!-- talklint-disable-file -->\n"
    assert _findings(tmp_path, bare) == ([], [])


def test_unused_bare_directive_is_reported_at_the_end(tmp_path):
    talk = "---\ntitle: Talk\nspeakers: [amy]\n---\n\n<!-- talklint-disable-next-line -->\nText.\n"
    assert _findings(tmp_path, talk) == ([], [("t0.md", 6, 1, "TL905")])


def test_directive_naming_a_cross_file_rule_is_never_unused(tmp_path):
    # Whether it suppresses anything depends on which files are checked together.
    talk = "---\ntitle: Talk\nspeakers: [amy]\n---\n\n<!-- talklint-disable-file TL360 -->\n"
    assert _findings(tmp_path, talk) == ([], [])
    linter = Linter(overrides=Overrides(select=["TL360", "TL905"]))
    assert linter.lint_text(talk, "talks/t.md") == []


def test_crash_in_finish_is_an_error_not_a_finding(tmp_path, monkeypatch):
    from talklint.checks.crossfile import MissingSpeakerPage

    def boom(self, pages):
        raise RuntimeError("boom")

    monkeypatch.setattr(MissingSpeakerPage, "finish", boom)
    linter = Linter(overrides=Overrides(select=["TL360"]))
    _, late, project = run_project(linter, site(tmp_path))
    assert late == []
    assert project.errors == ["rule TL360 [missing-speaker-page] failed in the cross-file pass: RuntimeError: boom"]


def test_crash_in_collect_is_a_finding_of_that_file(tmp_path, monkeypatch):
    from talklint.checks.crossfile import MissingSpeakerPage

    def boom(self, ctx):
        raise ValueError("bad")

    monkeypatch.setattr(MissingSpeakerPage, "collect", boom)
    linter = Linter(overrides=Overrides(select=["TL360", "TL903"]))
    results, late, _ = run_project(linter, site(tmp_path))
    assert {f.code for r in results for f in r.findings} == {"TL903"}
    assert late == []


def test_summaries_depend_on_content_only(tmp_path):
    """What a file ships to the cross-file pass is the same wherever the file lies (issue 9's
    cache keys it by content and configuration)."""
    a = write(tmp_path / "talks" / "a.md", TALK)
    b = write(tmp_path / "elsewhere" / "deep" / "b.md", TALK)
    linter = Linter(overrides=Overrides(select=["TL36"]))
    sa, sb = (linter.lint_path(str(p), project=True).summary for p in (a, b))
    assert sa.data == sb.data and sa.data["TL360"]


def test_summaries_pickle():
    import pickle

    linter = Linter(overrides=Overrides(select=["TL36"]))
    _, summary = linter.analyse(Source.from_text("t.md", TALK + "<!-- talklint-disable-line -->\n"), project=True)
    assert pickle.loads(pickle.dumps(summary)) == summary


# -- rules on hand-made facts (the event-dates rule reads talklint.facts) --------------------------

def _context(text: str, found: facts.Facts) -> Context:
    source = Source.from_text("p.md", text)
    ctx = Context(source=source, document=parse(source), path="p.md")
    ctx.shared["facts"] = found
    return ctx


def _event_page(text: str, event: str, first: tuple, last: tuple):
    start = text.index(event)
    dates_at = text.index("May")
    span = Span(dates_at, len(text.rstrip("\n")))
    value = facts.Range(span, facts.Moment(span, facts.DateValue(*first, span)),
                        facts.Moment(span, facts.DateValue(*last, span)))
    return facts.Facts([
        facts.Fact(facts.EVENT, "body", "Event", Span(start, start + len(event)), event, event),
        facts.Fact(facts.EVENT_DATES, "body", "Dates", span, text[span.start:span.end], value),
    ])


def test_event_dates_from_hand_made_facts():
    from talklint.checks.crossfile import EventDatesDisagree
    from talklint.project import Collected

    rule = EventDatesDisagree()
    pages = []
    for path, dates, first, last in [("a.md", "May 6-7, 2025", (2025, 5, 6), (2025, 5, 7)),
                                     ("b.md", "May 5-6, 2025", (2025, 5, 5), (2025, 5, 6))]:
        text = f"Event: Conf 2025\nDates: {dates}\n"
        pages.append(Collected(path, rule.collect(_context(text, _event_page(text, "Conf 2025", first, last)))))
    found = sorted((f.path, f.line, f.column, f.message) for f in rule.finish(pages))
    assert found == [
        ("a.md", 2, 8, "Conf 2025 is on `May 6-7, 2025` here, but on `May 5-6, 2025` in b.md:2:8"),
        ("b.md", 2, 8, "Conf 2025 is on `May 5-6, 2025` here, but on `May 6-7, 2025` in a.md:2:8"),
    ]


def test_event_dates_without_a_year_are_not_compared():
    from talklint.checks.crossfile import EventDatesDisagree

    text = "Event: Conf\nDates: May 6-7\n"
    assert EventDatesDisagree().collect(_context(text, _event_page(text, "Conf", (None, 5, 6), (None, 5, 7)))) is None


def test_fold_and_distance():
    from talklint.checks.crossfile import fold, osa_distance

    assert fold("Łukasz  LANGA") == fold("lukasz langa") == "lukasz langa"
    assert fold("José-María O’Neil") == "jose maria o neil"
    assert osa_distance("jane doe", "jnae doe") == 1
    assert osa_distance("jane", "jane") == 0
    assert osa_distance("abc", "") == 3


def test_every_cross_file_rule_is_a_project_rule():
    linter = Linter(overrides=Overrides(select=["TL36"]))
    assert linter.project_rules and all(isinstance(r, ProjectRule) for r in linter.rules)
    assert Linter(Config(Settings()), Overrides(select=["TL201"])).project_rules == []


@dataclass
class _Held:
    """Collected data of a test rule (module level, so it pickles)."""

    name: str


def test_cross_file_pass_holds_collected_data_as_bytes_until_the_rules_turn():
    """A run over many files holds every file's summary until the cross-file pass: the pass
    keeps each rule's share pickled, not the objects the workers sent."""
    import gc
    import weakref

    from talklint.engine import FileResult
    from talklint.project import Collected, FileSummary

    project = ProjectPass(Linter(Config(), Overrides(select=["TL360"])))
    held = _Held("ada")
    alive = weakref.ref(held)
    project.add(FileResult("a.md", [], summary=FileSummary("a.md", {"TL360": held, "TL361": None})))
    del held
    gc.collect()
    assert alive() is None
    seen: list = []

    class Recorder:
        code, name = "TL360", "recorder"

        def finish(self, pages):
            seen.extend(pages)
            return []

    assert project._finish(Recorder()) == []
    assert seen == [Collected("a.md", _Held("ada"))]
