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


_PROSE_LEADING = re.compile(r"^(\s{0,3})(#|`{3,}|~{3,})", re.MULTILINE)


def prose(text: str) -> Raw:
    """Free text that the author may write in markdown (`description`,
    `instructions`): emphasis, links and lists work; raw HTML, headings and
    code fences (which would swallow the rest of the page) do not."""
    text = text.replace("<", "\\<").replace(">", "\\>")
    return Raw(_PROSE_LEADING.sub(lambda m: m[1] + "\\" + m[2], text.strip()))


def codes(items: Iterable[object]) -> Raw:
    """A list of artifact or system names as comma-separated code spans."""
    return Raw(", ".join(code(str(i)) for i in items))
