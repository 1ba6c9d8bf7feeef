"""Map a BPMN model to procmap workflows, one per pool, and write them as YAML.

Steps are the activities and the waiting events; gateways fold into the step
before them (an exclusive gateway makes it a decision, a parallel one a
parallel `next`), and become steps of their own only where folding cannot say
the same thing (a decision right after a parallel split, or at the start).
Files written by `procmap export bpmn` carry procmap attributes that give
back ids, durations, shares and the external teams' steps exactly.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from procmap.bpmn import attrs
from procmap.bpmn import losses as L
from procmap.bpmn.bpsim import Parameters, read_bpsim
from procmap.bpmn.durations import iso_hours, procmap_duration
from procmap.bpmn.losses import Loss
from procmap.bpmn.read import ACTIVITIES, SUBPROCESSES, Flow, Model, Node, Pool, read
from procmap.bpmn.xml import Element, error_at
from procmap.bpmn.yamlout import Branch, Step, Team, WorkflowText, emit
from procmap.format.errors import WorkflowError
from procmap.format.loader import loads

XOR = "xor"
AND = "and"
_FAMILY = {"exclusiveGateway": XOR, "eventBasedGateway": XOR, "complexGateway": XOR,
           "parallelGateway": AND, "inclusiveGateway": AND}
_SPLIT_LOSS = {"inclusiveGateway": L.INCLUSIVE, "eventBasedGateway": L.EVENT_BASED,
               "complexGateway": L.COMPLEX}
_AUTOMATED = {"serviceTask", "scriptTask", "businessRuleTask", "sendTask"}
_WAITS = {"intermediateCatchEvent"}
_AUTOMATED_VALUES = frozenset({"true", "false", "planned"})
_VALUES = frozenset({"va", "bva", "nva"})


@dataclass(frozen=True, slots=True)
class Imported:
    id: str
    text: str  # the YAML, losses listed in a comment block at the top
    losses: tuple[Loss, ...]


def import_bpmn(data: bytes, file: str) -> tuple[Imported, ...]:
    """The workflows of a BPMN file; WorkflowError (with positions) when it cannot be read."""
    model = read(data, file)
    ours = model.root.ext("workflow") is not None
    scopes = _scopes(model, ours)
    if not scopes:
        raise error_at(file, model.root, "the file has no process with flow nodes",
                       "a BPMN file needs at least one process with tasks to import")
    used: set[str] = set()
    out = []
    for pool, processes in scopes:
        builder = _Builder(model, pool, processes, ours)
        text, wid, losses = builder.build(used)
        used.add(wid)
        try:
            loads(text, f"{file}#{wid}")
        except WorkflowError as e:  # a shape procmap cannot express: name the element
            message = e.problems[0].message
            hint = ("procmap needs every loop to end through a decision; add an exclusive "
                    "gateway that leaves the loop" if "loop never ends" in message else
                    "procmap cannot express this model; please report it with the file")
            raise error_at(file, pool.el, f"pool '{pool.name}' maps to no valid workflow: "
                           f"{message}", hint) from None
        out.append(Imported(wid, text, tuple(losses)))
    return tuple(out)


def _scopes(model: Model, ours: bool) -> list[tuple[Pool, list[str]]]:
    """The pools that become workflows, each with the processes its steps come from."""
    def has_nodes(pool: Pool) -> bool:
        return any(n.process == pool.process for n in model.nodes.values())

    if ours:
        # An export of procmap: the external teams' pools belong to the one workflow.
        company = [p for p in model.pools if p.el.ext("external") != "true"]
        processes = [p.process for p in model.pools if p.process and has_nodes(p)]
        return [(company[0] if company else model.pools[0], processes)] if processes else []
    return [(p, [p.process]) for p in model.pools if p.process and has_nodes(p)]


def slug(text: str) -> str:
    out = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return out or "x"


def _unique(base: str, used: set[str]) -> str:
    name, n = base, 2
    while name in used:
        name, n = f"{base}-{n}", n + 1
    used.add(name)
    return name


@dataclass(slots=True)
class _Target:
    node: str
    when: str | None
    p: float | None
    guessed: bool


class _Mismatch(Exception):
    """A split that cannot fold into the step before it: it becomes a step."""

    def __init__(self, node: str) -> None:
        self.node = node


@dataclass
class _Builder:
    model: Model
    pool: Pool
    processes: list[str]
    ours: bool
    losses: list[Loss] = field(default_factory=list)
    promoted: set[str] = field(default_factory=set)  # gateways and events made steps
    team_ids: set[str] = field(default_factory=set)
    teams: dict[str, Team] = field(default_factory=dict)  # by BPMN lane/pool id
    lost: set[tuple[str, str]] = field(default_factory=set)
    sim: dict[str, Parameters] = field(default_factory=dict)

    children: dict[str, list[Node]] = field(default_factory=dict)  # subprocess -> nodes
    sent: dict[str, list[Flow]] = field(default_factory=dict)  # node -> its message flows

    def __post_init__(self) -> None:
        self.sim = read_bpsim(self.model.root)
        for n in self.model.nodes.values():
            if n.parent is not None:
                self.children.setdefault(n.parent, []).append(n)
        for m in self.model.messages:
            self.sent.setdefault(m.source, []).append(m)

    def lose(self, el: Element, what: str) -> None:
        key = (el.get("id") or "", what)
        if key not in self.lost:
            self.lost.add(key)
            self.losses.append(Loss(el.get("id") or f"<{el.tag}>", el.line, el.column, what))

    # -- which nodes are steps ------------------------------------------------

    def in_scope(self, node: Node) -> bool:
        return node.process in self.processes and not self._in_event_subprocess(node)

    def _in_event_subprocess(self, node: Node) -> bool:
        parent = node.parent
        while parent is not None:
            sub = self.model.nodes[parent]
            if sub.el.get("triggeredByEvent") == "true":
                return True
            parent = sub.parent
        return False

    def _expanded(self, node: Node) -> bool:
        return node.type in SUBPROCESSES and node.id in self.children

    def is_step(self, node: Node) -> bool:
        if node.id in self.promoted:
            return True
        if node.type in ACTIVITIES:
            return not self._expanded(node) and node.el.get("triggeredByEvent") != "true"
        if node.type in ("intermediateThrowEvent", "endEvent") and not self.ours:
            # sending a message to another pool is a handoff: a step says so
            return any(not self._here(m.target) for m in self.sent.get(node.id, []))
        return node.type in _WAITS and not self._link(node)

    def _here(self, ref: str) -> bool:
        node = self.model.nodes.get(ref)
        return node is not None and self.in_scope(node)

    @staticmethod
    def _link(node: Node) -> bool:
        return node.events == ("linkEventDefinition",)

    @staticmethod
    def _link_name(node: Node) -> str:
        definition = node.el.first("linkEventDefinition")
        return (definition.get("name") if definition is not None else None) or node.name

    def _link_targets(self, node: Node) -> list[Node]:
        name = self._link_name(node)
        return [n for n in self.model.nodes.values()
                if n.type == "intermediateCatchEvent" and self._link(n)
                and n.process == node.process and self._link_name(n) == name]

    # -- walking from a step to the steps that follow it ----------------------

    def _flow_p(self, flow: Flow) -> float | None:
        p = attrs.number(flow.el, "p", 0.0, 1.0)
        if p is None and flow.id in self.sim:
            return self.sim[flow.id].probability
        return p

    def _when(self, flow: Flow) -> str | None:
        if self.ours:
            return flow.name or None
        return flow.name or flow.condition or None

    def _messages_from(self, node: Node) -> list[Node]:
        """In-scope targets of the message flows leaving this node."""
        out = []
        for m in self.sent.get(node.id, []):
            target = self.model.nodes.get(m.target)
            if target is not None and self.in_scope(target):
                out.append(target)
        return out

    def targets_of(self, flows: list[Flow], family: str | None, p: float | None,
                   when: str | None, guessed: bool, path: frozenset[str],
                   gateway: Node | None = None) -> list[_Target]:
        out: list[_Target] = []
        split = len(flows) > 1
        fam = family
        if split:
            fam = _FAMILY.get(gateway.type, AND) if gateway is not None else AND
            if family is not None and fam != family and gateway is not None:
                raise _Mismatch(gateway.id)
            if gateway is not None and gateway.type in _SPLIT_LOSS:
                self.lose(gateway.el, _SPLIT_LOSS[gateway.type])
        for flow in flows:
            bp = self._flow_p(flow)
            g = guessed
            if bp is None and split and fam == XOR:
                bp, g = 1 / len(flows), True
            if gateway is None and flow.condition and split and not self.ours:
                self.lose(flow.el, L.CONDITIONAL)
            np = p if bp is None else (bp if p is None else p * bp)
            branch = self._when(flow)
            nw = " / ".join(w for w in (when, branch) if w) or None
            out.extend(self.walk(flow.target, fam, np, nw, g, path))
        return out

    def walk(self, nid: str, family: str | None, p: float | None, when: str | None,
             guessed: bool, path: frozenset[str]) -> list[_Target]:
        node = self.model.nodes[nid]
        if not self.in_scope(node):
            return []
        if self.is_step(node):
            return [_Target(nid, when, p, guessed)]
        if nid in path:  # a loop of gateways with no step on it
            return []
        path = path | {nid}
        outgoing = self.model.outgoing.get(nid, [])
        if node.type in SUBPROCESSES:  # expanded: enter at its start
            self.lose(node.el, L.SUBPROCESS)
            inner = self.children.get(nid, [])
            starts = [n for n in inner if n.type == "startEvent"] or \
                [n for n in inner if not self.model.incoming.get(n.id) and n.attached_to is None]
            out = []
            for s in starts:
                out.extend(self.walk(s.id, family, p, when, guessed, path))
            return out
        if node.type == "intermediateThrowEvent" and self._link(node):
            # a link is a "go to": the flow goes on at the catch of the same name
            out = []
            for target in self._link_targets(node):
                out.extend(self.walk(target.id, family, p, when, guessed, path))
            return out
        if node.type == "endEvent" or (node.type == "intermediateThrowEvent" and not outgoing):
            across = self._messages_from(node)
            if across:
                out = []
                for target in across:
                    out.extend(self.walk(target.id, family, p, when, guessed, path))
                return out
            if node.parent is not None:  # the end of a subprocess: go on after it
                sub = self.model.nodes[node.parent]
                return self.targets_of(self.model.outgoing.get(sub.id, []), family, p, when,
                                       guessed, path)
            self._end_loss(node)
            if family == XOR and p is not None:  # a decision branch that ends the workflow
                self.promoted.add(nid)
                return [_Target(nid, when, p, guessed)]
            return []
        if node.type == "intermediateThrowEvent" and node.events:
            self.lose(node.el, L.THROW.format(what=_trigger(node)))
        elif node.type == "intermediateThrowEvent":
            self.lose(node.el, L.THROW.format(what="blank"))
        if node.type in _FAMILY:
            return self.targets_of(outgoing, family, p, when, guessed, path, node)
        if not outgoing and node.type != "startEvent":
            self.lose(node.el, L.DANGLING)
        return self.targets_of(outgoing, family, p, when, guessed, path)

    def _end_loss(self, node: Node) -> None:
        events = [e for e in node.events if e != "messageEventDefinition"]
        if events:
            self.lose(node.el, L.END_TRIGGER.format(what=_trigger(node)))

    # -- a step's successors ----------------------------------------------------

    def successors(self, node: Node) -> list[_Target]:
        outgoing = self.model.outgoing.get(node.id, [])
        if node.type in _FAMILY:  # a gateway that is a step: its split is its decision
            normal = self.targets_of(outgoing, None, None, None, False, frozenset({node.id}),
                                     node)
        elif node.type == "endEvent":
            normal = []
        else:
            normal = self.targets_of(outgoing, None, None, None, False, frozenset({node.id}))
        events = [b for b in self.model.boundary.get(node.id, []) if self.in_scope(b)]
        if not events:
            return normal
        return self._with_boundary(node, normal, events)

    def _with_boundary(self, node: Node, normal: list[_Target],
                       events: list[Node]) -> list[_Target]:
        decision = any(t.p is not None for t in normal)
        if len(normal) > 1 and not decision:
            for b in events:
                self.lose(b.el, L.BOUNDARY_PARALLEL)
            return normal
        share = 1 / (len(events) + 1)
        out = [_Target(t.node, t.when, (t.p if t.p is not None else 1.0) * share, True)
               for t in normal]
        for b in events:
            if b.el.get("cancelActivity") == "false":
                self.lose(b.el, L.NON_INTERRUPTING)
            label = b.name or (f"{_trigger(b)} event" if b.events else "exception")
            flows = self.model.outgoing.get(b.id, [])
            if not flows:
                self.lose(b.el, L.DANGLING)
                continue
            if not normal:
                self.lose(b.el, L.BOUNDARY_END)
                out.extend(self.targets_of(flows, None, None, label, False,
                                           frozenset({b.id})))
                continue
            out.extend(self.targets_of(flows, XOR, share, label, True, frozenset({b.id})))
        return out

    # -- the workflow -------------------------------------------------------------

    def _starts(self) -> list[Node]:
        """The start events where a case begins: not those a message from a step of
        this workflow triggers, blank ones first."""
        inner = {m.target for m in self.model.messages
                 if m.source in self.model.nodes and self.in_scope(self.model.nodes[m.source])}
        starts = [n for n in self.model.nodes.values() if n.type == "startEvent"
                  and n.parent is None and self.in_scope(n) and n.id not in inner]
        return sorted(starts, key=lambda n: bool(n.events))

    def _graph(self) -> tuple[dict[str, list[_Target]], list[_Target]]:
        """Each step's successors and the workflow's first steps; promotes the
        splits that cannot fold until everything folds."""
        while True:
            try:
                nodes = [n for n in self.model.nodes.values()
                         if self.in_scope(n) and self.is_step(n)]
                succ = {n.id: self.successors(n) for n in nodes}
                starts = self._starts()
                first: list[_Target] = []
                if starts:
                    first = self.targets_of(self.model.outgoing.get(starts[0].id, []), None,
                                            None, None, False, frozenset({starts[0].id}))
                    if len(first) > 1:
                        raise _Mismatch(self._first_split(starts[0]))
                # steps promoted on the way (decision branches that end) need successors
                if any(n not in succ for n in self.promoted):
                    continue
                return succ, first
            except _Mismatch as e:
                self.promoted.add(e.node)

    def _first_split(self, node: Node) -> str:
        while True:
            outgoing = self.model.outgoing.get(node.id, [])
            if len(outgoing) != 1:
                return node.id
            node = self.model.nodes[outgoing[0].target]

    def build(self, used_ids: set[str]) -> tuple[str, str, list[Loss]]:
        succ, first = self._graph()
        order = [n for n in self.model.nodes if n in succ]
        if self.ours:  # the file order of the workflow the export came from
            order.sort(key=lambda n: _index(self.model.nodes[n].el))
            self._all_teams()
        step_ids: dict[str, str] = {}
        taken: set[str] = set()
        for nid in order:
            node = self.model.nodes[nid]
            base = attrs.ident(node.el, "id") or slug(node.name or nid)
            step_ids[nid] = _unique(base, taken)
        steps: dict[str, Step] = {}
        for nid in order:
            steps[nid] = self._step(self.model.nodes[nid], step_ids[nid], succ[nid], step_ids)
        start = step_ids[first[0].node] if first else None
        self._start_losses()
        start = self._external_messages(steps, step_ids, taken, start)
        self._markers(order)
        self._ignored()
        data = self._data(steps)
        ordered = list(steps.values()) if self.ours else _flow_order(list(steps.values()), start)
        process = self.model.processes[self.pool.process] if self.pool.process else self.pool.el
        wid = _unique(attrs.ident(self.model.root, "workflow") or slug(self.pool.name), used_ids)
        description = "\n\n".join(d.text.strip() for d in process.bpmn("documentation")
                                  if d.text.strip()) or None
        workflow = WorkflowText(
            id=wid, title=self.pool.name, owner=process.ext("owner"),
            description=description, volume=attrs.volume(process),
            outputs=attrs.idents(process, "outputs"),
            inputs=attrs.idents(process, "inputs") or data[0],
            records=attrs.idents(process, "records") or data[1],
            tags=attrs.strings(process, "tags"),
            hours_per_week=attrs.number(process, "hours-per-week", 0.0, 168.0),
            teams=list(self.teams.values()), steps=ordered,
            start=start if ordered and start != ordered[0].id else None,
            source=self.model.file)
        self.losses.sort(key=lambda x: (x.line, x.column, x.element))
        return emit(workflow, self.losses), wid, self.losses

    def _start_losses(self) -> None:
        starts = self._starts()
        for extra in starts[1:]:
            self.lose(extra.el, L.EXTRA_START)
        if starts and starts[0].events and not any(
                m.target == starts[0].id for m in self.model.messages):
            self.lose(starts[0].el, L.TRIGGERED_START)

    def _all_teams(self) -> None:
        """An export's teams in their order, those without steps too."""
        found = [(lane.el, lane.id, lane.name, False) for lane in self.model.lanes.values()]
        found += [(p.el, p.id, p.name, True) for p in self.model.pools
                  if p.el.ext("external") == "true"]
        found.sort(key=lambda t: _index(t[0]))
        for el, key, name, external in found:
            self._team(key, el, name, external)

    def team_of(self, node: Node) -> str:
        lane_id = self.model.lane_of.get(node.id)
        if lane_id is not None and lane_id in self.model.lanes:
            lane = self.model.lanes[lane_id]
            return self._team(lane_id, lane.el, lane.name, False)
        pool = next(p for p in self.model.pools if p.process == node.process)
        external = self.ours and pool.el.ext("external") == "true"
        return self._team(pool.id, pool.el, pool.name, external)

    def _team(self, key: str, el: Element, name: str, external: bool) -> str:
        if key not in self.teams:
            tid = _unique(attrs.ident(el, "id") or slug(name), self.team_ids)
            self.teams[key] = Team(tid, name, el.ext("color"), external,
                                   attrs.number(el, "staff", 0.0, math.inf))
        return self.teams[key].id

    def _step(self, node: Node, sid: str, targets: list[_Target],
              ids: dict[str, str]) -> Step:
        el = node.el
        merged: dict[str, Branch] = {}
        decision = any(t.p is not None for t in targets)
        for t in targets:
            to = ids[t.node]
            if to in merged:  # two paths to one step: one branch with both shares
                old = merged[to]
                p = None if t.p is None or old.p is None else old.p + t.p
                when = " or ".join(w for w in (old.when, t.when) if w) or None
                merged[to] = Branch(to, when, p, old.guessed or t.guessed)
            else:
                merged[to] = Branch(to, t.when, t.p, t.guessed)
        kind = attrs.choice(el, "kind", attrs.KINDS) or self._kind(node, decision)
        touch, wait = attrs.duration(el, "touch"), attrs.duration(el, "wait")
        sim = self.sim.get(node.id)
        if sim is not None and touch is None and sim.processing_h is not None:
            touch = procmap_duration(sim.processing_h)
        if sim is not None and wait is None and sim.wait_h is not None:
            wait = procmap_duration(sim.wait_h)
        if node.type in _WAITS and wait is None:
            wait = self._timer(node)
        if node.type in _WAITS and node.events and "timerEventDefinition" not in node.events \
                and not self.ours:
            self.lose(el, L.TRIGGER.format(what=_trigger(node)))
        automated: bool | str = attrs.choice(el, "automated", _AUTOMATED_VALUES) \
            or (node.type in _AUTOMATED)
        if automated in ("true", "false"):
            automated = automated == "true"
        description = node.documentation or None
        parent = node.parent
        if parent is not None and not self.ours:
            names = []
            while parent is not None:
                sub = self.model.nodes[parent]
                names.append(sub.name or sub.id)
                parent = sub.parent
            note = f"Part of subprocess: {' / '.join(reversed(names))}."
            description = f"{note}\n\n{description}" if description else note
        if node.type == "callActivity":
            self.lose(el, L.CALL)
        title = node.name or _default_title(node)
        requirement = {k: v for k, v in attrs.texts(el, "requirement").items()
                       if k in ("why", "by")}
        waive = {k: v for k, v in attrs.texts(el, "waive").items() if k in _rule_ids()}
        return Step(sid, title, self.team_of(node), kind, touch, wait, automated,
                    el.ext("who"), attrs.choice(el, "value", _VALUES), attrs.strings(el, "systems"),
                    attrs.idents(el, "inputs"), attrs.idents(el, "outputs"), description,
                    list(merged.values()), requirement, attrs.strings(el, "instructions"),
                    waive)

    def _kind(self, node: Node, decision: bool) -> str:
        if node.type in _WAITS:
            return "wait"
        if node.type == "endEvent" or (node.type == "intermediateThrowEvent"
                                       and not self.model.outgoing.get(node.id)):
            return "end"
        if node.type in _FAMILY or decision:
            return "decision" if decision else "task"
        return "task"

    def _timer(self, node: Node) -> str | None:
        if "timerEventDefinition" not in node.events:
            return None
        text = node.timer
        if text is None:
            self.lose(node.el, L.TIMER_DATE)
            return None
        parsed = iso_hours(text)
        if parsed is None:
            self.lose(node.el, L.TIMER_DATE)
            return None
        hours, exact = parsed
        if not exact:
            self.lose(node.el, L.TIMER_APPROX)
        return procmap_duration(hours)

    def _external_messages(self, steps: dict[str, Step], ids: dict[str, str],
                           taken: set[str], start: str | None) -> str | None:
        """Message flows to and from pools outside this workflow: a step of an
        external team for each, put in the flow where the message passes."""
        if self.ours:
            return start
        by_step = {s.id: s for s in steps.values()}
        for m in self.model.messages:
            src, dst = self.model.nodes.get(m.source), self.model.nodes.get(m.target)
            here_src = src is not None and self.in_scope(src)
            here_dst = dst is not None and self.in_scope(dst)
            if here_src == here_dst:  # inside this pool, or between two others
                if self.pool.id in (m.source, m.target):  # the pool itself, not a step
                    self.lose(m.el, L.MESSAGE_UNLINKED)
                continue
            other = self.model.pool_of(m.target if here_src else m.source)
            if other is None:
                continue
            team = self._team(other.id, other.el, other.name, True)
            node = src if here_src else dst
            assert node is not None
            if node.id not in steps and node.type != "startEvent":
                self.lose(m.el, L.MESSAGE_UNLINKED)
                continue
            verb = "receives" if here_src else "sends"
            title = m.name or f"{other.name} {verb} a message"
            sid = _unique(slug(m.name or m.id), taken)
            ext = Step(sid, title, team, "task", None, None, False, None, None, [], [], [],
                       None, [])
            if node.type == "startEvent":  # the message starts the workflow
                if start is not None:
                    ext.next = [Branch(start, None, None, False)]
                start = sid
            elif here_src:
                own = steps[node.id]
                ext.next, own.next = own.next, [Branch(sid, None, None, False)]
            else:
                own = steps[node.id]
                for s in by_step.values():
                    for b in s.next:
                        if b.to == own.id:
                            b.to = sid
                ext.next = [Branch(own.id, None, None, False)]
                if start == own.id:
                    start = sid
            steps[m.id] = ext
            by_step[sid] = ext
        return start

    def _markers(self, order: list[str]) -> None:
        for nid in order:
            node = self.model.nodes[nid]
            for child in node.el.bpmn():
                if child.tag == "multiInstanceLoopCharacteristics":
                    self.lose(node.el, L.MULTI_INSTANCE)
                elif child.tag == "standardLoopCharacteristics":
                    self.lose(node.el, L.LOOP)
        for node in self.model.nodes.values():
            if node.process in self.processes and node.el.get("triggeredByEvent") == "true":
                self.lose(node.el, L.EVENT_SUBPROCESS)
            attached = self.model.nodes.get(node.attached_to or "")
            if attached is not None and self.in_scope(node) and self._expanded(attached):
                self.lose(node.el, L.BOUNDARY_SUBPROCESS)

    def _ignored(self) -> None:
        for process in self.processes:
            for el in self.model.processes[process].walk():
                if el.tag in ("textAnnotation", "group"):
                    self.lose(el, L.ARTIFACT.format(what=_words(el.tag)))

    def _data(self, steps: dict[str, Step]) -> tuple[list[str], list[str]]:
        """Inputs and outputs from data associations; returns the workflow's
        inputs (read, never written) and records (data stores written)."""
        names: dict[str, str] = {}
        used: set[str] = set()
        written: set[str] = set()
        read_ids: list[str] = []
        records: list[str] = []
        for did, data in self.model.data.items():
            names[did] = _unique(slug(data.name), used)
        for nid, step in steps.items():
            for did in self.model.reads.get(nid, []):
                if did in names and names[did] not in step.inputs:
                    step.inputs.append(names[did])
                    read_ids.append(names[did])
            for did in self.model.writes.get(nid, []):
                if did in names and names[did] not in step.outputs:
                    step.outputs.append(names[did])
                    written.add(names[did])
                    if self.model.data[did].store and names[did] not in records:
                        records.append(names[did])
        inputs = list(dict.fromkeys(a for a in read_ids if a not in written))
        return inputs, records


