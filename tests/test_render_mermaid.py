"""The Mermaid of `procmap render`, read back by a parser of the subset it writes."""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from helpers import report
from procmap.analysis.analyze import analyze
from procmap.analysis.graph import Flow
from procmap.analysis.rules.base import LEVELS
from procmap.format.loader import load
from procmap.render import layout, to_mermaid
from procmap.render.mermaid import LOOKALIKES, SHAPES

EXAMPLES = sorted((Path(__file__).parent.parent / "workflows").glob("*.yaml"))
# Inside a label: no quote, no raw markup; only entity codes and our own <br/>.
LABEL = r'((?:[^"#<>\n]|#\d+;|<br/>)*)'
SHAPE = "|".join(f"{re.escape(o)}{LABEL}{re.escape(c)}" for o, c in SHAPES.values())
NODE = re.compile(rf"^    (s\d+)(?:{SHAPE})$")
EDGE = re.compile(rf'^  (s\d+) (-->|==>|-\.->)(?:\|"{LABEL}"\|)? (s\d+)$')
SUBGRAPH = re.compile(rf'^  subgraph (\w+)\["{LABEL}"\]$')


LEGEND = re.compile(r'    legend_\w+\["[\w ,:]+"\](:::\w+)?|    findings\["Findings<br/>.*"\]')
STYLE = re.compile(r"  classDef (\w+) [\w:#,.-]+")


def decode(text: str) -> str:
    return re.sub(r"#(\d+);", lambda m: chr(int(m[1])), text.replace("<br/>", "\n"))


@dataclass
class Chart:
    title: str
    lanes: list[tuple[str, str]] = field(default_factory=list)  # (id, name)
    lane_of: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    edges: dict[tuple[str, str], tuple[str, str | None]] = field(default_factory=dict)
    classes: dict[str, set[str]] = field(default_factory=dict)
    link_styles: dict[int, str] = field(default_factory=dict)


def parse(text: str) -> Chart:
    """Every line must be one we know; anything else fails the test."""
    lines = text.splitlines()
    assert lines[0] == "---" and lines[4] == "---" and lines[5] == "flowchart LR"
    assert lines[1].startswith("title: ")
    assert lines[2:4] == ["config:", "  layout: swimlane"]
    chart = Chart(json.loads(lines[1].removeprefix("title: ")))
    lane: str | None = None
    for line in lines[6:]:
        if m := SUBGRAPH.match(line):
            lane = m[1]
            chart.lanes.append((m[1], decode(m[2])))
        elif line == "  end":
            lane = None
        elif line == "    direction LR":
            assert lane is not None
        elif m := NODE.match(line):
            assert lane is not None
            chart.lane_of[m[1]] = lane
            chart.labels[m[1]] = decode(next(g for g in m.groups()[1:] if g is not None))
        elif m := EDGE.match(line):
            chart.edges[m[1], m[4]] = (m[2], decode(m[3]) if m[3] is not None else None)
        elif LEGEND.match(line):
            assert lane == "legend"
        elif STYLE.match(line):
            pass
        elif m := re.match(r"^  class ([\w,]+) (\w+)$", line):
            for node in m[1].split(","):
                chart.classes.setdefault(node, set()).add(m[2])
        elif m := re.match(r"^  linkStyle ([\d,]+) ([\w:#,-]+)$", line):
            for i in m[1].split(","):
                chart.link_styles[int(i)] = m[2]
        else:
            raise AssertionError(f"unexpected line: {line!r}")
    return chart


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_examples_have_lanes_nodes_and_edges(path: Path) -> None:
    r = analyze(load(path), simulate=False)
    chart = parse(to_mermaid(layout(r)))
    teams = list(r.workflow.teams)
    assert chart.title.startswith(r.workflow.title) and "PCE" in chart.title
    assert [name for _, name in chart.lanes[:-1]] == [t.name for t in r.workflow.teams.values()]
    assert chart.lanes[-1] == ("legend", "Legend")
    flow = Flow(r.workflow)
    for step in r.workflow.step_list:
        node = f"s{step.index}"
        assert chart.lane_of[node] == f"lane{teams.index(step.team)}"
        # After the number of its findings, if any.
        assert re.sub(r"^\[[0-9]+\] ", "", chart.labels[node]).startswith(step.title)
    assert set(chart.edges) == {(f"s{u}", f"s{v}") for u, v in flow.edges()}
    for (a, b), (arrow, label) in chart.edges.items():
        u, v = int(a[1:]), int(b[1:])
        expected = "-.->" if (u, v) in flow.rework else "==>" if flow.is_handoff(u, v) else "-->"
        assert arrow == expected
        if flow.when[u, v]:
            assert label is not None and flow.when[u, v] in label
    critical = {f"s{flow.index[s]}" for s in r.metrics.critical_path}
    assert {n for n, c in chart.classes.items() if "critical" in c} == critical
    edges = list(chart.edges)
    path = r.metrics.critical_path
    on_path = {(f"s{flow.index[a]}", f"s{flow.index[b]}") for a, b in itertools.pairwise(path)}
    assert {edges[i] for i, s in chart.link_styles.items() if "d35400" in s} == on_path


