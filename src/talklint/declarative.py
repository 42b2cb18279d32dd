"""Declarative rules: YAML rule packs validated by pydantic, turned into Rule classes.

A pack is a YAML file holding ``rules:``, a list of rule definitions. Each definition has a
``kind``:

``existence``
    Phrases (``tokens``, matched as whole words) or regular expressions (``patterns``) that
    must not appear.
``substitution``
    ``swap`` maps a wrong spelling to the right one; the finding carries a fix.

Both kinds may restrict where a match counts with ``context``: a list of ``{before: REGEX,
after: REGEX}`` items, of which one must hold (each of its keys), and ``unless``, a list of the
same items of which none may hold. ``before`` is searched in the text just before the match (up
to 200 characters, so anchor it with ``$``), ``after`` in the text just after it (anchor it with
``^``): ``context: [{before: "(?i)\\bstudy\\s+by\\s+$"}]`` accepts `a study by McKenzie` but not
`Jane McKenzie`. A single item may be written without the list.

Every definition also has ``code``, ``name``, ``message`` (a template that may use ``{match}``
and, for substitutions, ``{replacement}``) and the documentation ``what``, ``why`` and
``example``. Matching is case-sensitive unless ``ignore-case: true``, and by default looks only
at prose (``scope: prose``): never inside code, front-matter keys, HTML, link destinations, bare
URLs, e-mail addresses or @handles (see :mod:`talklint.prose`).

A typo in a pack (an unknown key, a bad code, an invalid regex, a message placeholder that does
not exist) is a :class:`PackError` naming the file, the rule and the key, raised when the pack
is loaded, never in the middle of a run.
"""

from __future__ import annotations

import difflib
import functools
import re
import string
from pathlib import Path
from typing import Annotated, ClassVar, Literal, Union

import yaml
from pydantic import (BaseModel, ConfigDict, Field, ValidationError, field_validator,
                      model_validator)

from .finding import Applicability, Fix, Severity
from .lazyre import LazyPattern
from .prose import excluded_ranges
from .rule import CODE_PATTERN, NAME_PATTERN, Rule
from .yamlfile import YamlFileError, read_mapping, yaml_type

KINDS = ("existence", "substitution")

# Characters that continue a word written in a script with spaces between words: letters and
# digits of any such script, the underscore and combining marks. The scripts written without
# spaces (CJK ideographs, kana, Hangul syllables, Thai, Lao, Khmer, Myanmar) do not continue a
# Latin word: in "使用Github托管" or "Githubで" the name still stands on its own.
_UNSPACED = (
    "\u0e00-\u0eff"  # Thai, Lao
    "\u1000-\u109f"  # Myanmar
    "\u1100-\u11ff"  # Hangul Jamo
    "\u1780-\u17ff"  # Khmer
    "\u2e80-\u2fdf"  # CJK radicals
    "\u3000-\u303f"  # CJK symbols and punctuation
    "\u3040-\u30ff"  # Hiragana, Katakana
    "\u3100-\u31ff"  # Bopomofo, Hangul compatibility Jamo, Katakana extensions
    "\u3400-\u4dbf"  # CJK extension A
    "\u4e00-\u9fff"  # CJK unified ideographs
    "\ua960-\ua97f"  # Hangul Jamo extended-A
    "\uac00-\ud7ff"  # Hangul syllables, Jamo extended-B
    "\uf900-\ufaff"  # CJK compatibility ideographs
    "\uff00-\uffef"  # half- and full-width forms
    "\U00020000-\U0003134f"  # CJK extensions B-G
)
_MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"  # combining marks
# A whole-word boundary: the neighbour is no word character, or one of a script without spaces,
# or the underscores of markdown emphasis (`_Numpy_`, `__Numpy__`), which, unlike the underscore
# inside an identifier (`Github_token`), have no word character on their far side.
# (Written as two simple lookarounds: one negated class of \w minus those scripts takes the
# regex compiler a good part of a second per use.)
LEFT_BOUNDARY = rf"(?:(?<![\w{_MARKS}])|(?<=[{_UNSPACED}])|(?<=(?<!\w)_)|(?<=(?<!\w)__))"
RIGHT_BOUNDARY = rf"(?:(?![\w{_MARKS}])|(?=[{_UNSPACED}])|(?=__?(?!\w)))"
# LEFT_BOUNDARY checked one character later, after the phrase's first character: each
# lookbehind looks one character further back. A regex that starts with a lookaround is tried
# at every place of a page; one that starts with a class of characters lets the engine jump
# from one of them to the next.
LEFT_BOUNDARY_AFTER_FIRST = (rf"(?:(?<![\w{_MARKS}](?s:.))|(?<=[{_UNSPACED}](?s:.))"
                             rf"|(?<=(?<!\w)_(?s:.))|(?<=(?<!\w)__(?s:.)))")
