"""CJK mojibake: UTF-8 read as GBK/GB18030, Big5, Shift-JIS, EUC-KR (talklint.mojibake.cjk).

Besides examples, this file holds a small evaluation: clean lines (SOFAStack's Chinese pages, a
traditional-character version of some of them, the seed 004 page, and lines written for these
tests in simplified and traditional Chinese, Japanese, Korean, mixed scripts and Latin) are
damaged with every model and the detector is measured. Run it as a script for the table:

    python tests/test_mojibake_cjk.py [every-nth-line]
"""

from __future__ import annotations

import codecs
import difflib
import glob
import random
import re
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from talklint.finding import Applicability
from talklint.mojibake import Damage, cjk, find_damage

DATA = Path(__file__).parent / "data" / "cjk"
ROOT = Path(__file__).parent.parent


def _lines(name: str) -> list[str]:
    text = (DATA / name).read_text(encoding="utf-8")
    return [ln for ln in text.split("\n") if ln.strip() and not ln.startswith("#")]


def _seed_lines() -> list[str]:
    (path,) = glob.glob(str(ROOT / "seeds" / "004_*.txt"))
    return [ln for ln in Path(path).read_text(encoding="utf-8").split("\n") if ln.strip()]


CLEAN = {
    "sofastack_zh": _lines("sofastack_zh.txt"),
    "sofastack_zh_hant": _lines("sofastack_zh_hant.txt"),
    "handwritten": _lines("clean_handwritten.txt"),
    "seed004": _seed_lines(),
}
ALL_CLEAN = [ln for lines in CLEAN.values() for ln in lines]


def _web_gbk(exc: UnicodeDecodeError):
    # Windows code page 936 and browsers read a lone 0x80 as the euro sign
    return ("\u20ac" if exc.object[exc.start] == 0x80 else "\ufffd"), exc.start + 1


codecs.register_error("test-cjk-web-gbk", _web_gbk)

MODELS = {
    "gbk-replace": ("gbk", "replace"),
    "gbk-ignore": ("gbk", "ignore"),
    "gbk-web": ("gbk", "test-cjk-web-gbk"),
    "gb18030-replace": ("gb18030", "replace"),
    "gb18030-ignore": ("gb18030", "ignore"),
    "big5-replace": ("big5", "replace"),
    "big5-ignore": ("big5", "ignore"),
    "shift_jis-replace": ("shift_jis", "replace"),
    "shift_jis-ignore": ("shift_jis", "ignore"),
    "cp932-replace": ("cp932", "replace"),
    "euc_kr-replace": ("euc_kr", "replace"),
    "euc_kr-ignore": ("euc_kr", "ignore"),
    "cp949-replace": ("cp949", "replace"),
}


def damage(text: str, model: str) -> str:
    codec, errors = MODELS[model]
    return text.encode("utf-8").decode(codec, errors)


def repair(text: str, found: list[Damage]) -> str:
    for d in sorted(found, key=lambda d: -d.start):
        if d.candidates:
            text = text[: d.start] + d.candidates[0] + text[d.end :]
    return text


def check_spans(text: str, found: list[Damage]) -> None:
    last = 0
    for d in found:
        assert text[d.start : d.end] == d.damaged
        assert d.start >= last and d.end > d.start
        last = d.end
        if d.verified:
            assert d.candidates


def candidate_right(orig: str, text: str, d: Damage, model: str) -> bool:
    """Is the repair of ``d`` the original of its span? True when the original can be cut as
    prefix + candidate + suffix with the prefix and suffix damaging into the text around the span."""
    c = d.candidates[0]
    i = orig.find(c)
    while i >= 0:
        if (damage(orig[:i] + c, model) == text[: d.start] + damage(c, model)
                and damage(orig[i + len(c):], model) == text[d.end:]):
            return True
        i = orig.find(c, i + 1)
    return False


def measure(lines: list[str], model: str) -> dict:
    """Per line: detected (a span found), covered (every changed character inside a span),
    exact (applying all candidates gives the original); per span: candidates and wrong ones."""
    r = dict(lines=0, detected=0, covered=0, exact=0, spans=0, candidates=0, wrong=0)
    for orig in lines:
        text = damage(orig, model)
        if text == orig:
            continue
        r["lines"] += 1
        found = cjk.find(text)
        check_spans(text, found)
        r["detected"] += bool(found)
        inside = [False] * len(text)
        for d in found:
            inside[d.start : d.end] = [True] * (d.end - d.start)
        ops = difflib.SequenceMatcher(None, orig, text, autojunk=False).get_opcodes()
        r["covered"] += bool(found) and all(all(inside[j1:j2]) for op, _, _, j1, j2 in ops if op != "equal")
        r["exact"] += repair(text, found) == orig
        for d in found:
            r["spans"] += 1
            if d.candidates:
                r["candidates"] += 1
                r["wrong"] += not candidate_right(orig, text, d, model)
    return r


# --------------------------------------------------------------------------------------------
# Examples


