"""simplify edits any YAML style analyze reads, with the same result (issue 13, item 6)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from procmap.format.loader import loads
from procmap.format.model import Workflow
from procmap.format.yamlnodes import compose
from procmap.simplify.simplify import Options, Simplified, simplify
from procmap.simplify.yamledit import scalar_text

EXAMPLES = sorted((Path(__file__).parent.parent / "workflows").glob("*.yaml"))
ALL = Options(accept=frozenset({"all"}))


class _Anchored(yaml.SafeDumper):
    """Writes `&id001` / `*id001` for a list two steps share."""


def pyyaml_default(text: str) -> str:
    """The file as `yaml.safe_dump` writes it: lists flush with their key."""
    return yaml.safe_dump(yaml.safe_load(text), sort_keys=False, allow_unicode=True)


def flow_style(text: str) -> str:
    return yaml.safe_dump(yaml.safe_load(text), sort_keys=False, allow_unicode=True,
                          default_flow_style=True, width=10_000)


def with_anchors(text: str) -> str:
    """Steps that read the same artifacts share one list: an anchor and aliases."""
    data = yaml.safe_load(text)
    shared: dict[tuple[str, ...], list[str]] = {}
    for step in data["steps"].values():
        if "inputs" in step:
            step["inputs"] = shared.setdefault(tuple(step["inputs"]), step["inputs"])
    out = yaml.dump(data, Dumper=_Anchored, sort_keys=False, allow_unicode=True)
    assert "&id001" in out and "*id001" in out
    return out


def shape(w: Workflow) -> dict[str, object]:
    return {s.id: (s.team, s.kind, [(b.to, b.when, b.p and round(b.p, 6)) for b in s.next])
            for s in w.step_list}


def summary(result: Simplified) -> tuple[object, ...]:
    return (shape(result.after.workflow),
            [(o.proposal.id, o.status) for o in result.outcomes])


@pytest.mark.parametrize("style", [pyyaml_default, flow_style, with_anchors])
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_style_gives_the_same_result(path: Path, style: object) -> None:
    text = path.read_text()
    styled = style(text)  # type: ignore[operator]
    for options in (Options(), ALL):
        assert summary(simplify(styled, str(path), options)) == \
            summary(simplify(text, str(path), options))


def test_pyyaml_default_style_keeps_lists_flush_and_the_rest_untouched() -> None:
    path = next(p for p in EXAMPLES if p.stem == "order-to-activation")
    styled = pyyaml_default(path.read_text())
    assert "    next:\n    - to: confirm-order\n" in styled
    after = simplify(styled, str(path)).text
    block = styled[styled.index("  address-recheck:\n"):styled.index("  pick-and-pack:\n")]
    assert after == styled.replace(block, "").replace("next: address-recheck\n",
                                                      "next: pick-and-pack\n")


ODD_CHARACTERS = "\x00\x7f\x85\x9f\u2028\u2029\ufeff\ufffe\uffff\"\\\t\r\n \U0001f600"


@pytest.mark.parametrize("text", [*ODD_CHARACTERS, ODD_CHARACTERS, "a\x85b", "yes", "1e3"])
def test_every_text_an_edit_writes_reads_back_as_itself(text: str) -> None:
    # JSON's quoting left DEL and C1 controls raw (YAML refuses them) and a raw
    # NEL (YAML folds it into a space).
    assert compose("k: " + scalar_text(text)).get("k").value == text  # type: ignore[union-attr]


def test_a_rewritten_decision_keeps_when_texts_with_characters_yaml_escapes() -> None:
    path = next(p for p in EXAMPLES if p.stem == "order-to-activation")
    text = re.sub(r"(when: )(.*)", lambda m: f'{m[1]}"{m[2]} \\x7f\\x85"', path.read_text())
    before = loads(text)
    result = simplify(text, str(path), ALL)
    after = loads(result.text)
    assert {b.when for s in after.step_list for b in s.next if b.when} <= \
        {b.when for s in before.step_list for b in s.next if b.when}
    assert all(w.endswith(" \x7f\x85") for s in after.step_list for b in s.next
               if (w := b.when))
    assert result.text != text
