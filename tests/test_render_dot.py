"""The DOT of `procmap render`, read back with pydot: lanes, order, edges, overlays."""

from __future__ import annotations

import html
import itertools
import json
import re
import shutil
import subprocess
import sys
import xml.dom.minidom
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pydot
import pytest
from hypothesis import HealthCheck, given, settings

from helpers import report
from procmap.analysis.analyze import WorkflowReport, analyze
from procmap.analysis.graph import Flow
from procmap.analysis.rules.base import LEVELS
from procmap.format.errors import WorkflowError
from procmap.format.loader import load, loads
from procmap.render import layout, render, to_dot
from procmap.render.dot import BADGE, BOUNCE, CRITICAL, CRITICAL_WIDTH, FILL, HANDOFF
from strategies import workflows

EXAMPLES = sorted((Path(__file__).parent.parent / "workflows").glob("*.yaml"))
needs_graphviz = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz not installed")

HOSTILE = 'Say "hi" <script>alert(1)</script> & {x} #35; ]]> `t` \\N |p| 日本語 🚀\nline two'


@dataclass
class Drawing:
    graph: pydot.Dot
    bands: list[tuple[float, float]]  # lane (bottom, top) in points, in drawing order

    def node(self, name: str) -> pydot.Node:
        found = self.graph.get_node(name)
        assert len(found) == 1, name
        return found[0]

    def pos(self, name: str) -> tuple[float, float]:
        x, y = self.node(name).get("pos").strip('"').rstrip("!").split(",")
        return float(x) * 72, float(y) * 72

    def edges(self) -> dict[tuple[str, str], dict[str, str]]:
        return {(e.get_source(), e.get_destination()): e.get_attributes()
                for e in self.graph.get_edges()}


def drawing(r: WorkflowReport) -> Drawing:
    text = to_dot(layout(r))
    (graph,) = pydot.graph_from_dot_data(text)
    background = graph.get("_background").strip('"')
    bands = re.findall(r"P 4 0 (\S+) \S+ \S+ \S+ (\S+) 0 \S+", background)
    return Drawing(graph, [(float(b), float(t)) for b, t in bands])


def label_text(label: str) -> str:
    """What a reader sees of an HTML-like label: tags dropped, breaks as spaces."""
    text = re.sub(r"<BR[^>]*>", " ", label.strip()[1:-1])
    return html.unescape(re.sub(r"<[^>]+>", "", text)).replace("\u200b", "")


@pytest.fixture(scope="module", params=EXAMPLES, ids=lambda p: p.stem)
def example(request: pytest.FixtureRequest) -> tuple[WorkflowReport, Drawing]:
    r = analyze(load(request.param), simulate=False)
    return r, drawing(r)


def test_one_lane_per_team_in_the_order_of_teams(example: tuple[WorkflowReport, Drawing]) -> None:
    r, d = example
    teams = list(r.workflow.teams)
    assert len(d.bands) == len(teams)
    tops = [top for _, top in d.bands]
    assert tops == sorted(tops, reverse=True), "lanes run from the top down"
    for i, team in enumerate(teams):
        assert d.node(f"lane{i}").get("id").strip('"') == f"lane-{team}"
        bottom, top = d.bands[i]
        assert bottom < d.pos(f"lane{i}")[1] < top
        assert label_text(d.node(f"lane{i}").get("label")).replace(" ", "") == \
            r.workflow.teams[team].name.replace(" ", "")


def test_every_step_sits_in_its_team_lane(example: tuple[WorkflowReport, Drawing]) -> None:
    r, d = example
    teams = list(r.workflow.teams)
    for step in r.workflow.step_list:
        bottom, top = d.bands[teams.index(step.team)]
        assert bottom < d.pos(f"s{step.index}")[1] < top, step.id
        assert d.node(f"s{step.index}").get("id").strip('"') == f"step-{step.id}"


