"""CJK mojibake that leaves real characters behind: a symbol or emoji between ASCII text read
through GBK or Big5 (漏 for ©, 鈿 for ⚽ without its last byte, 瘀 for 🏷️ through Big5 with
errors="ignore"), and a whole emoji whose second character is ordinary (馃憲 for 👗)."""

from __future__ import annotations

import pytest

from talklint.mojibake import cjk, find_damage, sure


def _found(text: str) -> list[tuple[str, list[str]]]:
    return [(d.damaged, d.candidates) for d in find_damage(text)]


def _damage(original: str, codec: str, errors: str) -> str:
    return original.encode("utf-8").decode(codec, errors)


@pytest.mark.parametrize(
    "original",
    [
        "⚽ Video coming soon!",
        "⭕ Doors open at 9:00!",
        "## ⬜ Call for Proposals",
        "## ☀️ Speakers",
        "⛺ Video coming soon ⛺",
    ],
)
def test_what_gbk_ignore_leaves_of_a_symbol_is_reported_without_a_repair(original):
    damaged = _damage(original, "gbk", "ignore")
    found = find_damage(damaged)
    assert found, damaged
    assert all(d.model == "UTF-8 read as GBK" for d in found)
    for d in found:
        if not d.candidates:
            assert d.lossy


@pytest.mark.parametrize(
    ("original", "symbol"),
    [
        ("© 2025 EuroPython Society. All rights reserved.", "©"),
        ("Room capacity: 250 seats; temperature set to 21\xa0°C.", "°"),
        ("½ day workshop · ¼ of the seats reserved for students · 3×3 grid.", "×"),
        ("LF AI &\xa0DATA Foundation gave the opening speech.", "\xa0"),
    ],
)
def test_a_latin1_sign_read_as_gbk_is_repaired_but_never_safely(original, symbol):
    damaged = _damage(original, "gbk", "replace")
    found = find_damage(damaged)
    assert symbol in [d.candidates[0] for d in found if d.candidates]
    assert all(d.tentative and not sure(d) for d in found)
    repaired = damaged
    for d in sorted(found, key=lambda d: -d.start):
        repaired = repaired[: d.start] + d.candidates[0] + repaired[d.end :]
    assert repaired == original


@pytest.mark.parametrize(
    "original",
    ["## 🏷️ Track Information", "### 📽️ Video",
     "Prices: $10, €9, £8, ¥1,200."],
)
def test_what_big5_ignore_leaves_of_a_symbol_is_reported(original):
    damaged = _damage(original, "big5", "ignore")
    found = find_damage(damaged)
    assert found and all(d.model == "UTF-8 read as Big5" for d in found)
    assert not any(d.candidates and d.candidates[0] not in original for d in found)


def test_big5_characters_beside_replacement_characters_are_taken():
    original = "16:00–17:20 🟫 Data pipelines that don’t break at 3 a.m. · Zoë Martin"
    damaged = _damage(original, "big5", "replace")
    found = {d.damaged: d.candidates for d in find_damage(damaged)}
    assert found["繚"] == ["·"] and found["禱"] == ["ë"]
    assert found["����"] == []  # the emoji's four lost bytes join the report


def test_an_emoji_after_its_sign_stands_whatever_its_second_character():
    # 👗 is F0 9F 91 97: 馃 and 憲, an everyday character
    assert _found("## 馃憲 鐧诲囪") == [("馃憲", ["👗"])]


@pytest.mark.parametrize(
    "text",
    [
        "## 从 Kubernetes Pod 说起",  # other Chinese on the line
        "![CoreDNS 的 Plugins](https://example.com/a.png)",  # 的 is what Big5 leaves of 🪺
        "Price: 100元",  # 元 is what Big5 leaves of 🤸, but an emoji does not follow a number
        "Room 3楼",  # 楼 is ¥ read as GBK, but ¥ comes before its number
        "Python 和 Go",
        "author: \"潘潘\"",
        "2024 年 4 月 20 日，",
        "## 鈴木 Suzuki",
        "Call 鈴 bell",  # mid-line, between words
        "- 本 Book",  # an everyday character first on a line: a vocabulary list
        "## 中 China",
        "### 鈴 Diversity Grants",  # what GBK leaves of ⏳, but also a real word
        "[中](/zh/) | [EN](/en/)",  # a language switch
        "CoreDNS 的 Plugins \ufffd",  # one U+FFFD: maybe a UTF-8 decoder's, for one bad byte
    ],
)
def test_real_chinese_and_japanese_stay_clean(text):
    assert find_damage(text) == []


def test_products_come_from_symbols_only_through_their_own_family():
    assert cjk._products("gb")["漏"] == ("©",)
    assert cjk._products("big5")["穢"] == ("©",)
    assert "⚽" in cjk._products("gb")["鈿"]
    assert "漏" not in cjk._products("big5")


def test_the_message_of_a_lone_sign_says_why_it_is_only_probable():
    from talklint.checks.mojibake import Mojibake

    (d,) = find_damage("漏 2025 EuroPython Society.")
    assert Mojibake.message(d) == ("`漏` is probably mojibake for `©` (UTF-8 read as GBK); "
                                   "a lone Chinese character can also be real")
    (w,) = find_damage("See you in W眉rzburg next year.")
    assert Mojibake.message(w).endswith("Chinese between Latin letters can also be real")


def test_product_tables_list_what_ignore_and_replace_leave():
    # ⚽ is E2 9A BD: GBK keeps E2 9A (鈿) and drops or replaces BD
    assert "⚽" in cjk._products("gb")["鈿"]
    # 🤣 is F0 9F A4 A3: Big5 drops F0 and 9F and pairs A4 A3 (不)
    assert cjk._products("big5")["不"] == ("🤣",)


def test_letters_read_as_big5_inside_latin_words_are_reported():
    damaged = _damage("Résumé-driven development, Nguyễn Thị Hương 🏷️", "big5", "ignore")
    found = find_damage(damaged)
    assert [d.damaged for d in found][:2] == ["矇", "矇"]
    assert "がヾ" in "".join(d.damaged for d in found)  # ươ: two letters side by side
    # without U+FFFD nothing proves that no character vanished beside them: no repair
    assert all(d.candidates == [] for d in found)


def test_big5_products_are_repaired_only_where_u_fffd_proves_a_replace_decode():
    (d,) = find_damage("穢 2025 EuroPython Society.")
    assert d.candidates == [] and d.lossy
    found = find_damage(_damage("© 2025 EuroPython Society’s", "big5", "replace"))
    assert found[0].damaged == "穢" and found[0].candidates == ["©"] and not sure(found[0])


def test_a_letter_beside_a_sign_is_no_product():
    # 鈴 is what GBK leaves of ⏪ and 木 is ľ read as GBK, but 鈴木 is a Japanese name
    assert cjk._product_pieces("鈴木", cjk._products("gb")) is None
    assert cjk._product_pieces("聽掳", cjk._products("gb")) == ["聽", "掳"]


@pytest.mark.parametrize("original", ["## 🇨🇿 Programme", "🎽🎽 Video coming soon 🎽"])
def test_flags_and_doubled_emoji_through_big5_ignore_leave_products(original):
    damaged = _damage(original, "big5", "ignore")
    left = [c for c in damaged if not c.isascii()]
    assert left and all(c in cjk._products("big5") for c in left)
    # what they leave here is an everyday character, which alone on a line can be real text
    assert find_damage(damaged) == []
