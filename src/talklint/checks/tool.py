"""The tool's own problems (TL9xx): files that cannot be checked, broken directives, crashes.

The engine emits these findings itself; the classes give them a code, a name and the
documentation every rule has, and let users select or ignore them like any other rule.
"""

from __future__ import annotations

from ..finding import Severity
from ..rule import Rule


class EngineRule(Rule):
    """Base for findings the engine emits; ``check`` finds nothing by itself."""

    def check(self, ctx):
        return ()


class UnreadableFile(EngineRule):
    """## What it does
    Reports a path that could not be read: missing, a permission error, a folder where a file
    was expected, or any other I/O error. The other files are still checked.

    ## Why is this bad?
    A page that is not checked can hide every other problem. An unreadable file in a content
    folder usually breaks the site build too.

    ## Example
    ```console
    $ talklint check talks/missing.md
    talks/missing.md:1:1: TL901 [unreadable-file] Cannot read file: No such file or directory
    ```
    """

    code = "TL901"
    summary = "A path that could not be read"
    name = "unreadable-file"
    severity = Severity.ERROR


class BinaryFile(EngineRule):
    """## What it does
    Reports a file that holds NUL bytes, i.e. a binary file (an image, a PDF, a UTF-16 text)
    saved with a markdown extension. The file is skipped.

    ## Why is this bad?
    Site generators either fail on such a file or publish garbage. A UTF-16 export from a
    word processor also looks like this: re-save it as UTF-8.

    ## Example
    A PNG saved as `speaker.md`:
    ```console
    speaker.md:1:1: TL902 [binary-file] Binary file (it contains NUL bytes): not checked
    ```
    """

    code = "TL902"
    summary = "A binary file (NUL bytes) with a markdown extension"
    name = "binary-file"
    severity = Severity.ERROR


class InternalError(EngineRule):
    """## What it does
    Reports that a rule failed with an unexpected error on this file. The other rules' findings
    for the file are still reported.

    ## Why is this bad?
    It is talklint's bug, not yours: the failed rule could not check the file. Please report
    it with the file (or a small part of it that shows the problem).

    ## Example
    ```console
    page.md:1:1: TL903 [internal-error] Rule TL301 failed on this file: ValueError: …
    ```
    """

    code = "TL903"
    summary = "A rule failed with an unexpected error on this file"
    name = "internal-error"
    severity = Severity.ERROR


class InvalidSuppression(EngineRule):
    """## What it does
    Reports an HTML comment that starts like a talklint directive but is not one
    (`<!-- talklint-disabel TL201 -->`), or one that names a rule talklint does not know.

    ## Why is this bad?
    A misspelt directive suppresses nothing, so the findings it was meant to hide still appear
    — or worse, someone believes a check is off when it is on.

    ## Example
    ```markdown
    <!-- talklint-disable-nextline TL201 -->
    ```
    Use `talklint-disable-next-line`.
    """

    code = "TL904"
    summary = "A malformed talklint directive or one naming an unknown rule"
    name = "invalid-suppression"
    severity = Severity.WARNING


class UnusedSuppression(EngineRule):
    """## What it does
    Reports a `talklint-disable…` directive that suppresses no finding, and a
    `talklint-enable` with no matching `talklint-disable`.

    ## Why is this bad?
    Stale suppressions pile up and hide future problems of the same kind at that place.

    ## Example
    ```markdown
    <!-- talklint-disable-next-line trailing-whitespace -->
    A line without trailing spaces.
    ```
    """

    code = "TL905"
    summary = "A suppression that suppresses nothing"
    name = "unused-suppression"
    severity = Severity.WARNING




class FixNotConverged(EngineRule):
    """## What it does
    Reports that applying fixes did not reach a fixed point within the pass limit: some fixes
    keep undoing or re-creating each other. The message names the rules involved. The file is
    left exactly as it was.

    ## Why is this bad?
    Two rules disagree about the same text; writing either result would be a guess. It is a bug
    in talklint or in a plugin or rule pack: please report it with the file.

    ## Example
    ```console
    page.md:1:1: TL906 [fix-not-converged] Fixes did not settle after 12 passes (rules involved: XYZ001, XYZ002); the file was left unchanged
    ```
    """

    code = "TL906"
    summary = "Fixes that did not reach a fixed point"
    name = "fix-not-converged"
    severity = Severity.ERROR


class InvalidRow(EngineRule):
    """## What it does
    Reports a dataset row (`talklint check-dataset`) whose text cannot be checked: a null or
    missing text value, a value that is not text (a number, a list), bytes that hold NUL bytes,
    text with lone surrogates, a line of a JSONL file that is not a JSON object, or a text over
    the size limit (`--max-chars`). The other rows are still checked.

    ## Why is this bad?
    A row that is not checked can hide every other problem, and a null or broken row usually
    means the scrape or the export lost the page.

    ## Example
    ```console
    $ talklint check-dataset talks.jsonl --text-column body --id-column id
    talks.jsonl[talk-17]:1:1: TL907 [invalid-row] Row not checked: its text is null
    ```
    """

    code = "TL907"
    summary = "A dataset row whose text cannot be checked"
    name = "invalid-row"
    severity = Severity.ERROR


RULES = [UnreadableFile, BinaryFile, InternalError, InvalidSuppression, UnusedSuppression,
         FixNotConverged, InvalidRow]
