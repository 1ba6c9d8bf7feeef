"""procmap import bpmn / export bpmn (issue 18)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from tests.strategies import workflows

from procmap.analysis.analyze import analyze
from procmap.bpmn import import_bpmn
from procmap.bpmn.from_workflow import export_bpmn
from procmap.bpmn.read import FLOW_NODES
from procmap.bpmn.xml import BPMN, BPMNDI, Element, parse
from procmap.cli import main
from procmap.format.errors import WorkflowError
from procmap.format.loader import load, loads
from procmap.format.model import Workflow

DATA = Path(__file__).parent / "data" / "bpmn"
EXAMPLES = sorted((Path(__file__).parent.parent / "workflows").glob("*.yaml"))


def _import(name: str) -> list[tuple[Workflow, list[tuple[str, str]]]]:
    path = DATA / name
    out = []
    for item in import_bpmn(path.read_bytes(), str(path)):
        workflow = loads(item.text, f"{item.id}.yaml")
        analyze(workflow, simulate=False)  # it must analyse, not only load
        out.append((workflow, [(x.element, x.what) for x in item.losses]))
    return out


def _graph(w: Workflow) -> dict[str, tuple[str, str, list[tuple[str, str | None, float | None]]]]:
    return {s.id: (s.team, s.kind, [(b.to, b.when, b.p) for b in s.next]) for s in w.step_list}


# -- import -------------------------------------------------------------------------


def test_import_lanes_pools_messages_gateways_timer_and_data() -> None:
    [(w, losses)] = _import("order.bpmn")
    assert losses == []
    assert w.id == "order-handling" and w.title == "Order handling"
    assert w.description == "From a customer's order to its invoice."
    assert {t.id: (t.name, t.external) for t in w.teams.values()} == {
        "sales": ("Sales", False), "finance": ("Finance", False),
        "customer": ("Customer", True)}
    assert w.start == "customer-places-the-order"
    assert _graph(w) == {
        "customer-places-the-order": ("customer", "task", [("check-the-order", None, None)]),
        "check-the-order": ("sales", "decision", [("fork", "complete", 0.5),
                                                   ("return-the-order", "${!complete}", 0.5)]),
        "fork": ("finance", "task", [("reserve-stock", None, None),
                                     ("write-the-invoice", None, None)]),
        "reserve-stock": ("finance", "task", [("cooling-off-period", None, None)]),
        "write-the-invoice": ("finance", "task", [("cooling-off-period", None, None)]),
        "cooling-off-period": ("finance", "wait", [("send-the-invoice", None, None)]),
        "send-the-invoice": ("finance", "task", [("customer-receives-the-invoice", None, None)]),
        "customer-receives-the-invoice": ("customer", "task", []),
        "return-the-order": ("sales", "task", []),
    }
    steps = w.steps
    assert steps["cooling-off-period"].wait.likely == 52.0
    assert steps["reserve-stock"].automated is True and steps["check-the-order"].automated is False
    assert steps["check-the-order"].inputs == ("order-form",)
    assert steps["check-the-order"].description == "Compare the order with the price list."
    assert steps["write-the-invoice"].outputs == ("invoice",)
    assert steps["send-the-invoice"].inputs == ("invoice",)
    assert [a.id for a in w.inputs] == ["order-form"] and [a.id for a in w.records] == ["erp"]


def test_guessed_shares_are_marked_in_a_comment() -> None:
    path = DATA / "order.bpmn"
    [item] = import_bpmn(path.read_bytes(), str(path))
    lines = item.text.splitlines()
    at = lines.index("      # p guessed: the model gives no shares for this decision")
    assert lines[at - 1] == "    next:" and lines[at + 1] == "      - to: fork"
    assert lines[:2] == [f"# Imported from {path} by procmap import bpmn.",
                         "# Nothing of the model was lost."]


def test_import_gateways_and_loop_order() -> None:
    [(w, losses)] = _import("gateways.bpmn")
    assert losses == [
        ("who", "inclusive gateway: every branch is taken (procmap has no conditional split)"),
        ("wait_answer", "event-based gateway: read as a decision between the events, "
                        "shares guessed"),
        ("answer", "event trigger (message): kept as a wait without its trigger"),
    ]
    assert list(w.teams) == ["claim-triage"]
    # the decision right after the start is a step of its own
    assert w.start == "kind-of-claim"
    graph = _graph(w)
    assert graph["kind-of-claim"] == ("claim-triage", "decision", [
        ("pay-small-claim", "small", 0.5), ("assess-claim", "large", 0.5)])
    assert graph["assess-claim"][2] == [("legal-check", "above limit", None),
                                        ("fraud-check", "always", None)]
    assert graph["review-the-assessment"][2] == [
        ("customer-answers", "yes", 0.25), ("two-weeks-pass", "yes", 0.25),
        ("rework-the-assessment", "no", 0.5)]
    assert graph["rework-the-assessment"][2] == [("review-the-assessment", None, None)]
    # through the pair of link events
    assert graph["pay-small-claim"][2] == [("close-the-claim", None, None)]
    order = list(w.steps)
    # the loop closes on the way back from rework to review
    assert order.index("review-the-assessment") < order.index("rework-the-assessment")
    assert w.steps["two-weeks-pass"].wait.likely == 14 * 24


def test_import_events_subprocess_markers_and_what_is_lost() -> None:
    [(w, losses)] = _import("events.bpmn")
    assert losses == [
        ("start", "triggered start event: the workflow starts the same whatever the trigger"),
        ("end_escalated", "terminate end event: the workflow just ends there"),
        ("fix", "subprocess flattened: its steps keep its name in their description"),
        ("reminder", "non-interrupting boundary event: read as an alternative branch, "
                     "the parallel work it starts is lost"),
        ("test_units", "multi-instance marker: the step counts once per case"),
        ("cancelled", "boundary event on an expanded subprocess: its exception path is not "
                      "linked (the subprocess is flattened into its steps)"),
        ("call_warranty", "call activity: the called process is not followed; one step "
                          "stands for it"),
        ("call_warranty", "loop marker: the step counts once per case"),
        ("signal_done", "signal intermediate throw event: dropped, the flow goes on"),
        ("on_cancel", "event subprocess: not mapped (procmap has no event-triggered work)"),
        ("note", "text annotation: not mapped (only documentation of flow nodes is kept)"),
    ]
    assert _graph(w) == {
        "diagnose-the-fault": ("service-desk", "decision", [
            ("replace-the-part", None, 0.5), ("escalate-to-the-supplier", "Takes over a day",
                                              0.5)]),
        "replace-the-part": ("workshop", "decision", [
            ("test-every-unit", None, 0.5), ("tell-the-customer-the-status", "Customer asks",
                                             0.5)]),
        "test-every-unit": ("workshop", "task", [("claim-the-warranty", None, None)]),
        "claim-the-warranty": ("workshop", "task", []),
        "tell-the-customer-the-status": ("service-desk", "task", []),
        "escalate-to-the-supplier": ("service-desk", "task", []),
    }
    assert w.steps["test-every-unit"].description == "Part of subprocess: Fix the unit."


def test_import_bpsim_simulation_data() -> None:
    [(w, losses)] = _import("bpsim.bpmn")
    assert losses == []
    review = w.steps["review-the-request"]
    assert (review.touch.likely, review.wait.likely) == (0.75, 48.0)
    assert [(b.to, b.when, b.p) for b in review.next] == [
        ("pay-the-refund", "yes", 0.8), ("explain-the-decline", "no", 0.2)]
    assert w.steps["pay-the-refund"].touch.likely == 1.5
    path = DATA / "bpsim.bpmn"
    assert "# p guessed" not in import_bpmn(path.read_bytes(), str(path))[0].text


MIWG_LOSSES = {
    "A.1.0.bpmn": [[]],
    "A.2.0.bpmn": [[]],
    "A.3.0.bpmn": [[("_428dcbf5-8e5e-48e0-9c0c-d93003fa8c82",
                     "non-interrupting boundary event: read as an alternative branch, the "
                     "parallel work it starts is lost")]],
    "A.4.0.bpmn": [[], [("_ee35fa2c-dfea-40cf-a469-845b765a7b50",
                         "subprocess flattened: its steps keep its name in their description"),
                        ("_f52b6ad0-4dcc-4053-b696-b924dda01db5",
                         "subprocess flattened: its steps keep its name in their description")]],
}


@pytest.mark.parametrize("name", sorted(MIWG_LOSSES))
def test_miwg_reference_models_load_with_losses_listed(name: str) -> None:
    assert [losses for _, losses in _import(f"miwg/{name}")] == MIWG_LOSSES[name]


# -- bad input ----------------------------------------------------------------------

LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
]>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL">&lol2;</definitions>
"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL">&xxe;</definitions>
"""
DOCTYPE_HINT = ("remove the <!DOCTYPE ...> declaration: procmap refuses DTDs and entities, "
                "which can expand without bound or read other files")
