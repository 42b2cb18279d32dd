"""Scraping and translation residue (TL221, TL222, TL230, TL231): what copying a page from a
website, a CMS or a machine translation leaves behind.

* TL221 stage-direction: `[With upbeat energy]`, `[Applause]`, `(pause)` left in a page.
* TL222 scraped-boilerplate: whole lines of navigation and CMS chrome ("Skip to main content",
  "No Comments", "Share this:", cookie banners), from the phrase pack ``rules/data/boilerplate.yaml``.
* TL230 glued-words: a year or a byline glued to the next word (`2020No Comments`).
* TL231 stray-fragment: an English word left inside CJK text (`…的组织.expect到…`).

All four read prose only: code, front-matter keys, HTML, link destinations, bare URLs, e-mail
addresses and @handles are skipped (:func:`talklint.prose.excluded_ranges`). Each is a few
regex passes over the text, so a page costs microseconds.

Placeholders that stand in for missing content (`Lorem ipsum`, `[Insert photo]`,
`[Speaker name]`, a page whose body is just `TBA`) belong to TL220 (``rules/placeholders.yaml``);
TL221 reports only performance cues, so no text is reported by both.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..finding import Applicability, Edit, Fix
from ..lazyre import LazyPattern, may_hold_cjk
from ..prose import excluded_ranges
from ..rule import NAME_PATTERN, Rule, RuleOptions
from ..yamlfile import load_data

def _boilerplate_pack_path() -> Path:
    from ..registry import builtin_data_file

    return builtin_data_file("boilerplate.yaml")


BOILERPLATE_PACK = _boilerplate_pack_path()

# Letters of the scripts written without spaces between words: Han (with extensions and
# compatibility ideographs), kana and Hangul. CJK punctuation is separate: it may close a
# sentence after a stray word but does not make a word "glued".
_CJK_LETTERS = ("\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
                "\U00020000-\U0003134f")
_CJK_PUNCT = "\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65"

_MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
          r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)")
_MONTH_FULL = (r"(?:January|February|March|April|May|June|July|August|September|October|"
               r"November|December)")


def _line_delete_range(source, first: int, last: int, keep: set[int] = frozenset()) -> tuple[int, int]:
    """Offsets that delete 0-based lines ``first``..``last`` with their line breaks, without
    leaving a doubled blank line or blank lines at the end of the file behind.

    Lines in ``keep`` count as content, never as blank."""
    text = source.text
    n = source.line_count
    starts, ends, terms = source.line_starts, source.line_ends, source.terminators

    def blank(i: int) -> bool:
        return 0 <= i < n and i not in keep and not text[starts[i]:ends[i]].strip(" \t")

    start = starts[first]
    end = ends[last] + len(terms[last])
    rest_blank = all(blank(i) for i in range(last + 1, n))
    if rest_blank:
        # At the end of the file: take the blank lines after the block, and those before it
        # unless the line above them is reported too (its own edit may take one of them:
        # edits of one rule never overlap).
        i = first - 1
        while blank(i):
            i -= 1
        if i not in keep:
            start = starts[i + 1] if i >= 0 else 0
        end = len(text)
    elif (first == 0 or blank(first - 1)) and blank(last + 1):
        end = ends[last + 1] + len(terms[last + 1])  # the blank line that followed
    return start, end


# ---------------------------------------------------------------------------------------------
# TL230 glued-words
# ---------------------------------------------------------------------------------------------

# English words that, written straight after a year, are a word of their own and not part of a
# name: bylines, CMS widgets, and the everyday words that start a sentence or a heading.
_SENTENCE_WORDS = frozenset("""
a about after again all also an and another any are as at back be because been before being
below best between both but by can click come comment comments continue could day did do does
during each even every few filed first for from get go had has have he her here his how i if in
into is it its join just keep last later learn leave less let like live make many may more most
much must my new news next no not now of on once one only or other our out over photos post
posted posts previous published read recap register related reply see share she should since
so some still such tags than thanks that the their them then there these they this those through
to today too tweet under until up updated us view was watch we well were what when where which
while who why will with would written year years yet you your
admin author blog by category categories conference event events agenda schedule session sessions
speaker speakers summit talk talks video videos slides keynote meetup workshop day days recap
uncategorized home menu search skip
""".split())

# Words that follow a number in product and model names ("RTX 2080Ti", "2070Super"): never
# reported, even after a date.
_PRODUCT_SUFFIXES = frozenset("""
ti super pro max plus mini ultra lite air se xl xe edition server express studio desktop
enterprise standard professional premium beta alpha rc lts
""".split())

_NUMBER_LEFT = r"(?<![\w.#@%&=+/\\$€£¥])(?<![A-Za-z_]-)"
# A year written straight before a capitalised word: "2020No Comments".
_YEAR_GLUE = LazyPattern(_NUMBER_LEFT + r"((?:19|20)\d\d)([A-Z][a-z]+)(?![A-Za-z0-9_])")
# A date written just before it, which makes any capitalised word glued ("…, 2020Andrew").
_DATE_BEFORE = LazyPattern(
    r"(?:" + _MONTH + r"\.?\s+\d{1,2}(?:st|nd|rd|th)?,?|\d{1,2}(?:st|nd|rd|th)?\s+" + _MONTH
    + r"\.?,?)\s+$")
# A known byline phrase glued to what comes before it: "AdminNo Comments", "news3Read more".
_PHRASE_GLUE = LazyPattern(
    r"(?<=[0-9a-z])"
    r"(No Comments|Comments Off|Leave a (?:[Cc]omment|[Rr]eply)|Read [Mm]ore|Continue [Rr]eading)"
    r"(?![A-Za-z0-9_])")
# A word glued to the date of a byline: "By AdminJune 3, 2021" (the lowercase letter before the
# month is consumed rather than looked behind for: a literal-led pattern scans much faster).
_DATE_GLUE = LazyPattern(
    r"[a-z](" + _MONTH_FULL + r")(?=\s+\d{1,2}(?:st|nd|rd|th)?,?\s+(?:19|20)\d\d(?!\d{5}))")
_MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December")
# A byline label glued to its value: "Posted inNews", "Posted onJune 3", "Filed underEvents".
_LABEL_GLUE = LazyPattern(
    r"(?<![A-Za-z0-9_])(?:Posted|Published|Filed|Written|Updated)\s+(in|on|by|under)(?=[A-Z0-9])")
# A date's year glued to the comment count after it: "June 3, 20213 Comments".
_COUNT_GLUE = LazyPattern(
    r"(?:" + _MONTH + r"\.?\s+\d{1,2}(?:st|nd|rd|th)?,?|\d{1,2}(?:st|nd|rd|th)?\s+" + _MONTH
    + r"\.?,?)\s+((?:19|20)\d\d)(\d{1,4})(?=\s*(?:Comments?|Responses?)\b)")

_TOKEN_CHAR = re.compile(r"[A-Za-z0-9]")
_YEAR_GATE = re.compile(r"(?:19|20)\d\d[A-Z]")
_PHRASE_GATE = ("No Comments", "Comments Off", "Leave a ", "Read ", "Continue ")
_LABEL_GATE = ("Posted", "Published", "Filed", "Written", "Updated")


class GluedWords(Rule):
    """## What it does
    Finds a year, a number or a byline phrase glued to the next word with no space, the way
    text copied from a blog or CMS page loses the line break between two of its widgets:

    - a year followed by a capitalised English word: `2020No Comments`, `2019Read more`;
      after a full date (`November 17, 2020Andrew`) any capitalised word;
    - a byline phrase glued to the word before it: `AdminNo Comments`, `news3Read more`;
    - a word glued to a byline date: `By AdminJune 3, 2021`;
    - a byline label glued to its value: `Posted inNews`, `Filed underEvents`;
    - a date's year glued to a comment count: `June 3, 20213 Comments`.

    Only what is clearly wrong is reported. Not reported, on purpose:

    - versions and names that start with letters: `v2`, `Python3`, `BAAI2025`, `GPT4`,
      `H100`, `A100`, `M1`, `COVID19`, `Web3`, `Log4j` (a number after letters is a name);
    - units and ordinals: `2x`, `5G`, `10km`, `4K`, `100ms`, `3D`, `24h`, `1st`, `2nd`, and
      decades such as `2020s` (the word after the number is lowercase or not a word);
    - numbers that are not years (`1080Ti`, `404NotFound`), and product suffixes after a year
      (`RTX 2080Ti`, `2070Super`);
    - a year followed by a word that is not everyday English (`2020Vision`), unless a date
      comes right before it;
    - hashtags and handles (`#EuroPython2024`, `@pycon2024Team`), paths, file names,
      domains and URLs, version strings (`3.11`), code, HTML and link destinations.

    A sentence end glued to the next sentence (`speech.At`) is another rule's business.

    ## Why is this bad?
    The reader sees `2020No Comments` as a typo, and a site search or a screen reader sees
    one word `2020No`. It is also a sure sign that the page was scraped and still carries the
    widgets around the text (see TL222 for the lines themselves).

    ## Example
    ```markdown
    By November 17, 2020No Comments
    ```
    Use instead (better still, drop the byline, which TL222 reports):
    ```markdown
    By November 17, 2020 No Comments
    ```

    ## Fix
    Inserts a space at the glue point. Safe: every pattern above has exactly one place where
    the two words meet.
    """

    code = "TL230"
    name = "glued-words"
    summary = "A year or byline glued to the next word (2020No Comments)"
    fixable = "always"

    def check(self, ctx):
        text = ctx.source.text
        # Cheap gate: every pattern needs a digit or a capital right after a lowercase letter.
        skip = None
        seen: set[int] = set()
        for glue, what in self._glue_points(text):
            if glue in seen:
                continue
            if skip is None:
                skip = excluded_ranges(ctx)
            start = glue - 1
            while start > 0 and _TOKEN_CHAR.match(text[start - 1]):
                start -= 1
            end = glue + 1
            while end < len(text) and _TOKEN_CHAR.match(text[end]):
                end += 1
            start = min(start, glue - 1)
            if skip.overlaps(start, end):
                continue
            seen.add(glue)
            left, right = text[start:glue], text[glue:end]
            fix = Fix.replace(glue, glue, " ", f"Insert a space: `{left} {right}`")
            yield self.finding(start, end, f"{what}: `{left}{right}` (write `{left} {right}`)", fix=fix)

    @staticmethod
    def _glue_points(text: str):
        # Each pattern runs only when a cheap test (a substring, a literal-led regex) says it
        # can match: most pages hold none of these, and a page costs a few microseconds.
        if _YEAR_GATE.search(text):
            for m in _YEAR_GLUE.finditer(text):
                word = m.group(2).lower()
                if word in _PRODUCT_SUFFIXES:
                    continue
                if word in _SENTENCE_WORDS or _DATE_BEFORE.search(text, max(0, m.start() - 24), m.start()):
                    yield m.start(2), f"Year {m.group(1)} glued to the word after it"
        if any(p in text for p in _PHRASE_GATE):
            for m in _PHRASE_GLUE.finditer(text):
                yield m.start(1), f"Byline phrase \"{m.group(1)}\" glued to the word before it"
        if any(p in text for p in _MONTH_NAMES):
            for m in _DATE_GLUE.finditer(text):
                yield m.start(1), "Word glued to a byline date"
        if any(p in text for p in _LABEL_GATE):
            for m in _LABEL_GLUE.finditer(text):
                yield m.end(1), f"Byline label \"{' '.join(m.group(0).split())}\" glued to its value"
        if "Comment" in text or "Respons" in text:
            for m in _COUNT_GLUE.finditer(text):
                yield m.end(1), "Year glued to the comment count after it"


# ---------------------------------------------------------------------------------------------
# TL231 stray-fragment
# ---------------------------------------------------------------------------------------------

# Everyday English words a machine translation leaves untranslated, and that Chinese (or
# Japanese, Korean) tech writing does not use as terms. Left out on purpose: words that are
# commands, keywords, API names or settings (get, set, run, start, stop, call, read, write,
# load, save, open, close, clear, sync, commit, push, pull, merge, build, deploy, test, debug,
# log, print, return, break, continue, import, export, select, update, delete, insert, create,
# drop, join, match, map, filter, reduce, sort, find, search, check, watch, apply, patch, post,
# put, head, ping, lease, vote, offer, accept, reject, limit, target, model, execute, prepare,
# use, make, help, show, include, require, allow, enable, support, describe, plan, try, let,
# begin, keep, share), SQL and language keywords (and, or, not, in, is, as, if, do, for, from,
# where, when, while, with, by, then, else, each, all, any, some, none, this, new, case, type,
# class, between, within, before, after, around, always, never) and two-letter words.
_STRAY_WORDS = frozenset("""
the are was were been will would should could might must shall have has had
which who whom whose their they them our your his her its
into onto upon about above below during until because although though however therefore
thus also very much many more most than there these those such only even already often
usually perhaps maybe almost quite rather really through across against toward towards
expect expects expected expecting believe believes believed hope hopes hoped hoping
want wants wanted wanting wish wishes wished seem seems seemed become becomes became
say says said tell tells told feel feels felt mean means meant think thinks thought
know knows knew known need needs needed take takes took taken give gives gave given
bring brings brought happen happens happened occur occurs occurred remain remains remained
consider considers considered suggest suggests suggested intend intends intended decide
decides decided agree agrees agreed achieve achieves achieved improve improves improved
increase increases increased explain explains explained discuss discusses discussed
understand understands understood learn learns learned realize realized recognize recognized
contain contains contained involve involves involved ensure ensures ensured enjoy enjoys
enjoyed announce announces announced introduce introduces introduced attend attends attended
invite invites invited thank thanks thanked continues continued grow grows grew grown
provide provides provided develop develops developed
including according regarding following several various another every
""".split())

# `.word` or `word` between CJK letters; the lookbehind keeps the token whole on the left
# (the characters before it are CJK), the lookahead on the right. Compiled when first needed
# (a page that is not all ASCII): its character classes take milliseconds to compile.
@functools.cache
def _stray() -> re.Pattern:
    return re.compile(
        rf"[{_CJK_LETTERS}](?P<token>\.(?P<dotted>[a-z]+)(?=[{_CJK_LETTERS}{_CJK_PUNCT}]|[ \t]*$)"
        rf"|(?P<glued>[a-z]+)(?=[{_CJK_LETTERS}]))",
        re.MULTILINE)


class StrayFragment(Rule):
    """## What it does
    Finds an English word left inside Chinese, Japanese or Korean text by a machine
    translation, such as the `.expect` in `76%的组织.expect到在几年内…` (the translation of
    "76% of organizations expect to…"): an everyday English word, in lowercase, written
    straight after a CJK character with a dot (`的组织.expect到`), or glued with no space
    between two CJK characters (`我们will在`).

    Only words from a short list of English function words and everyday verbs count
    (`the`, `which`, `expect`, `believe`, `become`, `need` …). Latin text that CJK tech writing
    uses on purpose stays legal: acronyms and names (`AI`, `IBM`, `Linux Foundation`,
    `SOFAStack`, `Kubernetes`, `GitHub`), numbers (`76%`, `v1.0`), and the many lowercase
    technical terms written into Chinese sentences (`commit`, `pod`, `sidecar`, `sync`,
    `prepare`, `target`…): words that are also commands, keywords or API names are not on the
    list. Code, URLs, file names (`.jar`, `.NET`) and HTML are skipped.

    ## Why is this bad?
    The stray word is a fragment of the source text that the translation did not consume: a
    Chinese reader stumbles over it, and it usually means the sentence around it lost a word
    (here the verb "expect"). It should be translated or removed.

    ## Example
    ```markdown
    近期McKenzie的一项研究显示有76%的组织.expect到在几年内将其AI部署于企业。
    ```
    Use instead:
    ```markdown
    近期McKenzie的一项研究显示有76%的组织预计在几年内将其AI部署于企业。
    ```

    ## Fix
    None: the right translation cannot be known. The message names the word to translate.

    ## Known limits
    A method written in prose rather than in code (`调用.expect方法` about Rust) looks the
    same as the artefact: put it in backticks.
    """

    code = "TL231"
    name = "stray-fragment"
    summary = "An English word left inside CJK text by a translation (.expect)"
    fixable = "never"

    def check(self, ctx):
        text = ctx.source.text
        if not may_hold_cjk(text):
            return  # no CJK letter: nothing to find (a C-level test, faster than the scan)
        skip = None
        for m in _stray().finditer(text):
            word = m.group("dotted") or m.group("glued")
            if word not in _STRAY_WORDS:
                continue
            if skip is None:
                skip = excluded_ranges(ctx)
            start, end = m.span("token")
            if skip.overlaps(start, end):
                continue
            yield self.finding(start, end,
                               f"English word `{m.group('token')}` inside CJK text: a leftover of a "
                               "translation? Translate or remove it")


# ---------------------------------------------------------------------------------------------
# TL221 stage-direction
# ---------------------------------------------------------------------------------------------

_MANNER_NOUNS = (r"energy|enthusiasm|excitement|a\s+smile|smiles?|a\s+grin|grin|a\s+laugh|warmth|"
                 r"emphasis|gusto|passion|a\s+pause|pause|confidence|a\s+wink|flourish|humou?r|"
                 r"feeling|sincerity|conviction|flair|energy\s+and\s+\w+|excitement\s+and\s+\w+")
_MANNER_ADVERBS = (r"enthusiastically|excitedly|warmly|cheerfully|energetically|dramatically|"
                   r"softly|loudly|slowly|confidently|playfully|sarcastically|seriously|"
                   r"thoughtfully|earnestly|jokingly|proudly|smiling|grinning|laughing|"
                   r"enthusiastic|excited|upbeat")
_CUES = (r"applause|laughter|laughs|laughing|pause|pauses|pausing|long\s+pause|dramatic\s+pause|"
         r"music|(?:intro|outro|upbeat|background)\s+music|music\s+(?:plays|fades(?:\s+out)?|swells)|"
         r"cheers|cheering|beat|sighs|nods|nodding|gestures(?:\s+\w+){0,3}|gesturing(?:\s+\w+){0,3}|"
         r"clapping|claps|silence|drumroll|drum\s+roll|inaudible|crosstalk|audience\s+"
         r"(?:laughs|applauds|cheers|claps|reacts|laughter|applause)|"
         r"(?:next|change|advance)\s+slide|slide\s+(?:change|transition)|"
         r"(?:turns?|looks?|points?|walks?|gestures?|leans?|smiles?)\s+(?:to|at|toward|towards|"
         r"around|over|on|in|off|back|forward)(?:\s+\w+){0,4}")
_BRACKET_CUE = LazyPattern(
    r"(?i:(?:with|in)\s+(?:an?\s+|great\s+|some\s+|real\s+)?(?:[a-z-]+,?\s+){0,3}(?:" + _MANNER_NOUNS
    + r"|(?:[a-z-]+,?\s+)?(?:tone|voice)))"
    r"|(?i:(?:" + _MANNER_ADVERBS + r")(?:\s+(?:and\s+)?[a-z-]+){0,3})"
    r"|(?i:(?:" + _CUES + r"))")
# [cue], not an image, a link, a reference or a footnote: "]" "(" "[" ":" must not follow.
_BRACKETED = re.compile(r"\[(?<![\]!\\]\[)([^\[\]\n]{1,60})\](?![\[(:])")
_PAREN_CUE = re.compile(
    r"\((?<![\]\w\\]\()(?i:(?:long\s+|dramatic\s+|brief\s+|audience\s+)?"
    r"(?:pause|pauses|applause|laughter|laughs|beat|inaudible|crosstalk|drumroll|cheers|cheering|"
    r"sighs|smiles|silence|applauds)(?:\s+for\s+(?:effect|applause|laughter|a\s+moment))?)\)")
_DIRECTION_ONLY_LINE = re.compile(r"[ \t>]*(?:[-*+][ \t]+)?[*_]*[ \t]*$")


class StageDirection(Rule):
    """## What it does
    Finds stage directions left in a published page: performance cues written for whoever
    reads a script aloud, such as `[With upbeat energy]`, `*[Smiling warmly]*`,
    `[Applause]`, `[Laughter]`, `[Next slide]` or `(pause)`. Pages drafted by an assistant or
    copied from a host's script carry them.

    A bracket counts only when its text is a cue: a manner (`[With great enthusiasm]`,
    `[In a warm tone]`, `[Excitedly]`), a sound or reaction (`[Applause]`, `[Music]`,
    `(laughs)`) or a movement (`[Turns to the audience]`). Never reported: links and
    reference links (`[PyPA]` with a `[PyPA]: …` definition, `[text](url)`, `[text][ref]`),
    footnotes (`[^1]`), task-list boxes (`[ ]`, `[x]`), labels such as `[Exhibit Hall]` or
    `[AI-8th]`, code and HTML.

    Placeholders that stand for missing content (`[Insert photo]`, `[Speaker name]`,
    `Lorem ipsum`, `XXX`, a body that is just `TBA`) are TL220's.

    ## Why is this bad?
    A stage direction is an instruction to a person, not content: on a talk page it reads
    as a glitch and shows that the text was pasted from a script without an edit.

    ## Example
    ```markdown
    *[With upbeat energy]*
    "Good morning, everyone! It's a pleasure to kick off this session…"
    ```
    Use instead:
    ```markdown
    "Good morning, everyone! It's a pleasure to kick off this session…"
    ```

    ## Fix
    Removes the direction (unsafe: read the sentence afterwards). A direction alone on its
    line (emphasis around it included) goes with the whole line; inside a sentence it goes
    with the emphasis around it and one space.

    ## Known limits
    A transcript uses `[Applause]` and `[Laughter]` on purpose: turn the rule off for such
    files with `per-file-ignores`.
    """

    code = "TL221"
    name = "stage-direction"
    summary = "A stage direction ([With upbeat energy], [Applause], (pause)) left in a page"
    fixable = "always"

    def check(self, ctx):
        text = ctx.source.text
        candidates = []
        for m in _BRACKETED.finditer(text):
            inner = m.group(1).strip()
            if inner and _BRACKET_CUE.fullmatch(inner):
                candidates.append((m.start(), m.end()))
        for m in _PAREN_CUE.finditer(text):
            candidates.append((m.start(), m.end()))
        if not candidates:
            return
        skip = excluded_ranges(ctx)
        links = sorted((n.span.start, n.span.end) for n in ctx.document.walk()
                       if n.type in ("link", "image"))
        found = [(start, end) for start, end in sorted(candidates)
                 if not skip.overlaps(start, end) and not any(s <= start < e for s, e in links)]
        lines = {ctx.source.line_index(start) for start, _ in found}
        for start, end in found:
            yield self.finding(start, end, f"Stage direction left in the page: `{text[start:end]}`",
                               fix=self._fix(ctx.source, start, end, lines))

    @staticmethod
    def _fix(source, start: int, end: int, lines: set[int]) -> Fix:
        text = source.text
        i = source.line_index(start)
        line_start, line_end = source.line_starts[i], source.line_ends[i]
        rest = text[line_start:start] + text[end:line_end]
        if _DIRECTION_ONLY_LINE.fullmatch(rest):
            a, b = _line_delete_range(source, i, i, keep=lines - {i})
            return Fix.delete(a, b, "Remove the line", Applicability.UNSAFE)
        a, b = start, end
        while a > line_start and b < line_end and text[a - 1] == text[b] and text[b] in "*_":
            a, b = a - 1, b + 1  # the emphasis around the direction goes with it
        if b < line_end and text[b] == " ":
            b += 1
        elif a > line_start and text[a - 1] == " " and text[a - 2:a - 1] not in ("]", ")"):
            a -= 1  # (not after another direction, whose own edit takes the space)
        return Fix.delete(a, b, "Remove the stage direction", Applicability.UNSAFE)


# ---------------------------------------------------------------------------------------------
# TL222 scraped-boilerplate
# ---------------------------------------------------------------------------------------------

class _Model(BaseModel):
    # Validators are built when first used: the shipped pack comes validated from the kept copy
    # (see load_boilerplate_pack), so most runs never build them.
    model_config = ConfigDict(extra="forbid", populate_by_name=True,
                              alias_generator=lambda s: s.replace("_", "-"), defer_build=True)


def _valid_patterns(v: list[str]) -> list[str]:
    for p in v:
        try:
            rx = re.compile(p)
        except re.error as exc:
            raise ValueError(f"pattern {p!r} is not a valid regular expression: {exc}") from None
        if rx.fullmatch(""):
            raise ValueError(f"pattern {p!r} matches an empty line")
    return v


def _valid_phrases(v: list[str]) -> list[str]:
    for i, p in enumerate(v):
        if not normalise_phrase(p):
            raise ValueError(f"phrase {i + 1} ({p!r}) is empty once its punctuation is taken off")
    return v


class BoilerplateEntry(_Model):
    """One kind of leftover in the phrase pack (see the comments in ``boilerplate.yaml``)."""

    id: str
    label: str
    phrases: list[str] = []
    patterns: list[str] = []
    alone: bool = True
    position: Literal["any", "top", "bottom"] = "any"
    headings: bool = True
    ignore_case: bool = True

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not NAME_PATTERN.match(v):
            raise ValueError(f"{v!r} is not a kebab-case id like 'comment-counter'")
        return v

    @field_validator("patterns")
    @classmethod
    def _patterns(cls, v: list[str]) -> list[str]:
        return _valid_patterns(v)

    @field_validator("phrases")
    @classmethod
    def _phrases(cls, v: list[str]) -> list[str]:
        return _valid_phrases(v)


class BoilerplatePack(_Model):
    entries: list[BoilerplateEntry]


@functools.lru_cache(maxsize=8)
def load_boilerplate_pack(path: str = str(BOILERPLATE_PACK)) -> BoilerplatePack:
    """The phrase pack, validated (a mistake in it is an error at load time, not mid-run).
    The shipped one is validated once and kept (:func:`talklint.registry.load_shipped`)."""
    if Path(path) == BOILERPLATE_PACK:
        from ..registry import load_shipped

        return load_shipped(BOILERPLATE_PACK, lambda: _read_boilerplate_pack(path), code=(__file__,))
    return _read_boilerplate_pack(path)


def _read_boilerplate_pack(path: str) -> BoilerplatePack:
    with open(path, encoding="utf-8") as fh:
        return BoilerplatePack.model_validate(load_data(fh.read()))


# Markdown around a line's text: block-quote markers, a list marker or bullet glyph, a heading's
# #s, emphasis. A bullet glyph (•) is how scraped HTML lists arrive as text.
_HEADING_LEAD = re.compile(r"[ \t]*(?:>[ \t]?)*[ \t]*#{1,6}(?:[ \t]|$)")
_LINE_LEAD = re.compile(r"[ \t]*(?:>[ \t]?)*[ \t]*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+|#{1,6}[ \t]+|[•·▪◦‣►▸][ \t]*)*")
_ATX_CLOSE = re.compile(r"[ \t]#+$")
_EDGE_PUNCT_END = ":;.…!»›→|-–—>*_ \t"
_EDGE_PUNCT_START = "«‹←|<*_ \t"


def normalise_phrase(text: str) -> str:
    return " ".join(text.strip(_EDGE_PUNCT_START).rstrip(_EDGE_PUNCT_END).split()).casefold()


_HTML_COMMENT = re.compile(r"<!--.*?-->")


def line_core(line: str) -> str:
    """A line's text without its markdown decorations, HTML comments (invisible) and the
    emphasis around it."""
    if "<!--" in line:
        line = _HTML_COMMENT.sub("", line)
    core = line[_LINE_LEAD.match(line).end():].rstrip(" \t")
    if core.endswith("\\"):  # a hard line break
        core = core[:-1].rstrip(" \t")
    if core.endswith("#"):
        core = _ATX_CLOSE.sub("", core).rstrip(" \t")
    while len(core) > 2 and core[0] == core[-1] and core[0] in "*_~":
        core = core[1:-1].strip(" \t")
    return core


class _Matcher:
    """The phrase pack compiled: a dict of normalised phrases and a list of line regexes."""

    def __init__(self, entries: list[BoilerplateEntry]):
        self.phrases: dict[str, BoilerplateEntry] = {}
        self._sources: list[tuple[str, BoilerplateEntry]] = []
        for e in entries:
            for p in e.phrases:
                self.phrases.setdefault(normalise_phrase(p), e)
            self._sources += [(p, e) for p in e.patterns]
        self._patterns: list[tuple[re.Pattern, BoilerplateEntry]] | None = None
        # One alternation as a first test, so a line of prose costs one regex call, not one
        # per pattern. A pattern with global inline flags cannot join it: then no gate.
        try:
            self.gate = re.compile("|".join(
                f"(?{'i' if e.ignore_case else '-i'}:{p})" for p, e in self._sources))
        except re.error:
            self.gate = None

    @property
    def patterns(self) -> list[tuple[re.Pattern, BoilerplateEntry]]:
        """The patterns one by one, compiled when first needed: behind the gate, most runs
        never need them, and compiling them was a part of every run's start-up."""
        if self._patterns is None:
            self._patterns = [(re.compile(p, re.IGNORECASE if e.ignore_case else 0), e)
                              for p, e in self._sources]
        return self._patterns

    def match(self, core: str) -> BoilerplateEntry | None:
        entry = self.phrases.get(normalise_phrase(core))
        if entry is not None:
            return entry
        if not self._sources:
            return None
        collapsed = " ".join(core.split())
        if self.gate is not None and not self.gate.fullmatch(collapsed):
            return None
        for rx, e in self.patterns:
            if rx.fullmatch(collapsed):
                return e
        return None


