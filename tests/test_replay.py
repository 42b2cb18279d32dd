"""Run records (talklint.replay): a run is replayed only while everything it read reads the same."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from test_cli import write

from talklint import cli, engine, replay

SPEAKER = "---\nname: Ada Lovelace\n---\n# Ada Lovelace\n"
TALK = ("---\ntitle: Engines\nspeakers: [ada-lovelace, grace-hopper]\n---\n# Engines\n\n"
        "Trailing spaces here   \n![Photo](photo.jpg)\n")


RACY = 300_000_000  # a shorter racy window (ns) than the real one, so tests need not wait 2 s


@pytest.fixture
def site(tmp_path, monkeypatch):
    """A small site, older than the racy window by the time it is checked (a config file that
    changed within the window is never vouched for: such a run writes no record)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(replay, "RACY_NS", RACY)
    write(tmp_path / "talklint.toml", 'select = ["TL201", "TL401", "TL360"]\n')
    write(tmp_path / "speakers" / "ada-lovelace.md", SPEAKER)
    write(tmp_path / "talks" / "engines.md", TALK)
    for n in range(1, 6):  # more pages with findings, to replay a longer report
        write(tmp_path / "more" / f"talk-{n}.md", f"# Talk {n}\n\n" + "Trailing   \n" * n + f"![x](x{n}.png)\n")
    time.sleep(RACY / 1e9 + 0.05)
    return tmp_path


class Lints:
    """Counts the linters built: a replayed run builds none."""

    def __init__(self, monkeypatch):
        self.built = 0
        original = engine.Linter.__init__

        def counting(linter, *args, **kwargs):
            self.built += 1
            original(linter, *args, **kwargs)

        monkeypatch.setattr(engine.Linter, "__init__", counting)


@pytest.fixture
def lints(monkeypatch):
    return Lints(monkeypatch)


def check(capsys, *args: str) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exit_:
        cli.main(["check", "-j", "1", "--no-progress", *args])
    return exit_.value.code, capsys.readouterr().out


def codes(out: str) -> list[tuple[str, str]]:
    return sorted((f["path"], f["code"]) for f in json.loads(out))


@pytest.mark.parametrize("batch", [2, 256])
def test_unchanged_run_is_replayed_in_any_format(site, capsys, lints, monkeypatch, batch):
    monkeypatch.setattr(replay, "_BATCH", batch)  # the report is pickled in batches of files
    first = check(capsys, "--output-format", "json", ".")
    assert lints.built == 1 and first[0] == 1
    assert ("talks/engines.md", "TL201") in codes(first[1])
    assert ("talks/engines.md", "TL401") in codes(first[1])  # the photo is missing
    assert ("talks/engines.md", "TL360") in codes(first[1])  # grace-hopper has no page
    assert check(capsys, "--output-format", "json", ".") == first
    assert lints.built == 1
    # Another output format renders the same findings: compared with a run that lints.
    replayed = check(capsys, "--output-format", "text", "--statistics", ".")
    assert lints.built == 1
    linted = check(capsys, "--no-cache", "--output-format", "text", "--statistics", ".")
    assert lints.built == 2 and replayed == linted


def test_exit_zero_and_quiet_apply_to_a_replay(site, capsys, lints):
    check(capsys, ".")
    code, out = check(capsys, "--exit-zero", "-q", ".")
    assert lints.built == 1 and code == 0 and "Found" not in out and "TL201" in out


def test_other_options_are_another_run(site, capsys, lints):
    check(capsys, ".")
    code, out = check(capsys, "--select", "TL201", "--output-format", "json", ".")
    assert lints.built == 2 and {c for _, c in codes(out)} == {"TL201"}
    check(capsys, "talks")
    assert lints.built == 3


@pytest.mark.parametrize("change", ["edit page", "add page", "remove page", "add image",
                                    "add speaker", "edit config", "add gitignore"])
