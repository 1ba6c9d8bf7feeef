"""redundant-edge: a direct link that another path already implies.

**Fires when** an edge u → w without `p` while another path u → … → w exists without rework
edges.

**Why it matters:** w waits for the longer path anyway; the shortcut only clutters the map.

**What to do:** Remove w from u's `next`.

Fires:

```yaml
steps:
  a: {title: One, team: ops, next: [b, c]}
  b: {title: Two, team: ops, next: c}
  c: {title: Three, team: ops}
```

Does not fire:

```yaml
steps:
  a: {title: One, team: ops, next: b}
  b: {title: Two, team: ops, next: c}
  c: {title: Three, team: ops}
```
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace

from procmap.analysis.graph import Flow
from procmap.analysis.rules.base import Finding, Rule
from procmap.analysis.rules.fixes import Proposal, drop_edges, proposal


def check(flow: Flow) -> Iterator[Finding]:
    for u in range(flow.n):
        for w in flow.fsucc[u]:
            if flow.p.get((u, w)) is not None:
                continue
            if any(v != w and (flow.desc[v] >> w) & 1 for v in flow.fsucc[u]):
                su, sw = flow.steps[u], flow.steps[w]
                yield RULE.at(flow, u, [u, w], (
                    f"the link '{su.id}' -> '{sw.id}' is redundant: '{sw.id}' already "
                    f"comes after '{su.id}' through another path, so it must wait for "
                    f"that path anyway. Remove '{sw.id}' from the `next` of '{su.id}'."))


RULE = Rule("redundant-edge", "info", 3,
            "an edge u -> w without p while another path u -> ... -> w exists", check)


def certain(flow: Flow) -> list[int]:
    """For each step, as a bitset, the steps every case that runs it runs
    after it: all successors of a plain or parallel step, only what every
    branch of a decision leads to (rework links left out)."""
    out = [0] * flow.n
    for u in reversed(flow.topo):
        after = [out[v] | 1 << v for v in flow.fsucc[u]]
        if not after:
            continue
        if flow.steps[u].is_decision:
            both = after[0]
            for bits in after[1:]:
                both &= bits
            out[u] = both
        else:
            for bits in after:
                out[u] |= bits
    return out


def propose(flow: Flow, findings: Sequence[Finding]) -> Iterator[Proposal]:
    # One proposal per step drops all its redundant links at once: removing
    # every implied link of a graph together keeps what reaches what. A link
    # also starts its target: it is dropped only where the other path runs
    # it in every case, not on one branch of a decision (else the target
    # would run in fewer cases).
    found: dict[str, list[str]] = {}
    for f in findings:
        u, w = f.steps
        found.setdefault(u, []).append(w)
    sure = certain(flow)
    links: dict[str, list[str]] = {}
    for u, candidates in found.items():
        i = flow.index[u]
        kept = {flow.index[b.to] for b in flow.workflow.steps[u].next} - {
            flow.index[w] for w in candidates}
        targets = list(candidates)
        while True:
            reached = 0
            for v in kept:
                reached |= sure[v] if (i, v) not in flow.rework else 0
            gone = [w for w in targets if (reached >> flow.index[w]) & 1]
            if len(gone) == len(targets):
                break
            kept |= {flow.index[w] for w in targets if w not in gone}
            targets = gone
        if targets:
            links[u] = targets
    for u, targets in links.items():
        names = ", ".join(f"'{u}' -> '{w}'" for w in targets)
        yield proposal(RULE.id, flow, flow.workflow.steps[u], [u, *targets], "safe",
                       "drop-edge", f"remove the link{'s' * (len(targets) > 1)} {names}: "
                       f"{'each target' if len(targets) > 1 else repr(targets[0])} already "
                       f"waits for '{u}' through another path", drop_edges(u, targets))


RULE = replace(RULE, propose=propose)
