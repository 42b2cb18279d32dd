"""Linting many files with worker processes: the parent lints a few files before it forks,
chunks get smaller towards the end, and workers send cross-file summaries already packed.
None of it may change what a run reports."""

from __future__ import annotations

import gc
import json
import pickle
import unicodedata
from pathlib import Path

import pytest

from talklint import engine
from talklint.engine import FileResult, Linter, ProjectPass, _chunks, _Job, lint_paths
from talklint.project import FileSummary

HERE = Path(__file__).parent
PAGES = sorted(str(p) for p in [*(HERE / "corpus").rglob("*.md"), *(HERE / "fixtures" / "crossfile").rglob("*.md")])


def findings_of(results: list[FileResult]) -> list[tuple]:
    return [(r.path, r.late, [(f.code, f.line, f.column, f.end_line, f.end_column, f.message, f.source_line,
                               f.edit_positions) for f in r.findings]) for r in results]


def run(paths: list[str], jobs: int) -> tuple[list[FileResult], list[FileResult]]:
    linter = Linter()
    project = ProjectPass(linter)
    results = []
    for result in lint_paths(linter, paths, jobs, project=True):
        project.add(result)
        results.append(result)
    assert not project.errors
    return results, project.finish()


def test_the_pages_make_a_parallel_run():
    assert len(PAGES) >= 3 * engine.WARM_UP_FILES // 2  # the parent lints some, the workers the rest


def test_workers_and_parent_report_what_one_process_reports():
    one, one_late = run(PAGES, 1)
    two, two_late = run(PAGES, 2)
    assert [r.path for r in two] == PAGES  # in the order given, the parent's share in its place
    assert findings_of(two) == findings_of(one)
    assert findings_of(two_late) == findings_of(one_late)
    assert any(r.findings for r in one) and one_late  # the comparison is not of nothing


def test_a_run_of_few_files_gives_the_parent_few(monkeypatch):
    linted_here = []
    real = engine._lint_one
    monkeypatch.setattr(engine, "_lint_one", lambda linter, path, job: linted_here.append(path) or real(linter, path, job))
    results = list(lint_paths(Linter(), PAGES[:8], 2))
    assert [r.path for r in results] == PAGES[:8]
    assert linted_here == PAGES[:1]  # one file in eight; the forked workers lint the rest


def test_the_parent_lints_files_spread_over_the_run():
    paths = [f"missing-{i}.md" for i in range(1000)]  # unreadable files lint fast (TL901)
    early = engine._warm_up(Linter(), paths, _Job(None, False, False))
    assert len(early) == engine.WARM_UP_FILES
    assert min(early) == 0 and max(early) >= 900
    assert all(early[i].path == paths[i] for i in early)


@pytest.mark.parametrize("count", [0, 1, 7, 8, 20, 100, 999, 1000, 10000])
def test_chunks_keep_every_path_in_order_and_end_small(count):
    paths = [str(i) for i in range(count)]
    chunks = _chunks(paths, 2)
    assert [p for c in chunks for p in c] == paths
    assert all(chunks)
    if count >= 1000:
        assert len(chunks[0]) == 32 and len(chunks[-1]) == 8


def test_the_run_leaves_the_collector_as_it_found_it():
    gc.unfreeze()
    list(lint_paths(Linter(), PAGES[:10], 2))
    assert gc.get_freeze_count() == 0  # a library caller keeps collecting what it drops
    gc.freeze()  # as the command line does once start-up is done
    try:
        frozen = gc.get_freeze_count()
        list(lint_paths(Linter(), PAGES[:10], 2))
        assert gc.get_freeze_count() >= frozen
    finally:
        gc.unfreeze()


def test_a_packed_summary_holds_each_share_pickled():
    summary = FileSummary("a.md", {"TL360": {"slug": "a"}, "TL361": None}, [])
    packed = summary.packed()
    assert packed.is_packed and not summary.is_packed
    assert packed.data == {"TL360": pickle.dumps({"slug": "a"}, protocol=pickle.HIGHEST_PROTOCOL)}
    assert packed.packed() is packed  # packing twice would pickle the pickles


def test_the_cross_file_pass_takes_summaries_packed_or_not():
    linter = Linter()
    results = [linter.lint_path(p, project=True) for p in PAGES]
    plain, packed = ProjectPass(linter), ProjectPass(linter)
    for result in results:
        plain.add(result)
    for result in results:
        if result.summary is not None:
            result.summary = result.summary.packed()
        packed.add(result)
    assert findings_of(packed.finish()) == findings_of(plain.finish())


@pytest.mark.parametrize("for_cache", [False, True])
def test_workers_pack_summaries_unless_the_cache_keeps_them(for_cache):
    engine._init_worker(Linter(), None, None, _Job(None, True, for_cache))
    try:
        results = engine._lint_chunk(PAGES[:3])
    finally:
        engine._init_worker(Linter(), None, None, _Job(None, False, False))
    summaries = [r.summary for r in results]
    assert all(s is not None and s.is_packed != for_cache for s in summaries)
    assert all(r.source is None for r in results)  # the text stays in the worker


@pytest.mark.parametrize("text", ["plain ascii text", "tab\there", "esc\x1b[31m", "del\x7f", "",
                                  "café", "日本語", "e\u0301", "bidi\u202e", "zwj\u200d", "nbsp\u00a0x"])
def test_excerpts_of_plain_text_are_shown_as_before(text):
    from talklint.report import text as report

    assert report.safe(text) == "".join(report.visible(c) for c in text)
    wide = sum(0 if unicodedata.combining(c) or c in "\u200c\u200d" or "\ufe00" <= c <= "\ufe0f"
               else 2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)
    assert report.width(text) == wide


def test_the_json_report_is_written_once_a_file():
    import io

    from talklint.report.json import JsonReporter

    findings = Linter().lint_path(PAGES[0]).findings
    assert len(findings) > 1
    out = io.StringIO()
    reporter = JsonReporter(out)
    writes = []
    out.write = lambda s, write=out.write: writes.append(s) or write(s)
    reporter.start()
    reporter.file(PAGES[0], [])
    reporter.file(PAGES[0], findings)
    reporter.file(PAGES[0], findings[:1])
    reporter.finish(None)
    assert len(writes) == 4
    assert json.loads(out.getvalue()) == [f.to_dict() for f in [*findings, findings[0]]]


def test_the_walk_knows_each_folder_real_path_without_resolving(tmp_path):
    from talklint.config import Config
    from talklint.files import FileSelector

    (tmp_path / "site" / "a" / "b").mkdir(parents=True)
    (tmp_path / "site" / "a" / "b" / "page.md").write_text("# x\n")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "other.md").write_text("# y\n")
    (tmp_path / "site" / "a" / "link").symlink_to(tmp_path / "elsewhere")
    (tmp_path / "top").symlink_to(tmp_path / "site")
    (tmp_path / "talklint.toml").write_text("")
    selector = FileSelector(Config(path=tmp_path / "talklint.toml"))
    assert list(selector.collect([str(tmp_path / "top")])) == [str(tmp_path / "top" / "a" / "b" / "page.md")]
    assert selector._real_dirs and all(real == folder.resolve() for folder, real in selector._real_dirs.items())
