"""Event logs: discovery, conformance, A/B and bad logs, on logs generated from known maps."""

from __future__ import annotations

import csv
import json
import os
import re
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner
from markdown_it import MarkdownIt

from procmap.analysis.graph import Flow
from procmap.analysis.metrics import measure
from procmap.cli import main
from procmap.format.loader import load, loads
from procmap.format.model import Workflow
from procmap.mining import abtest, generate
from procmap.mining.conformance import conformance
from procmap.mining.discover import discover, duration, measured
from procmap.mining.log import LogError, open_log, parse_map

pytest.importorskip("duckdb")

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "workflows").glob("*.yaml"))


def edges(workflow: Workflow) -> dict[tuple[str, str], float | None]:
    return {(s.id, b.to): b.p for s in workflow.step_list for b in s.next}


def write(path: Path, workflow: Workflow, cases: int, seed: int = 1, **kw: object) -> Path:
    generate.write_log(path, generate.cases(workflow, cases, seed=seed, **kw))  # type: ignore[arg-type]
    return path


def read_rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def write_rows(path: Path, rows: list[dict[str, str]]) -> Path:
    with open(path, "w", newline="") as f:
        out = csv.DictWriter(f, fieldnames=list(rows[0]))
        out.writeheader()
        out.writerows(rows)
    return path


def test_discovery_recovers_graph_and_odds_of_every_example(tmp_path: Path) -> None:
    for file in EXAMPLES:
        truth = load(file)
        log = open_log(write(tmp_path / f"{truth.id}.parquet", truth, 10_000))
        found = loads(discover(log).yaml)
        assert found.start == truth.start, file.name
        want, got = edges(truth), edges(found)
        assert set(got) == set(want), file.name
        for edge, p in want.items():
            if p is None:
                assert got[edge] is None, (file.name, edge)
            else:
                assert got[edge] == pytest.approx(p, abs=0.03), (file.name, edge)
        for step in truth.step_list:
            assert found.steps[step.id].team == step.team
            if step.touch.fixed and step.touch.likely > 0:
                assert found.steps[step.id].touch.likely == pytest.approx(step.touch.likely,
                                                                          rel=0.01)


def test_discovered_ranges_keep_the_measured_mean_and_plain_values_stay_plain() -> None:
    assert measured(2.0, 2.0, 2.0) == "2h"
    assert measured(None, None, None) is None
    # PERT mean (1 + 4 * 2.5 + 4) / 6 = 2.5
    assert measured(2.5, 1.0, 4.0) == {"min": "1h", "likely": "2.5h", "max": "4h"}


def test_a_long_tail_keeps_the_measured_mean_as_the_pert_mean() -> None:
    # 39 waits of 1h and one of 1000h: mean 26h, 99th percentile about 610h.
    # `likely` clamped to the minimum gave {1h, 1h, 610h}, PERT mean 102h.
    assert measured(26.0, 1.0, 610.0) == {"min": "0.04d", "likely": "0.04d", "max": "6.29d"}
    # The mean past the 99th percentile: a few enormous values.
    assert measured(26.0, 1.0, 20.0) == {"min": "0.04d", "likely": "0.83d", "max": "3.12d"}
    # A long lower tail: most take 20h, a few almost nothing.
    assert measured(18.0, 0.0, 20.0) == {"min": "8h", "likely": "20h", "max": "20h"}
    assert duration(0.5) == "30m" and duration(36) == "1.5d" and duration(0) == "0m"


def test_discovery_writes_a_triangular_range_and_start_complete_touch(tmp_path: Path) -> None:
    truth = load(ROOT / "workflows/executive-escalation.yaml")
    found = loads(discover(open_log(write(tmp_path / "e.csv", truth, 2000))).yaml)
    touch = found.steps["network-diagnosis"].touch
    assert not touch.fixed
    # min and max are the 1st and 99th percentiles of triangular(0.5, 2, 8):
    # 0.5 + sqrt(0.01 * 7.5 * 1.5) = 0.84 and 8 - sqrt(0.01 * 7.5 * 6) = 7.33.
    assert touch.low == pytest.approx(0.84, abs=0.15)
    assert touch.high == pytest.approx(7.33, abs=0.3)
    # The measured mean is kept: the generator draws triangular(0.5, 2, 8), mean 3.5 h.
    assert touch.mean == pytest.approx(3.5, rel=0.05)
    assert found.steps["triage"].wait.likely == pytest.approx(24.0)


