"""Confluence's answers, checked against the shapes procmap reads. Every
field procmap takes from an answer is read here, so a login page, a proxy's
error page or a JSON with a field missing or of another type is an error
that says where, never a crash.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from procmap.publish.confluence.http import Answer, ConfluenceError

# Ids go into request paths: digits on both flavours, att123 for attachments.
_ID = re.compile(r"[A-Za-z0-9_-]{1,64}\Z")
_ADVICE = "Check --url and --flavour (is it the site's REST API?)."


def read(answer: Answer, what: str) -> Node:
    """The JSON of `answer`, to read with the methods of Node."""
    try:
        return Node(answer.json(), "the answer", what)
    except (ValueError, RecursionError):
        start = answer.body.lstrip()[:1]
        kind = ("an HTML page (a login page, or a proxy in between?)" if start == b"<" else
                "something that is not JSON" if start else "an empty answer")
        raise ConfluenceError(f"{what}: Confluence answered {answer.status} with {kind}. "
                              f"{_ADVICE}") from None


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return {dict: "an object", list: "a list", str: "a string", int: "a number",
            float: "a number"}.get(type(value), type(value).__name__)


@dataclass(frozen=True, slots=True)
class Node:
    """A value in an answer and where it sits, e.g. `results[2].version`."""

    value: Any
    where: str
    what: str

    def wrong(self, expected: str, got: str | None = None) -> ConfluenceError:
        got = got or f"{_kind(self.value)}, not {expected}"
        return ConfluenceError(f"{self.what}: Confluence's answer is not what procmap reads: "
                               f"{self.where} is {got}. {_ADVICE}")

    def _at(self, key: str) -> str:
        return key if self.where == "the answer" else f"{self.where}.{key}"

    def optional(self, key: str) -> Node | None:
        """The field `key` of an object; None when it is absent or null."""
        if not isinstance(self.value, dict):
            raise self.wrong("an object")
        value = self.value.get(key)
        return None if value is None else Node(value, self._at(key), self.what)

    def field(self, key: str) -> Node:
        """The field `key` of an object, which must be there."""
        found = self.optional(key)
        if found is None:
            raise Node(None, self._at(key), self.what).wrong("", "missing")
        return found

    def each(self) -> list[Node]:
        if not isinstance(self.value, list):
            raise self.wrong("a list")
        return [Node(v, f"{self.where}[{n}]", self.what) for n, v in enumerate(self.value)]

    def text(self) -> str:
        if not isinstance(self.value, str):
            raise self.wrong("a string")
        return self.value

    def number(self) -> int:
        if not isinstance(self.value, int) or isinstance(self.value, bool):
            raise self.wrong("a whole number")
        return self.value

    def ident(self) -> str:
        """An id: a string or a number (v1 gives numbers), fit for a path."""
        value = self.value
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise self.wrong("an id")
        if not _ID.match(str(value)):
            raise self.wrong("", "not an id (letters, digits, - and _)")
        return str(value)
