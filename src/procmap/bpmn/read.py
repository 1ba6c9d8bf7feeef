"""Read a BPMN 2.0 file into a small model: pools, lanes, flow nodes, flows, data.

Only what the mapping to procmap needs is kept, each piece with its element
so that losses and errors can name the element id and its line.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from procmap.bpmn.xml import BPMN, Element, error_at, parse

ACTIVITIES = frozenset({"task", "userTask", "manualTask", "serviceTask", "scriptTask",
                        "sendTask", "receiveTask", "businessRuleTask", "callActivity",
                        "subProcess", "adHocSubProcess", "transaction"})
SUBPROCESSES = frozenset({"subProcess", "adHocSubProcess", "transaction"})
GATEWAYS = frozenset({"exclusiveGateway", "parallelGateway", "inclusiveGateway",
                      "eventBasedGateway", "complexGateway"})
EVENTS = frozenset({"startEvent", "endEvent", "intermediateCatchEvent",
                    "intermediateThrowEvent", "boundaryEvent"})
FLOW_NODES = ACTIVITIES | GATEWAYS | EVENTS


@dataclass(frozen=True, slots=True)
class Node:
    id: str
    type: str  # the BPMN local name: userTask, exclusiveGateway, boundaryEvent ...
    name: str
    el: Element
    process: str
    parent: str | None  # the subprocess that holds it, if any
    events: tuple[str, ...]  # event definitions: timerEventDefinition ...
    attached_to: str | None = None  # boundary events

    @property
    def documentation(self) -> str:
        return "\n\n".join(d.text.strip() for d in self.el.bpmn("documentation")
                           if d.text.strip())

    @property
    def timer(self) -> str | None:
        """The ISO 8601 duration of a timer event, if it has one."""
        for d in self.el.bpmn("timerEventDefinition"):
            for child in d.bpmn("timeDuration"):
                return child.text.strip() or None
        return None


@dataclass(frozen=True, slots=True)
class Flow:
    id: str
    source: str
    target: str
    name: str
    condition: str | None
    el: Element
    message: bool = False


@dataclass(frozen=True, slots=True)
class Lane:
    id: str
    name: str
    el: Element
    process: str


@dataclass(frozen=True, slots=True)
class Pool:
    id: str  # the participant, or the process when there is no collaboration
    name: str
    process: str | None
    el: Element


@dataclass(frozen=True, slots=True)
class Data:
    id: str  # the reference on the diagram; its object or store gives the name
    name: str
    store: bool
    el: Element


@dataclass(frozen=True, slots=True)
class Model:
    file: str
    root: Element
    pools: tuple[Pool, ...]
    processes: dict[str, Element]
    nodes: dict[str, Node]  # document order
    flows: dict[str, Flow]  # sequence flows
    messages: tuple[Flow, ...]
    lanes: dict[str, Lane]
    lane_of: dict[str, str]  # node id -> lane id (inner nodes take their subprocess's)
    data: dict[str, Data]
    reads: dict[str, list[str]] = field(default_factory=dict)  # node id -> data ids
    writes: dict[str, list[str]] = field(default_factory=dict)
    outgoing: dict[str, list[Flow]] = field(default_factory=dict)
    incoming: dict[str, list[Flow]] = field(default_factory=dict)
    boundary: dict[str, list[Node]] = field(default_factory=dict)  # activity -> its events

    def pool_of(self, ref: str) -> Pool | None:
        """The pool a message flow end names: a participant or a node in its process."""
        node = self.nodes.get(ref)
        for pool in self.pools:
            if pool.id == ref or (node is not None and pool.process == node.process):
                return pool
        return None


def read(data: bytes, file: str) -> Model:
    root = parse(data, file)
    if root.ns != BPMN or root.tag != "definitions":
        raise error_at(file, root, f"not a BPMN 2.0 file: the root element is <{root.tag}>",
                       f"a BPMN file starts with <definitions xmlns=\"{BPMN}\">; export the "
                       "model as BPMN 2.0 XML")
    return _Reader(file, root).model()


class _Reader:
    def __init__(self, file: str, root: Element) -> None:
        self.file = file
        self.root = root
        self.nodes: dict[str, Node] = {}
        self.flows: dict[str, Flow] = {}
        self.lanes: dict[str, Lane] = {}
        self.lane_of: dict[str, str] = {}
        self.data: dict[str, Data] = {}
        self.reads: dict[str, list[str]] = defaultdict(list)
        self.writes: dict[str, list[str]] = defaultdict(list)
        self.ids: dict[str, Element] = {}

    def _id(self, el: Element) -> str:
        ident = el.get("id")
        if not ident:
            raise error_at(self.file, el, f"<{el.tag}> has no id",
                           "every BPMN element that others refer to needs an id attribute")
        return ident

    def model(self) -> Model:
        for el in self.root.walk():
            if el.get("id"):
                self.ids.setdefault(el.get("id"), el)  # type: ignore[arg-type]
        processes = {self._id(p): p for p in self.root.bpmn("process")}
        for pid, process in processes.items():
            self._container(process, pid, None)
            for lane_set in process.bpmn("laneSet"):
                self._lanes(lane_set, pid)
        for node in list(self.nodes.values()):
            if node.parent and node.id not in self.lane_of and node.parent in self.lane_of:
                self.lane_of[node.id] = self.lane_of[node.parent]
        pools = self._pools(processes)
        messages = tuple(self._flow(m, True) for c in self.root.bpmn("collaboration")
                         for m in c.bpmn("messageFlow"))
        for m in messages:
            for end in (m.source, m.target):
                if end not in self.nodes and all(p.id != end for p in pools):
                    raise self._missing(m.el, end)
        outgoing: dict[str, list[Flow]] = defaultdict(list)
        incoming: dict[str, list[Flow]] = defaultdict(list)
        for flow in self.flows.values():
            for end in (flow.source, flow.target):
                if end not in self.nodes:
                    raise self._missing(flow.el, end)
            outgoing[flow.source].append(flow)
            incoming[flow.target].append(flow)
        boundary: dict[str, list[Node]] = defaultdict(list)
        for node in self.nodes.values():
            if node.attached_to is not None:
                if node.attached_to not in self.nodes:
                    raise self._missing(node.el, node.attached_to)
                boundary[node.attached_to].append(node)
        return Model(self.file, self.root, pools, processes, self.nodes, self.flows, messages,
                     self.lanes, self.lane_of, self.data, dict(self.reads), dict(self.writes),
                     dict(outgoing), dict(incoming), dict(boundary))

    def _missing(self, el: Element, ref: str) -> Exception:
        return error_at(self.file, el, f"<{el.tag} id=\"{el.get('id')}\"> refers to "
                        f"'{ref}', which is not a flow node or pool of this file",
                        "fix the reference, or export the model again from its tool")

    def _pools(self, processes: dict[str, Element]) -> tuple[Pool, ...]:
        pools = []
        named = set()
        for collaboration in self.root.bpmn("collaboration"):
            for p in collaboration.bpmn("participant"):
                ref = p.get("processRef")
                if ref is not None and ref not in processes:
                    raise self._missing(p, ref)
                name = p.get("name") or (processes[ref].get("name") if ref else None)
                pools.append(Pool(self._id(p), name or self._id(p), ref, p))
                named.add(ref)
        for pid, process in processes.items():
            if pid not in named:
                pools.append(Pool(pid, process.get("name") or pid, pid, process))
        return tuple(pools)

    def _lanes(self, lane_set: Element, pid: str) -> None:
        for lane in lane_set.bpmn("lane"):
            children = lane.bpmn("childLaneSet")
            if children:  # nested lanes: the innermost ones are the teams
                for child in children:
                    self._lanes(child, pid)
                continue
            lid = self._id(lane)
            self.lanes[lid] = Lane(lid, lane.get("name") or lid, lane, pid)
            for ref in lane.bpmn("flowNodeRef"):
                self.lane_of.setdefault(ref.text.strip(), lid)

    def _flow(self, el: Element, message: bool) -> Flow:
        condition = el.first("conditionExpression")
        text = condition.text.strip() if condition is not None else None
        source, target = el.get("sourceRef"), el.get("targetRef")
        if not source or not target:
            raise error_at(self.file, el, f"<{el.tag} id=\"{el.get('id')}\"> lacks its "
                           "sourceRef or targetRef", "every flow connects two elements")
        return Flow(self._id(el), source, target, (el.get("name") or "").strip(),
                    text or None, el, message)

    def _container(self, container: Element, pid: str, parent: str | None) -> None:
        for el in container.bpmn():
            if el.tag in FLOW_NODES:
                nid = self._id(el)
                events = tuple(c.tag for c in el.bpmn() if c.tag.endswith("EventDefinition"))
                self.nodes[nid] = Node(nid, el.tag, (el.get("name") or "").strip(), el, pid,
                                       parent, events, el.get("attachedToRef"))
                self._associations(el, nid)
                if el.tag in SUBPROCESSES:
                    self._container(el, pid, nid)
            elif el.tag == "sequenceFlow":
                self.flows[self._id(el)] = self._flow(el, False)
            elif el.tag in ("dataObjectReference", "dataStoreReference"):
                target = self.ids.get(el.get("dataObjectRef") or el.get("dataStoreRef") or "")
                name = el.get("name") or (target.get("name") if target is not None else None)
                did = self._id(el)
                self.data[did] = Data(did, name or did, el.tag == "dataStoreReference", el)

    def _associations(self, el: Element, nid: str) -> None:
        for a in el.bpmn("dataInputAssociation"):
            for ref in a.bpmn("sourceRef"):
                self.reads[nid].append(ref.text.strip())
        for a in el.bpmn("dataOutputAssociation"):
            for ref in a.bpmn("targetRef"):
                self.writes[nid].append(ref.text.strip())
