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
        for f in findings:
            self.out.write("\n  " if self._first else ",\n  ")
            self.out.write(_ENCODER.encode(f.to_dict()))
            self._first = False

    def finish(self, summary) -> None:
        self.out.write("\n]\n" if not self._first else "]\n")
