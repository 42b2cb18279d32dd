"""Words (TL211, TL240): known misspellings and repeated words in prose.

Both rules read prose only (:func:`talklint.prose.excluded_ranges`: never code, HTML, link
destinations, bare URLs, e-mail addresses, @handles or front-matter keys) and only Latin-script
words; text in another Latin-script language than English is left alone (see
:func:`page_language` and :func:`foreign_sentence`, shared with :mod:`.spacing`).

Speed: the misspelling dictionary (about 94,000 entries, sorted) is read once per process; a
page is lower-cased and split into its set of letter runs, which are looked up by binary search
in the dictionary's text (after many pages, intersected with its set of misspellings in C), and
only the rare hits are located with a regex built from them.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import operator
import re
import sys
from collections.abc import Mapping
from pathlib import Path

from pydantic import Field, field_validator

from ..finding import Applicability, Fix
from ..lazyre import LazyPattern
from ..prose import excluded_ranges
from ..rule import Rule, RuleOptions

# -- languages ----------------------------------------------------------------------------------

# Front-matter keys that name a page's language, and path parts that do (`/fr/`, `index.fr.md`).
_LANG_KEYS = ("lang", "language", "locale", "languageCode", "language_code")
_PATH_LANG = LazyPattern(r"(?:^|[/\\._])(fr|de|es|it|pt|nl|pl|cs|sv|da|no|nb|fi|tr|ro|hu|ca|id|vi|en|"
                        r"zh|ja|ko)(?:[-_][A-Za-z]{2,4})?(?=[/\\.]|$)", re.IGNORECASE)

# Function words that are not English words (or very rare ones): two of one language in a
# sentence, and more than its English function words, make it a sentence in that language.
_FOREIGN_WORDS = {
    "fr": "le la les des du et est une pour dans avec sur pas qui que nous vous il elle ce cette "
          "aux par plus sont être été mais ou où leur très aussi entre sans sous chez comme à au tous "
          "toutes votre vos notre nos ces cet",
    "de": "der die das und ist nicht mit für auf den dem ein eine einer sich von zu im wir sie "
          "es auch wird werden oder bei ich du uns zum zur über nach sind wie",
    "es": "el la los las y es una para con por del que en se su al como más pero sus este esta "
          "son muy también entre sobre",
    "it": "il lo la gli le è una per con del della che di non sono questo questa come più ma "
          "nel alla anche tra sulla dei delle",
    "pt": "os as é um uma para com do da que não em na dos das como mais mas por seu sua são "
          "também ao entre sobre",
    "nl": "de het een en van voor met op dat die niet zijn wij ze ook bij naar maar er wordt "
          "deze dit ons",
}
_ENGLISH_WORDS = frozenset(
    "the and of to is in that for with this you are on be we will it as at by from an our "
    "your about how can have has was which what who or not all their they more".split())
_FOREIGN = {lang: frozenset(words.split()) - _ENGLISH_WORDS for lang, words in _FOREIGN_WORDS.items()}
_WORD_RUN = re.compile(r"[^\W\d_]+")
_SENTENCE_END = LazyPattern(r"[.!?。！？]\s|\n\s*\n")


def page_language(ctx) -> str | None:
    """The language a page declares: a front-matter ``lang``/``language``/``locale`` value, else
    a language code as a path part (``content/fr/…``, ``talk.fr.md``); lower-case, two letters;
    None when it says nothing."""
    cached = ctx.shared.get("words.page_language", False)
    if cached is not False:
        return cached
    lang = None
    fm = ctx.document.front_matter
    if fm is not None and isinstance(fm.data, dict):
        for key in _LANG_KEYS:
            value = fm.data.get(key)
            if isinstance(value, str) and re.match(r"^[A-Za-z]{2}\b", value.strip()):
                lang = value.strip()[:2].lower()
                break
    if lang is None and ctx.path:
        found = _PATH_LANG.findall(str(ctx.path))
        if found:
            lang = found[-1].lower()
    ctx.shared["words.page_language"] = lang
    return lang


def line_start(text: str, pos: int, limit: int = 400) -> int:
    """The start of the line holding ``pos``, looking back at most ``limit`` characters (a
    bounded search keeps rules linear on files with very long lines)."""
    lo = max(0, pos - limit)
    return text.rfind("\n", lo, pos) + 1 or lo


def line_end(text: str, pos: int, limit: int = 400) -> int:
    """The end of the line holding ``pos`` (before its line break), at most ``limit`` ahead."""
    hi = min(len(text), pos + limit)
    found = text.find("\n", pos, hi)
    return hi if found < 0 else found


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence (at most the line, or 400 characters each side) around ``start..end``."""
    lo = line_start(text, start)
    hi = line_end(text, end)
    line = text[lo:hi]
    s, e = 0, len(line)
    for m in _SENTENCE_END.finditer(line):
        if m.end() <= start - lo:
            s = m.end()
        elif m.start() >= end - lo:
            e = m.start() + 1
            break
    return lo + s, lo + e


