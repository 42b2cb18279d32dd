"""Position oracle: for each rule code, an independent check that a finding's span holds exactly
the text the finding is about.

Each predicate takes ``(span_text, source, finding)`` and returns True when the span is right.
They are written from the rule's *specification*, not from its code: a rule that reports the
right line but a shifted or too-wide span fails here even when its fixtures pass.

Every registered rule needs an entry (``tests/test_rule_meta.py`` checks it). Rules from YAML
rule packs get one derived from their definition (:func:`pack_rule_oracle`) unless they have
their own here.
"""

from __future__ import annotations

import codecs
import re
import sys
import unicodedata

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

import yaml

BLANKS = " \t"


def _line_index(source, offset):
    return source.line_index(offset)


def _zero_width_at_start(span_text, source, f):
    return f.start == f.end == 0


# -- TL1xx --------------------------------------------------------------------------------------

def invalid_utf8(span_text, source, f):
    runs = {(r.offset, r.offset + len(r.data)) for r in source.invalid_bytes}
    return bool(span_text) and set(span_text) == {"\ufffd"} and (f.start, f.end) in runs


_ENTITY_REF = r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});"


def _known_entity(ref):
    import html.entities

    return ref.startswith("&#") or ref[1:] in html.entities.html5


def html_entity(span_text, source, f):
    """One character reference (``&#8217;``, ``&eacute;``), a double escape (``&amp;#8217;``,
    ``&amp;amp;amp;copy;``) or a run of two or more space references (``&nbsp; &nbsp;``); the
    message quotes it, and it is not escaped by a backslash."""
    text = source.text
    backslashes = len(text[:f.start]) - len(text[:f.start].rstrip("\\"))
    if backslashes % 2:
        return False
    one = re.fullmatch(_ENTITY_REF, span_text)
    if one:
        return _known_entity(span_text) and f"`{span_text}`" in f.message
    double = re.fullmatch(r"&amp;(?:amp;)*(" + _ENTITY_REF[1:] + ")", span_text)
    if double:
        return _known_entity("&" + double.group(1)) and f"`{span_text}`" in f.message
    refs = re.findall(_ENTITY_REF, span_text)
    import html as _html

    return (len(refs) >= 2 and re.fullmatch(f"{_ENTITY_REF}(?:[ \t]*{_ENTITY_REF})+", span_text) is not None
            and all(unicodedata.category(c) == "Zs" for r in refs for c in _html.unescape(r)))


def not_utf8(span_text, source, f):
    """The first run of bytes that is not UTF-8 (its U+FFFD characters)."""
    if not source.invalid_bytes:
        return False
    first = source.invalid_bytes[0]
    return (f.start, f.end) == (first.offset, first.offset + len(first.data)) and set(span_text) == {"\ufffd"}



# Mojibake (TL102): independent of talklint.mojibake — Python's own codecs, byte by byte.
_MOJIBAKE_CODECS = ("cp1252", "cp1254", "latin-1", "mac_roman", "cp1251")
_LOSS_MODES = {"c1": None, "drop": "", "?": "?", "fffd": "\ufffd"}


def _read_as(data: bytes, codec: str, mode: str) -> str:
    out = []
    for b in data:
        try:
            out.append(bytes([b]).decode(codec))
        except UnicodeDecodeError:
            out.append(chr(b) if mode == "c1" else _LOSS_MODES[mode])
    return "".join(out)


def _damages_to(original: str, damaged: str) -> bool:
    """``original`` becomes ``damaged`` when its UTF-8 is read through one code page (undefined
    bytes kept as C1, dropped, or replaced by ? or U+FFFD), up to three times over; a final
    '?' may also be a question mark after a sequence that lost a byte."""
    layers = [original]
    for _ in range(3):
        nxt = []
        for text in layers:
            for codec in _MOJIBAKE_CODECS:
                for mode in _LOSS_MODES:
                    got = _read_as(text.encode("utf-8"), codec, mode)
                    if got == damaged:
                        return True
                    if mode == "drop" and text.endswith("?") and \
                            _read_as(text[:-1].encode("utf-8"), codec, mode) + "?" == damaged:
                        return True
                    if mode == "c1" and got != text and len(got) <= len(damaged):
                        nxt.append(got)
        layers = nxt
    return False


