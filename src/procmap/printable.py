"""Text from the YAML made safe to print: one place for every output format.

A title may hold any character a YAML escape can write. On a terminal an
ESC starts a command (clear the screen, set the window title), a carriage
return overwrites the line, a bidirectional override reorders what follows;
in a CI log a line break starts a line of its own, and a GitHub Actions
workflow command (`::error ...`) at the start of a line is obeyed.
"""

from __future__ import annotations

import re

# Control characters (C0, DEL, C1), line and paragraph separators, the
# bidirectional marks and overrides that reorder the text around them, and
# lone surrogates (a JSON escape can give one), which no output can encode.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e"
                     "\u2066-\u2069\ud800-\udfff]")
_CONTROLS = re.compile("[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(m: re.Match[str]) -> str:
    c = m[0]
    return _NAMED.get(c) or (f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}")


def one_line(text: object) -> str:
    """`text` as one field of one line of a terminal, log or CI annotation:
    every control character, line break and bidirectional mark shows as a
    Python-style escape (`\\n`, `\\x1b`, `\\u202e`), so the field can neither
    end its line nor send a command."""
    return _UNSAFE.sub(_escape, str(text))


def lines(text: str) -> str:
    """Several lines of text (another program's messages): each one as `one_line`."""
    return "\n".join(one_line(line) for line in text.splitlines())


def printable(text: str) -> str:
    """Control characters other than line breaks as spaces, for drawings:
    Graphviz's XML parser rejects them in HTML-like labels, and no one means them."""
    return _CONTROLS.sub(" ", text)
