"""Hostile text in every field a person writes, through every output format.

Each case puts one string in the workflow's title, description and owner, a
team name, and every step's title, description, instructions, `who`,
systems, `when` texts, requirement why/by and waiver reason. One run of each
command covers all cases (Graphviz draws an SVG of each, a PNG of two), and
each output is checked for anything procmap did not write itself: an
attribute or link in the SVG, a statement in the DOT or Mermaid, HTML, a
link or a heading in the markdown, a macro in the Confluence page, a second
command on a GitHub Actions line, a control character on a terminal.
"""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pydot
import pytest
from click.testing import CliRunner, Result
from markdown_it import MarkdownIt
from markdown_it.token import Token

from procmap.analysis.report import FORMATS as REPORT_FORMATS
from procmap.cli import main
from procmap.docs.storage import check as storage_check
from procmap.docs.storage import wrap as storage_wrap
from procmap.format.loader import load
from procmap.printable import one_line
from procmap.render.mermaid import LOOKALIKES

HOSTILE = {
    "dot-quoted": '"x", URL="javascript:alert(document.cookie)", tooltip="Refund"',
    "dot-image": '"y", image="/etc/passwd"',
    "dot-statement": '"]; node [shape=none]; evil [URL="javascript:x"]; x [label="',
    "dot-html-label": "<<B>big</B>> <TABLE><TR><TD HREF=\"javascript:x\">t</TD></TR></TABLE>",
    "dot-record": "{a|<p>b}|c \\N \\G \\L \\E \\T \\H",
    "quotes-backslashes": "\"'`\\\" \\\\ ends with \\",
    "xml": "]]> <![CDATA[ x ]]> <?xml version='1.0'?> <!DOCTYPE x [<!ENTITY e SYSTEM 'f'>]>",
    "script": "<script>alert(1)</script><img src=x onerror=alert(2)><svg onload=alert(3)>",
    "escaped-html": "\\<img src=x onerror=alert(5)> \\\\<b>bold</b>",
    "jinja": "{{ cycler.__init__.__globals__.os.system('id') }} {% raw %} {# x #}",
    "markdown-links": "[x](javascript:alert(1)) ![i](data:image/png;base64,AA) "
                      "<javascript:alert(1)> [r][a]\n\n[a]: javascript:alert(1)",
    "markdown-blocks": "Text\n===\n# h1\n- ## h2\n```\ncode\n~~~\n> quote\n<div>x</div>",
    "entities": "&lt;script&gt; &#x3C;b&#x3E; &amp;amp; &colon; &#0;",
    "mermaid": '"] --> X\nclick s0 call alert(1)\n%%{init: {"theme": "dark"}}%%\nend\n'
               "subgraph y\nstyle s0 fill:#f00\nclassDef x fill:red\n---\n```",
    "github": "x\n::error file=README.md,line=1::Injected\r\n::stop-commands::t",
    "ansi": "\x1b[2J\x1b]0;pwn\x07\x1b[31mred\x9b31m\x1bPq",
    "controls": "a\x01b\x02c\x0bd\x0ce\x7ff\x85g\u2028h\u2029i\tj",
    "bidi": "\u202eevil\u202c \u2066x\u2069 \u200fy",
    "blank": " \t ",
    "long": "long text " * 300,
}
CASES = list(HOSTILE)
PLAIN = "plain"  # a case with nothing hostile, for what procmap writes itself
# Every case goes through analyze, render (DOT, SVG, Mermaid) and build; the
# slower checks take the cases aimed at them: pydot reads DOT at 0.2 s a
# file, simplify takes 0.2 s a run, and a PNG is the slowest drawing.
DOT_CASES = ("dot-quoted", "dot-image", "dot-statement", "dot-html-label", "dot-record",
             "quotes-backslashes", "xml", "controls")
LOG_CASES = ("github", "ansi", "controls", "bidi", "quotes-backslashes", "markdown-links",
             "long")
PNG_CASES = ("dot-image", "dot-quoted")
# Characters that must never reach a terminal, a log or a CI annotation.
UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
SAFE_LINK = re.compile(r"(?i)(https?://|mailto:)")


