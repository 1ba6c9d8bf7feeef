"""The report for people: findings grouped by file, then one summary line."""

from __future__ import annotations

from collections import Counter

import click

from procmap.analysis.analyze import RunReport, WorkflowReport
from procmap.analysis.metrics import percent
from procmap.analysis.rules.base import ALGORITHM

_COLOUR = {"error": "red", "warning": "yellow", "info": "blue", "waived": "bright_black"}


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 or word in ("info", "waived") else f"{n} {word}s"


def _hours(h: float) -> str:
    return f"{h:.1f} h" if h < 48 else f"{h:.1f} h ({h / 24:.1f} d)"


def metrics_line(w: WorkflowReport) -> str:
    m = w.metrics
    text = (f"{m.steps} steps, {m.teams} teams, {m.handoffs} handoffs, "
            f"{m.ping_pong} ping-pong, {m.rework_edges} rework; lead time "
            f"{_hours(m.lead_time_h)}, touch {_hours(m.touch_time_h)}, PCE {percent(m.pce)}")
    if m.simulated:
        s = m.simulated
        text += (f"; simulated mean {_hours(s.mean_h)}, P50 {_hours(s.p50_h)}, "
                 f"P90 {_hours(s.p90_h)}")
    return text


def render(run: RunReport) -> str:
    lines: list[str] = []
    for e in run.errors:
        lines.append(f"{click.style(f'{e.file}:{e.line}:{e.column}', bold=True)}: "
                     f"{click.style('error', fg='red', bold=True)}: {e.message}")
        if e.hint:
            lines.append(f"  hint: {e.hint}")
    if run.errors and run.workflows:
        lines.append("")
    for w in run.workflows:
        lines.append(click.style(w.workflow.file, bold=True, underline=True)
                     + f"  {w.workflow.title}")
        for f in w.findings:
            where = f"{f.pos.line}:{f.pos.column}"
            level = click.style(f"{f.level:<7}", fg=_COLOUR[f.level])
            step = f"[{f.algorithm} {ALGORITHM[f.algorithm]}]"
            lines.append(f"  {where:>7}  {level}  {f.rule:<22} {step:<14} {f.message}")
            if f.waiver:
                lines.append(f"{'':>20}waived: {f.waiver}")
        lines.append(click.style(f"  {metrics_line(w)}", dim=True))
        lines.append("")
    counts = Counter(f.level for w in run.workflows for f in w.findings)
    summary = [_plural(len(run.workflows), "workflow")]
    summary += [click.style(_plural(counts[k], k), fg=_COLOUR[k]) if counts[k]
                else _plural(0, k) for k in ("error", "warning", "info", "waived")]
    if run.workflows:
        handoffs = sum(w.metrics.handoffs for w in run.workflows)
        lead = sum(w.metrics.lead_time_h for w in run.workflows)
        touch = sum(w.metrics.touch_time_h for w in run.workflows)
        summary.append(f"{handoffs} handoffs, overall PCE {touch / lead if lead else 0:.1%}")
    if run.errors:
        files = len({e.file for e in run.errors})
        summary.append(click.style(f"{_plural(files, 'file')} not readable", fg="red",
                                   bold=True))
    lines.append(", ".join(summary))
    return "\n".join(lines) + "\n"
