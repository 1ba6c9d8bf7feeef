"""Weigh a change on the in-memory model: no YAML, no simulation, no graph rebuilt.

Everything is measured against one analysis of the workflow as written. The
edits simplify makes never add a step or a path, so the original topological
order stays an order of the changed graph, and runs per case (`visits`) stay
what they were: lead time, handoffs and handoffs per case of a change come
from the few steps it touches. A deleted step has its own formula (the
longest path that avoids it, from one sweep over the original); any other
change of the links is measured with one pass over the steps.
"""

from __future__ import annotations

import copy
import heapq
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from procmap.analysis.graph import Flow, bits_to_list
from procmap.analysis.metrics import TIE_HOURS, critical_path
from procmap.analysis.rules.fixes import Draft
from procmap.analysis.visits import has_parallel_work
from procmap.analysis.visits import share as edge_share
from procmap.format.model import Step, Workflow

NONE = -math.inf
EPSILON = 1e-9
GATES = ("approval", "check", "decision")


@dataclass(frozen=True, slots=True)
class Figures:
    lead_h: float  # critical path
    handoffs: float  # handoffs per case
    links: int  # links between two teams
    # The critical path runs from the start to an end. When no path does
    # without rework links (a loop written before the step that enters it),
    # analyze falls back to the longest path from the start, and that figure
    # is no lead time: a change that gives the workflow one does not make it
    # longer.
    to_end: bool = True


@dataclass(frozen=True, slots=True)
class Diff:
    deleted: frozenset[str]
    touched: tuple[str, ...]  # steps still there whose team or links changed