def _could_lead(ch: str) -> bool:
    """Some code page reads a UTF-8 lead byte (0xC2–0xF4) as this character, or as the first
    of its bytes (double-byte code pages); U+FFFD is a lead byte a double-byte decoder lost."""
    if ch == "\ufffd":
        return True
    for codec in _MOJIBAKE_CODECS:
        try:
            b = ch.encode(codec)
        except UnicodeEncodeError:
            continue
        if len(b) == 1 and 0xC2 <= b[0] <= 0xF4:
            return True
    for codec in _CJK_CODECS:
        try:
            b = ch.encode(codec)
        except UnicodeEncodeError:
            continue
        if 0xC2 <= b[0] <= 0xF4:
            return True
    return False


# UTF-8 read through a double-byte code page (TL102's CJK half): Python's decoders with
# errors="replace" or "ignore", and code page 936 as Windows and browsers have it, where a lone
# byte 0x80 is the euro sign.
_CJK_CODECS = ("gbk", "gb18030", "big5", "cp950", "big5hkscs", "shift_jis", "cp932", "euc_kr", "cp949")


def _cp936(mode):
    def handler(exc):
        if exc.object[exc.start] == 0x80:
            return "\u20ac", exc.start + 1
        return ("\ufffd" if mode == "replace" else ""), exc.start + 1
    return handler


codecs.register_error("oracle-cp936-replace", _cp936("replace"))
codecs.register_error("oracle-cp936-ignore", _cp936("ignore"))
_CJK_READS = [(c, m) for c in _CJK_CODECS for m in ("replace", "ignore")] + [
    ("gbk", "oracle-cp936-replace"), ("gbk", "oracle-cp936-ignore")]


def _cjk_damages_to(original: str, damaged: str, after: str) -> bool:
    """``original``'s UTF-8 read through a double-byte code page gives ``damaged``. The decoder
    reads across the end of the span, so the character after it (when ASCII) is read along."""
    data = original.encode("utf-8")
    for codec, mode in _CJK_READS:
        if data.decode(codec, mode) == damaged:
            return True
        if after and (data + after.encode("ascii")).decode(codec, mode) == damaged + after:
            return True
    return False


def _utf8_neighbours(b1: int, b2: int) -> bool:
    """Two bytes that can stand side by side in UTF-8 text that is not ASCII."""
    lead = lambda b: 0xC2 <= b <= 0xF4  # noqa: E731
    cont = lambda b: 0x80 <= b <= 0xBF  # noqa: E731
    return (lead(b1) or cont(b1)) and (cont(b2) or (cont(b1) and lead(b2)))


def _big5_residue(span_text: str) -> bool:
    """What a Big5 decoder with errors="ignore" left of UTF-8 text: a row of characters, each
    two bytes of the UTF-8 side by side (the bytes it could not pair are gone)."""
    for ch in span_text:
        pairs = []
        for codec in ("big5", "cp950", "big5hkscs"):
            try:
                pairs.append(ch.encode(codec))
            except UnicodeEncodeError:
                pass
        if not any(len(b) == 2 and _utf8_neighbours(b[0], b[1]) for b in pairs):
            return False
    return len(span_text) >= 2


def mojibake(span_text, source, f):
    if not span_text or span_text.isascii() or any(c in "\r\n" for c in span_text):
        return False
    if not (_could_lead(span_text[0]) or (f.fix is None and "Big5" in f.message and _big5_residue(span_text))):
        return False
    if f.fix is not None:
        (edit,) = f.fix.edits
        after = source.text[f.end:f.end + 1]
        after = after if after.isascii() else ""
        return (edit.start, edit.end) == (f.start, f.end) and (
            _damages_to(edit.replacement, span_text) or _cjk_damages_to(edit.replacement, span_text, after))
    return True


