"""``--output-format github``: GitHub Actions workflow commands, one annotation per finding.

Values are escaped as the runner expects (``%``, CR, LF in the message; also ``:`` and ``,`` in
properties), so a page's own text can never start a workflow command of its own: every line
this reporter prints starts with ``::error``/``::warning``/``::notice`` and holds no raw newline.
"""

from __future__ import annotations

from . import Reporter

LEVELS = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


class GithubReporter(Reporter):
    def file(self, path, findings) -> None:
        for f in findings:
            props = ",".join([
                f"file={escape_property(f.path)}",
                f"line={f.line}",
                f"col={f.column}",
                f"endLine={f.end_line}",
                f"endColumn={f.end_column}",
                f"title={escape_property(f'{f.code} [{f.name}]')}",
            ])
            level = LEVELS.get(f.severity.value, "warning")
            self.out.write(f"::{level} {props}::{escape_data(f'{f.code} {f.message}')}\n")
