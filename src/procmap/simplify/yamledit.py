"""Edit a workflow's text in place, by the spans of procmap's own YAML nodes.

Nothing is parsed or dumped by another YAML library: the text is spliced
where an edit falls, so every byte outside an edit stays as the author wrote
it (indentation, line endings, quoting, escapes, trailing spaces, comments,
document markers), whatever style the file uses: block lists flush with
their key or indented, flow style, anchors.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections.abc import Sequence as Seq
from dataclasses import dataclass
from typing import Any

import yaml

from procmap.format.yamlnodes import (
    Mapping,
    Node,
    Parser,
    Scalar,
    Sequence,
    _resolve_plain,
    compose,
)
from procmap.format.yamltext import quoted

# The line breaks libyaml counts lines by: its columns are code points.
_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
_PLAIN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_ ./()'+-]*")


class EditError(Exception):
    """The file is written in a way this edit cannot be spliced into."""


@dataclass(frozen=True, slots=True)
class Branch:
    to: str
    when: str | None = None
    p: float | None = None


def scalar_text(value: str) -> str:
    """`value` as a YAML scalar that reads back as that very string."""
    if (_PLAIN.fullmatch(value) and not value.endswith(" ") and " #" not in value
            and _resolve_plain(value) == value):
        return value
    return quoted(value)


def number(p: float) -> str:
    """A probability as written in a workflow: six decimals at most."""
    return repr(round(p, 6))


def duration_text(value: str | dict[str, str]) -> str:
    """A duration, or a range {min, likely, max} of them, as one flow value."""
    if isinstance(value, str):
        return value
    return "{" + ", ".join(f"{k}: {v}" for k, v in value.items()) + "}"


def _flow_item(b: Branch) -> str:
    if b.when is None and b.p is None:
        return scalar_text(b.to)
    parts = [f"to: {scalar_text(b.to)}"]
    if b.when is not None:
        parts.append(f"when: {scalar_text(b.when)}")
    if b.p is not None:
        parts.append(f"p: {round(b.p, 6)!r}")
    return "{" + ", ".join(parts) + "}"


class Document:
    """One workflow's text and the edits to splice into it."""

    def __init__(self, text: str, root: Node | None = None) -> None:
        """`root`: the nodes `text` composes to, if they are at hand."""
        self.source = text
        root = compose(text) if root is None else root
        assert isinstance(root, Mapping), "the workflow loaded before it is edited"
        steps = root.get("steps")
        assert isinstance(steps, Mapping)
        self._steps = steps
        self._root = root
        self._starts = [0, *(m.end() for m in _BREAK.finditer(text))]
        # libyaml skips a byte-order mark without counting it as a column.
        self._bom = 1 if text.startswith("\ufeff") else 0
        self.newline = "\r\n" if "\r\n" in text else "\n"
        self._splices: list[tuple[int, int, str]] = []
        self._dropped: dict[int, tuple[Mapping | Sequence, set[int]]] = {}

    # Positions

    def _at(self, line: int, column: int) -> int:
        if line > len(self._starts):
            # libyaml ends a stream without a final line break on a line of its own
            return len(self.source)
        return self._starts[line - 1] + column - 1 + (self._bom if line == 1 else 0)

    def _mark(self, mark: Any) -> int:
        return self._at(mark.line + 1, mark.column + 1)

    def _start(self, node: Node) -> int:
        return self._at(node.line, node.column)

    def _end(self, node: Node) -> int:
        return self._at(node.end_line, node.end_column)

    def _scalar(self, node: Node) -> tuple[int, int]:
        """The span of a scalar without the line breaks a block scalar (`>-`, `|`)
        ends with: they end its line, and a value spliced in its place needs them."""
        start, end = self._start(node), self._end(node)
        while end > start and self.source[end - 1] in "\r\n\x85\u2028\u2029":
            end -= 1
        return start, end

    def _line_start(self, offset: int) -> int:
        return self._starts[bisect_right(self._starts, offset) - 1]

    def _after_line(self, offset: int) -> int:
        """Just past the line break of the line `offset` ends (or is at the start of)."""
        if offset == 0 or self.source[offset - 1] in "\r\n\x85\u2028\u2029":
            return offset  # a block scalar ends at the start of the next line
        m = _BREAK.search(self.source, offset)
        return m.end() if m else len(self.source)

    def _splice(self, start: int, end: int, text: str) -> None:
        self._splices.append((start, end, text))

    def _whole_lines(self, first: Node, start: int, end: int) -> tuple[int, int]:
        """The lines from `first` (alone on its line but for a dash) to `end`."""
        line_start = self._line_start(start)
        if self.source[line_start:self._start(first)].strip() not in ("", "-"):
            raise EditError(f"line {first.line}: more than one item on the line")
        return line_start, self._after_line(end)

    def _drop(self, node: Mapping | Sequence, i: int) -> None:
        """Remove item i of a flow collection (with its comma, once all are known)."""
        self._dropped.setdefault(id(node), (node, set()))[1].add(i)

    def _flow_splices(self) -> None:
        for node, gone in self._dropped.values():
            spans = [(self._start(k), max(self._end(k), self._end(v)))
                     for k, v in node.items] if isinstance(node, Mapping) else \
                [(self._start(v), self._end(v)) for v in node.items]
            if len(gone) == len(spans):
                raise EditError(f"line {node.line}: every item would go")
            for i in sorted(gone):
                if i - 1 in gone:
                    continue  # part of a run that starts earlier
                j = i
                while j + 1 in gone:
                    j += 1
                if j + 1 < len(spans):  # the comma after the run goes with it
                    self._splice(spans[i][0], spans[j + 1][0], "")
                else:  # the run ends the collection: the comma before it goes
                    self._splice(spans[i - 1][1], spans[j][1], "")
        self._dropped.clear()

    def text(self) -> str:
        """The text with every edit spliced in."""
        out = self.source
        self._flow_splices()
        self._splices.extend(self._orphans())
        last = len(out) + 1
        for start, end, text in sorted(self._splices, reverse=True):
            if end > last:
                raise EditError("two edits overlap")
            out = out[:start] + text + out[end:]
            last = start
        return out

    def _orphans(self) -> list[tuple[int, int, str]]:
        """An alias whose anchor goes with a removed part gets the value written out."""
        removed = [(a, b) for a, b, text in self._splices if not text and a < b]
        if "&" not in self.source or not removed:
            return []
        nodes: dict[tuple[int, int], Node] = {}
        stack: list[Node] = [self._root]
        while stack:
            node = stack.pop()
            if nodes.setdefault((node.line, node.column), node) is not node:
                continue  # an alias of a node already seen
            if isinstance(node, Mapping):
                stack.extend(v for _, v in node.items)
            elif isinstance(node, Sequence):
                stack.extend(node.items)
        anchors: dict[str, tuple[int, Node]] = {}
        out = []
        parser: Any = Parser(self.source)
        try:
            while True:
                ev: Any = parser.get_event()
                if isinstance(ev, yaml.StreamEndEvent):
                    break
                start = self._mark(ev.start_mark)
                if isinstance(ev, yaml.AliasEvent):
                    at, node = anchors[str(ev.anchor)]
                    gone = any(a <= at < b for a, b in removed)
                    if gone and not any(a <= start < b for a, b in removed):
                        end = self._mark(ev.end_mark)
                        out.append((start, end, _flow(node)))
                elif getattr(ev, "anchor", None):
                    anchors[ev.anchor] = (start, nodes[ev.start_mark.line + 1,
                                                       ev.start_mark.column + 1])
        finally:
            getattr(parser, "dispose", lambda: None)()
        return out

    # Nodes

    def _step(self, sid: str) -> Mapping:
        node = self._steps.get(sid)
        if not isinstance(node, Mapping):
            raise EditError(f"step '{sid}' is not written as a mapping of its own")
        return node

    def _value(self, sid: str, key: str) -> Node:
        step = self._step(sid)
        k, node = step.key(key), step.get(key)
        assert k is not None and node is not None
        if (node.line, node.column) < (k.end_line, k.end_column):
            raise EditError(f"steps.{sid}.{key} is an alias (*name): write it out to edit it")
        return node

    # Edits

    def remove_step(self, sid: str) -> None:
        steps = self._steps
        i = steps.keys[sid]
        key, value = steps.items[i]
        end = max(self._end(key), self._end(value))
        if steps.flow:
            self._drop(steps, i)
            return
        self._splice(*self._whole_lines(key, self._start(key), end), "")

    def set_scalar(self, sid: str, key: str, value: str) -> None:
        node = self._value(sid, key)
        if not isinstance(node, Scalar):
            raise EditError(f"steps.{sid}.{key} is not a single value")
        self._splice(*self._scalar(node), scalar_text(value))

    def set_next(self, sid: str, old: Seq[Branch], new: Seq[Branch]) -> None:
        """Turn the `next` written for `old` into `new`, touching as little as it can."""
        if list(old) == list(new):
            return
        if not new:
            raise EditError(f"steps.{sid}.next would be empty")
        node = self._value(sid, "next")
        items: list[Node] = node.items if isinstance(node, Sequence) else [node]
        if len(items) != len(old):
            raise EditError(f"steps.{sid}.next is written in an unexpected shape")
        if len(old) == len(new) and all(o.when == n.when and o.p == n.p
                                        for o, n in zip(old, new, strict=True)):
            for item, o, n in zip(items, old, new, strict=True):
                if o.to != n.to:
                    target = item.get("to") if isinstance(item, Mapping) else item
                    assert isinstance(target, Scalar)
                    self._splice(*self._scalar(target), scalar_text(n.to))
            return
        kept = _subsequence(new, old)
        if isinstance(node, Sequence) and kept is not None:
            for i in sorted(set(range(len(old))) - set(kept)):
                self._remove_item(node, i)
            return
        if list(new[:len(old)]) == list(old):
            self._append(node, new[len(old):])
            return
        self._rewrite(node, new)

    def set_duration(self, sid: str, key: str, value: str | dict[str, str]) -> None:
        """Write steps.sid.key as `value`: a duration, or a range {min, likely, max}.

        A range written as a mapping keeps its style (block or flow, its key
        order): only the values that differ are set. A step without the key
        gets it, after the field before its `next`, else after its last field."""
        step = self._step(sid)
        text = duration_text(value)
        if step.get(key) is None:
            self._add(step, key, text)
            return
        node = self._value(sid, key)
        if isinstance(node, Scalar):
            self._splice(*self._scalar(node), text)
        elif isinstance(node, Mapping) and isinstance(value, dict) \
                and set(node.keys) == set(value):
            for k, v in value.items():
                part = _own(node, k, f"steps.{sid}.{key}.{k}")
                if not isinstance(part, Scalar):
                    raise EditError(f"steps.{sid}.{key}.{k} is not a single value")
                if part.value != v:
                    self._splice(*self._scalar(part), v)
        elif isinstance(node, Mapping) and node.flow:
            self._splice(self._start(node), self._end(node), text)
        elif isinstance(node, Mapping):
            # A block range becomes one value on the key's line.
            name = step.key(key)
            assert name is not None
            self._splice(self._end(name), self._tail(node), ": " + text)
        else:
            raise EditError(f"steps.{sid}.{key} is not a duration or a range")

    def set_p(self, sid: str, index: int, p: float) -> None:
        """Write the `p` of branch `index` of steps.sid.next."""
        node = self._value(sid, "next")
        item = node.items[index] if isinstance(node, Sequence) else None
        where = f"steps.{sid}.next[{index}]"
        if not isinstance(item, Mapping) or item.get("p") is None:
            raise EditError(f"{where} has no p")
        value = _own(item, "p", f"{where}.p")
        if not isinstance(value, Scalar):
            raise EditError(f"{where}.p is not a single value")
        self._splice(*self._scalar(value), number(p))

    def _tail(self, node: Node) -> int:
        """Where the text of `node` ends, without a block scalar's final line breaks."""
        if isinstance(node, Scalar):
            return self._scalar(node)[1]
        if isinstance(node, Mapping) and not node.flow and node.items:
            return self._tail(node.items[-1][1])
        if isinstance(node, Sequence) and not node.flow and node.items:
            return self._tail(node.items[-1])
        return self._end(node)

    def _add(self, step: Mapping, key: str, text: str) -> None:
        """Add `key: text` to a step: before its `next`, else after its last field."""
        i = step.keys.get("next", len(step.items))
        if step.flow:
            if i < len(step.items):
                at = self._start(step.items[i][0])
                self._splice(at, at, f"{key}: {text}, ")
            else:
                at = self._tail(step.items[-1][1])
                self._splice(at, at, f", {key}: {text}")
            return
        first = step.items[0][0]
        line = self._line_start(self._start(first))
        indent = self.source[line:self._start(first)]
        if indent.strip():
            raise EditError(f"line {first.line}: more than one item on the line")
        entry = f"{indent}{key}: {text}"
        # After the field before `next` (with its comment), not between a
        # comment and the `next` it is about.
        at = line if i == 0 else self._after_line(self._end(step.items[i - 1][1]))
        if at == len(self.source) and not self.source.endswith(("\n", "\r")):
            self._splice(at, at, self.newline + entry)
        else:
            self._splice(at, at, entry + self.newline)

    def _remove_item(self, seq: Sequence, i: int) -> None:
        items = seq.items
        if seq.flow:
            self._drop(seq, i)
            return
        self._splice(*self._whole_lines(items[i], self._start(items[i]), self._end(items[i])),
                     "")

    def _append(self, node: Node, extra: Seq[Branch]) -> None:
        added = [_flow_item(b) for b in extra]
        if isinstance(node, Scalar):
            start, end = self._scalar(node)
            written = self.source[start:end]
            first = _flow(node) if _BREAK.search(written) else written  # one line in [ ]
            self._splice(start, end, "[" + ", ".join([first, *added]) + "]")
            return
        assert isinstance(node, Sequence)
        last = node.items[-1]
        if node.flow:
            self._splice(self._end(last), self._end(last), "".join(f", {a}" for a in added))
            return
        start = self._start(last)
        dash = self.source[self._line_start(start):start]
        at = self._after_line(self._end(last))
        if at == len(self.source) and not self.source.endswith(("\n", "\r")):
            text = "".join(self.newline + dash + a for a in added)
        else:
            text = "".join(dash + a + self.newline for a in added)
        self._splice(at, at, text)

    def _rewrite(self, node: Node, new: Seq[Branch]) -> None:
        items = [_flow_item(b) for b in new]
        if isinstance(node, Sequence) and not node.flow:
            first, last = node.items[0], node.items[-1]
            start, end = self._whole_lines(first, self._start(first), self._end(last))
            dash = self.source[start:self._start(first)]
            self._splice(start, end, "".join(dash + i + self.newline for i in items))
            return
        text = items[0] if len(items) == 1 and isinstance(node, Scalar) else \
            "[" + ", ".join(items) + "]"
        self._splice(*(self._scalar(node) if isinstance(node, Scalar) else
                       (self._start(node), self._end(node))), text)


