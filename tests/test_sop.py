"""`procmap sop`: the SOP read back as a markdown tree (markdown-it-py, GFM tables)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from markdown_it import MarkdownIt
from markdown_it.token import Token

from helpers import CLEAN, report, write
from procmap.analysis.analyze import analyze
from procmap.cli import main
from procmap.docs.markdown import inline, prose
from procmap.docs.sop import revision, write_sop
from procmap.format.loader import load

EXAMPLES = sorted((Path(__file__).parent.parent / "workflows").glob("*.yaml"))
HOSTILE = "Pay | refund *now* <script>alert(1)</script> `x` [l](http://e) # 1. &amp; $x$ \\"


def tokens(text: str) -> list[Token]:
    return MarkdownIt("commonmark").enable("table").parse(text)


def headings(toks: list[Token], level: str) -> list[str]:
    return [plain(toks, i + 1) for i, t in enumerate(toks)
            if t.type == "heading_open" and t.tag == level]


def plain(toks: list[Token], i: int) -> str:
    """The text a reader sees of the inline token at `i`."""
    return "".join(c.content for c in toks[i].children or [] if c.type in ("text", "code_inline"))


def tables(toks: list[Token]) -> list[list[list[str]]]:
    """Each table as rows of cell texts (header row first)."""
    out: list[list[list[str]]] = []
    for i, t in enumerate(toks):
        if t.type == "table_open":
            out.append([])
        elif t.type == "tr_open":
            out[-1].append([])
        elif t.type == "inline" and toks[i - 1].type in ("th_open", "td_open"):
            out[-1][-1].append(plain(toks, i))
    return out


def no_html(toks: list[Token]) -> bool:
    children = [c for t in toks for c in (t.children or [])]
    return not any(t.type in ("html_block", "html_inline") for t in [*toks, *children])


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_sop_structure(path: Path) -> None:
    r = analyze(load(path), seed=0)
    toks = tokens(write_sop(r))
    assert headings(toks, "h1") == [r.workflow.title]
    assert headings(toks, "h2") == ["Purpose", "Scope", "Who does what", "Steps", "Diagram",
                                    "Metrics", "Open questions"]
    steps = headings(toks, "h3")
    assert len(steps) == len(r.workflow.steps)
    assert {s.split(". ", 1)[1] for s in steps} == {s.title for s in r.workflow.step_list}
    raci = tables(toks)[0]
    assert raci[0] == ["Step", *[t.name for t in r.workflow.teams.values()]]
    for row in raci[1:]:
        assert row.count("R") == 1
    fences = [t for t in toks if t.type == "fence"]
    assert [f.info for f in fences] == ["mermaid"] and "flowchart LR" in fences[0].content
    assert no_html(toks)


def test_steps_follow_flow_order_with_decisions_and_handoffs() -> None:
    r = report("""\
        start: {title: Take request, team: a, touch: 1h, next: decide}
        decide:
          title: Decide
          team: a
          kind: decision
          touch: 1h
          next: [{to: fix, when: broken, p: 0.3}, {to: done, when: fine, p: 0.7}]
        fix: {title: Fix it, team: b, touch: 1h, next: done,
              instructions: ["Open the **ticket**", "Call <b>them</b>"]}
        done: {title: Close, team: a, kind: end, touch: 1h}
        """)
    text = write_sop(r)
    toks = tokens(text)
    assert headings(toks, "h3") == ["1. Take request", "2. Decide", "3. Fix it", "4. Close"]
    items = [plain(toks, i) for i, t in enumerate(toks) if t.type == "inline"]
    assert "If broken (30.0% of cases): go to step 3, Fix it (hand to Team B)." in items
    assert "If fine (70.0% of cases): go to step 4, Close." in items
    assert any(i.startswith("Hand to Team A:") for i in [
        "".join(c.content for c in toks[k].children or [])
        for k, t in enumerate(toks) if t.type == "inline"])
    # instructions keep the author's markdown but never raw HTML
    strong = [c for t in toks for c in (t.children or []) if c.type == "strong_open"]
    assert strong and no_html(toks) and "Call <b>them</b>" in items


def test_open_questions_put_unowned_requirements_first() -> None:
    r = report("""\
        s1: {title: One, team: a, touch: 1h, value: nva, next: s2}
        s2: {title: Two, team: b, touch: 1h, kind: check}
        """)
    toks = tokens(write_sop(r))
    start = next(i for i, t in enumerate(toks) if t.type == "heading_open"
                 and plain(toks, i + 1) == "Open questions")
    questions = [plain(toks, i) for i, t in enumerate(toks[start:], start)
                 if t.type == "inline" and toks[i - 1].type == "paragraph_open"
                 and toks[i - 2].type == "list_item_open"]
    assert questions and "requirement-owner" in questions[0]
    assert any("nva-step" in q for q in questions[1:])


def test_hostile_titles_cannot_break_tables_or_inject_html() -> None:
    quoted = json.dumps(HOSTILE)
    r = report(f"""\
        s1: {{title: {quoted}, team: a, touch: 1h, next: s2}}
        s2: {{title: {quoted}, team: b, touch: 1h, systems: [{quoted}]}}
        """, header=f"procmap: 1\nid: t\ntitle: {quoted}\nowner: {quoted}\n"
                    f"teams: {{a: {quoted}, b: B, c: C}}\nsteps:\n")
    toks = tokens(write_sop(r))
    assert headings(toks, "h1") == [HOSTILE]  # the reader sees the title as written
    raci = tables(toks)[0]
    assert raci[0] == ["Step", HOSTILE, "B", "C"]
    assert all(len(row) == 4 for row in raci)
    assert [row[0] for row in raci[1:]] == [f"1. {HOSTILE}", f"2. {HOSTILE}"]
    assert no_html(toks)
    # the template itself makes no links and no emphasis here: any would be injected
    assert not [c for t in toks for c in (t.children or []) if c.type in ("link_open", "em_open")]


def test_descriptions_are_markdown_without_html_headings_or_fences() -> None:
    description = "Use **care**.\n# Not a heading\n```\n<script>x</script>\n\nLast words."
    r = report(f"""\
        s1: {{title: One, team: a, touch: 1h, description: {json.dumps(description)}}}
        """)
    toks = tokens(write_sop(r))
    assert no_html(toks)
    assert "Not a heading" not in headings(toks, "h1") + headings(toks, "h2")
    assert [t.info for t in toks if t.type == "fence"] == ["mermaid"]
    assert any(c.type == "strong_open" and toks[i].map and "care" in toks[i].content
               for i, t in enumerate(toks) for c in (t.children or []))
    assert headings(toks, "h2")[-1] == "Open questions"  # nothing swallowed the rest


def test_inline_escaping_round_trips_through_a_markdown_parser() -> None:
    for text in [HOSTILE, "- x", "1. y", "+ z", "= w", "3) q", "a\\b", "~~s~~", "**b**"]:
        toks = tokens(f"text {inline(text)}\n\n{inline(text)}\n")
        paragraphs = [plain(toks, i) for i, t in enumerate(toks) if t.type == "inline"]
        assert paragraphs == [f"text {text}", text], text


def test_revision_names_commit_and_date_in_git(tmp_path: Path) -> None:
    git = ["git", "-c", "user.name=T", "-c", "user.email=t@example.com"]
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "w.yaml").write_text(CLEAN)
    assert revision(str(tmp_path / "w.yaml")).commit is None  # not committed yet
    subprocess.run([*git, "-C", str(tmp_path), "add", "w.yaml"], check=True)
    subprocess.run([*git, "-C", str(tmp_path), "commit", "-qm", "x",
                    "--date", "2020-01-02T03:04:05Z"], check=True,
                   env={"GIT_COMMITTER_DATE": "2020-01-02T03:04:05Z", "PATH": "/usr/bin:/bin"})
    rev = revision(str(tmp_path / "w.yaml"))
    assert rev.commit and len(rev.commit) == 40 and rev.date == "2020-01-02"
    assert not rev.modified
    (tmp_path / "w.yaml").write_text(CLEAN + "# changed\n")
    assert revision(str(tmp_path / "w.yaml")).modified
    text = write_sop(analyze(load(tmp_path / "w.yaml"), simulate=False))
    assert f"at commit `{rev.commit[:10]}` (2020-01-02), with changes not yet committed" in text


def test_user_template_replaces_one_block(runner: CliRunner) -> None:
    write("clean.yaml", CLEAN)
    write("tpl/sop.md.j2", '{% extends "procmap/sop.md.j2" %}\n'
                           "{% block purpose %}\n## Why we do this\n\n{{ sop.workflow.title }}"
                           "\n\n{% endblock %}\n")
    result = runner.invoke(main, ["sop", "clean.yaml", "--templates", "tpl", "-o", "out.md"])
    assert result.exit_code == 0, result.output
    h2 = headings(tokens(Path("out.md").read_text()), "h2")
    assert h2[:2] == ["Why we do this", "Scope"] and "Purpose" not in h2


def test_config_names_the_template_folder(runner: CliRunner) -> None:
    write("clean.yaml", CLEAN)
    write(".procmap.yaml", "templates: tpl\n")
    write("tpl/sop.md.j2", "# {{ sop.workflow.title }} by {{ sop.workflow.owner or 'x' }}\n")
    result = runner.invoke(main, ["sop", "clean.yaml"])
    assert result.exit_code == 0 and result.output == "# Clean by x\n"


def test_broken_template_names_file_and_line(runner: CliRunner) -> None:
    write("clean.yaml", CLEAN)
    write("tpl/sop.md.j2", "# ok\n\n{% if %}\n")
    result = runner.invoke(main, ["sop", "clean.yaml", "--templates", "tpl", "-o", "o.md"])
    assert result.exit_code == 2 and "sop.md.j2:3:" in result.output
    write("tpl/sop.md.j2", "# ok\n{{ sop.no_such_thing }}\n")
    result = runner.invoke(main, ["sop", "clean.yaml", "--templates", "tpl", "-o", "o.md"])
    assert result.exit_code == 2 and "sop.md.j2:2:" in result.output
    assert "no_such_thing" in result.output and not Path("o.md").exists()


@pytest.mark.parametrize(("code", "message"), [
    ("{{ 1 / 0 }}", "ZeroDivisionError: division by zero"),
    ("{{ 'a' + 1 }}", 'TypeError: can only concatenate str (not "int") to str'),
    ("{{ '{:q}'.format(1) }}", "ValueError: Unknown format code 'q' for object of type 'int'"),
])
def test_a_python_error_in_template_code_names_file_and_line(
        runner: CliRunner, code: str, message: str) -> None:
    # It was "procmap: internal error: ZeroDivisionError", as if procmap had failed.
    write("clean.yaml", CLEAN)
    write("tpl/sop.md.j2", f"# ok\n\n{code}\n")
    result = runner.invoke(main, ["sop", "clean.yaml", "--templates", "tpl", "-o", "o.md"])
    assert result.exit_code == 2, result.output
    assert result.output == f"procmap: template error: tpl/sop.md.j2:3: {message}\n"
    assert not Path("o.md").exists()
    result = runner.invoke(main, ["build", "clean.yaml", "--templates", "tpl", "-o", "site"])
    assert result.exit_code == 2 and f"sop.md.j2:3: {message}" in result.output


def test_invalid_workflow_is_an_error_with_its_place(runner: CliRunner) -> None:
    write("bad.yaml", CLEAN.replace("team: a", "team: zz", 1))
    result = runner.invoke(main, ["sop", "bad.yaml", "-o", "o.md"])
    assert result.exit_code == 2 and "bad.yaml:6:" in result.output
    assert not Path("o.md").exists()


def test_the_override_example_in_the_docs_works(runner: CliRunner) -> None:
    docs = (Path(__file__).parent.parent / "docs" / "templates.md").read_text()
    example = docs.split("```jinja\n", 1)[1].split("```", 1)[0]
    write("tpl/sop.md.j2", example)
    write("clean.yaml", CLEAN.replace("teams:", "description: Keep *it* short.\nteams:"))
    result = runner.invoke(main, ["sop", "clean.yaml", "--templates", "tpl"])
    assert result.exit_code == 0, result.output
    toks = tokens(result.output)
    assert headings(toks, "h2")[:2] == ["Why we do this", "Scope"]


# Descriptions that a CommonMark renderer with raw HTML on turned into live
# HTML, script links, headings or code blocks (issue 14, point 5).
HOSTILE_PROSE = [
    "\\<img src=x onerror=alert(5)>", "\\\\<img src=x onerror=alert(5)>",
    "[x](javascript:alert(1))", "[x](JavaScript:alert(1))", "[x](<javascript:alert(1)>)",
    "[x](javascript&colon;alert(1))", "[x](java\\script:alert(1))", "[x]( vbscript:x)",
    "![x](data:image/png;base64,AAAA)", "[x](data:text/html,<script>x</script>)",
    "[a]: javascript:alert(1)\n\n[a]", "[a][b]\n\n[b]: javascript:alert(1)",
    "<javascript:alert(1)>", "<https://example.com>", "[x](file:///etc/passwd)",
    "Text\n===", "Text\n---", "- Foo\n  ===", "- # h", "1. ## h", "  ### h",
    "- ```\n  code", "~~~\ncode", "\\```\ncode", "<div>\n*x*\n</div>", "&lt;b&gt;",
]


def links(toks: list[Token]) -> list[str]:
    children = [c for t in toks for c in (t.children or [])]
    return [str(c.attrs.get("href") or c.attrs.get("src")) for c in children
            if c.type in ("link_open", "image")]


@pytest.mark.parametrize("text", HOSTILE_PROSE)
def test_prose_keeps_out_raw_html_script_links_headings_and_fences(text: str) -> None:
    lax = MarkdownIt("commonmark", {"html": True})
    lax.validateLink = lambda url: True  # a renderer that trusts every scheme
    toks = lax.parse(f"Before.\n\n{prose(text)}\n\nAfter.\n")
    assert no_html(toks)
    assert not [t for t in toks if t.type in ("heading_open", "fence", "code_block")]
    assert links(toks) == []
    assert [t.type for t in toks][-3:] == ["paragraph_open", "inline", "paragraph_close"]
    assert toks[-2].content == "After."


def test_prose_keeps_http_and_mailto_links() -> None:
    text = ("See [the policy](https://example.com/p?a=1&b=2), [mail](mailto:ops@example.com)"
            " and ![chart](http://example.com/c.png), not [x](javascript:y).")
    toks = tokens(prose(text))
    assert links(toks) == ["https://example.com/p?a=1&b=2", "mailto:ops@example.com",
                           "http://example.com/c.png"]
    assert [c.type for c in toks[1].children or []].count("image") == 0
    assert plain(toks, 1) == ("See the policy, mail and !chart, not [x](javascript:y).")


@pytest.mark.parametrize("code", [
    "{{ cycler.__init__.__globals__.os.system('touch PWNED') }}",
    "{{ sop.__class__.__mro__[1].__subclasses__() }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{% for s in sop.steps %}{{ s.step.__init__.__globals__ }}{% endfor %}",
])
def test_user_templates_run_in_a_sandbox(runner: CliRunner, code: str) -> None:
    write("clean.yaml", CLEAN)
    write("tpl/sop.md.j2", f"# ok\n\n{code}\n")
    result = runner.invoke(main, ["sop", "clean.yaml", "--templates", "tpl", "-o", "o.md"])
    assert result.exit_code == 2, result.output
    assert result.output.startswith("procmap: template error: ")
    assert "sop.md.j2:3: " in result.output and "unsafe" in result.output
    assert "Traceback" not in result.output
    assert not Path("PWNED").exists() and not Path("o.md").exists()


def test_only_the_shipped_templates_run_outside_the_sandbox(tmp_path: Path) -> None:
    """The sandbox's check of every attribute took 40% of the time of
    rendering; the shipped templates are procmap's own, a folder's may not be."""
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment

    from procmap.docs.templating import environment, storage_environment

    for make in (environment, storage_environment):
        assert type(make(None)) is jinja2.Environment
        assert isinstance(make(tmp_path), SandboxedEnvironment)
