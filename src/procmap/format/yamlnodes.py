"""Compose YAML text into small nodes that remember their line and column.

PyYAML's own composer is not used: it keeps the last of two duplicate keys
silently, its C version crashes the interpreter on deeply nested input, and
its YAML 1.1 resolver reads `no` as false. Here the C event stream is folded
into nodes with an explicit stack, limits on depth and on alias expansion,
and the YAML 1.2 core schema (what editors and the JSON Schema assume).
"""

from __future__ import annotations

import math
import re
import sys
from dataclasses import dataclass, field
from typing import Any, TypeVar, Union

import yaml

try:
    from yaml._yaml import CParser as _Parser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml.parser import Parser as _PyParser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Parser(Reader, Scanner, _PyParser):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            _PyParser.__init__(self)


Parser = _Parser  # the event parser compose uses, for readers of the same events

MAX_BYTES = 10 * 1024 * 1024
MAX_DEPTH = 64
# Aliases let a tiny file stand for an exponential tree ("billion laughs");
# the expanded size is counted while composing and capped.
MAX_NODES = 1_000_000


class YamlError(Exception):
    """A problem with the YAML text itself, at a 1-based line and column."""

    def __init__(self, message: str, line: int, column: int, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.hint = hint


@dataclass(slots=True)
class Scalar:
    value: str | int | float | bool | None
    line: int
    column: int
    size: int = 1
    # Where the node's text ends (1-based, exclusive): simplify edits the file
    # by these spans instead of re-dumping it. 0 when unknown.
    end_line: int = 0
    end_column: int = 0


@dataclass(slots=True)
class Mapping:
    line: int
    column: int
    items: list[tuple[Scalar, Node]] = field(default_factory=list)
    size: int = 1
    keys: dict[str, int] = field(default_factory=dict)  # key -> index in items
    end_line: int = 0  # block collections end where their last item ends
    end_column: int = 0
    flow: bool = False  # written {...} rather than as indented lines

    def get(self, key: str) -> Node | None:
        i = self.keys.get(key)
        return None if i is None else self.items[i][1]

    def key(self, key: str) -> Scalar | None:
        i = self.keys.get(key)
        return None if i is None else self.items[i][0]


@dataclass(slots=True)
class Sequence:
    line: int
    column: int
    items: list[Node] = field(default_factory=list)
    size: int = 1
    end_line: int = 0
    end_column: int = 0
    flow: bool = False  # written [...] rather than as dashed lines


Node = Union[Scalar, Mapping, Sequence]  # noqa: UP007 - a runtime alias, not an annotation

_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT10 = re.compile(r"^[-+]?[0-9]+\Z")
_INT8 = re.compile(r"^0o[0-7]+\Z")
_INT16 = re.compile(r"^0x[0-9a-fA-F]+\Z")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
_INF = re.compile(r"^[-+]?\.(?:inf|Inf|INF)\Z")
_NAN = re.compile(r"^\.(?:nan|NaN|NAN)\Z")
_TAG = "tag:yaml.org,2002:"
_Number = TypeVar("_Number", int, float)


_WORDS: dict[str, bool | None] = {**_BOOL, "~": None, "null": None, "Null": None,
                                  "NULL": None, "": None}
_NUMERIC_START = frozenset("0123456789+-.")


def _resolve_plain(text: str) -> str | int | float | bool | None:
    if text in _WORDS:
        return _WORDS[text]
    if text[0] not in _NUMERIC_START:
        return text  # the common case: ids, titles and durations such as "2d"
    if _INT10.match(text):
        return _finite(int(text))
    if _INT8.match(text):
        return _finite(int(text[2:], 8))
    if _INT16.match(text):
        return _finite(int(text[2:], 16))
    if _FLOAT.match(text):
        return _finite(float(text))
    if _INF.match(text):
        return -math.inf if text.startswith("-") else math.inf
    if _NAN.match(text):
        return math.nan
    return text


def _finite(value: _Number) -> _Number:
    # A number written out that a float cannot hold becomes infinity (or, as
    # an int, cannot even be compared with one): NaN and Infinity would follow
    # into the reports, which JSON cannot hold. `.inf` is written as such.
    if abs(value) > sys.float_info.max:
        raise ValueError("too large")
    return value


def _scalar_value(ev: Any) -> str | int | float | bool | None:
    try:
        return _typed_value(ev)
    except ValueError:  # too many digits for Python to convert, or beyond a float
        raise YamlError("the number is too large", ev.start_mark.line + 1,
                        ev.start_mark.column + 1,
                        "numbers go up to about 1.8e308: check it, or quote it if it is "
                        "text") from None


def _typed_value(ev: Any) -> str | int | float | bool | None:
    tag = ev.tag
    if tag is None and not ev.style and ev.implicit[0]:
        return _resolve_plain(ev.value)
    if tag in (None, "!", _TAG + "str"):
        return str(ev.value)
    if tag in (_TAG + "int", _TAG + "float", _TAG + "bool", _TAG + "null"):
        value = _resolve_plain(ev.value)
        kind = tag[len(_TAG):]
        ok = {
            "int": isinstance(value, int) and not isinstance(value, bool),
            "float": isinstance(value, (int, float)) and not isinstance(value, bool),
            "bool": isinstance(value, bool),
            "null": value is None,
        }[kind]
        if ok:
            return float(value) if kind == "float" else value  # type: ignore[arg-type]
        raise YamlError(
            f"{ev.value!r} is not a valid !!{kind}",
            ev.start_mark.line + 1,
            ev.start_mark.column + 1,
            "remove the tag or fix the value",
        )
    raise YamlError(
        f"YAML tag {tag!r} is not supported",
        ev.start_mark.line + 1,
        ev.start_mark.column + 1,
        "workflows are plain data: remove the tag",
    )


def _decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise YamlError(
            f"file is {len(data) / 2**20:.1f} MB, more than the {MAX_BYTES // 2**20} MB limit",
            1,
            1,
            "split it into several workflows",
        )
    encoding = "utf-16" if data.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8-sig"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        column = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
        raise YamlError(f"the file is not {encoding[:6].upper().rstrip('-')} text", line, column,
                        "save it as UTF-8") from None
    return text


def _position_of(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def compose(data: bytes | str) -> Node | None:
    """Compose one YAML document; ``None`` for an empty one."""
    text = _decode(data) if isinstance(data, bytes) else data
    if len(text) > MAX_BYTES:
        raise YamlError("the text is larger than the 10 MB limit", 1, 1, "split it")
    nul = text.find("\x00")
    if nul >= 0:
        # libyaml stops at a NUL as if the file ended there; say so instead.
        line, column = _position_of(text, nul)
        raise YamlError("the file contains a NUL byte: is it binary?", line, column,
                        "workflows are UTF-8 text files")
    parser = None
    try:
        parser = _Parser(text)
        return _compose(parser)
    except YamlError:
        raise
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        problem = e.problem or e.context or "invalid YAML"
        if e.context and e.problem:
            problem = f"{problem} ({e.context})"
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise YamlError(f"YAML syntax error: {problem}", line, column,
                        "check indentation, colons and quotes near this point") from None
    except yaml.YAMLError as e:
        position = getattr(e, "position", None)
        line, column = _position_of(text, position) if isinstance(position, int) else (1, 1)
        reason = getattr(e, "reason", None) or str(e).splitlines()[0]
        raise YamlError(f"unreadable YAML: {reason}", line, column,
                        "remove control characters; workflows are plain text") from None
    finally:
        dispose = getattr(parser, "dispose", None)
        if dispose:
            dispose()


def _close(node: Node, end: Any) -> None:
    """Record where a collection's text ends: a block one, where its last item does."""
    assert not isinstance(node, Scalar)
    if node.flow:
        node.end_line, node.end_column = end.line + 1, end.column + 1
        return
    last = node.items[-1] if node.items else None
    last = last[1] if isinstance(last, tuple) else last
    node.end_line, node.end_column = (last.end_line, last.end_column) if last else \
        (node.line, node.column)


def _compose(parser: Any) -> Node | None:
    anchors: dict[str, Node] = {}
    stack: list[Node] = []
    pending: list[Scalar | None] = []  # for each open mapping: key waiting for its value
    open_ids: set[int] = set()
    root: Node | None = None
    documents = 0

    def attach(node: Node, line: int, column: int) -> None:
        nonlocal root
        if not stack:
            root = node
            return
        parent = stack[-1]
        parent.size += node.size
        if parent.size > MAX_NODES:
            raise YamlError(f"the document expands to more than {MAX_NODES:,} nodes",
                            line, column, "aliases (*name) are nested too deeply; "
                            "write the values out")
        if isinstance(parent, Sequence):
            parent.items.append(node)
            return
        assert isinstance(parent, Mapping)
        key = pending[-1]
        if key is None:
            if not isinstance(node, Scalar) or isinstance(node.value, float):
                raise YamlError("a mapping key must be a plain name", line, column,
                                "use a simple word such as an id")
            name = "" if node.value is None else str(node.value)
            if name == "<<":
                raise YamlError("merge keys (<<) are not supported", line, column,
                                "write the fields out in full")
            if name in parent.keys:
                other = parent.items[parent.keys[name]][0]
                raise YamlError(
                    f"duplicate key {name!r} (first at line {other.line}, "
                    f"column {other.column})", line, column,
                    "YAML would silently keep only the last one: remove or rename one")
            pending[-1] = Scalar(name, node.line, node.column, 1, node.end_line, node.end_column)
        else:
            parent.keys[str(key.value)] = len(parent.items)
            parent.items.append((key, node))
            pending[-1] = None

    get_event = parser.get_event
    while True:
        ev = get_event()
        kind = type(ev)
        if kind is yaml.ScalarEvent:
            mark, end = ev.start_mark, ev.end_mark
            node: Node = Scalar(_scalar_value(ev), mark.line + 1, mark.column + 1, 1,
                                end.line + 1, end.column + 1)
            if ev.anchor:
                anchors[ev.anchor] = node
            attach(node, node.line, node.column)
            continue
        line, column = ev.start_mark.line + 1, ev.start_mark.column + 1
        if kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            node = stack.pop()
            open_ids.discard(id(node))
            _close(node, ev.end_mark)
            if kind is yaml.MappingEndEvent:
                pending.pop()
            attach(node, node.line, node.column)
            continue
        if kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
            if ev.tag not in (None, "!", _TAG + "map", _TAG + "seq"):
                raise YamlError(f"YAML tag {ev.tag!r} is not supported", line, column,
                                "workflows are plain data: remove the tag")
            if len(stack) >= MAX_DEPTH:
                raise YamlError(f"the document is nested more than {MAX_DEPTH} levels deep",
                                line, column, "a workflow needs only a few levels")
            flow = bool(ev.flow_style)
            node = Mapping(line, column, flow=flow) if kind is yaml.MappingStartEvent \
                else Sequence(line, column, flow=flow)
            if ev.anchor:
                anchors[ev.anchor] = node
            stack.append(node)
            open_ids.add(id(node))
            if kind is yaml.MappingStartEvent:
                pending.append(None)
            continue
        if kind is yaml.AliasEvent:
            target = anchors.get(ev.anchor)
            if target is None:
                raise YamlError(f"unknown alias *{ev.anchor}", line, column,
                                f"define &{ev.anchor} before using it")
            if id(target) in open_ids:
                raise YamlError(f"alias *{ev.anchor} refers to itself", line, column,
                                "a value cannot contain itself")
            attach(target, line, column)
            continue
        if kind is yaml.StreamEndEvent:
            return root
        if kind is yaml.DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise YamlError("the file holds more than one YAML document", line, column,
                                "keep one workflow per file: remove the second '---'")
