"""The swimlane diagram of a workflow, laid out once for every output format.

procmap places the steps itself instead of leaving it to Graphviz's `dot`:
`dot` cannot keep clusters in a given order, and lanes out of the order of
`teams` make a swimlane diagram unreadable. Columns come from the longest
path from the start (flow order, left to right); each lane is a band of rows
in the order of `teams`; within a lane and column, the critical path takes
the first row and the other steps follow the rows of their predecessors,
which keeps edges from crossing where a straight order exists.
"""

from __future__ import annotations

import itertools
import textwrap
from collections import defaultdict
from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from unicodedata import east_asian_width

from procmap.analysis.graph import Flow
from procmap.analysis.metrics import percent
from procmap.analysis.rules.base import LEVELS, Finding
from procmap.format.durations import short
from procmap.format.model import Step

if TYPE_CHECKING:
    from procmap.analysis.analyze import WorkflowReport

# Sizes in points (1/72 in), the unit of Graphviz positions.
COLUMN = 240.0
LANE_HEADER = 120.0
LANE_GAP = 22.0
ROW_GAP = 26.0
LINE = 13.0
WRAP = {"decision": 16, "check": 16}
WRAP_DEFAULT = 22
# Two steps side by side that touch make Graphviz give up routing edges
# around the steps ("falling back to straight line edges"): columns are set
# wider apart where the widest steps of neighbouring columns would touch.
# How wide Graphviz draws a step is only known once it has, so it is
# bounded: text by its characters' widths in em (Helvetica Bold's, about),
# a shape by (points per point of text, plus points), the most that
# Graphviz 2.43 drew on about 450 steps (the examples; titles of up to 200
# characters, in capitals, digits, wide and narrow letters): a box adds its
# margins; a hexagon, parallelogram, diamond and ellipse grow faster than
# their text.
EM = {**dict.fromkeys("ABCDEFGHIJKLMNOPQRSTUVWXYZ", 0.78), **dict.fromkeys("0123456789", 0.56),
      **dict.fromkeys(" ilj.,;:!'|ftI()[]", 0.3), **dict.fromkeys("mwMW%@", 0.9)}
EM_OTHER = 0.6  # and a full em for a wide (Chinese, Japanese, Korean) character
SHAPE_WIDTH = {"approval": (1.55, 35.0), "check": (1.8, 66.0), "decision": (1.9, 47.0),
               "wait": (1.41, 23.0), "end": (1.0, 23.0)}
BOX_WIDTH = (1.0, 17.0)
STEP_GAP = 8.0
# Lines of a step's title in a drawing; the tooltip and the SOP carry the
# rest. A title of thousands of characters made a PNG of 10,000 pixels.
TITLE_LINES = 10
CHANGES = ("removed", "added", "moved", "changed")
KINDS = ("task", "approval", "check", "decision", "wait", "end")


@dataclass(frozen=True, slots=True)
class Lane:
    team: str
    name: str
    color: str | None
    bottom: float
    height: float


@dataclass(frozen=True, slots=True)
class Node:
    id: str  # s<index>: YAML ids never reach the output formats as identifiers
    step: Step
    lane: int
    column: int
    x: float  # centre, points from the left
    y: float  # centre, points from the bottom
    title_lines: tuple[str, ...]
    times: str  # "wait + touch"
    critical: bool
    findings: tuple[Finding, ...]
    change: str | None = None  # in a before/after diagram: removed, added, moved or changed
    badge: int | None = None  # the number of the step's findings in the findings table
    notes: tuple[str, ...] = ()  # in a before/after diagram: what changed, one line each

    @property
    def level(self) -> str | None:
        """The most severe active finding on the step."""
        for level in LEVELS:
            if any(f.level == level for f in self.findings):
                return level
        return None


@dataclass(frozen=True, slots=True)
class Edge:
    source: str
    target: str
    handoff: bool
    rework: bool
    critical: bool
    when: str | None
    p: float | None
    removed: bool = False  # in a before/after diagram
    bounce: bool = False  # part of a ping-pong finding: work leaves a team and comes back
    added: bool = False  # in a before/after diagram
    note: str | None = None  # in a before/after diagram: how the condition changed

    @property
    def label(self) -> str | None:
        parts = ["rework"] if self.rework else []
        if self.when:
            parts.append(self.when)
        if self.p is not None:
            parts.append(f"{self.p:.0%}")
        if self.note:
            parts.append(self.note)
        return " · ".join(parts) or None


@dataclass(frozen=True, slots=True)
class Marks:
    """What a before/after diagram marks on the union of both versions."""

    steps: Mapping[str, str] = field(default_factory=dict)  # id -> removed, added, ...
    notes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # id -> lines
    removed_links: Set[tuple[str, str]] = frozenset()
    added_links: Set[tuple[str, str]] = frozenset()
    link_notes: Mapping[tuple[str, str], str] = field(default_factory=dict)
    summary: str | None = None  # the header's metrics, before -> after


