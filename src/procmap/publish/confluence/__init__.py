"""Confluence as a publish target: a thin REST client (the requests
`procmap publish` makes, each explicit) and the sync that drives it.

The names below load on first use: `procmap --help` and the other commands
never pay for importing the HTTP client.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from procmap.publish.confluence.api import Api, CloudApi, DataCenterApi
    from procmap.publish.confluence.client import connect
    from procmap.publish.confluence.http import ConfluenceError, Credentials, Http

__all__ = ["Api", "CloudApi", "ConfluenceError", "Credentials", "DataCenterApi", "Http",
           "connect"]

_HOME = {"Api": "api", "CloudApi": "api", "DataCenterApi": "api", "connect": "client",
         "ConfluenceError": "http", "Credentials": "http", "Http": "http"}


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_HOME[name]}"), name)