@pytest.mark.parametrize(
    "original, model",
    [
        ("开源六周年", "gbk-web"),
        ("演讲主题：云原生", "gb18030-replace"),
        ("欢迎报名参加", "gb18030-ignore"),
        ("Isn’t it great", "gbk-replace"),
        ("東京で開催", "cp932-replace"),
        ("カンファレンス", "shift_jis-replace"),
        ("Join us 📅 on Friday for 🎤 talks", "gbk-replace"),
    ],
)
def test_damage_is_found_and_repaired(original, model):
    text = damage(original, model)
    assert text != original
    found = cjk.find(text)
    check_spans(text, found)
    assert found
    assert repair(text, found) == original
    for d in found:
        assert d.verified and d.candidates
        assert d.model.startswith("UTF-8 read as ")


def test_brief_example():
    (d,) = cjk.find("寮€鏀炬簮")
    assert (d.start, d.end, d.candidates, d.model, d.lossy, d.verified) == (
        0, 5, ["开放源"], "UTF-8 read as GBK", False, True)
    assert d.encoding == "GBK"


def test_gb18030_only_reading_is_named():
    # 议 (E8 AE AE): AE E6 is in GBK's user-defined area, which only gb18030 maps (to U+E185)
    text = damage("协议是", "gb18030-replace")
    assert text == "鍗忚\ue185鏄\ufffd"
    first, last = cjk.find(text)
    assert (first.damaged, first.candidates, first.model, first.encoding) == (
        "鍗忚\ue185", ["协议"], "UTF-8 read as GB18030", "GB18030")
    assert last.damaged == "鏄\ufffd" and last.candidates == []


def test_korean_read_as_cp949_is_repaired_where_nothing_was_lost():
    text = damage("기여하는 방법", "cp949-replace")
    found = cjk.find(text)
    assert [(d.damaged, d.candidates) for d in found] == [
        ("湲곗뿬", ["기여"]), ("\ufffd븯\ufffd뒗", []), ("諛⑸쾿", ["방법"])]


def test_spans_are_exact_and_leave_clean_text_alone():
    clean_before, clean_after = "标题：", "。结束 ok"
    damaged = damage("开放源码", "gbk-web")
    text = clean_before + damaged + " " + clean_after
    found = cjk.find(text)
    check_spans(text, found)
    assert found
    assert found[0].start >= len(clean_before)
    assert found[-1].end <= len(clean_before) + len(damaged)
    assert "".join(d.damaged for d in found) == damaged


def test_merged_ascii_letter_is_part_of_the_span():
    # 、 is E3 80 81; the next byte 'S' became the trail of a GBK pair: 銆丼 = 、S
    text = damage("开源社区、SOFAStack", "gbk-web")
    (d,) = cjk.find(text)
    assert d.damaged == "寮€婧愮ぞ鍖恒€丼" and d.candidates == ["开源社区、S"]
    assert text[d.end :] == "OFAStack"


def test_lost_byte_at_the_end_is_reported_without_a_guess():
    # 为 = E4 B8 BA: the lone BA before a space cannot be decoded; 64 characters could be meant
    text = damage("为 HTNN 增加 AI 内容安全插件", "gbk-replace")
    found = cjk.find(text)
    assert found and found[0].damaged == "涓\ufffd"
    assert found[0].candidates == [] and found[0].lossy and found[0].loss == "U+FFFD"
    assert any("partial repair" in n for n in found[0].notes)


def test_lossy_span_is_cut_where_the_readable_part_ends():
    text = damage("开放源码技术", "gbk-replace")  # 寮�鏀炬簮鐮佹妧鏈�
    found = cjk.find(text)
    check_spans(text, found)
    assert "".join(d.damaged for d in found) == text
    assert any(d.candidates == ["放源码技"] and d.verified for d in found)
    assert not any(d.candidates and "\ufffd" in d.damaged for d in found if not d.verified)


def test_big5_damage_is_found_without_guessing():
    text = damage("本次大会将于 2024 年 10 月 18 日在上海世博中心举行，欢迎报名参加。", "big5-replace")
    found = cjk.find(text)
    check_spans(text, found)
    assert found and all(d.model == "UTF-8 read as Big5" for d in found)
    assert repair(text, found) != text or all(not d.candidates for d in found)


def test_ignore_mode_big5_never_gets_a_repair():
    # whole characters vanish through Big5 with errors="ignore": '瘙湔隅撟港遢' reads as 汴涨年份
    # and re-damages exactly, but the original was 需求暴涨的年份
    text = damage("也是推理需求暴涨的年份。", "big5-ignore")
    assert all(not d.candidates for d in cjk.find(text))


def test_latin_text_read_as_gbk_and_shift_jis():
    text = damage("José Valim, Zoë Kravitz and Renée Müller", "gbk-replace")
    assert repair(text, cjk.find(text)) == "José Valim, Zoë Kravitz and Renée Müller"
    assert repair("Cafﾃｩ au lait, ﾃｩtﾃｩ", cjk.find("Cafﾃｩ au lait, ﾃｩtﾃｩ")) == "Café au lait, été"


@pytest.mark.parametrize(
    "text, model",
    [
        ("锟斤拷锟斤拷", "U+FFFD (EF BF BD) read as GBK"),
        ("buffer: 烫烫烫烫烫烫", "uninitialised memory (0xCC bytes, MSVC) read as GBK"),
        ("屯屯屯屯", "uninitialised memory (0xCD bytes, MSVC) read as GBK"),
        ("Itï¿½s", "U+FFFD (EF BF BD) read as Windows-1252"),
    ],
)
def test_signatures(text, model):
    found = cjk.find(text)
    assert [d.model for d in found] == [model]
    assert found[0].candidates == [] and found[0].lossy
    check_spans(text, found)