class Weigher:
    """The original workflow's figures, and those of a change to it."""

    def __init__(self, flow: Flow, visits: Mapping[str, float]) -> None:
        w = flow.workflow
        self.workflow = w
        self.ids = [flow.steps[i].id for i in flow.topo]  # by place in the order
        self.pos = {sid: k for k, sid in enumerate(self.ids)}
        self.at = [self.pos[s.id] for s in flow.steps]  # the same, by the graph's index
        self.index, self.desc, self.reach = flow.index, flow.desc, flow.reach
        self.anc = flow.anc
        self.rework = {(flow.steps[u].id, flow.steps[v].id) for u, v in flow.rework}
        self.pred: defaultdict[str, set[str]] = defaultdict(set)
        self.makers: defaultdict[str, set[str]] = defaultdict(set)
        self.readers: defaultdict[str, set[str]] = defaultdict(set)
        for s in w.step_list:
            for b in s.next:
                self.pred[b.to].add(s.id)
            for a in s.outputs:
                self.makers[a].add(s.id)
            for a in s.inputs:
                self.readers[a].add(s.id)
        self.kept = {a.id for a in (*w.outputs, *w.records)}
        self._outs: dict[str, list[tuple[str, float]]] = {}
        lead, path = critical_path(flow)
        self._sweep(flow, lead)
        self._chains = self._hands_on(flow)
        self._runs(visits, Figures(lead, 0.0, 0, not flow.succ[path[-1]]))

    def _runs(self, visits: Mapping[str, float], figures: Figures) -> None:
        self.visits = {sid: x if math.isfinite(x) else 0.0 for sid, x in visits.items()}
        self.sends = self._sends()
        w = self.workflow
        handoffs, links = self._cross(w, w.steps)
        self.figures = replace(figures, handoffs=handoffs, links=links)

    def with_visits(self, visits: Mapping[str, float]) -> Weigher:
        """The same workflow weighed with other runs per case. Only handoffs
        depend on them: the rest (links, the lead time sweep) is shared."""
        other = copy.copy(self)
        other._runs(visits, self.figures)
        return other

    # Handoffs

    def _hands_on(self, flow: Flow) -> list[tuple[str, list[tuple[str, float, bool]]]] | None:
        """For `_sends`, each step that runs as often as work reaches it, in
        order, with the steps before it: (id, share of its cases, whether it
        comes first in the order). None without parallel work."""
        if not has_parallel_work(flow):
            return None
        out = []
        done: set[int] = set()
        for v in flow.topo:
            preds, sid = flow.pred[v], flow.steps[v].id
            forward = flow.fpred[v]
            done.add(v)
            if not preds or any(flow.both_run(a, b) for i, a in enumerate(forward)
                                for b in forward[i + 1:]):
                continue  # the start, or a join: it runs once for all its branches
            out.append((sid, [(flow.steps[u].id, edge_share(flow, u, v), u in done)
                              for u in preds]))
        return out

    def _sends(self) -> dict[str, float]:
        """How often each step hands work on per case: its runs per case.

        With parallel work the runs come from simulated cases, and two steps
        that run equally often in every case get two slightly different
        numbers. A change that skips a step hands its work on from the
        steps before it: judged on those two numbers, whether it adds
        handoffs would be the simulation's noise, and could change with any
        other change anywhere (so a second run would decide otherwise). A
        step that no two branches of one case reach together runs exactly as
        often as work reaches it, so that is what it is weighed with."""
        if self._chains is None:
            return self.visits  # solved exactly
        sends = dict(self.visits)
        # In order, so that a chain hands on exactly what reaches its head; a
        # link back into a loop brings the runs of its source.
        for sid, preds in self._chains:
            sends[sid] = math.fsum((sends if first else self.visits).get(uid, 0.0) * share
                                   for uid, share, first in preds)
        return sends

    def _out(self, w: Workflow, s: Step) -> list[tuple[str, float]]:
        """(target, share of the cases leaving s) per distinct target."""
        if self.workflow.steps.get(s.id) is s:
            # A step no edit changed: every step it leads to is still there
            # (deleting a step changes each step before it).
            out = self._outs.get(s.id)
            if out is None:
                out = self._outs[s.id] = self._targets(self.workflow, s)
            return out
        return self._targets(w, s)

    @staticmethod
    def _targets(w: Workflow, s: Step) -> list[tuple[str, float]]:
        seen: dict[str, float] = {}
        for b in s.next:
            if b.to in w.steps:
                seen.setdefault(b.to, 1.0 if b.p is None else b.p)
        return list(seen.items())

    def _cross(self, w: Workflow, sids: Iterable[str]) -> tuple[float, int]:
        """Handoffs per case, and links between two teams, out of `sids`."""
        handed = [self.sends.get(sid, 0.0) * share
                  for sid in sids for to, share in self._out(w, w.steps[sid])
                  if w.steps[to].team != w.steps[sid].team]
        return math.fsum(handed), len(handed)

    # Lead time

    def _sweep(self, flow: Flow, lead: float) -> None:
        """Longest paths into (`top`) and out of (`bottom`) each step, and for
        each place in the order the longest path that jumps over it."""
        order = [flow.steps[i] for i in flow.topo]
        n = len(order)
        weight = [s.hours for s in order]
        forward = [[self.pos[v] for v, _ in self._out(self.workflow, s)
                    if (s.id, v) not in self.rework] for s in order]
        top = [NONE] * n
        top[self.pos[self.workflow.start]] = weight[self.pos[self.workflow.start]]
        for k in range(n):
            if top[k] > NONE:
                for m in forward[k]:
                    top[m] = max(top[m], top[k] + weight[m])
        bottom = [NONE] * n
        for k in reversed(range(n)):
            if not order[k].next:
                bottom[k] = weight[k]
            else:
                best = max((bottom[m] for m in forward[k]), default=NONE)
                bottom[k] = weight[k] + best if best > NONE else NONE
        # The formula holds where the start reaches an end (else analyze's
        # fallback path counts): there, one pass over the steps decides.
        start = self.pos[self.workflow.start]
        self.exact = bottom[start] > NONE and abs(bottom[start] - lead) <= TIE_HOURS
        self.top, self.bottom, self.weight = top, bottom, weight
        ends_before = [NONE] * (n + 1)
        for k in range(n):
            ends_before[k + 1] = max(ends_before[k], top[k] if not order[k].next else NONE)
        jump = [NONE] * n
        spans = sorted((k, m, top[k] + bottom[m]) for k in range(n) for m in forward[k]
                       if m > k + 1 and top[k] > NONE and bottom[m] > NONE)
        live: list[tuple[float, int]] = []
        i = 0
        for p in range(n):
            while i < len(spans) and spans[i][0] < p:
                heapq.heappush(live, (-spans[i][2], spans[i][1]))
                i += 1
            while live and live[0][1] <= p:
                heapq.heappop(live)
            jump[p] = -live[0][0] if live else NONE
        self.avoid = [max(ends_before[p], jump[p]) for p in range(n)]

    def _lead_without(self, sid: str) -> float:
        """The lead time once `sid` is gone and its predecessors go to its successor."""
        k = self.pos[sid]
        if self.top[k] == NONE:
            return self.figures.lead_h  # the start never reaches it: no path loses it
        through = self.top[k] + self.bottom[k] - 2 * self.weight[k]
        return max(self.avoid[k], through if self.top[k] > NONE and self.bottom[k] > NONE
                   else NONE)

    def _lead(self, w: Workflow, d: Diff) -> tuple[float, bool]:
        """Longest path from the start to an end, rework links left out, as
        analyze; and whether it reaches an end (else it is analyze's fallback).

        A change alters the longest paths out of the steps it relinks or
        deletes and out of the steps before them, no others: those are
        measured again, in reverse order; the rest keep theirs from the sweep."""
        region = 0
        for sid in (*d.touched, *d.deleted):
            i = self.index[sid]
            region |= self.anc[i] | (1 << i)
        at, ids, bottom, weight = self.at, self.ids, self.bottom, self.weight
        best: dict[int, float] = {}
        for k in sorted((at[i] for i in bits_to_list(region)), reverse=True):
            sid = ids[k]
            s = w.steps.get(sid)
            if s is None:
                continue
            if not s.next:
                best[k] = weight[k]
                continue
            longest = NONE
            for v, _ in self._out(w, s):
                m = self.pos[v]
                if m > k and (sid, v) not in self.rework:
                    longest = max(longest, best[m] if m in best else bottom[m])
            best[k] = weight[k] + longest if longest > NONE else NONE
        start = self.pos[w.start]
        lead = best[start] if start in best else bottom[start]
        return (lead, True) if lead > NONE else self._lead_fallback(w)

    def _lead_fallback(self, w: Workflow) -> tuple[float, bool]:
        """analyze's fallback when no path reaches an end without rework
        links: the longest path from the start."""
        order = sorted(w.steps, key=self.pos.__getitem__)
        best: dict[str, float] = {}
        for sid in reversed(order):
            s = w.steps[sid]
            options = [best[v] for v, _ in self._out(w, s) if v in best
                       and (sid, v) not in self.rework and self.pos[v] > self.pos[sid]]
            best[sid] = s.hours + max(options, default=0.0)
        return best.get(w.start, 0.0), False

    # A change

    def diff(self, draft: Draft) -> Diff:
        """What the edits of `draft` (made to this workflow) changed, in file order."""
        if draft.base is not self.workflow:
            raise ValueError("a draft of another workflow")
        steps, new = self.workflow.steps, draft.workflow.steps
        touched = sorted((sid for sid in draft.changed - draft.deleted
                          if steps[sid].next != new[sid].next or steps[sid].team != new[sid].team),
                         key=lambda sid: steps[sid].index)
        return Diff(draft.deleted, tuple(touched))

    def measure(self, after: Workflow, d: Diff) -> Figures:
        before = self.workflow
        moved = [sid for sid in d.touched if before.steps[sid].team != after.steps[sid].team]
        around = {*d.touched, *(p for sid in moved for p in self.pred[sid])}
        old = around | d.deleted | {p for sid in d.deleted for p in self.pred[sid]}
        new = {sid for sid in old if sid in after.steps}
        base = self.figures
        handoffs_old, links_old = self._cross(before, old)
        handoffs_new, links_new = self._cross(after, new)
        handoffs = base.handoffs - handoffs_old + handoffs_new
        links = base.links - links_old + links_new
        relinked = any(before.steps[sid].next != after.steps[sid].next for sid in d.touched)
        to_end = True
        if not d.deleted and (not relinked or self._drops_redundant(after, d)):
            lead, to_end = base.lead_h, base.to_end  # only teams changed, or implied links
        elif self.exact and len(d.deleted) == 1 and self._reconnects(after, d):
            lead = self._lead_without(next(iter(d.deleted)))
        elif self.exact and not d.deleted and (pair := self._side_by_side(after, d)):
            lead = self._lead_side_by_side(*pair)
        else:
            lead, to_end = self._lead(after, d)
        return Figures(lead, handoffs, links, to_end)

    def _drops_redundant(self, after: Workflow, d: Diff) -> bool:
        """Each changed step only lost links to steps it still reaches another way."""
        for sid in d.touched:
            old, new = self.workflow.steps[sid].next, after.steps[sid].next
            kept = {b.to for b in new}
            if not set(new) <= set(old):
                return False
            reach = 0
            for v in kept:
                if (sid, v) not in self.rework:
                    reach |= self.desc[self.index[v]] | (1 << self.index[v])
            if any(not (reach >> self.index[b.to]) & 1 for b in old if b.to not in kept):
                return False
        return True

    def _side_by_side(self, after: Workflow, d: Diff) -> tuple[str, str] | None:
        """(a, b) when the change is P -> a -> b -> C turned into P -> [a, b], a -> C."""
        before = self.workflow.steps
        for a in d.touched:
            old = before[a].next
            if len(old) == 1 and old[0].to in before and after.steps[a].next == \
                    before[old[0].to].next:
                b = old[0].to
                preds = set(d.touched) - {a}
                if (preds == self.pred[a] and self.pred[b] == {a}
                        and not any((p, a) in self.rework for p in preds)
                        and (a, b) not in self.rework
                        and all(after.steps[p].next[:-1] == before[p].next
                                and after.steps[p].next[-1].to == b for p in preds)):
                    return a, b
        return None

    def _lead_side_by_side(self, a: str, b: str) -> float:
        i, j = self.pos[a], self.pos[b]
        if self.top[i] == NONE or self.bottom[j] == NONE:
            return self.figures.lead_h
        w = self.weight
        through = self.top[i] - w[i] + max(w[i], w[j]) + self.bottom[j] - w[j]
        return max(self.avoid[i], through)

    def _reconnects(self, after: Workflow, d: Diff) -> bool:
        """The change removes one step and sends its predecessors to its successor.

        A link back into a loop that now goes to the successor instead still
        goes back (the successor stands before its source in the order):
        `_lead` leaves it out as it left out the link to the step."""
        (sid,) = d.deleted
        s = self.workflow.steps[sid]
        if len(s.next) != 1 or (sid, s.next[0].to) in self.rework:
            return False
        k = self.pos[s.next[0].to]
        return all(p in self.pred[sid] and ((p, sid) not in self.rework or k < self.pos[p])
                   for p in d.touched)

    # What simplify never does (simplify.md), checked where the change is

    def never(self, after: Workflow, d: Diff) -> str | None:
        before = self.workflow
        for sid in (*d.deleted, *d.touched):
            s, t = before.steps[sid], after.steps.get(sid)
            targets = {b.to for b in s.next}
            if len(targets) > 1 and (s.kind == "decision" or s.is_decision):
                if t is None:
                    return f"it would delete the decision '{sid}'"
                if len(t.next) < len(s.next) or len({b.to for b in t.next}) < len(targets):
                    return f"it would drop a branch of the decision '{sid}'"
            if t is not None and t.team != s.team:
                if s.kind in GATES or s.is_decision:
                    return (f"it would move the {s.kind} '{sid}' to another team: who "
                            "checks is the control")
                if before.teams[s.team].external or before.teams[t.team].external:
                    return f"it would move '{sid}' into or out of an external team"
        lost = {a for sid in d.deleted for a in before.steps[sid].outputs
                if self.makers[a] <= d.deleted}
        for a in sorted(lost & self.kept):
            return f"no step would make '{a}', an output or record of the process, any more"
        given = {a.id for a in before.inputs}
        for a in sorted({a for sid in d.deleted for a in before.steps[sid].outputs} - given):
            for r in sorted(self.readers[a] - d.deleted):
                if a in lost or (self._made_before(a, r, frozenset())
                                 and not self._made_before(a, r, d.deleted)):
                    return (f"'{r}' would read '{a}', which no step before it makes any "
                            "more" if a not in lost else
                            f"'{r}' would read '{a}', which nothing makes any more")
        return None

    def _made_before(self, artifact: str, reader: str, deleted: frozenset[str]) -> bool:
        """A step not deleted makes `artifact` and reaches `reader` (the
        missing-input rule; reconnecting around a deleted step keeps reach)."""
        r = self.index[reader]
        return any((self.reach[self.index[m]] >> r) & 1
                   for m in self.makers[artifact] - deleted if m != reader)

    def worse(self, new: Figures, old: Figures | None = None) -> str | None:
        old = old or self.figures
        if new.lead_h > old.lead_h + EPSILON and (old.to_end or not new.to_end):
            return "it would make the lead time longer"
        if new.handoffs > old.handoffs + EPSILON or new.links > old.links:
            return "it would add handoffs"
        return None