MISSING = b"""<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL">
  <process id="p">
    <task id="a" name="A"/>
    <sequenceFlow id="f1" sourceRef="a" targetRef="nowhere"/>
  </process>
</definitions>
"""


@pytest.mark.parametrize(("data", "line", "column", "message", "hint"), [
    (LAUGHS, 2, 1, "the file has a DOCTYPE, which BPMN never needs", DOCTYPE_HINT),
    (XXE, 2, 1, "the file has a DOCTYPE, which BPMN never needs", DOCTYPE_HINT),
    (b"<definitions>\n  <process>\n</definitions>", 3, 3, "not well-formed XML: mismatched tag",
     "fix the XML, or export the model again from its tool"),
    (b"", 1, 1, "not well-formed XML: no element found",
     "fix the XML, or export the model again from its tool"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'/>", 1, 1,
     "not a BPMN 2.0 file: the root element is <svg>",
     "a BPMN file starts with <definitions xmlns=\"http://www.omg.org/spec/BPMN/20100524/"
     "MODEL\">; export the model as BPMN 2.0 XML"),
    (MISSING, 4, 5, "<sequenceFlow id=\"f1\"> refers to 'nowhere', which is not a flow node "
     "or pool of this file", "fix the reference, or export the model again from its tool"),
    # nested past the limit: refused where it goes too deep, not a RecursionError later
    (b"<definitions xmlns='http://www.omg.org/spec/BPMN/20100524/MODEL'>\n" + b"<a>" * 99
     + b"\n <b>" + b"<c>" * 5000 + b"</c>" * 5000 + b"</b>" + b"</a>" * 99
     + b"</definitions>", 3, 2,
     "the elements are nested more than 100 levels deep",
     "a BPMN model needs only a few levels: export it again from its tool"),
    (b"<definitions xmlns='http://www.omg.org/spec/BPMN/20100524/MODEL'/>", 1, 1,
     "the file has no process with flow nodes",
     "a BPMN file needs at least one process with tasks to import"),
])
def test_bad_files_get_a_located_error(data: bytes, line: int, column: int, message: str,
                                       hint: str) -> None:
    with pytest.raises(WorkflowError) as e:
        import_bpmn(data, "m.bpmn")
    [problem] = e.value.problems
    assert (problem.file, problem.line, problem.column, problem.message, problem.hint) == \
        ("m.bpmn", line, column, message, hint)