def replacement_character(span_text, source, f):
    placeholders = {i for r in source.invalid_bytes for i in range(r.offset, r.offset + len(r.data))}
    if not span_text or set(span_text) != {"\ufffd"}:
        return False
    if any(i in placeholders for i in range(f.start, f.end)):
        return False
    text = source.text
    # A maximal run of written (not placeholder) replacement characters.
    left_ok = f.start == 0 or text[f.start - 1] != "\ufffd" or (f.start - 1) in placeholders
    right_ok = f.end == len(text) or text[f.end] != "\ufffd" or f.end in placeholders
    return left_ok and right_ok

# -- TL2xx --------------------------------------------------------------------------------------

def trailing_whitespace(span_text, source, f):
    if not span_text or any(c not in BLANKS for c in span_text):
        return False
    i = _line_index(source, f.start)
    line_start, line_end = source.line_starts[i], source.line_ends[i]
    # The whole run and nothing else: it ends at the line's end and starts after a non-blank.
    return f.end == line_end and (f.start == line_start or source.text[f.start - 1] not in BLANKS)


def missing_final_newline(span_text, source, f):
    text = source.text
    return bool(text) and f.start == f.end == len(text) and not text.endswith(("\n", "\r"))


def mixed_line_endings(span_text, source, f):
    if span_text not in ("\r\n", "\r", "\n"):
        return False
    # A real terminator, not a CR that is half of a CRLF or an LF that is the other half.
    before = source.text[f.start - 1:f.start] if f.start else ""
    after = source.text[f.end:f.end + 1]
    if span_text == "\r" and after == "\n":
        return False
    if span_text == "\n" and before == "\r":
        return False
    return True


_FLAGGED_EXTRA = {0x200B, 0x2060, 0xFEFF, 0x2028, 0x2029, *range(0x202A, 0x202F), *range(0x2066, 0x206A)}


def _is_invisible(ch):
    if ch in "\t\n\r":
        return False
    return unicodedata.category(ch) == "Cc" or ord(ch) in _FLAGGED_EXTRA


def invisible_character(span_text, source, f):
    if not span_text or not all(_is_invisible(c) for c in span_text):
        return False
    text = source.text
    # Maximal run: the neighbours are not flagged characters.
    left_ok = f.start == 0 or not _is_invisible(text[f.start - 1])
    right_ok = f.end == len(text) or not _is_invisible(text[f.end])
    return left_ok and right_ok


# -- TL3xx --------------------------------------------------------------------------------------

_FRONT = re.compile(r"\A(---|\+\+\+)[ \t]*(?:\r\n|\r|\n)")


def _front_matter_error(source):
    """('unclosed', None) or ('error', 1-based line of the syntax error, end offset of the
    block's body), found by splitting and parsing the block again; None when it parses."""
    text = source.text
    m = _FRONT.match(text)
    if not m:
        return None
    delim = m.group(1)
    pieces = re.split(r"(\r\n|\r|\n)", text[m.end():])
    closers = ("---", "...") if delim == "---" else ("+++",)
    body_parts = []
    for i in range(0, len(pieces), 2):
        if pieces[i].rstrip(BLANKS) in closers:
            break
        body_parts.append(pieces[i] + (pieces[i + 1] if i + 1 < len(pieces) else ""))
    else:
        return ("unclosed", None, None)
    body = "".join(body_parts)
    body_end = m.end() + len(body)
    first_line = 2
    if delim == "---":
        try:
            yaml.compose(body, Loader=yaml.SafeLoader)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            return ("error", first_line + mark.line, body_end)
        except yaml.YAMLError:
            return ("error", None, body_end)
        return None
    try:
        tomllib.loads(body.replace("\r\n", "\n").replace("\r", "\n"))
    except tomllib.TOMLDecodeError as exc:
        at = re.search(r"at line (\d+)", str(exc))
        if at:
            return ("error", first_line + int(at.group(1)) - 1, body_end)
        return ("error", first_line + len(body_parts), body_end)
    return None