_MAX_VERDICTS = 20_000  # lines of at most 700 characters: a few MB at worst

_AUTHOR_NAME = r"[A-Z][\w'’.-]*(?:[ \t]+[A-Z][\w'’.-]*){1,3}"
_AUTHOR_BOX_BULLETS = "•·▪◦‣"  # one of them opens every match of _AUTHOR_BOX_NAME
_AUTHOR_BOX_NAME = LazyPattern(rf"[ \t]*[{_AUTHOR_BOX_BULLETS}][ \t]*({_AUTHOR_NAME})[ \t]*")


class ScrapedBoilerplate(Rule):
    """## What it does
    Finds lines of navigation and CMS chrome that came along when a page was copied from a
    website: skip links ("Skip to main content"), comment counters ("No Comments",
    "Leave a Reply"), bylines ("By November 17, 2020No Comments", "Posted in News"),
    "Read more", sharing widgets ("Share this:", "Click to share on Twitter"), "Related
    posts", post navigation ("Next post: …"), cookie banners ("We use cookies to improve your
    experience…", "Accept all cookies"), footers ("Powered by WordPress",
    "© 2020 … All rights reserved.") and author boxes ("About the author", or a `• Name` line
    followed by the author's bio at the very end of the page).

    The phrases come from a phrase pack (`rules/data/boilerplate.yaml`, shipped with talklint). A phrase
    matches only a *whole line* — after taking off list markers, bullets, `>`, heading `#`s
    and emphasis — never a phrase inside a sentence: "We shared this: …" or "Read more about
    it in the docs" are fine. Weak phrases ("Related", "Menu", "Twitter") count only in a run
    of boilerplate lines that holds a strong one. Lines with a link are skipped (a "Read more"
    that links somewhere was put there on purpose), and so are code, HTML and front matter.

    The finding spans the whole line's content (from its first to its last non-blank
    character, markdown markers included), since the whole line is the leftover; an author
    box spans its name line.

    Add phrases and patterns of your own with the options `extra-phrases` and
    `extra-patterns`, and switch built-in entries off by id with `ignore`.

    ## Why is this bad?
    The page is about a talk or an event; "Skip to main content" or "No Comments" are the
    remains of another site's layout. Readers see noise, search engines index it, and the
    same widget text repeated on every scraped page drowns the content.

    ## Example
    ```markdown
    Skip to main content

    # LF AI & Data Day Shenzhen, Recap

    By November 17, 2020No Comments
    ```
    Use instead:
    ```markdown
    # LF AI & Data Day Shenzhen, Recap
    ```

    ## Fix
    Removes the line with its line break (unsafe: the line might be meant), and a blank line
    with it where the line stood between two blank lines; an author box goes with its bio.
    """

    code = "TL222"
    name = "scraped-boilerplate"
    summary = "Navigation or CMS leftovers (Skip to main content, No Comments, Share this:)"
    fixable = "always"

    class Options(RuleOptions):
        extra_phrases: list[str] = Field(default_factory=list, description=(
            "More whole-line phrases to report (case and edge punctuation ignored)."))
        extra_patterns: list[str] = Field(default_factory=list, description=(
            "More regular expressions, each matched against a whole stripped line."))
        ignore: list[str] = Field(default_factory=list, description=(
            "Ids of built-in phrase-pack entries to switch off: skip-link, site-header, "
            "comment-counter, byline, read-more, share-widget, share-widget-weak, related-posts, "
            "post-navigation, author-box, cookie-banner, site-footer, copyright-footer, "
            "site-navigation-weak."))

        @field_validator("extra_patterns")
        @classmethod
        def _patterns(cls, v: list[str]) -> list[str]:
            return _valid_patterns(v)

        @field_validator("extra_phrases")
        @classmethod
        def _phrases(cls, v: list[str]) -> list[str]:
            return _valid_phrases(v)

        @field_validator("ignore")
        @classmethod
        def _ignore(cls, v: list[str]) -> list[str]:
            known = {e.id for e in load_boilerplate_pack().entries}
            unknown = [x for x in v if x not in known]
            if unknown:
                raise ValueError(f"no phrase-pack entry {unknown[0]!r}: want one of {', '.join(sorted(known))}")
            return v

    def __init__(self, options: RuleOptions | None = None) -> None:
        super().__init__(options)
        o = self.options
        entries = [e for e in load_boilerplate_pack().entries if e.id not in o.ignore]
        if o.extra_phrases or o.extra_patterns:
            entries.append(BoilerplateEntry(id="user", label="from the rule's options",
                                            phrases=o.extra_phrases, patterns=o.extra_patterns))
        self.matcher = _Matcher(entries)
        self._verdicts: dict[str, BoilerplateEntry | None] = {}

    def check(self, ctx):
        source = ctx.source
        fm = ctx.document.front_matter
        body_first = source.line_index(fm.span.end) + 1 if fm is not None else 0
        body = range(body_first, source.line_count)
        text, starts, ends = source.text, source.line_starts, source.line_ends
        nonblank = [i for i in body if text[starts[i]:ends[i]].strip(" \t")]  # not _is_blank(i)
        candidates = self._candidates(ctx, nonblank)
        if not candidates and not any(bullet in text for bullet in _AUTHOR_BOX_BULLETS):
            return  # no phrase line, and no author box (see _author_boxes): nothing to settle
        hits, boxes = self._settle(ctx, body, nonblank, candidates)
        yield from self._findings(source, hits, boxes)

    def _candidates(self, ctx, nonblank):
        """(line, entry) for every line that is a phrase of the pack wherever it stands."""
        source, doc = ctx.source, ctx.document
        text, n = source.text, source.line_count
        out: list[tuple[int, BoilerplateEntry]] = []
        starts, ends, verdicts = source.line_starts, source.line_ends, self._verdicts
        for i in nonblank:
            s, e = starts[i], ends[i]
            if e - s > 700:
                continue
            line = text[s:e]
            if verdicts.get(line, False) is None:
                continue  # known to be no phrase, wherever it stands
            first = e - len(line.lstrip(" \t"))
            if doc.is_code(first) or doc.is_html(first):
                continue
            entry = self._line_entry(line)
            if entry is None:
                continue
            if not entry.headings and (_HEADING_LEAD.match(line) or self._setext(source, i, n)):
                continue
            out.append((i, entry))
        return out

    def _line_entry(self, line: str) -> BoilerplateEntry | None:
        """The entry of the pack that ``line`` is a phrase of, wherever it stands. It depends on
        the line's text only, and the pages of a site repeat many lines (navigation, headings,
        table rules), so verdicts are kept, up to a bound."""
        verdicts = self._verdicts
        if line in verdicts:
            return verdicts[line]
        entry = None
        if not line.lstrip(" \t>").startswith("|"):  # not a table row
            core = line_core(line)
            if core and not ("[" in core and "]" in core) and not ("<" in core and ">" in core):
                entry = self.matcher.match(core)
        if len(verdicts) >= _MAX_VERDICTS:
            verdicts.clear()
        verdicts[line] = entry
        return entry

    def _settle(self, ctx, body, nonblank, candidates):
        """The phrase hits and author boxes, judged on the page as the fix leaves it.

        Where a line stands (among the first two, the last five, opening the last paragraphs)
        changes when the lines around it are removed: judged on the page as it is, removing
        a skip link would reveal an author box below it, and an author box would swallow a
        skip link glued under its bio. So the lines this rule removes are taken out and the
        verdict is taken again until it no longer changes (it only grows, so this ends)."""
        source = ctx.source
        removed: set[int] = set()
        hits, boxes = [], []
        for _ in range(len(nonblank) + 1):
            placed = [(i, e) for i, e in candidates if _in_place(i, e, nonblank, removed)]
            hits = self._runs(source, placed)
            kept = _kept_lines(source, body, [i for i, _ in hits], removed)
            boxes = self._author_boxes(ctx, kept)
            now = _removed_lines(source, hits, boxes)
            if now == removed:
                break
            removed = now
        return hits, boxes

    def _findings(self, source, hits, boxes):
        text = source.text
        removed = _removed_lines(source, hits, boxes)
        phrase_edits = {i: _line_delete_range(source, i, i, keep=removed - {i}) for i, _ in hits}
        spans = [(i, i, e) for i, e in hits] + [(a, b, None) for a, b in boxes]
        for first, last, entry in sorted(spans, key=lambda h: h[0]):
            s, e = source.line_starts[first], source.line_ends[first]
            line = text[s:e]
            start = s + len(line) - len(line.lstrip(" \t"))
            end = s + len(line.rstrip(" \t"))
            shown = " ".join(line_core(line).split())
            if entry is not None:
                a, b = phrase_edits[first]
                fix = Fix.delete(a, b, "Remove the line", Applicability.UNSAFE)
                what = entry.label
            else:
                # A box may hold or touch lines that are removed by their own fixes: it takes
                # what is left around them, since the edits of one rule never overlap.
                whole = _line_delete_range(source, first, last, keep=removed - set(range(first, last + 1)))
                pieces = _subtract(whole, sorted(phrase_edits.values()))
                fix = Fix(tuple(Edit(a, b) for a, b in pieces), Applicability.UNSAFE, "Remove the author box")
                what = "author box"
            yield self.finding(start, end, f"Scraped boilerplate ({what}): \"{shown}\"", fix=fix)

    @staticmethod
    def _setext(source, i, n):
        """Whether line ``i`` is underlined as a setext heading."""
        if i + 1 >= n:
            return False
        nxt = source.text[source.line_starts[i + 1]:source.line_ends[i + 1]].strip(" \t>")
        return bool(nxt) and (set(nxt) == {"="} or set(nxt) == {"-"})

    @staticmethod
    def _runs(source, hits):
        """Keep strong hits, and weak ones in a run (consecutive hit lines, at most one blank
        line between two of them) that holds a strong one."""
        out = []
        run: list[tuple[int, BoilerplateEntry]] = []
        text = source.text

        def flush():
            if any(e.alone for _, e in run):
                out.extend(run)

        for i, entry in hits:
            if run:
                prev = run[-1][0]
                between = [text[source.line_starts[j]:source.line_ends[j]].strip(" \t") for j in range(prev + 1, i)]
                if any(between) or len(between) > 1:
                    flush()
                    run = []
            run.append((i, entry))
        if run:
            flush()
        return out

    def _author_boxes(self, ctx, kept):
        """Author boxes closing the page, the last first: a blog post by two authors ends
        with two of them, and removing one must not reveal another."""
        boxes = []
        text = ctx.source.text
        if not any(bullet in text for bullet in _AUTHOR_BOX_BULLETS):
            return boxes  # no line can be a box's `• Name` line
        while (box := self._last_author_box(ctx, kept)) is not None:
            boxes.append(box)
            kept = kept[:kept.index(box[0])]
        return boxes

    @staticmethod
    def _last_author_box(ctx, kept):
        """(name line, last bio line) when the page's last paragraphs, in ``kept`` (the lines
        left after the other fixes), are a `• Name` line and a bio that starts with that
        name: the author box of a blog, flattened to text."""
        source, text = ctx.source, ctx.source.text
        content = [p for p, i in enumerate(kept) if not _is_blank(source, i)]
        if len(content) < 2:
            return None
        last = content[-1]
        opening = last  # where the last paragraph (the bio, or the name and the bio) opens
        while opening > 0 and not _is_blank(source, kept[opening - 1]):
            opening -= 1
        # The name is a paragraph of its own one blank line above the bio, or opens the bio's.
        for name_at, bio_at in ((opening - 2, opening), (opening, opening + 1)):
            if name_at < 0 or bio_at > last or (name_at > 0 and not _is_blank(source, kept[name_at - 1])):
                continue
            if bio_at == name_at + 2 and not _is_blank(source, kept[name_at + 1]):
                continue
            i, j = kept[name_at], kept[bio_at]
            m = _AUTHOR_BOX_NAME.fullmatch(text[source.line_starts[i]:source.line_ends[i]])
            if not m or ctx.document.is_code(source.line_starts[i] + m.start(1)):
                continue
            bio = text[source.line_starts[j]:source.line_ends[j]].strip(" \t")
            name = " ".join(m.group(1).split())
            if re.match(re.escape(name) + r"\s+(?:is|was|has|works|leads|joined|serves)\b", bio):
                return i, kept[last]
        return None


