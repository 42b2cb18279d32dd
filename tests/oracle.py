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
}


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
