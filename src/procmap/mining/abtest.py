"""A/B tests of a process change, read from event logs.

Per case: the lead time (first start, or first event, to last completion),
handoffs (moves between two teams) and rework (an activity run twice).
Per variant: lead time mean, P50 and P90, handoffs per case, rework rate.
The difference in mean lead time B - A gets a percentile bootstrap
confidence interval and a Mann-Whitney U test (normal approximation with
the tie correction, done with numpy: scipy would be a large dependency for
one formula). The verdict calls a difference only when both agree
(p < alpha and the interval excludes 0). The sample size is what a
two-sided test at alpha with 80% power needs per variant to detect the
observed difference with the observed spread.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

import numpy as np

from procmap.docs.markdown import inline
from procmap.mining.log import Log, LogError
from procmap.printable import one_line

ALPHA = 0.05
POWER = 0.8
RESAMPLES = 2000
_BATCH = 100


@dataclass(frozen=True, slots=True)
class Variant:
    name: str
    cases: int
    mean_h: float
    p50_h: float
    p90_h: float
    handoffs_per_case: float
    rework_rate: float

    def as_json(self) -> dict[str, object]:
        return {"name": self.name, "cases": self.cases, "mean_h": round(self.mean_h, 2),
                "p50_h": round(self.p50_h, 2), "p90_h": round(self.p90_h, 2),
                "handoffs_per_case": round(self.handoffs_per_case, 2),
                "rework_rate": round(self.rework_rate, 4)}


@dataclass(frozen=True, slots=True)
class Comparison:
    a: Variant
    b: Variant
    diff_h: float  # mean lead time of B minus A
    ci_low_h: float
    ci_high_h: float
    u: float
    p_value: float
    needed_per_variant: int | None  # None: no difference to detect
    significant: bool

    @property
    def verdict(self) -> str:
        return self.verdict_naming(one_line)

    def verdict_naming(self, name: Callable[[str], str]) -> str:
        """The verdict, with the variants' names (from the log) written by `name`."""
        unit, scale = ("d", 24.0) if max(abs(self.ci_low_h), abs(self.ci_high_h)) >= 24 \
            else ("h", 1.0)

        def f(x: float) -> str:
            return f"{x / scale:.1f} {unit}"

        def n(x: float) -> str:
            return f"{x / scale:.1f}"

        a, b = name(self.a.name), name(self.b.name)
        if self.significant:
            word = "faster" if self.diff_h < 0 else "slower"
            lo, hi = sorted((abs(self.ci_low_h), abs(self.ci_high_h)))
            return (f"{b} is {word} by {f(abs(self.diff_h))}, "
                    f"95% CI {n(lo)} to {f(hi)} (Mann-Whitney p = {self.p_value:.3g})")
        need = ("" if self.needed_per_variant is None else
                f"; about {self.needed_per_variant} cases per variant would be needed to "
                "detect a difference this size")
        return (f"no significant difference in lead time: {b} - {a} = "
                f"{'+' if self.diff_h >= 0 else '-'}{f(abs(self.diff_h))}, 95% CI "
                f"{n(self.ci_low_h)} to {f(self.ci_high_h)} (Mann-Whitney p = "
                f"{self.p_value:.3g}){need}")

    def as_json(self) -> dict[str, object]:
        return {"a": self.a.as_json(), "b": self.b.as_json(),
                "difference_h": round(self.diff_h, 2),
                "ci95_h": [round(self.ci_low_h, 2), round(self.ci_high_h, 2)],
                "mann_whitney_u": self.u, "p_value": self.p_value,
                "needed_per_variant": self.needed_per_variant,
                "significant": self.significant, "verdict": self.verdict}


@dataclass(frozen=True, slots=True)
class Cases:
    lead_h: Any  # numpy arrays, one value per case
    handoffs: Any
    rework: Any


def per_case(log: Log, variant: str | None = None) -> Cases:
    """Figures of every case of the log, or of one variant's cases."""
    where = "" if variant is None else "WHERE variant = ?"
    rows = log.con.execute(f"""
        SELECT (epoch(max(c)) - epoch(min(coalesce(s, c)))) / 3600,
               count(*) FILTER (WHERE prev_team IS NOT NULL AND prev_team <> team),
               count(*) > count(DISTINCT step)
        FROM inst {where} GROUP BY case_id ORDER BY case_id""",
        [] if variant is None else [variant]).fetchnumpy()
    values = list(rows.values())
    lead = np.asarray(values[0], dtype=float)
    keep = ~np.isnan(lead)  # a case with no completion has no lead time
    return Cases(lead[keep], np.asarray(values[1], dtype=float)[keep],
                 np.asarray(values[2], dtype=bool)[keep])


