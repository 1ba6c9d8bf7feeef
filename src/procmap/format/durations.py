"""Durations ("45m", "1.5h", "2d", "1w") and volumes ("40/week")."""

from __future__ import annotations

import re

# The patterns go into the JSON Schema, so they must mean the same as ECMA
# regexes (editors) and as Python's (jsonschema, the loader): Python's `$`
# also matches before a final newline, ECMA's does not; `$(?!\n)` is the end
# of the text in both (`\Z` is not ECMA).
DURATION_PATTERN = r"^[0-9]+(\.[0-9]+)?(m|h|d|w)$(?!\n)"
VOLUME_PATTERN = r"^[0-9]+(\.[0-9]+)?/(day|week|month|year)$(?!\n)"

HOURS_PER_UNIT = {"m": 1 / 60, "h": 1.0, "d": 24.0, "w": 168.0}
# Larger numbers are typos; below them, sums over thousands of steps and
# millions of repeats stay far from infinity, which JSON cannot hold.
MAX_HOURS = 1e9  # about 114,000 years
MAX_VOLUME = 1e12  # cases per period
_DURATION = re.compile(DURATION_PATTERN)


def is_duration(text: str) -> bool:
    return _DURATION.match(text) is not None


def hours(text: str) -> float:
    """Hours in a duration that already matched DURATION_PATTERN."""
    match = _DURATION.match(text)
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
