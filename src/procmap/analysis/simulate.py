"""Monte-Carlo lead time: many cases run through the workflow at once.

Each array holds one value per simulated case. Steps are evaluated in
topological order (rework edges left out); a step starts when every live
incoming branch has finished. A decision draws one branch per case by `p`;
a case that takes a rework edge re-runs the loop body from the edge's
target, with fresh durations, until it leaves the loop.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from procmap.analysis.graph import Flow
from procmap.analysis.metrics import Simulated
from procmap.format.model import Duration

CASES = 1000
# Above 5,000 steps fewer cases are drawn (never under 500) so that a run
# stays within a few million step evaluations; the report says how many.
CASE_BUDGET = 5_000_000
MIN_CASES = 500
DEFAULT_SEED = 0
# A loop of p = 0.99 repeats 100 times on average; deeper nesting than this
# is cut (the case keeps the time it has) rather than recursing without end.
MAX_REPEATS = 200
# Overlapping loops re-sweep each other, which can grow exponentially; the
# number of step re-evaluations is capped at this many per step, after which
# looping cases keep the time they have and the result says it is truncated.
REPEAT_BUDGET_PER_STEP = 20
MIN_REPEAT_BUDGET = 5_000


class _Run:
    def __init__(self, flow: Flow, cases: int, seed: int) -> None:
        self.flow = flow
        self.cases = cases
        self.rng = np.random.default_rng(seed)
        # NaN marks a step a case never reached; np.fmax skips NaN, so the
        # start of a step is the fmax of its live incoming finishes. Every row
        # is written in topological order before it is read, hence np.empty.
        self.finish = np.empty((flow.n, cases))
        self.taken: dict[tuple[int, int], Any] = {}  # decision edge -> cases taking it
        self.targets: dict[int, list[int]] = {}
        self.cum: dict[int, Any] = {}
        self.fixed: list[float | None] = []
        for step in flow.steps:
            u = step.index
            fixed = step.wait.fixed and step.touch.fixed
            self.fixed.append(step.wait.likely + step.touch.likely if fixed else None)
            if step.is_decision:
                probs: dict[int, float] = {}
                for b in step.next:
                    probs.setdefault(flow.index[b.to], b.p or 0.0)
                self.targets[u] = list(probs)
                cum = np.cumsum(list(probs.values()))
                self.cum[u] = cum / cum[-1]
                for v in probs:
                    self.taken[(u, v)] = np.zeros(cases, dtype=bool)
        self.topo_pos = {v: i for i, v in enumerate(flow.topo)}
        self.rework_out: dict[int, list[int]] = {}
        for u, t in sorted(flow.rework):
            self.rework_out.setdefault(u, []).append(t)
        self.bodies: dict[tuple[int, int], list[int]] = {}
        self.runs = np.zeros(flow.n)  # step runs summed over all cases
        self.budget = max(MIN_REPEAT_BUDGET, REPEAT_BUDGET_PER_STEP * flow.n)
        self.truncated = False

    def draw(self, d: Duration) -> Any:
        if d.fixed:
            return d.likely
        return self.rng.triangular(d.low, d.likely, d.high, self.cases)

    def arrival(self, u: int, v: int) -> Any:
        """Finish times of u for the cases that go on from u to v, NaN elsewhere."""
        taken = self.taken.get((u, v))
        if taken is None:
            return self.finish[u]
        return np.where(taken, self.finish[u], np.nan)

    def evaluate(self, v: int, mask: Any, entry: Any = None) -> None:
        """Compute step v for the cases in `mask` (None: all cases)."""
        preds = self.flow.fpred[v]
        if preds:
            start = self.arrival(preds[0], v)
            for u in preds[1:]:
                start = np.fmax(start, self.arrival(u, v))
        else:
            start = np.full(self.cases, np.nan)
        if entry is not None:
            start = np.fmax(start, entry)
        step = self.flow.steps[v]
        fixed = self.fixed[v]
        hours = fixed if fixed is not None else self.draw(step.wait) + self.draw(step.touch)
        done = start + hours
        if mask is None:
            self.finish[v] = done
        else:
            self.finish[v] = np.where(mask, done, self.finish[v])
        live = ~np.isnan(done)
        if mask is not None:
            live &= mask
        self.runs[v] += np.count_nonzero(live)
        if v in self.targets:
            targets = self.targets[v]
            picked = np.searchsorted(self.cum[v], self.rng.random(self.cases), side="right")
            for k, t in enumerate(targets):
                now = live & (picked == k) if k < len(targets) - 1 else live & (picked >= k)
                if mask is None:
                    self.taken[(v, t)] = now
                else:
                    self.taken[(v, t)] = np.where(mask, now, self.taken[(v, t)])

    def body(self, u: int, t: int) -> list[int]:
        key = (u, t)
        if key not in self.bodies:
            lo, hi = self.topo_pos[t], self.topo_pos[u]
            desc = self.flow.desc[t]
            inner = [x for x in self.flow.topo[lo + 1: hi] if (desc >> x) & 1]
            self.bodies[key] = [t, *inner, u] if t != u else [t]
        return self.bodies[key]

    def step(self, v: int, mask: Any, entry: Any = None, depth: int = 0) -> None:
        self.evaluate(v, mask, entry)
        for t in self.rework_out.get(v, ()):
            # A plain `next` back (fix -> review) sends back every case that ran v.
            looping = self.taken.get((v, t))
            if looping is None:
                looping = ~np.isnan(self.finish[v])
            if mask is not None:
                looping = looping & mask
            if not looping.any():
                continue
            body = self.body(v, t)
            if depth >= MAX_REPEATS or self.budget < len(body):
                self.truncated = True
                continue
            self.budget -= len(body)
            again = np.where(looping, self.finish[v], np.nan)
            for i, w in enumerate(body):
                self.step(w, looping, again if i == 0 else None, depth + 1)

    def run(self, start: int) -> Any:
        for v in self.flow.topo:
            entry = np.zeros(self.cases) if v == start else None
            self.step(v, None, entry)
        rows = self.flow.ends or list(range(self.flow.n))
        with np.errstate(all="ignore"):
            total = np.fmax.reduce(self.finish[rows], axis=0)
            # A case stuck in a loop that never ends counts up to where it got.
            stuck = np.isnan(total)
            if stuck.any():
                total[stuck] = np.nanmax(np.nan_to_num(self.finish, nan=0.0), axis=0)[stuck]
        return total


def default_cases(steps: int) -> int:
    return max(MIN_CASES, min(CASES, CASE_BUDGET // max(steps, 1)))


def simulate(flow: Flow, seed: int = DEFAULT_SEED, cases: int | None = None,
             start: int | None = None) -> Simulated:
    """Simulated lead time over `cases` cases; the same seed gives the same result.

    `start` (a step index, default the workflow's start) runs the cases from
    that step on, as for a case now at it: steps before it never run, so a
    join after it waits only for the branches it starts."""
    cases = cases or default_cases(flow.n)
    run = _Run(flow, cases, seed)
    total = run.run(flow.start if start is None else start)
    return Simulated(
        mean_h=float(np.mean(total)),
        p50_h=float(np.percentile(total, 50)),
        p90_h=float(np.percentile(total, 90)),
        cases=cases,
        seed=seed,
        truncated=run.truncated,
        visits=tuple(float(x) for x in run.runs / cases),
    )
