"""XES (IEEE 1849) event logs, read as a stream into a CSV file DuckDB then reads.

expat reads the file in chunks, so a log of any size never sits in memory.
A document type declaration is refused outright: XES needs none, and
entities declared in one are how a small file expands into gigabytes.
"""

from __future__ import annotations

import csv
import xml.parsers.expat
from pathlib import Path
from typing import IO

CASE = "case:concept:name"
COLUMNS = (CASE, "concept:name", "org:resource", "time:timestamp", "lifecycle:transition")
_CHUNK = 1 << 20


class XesError(Exception):
    """The file is not an XES log procmap can read; the message says where."""


class _Reader:
    def __init__(self, out: IO[str]) -> None:
        self.writer = csv.writer(out)
        self.writer.writerow(COLUMNS)
        self.case: str | None = None
        self.event: dict[str, str] | None = None
        self.depth_in_event = 0
        self.events = 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        tag = name.rsplit(":", 1)[-1]  # a prefixed xes:trace is a trace too
        if tag == "trace":
            self.case = None
        elif tag == "event":
            self.event = {}
            self.depth_in_event = 0
        elif self.event is not None:
            self.depth_in_event += 1
            # Only the event's own attributes, not those nested in lists or containers.
            if self.depth_in_event == 1 and "key" in attrs and "value" in attrs:
                self.event[attrs["key"]] = attrs["value"]
        elif "key" in attrs and "value" in attrs and attrs["key"] == "concept:name":
            self.case = attrs["value"]

    def end(self, name: str) -> None:
        tag = name.rsplit(":", 1)[-1]  # a prefixed xes:trace is a trace too
        if tag == "event" and self.event is not None:
            e = self.event
            self.writer.writerow((self.case or "", e.get("concept:name", ""),
                                  e.get("org:resource", ""), e.get("time:timestamp", ""),
                                  e.get("lifecycle:transition", "")))
            self.events += 1
            self.event = None
        elif self.event is not None:
            self.depth_in_event -= 1


def _refuse_doctype(*_: object) -> None:
    raise XesError("the file declares a document type (<!DOCTYPE>): XES needs none, and "
                   "procmap does not expand entities; remove the declaration")


def to_csv(source: Path, target: Path) -> int:
    """Write the events of the XES file `source` as CSV rows; return how many."""
    with open(target, "w", newline="", encoding="utf-8") as out, open(source, "rb") as f:
        reader = _Reader(out)
        parser = xml.parsers.expat.ParserCreate()
        parser.StartDoctypeDeclHandler = _refuse_doctype
        parser.EntityDeclHandler = _refuse_doctype
        parser.StartElementHandler = reader.start
        parser.EndElementHandler = reader.end
        try:
            while chunk := f.read(_CHUNK):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
        except xml.parsers.expat.ExpatError as e:
            raise XesError(f"line {e.lineno}, column {e.offset + 1}: "
                           f"{xml.parsers.expat.errors.messages[e.code]}") from None
        return reader.events