def workflow(case: str, text: str) -> str:
    h = json.dumps(text)
    return f"""\
procmap: 1
id: {case}
title: {h}
description: {h}
owner: {h}
teams: {{a: {h}, b: B}}
steps:
  s1: {{title: {h}, team: a, touch: 1h, kind: decision, description: {h},
        instructions: [{h}, {h}], who: {h}, systems: [{h}],
        next: [{{to: s2, when: {h}, p: 0.5}}, {{to: s4, when: {h}, p: 0.5}}]}}
  s2: {{title: {h}, team: b, touch: 1h, kind: check, requirement: {{why: {h}, by: {h}}},
        next: s3}}
  s3: {{title: {h}, team: a, touch: 1h, value: nva, waive: {{nva-step: {h}}}, next: s4}}
  s4: {{title: {h}, team: a, touch: 1h, kind: end}}
"""


@dataclass
class Outputs:
    folder: Path
    analyze: dict[str, Result] = field(default_factory=dict)  # by format
    simplify: dict[str, Result] = field(default_factory=dict)  # by case
    diff: dict[tuple[str, str], Result] = field(default_factory=dict)  # (case, format)


def invoke(args: list[str]) -> Result:
    result = CliRunner().invoke(main, args)
    assert "Traceback" not in result.output and "internal error" not in result.output, \
        result.output
    return result


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Outputs]:
    folder = tmp_path_factory.mktemp("hostile")
    (folder / ".git").mkdir()  # no config file from above
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(folder)
        for case, text in [*HOSTILE.items(), (PLAIN, "Plain text")]:
            Path(f"{case}.yaml").write_text(workflow(case, text))
        files = [f"{case}.yaml" for case in [*CASES, PLAIN]]
        o = Outputs(folder)
        for fmt in REPORT_FORMATS:
            o.analyze[fmt] = invoke(["analyze", *files, "-f", fmt, "--no-simulate"])
        formats = ("dot", "mermaid", "svg") if shutil.which("dot") else ("dot", "mermaid")
        for fmt in formats:
            result = invoke(["render", *files, "-f", fmt, "-o", fmt])
            assert result.exit_code == 0, result.output
        if shutil.which("dot"):  # a build with diagrams: PNG, SVG and links to them
            drawn = [f"{case}.yaml" for case in PNG_CASES]
            result = invoke(["build", *drawn, "-o", "drawn", "--png"])
            assert result.exit_code == 0, result.output
        with pytest.MonkeyPatch.context() as no_graphviz:
            no_graphviz.setenv("PATH", "")
            result = invoke(["build", *files, "-o", "site"])
        assert result.exit_code == 0, result.output
        for case in LOG_CASES:
            # A task of team b between two of team a: simplify proposes to move
            # it (never the check s2: who checks is the control).
            title = json.dumps(HOSTILE[case])
            Path(f"{case}.s.yaml").write_text(workflow(case, HOSTILE[case]).replace(
                "next: s4}\n  s4:",
                f"next: s5}}\n  s5: {{title: {title}, team: b, touch: 1h, next: s4}}\n  s4:"))
            o.simplify[case] = invoke(["simplify", f"{case}.s.yaml", "-o", f"{case}.after.yaml",
                                       "--accept", "ping-pong:s5"])
            for fmt in ("text", "markdown", "json"):
                o.diff[case, fmt] = invoke(["diff", f"{case}.s.yaml", f"{case}.after.yaml",
                                            "-f", fmt, "--seed", "1"])
        yield o


def terminal_safe(text: str) -> None:
    """Nothing that moves the cursor, sends a command or starts a CI command."""
    assert not UNSAFE.findall(text)
    assert not [line for line in text.splitlines() if line.lstrip().startswith("::")]


# analyze ------------------------------------------------------------------


def test_analyze_text_keeps_every_field_on_its_line(out: Outputs) -> None:
    result = out.analyze["text"]
    assert result.exit_code in (0, 1), result.output
    terminal_safe(result.output)
    lines = result.output.splitlines()
    for case, text in HOSTILE.items():
        assert f"{case}.yaml  {one_line(text)}" in lines, case