def foreign_sentence(text: str, start: int, end: int) -> str | None:
    """The language of the sentence around ``start..end`` when it is clearly one of the
    Latin-script languages above (two of its function words, more than English ones)."""
    s, e = sentence_bounds(text, start, end)
    found = _language_of(text[s:e])
    if found is None:  # a short sentence says little: look at its line
        lo, hi = line_start(text, start), line_end(text, end)
        if (lo, hi) != (s, e):
            found = _language_of(text[lo:hi])
    return found if found != "en" else None


def _language_of(text: str) -> str | None:
    """"en", another language code, or None when the function words do not tell."""
    words = [w.lower() for w in _WORD_RUN.findall(text)]
    english = sum(w in _ENGLISH_WORDS for w in words)
    best, score = None, 0
    for lang, vocab in _FOREIGN.items():
        n = sum(w in vocab for w in words)
        if n > score:
            best, score = lang, n
    if score >= 2 and score > english:
        return best
    if english >= 2 and english >= score:
        return "en"
    return None


def is_english_context(ctx, start: int, end: int) -> bool:
    """False on a page that declares another Latin-script language, or in a sentence written in
    one. Pages in Chinese, Japanese or Korean count as English here: the Latin words in them are
    English names and terms."""
    lang = page_language(ctx)
    if lang is not None and lang not in ("en", "zh", "ja", "ko"):
        return False
    return foreign_sentence(ctx.source.text, start, end) is None


# -- shared helpers -----------------------------------------------------------------------------

_TEXT_BLOCKS = frozenset(("paragraph", "heading", "block_text", "table_cell"))


def text_blocks(ctx) -> tuple[list[int], list[int]]:
    """Starts and ends of the blocks holding inline text (paragraphs, headings, tight list
    items, table cells) and of the front matter's string values, sorted; cached per file."""
    cached = ctx.shared.get("words.blocks")
    if cached is not None:
        return cached
    spans = [(n.span.start, n.span.end) for n in ctx.document.walk() if n.type in _TEXT_BLOCKS]
    fm = ctx.document.front_matter
    if fm is not None:
        spans += [(f.value_span.start, f.value_span.end) for f in fm.fields.values()
                  if f.value_span is not None and isinstance(f.value, str)]
    spans.sort()
    result = ([s for s, _ in spans], [e for _, e in spans])
    ctx.shared["words.blocks"] = result
    return result


def same_block(ctx, a: int, b: int) -> bool:
    """True when offsets ``a`` and ``b`` lie in one text block (the innermost that holds ``a``)."""
    starts, ends = text_blocks(ctx)
    i = bisect.bisect_right(starts, a) - 1
    for j in range(i, max(-1, i - 8), -1):  # blocks nest only a few deep
        if a < ends[j]:
            return b < ends[j]
    return False


def line_prefix_is_markup(text: str, start: int) -> bool:
    """True when everything on the line before ``start`` is indentation or block markup
    (block quote ``>``, list markers, a task box, heading ``#``s)."""
    begin = line_start(text, start, 200)
    if begin > 0 and text[begin - 1] != "\n":
        return False  # a line this long has text before the position
    return _MARKUP_PREFIX.fullmatch(text, begin, start) is not None


_MARKUP_PREFIX = LazyPattern(r"[ \t>]*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+)*(?:\[[ xX]\][ \t]+)?(?:#{1,6}[ \t]*)?")


def keep_case(found: str, replacement: str) -> str:
    """``recieve`` → ``receive``, ``Recieve`` → ``Receive``, ``RECIEVE`` → ``RECEIVE``."""
    if found.isupper() and len(found) > 1:
        return replacement.upper()
    if found[:1].isupper():
        return replacement[:1].upper() + replacement[1:]
    return replacement


# -- TL211 misspelling ----------------------------------------------------------------------------

def builtin_dictionary_path() -> Path:
    from ..registry import builtin_pack_dir

    folder = builtin_pack_dir()
    if folder is None:  # pragma: no cover - a broken installation
        raise FileNotFoundError("talklint's rules/ folder is missing")
    return folder / "misspellings" / "typos-en.csv"


class DictionaryError(ValueError):
    """A misspelling file that cannot be read; the message names the file and the line."""


# A plain entry line: what a list needs no stripping or checking for.
_PLAIN_ENTRY = re.compile(r"^([a-z]+)(?:,[^\s,]+)+$", re.MULTILINE)
_ENTRY_KEY = re.compile(r"\n([a-z]+),")  # a key after a line break: scanned for line by line
_EMPTY_FIELD = re.compile(r",[,\n]|,\Z")
# White space but the line break: none may be in an entry (`\s` is str.isspace()).
_BLANKS = ("\t\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
           "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")


