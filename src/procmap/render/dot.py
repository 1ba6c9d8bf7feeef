"""The swimlane diagram as Graphviz DOT.

Positions are pinned and the graph asks for the neato engine, so `dot -Tsvg`
(or any Graphviz front end) draws the file exactly as laid out by
`procmap.render.diagram`; Graphviz only routes the edges around the steps.
Orthogonal routing reads like a swimlane chart and stays fast: curved
splines took 11 s for 200 steps, orthogonal edges 0.1 s.
Text from the YAML only ever reaches the file inside HTML-like labels,
escaped, or inside double-quoted strings that procmap quotes itself: a DOT
library that passes a value through when it already looks quoted (pydot
does) lets a title such as `"x", URL="javascript:..."` add attributes.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping

from procmap.printable import printable
from procmap.render.diagram import (
    LANE_HEADER,
    TITLE_LINES,
    Diagram,
    Edge,
    Node,
    Note,
    em,
    wrap,
)

CRITICAL = "#d35400"
CRITICAL_WIDTH = "4.5"
HANDOFF = "#2471a3"
BOUNCE = "#c0392b"
BADGE = "#7b241c"
IN_TEAM = "#555555"
FILL = {"error": "#f5b7b1", "warning": "#fdebd0", "info": "#d6eaf8"}
LANE_FILLS = ("#f4f6f8", "#e8eef4")
# Before/after marks: (fill, border) per change.
CHANGE = {"removed": ("#eeeeee", "#999999"), "added": ("#d5f5e3", "#1e8449"),
          "moved": ("#ffffff", "#8e44ad"), "changed": ("#fef9e7", "#9a7d0a")}
ADDED_LINK = "#1e8449"
LEGEND_HEIGHT = 56.0
LEGEND_WIDTH = 1100.0
# The findings table under the legend: one line per finding, cut to fit.
NOTE_ROW = 18.0
NOTE_CHARS = 110
NOTE_WIDTHS = (36, 170, 64, 640)  # number, rule, level, message (points)
NOTES_WIDTH = sum(NOTE_WIDTHS) + 16
NOTES_PER_COLUMN = 12  # a column this long before the table takes a second one
# Above this many steps orthogonal routing grows too slow (1,000 steps:
# 4 s, 5,000: over 130 s and 4.7 GB); straight lines stay linear.
ORTHO_LIMIT = 400
FONT = "Helvetica,Arial,sans-serif"
# (characters per line, lines) of the header and of branch labels: an
# unwrapped 3,000-character title drew a PNG 32,000 pixels wide, in 50 s.
WRAP_HEADER = (90, 3)
WRAP_BRANCH = (28, 6)
EDGE_FONT = 10.0  # points
ORIGIN = "corner_low"  # the node at (0, 0), the lowest left corner
DPI = "75"  # see to_dot
PAD = "0.3"  # inches around the drawing

SHAPES: dict[str, dict[str, str]] = {
    "task": {"shape": "box", "style": "rounded,filled"},
    "approval": {"shape": "hexagon", "style": "filled"},
    "check": {"shape": "parallelogram", "style": "filled"},
    "decision": {"shape": "diamond", "style": "filled"},
    "wait": {"shape": "ellipse", "style": "dashed,filled"},
    "end": {"shape": "box", "style": "rounded,filled", "peripheries": "2"},
}

_HEX = re.compile(r"^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})\Z")
# DOT IDs that need no quotes: ASCII names and numerals (keywords excepted).
_BARE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|-?(\.[0-9]+|[0-9]+(\.[0-9]*)?)")
_KEYWORDS = frozenset({"node", "edge", "graph", "digraph", "subgraph", "strict"})


class Html(str):
    """An HTML-like label that procmap built, every text in it escaped."""

    __slots__ = ()


Attrs = Mapping[str, "str | Html"]


def quote(value: str | Html) -> str:
    """A DOT attribute value: an HTML-like label in <...>, any other text as a
    string that nothing in it can end early. Line breaks become escString's
    `\\n`, so a value holds one line of DOT."""
    if isinstance(value, Html):
        return f"<{value}>"
    if _BARE.fullmatch(value) and value.lower() not in _KEYWORDS:
        return value
    body = value.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + "\\n".join(body.splitlines()) + '"'


def _name(name: str) -> str:
    # Node names are procmap's own (s0, lane1, legend); YAML ids never are.
    if not _BARE.fullmatch(name):
        raise ValueError(f"not a DOT node name: {name!r}")
    return name


def _statement(head: str, attrs: Attrs) -> str:
    return f"{head} [{', '.join(f'{k}={quote(v)}' for k, v in attrs.items())}];"


def html_line(text: str) -> str:
    """One line of an HTML-like label, markup escaped."""
    return html.escape(_unexpandable(printable(text)))


def _unexpandable(text: str) -> str:
    # Graphviz expands \N, \G, \E, \T, \H and \L (object names) in every
    # label, HTML-like or not, and neither "\\" nor "&#92;" stops it. A
    # zero-width space after each backslash does, and stays invisible.
    return text.replace("\\", "\\\u200b")


def html_text(text: str) -> str:
    """Text for an HTML-like label: markup escaped, line breaks as <BR/>."""
    return '<BR ALIGN="CENTER"/>'.join(html_line(line) for line in text.splitlines() or [""])


TOOLTIP = 4000  # characters


def esc_string(text: str) -> str:
    r"""Text for an escString attribute (tooltip): `quote` doubles backslashes,
    but \N, \G, \L... need the same guard as in labels. Cut to 4,000
    characters, 16,000 bytes at most: Graphviz 2.43 refuses a quoted string
    of 16,384 bytes (a long title's), and writes the layout it reads back
    with the string whole."""
    cut = text if len(text) <= TOOLTIP else text[:TOOLTIP - 1] + "…"
    return "\n".join(_unexpandable(printable(line)) for line in cut.splitlines())


def tint(color: str | None, amount: float = 0.18) -> str | None:
    """A pale version of a team's hex colour for its lane; other values are ignored."""
    if color is None or not _HEX.match(color):
        return None
    digits = color[1:]
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    rgb = [int(digits[i:i + 2], 16) for i in (0, 2, 4)]
    return "#" + "".join(f"{round(255 - (255 - c) * amount):02x}" for c in rgb)


def _xdot_text(op: str, text: str) -> str:
    # xdot counts bytes, not characters, before the "-" that starts a string.
    return f"{op} {len(text.encode())} -{text}"


def footer(d: Diagram) -> float:
    """Height of what is drawn under the lanes: the legend and the findings table."""
    return LEGEND_HEIGHT + (NOTE_ROW * (_rows(d) + 1) + 12 if d.notes else 0.0)


def _columns(d: Diagram) -> int:
    """Columns of the findings table: side by side under a wide map, so that
    the reader does not scroll down a long strip beside blank paper (and a
    PNG holds fewer blank pixels); one column while it is short."""
    return max(1, min(int(d.width // NOTES_WIDTH), -(-len(d.notes) // NOTES_PER_COLUMN)))


def _rows(d: Diagram) -> int:
    """Rows of findings in a column of the table, the last one may have fewer."""
    return -(-len(d.notes) // _columns(d))


def _background(d: Diagram) -> str:
    """Lane bands in xdot, drawn beneath everything and never in the way of edges."""
    ops = []
    low = footer(d)
    for i, lane in enumerate(d.lanes):
        fill = tint(lane.color) or LANE_FILLS[i % 2]
        b, t = lane.bottom + low, lane.bottom + lane.height + low
        ops += [_xdot_text("C", fill), _xdot_text("c", "#c8cdd2"),
                f"P 4 0 {b:.2f} {d.width:.2f} {b:.2f} {d.width:.2f} {t:.2f} 0 {t:.2f}",
                f"L 2 {LANE_HEADER:.2f} {b:.2f} {LANE_HEADER:.2f} {t:.2f}"]
    return " ".join(ops)


def _pos(x: float, y: float, low: float) -> str:
    # The legend and the findings table sit below the lanes, from y = 0 up:
    # Graphviz moves the drawing so that its lowest point is 0 but leaves
    # _background where it is.
    return f"{x / 72:.3f},{(y + low) / 72:.3f}!"


def _badge(number: int) -> str:
    # A fixed size: a cell otherwise stretches to the height of the title.
    width = 8 + 6 * len(str(number))
    return (f'<TABLE BORDER="0" CELLPADDING="0" CELLSPACING="0"><TR><TD BGCOLOR="{BADGE}" '
            f'FIXEDSIZE="TRUE" WIDTH="{width}" HEIGHT="15"><FONT COLOR="white" POINT-SIZE="10">'
            f"<B>{number}</B></FONT></TD></TR></TABLE>")


def _node(n: Node, low: float) -> str:
    title = '<BR ALIGN="CENTER"/>'.join(html_line(line) for line in n.title_lines)
    if n.change == "removed":
        title = f"<S>{title}</S>"
    said = n.notes or ((n.change,) if n.change else ())
    note = "".join(f'<BR/><FONT POINT-SIZE="10"><I>{html_line(line)}</I></FONT>'
                   for line in said)
    attrs: dict[str, str] = dict(SHAPES[n.step.kind])
    text = f'<B>{title}</B><BR/><FONT POINT-SIZE="10">{html_text(n.times)}</FONT>{note}'
    if n.badge is not None:
        # The number of the step's rows in the findings table, inside the
        # step: visible on a PNG and a printout, where tooltips are not.
        text = (f'<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1"><TR>'
                f'<TD VALIGN="TOP">{_badge(n.badge)}</TD><TD>{text}</TD></TR></TABLE>')
    attrs["label"] = Html(text)
    attrs["pos"] = _pos(n.x, n.y, low)
    attrs["id"] = f"step-{n.step.id}"
    attrs["fillcolor"] = FILL.get(n.level or "", "white")
    tooltip = [n.step.title] + [f"{f.level}: {f.rule}: {f.message}" for f in n.findings]
    attrs["tooltip"] = esc_string("\n".join(tooltip))
    if n.critical:
        attrs.update(color=CRITICAL, penwidth="3")
    if n.change:
        fill, border = CHANGE[n.change]
        attrs.update(fillcolor=fill, color=border, penwidth="2.5")
        if n.change == "removed":
            attrs.update(fontcolor=border, style=attrs["style"].replace("filled", "dashed,filled"))
    return _statement(_name(n.id), attrs)


def edge_id(k: int) -> str:
    """The id of the k-th edge (from 1), as Graphviz would name it: the SVG's
    and the layout's names for one edge."""
    return f"edge{k}"


def _edge(e: Edge, k: int) -> str:
    attrs: dict[str, str] = {"id": edge_id(k)}
    if e.handoff:
        attrs.update(color=HANDOFF, penwidth="1.8", arrowhead="empty")
    if e.bounce:
        attrs["color"] = BOUNCE
    if e.rework:
        attrs["style"] = "dashed"
    if e.critical:
        # Thick, in the edge's own colour: an orange path painted over the
        # edges hid 7 of 8 handoffs in partner-onboarding.
        attrs["penwidth"] = CRITICAL_WIDTH
    if e.added:
        attrs["color"] = ADDED_LINK
        attrs.setdefault("penwidth", "2.5")
    if e.removed:
        attrs.update(color=CHANGE["removed"][1], style="dotted", penwidth="1.5")
    if e.label:
        # Orthogonal routing places xlabels, not labels.
        attrs["xlabel"] = Html(html_text("\n".join(_label_lines(e.label))))
    return _statement(f"{_name(e.source)} -> {_name(e.target)}", attrs)


def _label_lines(label: str) -> tuple[str, ...]:
    return wrap(label, *WRAP_BRANCH)


def label_sizes(d: Diagram) -> dict[str, tuple[float, float]]:
    """Width and height, in points, of each edge label by its edge's id: at
    least as large as Graphviz draws it, for render/labels.py to keep clear."""
    sizes = {}
    for k, e in enumerate(d.edges, 1):
        if e.label:
            lines = _label_lines(e.label)
            sizes[edge_id(k)] = (max(em(line) for line in lines) * EDGE_FONT + 2,
                                 len(lines) * EDGE_FONT * 1.2)
    return sizes


SHAPE_MARKS = {"task": "▢ task", "approval": "⬡ approval", "check": "▱ check",
               "decision": "◇ decision", "wait": "◯ wait", "end": "◫ end"}


def _legend(d: Diagram) -> Html:
    """Only the marks this picture uses: a key to marks that are not there
    sends the reader looking for them."""
    cells = [f'<TD BORDER="1">{SHAPE_MARKS[k]}</TD>' for k in d.kinds]
    cells.append('<TD>"2h + 10m": wait + touch</TD>')
    if d.notes:
        cells.append(f'<TD>{_badge(1)}</TD><TD ALIGN="LEFT">findings, see table</TD>')
    cells += [f'<TD BGCOLOR="{FILL[level]}" BORDER="1">{level} finding</TD>'
              for level in d.levels]
    cells += [f'<TD BGCOLOR="{CHANGE[c][0]}" BORDER="1"><FONT COLOR="{CHANGE[c][1]}">'
              f"{c} step</FONT></TD>" for c in d.changes]
    edges = d.edges
    marks = [
        (any(e.critical for e in edges),
         f'<TD><FONT COLOR="{CRITICAL}"><B>▢ ━━ critical path: orange border, thick line</B>'
         "</FONT></TD>"),
        (any(e.handoff and not e.bounce for e in edges),
         f'<TD><FONT COLOR="{HANDOFF}"><B>━▷ handoff</B></FONT></TD>'),
        (any(e.bounce for e in edges),
         f'<TD><FONT COLOR="{BOUNCE}"><B>━▷ ping-pong</B></FONT></TD>'),
        (any(not e.handoff and not e.removed for e in edges),
         f'<TD><FONT COLOR="{IN_TEAM}">━▶ same team</FONT></TD>'),
        (any(e.rework for e in edges), "<TD>- - ▶ rework</TD>"),
        (any(e.added for e in edges),
         f'<TD><FONT COLOR="{ADDED_LINK}"><B>━▶ added link</B></FONT></TD>'),
        (any(e.removed for e in edges),
         f'<TD><FONT COLOR="{CHANGE["removed"][1]}">··▶ removed link</FONT></TD>')]
    cells += [cell for used, cell in marks if used]
    return Html('<TABLE BORDER="0" CELLSPACING="6" CELLPADDING="4"><TR><TD><B>Legend</B></TD>'
                + "".join(cells) + "</TR></TABLE>")


def _one_line(text: str, most: int) -> str:
    line = " ".join(text.split())
    return line if len(line) <= most else line[:most - 1] + "…"


def _notes(notes: tuple[Note, ...]) -> Html:
    """The findings table: which rule fired on which numbered step."""
    w = NOTE_WIDTHS
    head = "".join(f'<TD WIDTH="{width}" ALIGN="LEFT"><B>{name}</B></TD>'
                   for width, name in zip(w, ("#", "rule", "level", "finding"), strict=True))
    rows = [f"<TR>{head}</TR>"]
    for note in notes:
        f = note.finding
        number = _badge(note.number) if note.number is not None else "—"
        rows.append(f'<TR><TD WIDTH="{w[0]}">{number}</TD>'
                    f'<TD WIDTH="{w[1]}" ALIGN="LEFT">{html_line(f.rule)}</TD>'
                    f'<TD WIDTH="{w[2]}" ALIGN="LEFT" BGCOLOR="{FILL.get(f.level, "white")}">'
                    f"{html_line(f.level)}</TD>"
                    f'<TD WIDTH="{w[3]}" ALIGN="LEFT">'
                    f"{html_line(_one_line(f.message, NOTE_CHARS))}</TD></TR>")
    return Html(f'<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="1" CELLPADDING="1">'
                f'{"".join(rows)}</TABLE>')


def _width(d: Diagram) -> float:
    """The drawing's width: the lanes', or the legend's and the findings table's slots."""
    return max(d.width, LEGEND_WIDTH, NOTES_WIDTH if d.notes else 0)


def _footer(d: Diagram, pos: Callable[[float, float, float], str],
            span: float | None = None) -> list[str]:
    """The legend and the findings table under the lanes, placed by `pos`.
    Graphviz centres a node on its position, and a legend of many marks is
    wider than the slot kept for it: held in a cell `span` wide (the
    drawing's width), it starts at the lanes' left edge instead of sticking
    out beyond it. Only where nothing is routed: in a layout, Graphviz's
    orthogonal router fails on so wide a node ("Trapezoid-table overflow")."""
    low = footer(d)
    legend, x = _legend(d), LEGEND_WIDTH / 2
    if span is not None:
        legend = Html(f'<TABLE BORDER="0" CELLSPACING="0" CELLPADDING="0" WIDTH="{span:.0f}">'
                      f'<TR><TD ALIGN="LEFT">{legend}</TD></TR></TABLE>')
        x = span / 2
    out = [_statement("legend", {"shape": "plaintext", "id": "legend", "label": legend,
                                 "fontsize": "10",
                                 "margin": "0", "pos": pos(x, -LEGEND_HEIGHT / 2, low)})]
    rows = _rows(d) if d.notes else 0
    for i in range(0, len(d.notes), rows or 1):
        # Read down each column, then the next: the numbers run in order.
        column = d.notes[i:i + rows]
        height = NOTE_ROW * (len(column) + 1) + 12
        name = "findings" + (f"{i // rows + 1}" if i else "")
        out.append(_statement(name, {
            "shape": "plaintext", "id": name, "label": _notes(column), "fontsize": "10",
            "margin": "0",
            "pos": pos(NOTES_WIDTH * (i // rows + 0.5), -LEGEND_HEIGHT - height / 2, low)}))
    return out


def footer_statements(d: Diagram) -> str:
    """The legend and the findings table as DOT statements for a drawing laid
    out without them (`to_dot(d, with_footer=False)`): positions in points,
    as Graphviz's `-n2` reads them. Nothing is routed around them, and their
    tables are the largest texts Graphviz measures: leaving them out of the
    layout run saves a third of its time."""
    return "".join(f"{line}\n" for line in _footer(
        d, lambda x, y, low: f"{x:.2f},{y + low:.2f}", _width(d)))


def _lane_lines(name: str) -> tuple[str, ...]:
    """A lane's name in lines that fit its header (bold 11 pt, margins of 9
    pt, and room for em's underestimate of a bold W): a wider name ("ACCOUNTS
    PAYABLE") moved every step off its lane band, as Graphviz moves a drawing
    until nothing is left of 0. A word of capitals too wide is broken."""
    for width in range(16, 3, -1):
        lines = wrap(name, width, TITLE_LINES)
        if max(em(line) for line in lines) * 11 <= LANE_HEADER - 24:
            break
    return lines


def footer_graph(d: Diagram) -> str:
    """The legend and the findings table as a graph of their own, drawn
    beside the diagram for its SVG to take them (render/graphviz.py). The
    diagram's corners, in both, are where the two line up."""
    return "\n".join(["digraph footer {", "layout=neato;", "overlap=true;", *_defaults(),
                      *_corners(d), *_footer(d, _pos, _width(d)), "}"]) + "\n"


def _corners(d: Diagram) -> list[str]:
    # Corners pin the drawing's bounding box, so the lane bands (drawn in
    # the same coordinates) line up with the steps. Of no size: Graphviz
    # moves the drawing until its lowest point is at 0, and the positions
    # it gives are then procmap's own.
    low = footer(d)
    return [_statement(ORIGIN, {"shape": "point", "style": "invis", "width": "0",
                                      "height": "0", "pos": _pos(0, -low, low)}),
            _statement("corner_high", {"shape": "point", "style": "invis", "width": "0",
                                       "height": "0", "pos": _pos(_width(d), d.height, low)})]


def _defaults() -> list[str]:
    return [_statement("node", {"fontname": FONT, "fontsize": "11", "margin": "0.12,0.06",
                                "fillcolor": "white", "penwidth": "1.2"}),
            _statement("edge", {"fontname": FONT, "fontsize": f"{EDGE_FONT:g}",
                                "fontcolor": "#333333", "color": IN_TEAM, "arrowsize": "0.8"})]


def to_dot(d: Diagram, with_footer: bool = True) -> str:
    """The diagram as DOT text; the same diagram always gives the same bytes."""
    low = footer(d)
    title = html_text("\n".join(wrap(d.title, *WRAP_HEADER)))
    header = Html(f'<FONT POINT-SIZE="18"><B>{title}</B></FONT><BR/>{html_text(d.summary)}')
    graph: dict[str, str] = {
        "layout": "neato", "overlap": "true",
        "splines": "ortho" if len(d.nodes) <= ORTHO_LIMIT else "line", "outputorder": "edgesfirst",
        # About a pixel a point in a PNG: its smallest text, 10 pt, is 10.4 px
        # at 100% (at 72 dpi, Graphviz's rounding of the width made it 9.99),
        # and a page has 0.6 of the pixels of Graphviz's 96 dpi and takes 0.6
        # of the time. The SVG is there for zooming in.
        "dpi": DPI,
        "bgcolor": "white", "pad": PAD, "fontname": FONT, "label": header, "labelloc": "t",
        "labeljust": "l", "_background": _background(d)}
    lines = ["digraph workflow {", *(f"{k}={quote(v)};" for k, v in graph.items()), *_defaults(),
             *_corners(d)]
    for i, lane in enumerate(d.lanes):
        name = '<BR ALIGN="LEFT"/>'.join(html_line(line) for line in _lane_lines(lane.name))
        lines.append(_statement(f"lane{i}", {
            "shape": "plaintext", "id": f"lane-{lane.team}", "label": Html(f"<B>{name}</B>"),
            "pos": _pos(LANE_HEADER / 2, lane.bottom + lane.height / 2, low)}))
    if with_footer:
        lines += _footer(d, _pos)
    lines += [_node(n, low) for n in d.nodes]
    lines += [_statement(_name(c.id), {
        "shape": "cds", "style": "filled", "fillcolor": "#fdfefe", "margin": "0.2,0.04",
        "label": Html(html_text("\n".join(wrap(c.text, 24, 3)))), "pos": _pos(c.x, c.y, low)})
        for c in d.connectors]
    lines += [_edge(e, k) for k, e in enumerate(d.edges, 1)]
    return "\n".join([*lines, "}"]) + "\n"
