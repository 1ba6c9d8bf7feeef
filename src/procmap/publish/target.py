"""What a publish target is: a place `procmap publish` keeps in sync with a
built library (procmap.publish.site).

A target is opened with its options, plans a run from what it finds (every
check that could stop the run happens here, before any write), then applies
the plan one action at a time. A dry run prints the plan and applies nothing.
A target module (see procmap.publish.TARGETS) gives its help line, its
command-line options, how it reads the built library and how it opens.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import click

from procmap.publish.site import Action, Site


class TargetError(Exception):
    """The target refused or could not be reached, or cannot be used as given."""


@dataclass(frozen=True, slots=True)
class Plan:
    """What a run will do, in order: each action printable as it stands."""

    actions: tuple[Action, ...]

    def __iter__(self) -> Iterator[Action]:
        return iter(self.actions)


@dataclass(frozen=True, slots=True)
class Ui:
    """How a target speaks to the person running it."""

    warn: Callable[[str], None]  # a retry, a wait: never silent
    log: Callable[[str], None] | None = None  # each request or file, with --verbose


class Target(Protocol):
    """One run against one place. `plan` raises, before any write, when
    something there stops the run (a page procmap does not own in the way).
    `apply` takes the actions of the plan in its order; `finish` follows the
    last one; `close` frees what the target holds, whatever happened."""

    def plan(self, site: Site) -> Plan: ...
    def apply(self, action: Action) -> None: ...
    def finish(self) -> None: ...
    def close(self) -> None: ...


class TargetModule(Protocol):
    @property
    def HELP(self) -> str:
        """One line for `procmap publish --help`."""

    @property
    def OPTIONS(self) -> tuple[click.Option, ...]:
        """Its command-line options; `open` gets their values by name."""

    def read_site(self, folder: Path) -> Site:
        """The built library in `folder`, in the form this target publishes."""

    def open(self, options: Mapping[str, Any], prune: bool, ui: Ui) -> Target:
        """A run with these option values: a click.UsageError when one is
        missing or malformed, a TargetError when they cannot be used (an
        address that is no site), before anything is read or sent."""


def publish(target: Target, site: Site, dry_run: bool = False,
            report: Callable[[Action], None] = lambda action: None) -> list[Action]:
    """Plan, then (unless `dry_run`) apply each action; `report` hears of each
    as it is done, or as planned on a dry run."""
    plan = target.plan(site)
    for action in plan:
        if not dry_run:
            target.apply(action)
        report(action)
    if not dry_run:
        target.finish()
    return list(plan)
