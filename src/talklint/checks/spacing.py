"""Spacing around words and punctuation in prose (TL241-TL244).

Each rule is one regex pass over the text; the few matches are then checked against the
excluded ranges (code, HTML, URLs, e-mail addresses, handles, front-matter keys: see
:mod:`talklint.prose`) and the rule's exceptions. TL201 owns whitespace at the end of a line
(spaces and tabs); TL244 owns no-break spaces, TL241 the space before punctuation, TL243 runs
of ordinary spaces, so that no two of these rules report or fix the same characters.
"""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata

from ..finding import Fix
from ..lazyre import may_hold_cjk
from ..prose import excluded_ranges
from ..rule import Rule
from .words import (foreign_sentence, line_end, line_prefix_is_markup, line_start, page_language,
                    sentence_bounds)


@functools.cache
def _cjk() -> re.Pattern:
    """A CJK character. Compiled when first needed: compiling a class of this many ranges
    takes milliseconds, and most runs never get to a sentence that needs it."""
    return re.compile(r"[\u2e80-\u2fdf\u3000-\u30ff\u3100-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
                      r"\uac00-\ud7ff\uf900-\ufaff\uff00-\uffef\U00020000-\U0003134f]")


def _is_cjk(char: str) -> bool:
    """``_cjk().match(char)``; a character below the class's first one needs no regex."""
    return char >= "\u2e80" and _cjk().match(char) is not None


_LATIN_LETTER = r"A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f"
_BLANKS = " \t\u00a0\u202f"


def _french(ctx, start: int, end: int) -> bool:
    """A French page (front matter ``lang: fr``, ``/fr/`` in the path) or a French sentence."""
    lang = page_language(ctx)
    if lang == "fr":
        return True
    return foreign_sentence(ctx.source.text, start, end) == "fr"


def _cjk_sentence(text: str, start: int, end: int) -> bool:
    """True when the sentence around ``start..end`` holds Chinese, Japanese or Korean text: its
    Latin words and their spacing follow that language's conventions, not English ones."""
    if not may_hold_cjk(text):
        return False
    s, e = sentence_bounds(text, start, end)
    return _cjk().search(text, s, e) is not None


def _table_lines(ctx) -> tuple[list[int], list[int]]:
    cached = ctx.shared.get("spacing.tables")
    if cached is None:
        spans = sorted((n.span.start, n.span.end) for n in ctx.document.walk() if n.type == "table")
        cached = ([s for s, _ in spans], [e for _, e in spans])
        ctx.shared["spacing.tables"] = cached
    return cached


def _in_table(ctx, offset: int) -> bool:
    starts, ends = _table_lines(ctx)
    i = bisect.bisect_right(starts, offset) - 1
    return i >= 0 and offset < ends[i]


# -- TL241 space-before-punctuation ---------------------------------------------------------------

# The blanks before one mark of punctuation (`?!` and `!!` count as one), after a Latin letter or
# the end of emphasis, a quote or a bracket; the mark ends the word: a blank, the end of the line
# or closing emphasis/quotes follow (so `:)`, ` .NET`, ` .md`, `a :: b`, ` ...` are not matched).
# The pattern starts with the blank and looks back from it: a pattern that starts with a
# character class is searched for with a fast scan, one that starts with a look-behind is tried
# at every position.
_SPACE_BEFORE = re.compile(
    rf"([ \t\u00a0\u202f](?<=[{_LATIN_LETTER})\]*_\"”’][ \t\u00a0\u202f])[ \t\u00a0\u202f]*)"
    r"([,;:]|\.(?![ \t]*\.)|[!?]+)"
    r"(?=[ \t\u00a0\u202f]*(?:\r|\n|$)|[ \t\u00a0\u202f]|[*_\"”’](?:[\s*_\"”’]|$))")


