"""Live cases read from a CSV or YAML tracker: one row per case, or a history.

A row per case gives its current step and the date it entered it. A history
(recognised by its `started` column) gives one row per step run, with start
and finish dates; the current step is the open one, or the step after the
last one finished. Every bad row is a `Problem` at its row and column (the
header is row 1, as a spreadsheet counts) and is left out; the other rows
are still read.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from procmap.format.errors import Problem, WorkflowError
from procmap.format.files import read_regular
from procmap.format.model import Workflow
from procmap.format.yamlnodes import Mapping as YamlMapping
from procmap.format.yamlnodes import Scalar, Sequence, YamlError, compose

# Trackers are exports of whole boards (100,000 cases is 10 MB or so): a bound
# far above that, so that a file of gigabytes is refused, not read into memory.
MAX_CASES_BYTES = 256 * 2**20
FIELDS = ("case", "workflow", "step", "entered", "due", "owner", "blocker", "started",
          "finished")
# The column each field is read from unless `columns` (option or config) says otherwise.
DEFAULT_COLUMNS: Mapping[str, str] = {name: name for name in FIELDS}


@dataclass(frozen=True, slots=True)
class Done:
    """A step a case ran, from its history."""

    step: str
    started: dt.date
    finished: dt.date


@dataclass(frozen=True, slots=True)
class Case:
    id: str
    workflow: str
    step: str | None  # None: the history ended at an end step, the case is done
    entered: dt.date  # the date it entered `step` (or finished, when done)
    row: int
    due: dt.date | None = None
    owner: str | None = None
    blocker: str | None = None
    history: tuple[Done, ...] = ()


@dataclass(frozen=True, slots=True)
class _Row:
    number: int
    column: int  # where the row starts: the place of a missing field
    cells: Mapping[str, str]  # field -> text, stripped
    columns: Mapping[str, int]  # field -> 1-based column; shared by the rows of a CSV


class _BadRow(Exception):
    def __init__(self, column: int, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.column, self.message, self.hint = column, message, hint


def parse_date(text: str) -> dt.date:
    """An ISO 8601 date, or a date and time (the time is dropped)."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return dt.datetime.fromisoformat(text).date()


def read_cases(path: Path, workflows: Mapping[str, Workflow], today: dt.date,
               columns: Mapping[str, str] | None = None) -> tuple[list[Case], list[Problem]]:
    """The cases of a tracker file, and a problem per bad row.

    Raises WorkflowError when the file cannot be read as a tracker at all
    (unreadable, not CSV or YAML rows, a required column missing)."""
    names = {**DEFAULT_COLUMNS, **(columns or {})}
    file = str(path)
    try:
        data = read_regular(path, MAX_CASES_BYTES)
    except OSError as e:
        raise WorkflowError([Problem(file, 1, 1, f"cannot read the cases: {e.strerror}",
                                     "check the path")]) from None
    rows, header = (_yaml_rows if path.suffix in (".yaml", ".yml") else _csv_rows)(data, file,
                                                                                     names)
    history = names["started"].lower() in header
    needed = ("case", "workflow", "step", "started" if history else "entered")
    missing = [names[f] for f in needed if names[f].lower() not in header]
    if missing:
        raise WorkflowError([Problem(
            file, 1, 1, f"no column {', '.join(repr(m) for m in missing)}",
            "name the columns case, workflow, step and entered (or started and finished for a "
            "history), or map yours with --column FIELD=NAME or `track: columns:` in the config")])
    reader = _Reader(file, workflows, today, names)
    return reader.history(rows) if history else reader.current(rows)