def variants(log: Log) -> list[str]:
    return [r[0] for r in log.rows("""SELECT variant FROM inst WHERE variant IS NOT NULL
                                      GROUP BY variant ORDER BY min(rn)""")]


def summary(name: str, cases: Cases) -> Variant:
    lead = cases.lead_h
    if not len(lead):
        raise LogError(f"variant {name} has no case with a completed activity")
    return Variant(name, len(lead), float(lead.mean()), float(np.percentile(lead, 50)),
                   float(np.percentile(lead, 90)), float(cases.handoffs.mean()),
                   float(cases.rework.mean()))


def mann_whitney(x: Any, y: Any) -> tuple[float, float]:
    """U of x and the two-sided p-value (normal approximation, ties corrected)."""
    n1, n2 = len(x), len(y)
    both = np.concatenate([x, y])
    _, inverse, counts = np.unique(both, return_inverse=True, return_counts=True)
    # Ties share the mean of the ranks they span.
    upper = np.cumsum(counts)
    ranks = (upper - (counts - 1) / 2)[inverse]
    u = float(ranks[:n1].sum() - n1 * (n1 + 1) / 2)
    n = n1 + n2
    ties = float(((counts ** 3) - counts).sum())
    var = n1 * n2 / 12 * ((n + 1) - ties / (n * (n - 1))) if n > 1 else 0.0
    if var <= 0:
        return u, 1.0
    z = (abs(u - n1 * n2 / 2) - 0.5) / math.sqrt(var)
    return u, float(min(1.0, math.erfc(max(z, 0.0) / math.sqrt(2))))


def bootstrap(x: Any, y: Any, seed: int) -> tuple[float, float]:
    """95% percentile interval of mean(y) - mean(x)."""
    rng = np.random.default_rng(seed)
    diffs = []
    for _ in range(RESAMPLES // _BATCH):
        mx = x[rng.integers(0, len(x), (_BATCH, len(x)))].mean(axis=1)
        my = y[rng.integers(0, len(y), (_BATCH, len(y)))].mean(axis=1)
        diffs.append(my - mx)
    d = np.concatenate(diffs)
    return float(np.percentile(d, 2.5)), float(np.percentile(d, 97.5))


def needed(x: Any, y: Any) -> int | None:
    delta = float(y.mean() - x.mean())
    if delta == 0 or len(x) < 2 or len(y) < 2:
        return None
    var = (x.var(ddof=1) * (len(x) - 1) + y.var(ddof=1) * (len(y) - 1)) / (len(x) + len(y) - 2)
    z = NormalDist().inv_cdf(1 - ALPHA / 2) + NormalDist().inv_cdf(POWER)
    return max(2, math.ceil(2 * z * z * float(var) / (delta * delta)))


def compare(a_name: str, a: Cases, b_name: str, b: Cases, seed: int = 0) -> Comparison:
    va, vb = summary(a_name, a), summary(b_name, b)
    low, high = bootstrap(a.lead_h, b.lead_h, seed)
    u, p = mann_whitney(b.lead_h, a.lead_h)
    return Comparison(va, vb, vb.mean_h - va.mean_h, low, high, u, p,
                      needed(a.lead_h, b.lead_h),
                      p < ALPHA and (low > 0 or high < 0))


def _markdown_name(name: str) -> str:
    # A variant's name comes from the log: one line of literal text, no cell
    # break, no HTML or link.
    return inline(one_line(name))


def _row(v: Variant, name: Callable[[str], str] = one_line) -> list[str]:
    return [name(v.name), str(v.cases), f"{v.mean_h:.1f}",
            f"{v.p50_h:.1f}", f"{v.p90_h:.1f}", f"{v.handoffs_per_case:.2f}",
            f"{v.rework_rate:.1%}"]


HEAD = ["variant", "cases", "mean h", "P50 h", "P90 h", "handoffs/case", "rework"]


def text(c: Comparison) -> str:
    rows = [HEAD, _row(c.a), _row(c.b)]
    widths = [max(len(r[k]) for r in rows) for k in range(len(HEAD))]
    lines = ["  ".join(cell.rjust(w) if k else cell.ljust(w)
                       for k, (cell, w) in enumerate(zip(r, widths, strict=True)))
             for r in rows]
    return "\n".join([*lines, "", c.verdict]) + "\n"


def markdown(c: Comparison) -> str:
    lines = ["| " + " | ".join(HEAD) + " |", "|" + "---|" * len(HEAD)]
    lines += ["| " + " | ".join(_row(v, _markdown_name)) + " |" for v in (c.a, c.b)]
    return "\n".join([*lines, "", f"**Verdict:** {c.verdict_naming(_markdown_name)}"]) + "\n"


def as_json(c: Comparison) -> str:
    return json.dumps(c.as_json(), indent=2) + "\n"


FORMATS = {"text": text, "json": as_json, "markdown": markdown}