def test_flow_runs_left_to_right_and_steps_never_share_a_place(
        example: tuple[WorkflowReport, Drawing]) -> None:
    r, d = example
    flow = Flow(r.workflow)
    for u in range(flow.n):
        for v in flow.fsucc[u]:
            assert d.pos(f"s{u}")[0] < d.pos(f"s{v}")[0]
    places = [d.pos(f"s{i}") for i in range(flow.n)]
    assert len(set(places)) == len(places)


def test_edges_show_handoffs_rework_and_the_critical_path(
        example: tuple[WorkflowReport, Drawing]) -> None:
    r, d = example
    flow = Flow(r.workflow)
    edges = d.edges()
    assert set(edges) == {(f"s{u}", f"s{v}") for u, v in flow.edges()}
    path = [flow.index[s] for s in r.metrics.critical_path]
    critical = {(f"s{u}", f"s{v}") for u, v in itertools.pairwise(path)}
    for (a, b), attrs in edges.items():
        u, v = int(a[1:]), int(b[1:])
        colour = attrs.get("color", "").strip('"')
        # The critical path is thick, and a handoff on it is still drawn as a handoff.
        assert (attrs.get("penwidth") == CRITICAL_WIDTH) == ((a, b) in critical)
        if flow.is_handoff(u, v):
            assert attrs["arrowhead"] == "empty"
            assert colour in (HANDOFF, BOUNCE)
        else:
            assert "arrowhead" not in attrs
        assert (attrs.get("style") == "dashed") == ((u, v) in flow.rework)
        if flow.p[u, v] is not None:
            assert f"{flow.p[u, v]:.0%}" in label_text(attrs["xlabel"])
        if flow.when[u, v]:
            assert flow.when[u, v] in label_text(attrs["xlabel"])
    for i in path:
        assert d.node(f"s{i}").get("color").strip('"') == CRITICAL


def test_header_carries_title_and_metrics(example: tuple[WorkflowReport, Drawing]) -> None:
    r, d = example
    header = label_text(d.graph.get("label"))
    assert header.startswith(r.workflow.title)
    # Handoffs per case (1.1), not handoff links: the figure a person quotes.
    assert f"PCE {r.metrics.pce:.1%}" in header
    assert f"{r.metrics.expected_handoffs:.2f} handoffs per case" in header


def test_findings_fill_steps_by_their_worst_level_and_the_legend_names_them() -> None:
    r = report("""\
        s1: {title: One, team: a, touch: 1h, next: s2}
        s2: {title: Two, team: a, touch: 1h, kind: check}
        """)
    d = drawing(r)
    levels = {f.level for f in r.findings}
    assert "warning" in levels, "the NVA step needs a warning for this test"
    for step in r.workflow.step_list:
        own = [level for level in LEVELS if any(f.level == level and f.step == step.id
                                                for f in r.findings)]
        fill = d.node(f"s{step.index}").get("fillcolor").strip('"')
        assert fill == (FILL[own[0]] if own else "white"), step.id
    legend = label_text(d.node("legend").get("label"))
    for level in levels:
        assert f"{level} finding" in legend
    # Only the marks drawn: one team, no loop, two kinds of step.
    assert legend == ('Legend▢ task▱ check"2h + 10m": wait + touch1findings, see table'
                      "warning finding▢ ━━ critical path: orange border, thick line━▶ same team")


def test_the_legend_names_every_mark_the_picture_uses() -> None:
    r = report("""\
        s1: {title: One, team: a, touch: 1h, next: s2}
        s2:
          title: Two
          team: b
          kind: decision
          touch: 1h
          next: [{to: s3, p: 0.5}, {to: s1, p: 0.5, when: again}]
        s3: {title: Three, team: a, touch: 1h, kind: end}
        """)
    legend = label_text(drawing(r).node("legend").get("label"))
    assert legend == ('Legend▢ task◇ decision◫ end"2h + 10m": wait + touch1findings, see table'
                      "warning finding▢ ━━ critical path: orange border, thick line"
                      "━▷ ping-pong- - ▶ rework")


