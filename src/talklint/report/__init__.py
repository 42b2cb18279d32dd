"""Reporters: one module per output format. Each streams findings file by file."""

from __future__ import annotations

import importlib
from collections import Counter
from dataclasses import dataclass, field

FORMATS = {
    "text": "talklint.report.text:TextReporter",
    "json": "talklint.report.json:JsonReporter",
    "github": "talklint.report.github:GithubReporter",
    "json-lines": "talklint.report.jsonlines:JsonLinesReporter",
    "sarif": "talklint.report.sarif:SarifReporter",
    "gitlab": "talklint.report.gitlab:GitlabReporter",
    "junit": "talklint.report.junit:JunitReporter",
}


@dataclass
class Summary:
    files: int = 0
    files_with_findings: int = 0
    findings: int = 0
    fixable: int = 0  # findings with a fix that --fix would apply
    by_code: Counter = field(default_factory=Counter)
    names: dict = field(default_factory=dict)
    fixable_by_code: Counter = field(default_factory=Counter)
    unsafe_hidden: int = 0  # findings with an unsafe fix that --unsafe-fixes would enable
    fixed: int = 0  # fixes applied by --fix

    def add(self, findings, applies, unsafe_available=lambda f: False, fixed: int = 0,
            late: bool = False, had_findings: bool = False) -> None:
        """Count one file's findings. ``late``: cross-file findings of a file counted already
        by the per-file pass; ``had_findings``: … which reported findings in it too."""
        self.files += 0 if late else 1
        self.fixed += fixed
        if findings and not had_findings:
            self.files_with_findings += 1
        for f in findings:
            self.findings += 1
            self.by_code[f.code] += 1
            self.names[f.code] = f.name
            if f.fix is not None and applies(f):
                self.fixable += 1
                self.fixable_by_code[f.code] += 1
            elif f.fix is not None and unsafe_available(f):
                self.unsafe_hidden += 1


class Reporter:
    """Base: ``file()`` per file as results arrive, ``finish()`` once at the end."""

    def __init__(self, out, *, color: bool = False, quiet: bool = False, statistics: bool = False,
                 fix_hint: str = "--fix", applies=None, registry=None):
        self.out = out
        self.registry = registry  # rule metadata for formats that describe the rules (SARIF)
        # Whether --fix would apply a finding's fix under the current policy.
        self.applies = applies or (lambda f: f.fix is not None and f.fix.applicability.value == "safe")
        self.color = color
        self.quiet = quiet
        self.statistics = statistics
        self.fix_hint = fix_hint

    def start(self) -> None:
        pass

    def file(self, path: str, findings: list) -> None:
        raise NotImplementedError

    def cross_file(self, path: str, findings: list) -> None:
        """Cross-file findings of a file, after every file was reported through :meth:`file`
        (a file may come twice). Formats that hold one entry per file can merge here."""
        self.file(path, findings)

    def finish(self, summary: Summary) -> None:
        pass


def get_reporter(name: str):
    module, _, cls = FORMATS[name].partition(":")
    return getattr(importlib.import_module(module), cls)
