"""``--output-format json-lines``: one JSON object per finding per line (the fields of the JSON
report, docs/json-schema.md), flushed file by file so a consumer can read the stream as it comes."""

from __future__ import annotations

import json

from . import Reporter


class JsonLinesReporter(Reporter):
    def file(self, path, findings) -> None:
        for f in findings:
            self.out.write(json.dumps(f.to_dict(), ensure_ascii=False) + "\n")
        if findings:
            self.out.flush()
