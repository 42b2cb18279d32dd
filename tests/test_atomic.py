"""Atomic writes: a reader sees the old file or the new one, and nothing is left behind."""

from __future__ import annotations

import os
import stat

import pytest

from talklint.atomic import write_atomically


def test_replaces_the_file_and_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "data.bin"
    target.write_bytes(b"old")
    write_atomically(target, b"new", prefix=".data-")
    assert target.read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.bin"]


def test_sets_the_mode_asked_for(tmp_path):
    target = tmp_path / "kept.pickle"
    write_atomically(target, b"x", mode=0o640)
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_a_failed_write_keeps_the_old_file_and_removes_the_temporary_one(tmp_path, monkeypatch):
    target = tmp_path / "data.bin"
    target.write_bytes(b"old")

    def fail(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError):
        write_atomically(target, b"new")
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.bin"]


def test_a_missing_folder_is_an_error_not_a_silent_success(tmp_path):
    with pytest.raises(OSError):
        write_atomically(tmp_path / "gone" / "data.bin", b"x")
