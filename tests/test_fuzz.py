"""Property tests: random input never crashes the loader or the analysis."""

from __future__ import annotations

import contextlib
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from procmap.analysis.analyze import analyze
from procmap.format.errors import WorkflowError
from procmap.format.loader import loads
from strategies import workflows


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_never_crash_the_loader(data: bytes) -> None:
    try:
        loads(data, "fuzz.yaml")
    except WorkflowError as e:
        assert all(p.line >= 1 and p.column >= 1 and p.message for p in e.problems)


YAMLISH = st.text(alphabet=st.sampled_from(list("procmap: 1\n- []{}&*!|>'\"#,?-ab0.")),
                  max_size=200)


@settings(max_examples=300, deadline=None)
@given(YAMLISH)
def test_random_yaml_like_text_never_crashes_the_loader(text: str) -> None:
    with contextlib.suppress(WorkflowError):
        loads("procmap: 1\n" + text, "fuzz.yaml")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workflows(), st.integers(0, 3))
def test_random_workflows_never_crash_the_analysis(doc: dict[str, object], seed: int) -> None:
    try:
        workflow = loads(json.dumps(doc), "fuzz.yaml")
    except WorkflowError as e:
        # Random loops without a probability are refused, never crash.
        assert all(p.kind == "semantic" for p in e.problems), e.problems
        return
    report = analyze(workflow, seed=seed)
    m = report.metrics
    # 1.1: a PCE that cannot be computed (no lead time) is None ("n/a"), never 0.
    assert m.lead_time_h >= 0 and (m.pce is None or 0 <= m.pce <= 1 + 1e-9)
    assert m.critical_path[0] == workflow.start
    assert m.simulated is not None and m.simulated.p50_h <= m.simulated.p90_h + 1e-9
    assert all(f.level in ("error", "warning", "info", "waived") for f in report.findings)


def _simplify_or_located_error(data: bytes | str) -> None:
    from procmap.simplify.simplify import Options, simplify

    try:
        result = simplify(data, "fuzz.yaml", Options(accept=frozenset({"all"})))
    except WorkflowError as e:
        assert all(p.line >= 1 and p.column >= 1 and p.message for p in e.problems)
        return
    loads(result.data, "after.yaml")


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_never_crash_simplify(data: bytes) -> None:
    _simplify_or_located_error(data)


@settings(max_examples=150, deadline=None)
@given(YAMLISH)
def test_random_yaml_like_text_never_crashes_simplify(text: str) -> None:
    _simplify_or_located_error("procmap: 1\n" + text)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workflows(), st.sampled_from([{}, {"default_flow_style": True},
                                     {"default_flow_style": None, "indent": 4}]),
       st.sampled_from(["\n", "\r\n"]))
def test_random_workflows_in_any_style_never_crash_simplify(
        doc: dict[str, object], style: dict[str, object], newline: str) -> None:
    import yaml

    text = yaml.safe_dump(doc, sort_keys=False, **style)  # type: ignore[call-overload]
    _simplify_or_located_error(text.replace("\n", newline))
