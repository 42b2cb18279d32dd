"""TL104 html-entity and TL105 not-utf8 (and how TL105 and TL101 share a file).

Fixtures in tests/fixtures/rules/TL104 and TL105 cover positions and fixed text; this module
covers the encoding detector on many languages and on damaged UTF-8, the command line end to
end, the engine's refusal to write undecodable bytes, and the promise of TL104's safe fix:
the page renders the same.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from talklint.checks.encoding import _body_bytes, _rendered, detect_file_encoding
from talklint.engine import Linter, Overrides
from talklint.finding import Applicability
from talklint.fixer import FixPolicy, apply_edits, fix_source
from talklint.source import Source

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures" / "rules"
CORPUS = HERE / "corpus"


def run(*args, cwd=None):
    env = dict(os.environ)
    env.pop("CI", None)
    return subprocess.run([sys.executable, "-m", "talklint", *args], cwd=cwd, capture_output=True,
                          env=env, timeout=120)


def lint(raw: bytes, select=("TL101", "TL104", "TL105")):
    linter = Linter(overrides=Overrides(select=list(select)))
    return linter.lint_bytes(raw, "page.md").findings


def lint_text(text: str, select=("TL104",)):
    return Linter(overrides=Overrides(select=list(select))).lint_text(text, "page.md")


def detect(raw: bytes):
    return detect_file_encoding(Source.from_bytes("page.md", raw))


# -- TL105: which encoding -------------------------------------------------------------------------

PAGES = {  # id: (codec, label, text)
    "french-german": ("cp1252", "Windows-1252", "# Café “talk”\n\nIt’s on 6 May – see you in Zürich. Größe: 5 €.\n"),
    "latin1": ("latin-1", "ISO-8859-1 (Latin-1)", "# Conférence\n\nÀ Paris, façade, garçon, naïve, señor Núñez.\n"),
    "spanish": ("cp1252", "ISO-8859-1 (Latin-1)", "# Conferencia\n\n¡Bienvenidos! ¿Vienes a España? Año 2025.\n"),
    "chinese": ("gb18030", "GB18030", "# 关于大会\n\n开源大会将于2025年5月6日在北京举行。欢迎大家参加！\n"),
    "traditional": ("big5", "Big5", "# 開源大會\n\n開源大會將於2025年5月6日在台北舉行。歡迎大家參加！\n"),
    "japanese": ("cp932", "Shift_JIS", "# 会議のお知らせ\n\n東京で開催します。皆様のご参加をお待ちしております。\n"),
    "korean": ("euc_kr", "EUC-KR", "# 오픈소스 컨퍼런스\n\n2025년 5월 6일 서울에서 개최됩니다. 많은 참여 바랍니다. 발표자: 김철수\n"),
    "russian": ("cp1251", "Windows-1251", "# Конференция\n\nКонференция пройдёт в Москве 6 мая. Приглашаем всех!\n"),
}


@pytest.mark.parametrize("page", PAGES)
def test_detects_whole_file_encodings(page):
    codec, label, text = PAGES[page]
    found = detect(text.encode(codec))
    assert found is not None and found.text == text
    assert found.labels == (label,)


def test_gb18030_page_with_emoji_and_symbols():
    text = "# 活动 🎉\n\n⚠️ 报名截止：5月6日。欢迎参加！\n"
    assert detect(text.encode("gb18030")).text == text


@pytest.mark.parametrize("raw", [
    "Café in Zürich — 東京 🎤\n".encode() + b"It\x92s\n",  # UTF-8 with a pasted Windows-1252 byte
    "# Caf\u00e9\n".encode() + b"Z\xfcrich \x93x\x94\n",  # one real é is enough
    "It’s fine\n".encode()[:3] + "It’s fine\n".encode()[4:],  # a truncated curly apostrophe (E2 99)
    "Talk 🎤 here\n".encode()[:7] + "Talk 🎤 here\n".encode()[8:],  # an emoji with a byte lost
    b"\xef\xbb\xbf# Caf\xe9\n",  # a UTF-8 byte order mark: UTF-8, damaged
    "# 开源大会\n\n欢迎大家参加！".encode() + b"\xff\n",  # valid CJK UTF-8 beside one bad byte
])
def test_utf8_with_damage_is_not_another_encoding(raw):
    assert detect(raw) is None
    codes = {f.code for f in lint(raw)}
    assert codes == {"TL101"}


def test_valid_utf8_and_binary_are_not_checked():
    assert detect("Café “talk” 开源".encode()) is None
    assert lint(b"\x89PNG\x00\x00") == []


def _damaged_variants(raw: bytes):
    """Each non-ASCII character of ``raw`` broken once: a continuation byte dropped, or a
    Windows-1252 byte inserted after it."""
    starts = [i for i, b in enumerate(raw) if b >= 0xC2 and b <= 0xF4][:40]
    for i in starts:
        yield raw[:i + 1] + raw[i + 2:]
        yield raw[:i] + b"\x92" + raw[i:]


CORPUS_PAGES = sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.name != "ATTRIBUTION.md")
CORPUS_PAGES += sorted((HERE.parent / "seeds").iterdir())


@pytest.mark.parametrize("path", CORPUS_PAGES, ids=lambda p: p.name)
def test_damaged_real_pages_stay_utf8(path):
    """A real UTF-8 page with one damaged character is never read as another encoding, as long
    as another character of it is still valid UTF-8."""
    raw = path.read_bytes()
    if sum(1 for b in raw if b >= 0xC2) < 2:
        pytest.skip("needs two non-ASCII characters")
    for damaged in _damaged_variants(raw):
        assert detect(damaged) is None


def test_tl101_fixture_is_not_a_whole_file_encoding():
    for name in ("trigger.md", "bom.md"):
        raw = (FIXTURES / "TL101" / name).read_bytes()
        assert detect(raw) is None


# -- TL105 and TL101 together ----------------------------------------------------------------------

def test_whole_file_encoding_is_reported_once_and_tl101_is_silent():
    raw = b"# Caf\xe9 \x93talk\x94\n\nIt\x92s on 6 May.\n"
    [f] = lint(raw)
    assert f.code == "TL105"
    assert (f.line, f.column, f.end_column) == (1, 6, 7)
    assert f.message == "File is not UTF-8: it reads as Windows-1252 (4 bytes are not UTF-8, the first 0xE9 at byte 5)"
    assert f.fix.applicability is Applicability.UNSAFE
    assert f.fix.message == "Transcode the file from Windows-1252 to UTF-8"
    source = Source.from_bytes("page.md", raw)
    assert apply_edits(source.text, list(f.fix.edits)) == raw.decode("cp1252")


def test_tl101_selected_alone_stays_silent_on_a_whole_file_encoding():
    # Documented: TL105 owns such a file, whatever is selected.
    assert lint(b"Caf\xe9 \x93talk\x94\n", select=("TL101",)) == []


def test_single_bad_byte_message():
    [f] = lint(b"A caf\xe9 talk\n")
    assert f.message == "File is not UTF-8: it reads as ISO-8859-1 (Latin-1) (byte 0xE9 at byte 5 is not UTF-8)"


def test_ambiguous_reading_has_no_fix():
    [f] = lint((FIXTURES / "TL105" / "ambiguous.md").read_bytes())
    assert f.code == "TL105" and f.fix is None
    assert "GB18030 or EUC-KR" in f.message


def test_bytes_are_rebuilt_for_the_fixers_intermediate_sources():
    raw = b"# Caf\xe9 \x93talk\x94\n"
    source = Source.from_bytes("page.md", raw)
    rebuilt = Source(path="page.md", text=source.text, raw=b"", invalid_bytes=source.invalid_bytes)
    assert _body_bytes(rebuilt) == raw


def test_transcoding_comes_before_entity_fixes():
    # An entity at offset 0 would win the first pass and put valid UTF-8 (é) among the
    # Windows-1252 bytes; TL104 withholds its fixes until TL105 has transcoded the file.
    raw = b"&eacute;t\xe9 \x93talk\x94   \n"
    linter = Linter(overrides=Overrides(select=["ALL"]))
    [entity] = [f for f in linter.lint_bytes(raw, "page.md").findings if f.code == "TL104"]
    assert entity.fix is None
    out = fix_source(linter, Source.from_bytes("page.md", raw), FixPolicy(unsafe=True))
    assert out.text == "été “talk”\n"
    assert [a.code for a in out.applied] == ["TL105", "TL104", "TL201"]
    assert not [f for f in out.findings if f.code in ("TL101", "TL104", "TL105")]


# -- the command line ------------------------------------------------------------------------------

def test_cli_fix_transcodes_only_with_unsafe_fixes(tmp_path):
    page = tmp_path / "page.md"
    original = (FIXTURES / "TL105" / "cp1252.md").read_bytes().replace(b"\n\n", b"   \n\n", 1)
    page.write_bytes(original)
    r = run("check", "--fix", "page.md", cwd=tmp_path)
    assert r.returncode == 1
    assert page.read_bytes() == original  # --fix alone never rewrites undecodable bytes
    assert b"not valid UTF-8: not rewritten" in r.stderr  # not even for the trailing spaces
    assert b"TL105" in r.stdout

    r = run("check", "--fix", "--unsafe-fixes", "page.md", cwd=tmp_path)
    data = page.read_bytes()
    assert data == original.decode("cp1252").replace("   \n", "\n").encode("utf-8")  # no BOM added
    assert not data.startswith(b"\xef\xbb\xbf")
    assert r.returncode == 0, r.stdout + r.stderr
    assert run("check", "page.md", cwd=tmp_path).returncode == 0


def test_cli_transcodes_a_gb18030_page(tmp_path):
    page = tmp_path / "page.md"
    original = (FIXTURES / "TL105" / "gb18030.md").read_bytes()
    page.write_bytes(original)
    run("check", "--fix", "--unsafe-fixes", "page.md", cwd=tmp_path)
    assert page.read_text(encoding="utf-8") == original.decode("gb18030")


@pytest.mark.parametrize("raw, ignore", [
    (b"# Caf\xe9 \x93talk\x94   \n", "TL105"),  # the transcoding is not wanted: TL101 is silent
    ("Café talk   \n".encode() + b"\xff\n", "TL101"),  # damaged UTF-8 whose finding is ignored
])
def test_undecodable_bytes_are_never_written_back(tmp_path, raw, ignore):
    page = tmp_path / "page.md"
    page.write_bytes(raw)
    r = run("check", "--fix", "--unsafe-fixes", "--ignore", ignore, "page.md", cwd=tmp_path)
    assert page.read_bytes() == raw  # the trailing-space fix alone would bake U+FFFD in
    assert b"not valid UTF-8: not rewritten" in r.stderr


# -- TL104 -----------------------------------------------------------------------------------------

def _found(text):
    return [(f.line, f.column, text[f.start:f.end],
             None if f.fix is None else (f.fix.applicability.value, f.fix.edits[0].replacement))
            for f in lint_text(text)]


def test_entities_and_their_fixes():
    text = ("It&#8217;s &eacute;t&eacute; &amp;#8217; &amp;amp; &amp;lt;b&amp;gt; &quot;q&quot; &#146; "
            "&#0; &#129;\n")
    assert _found(text) == [
        (1, 3, "&#8217;", ("safe", "’")),
        (1, 12, "&eacute;", ("safe", "é")),
        (1, 21, "&eacute;", ("safe", "é")),
        (1, 30, "&amp;#8217;", ("unsafe", "’")),
        (1, 42, "&amp;amp;", ("unsafe", "&amp;")),
        (1, 52, "&amp;lt;", ("unsafe", "&lt;")),
        (1, 61, "&amp;gt;", ("unsafe", "&gt;")),
        (1, 70, "&quot;", ("unsafe", '"')),
        (1, 77, "&quot;", ("unsafe", '"')),
        (1, 84, "&#146;", ("unsafe", "’")),
        (1, 91, "&#0;", None),
        (1, 96, "&#129;", None),
    ]


def test_messages():
    messages = [f.message for f in lint_text("&amp;#8217; &#8217; &nbsp;&nbsp; &#146; &#0;\n")]
    assert messages == [
        "Double-escaped HTML entity `&amp;#8217;`: the page shows `&#8217;`, not ’ (U+2019 RIGHT SINGLE QUOTATION MARK)",
        "HTML entity `&#8217;` in markdown text: write ’ (U+2019 RIGHT SINGLE QUOTATION MARK)",
        "HTML entities used for spacing: `&nbsp;` ×2 (U+00A0 NO-BREAK SPACE)",
        "HTML entity `&#146;` is a C1 control code that browsers show as its Windows-1252 character ’ "
        "(U+2019 RIGHT SINGLE QUOTATION MARK)",
        "HTML entity `&#0;` is not a valid character: it shows as U+FFFD REPLACEMENT CHARACTER",
    ]


@pytest.mark.parametrize("text", [
    "&lt;br&gt; &amp; AT&amp;T &#124; &#42;x&#42; &#35; &#64; &#x41;\n",  # ASCII: markdown's escapes
    "10&nbsp;am, soft&shy;hyphen, a&zwj;b, zero&#8203;width, &lrm;\n",  # one space, invisible
    "&foo; &copy without semicolon, \\&eacute; escaped\n",  # not entities
    "`It&#8217;s` and\n\n```\n&eacute;\n```\n\n    &eacute; indented\n",  # code
    '<a title="&quot;x&quot; &eacute;">x</a>\n\n<div>\nCaf&eacute;\n</div>\n',  # HTML
    "https://x.org/?a=1&amp;b=&eacute; <https://x.org/&eacute;> [t](https://x.org/&eacute; \"&eacute;\")\n",
    "---\ntags: [caf&eacute;]\ncaf&eacute;: 1\n---\nText.\n",  # front matter: keys, non-strings
])
def test_not_reported(text):
    assert lint_text(text) == []


def test_ampersands_without_entities_and_entities_after_them():
    assert lint_text("Q&A at 10 & 11, ?a=1&b=2, &; & amp; &#; &#x;\n") == []
    assert _found("Q&A, then &amp;eacute; and &eacute;\n") == [
        (1, 11, "&amp;eacute;", ("unsafe", "é")), (1, 28, "&eacute;", ("safe", "é"))]


def test_fix_withheld_where_the_character_changes_the_rendering():
    [f] = lint_text("_caf_&eacute; and more\n")
    assert f.fix is None and "no fix" in f.message
    [f] = lint_text("*caf*&eacute; and more\n")  # `*` closes either way: fixable
    assert f.fix.applicability is Applicability.SAFE


def test_front_matter_fixes_are_unsafe_and_quotes_unfixed():
    text = "---\ntitle: \"It&#8217;s\"\nsummary: 'say &quot;x&quot; caf&eacute;'\n---\nBody.\n"
    found = _found(text)
    assert found == [(2, 11, "&#8217;", ("unsafe", "’")), (3, 15, "&quot;", None), (3, 22, "&quot;", None),
                     (3, 32, "&eacute;", ("unsafe", "é"))]


def test_entity_split_across_text_nodes_is_found():
    # mistune splits the text at the escaped backslash: `\\&` and `eacute;` are two text nodes.
    assert _found("a \\\\&eacute; b\n") == [(1, 5, "&eacute;", ("safe", "é"))]


def test_spacing_runs():
    assert [(c, t) for _, c, t, _ in _found("a&nbsp;&nbsp; &ensp;b and c&nbsp;d\n")] == [(2, "&nbsp;&nbsp; &ensp;")]


def test_crlf_positions():
    assert _found("line\r\nIt&#8217;s\r\n") == [(2, 3, "&#8217;", ("safe", "’"))]


def test_real_corpus_lines():
    # djangocon/2024.djangocon.us (MIT): src/_content/posts/first-time-things-to-bring.md and
    # announcing-lineup.md; 9984/2017.9984.io (MIT): _src/speakers.md. Hand-typed named
    # entities for printable characters are reported (safe fix); &lt; &gt; are needed and are not.
    text = ("highs around 74-78 &deg; F (23-25 &deg; C)\n\n"
            "- Willem Van Onsem ([website](https://www.django-antipatterns.com/)) - "
            "path('/user/&lt;user.username:user&gt;/', view_profile)\n\n"
            "More speakers will be announced soon &hellip;\n")
    assert [(t, fix) for _, _, t, fix in _found(text)] == [
        ("&deg;", ("safe", "°")), ("&deg;", ("safe", "°")), ("&hellip;", ("safe", "…"))]


def test_safe_fixes_render_the_same_page():
    """The promise of TL104's safe fix, checked on the trigger fixture: the whole page renders
    to the same HTML (tags, attributes and decoded text) with every safe fix applied."""
    text = (FIXTURES / "TL104" / "trigger.md").read_text(encoding="utf-8")
    findings = lint_text(text)
    safe = [e for f in findings if f.fix and f.fix.applicability is Applicability.SAFE for e in f.fix.edits]
    assert len(safe) >= 10
    body = text.split("---\n", 2)[2]
    fixed_body = apply_edits(text, safe).split("---\n", 2)[2]
    assert _rendered(body) == _rendered(fixed_body)


def test_fixing_twice_changes_nothing():
    text = (FIXTURES / "TL104" / "trigger.md").read_text(encoding="utf-8")
    linter = Linter(overrides=Overrides(select=["TL104"]))
    once = fix_source(linter, Source.from_text("p.md", text), FixPolicy(unsafe=True)).text
    twice = fix_source(linter, Source.from_text("p.md", once), FixPolicy(unsafe=True)).text
    assert once == twice
