"""Encoding (TL1xx): bytes that are not valid UTF-8, files stored in another encoding, and HTML
entities left in markdown text."""

from __future__ import annotations

import bisect
import html
import html.entities
import re
import unicodedata
from dataclasses import dataclass
from html.parser import HTMLParser

from ..finding import Applicability, Fix, Severity
from ..lazyre import LazyPattern
from ..rule import Rule

_MAX_BYTES_SHOWN = 8


class InvalidUtf8(Rule):
    """## What it does
    Reports bytes that are not valid UTF-8: one finding per run of adjacent bad bytes. The
    file is still checked: each bad byte reads as one U+FFFD REPLACEMENT CHARACTER, so the
    finding points at those characters, and the message names the bytes and their offset in
    the file (0-based, counting a byte order mark if there is one).

    ## Why is this bad?
    Such a file was saved in another encoding (often Windows-1252 or Latin-1: `0x92` is a
    curly apostrophe there) or was damaged. Site generators either refuse it or show `�`
    where the text had a character.

    When the whole file reads as one other encoding (see TL105 `not-utf8`), TL105 reports it
    once instead, and this rule stays silent on that file: one finding per bad byte would only
    repeat it.

    ## Example
    `Let<0x92>s meet in Z<0xFC>rich` in a UTF-8 file that also holds correct UTF-8 text
    (Windows-1252 bytes pasted into it) gives
    ```console
    page.md:3:4: TL101 [invalid-utf8] Invalid UTF-8 byte 0x92 at byte 57
    ```
    Type the characters again: `Let’s meet in Zürich`.
    """

    code = "TL101"
    name = "invalid-utf8"
    summary = "Bytes that are not valid UTF-8"
    severity = Severity.ERROR
    fixable = "never"

    def check(self, ctx):
        source = ctx.source
        if not source.invalid_bytes or file_encoding(ctx) is not None:
            return
        bom = 3 if source.bom else 0
        for run in source.invalid_bytes:
            data = run.data
            shown = " ".join(f"0x{b:02X}" for b in data[:_MAX_BYTES_SHOWN])
            if len(data) > _MAX_BYTES_SHOWN:
                shown += f" … ({len(data)} bytes)"
            noun = "bytes" if len(data) > 1 else "byte"
            yield self.finding(run.offset, run.offset + len(data),
                               f"Invalid UTF-8 {noun} {shown} at byte {run.byte_offset + bom}")



# ---------------------------------------------------------------------------------------------
# Whole-file encoding: which legacy encoding a non-UTF-8 file reads as (TL105, and TL101's silence)
# ---------------------------------------------------------------------------------------------

# Tried in this order; on equal plausibility the earlier one is named first.
_CANDIDATES = (
    ("cp1252", "Windows-1252"),
    ("gb18030", "GB18030"),
    ("cp950", "Big5"),
    ("cp932", "Shift_JIS"),
    ("euc_kr", "EUC-KR"),
    ("cp1251", "Windows-1251"),
)
_SINGLE_BYTE = frozenset(("cp1252", "cp1251"))
_SPACELESS = frozenset(("gb18030", "cp950", "cp932"))  # Chinese and Japanese put no spaces between words
_MIN_PLAUSIBILITY = 0.95  # share of the non-ASCII characters that read as ordinary text
_MARGIN = 0.2  # how much better than the UTF-8 reading (invalid bytes counting as bad)
_MIN_CJK_CHARS = 3  # a double-byte reading needs this many characters to be told apart

_LATIN_PUNCT = frozenset("’‘“”„‚–—…•€£¥¢°©®™«»§¶·×÷±ªºµ\xa0¹²³¼½¾")
_CYRILLIC_PUNCT = frozenset("’‘“”„‚–—…•«»№§©®°±·\xa0€™")
_CJK_PUNCT = frozenset("，、。．·：；？！「」『』（）《》〈〉【】〔〕—…‘’“”～•※〃々ー・\u3000！（），：；？")
_ONE_LETTER_WORDS = frozenset("àÀéÉèÈòÒóÓùÙвксуоиаяВКСУОИАЯ")
_RUSSIAN_LETTER = re.compile("[А-яЁё]")
_CYRILLIC_WORD = re.compile("[А-яЁё]{3}")
_CJK_PAIR = LazyPattern("[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]{2}")
_SPACED_CJK = LazyPattern("(?<=[\u3400-\u9fff\uac00-\ud7af]) (?=[\u3400-\u9fff\uac00-\ud7af])")
_WORD = re.compile(r"[^\W\d_]+")
# Valid multi-byte UTF-8, and truncated UTF-8 of punctuation (E2 80 xx) or emoji (F0 9F xx xx).
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_UTF8_TRUNCATED = re.compile(rb"\xe2[\x80-\xbf](?![\x80-\xbf])|\xf0\x9f[\x80-\xbf]?(?![\x80-\xbf])")


