"""Large maps cut into pages by columns, as Visio pages a wide process.

One page beyond ~40 columns is wider than a reader can follow and than
Graphviz draws as a bitmap (it shrinks the text instead). Each page keeps
its lanes; an edge that crosses pages ends in an off-page connector naming
the step and the page at the other end.
"""

from __future__ import annotations

from dataclasses import replace

from procmap.render.diagram import COLUMN, LANE_HEADER, LINE, Connector, Diagram, Edge

PAGE_COLUMNS = 40
# The connectors' own column on either side of a page.
MARGIN = COLUMN * 0.75


def paginate(d: Diagram, columns: int = PAGE_COLUMNS) -> tuple[Diagram, ...]:
    """The diagram as pages of at most `columns` columns; one page if it fits."""
    last = max((n.column for n in d.nodes), default=0)
    count = last // columns + 1
    if count == 1:
        return (d,)
    page = {n.id: n.column // columns for n in d.nodes}
    by_id = {n.id: n for n in d.nodes}
    out = []
    for k in range(count):
        shift = k * columns * d.column - MARGIN
        nodes = tuple(replace(n, x=n.x - shift) for n in d.nodes if page[n.id] == k)
        edges: list[Edge] = []
        connectors: list[Connector] = []
        # Connectors on one side of the page at one height stack downwards.
        stacked: dict[tuple[str, float], int] = {}
        for e in d.edges:
            a, b = page[e.source], page[e.target]
            if a == b == k:
                edges.append(e)
            elif k in (a, b):
                here, there = (e.source, e.target) if a == k else (e.target, e.source)
                side = "out" if (a == k) == (b > a) else "in"
                n = by_id[here]
                row = stacked.setdefault((side, n.y), 0)
                stacked[side, n.y] = row + 1
                x = (LANE_HEADER + MARGIN / 2 if side == "in"
                     else LANE_HEADER + MARGIN + columns * d.column + MARGIN / 2)
                other = by_id[there]
                word = "to" if a == k else "from"
                c = Connector(f"c{len(connectors)}",
                              f"{word} '{other.title_lines[0]}' (page {page[there] + 1})",
                              x, n.y - row * 4 * LINE)
                connectors.append(c)
                edges.append(replace(e, source=c.id) if word == "from"
                             else replace(e, target=c.id))
        numbers = {n.badge for n in nodes if n.badge is not None}
        notes = tuple(note for note in d.notes if note.number in numbers
                      or (note.number is None and k == 0))
        out.append(replace(d, title=f"{d.title} (page {k + 1} of {count})", nodes=nodes,
                           edges=tuple(edges), connectors=tuple(connectors), notes=notes,
                           width=LANE_HEADER + 2 * MARGIN + columns * d.column))
    return tuple(out)