@dataclass(frozen=True, slots=True)
class Note:
    """One row of the findings table drawn under the diagram."""

    number: int | None  # the badge on the step; None for a finding on the whole workflow
    finding: Finding


@dataclass(frozen=True, slots=True)
class Connector:
    """Where an edge leaves a page or comes in: it names the step and page."""

    id: str  # c<index>
    text: str  # "to 'Title' (page 3)"
    x: float
    y: float


@dataclass(frozen=True, slots=True)
class Diagram:
    id: str
    title: str
    summary: str  # lead time, touch time, PCE and handoffs
    lanes: tuple[Lane, ...]
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    width: float
    height: float
    notes: tuple[Note, ...] = ()
    connectors: tuple[Connector, ...] = ()  # on a page of a large map
    column: float = COLUMN  # from one column's centre to the next


    @property
    def kinds(self) -> tuple[str, ...]:
        """Step kinds drawn, in the order of KINDS."""
        present = {n.step.kind for n in self.nodes}
        return tuple(k for k in KINDS if k in present)

    @property
    def changes(self) -> tuple[str, ...]:
        """Change marks present, in legend order."""
        present = {n.change for n in self.nodes}
        return tuple(c for c in CHANGES if c in present)

    @property
    def levels(self) -> tuple[str, ...]:
        """Finding levels present on some step, most severe first."""
        present = {n.level for n in self.nodes}
        return tuple(level for level in LEVELS if level in present)


def summary(report: WorkflowReport) -> str:
    # What a person can quote first (analysis.md 1.1); the critical path is
    # the worst branch, every branch taken, so it is labelled as such.
    m = report.metrics
    quotable = (f"lead time mean {short(m.simulated.mean_h)}, P90 {short(m.simulated.p90_h)}"
                " · " if m.simulated else "")
    return (f"{quotable}{m.expected_handoffs:.2f} handoffs per case · worst branch "
            f"{short(m.lead_time_h)} · touch time {short(m.touch_time_h)} · "
            f"PCE {percent(m.pce)}")


def wrap(text: str, width: int, most: int | None = None) -> tuple[str, ...]:
    """Lines of at most `width` characters; the author's own line breaks are
    kept. Beyond `most` lines the text is cut, and the last line ends in "…"."""
    out: list[str] = []
    for line in text.splitlines() or [""]:
        out.extend(textwrap.wrap(line, width) or [""])
    if most is not None and len(out) > most:
        out[most - 1:] = [out[most - 1][:width - 1] + "…"]
    return tuple(out)


def shown(text: str, fallback: str) -> str:
    """What a diagram draws for a title or name: a blank one would draw
    nothing (and Graphviz refuses the empty <B></B> it makes), so the id stands in."""
    return text if text.strip() else fallback


def _columns(flow: Flow) -> list[int]:
    column = [0] * flow.n
    for u in flow.topo:
        for v in flow.fsucc[u]:
            column[v] = max(column[v], column[u] + 1)
    return column


def _height(kind: str, lines: int) -> float:
    text = (lines + 1) * LINE + 14
    return text * 1.8 if kind == "decision" else text


def _width(kind: str, title: Sequence[str], small: Sequence[str], badge: int | None) -> float:
    """At most how wide Graphviz draws a step of `kind`: its title's lines, the
    lines in small print (times, notes) and its badge."""
    text = max([em(line) * 11 for line in title] + [em(line) * 10 for line in small])
    if badge is not None:
        text += 12 + 6 * len(str(badge))
    per, plus = SHAPE_WIDTH.get(kind, BOX_WIDTH)
    return per * text + plus


def em(text: str) -> float:
    """About how wide `text` is in Helvetica (bold or not), in em."""
    return sum(EM.get(c) or (1.0 if east_asian_width(c) in "WF" else EM_OTHER) for c in text)


def _apart(cells: Mapping[tuple[int, int], Sequence[float]]) -> float:
    """COLUMN, or wider where the widest steps of neighbouring columns in a
    lane (`cells`: their widths by lane and column) would touch."""
    widest = {cell: max(widths) for cell, widths in cells.items()}
    return max([COLUMN, *((w + widest[lane, c + 1]) / 2 + STEP_GAP
                          for (lane, c), w in widest.items() if (lane, c + 1) in widest)])


