"""Write a workflow as one BPMN 2.0 collaboration with its diagram (BPMNDI).

The company's teams are the lanes of one pool, each external team a pool of
its own; an edge between two pools becomes a message end event, a message
flow and a message start event, since BPMN lets sequence flows stay inside a
pool only. A decision's branches leave an exclusive gateway (its `when` is the
condition), parallel successors a parallel gateway; a step with several
incoming edges waits at a join. Positions come from procmap's own swimlane
layout, with the external teams' lanes moved below the company's pool.

Everything BPMN has no word for (durations, shares, kinds, the procmap ids)
is kept as attributes of procmap's namespace, which BPMN allows on every
element and BPMN tools keep, so that `procmap import bpmn` reads the file
back whole.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass, field

from procmap import __version__
from procmap.analysis.analyze import analyze
from procmap.analysis.graph import Flow
from procmap.bpmn.durations import iso, procmap_duration
from procmap.bpmn.xml import BPMN, BPMNDI, DC, DI, PROCMAP, XSI
from procmap.format.model import Duration, Step, Team, Workflow
from procmap.render.diagram import Diagram, layout

# What XML 1.0 cannot hold even as a character reference: ElementTree writes it
# raw, and every reader (procmap's own import too) refuses the file.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_PREFIXES = {"bpmn": BPMN, "bpmndi": BPMNDI, "dc": DC, "di": DI, "xsi": XSI, "procmap": PROCMAP}
TASK = (90.0, 60.0)
# Centres of what stands between two columns (240 apart), from a step's centre:
# its split gateway or end event, then a message end event; mirrored on the
# left for a join and a message start event, so that nothing overlaps.
NEAR = 72.0
FAR = 123.0
STACK = 40.0  # more message events of one step: one under the other
EVENT = (36.0, 36.0)
GATEWAY = (50.0, 50.0)
POOL_LABEL = 30.0
POOL_GAP = 40.0
BLACK_BOX = 80.0  # height of a pool without lanes or steps


@dataclass(slots=True)
class _Node:
    id: str
    tag: str
    name: str
    process: str
    x: float  # centre
    y: float
    size: tuple[float, float]
    attrs: dict[str, str] = field(default_factory=dict)
    documentation: str | None = None
    event: str | None = None  # an event definition: timerEventDefinition ...
    timer: str | None = None
    incoming: list[str] = field(default_factory=list)
    outgoing: list[str] = field(default_factory=list)

    @property
    def box(self) -> tuple[float, float, float, float]:
        w, h = self.size
        return self.x - w / 2, self.y - h / 2, w, h


@dataclass(frozen=True, slots=True)
class _Seq:
    id: str
    source: str
    target: str
    process: str
    name: str | None = None
    condition: str | None = None
    p: float | None = None


def _duration(d: Duration) -> str:
    if d.fixed:
        return procmap_duration(d.likely)
    return " ".join(procmap_duration(h) for h in (d.low, d.likely, d.high))


def _q(ns: str, tag: str) -> str:
    return f"{{{ns}}}{tag}"


class _Exporter:
    def __init__(self, workflow: Workflow, diagram: Diagram) -> None:
        self.w = workflow
        self.d = diagram
        self.flow = Flow(workflow)
        self.company = f"Process_{workflow.id}"
        self.nodes: dict[str, _Node] = {}
        self.seqs: list[_Seq] = []
        self.messages: list[tuple[str, str, str]] = []
        self.events: dict[str, list[str]] = defaultdict(list)  # step -> its message events
        self.bands = self._bands()
        self.at = {n.step.id: n for n in diagram.nodes}
        self.lane = {ln.team: ln for ln in diagram.lanes}

    # -- where things go ----------------------------------------------------------

    def process_of(self, team: str) -> str:
        return f"Process_{team}" if self.w.teams[team].external else self.company

    def _bands(self) -> dict[str, tuple[float, float]]:
        """Top and height of each team's lane, company lanes first (y downwards)."""
        lanes = {ln.team: ln for ln in self.d.lanes}
        internal = [t for t in self.w.teams if not self.w.teams[t].external]
        external = [t for t in self.w.teams if self.w.teams[t].external]
        bands, top = {}, 0.0
        if not internal:  # the company's pool is empty: a band for it alone
            top = BLACK_BOX
        for t in internal:
            bands[t] = (top, lanes[t].height)
            top += lanes[t].height
        for t in external:
            top += POOL_GAP if top else 0.0
            bands[t] = (top, lanes[t].height)
            top += lanes[t].height
        return bands

    def position(self, step: Step) -> tuple[float, float]:
        node, lane = self.at[step.id], self.lane[step.team]
        old_top = self.d.height - (lane.bottom + lane.height)
        y_down = self.d.height - node.y
        return node.x, y_down - old_top + self.bands[step.team][0]

    # -- nodes and flows ----------------------------------------------------------

    def add(self, node: _Node) -> str:
        self.nodes[node.id] = node
        return node.id

    def seq(self, source: str, target: str, name: str | None = None,
            condition: str | None = None, p: float | None = None) -> None:
        fid = f"Flow_{len(self.seqs) + 1}"
        process = self.nodes[source].process
        self.seqs.append(_Seq(fid, source, target, process, name, condition, p))
        self.nodes[source].outgoing.append(fid)
        self.nodes[target].incoming.append(fid)

    def step_node(self, s: Step) -> _Node:
        x, y = self.position(s)
        attrs = {"id": s.id, "index": str(s.index), "kind": s.kind, "touch": _duration(s.touch),
                 "wait": _duration(s.wait),
                 "automated": "planned" if s.automated == "planned" else str(bool(s.automated))
                 .lower()}
        for key, value in (("who", s.who), ("value", s.value)):
            if value:
                attrs[key] = value
        for key, items in (("inputs", s.inputs), ("outputs", s.outputs)):
            if items:
                attrs[key] = " ".join(items)
        if s.requirement is not None:
            attrs["requirement"] = json.dumps({k: v for k, v in (("why", s.requirement.why),
                                                                 ("by", s.requirement.by)) if v})
        if s.instructions:
            attrs["instructions"] = json.dumps(list(s.instructions))
        if s.waive:
            attrs["waive"] = json.dumps(dict(s.waive))
        if s.systems:
            attrs["systems"] = json.dumps(list(s.systems))
        process = self.process_of(s.team)
        if s.kind == "wait":
            return _Node(f"Step_{s.id}", "intermediateCatchEvent", s.title, process, x, y,
                         EVENT, attrs, s.description, "timerEventDefinition",
                         iso(s.wait.mean))
        tag = "serviceTask" if s.automated is True else "userTask"
        return _Node(f"Step_{s.id}", tag, s.title, process, x, y, TASK, attrs, s.description)

    def build(self) -> None:
        steps = self.w.step_list
        for s in steps:
            self.add(self.step_node(s))
        incoming: dict[str, list[tuple[str, bool]]] = defaultdict(list)  # step -> (from, xor?)
        for u, v in self.flow.edges():
            a, b = self.flow.steps[u], self.flow.steps[v]
            xor = self.flow.p[u, v] is not None or (u, v) in self.flow.rework
            incoming[b.id].append((a.id, xor))
        incoming[self.w.start].append(("", True))
        entry = {s.id: self._entry(s, incoming[s.id]) for s in steps}
        start = self.w.steps[self.w.start]
        x, y = self.position(start)
        joined = entry[start.id] != f"Step_{start.id}"
        first = self.add(_Node("Start", "startEvent", "Start", self.process_of(start.team),
                               x - (FAR if joined else NEAR), y, EVENT))
        self.seq(first, entry[start.id])
        for s in steps:
            self._exit(s, entry)

    def _entry(self, s: Step, sources: list[tuple[str, bool]]) -> str:
        own = f"Step_{s.id}"
        if len(sources) < 2:
            return own
        xor = [x for _, x in sources]
        tag = ("exclusiveGateway" if all(xor) else
               "parallelGateway" if not any(xor) else "inclusiveGateway")
        node = self.nodes[own]
        join = self.add(_Node(f"Join_{s.id}", tag, "", node.process, node.x - NEAR, node.y,
                              GATEWAY))
        self.seq(join, own)
        return join

    def _target(self, s: Step, to: str, entry: dict[str, str], split: bool) -> str:
        """Where a flow from `s` to step `to` ends in s's pool: the step's entry, or
        a message end event when the step is in another pool."""
        t = self.w.steps[to]
        if self.process_of(t.team) == self.process_of(s.team):
            return entry[to]
        src, dst = self.nodes[f"Step_{s.id}"], self.nodes[f"Step_{t.id}"]
        sent, received = len(self.events[src.id]), len(self.events[dst.id])
        send = self.add(_Node(f"Send_{s.id}_to_{t.id}", "endEvent",
                              f"to {self.w.teams[t.team].name}", src.process,
                              src.x + (FAR if split else NEAR), self._aside(s.team, src.y, sent),
                              EVENT,
                              event="messageEventDefinition"))
        receive = self.add(_Node(f"Receive_{s.id}_to_{t.id}", "startEvent",
                                 f"from {self.w.teams[s.team].name}", dst.process,
                                 dst.x - (FAR if entry[to] != dst.id else NEAR),
                                 self._aside(t.team, dst.y, received), EVENT,
                                 event="messageEventDefinition"))
        self.messages.append((f"Message_{len(self.messages) + 1}", send, receive))
        self.events[src.id].append(send)
        self.events[dst.id].append(receive)
        self.seq(receive, entry[to])
        return send

    def _aside(self, team: str, y: float, k: int) -> float:
        """The height of the k-th message event of a step: level with it, then
        below and above in turn, kept inside the lane."""
        top, height = self.bands[team]
        offset = (k + 1) // 2 * STACK * (1 if k % 2 else -1)
        return min(max(y + offset, top + EVENT[1] / 2), top + height - EVENT[1] / 2)

    def _exit(self, s: Step, entry: dict[str, str]) -> None:
        own = self.nodes[f"Step_{s.id}"]
        branches = [b for b in s.next if b.to in self.w.steps]
        if not branches:
            end = self.add(_Node(f"End_{s.id}", "endEvent", "End", own.process, own.x + NEAR,
                                 own.y, EVENT))
            self.seq(own.id, end)
            return
        if len(branches) == 1:
            b = branches[0]
            self.seq(own.id, self._target(s, b.to, entry, False), b.when, None, b.p)
            return
        decision = s.is_decision
        split = self.add(_Node(f"Split_{s.id}",
                               "exclusiveGateway" if decision else "parallelGateway",
                               f"{s.title}?" if decision else "", own.process, own.x + NEAR,
                               own.y, GATEWAY))
        self.seq(own.id, split)
        for b in branches:
            target = self._target(s, b.to, entry, True)
            condition = (b.when or f"share {b.p:g}") if decision else None
            self.seq(split, target, b.when, condition, b.p)

    # -- XML ------------------------------------------------------------------------

    def xml(self) -> bytes:
        for prefix, uri in _PREFIXES.items():
            ET.register_namespace(prefix, uri)
        w = self.w
        root = ET.Element(_q(BPMN, "definitions"), {
            "id": f"Definitions_{w.id}", "targetNamespace": f"https://procmap.dev/workflows/{w.id}",
            "exporter": "procmap", "exporterVersion": __version__, _q(PROCMAP, "workflow"): w.id})
        collab = ET.SubElement(root, _q(BPMN, "collaboration"), {"id": "Collaboration"})
        internal = [t for t in w.teams.values() if not t.external]
        external = [t for t in w.teams.values() if t.external]
        pools: list[tuple[str, str, str | None]] = []  # participant, process, team
        # The company's pool always: it carries the workflow's title, and its
        # fields when no step is the company's (a black-box pool then).
        company = ET.SubElement(collab, _q(BPMN, "participant"),
                                {"id": f"Pool_{w.id}", "name": w.title})
        if internal or any(n.process == self.company for n in self.nodes.values()):
            company.set("processRef", self.company)
        else:
            self._fields(company)
        pools.append((f"Pool_{w.id}", self.company, None))
        for t in external:
            attrs = {"id": f"Pool_team_{t.id}", "name": t.name, _q(PROCMAP, "id"): t.id,
                     _q(PROCMAP, "index"): str(list(w.teams).index(t.id)),
                     _q(PROCMAP, "external"): "true", **_team_attrs(t.color, t.staff)}
            process = f"Process_{t.id}"
            if any(n.process == process for n in self.nodes.values()):
                attrs["processRef"] = process
            ET.SubElement(collab, _q(BPMN, "participant"), attrs)
            pools.append((attrs["id"], process, t.id))
        for mid, source, target in self.messages:
            ET.SubElement(collab, _q(BPMN, "messageFlow"),
                          {"id": mid, "sourceRef": source, "targetRef": target})
        for _, process, team in pools:
            members = [n for n in self.nodes.values() if n.process == process]
            if not members and (team is not None or not internal):
                continue
            self._process(root, process, team, members, internal)
        root.append(self._diagram(pools))
        ET.indent(root)
        _xml_only(root)
        data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
        return data + b"\n"

    def _process(self, root: ET.Element, pid: str, team: str | None, members: list[_Node],
                 internal: list[Team]) -> None:
        w = self.w
        process = ET.SubElement(root, _q(BPMN, "process"), {"id": pid, "isExecutable": "false"})
        if team is None:
            self._fields(process)
        if team is None and internal:
            lane_set = ET.SubElement(process, _q(BPMN, "laneSet"), {"id": "LaneSet"})
            for t in w.teams.values():
                if t.external:
                    continue
                lane = ET.SubElement(lane_set, _q(BPMN, "lane"), {
                    "id": f"Lane_{t.id}", "name": t.name, _q(PROCMAP, "id"): t.id,
                    _q(PROCMAP, "index"): str(list(w.teams).index(t.id)),
                    **_team_attrs(t.color, t.staff)})
                for n in members:
                    if self._team_of(n) == t.id:
                        ET.SubElement(lane, _q(BPMN, "flowNodeRef")).text = n.id
        for n in members:
            el = ET.SubElement(process, _q(BPMN, n.tag), {
                "id": n.id, **({"name": n.name} if n.name else {}),
                **{_q(PROCMAP, k): v for k, v in n.attrs.items()}})
            if n.documentation:
                ET.SubElement(el, _q(BPMN, "documentation")).text = n.documentation
            for ref in n.incoming:
                ET.SubElement(el, _q(BPMN, "incoming")).text = ref
            for ref in n.outgoing:
                ET.SubElement(el, _q(BPMN, "outgoing")).text = ref
            if n.event:
                ev = ET.SubElement(el, _q(BPMN, n.event), {"id": f"{n.id}_trigger"})
                if n.timer:
                    ET.SubElement(ev, _q(BPMN, "timeDuration"),
                                  {_q(XSI, "type"): "bpmn:tFormalExpression"}).text = n.timer
        for f in self.seqs:
            if f.process != pid:
                continue
            flow_attrs = {"id": f.id, "sourceRef": f.source, "targetRef": f.target}
            if f.name:
                flow_attrs["name"] = f.name
            if f.p is not None:
                flow_attrs[_q(PROCMAP, "p")] = repr(f.p)
            flow = ET.SubElement(process, _q(BPMN, "sequenceFlow"), flow_attrs)
            if f.condition:
                ET.SubElement(flow, _q(BPMN, "conditionExpression"),
                              {_q(XSI, "type"): "bpmn:tFormalExpression"}).text = f.condition

    def _fields(self, el: ET.Element) -> None:
        """The workflow's own fields, on the company's process (or pool)."""
        w = self.w
        for key, value in (("owner", w.owner),
                           ("volume", f"{w.volume.count:g}/{w.volume.period}"
                            if w.volume else None),
                           ("outputs", " ".join(a.id for a in w.outputs)),
                           ("inputs", " ".join(a.id for a in w.inputs)),
                           ("records", " ".join(a.id for a in w.records)),
                           ("tags", json.dumps(list(w.tags)) if w.tags else None),
                           ("hours-per-week", f"{w.hours_per_week:g}"
                            if w.hours_per_week != 40 else None)):
            if value:
                el.set(_q(PROCMAP, key), value)
        if w.description:
            ET.SubElement(el, _q(BPMN, "documentation")).text = w.description

    def _team_of(self, n: _Node) -> str:
        """The lane of a node: its step's team, or the team of the step it serves."""
        for prefix in ("Step_", "Join_", "Split_", "End_"):
            if n.id.startswith(prefix):
                return self.w.steps[n.id.removeprefix(prefix)].team
        if n.id.startswith(("Send_", "Receive_")):
            a, _, b = n.id.split("_", 1)[1].partition("_to_")
            return self.w.steps[a if n.id.startswith("Send_") else b].team
        return self.w.steps[self.w.start].team  # the start event

    def _diagram(self, pools: list[tuple[str, str, str | None]]) -> ET.Element:
        diagram = ET.Element(_q(BPMNDI, "BPMNDiagram"), {"id": "Diagram"})
        plane = ET.SubElement(diagram, _q(BPMNDI, "BPMNPlane"),
                              {"id": "Plane", "bpmnElement": "Collaboration"})
        width = self.d.width
        for participant, _, team in pools:
            if team is None:
                teams = [t for t in self.w.teams if not self.w.teams[t].external]
                top = self.bands[teams[0]][0] if teams else 0.0
                height = sum(self.bands[t][1] for t in teams) if teams else BLACK_BOX
            else:
                top, height = self.bands[team]
            _shape(plane, participant, (0.0, top, width, height), horizontal=True)
        for t, info in self.w.teams.items():
            if not info.external:
                top, height = self.bands[t]
                _shape(plane, f"Lane_{t}", (POOL_LABEL, top, width - POOL_LABEL, height),
                       horizontal=True)
        for n in self.nodes.values():
            _shape(plane, n.id, n.box)
        for f in self.seqs:
            _edge(plane, f.id, _waypoints(self.nodes[f.source], self.nodes[f.target]))
        for mid, source, target in self.messages:
            _edge(plane, mid, _vertical(self.nodes[source], self.nodes[target]))
        return diagram


