"""Confluence storage format: the XHTML of a Confluence page body.

A page body is a fragment that uses the `ac:` and `ri:` prefixes without
declaring them; Confluence parses it as XML inside a root that declares
them. `wrap()` builds that document, so procmap checks what it publishes
the way Confluence will read it.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable

from markdown_it import MarkdownIt
from markupsafe import Markup

from procmap.docs.markdown import safe_link

# Characters XML 1.0 cannot carry even as references: C0 controls other than
# tab and newlines, lone surrogates, U+FFFE and U+FFFF. YAML lets a title hold
# them through escapes such as "\x0b".
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

_NAMESPACES = ('xmlns:ac="http://atlassian.com/content" '
               'xmlns:ri="http://atlassian.com/resource/identifier"')


def xml_text(value: object) -> object:
    """`value` without the characters XML forbids; Markup stays Markup."""
    if isinstance(value, Markup):
        return Markup(_NOT_XML.sub("", value))
    if isinstance(value, str):
        return _NOT_XML.sub("", value)
    return value


def cdata(text: str) -> Markup:
    """`text` as CDATA. A CDATA section ends at the first `]]>`, so each one in
    the text is split across two sections: `]]` closes one, `>` opens the next."""
    body = _NOT_XML.sub("", str(text)).replace("]]>", "]]]]><![CDATA[>")
    return Markup(f"<![CDATA[{body}]]>")


def markdown_to_xhtml() -> Callable[[str], Markup]:
    """A filter that turns the author's markdown (`description`,
    `instructions`) into XHTML. Raw HTML in it stays text: a description
    must not inject macros or scripts into the page, and links go to web and
    mail addresses only, as in the markdown SOP."""
    md = MarkdownIt("commonmark", {"xhtmlOut": True, "html": False}).enable("table")
    md.validateLink = safe_link  # type: ignore[method-assign]  # markdown-it documents this

    def convert(text: str) -> Markup:
        return Markup(_NOT_XML.sub("", md.render(str(text))).strip())

    return convert


def wrap(body: str) -> str:
    """The document Confluence parses a page body as."""
    return f"<ac:confluence {_NAMESPACES}>{body}</ac:confluence>"


def check(body: str) -> str | None:
    """None when `body` is well-formed storage format, else where and why not,
    with the line and column counted in `body` itself."""
    try:
        ET.fromstring(wrap(body))
    except ET.ParseError as e:
        line, column = e.position  # column counts from 0
        reason = str(e).split(":")[0]
        if line == 1:
            column -= len(wrap("").split("</")[0])
        lines = body.split("\n")
        if line == len(lines) and column >= len(lines[-1]):
            # expat stumbles on the wrapper's closing tag
            return f"line {line}, column {len(lines[-1]) + 1}: an element is still open at the end"
        return f"line {line}, column {column + 1}: {reason}"
    return None