def test_an_activity_that_sometimes_ends_the_case_gets_an_end_branch(tmp_path: Path) -> None:
    rows = [{"case_id": f"k{k}", "activity": a, "timestamp": f"2026-01-01 0{i}:00:00"}
            for k in range(10) for i, a in enumerate(["open", "check"] + ["close"] * (k < 6))]
    found = loads(discover(open_log(write_rows(tmp_path / "l.csv", rows))).yaml)
    assert [(b.to, b.p) for b in found.steps["check"].next] == [("close", 0.6),
                                                                 ("case-ends", 0.4)]
    assert found.steps["case-ends"].kind == "end"


def plant(rows: list[dict[str, str]], cases: set[str], drop: str | None = None,
          extra: str | None = None) -> list[dict[str, str]]:
    out = []
    for row in rows:
        if row["case_id"] in cases and row["activity"] == drop:
            continue
        out.append(row)
        if row["case_id"] in cases and extra and row["activity"] == "intake" \
                and row["lifecycle"] == "complete":
            out.append({**row, "activity": extra, "lifecycle": "complete"})
    return out


def test_conformance_reports_planted_deviations_with_case_counts(tmp_path: Path) -> None:
    truth = load(ROOT / "workflows/billing-dispute.yaml")
    rows = read_rows(write(tmp_path / "b.csv", truth, 300))
    skipped = {f"c{k}" for k in range(1, 18)}  # 17 cases skip verify-account
    extra = {f"c{k}" for k in range(40, 45)}  # 5 cases call a manager
    rows = plant(plant(rows, skipped, drop="verify-account"), extra, extra="call-manager")
    c = conformance(open_log(write_rows(tmp_path / "planted.csv", rows)), truth)
    got = {(d.kind, d.detail): (d.cases, d.examples) for d in c.deviations}
    assert got == {("skipped step", "verify-account"): (17, ("c1", "c2", "c3")),
                   ("extra activity", "call-manager"): (5, ("c40", "c41", "c42"))}
    assert (c.cases, c.following) == (300, 278)
    assert c.mapped_handoffs == pytest.approx(4.5)
    # intake -> verify (support, support) -> review: no handoff is lost by the skip.
    assert c.handoffs_per_case > 4.0


def test_conformance_names_rework_order_and_missing_ends(tmp_path: Path) -> None:
    truth = load(ROOT / "workflows/billing-dispute.yaml")
    base = {"resource": "support", "lifecycle": "complete"}
    steps = {"r": ["intake", "verify-account", "intake", "verify-account", "review-dispute",
                   "decide-refund", "explain-charge"],
             "o": ["verify-account", "intake"],
             "ok": ["intake", "verify-account", "review-dispute", "decide-refund",
                    "explain-charge"]}
    rows = [{"case_id": case, "activity": a, "timestamp": f"2026-01-01 {h:02d}:00:00", **base}
            for case, acts in steps.items() for h, a in enumerate(acts)]
    c = conformance(open_log(write_rows(tmp_path / "x.csv", rows)), truth)
    got = {(d.kind, d.detail): d.examples for d in c.deviations}
    assert got == {("skipped step", "intake"): ("o",),
                   ("rework", "verify-account -> intake"): ("r",),
                   ("unexpected order", "verify-account -> intake"): ("o",),
                   ("no end", "stops at intake"): ("o",)}
    assert c.following == 1


def ab_logs(tmp_path: Path, faster: bool, seed_b: int) -> tuple[abtest.Cases, abtest.Cases]:
    truth = load(ROOT / "workflows/billing-dispute.yaml")
    text = (ROOT / "workflows/billing-dispute.yaml").read_text()
    changed = loads(text.replace("    wait: 2d\n    next:\n      - to: check-outage",
                                 "    wait: 1d\n    next:\n      - to: check-outage"))
    assert changed.steps["review-dispute"].wait.likely == 24.0
    a = open_log(write(tmp_path / "a.csv", truth, 400, seed=1))
    b = open_log(write(tmp_path / "b.csv", changed if faster else truth, 400, seed=seed_b))
    return abtest.per_case(a), abtest.per_case(b)