def _csv_rows(data: bytes, file: str, names: Mapping[str, str]) -> tuple[list[_Row], set[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise WorkflowError([Problem(file, 1, 1, f"not UTF-8 text: {e.reason}",
                                     "export the sheet as CSV UTF-8")]) from None
    first = text.split("\n", 1)[0]
    # Spreadsheets in many locales export with ';' (or tabs) between cells.
    delimiter = max(",;\t", key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        table = list(reader)
    except csv.Error as e:
        raise WorkflowError([Problem(file, reader.line_num, 1, f"unreadable CSV: {e}")]) \
            from None
    if not table:
        raise WorkflowError([Problem(file, 1, 1, "the file is empty",
                                     "export the tracker with its header row")])
    header = [h.strip().lower() for h in table[0]]
    wanted = {f: header.index(n.lower()) for f, n in names.items() if n.lower() in header}
    columns = {f: i + 1 for f, i in wanted.items()}
    rows = []
    for number, record in enumerate(table[1:], 2):
        if not "".join(record).strip():
            continue  # spreadsheets export blank rows
        width = len(record)
        cells = {f: _text(record[i]) for f, i in wanted.items() if i < width}
        rows.append(_Row(number, 1, cells, columns))
    return rows, set(header)


def _text(cell: str) -> str:
    """A cell as written; the apostrophe procmap's CSV puts before text that
    a spreadsheet would take for a formula is dropped."""
    from procmap.tracking.report.csv_report import FORMULA_START

    cell = cell.strip()
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_START) else cell


def _yaml_rows(data: bytes, file: str, names: Mapping[str, str]) -> tuple[list[_Row], set[str]]:
    try:
        root = compose(data)
    except YamlError as e:
        raise WorkflowError([Problem(file, e.line, e.column, e.message, e.hint)]) from None
    if isinstance(root, YamlMapping):
        root = root.get("cases")
    if not isinstance(root, Sequence):
        raise WorkflowError([Problem(file, 1, 1, "not a list of cases",
                                     "write a list of mappings, or `cases:` with one")])
    by_name = {n.lower(): f for f, n in names.items()}
    rows, header = [], set()
    for item in root.items:
        cells: dict[str, str] = {}
        columns: dict[str, int] = {}
        for key, value in item.items if isinstance(item, YamlMapping) else ():
            name = str(key.value).strip().lower()
            header.add(name)
            if name in by_name:
                cells[by_name[name]] = "" if not isinstance(value, Scalar) or \
                    value.value is None else str(value.value).strip()
                columns[by_name[name]] = key.column
        rows.append(_Row(item.line, item.column, cells, columns))
    return rows, header


class _Reader:
    def __init__(self, file: str, workflows: Mapping[str, Workflow], today: dt.date,
                 names: Mapping[str, str]) -> None:
        self.file, self.workflows, self.today, self.names = file, workflows, today, names
        self.problems: list[Problem] = []

    def bad(self, row: _Row, e: _BadRow) -> None:
        self.problems.append(Problem(self.file, row.number, e.column, e.message, e.hint))

    def column(self, row: _Row, field: str) -> int:
        return row.columns.get(field, row.column)

    def text(self, row: _Row, field: str, required: bool = False) -> str | None:
        text = row.cells.get(field)
        if not text and required:
            raise _BadRow(self.column(row, field), f"column '{self.names[field]}': missing "
                          f"{field}", f"give every row its {field}")
        return text or None

    def date(self, row: _Row, field: str, required: bool = False,
             past: bool = True) -> dt.date | None:
        text = self.text(row, field, required)
        if text is None:
            return None
        try:
            day = parse_date(text)
        except ValueError:
            raise _BadRow(self.column(row, field), f"column '{self.names[field]}': {text!r} "
                          "is not an ISO 8601 date", "write dates as YYYY-MM-DD") from None
        if past and day > self.today:
            raise _BadRow(self.column(row, field), f"column '{self.names[field]}': {day} is in "
                          f"the future (today is {self.today})", "check the date, or pass --today")
        return day

    def place(self, row: _Row) -> tuple[str, Workflow, str]:
        """The case id, its workflow and its step, all known."""
        case = self.text(row, "case", required=True)
        wid = self.text(row, "workflow", required=True)
        step = self.text(row, "step", required=True)
        assert case and wid and step
        workflow = self.workflows.get(wid)
        if workflow is None:
            raise _BadRow(self.column(row, "workflow"),
                          f"column '{self.names['workflow']}': unknown workflow {wid!r}",
                          _choices("workflows", wid, self.workflows))
        if step not in workflow.steps:
            raise _BadRow(self.column(row, "step"),
                          f"column '{self.names['step']}': workflow {wid!r} has no step "
                          f"{step!r}", _choices("steps", step, workflow.steps))
        return case, workflow, step

    def current(self, rows: Iterable[_Row]) -> tuple[list[Case], list[Problem]]:
        cases: list[Case] = []
        first: dict[str, int] = {}
        for row in rows:
            try:
                case, workflow, step = self.place(row)
                if case in first:
                    raise _BadRow(self.column(row, "case"),
                                  f"column '{self.names['case']}': duplicate case id {case!r}, "
                                  f"also row {first[case]}", "give each case one row")
                entered = self.date(row, "entered", required=True)
                due = self.date(row, "due", past=False)
            except _BadRow as e:
                self.bad(row, e)
                continue
            assert entered is not None
            first[case] = row.number
            cases.append(Case(case, workflow.id, step, entered, row.number, due,
                              self.text(row, "owner"), self.text(row, "blocker")))
        return cases, self.problems

    def history(self, rows: Iterable[_Row]) -> tuple[list[Case], list[Problem]]:
        runs: dict[str, list[tuple[_Row, Workflow, str, dt.date, dt.date | None]]] = {}
        for row in rows:
            try:
                case, workflow, step = self.place(row)
                earlier = runs.get(case)
                if earlier and earlier[0][1].id != workflow.id:
                    raise _BadRow(self.column(row, "workflow"),
                                  f"column '{self.names['workflow']}': case {case!r} is in "
                                  f"workflow {earlier[0][1].id!r} on row {earlier[0][0].number}",
                                  "a case runs through one workflow")
                started = self.date(row, "started", required=True)
                finished = self.date(row, "finished")
                assert started is not None
                if finished is not None and finished < started:
                    raise _BadRow(self.column(row, "finished"),
                                  f"column '{self.names['finished']}': {finished} is before "
                                  f"the start {started}", "swap or correct the dates")
                self.date(row, "due", past=False)
            except _BadRow as e:
                self.bad(row, e)
                continue
            runs.setdefault(case, []).append((row, workflow, step, started, finished))
        cases = []
        for case, steps in runs.items():
            try:
                cases.append(self.derive(case, steps))
            except _BadRow as e:
                self.bad(steps[-1][0], e)
        return cases, self.problems

    def derive(self, case: str, runs: list[tuple[_Row, Workflow, str, dt.date,
                                                  dt.date | None]]) -> Case:
        """The current state of a case from the steps it ran."""
        workflow = runs[0][1]
        done = tuple(Done(s, a, b) for _, _, s, a, b in sorted(runs, key=lambda r: r[3])
                     if b is not None)
        latest = {f: next((v for r in reversed(runs) if (v := self.text(r[0], f))), None)
                  for f in ("owner", "due")}
        due = parse_date(latest["due"]) if latest["due"] else None  # checked per row
        open_runs = [r for r in runs if r[4] is None]
        if open_runs:
            row, _, step, started, _ = max(open_runs, key=lambda r: (r[3], r[0].number))
            return Case(case, workflow.id, step, started, row.number, due, latest["owner"],
                        self.text(row, "blocker"), done)
        row, _, last, _, finished = max(runs, key=lambda r: (r[4], r[0].number))
        assert finished is not None
        after = list(dict.fromkeys(b.to for b in workflow.steps[last].next))
        if not after:
            return Case(case, workflow.id, None, finished, row.number, due, latest["owner"],
                        None, done)
        if len(after) > 1:
            raise _BadRow(self.column(row, "step"),
                          f"case {case!r}: its history ends at {last!r}, which goes on to "
                          f"{', '.join(after)}", "add a row for the step the case is at, with "
                          "its start date")
        return Case(case, workflow.id, after[0], finished, row.number, due, latest["owner"],
                    self.text(row, "blocker"), done)


def _choices(what: str, given: str, known: Iterable[str]) -> str:
    names = sorted(known)
    close = difflib.get_close_matches(given, names, n=1)
    if close:
        return f"did you mean {close[0]!r}?"
    shown = ", ".join(names[:8]) + (", ..." if len(names) > 8 else "")
    return f"the {what} are: {shown}" if names else f"there are no {what}"