def test_analyze_json_and_sarif_are_valid_and_carry_the_text_as_written(out: Outputs) -> None:
    report = json.loads(out.analyze["json"].output)
    titles = {w["id"]: w["title"] for w in report["workflows"]}
    assert titles == {**HOSTILE, PLAIN: "Plain text"}
    assert report["errors"] == []
    sarif = json.loads(out.analyze["sarif"].output)
    messages = [r["message"]["text"] for r in sarif["runs"][0]["results"]]
    assert messages == [f["message"] for w in report["workflows"] for f in w["findings"]]
    by_team = [m for m in messages if "a team, not a person" in m]
    assert any(HOSTILE["github"] in m for m in by_team)  # the text itself, unescaped


def test_analyze_github_writes_one_command_per_finding(out: Outputs) -> None:
    report = json.loads(out.analyze["json"].output)
    findings = [f for w in report["workflows"] for f in w["findings"]
                if f["level"] in ("error", "warning", "info")]
    text = out.analyze["github"].output
    assert not UNSAFE.findall(text)
    lines = text.splitlines()
    assert len(lines) == len(findings)
    command = re.compile(r"::(error|warning|notice) file=[^,:]+,line=\d+,col=\d+,"
                         r"title=procmap [a-z-]+ \(Algorithm step \d\)::[^\n]+")
    for line, finding in zip(lines, findings, strict=True):
        assert command.fullmatch(line), line
        assert line.count("::") == 2 + finding["message"].count("::"), line


def test_analyze_gitlab_and_junit_carry_the_text_and_parse(out: Outputs) -> None:
    report = json.loads(out.analyze["json"].output)
    shown = [f["message"] for w in report["workflows"] for f in w["findings"]
             if f["level"] in ("error", "warning", "info")]
    issues = json.loads(out.analyze["gitlab"].output)
    assert [i["description"] for i in issues] == shown  # JSON holds the text as written
    # XML 1.0 cannot hold control characters: the same visible escapes as a terminal's
    suites = ET.fromstring(out.analyze["junit"].output)
    assert {s.get("name") for s in suites} == {one_line(w["id"]) for w in report["workflows"]}
    terminal_safe(out.analyze["junit"].output)


# render -------------------------------------------------------------------

STEP_ATTRS = {"shape", "style", "label", "pos", "id", "fillcolor", "tooltip", "color",
              "penwidth", "peripheries"}
EDGE_ATTRS = {"id", "color", "penwidth", "arrowhead", "style", "xlabel"}
GRAPH_ATTRS = {"layout", "overlap", "splines", "outputorder", "dpi", "bgcolor", "pad", "fontname",
               "label", "labelloc", "labeljust", "_background"}


@pytest.mark.parametrize("case", DOT_CASES)
def test_dot_has_only_the_statements_and_attributes_procmap_writes(out: Outputs,
                                                                  case: str) -> None:
    graphs = pydot.graph_from_dot_data((out.folder / "dot" / f"{case}.dot").read_text())
    assert graphs is not None
    (graph,) = graphs
    assert set(graph.get_attributes()) == GRAPH_ATTRS
    names = [n.get_name() for n in graph.get_nodes()]
    assert names == ["node", "edge", "corner_low", "corner_high", "lane0", "lane1", "legend",
                     "findings", "s0", "s1", "s2", "s3"]
    for node in graph.get_nodes()[8:]:
        assert set(node.get_attributes()) <= STEP_ATTRS, node.get_name()
        assert node.get("id") in {f'"step-s{i}"' for i in range(1, 5)}
    edges = [(e.get_source(), e.get_destination()) for e in graph.get_edges()]
    assert edges == [("s0", "s1"), ("s0", "s3"), ("s1", "s2"), ("s2", "s3")]
    for edge in graph.get_edges():
        assert set(edge.get_attributes()) <= EDGE_ATTRS
    assert not graph.get_subgraphs()


def svg_shape(path: Path) -> tuple[set[tuple[str, tuple[str, ...]]], list[str], list[str]]:
    """(tag, attribute names) of every element and the class of every group,
    and every link target."""
    root = ET.parse(path).getroot()
    shape = {(e.tag, tuple(sorted(e.attrib))) for e in root.iter()}
    groups = [e.get("class") or "" for e in root.iter("{http://www.w3.org/2000/svg}g")]
    links = [v for e in root.iter() for k, v in e.attrib.items() if k.endswith("href")]
    return shape, sorted(groups), links