def layout(report: WorkflowReport, marks: Marks | None = None) -> Diagram:
    """The diagram of an analysed workflow; `marks` make it a before/after diagram."""
    marks = marks or Marks()
    workflow = report.workflow
    flow = Flow(workflow)
    teams = list(workflow.teams)
    lane_of = [teams.index(s.team) for s in flow.steps]
    column = _columns(flow)
    path = report.metrics.critical_path
    on_path = {flow.index[s] for s in path}
    findings: dict[str, list[Finding]] = defaultdict(list)
    for f in report.findings:
        if f.step is not None and f.level in LEVELS:
            findings[f.step].append(f)

    # Rows within each (lane, column) cell, filled column by column so that a
    # step can follow the rows its predecessors already took.
    cells: dict[tuple[int, int], list[int]] = defaultdict(list)
    for i in sorted(range(flow.n), key=lambda i: (column[i], i)):
        cells[lane_of[i], column[i]].append(i)
    row = [0] * flow.n
    shared = [1] * flow.n  # steps in the step's (lane, column) cell
    key = [0.0] * flow.n
    for (lane, _), members in sorted(cells.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        def order(i: int, lane: int = lane) -> tuple[bool, float, int]:
            preds = flow.fpred[i]
            centre = sum(key[u] for u in preds) / len(preds) if preds else lane
            return (i not in on_path, centre, i)

        members.sort(key=order)
        for r, i in enumerate(members):
            row[i] = r
            shared[i] = len(members)
            key[i] = lane + r / len(members)
    rows = [1] * len(teams)
    for (lane, _), members in cells.items():
        rows[lane] = max(rows[lane], len(members))

    # Badges number the steps with findings in reading order: column by
    # column, lanes top to bottom within one.
    reading = sorted((i for i, s in enumerate(flow.steps) if s.id in findings),
                     key=lambda i: (column[i], lane_of[i], row[i]))
    badge = {flow.steps[i].id: k for k, i in enumerate(reading, 1)}
    notes = tuple(Note(badge[flow.steps[i].id], f)
                  for i in reading for f in findings[flow.steps[i].id])
    notes += tuple(Note(None, f) for f in report.findings
                   if f.level in LEVELS and (f.step is None or f.step not in flow.index))

    lines = [wrap(shown(s.title, s.id), WRAP.get(s.kind, WRAP_DEFAULT), TITLE_LINES)
             for s in flow.steps]
    notes_of = [tuple(line for note in marks.notes.get(s.id, ())
                      for line in wrap(note, WRAP.get(s.kind, WRAP_DEFAULT) + 6, 3))
                for s in flow.steps]
    # One row height and one lane height for all: lanes of 3x different
    # heights read as 3x different importance.
    pitch = max((_height(s.kind, len(ln) + len(nt)) + ROW_GAP
                 for s, ln, nt in zip(flow.steps, lines, notes_of, strict=True)),
                default=40.0)
    most = max(rows, default=1)
    height = most * pitch + LANE_GAP
    lanes: list[Lane] = []
    top = 0.0
    for team_id in teams:
        team = workflow.teams[team_id]
        lanes.append(Lane(team_id, shown(team.name, team_id), team.color, -(top + height),
                          height))
        top += height
    # Graphviz measures y upwards from the bottom: shift every lane above 0.
    lanes = [Lane(ln.team, ln.name, ln.color, ln.bottom + top, ln.height) for ln in lanes]

    times = [f"{short(s.wait.mean)} + {short(s.touch.mean)}" for s in flow.steps]
    widths: dict[tuple[int, int], list[float]] = defaultdict(list)
    for i, s in enumerate(flow.steps):
        widths[lane_of[i], column[i]].append(
            _width(s.kind, lines[i], (times[i], *notes_of[i]), badge.get(s.id)))
    apart = _apart(widths)
    nodes = []
    for i, s in enumerate(flow.steps):
        band = lanes[lane_of[i]]
        # A cell of fewer steps than the tallest is centred in its lane, so
        # that lone steps of neighbouring columns line up.
        y = (band.bottom + band.height - LANE_GAP / 2
             - (row[i] + 0.5 + (most - shared[i]) / 2) * pitch)
        x = LANE_HEADER + (column[i] + 0.5) * apart
        nodes.append(Node(f"s{i}", s, lane_of[i], column[i], x, y, lines[i], times[i],
                          i in on_path,
                          tuple(findings.get(s.id, ())), marks.steps.get(s.id),
                          badge.get(s.id), notes_of[i]))
    critical = {(flow.index[a], flow.index[b]) for a, b in itertools.pairwise(path)}
    bounces = {pair for f in report.findings if f.rule == "ping-pong" and f.level in LEVELS
               for pair in itertools.pairwise(flow.index[s] for s in f.steps)}
    ids = [s.id for s in flow.steps]
    edges = tuple(Edge(f"s{u}", f"s{v}", flow.is_handoff(u, v), (u, v) in flow.rework,
                       (u, v) in critical, flow.when[u, v], flow.p[u, v],
                       (ids[u], ids[v]) in marks.removed_links, (u, v) in bounces,
                       (ids[u], ids[v]) in marks.added_links,
                       marks.link_notes.get((ids[u], ids[v])))
                  for u, v in flow.edges())
    width = LANE_HEADER + (max(column, default=0) + 1) * apart
    return Diagram(workflow.id, shown(workflow.title, workflow.id),
                   marks.summary or summary(report),
                   tuple(lanes), tuple(nodes), edges, width, top, notes, column=apart)