def test_a_word_with_one_such_character_is_not_a_signature():
    assert cjk.find("烫发和屯田都是词") == []


def test_quick_exit():
    assert cjk.find("") == []
    assert cjk.find("plain ASCII text " * 100) == []
    assert cjk.find("Café – “quoted” — naïve ✓ 😀") == []


# --------------------------------------------------------------------------------------------
# Evidence a single damaged character can carry


@pytest.mark.parametrize(
    "original, damaged",
    [
        ("## 🎤 Speakers", "馃帳"),  # a whole emoji: F0 9F is 馃, which no text uses
        ("🛜 Free Wi-Fi in every room", "馃洔"),  # newer than Python's Unicode database
        ("🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f Scotland",
         "馃彺鬆仹鬆仮鬆伋鬆仯鬆伌鬆伩"),  # a flag made of tag characters
        ("▶️ Watch the recording", "鈻讹笍"),  # a symbol and U+FE0F
        ("The venue is in Würzburg.", "眉"),  # a letter inside a Latin word
    ],
)
def test_one_damaged_character_can_be_enough(original, damaged):
    for model in ("gbk-replace", "gbk-ignore"):
        text = damage(original, model)
        (d,) = cjk.find(text)
        assert d.damaged == damaged and d.verified
        assert repair(text, [d]) == original


@pytest.mark.parametrize(
    "original, sign",
    [
        ("Named one of Forbes’ 50 leading women.", "鈥"),  # E2 80 of ’; 99 went with the space
        ("10:30–11:00 keynote", "鈥"),
        ("### 🤝 Partners", "馃"),  # F0 9F of 🤝; A4 9D dropped
    ],
)
def test_what_ignore_left_of_a_symbol_is_found_without_a_repair(original, sign):
    text = damage(original, "gbk-ignore")
    (d,) = cjk.find(text)
    assert (d.damaged, d.candidates, d.lossy, d.model) == (sign, [], True, "UTF-8 read as GBK")
    assert text[d.start : d.end] == sign


def test_signs_are_no_characters_of_real_text():
    level1, _ = cjk._common_sets()
    gb2312 = cjk._charset_rows("gb2312", (0xA1, 0xF7), (0xA1, 0xFE))
    for key in ("gb", "big5", "sjis", "euckr"):
        assert not cjk._signs(key) & (level1 | gb2312)
    assert {"鈥", "馃"} <= cjk._signs("gb")
    # 刺猬, 烹饪, 大夥, 鉅額 are words: their E2 xx characters are not signs
    assert not set("猬饪夥鉅") & cjk._signs("gb")
    assert cjk.find("烹饪 class, 刺猬 (hedgehog), 大夥 ok, 鉅額 2024") == []


def test_a_letter_inside_a_word_needs_a_line_without_chinese():
    (d,) = cjk.find("Ask José in Montr茅al")
    assert d.candidates == ["é"]
    # with Chinese around it, an ideograph between letters can be a word ("no bugs")
    assert cjk.find("这个api没bug") == []
    # kana between words are particles
    assert cjk.find("XMLかJSONかを選ぶ") == []


@pytest.mark.parametrize("text", ["Python没Go", "| API没Bug | yes |", "## Java木Go", "Java默默Go", "W眉rzburg", "Gr眉脽e"])
def test_one_ideograph_inside_a_latin_word_is_reported_but_never_safely(text):
    # UTF-8 read as GBK (没 is C3 BB, û) or mixed Chinese and English: the span is reported
    # with its repair, but the fix waits for a person
    (d,) = cjk.find(text)
    assert d.verified and len(d.candidates) == 1 and d.tentative
    (f,) = _tl102(text)
    assert f.fix is not None and f.fix.applicability == Applicability.UNSAFE
    assert "probably mojibake" in f.message


@pytest.mark.parametrize(
    "text",
    [
        "Montr茅al and W眉rzburg",  # two damaged letters on one line
        "Conference in W眉rzburg\n\nWürzburg is in Bavaria.",  # the repaired word elsewhere
        "It鈥檚 in W眉rzburg",  # an apostrophe read as GBK on the same line
    ],
)
def test_one_ideograph_inside_a_word_with_independent_evidence_is_safe(text):
    found = find_damage(text)
    assert found and not any(d.tentative for d in found)
    fixes = [f.fix for f in _tl102(text)]
    assert fixes and all(x is not None and x.applicability == Applicability.SAFE for x in fixes)


def test_the_same_damaged_word_twice_is_no_evidence():
    # a clean page can repeat its mixed text; only the repaired word written elsewhere counts
    text = "Python没Go\n\nPython没Go\n"
    found = find_damage(text)
    assert len(found) == 2 and all(d.tentative for d in found)
    # a word that a sure repair elsewhere writes is evidence, so that fixing is done in one go
    text = "It鈥檚 in W眉rzburg.\n\nConference in W眉rzburg\n"
    assert [d.tentative for d in find_damage(text)] == [False, False, False]
    assert [d.tentative for d in find_damage(text.split("\n\n")[1])] == [True]


