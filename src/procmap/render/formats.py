"""The diagram formats: one object each, one registry.

Each meets `DiagramFormat`; `procmap render --format`, the suffixes of
output files, `format_for` and `procmap diff --diagram` all come from
`FORMATS`, so a new format is an object and one line here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Protocol

from procmap.render.diagram import Diagram
from procmap.render.dot import ORIGIN, footer_graph, footer_statements, label_sizes, to_dot
from procmap.render.graphviz import Unrouted, Warn, draw_many
from procmap.render.mermaid import to_mermaid


class DiagramFormat(Protocol):
    @property
    def suffixes(self) -> tuple[str, ...]:
        """File name endings that ask for the format; the first is the one written."""

    @property
    def paged(self) -> bool:
        """A large map is drawn as one drawing a page (see render/pages.py)."""

    @property
    def binary(self) -> bool:
        """Bytes that are no use on a terminal."""

    @property
    def help(self) -> str:
        """A few words for `procmap render --help`."""

    def draw(self, diagrams: Sequence[Diagram], warn: Warn | None = None) -> list[bytes]:
        """One drawing of each diagram (of each page of a large one)."""


@dataclass(frozen=True, slots=True)
class Text:
    """A text format that procmap writes itself: no program needed."""

    write: Callable[[Diagram], str]
    suffixes: tuple[str, ...]
    help: str
    paged: bool = False
    binary: bool = False

    def draw(self, diagrams: Sequence[Diagram], warn: Warn | None = None) -> list[bytes]:
        return [self.write(d).encode() for d in diagrams]


@dataclass(frozen=True, slots=True)
class Graphviz:
    """A drawing that Graphviz's `dot` makes from procmap's DOT."""

    output: str  # dot's -T
    suffixes: tuple[str, ...]
    help: str
    binary: bool = False
    # A bitmap or a page beyond ~40 columns is too wide to read: pages.
    paged: bool = True

    def draw(self, diagrams: Sequence[Diagram], warn: Warn | None = None) -> list[bytes]:
        return [d[self.output] for d in drawings(diagrams, (self.output,), warn)]


def drawings(diagrams: Sequence[Diagram], outputs: Sequence[str], warn: Warn | None = None, *,
             gv: bool = False) -> list[dict[str, bytes]]:
    """Each diagram drawn by Graphviz in each of `outputs` (its -T formats),
    and with `gv` as its layout (see graphviz.draw_many)."""
    return draw_many([unrouted(d) for d in diagrams], outputs, warn, gv=gv)


def unrouted(d: Diagram) -> Unrouted:
    """The diagram for Graphviz to route: the legend and the findings table
    join it after routing, as nothing is routed around them."""
    return Unrouted(to_dot(d, with_footer=False), footer_statements(d), footer_graph(d),
                    label_sizes(d), ORIGIN)


FORMATS: MappingProxyType[str, DiagramFormat] = MappingProxyType({
    "svg": Graphviz("svg", (".svg",), "drawn by Graphviz"),
    "png": Graphviz("png", (".png",), "drawn by Graphviz", binary=True),
    "dot": Text(to_dot, (".dot", ".gv"), "Graphviz source"),
    "mermaid": Text(to_mermaid, (".mmd", ".mermaid"), "for markdown on GitHub"),
})
SUFFIXES: MappingProxyType[str, str] = MappingProxyType(
    {name: f.suffixes[0] for name, f in FORMATS.items()})
_BY_SUFFIX = {suffix: name for name, f in FORMATS.items() for suffix in f.suffixes}


def format_for(path: Path) -> str | None:
    """The format a file name asks for by its suffix, if any."""
    return _BY_SUFFIX.get(path.suffix.lower())


def help_text() -> str:
    return ", ".join(f"{name} ({f.help})" for name, f in FORMATS.items())


def suffix_list() -> str:
    """The suffixes written, for a message: ".svg, .png, .dot or .mmd"."""
    *most, last = SUFFIXES.values()
    return f"{', '.join(most)} or {last}"
