"""Write an imported workflow as YAML text, with the comments a reader needs:
what the import lost, and which shares are guesses."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from procmap.bpmn.losses import Loss
from procmap.format.yamltext import ODD, quoted
from procmap.printable import one_line

_PLAIN = re.compile(r"^[A-Za-z][A-Za-z0-9 ,.()/'&+-]*$")
_RESERVED = {"yes", "no", "true", "false", "on", "off", "null", "y", "n"}


@dataclass(slots=True)
class Branch:
    to: str
    when: str | None
    p: float | None
    guessed: bool


@dataclass(slots=True)
class Team:
    id: str
    name: str
    color: str | None
    external: bool
    staff: float | None


@dataclass(slots=True)
class Step:
    id: str
    title: str
    team: str
    kind: str
    touch: str | None
    wait: str | None
    automated: bool | str
    who: str | None
    value: str | None
    systems: list[str]
    inputs: list[str]
    outputs: list[str]
    description: str | None
    next: list[Branch] = field(default_factory=list)
    requirement: dict[str, str] = field(default_factory=dict)  # why, by
    instructions: list[str] = field(default_factory=list)
    waive: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class WorkflowText:
    id: str
    title: str
    owner: str | None
    description: str | None
    volume: str | None
    outputs: list[str]
    inputs: list[str]
    records: list[str]
    teams: list[Team]
    steps: list[Step]
    start: str | None
    source: str
    tags: list[str] = field(default_factory=list)
    hours_per_week: float | None = None


def scalar(text: str) -> str:
    """A YAML scalar for free text: plain where that is unambiguous, else quoted."""
    if _PLAIN.match(text) and text.lower() not in _RESERVED and not text.endswith(" ") \
            and ": " not in text and " #" not in text:
        return text
    return quoted(text)


def _text(indent: str, text: str) -> str:
    """Markdown: a literal block, unless it holds characters only escapes can carry."""
    if ODD.search(text) or text != text.strip("\n") or "\r" in text:
        return scalar(text)
    return "\n".join(_block(indent, text))


def _list(items: list[str]) -> str:
    return "[" + ", ".join(items) + "]"


def _block(indent: str, text: str) -> list[str]:
    return ["|-"] + [f"{indent}{line}".rstrip() for line in text.splitlines()]


def _p(p: float) -> str:
    return repr(p) if p != round(p, 6) else f"{p:g}"


def _shares(branches: list[Branch]) -> list[float]:
    """The shares to write: as given when they sum to 1, else rounded to sum to 1."""
    values = [b.p or 0.0 for b in branches]
    total = sum(values)
    if abs(total - 1) < 1e-9 or not values or total <= 0:
        return values
    values = [round(v / total, 6) for v in values]
    values[-1] = round(1 - sum(values[:-1]), 6)
    return values


def emit(w: WorkflowText, losses: list[Loss]) -> str:
    out = [f"# Imported from {one_line(w.source)} by procmap import bpmn."]
    if losses:
        out.append("# What the BPMN model says that this workflow cannot (by element id):")
        out.extend(f"#   {one_line(x.element)} (line {x.line}): {x.what}" for x in losses)
    else:
        out.append("# Nothing of the model was lost.")
    out += ["procmap: 1", f"id: {w.id}", f"title: {scalar(w.title)}"]
    if w.owner:
        out.append(f"owner: {scalar(w.owner)}")
    if w.description:
        out.append("description: " + _text("  ", w.description))
    if w.volume:
        out.append(f"volume: {w.volume}")
    for key, items in (("outputs", w.outputs), ("inputs", w.inputs), ("records", w.records)):
        if items:
            out.append(f"{key}: {_list(items)}")
    if w.tags:
        out.append(f"tags: [{', '.join(quoted(t) for t in w.tags)}]")
    if w.hours_per_week is not None:
        out.append(f"hours_per_week: {w.hours_per_week:g}")
    if w.start:
        out.append(f"start: {w.start}")
    out.append("teams:")
    for t in w.teams:
        extra = [f"color: {quoted(t.color)}"] if t.color else []
        extra += ["external: true"] if t.external else []
        extra += [f"staff: {t.staff:g}"] if t.staff is not None else []
        if extra:
            out.append(f"  {t.id}: {{name: {quoted(t.name)}, {', '.join(extra)}}}")
        else:
            out.append(f"  {t.id}: {scalar(t.name)}")
    out.append("steps:")
    for s in w.steps:
        out += _step(s)
    return "\n".join(out) + "\n"


def _step(s: Step) -> list[str]:
    out = [f"  {s.id}:", f"    title: {scalar(s.title)}", f"    team: {s.team}"]
    if s.who:
        out.append(f"    who: {scalar(s.who)}")
    if s.kind != "task":
        out.append(f"    kind: {s.kind}")
    for key, value in (("touch", s.touch), ("wait", s.wait)):
        if value and value != "0m":
            out.append(f"    {key}: {_duration(value)}")
    for key, items in (("inputs", s.inputs), ("outputs", s.outputs)):
        if items:
            out.append(f"    {key}: {_list(items)}")
    if s.systems:
        out.append(f"    systems: [{', '.join(quoted(x) for x in s.systems)}]")
    if s.value:
        out.append(f"    value: {s.value}")
    if s.automated:
        out.append(f"    automated: {'true' if s.automated is True else s.automated}")
    if s.requirement:
        pairs = ", ".join(f"{k}: {quoted(v)}" for k, v in s.requirement.items())
        out.append(f"    requirement: {{{pairs}}}")
    if s.description:
        out.append("    description: " + _text("      ", s.description))
    if s.instructions:
        out.append("    instructions:")
        out.extend(f"      - {quoted(x)}" for x in s.instructions)
    if s.waive:
        out.append("    waive:")
        out.extend(f"      {k}: {quoted(v)}" for k, v in s.waive.items())
    out += _next(s.next)
    return out


def _duration(text: str) -> str:
    """A duration as the export wrote it: `1h`, or `30m 1h 4h` for a range."""
    parts = text.split()
    if len(parts) == 3:
        return f"{{min: {parts[0]}, likely: {parts[1]}, max: {parts[2]}}}"
    return text


def _next(branches: list[Branch]) -> list[str]:
    if not branches:
        return []
    if len(branches) == 1 and branches[0].p is None and not branches[0].when:
        return [f"    next: {branches[0].to}"]
    out = ["    next:"]
    decision = any(b.p is not None for b in branches)
    shares = _shares(branches) if decision else []
    if decision and any(b.guessed for b in branches):
        out.append("      # p guessed: the model gives no shares for this decision")
    for i, b in enumerate(branches):
        if b.p is None and not b.when and not decision:
            out.append(f"      - {b.to}")
            continue
        out.append(f"      - to: {b.to}")
        if b.when:
            out.append(f"        when: {scalar(b.when)}")
        if decision:
            out.append(f"        p: {_p(shares[i])}")
    return out
