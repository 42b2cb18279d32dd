"""``--output-format json``: one JSON array of findings, written as they arrive.

The schema is documented in docs/json-schema.md and stable: fields are only ever added.
"""

from __future__ import annotations

import json

from . import Reporter


_ENCODER = json.JSONEncoder(ensure_ascii=False)  # one encoder: `json.dumps` builds one per call


class JsonReporter(Reporter):
    def start(self) -> None:
        self.out.write("[")
        self._first = True

    def file(self, path, findings) -> None:
        if not findings:
            return
        # One write per file: a run reports thousands of findings.
        lead = "\n  " if self._first else ",\n  "
        self.out.write(lead + ",\n  ".join([_ENCODER.encode(f.to_dict()) for f in findings]))
        self._first = False

    def finish(self, summary) -> None:
        self.out.write("\n]\n" if not self._first else "]\n")