def _plain_keys(text: str) -> list[str] | None:
    """The keys when ``text`` is comment lines, then plain entries, each on one line, and
    perhaps a last line break: the shape of the shipped list, told by C-level string searches
    and one regex that jumps from line break to line break. None when it is not sure.

    The general test matches every line in full, which made it a good part of a one-file run.
    """
    body = 0
    while text.startswith("#", body):  # the header comment
        body = text.find("\n", body) + 1
        if body == 0:
            return []
    if (body == len(text) or " " in text[body:] or any(c in text for c in _BLANKS if c != " ")
            or _EMPTY_FIELD.search(text)):
        return None
    # One key at each line start of the body: then no line is empty, a comment or other.
    lines = text.count("\n", body) + (not text.endswith("\n"))
    keys = _ENTRY_KEY.findall(text, body - 1) if body else _ENTRY_KEY.findall("\n" + text)
    return keys if len(keys) == lines else None


class _KeyedWords(Mapping):
    """A read-only word list whose set of misspellings is known (``keys_set``); the
    corrections are looked up only for the words a page holds."""

    keys_set: frozenset[str]

    def __contains__(self, word: object) -> bool:
        return word in self.keys_set

    def __iter__(self):
        return iter(self.keys_set)

    def __len__(self) -> int:
        return len(self.keys_set)


# Words a list looks up one by one in its sorted text before it builds its set of keys: about
# what building the set costs, so a run of a few files never builds it and a long run soon does.
_LOOKUPS_BEFORE_SET = 8_000


class PlainList(_KeyedWords):
    """A list whose lines are all plain entries, comments or empty, read lazily.

    The shipped list has 94,000 lines and a one-file run looks up a few of them: a dict of them
    all took most of that run's start-up time, and so did the set of its misspellings (one
    regex pass). So a sorted list (:meth:`searched`) looks a page's words up by binary search
    over its bytes, not even decoded, and builds the set only once a run has looked up many
    words (then one C-level intersection per page is cheaper). An entry's corrections are read
    from its line when asked; a repeated misspelling resolves to its last line, as in a dict.
    """

    def __init__(self, text: str, keys: frozenset[str]) -> None:
        self._text = "\n" + text
        self.keys_set = keys
        self._raw = b""
        self._index: dict[str, tuple[int, int]] | None = None
        self._lookups = 0
        self._read: dict[str, tuple[str, ...]] = {}  # each search scans the whole text

    @classmethod
    def searched(cls, raw: bytes, index: dict[str, tuple[int, int]]) -> "PlainList":
        """The list of the UTF-8 ``raw``, sorted, with its :func:`sorted_index`."""
        self = cls.__new__(cls)
        self._raw, self._index, self._lookups, self._read = raw, index, 0, {}
        return self

    @functools.cached_property
    def _text(self) -> str:  # a searched list decodes its text only for a whole-list question
        return "\n" + self._raw.decode("utf-8")

    @functools.cached_property
    def keys_set(self) -> frozenset[str]:  # a searched list is plain: one entry a line
        return frozenset(_ENTRY_KEY.findall(self._text))

    def _searching(self) -> bool:
        return self._index is not None and "keys_set" not in self.__dict__

    def __contains__(self, word: object) -> bool:
        if self._searching() and isinstance(word, str):
            return self._find(word) >= 0
        return word in self.keys_set

    def hits(self, words) -> frozenset[str]:
        """The misspellings among ``words``: ``keys_set.intersection(words)``."""
        if self._searching() and self._lookups < _LOOKUPS_BEFORE_SET:
            distinct = set(words)
            self._lookups += len(distinct)
            return frozenset(w for w in distinct if self._find(w) >= 0)
        return self.keys_set.intersection(words)

    def _find(self, word: str) -> int:
        """Where the line of ``word`` starts in the bytes (its line break), or -1: a binary
        search over the lines of its two-letter bucket, which the index gives as ``(first,
        end)`` offsets. Misspellings are ASCII, and compare as their bytes do."""
        bucket = self._index.get(word[:2])
        if bucket is None or not word.isascii():
            return -1
        raw, key = self._raw, word.encode("ascii")
        lo, hi = bucket
        while lo < hi:  # lo is always at a line break; hi at one or at the bucket's end
            start = raw.rfind(b"\n", lo, (lo + hi) // 2 + 1)
            comma = raw.find(b",", start)
            found = raw[start + 1:comma]
            if found == key:
                return start
            if found < key:
                following = raw.find(b"\n", comma, hi)
                lo = hi if following < 0 else following
            else:
                hi = start
        return -1

    @classmethod
    def of(cls, text: str) -> "PlainList | None":
        """The list, or None when a line is neither a plain entry, a comment nor empty."""
        keys = _plain_keys(text)
        if keys is None:
            keys = _PLAIN_ENTRY.findall(text)
            lines = text.split("\n")
            comments = text.count("\n#") + text.startswith("#")
            if len(keys) != len(lines) - lines.count("") - comments:
                return None
        return cls(text, frozenset(keys))

    def __getitem__(self, word: str) -> tuple[str, ...]:
        found = self._read.get(word)
        if found is not None:
            return found
        if word not in self:
            raise KeyError(word)
        if self._searching():
            raw = self._raw
            start = self._find(word) + len(word) + 2
            end = raw.find(b"\n", start)
            line = (raw[start:] if end < 0 else raw[start:end]).decode("utf-8")
        else:
            text = self._text
            start = text.rfind(f"\n{word},") + len(word) + 2
            end = text.find("\n", start)
            line = text[start:] if end < 0 else text[start:end]
        found = self._read[word] = tuple(line.split(","))
        return found

    def items(self):  # one pass, not a search per entry (user lists are merged with this)
        return [(wrong, tuple(rest.split(","))) for wrong, _, rest in
                (line.partition(",") for line in self._text.split("\n") if line and line[0] != "#")]


def parse_dictionary(text: str, where: str) -> Mapping[str, tuple[str, ...]]:
    """``misspelling,correction[,correction…]`` lines; ``#`` starts a comment line."""
    plain = PlainList.of(text)
    if plain is not None:
        return plain
    out: dict[str, tuple[str, ...]] = {}
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.split(",")]
        wrong, fixes = parts[0].lower(), tuple(p for p in parts[1:] if p)
        if not re.fullmatch(r"[a-z]+", wrong) or not fixes:
            raise DictionaryError(f"{where}:{n}: want `misspelling,correction[,correction...]` "
                                  f"with a misspelling of ASCII letters, got {line!r}")
        out[wrong] = fixes
    return out