def test_ab_finds_a_day_saved_and_says_so_plainly(tmp_path: Path) -> None:
    a, b = ab_logs(tmp_path, faster=True, seed_b=2)
    c = abtest.compare("A", a, "B", b)
    assert c.significant
    assert c.ci_low_h < -24 < c.ci_high_h < 0
    assert re.fullmatch(r"B is faster by 0\.\d d, 95% CI 0\.\d to 1\.\d d "
                        r"\(Mann-Whitney p = [0-9.e-]+\)", c.verdict), c.verdict


def test_ab_with_paired_draws_measures_the_exact_day(tmp_path: Path) -> None:
    # The same seed draws the same branches and times: each case is exactly 24 h shorter.
    a, b = ab_logs(tmp_path, faster=True, seed_b=1)
    c = abtest.compare("A", a, "B", b)
    assert c.diff_h == pytest.approx(-24.0)
    assert c.b.p50_h == pytest.approx(c.a.p50_h - 24)
    assert c.verdict.startswith("B is faster by 1.0 d, 95% CI ")


def test_ab_does_not_call_an_aa_pair_significant(tmp_path: Path) -> None:
    a, b = ab_logs(tmp_path, faster=False, seed_b=2)
    c = abtest.compare("A", a, "B", b)
    assert not c.significant
    assert c.verdict.startswith("no significant difference in lead time: B - A = ")


def test_aa_false_alarm_rate_stays_near_alpha() -> None:
    import numpy as np

    rng = np.random.default_rng(7)
    alarms = 0
    for _ in range(200):
        x, y = rng.exponential(50, 60), rng.exponential(50, 60)
        _, p = abtest.mann_whitney(x, y)
        alarms += p < abtest.ALPHA
    # 5% of 200 is 10; a binomial(200, 0.05) stays under 20 with probability > 0.999.
    assert alarms < 20


def test_mann_whitney_matches_a_hand_count_with_ties() -> None:
    import numpy as np

    u, p = abtest.mann_whitney(np.array([1.0, 2.0, 2.0]), np.array([2.0, 3.0]))
    # pairs x > y count 1, ties 0.5: (1 vs 2,3): 0; (2 vs 2): 0.5 twice; total 1.0
    assert u == 1.0
    assert 0 < p <= 1