def invalid_front_matter(span_text, source, f):
    problem = _front_matter_error(source)
    if problem is None:
        return False
    kind, line, body_end = problem
    if kind == "unclosed":
        return (f.start, f.end) == (0, source.line_ends[0])
    if any(c in "\r\n" for c in span_text):
        return False
    if line is not None and source.position(f.start)[0] != line:
        return False
    i = _line_index(source, f.start)
    # The rest of the line from the error, never past the block's body (empty at its end).
    return f.end == max(f.start, min(source.line_ends[i], body_end))


# -- TL5xx --------------------------------------------------------------------------------------

_ATX_LINE = re.compile(r"^[ \t>]*(?:(?:[-+*]|\d{1,9}[.)])[ \t]+)*[ \t]*(#{2,6})(?:[ \t]|$)")
_SETEXT_UNDERLINE = re.compile(r"^[ \t>]*(?:=+|-+)[ \t]*$")


def heading_increment(span_text, source, f):
    i = _line_index(source, f.start)
    line_start = source.line_starts[i]
    line = source.line_text(i + 1)
    m = _ATX_LINE.match(line)
    if m and (line_start + m.start(1), line_start + m.end(1)) == (f.start, f.end):
        return True
    # Setext: the span is a heading text line with an underline below it.
    if not span_text or span_text != line.strip(BLANKS + ">").rstrip(BLANKS):
        return False
    for j in range(i + 2, source.line_count + 1):
        nxt = source.line_text(j)
        if _SETEXT_UNDERLINE.match(nxt):
            return True
        if not nxt.strip(BLANKS + ">"):
            return False
    return False


# -- TL9xx --------------------------------------------------------------------------------------

def binary_file(span_text, source, f):
    return source.binary and f.start == f.end == 0


def suppression_comment(span_text, source, f):
    return bool(re.fullmatch(r"<!--.*-->", span_text, re.DOTALL)) and "talklint" in span_text.lower()


ORACLE = {
    "TL101": invalid_utf8,
    "TL102": mojibake,
    "TL103": replacement_character,
    "TL104": html_entity,
    "TL105": not_utf8,
    "TL201": trailing_whitespace,
    "TL202": missing_final_newline,
    "TL203": mixed_line_endings,
    "TL204": invisible_character,
    "TL301": invalid_front_matter,
    "TL501": heading_increment,
    # The engine's own findings (tool.py): whole-file problems point at the start of the file.
    "TL901": _zero_width_at_start,
    "TL902": binary_file,
    "TL903": _zero_width_at_start,
    "TL904": suppression_comment,
    "TL905": suppression_comment,
    "TL906": _zero_width_at_start,
    "TL907": _zero_width_at_start,
}


# -- TL211, TL240-TL244: words and spacing in prose (checks/words.py, checks/spacing.py) ----------

_BLANK_CHARS = " \t\u00a0\u202f"
_misspellings_cache = None


def _misspellings():
    """The misspellings of the shipped list, read from the file itself (first field of each line)."""
    global _misspellings_cache
    if _misspellings_cache is None:
        from pathlib import Path

        path = Path(__file__).resolve().parent.parent / "rules" / "misspellings" / "typos-en.csv"
        _misspellings_cache = {line.split(",", 1)[0] for line in path.read_text(encoding="utf-8").splitlines()
                               if line and not line.startswith("#")}
    return _misspellings_cache


def _word_char(ch):
    return bool(ch) and (ch.isalnum() or ch == "_")


def misspelling(span_text, source, f):
    """A whole word of ASCII letters (no letter, digit or underscore of any script beside it)
    that is on the shipped list of misspellings."""
    text = source.text
    if not re.fullmatch(r"[A-Za-z]+", span_text):
        return False
    if _word_char(text[f.start - 1:f.start]) or _word_char(text[f.end:f.end + 1]):
        return False
    return span_text.lower() in _misspellings()