def test_a_change_is_linted_again(site, capsys, lints, change):
    before = codes(check(capsys, "--output-format", "json", ".")[1])
    if change == "edit page":
        write(site / "talks" / "engines.md", TALK.replace("here   ", "here"))
    elif change == "add page":
        write(site / "talks" / "new.md", "# New   \n")
    elif change == "remove page":
        (site / "talks" / "engines.md").unlink()
    elif change == "add image":  # another folder's listing: a probe of TL401
        write(site / "talks" / "photo.jpg", b"\xff\xd8\xff")
    elif change == "add speaker":  # read by the cross-file pass only
        write(site / "speakers" / "grace-hopper.md", SPEAKER.replace("Ada Lovelace", "Grace Hopper"))
    elif change == "edit config":
        write(site / "talklint.toml", 'select = ["TL201"]\n')
    elif change == "add gitignore":
        write(site / ".gitignore", "talks/\n")
    after = codes(check(capsys, "--output-format", "json", ".")[1])
    assert lints.built == 2 and after != before
    assert after == codes(check(capsys, "--no-cache", "--output-format", "json", ".")[1])


def test_an_old_stat_is_trusted_and_a_changed_one_is_not(site, capsys, lints, monkeypatch):
    """Without the racy window, pages and folders are judged by their stat alone: an edit that
    keeps the size and puts the mtime back still changes the ctime."""
    monkeypatch.setattr(replay, "RACY_NS", 0)
    first = check(capsys, "--output-format", "json", ".")
    assert check(capsys, "--output-format", "json", ".") == first and lints.built == 1
    page = site / "talks" / "engines.md"
    st = page.stat()
    time.sleep(0.01)
    write(page, TALK.replace("here   ", "HERE   "))
    os.utime(page, ns=(st.st_atime_ns, st.st_mtime_ns))
    check(capsys, "--output-format", "json", ".")
    assert lints.built == 2


def test_damaged_record_means_a_normal_run(site, capsys, lints):
    first = check(capsys, "--output-format", "json", ".")
    (record,) = (site / ".talklint_cache").glob("run-*.pickle")
    data = record.read_bytes()
    record.write_bytes(data[:-20] + b"x" * 20)  # the report no longer matches its hash
    assert check(capsys, "--output-format", "json", ".") == first and lints.built == 2
    record.write_bytes(b"not a pickle")
    assert check(capsys, "--output-format", "json", ".") == first and lints.built == 3


@pytest.mark.parametrize("args", [["--no-cache"], ["--fix"], ["--diff"]])
def test_runs_that_are_never_recorded(site, capsys, lints, args):
    check(capsys, *args, ".")
    assert not list((site / ".talklint_cache").glob("run-*.pickle"))


def test_record_is_refused_when_the_key_differs(site, capsys, lints):
    check(capsys, ".")
    (record,) = (site / ".talklint_cache").glob("run-*.pickle")
    other = replay.record_path(site / ".talklint_cache", "0" * 40)
    record.rename(other)
    assert replay.load(site / ".talklint_cache", "0" * 40 + "1") is None
    check(capsys, ".")
    assert lints.built == 2


def test_a_page_changed_just_before_the_run_is_vouched_for_by_its_hash(site, capsys, lints):
    """Written within the racy window, a page's stat proves nothing: the record keeps the hash
    of what was checked, and a same-size edit is still seen."""
    page = site / "talks" / "engines.md"
    write(page, TALK.replace("Engines", "Turbines"))
    first = check(capsys, "--output-format", "json", ".")
    assert check(capsys, "--output-format", "json", ".") == first and lints.built == 1
    write(page, TALK.replace("Engines", "Turbinez"))
    check(capsys, "--output-format", "json", ".")
    assert lints.built == 2
    st = page.stat()
    write(page, TALK.replace("here   ", "HERE   "))
    os.utime(page, ns=(st.st_atime_ns, st.st_mtime_ns))
    check(capsys, "--output-format", "json", ".")
    assert lints.built == 3