_WORDLIKE = LazyPattern(rf"[\w{_MARKS}]")  # large classes: compiled when first needed
_UNSPACED_RE = LazyPattern(rf"[{_UNSPACED}]")


def is_word_char(char: str) -> bool:
    """True for a character that continues a word of a script written with spaces."""
    return bool(char) and _WORDLIKE.fullmatch(char) is not None and not _UNSPACED_RE.fullmatch(char)


class PackError(Exception):
    """A rule pack that cannot be loaded; the message names the file, the rule and the key."""


class _Model(BaseModel):
    # The validators are built when a pack is first validated, not at import: the shipped packs
    # are validated once and kept (:func:`talklint.registry.load_shipped`).
    model_config = ConfigDict(extra="forbid", populate_by_name=True,
                              alias_generator=lambda s: s.replace("_", "-"), defer_build=True)


CONTEXT_WINDOW = 200  # characters of text that a context's before/after regex sees


class ContextItem(_Model):
    """Text that must (``context``) or must not (``unless``) surround a match."""

    before: str | None = None
    after: str | None = None

    @field_validator("before", "after")
    @classmethod
    def _regex(cls, v: str | None) -> str | None:
        if v is None:
            return v
        try:
            re.compile(v)
        except re.error as exc:
            raise ValueError(f"{v!r} is not a valid regular expression: {exc}") from None
        return v

    @model_validator(mode="after")
    def _something(self):
        if self.before is None and self.after is None:
            raise ValueError("a context item needs 'before' or 'after'")
        return self


def _one_or_many(v):
    return [v] if isinstance(v, dict) else v


def _not_blank(v: str) -> str:
    if not v.strip():
        raise ValueError("must not be empty")
    return v


class _RuleBase(_Model):
    code: str
    name: str
    message: str
    what: str
    why: str
    example: str
    severity: Severity = Severity.WARNING
    enabled: bool = True
    summary: str = ""
    ignore_case: bool = False
    scope: Literal["prose", "all"] = "prose"
    context: list[ContextItem] = []
    unless: list[ContextItem] = []

    @field_validator("context", "unless", mode="before")
    @classmethod
    def _items(cls, v):
        return _one_or_many(v)

    # The placeholders a message may use; substitution rules add {replacement}.
    PLACEHOLDERS: ClassVar[tuple[str, ...]] = ("match",)

    @field_validator("code")
    @classmethod
    def _code(cls, v: str) -> str:
        if not CODE_PATTERN.match(v):
            raise ValueError(f"{v!r} is not a rule code: want 1-4 capital letters and 3 digits, like 'TL801'")
        return v

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not NAME_PATTERN.match(v):
            raise ValueError(f"{v!r} is not a kebab-case rule name like 'entity-name-case'")
        return v

    @field_validator("what", "why", "example")
    @classmethod
    def _doc_text(cls, v: str) -> str:
        return _not_blank(v)

    @field_validator("message")
    @classmethod
    def _message(cls, v: str) -> str:
        _not_blank(v)
        check_template(v, cls.PLACEHOLDERS)
        return v


def check_template(template: str, allowed: tuple[str, ...]) -> None:
    """Raise ValueError unless ``template`` uses only the ``allowed`` placeholders, plainly
    (no attribute, index, conversion or format spec), and ``{{``/``}}`` for literal braces."""
    names = " and ".join("{%s}" % a for a in allowed)
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise ValueError(f"{exc} (write {{{{ and }}}} for literal braces)") from None
    for _, field_name, spec, conversion in parts:
        if field_name is None:
            continue
        if field_name not in allowed or spec or conversion:
            shown = "{" + field_name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
            raise ValueError(f"unknown placeholder {shown}: the message may use only {names} "
                             "(write {{ and }} for literal braces)")


