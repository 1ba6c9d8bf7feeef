"""Event logs generated from a workflow, so that tests and benchmarks know the truth.

Each case walks the workflow from its start: a step waits (drawn from its
`wait`), runs (drawn from its `touch`; a range is triangular, as in the
simulated lead time), then a decision takes one branch by its `p` and a
plain `next` goes on. One `start` and one `complete` event per step run,
with the step id as the activity and the team id as the resource.
Parallel work (several successors without `p`) is refused: its events
interleave in ways a walk of one path cannot say.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

from procmap.format.model import Duration, Workflow

COLUMNS = ("case_id", "activity", "resource", "timestamp", "lifecycle", "variant")
EPOCH = datetime(2026, 1, 5, 8, 0, 0)
MAX_RUNS = 10_000  # step runs in one case: a loop with p near 1 is cut here

Row = tuple[str, str, str, str, str, str]


def _draw(rng: random.Random, d: Duration) -> float:
    return d.likely if d.fixed else rng.triangular(d.low, d.high, d.likely)


def cases(workflow: Workflow, count: int, seed: int = 0, variant: str = "",
          arrival_h: float = 1.0, prefix: str = "c") -> Iterator[Row]:
    """The events of `count` cases, one case after another, in time order within a case."""
    for step in workflow.step_list:
        if len(step.next) > 1 and not step.is_decision:
            raise ValueError(f"step {step.id!r} starts parallel work, which the generator "
                             "cannot walk")
    rng = random.Random(seed)
    for k in range(count):
        case = f"{prefix}{k + 1}"
        t = k * arrival_h
        step = workflow.steps[workflow.start]
        for _ in range(MAX_RUNS):
            start = t + _draw(rng, step.wait)
            t = start + _draw(rng, step.touch)
            yield (case, step.id, step.team, _stamp(start), "start", variant)
            yield (case, step.id, step.team, _stamp(t), "complete", variant)
            if not step.next:
                break
            if step.is_decision:
                pick = rng.random()
                branch = step.next[-1]
                for b in step.next:
                    pick -= b.p or 0.0
                    if pick < 0:
                        branch = b
                        break
            else:
                branch = step.next[0]
            step = workflow.steps[branch.to]


def _stamp(hours: float) -> str:
    return (EPOCH + timedelta(hours=hours)).isoformat(sep=" ", timespec="microseconds")


def write_csv(path: Path, rows: Iterator[Row]) -> int:
    """Write the rows with a header; return how many events."""
    n = 0
    with open(path, "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(COLUMNS)
        for row in rows:
            out.writerow(row)
            n += 1
    return n
