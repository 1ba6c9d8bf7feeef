"""Run Graphviz's `dot` program to turn DOT into SVG or PNG."""

from __future__ import annotations

import math
import os
import shutil
import subprocess

from procmap.printable import lines

INSTALL = ("install Graphviz: `sudo apt-get install graphviz` (Debian, Ubuntu), "
           "`brew install graphviz` (macOS), `winget install graphviz` (Windows), "
           "or use --format dot or mermaid, which need no Graphviz")


TIMEOUT_VARIABLE = "PROCMAP_GRAPHVIZ_TIMEOUT"
DEFAULT_TIMEOUT = 60.0  # seconds for one drawing


class GraphvizError(Exception):
    """Graphviz is missing, refused the input or took too long; the message says
    what to do."""


class GraphvizMissing(GraphvizError):
    """No `dot` on PATH: no drawing can be made, whatever the workflow."""


def timeout() -> float:
    """Seconds one run of `dot` may take: PROCMAP_GRAPHVIZ_TIMEOUT, else 60."""
    text = os.environ.get(TIMEOUT_VARIABLE)
    if text is None:
        return DEFAULT_TIMEOUT
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not 0 < seconds < math.inf:
        raise GraphvizError(f"{TIMEOUT_VARIABLE} is {text!r}: give a number of seconds above 0")
    return seconds


def draw(dot_text: str, fmt: str) -> bytes:
    """The drawing of `dot_text` as `fmt` ("svg" or "png")."""
    exe = shutil.which("dot")
    if exe is None:
        raise GraphvizMissing(f"the {fmt} format needs Graphviz's `dot` program, which is not "
                            f"on PATH: {INSTALL}")
    seconds = timeout()
    try:
        done = subprocess.run([exe, f"-T{fmt}"], input=dot_text.encode(), capture_output=True,
                              check=False, timeout=seconds)
    except subprocess.TimeoutExpired:
        # A wide fan-out can keep dot busy for minutes: better a clear stop.
        raise GraphvizError(f"Graphviz did not finish the {fmt} within {seconds:g} s: set "
                            f"{TIMEOUT_VARIABLE} to more seconds, or use --format dot or "
                            "mermaid, which need no Graphviz") from None
    except OSError as e:
        raise GraphvizError(f"cannot run {exe}: {e.strerror or e}") from e
    if done.returncode != 0 or not done.stdout:
        # Graphviz quotes the label it choked on, and the label is the author's.
        detail = lines(done.stderr.decode(errors="replace").strip()) or f"exit {done.returncode}"
        raise GraphvizError(f"Graphviz failed: {detail}")
    return done.stdout