@dataclass(frozen=True)
class FileEncoding:
    """How a file that is not UTF-8 reads: ``labels`` are the plausible encodings, best first;
    ``text`` is the file decoded with ``labels[0]`` when that reading is the only one (None
    when two plausible readings give different text)."""

    labels: tuple[str, ...]
    text: str | None


def file_encoding(ctx) -> FileEncoding | None:
    """The legacy encoding the whole file reads as, or None (valid UTF-8, a UTF-8 file with
    damaged bytes, or no plausible reading). Computed once per file and shared by TL101/TL105."""
    key = "encoding.file_encoding"
    if key not in ctx.shared:
        ctx.shared[key] = detect_file_encoding(ctx.source)
    return ctx.shared[key]


def _body_bytes(source) -> bytes:
    """The file's bytes after any BOM. The fixer's intermediate Sources carry no bytes, only
    their text and the invalid runs, from which the bytes are rebuilt exactly."""
    if source.raw:
        return source.raw[3:] if source.bom else source.raw
    out = bytearray()
    pos = 0
    for run in source.invalid_bytes:
        out += source.text[pos:run.offset].encode("utf-8", "surrogatepass")
        out += run.data
        pos = run.offset + len(run.data)
    out += source.text[pos:].encode("utf-8", "surrogatepass")
    return bytes(out)


def detect_file_encoding(source) -> FileEncoding | None:
    """Decide whether a file with invalid UTF-8 is a UTF-8 file with damage (None) or a file
    stored in one legacy encoding.

    Each candidate decodes the bytes strictly; its reading is scored by the share of non-ASCII
    characters that are ordinary for that encoding (frequent hanzi/kanji, kana, hangul, letters
    of the script, usual punctuation), in plausible words (one script per word, no ``caSe``
    inside a word, no long words made only of accented letters) and without mojibake (ftfy's
    badness). A reading with a C1 control, private-use or unassigned character is rejected. The
    UTF-8 reading is scored the same way, each invalid byte counting as bad. A candidate wins
    when it scores at least 0.95 and clearly beats the UTF-8 reading; a single-byte candidate
    also needs no sign of real UTF-8 (a valid sequence for a Latin-1 character or of three or
    more bytes, or truncated punctuation/emoji): that is a UTF-8 file with damage, for TL101.
    A UTF-8 byte order mark says the file was saved as UTF-8: never another encoding.
    """
    if not source.invalid_bytes or source.bom or source.binary:
        return None
    body = _body_bytes(source)
    utf8 = _plausibility(body.decode("utf-8", "replace"), "utf-8") or 0.0
    evidence = _utf8_evidence(body)
    passing: list[tuple[float, str, str]] = []
    for codec, label in _CANDIDATES:
        try:
            text = body.decode(codec)
        except UnicodeDecodeError:
            continue
        score = _plausibility(text, codec)
        if score is None or score < _MIN_PLAUSIBILITY or score < utf8 + _MARGIN:
            continue
        if codec in _SINGLE_BYTE:
            if evidence:
                continue
        elif sum(c >= "\x80" for c in text) < _MIN_CJK_CHARS:
            continue
        if codec == "cp1252" and not any(0x80 <= b <= 0x9F for b in body):
            label = "ISO-8859-1 (Latin-1)"  # the same reading, without the Windows-only bytes
        passing.append((score, label, text))
    if not passing:
        return None
    passing.sort(key=lambda p: -p[0])  # stable: candidate order breaks ties
    labels = tuple(label for _, label, _ in passing)
    if len({text for _, _, text in passing}) > 1:
        return FileEncoding(labels, None)
    return FileEncoding(labels[:1], passing[0][2])


