"""Open an event log in DuckDB as one table of activity instances, and say what is wrong with it.

A log has one row per event: a case id, an activity, a timestamp, and
optionally who did it, a lifecycle transition (start / complete) and an A/B
variant. The columns are found by their usual names or named with
`COLUMN=ROLE` (roles: case, step, team, time, lifecycle, variant).

Everything that makes rows unusable is counted with examples (`Issue`) and
those rows are left out; a log with nothing usable left, or without a
case, step or time column, raises `LogError` (exit 2).

The table `inst` holds one row per activity instance, in case order:
case_id, step, team, variant, s (start, NULL without lifecycle), c
(complete, NULL while unfinished), seq, prev_step, prev_team, next_step,
wait_h (from the previous instance's completion to this start, or to this
completion without lifecycle) and touch_h (start to completion).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from procmap.format.files import NotAFile, open_regular
from procmap.printable import one_line

ROLES = ("case", "step", "team", "time", "lifecycle", "variant")
REQUIRED = ("case", "step", "time")
# Usual column names, compared without case: procmap's own, pm4py's, XES's.
USUAL = {
    "case": ("case_id", "case", "caseid", "case:concept:name"),
    "step": ("activity", "step", "concept:name"),
    "team": ("resource", "team", "org:resource", "org:group"),
    "time": ("timestamp", "time", "time:timestamp"),
    "lifecycle": ("lifecycle", "lifecycle:transition"),
    "variant": ("variant",),
}
EXAMPLES = 3


class LogError(Exception):
    """The log cannot be used at all; the message says why and what to do."""


class MissingEngine(LogError):
    """DuckDB is not installed."""


@dataclass(frozen=True, slots=True)
class Issue:
    """Something wrong in the log: how often, with a few examples."""

    kind: str
    count: int
    message: str
    examples: tuple[str, ...] = ()

    def __str__(self) -> str:
        text = f"{self.count} {self.message}"
        if self.examples:
            text += " (e.g. " + ", ".join(one_line(x) for x in self.examples) + ")"
        return text

    def as_json(self) -> dict[str, object]:
        return {"kind": self.kind, "count": self.count, "message": self.message,
                "examples": list(self.examples)}


@dataclass(slots=True)
class Log:
    """An opened log: a DuckDB connection holding `inst`, and what was wrong."""

    file: str
    con: Any
    lifecycle: bool
    events: int
    cases: int
    issues: list[Issue] = field(default_factory=list)

    def rows(self, sql: str, params: Iterable[object] = ()) -> list[tuple[Any, ...]]:
        return list(self.con.execute(sql, list(params)).fetchall())


def connect() -> Any:
    try:
        import duckdb
    except ImportError:
        raise MissingEngine("reading event logs needs DuckDB: pip install 'procmap[mining]'") \
            from None
    con = duckdb.connect(":memory:")
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET enable_progress_bar = false")  # it would draw over procmap's output
    return con


def parse_map(items: Iterable[str]) -> dict[str, str]:
    """`COLUMN=ROLE` items (each may hold several, comma-separated) as role -> column."""
    out: dict[str, str] = {}
    for item in items:
        for part in item.split(","):
            column, eq, role = part.strip().rpartition("=")
            role = role.strip()
            if not eq or not column.strip():
                raise LogError(f"--map {one_line(part)!s}: write COLUMN=ROLE, "
                               f"with ROLE one of {', '.join(ROLES)}")
            if role not in ROLES:
                raise LogError(f"--map {one_line(part)}: unknown role {one_line(role)!r}; "
                               f"roles are {', '.join(ROLES)}")
            out[role] = column.strip()
    return out


def _source(con: Any, path: Path, scratch: Path) -> str:
    """The SQL table expression that scans the file."""
    suffix = "".join(path.suffixes[-2:]).lower()
    name = str(path)
    if suffix.endswith(".xes"):
        from procmap.mining.xes import XesError, to_csv

        name = str(scratch / "events.csv")
        try:
            to_csv(path, Path(name))
        except XesError as e:
            raise LogError(f"{one_line(path)}: not a readable XES log: {e}") from None
        suffix = ".csv"
    quoted = name.replace("'", "''")
    if suffix.endswith(".parquet"):
        return f"read_parquet('{quoted}')"
    with open(name, "rb") as f:
        if f.read(2) in (b"\xff\xfe", b"\xfe\xff"):  # Excel's "Unicode text"
            raise LogError(f"{one_line(path)}: UTF-16 text; export the log as CSV UTF-8")
    # Every column as text, so that a bad timestamp is a row we can name, not a failed
    # scan; rows with too many or too few fields go to reject_errors, to be counted,
    # instead of making the sniffer take the whole header for one column.
    return f"read_csv('{quoted}', all_varchar = true, header = true, store_rejects = true)"


def _columns(con: Any, source: str, file: str) -> list[str]:
    import duckdb

    try:
        return [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()]
    except duckdb.Error as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise LogError(f"{one_line(file)}: cannot read the log: {one_line(first)}") from None


def _resolve(columns: list[str], mapping: Mapping[str, str], file: str) -> dict[str, str]:
    lower = {c.lower(): c for c in columns}
    roles: dict[str, str] = {}
    for role in ROLES:
        if role in mapping:
            column = mapping[role]
            if column not in columns and column.lower() not in lower:
                raise LogError(f"{one_line(file)}: no column {one_line(column)!r} (mapped to "
                               f"{role}); the columns are {', '.join(map(one_line, columns))}")
            roles[role] = lower.get(column.lower(), column)
            continue
        found = next((lower[n] for n in USUAL[role] if n in lower), None)
        if found is not None:
            roles[role] = found
    missing = [r for r in REQUIRED if r not in roles]
    if missing:
        raise LogError(
            f"{one_line(file)}: no column for {', '.join(missing)}; the columns are "
            f"{', '.join(map(one_line, columns))}; name them with --map COLUMN=ROLE, "
            f"e.g. --map {one_line(columns[0]) if columns else 'id'}={missing[0]}")
    return roles


def _q(column: str) -> str:
    return '"' + column.replace('"', '""') + '"'


def open_log(path: str | Path, mapping: Mapping[str, str] | None = None,
             scratch: Path | None = None) -> Log:
    """Read the log at `path` into DuckDB; see the module's docstring."""
    path = Path(path)
    file = str(path)
    _check_readable(path)
    con = connect()
    owned = tempfile.TemporaryDirectory(prefix="procmap-log-") if scratch is None else None
    try:
        workdir = Path(owned.name) if owned is not None else scratch
        assert workdir is not None
        source = _source(con, path, workdir)
        roles = _resolve(_columns(con, source, file), mapping or {}, file)
        log = _load(con, source, roles, file)
    finally:
        if owned is not None:
            owned.cleanup()
    return log