def sorted_index(raw: bytes) -> dict[str, tuple[int, int]] | None:
    """For a UTF-8 list of comment lines (at least one) then plain entries (see
    :func:`_plain_keys`) in strictly increasing order of misspelling: the first two letters of
    each misspelling → the offsets, in ``raw``, of the line break before the first line with
    that start and of the end of the last one. None for any other list: it is read into a set."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    keys = _plain_keys(text)
    if (not text.startswith("#") or not keys
            or not all(map(operator.lt, keys, itertools.islice(keys, 1, None)))):
        return None
    # In key order, the first line of each bucket is the first line after the previous bucket
    # that starts with its two letters (the header puts a line break before every entry).
    firsts, pos = [], 0
    for prefix in sorted({key[:2] for key in keys}):
        pos = raw.find(b"\n" + prefix.encode("ascii"), pos)
        firsts.append((prefix, pos))
    ends = [pos for _, pos in firsts[1:]] + [len(raw) - raw.endswith(b"\n")]
    return {prefix: (first, end) for (prefix, first), end in zip(firsts, ends)}


@functools.lru_cache(maxsize=2)
def shipped_dictionary(path: str, mtime: float = 0.0) -> Mapping[str, tuple[str, ...]]:
    """The list shipped with talklint: searched in its sorted text, through an index kept
    beside it (:func:`talklint.registry.load_shipped`) as its order is checked only once."""
    from ..registry import load_shipped

    try:
        raw = Path(path).read_bytes()
    except OSError:
        return load_dictionary(path, mtime)  # which names the file in its error
    index = load_shipped(Path(path), lambda: sorted_index(raw), code=(__file__,), raw=raw)
    if index is None:
        return load_dictionary(path, mtime)
    return PlainList.searched(raw, index)


@functools.lru_cache(maxsize=8)
def load_dictionary(path: str, mtime: float = 0.0) -> Mapping[str, tuple[str, ...]]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DictionaryError(f"{path}: cannot read misspelling file: {exc}") from None
    return parse_dictionary(text, path)


# A candidate word: ASCII letters, with an apostrophe ending (`Recieve's`, `dont't`) kept apart.
# Not part of a longer token: no letter, digit, underscore or mark of an identifier, path,
# domain, file name, handle, option or entity beside it.
_LEFT = r"(?<![\w@#$%&/\\.=~^+'’])(?:(?<=[A-Za-z]-)|(?<!-))"
_RIGHT = r"(?![\w@/\\=(])(?!\.\w)(?:(?=-[A-Za-z])|(?!-))"
_LOWER_RUNS = re.compile(r"[a-z]+")
# Every byte but a-z becomes a space. UTF-8 writes ASCII characters as themselves and every
# other character with bytes 0x80-0xFF only, so the words of the translated bytes are exactly
# the runs `_LOWER_RUNS` finds in the text, split in C without a match object per word.
_A_TO_Z_ONLY = bytes(c if 0x61 <= c <= 0x7A else 0x20 for c in range(256))


def lower_letter_runs(ctx) -> list[str]:
    """``_LOWER_RUNS.findall(text.lower())`` of the page, once per file: TL211 looks the runs up
    in its dictionary, TL240 looks for two equal runs in a row."""
    runs = ctx.shared.get("words.lower-runs")
    if runs is None:
        lowered = ctx.source.text.lower().encode("utf-8", "surrogatepass")
        runs = ctx.shared["words.lower-runs"] = lowered.translate(_A_TO_Z_ONLY).decode("ascii").split()
    return runs


class Misspelling(Rule):
    """## What it does
    Finds common misspellings of English words, such as `recieve`, `occured`, `seperate` or
    `definately`, from a list of known misspellings with their corrections (not a spell
    checker: a word that is not on the list is never reported).

    The list ships with talklint (`rules/misspellings/typos-en.csv`: the dictionary of
    crate-ci/typos, MIT OR Apache-2.0, without the entries that are English words, that are
    words in two or more other languages, that look like hexadecimal, and most three-letter
    ones). Add your own lists with `extend-files` or `extend-words`, and exempt words with
    `allow`.

    Only prose is read. Never reported:
    - code, HTML, link destinations, bare URLs, e-mail addresses, @handles, front-matter keys
      (front-matter string values are prose);
    - a word glued to a digit, an underscore, a slash, a dot and a letter (`016749ba5d`,
      `seperate_files`, `docs/seperate`, `seperate.py`), or an option (`--seperate`);
    - words with a capital inside (`McKenzie`), words in capitals (acronyms), and capitalised
      words in the middle of a sentence, which are usually names; in a heading or title
      written in Title Case, capitalised words are checked;
    - text on a page that declares another Latin-script language (`lang: fr`, `/de/` in its
      path) or a sentence written in one (its function words tell).

    ## Why is this bad?
    A misspelt word on a talk page looks careless, and it is copied into schedules, apps and
    search results. Misspellings in titles and abstracts also make the talk harder to find.

    ## Example
    ```markdown
    Attendees will recieve a certificate; the workshop is seperate from the talk.
    ```
    Use instead:
    ```markdown
    Attendees will receive a certificate; the workshop is separate from the talk.
    ```

    ## Fix
    Replaces the word with its correction, keeping its case (`Recieve` → `Receive`): safe when
    the list gives one correction; when it gives several the candidates are only shown.

    ## Options
    - `allow`: words never reported (any case).
    - `extend-words`: more entries, `{misspelling = "correction"}` (a list for several).
    - `extend-files`: more files in the same format as the shipped one
      (`misspelling,correction[,correction…]` lines, `#` comments), relative to the config file.
    """

    code = "TL211"
    name = "misspelling"
    summary = "A known misspelling of an English word"
    fixable = "sometimes"

    class Options(RuleOptions):
        allow: list[str] = Field(default_factory=list, description="Words never reported (any case).")
        extend_words: dict[str, str | list[str]] = Field(
            default_factory=dict, description="More `misspelling = correction` entries.")
        extend_files: list[str] = Field(
            default_factory=list, description="More misspelling files (CSV lines `misspelling,correction`), "
            "relative to the config file.")

        @field_validator("extend_words")
        @classmethod
        def _words(cls, v):
            for wrong, right in v.items():
                if not re.fullmatch(r"[A-Za-z]+", wrong):
                    raise ValueError(f"{wrong!r}: a misspelling is one word of ASCII letters")
                fixes = [right] if isinstance(right, str) else right
                if not fixes or not all(isinstance(f, str) and f.strip() for f in fixes):
                    raise ValueError(f"{wrong!r}: needs a correction")
            return v

    def __init__(self, options=None):
        super().__init__(options)
        self._dictionary: _Words | None = None

    def dictionary(self, ctx) -> "_Words":
        if self._dictionary is not None:
            return self._dictionary
        path = builtin_dictionary_path()
        shipped = shipped_dictionary(str(path), path.stat().st_mtime)
        added: dict[str, tuple[str, ...]] = {}
        root = getattr(getattr(ctx, "config", None), "root", None) or Path.cwd()
        for name in self.options.extend_files:
            extra = Path(name) if Path(name).is_absolute() else Path(root) / name
            stat = extra.stat() if extra.exists() else None
            added.update(load_dictionary(str(extra), stat.st_mtime if stat else 0.0).items())
        for wrong, right in self.options.extend_words.items():
            added[wrong.lower()] = (right,) if isinstance(right, str) else tuple(right)
        allowed = frozenset(word.lower() for word in self.options.allow)
        self._dictionary = _Words(shipped, added, allowed)
        return self._dictionary

    def check(self, ctx):
        words = self.dictionary(ctx)
        text = ctx.source.text
        hits = words.hits(lower_letter_runs(ctx))
        if not hits:
            return
        alternation = "|".join(sorted(hits, key=len, reverse=True))
        rx = re.compile(rf"{_LEFT}(?i:{alternation}){_RIGHT}")
        skip = excluded_ranges(ctx)
        for m in rx.finditer(text):
            s, e = m.span()
            found = m.group()
            if skip.overlaps(s, e) or not self._checkable(ctx, found, s) or _in_identifier(ctx, s, e):
                continue
            if not is_english_context(ctx, s, e):
                continue
            fixes = [keep_case(found, f) for f in words[found.lower()]]
            if len(fixes) == 1:
                fix = Fix.replace(s, e, fixes[0], f"Replace with `{fixes[0]}`")
                message = f"`{found}` is a misspelling of `{fixes[0]}`"
            else:
                shown = ", ".join(f"`{f}`" for f in fixes)
                fix = Fix.replace(s, e, fixes[0], f"Replace with one of {shown}", Applicability.DISPLAY)
                message = f"`{found}` is a misspelling of one of {shown}"
            yield self.finding(s, e, message, fix=fix)

    def _checkable(self, ctx, word: str, start: int) -> bool:
        if word.islower():
            return True
        if word.isupper() or any(c.isupper() for c in word[1:]):
            return False  # an acronym or a name with a capital inside (McKenzie, iPhone)
        return sentence_start(ctx.source.text, start) or title_case_block(ctx, start)


class _Words(_KeyedWords):
    """The shipped list with the configured entries added and the allowed words taken out,
    without copying the shipped list (nor building its set of keys: see :class:`PlainList`)."""

    def __init__(self, shipped: Mapping[str, tuple[str, ...]], added: dict[str, tuple[str, ...]],
                 allowed: frozenset[str]) -> None:
        self._shipped, self._added, self._allowed = shipped, added, allowed

    @functools.cached_property
    def keys_set(self) -> frozenset[str]:
        return _keys_of(self._shipped).union(self._added).difference(self._allowed)

    def __contains__(self, word: object) -> bool:
        return word not in self._allowed and (word in self._added or word in self._shipped)

    def hits(self, words) -> frozenset[str]:
        """The misspellings among ``words`` (a page's letter runs): ``keys_set & words``."""
        shipped = self._shipped
        if not isinstance(shipped, PlainList):
            return self.keys_set.intersection(words)
        if not (self._added or self._allowed):
            return shipped.hits(words)
        words = set(words)
        return (shipped.hits(words) | self._added.keys() & words) - self._allowed

    def __getitem__(self, word: str) -> tuple[str, ...]:
        if word not in self:
            raise KeyError(word)
        found = self._added.get(word)
        return found if found is not None else self._shipped[word]


def _keys_of(words: Mapping[str, tuple[str, ...]]) -> frozenset[str]:
    return words.keys_set if isinstance(words, _KeyedWords) else frozenset(words)


_OPENERS = " \t*_\"'“‘([>#-+`"
_TRAILING_COMMENT = re.compile(r"(?:\s*<!--.*?-->)+\s*$")
_TOKEN_MARKS = re.compile(r"[/\\_@={}<>]|[a-z][A-Z]")
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+){2,}")  # `sqlflow-ai-didi-antfin`