def _script(c: str) -> str:
    if c < "\x80":
        return "latin"
    name = unicodedata.name(c, "")
    if name.startswith(("CJK", "HIRAGANA", "KATAKANA", "HALFWIDTH", "FULLWIDTH", "IDEOGRAPHIC", "BOPOMOFO")):
        return "cjk"
    head = name.split(" ", 1)[0]
    return head.lower() if head in ("LATIN", "CYRILLIC", "GREEK", "HANGUL") else "other"


def _common(c: str, codec: str) -> bool:
    """Whether text stored in ``codec`` ordinarily holds ``c`` (not: merely can)."""
    if codec == "utf-8":
        return c != "\ufffd"
    if codec == "cp1252":
        return c in _LATIN_PUNCT or (c.isalpha() and _script(c) == "latin")
    if codec == "cp1251":
        return c in _CYRILLIC_PUNCT or bool(_RUSSIAN_LETTER.match(c))
    o = ord(c)
    if c in _CJK_PUNCT:
        return True
    if 0x3040 <= o <= 0x30FF:  # kana
        return codec == "cp932"
    if 0xAC00 <= o <= 0xD7A3:  # hangul syllables
        return codec == "euc_kr"
    if codec == "gb18030" and ((c.isalpha() and _script(c) == "latin") or o >= 0x1F000 or c == "\ufe0f"
                               or 0x2000 <= o < 0x2C00 or unicodedata.category(c) == "So"):
        return True  # pinyin and Latin-1 letters; symbols and emoji (four-byte GB18030)
    if not 0x4E00 <= o <= 0x9FFF:
        return False
    b = c.encode(codec)
    if codec == "gb18030":  # GB2312's 6,763 hanzi: everyday simplified Chinese
        return 0xB0 <= b[0] <= 0xF7 and b[1] >= 0xA1
    if codec == "cp950":  # Big5 level 1: the 5,401 frequent hanzi
        return 0xA4 <= b[0] <= 0xC6
    if codec == "cp932":  # JIS level 1 kanji
        return 0x88 <= b[0] <= 0x98
    return False  # hanja are rare in Korean text


def _implausible_word(word: str) -> bool:
    scripts = {_script(c) for c in word}
    if "cjk" in scripts:  # CJK runs may touch ASCII words, never accented letters or other scripts
        return any(s not in ("cjk", "latin") for s in scripts) or any(
            c >= "\x80" and _script(c) == "latin" for c in word)
    if len(scripts) > 1 or "other" in scripts or len(word) > 30:
        return True
    accented = sum(c >= "\x80" for c in word)
    if scripts == {"latin"} and accented >= 3 and 2 * accented > len(word):
        return True  # Ïðèâåò: Cyrillic read as Windows-1252
    for k, (a, b) in enumerate(zip(word, word[1:])):
        if a.islower() and b.isupper() and (a >= "\x80" or b >= "\x80"):
            return True  # caSe inside a word
        if k and a >= "\x80" and a.isupper() and b.islower():
            return True  # RÃder: an accented capital inside a lowercase word
    return False


