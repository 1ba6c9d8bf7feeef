"""The rule docs: made from the rule modules' docstrings, and their examples do what they say."""

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from procmap.analysis.analyze import analyze
from procmap.analysis.ruledocs import markdown
from procmap.analysis.rules import RULE_IDS
from procmap.cli import main
from procmap.format.loader import loads

COMMITTED = Path(__file__).parent.parent / "docs" / "rules.md"
DOC = markdown()
SECTIONS = dict(re.findall(r"^## `([a-z-]+)`\n(.*?)(?=^## |\Z)", DOC, re.S | re.M))


def workflow_text(snippet: str) -> str:
    if snippet.startswith("procmap: 1\n"):
        return snippet  # a whole workflow, where the example needs top-level fields
    teams = sorted(set(re.findall(r"team: ([a-z-]+)", snippet)))
    return ("procmap: 1\nid: doc\ntitle: Doc example\nteams:\n"
            + "".join(f"  {t}: {t.title()}\n" for t in teams) + snippet + "\n")


def test_the_committed_rules_md_is_up_to_date() -> None:
    # when this fails: procmap rules --markdown > docs/rules.md
    assert COMMITTED.read_text() == DOC


def test_every_rule_is_documented() -> None:
    assert list(SECTIONS) == list(RULE_IDS)
    for rule, text in SECTIONS.items():
        parts = re.findall(r"^(\*\*Fires when\*\*|\*\*Why it matters:\*\*|\*\*What to do:\*\*"
                           r"|Fires:|Does not fire:)", text, re.M)
        assert parts == ["**Fires when**", "**Why it matters:**", "**What to do:**", "Fires:",
                         "Does not fire:"], rule


@pytest.mark.parametrize("rule", RULE_IDS)
def test_documented_examples(rule: str) -> None:
    fires, quiet = re.findall(r"```yaml\n(.*?)```", SECTIONS[rule], re.S)
    found = analyze(loads(workflow_text(fires)), simulate=False).findings
    assert rule in {f.rule for f in found}
    found = analyze(loads(workflow_text(quiet)), simulate=False).findings
    assert rule not in {f.rule for f in found}


def test_rules_markdown_prints_the_rule_docs(runner: CliRunner) -> None:
    result = runner.invoke(main, ["rules", "--markdown"])
    assert result.exit_code == 0 and result.output == DOC