def _xml_only(root: ET.Element) -> None:
    """Characters XML cannot carry as spaces, as in procmap's drawings: no one
    means an ESC in a title, and the file must open in every BPMN tool."""
    for el in root.iter():
        el.attrib.update({k: _NOT_XML.sub(" ", v) for k, v in el.attrib.items()
                          if _NOT_XML.search(v)})
        if el.text and _NOT_XML.search(el.text):
            el.text = _NOT_XML.sub(" ", el.text)


def _team_attrs(color: str | None, staff: float | None) -> dict[str, str]:
    out = {}
    if color:
        out[_q(PROCMAP, "color")] = color
    if staff is not None:
        out[_q(PROCMAP, "staff")] = f"{staff:g}"
    return out


def _shape(plane: ET.Element, element: str, box: tuple[float, float, float, float],
           horizontal: bool = False) -> None:
    attrs = {"id": f"{element}_di", "bpmnElement": element}
    if horizontal:
        attrs["isHorizontal"] = "true"
    shape = ET.SubElement(plane, _q(BPMNDI, "BPMNShape"), attrs)
    x, y, w, h = box
    ET.SubElement(shape, _q(DC, "Bounds"),
                  {"x": f"{x:g}", "y": f"{y:g}", "width": f"{w:g}", "height": f"{h:g}"})