def test_a_loop_no_decision_leaves_is_an_error_at_its_pool() -> None:
    data = b"""<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL">
  <process id="p" name="Spin">
    <startEvent id="s"/>
    <task id="a" name="A"/>
    <task id="b" name="B"/>
    <sequenceFlow id="f1" sourceRef="s" targetRef="a"/>
    <sequenceFlow id="f2" sourceRef="a" targetRef="b"/>
    <sequenceFlow id="f3" sourceRef="b" targetRef="a"/>
  </process>
</definitions>"""
    with pytest.raises(WorkflowError) as e:
        import_bpmn(data, "spin.bpmn")
    [problem] = e.value.problems
    assert (problem.line, problem.column, problem.message) == (
        2, 3, "pool 'Spin' maps to no valid workflow: steps.b.next: the loop never ends: "
              "no decision branch leads out of 'a', 'b'")


HOSTILE_ATTRIBUTES = """<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:procmap="https://procmap.dev/ns/bpmn/1" procmap:workflow="../../evil">
  <process id="p" name="Evil" procmap:volume="3/week&#10;steps: {}" procmap:records="ok Bad/id">
    <documentation>  indented&#10;# not a comment&#10;\u2028end</documentation>
    <startEvent id="s"/>
    <task id="a" name="A&#10;next: b" procmap:id="a&#10;x: 1" procmap:kind="task&#10;next: b"
          procmap:touch="1h&#10;wait: 9d" procmap:value="nva&#10;" procmap:automated="yes"
          procmap:who="Eve&#10;  next: b" procmap:index="first">
      <documentation>Line one&#13;&#10;\x7f\u0085line two</documentation>
    </task>
    <task id="b" name="B"/>
    <sequenceFlow id="f0" sourceRef="s" targetRef="a"/>
    <sequenceFlow id="f1" sourceRef="a" targetRef="b" procmap:p="nan"/>
  </process>
</definitions>"""