def test_compare_logs_reads_one_log_with_a_variant_column(tmp_path: Path) -> None:
    truth = load(ROOT / "workflows/partner-onboarding.yaml")
    rows = list(generate.cases(truth, 50, seed=1, variant="old", prefix="o")) + \
        list(generate.cases(truth, 50, seed=2, variant="new", prefix="n"))
    generate.write_log(tmp_path / "ab.csv", rows)
    result = CliRunner().invoke(main, ["compare-logs", str(tmp_path / "ab.csv"), "-f", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["a"]["name"], data["a"]["cases"], data["b"]["name"], data["b"]["cases"]) == \
        ("old", 50, "new", 50)
    assert data["verdict"].startswith("no significant difference")
    md = CliRunner().invoke(main, ["compare-logs", str(tmp_path / "ab.csv"), "-f", "markdown"])
    assert md.output.startswith("| variant | cases | mean h |")


def test_variant_names_from_the_log_are_text_in_markdown(tmp_path: Path) -> None:
    # A variant name is a cell of the log: it reached the markdown as live HTML.
    names = ["old <img src=x onerror=alert(1)> [x](javascript:alert(2))", "new\n::error::x|`"]
    rows = [{"case_id": f"{v[0]}{c}", "activity": a, "timestamp": f"2026-01-0{1 + c % 9} {h}:00",
             "variant": v} for v in names for c in range(12) for a, h in (("A", 10), ("B", 12))]
    path = write_rows(tmp_path / "ab.csv", rows)
    result = CliRunner().invoke(main, ["compare-logs", str(path), "-f", "markdown"])
    assert result.exit_code == 0, result.output
    tokens = MarkdownIt("commonmark", {"html": True}).enable("table").parse(result.output)
    kinds = {t.type for t in tokens} | {c.type for t in tokens for c in t.children or []}
    assert not kinds & {"html_block", "html_inline", "link_open", "image", "code_inline"}
    cells = [t.children[0].content for t in tokens if t.type == "inline" and t.children]
    assert cells[7] == names[0] and cells[14] == "new\\n::error::x|`"
    assert result.output.count("\n") == 6


def test_mine_cli_writes_a_workflow_that_analyze_reads(tmp_path: Path) -> None:
    truth = load(ROOT / "workflows/billing-dispute.yaml")
    write(tmp_path / "log.csv", truth, 200)
    out = tmp_path / "asis.yaml"
    result = CliRunner().invoke(main, ["mine", str(tmp_path / "log.csv"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    found = load(out)
    assert found.id == "log" and set(edges(found)) == set(edges(truth))
    assert Flow(found).start == Flow(truth).start


def test_mine_against_prints_the_share_that_follows(tmp_path: Path) -> None:
    truth = ROOT / "workflows/billing-dispute.yaml"
    write(tmp_path / "log.csv", load(truth), 100)
    result = CliRunner().invoke(main, ["mine", str(tmp_path / "log.csv"), "--against",
                                       str(truth)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"{tmp_path / 'log.csv'} against billing-dispute: "
                                    "100 of 100 cases (100.0%) follow the map\n")


# Bad logs: counts and examples, never a traceback; exit 2 when nothing is usable.

def test_missing_column_is_named_with_the_columns_there(tmp_path: Path) -> None:
    path = write_rows(tmp_path / "l.csv", [{"id": "1", "what": "a", "when": "2026-01-01"}])
    result = CliRunner().invoke(main, ["mine", str(path)])
    assert result.exit_code == 2
    assert result.output == (f"Error: {path}: no column for case, step, time; the columns are "
                             "id, what, when; name them with --map COLUMN=ROLE, e.g. "
                             "--map id=case\n")
    ok = CliRunner().invoke(main, ["mine", str(path), "--map", "id=case,what=step",
                                   "--map", "when=time"])
    assert ok.exit_code == 0, ok.output


def test_bad_map_items_are_usage_errors() -> None:
    with pytest.raises(LogError, match="unknown role 'activity'"):
        parse_map(["step=activity"])
    assert parse_map(["activity=step,resource=team"]) == {"step": "activity", "team": "resource"}


def test_bad_timestamps_out_of_order_and_unfinished_are_counted(tmp_path: Path) -> None:
    rows = [
        {"case_id": "a", "activity": "x", "timestamp": "2026-01-01 10:00", "lifecycle": "start"},
        {"case_id": "a", "activity": "x", "timestamp": "yesterday", "lifecycle": "complete"},
        {"case_id": "b", "activity": "x", "timestamp": "2026-01-01 12:00", "lifecycle": "start"},
        {"case_id": "b", "activity": "x", "timestamp": "2026-01-01 13:00",
         "lifecycle": "complete"},
        {"case_id": "b", "activity": "y", "timestamp": "2026-01-01 11:00",
         "lifecycle": "complete"},
        {"case_id": "", "activity": "y", "timestamp": "2026-01-01 11:00",
         "lifecycle": "complete"},
    ]
    log = open_log(write_rows(tmp_path / "bad.csv", rows))
    assert [str(i) for i in log.issues] == [
        "1 events without a case id or an activity were left out (e.g. row 6)",
        "1 events with a timestamp that is missing or cannot be read were left out "
        "(e.g. row 2: 'yesterday')",
        "1 cases have events out of time order in the file; they were put in time order "
        "(e.g. b)",
        "1 cases have an activity that started and never completed (e.g. a)",
    ]
    result = CliRunner().invoke(main, ["mine", str(tmp_path / "bad.csv")])
    assert result.exit_code == 0, result.output
    assert "procmap: note: 1 events with a timestamp that is missing" in result.output


def test_an_event_exported_twice_counts_once(tmp_path: Path) -> None:
    # Taken as a second run, it gave a 0h wait, a range {0h, 1h, 2h} and
    # "1 cases have an activity that started and never completed".
    rows = []
    for case in range(40):
        for step, (start, end) in (("x", ("10:00", "11:00")), ("y", ("12:00", "13:00"))):
            for lc, hour in (("start", start), ("complete", end)):
                rows.append({"case_id": f"c{case}", "activity": step,
                             "timestamp": f"2026-01-01 {hour}", "lifecycle": lc})
    rows.insert(3, dict(rows[2]))  # c0's start of y, twice
    log = open_log(write_rows(tmp_path / "twice.csv", rows))
    assert [str(i) for i in log.issues] == [
        "1 events that repeat an earlier event exactly (case, activity, resource, lifecycle "
        "and time) were left out (e.g. row 4)"]
    assert (log.events, log.cases) == (160, 40)
    result = CliRunner().invoke(main, ["mine", str(tmp_path / "twice.csv")])
    assert result.exit_code == 0, result.output
    assert "wait: 1h\n" in result.output and "touch: 1h\n" in result.output


def test_rows_with_too_many_or_too_few_fields_are_counted_not_taken_for_the_header(
        tmp_path: Path) -> None:
    # Ragged rows once made the sniffer read the whole header as one column,
    # and the error then proposed `--map case_id,activity,resource,timestamp=case`.
    path = tmp_path / "ragged.csv"
    path.write_text("case_id,activity,resource,timestamp\n1,A,S,2026-01-01 10:00\n"
                    "1,B,S,2026-01-02 10:00\n2,A,S,2026-01-01 10:00\n"
                    "2,B,S,2026-01-02 10:00,extra\n3,A\n")
    log = open_log(path)
    assert (log.events, log.cases) == (3, 2)
    assert [str(i) for i in log.issues] == [
        "2 rows whose number of fields is not the header's were left out "
        "(e.g. line 5, line 6)"]
    result = CliRunner().invoke(main, ["mine", str(path), "-o", str(tmp_path / "w.yaml")])
    assert result.exit_code == 0, result.output
    assert loads((tmp_path / "w.yaml").read_text()).start == "a"


@pytest.mark.parametrize(("data", "message"), [
    (b"case_id,activity,timestamp\n1,A,2026-01-01 10:00\n1,Caf\xe9,2026-01-02 10:00\n",
     "line 3 is not UTF-8 text; export the log as CSV UTF-8"),
    ("case_id,activity,timestamp\n1,A,2026-01-01 10:00\n".encode("utf-16"),
     "UTF-16 text; export the log as CSV UTF-8"),
], ids=["latin-1", "utf-16"])
def test_a_log_not_in_utf8_is_refused_by_name(tmp_path: Path, data: bytes, message: str) -> None:
    path = tmp_path / "l.csv"
    path.write_bytes(data)
    result = CliRunner().invoke(main, ["mine", str(path)])
    assert result.exit_code == 2
    assert result.output == f"Error: {path}: {message}\n"


def test_a_log_with_no_usable_event_exits_2(tmp_path: Path) -> None:
    path = write_rows(tmp_path / "l.csv", [{"case_id": "a", "activity": "x",
                                            "timestamp": "soon"}])
    result = CliRunner().invoke(main, ["mine", str(path)])
    assert result.exit_code == 2
    assert result.output == (f"Error: {path}: no usable event in 1 rows: 1 events with a "
                             "timestamp that is missing or cannot be read were left out "
                             "(e.g. row 1: 'soon')\n")


def test_not_a_log_and_no_file_exit_2(tmp_path: Path) -> None:
    (tmp_path / "x.parquet").write_bytes(b"not parquet at all")
    for path in (tmp_path / "x.parquet", tmp_path / "missing.csv"):
        result = CliRunner().invoke(main, ["mine", str(path)])
        assert result.exit_code == 2, result.output
        assert result.output.startswith(f"Error: {path}: ")
        assert "Traceback" not in result.output


XES = """<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1.0">
  <trace><string key="concept:name" value="t1"/>
    <event><string key="concept:name" value="Open"/><string key="org:resource" value="Desk"/>
      <date key="time:timestamp" value="2026-01-01T10:00:00.000+00:00"/></event>
    <event><string key="concept:name" value="Close"/><string key="org:resource" value="Desk"/>
      <date key="time:timestamp" value="2026-01-01T12:00:00.000+00:00"/></event>
  </trace>
</log>
"""


def test_xes_is_read_as_a_stream(tmp_path: Path) -> None:
    path = tmp_path / "l.xes"
    path.write_text(XES)
    found = loads(discover(open_log(path)).yaml)
    assert [(s.id, s.team, s.wait.likely) for s in found.step_list] == [
        ("open", "desk", 0.0), ("close", "desk", 2.0)]


def test_xes_with_entities_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xes"
    path.write_text('<?xml version="1.0"?>\n<!DOCTYPE log [<!ENTITY a "aaaaaaaaaa">\n'
                    '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n<log>&b;</log>\n')
    result = CliRunner().invoke(main, ["mine", str(path)])
    assert result.exit_code == 2
    assert result.output == (f"Error: {path}: not a readable XES log: the file declares a "
                             "document type (<!DOCTYPE>): XES needs none, and procmap does not "
                             "expand entities; remove the declaration\n")


def test_without_duckdb_the_message_says_what_to_install(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_rows(tmp_path / "l.csv", [{"case_id": "a", "activity": "x",
                                            "timestamp": "2026-01-01"}])
    monkeypatch.setitem(__import__("sys").modules, "duckdb", None)
    result = CliRunner().invoke(main, ["mine", str(path)])
    assert result.exit_code == 2
    assert result.output == ("Error: reading event logs needs DuckDB: "
                             "pip install 'procmap[mining]'\n")


def test_a_bad_map_to_check_against_exits_2_with_its_position(tmp_path: Path) -> None:
    log = write_rows(tmp_path / "l.csv", [{"case_id": "a", "activity": "x",
                                           "timestamp": "2026-01-01"}])
    bad = tmp_path / "bad.yaml"
    bad.write_text("procmap: 1\nid: x\ntitle: X\nteams: {a: A}\nsteps:\n"
                   "  s: {title: S, team: b}\n")
    result = CliRunner().invoke(main, ["mine", str(log), "--against", str(bad)])
    assert result.exit_code == 2
    assert result.output.startswith(f"{bad}:6:")
    assert "unknown team" in result.output


def test_conformance_json_carries_counts_and_mapped_figures(tmp_path: Path) -> None:
    truth = ROOT / "workflows/order-to-activation.yaml"
    write(tmp_path / "o.csv", load(truth), 150)
    result = CliRunner().invoke(main, ["mine", str(tmp_path / "o.csv"), "--against",
                                       str(truth), "-f", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["cases"], data["following"], data["deviations"]) == (150, 150, [])
    steps = {s["step"]: s for s in data["steps"]}
    assert steps["in-transit"]["wait_h"] == steps["in-transit"]["mapped_wait_h"] == 72.0
    expected = measure(Flow(load(truth))).expected_handoffs
    assert data["mapped_handoffs_per_case"] == round(expected, 2)
    assert data["handoffs_per_case"] == pytest.approx(expected, abs=0.3)


def test_a_bad_workflow_id_is_refused_before_the_log_is_read(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["mine", str(tmp_path / "none.csv"), "--id", "Big One"])
    assert result.exit_code == 2
    assert result.output == ("Error: --id 'Big One': a workflow id is lower-case letters, "
                             "digits and dashes, starting with a letter or digit\n")


def not_a_file(kind: str) -> str:
    """A FIFO, a socket or a folder named `kind` in the current folder, or /dev/null."""
    if kind == "fifo":
        os.mkfifo(kind)  # opening it to read would wait for a writer forever
    elif kind == "socket":
        listening = socket.socket(socket.AF_UNIX)
        listening.bind(kind)
        listening.close()  # the file stays
    elif kind == "folder":
        os.mkdir(kind)
    return kind


KINDS = [("fifo", "a FIFO"), ("socket", "a socket"), ("/dev/null", "a device")]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
@pytest.mark.parametrize(("kind", "said"), KINDS)
@pytest.mark.parametrize("command", [["mine"], ["compare-logs", "log.csv"]])
def test_a_log_that_is_not_a_file_is_named_for_what_it_is(
        runner: CliRunner, command: list[str], kind: str, said: str) -> None:
    # It was "fifo: no such file". DuckDB scans a log twice: a FIFO cannot be read.
    generate.write_log(Path("log.csv"), generate.cases(load(EXAMPLES[0]), 5))
    result = runner.invoke(main, [*command, not_a_file(kind)])
    assert result.exit_code == 2
    assert result.output == (f"Error: {kind}: cannot read the log: {said}, not a file: "
                             "procmap reads a log more than once, so save it to a file "
                             "first\n")


def test_open_log_refuses_a_folder_and_names_a_missing_file(runner: CliRunner) -> None:
    with pytest.raises(LogError, match=r"^folder: cannot read the log: a folder, not a file: "):
        open_log(not_a_file("folder"))
    with pytest.raises(LogError, match=r"^missing\.csv: no such file$"):
        open_log("missing.csv")
