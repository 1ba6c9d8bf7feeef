"""Hypothesis strategies shared by the property tests."""

from __future__ import annotations

from hypothesis import strategies as st


@st.composite
def workflows(draw: st.DrawFn) -> dict[str, object]:
    n = draw(st.integers(1, 12))
    ids = [f"s{i}" for i in range(n)]
    teams = ["a", "b", "c"]
    artifacts = ["x", "y", "z"]
    steps: dict[str, dict[str, object]] = {}
    for sid in ids:
        step: dict[str, object] = {
            "title": draw(st.sampled_from(["Check", "Do", "Review", "Approve"])),
            "team": draw(st.sampled_from(teams)),
            "kind": draw(st.sampled_from(["task", "approval", "check", "decision", "end"])),
            "touch": draw(st.sampled_from(["0m", "30m", "2h", "1d"])),
            "wait": draw(st.sampled_from(["0m", "1h", "3d"])),
            "inputs": draw(st.lists(st.sampled_from(artifacts), max_size=2)),
            "outputs": draw(st.lists(st.sampled_from(artifacts), max_size=2)),
            "value": draw(st.sampled_from(["va", "bva", "nva"])),
            "automated": draw(st.sampled_from([True, False, "planned"])),
        }
        targets = draw(st.lists(st.sampled_from(ids), max_size=3, unique=True))
        if targets and draw(st.booleans()):
            weights = [draw(st.integers(1, 5)) for _ in targets]
            total = sum(weights)
            branches = [{"to": t, "p": w / total} for t, w in zip(targets, weights, strict=False)]
            branches[-1]["p"] = 1 - sum(b["p"] for b in branches[:-1])  # type: ignore[operator]
            step["next"] = branches
        elif targets:
            step["next"] = targets
        if draw(st.booleans()):
            step["waive"] = {draw(st.sampled_from(["ping-pong", "rework", "nva-step"])): "ok"}
        steps[sid] = step
    return {"procmap": 1, "id": "fuzz", "title": "Fuzz", "teams": {t: t for t in teams},
            "outputs": draw(st.lists(st.sampled_from(artifacts), max_size=2)), "steps": steps}