def test_hostile_attributes_and_text_never_reach_the_yaml_unchecked() -> None:
    [item] = import_bpmn(HOSTILE_ATTRIBUTES.encode(), "evil.bpmn")
    w = loads(item.text, "evil.yaml")
    assert item.id == w.id == "evil"  # an export's id that is no id is not used
    assert w.volume is None and [a.id for a in w.records] == ["ok"]
    # documentation is read without the whitespace around it (XML indentation)
    assert w.description == "indented\n# not a comment\n\u2028end"
    a = w.steps["a-next-b"]
    assert (a.title, a.kind, a.touch.likely, a.value, a.automated, a.who) == (
        "A\nnext: b", "task", 0.0, None, False, "Eve\n  next: b")
    assert a.description == "Line one\r\n\x7f\u0085line two"
    assert [(b.to, b.p) for b in a.next] == [("b", None)]


def test_cli_refuses_a_hostile_file_with_exit_2(tmp_path: Path) -> None:
    (tmp_path / "lol.bpmn").write_bytes(LAUGHS)
    result = CliRunner().invoke(main, ["import", "bpmn", str(tmp_path / "lol.bpmn"),
                                       "-o", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert result.output == (f"{tmp_path / 'lol.bpmn'}:2:1: the file has a DOCTYPE, which BPMN "
                             f"never needs\n  hint: {DOCTYPE_HINT}\n")
    assert not (tmp_path / "out").exists()


def test_cli_import_lists_losses_and_strict_writes_nothing(tmp_path: Path) -> None:
    source = str(DATA / "gateways.bpmn")
    strict = CliRunner().invoke(main, ["import", "bpmn", source, "-o", str(tmp_path),
                                       "--strict"])
    assert strict.exit_code == 1
    assert list(tmp_path.iterdir()) == []
    result = CliRunner().invoke(main, ["import", "bpmn", source, "-o", str(tmp_path)])
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        f"{tmp_path / 'claim-triage.yaml'}: 3 not expressed",
        f"  {source}:13:5: who: inclusive gateway: every branch is taken (procmap has no "
        "conditional split)",
        f"  {source}:20:5: wait_answer: event-based gateway: read as a decision between the "
        "events, shares guessed",
        f"  {source}:21:5: answer: event trigger (message): kept as a wait without its trigger",
    ]
    text = (tmp_path / "claim-triage.yaml").read_text()
    assert text.splitlines()[1:5] == [
        "# What the BPMN model says that this workflow cannot (by element id):",
        "#   who (line 13): inclusive gateway: every branch is taken (procmap has no "
        "conditional split)",
        "#   wait_answer (line 20): event-based gateway: read as a decision between the "
        "events, shares guessed",
        "#   answer (line 21): event trigger (message): kept as a wait without its trigger",
    ]
    load(tmp_path / "claim-triage.yaml")


# -- export -------------------------------------------------------------------------


def _check_structure(root: Element) -> None:
    """What bpmn.io needs to open the file as drawn: refs that exist, flows inside
    one process, message flows between pools, a shape or edge for everything."""
    ids = [e.get("id") for e in root.walk() if e.get("id")]
    assert len(ids) == len(set(ids)), "duplicate ids"
    process_of: dict[str, str] = {}
    for process in root.bpmn("process"):
        for el in process.bpmn():
            if el.tag in FLOW_NODES:
                process_of[el.get("id") or ""] = process.get("id") or ""
    flows = {}
    for process in root.bpmn("process"):
        for el in process.bpmn("sequenceFlow"):
            src, dst = el.get("sourceRef"), el.get("targetRef")
            assert process_of[src or ""] == process_of[dst or ""] == process.get("id")
            flows[el.get("id")] = (src, dst)
        for el in process.bpmn():
            for ref in el.bpmn("incoming"):
                assert flows.get(ref.text) is None or flows[ref.text][1] == el.get("id")
            for ref in el.bpmn("outgoing"):
                assert flows.get(ref.text) is None or flows[ref.text][0] == el.get("id")
    collaboration = root.first("collaboration")
    assert collaboration is not None
    participants = {p.get("id"): p.get("processRef") for p in collaboration.bpmn("participant")}
    messages = collaboration.bpmn("messageFlow")
    for m in messages:
        a, b = process_of[m.get("sourceRef") or ""], process_of[m.get("targetRef") or ""]
        assert a != b and a in participants.values() and b in participants.values()
    shapes = {e.get("bpmnElement") for e in root.walk()
              if e.ns == BPMNDI and e.tag == "BPMNShape"}
    edges = {e.get("bpmnElement") for e in root.walk() if e.ns == BPMNDI and e.tag == "BPMNEdge"}
    lanes = {e.get("id") for e in root.walk() if e.ns == BPMN and e.tag == "lane"}
    assert shapes == set(process_of) | set(participants) | lanes
    assert edges == set(flows) | {m.get("id") for m in messages}
    for process in root.bpmn("process"):  # bpmnlint: a start and an end in each process
        tags = {el.tag for el in process.bpmn()}
        if tags & FLOW_NODES:  # (a company whose teams have no steps has only lanes)
            assert {"startEvent", "endEvent"} <= tags, process.get("id")


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_export_of_each_example_is_well_formed_bpmn(example: Path) -> None:
    root = parse(export_bpmn(load(example)), "export.bpmn")
    _check_structure(root)


def _summary(w: Workflow) -> dict[str, Any]:
    """Everything the export keeps, for comparing a round trip."""
    return {
        "id": w.id, "title": w.title, "start": w.start, "owner": w.owner,
        "volume": w.volume, "outputs": [a.id for a in w.outputs],
        "inputs": [a.id for a in w.inputs], "records": [a.id for a in w.records],
        "tags": w.tags, "hours_per_week": w.hours_per_week,
        "teams": [(t.id, t.name, t.external, t.color, t.staff) for t in w.teams.values()],
        "steps": [(s.id, s.title, s.team, s.kind, s.touch, s.wait, s.automated, s.who, s.value,
                   s.systems, s.inputs, s.outputs, (s.description or "").strip() or None,
                   s.requirement, s.instructions, dict(s.waive),
                   [(b.to, b.when, b.p) for b in s.next]) for s in w.step_list],
    }


def _round_trip(w: Workflow) -> Workflow:
    [item] = import_bpmn(export_bpmn(w), "export.bpmn")
    assert item.losses == ()
    return loads(item.text, "back.yaml")


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_round_trip_of_each_example(example: Path) -> None:
    w = load(example)
    assert _summary(_round_trip(w)) == _summary(w)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workflows(), st.sets(st.sampled_from(["a", "b", "c"])))