def test_hostile_text_stays_text() -> None:
    quoted = json.dumps(HOSTILE, ensure_ascii=False)
    r = report(f"""\
        one: {{title: {quoted}, team: a, kind: decision, touch: 1h,
               next: [{{to: two, when: {quoted}, p: 0.5}}, {{to: three, p: 0.5}}]}}
        two: {{title: {quoted}, team: b, kind: check, touch: 1h}}
        three: {{title: x, team: c, touch: 1h}}
        """, header=f"procmap: 1\nid: t\ntitle: {quoted}\n"
                    f"teams: {{a: {quoted}, b: B, c: {{name: C, color: 'x;y'}}}}\n"
                    "steps:\n")
    d = drawing(r)
    flat = " ".join(HOSTILE.split())
    for name in ("s0", "s1"):
        # After the finding badge's number, if any.
        seen = " ".join(label_text(d.node(name).get("label")).split()).replace(" ", "")
        assert seen.lstrip("0123456789").startswith(flat.replace(" ", ""))
    assert flat in " ".join(label_text(d.edges()["s0", "s1"]["xlabel"]).split())
    assert label_text(d.graph.get("label")).startswith(flat)
    parts = [*d.graph.get_nodes(), *d.graph.get_edges(), d.graph]
    labels = [o.get("label") or o.get("xlabel") or "" for o in parts]
    assert not any("<script" in label.lower() for label in labels)


@needs_graphviz
def test_graphviz_draws_hostile_text_as_text() -> None:
    r = report(f"""\
        s1: {{title: {json.dumps(HOSTILE, ensure_ascii=False)}, team: a, touch: 1h, next: s2}}
        s2: {{title: "\\\\G \\\\E \\\\L end", team: b, touch: 1h}}
        """)
    svg = render(r, "svg").decode()
    xml.dom.minidom.parseString(svg)  # well-formed
    assert "<script" not in svg
    texts = " ".join(html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg))
    texts = texts.replace("\u200b", "")
    assert "<script>alert" in texts.replace(" ", "") and "日本語" in texts
    assert "\\G \\E \\L end" in texts, "Graphviz must not expand escapes from the YAML"


@needs_graphviz
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_graphviz_accepts_the_dot_of_every_example(path: Path) -> None:
    r = analyze(load(path), simulate=False)
    png = render(r, "png")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    svg = render(r, "svg").decode()
    dom = xml.dom.minidom.parseString(svg)
    ids = {g.getAttribute("id") for g in dom.getElementsByTagName("g")}
    assert {f"step-{s}" for s in r.workflow.steps} <= ids


def test_the_same_workflow_gives_the_same_bytes_in_any_process(tmp_path: Path) -> None:
    path = EXAMPLES[0]
    outputs = set()
    for seed in ("1", "2"):
        for fmt in ("dot", "mermaid"):
            done = subprocess.run([sys.executable, "-m", "procmap", "render", str(path),
                                   "-f", fmt], capture_output=True, check=True,
                                  env={"PYTHONHASHSEED": seed, "PATH": ""})
            outputs.add((fmt, done.stdout))
    assert len(outputs) == 2


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workflows())
def test_random_workflows_lay_out_in_their_lanes(doc: dict[str, object]) -> None:
    try:
        workflow = loads(json.dumps(doc), "fuzz.yaml")
    except WorkflowError:
        return
    r = analyze(workflow, simulate=False)
    d = drawing(r)
    teams = list(workflow.teams)
    places = set()
    for step in workflow.step_list:
        x, y = d.pos(f"s{step.index}")
        bottom, top = d.bands[teams.index(step.team)]
        assert bottom < y < top
        places.add((x, y))
    assert len(places) == len(workflow.steps)


def test_a_colour_with_a_trailing_newline_is_ignored_like_any_non_hex_colour() -> None:
    from procmap.render.dot import tint

    assert tint("#000") == "#d1d1d1"
    assert tint("#fff\n") is None


