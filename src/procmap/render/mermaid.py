"""The swimlane diagram as a Mermaid flowchart, one subgraph per lane.

GitHub renders it in markdown. Every label is quoted, and every character
that Mermaid or HTML could read as syntax is written as a Mermaid entity
code (#35; for '#'), so no title can end a label, a line or the fence early.
"""

from __future__ import annotations

import json

from procmap.printable import printable
from procmap.render.diagram import Diagram, Node
from procmap.render.dot import CHANGE, CRITICAL, FILL, HANDOFF, NOTE_CHARS, tint

_SAFE = frozenset(" .,:-()/'?!+@=~$·")

SHAPES = {
    "task": ('("', '")'),
    "approval": ('{{"', '"}}'),
    "check": ('[/"', '"/]'),
    "decision": ('{"', '"}'),
    "wait": ('(["', '"])'),
    "end": ('[["', '"]]'),
}


def text(value: str) -> str:
    """A label's text: line breaks as <br/>, anything beyond letters, digits and
    plain punctuation as a Mermaid entity code."""
    lines = printable(value).splitlines() or [""]
    return "<br/>".join("".join(c if c.isalnum() or c in _SAFE else f"#{ord(c)};" for c in line)
                        for line in lines)


# Mermaid passes the front-matter title through DOMPurify, which writes
# & < > and no-break spaces as entities, and then shows it as plain text:
# "R&D" read "R&amp;D". Look-alikes that DOMPurify leaves alone stand in.
LOOKALIKES = str.maketrans({"&": "\uff06", "<": "\u2039", ">": "\u203a", "\u00a0": " "})


def _node(n: Node) -> str:
    opening, closing = SHAPES[n.step.kind]
    title = n.step.title
    if n.change == "removed":
        # A combining stroke on each character: a label holds no markup but <br/>.
        title = "".join(c if c.isspace() else c + "\u0336" for c in title)
    title = text(title)
    if n.badge is not None:
        title = f"#91;{n.badge}#93; {title}"
    notes = "".join(f"<br/>{text(line)}" for line in n.notes)
    return f"{n.id}{opening}{title}<br/>{text(n.times)}{notes}{closing}"


def _findings(d: Diagram) -> str:
    """The findings table as one note: which rule fired on which numbered step."""
    rows = [text(f"[{note.number if note.number is not None else '-'}] {note.finding.rule} "
                 f"({note.finding.level}): "
                 + _cut(" ".join(note.finding.message.split()), NOTE_CHARS))
            for note in d.notes]
    return '    findings["Findings<br/>' + "<br/>".join(rows) + '"]'


def _cut(line: str, most: int) -> str:
    return line if len(line) <= most else line[:most - 1] + "…"


def to_mermaid(d: Diagram) -> str:
    """Mermaid text; the same diagram always gives the same bytes."""
    title = " ".join(printable(f"{d.title} · {d.summary}").split()).translate(LOOKALIKES)
    # Mermaid finds %%{init: ...}%% directives anywhere in the text, front
    # matter included: a JSON escape keeps the title's % signs out of reach.
    quoted = json.dumps(title, ensure_ascii=False).replace("%", "\\u0025")
    # Mermaid's own layout (dagre) puts subgraphs where it likes; its
    # swimlane layout (Mermaid 11.17) stacks them in the order written, the
    # order of `teams`. A Mermaid without it falls back to its default layout.
    out = ["---", f"title: {quoted}", "config:", "  layout: swimlane", "---",
           "flowchart LR"]
    by_lane: dict[int, list[Node]] = {}
    for n in d.nodes:
        by_lane.setdefault(n.lane, []).append(n)
    for i, lane in enumerate(d.lanes):
        out.append(f'  subgraph lane{i}["{text(lane.name)}"]')
        out.append("    direction LR")
        out.extend(f"    {_node(n)}" for n in sorted(by_lane.get(i, []), key=lambda n: n.x))
        out.append("  end")
    for e in d.edges:
        arrow = "-.->" if e.rework else "==>" if e.handoff else "-->"
        label = f'|"{text(e.label)}"|' if e.label else ""
        out.append(f"  {e.source} {arrow}{label} {e.target}")
    for i, lane in enumerate(d.lanes):
        fill = tint(lane.color)
        if fill is not None:  # tint() gives a hex colour or nothing
            out.append(f"  classDef team{i} fill:{fill}")
            out.append(f"  class lane{i} team{i}")
    out.append('  subgraph legend["Legend"]')
    out.append("    direction LR")
    if d.notes:
        out.append(_findings(d))
    out.extend(f'    legend_{level}["{level} finding"]:::{level}' for level in d.levels)
    out.extend(f'    legend_{change}["{change} step"]:::{change}' for change in d.changes)
    out.append('    legend_critical["critical path"]:::critical')
    out.append('    legend_handoff["thick arrow: handoff, dotted: rework"]')
    out.append("  end")
    out.extend(f"  classDef {level} fill:{FILL[level]},color:#000" for level in d.levels)
    out.append(f"  classDef critical stroke:{CRITICAL},stroke-width:3px")
    out.extend(f"  classDef {change} fill:{CHANGE[change][0]},stroke:{CHANGE[change][1]},"
               f"color:{CHANGE[change][1]}" for change in d.changes)
    for change in d.changes:
        out.append(f"  class {','.join(n.id for n in d.nodes if n.change == change)} {change}")
    for level in d.levels:
        out.append(f"  class {','.join(n.id for n in d.nodes if n.level == level)} {level}")
    critical_nodes = [n.id for n in d.nodes if n.critical]
    if critical_nodes:
        out.append(f"  class {','.join(critical_nodes)} critical")
    styles = [(i, f"stroke:{CHANGE['removed'][1]},stroke-dasharray:3") if e.removed
              else (i, f"stroke:{CRITICAL},stroke-width:3px") if e.critical
              else (i, f"stroke:{HANDOFF},stroke-width:2px") if e.handoff else None
              for i, e in enumerate(d.edges)]
    for style in sorted({s[1] for s in styles if s}):
        ids = ",".join(str(i) for i, s in (s for s in styles if s) if s == style)
        out.append(f"  linkStyle {ids} {style}")
    return "\n".join(out) + "\n"