class SpaceBeforePunctuation(Rule):
    """## What it does
    Finds blanks (spaces, tabs, no-break spaces) before `,` `.` `;` `:` `!` `?` in English text,
    as in `Open Source Has Won : Why` or `speakers , sponsors`.

    Not reported:
    - French typography, which puts a (no-break) space before `:` `;` `!` `?`: on a page that
      declares French (`lang: fr` in the front matter, `/fr/` in its path) or in a sentence
      written in French;
    - times, ratios and scores (`10 : 30`, `3 : 1`): the mark must follow a letter;
    - ellipses (`wait . . .`, `wait ...`), names and file names that start with a dot (`.NET`,
      `.md`), emoticons (`:)`, `;-)`), `a :: b`: the mark must end the word;
    - a single letter before the mark (`a : b`, `x : int`), code, URLs and front-matter keys;
    - sentences in Chinese, Japanese or Korean (`容器，Kubernetes , 以及`), whose spacing around
      Latin words follows their own conventions.

    ## Why is this bad?
    English puts no space before these marks. The space is a leftover from another language's
    typography or from editing, and it lets the mark wrap to the start of the next line on
    narrow screens.

    ## Example
    ```markdown
    ## Open Source AI Has Won : Why that's great
    ```
    Use instead:
    ```markdown
    ## Open Source AI Has Won: Why that's great
    ```

    ## Fix
    Deletes the blanks (safe).
    """

    code = "TL241"
    name = "space-before-punctuation"
    summary = "A space before `,` `.` `;` `:` `!` or `?` in English text"
    fixable = "always"

    def check(self, ctx):
        text = ctx.source.text
        skip = None
        for m in _SPACE_BEFORE.finditer(text):
            s, e = m.span(1)
            mark = m.group(2)
            if skip is None:
                skip = excluded_ranges(ctx)
            if skip.overlaps(s - 1, m.end(2)):
                continue
            word = re.search(r"[^\s]+$", text[max(0, s - 40):s])
            if word is None or len(word.group().strip("*_\"”’)]")) < 2:
                continue  # `a : b`, a lone marker
            if line_prefix_is_markup(text, s - len(word.group())) and not re.search(
                    f"[{_LATIN_LETTER}]", word.group()):
                continue
            if mark[0] in ":;!?" and _french(ctx, s, m.end(2)):
                continue
            if _cjk_sentence(text, s, m.end(2)):
                continue
            blanks = m.group(1)
            what = "space" if set(blanks) == {" "} and len(blanks) == 1 else "blank"
            yield self.finding(s, e, f"Unexpected {what} before `{mark}`",
                               fix=Fix.delete(s, e, f"Delete the {what} before `{mark}`"))


# -- TL242 missing-space-after-sentence -------------------------------------------------------------

# Words that start sentences. `speech.At` is a sentence end glued to the next sentence, while
# `torch.Tensor`, `example.Com` or `Vue.Js` are names: after a `.` only these are reported.
# Verbs and adverbs are left out on purpose: they are method names in Go, JavaScript or C#
# prose (`strings.Join`, `errors.Is`, `time.Now`, `time.Since`, `http.Get`, `app.Use`).
SENTENCE_STARTERS = frozenset("""
A An The This That These Those It Its In At As We You He She They I Our Your His Her Their My
And But So Or If When While For From To By Also There Here What How Why Who Where Which Today
Tomorrow Yesterday Finally However Moreover Furthermore Besides Although Though Because Thus
Therefore Meanwhile Thanks Thank Welcome Please Each Every Many Most Some All Additionally
Ultimately Overall Currently Recently Previously Instead Otherwise Afterwards Unlike Despite
Everyone Everything Nobody Nothing Someone Something Anyone Anything Whatever Whoever Don
See Learn Let Come Stay Enjoy Meet
""".split())

# Found fast by its core (two lower-case letters, the mark, a capital and a lower-case letter),
# then checked: the word before is a whole word (not the tail of a domain, path, handle or
# dotted abbreviation), the word after ends there (not `Tensor.Shape`, `Foo(`, `Bar_baz`).
_GLUED_CORE = re.compile(r"[.!?](?<=[a-z]{2}[.!?])(?=[A-Z][a-z])")


def _glued_marks(text: str):
    """Offsets of the marks of ``[a-z]{2}[.!?][A-Z][a-z]`` as a scan for that pattern finds
    them (one occurrence does not overlap the previous one). The pattern is searched from the
    mark, which the regex engine skips to, instead of from every lower-case letter."""
    last = 0
    for m in _GLUED_CORE.finditer(text):
        p = m.start()
        if p - 2 >= last:
            last = p + 3
            yield p


_GLUED_BEFORE = re.compile(r"(?<![\w.@/\\:#%&=~+-])(?:[A-Za-z]*-)?[A-Za-z]*\Z")
_GLUED_AFTER = re.compile(r"[A-Z][a-z]+(?![\w@/\\(-])(?!\.\w)")


