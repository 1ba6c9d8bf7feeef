"""procmap: map, measure and simplify business workflows written as YAML.

The public API is loaded on first use so that `procmap --version` stays fast:

    >>> import procmap
    >>> wf = procmap.load("workflows/billing-dispute.yaml")
    >>> report = procmap.analyze(wf)
    >>> report.metrics.lead_time_h
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

_API = {
    "load": ("procmap.format.loader", "load"),
    "loads": ("procmap.format.loader", "loads"),
    "analyze": ("procmap.analysis.analyze", "analyze"),
    "analyze_paths": ("procmap.analysis.analyze", "analyze_paths"),
    "WorkflowError": ("procmap.format.errors", "WorkflowError"),
    "Config": ("procmap.config", "Config"),
    "track": ("procmap.tracking.tracker", "track"),
    "Tracker": ("procmap.tracking.tracker", "Tracker"),
}

__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    if name in _API:
        import importlib

        module, attr = _API[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module 'procmap' has no attribute {name!r}")
