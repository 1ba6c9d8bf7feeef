"""The examples in docs/rules.md do what they say."""

import re
from pathlib import Path

import pytest

from procmap.analysis.analyze import analyze
from procmap.analysis.rules import RULE_IDS
from procmap.format.loader import loads

DOC = (Path(__file__).parent.parent / "docs" / "rules.md").read_text()
SECTIONS = dict(re.findall(r"^## `([a-z-]+)`\n(.*?)(?=^## |\Z)", DOC, re.S | re.M))


def workflow_text(snippet: str) -> str:
    if snippet.startswith("procmap: 1\n"):
        return snippet  # a whole workflow, where the example needs top-level fields
    teams = sorted(set(re.findall(r"team: ([a-z-]+)", snippet)))
    return ("procmap: 1\nid: doc\ntitle: Doc example\nteams:\n"
            + "".join(f"  {t}: {t.title()}\n" for t in teams) + snippet + "\n")


def test_every_rule_is_documented() -> None:
    assert list(SECTIONS) == list(RULE_IDS)


@pytest.mark.parametrize("rule", RULE_IDS)
def test_documented_examples(rule: str) -> None:
    fires, quiet = re.findall(r"```yaml\n(.*?)```", SECTIONS[rule], re.S)
    found = analyze(loads(workflow_text(fires)), simulate=False).findings
    assert rule in {f.rule for f in found}
    found = analyze(loads(workflow_text(quiet)), simulate=False).findings
    assert rule not in {f.rule for f in found}
