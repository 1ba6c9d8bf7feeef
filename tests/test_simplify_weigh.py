"""The shortcuts simplify takes when it weighs a change give what the long way gives."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from procmap.analysis.rules.fixes import Draft, delete_step
from procmap.config import Config
from procmap.format.errors import WorkflowError
from procmap.format.loader import loads
from procmap.format.model import Workflow
from procmap.simplify.simplify import Options, Survey, _open, _weigh
from procmap.simplify.weigh import Weigher
from strategies import workflows

EXAMPLES = sorted((Path(__file__).parent.parent / "workflows").glob("*.yaml"))

# `review` goes back to `fix` when it fails; `fix` is the head of that loop.
LOOP = """\
procmap: 1
id: loop
title: A loop whose head can go
teams: {ops: Operations, qa: Quality}
steps:
  start: {title: Take the request, team: ops, touch: 1h, next: fix}
  fix: {title: Fix the draft, team: ops, touch: 2h, next: write}
  write: {title: Write it up, team: ops, touch: 3h, next: review}
  review:
    title: Review it
    team: qa
    touch: 30m
    next:
      - {to: done, p: 0.7}
      - {to: fix, when: fails, p: 0.3}
  done: {title: Close, team: ops, touch: 15m}
"""


def _loaded(text: str) -> Workflow:
    return loads(text, "w.yaml")


def test_a_loop_head_deleted_is_weighed_as_one_that_reconnects() -> None:
    w = _loaded(LOOP)
    survey = Survey.of(w, Config())
    weigher = survey.weigher()
    draft = delete_step("fix", survey.flow)(Draft.of(w))
    assert draft is not None
    d = weigher.diff(draft)
    after = draft.workflow
    assert [b.to for b in after.steps["review"].next] == ["done", "write"]
    # The link back now goes to `write`, which stands before `review`: still
    # a link back, so lead time is the longest path without `fix`.
    assert weigher._reconnects(after, d)
    assert weigher.measure(after, d).lead_h == 1.0 + 3.0 + 0.5 + 0.25
    assert weigher._lead(after, d) == (weigher.measure(after, d).lead_h, True)


def _same_weighing(w: Workflow, options: Options) -> None:
    survey = Survey.of(w, Config())
    weigher = survey.weigher()
    found = survey.proposals(options.algorithm)
    chosen = [p for p in found if options.accepts(p)]
    assert _open(survey, weigher, options, chosen) == [
        o.proposal for o in _weigh(survey, weigher, options, chosen) if o.blocked is None]
    # Other runs per case: the weigher kept with the survey shares its
    # structure, and weighs as one built from scratch.
    halved = {sid: x / 2 for sid, x in weigher.visits.items()}
    again, fresh = survey.weigher(halved), Weigher(survey.flow, halved)
    assert (again.figures, again.sends, again.visits) == (fresh.figures, fresh.sends,
                                                         fresh.visits)
    assert [o.as_json() for o in _weigh(survey, again, options)] == \
        [o.as_json() for o in _weigh(survey, fresh, options)]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
@pytest.mark.parametrize("options", [Options(), Options(accept=frozenset({"all"})),
                                     Options(accept=frozenset({"all"}),
                                             keep=frozenset({"credit-check", "triage"}))],
                         ids=["safe", "all", "kept"])
def test_shortcuts_weigh_as_the_long_way_on_the_examples(path: Path, options: Options) -> None:
    _same_weighing(_loaded(path.read_text()), options)


def test_shortcuts_weigh_as_the_long_way_with_a_loop() -> None:
    _same_weighing(_loaded(LOOP), Options(accept=frozenset({"all"})))


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(workflows())
def test_shortcuts_weigh_as_the_long_way_on_random_workflows(doc: dict[str, object]) -> None:
    try:
        w = loads(json.dumps(doc), "fuzz.yaml")
    except WorkflowError:
        return
    _same_weighing(w, Options(accept=frozenset({"all"})))


PARALLEL = """\
procmap: 1
id: parallel
title: Two branches at once, a loop, and a step to move (ping-pong)
teams: {ops: Operations, qa: Quality, fin: Finance}
steps:
  start: {title: Take the order, team: ops, touch: 1h, next: [pack, bill]}
  pack: {title: Pack the goods, team: ops, touch: 2h, outputs: [parcel], next: check}
  check: {title: Check the parcel, team: qa, touch: 30m, inputs: [parcel],
          next: [{to: ship, p: 0.8}, {to: pack, p: 0.2}]}
  bill: {title: Bill the customer, team: fin, touch: 1h, outputs: [invoice, copy], next: ship}
  ship: {title: Ship it, team: ops, touch: 1h, inputs: [parcel, invoice], kind: end}
"""


@pytest.mark.parametrize("text", [*(p.read_text() for p in EXAMPLES), PARALLEL],
                         ids=[*(p.stem for p in EXAMPLES), "parallel"])
@pytest.mark.parametrize("accept", [frozenset(), frozenset({"all"})], ids=["safe", "all"])
def test_the_report_after_is_the_analysis_of_the_file_written(text: str,
                                                              accept: frozenset[str]) -> None:
    """The result's report takes the cases its last run simulated on the
    same workflow: it is what analyze of the written file says (`parallel`:
    simulated, as it has parallel work, and changed by the move)."""
    from procmap.analysis.analyze import analyze
    from procmap.simplify.simplify import simplify

    result = simplify(text, "w.yaml", Options(accept=accept))
    fresh = analyze(loads(result.data, "w.yaml"))
    assert result.after.metrics == fresh.metrics
    assert result.after.findings == fresh.findings