@pytest.mark.parametrize(
    "text",
    ["用Python没Go快", "这个api没bug", "| Python | 没有 |", "iPhone没电了", "A股和B股", "牛X", "GitHub女性开发者",
     "| K8s | 每周 |", "AI女Coder大会", "Rust没有GC", "KOL女王", "B站UP主", "卡拉OK之夜", "T恤 and Q版"],
)
def test_mixed_chinese_and_latin_is_clean(text):
    assert cjk.find(text) == []
    assert _tl102(text) == []


def test_a_span_that_lost_bytes_says_so_in_its_message():
    text = damage("会议时间：上午 today", "gbk-ignore")
    f, _, _ = _tl102(text)
    assert text[:2] == "浼氳" and f.fix is None  # 会 and the first byte of 议 left
    assert f.message.endswith("the lost bytes cannot be rebuilt") and "plausible" not in f.message


def test_the_span_oracle_knows_double_byte_code_pages():
    import oracle

    assert oracle._cjk_damages_to("开放源代码", "寮€鏀炬簮浠ｇ爜", "")  # code page 936's euro
    assert oracle._cjk_damages_to("京大", "鈭砍之", "")  # Big5
    assert oracle._cjk_damages_to("🎤", "馃帳", " ")
    assert not oracle._cjk_damages_to("开放源代", "寮€鏀炬簮浠ｇ爜", "")
    assert not oracle._cjk_damages_to("京", "鈭砍之", "")
    assert oracle._could_lead("寮") and oracle._could_lead("\ufffd") and not oracle._could_lead("、")
    assert oracle._big5_residue(damage("开放源码人工智能经济学正在驱动创新速度越来越快", "big5-ignore")[2:12])
    assert not oracle._big5_residue("开放源码人工智能")

def _tl102(text: str):
    from talklint.engine import Linter, Overrides

    return Linter(overrides=Overrides(select=["TL102"])).lint_text(text + "\n", "page.md")


def test_big5_letter_inside_a_word_is_found_without_a_guess():
    text = damage("A conférence on open source.", "big5-ignore")
    (d,) = cjk.find(text)
    assert (d.damaged, d.candidates, d.model) == ("矇", [], "UTF-8 read as Big5")


@pytest.mark.parametrize(
    "original",
    ["Мария Соколова выступит с докладом", "ברוכים הבאים לכנס הקוד הפתוח!", "مرحبا بكم في المؤتمر"],
)
def test_words_of_other_alphabets_read_as_gbk_are_repaired(original):
    for model in ("gbk-replace", "gbk-ignore"):
        text = damage(original, model)
        found = cjk.find(text)
        check_spans(text, found)
        assert repair(text, found) == original


def test_big5_emoji_that_lost_f0_and_9f():
    text = damage("## 🥢 Chopsticks", "big5-replace")
    assert text == "## \ufffd\ufffd失 Chopsticks"
    (d,) = cjk.find(text)
    assert (d.damaged, d.candidates, d.model) == ("\ufffd\ufffd失", [], "UTF-8 read as Big5")
    # GBK and Shift-JIS decode F0 9F (or 9F 8x): the same shape is no emoji of theirs
    assert cjk._lost_lead_groups([cjk._W, cjk._W, 0xA5, 0xA2], "gb") == 0.0
    assert cjk._lost_lead_groups([cjk._W, cjk._W, 0xA5, 0xA2], "big5") == 2.0


def test_big5_ignore_residue_of_chinese_is_found_without_a_repair():
    text = damage("开放源码人工智能经济学正在驱动创新速度越来越快", "big5-ignore")
    found = cjk.find(text)
    check_spans(text, found)
    (d,) = found
    assert (d.candidates, d.model, d.loss, d.lossy) == ([], "UTF-8 read as Big5", "dropped", True)
    assert len(d.damaged) >= cjk._RESIDUE_RUN


def test_big5_residue_rows_in_clean_text_are_not_taken():
    # clean text has rows of such characters too: the share of rare ideographs tells them apart
    rows = [ln for ln in ALL_CLEAN if cjk._RESIDUE_ROW.search(ln.translate(cjk._residue_table()))]
    assert len(rows) > 5
    assert [ln for ln in rows if cjk._big5_residue(ln)] == []


@pytest.mark.parametrize(
    "original",
    ["社區活動", "講者介紹", "開源軟體", "大會議程表", "工作坊報名"],
)
def test_what_big5_ignore_leaves_of_a_short_word_is_found_without_a_repair(original):
    damaged = damage(original, "big5-ignore")
    assert len(damaged) < cjk._RESIDUE_RUN  # too short for the residue rows
    text = f"## {damaged} 2025"
    found = cjk.find(text)
    check_spans(text, found)
    (d,) = found
    assert (d.damaged, d.candidates, d.model, d.loss, d.lossy) == (damaged, [], "UTF-8 read as Big5", "dropped", True)


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), min_size=1, max_size=16))
def test_big5_ignore_leaves_a_chain_of_any_run_of_ideographs(text):
    # the shape _big5_chains looks for is exactly what the decoder can leave of 3-byte characters
    damaged = damage(text, "big5-ignore")
    assert damaged == "" or cjk._CHAIN.fullmatch(damaged.translate(cjk._chain_table()))


