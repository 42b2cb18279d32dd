"""``--output-format sarif``: one SARIF 2.1.0 log, for GitHub code scanning and other viewers.

Locations are relative to the repository root (``%SRCROOT%``), columns count Unicode code
points (``columnKind``), every rule that has a result is described in ``tool.driver.rules``
from its own documentation, and each result carries a ``partialFingerprints`` entry that
does not change when lines move, so a viewer can follow a finding from one run to the next.
"""

from __future__ import annotations

import json

from .. import __version__
from . import Reporter
from .locate import Fingerprints, relative_path, repository_root

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
FINGERPRINT = "talklint/v1"


class SarifReporter(Reporter):
    def start(self) -> None:
        self.root = repository_root()
        self.fingerprints = Fingerprints()
        self.results: list[dict] = []
        self.rules: dict[str, int] = {}  # code → index in tool.driver.rules
        self.descriptors: list[dict] = []

    def file(self, path, findings) -> None:
        uri = relative_path(path, self.root)
        for f in findings:
            self.results.append(self._result(uri, f))

    def finish(self, summary) -> None:
        log = {
            "$schema": SCHEMA,
            "version": "2.1.0",
            "runs": [{
                "tool": {"driver": {
                    "name": "talklint", "version": __version__, "rules": self.descriptors,
                }},
                "originalUriBaseIds": {"%SRCROOT%": {"uri": self.root.as_uri() + "/"}},
                "columnKind": "unicodeCodePoints",
                "invocations": [{"executionSuccessful": True}],
                "results": self.results,
            }],
        }
        json.dump(log, self.out, ensure_ascii=False, indent=2)
        self.out.write("\n")

    def _result(self, uri: str, f) -> dict:
        result = {
            "ruleId": f.code,
            "ruleIndex": self._rule_index(f),
            "level": LEVELS.get(f.severity.value, "warning"),
            "message": {"text": f.message},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%"},
                "region": _region(f.line, f.column, f.end_line, f.end_column),
            }}],
            "partialFingerprints": {FINGERPRINT: self.fingerprints.of(uri, f)},
        }
        if f.fix is not None and f.edit_positions:
            result["fixes"] = [_fix(uri, f)]
        return result

    def _rule_index(self, f) -> int:
        if f.code not in self.rules:
            self.rules[f.code] = len(self.descriptors)
            self.descriptors.append(self._descriptor(f))
        return self.rules[f.code]

    def _descriptor(self, f) -> dict:
        descriptor = {"id": f.code, "name": f.name,
                      "defaultConfiguration": {"level": LEVELS.get(f.severity.value, "warning")}}
        rule = self.registry.get(f.code) if self.registry is not None else None
        if rule is not None:
            descriptor["shortDescription"] = {"text": rule.one_line()}
            what = rule.doc_sections().get("What it does")
            if what:
                descriptor["fullDescription"] = {"text": what}
            descriptor["help"] = {"text": rule.documentation(), "markdown": rule.documentation()}
        return descriptor


def _region(line: int, column: int, end_line: int, end_column: int) -> dict:
    return {"startLine": line, "startColumn": column, "endLine": end_line, "endColumn": end_column}


def _fix(uri: str, f) -> dict:
    replacements = [{"deletedRegion": _region(*pos), "insertedContent": {"text": edit.replacement}}
                    for edit, pos in zip(f.fix.edits, f.edit_positions)]
    return {
        "description": {"text": f.fix.message or f"Fix {f.code} ({f.fix.applicability.value})"},
        "artifactChanges": [{"artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%"},
                             "replacements": replacements}],
    }
