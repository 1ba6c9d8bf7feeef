"""Text written into YAML by procmap that reads back as the very same string.

libyaml refuses DEL, the C1 controls and U+FFFE/U+FFFF anywhere in a file,
and folds a raw NEL, line or paragraph separator inside a quoted scalar into
a space; JSON's string syntax escapes none of these. Every writer of YAML
text (import, simplify's edits) quotes through here.
"""

from __future__ import annotations

import re

# Characters a YAML reader takes as line breaks or refuses: such text is written
# with escapes only, so that it reads back as it was.
ODD = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r"}
_QUOTE = re.compile('[\\\\"\n\t\r]|' + ODD.pattern)


def quoted(text: str) -> str:
    """A double-quoted YAML scalar: escapes for quotes, backslashes and what YAML
    would not read back as written; every other character as it is (JSON's
    escapes would split characters beyond the BMP into surrogates YAML refuses)."""
    def escape(m: re.Match[str]) -> str:
        c = m[0]
        return _ESCAPES.get(c) or (f"\\x{ord(c):02x}" if ord(c) < 0x100
                                   else f"\\u{ord(c):04x}")

    return '"' + _QUOTE.sub(escape, text) + '"'
