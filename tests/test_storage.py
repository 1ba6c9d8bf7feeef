"""Confluence storage format: what `procmap build` writes for `procmap publish`."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from procmap.cli import main
from procmap.docs.storage import cdata, check, markdown_to_xhtml, wrap, xml_text

AC = "{http://atlassian.com/content}"
RI = "{http://atlassian.com/resource/identifier}"
HOSTILE = """\
procmap: 1
id: hostile
title: "R&D <fast> \\"quoted\\" ]]> 日本語 \\x0b"
owner: Ann & Bob
description: |
  **Bold**, <script>alert(1)</script> and [a link](javascript:alert(1)).
  Ends with ]]> and &amp;.
teams: {a: "A & <B>", b: "C ]]> D"}
steps:
  s1:
    title: "One <b>not bold</b>"
    team: a
    touch: 1h
    instructions: ["Check `code` & <i>this</i>", "Then ]]> that"]
    next: s2
  s2: {title: "Two \\"]]>\\"", team: b, touch: 2h}
"""


def parse(body: str) -> ET.Element:
    return ET.fromstring(wrap(body))


def test_cdata_splits_every_end_marker() -> None:
    text = "a ]]> b ]]]]> c ]]"
    root = parse(f"<p>{cdata(text)}</p>")
    assert "".join(root.itertext()) == text


def test_markdown_becomes_xhtml_without_raw_html() -> None:
    convert = markdown_to_xhtml()
    html = convert("**bold**  \nnext <script>x()</script> [l](javascript:alert(1)) & more")
    root = parse(html)
    assert root.find(".//strong") is not None and root.find(".//br") is not None
    assert root.find(".//script") is None and "<script>" in "".join(root.itertext())
    assert all(a.get("href", "").startswith("javascript:") is False for a in root.iter("a"))


def test_markdown_links_only_to_web_and_mail_addresses() -> None:
    html = markdown_to_xhtml()("![i](data:image/png;base64,AAAA) [f](file:///etc/passwd) "
                               "[w](https://example.com) [m](mailto:a@example.com)")
    root = parse(html)
    assert [a.get("href") for a in root.iter("a")] == ["https://example.com",
                                                       "mailto:a@example.com"]
    assert root.find(".//img") is None


def test_characters_xml_cannot_carry_are_dropped() -> None:
    assert xml_text("a\x0bb\x00c\ufffe") == "ab" + "c"
    assert check("<p>a\x0bb</p>") is not None and check("<p>ab</p>") is None


def test_check_points_into_the_body() -> None:
    assert check("<p>ok</p>\n<p>open") == "line 2, column 8: an element is still open at the end"
    assert check("<p>x</q>").startswith("line 1, column 7: mismatched tag")


def test_build_writes_well_formed_pages(runner: CliRunner) -> None:
    Path("w.yaml").write_text(HOSTILE)
    result = runner.invoke(main, ["build", "w.yaml", "-o", "site"])
    assert result.exit_code == 0, result.output
    manifest = json.loads(Path("site/manifest.json").read_text())
    (entry,) = manifest["pages"]
    assert entry["title"] == 'R&D <fast> "quoted" ]]> 日本語 \x0b'
    body = Path("site", entry["bodies"]["storage"]).read_text()
    root = parse(body)
    text = "".join(root.itertext())
    assert "alert(1)" in text and root.find(".//script") is None
    assert "Ann & Bob" in text and "C ]]> D" in text and 'Two "]]>"' in text
    macros = {m.get(f"{AC}name") for m in root.iter(f"{AC}structured-macro")}
    assert {"info", "toc", "status", "code"} <= macros
    code = next(m for m in root.iter(f"{AC}structured-macro") if m.get(f"{AC}name") == "code")
    mermaid = "".join(code.find(f"{AC}plain-text-body").itertext())  # type: ignore[union-attr]
    assert mermaid == Path("site/hostile.mmd").read_text()
    assert [h.text for h in root.iter("h2")][:3] == ["Purpose", "Scope", "Who does what"]
    index = Path("site", manifest["index"]["storage"]).read_text()
    assert parse(index).find(f".//{RI}page") is not None
    if shutil.which("dot"):
        assert entry["attachments"] == ["hostile.svg"]
        # The PNG the page shows is drawn by publish, from the layout build wrote.
        assert entry["drawings"] == {"hostile.png": "hostile.laid.gv"}
        image = root.find(f".//{AC}image/{RI}attachment")
        assert image is not None and image.get(f"{RI}filename") == "hostile.png"
        assert Path("site/hostile.laid.gv").read_text().startswith("digraph workflow {")


def test_broken_storage_template_is_named(runner: CliRunner) -> None:
    Path("w.yaml").write_text(HOSTILE)
    Path("tpl").mkdir()
    Path("tpl/sop.storage.j2").write_text('{% extends "procmap/sop.storage.j2" %}'
                                          "{% block metrics %}<p>open{% endblock %}")
    result = runner.invoke(main, ["build", "w.yaml", "-o", "site", "--templates", "tpl"])
    assert result.exit_code == 2
    assert "sop.storage.j2 for w.yaml gives malformed XHTML at line" in result.output
    assert not Path("site/hostile.storage.xhtml").exists()


@pytest.mark.parametrize("name", ["sop.storage.j2", "index.storage.j2"])
def test_storage_blocks_can_be_replaced(runner: CliRunner, name: str) -> None:
    Path("w.yaml").write_text(HOSTILE)
    Path("tpl").mkdir()
    Path("tpl", name).write_text(f'{{% extends "procmap/{name}" %}}'
                                 "{% block notice %}<p>Ours &amp; only</p>{% endblock %}")
    assert runner.invoke(main, ["build", "w.yaml", "-o", "site", "--templates", "tpl"]
                         ).exit_code == 0
    page = "hostile.storage.xhtml" if name.startswith("sop") else "index.storage.xhtml"
    assert Path("site", page).read_text().startswith("<p>Ours &amp; only</p>")