def _check_readable(path: Path) -> None:
    """LogError unless `path` is a regular file that can be opened. DuckDB
    scans a log more than once (its columns, then its rows): a FIFO's rows
    would be gone by the second scan, which then waits for a writer forever."""
    file = one_line(str(path))
    try:
        open_regular(path).close()
    except FileNotFoundError:
        raise LogError(f"{file}: no such file") from None
    except NotAFile as e:
        raise LogError(f"{file}: cannot read the log: {e}: procmap reads a log more than "
                       "once, so save it to a file first") from None
    except OSError as e:
        raise LogError(f"{file}: cannot read the log: {e.strerror or e}") from None


def _text(roles: Mapping[str, str], role: str) -> str:
    if role not in roles:
        return "NULL"
    return f"NULLIF(trim(CAST({_q(roles[role])} AS VARCHAR)), '')"


def _load(con: Any, source: str, roles: Mapping[str, str], file: str) -> Log:
    import duckdb

    time = _q(roles["time"])
    try:
        con.execute(f"""
            CREATE TEMP TABLE raw AS
            SELECT row_number() OVER () AS rn,
                   {_text(roles, 'case')} AS case_id,
                   {_text(roles, 'step')} AS step,
                   coalesce({_text(roles, 'team')}, 'unassigned') AS team,
                   lower({_text(roles, 'lifecycle')}) AS lc,
                   {_text(roles, 'variant')} AS variant,
                   -- the text only where it is needed: to show a bad one
                   CASE WHEN TRY_CAST({time} AS TIMESTAMP) IS NULL
                        THEN CAST({time} AS VARCHAR) END AS time_text,
                   TRY_CAST({time} AS TIMESTAMP) AS ts
            FROM {source}""")
    except duckdb.Error as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise LogError(f"{one_line(file)}: cannot read the log: {one_line(first)}") from None
    issues: list[Issue] = []

    def count(where: str, kind: str, message: str, example: str) -> None:
        n = con.execute(f"SELECT count(*) FROM raw WHERE {where}").fetchone()[0]
        if n:
            rows = con.execute(f"SELECT {example} FROM raw WHERE {where} ORDER BY rn "
                               f"LIMIT {EXAMPLES}").fetchall()
            issues.append(Issue(kind, n, message, tuple(str(r[0]) for r in rows)))

    if "store_rejects" in source:
        issues.extend(_rejected(con, file))
    total = con.execute("SELECT count(*) FROM raw").fetchone()[0]
    count("case_id IS NULL OR step IS NULL", "missing-value",
          "events without a case id or an activity were left out", "'row ' || rn")
    count("ts IS NULL AND case_id IS NOT NULL AND step IS NOT NULL", "bad-timestamp",
          "events with a timestamp that is missing or cannot be read were left out",
          "'row ' || rn || ': ' || coalesce('''' || time_text || '''', 'empty')")
    con.execute("DELETE FROM raw WHERE case_id IS NULL OR step IS NULL OR ts IS NULL")
    # An event exported twice (the same case, activity, resource, lifecycle
    # and time) would count as a second run: a wait of 0 and a run that
    # "started and never completed".
    # Grouping says whether there are any for less than numbering the rows
    # of each group (2M events: 0.5 s against 0.7 s); only a log with them
    # pays for both.
    key = "case_id, step, team, lc, variant, ts"
    if con.execute(f"SELECT count(*) FROM raw GROUP BY {key} HAVING count(*) > 1 "
                   "LIMIT 1").fetchall():
        con.execute(f"""CREATE TEMP TABLE repeated AS SELECT rn FROM (
            SELECT rn, row_number() OVER (PARTITION BY {key} ORDER BY rn) AS k FROM raw)
            WHERE k > 1""")
        count("rn IN (SELECT rn FROM repeated)", "duplicate",
              "events that repeat an earlier event exactly (case, activity, resource, "
              "lifecycle and time) were left out", "'row ' || rn")
        con.execute("DELETE FROM raw WHERE rn IN (SELECT rn FROM repeated)")
    events = con.execute("SELECT count(*) FROM raw").fetchone()[0]
    if not events:
        reasons = "; ".join(str(i) for i in issues) or "the file has no rows"
        raise LogError(f"{one_line(file)}: no usable event in {total} rows: {reasons}")
    lifecycle = bool(con.execute("SELECT count(*) FROM raw WHERE lc = 'start'").fetchone()[0])
    if lifecycle:
        count("lc IS NULL OR lc NOT IN ('start', 'complete')", "other-lifecycle",
              "events with a lifecycle other than start or complete were left out",
              "'row ' || rn || ': ' || coalesce(lc, 'empty')")
        _pair(con)
    else:
        con.execute("""CREATE TEMP VIEW paired AS
            SELECT case_id, step, team, variant, NULL::TIMESTAMP AS s, ts AS c, rn FROM raw
            WHERE lc IS NULL OR lc = 'complete'""")
    con.execute("""
        CREATE TEMP TABLE inst AS
        SELECT *, CASE WHEN s IS NOT NULL AND c IS NOT NULL
                       THEN greatest(epoch(c) - epoch(s), 0) / 3600 END AS touch_h,
                  CASE WHEN prev_c IS NOT NULL
                       THEN greatest(epoch(coalesce(s, c)) - epoch(prev_c), 0) / 3600
                  END AS wait_h
        FROM (SELECT *, row_number() OVER w AS seq,
                     lag(step) OVER w AS prev_step, lag(team) OVER w AS prev_team,
                     lag(c) OVER w AS prev_c, lead(step) OVER w AS next_step,
                     lag(rn) OVER w AS prev_rn
              FROM paired
              WINDOW w AS (PARTITION BY case_id ORDER BY coalesce(s, c), c, rn))""")
    # In time order, a row from earlier in the file than the one before it:
    # the file had them the other way round. The same window as `inst`, so no
    # second pass over the events.
    out_of_order = con.execute("""SELECT case_id FROM inst WHERE rn < prev_rn
                                  GROUP BY case_id ORDER BY case_id""").fetchall()
    if out_of_order:
        issues.append(Issue("out-of-order", len(out_of_order),
                            "cases have events out of time order in the file; they were "
                            "put in time order", tuple(r[0] for r in out_of_order[:EXAMPLES])))
    unfinished = con.execute("""SELECT case_id FROM inst WHERE c IS NULL
                                GROUP BY case_id ORDER BY case_id""").fetchall()
    if unfinished:
        issues.append(Issue("unfinished", len(unfinished),
                            "cases have an activity that started and never completed",
                            tuple(r[0] for r in unfinished[:EXAMPLES])))
    cases = con.execute("SELECT count(DISTINCT case_id) FROM inst").fetchone()[0]
    return Log(file, con, lifecycle, events, cases, issues)


