"""Discovery: the as-is workflow of a log, written in procmap's format.

Steps are the activities, each owned by the team that does most of its
instances. An edge a -> b is kept when at least `min_share` of the
instances of a that are followed by something are followed directly by b;
`p` is the branch's share among the kept edges. An activity that ends at
least `min_share` of its instances is an end; where it also goes on, a
synthetic `case-ends` step takes the ending branch, since `next` cannot
say "or stop". Cases that end elsewhere are cases without an end.

Waits and touch times are measured: a range {min, likely, max} with min
and max the 1st and 99th percentiles and likely chosen so that the range's
PERT mean is the measured mean (clamped into the range), or a plain
duration where the spread is under a minute. The first step has no
measured wait: nothing in the log says when its case arrived.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import yaml

from procmap.mining.log import EXAMPLES, Issue, Log
from procmap.printable import one_line

DEFAULT_MIN_SHARE = 0.01
END_STEP = "case-ends"
FIXED_SPREAD_H = 1 / 60
K = TypeVar("K")


class DiscoveryError(Exception):
    """The discovered graph is not a valid workflow (a loop no case leaves)."""


@dataclass(frozen=True, slots=True)
class Discovered:
    yaml: str
    steps: int
    edges: int
    cases: int
    events: int
    notes: tuple[str, ...]
    issues: tuple[Issue, ...]


def slug(text: str, taken: set[str]) -> str:
    """An id of `[a-z0-9][a-z0-9-]*` for `text`, unique among `taken` (which it joins)."""
    base = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "step"
    out, k = base, 2
    while out in taken:
        out, k = f"{base}-{k}", k + 1
    taken.add(out)
    return out


def duration(hours: float, unit_of: float | None = None) -> str:
    """Hours as a procmap duration, in the unit that suits `unit_of` (default: hours)."""
    scale = hours if unit_of is None else unit_of
    if scale < 1:
        value, unit = hours * 60, "m"
    elif scale < 24:
        value, unit = hours, "h"
    else:
        value, unit = hours / 24, "d"
    text = f"{max(value, 0.0):.2f}".rstrip("0").rstrip(".")
    return f"{text}{unit}"


def measured(mean: float | None, low: float | None, high: float | None) -> object:
    """A plain duration or a {min, likely, max} range whose PERT mean is `mean`.

    Every figure of analyze takes a range's PERT mean, so the mean must hold.
    A long tail (39 waits of 1h and one of 1000h: mean 26h, 99th percentile
    610h) leaves no `likely` within the range that gives it: then `likely`
    sits at the near end and the far end comes in until the mean holds
    ({1h, 1h, 151h}, not {1h, 1h, 610h}, whose PERT mean is 102h).
    """
    if mean is None or low is None or high is None:
        return None
    if high - low < FIXED_SPREAD_H:
        return duration(mean) if mean > 0 else None
    likely = (6 * mean - low - high) / 4
    if likely < low:  # a long upper tail
        likely, high = low, max(6 * mean - 5 * low, low)
    elif likely > high and mean <= high:  # a long lower tail
        likely, low = high, 6 * mean - 5 * high
    elif likely > high:  # a few values so large that the mean lies past the 99th percentile
        likely, high = high, 6 * mean - low - 4 * high
    return {"min": duration(low, high), "likely": duration(likely, high),
            "max": duration(high, high)}


def shares(counts: Mapping[K, int], kept: Sequence[K]) -> dict[K, float]:
    """Branch shares in thousandths that sum to exactly 1, each above 0.

    Largest remainders: each share is its count's share rounded down, and
    the thousandths left go to the largest fractions; a branch some case
    took never rounds to 0 (the format wants 0 < p), its thousandth comes
    from the largest share.
    """
    total = sum(counts[k] for k in kept)
    exact = {k: 1000 * counts[k] / total for k in kept}
    out = {k: math.floor(v) for k, v in exact.items()}
    left = 1000 - sum(out.values())
    for k in sorted(kept, key=lambda k: out[k] - exact[k])[:left]:
        out[k] += 1
    for k in kept:
        if out[k] == 0 and counts[k] > 0:
            out[max(kept, key=lambda k: out[k])] -= 1
            out[k] = 1
    return {k: out[k] / 1000 for k in kept}


def discover(log: Log, min_share: float = DEFAULT_MIN_SHARE, workflow_id: str = "discovered",
             title: str | None = None) -> Discovered:
    """The as-is workflow of the log; raise DiscoveryError when it does not load."""
    occ = {r[0]: (r[1], r[2], r[3]) for r in log.rows("""
        SELECT step, count(*), mode(team), avg(seq) FROM inst GROUP BY step""")}
    follows: dict[str, dict[str, int]] = {a: {} for a in occ}
    for a, b, n in log.rows("""SELECT prev_step, step, count(*) FROM inst
                               WHERE prev_step IS NOT NULL GROUP BY ALL"""):
        follows[a][b] = n
    ends = dict(log.rows("SELECT step, count(*) FROM inst WHERE next_step IS NULL GROUP BY step"))
    firsts = dict(log.rows("SELECT step, count(*) FROM inst WHERE seq = 1 GROUP BY step"))
    times = {r[0]: r[1:] for r in log.rows("""
        SELECT step, avg(wait_h), quantile_cont(wait_h, 0.01), quantile_cont(wait_h, 0.99),
               avg(touch_h), quantile_cont(touch_h, 0.01), quantile_cont(touch_h, 0.99)
        FROM inst GROUP BY step""")}
    notes: list[str] = []
    issues = list(log.issues)
    start = max(firsts, key=lambda a: (firsts[a], -occ[a][2]))
    other_starts = sorted((a for a in firsts if a != start), key=lambda a: -firsts[a])
    if other_starts:
        notes.append("cases also start at " + ", ".join(
            f"{one_line(a)} ({firsts[a]})" for a in other_starts[:EXAMPLES])
            + f"; the map starts at {one_line(start)} ({firsts[start]} cases)")
    # File order: by the mean position in the case, so a loop's way back is its rework edge.
    order = sorted(occ, key=lambda a: (a != start, occ[a][2], a))
    ids: dict[str, str] = {}
    taken: set[str] = {END_STEP}
    for a in order:
        ids[a] = slug(a, taken)
    team_ids: dict[str, str] = {}
    team_taken: set[str] = set()
    for a in order:
        team = occ[a][1]
        if team not in team_ids:
            team_ids[team] = slug(team, team_taken)
    is_end = {a for a, n in ends.items() if n >= min_share * occ[a][0]}
    stray = [a for a in ends if a not in is_end]
    if stray:
        rows = log.rows(f"""SELECT case_id FROM inst WHERE next_step IS NULL
                            AND step IN ({', '.join('?' for _ in stray)})
                            ORDER BY case_id LIMIT {EXAMPLES}""", stray)
        issues.append(Issue("no-end", sum(ends[a] for a in stray),
                            "cases end at an activity that rarely ends a case (no end)",
                            tuple(r[0] for r in rows)))
    steps: dict[str, dict[str, object]] = {}
    need_end_step = False
    edges = 0
    for a in order:
        out = follows[a]
        moving = sum(out.values())
        kept = [b for b in sorted(out, key=lambda b: (-out[b], order.index(b)))
                if out[b] >= min_share * moving]
        dropped = sum(out[b] for b in out if b not in kept)
        if dropped:
            notes.append(f"{one_line(a)}: {dropped} of {moving} moves to rarer activities "
                         f"left out (under --min-share {min_share:g})")
        counts = dict(out)
        if a in is_end and kept:
            counts[END_STEP] = ends[a]
            kept.append(END_STEP)
            need_end_step = True
        step: dict[str, object] = {"title": a, "team": team_ids[occ[a][1]]}
        mean_w, low_w, high_w, mean_t, low_t, high_t = times[a]
        touch = measured(mean_t, low_t, high_t)
        wait = measured(mean_w, low_w, high_w)
        if touch is not None:
            step["touch"] = touch
        if wait is not None:
            step["wait"] = wait
        if len(kept) == 1:
            step["next"] = ids.get(kept[0], END_STEP)
        elif kept:
            odds = shares(counts, kept)
            step["next"] = [{"to": ids.get(b, END_STEP), "p": odds[b]} for b in kept]
        edges += len(kept)
        steps[ids[a]] = step
    if need_end_step:
        steps[END_STEP] = {"title": "Case ends", "team": next(iter(team_ids.values())),
                           "kind": "end"}
    document = {
        "procmap": 1,
        "id": workflow_id,
        "title": title or f"As-is process discovered from {Path(log.file).name}",
        "teams": {tid: name for name, tid in team_ids.items()},
        "steps": steps,
        "start": ids[start],
    }
    header = (f"# Discovered by procmap mine from {one_line(Path(log.file).name)}: "
              f"{log.cases} cases, {log.events} events, --min-share {min_share:g}.\n"
              "# Waits and touch times are measured; the first step's wait is not.\n")
    text = header + yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
    _check(text)
    return Discovered(text, len(steps), edges, log.cases, log.events, tuple(notes),
                      tuple(issues))


def _check(text: str) -> None:
    from procmap.format.errors import WorkflowError
    from procmap.format.loader import loads

    try:
        loads(text, "<discovered>")
    except WorkflowError as e:
        raise DiscoveryError(
            "the discovered workflow is not valid: " + "; ".join(p.message for p in e.problems)
            + "; lower --min-share so that rarer edges (a loop's way out) are kept") from None