TRADITIONAL = [
    "歡迎參加今年的開源大會，議程與講者介紹請見下方。",
    "會場：臺北國際會議中心（信義區）",
    "講者：潘潘、陳怡君、林志豪",
    "其中有三場工作坊，原有的報名連結已更新。",
    "本屆大會由社區志工籌辦，感謝各位贊助夥伴的支持！",
    "機器學習與資料科學專題",
]


@pytest.mark.parametrize("line", TRADITIONAL)
def test_traditional_chinese_is_no_big5_chain(line):
    assert cjk.find(line) == []
    assert cjk._big5_chains([line], [0]) == []


def test_big5_chains_in_clean_tokens_are_not_taken():
    # some short words of clean text are chains (其中, 潘潘): the length and rare-ideograph bounds
    # keep them out
    table = cjk._chain_table()
    tokens = [m.group() for ln in ALL_CLEAN + TRADITIONAL for m in re.finditer("[^\x00-\x7f]+", ln)]
    assert [t for t in tokens if cjk._CHAIN.fullmatch(t.translate(table))]
    assert [t for t in tokens if cjk._big5_chains([t], [0])] == []


def test_chain_table_matches_its_definition():
    def kind(ch: str) -> str:
        try:
            b1, b2 = ch.encode("big5")
        except (UnicodeEncodeError, ValueError):
            return "X"
        cont = lambda b: 0xA1 <= b <= 0xBF  # noqa: E731
        if 0xE0 <= b1 <= 0xEF and b1 != 0xED and cont(b2):
            return "A"
        if cont(b1) and cont(b2):
            return "B"
        if cont(b1) and 0xE0 <= b2 <= 0xEF:
            return "C"
        return "X"

    table = cjk._chain_table()
    assert all(kind(chr(c)) == table[c] for c in range(0x80, 0x10000) if not 0xD800 <= c < 0xE000)


@pytest.mark.parametrize(
    "text, correct",
    [
        # what a first fix pass leaves: repaired text next to damage that lost bytes
        ("“分布式系统涓\ufffd的一", "系统"),  # 系统 is CF B5 CD B3: ϵͳ as UTF-8
        ("銈ープンソース銇у嬨倎", "ー"),  # 銈 (E3 82) and ー (A9 60) spell ォ`
    ],
)
def test_repaired_text_next_to_lost_bytes_is_left_alone(text, correct):
    found = cjk.find(text)
    check_spans(text, found)
    start = text.index(correct)
    assert not any(d.start < start + len(correct) and start < d.end for d in found)


# --------------------------------------------------------------------------------------------
# The fast paths agree with the plain definitions

_REF_M = rb"(?:[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}|[\xc3-\xc5\xce-\xd1\xd7-\xdb][\x80-\xbf])"
_REF_SEED = re.compile(_REF_M + rb"(?:" + _REF_M + rb"|[\x40-\x7e])|\xf0\x9f[\x80-\xbf]{2}|\xff")
_REF_SHORT_SEED = re.compile(rb"[\xc2-\xf4][\x80-\xbf]|\xff")


def _token_bytes(token: str, key: str) -> tuple[bytes, list[int]]:
    """The token's bytes (first byte option; U+FFFD as FF, no option or outside the BMP as
    00), and the token index of every byte."""
    rev = cjk._family(key).rev
    data, char_at = b"", []
    for i, ch in enumerate(token):
        if ch == "\ufffd":
            bs = b"\xff"
        elif ch in rev and ord(ch) < 0x10000:
            bs = rev[ch][0]
        else:
            bs = b"\x00"
        data += bs
        char_at += [i] * len(bs)
    return data, char_at


def _reference_windows(token: str, key: str) -> bytearray | None:
    """The seed windows computed over the token's bytes (first byte option), byte by byte."""
    data, char_at = _token_bytes(token, key)
    seeds = list(_REF_SEED.finditer(data))
    if not seeds:
        return None
    starts = bytearray(len(token))
    for m in seeds:
        lo = max(0, char_at[m.start()] - cjk._BEFORE_SEED)
        hi = char_at[m.end() - 1]
        starts[lo : hi + 1] = b"\x01" * (hi + 1 - lo)
    return starts


def _reference_plan(tokens: list[str]) -> dict:
    """cjk._screen token by token: short tokens need a UTF-8 lead and continuation byte, longer
    ones a seed, and parses start near one."""
    plans = {}
    for i, token in enumerate(tokens):
        plan = []
        for key in ("gb", "big5", "sjis", "euckr"):
            if len(token) <= cjk._SHORT:
                if _REF_SHORT_SEED.search(_token_bytes(token, key)[0]):
                    plan.append((key, None))
            elif (windows := _reference_windows(token, key)) is not None:
                plan.append((key, windows))
        if plan:
            plans[i] = plan
    return plans


def _reference_verify(fam, original: str, damaged: str, ctx: str) -> list:
    out = []
    for v in fam.variants:
        for mode in ("replace", "ignore"):
            errors = f"talklint-cjk-euro-{mode}" if v.euro else mode
            if (original + ctx).encode("utf-8").decode(v.codec, errors) == damaged + ctx:
                out.append((v, mode))
    return out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(ALL_CLEAN), st.sampled_from(sorted(MODELS)), st.data())