def test_round_trip_of_random_workflows(data: dict[str, Any], external: set[str]) -> None:
    # some teams outside the company: their steps go to pools of their own
    data["teams"] = {t: {"name": t, "external": True} if t in external else t
                     for t in data["teams"]}
    try:
        w = loads(yaml.safe_dump(data, sort_keys=False), "fuzz.yaml")
    except WorkflowError:
        assume(False)
        return
    assert _summary(_round_trip(w)) == _summary(w)


EXTERNAL_ONLY = """\
procmap: 1
id: outside
title: All outside
teams:
  ours: Our team
  them: {name: Carrier, external: true}
steps:
  ship: {title: Ship the parcel, team: them, touch: 1h}
"""


EVERY_FIELD = """\
procmap: 1
id: every-field
title: "Every field \U0001F69A"
tags: [billing, "\U0001F4B6 money"]
hours_per_week: 37.5
teams:
  ours: {name: "Our team \U0001F69A", color: "#aa0000", staff: 3}
  them: {name: "Carrier \U0001F69A", external: true}
steps:
  pack:
    title: "Pack \U0001F4E6 \\"fragile\\""
    team: ours
    systems: ["SAP \U0001F4BE", Excel]
    requirement: {why: "Insurer asks \u2028 for it", by: Priya Nair}
    instructions: ["Tape it", "Label it \U0001F3F7"]
    waive: {nva-step: "Kept - Priya Nair"}
    next: ship
  ship: {title: Ship the parcel, team: them, touch: 1h}
"""


