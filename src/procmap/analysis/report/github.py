"""GitHub Actions workflow commands: annotations on the pull request's files."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from procmap.printable import one_line

if TYPE_CHECKING:
    from procmap.analysis.analyze import RunReport

HELP = "GitHub Actions annotations"

_COMMAND = {"error": "error", "warning": "warning", "info": "notice"}
# GitHub shows at most this many annotations of each type per step.
SHOWN_PER_TYPE = 10


def _data(text: str) -> str:
    # GitHub's own escapes for line breaks (an annotation may span lines);
    # every other control character, an ESC above all, as a visible escape.
    return one_line(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def _line(kind: str, file: str, line: int, column: int, title: str, message: str) -> str:
    return (f"::{kind} file={_prop(file)},line={line},col={column},"
            f"title={_prop(title)}::{_data(message)}")


def render(run: RunReport) -> str:
    out = [_line("error", e.file, e.line, e.column, "procmap: invalid workflow",
                 f"{e.message} ({e.hint})" if e.hint else e.message) for e in run.errors]
    for w in run.workflows:
        for f in w.new_findings():  # known ones (in the baseline) need no annotation
            if f.level in _COMMAND:
                out.append(_line(_COMMAND[f.level], f.pos.file, f.pos.line, f.pos.column,
                                 f"procmap {f.rule} (Algorithm step {f.algorithm})",
                                 f.message))
    return "".join(line + "\n" for line in out)


def hidden_note(run: RunReport) -> str | None:
    """What GitHub will not show: it keeps 10 annotations of each type per step."""
    counts = Counter(line[2:line.index(" ")] for line in render(run).splitlines())
    hidden = {kind: n - SHOWN_PER_TYPE for kind, n in counts.items() if n > SHOWN_PER_TYPE}
    if not hidden:
        return None
    what = ", ".join(f"{n} of {counts[kind]} {kind}s" for kind, n in sorted(hidden.items()))
    return (f"procmap: GitHub shows {SHOWN_PER_TYPE} annotations of each type per step, so "
            f"{what} are not annotated: the report above lists them all.")
