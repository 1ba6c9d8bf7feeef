"""Publishing the built library: one module per target, one registry.

Each module meets `procmap.publish.target.TargetModule`; `procmap publish
--target` takes its choices, their help and their options from `TARGETS`,
so a new target is a module and one line here.
"""

from __future__ import annotations

from types import MappingProxyType

from procmap.publish import wiki
from procmap.publish.confluence import target as confluence
from procmap.publish.target import TargetModule

TARGETS: MappingProxyType[str, TargetModule] = MappingProxyType({
    "confluence": confluence,
    "wiki": wiki,
})


def help_text() -> str:
    return "; ".join(f"{name}: {module.HELP}" for name, module in TARGETS.items()) + "."
