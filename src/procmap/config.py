"""Project settings: rule levels and the level that fails a run.

Read from `.procmap.yaml`, or `[tool.procmap]` in pyproject.toml, in the
current folder or the nearest parent (stopping at the repository root).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from procmap.errors import Problem, WorkflowError
from procmap.rules import RULE_IDS
from procmap.validate import Validator
from procmap.yamlnodes import YamlError, compose

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
        },
    }


@dataclass(frozen=True, slots=True)
class Config:
    levels: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    fail_on: str = "error"
    source: str | None = None

    def fails(self, level: str) -> bool:
        return LEVEL_RANK.get(level, 0) >= LEVEL_RANK[self.fail_on]


def _from_data(data: Any, file: str, line: int = 1) -> Config:
    # Mirrors config_schema() for TOML, which carries no node positions.
    def fail(message: str) -> WorkflowError:
        return WorkflowError([Problem(file, line, 1, f"[tool.procmap] {message}",
                                      "see `procmap analyze --help` for the settings")])

    if not isinstance(data, dict):
        raise fail("must be a table")
    unknown = set(data) - {"fail-on", "rules"}
    if unknown:
        raise fail(f"unknown setting {sorted(unknown)[0]!r}")
    fail_on = data.get("fail-on", "error")
    if fail_on not in ("error", "warning", "info"):
        raise fail(f"fail-on must be error, warning or info, not {fail_on!r}")
    rules = data.get("rules", {})
    if not isinstance(rules, dict):
        raise fail("rules must be a table of rule id = level")
    for rule, level in rules.items():
        if rule not in RULE_IDS:
            raise fail(f"unknown rule {rule!r}")
        if level not in ("error", "warning", "info", "off"):
            raise fail(f"rule {rule!r}: level must be error, warning, info or off")
    return Config(MappingProxyType(dict(rules)), fail_on, file)


def read_config(path: Path) -> Config:
    """Read a `.procmap.yaml` or a pyproject.toml."""
    file = str(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise WorkflowError([Problem(file, 1, 1, f"cannot read the config: {e.strerror}")]) \
            from None
    if path.name == "pyproject.toml":
        try:
            doc = tomllib.loads(data.decode("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
            raise WorkflowError([Problem(file, 1, 1, f"invalid TOML: {e}")]) from None
        text = data.decode("utf-8")
        line = next((n for n, t in enumerate(text.splitlines(), 1)
                     if t.strip().startswith("[tool.procmap")), 1)
        return _from_data(doc.get("tool", {}).get("procmap", {}), file, line)
    try:
        root = compose(data)
    except YamlError as e:
        raise WorkflowError([Problem(file, e.line, e.column, e.message, e.hint)]) from None
    if root is None:
        return Config(source=file)
    schema = config_schema()
    violations = Validator(schema).validate(root, schema)
    if violations:
        raise WorkflowError([Problem(file, v.line, v.column, v.message, v.hint)
                             for v in violations])
    from procmap.yamlnodes import Mapping as Node

    assert isinstance(root, Node)
    fail_on = root.get("fail-on")
    rules = root.get("rules")
    levels = {str(k.value): str(getattr(v, "value", v)) for k, v in rules.items} \
        if isinstance(rules, Node) else {}
    return Config(MappingProxyType(levels),
                  str(fail_on.value) if fail_on is not None else "error",  # type: ignore[union-attr]
                  file)


def find_config(start: Path) -> Path | None:
    """The nearest config file from `start` upwards, not past a repository root."""
    for folder in (start.resolve(), *start.resolve().parents):
        for name in CONFIG_NAMES:
            if (folder / name).is_file():
                return folder / name
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and b"[tool.procmap" in pyproject.read_bytes():
            return pyproject
        if (folder / ".git").exists():
            return None
    return None
