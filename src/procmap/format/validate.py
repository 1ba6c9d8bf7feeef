"""Check YAML nodes against the JSON Schema of schema.py, with located messages.

This interprets the subset of JSON Schema that schema.py uses, so the
loader and the published schema cannot drift apart: there is one schema.
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass
from typing import Any

from procmap.format.yamlnodes import Mapping, Node, Scalar, Sequence


@dataclass(frozen=True, slots=True)
class Violation:
    line: int
    column: int
    message: str
    hint: str = ""


def _is_type(node: Node, name: str) -> bool:
    if name == "object":
        return isinstance(node, Mapping)
    if name == "array":
        return isinstance(node, Sequence)
    if not isinstance(node, Scalar):
        return False
    v = node.value
    if name == "string":
        return isinstance(v, str)
    if name == "boolean":
        return isinstance(v, bool)
    if name == "null":
        return v is None
    if name == "integer":
        # As in JSON Schema (draft 6 on), 1.0 is an integer.
        return (isinstance(v, int) and not isinstance(v, bool)) or (
            isinstance(v, float) and v.is_integer())
    if name == "number":
        # NaN and infinities have no JSON form, so no JSON document holds them.
        return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
    raise ValueError(f"schema uses unknown type {name!r}")  # pragma: no cover


def _same(value: Any, expected: Any) -> bool:
    # JSON Schema equality: true is not 1.
    return type(value) is bool if isinstance(expected, bool) else (
        value == expected and not isinstance(value, bool))


def describe(node: Node) -> str:
    if isinstance(node, Mapping):
        return "a mapping"
    if isinstance(node, Sequence):
        return "a list"
    v = node.value
    if v is None:
        return "nothing (null)"
    if isinstance(v, bool):
        return f"the boolean {str(v).lower()}"
    if isinstance(v, (int, float)):
        return f"the number {v}"
    return f"the text {v!r}"


def _where(path: tuple[str, ...]) -> str:
    return ".".join(path) if path else "the workflow"


class Validator:
    def __init__(self, root_schema: dict[str, Any]) -> None:
        self.root = root_schema

    def _resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in schema:
            ref = schema["$ref"]
            if not ref.startswith("#/"):
                raise ValueError(f"only local $ref are supported: {ref}")  # pragma: no cover
            target: Any = self.root
            for part in ref[2:].split("/"):
                target = target[part]
            schema = target
        return schema

    def validate(self, node: Node) -> list[Violation]:
        """Every violation of the root schema, in document order."""
        out: list[Violation] = []
        self._check(node, self.root, (), (node.line, node.column), out)
        return out

    def _check(self, node: Node, schema: dict[str, Any], path: tuple[str, ...],
               at: tuple[int, int], out: list[Violation]) -> bool:
        # `at` is where the node is named (its key), the best place to point to.
        outer_message = schema.get("errorMessage")
        schema = self._resolve(schema)
        message = outer_message or schema.get("errorMessage")
        if "anyOf" in schema:
            options = [self._resolve(s) for s in schema["anyOf"]]
            fitting = [s for s in options if "type" not in s or _is_type(node, s["type"])]
            if not fitting:
                out.append(Violation(node.line, node.column,
                                     f"{_where(path)}: {message or 'unexpected value'}, "
                                     f"got {describe(node)}"))
                return False
            # Branches of the schema's anyOf differ by type, so report the
            # problems of the last one that fits the node's type.
            trial: list[Violation] = []
            for option in fitting:
                trial = []
                if self._check(node, option, path, at, trial):
                    return True
            out.extend(trial)
            return False
        if "type" in schema and not _is_type(node, schema["type"]):
            expected = message or f"expected {_TYPE_WORDS[schema['type']]}"
            out.append(Violation(node.line, node.column,
                                 f"{_where(path)}: {expected}, got {describe(node)}"))
            return False
        ok = True
        if "const" in schema and not (isinstance(node, Scalar)
                                      and _same(node.value, schema["const"])):
            out.append(Violation(node.line, node.column, f"{_where(path)}: "
                                 f"{message or 'must be ' + repr(schema['const'])}, "
                                 f"got {describe(node)}"))
            return False
        if "enum" in schema and not (isinstance(node, Scalar) and any(
                _same(node.value, e) for e in schema["enum"])):
            choices = ", ".join(_show(e) for e in schema["enum"])
            hint = _nearest(node, schema["enum"])
            out.append(Violation(node.line, node.column,
                                 f"{_where(path)}: expected one of {choices}, got {describe(node)}",
                                 hint))
            return False
        if isinstance(node, Scalar):
            v = node.value
            if "pattern" in schema and isinstance(v, str) and not re.search(schema["pattern"], v):
                text = schema.get("patternErrorMessage") or f"must match {schema['pattern']}"
                out.append(Violation(node.line, node.column, f"{_where(path)}: {v!r}: {text}"))
                ok = False
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                bad = ("exclusiveMinimum" in schema and v <= schema["exclusiveMinimum"]) or (
                    "minimum" in schema and v < schema["minimum"]) or (
                    "maximum" in schema and v > schema["maximum"])
                if bad:
                    out.append(Violation(node.line, node.column,
                                         f"{_where(path)}: {message or 'out of range'}, got {v}"))
                    ok = False
            return ok
        if isinstance(node, Sequence):
            items = schema.get("items")
            if items is not None:
                for i, item in enumerate(node.items):
                    ok &= self._check(item, items, (*path, str(i + 1)) if path else (str(i + 1),),
                                      (item.line, item.column), out)
            return ok
        return self._check_mapping(node, schema, path, at, out)

    def _check_mapping(self, node: Mapping, schema: dict[str, Any], path: tuple[str, ...],
                       at: tuple[int, int], out: list[Violation]) -> bool:
        ok = True
        properties: dict[str, Any] = schema.get("properties", {})
        present = {k.value for k, _ in node.items}
        for name in schema.get("required", []):
            if name not in present:
                out.append(Violation(at[0], at[1],
                                     f"{_where(path)}: missing required field '{name}'",
                                     f"add '{name}:'"))
                ok = False
        if len(node.items) < schema.get("minProperties", 0):
            out.append(Violation(node.line, node.column,
                                 f"{_where(path)}: needs at least {schema['minProperties']} entry"))
            ok = False
        names = schema.get("propertyNames")
        extra = schema.get("additionalProperties", True)
        for key, value in node.items:
            name = str(key.value)
            sub = (*path, name)
            if names is not None:
                resolved = self._resolve(names)
                if "enum" in resolved and name not in resolved["enum"]:
                    hint = _nearest(key, resolved["enum"])
                    out.append(Violation(key.line, key.column,
                                         f"{_where(path)}: unknown name {name!r}", hint or
                                         "known: " + ", ".join(resolved["enum"])))
                    ok = False
                    continue
                if "pattern" in resolved and not re.search(resolved["pattern"], name):
                    out.append(Violation(key.line, key.column, f"{_where(path)}: {name!r}: "
                                         f"{resolved.get('patternErrorMessage', 'bad name')}"))
                    ok = False
                    continue
            if name in properties:
                ok &= self._check(value, properties[name], sub, (key.line, key.column), out)
            elif extra is False:
                hint = _nearest(key, list(properties))
                out.append(Violation(key.line, key.column,
                                     f"{_where(path)}: unknown field {name!r}",
                                     hint or "fields here: " + ", ".join(properties)))
                ok = False
            elif isinstance(extra, dict):
                ok &= self._check(value, extra, sub, (key.line, key.column), out)
        return ok


_TYPE_WORDS = {"object": "a mapping", "array": "a list", "string": "text",
               "number": "a number", "integer": "a whole number", "boolean": "true or false",
               "null": "nothing"}


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def _nearest(node: Node, choices: list[Any]) -> str:
    if not isinstance(node, Scalar) or not isinstance(node.value, str):
        return ""
    close = difflib.get_close_matches(node.value, [str(c) for c in choices], n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""