def test_findings_are_classes_by_level() -> None:
    r = report("""\
        s1: {title: One, team: a, touch: 1h, next: s2}
        s2: {title: Two, team: a, touch: 1h, kind: check}
        """)
    chart = parse(to_mermaid(layout(r)))
    assert "warning" in {f.level for f in r.findings}, "the check needs a warning for this test"
    for step in r.workflow.step_list:
        own = [level for level in LEVELS if any(f.level == level and f.step == step.id
                                                for f in r.findings)]
        assert chart.classes.get(f"s{step.index}", set()) - {"critical"} == set(own[:1])


HOSTILE = ('end"] --> x{{y}} %% c\n`md` *b* <img src=x onerror=alert(1)> & #quot; ;|p| '
           "subgraph 日本語 🚀 \\")


def test_hostile_text_round_trips_and_breaks_nothing() -> None:
    quoted = json.dumps(HOSTILE, ensure_ascii=False)
    r = report(f"""\
        one: {{title: {quoted}, team: a, kind: decision, touch: 1h,
               next: [{{to: two, when: {quoted}, p: 0.5}}, {{to: three, p: 0.5}}]}}
        two: {{title: {quoted}, team: b, kind: check, touch: 1h}}
        three: {{title: {quoted}, team: c, kind: end, touch: 1h}}
        """, header=f"procmap: 1\nid: t\ntitle: {quoted}\n"
                    f"teams: {{a: {quoted}, b: B, c: C}}\nsteps:\n")
    text = to_mermaid(layout(r))
    chart = parse(text)  # every line still parses: nothing ended early
    # & < > as look-alikes: Mermaid would show them as &amp; &lt; &gt;.
    assert chart.title.startswith(" ".join(HOSTILE.split()).translate(LOOKALIKES))
    assert chart.lanes[0][1] == HOSTILE
    for node in ("s0", "s1", "s2"):
        # After the number of its findings, if any.
        assert re.sub(r"^\[[0-9]+\] ", "", chart.labels[node]).startswith(HOSTILE + "\n")
    assert chart.edges["s0", "s1"][1] == HOSTILE + " · 50%"
    # The title is a JSON string in the front matter, which Mermaid shows as text.
    body = text.split("\n---\n", 1)[1]
    assert "<img" not in body and "```" not in body


def test_no_directive_reaches_the_front_matter() -> None:
    title = '%%{init: {"theme": "dark"}}%% x'
    r = report("s1: {title: a, team: a, touch: 1h}\n",
               header=f"procmap: 1\nid: t\ntitle: {json.dumps(title)}\nteams: {{a: A}}\nsteps:\n")
    text = to_mermaid(layout(r))
    assert "%" not in text
    assert json.loads(text.splitlines()[1].removeprefix("title: ")).startswith(title)


# Mermaid itself, run by Node from a folder outside the repository where
# `npm install mermaid jsdom` was run (PUPPETEER_SKIP_DOWNLOAD=1: no browser
# is needed to parse).
MERMAID_HOME = Path(os.environ.get("PROCMAP_MERMAID_HOME",
                                   Path.home() / ".cache" / "procmap-mermaid"))
PARSE = """
import { JSDOM } from "jsdom";
import fs from "fs";
const dom = new JSDOM("<!DOCTYPE html><body></body>");
globalThis.window = dom.window; globalThis.document = dom.window.document;
globalThis.DOMParser = dom.window.DOMParser;
const { default: mermaid } = await import("mermaid");
mermaid.initialize({ startOnLoad: false });
for (const f of process.argv.slice(1)) {
  try { await mermaid.parse(fs.readFileSync(f, "utf8")); console.log("ok"); }
  catch (e) { console.log(String(e.message || e).split("\\n").slice(0, 3).join(" | ")); }
}
"""