class MissingSpaceAfterSentence(Rule):
    """## What it does
    Finds a sentence end glued to the next sentence, as in `the opening speech.At the end`:
    a word of two or more lower-case letters, `.`, `!` or `?`, and a capitalised word.

    After `!` and `?` any capitalised word counts. After `.` only a pronoun, article,
    conjunction or sentence adverb (`The`, `At`, `We`, `This`, `However` …) does, so that names
    written with a dot are not reported: `Node.js`, `ASP.NET`, `torch.Tensor`, `typing.Any`,
    `time.Now`, `strings.Join`, `example.Com`, `Vue.Js`, `U.S.A`, `e.g.The` (dotted
    abbreviations), version strings and file names. Words glued to digits (`2020No`) are left to
    `glued-words`; code, URLs, e-mail addresses and handles are skipped.

    ## Why is this bad?
    Without the space the sentences run together, screen readers read one long word, and
    search and hyphenation break. It is usually a leftover of copying text from a PDF or a web
    page, where a line or paragraph break was lost.

    ## Example
    ```markdown
    Thanks to everyone who came.See you next year!
    ```
    Use instead:
    ```markdown
    Thanks to everyone who came. See you next year!
    ```

    ## Fix
    Inserts a space after the punctuation (safe).
    """

    code = "TL242"
    name = "missing-space-after-sentence"
    summary = "A sentence end glued to the next sentence (`speech.At`)"
    fixable = "always"

    def check(self, ctx):
        text = ctx.source.text
        skip = None
        for p in _glued_marks(text):
            mark = text[p]
            after = _GLUED_AFTER.match(text, p + 1)
            if after is None or (mark == "." and after.group() not in SENTENCE_STARTERS):
                continue
            if _GLUED_BEFORE.search(text, max(0, p - 80), p) is None:
                continue
            if skip is None:
                skip = excluded_ranges(ctx)
            if skip.overlaps(p - 2, after.end()):
                continue
            nxt = after.group()
            yield self.finding(p, p + 1, f"No space after `{mark}` before `{nxt}`",
                               fix=Fix.replace(p + 1, p + 1, " ", f"Insert a space after `{mark}`"))


# -- TL243 double-space -----------------------------------------------------------------------------

# Two spaces after a non-blank, then more spaces up to a non-blank; written to start with the
# two spaces, so that the regex engine skips to them instead of trying every position.
_DOUBLE = re.compile(r"  (?<=[^\s]  ) *(?=[^\s])")
_AFTER_SENTENCE = re.compile(r"[.!?:;…][\"'”’)\]*_]*$")


class DoubleSpace(Rule):
    """## What it does
    Finds two or more spaces in a row inside a line of prose, as in `the  keynote`.

    Not reported: indentation and the blanks after list markers or `#`, spaces at the end of a
    line (`trailing-whitespace`), two spaces after a sentence end or a colon (an old
    typewriter convention that markdown renders as one space), tables, columns aligned with
    the line above or below, blanks next to an emoji or an invisible character, sentences in
    Chinese, Japanese or Korean (where spaces lay out a line: `19:00-19:05  主持人开场`), code,
    HTML, URLs and the front matter outside its string values. No-break spaces are
    `misplaced-nbsp`'s.

    ## Why is this bad?
    Doubled spaces are leftovers of editing (a word deleted, text pasted). Markdown hides them
    in HTML, but they show in the source, in front-matter values used as plain text (titles in
    feeds, schedules and apps) and in search results.

    ## Example
    ```markdown
    Join us for the  keynote.
    ```
    Use instead:
    ```markdown
    Join us for the keynote.
    ```

    ## Fix
    Replaces the run with one space (safe).
    """

    code = "TL243"
    name = "double-space"
    summary = "Two or more spaces in a row inside a sentence"
    fixable = "always"

    def check(self, ctx):
        text = ctx.source.text
        skip = None
        for m in _DOUBLE.finditer(text):
            s, e = m.span()
            if skip is None:
                skip = excluded_ranges(ctx)
            if skip.overlaps(s - 1, e + 1):
                continue
            begin = line_start(text, s)
            before = text[begin:s]
            if line_prefix_is_markup(text, e) or _AFTER_SENTENCE.search(before):
                continue
            if not (_plain(text[s - 1]) and _plain(text[e])) or _cjk_sentence(text, s, e):
                continue
            if "|" in text[s - 1:e + 1] or _in_table(ctx, s):
                continue
            if (begin == 0 or text[begin - 1] == "\n") and _aligned(text, begin, s - begin, e - begin):
                continue
            yield self.finding(s, e, f"{e - s} spaces in a row",
                               fix=Fix.replace(s, e, " ", "Replace with one space"))


def _plain(char: str) -> bool:
    """A character of an English sentence: not CJK, not a symbol (emoji), not invisible."""
    if _is_cjk(char):
        return False
    return unicodedata.category(char)[0] not in "SC" or char in "$%&+<=>|~^`"


def _aligned(text: str, begin: int, col: int, end_col: int) -> bool:
    """True when the line above or below also has a run of two or more blanks ending at the same
    column (text laid out in columns) or text starting at the same column after blanks."""
    for other in _neighbour_lines(text, begin):
        if len(other) > end_col and other[end_col] not in " \t" and other[end_col - 2:end_col] == "  ":
            return True
    return False


def _neighbour_lines(text: str, begin: int) -> list[str]:
    out = []
    if begin > 0:
        prev_end = begin - 1
        if prev_end > 0 and text[prev_end - 1] == "\r":
            prev_end -= 1
        out.append(text[line_start(text, prev_end, 2000):prev_end])
    nl = text.find("\n", begin, begin + 2000)
    if nl >= 0:
        out.append(text[nl + 1:line_end(text, nl + 1, 2000)].rstrip("\r"))
    return out