def _plausibility(text: str, codec: str) -> float | None:
    """Share of the non-ASCII characters of ``text`` that read as ordinary text in ``codec``;
    None without any, 0.0 for a reading that cannot be right."""
    nonascii = [i for i, c in enumerate(text) if c >= "\x80"]
    if not nonascii:
        return None
    bad: set[int] = set()
    for i in nonascii:
        c = text[i]
        if unicodedata.category(c) in ("Cc", "Co", "Cn", "Cs"):
            if codec != "utf-8":
                return 0.0  # C1 controls, private use, unassigned: not a real reading
            bad.add(i)
        elif not _common(c, codec):
            bad.add(i)
        elif codec == "cp1252" and c in "¡¿":
            bad.add(i)
    if codec == "cp1252":
        for i in nonascii:  # Spanish ¡Hola! and ¿Qué?: before a letter, closed on the line
            c = text[i]
            if c in "¡¿":
                end = text.find("\n", i)
                line = text[i + 1:end if end >= 0 else len(text)]
                if text[i + 1:i + 2].isalpha() and ("!" if c == "¡" else "?") in line:
                    bad.discard(i)
    for m in _WORD.finditer(text):
        w = m.group()
        if max(w) < "\x80":
            continue
        if len(w) == 1 and codec in _SINGLE_BYTE:
            if w not in _ONE_LETTER_WORDS:
                bad.add(m.start())
        elif _implausible_word(w):
            bad.update(i for i in range(m.start(), m.end()) if text[i] >= "\x80")
        elif codec == "cp1251" and _RUSSIAN_LETTER.search(w):
            bad.difference_update(range(m.start(), m.end()))  # і ї є ў … inside a Cyrillic word
    if codec == "cp1251" and not _CYRILLIC_WORD.search(text):
        return 0.0
    if codec in _SINGLE_BYTE and _is_mojibake(text):
        return 0.0
    if codec not in _SINGLE_BYTE and codec != "utf-8" and not _CJK_PAIR.search(text):
        return 0.0  # CJK text has runs of characters, not lone ones among ASCII
    spaced = len(_SPACED_CJK.findall(text))
    if codec in _SPACELESS and spaced >= 2 and 8 * spaced > len(nonascii):
        return 0.0  # words of CJK characters between spaces: Korean
    return 1 - len(bad) / len(nonascii)


def _is_mojibake(text: str) -> bool:
    import ftfy.badness

    return ftfy.badness.is_bad(text)


def _utf8_evidence(body: bytes) -> int:
    """Signs of real UTF-8 in bytes that are not all valid UTF-8."""
    n = 0
    for m in _UTF8_SEQUENCE.finditer(body):
        try:
            c = m.group().decode("utf-8")
        except UnicodeDecodeError:
            continue
        if len(m.group()) >= 3 or 0xA0 <= ord(c) <= 0x17F:
            n += 1
    return n + len(_UTF8_TRUNCATED.findall(body))


class NotUtf8(Rule):
    """## What it does
    Reports, once, a file that is not UTF-8 but reads as a whole in another encoding:
    Windows-1252 (named ISO-8859-1 when it has none of the bytes 0x80–0x9F that only Windows-1252
    defines), GB18030/GBK, Big5, Shift_JIS, EUC-KR or Windows-1251. The finding points at the
    first byte that is not UTF-8 (its U+FFFD replacement character) and names the encoding.

    The unsafe fix transcodes the whole file to UTF-8 (no byte order mark is added); apply it
    with `--fix --unsafe-fixes`. Without `--unsafe-fixes` such a file is never rewritten.

    How the encoding is chosen: every candidate decodes the file strictly, and its reading is
    scored by how ordinary its non-ASCII characters are for that encoding (frequent hanzi, kana,
    hangul, letters and punctuation of the script, one script per word, no mojibake). A reading
    must score at least 95% and clearly beat the UTF-8 reading. The rule does not fire on a
    file that is UTF-8 with some damaged bytes: one with a UTF-8 byte order mark, or with valid
    multi-byte UTF-8 (an accented letter, or any three- or four-byte character) beside the bad
    bytes. TL101 reports those byte by byte. When two encodings read the file equally well but
    give different text (short files), both are named and no fix is offered. UTF-16 and UTF-32
    files hold NUL bytes and are reported as binary (TL902).

    ## Why is this bad?
    Site generators read markdown as UTF-8: a Windows-1252 `é` (0xE9) or a whole GBK page turns
    into `�` or is refused. Once the file is UTF-8, every other check sees the real text.

    ## Example
    A page saved as Windows-1252: `Caf<0xE9> <0x93>talk<0x94>`
    ```console
    page.md:1:4: TL105 [not-utf8] File is not UTF-8: it reads as Windows-1252 (3 bytes are not UTF-8, the first 0xE9 at byte 3)
    ```
    `talklint check --fix --unsafe-fixes page.md` rewrites it as UTF-8: `Café “talk”`.
    """

    code = "TL105"
    name = "not-utf8"
    summary = "A file stored in another encoding than UTF-8"
    severity = Severity.ERROR
    fixable = "sometimes"

    def check(self, ctx):
        found = file_encoding(ctx)
        if found is None:
            return
        source = ctx.source
        first = source.invalid_bytes[0]
        count = sum(len(r.data) for r in source.invalid_bytes)
        where = (f"{count} bytes are not UTF-8, the first 0x{first.data[0]:02X} at byte "
                 f"{first.byte_offset}" if count > 1 else
                 f"byte 0x{first.data[0]:02X} at byte {first.byte_offset} is not UTF-8")
        start, end = first.offset, first.offset + len(first.data)
        if found.text is None:
            readings = " or ".join(found.labels)
            yield self.finding(start, end, f"File is not UTF-8: it reads as {readings}, which give "
                               f"different text ({where}); re-save it as UTF-8")
            return
        label = found.labels[0]
        fix = Fix.replace(0, len(source.text), found.text, f"Transcode the file from {label} to UTF-8",
                          Applicability.UNSAFE)
        yield self.finding(start, end, f"File is not UTF-8: it reads as {label} ({where})", fix)