def _in_identifier(ctx, start: int, end: int) -> bool:
    """True when the word is part of a longer token that is a path, a slug or an identifier
    (`content/ospp-exprience-sharing`, `my_seperate-lib`), or is the whole of a one-word
    front-matter value (`slug: sebastiaan-zeeff`, `image: recieve.png`)."""
    text = ctx.source.text
    s, e = start, end
    lo, hi = max(0, start - 200), min(len(text), end + 200)
    while s > lo and not text[s - 1].isspace():
        s -= 1
    while e < hi and not text[e].isspace():
        e += 1
    token = text[s:e].strip("*_`'\"“”‘’()[],.;:!?")
    if token != text[start:end] and (_TOKEN_MARKS.search(token) or _SLUG.fullmatch(token)):
        return True
    fm = ctx.document.front_matter
    if fm is not None and fm.span.start <= start < fm.span.end:
        for f in fm.fields.values():
            span = f.value_span
            if span is not None and span.start <= start < span.end:
                return not any(c.isspace() for c in str(f.value).strip())
    return False


def sentence_start(text: str, start: int) -> bool:
    """True when the word at ``start`` begins a sentence: nothing but opening quotes, brackets
    and markup before it back to a sentence end (``.!?:``), a blank line, the start of the text
    or a line that starts a block (heading, list item, block quote)."""
    i = start - 1
    while i >= 0 and text[i] in _OPENERS:
        i -= 1
    if i < 0:
        return True
    c = text[i]
    if c in ".!?:;…。！？：":
        return True
    if c not in "\r\n":
        return bool(re.fullmatch(r"\d{1,9}[.)]", text[line_start(text, i, 20):i + 1].strip()))
    # The word starts a line: a new sentence if the line starts a block or the line before ends one.
    if line_prefix_is_markup(text, start) and text[line_start(text, start):start].strip():
        return True
    prev_end = i - 1 if text[i] == "\n" and i > 0 and text[i - 1] == "\r" else i
    prev_line = text[line_start(text, prev_end):prev_end]
    prev_line = _TRAILING_COMMENT.sub("", prev_line).rstrip(" \t")
    return not prev_line.strip(" \t>") or prev_line[-1] in ".!?:;…。！？："


