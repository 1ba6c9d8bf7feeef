"""The published JSON Schema and the loader never disagree."""

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from procmap.analysis.rules import RULE_IDS
from procmap.format.errors import WorkflowError
from procmap.format.loader import loads
from procmap.format.schema import workflow_schema
from procmap.format.yamlnodes import compose

SCHEMA = workflow_schema(RULE_IDS)
VALIDATOR = jsonschema.Draft7Validator(SCHEMA)
EXAMPLES = sorted((Path(__file__).parent.parent / "workflows").glob("*.yaml"))

BASE: dict[str, Any] = {
    "procmap": 1, "id": "w", "title": "W", "owner": "Ann Lee", "volume": "3/week",
    "outputs": ["done"], "tags": ["x"],
    "teams": {"a": "Team A", "b": {"name": "Team B", "color": "#fff"}},
    "steps": {
        "s1": {"title": "One", "team": "a", "touch": "1h", "wait": {"min": "1h",
               "likely": "2h", "max": "3h"}, "outputs": ["doc"], "systems": ["CRM"],
               "next": ["s2", {"to": "s3", "when": "w"}]},
        "s2": {"title": "Two", "team": "b", "kind": "check", "inputs": ["doc"],
               "requirement": {"why": "x", "by": "Bo Li"}, "value": "bva",
               "automated": "planned", "instructions": ["i"], "next": "s3",
               "waive": {"ping-pong": "ok - Ann Lee"}},
        "s3": {"title": "Three", "team": "a", "outputs": ["done"], "description": "d",
               "who": "me"},
    },
}

# Every field of 1.1, so that the differential test below covers them too.
BASE_1_1: dict[str, Any] = {
    **copy.deepcopy(BASE), "inputs": ["request"], "records": ["audit-entry"],
    "hours_per_week": 37.5,
    "teams": {"a": {"name": "Team A", "staff": 3}, "b": {"name": "Team B", "color": "#fff"},
              "cust": {"name": "Customer", "external": True}},
}

SCALARS = st.one_of(
    st.sampled_from(["2d", "30", "1.5h", "0m", "3x", "s1", "s2", "Bad Id", "a", "b", "planned",
                     "check", "nva", "3/week", "", "ping-pong", "#fff", "yes", "1", "2",
                     "s1\n", "2d\n", "3/week\n"]),
    st.integers(-3, 3), st.floats(-2, 2, allow_nan=False), st.booleans(), st.none(),
)
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=3),
    st.dictionaries(st.sampled_from(["to", "p", "min", "likely", "max", "name", "x", "title",
                                     "team", "why", "by"]), inner, max_size=4)),
    max_leaves=6)


def paths(doc: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += paths(v, (*prefix, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out += paths(v, (*prefix, i))
    return out


@st.composite
def mutated(draw: st.DrawFn, base: dict[str, Any] = BASE) -> Any:
    doc = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 3))):
        all_paths = paths(doc)
        path = draw(st.sampled_from(all_paths))
        action = draw(st.sampled_from(["set", "delete", "add"]))
        if not path:
            if action == "set":
                doc = draw(VALUES)
            continue
        parent = doc
        for part in path[:-1]:
            parent = parent[part]
        if action == "set":
            parent[path[-1]] = draw(VALUES)
        elif action == "delete":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            key = draw(st.sampled_from(["tuoch", "Bad Key", "s9", "kind", "p", "next", "z",
                                        "external", "staff", "records", "hours_per_week"]))
            parent[key] = draw(VALUES)
    return doc


def schema_problems(text: str) -> list[str]:
    try:
        loads(text)
    except WorkflowError as e:
        return [p.message for p in e.problems if p.kind == "schema"]
    return []


def test_schema_is_valid_draft_7() -> None:
    jsonschema.Draft7Validator.check_schema(SCHEMA)


def test_base_document_is_valid_for_both() -> None:
    assert VALIDATOR.is_valid(BASE)
    loads(json.dumps(BASE))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_examples_validate_against_the_schema(path: Path) -> None:
    import yaml

    VALIDATOR.validate(yaml.safe_load(path.read_text()))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_loader_and_schema_agree(doc: Any) -> None:
    text = json.dumps(doc)  # JSON is YAML 1.2, so both read the same document
    valid = VALIDATOR.is_valid(doc)
    found = schema_problems(text)
    assert valid == (not found), (found, [e.message for e in VALIDATOR.iter_errors(doc)])


def test_1_1_document_is_valid_for_both() -> None:
    assert VALIDATOR.is_valid(BASE_1_1)
    workflow = loads(json.dumps(BASE_1_1))
    assert (workflow.inputs[0].id, workflow.records[0].id, workflow.hours_per_week) == (
        "request", "audit-entry", 37.5)
    assert [(t.id, t.external, t.staff) for t in workflow.teams.values()] == [
        ("a", False, 3.0), ("b", False, None), ("cust", True, None)]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated(BASE_1_1))
def test_loader_and_schema_agree_on_1_1_fields(doc: Any) -> None:
    test_loader_and_schema_agree.hypothesis.inner_test(doc)  # type: ignore[attr-defined]


def test_every_schema_property_is_known_to_the_model() -> None:
    from procmap.format.model import Step, Workflow

    step_fields = set(Step.__dataclass_fields__)
    assert set(SCHEMA["definitions"]["step"]["properties"]) <= step_fields
    assert set(SCHEMA["properties"]) - {"procmap", "id"} <= set(Workflow.__dataclass_fields__)


def test_compose_of_json_matches_json() -> None:
    node = compose(json.dumps(BASE))
    assert node is not None


def _patterns(schema: Any) -> list[str]:
    if isinstance(schema, dict):
        own = [schema["pattern"]] if isinstance(schema.get("pattern"), str) else []
        return own + [p for v in schema.values() for p in _patterns(v)]
    if isinstance(schema, list):
        return [p for v in schema for p in _patterns(v)]
    return []


@pytest.mark.parametrize("value", ["w", "1h", "1.5d", "3/week", "s1"])
def test_no_pattern_accepts_a_trailing_newline(value: str) -> None:
    # An ECMA `$` (editors) ends the text; Python's `$` (jsonschema, the
    # loader) also matches before a final newline. The patterns must mean the
    # same in both.
    import re

    patterns = _patterns(SCHEMA)
    assert patterns
    assert [p for p in patterns if re.search(p, value + "\n")] == []
    assert not VALIDATOR.is_valid({**BASE, "id": "w\n"})