def repeated_word(span_text, source, f):
    """A whole word equal (in any case) to the word before it, with only blanks, or one line
    break (and block-quote markers), between the two."""
    text = source.text
    if not re.fullmatch(r"[A-Za-z]+", span_text) or _word_char(text[f.end:f.end + 1]):
        return False
    m = re.search(r"(?<![A-Za-z0-9_])([A-Za-z]+)(?:[ \t]+|[ \t]*(?:\r\n|\r|\n)[ \t>]*)\Z",
                  text[max(0, f.start - 200):f.start])
    return m is not None and m.group(1).lower() == span_text.lower()


def space_before_punctuation(span_text, source, f):
    """All the blanks between a visible character and one of , . ; : ! ?"""
    text = source.text
    if not span_text or any(c not in _BLANK_CHARS for c in span_text):
        return False
    before = text[f.start - 1:f.start]
    return bool(before) and not before.isspace() and text[f.end:f.end + 1] in tuple(",.;:!?")


def missing_space_after_sentence(span_text, source, f):
    """One . ! or ? between two lower-case ASCII letters and a capital followed by a lower-case
    letter."""
    text = source.text
    return (span_text in (".", "!", "?") and re.fullmatch(r"[a-z]{2}", text[f.start - 2:f.start]) is not None
            and re.fullmatch(r"[A-Z][a-z]", text[f.end:f.end + 2]) is not None)


def double_space(span_text, source, f):
    """A whole run of two or more spaces with visible characters on both sides."""
    text = source.text
    if len(span_text) < 2 or set(span_text) != {" "}:
        return False
    before, after = text[f.start - 1:f.start], text[f.end:f.end + 1]
    return bool(before) and bool(after) and not before.isspace() and not after.isspace()


def misplaced_nbsp(span_text, source, f):
    """Blanks holding a no-break space, after a visible character: the whole run when a visible
    character follows, or, at the end of a line, the run up to its last no-break space."""
    text = source.text
    if not span_text or any(c not in _BLANK_CHARS for c in span_text):
        return False
    if "\u00a0" not in span_text and "\u202f" not in span_text:
        return False
    before = text[f.start - 1:f.start]
    if not before or before.isspace():
        return False
    after = text[f.end:f.end + 1]
    if after and not after.isspace():
        return True  # between two visible characters: the whole run
    if span_text[-1] not in "\u00a0\u202f":
        return False
    rest = re.match(r"[^\r\n]*", text[f.end:]).group()
    return rest.strip(" \t") == ""


ORACLE.update({
    "TL211": misspelling,
    "TL240": repeated_word,
    "TL241": space_before_punctuation,
    "TL242": missing_space_after_sentence,
    "TL243": double_space,
    "TL244": misplaced_nbsp,
})


# -- TL221, TL222, TL230, TL231: scraping and translation residue (checks/residue.py) ----------

def glued_words(span_text, source, f):
    """The span is one whole token of ASCII letters and digits, and the fix inserts one space
    strictly inside it, where a digit or lowercase letter meets a capital (or a year meets the
    comment count written after it)."""
    if not re.fullmatch(r"[A-Za-z0-9]+", span_text):
        return False
    text = source.text

    def alnum(ch):
        return ch.isascii() and ch.isalnum()

    if (f.start > 0 and alnum(text[f.start - 1])) or (f.end < len(text) and alnum(text[f.end])):
        return False
    if f.fix is None or len(f.fix.edits) != 1:
        return False
    edit = f.fix.edits[0]
    if not (edit.start == edit.end and edit.replacement == " " and f.start < edit.start < f.end):
        return False
    left, right = text[f.start:edit.start], text[edit.start:f.end]
    if re.fullmatch(r"(?:19|20)[0-9]{2}", left) and right.isdigit():
        return re.match(r"\s*(?:Comments?|Responses?)\b", text[f.end:]) is not None
    return (left[-1].isdigit() or left[-1].islower()) and right[0].isupper()


