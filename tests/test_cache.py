"""The content cache (talklint.cache): reused only while nothing its findings depend on changed."""

from __future__ import annotations

import json
import os
import pickle
from pathlib import Path

import pytest
from test_cli import run, write
from test_crossfile import SPEAKER, TALK

from talklint import cache as cache_module
from talklint.config import Config, Settings
from talklint.engine import FixMode, Linter, Overrides, ProjectPass, lint_paths
from talklint.fixer import FixPolicy


class Counting(Linter):
    """A linter that counts the files it really analyses."""

    analysed: list[str]

    def analyse(self, source, path=None, project=False):
        self.analysed.append(Path(path or source.path).name)
        return super().analyse(source, path, project)


def linter_for(select=("TL201", "TL401", "TL360"), settings: Settings | None = None, **overrides) -> Counting:
    linter = Counting(Config(settings), Overrides(select=list(select), **overrides))
    linter.analysed = []
    return linter


def check(linter, tmp_path: Path, paths, fix=None, jobs=1):
    """One run as the command line makes it: (findings per file, cross-file findings, analysed)."""
    cache = cache_module.open_cache(linter, tmp_path / "cache", project=True)
    project = ProjectPass(linter)
    per_file = {}
    for result in lint_paths(linter, [str(p) for p in paths], jobs, fix, project=True, cache=cache):
        project.add(result)
        per_file[Path(result.path).name] = [(f.line, f.column, f.code) for f in result.findings]
    late = {Path(r.path).name: [(f.line, f.code) for f in r.findings] for r in project.finish()}
    assert cache.save() is None
    analysed, linter.analysed = linter.analysed, []
    return per_file, late, analysed


