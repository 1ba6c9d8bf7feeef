"""BPMN 2.0: import models from other tools, export workflows to them (issue 18)."""

from __future__ import annotations

from pathlib import Path

from procmap.bpmn.losses import Loss
from procmap.bpmn.to_workflow import Imported, import_bpmn
from procmap.format.errors import Problem, WorkflowError
from procmap.format.files import read_regular
from procmap.format.yamlnodes import MAX_BYTES

__all__ = ["Imported", "Loss", "export_file", "import_bpmn", "import_file"]


def _read(path: Path) -> bytes:
    try:
        return read_regular(path, MAX_BYTES)
    except OSError as e:
        raise WorkflowError([Problem(str(path), 1, 1, f"cannot read the file: "
                                     f"{e.strerror or e}", "check the path and its "
                                     "permissions", "syntax")]) from None


def import_file(path: Path) -> tuple[Imported, ...]:
    """The workflows of a BPMN file, each as YAML text with its losses."""
    return import_bpmn(_read(path), str(path))


def export_file(path: Path) -> bytes:
    """The BPMN 2.0 XML of a workflow file; WorkflowError when it does not load."""
    from procmap.bpmn.from_workflow import export_bpmn
    from procmap.format.loader import loads

    return export_bpmn(loads(_read(path), str(path)))
