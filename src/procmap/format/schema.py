"""The JSON Schema of the workflow format, version 1.

It is the single source of truth for the shape of a workflow: the loader
checks documents with it (see validate.py), and `procmap schema` prints it
for editors. Only a subset of JSON Schema is used, the one validate.py
interprets. `errorMessage` and `patternErrorMessage` are the keywords the
YAML language server shows instead of its generic text.
"""

from __future__ import annotations

from typing import Any

from procmap.format.durations import DURATION_PATTERN, VOLUME_PATTERN

ID_PATTERN = r"^[a-z0-9][a-z0-9-]*$(?!\n)"  # `$(?!\n)`: see durations.py
SCHEMA_ID = "https://procmap.dev/schema/workflow-v1.json"

_ID_MESSAGE = "ids use lower-case letters, digits and '-', and start with a letter or digit"


def _string(description: str) -> dict[str, Any]:
    return {"type": "string", "description": description}


def _id(description: str) -> dict[str, Any]:
    return {"type": "string", "pattern": ID_PATTERN, "patternErrorMessage": _ID_MESSAGE,
            "description": description}


def _ids(description: str) -> dict[str, Any]:
    return {"type": "array", "items": {"$ref": "#/definitions/id"}, "description": description,
            "errorMessage": "expected a list of ids, such as [signed-agreement]"}


def _strings(description: str) -> dict[str, Any]:
    return {"type": "array", "items": {"type": "string"}, "description": description}