@pytest.fixture
def page(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return write(tmp_path / "talk.md", "# Talk\n\ntrailing   \n")


def test_unchanged_file_is_answered_from_the_cache(tmp_path, page):
    linter = linter_for()
    first = check(linter, tmp_path, [page])
    assert first[2] == ["talk.md"]
    second = check(linter, tmp_path, [page])
    assert second[:2] == first[:2] and second[2] == []
    assert first[0] == {"talk.md": [(3, 9, "TL201")]}


def test_changed_content_is_linted_again(tmp_path, page):
    linter = linter_for()
    check(linter, tmp_path, [page])
    page.write_text("# Talk\n\nclean\n")
    assert check(linter, tmp_path, [page]) == ({"talk.md": []}, {}, ["talk.md"])


def test_same_size_same_mtime_edit_is_seen(tmp_path, page):
    """An edit that keeps size and mtime (written in the same clock tick, or mtime restored)
    is caught by the content hash."""
    linter = linter_for()
    check(linter, tmp_path, [page])
    st = page.stat()
    page.write_text("# Talk\n\nall clean!!\n")
    os.utime(page, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert page.stat().st_size == st.st_size
    per_file, _, analysed = check(linter, tmp_path, [page])
    assert analysed == ["talk.md"] and per_file == {"talk.md": []}


def test_touched_but_unchanged_file_is_a_hit(tmp_path, page):
    linter = linter_for()
    check(linter, tmp_path, [page])
    os.utime(page, ns=(0, 10**18))
    assert check(linter, tmp_path, [page])[2] == []


def test_other_configuration_other_entries(tmp_path, page):
    check(linter_for(), tmp_path, [page])
    other = linter_for(ignore=["TL201"])
    assert check(other, tmp_path, [page]) == ({"talk.md": []}, {}, ["talk.md"])
    settings = Settings(rules={"trailing-whitespace": {"strict": True}})
    assert check(linter_for(settings=settings), tmp_path, [page])[2] == ["talk.md"]


def test_other_talklint_version_other_entries(tmp_path, page, monkeypatch):
    linter = linter_for()
    check(linter, tmp_path, [page])
    monkeypatch.setattr(cache_module, "_version", lambda: "99.0")
    assert check(linter, tmp_path, [page])[2] == ["talk.md"]


def test_edited_talklint_code_other_entries(tmp_path, page, monkeypatch):
    linter = linter_for()
    check(linter, tmp_path, [page])
    real = cache_module._code_stamp
    monkeypatch.setattr(cache_module, "_code_stamp", lambda lin: real(lin) + ["engine.py edited"])
    assert check(linter, tmp_path, [page])[2] == ["talk.md"]


def test_rule_file_named_by_the_config_is_part_of_the_key(tmp_path, page):
    words = write(tmp_path / "typos.csv", "teh,the\n")
    settings = Settings(rules={"misspelling": {"extend-files": [str(words)]}})
    key = cache_module.run_key(linter_for(settings=settings), True)
    write(words, "teh,the\nrecieve,receive\n")
    assert cache_module.run_key(linter_for(settings=settings), True) != key


@pytest.mark.parametrize("damage", [b"", b"not a pickle", b"\x80\x05garbage",
                                    pickle.dumps(os.system), pickle.dumps({"format": cache_module.FORMAT, "entries": []})])
def test_damaged_cache_file_is_ignored(tmp_path, page, damage):
    linter = linter_for()
    check(linter, tmp_path, [page])
    [stored] = (tmp_path / "cache").glob("files-*.pickle")
    stored.write_bytes(damage)
    assert check(linter, tmp_path, [page])[2] == ["talk.md"]
    assert check(linter, tmp_path, [page])[2] == []  # rewritten whole


def test_cache_that_would_run_code_is_refused(tmp_path, page):
    class Payload:
        def __reduce__(self):
            return (os.remove, (str(page),))

    linter = linter_for()
    check(linter, tmp_path, [page])
    [stored] = (tmp_path / "cache").glob("files-*.pickle")
    stored.write_bytes(pickle.dumps({"format": cache_module.FORMAT, "key": "x", "entries": Payload()}))
    assert check(linter, tmp_path, [page])[2] == ["talk.md"]
    assert page.exists()


def test_unwritable_cache_folder_is_a_warning_not_a_failure(tmp_path, page):
    write(tmp_path / "cache", "a file where the folder should be")
    linter = linter_for()
    cache = cache_module.open_cache(linter, tmp_path / "cache", project=False)
    list(lint_paths(linter, [str(page)], 1, cache=cache))
    assert "not written" in cache.save()


def test_cross_file_pass_runs_from_cached_summaries(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    talk = write(tmp_path / "talks" / "t0.md", TALK)
    speaker = write(tmp_path / "speakers" / "amy.md", SPEAKER)
    linter = linter_for()
    first = check(linter, tmp_path, [speaker, talk])
    assert first[1] == {"t0.md": [(4, "TL360")]}
    assert check(linter, tmp_path, [speaker, talk]) == (first[0], first[1], [])
    # A new speaker page: only it is linted, and the cross-file pass sees every page.
    ghost = write(tmp_path / "speakers" / "ghost.md", "---\nname: Ghost\n---\n\nGhost.\n")
    per_file, late, analysed = check(linter, tmp_path, [ghost, speaker, talk])
    assert (late, analysed) == ({}, ["ghost.md"])


def test_image_appearing_and_disappearing(tmp_path, monkeypatch):
    """TL401 reads the folder, not the page: the entry holds only while the folder reads the same."""
    monkeypatch.chdir(tmp_path)
    page = write(tmp_path / "content" / "talk.md", "# Talk\n\n![Speaker](img/amy.jpg)\n")
    missing = {"talk.md": [(3, 12, "TL401")]}
    # A new linter each time: one run's folder listings are memoised for that run (config).
    assert check(linter_for(), tmp_path, [page])[0] == missing
    image = write(tmp_path / "content" / "img" / "amy.jpg", b"\xff\xd8")
    assert check(linter_for(), tmp_path, [page]) == ({"talk.md": []}, {}, ["talk.md"])
    assert check(linter_for(), tmp_path, [page])[2] == []
    image.unlink()
    assert check(linter_for(), tmp_path, [page]) == (missing, {}, ["talk.md"])


def test_linked_page_edited(tmp_path, monkeypatch):
    """TL411 reads the linked page's headings: editing that page re-checks the linking one."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "b.md", "# Other\n\n## Schedule\n")
    page = write(tmp_path / "a.md", "# A\n\nSee [the schedule](b.md#schedule).\n")
    assert check(linter_for(select=["TL411"]), tmp_path, [page])[0] == {"a.md": []}
    write(tmp_path / "b.md", "# Other\n\n## Programme\n")
    per_file, _, analysed = check(linter_for(select=["TL411"]), tmp_path, [page])
    assert analysed == ["a.md"] and [c for _, _, c in per_file["a.md"]] == ["TL411"]


def test_fix_never_trusts_the_cache_for_files_it_rewrites(tmp_path, page):
    clean = write(tmp_path / "clean.md", "# Clean\n")
    linter = linter_for()
    check(linter, tmp_path, [page, clean])
    fix = FixMode(FixPolicy())
    per_file, _, analysed = check(linter, tmp_path, [page, clean], fix=fix)
    assert "talk.md" in analysed and "clean.md" not in analysed
    assert page.read_text() == "# Talk\n\ntrailing\n"
    assert check(linter, tmp_path, [page, clean])[0] == {"talk.md": [], "clean.md": []}


def test_worker_pool_fills_and_uses_the_cache(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    pages = [write(tmp_path / f"p{i}.md", f"# Page {i}\n\nline   \n") for i in range(12)]
    linter = linter_for()
    first = check(linter, tmp_path, pages, jobs=2)
    assert all(v == [(3, 5, "TL201")] for v in first[0].values())
    assert check(linter, tmp_path, pages, jobs=2) == (first[0], first[1], [])


def test_entries_of_deleted_files_are_pruned(tmp_path, page):
    gone = write(tmp_path / "gone.md", "# Gone\n")
    linter = linter_for()
    check(linter, tmp_path, [page, gone])
    gone.unlink()
    check(linter, tmp_path, [page])
    entries = cache_module.open_cache(linter, tmp_path / "cache", project=True).entries
    assert [Path(s.split("\0")[1]).name for s in entries] == ["talk.md"]


def test_cli_cache_dir_and_no_cache(tmp_path):
    write(tmp_path / "talk.md", "# Talk\n\ntrailing   \n")
    args = ("check", "talk.md", "--output-format", "json")
    proc = run(*args, "--no-cache", cwd=tmp_path)
    assert proc.returncode == 1 and not (tmp_path / ".talklint_cache").exists()
    first = run(*args, "--cache-dir", "elsewhere", cwd=tmp_path)
    assert list((tmp_path / "elsewhere").glob("files-*.pickle"))
    second = run(*args, "--cache-dir", "elsewhere", cwd=tmp_path)
    assert json.loads(first.stdout) == json.loads(second.stdout) == json.loads(proc.stdout)
    write(tmp_path / "talklint.toml", 'cache-dir = "from-config"\n')
    run(*args, cwd=tmp_path)
    assert list((tmp_path / "from-config").glob("files-*.pickle"))
    assert (tmp_path / "from-config" / ".gitignore").read_text().endswith("*\n")


def test_a_file_named_twice(tmp_path, page):
    clean = write(tmp_path / "clean.md", "# Clean\n")
    linter = linter_for()
    cache = cache_module.open_cache(linter, tmp_path / "cache", project=False)
    list(lint_paths(linter, [str(page)], 1, cache=cache))
    results = list(lint_paths(linter, [str(page), str(clean), str(page)], 1, cache=cache))
    assert [(Path(r.path).name, len(r.findings)) for r in results] == [("talk.md", 1), ("clean.md", 0),
                                                                       ("talk.md", 1)]


def test_one_damaged_entry_costs_one_lint(tmp_path, page):
    clean = write(tmp_path / "clean.md", "# Clean\n")
    linter = linter_for()
    check(linter, tmp_path, [page, clean])
    [stored] = (tmp_path / "cache").glob("files-*.pickle")
    data = pickle.loads(stored.read_bytes())
    [slot] = [s for s in data["entries"] if s.endswith("talk.md")]
    data["entries"][slot].payload = pickle.dumps(os.system)
    stored.write_bytes(pickle.dumps(data))
    assert check(linter, tmp_path, [page, clean])[2] == ["talk.md"]