def mermaid_node() -> str:
    """Node, where Mermaid is installed; else the test is skipped, saying why."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node is not installed: Mermaid cannot check its own input")
    if not (MERMAID_HOME / "node_modules" / "mermaid").is_dir():
        pytest.skip(f"no Mermaid in {MERMAID_HOME}: run `npm install mermaid jsdom` there "
                    "(or set PROCMAP_MERMAID_HOME)")
    return node


def mermaid_parses(files: list[Path]) -> list[str]:
    node = mermaid_node()
    done = subprocess.run([node, "--input-type=module", "-e", PARSE, *map(str, files)],
                          cwd=MERMAID_HOME, capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def test_mermaid_parses_every_example_and_a_before_after_picture(tmp_path: Path) -> None:
    from procmap.simplify.compare import compare, picture
    from test_diff import REVIEW_AFTER, REVIEW_BEFORE

    files = []
    for path in EXAMPLES:
        files.append(tmp_path / f"{path.stem}.mmd")
        files[-1].write_text(to_mermaid(layout(analyze(load(path), simulate=False))))
    (tmp_path / "b.yaml").write_text(REVIEW_BEFORE)
    (tmp_path / "a.yaml").write_text(REVIEW_AFTER)
    both = compare(*(analyze(load(tmp_path / f"{v}.yaml"), simulate=False) for v in "ba"))
    files.append(tmp_path / "both.mmd")
    files[-1].write_bytes(picture(both, "mermaid"))
    broken = tmp_path / "broken.mmd"
    broken.write_text("flowchart LR\n  a --> \n  subgraph\n")
    results = mermaid_parses([*files, broken])
    assert results[:-1] == ["ok"] * len(files)
    assert results[-1].startswith("Parse error on line 3:"), "the check can fail"


def test_mermaid_title_has_no_text_mermaid_shows_as_an_entity() -> None:
    r = report("""\
        s1: {title: One, team: a, touch: 1h}
        """, header="procmap: 1\nid: t\ntitle: R&D <draft>\u00a0plan\nteams: {a: A}\nsteps:\n")
    title = to_mermaid(layout(r)).splitlines()[1]
    assert title == ('title: "R\uff06D \u2039draft\u203a plan · 0.00 handoffs per case · '
                     'worst branch 1h · touch time 1h · PCE 100.0\\u0025"')


def test_mermaid_names_every_finding() -> None:
    r = analyze(load(EXAMPLES[0]), simulate=False)
    chart = to_mermaid(layout(r))
    assert "s4(\"#91;4#93; Review the disputed charge<br/>1d + 30m\")" in chart
    (findings,) = [line for line in chart.splitlines() if line.startswith("    findings[")]
    rows = decode(findings).split("\n")
    assert rows[0] == '    findings["Findings'
    assert [row.split(" (")[0] for row in rows[1:]] == [
        "[1] ping-pong", "[2] ping-pong", "[3] ping-pong", "[3] unused-output",
        "[4] duplicate-step", "[5] requirement-owner", "[6] automate-before-delete",
        "[6] repeated-check"]


# Mermaid's own layout run in jsdom, which measures no text: each label is
# taken as 8 px a character of its longest line and 16 px a line, enough for
# the layout to place lanes and steps as a browser would order them.
RENDER = """
import { JSDOM } from "jsdom";
import fs from "fs";
const dom = new JSDOM("<!DOCTYPE html><body></body>");
const w = dom.window;
Object.assign(globalThis, { window: w, document: w.document, DOMParser: w.DOMParser,
                            CSSStyleSheet: w.CSSStyleSheet });
function box(el) {
  const html = el.innerHTML || "";
  const rows = el.querySelectorAll("tspan.row");
  const lines = rows.length ? [...rows].map(r => r.textContent)
                            : (el.textContent || "").split("\\n").concat(
                                Array(html.split("<br").length - 1).fill(""));
  const width = 8 * Math.max(1, ...lines.map(s => s.length));
  return { x: 0, y: 0, width, height: 16 * lines.length };
}
w.SVGElement.prototype.getBBox = function () { return box(this); };
w.SVGElement.prototype.getComputedTextLength = function () { return box(this).width; };
w.Element.prototype.getBoundingClientRect = function () {
  const b = box(this); return { ...b, top: 0, left: 0, right: b.width, bottom: b.height };
};
const { default: mermaid } = await import("mermaid");
mermaid.initialize({ startOnLoad: false });
const out = [];
for (const [i, f] of process.argv.slice(1).entries()) {
  out.push((await mermaid.render(`d${i}`, fs.readFileSync(f, "utf8"))).svg);
}
console.log(JSON.stringify(out));
"""


def mermaid_drawings(files: list[Path]) -> list[str]:
    """The SVG Mermaid draws of each file."""
    node = mermaid_node()
    done = subprocess.run([node, "--input-type=module", "-e", RENDER, *map(str, files)],
                          cwd=MERMAID_HOME, capture_output=True, text=True, timeout=300,
                          check=False)
    assert done.returncode == 0, done.stderr
    drawings: list[str] = json.loads(done.stdout)
    return drawings


def lane_tops(svg: str, lanes: int) -> list[float]:
    """Where each lane's box starts, downwards, in the drawing."""
    tops = []
    for i in range(lanes):
        m = re.search(rf'<g class="cluster[^"]*" id="(?:d\d+-)?lane{i}"[^>]*>'
                      r'<rect[^>]* y="([-\d.]+)"', svg)
        assert m, f"lane{i} is not drawn"
        tops.append(float(m[1]))
    return tops


