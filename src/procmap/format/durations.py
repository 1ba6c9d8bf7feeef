"""Durations ("45m", "1.5h", "2d", "1w") and volumes ("40/week")."""

from __future__ import annotations

import re

DURATION_PATTERN = r"^[0-9]+(\.[0-9]+)?(m|h|d|w)$"
VOLUME_PATTERN = r"^[0-9]+(\.[0-9]+)?/(day|week|month|year)$"

HOURS_PER_UNIT = {"m": 1 / 60, "h": 1.0, "d": 24.0, "w": 168.0}
_DURATION = re.compile(DURATION_PATTERN)


def hours(text: str) -> float:
    """Hours in a duration that already matched DURATION_PATTERN."""
    match = _DURATION.search(text)
    if match is None:
        raise ValueError(f"not a duration: {text!r}")
    return float(text[: -1]) * HOURS_PER_UNIT[match.group(2)]


def short(h: float) -> str:
    """A duration as people write it: 0, 45m, 1.5h, 3d (calendar days of 24 h)."""
    if h <= 0:
        return "0"
    if h < 1:
        return f"{round(h * 60):d}m"
    value, unit = (h, "h") if h < 24 else (h / 24, "d")
    return f"{value:.1f}".removesuffix(".0") + unit