def test_screen_and_verify_match_their_definitions(line, model, data):
    text = damage(line, model) + " " + line
    tokens = cjk._TOKEN.findall(text)
    assert cjk._screen(tokens) == _reference_plan(tokens)
    i = data.draw(st.integers(0, max(0, len(line) - 1)))
    original = line[i : i + data.draw(st.integers(1, 6))]
    for key in ("gb", "big5", "sjis", "euckr"):
        fam = cjk._family(key)
        for ctx in ("", " "):
            assert cjk._verify(fam, original, damage(original, model), ctx) == \
                _reference_verify(fam, original, damage(original, model), ctx)


def _reference_rev(key: str) -> dict[str, tuple[bytes, ...]]:
    """char -> byte options, decoding every code of every codec of the family one by one."""
    fam = cjk._BY_KEY[key]
    rev: dict[str, list[bytes]] = {}
    for codec in fam.codecs:
        codes = []
        for b in range(0x80, 0x100):
            try:
                codes.append((bytes([b]), bytes([b]).decode(codec)))
            except UnicodeDecodeError:
                pass
        single = {c[0] for c, _ in codes}
        for lead in range(0x81, 0xFF):
            if lead in single:
                continue
            for t in range(0x40, 0xFF):
                ch = bytes([lead, t]).decode(codec, "replace")
                if len(ch) == 1 and ch != "\ufffd":
                    codes.append((bytes([lead, t]), ch))
        for bs, ch in codes:
            if bs not in rev.setdefault(ch, []):
                rev[ch].append(bs)
    for ch, opts in fam.extra.items():
        for bs in opts:
            if bs not in rev.setdefault(ch, []):
                rev[ch].insert(0, bs)
    rev.pop("\ufffd", None)
    return {ch: tuple(v) for ch, v in rev.items()}


@pytest.mark.parametrize("key", ["gb", "big5", "sjis", "euckr"])
def test_compact_tables_match_their_definitions(key):
    ref = _reference_rev(key)
    rev = cjk._family(key).rev
    assert dict(rev.items()) == ref
    assert len(rev) == len(ref)
    assert all(rev[ch] == opts and rev.memo[ch] == opts for ch, opts in list(ref.items())[::97])
    assert "a" not in rev and rev.get("a") is None and rev.memo["a"] == ()
    # bytes a codec fails on before a given byte: every two-byte code decoded on its own
    for nxt in [None, 0x20, 0x40, 0x7E, 0x80, 0xA1, 0xBF, 0xFE, 0xFF]:
        lost = set()
        for codec in cjk._BY_KEY[key].codecs:
            for b in range(0x80, 0x100):
                try:
                    bytes([b]).decode(codec)
                    continue
                except UnicodeDecodeError:
                    pass
                pair = bytes([b, nxt]).decode(codec, "replace") if nxt is not None else ""
                if nxt is None or nxt < 0x40 or nxt == 0xFF or not 0x81 <= b <= 0xFE \
                        or len(pair) != 1 or pair == "\ufffd":
                    lost.add(b)
        assert cjk._lost_bytes(key, nxt) == lost


def test_signs_and_residue_table_match_their_definitions():
    level1, _ = cjk._common_sets()
    gb2312 = cjk._charset_rows("gb2312", (0xA1, 0xF7), (0xA1, 0xFE))
    for key in ("gb", "big5", "sjis", "euckr"):
        signs = {ch for ch, opts in cjk._family(key).rev.items()
                 if not (ch in level1 or ch in gb2312 or cjk._ordinary(ch) >= 1.0)
                 and any(len(o) == 2 and ((o[0] == 0xE2 and 0x80 <= o[1] <= 0xA0) or o == b"\xf0\x9f") for o in opts)}
        assert cjk._signs(key) == signs

    def adjacent(b1: int, b2: int) -> bool:
        if cjk._seq_len(b1) >= 2:
            return 0x80 <= b2 <= 0xBF and (cjk._seq_len(b1) == 2 or cjk._second_ok(b1, b2))
        return 0x80 <= b1 <= 0xBF and (0x80 <= b2 <= 0xBF or cjk._seq_len(b2) >= 2)

    table = ["0"] * 0x10000
    for ch, opts in cjk._family("big5").rev.items():
        if ord(ch) < 0x10000 and any(len(o) == 2 and adjacent(o[0], o[1]) for o in opts):
            table[ord(ch)] = "2" if cjk._category(ch) in (cjk._HAN2, cjk._HANX) else "1"
    assert cjk._residue_table() == "".join(table)


def test_level_table_matches_the_sets():
    level1, level2 = cjk._common_sets()
    everyday = cjk._everyday()
    assert everyday <= level1 and not level1 & level2
    levels = cjk._levels()
    for ch in sorted(level1 | level2)[::7] + [chr(o) for o in range(0x3000, 0xFFFF, 13)]:
        if ch in level1 or ch in level2:
            assert levels[ord(ch)] == ("e" if ch in everyday else "1" if ch in level1 else "2")
        else:
            assert levels[ord(ch)] == "0"
        if 0x4E00 <= ord(ch) <= 0x9FFF:
            assert cjk._category(ch) == (cjk._HAN1 if ch in level1 else cjk._HAN2 if ch in level2
                                         else cjk._HANX if cjk.unicodedata.category(ch) == "Lo" else cjk._BAD)
            assert cjk._ordinary(ch) == (1.0 if ch in everyday else 0.4 if ch in level1 | level2 else 0.0)
        if 0xAC00 <= ord(ch) <= 0xD7A3:
            assert cjk._category(ch) == (cjk._HANGUL if ch in level1 else cjk._HAN2)