class ExistenceRule(_RuleBase):
    kind: Literal["existence"]
    tokens: list[str] = []
    patterns: list[str] = []

    @field_validator("tokens")
    @classmethod
    def _tokens(cls, v: list[str]) -> list[str]:
        for i, token in enumerate(v):
            if not token.strip():
                raise ValueError(f"token {i + 1} is empty")
        return [" ".join(t.split()) for t in v]

    @field_validator("patterns")
    @classmethod
    def _patterns(cls, v: list[str]) -> list[str]:
        for p in v:
            try:
                rx = re.compile(p)
            except re.error as exc:
                raise ValueError(f"pattern {p!r} is not a valid regular expression: {exc}") from None
            if rx.search("") is not None:
                raise ValueError(f"pattern {p!r} matches the empty string")
        return v

    @model_validator(mode="after")
    def _something(self):
        if not self.tokens and not self.patterns:
            raise ValueError("an existence rule needs 'tokens' or 'patterns'")
        return self


class SubstitutionRule(_RuleBase):
    kind: Literal["substitution"]
    swap: dict[str, str]
    fix: Literal["safe", "unsafe", "display"] = "safe"

    PLACEHOLDERS: ClassVar[tuple[str, ...]] = ("match", "replacement")

    @field_validator("swap")
    @classmethod
    def _swap(cls, v: dict[str, str]) -> dict[str, str]:
        if not v:
            raise ValueError("needs at least one 'wrong: right' entry")
        out: dict[str, str] = {}
        for wrong, right in v.items():
            key = " ".join(wrong.split())
            if not key:
                raise ValueError("an entry has an empty key")
            if not right.strip():
                raise ValueError(f"{wrong!r} has an empty replacement")
            if key == right:
                raise ValueError(f"{wrong!r} is replaced by itself")
            out[key] = right
        return out

    @model_validator(mode="after")
    def _consistent(self):
        folded: dict[str, str] = {}
        for wrong in self.swap:
            k = wrong.casefold() if self.ignore_case else wrong
            if k in folded:
                raise ValueError(f"swap: keys {folded[k]!r} and {wrong!r} differ only in case, "
                                 "but the rule has ignore-case: true")
            folded[k] = wrong
        lookup = _swap_lookup(self)
        if not _holds_a_key(self.swap.values(), lookup, self.ignore_case):
            return self
        regexes = _swap_regexes(self)
        for wrong, right in self.swap.items():
            for m in (m for rx in regexes for m in rx.finditer(right)):
                target = lookup.get(_fold(m.group(), self.ignore_case))
                if target is not None and target != m.group():
                    raise ValueError(f"swap: the replacement {right!r} of {wrong!r} contains "
                                     f"{m.group()!r}, which the rule replaces too: map {wrong!r} straight to the final form, "
                                     "so that fixing once is enough")
        return self


def _holds_a_key(texts, lookup: dict[str, str], ignore_case: bool) -> bool:
    """Whether a text holds a key of ``lookup`` (texts and keys folded alike). A match of a
    substitution's regexes, folded, is such a part of the folded text, so without one nothing
    in the texts is replaced, and the regexes, slow to compile, need not be."""
    folded = [_fold(t, ignore_case) for t in texts]
    return any(key in text for text in folded for key in lookup)


RuleDef = Annotated[Union[ExistenceRule, SubstitutionRule], Field(discriminator="kind")]


class Pack(_Model):
    rules: list[RuleDef]


# -- loading ----------------------------------------------------------------------------------


def load_pack(path: Path, shipped: bool = False) -> list[type[Rule]]:
    """Validate one YAML pack and build its rules. Raises :class:`PackError`.

    ``shipped``: a pack of talklint's own, whose validated rules are kept between runs
    (:func:`talklint.registry.load_shipped`)."""
    if shipped:
        from .registry import load_shipped

        definitions = load_shipped(Path(path), lambda: read_pack(path), code=(__file__,))
    else:
        definitions = read_pack(path)
    return [_build(defn, Path(path)) for defn in definitions]


def read_pack(path: Path) -> list[_RuleBase]:
    """The validated rule definitions of one YAML pack. Raises :class:`PackError`."""
    try:
        data = read_mapping(path, "rule pack", "a 'rules' list")
    except YamlFileError as exc:
        raise PackError(str(exc)) from None
    try:
        pack = Pack.model_validate(data)
    except ValidationError as exc:
        raise PackError("\n".join(f"{path}: {line}" for line in _describe(exc, data))) from None
    return pack.rules


