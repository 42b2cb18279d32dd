"""Patterns compiled at first use, and the quick test that lets CJK patterns wait."""

from __future__ import annotations

import copy
import pickle
import re

import pytest

from talklint.lazyre import LazyPattern, may_hold_cjk


def test_a_lazy_pattern_behaves_as_the_compiled_one():
    source, flags = r"(?P<word>[a-z]+)(\d)?", re.IGNORECASE
    lazy, eager = LazyPattern(source, flags), re.compile(source, flags)
    assert lazy.pattern == source and "search" not in vars(lazy)  # not compiled yet
    text = "Ab1 cd ef2"
    assert lazy.search(text).span() == eager.search(text).span()
    assert "search" in vars(lazy)  # compiled once, methods kept
    assert [m.span() for m in lazy.finditer(text)] == [m.span() for m in eager.finditer(text)]
    assert lazy.findall(text) == eager.findall(text)
    assert lazy.sub("-", text) == eager.sub("-", text)
    assert lazy.match(text, 4).group("word") == "cd"
    assert lazy.fullmatch("ab1") and lazy.split(text) == eager.split(text)
    assert (lazy.flags, lazy.groups, lazy.groupindex) == (eager.flags, eager.groups, eager.groupindex)


def test_each_member_compiles_it_first():
    eager = re.compile("a(b)")
    for member in ("flags", "groups", "groupindex"):
        assert getattr(LazyPattern("a(b)"), member) == getattr(eager, member)
    assert LazyPattern("a(b)").subn("", "abab") == eager.subn("", "abab")
    assert LazyPattern("a(b)").scanner("ab").match().span() == (0, 2)


def test_a_lazy_pattern_copies_and_has_no_other_attributes():
    lazy = LazyPattern("x+")
    with pytest.raises(AttributeError):
        lazy.nonexistent
    assert copy.deepcopy(lazy).search("axx").group() == "xx"
    assert pickle.loads(pickle.dumps(lazy)).search("axx").group() == "xx"
    lazy.search("")
    assert copy.copy(lazy).search("axx").group() == "xx"


def test_a_bad_pattern_fails_at_first_use():
    lazy = LazyPattern("(")
    with pytest.raises(re.error):
        lazy.search("")


def test_may_hold_cjk_is_false_only_without_a_character_from_u2e80():
    for c in list(range(0x2D00, 0x3100)) + [0x4E00, 0xAC00, 0xFF01, 0x20000, 0x3134F, 0x10FFFF]:
        may_hold_cjk.cache_clear()
        assert may_hold_cjk("é – " + chr(c)) == (c >= 0x2E80), hex(c)
    assert not may_hold_cjk("plain ASCII") and not may_hold_cjk("naïve – “quoted” ’")
    assert may_hold_cjk("lone \ud800 surrogate")  # no error; unsure means True