def _leads(option: bytes) -> bool:
    return 0xC2 <= option[0] <= 0xF4


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(ALL_CLEAN), st.sampled_from(sorted(MODELS)))
def test_no_parse_starts_where_the_start_mask_says_no(line, model):
    """The start mask leaves out characters with a lead byte whose second byte cannot follow it:
    a parse from there finds nothing, on damaged text and on clean text alike."""
    for text in (damage(line, model), line):
        for token in cjk._TOKEN.findall(text):
            for key in ("gb", "big5", "sjis", "euckr"):
                rev = cjk._family(key).rev
                items = [None if ch == "\ufffd" else rev.get(ch, ()) for ch in token]
                mask = cjk._start_mask(token, key)
                for k, ch in enumerate(token):
                    if mask[k]:
                        continue
                    assert ch != "\ufffd"
                    if items[k] and any(_leads(o) for o in items[k]):
                        j = k
                        while j < len(token) and items[j] != ():
                            j += 1
                        assert cjk._parse(items, k, j, j == len(token)) == []


def test_start_mask_outside_the_bmp():
    rev = cjk._family("big5").rev
    astral = [ch for ch, opts in rev.extra.items() if ord(ch) >= 0x10000]
    assert astral
    for ch in astral[:50]:
        expect = any(_leads(o) and (len(o) == 1 or cjk._second_ok(o[0], o[1]) and 0x80 <= o[1] <= 0xBF)
                     for o in rev[ch])
        assert cjk._start_mask("\ufffd" + ch + "a", "big5") == b"\x01" + bytes([expect]) + b"\x00"


def test_a_page_without_cjk_builds_no_cjk_table():
    import subprocess

    code = ("from talklint.mojibake import find_damage, cjk\n"
            "find_damage('Itâ€™s a café, naïve — 📅 Ünïcödé ÷ ½')\n"
            "print(all(f.rev is None for f in cjk._FAMILIES), cjk._screen_table.cache_info().currsize)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["True", "0"]


# --------------------------------------------------------------------------------------------
# Clean text stays clean


@pytest.mark.parametrize("name", sorted(CLEAN))
def test_clean_lines_give_nothing(name):
    flagged = [(ln, cjk.find(ln)) for ln in CLEAN[name]]
    assert [f for f in flagged if f[1]] == []


def test_clean_pages_give_nothing_as_one_text():
    for name, lines in CLEAN.items():
        assert cjk.find("\n".join(lines)) == [], name


def test_seed_004_with_its_stray_expect_is_clean():
    (path,) = glob.glob(str(ROOT / "seeds" / "004_*.txt"))
    text = Path(path).read_text(encoding="utf-8")
    assert ".expect到" in text
    assert cjk.find(text) == []


# --------------------------------------------------------------------------------------------
# The evaluation (a sample of the lines, to keep the suite quick)

# lower bounds a little under what the full run measures (see the module docstring)
DETECTION_AT_LEAST = {
    "gbk-replace": 0.98, "gbk-web": 0.98, "gb18030-replace": 0.98, "gb18030-ignore": 0.97,
    "gbk-ignore": 0.95, "shift_jis-replace": 0.97, "cp932-replace": 0.97, "shift_jis-ignore": 0.88,
    "big5-replace": 0.97, "euc_kr-replace": 0.97, "cp949-replace": 0.97,
    "big5-ignore": 0.85, "euc_kr-ignore": 0.0,
}
SAMPLE = ALL_CLEAN[::5]


@pytest.mark.parametrize("model", sorted(MODELS))
def test_measured_detection_and_no_wrong_repair(model):
    r = measure(SAMPLE, model)
    assert r["lines"] > 100
    assert r["wrong"] == 0, r
    assert r["detected"] / r["lines"] >= DETECTION_AT_LEAST[model], r


def test_lossless_gbk_damage_is_repaired_exactly():
    # lines the web/Windows GBK decode damaged without losing a byte: nothing to guess
    done = total = 0
    for orig in ALL_CLEAN[::2]:
        text = damage(orig, "gbk-web")
        if text == orig or "\ufffd" in text:
            continue
        total += 1
        done += repair(text, cjk.find(text)) == orig
    assert total > 60 and done / total >= 0.85


# --------------------------------------------------------------------------------------------
# Properties


def _no_start_alphabet() -> list[str]:
    """Characters whose bytes in no supported code page hold a UTF-8 lead byte: nothing built
    from them (and ASCII) can be UTF-8 read through those code pages."""
    out = []
    for o in list(range(0x3000, 0x3100)) + list(range(0x4E00, 0xA000, 7)) + list(range(0xAC00, 0xD7A4, 11)) \
            + list(range(0xFF01, 0xFF5F)):
        ch = chr(o)
        if ch in "锟烫屯" or any(cjk._start_mask(ch, k) == b"\x01" for k in ("gb", "big5", "sjis", "euckr")):
            continue
        if any(any(b >= 0xC0 for o_ in cjk._family(k).rev.get(ch, ()) for b in o_)
               for k in ("gb", "big5", "sjis", "euckr")):
            continue
        out.append(ch)
    return out


NO_START = _no_start_alphabet()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from(NO_START + list(" abcXYZ019,.:()")), max_size=60))
def test_text_that_cannot_be_gbk_read_utf8_gives_nothing(text):
    """Characters whose code-page bytes hold no UTF-8 lead byte cannot begin a damaged span."""
    assert cjk.find(text) == []


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(ALL_CLEAN), min_size=1, max_size=4), st.sampled_from(["", " ", "\n", "，"]))
def test_real_clean_lines_joined_give_nothing(lines, sep):
    """Real clean lines, joined in any order, stay clean. (Random strings of CJK characters are
    not asserted on: a random string can be mojibake by accident, e.g. 寮€ is 开 read as GBK.)"""
    assert cjk.find(sep.join(lines)) == []


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(ALL_CLEAN), st.sampled_from(sorted(MODELS)))
def test_every_candidate_is_the_original(line, model):
    """Whatever is damaged, a repair offered is the original of its span, and verified."""
    text = damage(line, model)
    found = cjk.find(text)
    check_spans(text, found)
    for d in found:
        if d.candidates:
            assert d.verified
            assert candidate_right(line, text, d, model), (line, d)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_any_text_gives_well_formed_spans(text):
    check_spans(text, cjk.find(text))