def _describe(exc: ValidationError, data: dict) -> list[str]:
    """pydantic's errors as ``rule TL801: swap: Input should be a valid dictionary``."""
    lines = []
    rules = data.get("rules") if isinstance(data, dict) else None
    for err in exc.errors():
        loc = list(err["loc"])
        where = ""
        definition = None
        if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
            definition = rules[loc[1]] if isinstance(rules, list) and loc[1] < len(rules) else None
            code = definition.get("code") if isinstance(definition, dict) else None
            where = f"rule {code}" if isinstance(code, str) and code else f"rule #{loc[1] + 1}"
            loc = loc[2:]
            if loc and loc[0] in KINDS:  # pydantic's tag for the union member
                loc = loc[1:]
        is_dict_key = bool(loc) and loc[-1] == "[key]"
        if is_dict_key:  # pydantic's location of a mapping's key: (..., key, "[key]")
            loc = loc[:-2]
        key = ".".join(str(x) for x in loc)
        msg = err["msg"]
        kind = err["type"]
        if kind == "string_type" and not isinstance(err.get("input"), (dict, list)):
            # YAML reads yes/no/on/off/null/numbers as non-text: say what it read.
            what = "a key" if is_dict_key else "a value"
            msg = (f"{what} is not text: YAML read {yaml.safe_dump(err.get('input')).splitlines()[0]!s}"
                   " here; put the text in quotes")
        elif kind == "missing":
            msg = "required key is missing"
        elif kind == "extra_forbidden":
            msg = "unknown key" + _did_you_mean(str(loc[-1]) if loc else "", definition)
        elif kind == "union_tag_not_found":
            key, msg = "kind", f"missing: want one of {', '.join(KINDS)}"
        elif kind == "union_tag_invalid":
            key = "kind"
            msg = f"unknown kind {err['ctx'].get('tag')!r}: want one of {', '.join(KINDS)}"
        elif kind == "model_attributes_type" or (kind == "model_type" and where):
            msg = f"a rule must be a mapping of keys, not {yaml_type(err.get('input'))}"
        elif msg.startswith("Value error, "):
            msg = msg[len("Value error, "):]
            if msg.startswith("swap: "):  # raised by a whole-rule check about one key
                key, msg = "swap", msg[len("swap: "):]
        lines.append(": ".join(x for x in (where, key, msg) if x))
    return lines


def _did_you_mean(key: str, definition) -> str:
    known = set()
    for model in (ExistenceRule, SubstitutionRule, Pack, ContextItem):
        known |= {f.alias or n for n, f in model.model_fields.items()}
    close = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.7)
    return f" (did you mean {close[0]!r}?)" if close else ""


# -- building rules ---------------------------------------------------------------------------


def _doc(defn: _RuleBase) -> str:
    return (f"## What it does\n{defn.what.strip()}\n\n## Why is this bad?\n{defn.why.strip()}\n\n"
            f"## Example\n{defn.example.strip()}\n")


def _build(defn: _RuleBase, path: Path) -> type[Rule]:
    attrs = dict(
        code=defn.code, name=defn.name, severity=defn.severity, default_enabled=defn.enabled,
        summary=defn.summary.strip(), origin=f"rule pack {path.name}", pack_path=str(path),
        __doc__=_doc(defn), __module__=__name__, definition=defn,
        context=_compile_context(defn.context), unless=_compile_context(defn.unless),
        literals=_literals(defn),
    )
    flags = re.IGNORECASE if defn.ignore_case else 0
    if isinstance(defn, ExistenceRule):
        # One regex per entry: user patterns may hold inline flags, backreferences or group
        # names that would break (or change meaning) if joined into one alternation.
        attrs.update(phrases=tuple(defn.tokens), pattern_regexes=tuple(re.compile(p, flags) for p in defn.patterns),
                     fixable="never")
        base = _ExistenceRule
    else:
        attrs.update(phrases=tuple(defn.swap), lookup=_swap_lookup(defn),
                     fixable="never" if defn.fix == "display" else "always")
        base = _SubstitutionRule
    return type(f"Pack_{defn.code}", (base,), attrs)


def _literals(defn: _RuleBase) -> tuple[str, ...] | None:
    """Strings one of which a text must hold for the rule to match anything (the first word of
    each phrase), so most files skip the regexes; None when no such list exists (regex
    patterns, ignore-case)."""
    if defn.ignore_case or getattr(defn, "patterns", None):
        return None
    phrases = list(getattr(defn, "tokens", None) or []) + list(getattr(defn, "swap", None) or {})
    return tuple(sorted({p.split()[0] for p in phrases if p.split()})) or None