def _is_blank(source, i: int) -> bool:
    return not source.text[source.line_starts[i]:source.line_ends[i]].strip(" \t")


def _removed_lines(source, hits, boxes) -> set[int]:
    """The non-blank lines that the fixes of the hits and the author boxes delete."""
    boxed = (j for a, b in boxes for j in range(a, b + 1) if not _is_blank(source, j))
    return {i for i, _ in hits} | set(boxed)


def _in_place(i: int, entry: BoilerplateEntry, nonblank: list[int], removed: set[int]) -> bool:
    """Whether line ``i`` stands where its entry may (among the first two or the last five
    non-blank lines), not counting the lines that are removed."""
    if entry.position == "any":
        return True
    if entry.position == "top":
        before = [j for j in nonblank if j < i and j not in removed]
        return len(before) < 2
    after = [j for j in nonblank if j > i and j not in removed]
    return len(after) < 5


def _kept_lines(source, body, hits: list[int], removed: set[int]) -> list[int]:
    """The body's lines (blank ones too) that remain once the phrase hits are deleted."""
    gone: set[int] = set()
    for i in hits:
        a, b = _line_delete_range(source, i, i, keep=(removed | set(hits)) - {i})
        if b > a:
            gone.update(range(source.line_index(a), source.line_index(b - 1) + 1))
    return [i for i in body if i not in gone]


def _subtract(whole: tuple[int, int], taken: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The parts of the range ``whole`` outside the sorted ranges ``taken``."""
    out, pos = [], whole[0]
    for a, b in taken:
        if b <= pos or a >= whole[1]:
            continue
        if a > pos:
            out.append((pos, a))
        pos = max(pos, b)
    if pos < whole[1]:
        out.append((pos, whole[1]))
    return out

RULES = [StageDirection, ScrapedBoilerplate, GluedWords, StrayFragment]
