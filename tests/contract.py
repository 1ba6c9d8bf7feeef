"""Requests checked against Atlassian's OpenAPI documents of Confluence Cloud
(tests/data/confluence, see its README): the path and method are an
operation of the document, the query parameters it names have values of
their schemas, the required ones are there, and the body is of the schema
of the request body (JSON, or the fields of a multipart form).

Data Center's requests are checked against the v1 document of Cloud, whose
content endpoints are Data Center's REST API as it stands.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import HTTP
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote

from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

DATA = Path(__file__).parent / "data" / "confluence"


@dataclass(frozen=True)
class Request:
    method: str
    path: str  # under the site's context path, with its query
    content_type: str
    body: bytes


def _nullable(node: Any) -> Any:
    """OpenAPI 3.0's `nullable: true`, as JSON Schema says it."""
    if isinstance(node, dict):
        node = {k: _nullable(v) for k, v in node.items()}
        if node.get("nullable") is True and isinstance(node.get("type"), str):
            node["type"] = [node["type"], "null"]
        return node
    if isinstance(node, list):
        return [_nullable(v) for v in node]
    return node


def _pointer(*parts: str) -> str:
    return "".join("/" + quote(p.replace("~", "~0").replace("/", "~1"), safe="~")
                   for p in parts)


class Document:
    def __init__(self, name: str, root: str) -> None:
        self.doc = _nullable(json.loads((DATA / name).read_text(encoding="utf-8")))
        self.name, self.root = name, root  # root: what the document's paths start after
        self.registry: Registry = Registry().with_resource(
            "urn:doc", Resource(contents=self.doc, specification=DRAFT4))
        self.routes = sorted(
            ((template.count("{"), re.compile(re.sub(r"\\\{[^}]+\\\}", "[^/]+",
                                                     re.escape(template)) + r"\Z"), template)
             for template in self.doc["paths"]), key=lambda r: r[0])

    def _deref(self, node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            target: Any = self.doc
            for part in node["$ref"][2:].split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            node = target
        return node

    def _errors(self, value: Any, where: str) -> list[str]:
        validator = Draft4Validator({"$ref": f"urn:doc#{where}"}, registry=self.registry)
        return [f"{'/'.join(map(str, e.absolute_path)) or 'the value'}: {e.message}"
                for e in validator.iter_errors(value)]

    def check(self, r: Request, path: str) -> list[str]:
        bare, _, query = path.partition("?")
        template = next((t for _, rx, t in self.routes if rx.match(bare)), None)
        if template is None:
            return [f"{self.name} has no path {bare}"]
        item = self.doc["paths"][template]
        op = item.get(r.method.lower())
        if op is None:
            return [f"{self.name} has no {r.method} {template}"]
        where = _pointer("paths", template, r.method.lower())
        problems = []
        given = dict(parse_qsl(query, keep_blank_values=True))
        params = [self._deref(p) for p in item.get("parameters", []) + op.get("parameters", [])]
        for n, p in enumerate(op.get("parameters", [])):
            q = self._deref(p)
            if q["in"] != "query":
                continue
            if q["name"] not in given:
                if q.get("required"):
                    problems.append(f"query parameter {q['name']} is required")
                continue
            schema = self._deref(q.get("schema", {}))
            value: Any = given[q["name"]]
            if schema.get("type") == "array":
                items = self._deref(schema.get("items", {}))
                value = [_typed(v, items.get("type")) for v in value.split(",")]
            else:
                value = _typed(value, schema.get("type"))
            at = _pointer("paths", template, r.method.lower(), "parameters", str(n))
            # a parameter by reference: its schema where it is defined
            if "$ref" in p:
                at = p["$ref"][1:]
            problems += [f"query parameter {q['name']}={given[q['name']]}: {e}"
                         for e in self._errors(value, at + "/schema")]
        names = {p["name"] for p in params if p["in"] == "query"}
        problems += [f"query parameter {k} is not in {self.name}" for k in given
                     if k not in names]
        body = op.get("requestBody")
        if body is None:
            if r.body:
                problems.append("a body where the operation takes none")
            return problems
        at = where + "/requestBody"
        if "$ref" in body:
            at, body = body["$ref"][1:], self._deref(body)
        if not r.body:
            return problems + (["the request body is required"] if body.get("required") else [])
        kind = r.content_type.split(";")[0].strip()
        if kind not in body["content"]:
            return [*problems, f"a body of {kind}, where it takes {sorted(body['content'])}"]
        at += _pointer("content", kind, "schema")
        value = (json.loads(r.body) if kind == "application/json" else
                 _form(r.content_type, r.body))
        return problems + self._errors(value, at)


def _typed(value: str, kind: Any) -> Any:
    """A query value as the type its schema gives, when it reads as one."""
    if kind == "integer" and value.lstrip("-").isdigit():
        return int(value)
    if kind == "boolean" and value in ("true", "false"):
        return value == "true"
    return value


def _form(content_type: str, raw: bytes) -> dict[str, str]:
    """The fields of a multipart form, each as text (a file as its name)."""
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + raw)
    out = {}
    for part in message.iter_parts():  # type: ignore[attr-defined]
        name = part.get_param("name", header="content-disposition")
        out[str(name)] = part.get_filename() or part.get_payload(decode=True).decode()
    return out


@cache
def documents() -> tuple[Document, Document]:
    return (Document("openapi-v2.v3.json", "/api/v2"), Document("swagger.v3.json", ""))


def problems(flavour: str, r: Request) -> list[str]:
    """What in `r` the documents do not allow; [] for a valid request."""
    v2, v1 = documents()
    if r.path.startswith("/api/v2"):
        return v2.check(r, r.path.removeprefix("/api/v2"))
    return v1.check(r, "/wiki" + r.path)
