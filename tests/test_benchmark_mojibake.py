"""The mojibake benchmark's harness works: its damage models damage, its metrics count right, and its
batching maps findings and fixes back to the right lines. (The benchmark itself is not run here.)"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

from talklint.finding import Applicability, Fix
from talklint.registry import Registry
from talklint.rule import Rule

ROOT = Path(__file__).resolve().parent.parent


def _load():
    spec = importlib.util.spec_from_file_location("bench_mojibake", ROOT / "benchmarks" / "mojibake.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses need the module registered
    spec.loader.exec_module(mod)
    return mod


bm = _load()

LINE = "Zoë’s talk — 👩‍💼 Çağrı Yılmaz, İstanbul 🎤 北京大学 会议"


@pytest.mark.parametrize("model", bm.MODELS, ids=lambda m: m.name)
def test_every_model_damages_non_ascii_text(model):
    damaged = model.damage(LINE)
    assert damaged != LINE
    assert bm.damage_all([LINE, "plain ASCII line"], model) == [(LINE, damaged)]
    segs = model.segments(LINE)
    assert "".join(o for o, _ in segs) == LINE and "".join(d for _, d in segs) == damaged


def test_known_damages():
    assert bm.MODEL_BY_NAME["w1252"].damage("It’s") == "Itâ€™s"
    assert bm.MODEL_BY_NAME["w1254-drop"].damage("🎤 Host") == "ğŸ¤ Host"  # 0x8E dropped
    assert bm.MODEL_BY_NAME["w1254-drop"].damage("👩‍💼") == "ğŸ‘©â€ğŸ’¼"
    assert bm.MODEL_BY_NAME["w1252-qmark"].damage("🌐") == "ðŸŒ?"
    assert bm.MODEL_BY_NAME["w1252-fffd"].damage("🌐") == "ðŸŒ\ufffd"
    assert bm.MODEL_BY_NAME["double-w1252"].damage("é") == "ÃƒÂ©"
    assert bm.MODEL_BY_NAME["gbk-web"].damage("开放源码") == "寮€鏀炬簮鐮\ufffd"
    assert bm.MODEL_BY_NAME["gbk-replace"].damage("开放源码") == "寮\ufffd鏀炬簮鐮\ufffd"
    assert bm.MODEL_BY_NAME["gbk-ignore"].damage("开放源码") == "寮鏀炬簮鐮"
    mixed = bm.MODEL_BY_NAME["mixed-1254-1252"].damage("🎤 and 🎤")
    assert mixed == "ğŸ¤ and ðŸŽ¤"
    partial = bm.MODEL_BY_NAME["partial-w1252"].damage("Zoë and Zoë")
    assert partial == "ZoÃ« and Zoë"


def test_classify_counts_a_wrong_repair_as_wrong():
    assert bm.classify("Café", "CafÃ©", "Café") == bm.EXACT
    assert bm.classify("Café", "CafÃ©", "CafÃ©") == bm.UNCHANGED
    assert bm.classify("Café", "CafÃ©", "Cafe") == bm.WRONG
    r = bm.LineResult("Café", "CafÃ©", True, True, False, [], "CafÃ©", "Cafe", "Cafe", "Café")
    t = bm.tally([r])
    assert t.pct("tl_unsafe:wrong") == 100.0 and t.pct("tl_safe:wrong") == 0.0
    assert t.pct("ftfy_default:wrong") == 100.0 and t.pct("ftfy_conservative:exact") == 100.0
    assert [kind for kind, _ in bm.failures([r], 5)] == ["wrong unsafe fix"]


def test_a_partial_repair_is_not_a_wrong_one():
    model = bm.MODEL_BY_NAME["w1254-drop"]
    original = "🎤 It’s Zoë’s talk"
    damaged = model.damage(original)
    assert damaged == "ğŸ¤ Itâ€™s ZoÃ«â€™s talk"
    segs = model.segments(original)
    assert bm.classify(original, damaged, "ğŸ¤ It’s Zoë’s talk", segs) == bm.PARTIAL
    assert bm.classify(original, damaged, "🐤 It’s Zoë’s talk", segs) == bm.WRONG
    assert bm.classify(original, damaged, "ğŸ¤ It’s Zoë’s talk", None) == bm.WRONG
    gbk = bm.MODEL_BY_NAME["gbk-replace"]
    line = "开放源码 and 北京"
    segs = gbk.segments(line)
    assert "".join(d for _, d in segs) == gbk.damage(line)
    assert bm.classify(line, gbk.damage(line), "开放源码 and " + gbk.damage("北京"), segs) == bm.PARTIAL


def test_cjk_lines_are_cut_wherever_the_damage_splits():
    # Python's GBK decoder holds the undecodable 0x80 of 开 (E5 BC 80) as pending, so a cut that
    # waits for an empty decoder state would join 开 to 放源 and count the right repair of 放源
    # next to a lost byte as wrong
    gbk = bm.MODEL_BY_NAME["gbk-replace"]
    line = "开放源码"
    damaged = gbk.damage(line)
    assert damaged == "寮\ufffd鏀炬簮鐮\ufffd"
    segs = gbk.segments(line)
    assert segs == [("开", "寮\ufffd"), ("放源", "鏀炬簮"), ("码", "鐮\ufffd")]
    assert bm.classify(line, damaged, "寮\ufffd放源鐮\ufffd", segs) == bm.PARTIAL
    # a wrong change stays wrong: a wrong reading, a lost byte dropped, a piece half repaired
    assert bm.classify(line, damaged, "寮\ufffd放原鐮\ufffd", segs) == bm.WRONG
    assert bm.classify(line, damaged, "寮放源鐮\ufffd", segs) == bm.WRONG
    assert bm.classify(line, damaged, "寮\ufffd放簮鐮\ufffd", segs) == bm.WRONG
    # Big5 with errors="ignore": 码 vanished; putting it back is right, anything else is not
    big5 = bm.MODEL_BY_NAME["big5-ignore"]
    line = "开放源码 北京"
    damaged = big5.damage(line)
    segs = big5.segments(line)
    assert ("码", "") in segs
    at = damaged.index(" ")
    assert bm.classify(line, damaged, damaged[:at] + "码" + damaged[at:], segs) == bm.PARTIAL
    assert bm.classify(line, damaged, damaged[:at] + "马" + damaged[at:], segs) == bm.WRONG


@pytest.mark.parametrize("name", ["gbk-replace", "gbk-ignore", "gbk-web", "gb18030-ignore", "big5-replace",
                                  "big5-ignore", "cp932-replace", "cp949-replace"])
def test_every_cjk_piece_is_its_own_damage(name):
    model = bm.MODEL_BY_NAME[name]
    for line in bm.load_clean_lines()[::40]:
        segs = model.segments(line)
        assert "".join(o for o, _ in segs) == line
        assert "".join(d for _, d in segs) == model.damage(line)
        assert all(model.damage(o) == d for o, d in segs)


class _StubMojibake(Rule):
    """## What it does
    Test stub: `â€™` gets a safe fix to `’`, `Ã©` an unsafe (deliberately wrong) fix to `e`.

    ## Why is this bad?
    It is a stub.

    ## Example
    `Itâ€™s`
    """

    code = "TL102"
    name = "mojibake"
    fixable = "sometimes"

    def check(self, ctx):
        for m in re.finditer("â€™|Ã©", ctx.source.text):
            safe = m.group() == "â€™"
            fix = Fix.replace(m.start(), m.end(), "’" if safe else "e",
                              applicability=Applicability.SAFE if safe else Applicability.UNSAFE)
            yield self.finding(m.start(), m.end(), "stub", fix)


def test_batches_map_findings_and_fixes_to_their_lines():
    reg = Registry()
    reg.add(_StubMojibake)
    from talklint.checks.tool import RULES as TOOL_RULES

    for r in TOOL_RULES:
        reg.add(r)
    tl = bm.Talklint(registry=reg)
    pairs = [("It’s", "Itâ€™s"), ("plain", "plain"), ("Café", "CafÃ©"), ("# Zoë", "# ZoÃ«"),
             ("--- It’s", "--- Itâ€™s")]
    batched = bm.evaluate(pairs, tl, batch=50)
    one_by_one = bm.evaluate(pairs, tl, batch=1)
    assert [(r.detected, r.tl_safe, r.tl_unsafe) for r in batched] == \
        [(r.detected, r.tl_safe, r.tl_unsafe) for r in one_by_one] == [
            (True, "It’s", "It’s"), (False, "plain", "plain"), (True, "CafÃ©", "Cafe"),
            (False, "# ZoÃ«", "# ZoÃ«"), (True, "--- It’s", "--- It’s")]
    t = bm.tally(batched)
    assert t.counts["tl_unsafe:exact"] == 3 and t.counts["tl_unsafe:wrong"] == 1


def test_clean_lines_file_is_the_build_output():
    lines = bm.load_clean_lines()
    assert lines == bm.build_clean_lines()
    assert len(lines) > 2000 and all(bm.usable(ln) == ln for ln in lines)
