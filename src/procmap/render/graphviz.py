"""Run Graphviz's `dot` program to turn DOT into SVG or PNG."""

from __future__ import annotations

import shutil
import subprocess

from procmap.printable import lines

INSTALL = ("install Graphviz: `sudo apt-get install graphviz` (Debian, Ubuntu), "
           "`brew install graphviz` (macOS), `winget install graphviz` (Windows), "
           "or use --format dot or mermaid, which need no Graphviz")


class GraphvizError(Exception):
    """Graphviz is missing or refused the input; the message says what to do."""


def draw(dot_text: str, fmt: str) -> bytes:
    """The drawing of `dot_text` as `fmt` ("svg" or "png")."""
    exe = shutil.which("dot")
    if exe is None:
        raise GraphvizError(f"the {fmt} format needs Graphviz's `dot` program, which is not "
                            f"on PATH: {INSTALL}")
    try:
        done = subprocess.run([exe, f"-T{fmt}"], input=dot_text.encode(), capture_output=True,
                              check=False)
    except OSError as e:
        raise GraphvizError(f"cannot run {exe}: {e.strerror or e}") from e
    if done.returncode != 0 or not done.stdout:
        # Graphviz quotes the label it choked on, and the label is the author's.
        detail = lines(done.stderr.decode(errors="replace").strip()) or f"exit {done.returncode}"
        raise GraphvizError(f"Graphviz failed: {detail}")
    return done.stdout