def workflow_schema(rule_ids: tuple[str, ...]) -> dict[str, Any]:
    """The schema; `rule_ids` are the rules a step may waive."""
    duration_text = {
        "type": "string",
        "pattern": DURATION_PATTERN,
        "patternErrorMessage": "a duration is a number with a unit: m, h, d or w, "
        "as in 45m, 1.5h or 2d",
    }
    duration = {
        "anyOf": [
            {"$ref": "#/definitions/durationText"},
            {
                "type": "object",
                "required": ["min", "likely", "max"],
                "additionalProperties": False,
                "properties": {
                    "min": {"$ref": "#/definitions/durationText"},
                    "likely": {"$ref": "#/definitions/durationText"},
                    "max": {"$ref": "#/definitions/durationText"},
                },
            },
        ],
        "errorMessage": "expected a duration with a unit (45m, 1.5h, 2d, 1w) or a range "
        "{min, likely, max}; a bare number is not a duration",
    }
    waive = {
        "type": "object",
        "propertyNames": {"enum": list(rule_ids)},
        "additionalProperties": {"type": "string"},
        "description": "rule id -> reason, with the person who accepted it",
    }
    branch = {
        "type": "object",
        "required": ["to"],
        "additionalProperties": False,
        "properties": {
            "to": _id("the step this branch goes to"),
            "when": _string("the condition, shown as the branch label"),
            "p": {"type": "number", "exclusiveMinimum": 0, "maximum": 1,
                  "description": "share of cases taking this branch (0 < p <= 1); "
                  "give it on every branch of the step, summing to 1",
                  "errorMessage": "p is a probability: a number above 0 and at most 1"},
        },
    }
    step = {
        "type": "object",
        "required": ["title", "team"],
        "additionalProperties": False,
        "properties": {
            "title": _string("what is done, as an imperative phrase"),
            "team": _id("the team id (from `teams`) that owns the step"),
            "who": _string("role or person inside the team who does it"),
            "kind": {"enum": ["task", "approval", "check", "decision", "wait", "end"],
                     "description": "kind of step; default task"},
            "touch": {"$ref": "#/definitions/duration", "description": "hands-on time"},
            "wait": {"$ref": "#/definitions/duration",
                     "description": "queue or idle time before the step starts"},
            "inputs": _ids("artifact ids the step reads"),
            "outputs": _ids("artifact ids the step creates or changes"),
            "systems": _strings("tools used"),
            "value": {"enum": ["va", "bva", "nva"],
                      "description": "lean class: value-added, business value-added, "
                      "non-value-added"},
            "automated": {"enum": [True, False, "planned"],
                          "description": "true, false (default) or planned"},
            "requirement": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "why": _string("why the step exists"),
                    "by": _string("the named person who requires it (not a team)"),
                },
                "description": "why the step exists and who asks for it",
            },
            "description": _string("markdown, shown in the SOP"),
            "instructions": _strings("the SOP's numbered sub-steps"),
            "next": {
                "anyOf": [
                    {"$ref": "#/definitions/id"},
                    {"type": "array", "items": {"anyOf": [{"$ref": "#/definitions/id"}, branch],
                                                "errorMessage": "expected a step id or "
                                                "{to, when, p}"}},
                ],
                "errorMessage": "expected a step id or a list of step ids and {to, when, p}",
                "description": "the steps that follow; none ends the workflow",
            },
            "waive": waive,
        },
    }
    team = {
        "anyOf": [
            {"type": "string"},
            {
                "type": "object",
                "required": ["name"],
                "additionalProperties": False,
                "properties": {
                    "name": _string("team name"),
                    "color": _string("lane colour, e.g. #8e44ad"),
                    "external": {"type": "boolean",
                                 "description": "a party outside the company (customer, "
                                 "partner, regulator): counted in lead time and handoffs, "
                                 "never in the company's touch time, cost or automation"},
                    "staff": {"type": "number", "exclusiveMinimum": 0,
                              "description": "people who work this team's steps, for the "
                              "load figures",
                              "errorMessage": "staff is a number of people above 0"},
                },
            },
        ],
        "errorMessage": "a team is a name or {name, color, external, staff}",
    }
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": SCHEMA_ID,
        "title": "procmap workflow",
        "description": "A workflow for procmap, format version 1",
        "type": "object",
        "required": ["procmap", "id", "title", "teams", "steps"],
        "additionalProperties": False,
        "properties": {
            "procmap": {"const": 1, "description": "format version",
                        "errorMessage": "procmap reads format version 1: write `procmap: 1`"},
            "id": _id("unique id of the workflow in the repository"),
            "title": _string("human title"),
            "owner": _string("the process owner, a named person"),
            "description": _string("markdown"),
            "volume": {"type": "string", "pattern": VOLUME_PATTERN,
                       "patternErrorMessage": "volume is cases per period: N/day, N/week, "
                       "N/month or N/year",
                       "description": "cases per period"},
            "outputs": _ids("artifacts the process delivers"),
            "inputs": _ids("artifacts that come from outside the process; no step need "
                           "produce them"),
            "records": _ids("artifacts kept in a system of record or an audit trail; "
                            "they count as consumed"),
            "hours_per_week": {"type": "number", "exclusiveMinimum": 0, "maximum": 168,
                               "description": "working hours of one person per week, for "
                               "the load figures; default 40",
                               "errorMessage": "hours_per_week is a number of hours above 0 "
                               "and at most 168"},
            "teams": {"type": "object", "propertyNames": {"$ref": "#/definitions/id"},
                      "additionalProperties": {"$ref": "#/definitions/team"},
                      "description": "team id -> name or {name, color, external, staff}"},
            "steps": {"type": "object", "minProperties": 1,
                      "propertyNames": {"$ref": "#/definitions/id"},
                      "additionalProperties": {"$ref": "#/definitions/step"},
                      "description": "step id -> step; file order is the SOP order"},
            "start": _id("the first step; default: the first in file order"),
            "tags": _strings("free tags"),
            # 1.2: process-level findings (those attached to no step) kept on purpose
            "waive": {**waive, "description": "rule id -> reason, with the person who "
                      "accepted it, for findings attached to no step (missing-output)"},
        },
        "definitions": {
            "id": _id("an id"),
            "durationText": duration_text,
            "duration": duration,
            "step": step,
            "team": team,
        },
    }
