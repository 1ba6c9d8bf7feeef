"""The example workflows are realistic: valid, 10 to 25 steps, and with waste to find."""

from pathlib import Path

import pytest

from procmap.analysis.analyze import analyze_paths

EXAMPLES = Path(__file__).parent.parent / "workflows"


def test_examples_load_and_show_waste() -> None:
    run = analyze_paths([EXAMPLES], simulate=False)
    assert run.errors == ()
    assert len(run.workflows) >= 4
    for w in run.workflows:
        assert 10 <= w.metrics.steps <= 25, w.workflow.id
        assert any(f.level == "warning" for f in w.findings), w.workflow.id
        assert w.metrics.handoffs > 0 and 0 < w.metrics.pce < 1


@pytest.mark.parametrize("rule", ["duplicate-step", "repeated-check", "ping-pong", "rework",
                                  "unused-output", "requirement-owner", "serial-independent",
                                  "nva-step"])
def test_examples_show_each_kind_of_waste(rule: str) -> None:
    run = analyze_paths([EXAMPLES], simulate=False)
    assert any(f.rule == rule for w in run.workflows for f in w.findings)
