"""Shortcuts in the shared per-page facts and the cross-file pass give what the plain
computation gives: each is compared here with the slow path it replaces."""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path, PurePath
from types import SimpleNamespace

import yaml

from helpers import corpus_files


# -- real paths of page folders and of the config root, once per run ---------------------------

def _site_context(path: Path, config) -> SimpleNamespace:
    return SimpleNamespace(path=str(path), config=config, shared={})


def _write(path: Path, text: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_run_remembers_real_folders_but_records_every_read(tmp_path):
    from talklint import paths, probes
    from talklint.config import discover

    _write(tmp_path / "talklint.toml", 'static-roots = ["static"]\n')
    (tmp_path / "static").mkdir()
    pages = [_write(tmp_path / "talks" / name) for name in ("a.md", "b.md")]
    (tmp_path / "alias").symlink_to(tmp_path / "talks")
    pages.append(tmp_path / "alias" / "a.md")
    config = discover([str(tmp_path)])

    for page in pages * 2:  # the second round answers from the run's memo
        with probes.recording() as fast:
            site, folder = paths.site_for(_site_context(page, config))
        paths.run_cache(config).reals.clear()
        with probes.recording() as slow:
            expected = paths.site_for(_site_context(page, config))
        assert fast == slow and (site.root, site.static_roots, folder) == (
            expected[0].root, expected[0].static_roots, expected[1])
        assert folder == os.path.realpath(page.parent)


def test_real_folders_are_not_remembered_from_one_run_to_the_next(tmp_path):
    from talklint import paths
    from talklint.config import discover

    _write(tmp_path / "talklint.toml")
    _write(tmp_path / "one" / "a.md")
    _write(tmp_path / "two" / "a.md")
    (tmp_path / "now").symlink_to(tmp_path / "one")
    page = tmp_path / "now" / "a.md"
    assert paths.site_for(_site_context(page, discover([str(tmp_path)])))[1] == str(tmp_path / "one")
    (tmp_path / "now").unlink()
    (tmp_path / "now").symlink_to(tmp_path / "two")
    assert paths.site_for(_site_context(page, discover([str(tmp_path)])))[1] == str(tmp_path / "two")


# -- the cross-file pass: folders, content roots, slugs, folded names -----------------------------

ODD_PATHS = ["a.md", "./a.md", "talks/a.md", "talks//a.md", "talks/./a.md", "talks/../a.md",
             "../a.md", "../../x/y/a.md", "/a.md", "/abs/talks/a.md", "//a.md", "//x/a.md",
             "///x/a.md", "talks/a.md/", "talks/.", "talks/..", ".", "..", "", "speakers/jane/index.md",
             "talks/a..md", "talks/.md", "talks/a.", "x/../../speakers/b.md"]


def test_folders_of_a_path_are_those_of_its_absolute_form(monkeypatch, tmp_path):
    from talklint.checks import crossfile

    for cwd in (str(tmp_path), "/"):
        monkeypatch.chdir(cwd)
        for path in ODD_PATHS:
            slow = crossfile._folder_and_parents(os.path.dirname(os.path.abspath(path)))
            assert crossfile.folders_of(path) == slow, path
            assert crossfile.folders_of(path, os.getcwd()) == slow, path


def test_a_content_root_is_the_folder_above_the_nearest_named_folder(monkeypatch, tmp_path):
    from talklint.checks import crossfile

    monkeypatch.chdir(tmp_path)
    paths = [*ODD_PATHS, "site/speakers/talks/a.md", "speakers/x/speakers/b.md", "/speakers/a.md"]
    for folders in (crossfile.SPEAKER_FOLDERS, crossfile.TALK_FOLDERS, ["x"], []):
        for path in paths:
            slow = next((p.parent for p in crossfile._folder_and_parents(
                os.path.dirname(os.path.abspath(path))) if p.name in folders), None)
            assert crossfile.folder_root(path, folders) == slow, (path, folders)
            assert crossfile.folder_root(path, tuple(folders), os.getcwd()) == slow, (path, folders)


def test_a_file_name_stem_is_what_pathlib_says():
    from talklint.checks import crossfile

    names = ["a.md", "a.b.md", ".md", ".hidden", "a.", "a..", "..", ".", "", "index.md", "_index.md",
             "a", "..md", "a .md", "日程.md", "a.tar.gz", "...", ". .md"]
    for name in names:
        assert crossfile._stem(name) == PurePath(name).stem, name
    for path in ODD_PATHS:
        folder, name = os.path.split(path)
        stem = PurePath(name).stem
        assert crossfile.file_slug(path) == (PurePath(folder).name if stem in crossfile.BUNDLE_STEMS else stem)


def test_remembered_folds_are_the_folds():
    from talklint.checks import crossfile

    for text in ["Łukasz Langa", "Lukasz  Langa", "jane_doe", "Zoë", "ǅemal", "", "  ", "ß", "İstanbul"] * 2:
        assert crossfile.fold(text) == crossfile.fold.__wrapped__(text)


# -- dates in prose: each word start tried once ---------------------------------------------------

def _date_matches_trying_every_time(text: str, start: int, end: int):
    from talklint import when

    anchors = sorted({m.start() for rx in when._ANCHORS for m in rx.finditer(text, start, end)})
    done = start
    for anchor in anchors:
        if anchor < done:
            continue
        line_start = text.rfind("\n", 0, anchor) + 1
        lo = max(start, line_start, anchor - when._LOOKBACK, done)
        for w in when._TOKEN_START.finditer(text, lo, anchor + 1):
            m = when._DATE.match(text, w.start(), end)
            if m is not None and m.end() > anchor:
                done = m.end()
                yield m
                break


def test_date_matches_are_those_found_by_trying_every_word_again():
    from talklint import when

    texts = [path.read_text(encoding="utf-8", errors="replace") for path in corpus_files()]
    texts += ["v1.2.3 and 1.2.4 on 2024-09-25 10:00 or May 5 - 6, 2025; 3/4/5/6 June",
              "Wednesday, September 25th 2024, 10:00-11:30 CET. 2025年5月6日 至 7日",
              "1.2 1.3 1.4 May May 12 JUN 2024 1 Jan"]
    for text in texts:
        for start in (0, len(text) // 3):
            fast = [(m.start(), m.end()) for m in when._date_matches(text, start, len(text))]
            slow = [(m.start(), m.end()) for m in _date_matches_trying_every_time(text, start, len(text))]
            assert fast == slow


# -- URLs of the front matter ---------------------------------------------------------------------

def _scalars_one_call_each(node, path=(), depth=0, out=None):
    out = [] if out is None else out
    if depth > 50:
        return out
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                _scalars_one_call_each(value_node, (*path, str(key_node.value)), depth + 1, out)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _scalars_one_call_each(item, path, depth + 1, out)
    elif isinstance(node, yaml.ScalarNode) and path:
        out.append((path, node))
    return out


def _nested(depth: int, leaf: str) -> str:
    return "".join(f"{'  ' * i}k{i}:\n" for i in range(depth)) + f"{'  ' * depth}url: {leaf}\n"


def test_front_matter_scalars_are_those_of_one_call_per_node():
    from talklint import urls

    docs = ["url: https://x.org\nlinks: [a, [b, [c]], {href: d}]\n? [k]\n: v\n1: 2\n",
            "- top\n- [nested]\n- {url: https://y.org}\n", "just text\n", "a: {b: {c: [[[x]]]}}\n"]
    docs += [_nested(depth, "https://z.org") for depth in (48, 49, 50, 51)]
    docs += ["- " * depth + "https://z.org\n" for depth in (49, 50, 51, 52)]
    docs += ["k: " + "[" * depth + "x" + "]" * depth + "\n" for depth in (48, 49, 50, 51)]
    for text in docs:
        node = yaml.compose(text)
        assert urls._yaml_scalars(node, ()) == _scalars_one_call_each(node), text[:40]


def test_a_url_is_told_by_its_first_letters_as_before():
    from talklint import urls

    values = ["http://a", "HTTPS://a", "Http://", "https:/", "hTtP://x", "", "h", "H", "ftp://x",
              "İhttp://", "\u0130", "ḩttp://x", " https://x", "https://" + "x" * 50]
    values += [chr(c) + "ttp://x" for c in range(0x3000)]
    for value in values:
        assert urls.looks_like_url(value) == value[:8].lower().startswith(("http://", "https://"))
    # Why the first letter may be checked first: nothing else lower-cases to a text starting "h".
    assert {c for c in map(chr, range(0x110000)) if c.lower()[:1] == "h"} == {"h", "H"}


# -- kinds detected from a page's keys ----------------------------------------------------------------

def _detect_kind_by_kind(kinds, keys):
    scores = []
    for kind in kinds.kinds.values():
        if not kind.signals:
            continue
        fields = {}
        for k, written in keys.items():
            if k in kind.signals:
                fields.setdefault(kind.signals[k], written)
        if len(fields) >= kind.detect_min:
            scores.append((len(fields), kind, sorted(fields.values())))
    if not scores:
        return None
    scores.sort(key=lambda s: -s[0])
    if len(scores) > 1 and scores[1][0] == scores[0][0]:
        return None
    _, kind, seen = scores[0]
    return kind.name, "detected from " + ", ".join(f"`{k}`" for k in seen)


def test_kind_detection_from_the_signal_index_is_kind_by_kind():
    from talklint import kinds as kinds_module
    from talklint.checks.schema import _default_kind_set

    kinds = _default_kind_set()
    signals = sorted({key for kind in kinds.kinds.values() for key in kind.signals})
    import random

    rng = random.Random(7)
    samples = [signals[:n] for n in range(len(signals) + 1)]
    samples += [rng.sample(signals + ["title", "misc", "date"], rng.randint(0, 8)) for _ in range(400)]
    for keys in samples:
        written = {k: k.upper() if i % 2 else k for i, k in enumerate(keys)}
        choice = kinds._detect(written)
        assert ((choice.kind.name, choice.reason) if choice else None) == _detect_kind_by_kind(kinds, written)
        # "ſ" (long s) case-folds to "s": keys are compared case-folded, not lower-cased.
        data = {key.replace("s", "ſ") if i % 3 == 2 else key.title() if i % 3 else key: 1
                for i, key in enumerate(keys)}
        choice = kinds.kind_for(None, data)
        slow = _detect_kind_by_kind(kinds, {kinds_module._key(k): k for k in data})
        assert ((choice.kind.name, choice.reason) if choice else None) == slow
