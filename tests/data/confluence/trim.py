"""Trim Atlassian's OpenAPI documents to the operations procmap uses, and
patch them (see README.md): python trim.py OUT, in a folder holding the
whole documents as v2.json and v1.json."""

from __future__ import annotations

import json
import sys
from typing import Any

V2 = {"/spaces": ["get"], "/pages": ["get", "post"], "/pages/{id}": ["get", "put", "delete"],
      "/pages/{id}/children": ["get"], "/pages/{page-id}/properties": ["get", "post"],
      "/pages/{page-id}/properties/{property-id}": ["put"],
      "/pages/{id}/attachments": ["get"], "/pages/{id}/labels": ["get"]}
V1 = {"/wiki/rest/api/space/{spaceKey}": ["get"], "/wiki/rest/api/content": ["get", "post"],
      "/wiki/rest/api/content/{id}": ["get", "put", "delete"],
      "/wiki/rest/api/content/{id}/child/{type}": ["get"],
      "/wiki/rest/api/content/{id}/child/attachment": ["get", "post"],
      "/wiki/rest/api/content/{id}/child/attachment/{attachmentId}/data": ["post"],
      "/wiki/rest/api/content/{id}/label": ["get", "post"],
      "/wiki/rest/api/content/{id}/property": ["post"],
      "/wiki/rest/api/content/{id}/property/{key}": ["get", "put"]}


def refs(node: Any, out: set[str]) -> None:
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/"):
            out.add(node["$ref"])
        for v in node.values():
            refs(v, out)
    elif isinstance(node, list):
        for v in node:
            refs(v, out)


def get(doc: Any, ref: str) -> Any:
    for part in ref[2:].split("/"):
        doc = doc[part.replace("~1", "/").replace("~0", "~")]
    return doc


def trim(doc: dict[str, Any], keep: dict[str, list[str]]) -> dict[str, Any]:
    out = {k: doc[k] for k in ("openapi", "info", "servers") if k in doc}
    out["paths"] = {}
    for path, methods in keep.items():
        item = doc["paths"][path]
        out["paths"][path] = {m: item[m] for m in methods if m in item} | (
            {"parameters": item["parameters"]} if "parameters" in item else {})
    seen: set[str] = set()
    todo: set[str] = set()
    refs(out["paths"], todo)
    while todo:
        ref = todo.pop()
        if ref not in seen:
            seen.add(ref)
            refs(get(doc, ref), todo)
    components: dict[str, dict[str, Any]] = {}
    for ref in sorted(seen):
        _, _, kind, name = ref.split("/", 3)
        components.setdefault(kind, {})[name] = doc["components"][kind][name]
    out["components"] = components
    return out


def items_enum(node: Any) -> None:
    """Patch 2: an `enum` written on an array goes to its items."""
    if isinstance(node, dict):
        if node.get("type") == "array" and "enum" in node and isinstance(node.get("items"), dict):
            node["items"]["enum"] = node.pop("enum")
        for v in node.values():
            items_enum(v)
    elif isinstance(node, list):
        for v in node:
            items_enum(v)


def main(out: str) -> None:
    with open("v2.json", encoding="utf-8") as f:
        v2 = json.load(f)
    # Patch 1: a storage body is both a PageBodyWrite and a PageNestedBodyWrite.
    for name in ("PageCreateRequest", "PageUpdateRequest"):
        content = v2["components"]["requestBodies"][name]["content"]
        body = content["application/json"]["schema"]["properties"]["body"]
        body["anyOf"] = body.pop("oneOf")
    with open("v1.json", encoding="utf-8") as f:
        v1 = json.load(f)
    items_enum(v1)
    for doc, keep, name in ((v2, V2, "openapi-v2.v3.json"), (v1, V1, "swagger.v3.json")):
        with open(f"{out}/{name}", "w", encoding="utf-8") as f:
            json.dump(trim(doc, keep), f, indent=1, ensure_ascii=False)


if __name__ == "__main__":
    main(sys.argv[1])
