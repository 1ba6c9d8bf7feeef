"""ISO 8601 durations (BPMN timers) to and from procmap's durations."""

from __future__ import annotations

import re

_ISO = re.compile(r"^P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?"
                  r"(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?"
                  r"(?:(\d+(?:\.\d+)?)S)?)?$")
# Years and months have no fixed length; a timer that uses them is read with
# these and the import lists it as a loss.
_HOURS = (365 * 24.0, 30 * 24.0, 168.0, 24.0, 1.0, 1 / 60, 1 / 3600)


def iso_hours(text: str) -> tuple[float, bool] | None:
    """Hours in an ISO 8601 duration and whether they are exact; None if it is not one."""
    match = _ISO.match(text.strip())
    if match is None or text.strip() in ("P", "PT") or text.strip().endswith("T"):
        return None
    parts = match.groups()
    total = sum(float(v) * h for v, h in zip(parts, _HOURS, strict=True) if v)
    return total, not (parts[0] or parts[1])


def iso(hours: float) -> str:
    """An ISO 8601 duration of whole minutes: PT90M, P2DT4H."""
    minutes = round(hours * 60)
    days, rest = divmod(minutes, 24 * 60)
    h, m = divmod(rest, 60)
    time = (f"{h}H" if h else "") + (f"{m}M" if m else "")
    text = "P" + (f"{days}D" if days else "") + (f"T{time}" if time else "")
    return text if text != "P" else "PT0M"


def procmap_duration(hours: float) -> str:
    """The shortest exact procmap duration for these hours (minutes at worst)."""
    minutes = hours * 60
    for unit, size in (("w", 7 * 24 * 60), ("d", 24 * 60), ("h", 60)):
        if minutes >= size and abs(minutes / size - round(minutes / size, 2)) < 1e-9:
            return f"{round(minutes / size, 2):g}{unit}"
    return f"{round(minutes, 2):g}m"