# Values that pydot passed through unquoted because they already looked quoted
# or HTML-like: each added attributes or statements of its own.
INJECTIONS = ['"x", URL="javascript:alert(document.cookie)", tooltip="Refund"',
              '"y", image="/etc/passwd"', '"]; node [shape=none', "<<B>big</B>>",
              '"a\\"', "\\", 'ends with a backslash \\"']


def test_no_text_from_the_yaml_adds_attributes_to_the_dot() -> None:
    titles = [json.dumps(t) for t in INJECTIONS]
    steps = "".join(f"s{i}: {{title: {t}, team: a, touch: 1h"
                    f"{f', next: s{i + 1}' if i + 1 < len(titles) else ''}}}\n"
                    for i, t in enumerate(titles))
    r = report(steps, header=f"procmap: 1\nid: t\ntitle: {titles[0]}\n"
                             f"teams: {{a: {titles[2]}}}\nsteps:\n")
    d = drawing(r)
    assert [n.get_name() for n in d.graph.get_nodes()] == [
        "node", "edge", "corner_low", "corner_high", "lane0", "legend",
        *[f"s{i}" for i in range(len(INJECTIONS))]]
    for i, title in enumerate(INJECTIONS):
        node = d.node(f"s{i}")
        assert set(node.get_attributes()) == {"shape", "style", "label", "pos", "id",
                                              "fillcolor", "tooltip", "color", "penwidth"}
        tooltip = node.get("tooltip")[1:-1].replace('\\"', '"').replace("\\\\", "\\")
        assert tooltip == title.replace("\\", "\\\u200b")
        assert label_text(node.get("label")).replace(" ", "").startswith(
            title.replace(" ", "")[:10])
    assert set(d.graph.get_attributes()) == {
        "layout", "overlap", "splines", "outputorder", "dpi", "bgcolor", "pad", "fontname", "label",
        "labelloc", "labeljust", "_background"}


@needs_graphviz
def test_the_svg_links_nowhere_and_embeds_no_file() -> None:
    title = json.dumps(INJECTIONS[0])
    r = report(f"""\
        s1: {{title: {title}, team: a, touch: 1h, next: s2}}
        s2: {{title: {json.dumps(INJECTIONS[1])}, team: a, touch: 1h}}
        """)
    root = ET.fromstring(render(r, "svg"))
    hrefs = [v for e in root.iter() for k, v in e.attrib.items() if k.endswith("href")]
    assert hrefs == []
    assert not list(root.iter("{http://www.w3.org/2000/svg}image"))


@needs_graphviz
def test_blank_titles_and_names_draw_their_ids() -> None:
    r = report("""\
        s1: {title: "", team: a, touch: 1h, next: s2}
        s2: {title: "  ", team: b, touch: 1h}
        """, header="procmap: 1\nid: blank\ntitle: ' '\nteams: {a: '', b: B}\nsteps:\n")
    d = drawing(r)
    assert label_text(d.node("s0").get("label")).startswith("s1 ")
    assert label_text(d.node("s1").get("label")).startswith("s2 ")
    assert label_text(d.node("lane0").get("label")) == "a"
    assert label_text(d.graph.get("label")).startswith("blank ")
    svg = render(r, "svg").decode()
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert "s1" in texts and "s2" in texts and "blank" in texts


def test_long_texts_are_wrapped_and_cut_in_the_drawing() -> None:
    long = json.dumps("word " * 1000)
    r = report(f"""\
        s1: {{title: {long}, team: a, touch: 1h, kind: decision,
              next: [{{to: s2, when: {long}, p: 0.5}}, {{to: s3, p: 0.5}}]}}
        s2: {{title: x, team: a, touch: 1h}}
        s3: {{title: y, team: a, touch: 1h}}
        """, header=f"procmap: 1\nid: t\ntitle: {long}\nteams: {{a: {long}}}\nsteps:\n")
    d = drawing(r)

    def lines(label: str) -> list[str]:
        return [re.sub(r"<[^>]*>", "", line).strip("<>") for line in re.split("<BR[^>]*>", label)]

    title = lines(d.node("s0").get("label").split("</B>")[0])
    assert len(title) == 10 and title[-1].endswith("…") and max(map(len, title)) <= 16
    assert len(lines(d.node("lane0").get("label"))) == 10
    assert len(lines(d.graph.get("label").split("</B>")[0])) == 3
    xlabel = lines(d.edges()["s0", "s1"]["xlabel"])
    assert len(xlabel) == 6 and max(map(len, xlabel)) <= 28