# -- TL244 misplaced-nbsp ---------------------------------------------------------------------------

_NBSP_RUN = re.compile(r"[ \t\u00a0\u202f]*[\u00a0\u202f][ \t\u00a0\u202f]*")
# Before these a no-break space is typography: French (`:` `;` `!` `?` `»`), units and amounts
# (`%`, currency), dashes; the other punctuation is TL241's.
_KEEP_BEFORE = set(":;!?»›%‰€$£¥–—…,.)]/")
_KEEP_AFTER = set("«‹–—(/[")
_ABBREVIATION = re.compile(
    r"(?:^|[\s(])(?:Mr|Mrs|Ms|Mx|Dr|Prof|Sr|Jr|St|Mt|Ft|No|Nr|Nos|Fig|Figs|Vol|Ch|Sec|Eq|Ref|"
    r"Art|p|pp|vol|ch|sec|no|vs|cf|ca|approx|[A-Za-z]\.[A-Za-z])\.$")


class MisplacedNbsp(Rule):
    """## What it does
    Finds no-break spaces (U+00A0, and the narrow U+202F) where an ordinary space belongs:
    at the end of a line, and between the words of a sentence, as in `LF AI &\\u00a0DATA`
    or `speech.\\u00a0 At` (usually pasted from a word processor or a web page).

    Left alone, as deliberate typography:
    - next to a digit: numbers and units, dates and amounts (`10\\u00a0km`, `6\\u00a0May`,
      `1\\u00a0000`, `p.\\u00a012`);
    - before `:` `;` `!` `?` `»` `%` and after `«` (French), around dashes; blanks before other
      punctuation are `space-before-punctuation`'s;
    - after a short abbreviation (`Mr.\\u00a0Smith`, `Dr.\\u00a0Who`, `Fig.\\u00a03`);
    - at the start of a line (indentation), two or more no-break spaces in a row (spacing),
      in a sentence with Chinese, Japanese or Korean text, `&nbsp;` written as an entity, code,
      HTML.

    A no-break space at the end of a line is reported wherever it is (except in code).

    ## Why is this bad?
    A no-break space looks like a space but is another character: search, copy and paste,
    find-and-replace and spell checkers treat the two words as one; at the end of a line it is
    invisible trailing whitespace that `trailing-whitespace` does not see; and a no-break space
    stops lines from wrapping where they should.

    ## Example
    ```markdown
    LF AI &·DATA Foundation gave the opening speech.· At the end…
    ```
    (`·` stands for U+00A0.) Use instead:
    ```markdown
    LF AI & DATA Foundation gave the opening speech. At the end…
    ```

    ## Fix
    Safe: between words, replaces the run of blanks holding the no-break space with one space;
    at the end of a line, deletes the no-break spaces (and the blanks before them; spaces after
    the last one are left to `trailing-whitespace`).
    """

    code = "TL244"
    name = "misplaced-nbsp"
    summary = "A no-break space where an ordinary space belongs"
    fixable = "always"

    def check(self, ctx):
        text = ctx.source.text
        if "\u00a0" not in text and "\u202f" not in text:
            return
        skip = excluded_ranges(ctx)
        n = len(text)
        for m in _NBSP_RUN.finditer(text):
            s, e = m.span()
            run = m.group()
            if skip.overlaps(s, e):
                continue
            prev = text[s - 1] if s > 0 else "\n"
            nxt = text[e] if e < n else "\n"
            if prev in "\r\n" or line_prefix_is_markup(text, s):
                continue  # indentation
            if nxt in "\r\n":
                last = s + len(run.rstrip(" \t"))
                name = "No-break space" if run.count("\u00a0") + run.count("\u202f") == 1 else "No-break spaces"
                yield self.finding(s, last, f"{name} at the end of the line",
                                   fix=Fix.delete(s, last, f"Delete the {name.lower()}"))
                continue
            if run.count("\u00a0") + run.count("\u202f") > 1:
                continue
            if prev.isdigit() or nxt.isdigit() or nxt in _KEEP_BEFORE or prev in _KEEP_AFTER:
                continue
            if _is_cjk(prev) or _is_cjk(nxt) or _cjk_sentence(text, s, e):
                continue
            if _ABBREVIATION.search(text[max(0, s - 12):s]):
                continue
            what = "U+202F narrow no-break space" if "\u202f" in run else "No-break space"
            yield self.finding(s, e, f"{what} between words",
                               fix=Fix.replace(s, e, " ", "Replace with a space"))


RULES = [SpaceBeforePunctuation, MissingSpaceAfterSentence, DoubleSpace, MisplacedNbsp]