def step_heights(svg: str) -> dict[str, float]:
    """The y of each step's centre, by node id."""
    return {m[1]: float(m[2]) for m in re.finditer(
        r'<g class="node[^"]*" id="d\d+-flowchart-(s\d+)-\d+"[^>]*'
        r'transform="translate\([-\d.]+, ([-\d.]+)\)"', svg)}


@pytest.fixture(scope="module")
def drawn(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """What Mermaid draws of the examples and of a before/after picture whose
    title holds & < >, one team a colour and one step removed: one run of
    Node for all, Mermaid takes seconds to load."""
    from procmap.simplify.compare import compare, picture
    from test_diff import REVIEW_AFTER, REVIEW_BEFORE

    tmp = tmp_path_factory.mktemp("mermaid")
    files = {}
    for path in EXAMPLES:
        files[path.stem] = tmp / f"{path.stem}.mmd"
        files[path.stem].write_text(to_mermaid(layout(analyze(load(path), simulate=False))))
    colour = "teams: {a: A, b: {name: B & Co, color: '#8e44ad'}}"
    (tmp / "b.yaml").write_text(REVIEW_BEFORE.replace("title: Review", "title: R&D <x>")
                                .replace("teams: {a: A, b: B}", colour))
    (tmp / "a.yaml").write_text(REVIEW_AFTER.replace("title: Review", "title: R&D <x>")
                                .replace("teams: {a: A, b: B}", colour))
    both = compare(*(analyze(load(tmp / f"{v}.yaml"), simulate=False) for v in "ba"))
    files["both"] = tmp / "both.mmd"
    files["both"].write_bytes(picture(both, "mermaid"))
    return dict(zip(files, mermaid_drawings(list(files.values())), strict=True))


def test_mermaid_draws_the_lanes_in_the_order_of_teams(drawn: dict[str, str]) -> None:
    for path in EXAMPLES:
        r = analyze(load(path), simulate=False)
        svg = drawn[path.stem]
        teams = list(r.workflow.teams)
        tops = lane_tops(svg, len(teams))
        assert tops == sorted(tops) and len(set(tops)) == len(tops), (r.workflow.id, tops)
        # Each lane's steps lie below those of the lanes above it.
        y = step_heights(svg)
        band = [[y[f"s{s.index}"] for s in r.workflow.step_list if s.team == t] for t in teams]
        for upper, lower in itertools.pairwise(b for b in band if b):
            assert max(upper) < min(lower), (r.workflow.id, band)


def test_mermaid_text_orders_lanes_and_colours_teams_by_class() -> None:
    r = report("""\
        s1: {title: One, team: b, touch: 1h, next: s2}
        s2: {title: Two, team: a, touch: 1h}
        """, header="procmap: 1\nid: t\ntitle: T\n"
                    "teams: {b: {name: Bee, color: '#8e44ad'}, a: A}\nsteps:\n")
    lines = to_mermaid(layout(r)).splitlines()
    assert lines[2:6] == ["config:", "  layout: swimlane", "---", "flowchart LR"]
    assert [line for line in lines if "subgraph" in line] == [
        '  subgraph lane0["Bee"]', '  subgraph lane1["A"]', '  subgraph legend["Legend"]']
    # A class, not a one-off style: the lane's colour has a name in the CSS.
    assert [line for line in lines if "team" in line] == [
        "  classDef team0 fill:#ebddf0", "  class lane0 team0"]


def test_mermaid_shows_the_title_as_written_struck_steps_and_team_colours(
        drawn: dict[str, str]) -> None:
    svg = drawn["both"]
    title = re.search(r'class="flowchartTitleText">([^<]*)<', svg)
    assert title and title[1].startswith("R\uff06D \u2039x\u203a · ")
    assert "&amp;amp;" not in svg and "#38;" not in svg
    # "Ask customer" was removed: Mermaid shows it struck, letter by letter.
    assert "A\u0336s\u0336k\u0336 c\u0336u\u0336s\u0336t\u0336o\u0336m\u0336e\u0336r\u0336" in svg
    assert re.search(r'id="lane1"[^>]*><rect[^>]*style="fill:#ebddf0', svg)
    assert ">B &amp; Co<" in svg  # the lane's name, "B & Co" in the SVG's own escaping
