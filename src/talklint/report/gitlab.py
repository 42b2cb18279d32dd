"""``--output-format gitlab``: GitLab Code Quality JSON (an array of issues) for merge requests.

Each issue has a fingerprint that is unique in the report and stable from run to run (it does
not depend on line numbers), which is how GitLab tells new findings from fixed ones.
"""

from __future__ import annotations

import json

from . import Reporter
from .locate import Fingerprints, relative_path, repository_root

SEVERITIES = {"error": "major", "warning": "minor", "info": "info"}


class GitlabReporter(Reporter):
    def start(self) -> None:
        self.root = repository_root()
        self.fingerprints = Fingerprints()
        self.out.write("[")
        self._first = True

    def file(self, path, findings) -> None:
        relpath = relative_path(path, self.root)
        for f in findings:
            issue = {
                "type": "issue",
                "check_name": f.code,
                "description": f"{f.code} [{f.name}] {f.message}",
                "categories": ["Style"],
                "severity": SEVERITIES.get(f.severity.value, "minor"),
                "fingerprint": self.fingerprints.of(relpath, f),
                "location": {"path": relpath, "lines": {"begin": f.line, "end": f.end_line}},
            }
            self.out.write("\n  " if self._first else ",\n  ")
            self.out.write(json.dumps(issue, ensure_ascii=False))
            self._first = False

    def finish(self, summary) -> None:
        self.out.write("]\n" if self._first else "\n]\n")
