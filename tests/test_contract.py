"""The contract check (tests/contract.py) itself: it must refuse what the
OpenAPI documents refuse, or the suite's requests are checked by nothing."""

from __future__ import annotations

import json

import httpx

from contract import Request, problems

STORAGE = {"representation": "storage", "value": "<p/>"}


def put(data: object) -> Request:
    return Request("PUT", "/api/v2/pages/7", "application/json", json.dumps(data).encode())


def test_a_valid_v2_update_passes() -> None:
    assert problems("cloud", put({"id": "7", "status": "current", "title": "T",
                                  "body": STORAGE, "version": {"number": 2}})) == []


def test_a_v2_update_without_its_status_is_refused() -> None:
    assert problems("cloud", put({"id": "7", "title": "T", "body": STORAGE,
                                  "version": {"number": 2}})) == [
        "the value: 'status' is a required property"]


def test_query_parameters_are_of_their_schemas() -> None:
    assert problems("cloud", Request("GET", "/api/v2/pages?space-id=x&limit=5&colour=red",
                                     "", b"")) == [
        "query parameter space-id=x: 0: 'x' is not of type 'integer'",
        "query parameter colour is not in openapi-v2.v3.json"]
    assert problems("dc", Request("GET", "/rest/api/content?status=archived", "", b"")) == [
        "query parameter status=archived: 0: 'archived' is not one of ['current', 'trashed', "
        "'deleted', 'historical', 'draft', 'any']"]


def test_an_upload_names_minor_edit_and_paths_are_of_the_documents() -> None:
    form = httpx.Request("POST", "http://x/", files={"file": ("a.png", b"x")})
    upload = Request("POST", "/rest/api/content/7/child/attachment",
                     form.headers["Content-Type"], form.read())
    assert problems("cloud", upload) == ["the value: 'minorEdit' is a required property"]
    assert problems("cloud", Request("GET", "/api/v2/pagez", "", b"")) == [
        "openapi-v2.v3.json has no path /pagez"]
    assert problems("dc", Request("PATCH", "/rest/api/content/7", "", b"")) == [
        "swagger.v3.json has no PATCH /wiki/rest/api/content/{id}"]