def _edge(plane: ET.Element, element: str, points: list[tuple[float, float]]) -> None:
    edge = ET.SubElement(plane, _q(BPMNDI, "BPMNEdge"),
                         {"id": f"{element}_di", "bpmnElement": element})
    for x, y in points:
        ET.SubElement(edge, _q(DI, "waypoint"), {"x": f"{x:g}", "y": f"{y:g}"})


def _waypoints(a: _Node, b: _Node) -> list[tuple[float, float]]:
    ax, ay, aw, ah = a.box
    bx, by, _, bh = b.box
    if bx >= ax + aw:  # forwards: out on the right, in on the left, bent in the middle
        sx, tx = ax + aw, bx
        if abs(a.y - b.y) < 1:
            return [(sx, a.y), (tx, b.y)]
        mid = (sx + tx) / 2
        return [(sx, a.y), (mid, a.y), (mid, b.y), (tx, b.y)]
    low = max(ay + ah, by + bh) + 25  # backwards (rework): under both
    return [(a.x, ay + ah), (a.x, low), (b.x, low), (b.x, by + bh)]


def _vertical(a: _Node, b: _Node) -> list[tuple[float, float]]:
    _, ay, _, ah = a.box
    _, by, _, bh = b.box
    if b.y >= a.y:
        start, end = (a.x, ay + ah), (b.x, by)
    else:
        start, end = (a.x, ay), (b.x, by + bh)
    mid = (start[1] + end[1]) / 2
    return [start, (a.x, mid), (b.x, mid), end]


def export_bpmn(workflow: Workflow) -> bytes:
    """The BPMN 2.0 XML of a loaded workflow, laid out as `procmap render` draws it."""
    exporter = _Exporter(workflow, layout(analyze(workflow, simulate=False)))
    exporter.build()
    return exporter.xml()