def literal_gate(literals: tuple[str, ...]) -> re.Pattern:
    """A regex that finds a text holding one of ``literals``: the same answer as testing each
    with ``in``, in one pass over the text. The literals share their prefixes in a trie, so at a
    place of the text the engine tries one branch per character, not one per literal; a literal
    that extends another is left out, since a text holding it holds the shorter one too."""
    trie: dict = {}
    for literal in sorted(literals, key=len):
        node = trie
        for char in literal:
            if "" in node:  # a shorter literal ends here
                break
            node = node.setdefault(char, {})
        else:
            node.clear()
            node[""] = True
    return re.compile(_trie_body(trie))


def _trie_body(node: dict) -> str:
    if "" in node:
        return ""
    branches = [re.escape(char) + _trie_body(child) for char, child in sorted(node.items())]
    return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"


def _compile_context(items: list[ContextItem]) -> tuple:
    # Compiled when a match is first judged: most pages hold none.
    return tuple((LazyPattern(i.before) if i.before is not None else None,
                  LazyPattern(i.after) if i.after is not None else None) for i in items)


def _context_holds(item, text: str, start: int, end: int) -> bool:
    before, after = item
    if before is not None and before.search(text[max(0, start - CONTEXT_WINDOW):start]) is None:
        return False
    if after is not None and after.search(text[end:end + CONTEXT_WINDOW]) is None:
        return False
    return True


def _fold(text: str, ignore_case: bool) -> str:
    text = " ".join(text.split())
    return text.casefold() if ignore_case else text


def _swap_lookup(defn: SubstitutionRule) -> dict[str, str]:
    return {_fold(k, defn.ignore_case): v for k, v in defn.swap.items()}


def _swap_regexes(defn: SubstitutionRule) -> tuple[re.Pattern, ...]:
    return phrase_regexes(tuple(defn.swap), defn.ignore_case)


@functools.lru_cache(maxsize=64)
def phrase_regexes(phrases: tuple[str, ...], ignore_case: bool = False) -> tuple[re.Pattern, ...]:
    """Regexes matching the literal phrases as whole words; a space in a phrase matches any
    run of white space (a line break included).

    A boundary is checked only at an end of a phrase that is itself a word character, so
    ``C++`` and ``.NET`` work, and a phrase in a script without spaces needs none.

    Phrases that need the same boundaries share one regex, the boundary written once around
    an alternation: the boundary classes are large, and repeating them per phrase makes a list
    of a hundred names take the regex compiler half a second. Within a regex the longest phrase
    comes first; across regexes :meth:`_PackRule._matches` keeps the longest match at a place.
    """
    groups: dict[tuple[bool, bool], list[str]] = {}
    for phrase in phrases:
        edges = (is_word_char(phrase[:1]), is_word_char(phrase[-1:]))
        groups.setdefault(edges, []).append(phrase)
    flags = re.IGNORECASE if ignore_case else 0
    out = []
    for (left, right), members in sorted(groups.items()):
        members = sorted(members, key=len, reverse=True)
        if left and not ignore_case:
            head = _first_then_boundary(members)
        else:
            head = f"{LEFT_BOUNDARY if left else ''}(?:{'|'.join(_phrase_body(m) for m in members)})"
        out.append(re.compile(f"{head}{RIGHT_BOUNDARY if right else ''}", flags))
    return tuple(out)


def _first_then_boundary(members: list[str]) -> str:
    """``LEFT_BOUNDARY(?:phrase|phrase…)`` written to start with the class of the phrases' first
    characters: the boundary follows that character, and each phrase then checks (looking one
    character back) that it begins with it. The order of the phrases is kept, so the same
    phrase wins at each place."""
    firsts = "".join(sorted({re.escape(m[0]) for m in members}))
    rests = []
    for m in members:
        first, body = re.escape(m[0]), _phrase_body(m)
        rests.append(f"(?<={first}){body[len(first):]}")
    return f"[{firsts}]{LEFT_BOUNDARY_AFTER_FIRST}(?:{'|'.join(rests)})"


def _phrase_body(phrase: str) -> str:
    return r"\s+".join(re.escape(w) for w in phrase.split())


def match_case(found: str, replacement: str) -> str:
    """For ignore-case rules: give an all-lowercase replacement the shape of what was found
    ("Utilize" → "Use", "UTILIZE" → "USE"). A replacement with capitals of its own is a
    spelling ("GitHub") and is kept as written."""
    if replacement != replacement.lower():
        return replacement
    letters = [c for c in found if c.isalpha()]
    if len(letters) > 1 and all(c.isupper() for c in letters):
        return replacement.upper()
    if letters and letters[0].isupper():
        for i, c in enumerate(replacement):
            if c.isalpha():
                return replacement[:i] + c.upper() + replacement[i + 1:]
    return replacement


