"""Simulation data of BPSim 1.0 (extension elements that Signavio, Trisotech and
others write): branch probabilities and processing and wait times."""

from __future__ import annotations

from dataclasses import dataclass

from procmap.bpmn.durations import iso_hours
from procmap.bpmn.xml import Element

BPSIM = "http://www.bpsim.org/schemas/1.0"
_UNIT_HOURS = {"ms": 1 / 3_600_000, "s": 1 / 3600, "min": 1 / 60, "hour": 1.0, "day": 24.0}


@dataclass(frozen=True, slots=True)
class Parameters:
    probability: float | None = None
    processing_h: float | None = None  # becomes touch
    wait_h: float | None = None


def read_bpsim(root: Element) -> dict[str, Parameters]:
    """Parameters by the id of the element they are for (first scenario only)."""
    out: dict[str, Parameters] = {}
    scenarios = [e for e in root.walk() if e.ns == BPSIM and e.tag == "Scenario"]
    if not scenarios:
        return out
    scenario = scenarios[0]
    unit = "min"  # BPSim's default base time unit
    for e in scenario.walk():
        if e.ns == BPSIM and e.tag == "ScenarioParameters":
            unit = e.get("baseTimeUnit") or unit
    for e in scenario.walk():
        if e.ns != BPSIM or e.tag != "ElementParameters" or not e.get("elementRef"):
            continue
        out[e.get("elementRef") or ""] = Parameters(
            _value(e, "Probability", None), _value(e, "ProcessingTime", unit),
            _value(e, "WaitTime", unit))
    return out


def _value(params: Element, name: str, unit: str | None) -> float | None:
    for holder in params.walk():
        if holder.ns != BPSIM or holder.tag != name:
            continue
        for v in holder.children:
            text = v.get("value")
            if text is None:
                continue
            if v.tag == "DurationParameter":
                parsed = iso_hours(text)
                return parsed[0] if parsed else None
            try:
                number = float(text)
            except ValueError:
                return None
            if unit is None:
                return number
            return number * _UNIT_HOURS.get(v.get("timeUnit") or unit, 1 / 60)
    return None