def title_case_block(ctx, offset: int) -> bool:
    """True when ``offset`` lies in a heading (or the front matter's ``title``) in Title Case:
    most of its words of four letters or more start with a capital."""
    cache = ctx.shared.setdefault("words.title_case", {})
    for span in _title_spans(ctx):
        if span[0] <= offset < span[1]:
            if span not in cache:
                words = [w for w in re.findall(r"[A-Za-z]{4,}", ctx.source.text[span[0]:span[1]])]
                caps = sum(w[0].isupper() for w in words)
                cache[span] = len(words) >= 2 and caps >= 0.7 * len(words)
            return cache[span]
    return False


def _title_spans(ctx) -> list[tuple[int, int]]:
    cached = ctx.shared.get("words.title_spans")
    if cached is None:
        cached = [(n.span.start, n.span.end) for n in ctx.document.walk() if n.type == "heading"]
        fm = ctx.document.front_matter
        if fm is not None:
            f = fm.fields.get("title")
            if f is not None and f.value_span is not None:
                cached.append((f.value_span.start, f.value_span.end))
        ctx.shared["words.title_spans"] = cached
    return cached


# -- TL240 repeated-word ----------------------------------------------------------------------------

# Repeats that are English (`that that`, `had had`, `is is`), names (`Bora Bora`, `Duran Duran`),
# interjections and onomatopoeia (`ha ha`, `bye bye`, `knock knock`), emphasis (`very very`) or
# tech (`long long`, `foo foo`).
LEGIT_REPEATS = frozenset("""
that had is do did does can will in on up out off there here now well very really so no more far
much many long ha haha hah he hee ho hi hey ah aw oh uh um mm hmm yeah yes bye bla blah yada tut
tsk knock chop go hip ding dong bang boom bam beep boo choo la da dum rah yo pew wow night cha
tick tock pom tom quack woof meow baa moo bling wah boing zoom zig puff foo bar baz qux spam eggs
""".split())
LEGIT_NAMES = frozenset("""
Bora Walla Duran Pago Baden Sing Mahi Humbert Sirhan Talk Cash Mau Tora Chop Wagga Kuala Bye
Cous Dum Tse Lu Aye Gaga Ylang Yum Cha The Ba Da No Na Wang Li Lee Kim Ali Bala Baba Mama Papa
Nana Lulu Bobo
""".split())
# Capitalised repeats are reported only for these words (`The the`, `And and`): any other may be
# a name (`Bora Bora`, `Humbert Humbert`).
FUNCTION_WORDS = frozenset("""
the a an and or but of to in on at for with from by as is are was were be been it its this
these those their our your my his her we you they i if than then when which who
""".split())