def test_a_config_file_changed_just_before_the_run_is_not_recorded(site, capsys, lints):
    write(site / "talklint.toml", 'select = ["TL201"]\n')
    check(capsys, ".")
    assert not list((site / ".talklint_cache").glob("run-*.pickle"))


def test_what_a_rule_read_outside_the_walked_folders_is_checked_again(site, capsys, lints):
    """Only `talks/` is walked; the image lives in `img/`, which only TL401's probe looked at."""
    write(site / "talks" / "engines.md", TALK.replace("photo.jpg", "../img/photo.jpg"))
    (site / "img").mkdir()
    time.sleep(RACY / 1e9 + 0.05)
    first = codes(check(capsys, "--output-format", "json", "talks")[1])
    assert ("talks/engines.md", "TL401") in first
    assert codes(check(capsys, "--output-format", "json", "talks")[1]) == first and lints.built == 1
    write(site / "img" / "photo.jpg", b"\xff\xd8\xff")
    after = codes(check(capsys, "--output-format", "json", "talks")[1])
    assert lints.built == 2 and ("talks/engines.md", "TL401") not in after


def test_a_replay_writes_to_the_output_file(site, capsys, lints):
    """The first run creates the report inside the walked folder, which changes its listing: the
    next run lints and records again; from then on the report is rewritten in place."""
    check(capsys, "-o", "report.txt", ".")
    check(capsys, "-o", "report.txt", ".")  # (the report is a page too: `.txt`)
    first = (site / "report.txt").read_text()
    (site / "report.txt").write_text("")
    code, out = check(capsys, "-o", "report.txt", ".")
    assert lints.built == 2 and code == 1 and out == ""
    assert (site / "report.txt").read_text() == first != ""


def test_validating_real_paths_with_a_shared_memo_gives_what_realpath_gives(tmp_path):
    from talklint import paths, probes

    write(tmp_path / "site" / "talks" / "a.md", "")
    (tmp_path / "link").symlink_to(tmp_path / "site")
    (tmp_path / "site" / "loop").symlink_to(tmp_path / "site" / "loop")
    cases = [tmp_path / "site" / "talks", tmp_path / "link" / "talks", tmp_path / "link" / "talks" / "gone",
             tmp_path / "site" / "loop" / "x", Path("/")]
    memo: dict = {}
    for path in cases * 2:
        path = os.path.abspath(path)
        assert probes.still_valid([("realpath", path, os.path.realpath(path))], memo)
        assert paths._resolved(path, {}) == os.path.realpath(path)
    assert not probes.still_valid([("realpath", str(tmp_path / "link"), str(tmp_path / "link"))], memo)


def test_a_file_added_to_a_rule_pack_folder_is_linted_again(tmp_path, capsys, lints, monkeypatch):
    """The configuration names a folder of rule packs: a new pack in it is a new rule (the
    folder is not walked: only the page is checked)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(replay, "RACY_NS", RACY)
    write(tmp_path / "talklint.toml", 'rule-packs = ["my-rules"]\nselect = ["HS"]\n')
    write(tmp_path / "my-rules" / "words.yaml", PACK.format(code="HS001", word="utilize", better="use"))
    write(tmp_path / "page.md", "# Talk\n\nWe utilize Django to leverage synergy.\n")
    time.sleep(RACY / 1e9 + 0.05)
    first = codes(check(capsys, "--output-format", "json", "page.md")[1])
    assert first == [("page.md", "HS001")]
    assert codes(check(capsys, "--output-format", "json", "page.md")[1]) == first and lints.built == 1
    write(tmp_path / "my-rules" / "more.yaml", PACK.format(code="HS002", word="leverage", better="use"))
    after = codes(check(capsys, "--output-format", "json", "page.md")[1])
    assert lints.built == 2 and after == [("page.md", "HS001"), ("page.md", "HS002")]


PACK = """rules:
  - kind: substitution
    code: {code}
    name: house-{word}
    message: "Write '{{replacement}}' rather than '{{match}}'"
    what: Plain words.
    why: Read on phones.
    example: "`{word}` → `{better}`"
    swap:
      {word}: {better}
"""
