"""Fingerprints of findings that survive line moves.

A finding is known by its workflow id, rule, steps and message, never by its
line: moving a step, or adding one above it, keeps the fingerprint. Two
findings alike in all of these are told apart by their order. Baselines, SARIF
`partialFingerprints` and GitLab's `fingerprint` all use this one.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from procmap.analysis.rules.base import Finding


def fingerprints(workflow_id: str, findings: Iterable[Finding]) -> list[str]:
    """One fingerprint per finding, in the order given."""
    seen: Counter[str] = Counter()
    out = []
    for f in findings:
        key = "\0".join((workflow_id, f.rule, *f.steps, "", f.message))
        seen[key] += 1
        digest = hashlib.sha256(f"{key}\0{seen[key]}".encode()).hexdigest()
        out.append(digest[:32])
    return out