# The backreference matches case-insensitively (re.IGNORECASE), so the regex engine, not Python,
# finds the candidates; _repeat() then applies the case rules.
# An invisible character left after the first word (a zero-width space, a word joiner, a BOM)
# does not separate it from the second one on the page.
# The first word is possessive (`++`, Python 3.11+): a shorter part of it is followed by a
# letter, never by a gap, so giving letters back could not match; not trying saves 40%.
_POSSESSIVE = "++" if sys.version_info >= (3, 11) else "+"
_REPEAT = LazyPattern(
    rf"(?<![\w'’-])([A-Za-z]{_POSSESSIVE})"
    r"([\u200b\u2060\ufeff]*(?:[ \t]+|[ \t]*(?:\r\n|\r|\n)[ \t>]*))"
    r"(\1)(?![\w'’-])", re.IGNORECASE)
_GAP = r"(?:[ \t]+|[ \t]*(?:\r\n|\r|\n)[ \t>]*)"
# The characters but ASCII letters that `[A-Za-z]` matches under re.IGNORECASE (their case folds
# to an ASCII letter); no other character lowers to an ASCII letter either.
_FOLDING_LETTERS = "\u0130\u0131\u017f\u212a"  # İ ı ſ K (Kelvin)


def _may_repeat(ctx) -> bool:
    """False only when `_REPEAT` cannot match: most pages have no word twice in a row, and two
    equal neighbours in a list of runs cost far less to look for than the regex's scan.

    Sound: without the folding letters, a match's two words are runs of ASCII letters with no
    letter before, between (the gap) or after them, equal when lower-cased; lower-casing turns
    no other character into an ASCII letter, so they are two equal runs in a row of
    :func:`lower_letter_runs`. With a folding letter on the page the regex decides."""
    text = ctx.source.text
    if any(c in text for c in _FOLDING_LETTERS):
        return True
    runs = lower_letter_runs(ctx)
    return any(map(operator.eq, runs, itertools.islice(runs, 1, None)))


