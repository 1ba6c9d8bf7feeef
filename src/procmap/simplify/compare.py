"""`procmap diff`: a workflow before and after, in numbers and step by step."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from operator import attrgetter

from procmap.analysis.analyze import WorkflowReport
from procmap.analysis.metrics import Metrics
from procmap.docs.markdown import inline
from procmap.format.durations import short
from procmap.format.gcpause import paused
from procmap.format.model import Duration, Requirement, Workflow
from procmap.printable import one_line

# (label, JSON key, unit) in the order people read them: first what a person
# can quote (the simulated lead time and handoffs per case), then the worst
# branch (the critical path, every branch taken), then the counts. Units: h
# hours, % a share, n a count, x a rate per case.
ROWS: tuple[tuple[str, str, str], ...] = (
    ("lead time mean", "simulated_mean_h", "h"), ("lead time P50", "simulated_p50_h", "h"),
    ("lead time P90", "simulated_p90_h", "h"), ("handoffs per case", "expected_handoffs", "x"),
    ("worst branch", "lead_time_h", "h"), ("steps", "steps", "n"), ("teams", "teams", "n"),
    ("handoff links", "handoffs", "n"), ("ping-pong", "ping_pong", "n"),
    ("rework loops", "rework_edges", "n"), ("touch time", "touch_time_h", "h"),
    ("PCE", "pce", "%"))

# The step fields a reviewer checks, compared on the model (so `60m` and `1h`
# are the same); the team is reported as a move.
FIELDS = ("title", "kind", "touch", "wait", "requirement", "automated", "value", "inputs",
          "outputs")
_fields = attrgetter(*FIELDS)


@dataclass(frozen=True, slots=True)
class Moved:
    step: str
    title: str
    before: str  # team names
    after: str


@dataclass(frozen=True, slots=True)
class Field:
    name: str  # one of FIELDS
    before: object
    after: object


@dataclass(frozen=True, slots=True)
class Changed:
    """A step in both versions whose fields (other than its team) changed."""

    step: str
    title: str  # the after title
    fields: tuple[Field, ...]


@dataclass(frozen=True, slots=True)
class Link:
    """One branch of `next`: a link and its condition."""

    source: str
    to: str
    when: str | None
    p: float | None


@dataclass(frozen=True, slots=True)
class Relinked:
    """A link in both versions whose condition (`when`, `p`) changed."""

    before: Link
    after: Link


@dataclass(frozen=True, slots=True)
class Comparison:
    before: WorkflowReport
    after: WorkflowReport
    removed: tuple[str, ...]  # step ids
    added: tuple[str, ...]
    moved: tuple[Moved, ...]
    changed: tuple[Changed, ...]
    links_removed: tuple[Link, ...]
    links_added: tuple[Link, ...]
    links_changed: tuple[Relinked, ...]

    def rows(self) -> list[tuple[str, str, str, float | None, float | None]]:
        """(label, JSON key, unit, before, after) for every metric."""
        b, a = self.before.metrics, self.after.metrics
        return [(label, key, unit, _metric(b, key), _metric(a, key)) for label, key, unit in ROWS]


def _metric(m: Metrics, key: str) -> float | None:
    """A metric by its JSON key: the simulated ones are None when not simulated."""
    if key.startswith("simulated_"):
        return None if m.simulated is None else getattr(m.simulated, key[len("simulated_"):])
    value: float | None = getattr(m, key)
    return value


def compare(before: WorkflowReport, after: WorkflowReport) -> Comparison:
    """What changed, from the two analyses: linear in the size of the workflows."""
    with paused():  # many small acyclic objects, as in the analysis
        return _compare(before, after)


def _compare(before: WorkflowReport, after: WorkflowReport) -> Comparison:
    bw, aw = before.workflow, after.workflow
    kept = [(s, aw.steps[s.id]) for s in bw.step_list if s.id in aw.steps]
    moved = tuple(Moved(b.id, a.title, bw.teams[b.team].name, aw.teams[a.team].name)
                  for b, a in kept if a.team != b.team)
    changed = []
    for b, a in kept:
        old, new = _fields(b), _fields(a)
        if old != new:
            fields = zip(FIELDS, old, new, strict=True)
            changed.append(Changed(a.id, a.title,
                                   tuple(Field(name, x, y) for name, x, y in fields if x != y)))
    links_b, links_a = _links(bw), _links(aw)
    return Comparison(
        before, after,
        tuple(s for s in bw.steps if s not in aw.steps),
        tuple(s for s in aw.steps if s not in bw.steps), moved, tuple(changed),
        tuple(link for key, link in links_b.items() if key not in links_a),
        tuple(link for key, link in links_a.items() if key not in links_b),
        # Same source and target: the two links differ only in their condition.
        tuple(Relinked(link, links_a[key]) for key, link in links_b.items()
              if key in links_a and links_a[key] != link))


def _links(w: Workflow) -> dict[tuple[str, str], Link]:
    """Every link by (source, target), in file order; the first branch to a
    target wins, as in the analysis."""
    out: dict[tuple[str, str], Link] = {}
    for step in w.step_list:
        for branch in step.next:
            out.setdefault((step.id, branch.to), Link(step.id, branch.to, branch.when, branch.p))
    return out


def _value(unit: str, x: float | None) -> str:
    if x is None:
        return "n/a"
    if unit == "h":
        return short(x)
    return f"{x:.1%}" if unit == "%" else f"{x:.2f}" if unit == "x" else f"{x:g}"


def _delta(unit: str, b: float | None, a: float | None) -> str:
    if a is None or b is None:
        return ""
    d = a - b
    if abs(d) < 1e-9:
        return "0"
    sign = "+" if d > 0 else "-"
    if unit == "%":
        points = abs(d) * 100
        if points < 0.005:  # would print as -0.00: a change too small to show
            return f"{sign}<0.01 pts"
        return f"{sign}{points:.1f} pts" if points >= 0.05 else f"{sign}{points:.2f} pts"
    if unit == "x":
        return f"{sign}{abs(d):.2f}"
    return sign + (short(abs(d)) if unit == "h" else f"{abs(d):g}")


def text(c: Comparison) -> str:
    lines = [f"{one_line(c.before.workflow.file)} -> {one_line(c.after.workflow.file)}", ""]
    lines.append(f"{'':<19}{'before':>10}{'after':>10}{'change':>12}")
    for label, _, unit, b, a in c.rows():
        lines.append(f"{label:<19}{_value(unit, b):>10}{_value(unit, a):>10}"
                     f"{_delta(unit, b, a):>12}".rstrip())
    lines += ["", *_changes(c, one_line)]
    return "\n".join(lines) + "\n"


def _changes(c: Comparison, e: Callable[[str], str]) -> list[str]:
    bw, aw = c.before.workflow, c.after.workflow
    out = [f"- removed: {e(s)} ({e(bw.steps[s].title)})" for s in c.removed]
    out += [f"- added: {e(s)} ({e(aw.steps[s].title)})" for s in c.added]
    out += [f"- moved: {e(m.step)} ({e(m.title)}) from {e(m.before)} to {e(m.after)}"
            for m in c.moved]
    out += [f"- changed: {e(s.step)} ({e(s.title)}): "
            + "; ".join(f"{f.name} {_field(f.name, f.before, e)} -> {_field(f.name, f.after, e)}"
                        for f in s.fields) for s in c.changed]
    out += [f"- link removed: {_link(link, e)}{_condition(link, e)}" for link in c.links_removed]
    out += [f"- link added: {_link(link, e)}{_condition(link, e)}" for link in c.links_added]
    out += [f"- link changed: {_link(r.after, e)}: " + "; ".join(_relinked(r, e))
            for r in c.links_changed]
    return out or ["no step or link changed"]


def _link(link: Link, e: Callable[[str], str]) -> str:
    return f"{e(link.source)} -> {e(link.to)}"


def _condition(link: Link, e: Callable[[str], str]) -> str:
    parts = [f'when "{e(link.when)}"'] if link.when is not None else []
    parts += [f"p {link.p:g}"] if link.p is not None else []
    return f" ({', '.join(parts)})" if parts else ""


def _relinked(r: Relinked, e: Callable[[str], str]) -> Iterator[str]:
    b, a = r.before, r.after
    if b.when != a.when:
        yield f"when {_quoted(b.when, e)} -> {_quoted(a.when, e)}"
    if b.p != a.p:
        yield f"p {_number(b.p)} -> {_number(a.p)}"


def _quoted(text: str | None, e: Callable[[str], str]) -> str:
    return "none" if text is None else f'"{e(text)}"'


def _number(p: float | None) -> str:
    return "none" if p is None else f"{p:g}"


def _field(name: str, value: object, e: Callable[[str], str]) -> str:
    """A step field as a reviewer reads it; text from the YAML goes through `e`."""
    if isinstance(value, Duration):
        return _duration(value)
    if isinstance(value, Requirement):
        return _requirement(value, e)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, tuple):
        return ", ".join(e(v) for v in value) or "none"
    if value is None:  # no requirement, no value class
        return "none"
    return f'"{e(str(value))}"' if name == "title" else e(str(value))


def _duration(d: Duration) -> str:
    if d.fixed:
        return short(d.likely)
    return f"{short(d.low)} to {short(d.high)}, likely {short(d.likely)}"


def _requirement(r: Requirement, e: Callable[[str], str]) -> str:
    why = f'"{e(r.why)}"' if r.why is not None else "no why"
    return f"{why} by {e(r.by)}" if r.by is not None else f"{why}, nobody named"


def markdown(c: Comparison) -> str:
    """For a pull-request comment."""
    title = inline(c.after.workflow.title)
    lines = [f"### procmap: {title}", "", "| | before | after | change |",
             "| --- | ---: | ---: | ---: |"]
    lines += [f"| {label} | {_value(unit, b)} | {_value(unit, a)} | {_delta(unit, b, a)} |"
              for label, _, unit, b, a in c.rows()]
    lines += ["", *_changes(c, inline)]
    return "\n".join(lines) + "\n"


def as_json(c: Comparison) -> str:
    doc = {
        "before": c.before.workflow.file, "after": c.after.workflow.file,
        "metrics": {key: {"before": _round(b), "after": _round(a),
                          "change": None if a is None or b is None else _round(a - b)}
                    for _, key, _, b, a in c.rows()},
        "removed": list(c.removed), "added": list(c.added),
        "moved": [{"step": m.step, "from": m.before, "to": m.after} for m in c.moved],
        "changed": [{"step": s.step, "title": s.title,
                     "fields": {f.name: {"before": _json(f.before), "after": _json(f.after)}
                                for f in s.fields}} for s in c.changed],
        "links_removed": [_link_json(link) for link in c.links_removed],
        "links_added": [_link_json(link) for link in c.links_added],
        "links_changed": [{"from": r.after.source, "to": r.after.to,
                           "before": {"when": r.before.when, "p": r.before.p},
                           "after": {"when": r.after.when, "p": r.after.p}}
                          for r in c.links_changed],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _link_json(link: Link) -> dict[str, object]:
    return {"from": link.source, "to": link.to, "when": link.when, "p": link.p}


def _json(value: object) -> object:
    """A step field as the YAML format writes it: hours for a duration, a
    {min, likely, max} mapping for a range."""
    if isinstance(value, Duration):
        if value.fixed:
            return _round(value.likely)
        return {"min": _round(value.low), "likely": _round(value.likely),
                "max": _round(value.high)}
    if isinstance(value, Requirement):
        return {"why": value.why, "by": value.by}
    return list(value) if isinstance(value, tuple) else value


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


FORMATS = {"text": text, "markdown": markdown, "json": as_json}


# The header of the before/after picture: (label, JSON key) of c.rows().
PICTURE_METRICS = (("lead time", "lead_time_h"), ("touch time", "touch_time_h"),
                   ("PCE", "pce"), ("handoffs", "handoffs"), ("steps", "steps"))


def picture(c: Comparison, fmt: str) -> bytes:
    """One diagram of both versions: the after workflow, with the removed
    steps and links put back greyed and struck, added steps and links green,
    moved and changed steps marked with what they were. The critical path
    is the after one; the header gives each metric before -> after."""
    from dataclasses import replace

    from procmap.format.model import Step
    from procmap.render import draw_diagram, layout
    from procmap.render.diagram import Marks

    bw, aw = c.before.workflow, c.after.workflow
    gone_links = {(link.source, link.to) for link in c.links_removed}
    steps: dict[str, Step] = {}
    for s in bw.step_list:
        if s.id in aw.steps:
            kept = aw.steps[s.id]
            gone = tuple(b for b in s.next if (s.id, b.to) in gone_links)
            steps[s.id] = replace(kept, next=kept.next + gone)
        else:
            steps[s.id] = s
    for s in aw.step_list:
        steps.setdefault(s.id, s)
    steps = {sid: replace(s, index=i, next=tuple(b for b in s.next if b.to in steps))
             for i, (sid, s) in enumerate(steps.items())}
    teams = dict(bw.teams) | {t: team for t, team in aw.teams.items() if t not in bw.teams}
    union = replace(aw, teams=teams, steps=steps)
    report = WorkflowReport(union, c.after.metrics, ())
    notes: dict[str, list[str]] = {}
    for m in c.moved:
        notes.setdefault(m.step, []).append(f"moved from {m.before}")
    for ch in c.changed:
        notes.setdefault(ch.step, []).extend(
            f"{f.name} {_field(f.name, f.before, one_line)} → {_field(f.name, f.after, one_line)}"
            for f in ch.fields)
    rows = {key: (unit, b, a) for _, key, unit, b, a in c.rows()}
    header = " · ".join(f"{label} {_value(rows[key][0], rows[key][1])} → "
                        f"{_value(rows[key][0], rows[key][2])}" for label, key in PICTURE_METRICS)
    marks = Marks(
        steps=({ch.step: "changed" for ch in c.changed} | {s: "removed" for s in c.removed}
               | {s: "added" for s in c.added} | {m.step: "moved" for m in c.moved}),
        notes={step: tuple(lines) for step, lines in notes.items()},
        removed_links=gone_links,
        added_links={(link.source, link.to) for link in c.links_added},
        link_notes={(r.after.source, r.after.to): "; ".join(_relinked(r, one_line))
                    for r in c.links_changed},
        summary=header)
    return draw_diagram(layout(report, marks), fmt)
