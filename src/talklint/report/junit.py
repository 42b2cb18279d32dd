"""``--output-format junit``: JUnit XML, one test case per checked file (a failure per finding),
for CI systems that show test reports.

Text that XML 1.0 cannot hold (most C0 control characters, lone surrogates, U+FFFE/U+FFFF) is
written as a visible ``<U+XXXX>`` escape instead of producing a file the CI cannot parse.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from . import Reporter

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: str) -> str:
    return _NOT_XML.sub(lambda m: f"<U+{ord(m.group()):04X}>", value)


class JunitReporter(Reporter):
    def start(self) -> None:
        self.cases: dict[str, ET.Element] = {}  # by path: cross-file findings join their file's case
        self.failures = 0

    def file(self, path, findings) -> None:
        case = self.cases.get(path)
        if case is None:
            case = self.cases[path] = ET.Element("testcase", classname="talklint", name=xml_text(path))
        for f in findings:
            failure = ET.SubElement(case, "failure", type=f.code,
                                    message=xml_text(f"{f.code} [{f.name}] {f.message}"))
            failure.text = xml_text(f"{f.path}:{f.line}:{f.column}: {f.code} [{f.name}] {f.message}")
            self.failures += 1

    def finish(self, summary) -> None:
        suite = ET.Element("testsuite", name="talklint", tests=str(len(self.cases)),
                           failures=str(self.failures), errors="0", skipped="0")
        suite.extend(self.cases.values())
        root = ET.Element("testsuites", name="talklint", tests=str(len(self.cases)),
                          failures=str(self.failures))
        root.append(suite)
        ET.indent(root)
        self.out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        self.out.write(ET.tostring(root, encoding="unicode"))
        self.out.write("\n")
