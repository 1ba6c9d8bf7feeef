"""Property tests: a Confluence site answering anything never crashes
`procmap publish` nor makes it print the token."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fake_confluence import SPACE, TOKEN, USER, FakeConfluence
from procmap.cli import main

HEADER_VALUES = st.one_of(
    st.sampled_from(["0", "1", "-1", "1.5", "²", "99999999999999999999", "soon",
                     "Wed, 21 Oct 2099 07:28:00 GMT", "Mon, 99 Foo 0000 99:99:99 GMT", "",
                     "gzip", "deflate", "br", "identity", "text/html", "application/json"]),
    st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=30))
HEADERS = st.dictionaries(st.sampled_from(["Retry-After", "Content-Type", "Content-Encoding",
                                           "Location", "X-Junk"]), HEADER_VALUES, max_size=3)
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                    st.text(max_size=12), st.sampled_from(["7", "65537", "1/../2", "OPS"]))
JSON = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=3),
    st.dictionaries(st.sampled_from(["results", "id", "title", "key", "version", "number",
                                     "value", "_links", "next", "base", "ancestors", "space",
                                     "parentId", "spaceId", "message", "errors"]),
                    inner, max_size=4)), max_leaves=12)
BODIES = st.one_of(
    st.binary(max_size=200),
    JSON.map(lambda v: json.dumps(v).encode()),
    st.just(json.dumps({"message": f"bad token {TOKEN}"}).encode()),
    st.just(b"<html><body>Log in</body></html>"),
    st.just(b"[" * 100_000))
STATUSES = st.one_of(st.sampled_from([200, 204, 302, 400, 401, 404, 409, 410, 429, 503]),
                     st.integers(200, 599))
ANSWERS = st.lists(st.tuples(STATUSES, HEADERS, BODIES), min_size=1, max_size=5)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("site")
    (folder / "index.storage.xhtml").write_text("<p>index</p>")
    (folder / "intake.storage.xhtml").write_text("<p>intake</p>")
    (folder / "intake.png").write_bytes(b"png")
    (folder / "manifest.json").write_text(json.dumps({
        "procmap": 1, "index": "index.storage.xhtml",
        "pages": [{"workflow": "intake", "title": "Intake", "body": "intake.storage.xhtml",
                   "attachments": ["intake.png"]}]}))
    return folder


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.sampled_from(["cloud", "dc"]), st.booleans(), st.booleans(), ANSWERS)
def test_any_answer_ends_publish_cleanly(site: Path, flavour: str, again: bool, verbose: bool,
                                         answers: list[tuple[int, dict[str, str], bytes]]
                                         ) -> None:
    args = ["publish", str(site), "--space", SPACE, "--flavour", flavour]
    # Short limits: a retry wait (1 s and more) stops the run instead of sleeping.
    hostile = [*args, "--request-timeout", "2", "--run-timeout", "0.5",
               *(["-v"] if verbose else [])]
    env = {"CONFLUENCE_TOKEN": TOKEN, "CONFLUENCE_USER": USER if flavour == "cloud" else ""}
    with FakeConfluence(flavour) as fake:
        env["CONFLUENCE_URL"] = fake.url
        if again:  # the hostile answers come on a run that has pages to update
            assert CliRunner().invoke(main, args, env=env).exit_code == 0
            (site / "intake.png").write_bytes(b"png, changed")
        for status, headers, body in answers:
            fake.fail("*", "", status, headers=headers, body=body)
        result = CliRunner().invoke(main, hostile, env=env)
        (site / "intake.png").write_bytes(b"png")
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        result.exception)
    assert result.exit_code in (0, 1), result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    basic = base64.b64encode(f"{USER}:{TOKEN}".encode()).decode()
    assert TOKEN not in result.output and basic not in result.output