def keep_spacing(found: str, replacement: str) -> str:
    """Keep the original line breaks when a phrase split across lines keeps its word count."""
    gaps = re.findall(r"\s+", found)
    words = replacement.split(" ")
    if not any("\n" in g or "\r" in g for g in gaps) or len(words) != len(gaps) + 1:
        return replacement
    out = words[0]
    for gap, word in zip(gaps, words[1:]):
        out += gap + word
    return out


class _PackRule(Rule):
    phrases: tuple[str, ...] = ()  # matched by phrase_regexes()
    pattern_regexes: tuple[re.Pattern, ...] = ()  # an existence rule's own patterns
    _regexes: tuple[re.Pattern, ...] | None = None
    definition: _RuleBase
    pack_path: str
    context: tuple = ()  # compiled (before, after) pairs: one must hold
    unless: tuple = ()  # compiled (before, after) pairs: none may hold
    literals: tuple[str, ...] | None = None  # see _literals()
    # Many literals are tested with one regex (:func:`literal_gate`): one pass over a page
    # instead of one per literal. Not on the first pages a rule sees (a run of a few files does
    # not pay for compiling it), nor for a few literals (`in` is then faster).
    GATE_AFTER: ClassVar[int] = 32
    GATE_MIN_LITERALS: ClassVar[int] = 16
    _pages_seen: int = 0
    _gate: re.Pattern | None = None

    @classmethod
    def regexes(cls) -> tuple[re.Pattern, ...]:
        """The phrase regexes, then the patterns. The phrase regexes are compiled at first use
        (their word boundaries are slow to compile): most pages hold none of the literals, so
        most runs of a few files never need them."""
        if cls._regexes is None:
            cls._regexes = phrase_regexes(cls.phrases, cls.definition.ignore_case) + cls.pattern_regexes
        return cls._regexes

    def _may_match(self, text: str) -> bool:
        """Whether ``text`` holds one of the literals (only then can a phrase match)."""
        gate = self._gate
        if gate is None:
            self._pages_seen += 1
            if self._pages_seen <= self.GATE_AFTER or len(self.literals) < self.GATE_MIN_LITERALS:
                return any(lit in text for lit in self.literals)
            gate = self._gate = literal_gate(self.literals)
        return gate.search(text) is not None

    def _in_context(self, text: str, start: int, end: int) -> bool:
        if self.context and not any(_context_holds(c, text, start, end) for c in self.context):
            return False
        return not any(_context_holds(c, text, start, end) for c in self.unless)

    def _matches(self, ctx):
        """Non-overlapping matches of all the rule's regexes outside excluded text, in order
        (at one place the longest match wins)."""
        text = ctx.source.text
        if self.literals is not None and not self._may_match(text):
            return
        prose_only = self.definition.scope == "prose"
        skip = None  # computed at the first match: most pages have none, and it reads the page
        found = []
        for rx in self.regexes():
            for m in rx.finditer(text):
                if m.start() == m.end():
                    continue
                if prose_only and skip is None:
                    skip = excluded_ranges(ctx)
                if prose_only and skip.overlaps(m.start(), m.end()):
                    continue
                if (self.context or self.unless) and not self._in_context(text, m.start(), m.end()):
                    continue
                found.append(m)
        found.sort(key=lambda m: (m.start(), -m.end()))
        end = -1
        for m in found:
            if m.start() >= end:
                end = m.end()
                yield m

    def _message(self, match: str, replacement: str = "") -> str:
        return self.definition.message.format(match=" ".join(match.split()), replacement=replacement)


class _ExistenceRule(_PackRule):
    def check(self, ctx):
        for m in self._matches(ctx):
            yield self.finding(m.start(), m.end(), self._message(m.group()))


class _SubstitutionRule(_PackRule):
    lookup: dict[str, str]

    def check(self, ctx):
        defn: SubstitutionRule = self.definition  # type: ignore[assignment]
        for m in self._matches(ctx):
            found = m.group()
            right = self.lookup.get(_fold(found, defn.ignore_case))
            if right is None:  # cannot happen: the pattern is built from the keys
                continue
            if defn.ignore_case:
                right = match_case(found, right)
            right = keep_spacing(found, right)
            if right == found:
                continue
            fix = Fix.replace(m.start(), m.end(), right, f"Replace with `{' '.join(right.split())}`",
                              Applicability(defn.fix))
            yield self.finding(m.start(), m.end(), self._message(found, " ".join(right.split())), fix=fix)
