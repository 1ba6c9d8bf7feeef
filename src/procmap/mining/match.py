"""Which step of a map an activity of a log is: by id, else by title (case ignored)."""

from __future__ import annotations

from collections.abc import Mapping

from procmap.format.model import Workflow


def steps_by_name(workflow: Workflow) -> dict[str, str]:
    """Step id by every name an activity may have: the step's id, its title casefolded."""
    out: dict[str, str] = {}
    for s in workflow.step_list:
        out.setdefault(s.title.casefold(), s.id)
    for s in workflow.step_list:
        out[s.id] = s.id  # an id wins over another step's title
    return out


def step_of(names: Mapping[str, str], activity: str) -> str | None:
    return names.get(activity, names.get(activity.casefold()))
