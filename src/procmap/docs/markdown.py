"""Text from the YAML made safe for GitHub-flavoured markdown.

Every ASCII punctuation character may be backslash-escaped in CommonMark and
then reads as itself, so escaping all that can start syntax (emphasis, code,
links, HTML, entities, tables, math, headings, lists) leaves no way for a
title to become markup. Line breaks inside one paragraph or cell are joined.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_SYNTAX = re.compile(r"([\\`*_{}\[\]<>#!|&~$^])")
# Only at the start of a line: list markers, setext underlines, ordered lists.
_LEADING = re.compile(r"^(\d*[.)]|[-+=])")


class Raw(str):
    """Markdown that a template may output as it is: procmap built it."""

    __slots__ = ()


def inline(text: object) -> Raw:
    """Any value as one line of literal markdown text."""
    if isinstance(text, Raw):
        return text
    flat = " ".join(str(text).split())
    escaped = _SYNTAX.sub(r"\\\1", flat)
    return Raw(_LEADING.sub(lambda m: m[0][:-1] + "\\" + m[0][-1], escaped))


def code(text: str) -> Raw:
    """An inline code span that no backtick in `text` can close early."""
    flat = " ".join(text.split())
    longest = max((len(run) for run in re.findall(r"`+", flat)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") else ""
    return Raw(f"{fence}{pad}{flat}{pad}{fence}")


LINK_SCHEMES = ("http://", "https://", "mailto:")


def safe_link(url: str) -> bool:
    """Whether a link from the author's markdown may stay a link: only web
    and mail addresses, never javascript:, data:, vbscript:, file: and the like."""
    return url.strip().lower().startswith(LINK_SCHEMES)


# The one link form prose keeps: [text](address) with an allowed scheme
# written out, so no escape or entity in the address can change it.
_LINK = re.compile(r"\[([^\[\]\n]*)\]\(((?i:https?://|mailto:)[^\s()<>\\]+)\)")
# Raw HTML, autolinks and blockquotes start with < or >; other links, images
# and reference definitions need [ and ].
_OPENERS = re.compile(r"(\\*)([<>\[\]])")
# Where a line's own content starts: after indentation and list markers.
_CONTAINER = r"^([ \t]*(?:(?:[-+*]|\d{1,9}[.)])[ \t]+)*)"
_BLOCK_START = re.compile(_CONTAINER + r"(#|`{3,}|~{3,})", re.MULTILINE)
_UNDERLINE = re.compile(_CONTAINER + r"([=-])(?=[=-]*[ \t]*$)", re.MULTILINE)


def _escaped(text: str) -> str:
    # A backslash the author wrote before "<" must not escape procmap's own:
    # "\\<img>" is an escaped backslash followed by live HTML. An odd run of
    # backslashes already escapes the character; an even one gets one more.
    return _OPENERS.sub(lambda m: m[1] + "\\" * (len(m[1]) % 2 == 0) + m[2], text)


def _before_link(text: str) -> str:
    """Prose before a kept link: an unescaped "!" there would make it an image."""
    text = _escaped(text)
    backslashes = len(text[:-1]) - len(text[:-1].rstrip("\\"))
    return text[:-1] + "\\!" if text.endswith("!") and backslashes % 2 == 0 else text


def prose(text: str) -> Raw:
    """Free text that the author may write in markdown (`description`,
    `instructions`): emphasis, lists and links to http(s) and mailto addresses
    work; raw HTML, other links, images, headings and code fences (which
    would swallow the rest of the page) show as the text they are."""
    out, at = [], 0
    for m in _LINK.finditer(text):
        out += [_before_link(text[at:m.start()]), f"[{_escaped(m[1])}]({m[2]})"]
        at = m.end()
    body = "".join([*out, _escaped(text[at:])]).strip()
    body = _BLOCK_START.sub(lambda m: m[1] + "\\" + m[2], body)
    return Raw(_UNDERLINE.sub(lambda m: m[1] + "\\" + m[2], body))


def codes(items: Iterable[object]) -> Raw:
    """A list of artifact or system names as comma-separated code spans."""
    return Raw(", ".join(code(str(i)) for i in items))
