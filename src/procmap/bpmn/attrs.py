"""procmap's attributes in a BPMN file, read as untrusted text.

An export writes them, but anyone can edit a BPMN file: a value that is not
what procmap writes is ignored, so that nothing from the file reaches the
YAML (or a file name) without being checked first.
"""

from __future__ import annotations

import json
import math
import re
from typing import get_args

from procmap.bpmn.xml import Element
from procmap.format.durations import DURATION_PATTERN, VOLUME_PATTERN
from procmap.format.model import Kind
from procmap.format.schema import ID_PATTERN

_ID = re.compile(ID_PATTERN)
_DURATION = re.compile(DURATION_PATTERN)
_VOLUME = re.compile(VOLUME_PATTERN)
KINDS = frozenset(get_args(Kind))


def ident(el: Element, name: str) -> str | None:
    text = el.ext(name)
    return text if text is not None and _ID.match(text) else None


def idents(el: Element, name: str) -> list[str]:
    return [t for t in (el.ext(name) or "").split() if _ID.match(t)]


def choice(el: Element, name: str, allowed: frozenset[str]) -> str | None:
    text = el.ext(name)
    return text if text in allowed else None


def duration(el: Element, name: str) -> str | None:
    """`1h`, or `30m 1h 4h` for a range."""
    parts = (el.ext(name) or "").split()
    ok = len(parts) in (1, 3) and all(_DURATION.match(p) for p in parts)
    return " ".join(parts) if ok else None


def volume(el: Element) -> str | None:
    text = el.ext("volume")
    return text if text is not None and _VOLUME.match(text) else None


def number(el: Element, name: str, low: float, high: float) -> float | None:
    """A finite number in (low, high], else None."""
    try:
        value = float(el.ext(name) or "")
    except ValueError:
        return None
    return value if math.isfinite(value) and low < value <= high else None


def strings(el: Element, name: str) -> list[str]:
    """A JSON list of strings (instructions, tags); anything else is ignored."""
    data = _json(el, name)
    return data if isinstance(data, list) and all(isinstance(x, str) for x in data) else []


def texts(el: Element, name: str) -> dict[str, str]:
    """A JSON object of strings (requirement, waive); anything else is ignored."""
    data = _json(el, name)
    if isinstance(data, dict) and all(isinstance(v, str) for v in data.values()):
        return data
    return {}


def _json(el: Element, name: str) -> object:
    try:
        return json.loads(el.ext(name) or "null")
    except ValueError:
        return None
