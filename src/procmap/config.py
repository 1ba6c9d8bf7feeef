"""Project settings: rule levels and the level that fails a run.

Read from `.procmap.yaml`, or `[tool.procmap]` in pyproject.toml, in the
current folder or the nearest parent, stopping at the repository root or the
home folder: a config above them may be someone else's, and it names the
templates procmap runs.
"""

from __future__ import annotations

import collections.abc
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from procmap.analysis.rules import RULE_IDS
from procmap.format.discover import Patterns, pattern_error
from procmap.format.errors import Problem, WorkflowError
from procmap.format.files import open_regular
from procmap.format.validate import Validator
from procmap.format.yamlnodes import (
    MAX_BYTES,
    Mapping,
    Node,
    Scalar,
    Sequence,
    YamlError,
    compose,
)

if TYPE_CHECKING:
    from procmap.tracking.calendar import Calendar

LEVEL_RANK = {"waived": 0, "info": 1, "warning": 2, "error": 3}
CONFIG_NAMES = (".procmap.yaml", ".procmap.yml")


def config_schema() -> dict[str, Any]:
    level = {"enum": ["error", "warning", "info", "off"]}
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "procmap configuration",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "fail-on": {"enum": ["error", "warning", "info"],
                        "description": "the lowest finding level that makes the run fail"},
            "rules": {"type": "object", "propertyNames": {"enum": list(RULE_IDS)},
                      "additionalProperties": level,
                      "description": "rule id -> error, warning, info or off"},
            "exclude": {"type": "array", "items": {"type": "string", "minLength": 1},
                        "description": "gitignore-style patterns, relative to this file, of "
                                       "files and folders that a folder search skips"},
            "templates": {"type": "string", "minLength": 1,
                          "description": "folder of jinja2 templates that take precedence over "
                                         "the shipped ones, relative to this file"},
            "track": _track_schema(),
        },
    }


