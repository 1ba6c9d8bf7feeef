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
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from procmap.format.model import Duration, Workflow

COLUMNS = ("case_id", "activity", "resource", "timestamp", "lifecycle", "variant")
EPOCH = "2026-01-05 08:00:00"
MAX_RUNS = 10_000  # step runs in one case: a loop with p near 1 is cut here

Row = tuple[str, str, str, float, str, str]  # the time in hours after EPOCH


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
            yield (case, step.id, step.team, start, "start", variant)
            yield (case, step.id, step.team, t, "complete", variant)
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


def write_log(path: Path, rows: Iterable[Row]) -> int:
    """Write the rows as a CSV or Parquet log (by the suffix); return how many events.

    Python writes the hours as numbers and DuckDB turns them into timestamps:
    formatting millions of datetimes in Python would dwarf everything else.
    """
    from procmap.mining.log import connect

    n = 0
    with tempfile.TemporaryDirectory(prefix="procmap-gen-") as tmp:
        raw = Path(tmp) / "raw.csv"
        with open(raw, "w", newline="", encoding="utf-8") as f:
            out = csv.writer(f)
            out.writerow(COLUMNS)
            for row in rows:
                out.writerow(row)
                n += 1
        fmt = "PARQUET" if path.suffix.lower() == ".parquet" else "CSV, HEADER"
        target = str(path).replace("'", "''")
        connect().execute(f"""
            COPY (SELECT case_id, activity, resource,
                         TIMESTAMP '{EPOCH}' + to_microseconds(
                             CAST(round(timestamp * 3600e6) AS BIGINT)) AS timestamp,
                         lifecycle, variant
                  FROM read_csv('{raw}', header = true, all_varchar = false,
                                types = {{'timestamp': 'DOUBLE', 'variant': 'VARCHAR'}}))
            TO '{target}' (FORMAT {fmt})""")
    return n