def _rule_ids() -> tuple[str, ...]:
    from procmap.analysis.rules import RULE_IDS

    return RULE_IDS


def _index(el: Element) -> float:
    """The place an export gave an element; what a tool added later goes last."""
    index = attrs.number(el, "index", -1, math.inf)
    return math.inf if index is None else index


def _trigger(node: Node) -> str:
    return ", ".join(_words(e.removesuffix("EventDefinition")) for e in node.events) or "blank"


def _words(camel: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r" \1", camel).lower()


def _default_title(node: Node) -> str:
    return f"{_words(node.type).capitalize()} {node.id}"


def _flow_order(steps: list[Step], start: str | None) -> list[Step]:
    """Steps in flow order from the start (reverse postorder of a depth-first
    search), so that the edges that close loops are the ones that go back."""
    by_id = {s.id: s for s in steps}
    seen: set[str] = set()
    post: list[str] = []

    def visit(root: str) -> None:
        # successors in reverse, so that siblings keep their order in the result
        stack: list[tuple[str, Iterable[Branch]]] = [(root, reversed(by_id[root].next))]
        seen.add(root)
        while stack:
            sid, it = stack[-1]
            for b in it:
                if b.to not in seen and b.to in by_id:
                    seen.add(b.to)
                    stack.append((b.to, reversed(by_id[b.to].next)))
                    break
            else:
                stack.pop()
                post.append(sid)

    roots = ([start] if start else []) + [s.id for s in steps]
    order: list[str] = []
    for root in roots:
        if root not in seen:
            post.clear()
            visit(root)
            order.extend(reversed(post))
    return [by_id[s] for s in order]