def test_round_trip_keeps_every_field_and_any_character() -> None:
    w = loads(EVERY_FIELD, "every.yaml")
    assert w.teams["ours"].name == "Our team \U0001F69A" and w.tags[1] == "\U0001F4B6 money"
    assert _summary(_round_trip(w)) == _summary(w)


def test_characters_xml_cannot_hold_are_exported_as_spaces() -> None:
    # ElementTree wrote an ESC raw: a file no BPMN tool, procmap's import
    # included, would open ("not well-formed (invalid token)").
    text = EVERY_FIELD.replace("Pack \U0001F4E6", "Pack \\e[2J\\x01\\uFFFE\\x7f")
    w = loads(text, "odd.yaml")
    assert w.steps["pack"].title.startswith("Pack \x1b[2J\x01\ufffe\x7f")
    back = _round_trip(w)
    assert back.steps["pack"].title == w.steps["pack"].title.replace("\x1b", " ") \
        .replace("\x01", " ").replace("\ufffe", " ")


@pytest.mark.parametrize("text", [
    EXTERNAL_ONLY, EXTERNAL_ONLY.replace("  ours: Our team\n", "")],
    ids=["a-team-without-steps", "no-team-of-ours"])
def test_round_trip_when_every_step_is_external(text: str) -> None:
    w = loads(text, "outside.yaml")
    assert _summary(_round_trip(w)) == _summary(w)
    _check_structure(parse(export_bpmn(w), "outside.bpmn"))


def test_a_task_added_to_an_export_in_another_tool_comes_after_the_exported_steps() -> None:
    w = loads(EXTERNAL_ONLY.replace("ship: {", "pack: {title: Pack, team: ours, next: ship}\n"
                                     "  ship: {"), "outside.yaml")
    data = export_bpmn(w).replace(
        b'<bpmn:laneSet', b'<bpmn:userTask id="Activity_1" name="Added later" />\n<bpmn:laneSet')
    [item] = import_bpmn(data, "edited.bpmn")
    back = loads(item.text, "back.yaml")
    assert list(back.steps) == ["pack", "ship", "added-later"] and back.start == "pack"