needs_graphviz = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz not installed")


@needs_graphviz
@pytest.mark.parametrize("case", CASES)
def test_svg_has_no_link_image_or_element_procmap_does_not_write(out: Outputs,
                                                                case: str) -> None:
    plain, plain_groups, _ = svg_shape(out.folder / "svg" / f"{PLAIN}.svg")
    shape, groups, links = svg_shape(out.folder / "svg" / f"{case}.svg")
    assert links == []
    assert shape <= plain, shape - plain
    assert groups == plain_groups  # the same nodes, edges and clusters


@needs_graphviz
@pytest.mark.parametrize("case", PNG_CASES)
def test_build_draws_png_and_svg_and_links_them(out: Outputs, case: str) -> None:
    drawn = out.folder / "drawn"
    assert (drawn / f"{case}.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    plain, plain_groups, _ = svg_shape(out.folder / "svg" / f"{PLAIN}.svg")
    shape, groups, links = svg_shape(drawn / f"{case}.svg")
    assert links == [] and shape <= plain and groups == plain_groups
    assert sop_links(drawn / f"{case}.md") == [f"{case}.svg"]
    assert storage_attachments(drawn / f"{case}.storage.xhtml") == {f"{case}.png",
                                                                   f"{case}.svg"}


# The lines procmap writes in Mermaid, with every "..." label emptied.
MERMAID_LINE = re.compile("|".join([
    r"---", r'title: ".*"', r"config:", r"  layout: swimlane",
    r"flowchart LR", r'  subgraph (lane\d+|legend)\[""\]',
    r"    direction LR", r"  end",
    r'    s\d+(\(""\)|\{\{""\}\}|\[/""/\]|\{""\}|\(\[""\]\)|\[\[""\]\])',
    r'  s\d+ (-->|==>|-\.->)(\|""\|)? s\d+', r'    legend_[a-z]+\[""\](:::[a-z]+)?',
    r'    findings\[""\]', r"  classDef team\d+ fill:#[0-9a-f]{6}",
    r"  class lane\d+ team\d+",
    r"  classDef [a-z]+ [a-z:#0-9,-]+", r"  class s\d+(,s\d+)* [a-z]+",
    r"  linkStyle \d+(,\d+)* [a-z:#0-9,-]+"]))


@pytest.mark.parametrize("case", CASES)
def test_mermaid_has_only_the_statements_procmap_writes(out: Outputs, case: str) -> None:
    text = (out.folder / "mermaid" / f"{case}.mmd").read_text()
    lines = text.splitlines()
    title = json.loads(lines[1].removeprefix("title: "))
    # & < > as look-alikes: Mermaid shows its title's & < > as &amp; &lt; &gt;.
    assert title.startswith(" ".join(one_line(HOSTILE[case]).split())[:20].split("\\")[0]
                            .translate(LOOKALIKES))
    labels = re.findall(r'"([^"]*)"', "\n".join(lines[2:]))
    for label in labels:
        assert not re.search(r"[<>%\\`]", label.replace("<br/>", "")), label
    for line in lines[2:]:
        assert MERMAID_LINE.fullmatch(re.sub(r'"[^"]*"', '""', line)), line
    assert "%%" not in text


# The SOP and the library ---------------------------------------------------


def lax_tokens(text: str) -> list[Token]:
    """How a CommonMark renderer with raw HTML on and every link scheme allowed reads it."""
    md = MarkdownIt("commonmark", {"html": True}).enable("table")
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    return md.parse(text)


def flat(tokens: list[Token]) -> list[Token]:
    return [*tokens, *[c for t in tokens for c in (t.children or [])]]


SOP_H2 = ["Purpose", "Scope", "Who does what", "Steps", "Diagram", "Metrics", "Open questions"]


@pytest.mark.parametrize("case", CASES)
def test_sop_markdown_has_no_html_link_heading_or_fence_from_the_text(out: Outputs,
                                                                      case: str) -> None:
    tokens = lax_tokens((out.folder / "site" / f"{case}.md").read_text())
    every = flat(tokens)
    assert not [t for t in every if t.type in ("html_block", "html_inline")]
    headings = [(t.tag, tokens[i + 1].content) for i, t in enumerate(tokens)
                if t.type == "heading_open"]
    assert [tag for tag, _ in headings] == ["h1", *["h2"] * 4, *["h3"] * 4, "h2", "h2", "h2"]
    assert [text for tag, text in headings if tag == "h2"] == SOP_H2
    assert [t.info for t in tokens if t.type in ("fence", "code_block")] == ["mermaid"]
    assert sop_links(out.folder / "site" / f"{case}.md") == []


def sop_links(path: Path) -> list[str]:
    return [str(t.attrs.get("href") or t.attrs.get("src")) for t in flat(lax_tokens(
        path.read_text())) if t.type in ("link_open", "image")]


def storage_attachments(path: Path) -> set[str | None]:
    root = ET.fromstring(storage_wrap(path.read_text()))
    return {e.get(f"{RI}filename") for e in root.iter(f"{RI}attachment")}


def test_library_index_links_only_to_the_sops(out: Outputs) -> None:
    tokens = lax_tokens((out.folder / "site" / "index.md").read_text())
    every = flat(tokens)
    assert not [t for t in every if t.type in ("html_block", "html_inline")]
    links = [str(t.attrs.get("href")) for t in every if t.type == "link_open"]
    assert sorted(links) == sorted(f"{case}.md" for case in [*CASES, PLAIN])
    assert [t.tag for t in tokens if t.type == "heading_open"] == ["h1", "h2", "h2", "h2"]


MACROS = {"status", "info", "toc", "code"}
AUTHORS_MARKUP = {"h1", "h2", "h3", "h4", "h5", "h6", "pre", "code", "blockquote", "hr", "em",
                  "strong", "ul", "ol", "li", "br", "p"}
AC = "{http://atlassian.com/content}"
RI = "{http://atlassian.com/resource/identifier}"


@pytest.mark.parametrize("case", CASES)
def test_storage_page_has_no_markup_procmap_does_not_write(out: Outputs, case: str) -> None:
    body = (out.folder / "site" / f"{case}.storage.xhtml").read_text()
    assert storage_check(body) is None
    root = ET.fromstring(storage_wrap(body))
    plain = ET.fromstring(storage_wrap(
        (out.folder / "site" / f"{PLAIN}.storage.xhtml").read_text()))
    # The author's markdown may add headings, lists, quotes and code blocks.
    assert {e.tag for e in root.iter()} <= {e.tag for e in plain.iter()} | AUTHORS_MARKUP
    assert {e.get(f"{AC}name") for e in root.iter(f"{AC}structured-macro")} <= MACROS
    assert storage_attachments(out.folder / "site" / f"{case}.storage.xhtml") == set()
    assert not [a for a in root.iter("a") if not SAFE_LINK.match(a.get("href", ""))]
    assert not [e for e in root.iter() if any(k.lower().startswith("on") for k in e.attrib)]


# simplify and diff ----------------------------------------------------------


@pytest.mark.parametrize("case", LOG_CASES)
def test_simplify_log_keeps_every_field_on_its_line(out: Outputs, case: str) -> None:
    result = out.simplify[case]
    assert result.exit_code == 0, result.output
    terminal_safe(result.output)
    for line in result.output.splitlines():
        assert re.match(r"(applied|waiting|blocked) +(safe|review) +[a-z-]+:[a-z0-9]+: "
                        r"|steps \d+ -> \d+, ", line), line
    after = load(out.folder / f"{case}.after.yaml")  # the edited YAML keeps the text
    assert after.title == HOSTILE[case]
    assert {s.title for s in after.step_list} == {HOSTILE[case]}


@pytest.mark.parametrize("case", LOG_CASES)
def test_diff_outputs_keep_the_text_in_its_place(out: Outputs, case: str) -> None:
    text = out.diff[case, "text"]
    assert text.exit_code == 0, text.output
    terminal_safe(text.output)
    markdown = lax_tokens(out.diff[case, "markdown"].output)
    assert not [t for t in flat(markdown)
                if t.type in ("html_block", "html_inline", "link_open", "image")]
    assert [t.tag for t in markdown if t.type == "heading_open"] == ["h3"]
    report = json.loads(out.diff[case, "json"].output)
    assert [m["to"] for m in report["moved"]] == [HOSTILE[case]]
