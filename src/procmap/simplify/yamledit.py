"""Edit a workflow's YAML in place, keeping comments, key order and layout.

ruamel.yaml round-trips the untouched parts byte for byte once it uses the
file's own indentation, so `git diff before after` shows only real changes.
"""

from __future__ import annotations

import copy
import io
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.util import load_yaml_guess_indent


@dataclass(frozen=True, slots=True)
class Branch:
    to: str
    when: str | None = None
    p: float | None = None


class Document:
    """One workflow file, editable by step id."""

    def __init__(self, text: str) -> None:
        _, indent, offset = load_yaml_guess_indent(text)
        self._yaml = YAML()
        self._yaml.preserve_quotes = True
        self._yaml.width = 4096  # never re-wrap the author's long lines
        self._yaml.indent(mapping=2, sequence=indent or 4, offset=offset or 2)
        self.data: CommentedMap = self._yaml.load(text)

    def text(self) -> str:
        out = io.StringIO()
        self._yaml.dump(self.data, out)
        return out.getvalue()

    def snapshot(self) -> CommentedMap:
        return copy.deepcopy(self.data)

    def restore(self, snapshot: CommentedMap) -> None:
        self.data = snapshot

    @property
    def steps(self) -> CommentedMap:
        steps: CommentedMap = self.data["steps"]
        return steps

    def branches(self, step: str) -> list[Branch]:
        value = self.steps[step].get("next")
        if value is None:
            return []
        items = [value] if isinstance(value, str) else list(value)
        return [Branch(str(i)) if isinstance(i, str) else
                Branch(str(i["to"]), i.get("when"), float(i["p"]) if "p" in i else None)
                for i in items]

    def set_branches(self, step: str, branches: list[Branch]) -> None:
        """Write `next` in the plainest form that says it."""
        node = self.steps[step]
        if not branches:
            node.pop("next", None)
            return
        old = node.get("next")
        flow = getattr(getattr(old, "fa", None), "flow_style", lambda: False)()
        if len(branches) == 1 and branches[0].when is None and branches[0].p is None:
            value: Any = branches[0].to
        elif all(b.when is None and b.p is None for b in branches):
            value = CommentedSeq([b.to for b in branches])
        else:
            value = CommentedSeq()
            for b in branches:
                item = CommentedMap(to=b.to)
                if b.when is not None:
                    item["when"] = b.when
                if b.p is not None:
                    item["p"] = round(b.p, 6)
                if flow:
                    item.fa.set_flow_style()
                value.append(item)
        if isinstance(value, CommentedSeq) and flow:
            value.fa.set_flow_style()
        node["next"] = value

    def remove_step(self, step: str) -> None:
        del self.steps[step]

    def remove_team(self, team: str) -> bool:
        del self.data["teams"][team]
        return True

    def set(self, step: str, key: str, value: Any) -> None:
        node = self.steps[step]
        if isinstance(node, CommentedMap) and node.fa.flow_style() and isinstance(value, list):
            value = CommentedSeq(value)
            value.fa.set_flow_style()
        node[key] = value

    def note(self, step: str, text: str) -> None:
        """A comment after the step's key: the mark for a person to review."""
        self.steps.yaml_add_eol_comment(f"procmap: {text}", step)