def test_cli_export_then_import(tmp_path: Path) -> None:
    example = EXAMPLES[0]
    runner = CliRunner()
    out = runner.invoke(main, ["export", "bpmn", str(example), "-o", str(tmp_path / "x.bpmn")])
    assert out.exit_code == 0 and out.output == ""
    back = runner.invoke(main, ["import", "bpmn", str(tmp_path / "x.bpmn"), "-o",
                                str(tmp_path / "back")])
    assert back.exit_code == 0
    assert back.output == f"{tmp_path / 'back' / (example.stem + '.yaml')}: everything expressed\n"
    assert _summary(load(tmp_path / "back" / f"{example.stem}.yaml")) == _summary(load(example))


def test_cli_export_of_an_invalid_workflow_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("procmap: 1\nid: x\n")
    result = CliRunner().invoke(main, ["export", "bpmn", str(bad)])
    assert result.exit_code == 2
    assert result.output.startswith(f"{bad}:1:1: ")


# -- bpmnlint and bpmn-moddle, where Node is installed -------------------------------

NPM_CACHE = Path.home() / ".cache" / "procmap-tests" / "npm"
LINT = """
const fs = require('fs');
const { BpmnModdle } = require('bpmn-moddle');
const { Linter } = require('bpmnlint');
const NodeResolver = require('bpmnlint/lib/resolver/node-resolver');
(async () => {
  let failed = 0;
  for (const file of process.argv.slice(2)) {
    const { rootElement, warnings } = await new BpmnModdle().fromXML(fs.readFileSync(file, 'utf8'));
    for (const w of warnings) { console.log(file + ': moddle: ' + w.message); failed++; }
    const linter = new Linter({ config: { extends: 'bpmnlint:recommended' },
                                resolver: new NodeResolver() });
    const reports = await linter.lint(rootElement);
    for (const [rule, items] of Object.entries(reports)) {
      for (const r of items) {
        if (r.category !== 'error') continue;
        console.log(file + ': ' + rule + ': ' + r.id + ' ' + r.message);
        failed++;
      }
    }
  }
  process.exit(failed ? 1 : 0);
})().catch(e => { console.log(String(e)); process.exit(1); });
"""


def _npm_tools() -> Path:
    """bpmnlint and bpmn-moddle in a cache outside the repository, installed once."""
    npm, node = shutil.which("npm"), shutil.which("node")
    if npm is None or node is None:
        pytest.skip("Node.js and npm are not installed: bpmnlint cannot run")
    modules = NPM_CACHE / "node_modules"
    if not (modules / "bpmnlint").is_dir() or not (modules / "bpmn-moddle").is_dir():
        NPM_CACHE.mkdir(parents=True, exist_ok=True)
        try:
            done = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--silent",
                                   "--prefix", str(NPM_CACHE), "bpmnlint", "bpmn-moddle"],
                                  capture_output=True, text=True, timeout=300, check=False)
        except subprocess.TimeoutExpired:
            pytest.skip("npm install of bpmnlint timed out")
        if done.returncode != 0:
            pytest.skip(f"npm install of bpmnlint failed: {done.stderr.strip()[:200]}")
    return NPM_CACHE


def test_exports_pass_bpmnlint_recommended_and_parse_with_bpmn_moddle(tmp_path: Path) -> None:
    cache = _npm_tools()
    files = []
    for example in EXAMPLES:
        target = tmp_path / f"{example.stem}.bpmn"
        target.write_bytes(export_bpmn(load(example)))
        files.append(str(target))
    script = cache / "procmap-lint.js"
    script.write_text(LINT)
    done = subprocess.run(["node", str(script), *files], capture_output=True, text=True,
                          cwd=cache, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
