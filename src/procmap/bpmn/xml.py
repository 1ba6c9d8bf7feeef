"""A located XML tree read with expat, refusing what makes XML dangerous.

BPMN files come from other tools and other people. A DOCTYPE is the door to
every XML attack that matters here (entity expansion such as "billion
laughs", external entities that read local files or the network), and BPMN
never needs one, so a file with a DOCTYPE is refused outright, as defusedxml
does. Each element keeps its line and column so that every later error can
point at the element that caused it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.parsers import expat

from procmap.format.errors import Problem, WorkflowError

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
# The extension attributes procmap writes so that an export reads back whole.
PROCMAP = "https://procmap.dev/ns/bpmn/1"
# Real models nest a few subprocesses deep; the tree is walked recursively,
# so a file nested thousands deep must be refused here, not crash there.
MAX_DEPTH = 100


@dataclass(slots=True, eq=False)
class Element:
    ns: str
    tag: str  # the local name: "task", "sequenceFlow"
    attrs: dict[str, str]  # local names; foreign namespaces as "{ns}name"
    line: int
    column: int
    children: list[Element] = field(default_factory=list)
    text: str = ""

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.attrs.get(name, default)

    def ext(self, name: str) -> str | None:
        """A procmap extension attribute."""
        return self.attrs.get(f"{{{PROCMAP}}}{name}")

    def bpmn(self, *tags: str) -> list[Element]:
        """Child elements of the BPMN namespace with one of these local names."""
        return [c for c in self.children if c.ns == BPMN and (not tags or c.tag in tags)]

    def first(self, tag: str) -> Element | None:
        found = self.bpmn(tag)
        return found[0] if found else None

    def walk(self) -> list[Element]:
        out = [self]
        for c in self.children:
            out.extend(c.walk())
        return out


class _Refused(Exception):
    def __init__(self, message: str, hint: str, at: tuple[int, int] | None = None) -> None:
        super().__init__(message)
        self.message, self.hint, self.at = message, hint, at


def _split(name: str) -> tuple[str, str]:
    ns, _, local = name.rpartition(" ")
    return ns, local


def parse(data: bytes, file: str) -> Element:
    """The tree of an XML document; WorkflowError with the position when it is
    malformed or asks for a DTD or entities."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    stack: list[Element] = []
    root: list[Element] = []

    def start(name: str, attrs: dict[str, str]) -> None:
        if len(stack) >= MAX_DEPTH:
            raise _Refused(f"the elements are nested more than {MAX_DEPTH} levels deep",
                           "a BPMN model needs only a few levels: export it again from its "
                           "tool", (parser.CurrentLineNumber, parser.CurrentColumnNumber + 1))
        ns, tag = _split(name)
        local = {}
        for key, value in attrs.items():
            a_ns, a_local = _split(key)
            local[f"{{{a_ns}}}{a_local}" if a_ns else a_local] = value
        el = Element(ns, tag, local, parser.CurrentLineNumber, parser.CurrentColumnNumber + 1)
        (stack[-1].children if stack else root).append(el)
        stack.append(el)

    def end(_: str) -> None:
        stack.pop()

    def text(data: str) -> None:
        if stack:
            stack[-1].text += data

    def doctype(*_: object) -> None:
        raise _Refused("the file has a DOCTYPE, which BPMN never needs",
                       "remove the <!DOCTYPE ...> declaration: procmap refuses DTDs and "
                       "entities, which can expand without bound or read other files")

    def entity(*_: object) -> bool:
        raise _Refused("the file refers to an external entity",
                       "remove the entity reference: procmap reads no other files")

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = doctype
    parser.ExternalEntityRefHandler = entity
    try:
        parser.Parse(data, True)
    except _Refused as e:
        line, column = e.at or (parser.CurrentLineNumber, parser.CurrentColumnNumber + 1)
        at = -1 if e.at else data.find(b"<!DOCTYPE")
        if at >= 0:  # expat reports the end of the declaration's name: point at its start
            line, column = data.count(b"\n", 0, at) + 1, at - data.rfind(b"\n", 0, at)
        raise _error(file, line, column, e.message, e.hint) from None
    except expat.ExpatError as e:
        raise _error(file, e.lineno, e.offset + 1,
                     f"not well-formed XML: {expat.errors.messages[e.code]}",
                     "fix the XML, or export the model again from its tool") from None
    return root[0]


def _error(file: str, line: int, column: int, message: str, hint: str) -> WorkflowError:
    return WorkflowError([Problem(file, line, column, message, hint, "syntax")])


def error_at(file: str, el: Element, message: str, hint: str) -> WorkflowError:
    return _error(file, el.line, el.column, message, hint)