_CJK_LETTER = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
                         "\U00020000-\U0003134f]")


def stray_fragment(span_text, source, f):
    """A lowercase ASCII word, with or without a leading dot, right after a CJK letter; a
    glued word is followed by a CJK letter too, a dotted one by a CJK letter, punctuation
    or the end of the line."""
    m = re.fullmatch(r"(\.?)[a-z]+", span_text)
    if not m:
        return False
    text = source.text
    before = text[f.start - 1] if f.start else ""
    after = text[f.end] if f.end < len(text) else ""
    if not before or not _CJK_LETTER.fullmatch(before):
        return False
    if after and _CJK_LETTER.fullmatch(after):
        return True
    return bool(m.group(1)) and (not after.strip() or unicodedata.category(after).startswith("P"))


_CUE_WORD = re.compile(r"(?i)\b(?:with|in|applau\w*|laugh\w*|paus\w*|music|smil\w*|grin\w*|cheer\w*|"
                       r"beat|sigh\w*|nod\w*|gestur\w*|clap\w*|silence|drum\s*roll|inaudible|"
                       r"crosstalk|audience|slide|turns?|looks?|points?|walks?|leans?|upbeat|"
                       r"excited\w*|enthusias\w*|\w+ly)\b")


def stage_direction(span_text, source, f):
    """One bracketed or parenthesised phrase of a few words holding a cue word, on one line;
    a bracket is no link, image, reference or footnote."""
    m = re.fullmatch(r"\[([^\[\]\r\n]+)\]|\(([^()\r\n]+)\)", span_text)
    if not m:
        return False
    text = source.text
    if span_text[0] == "[":
        if text[f.end:f.end + 1] in ("(", "[", ":") or (f.start and text[f.start - 1] in "!]\\"):
            return False
    inner = m.group(1) or m.group(2)
    return 1 <= len(inner.split()) <= 8 and not inner.startswith("^") and _CUE_WORD.search(inner) is not None


def _boilerplate_vocabulary():
    from talklint.registry import builtin_data_file

    pack = yaml.safe_load(builtin_data_file("boilerplate.yaml").read_text(encoding="utf-8"))
    phrases = [p.casefold() for e in pack["entries"] for p in e.get("phrases", [])]
    patterns = [re.compile(p, re.IGNORECASE) for e in pack["entries"] for p in e.get("patterns", [])]
    return phrases, patterns


_BOILERPLATE = None
_AUTHOR_LINE = re.compile(r"[•·▪◦‣]\s*[A-Z]\S*(?:\s+[A-Z]\S*){1,3}")


def scraped_boilerplate(span_text, source, f):
    """The whole content of one line (first to last non-blank character) that holds a phrase
    of the pack or a match of one of its patterns, or the `• Name` line of an author box;
    the fix deletes a range of whole lines that includes it."""
    global _BOILERPLATE
    if _BOILERPLATE is None:
        _BOILERPLATE = _boilerplate_vocabulary()
    if not span_text or any(c in span_text for c in "\r\n"):
        return False
    i = _line_index(source, f.start)
    line_start, line_end = source.line_starts[i], source.line_ends[i]
    line = source.text[line_start:line_end]
    if span_text != line.strip(BLANKS) or f.start != line_start + len(line) - len(line.lstrip(BLANKS)):
        return False
    if f.fix is None or len(f.fix.edits) != 1:
        return False
    edit = f.fix.edits[0]
    if edit.replacement or not (edit.start <= line_start and edit.end >= line_end):
        return False
    phrases, patterns = _BOILERPLATE
    folded = " ".join(span_text.split()).casefold()
    return (any(p in folded for p in phrases) or any(rx.search(span_text) for rx in patterns)
            or _AUTHOR_LINE.fullmatch(span_text) is not None)