def _token_spans_unshortened(token: str, t0: int, text: str, plan) -> list:
    """_token_spans with the _Lone shortcut switched off: every start is parsed and scored."""
    saved = dict(cjk._LONE)
    try:
        for key in saved:
            cjk._LONE[key] = {ch: 0 for ch in token}
        return cjk._token_spans(token, t0, text, plan)
    finally:
        cjk._LONE.update(saved)


def _span_facts(spans: list) -> list:
    return [(s.key, s.start, s.end, s.score, s.chars, s.weak, s.alts, s.open_end, s.cjk, s.tentative) for s in spans]


@pytest.mark.parametrize("key", ["gb", "big5", "sjis", "euckr"])
def test_lone_two_byte_characters_are_skipped_only_where_parsing_finds_nothing(key):
    """Exhaustive over every character whose only code is one complete two-byte UTF-8
    character: alone, first, last and inside a token, beside a character that cannot go on
    (with a code, and with none) and beside one that can, with ASCII letters around the token
    and without, the shortcut finds exactly the spans that parsing every start finds."""
    rev = cjk._family(key).rev
    lone = [ch for ch, opts in rev.items()
            if len(opts) == 1 and len(opts[0]) == 2 and cjk._seq_len(opts[0][0]) == 2 and 0x80 <= opts[0][1] <= 0xBF]
    assert len(lone) > 500 or key == "sjis"  # Shift-JIS: C2-DF are half-width katakana, one byte
    stop = next(ch for ch in "的中文。" if rev.get(ch) and cjk._start_mask(ch, key) == b"\x00")
    go = lone[0] if lone else stop
    skipped = 0
    for ch in lone:
        for token in (ch, ch + stop, stop + ch, stop + ch + stop, "\u0e01" + ch + "\u0e01", ch + go, stop + ch + go):
            for text, t0 in ((token, 0), ("a" + token + "b", 1)):
                plan = [(key, None)]
                got = cjk._token_spans(token, t0, text, plan)
                assert _span_facts(got) == _span_facts(_token_spans_unshortened(token, t0, text, plan)), (ch, token)
        skipped += cjk._LONE[key][ch] > 0
    assert skipped >= len(lone) // 4  # the shortcut is taken for many of them


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(ALL_CLEAN), st.sampled_from(sorted(MODELS)))
def test_lone_shortcut_finds_what_parsing_every_start_finds(line, model):
    """On damaged and clean lines, the spans of every planned token are those found by parsing
    every start."""
    text = damage(line, model) + " " + line
    tokens, at = [], []
    for m in cjk._TOKEN.finditer(text):
        tokens.append(m.group())
        at.append(m.start())
    for i, plan in cjk._screen(tokens).items():
        got = cjk._token_spans(tokens[i], at[i], text, plan)
        assert _span_facts(got) == _span_facts(_token_spans_unshortened(tokens[i], at[i], text, plan))


# --------------------------------------------------------------------------------------------


def main(argv: list[str]) -> None:
    import time

    step = int(argv[1]) if len(argv) > 1 else 1
    lines = ALL_CLEAN[::step]
    print(f"{len(lines)} clean lines ({', '.join(f'{k} {len(v)}' for k, v in CLEAN.items())}), every {step}th")
    t = time.process_time()
    flagged = sum(bool(cjk.find(ln)) for ln in lines)
    dt = time.process_time() - t
    chars = sum(map(len, lines))
    print(f"clean lines flagged: {flagged}/{len(lines)}   ({chars / dt / 1e6:.2f} M characters/s)")
    print(f"{'model':18s} {'lines':>5s} {'detected':>9s} {'covered':>8s} {'exact':>7s} {'wrong':>5s}  candidates/spans")
    for model in MODELS:
        r = measure(lines, model)
        n = r["lines"]
        print(f"{model:18s} {n:5d} {r['detected'] / n:9.1%} {r['covered'] / n:8.1%} {r['exact'] / n:7.1%}"
              f" {r['wrong']:5d}  {r['candidates']}/{r['spans']}")


if __name__ == "__main__":
    main(sys.argv)

