"""`procmap publish --target confluence`: its options, and a run opened from them.

Light to import (click only): the CLI reads the options at start-up; the
HTTP client loads when a run is opened.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from procmap.publish.target import Ui

if TYPE_CHECKING:
    from procmap.publish.confluence.sync import Publisher
    from procmap.publish.site import Site

HELP = ("pages under a library page in a Confluence space, Cloud or Data Center "
        "(--url, --space, --token)")

OPTIONS = (
    click.Option(["--url"], envvar="CONFLUENCE_URL", show_envvar=True,
                 help="confluence: the site, https://SITE.atlassian.net/wiki for Cloud, the "
                      "base URL with its context path for Data Center."),
    click.Option(["--space"], help="confluence: key of the space to publish into."),
    click.Option(["--parent"], help="confluence: title or id of the page to put the library "
                                    "page under (default: the top of the space)."),
    click.Option(["--title"], default="Process library", show_default=True,
                 help="confluence: title of the library page; the workflow pages go under it."),
    click.Option(["--user"], envvar="CONFLUENCE_USER", show_envvar=True,
                 help="confluence: Cloud, the account's email; Data Center, leave unset to "
                      "use the token as a personal access token."),
    click.Option(["--token"], envvar="CONFLUENCE_TOKEN", show_envvar=True,
                 help="confluence: API token (Cloud) or personal access token (Data Center). "
                      "Prefer the environment variable: options show in the process list."),
    click.Option(["--flavour"], type=click.Choice(["auto", "cloud", "dc"]), default="auto",
                 show_default=True,
                 help="confluence: cloud uses the v2 API for pages; dc (Data Center, Server) "
                      "the v1 API. auto: cloud for *.atlassian.net and "
                      "api.atlassian.com/ex/confluence/ID (scoped tokens)."),
    click.Option(["--request-timeout"], type=click.FloatRange(0, min_open=True), default=120.0,
                 envvar="PROCMAP_REQUEST_TIMEOUT", show_default=True, show_envvar=True,
                 metavar="SECONDS", help="confluence: longest time one request may take, from "
                                         "connecting to the last byte of the answer."),
    click.Option(["--run-timeout"], type=click.FloatRange(0, min_open=True), default=3600.0,
                 envvar="PROCMAP_RUN_TIMEOUT", show_default=True, show_envvar=True,
                 metavar="SECONDS", help="confluence: longest time the whole run may take, "
                                         "waits between retries included."),
)

REQUIRED = ("url", "space", "token")


def read_site(folder: Path) -> Site:
    from procmap.publish.confluence.sync import read_site

    return read_site(folder)


def open(options: Mapping[str, Any], prune: bool, ui: Ui) -> Publisher:
    """A run against the space the options name. A ConfluenceError when the
    address or credentials cannot be used, before any request."""
    ctx = click.get_current_context(silent=True)
    for name in REQUIRED:
        if not options.get(name):
            param = next(p for p in OPTIONS if p.name == name)
            raise click.MissingParameter(ctx=ctx, param=param)
    from procmap.publish.confluence.client import connect
    from procmap.publish.confluence.sync import Publisher

    api = connect(options["url"], options.get("user"), options["token"],
                  options.get("flavour", "auto"), log=ui.log, warn=ui.warn,
                  request_timeout=options.get("request_timeout", 120.0),
                  run_timeout=options.get("run_timeout", 3600.0))
    return Publisher(api, options["space"], options.get("title") or "Process library",
                     options.get("parent"), prune)