def _rejected(con: Any, file: str) -> list[Issue]:
    """The rows DuckDB's CSV reader could not split, as issues; a file that is
    not UTF-8 is refused whole, as its other rows are likely mangled too."""
    rejected: dict[int, str] = {}
    for line, kind in con.execute(
            "SELECT line, error_type FROM reject_errors ORDER BY line").fetchall():
        rejected.setdefault(int(line), str(kind))
    bad_encoding = [n for n, kind in rejected.items() if kind == "INVALID ENCODING"]
    if bad_encoding:
        raise LogError(f"{one_line(file)}: line {bad_encoding[0]} is not UTF-8 text; "
                       "export the log as CSV UTF-8")
    fields = [n for n, kind in rejected.items() if kind in ("TOO MANY COLUMNS",
                                                             "MISSING COLUMNS")]
    other = [f"line {n}: {kind.lower()}" for n, kind in rejected.items()
             if n not in fields]
    issues = []
    if fields:
        issues.append(Issue("bad-row", len(fields), "rows whose number of fields is not the "
                            "header's were left out",
                            tuple(f"line {n}" for n in fields[:EXAMPLES])))
    if other:
        issues.append(Issue("bad-row", len(other), "rows that cannot be read as CSV were "
                            "left out", tuple(other[:EXAMPLES])))
    return issues


def _pair(con: Any) -> None:
    """Pair each completion with the start just before it, of the same activity in the case.

    A start followed by another start never completed (c NULL); a completion
    without a start has no touch time (s NULL). One window, no self-join:
    this is the costliest statement on a large log.
    """
    con.execute("""CREATE TEMP VIEW paired AS
        SELECT case_id, step, team, variant,
               CASE WHEN lc = 'start' THEN ts WHEN prev_lc = 'start' THEN prev_ts END AS s,
               CASE WHEN lc = 'complete' THEN ts END AS c,
               CASE WHEN lc = 'complete' AND prev_lc = 'start' THEN prev_rn ELSE rn END AS rn
        FROM (SELECT *, lag(lc) OVER w AS prev_lc, lag(ts) OVER w AS prev_ts,
                        lag(rn) OVER w AS prev_rn, lead(lc) OVER w AS next_lc
              FROM raw WHERE lc IN ('start', 'complete')
              WINDOW w AS (PARTITION BY case_id, step ORDER BY ts, lc = 'complete', rn))
        WHERE lc = 'complete' OR next_lc IS DISTINCT FROM 'complete'""")
