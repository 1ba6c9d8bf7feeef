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

from collections.abc import Iterator

from procmap.analysis.graph import Flow
from procmap.analysis.rules.base import Finding, Rule


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