# ---------------------------------------------------------------------------------------------
# HTML entities in markdown text (TL104)
# ---------------------------------------------------------------------------------------------

# What CommonMark reads as a character reference: a known HTML5 name, 1-7 decimal or 1-6 hex digits.
_REF = r"#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31}"
_ENTITY = re.compile(f"&({_REF});")
_DOUBLE = re.compile(f"&amp;((?:amp;)*)({_REF});")
_SPACING_GAP = re.compile(r"[ \t]*")
_INVISIBLE_CATEGORIES = ("Cc", "Cf", "Co", "Cn", "Cs", "Zl", "Zp", "Mn", "Mc", "Me")


def _reference(ref: str) -> tuple[str, str | None]:
    """(kind, characters) of the reference ``&ref;``.

    kind is ``unknown`` (not an entity: literal text), ``invalid`` (shows as U+FFFD), ``control``
    (a C1 control without a Windows-1252 character), ``c1`` (a C1 code that HTML reads as its
    Windows-1252 character), ``markup`` (an ASCII character: ``&lt;``, ``&amp;``, ``&#124;``,
    ``&#42;``… the markdown way to escape, or e-mail obfuscation), ``quote`` (``"`` or ``'``),
    ``space`` (no-break and other spaces), ``invisible`` (format characters, combining marks)
    or ``visible`` (any other character: letters, punctuation, symbols).
    """
    if ref[0] == "#":
        n = int(ref[2:], 16) if ref[1] in "xX" else int(ref[1:])
        if n == 0 or 0xD800 <= n <= 0xDFFF or n > 0x10FFFF:
            return "invalid", "\ufffd"
        chars = html.unescape(f"&#{n};")  # HTML5: &#146; is ’, as in Windows-1252
        if 0x80 <= n <= 0x9F:
            return ("control" if chars == chr(n) else "c1"), chars
    else:
        chars = html.entities.html5.get(ref + ";")
        if chars is None:
            return "unknown", None
    if chars in ('"', "'"):
        return "quote", chars
    if chars.isascii():
        return "markup", chars
    if all(unicodedata.category(c) == "Zs" for c in chars):
        return "space", chars
    if any(unicodedata.category(c) in _INVISIBLE_CATEGORIES for c in chars):
        return "invisible", chars
    return "visible", chars


def _describe(chars: str) -> str:
    return ", ".join(f"U+{ord(c):04X} {unicodedata.name(c, 'UNNAMED CHARACTER')}" for c in chars)


def _text_regions(ctx) -> list[tuple[int, int, bool]]:
    """(start, end, in_front_matter) of the text where entities are looked for: markdown text
    nodes (not code, HTML, link destinations, autolinks or bare URLs) and the top-level string
    values of the front matter."""
    doc = ctx.document
    spans: list[tuple[int, int]] = []

    def visit(nodes, in_url):
        for node in nodes:
            if node.type == "text" and not in_url and not node.approximate:
                if spans and spans[-1][1] == node.span.start:
                    spans[-1] = (spans[-1][0], node.span.end)
                else:
                    spans.append((node.span.start, node.span.end))
            inner = in_url or (node.type == "link" and node.attrs.get("style") in ("autolink", "bare"))
            visit(node.children, inner)

    visit(doc.children, False)
    regions = [(s, e, False) for s, e in spans]
    fm = doc.front_matter
    if fm is not None:
        for f in fm.fields.values():
            if f.value_span is not None and isinstance(f.value, str):
                regions.append((f.value_span.start, f.value_span.end, True))
    regions.sort()
    return regions