def test_billing_dispute_names_every_finding_on_the_picture() -> None:
    r = analyze(load(EXAMPLES[0]), simulate=False)
    assert r.workflow.id == "billing-dispute"
    d = drawing(r)
    by_id = {s.id: f"s{s.index}" for s in r.workflow.step_list}
    badge = re.compile(f'<TD BGCOLOR="{BADGE}"[^>]*><FONT[^>]*><B>([0-9]+)</B>')
    badges = {step: found[1] for step, name in by_id.items()
              if (found := badge.search(d.node(name).get("label")))}
    # Numbered in reading order: column by column, lanes from the top.
    assert badges == {"review-dispute": "1", "ask-customer": "2", "check-outage": "3",
                      "review-evidence": "4", "refund-approval": "5", "verify-refund": "6"}
    table = d.node("findings").get("label")
    rows = [label_text(f"<<TD WIDTH={row}>") for row in table.split("<TR><TD WIDTH=")[1:]]
    assert [row.split("warning")[0].split("error")[0] for row in rows] == [
        "#rulelevelfinding", "1ping-pong", "2ping-pong", "3ping-pong", "3unused-output",
        "4duplicate-step", "5requirement-owner", "6automate-before-delete",
        "6repeated-check"]
    assert rows[5].startswith("4duplicate-stepwarning'review-evidence' repeats "
                              "'review-dispute' (the same title")
    assert all(len(row) < 140 for row in rows), "one line each"


def test_a_long_findings_table_is_set_in_columns_under_a_wide_map() -> None:
    # executive-escalation: 14 findings under a map wide enough for two
    # columns; one column was a strip 14 rows long beside blank paper.
    r = analyze(load(EXAMPLES[1]), simulate=False)
    assert r.workflow.id == "executive-escalation"
    d = drawing(r)

    def numbers(name: str) -> list[str]:
        label = d.node(name).get("label")
        return re.findall(f'<TD BGCOLOR="{BADGE}"[^>]*><FONT[^>]*><B>([0-9]+)</B>', label)

    assert numbers("findings") == ["1", "2", "3", "3", "4", "4", "5"]
    assert numbers("findings2") == ["5", "6", "7", "7", "8", "9", "10"]
    assert not d.graph.get_node("findings3")
    (x1, y1), (x2, y2) = d.pos("findings"), d.pos("findings2")
    assert x2 > x1
    assert y2 == pytest.approx(y1, abs=0.01)


def test_a_short_findings_table_stays_one_column() -> None:
    r = analyze(load(EXAMPLES[0]), simulate=False)
    assert r.workflow.id == "billing-dispute"
    d = drawing(r)
    assert d.graph.get_node("findings") and not d.graph.get_node("findings2")


def test_ping_pong_edges_are_drawn_as_bounces() -> None:
    r = analyze(load(EXAMPLES[0]), simulate=False)
    d = drawing(r)
    name = {f"s{s.index}": s.id for s in r.workflow.step_list}
    bounces = {(name[a], name[b]) for (a, b), attrs in d.edges().items()
               if attrs.get("color", "").strip('"') == BOUNCE}
    assert bounces == {("verify-account", "review-dispute"), ("review-dispute", "ask-customer"),
                       ("ask-customer", "review-evidence"), ("review-dispute", "check-outage"),
                       ("check-outage", "decide-refund")}


def test_every_lane_has_one_height(example: tuple[WorkflowReport, Drawing]) -> None:
    # Lanes of 3x different heights read as teams of 3x different weight.
    _, d = example
    assert len({round(top - bottom, 2) for bottom, top in d.bands}) == 1
