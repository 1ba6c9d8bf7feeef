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

from procmap.graph import Flow
from procmap.metrics import Simulated
from procmap.model import Duration

CASES = 1000
DEFAULT_SEED = 0
# A loop of p = 0.99 repeats 100 times on average; deeper nesting than this
# is cut (the case keeps the time it has) rather than recursing without end.
MAX_REPEATS = 200


class _Run:
    def __init__(self, flow: Flow, cases: int, seed: int) -> None:
        self.flow = flow
        self.cases = cases
        self.rng = np.random.default_rng(seed)
        self.finish = np.full((flow.n, cases), np.nan)
        self.choice: dict[int, Any] = {}
        self.targets: dict[int, list[int]] = {}
        self.cum: dict[int, Any] = {}
        for step in flow.steps:
            u = step.index
            if step.is_decision:
                probs: dict[int, float] = {}
                for b in step.next:
                    probs.setdefault(flow.index[b.to], b.p or 0.0)
                self.targets[u] = list(probs)
                cum = np.cumsum(list(probs.values()))
                self.cum[u] = cum / cum[-1]
                self.choice[u] = np.full(cases, -1, dtype=np.int32)
        self.topo_pos = {v: i for i, v in enumerate(flow.topo)}
        self.rework_out: dict[int, list[int]] = {}
        for u, t in sorted(flow.rework):
            self.rework_out.setdefault(u, []).append(t)
        self.bodies: dict[tuple[int, int], list[int]] = {}

    def draw(self, d: Duration, size: int) -> Any:
        if d.fixed:
            return d.likely
        return self.rng.triangular(d.low, d.likely, d.high, size)

    def edge_live(self, u: int, v: int) -> Any:
        live = ~np.isnan(self.finish[u])
        if u in self.choice:
            live &= self.choice[u] == self.targets[u].index(v)
        return live

    def evaluate(self, v: int, mask: Any, entry: Any = None) -> None:
        """Compute step v for the cases in `mask` (None: all cases)."""
        cases = self.cases
        start = np.full(cases, -np.inf)
        live = np.zeros(cases, dtype=bool)
        for u in self.flow.fpred[v]:
            lu = self.edge_live(u, v)
            live |= lu
            start = np.where(lu, np.fmax(start, self.finish[u]), start)
        if entry is not None:
            entry_mask, entry_time = entry
            live |= entry_mask
            start = np.where(entry_mask, np.fmax(start, entry_time), start)
        step = self.flow.steps[v]
        size = cases if mask is None else int(mask.sum())
        if size == 0:
            return
        done = start + self.draw(step.wait, cases) + self.draw(step.touch, cases)
        done = np.where(live, done, np.nan)
        if mask is None:
            self.finish[v] = done
        else:
            self.finish[v, mask] = done[mask]
        if v in self.choice:
            picked = np.searchsorted(self.cum[v], self.rng.random(cases), side="right")
            picked = np.minimum(picked, len(self.targets[v]) - 1).astype(np.int32)
            picked = np.where(live, picked, -1)
            if mask is None:
                self.choice[v] = picked
            else:
                self.choice[v][mask] = picked[mask]

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
            looping = self.edge_live(v, t)
            if mask is not None:
                looping &= mask
            if not looping.any() or depth >= MAX_REPEATS:
                continue
            again = (looping, np.where(looping, self.finish[v], -np.inf))
            body = self.body(v, t)
            for i, w in enumerate(body):
                self.step(w, looping, again if i == 0 else None, depth + 1)

    def run(self) -> Any:
        start = np.zeros(self.cases, dtype=bool) | True
        for v in self.flow.topo:
            entry = (start, np.zeros(self.cases)) if v == self.flow.start else None
            self.step(v, None, entry)
        rows = self.flow.ends or list(range(self.flow.n))
        with np.errstate(all="ignore"):
            total = np.fmax.reduce(self.finish[rows], axis=0)
            total = np.where(np.isnan(total), np.nanmax(np.nan_to_num(self.finish, nan=0.0),
                                                        axis=0), total)
        return total


def simulate(flow: Flow, seed: int = DEFAULT_SEED, cases: int = CASES) -> Simulated:
    """Simulated lead time over `cases` cases; the same seed gives the same result."""
    total = _Run(flow, cases, seed).run()
    return Simulated(
        mean_h=float(np.mean(total)),
        p50_h=float(np.percentile(total, 50)),
        p90_h=float(np.percentile(total, 90)),
        cases=cases,
        seed=seed,
    )