class RepeatedWord(Rule):
    """## What it does
    Finds a word written twice in a row (`the the`), also when the second one starts the next
    line of the same paragraph. The second word is reported.

    Not reported:
    - repeats that are correct English or names: `that that`, `had had`, `is is`, `do do`,
      `very very`, `ha ha`, `bye bye`, `Bora Bora`, `Walla Walla`, `Duran Duran`, and
      tech prose such as `long long` or `foo foo`;
    - two words that differ in case (`Buffalo buffalo`), except function words at the start
      of a sentence (`The the`);
    - capitalised or upper-case repeats other than function words (`Talk Talk`, `AI AI`): they
      are usually names;
    - words in different blocks (a heading and the paragraph after it, two list items, two
      table cells), code, HTML, URLs, numbers, non-Latin scripts (reduplication is normal in
      Chinese), and text in other Latin-script languages.

    ## Why is this bad?
    A doubled word is one of the most common typing and editing slips, and the eye skips it,
    especially across a line break. It looks careless on a published page.

    ## Example
    ```markdown
    Join us for the
    the keynote on Monday.
    ```
    Use instead:
    ```markdown
    Join us for the
    keynote on Monday.
    ```

    ## Fix
    Safe. On one line, deletes the second word and the space before it. Across a line break
    the line structure is kept: the first word and the space before it are deleted at the end
    of its line, or, when the first word starts its line, the second word and the spaces after
    it; when neither works (a line of just that word, before punctuation) there is no fix.
    """

    code = "TL240"
    name = "repeated-word"
    summary = "A word written twice in a row (`the the`)"
    fixable = "sometimes"

    def check(self, ctx):
        if not _may_repeat(ctx):
            return
        text = ctx.source.text
        skip = None
        pos = 0
        while True:
            m = _REPEAT.search(text, pos)
            if m is None:
                return
            first, gap, second = m.group(1), m.group(2), m.group(3)
            pos = m.start(3)  # the second word may start the next repeat
            if not self._repeat(first, second):
                continue
            if skip is None:
                skip = excluded_ranges(ctx)
            s1, e1, s2, e2 = m.start(1), m.end(1), m.start(3), m.end(3)
            if skip.overlaps(s1, e2) or not same_block(ctx, s1, s2):
                continue
            if not is_english_context(ctx, s1, e2):
                continue
            # A longer run (`the the the`) is one finding, at its second word.
            last, count = e2, 2
            repeat = _GAP + re.escape(second) + r"(?![\w'’-])"
            whole = re.compile(f"(?:{repeat})*").match(text, e2).end()
            if whole > e2 and not skip.overlaps(e2, whole) and same_block(ctx, s1, whole - 1):
                count += text.count(second, e2, whole)
                last = whole
            else:  # the run leaves the block or meets code: take its repeats one by one
                step = re.compile(repeat).match
                while (n := step(text, last)) is not None and not skip.overlaps(n.start(), n.end()) \
                        and same_block(ctx, s1, n.end() - 1):
                    last, count = n.end(), count + 1
            one_line = not any(c in text[e1:last] for c in "\r\n")
            pos = max(pos, last)
            if count == 2:
                message, fix = f"`{second}` is repeated", self._fix(text, m, gap)
            else:
                message = f"`{second}` is repeated ({count} times in a row)"
                fix = (Fix.delete(e1, last, f"Delete the {count - 1} repeats of `{first}`") if one_line
                       else self._fix(text, m, gap))
            yield self.finding(s2, e2, message, fix=fix)

    @staticmethod
    def _repeat(first: str, second: str) -> bool:
        low = first.lower()
        if first == second:
            if first.islower():
                return low not in LEGIT_REPEATS
            if first.isupper() and len(first) > 1:
                return False
            return low in FUNCTION_WORDS and first not in LEGIT_NAMES and first != "I"
        # Different case: only a function word at a sentence start (`The the`).
        return first[:1].isupper() and first[1:].islower() and second.islower() and low in FUNCTION_WORDS

    @staticmethod
    def _fix(text: str, m: re.Match, gap: str) -> Fix | None:
        s1, e1, s2, e2 = m.start(1), m.end(1), m.start(3), m.end(3)
        if "\n" not in gap and "\r" not in gap:
            return Fix.delete(e1, e2, f"Delete the second `{m.group(3)}`")
        # Across a line break: keep every line holding text.
        before = text[line_start(text, s1):s1]
        if before.strip(" \t") and not line_prefix_is_markup(text, s1) and before[-1:] in (" ", "\t"):
            ws = len(before) - len(before.rstrip(" \t"))
            return Fix.delete(s1 - ws, e1, f"Delete the first `{m.group(1)}` at the end of its line")
        after = re.match(r"[ \t]+(?=[^\s])", text[e2:e2 + 200])
        if after and text[e2 + after.end()] not in ".,;:!?)]}":
            return Fix.delete(s2, e2 + after.end(), f"Delete the second `{m.group(3)}`")
        return None


RULES = [Misspelling, RepeatedWord]
