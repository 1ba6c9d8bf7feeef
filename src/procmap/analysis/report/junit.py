"""JUnit XML, the test report most CI servers show (Jenkins, GitLab, Azure).

One test suite per workflow, one test case per finding; a finding at or above
the failing level is a failure, one below it passes, a waived one is skipped
with its reason. A workflow with no finding is one passing case. A file that
is not a valid workflow is a suite with an error.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

from procmap.printable import one_line

if TYPE_CHECKING:
    from procmap.analysis.analyze import RunReport

HELP = "JUnit XML (CI test reports)"


def _text(value: object) -> str:
    # XML 1.0 cannot hold most control characters, even escaped.
    return one_line(value)


def as_element(run: RunReport) -> ET.Element:
    suites = ET.Element("testsuites", name="procmap")
    total = failures = errors = skipped = 0
    for e in run.errors:
        suite = ET.SubElement(suites, "testsuite", name=_text(e.file), tests="1",
                              failures="0", errors="1", skipped="0")
        case = ET.SubElement(suite, "testcase", name="valid workflow", classname=_text(e.file))
        error = ET.SubElement(case, "error", message=_text(e.message), type="invalid-workflow")
        error.text = _text(f"{e.file}:{e.line}:{e.column}: {e.message}"
                           + (f" ({e.hint})" if e.hint else ""))
        total += 1
        errors += 1
    for w in run.workflows:
        suite = ET.SubElement(suites, "testsuite", name=_text(w.workflow.id),
                              file=_text(w.workflow.file))
        counts = {"tests": 0, "failures": 0, "skipped": 0}
        for f in w.findings:
            case = ET.SubElement(suite, "testcase", name=_text(f"{f.rule} at {f.step}" if f.step
                                                         else f.rule),
                                 classname=_text(w.workflow.id), file=_text(f.pos.file),
                                 line=str(f.pos.line))
            counts["tests"] += 1
            if f.level == "waived":
                ET.SubElement(case, "skipped", message=_text(f"waived: {f.waiver}"))
                counts["skipped"] += 1
            elif run.config.fails(f.level):
                failure = ET.SubElement(case, "failure", message=_text(f.message),
                                        type=f.level)
                failure.text = _text(f"{f.pos.file}:{f.pos.line}:{f.pos.column}: "
                                     f"{f.level} {f.rule}: {f.message}")
                counts["failures"] += 1
            else:
                out = ET.SubElement(case, "system-out")
                out.text = _text(f"{f.level} {f.rule}: {f.message}")
        if not w.findings:
            ET.SubElement(suite, "testcase", name="no findings", classname=_text(w.workflow.id))
            counts["tests"] += 1
        suite.set("tests", str(counts["tests"]))
        suite.set("failures", str(counts["failures"]))
        suite.set("errors", "0")
        suite.set("skipped", str(counts["skipped"]))
        total += counts["tests"]
        failures += counts["failures"]
        skipped += counts["skipped"]
    suites.set("tests", str(total))
    suites.set("failures", str(failures))
    suites.set("errors", str(errors))
    suites.set("skipped", str(skipped))
    return suites


def render(run: RunReport) -> str:
    root = as_element(run)
    ET.indent(root)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            + ET.tostring(root, encoding="unicode") + "\n")