ORACLE.update({
    "TL221": stage_direction,
    "TL222": scraped_boilerplate,
    "TL230": glued_words,
    "TL231": stray_fragment,
})


# Each family of fact rules keeps its oracle entries in its own module.
import oracle_crossfile  # noqa: E402
import oracle_dates  # noqa: E402
import oracle_links  # noqa: E402
import oracle_schema  # noqa: E402
import oracle_timezones  # noqa: E402
import oracle_weblinks  # noqa: E402

for _family in (oracle_schema, oracle_dates, oracle_timezones, oracle_crossfile, oracle_links, oracle_weblinks):
    ORACLE.update(_family.ORACLE)


# -- declarative rules (YAML rule packs) ------------------------------------------------------------

def _is_word(ch: str) -> bool:
    # Deliberately narrow: the packs' own boundary also lets CJK text and emphasis underscores
    # touch a phrase; the oracle only rejects a hit in the middle of a Latin word or number.
    return ch.isascii() and ch.isalnum()


def _whole_phrase(span_text, source, f, phrases, ignore_case) -> bool:
    """The span is one of ``phrases`` (any run of white space for a space), not part of a
    longer Latin word: a phrase edge that is a letter or digit has none beside it."""
    fold = (lambda s: " ".join(s.split()).casefold()) if ignore_case else (lambda s: " ".join(s.split()))
    wanted = {fold(p): p for p in phrases}
    phrase = wanted.get(fold(span_text))
    if phrase is None:
        return False
    text = source.text
    if _is_word(phrase[0]) and f.start > 0 and _is_word(text[f.start - 1]):
        return False
    if _is_word(phrase[-1]) and f.end < len(text) and _is_word(text[f.end]):
        return False
    return True


def pack_rule_oracle(rule):
    """A predicate built from a pack rule's YAML definition (not from its compiled regexes):
    the span is exactly one match of one of its patterns, or one whole token / swap key."""
    defn = rule.definition
    ignore_case = bool(getattr(defn, "ignore_case", False))
    flags = re.IGNORECASE if ignore_case else 0
    patterns = [re.compile(p, flags) for p in getattr(defn, "patterns", None) or []]
    phrases = list(getattr(defn, "tokens", None) or []) + list(getattr(defn, "swap", None) or {})

    def predicate(span_text, source, f):
        if not span_text:
            return False
        for rx in patterns:
            m = rx.match(source.text, f.start)  # lookbehinds still see the text before the span
            if m and m.end() == f.end:
                return True
        return _whole_phrase(span_text, source, f, phrases, ignore_case)

    return predicate


_REGISTRY = None


def predicate_for(code):
    """The oracle for a rule code: an explicit entry, else one derived from a pack rule's
    definition; None when there is neither."""
    global _REGISTRY
    if code in ORACLE:
        return ORACLE[code]
    if _REGISTRY is None:
        from talklint.registry import load_registry

        _REGISTRY = load_registry()
    rule = _REGISTRY.get(code)
    if rule is not None and getattr(rule, "definition", None) is not None:
        ORACLE[code] = pack_rule_oracle(rule)
        return ORACLE[code]
    return None


def check_finding(source, finding) -> str | None:
    """None when the finding passes its oracle and its positions agree with ``source``;
    otherwise a description of what is wrong."""
    predicate = predicate_for(finding.code)
    if predicate is None:
        return f"no oracle entry for {finding.code}"
    if not 0 <= finding.start <= finding.end <= len(source.text):
        return f"{finding.code}: span {finding.start}..{finding.end} outside the text"
    span_text = source.text[finding.start:finding.end]
    want = (*source.position(finding.start), *source.position(finding.end))
    got = (finding.line, finding.column, finding.end_line, finding.end_column)
    if got != want:
        return f"{finding.code}: positions {got} differ from source.position {want}"
    if not predicate(span_text, source, finding):
        return f"{finding.code} at {finding.line}:{finding.column}: span {span_text!r} fails the oracle ({finding.message})"
    return None
