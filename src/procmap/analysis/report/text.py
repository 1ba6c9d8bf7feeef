"""The report for people: findings grouped by file, then one summary line."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

import click

from procmap.analysis.metrics import percent
from procmap.analysis.rules.base import ALGORITHM
from procmap.printable import one_line

if TYPE_CHECKING:
    from procmap.analysis.analyze import RunReport, WorkflowReport

HELP = "for people"

_COLOUR = {"error": "red", "warning": "yellow", "info": "blue", "waived": "bright_black"}


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 or word in ("info", "waived") else f"{n} {word}s"


def _hours(h: float) -> str:
    return f"{h:.1f} h" if h < 48 else f"{h:.1f} h ({h / 24:.1f} d)"


def metrics_line(w: WorkflowReport) -> str:
    """The figures of one workflow, those a person can quote first (analysis.md 1.1)."""
    m = w.metrics
    quotable = []
    if m.simulated:
        s = m.simulated
        quotable.append(f"simulated lead time mean {_hours(s.mean_h)}, P50 {_hours(s.p50_h)}, "
                        f"P90 {_hours(s.p90_h)}"
                        + (" (cut short: loops ran past the simulation's budget, so these "
                           "are too low)" if s.truncated else ""))
    quotable.append(f"{m.expected_handoffs:.2f} handoffs per case, our touch "
                    f"{_hours(m.expected_touch_h)} per case")
    return ("; ".join(quotable) + "\n    " +
            f"worst branch (critical path): lead time {_hours(m.lead_time_h)}, touch "
            f"{_hours(m.touch_time_h)}, PCE {percent(m.pce)}; {m.steps} steps, {m.teams} teams, "
            f"{m.handoffs} handoff links, {m.ping_pong} ping-pong, {m.rework_edges} rework")


def statistics(run: RunReport) -> str:
    """The number of findings of each rule and level, most first (ruff's --statistics)."""
    counts = Counter((f.rule, f.level) for w in run.workflows for f in w.findings)
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    lines = [f"{n:>5}  {rule:<24} {click.style(level, fg=_COLOUR[level])}"
             for (rule, level), n in rows]
    if run.errors:
        lines.append(f"{len(run.errors):>5}  {'invalid-workflow':<24} "
                     f"{click.style('error', fg='red')}")
    return "".join(line + "\n" for line in lines)


def render(run: RunReport, quiet: bool = False) -> str:
    """The report; `quiet`: the errors and findings only, files without any left out."""
    lines: list[str] = []
    for e in run.errors:
        lines.append(f"{click.style(f'{one_line(e.file)}:{e.line}:{e.column}', bold=True)}: "
                     f"{click.style('error', fg='red', bold=True)}: {one_line(e.message)}")
        if e.hint:
            lines.append(f"  hint: {one_line(e.hint)}")
    if run.errors and run.workflows:
        lines.append("")
    for w in run.workflows:
        if quiet and not w.findings:
            continue
        lines.append(click.style(one_line(w.workflow.file), bold=True, underline=True)
                     + f"  {one_line(w.workflow.title)}")
        for i, f in enumerate(w.findings):
            where = f"{f.pos.line}:{f.pos.column}"
            level = (click.style("known  ", dim=True) if i in w.known
                     else click.style(f"{f.level:<7}", fg=_COLOUR[f.level]))
            step = f"[{f.algorithm} {ALGORITHM[f.algorithm]}]"
            lines.append(f"  {where:>7}  {level}  {f.rule:<22} {step:<14} {one_line(f.message)}")
            if f.waiver:
                lines.append(f"{'':>20}waived: {one_line(f.waiver)}")
        if not quiet:
            lines.append(click.style(f"  {metrics_line(w)}", dim=True))
        lines.append("")
    if quiet:
        return "\n".join(lines[:-1]) + "\n" if lines else ""
    counts = Counter(f.level for w in run.workflows for f in w.new_findings())
    summary = [_plural(len(run.workflows), "workflow")]
    summary += [click.style(_plural(counts[k], k), fg=_COLOUR[k]) if counts[k]
                else _plural(0, k) for k in ("error", "warning", "info", "waived")]
    known = sum(len(w.known) for w in run.workflows)
    if known:
        summary.append(f"{known} known (in the baseline)")
    if run.workflows:
        handoffs = sum(w.metrics.handoffs for w in run.workflows)
        lead = sum(w.metrics.lead_time_h for w in run.workflows)
        touch = sum(w.metrics.touch_time_h for w in run.workflows)
        overall = percent(touch / lead if lead else None)
        summary.append(f"{handoffs} handoffs, overall PCE {overall}")
    if run.errors:
        files = len({e.file for e in run.errors})
        summary.append(click.style(f"{_plural(files, 'file')} not readable", fg="red",
                                   bold=True))
    lines.append(", ".join(summary))
    return "\n".join(lines) + "\n"