def _own(mapping: Mapping, key: str, where: str) -> Node:
    """The value of `key`, written in place: an alias would edit its anchor instead."""
    k, node = mapping.key(key), mapping.get(key)
    assert k is not None and node is not None
    if (node.line, node.column) < (k.end_line, k.end_column):
        raise EditError(f"{where} is an alias (*name): write it out to edit it")
    return node


def _flow(node: Node) -> str:
    """`node` in flow style, reading back as the same value."""
    if isinstance(node, Mapping):
        return "{" + ", ".join(f"{scalar_text(str(k.value))}: {_flow(v)}"
                               for k, v in node.items) + "}"
    if isinstance(node, Sequence):
        return "[" + ", ".join(_flow(i) for i in node.items) + "]"
    v = node.value
    if isinstance(v, str):
        return scalar_text(v)
    if v is None or isinstance(v, bool):
        return {None: "null", True: "true", False: "false"}[v]
    if isinstance(v, float) and not math.isfinite(v):
        return ".nan" if math.isnan(v) else ".inf" if v > 0 else "-.inf"
    return repr(v)


def _subsequence(new: Seq[Branch], old: Seq[Branch]) -> list[int] | None:
    """Indexes into `old` of the items of `new`, when `new` is `old` with some left out."""
    out: list[int] = []
    i = 0
    for b in new:
        while i < len(old) and old[i] != b:
            i += 1
        if i == len(old):
            return None
        out.append(i)
        i += 1
    return out


# A file is written back in the encoding it came in (UTF-8 or -16, its BOM kept).
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def decode(data: bytes) -> tuple[bytes, str]:
    """(byte-order mark, text) of a file that already loaded."""
    bom = next((b for b in _BOMS if data.startswith(b)), b"")
    return bom, data[len(bom):].decode(_codec(bom))


def encode(bom: bytes, text: str) -> bytes:
    """The text in the encoding `decode` found, behind the same mark."""
    return bom + text.encode(_codec(bom))


def _codec(bom: bytes) -> str:
    return "utf-16-le" if bom == b"\xff\xfe" else "utf-16-be" if bom == b"\xfe\xff" else "utf-8"