def _track_schema() -> dict[str, Any]:
    from procmap.tracking.calendar import DAY_NAMES
    from procmap.tracking.cases import FIELDS

    return {
        "type": "object", "additionalProperties": False,
        "description": "procmap track: the columns of the tracker and the business calendar",
        "properties": {
            "columns": {"type": "object", "propertyNames": {"enum": list(FIELDS)},
                        "additionalProperties": {"type": "string"},
                        "description": "field -> the column (header) it is read from"},
            "calendar": {
                "type": "object", "additionalProperties": False,
                "description": "dates people read count working days; default every day",
                "properties": {
                    "days": {"type": "array", "items": {"enum": list(DAY_NAMES)},
                             "description": "working days of the week"},
                    "hours": {"type": "number", "exclusiveMinimum": 0, "maximum": 24,
                              "description": "working hours in a day: hours of touch time "
                                             "that make one working day"},
                    "holidays": {"type": "array",
                                 "items": {"type": "string",
                                           "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
                                 "description": "dates (YYYY-MM-DD) that are not worked"},
                },
            },
        },
    }


@dataclass(frozen=True, slots=True)
class Config:
    levels: collections.abc.Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    fail_on: str = "error"
    source: str | None = None
    templates: Path | None = None
    # procmap track: field -> column name, and the calendar (None: calendar days)
    columns: collections.abc.Mapping[str, str] = field(
        default_factory=lambda: MappingProxyType({}))
    calendar: Calendar | None = None
    exclude: tuple[str, ...] = ()

    def exclude_patterns(self) -> Patterns | None:
        """`exclude`, relative to the config file's folder (else the current one)."""
        if not self.exclude:
            return None
        return Patterns.of(Path(self.source).parent if self.source else Path.cwd(),
                           self.exclude)

    def fails(self, level: str) -> bool:
        return LEVEL_RANK.get(level, 0) >= LEVEL_RANK[self.fail_on]


def _as_node(value: Any, line: int) -> Node:
    """TOML data as YAML nodes, all placed at the `[tool.procmap]` line."""
    if isinstance(value, dict):
        mapping = Mapping(line, 1)
        for key, item in value.items():
            mapping.keys[str(key)] = len(mapping.items)
            mapping.items.append((Scalar(str(key), line, 1), _as_node(item, line)))
        return mapping
    if isinstance(value, list):
        return Sequence(line, 1, [_as_node(item, line) for item in value])
    if not isinstance(value, (str, int, float, bool)):
        value = str(value)  # TOML dates and times
    return Scalar(value, line, 1)


def _from_node(root: Node, file: str) -> Config:
    violations = Validator(config_schema()).validate(root)
    if violations:
        raise WorkflowError([Problem(file, v.line, v.column, v.message, v.hint)
                             for v in violations])
    assert isinstance(root, Mapping)
    exclude = root.get("exclude")
    for item in exclude.items if isinstance(exclude, Sequence) else ():
        why = pattern_error(str(getattr(item, "value", item)))
        if why is not None:
            raise WorkflowError([Problem(file, item.line, item.column,
                                         f"exclude: not a gitignore pattern: {why}",
                                         "write the pattern as in a .gitignore file")])
    fail_on = root.get("fail-on")
    rules = root.get("rules")
    levels = {str(k.value): str(getattr(v, "value", v)) for k, v in rules.items} \
        if isinstance(rules, Mapping) else {}
    templates = root.get("templates")
    track = root.get("track")
    columns = track.get("columns") if isinstance(track, Mapping) else None
    return Config(MappingProxyType(levels),
                  str(getattr(fail_on, "value", "error")), file,
                  Path(file).parent / str(templates.value)
                  if isinstance(templates, Scalar) else None,
                  MappingProxyType({str(k.value): str(getattr(v, "value", v))
                                    for k, v in columns.items})
                  if isinstance(columns, Mapping) else MappingProxyType({}),
                  _calendar(track.get("calendar"), file) if isinstance(track, Mapping) else None,
                  exclude=tuple(str(getattr(n, "value", n)) for n in exclude.items)
                  if isinstance(exclude, Sequence) else ())


def _calendar(node: Node | None, file: str) -> Calendar | None:
    """The business calendar of `track: calendar:` (already checked by the schema)."""
    import datetime as dt

    from procmap.tracking.calendar import DAY_NAMES, Calendar

    if not isinstance(node, Mapping):
        return None
    days, hours, holidays = node.get("days"), node.get("hours"), node.get("holidays")
    dates = []
    for item in holidays.items if isinstance(holidays, Sequence) else []:
        try:
            dates.append(dt.date.fromisoformat(str(getattr(item, "value", ""))))
        except ValueError:
            raise WorkflowError([Problem(file, item.line, item.column,
                                         f"{getattr(item, 'value', '')!r} is not a date",
                                         "write holidays as YYYY-MM-DD")]) from None
    return Calendar(
        tuple(str(getattr(d, "value", d)) for d in days.items)
        if isinstance(days, Sequence) else DAY_NAMES[:5],
        float(hours.value) if isinstance(hours, Scalar) and hours.value is not None else 8.0,
        tuple(dates))


def read_config(path: Path) -> Config:
    """Read a `.procmap.yaml` or a pyproject.toml."""
    file = str(path)
    try:
        with open_regular(path) as f:
            data = f.read(MAX_BYTES + 1)
    except OSError as e:
        raise WorkflowError([Problem(file, 1, 1, f"cannot read the config: {e.strerror}")]) \
            from None
    if path.name == "pyproject.toml":
        try:
            text = data.decode("utf-8")
            doc = tomllib.loads(text)
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
            raise WorkflowError([Problem(file, 1, 1, f"invalid TOML: {e}")]) from None
        line = next((n for n, t in enumerate(text.splitlines(), 1)
                     if t.strip().startswith("[tool.procmap")), 1)
        return _from_node(_as_node(doc.get("tool", {}).get("procmap", {}), line), file)
    try:
        root = compose(data)
    except YamlError as e:
        raise WorkflowError([Problem(file, e.line, e.column, e.message, e.hint)]) from None
    return Config(source=file) if root is None else _from_node(root, file)


def find_config(start: Path) -> Path | None:
    """The nearest config file from `start` upwards, not past a repository
    root or the home folder; outside both, only `start` itself is searched:
    a config in a shared folder above the project (say /tmp) is someone else's."""
    try:
        home: Path | None = Path.home().resolve()
    except RuntimeError:  # no HOME and no password entry
        home = None
    chain = (start.resolve(), *start.resolve().parents)
    top = next((i for i, folder in enumerate(chain)
                if (folder / ".git").exists() or folder == home), 0)
    for folder in chain[:top + 1]:
        for name in CONFIG_NAMES:
            if (folder / name).is_file():
                return folder / name
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and b"[tool.procmap" in pyproject.read_bytes():
            return pyproject
    return None