class _Tokens(HTMLParser):
    """The structure of rendered HTML, with character references decoded: two renderings are
    the same page when their token lists are equal."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tokens: list[tuple] = []

    def handle_starttag(self, tag, attrs):
        self.tokens.append(("start", tag, tuple(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.tokens.append(("start", tag, tuple(attrs)))

    def handle_endtag(self, tag):
        self.tokens.append(("end", tag))

    def handle_data(self, data):
        if self.tokens and self.tokens[-1][0] == "data":
            self.tokens[-1] = ("data", self.tokens[-1][1] + data)
        else:
            self.tokens.append(("data", data))

    def handle_comment(self, data):
        self.tokens.append(("comment", data))


_RENDERER = None


def _rendered(markdown: str) -> list[tuple] | None:
    global _RENDERER
    if _RENDERER is None:
        import mistune

        _RENDERER = mistune.create_markdown(escape=False, plugins=["table", "strikethrough", "url"])
    try:
        parser = _Tokens()
        parser.feed(_RENDERER(markdown))
        parser.close()
        return parser.tokens
    except Exception:  # pragma: no cover - a renderer bug: treat as "cannot verify"
        return None


def _apply(text: str, edits: list[tuple[int, int, str]], base: int) -> str:
    out, pos = [], 0
    for s, e, r in sorted(edits):
        out.append(text[pos:s - base])
        out.append(r)
        pos = e - base
    out.append(text[pos:])
    return "".join(out)


def _verified(ctx, baseline: list[tuple[int, int, str]], candidates: list[tuple[int, int, str]]) -> set:
    """The candidate edits (start, end, character) that leave the rendered page unchanged: the
    top-level block holding them is rendered with and without each, after the ``baseline``
    edits (double escapes made single). All of a block at once first, then one by one."""
    source, doc = ctx.source, ctx.document
    ok: set = set()
    blocks = [(source.line_starts[source.line_index(n.span.start)], n.span.end) for n in doc.children]
    starts = [b[0] for b in blocks]
    by_block: dict[int, list] = {}
    for c in candidates:
        i = bisect.bisect_right(starts, c[0]) - 1
        if i >= 0 and c[1] <= blocks[i][1]:
            by_block.setdefault(i, []).append(c)
    for i, cands in by_block.items():
        s, e = blocks[i]
        text = source.text[s:e]
        base_edits = [b for b in baseline if s <= b[0] and b[1] <= e]
        before = _rendered(_apply(text, base_edits, s))
        if before is None:
            continue

        def with_(chosen):  # a candidate for a double escape takes the place of its baseline edit
            spans = {(c[0], c[1]) for c in chosen}
            return _apply(text, [b for b in base_edits if (b[0], b[1]) not in spans] + list(chosen), s)

        if _rendered(with_(cands)) == before:
            ok.update(cands)
            continue
        for c in cands:
            if _rendered(with_([c])) == before:
                ok.add(c)
    return ok


class HtmlEntity(Rule):
    """## What it does
    Reports HTML character references left in markdown text (outside code, HTML, link
    destinations and URLs), the mark of a page exported from HTML or a CMS:

    - **double escapes**, always: `&amp;#8217;`, `&amp;amp;`, `&amp;nbsp;` show their own text
      (`&#8217;`) on the page. Fix (unsafe: it changes what the page shows, to what was meant):
      the character, or the single entity when the character must stay escaped (`&amp;lt;` →
      `&lt;`);
    - **references to ordinary printable characters**: `It&#8217;s`, `&rsquo;`, `&eacute;`,
      `&mdash;`, `&hellip;`, `&deg;`. A markdown page can hold the character itself. Fix (safe):
      the character — only after checking that the block renders to the same HTML with it
      (`_caf_&eacute;` closes the emphasis, `_caf_é` does not: no fix there);
    - `&quot;`, `&apos;`, `&#39;`: reported, with an unsafe fix, since a typographer (Hugo's
      default) may curl a typed quote;
    - `&#128;`–`&#159;`: C1 control codes that browsers show as their Windows-1252 character
      (`&#146;` is ’); unsafe fix to that character;
    - invalid references (`&#0;`, surrogates): they show as U+FFFD; no fix;
    - **runs of two or more space entities** (`&nbsp;&nbsp;&nbsp;`, spaces between allowed), used
      for layout; no fix: the right markup depends on the intent.

    Not reported, because markdown needs or allows them on purpose: references to ASCII
    characters (`&lt;`, `&gt;`, `&amp;`, `&#124;` for a pipe in a table, `&#42;`, `&#35;`, and
    letters written as references to hide an e-mail address); a single `&nbsp;` or other space
    (`10&nbsp;am` keeps words together); invisible characters (`&shy;`, `&zwj;`, `&#8203;`,
    `&lrm;`) whose character would be invisible in the source; unknown names (`&foo;` is text);
    a reference escaped with a backslash (`\\&eacute;`); anything inside code spans and blocks,
    raw HTML (`<a title="&quot;x&quot;">`), link destinations and URLs. In front matter, only
    the top-level string values are checked (keys never); their fixes are unsafe, since how a
    template prints them is unknown, and quotes get no fix (they may end a quoted YAML string).
    In a file that TL105 will transcode, the fixes wait until the file is UTF-8.

    ## Why is this bad?
    The page source is harder to read, search and edit, double escapes show up on the page as
    `&amp;#8217;` garbage, and the same text is spelt two ways across the site.

    ## Example
    ```markdown
    It&#8217;s a talk about R&amp;amp;D&nbsp;&nbsp;&nbsp;teams.
    ```
    ```console
    page.md:1:3: TL104 [html-entity] HTML entity `&#8217;` in markdown text: write ’ (U+2019 RIGHT SINGLE QUOTATION MARK)
    page.md:1:26: TL104 [html-entity] Double-escaped HTML entity `&amp;amp;`: the page shows `&amp;`, not & (U+0026 AMPERSAND)
    page.md:1:36: TL104 [html-entity] HTML entities used for spacing: `&nbsp;` ×3 (U+00A0 NO-BREAK SPACE)
    ```
    """

    code = "TL104"
    name = "html-entity"
    summary = "HTML entities left in markdown text"
    severity = Severity.WARNING
    fixable = "sometimes"

    def check(self, ctx):
        text = ctx.source.text
        # every double-escaped entity holds a single one (&amp;): no entity anywhere, nothing
        # to look at region by region ("Q&A", "?a=1&b=2")
        if "&" not in text or not _ENTITY.search(text):
            return
        from ..prose import excluded_ranges

        excluded = excluded_ranges(ctx)
        doubles: list[tuple[int, int, str, str]] = []  # start, end, inner ref, kind
        singles: list[tuple[int, int, str, bool]] = []  # start, end, ref, in front matter
        for rs, re_, in_fm in _text_regions(ctx):
            pos = rs
            while True:
                i = text.find("&", pos, re_)
                if i < 0:
                    break
                pos = i + 1
                if _escaped(text, i):
                    continue
                if not in_fm and excluded.overlaps(i, i + 1):
                    continue
                m = _DOUBLE.match(text, i, re_)
                if m and _reference(m.group(2))[0] != "unknown":
                    doubles.append((i, m.end(), m.group(2), in_fm))
                    pos = m.end()
                    continue
                m = _ENTITY.match(text, i, re_)
                if m and _reference(m.group(1))[0] != "unknown":
                    singles.append((i, m.end(), m.group(1), in_fm))
                    pos = m.end()
        if not doubles and not singles:
            return
        # Which characters can replace their reference without changing the page (body only).
        baseline = [(s, e, f"&{ref};") for s, e, ref, in_fm in doubles if not in_fm]
        candidates = []
        for s, e, ref, in_fm in singles:
            if not in_fm and _reference(ref)[0] == "visible":
                candidates.append((s, e, _reference(ref)[1]))
        for s, e, ref, in_fm in doubles:
            kind, chars = _reference(ref)
            if not in_fm and kind == "visible":
                candidates.append((s, e, chars))
        verified = _verified(ctx, baseline, candidates) if candidates else set()
        findings = [*self._doubles(text, doubles, verified), *self._singles(text, singles, verified)]
        encoding = file_encoding(ctx) if ctx.source.invalid_bytes else None
        for f in findings:
            if encoding is not None and encoding.text is not None and f.fix is not None:
                # TL105 transcodes the whole file first: a character written here now would
                # be valid UTF-8 among the legacy bytes and make the file read as damaged UTF-8.
                f.fix = None
            yield f

    def _doubles(self, text, doubles, verified):
        for s, e, ref, in_fm in doubles:
            kind, chars = _reference(ref)
            written = text[s:e]
            single = f"&{ref};"
            if kind == "invalid":
                what = "an invalid character reference"
            else:
                what = f"{_show(chars)} ({_describe(chars)})"
            message = f"Double-escaped HTML entity `{written}`: the page shows `&{written[5:]}`, not {what}"
            fix = None
            if (s, e, chars) in verified or (in_fm and kind == "visible"):
                fix = Fix.replace(s, e, chars, f"Write {_show(chars)} instead of `{written}`", Applicability.UNSAFE)
            elif kind != "invalid" and not in_fm:
                fix = Fix.replace(s, e, single, f"Write `{single}` instead of `{written}`", Applicability.UNSAFE)
            yield self.finding(s, e, message, fix)

    def _singles(self, text, singles, verified):
        i = 0
        while i < len(singles):
            s, e, ref, in_fm = singles[i]
            kind, chars = _reference(ref)
            written = text[s:e]
            if kind == "space":
                j = i + 1
                end = e
                while j < len(singles) and singles[j][3] == in_fm and _reference(singles[j][2])[0] == "space":
                    gap = _SPACING_GAP.match(text, end)
                    if gap.end() != singles[j][0]:
                        break
                    end = singles[j][1]
                    j += 1
                if j - i >= 2:
                    refs = [text[a:b] for a, b, _, _ in singles[i:j]]
                    parts = []
                    for r in dict.fromkeys(refs):
                        n = refs.count(r)
                        parts.append(f"`{r}`" + (f" ×{n}" if n > 1 else ""))
                    chars_seen = "".join(dict.fromkeys(_reference(x[2])[1] for x in singles[i:j]))
                    yield self.finding(s, end, f"HTML entities used for spacing: {', '.join(parts)} "
                                       f"({_describe(chars_seen)})")
                i = j
                continue
            i += 1
            if kind in ("markup", "invisible", "unknown"):
                continue
            if kind == "invalid":
                yield self.finding(s, e, f"HTML entity `{written}` is not a valid character: it shows "
                                   "as U+FFFD REPLACEMENT CHARACTER")
            elif kind == "control":
                yield self.finding(s, e, f"HTML entity `{written}` is the C1 control character "
                                   f"U+{ord(chars):04X}, which Windows-1252 leaves undefined")
            elif kind == "c1":
                fix = Fix.replace(s, e, chars, f"Write {_show(chars)} instead of `{written}`", Applicability.UNSAFE)
                yield self.finding(s, e, f"HTML entity `{written}` is a C1 control code that browsers show as "
                                   f"its Windows-1252 character {_show(chars)} ({_describe(chars)})", fix)
            elif kind == "quote":
                fix = None if in_fm else Fix.replace(
                    s, e, chars, f"Write {_show(chars)} instead of `{written}` (a typographer may curl it)",
                    Applicability.UNSAFE)
                yield self.finding(s, e, f"HTML entity `{written}` in markdown text: write {_show(chars)} "
                                   f"({_describe(chars)})", fix)
            else:  # visible
                message = f"HTML entity `{written}` in markdown text: write {_show(chars)} ({_describe(chars)})"
                fix = None
                if in_fm:
                    fix = Fix.replace(s, e, chars, f"Write {_show(chars)} instead of `{written}`", Applicability.UNSAFE)
                elif (s, e, chars) in verified:
                    fix = Fix.replace(s, e, chars, f"Write {_show(chars)} instead of `{written}`")
                else:
                    message += " (no fix: here the character would change how the markdown renders)"
                yield self.finding(s, e, message, fix)


def _show(chars: str) -> str:
    return chars


def _escaped(text: str, i: int) -> bool:
    """Whether the character at ``i`` follows an odd number of backslashes."""
    n = 0
    while i - n - 1 >= 0 and text[i - n - 1] == "\\":
        n += 1
    return n % 2 == 1


RULES = [InvalidUtf8, HtmlEntity, NotUtf8]
