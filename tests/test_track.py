"""`procmap track`: live cases against their workflows."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from markdown_it import MarkdownIt

from fake_confluence import SPACE, TOKEN, USER, FakeConfluence
from procmap.analysis.graph import Flow
from procmap.analysis.simulate import simulate
from procmap.cli import main
from procmap.config import read_config
from procmap.docs.storage import check as storage_check
from procmap.format.errors import WorkflowError
from procmap.format.loader import loads
from procmap.publish.confluence import connect
from procmap.publish.confluence.sync import Publisher, read_site
from procmap.tracking.calendar import Calendar
from procmap.tracking.report import FORMATS
from procmap.tracking.tracker import Tracker, track
from test_hostile_text import HOSTILE, UNSAFE

ROOT = Path(__file__).parent.parent
TODAY = dt.date(2026, 11, 23)  # a Monday
ORDER = """\
procmap: 1
id: order
title: Order to delivery
teams: {sales: Sales, ops: Operations}
steps:
  take: {title: Take the order, team: sales, wait: 1d, touch: 1h, next: pack}
  pack:
    title: Pack the goods
    team: ops
    kind: decision
    wait: 2d
    next:
      - {to: ship, p: 0.85}
      - {to: reorder, p: 0.15, when: out of stock}
  reorder: {title: Reorder stock, team: ops, wait: 6d, next: ship}
  ship: {title: Ship, team: ops, touch: 12h}
"""
# From take: 1d 1h, pack 2d, then 15% reorder 6d, ship 12h. So from pack the
# P90 is the reorder path, 8.5 d, and the mean 2.5 d + 0.15 x 6 d = 3.4 d.
CASES = """\
case,workflow,step,entered,due,owner,blocker
A,order,take,2026-11-22,2026-12-05,Ann,
B,order,pack,2026-11-16,2026-11-20,Bob,
C,order,ship,2026-11-23,,Cy,no boxes
D,order,take,2026-11-23,2026-11-30,,
E,order,reorder,2026-11-20,2026-11-25,Eve,
"""


@pytest.fixture
def order(tmp_path: Path) -> Path:
    (tmp_path / "wf").mkdir()
    (tmp_path / "wf" / "order.yaml").write_text(ORDER)
    return tmp_path / "wf"


def tracked(tmp_path: Path, wf: Path, text: str, name: str = "cases.csv",
            **kwargs: object) -> Tracker:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return track(tmp_path / name, wf, TODAY, **kwargs)  # type: ignore[arg-type]


def by_id(tracker: Tracker) -> dict[str, object]:
    return {t.case.id: t for t in tracker.cases}


# --- the simulation from a step ------------------------------------------------


def test_simulation_starts_at_the_given_step() -> None:
    flow = Flow(loads(ORDER, "order.yaml"))
    assert simulate(flow, start=flow.index["ship"]).mean_h == 12
    assert simulate(flow, start=flow.index["reorder"]).p90_h == 6 * 24 + 12
    from_pack = simulate(flow, start=flow.index["pack"])
    assert from_pack.p90_h == 8.5 * 24  # more than 10% take the 6 d reorder
    assert from_pack.visits[flow.index["take"]] == 0  # steps before it never run
    assert from_pack.mean_h == pytest.approx(3.4 * 24, abs=3)


# --- the example tracker: dates checked by hand --------------------------------


def test_partner_dates_by_hand() -> None:
    tracker = track(ROOT / "trackers/partners.csv", ROOT / "workflows", TODAY)
    assert not tracker.problems
    cases = by_id(tracker)
    # From tax-forms on, every duration is fixed: 3d 20m + 1d 1h + 1d 10m + 2d 20m
    # + 5d 30m + 3d 2h + 15m = 15 d 4 h 35 m. PA-09 entered it yesterday: 1 day of
    # its 3d 20m is spent, 14.19 d are left: today + 14 = Dec 7.
    pa09 = cases["PA-09"]
    assert (pa09.in_step_d, pa09.forecast, pa09.forecast_p90, pa09.status) == \
        (1, dt.date(2026, 12, 7), dt.date(2026, 12, 7), "on-track")
    assert pa09.handoff == ("legal-file-copy", "Legal")
    # PA-39 has been there 6 days, past the step's 3d 20m: 15.19 - 3.01 = 12.18 d
    # left, Dec 5, after its due date Dec 1: late.
    pa39 = cases["PA-39"]
    assert (pa39.in_step_d, pa39.forecast, pa39.status) == (6, dt.date(2026, 12, 5), "late")
    assert pa39.need == ("expected 2026-12-05, after due 2026-12-01; Collect W-9 tax form "
                         "(Finance) to finish; stuck for 6 d, usually 3 d")
    # PA-13 entered ship-demo-kit today: 5d 30m + 3d 2h + 15m = 8.11 d: Dec 1.
    assert cases["PA-13"].forecast == dt.date(2026, 12, 1)
    # PA-15 only has activate (15m) left: today, before its due date.
    assert (cases["PA-15"].forecast, cases["PA-15"].status) == (TODAY, "on-track")
    # A blocker wins over at-risk and on-track, not over late.
    assert cases["PA-06"].status == "blocked"
    assert cases["PA-23"].status == "blocked"


def test_partner_example_has_every_status() -> None:
    import procmap

    tracker = procmap.track(ROOT / "trackers/partners.csv", ROOT / "workflows", TODAY)
    assert len(tracker.cases) == 40
    assert dict(tracker.summary.counts) == {"late": 6, "blocked": 4, "at-risk": 5,
                                            "on-track": 25, "done": 0}


def test_business_calendar_by_hand(tmp_path: Path) -> None:
    (tmp_path / ".procmap.yaml").write_text(
        "track:\n  calendar:\n    days: [mon, tue, wed, thu, fri]\n    hours: 8\n"
        "    holidays: [2026-11-26]\n")
    config = read_config(tmp_path / ".procmap.yaml")
    assert config.calendar == Calendar(("mon", "tue", "wed", "thu", "fri"), 8.0,
                                       (dt.date(2026, 11, 26),))
    tracker = track(ROOT / "trackers/partners.csv", ROOT / "workflows", TODAY, config)
    pa09 = by_id(tracker)["PA-09"]
    # 15 d 4 h 35 m = 15 working days and 4.58 working hours of 8: 15.57 days.
    # Entered on Sunday: Monday is its one working day in the step. 14.57 days
    # left from Monday Nov 23, skipping weekends and Thursday Nov 26: Dec 14.
    assert (pa09.in_step_d, pa09.forecast) == (1, dt.date(2026, 12, 14))
    assert pa09.usual_d == pytest.approx(3 + (20 / 60) / 8)


def test_a_holiday_that_is_no_date(tmp_path: Path) -> None:
    (tmp_path / ".procmap.yaml").write_text("track:\n  calendar:\n    holidays: [2026-02-30]\n")
    with pytest.raises(WorkflowError) as e:
        read_config(tmp_path / ".procmap.yaml")
    assert [str(p) for p in e.value.problems] == [
        f"{tmp_path / '.procmap.yaml'}:3:16: '2026-02-30' is not a date\n"
        "  hint: write holidays as YYYY-MM-DD"]


# --- statuses, work in progress, escalations -------------------------------------


def test_statuses_wip_and_escalations(tmp_path: Path, order: Path) -> None:
    tracker = tracked(tmp_path, order, CASES)
    cases = by_id(tracker)
    assert {k: (t.status, t.forecast, t.forecast_p90, t.slack_d)  # type: ignore[attr-defined]
            for k, t in cases.items()} == {
        # 1 day of take's 1d 1h spent: 3.44 d left (mean), 8.54 d (P90).
        "A": ("on-track", dt.date(2026, 11, 26), dt.date(2026, 12, 1), 4),
        # past due; 7 days in pack (usually 2): 3.4 - 2 = 1.4 d left, P90 6.5 d.
        "B": ("late", dt.date(2026, 11, 24), dt.date(2026, 11, 29), -9),
        "C": ("blocked", TODAY, TODAY, None),
        # the P90 (9.54 d) ends after the due date, the mean (4.44 d) before it.
        "D": ("at-risk", dt.date(2026, 11, 27), dt.date(2026, 12, 2), -2),
        # 3 of reorder's 6 days spent: 3.5 d left, a day after the due date.
        "E": ("late", dt.date(2026, 11, 26), dt.date(2026, 11, 26), -1),
    }
    s = tracker.summary
    assert [t.case.id for t in s.escalations] == ["B", "E", "C", "D"]
    assert s.teams == (("Operations", 3), ("Sales", 2))
    assert [(w.step, w.cases) for w in s.steps] == [("take", 2), ("pack", 1), ("reorder", 1),
                                                    ("ship", 1)]
    assert [(w.step, w.stuck, w.excess_d) for w in s.stuck] == [("pack", 1, 5.0)]
    assert tracker.exit_code() == 1
    assert tracker.exit_code("late") == 1
    assert tracker.exit_code("never") == 0


def test_stuck_most_orders_by_days_over(tmp_path: Path, order: Path) -> None:
    tracker = tracked(tmp_path, order, "case,workflow,step,entered\n"
                      "a,order,take,2026-11-13\nb,order,take,2026-11-13\n"
                      "c,order,pack,2026-11-03\nd,order,ship,2026-11-22\n")
    # take: 2 cases 10 d in a 1d 1h step (17.92 d over); pack: 20 d in 2 d (18 d over);
    # ship: 1 d in a 12 h step (0.5 d over).
    assert [(w.step, w.stuck, round(w.excess_d, 2)) for w in tracker.summary.stuck] == [
        ("pack", 1, 18.0), ("take", 2, 17.92), ("ship", 1, 0.5)]
    assert tracker.exit_code() == 0  # no due dates: nothing late or at risk


# --- bad rows ----------------------------------------------------------------


def test_every_bad_row_is_located_and_the_rest_tracked(tmp_path: Path, order: Path) -> None:
    tracker = tracked(tmp_path, order, CASES + (
        "B,order,ship,2026-11-20,,,\n"
        "F,nope,ship,2026-11-20,,,\n"
        "G,order,shipp,2026-11-20,,,\n"
        ",order,ship,2026-11-20,,,\n"
        "H,order,ship,2026-11-30,,,\n"
        "I,order,ship,20 Nov 2026,,,\n"
        "J,order,ship,2026-11-20,soon,,\n"
        "K,order,,2026-11-20,,,\n"))
    assert [t.case.id for t in tracker.cases] == ["A", "B", "C", "D", "E"]
    f = str(tmp_path / "cases.csv")
    assert [str(p) for p in tracker.problems] == [
        f"{f}:7:1: column 'case': duplicate case id 'B', also row 3\n"
        "  hint: give each case one row",
        f"{f}:8:2: column 'workflow': unknown workflow 'nope'\n  hint: the workflows are: order",
        f"{f}:9:3: column 'step': workflow 'order' has no step 'shipp'\n"
        "  hint: did you mean 'ship'?",
        f"{f}:10:1: column 'case': missing case\n  hint: give every row its case",
        f"{f}:11:4: column 'entered': 2026-11-30 is in the future (today is 2026-11-23)\n"
        "  hint: check the date, or pass --today",
        f"{f}:12:4: column 'entered': '20 Nov 2026' is not an ISO 8601 date\n"
        "  hint: write dates as YYYY-MM-DD",
        f"{f}:13:5: column 'due': 'soon' is not an ISO 8601 date\n"
        "  hint: write dates as YYYY-MM-DD",
        f"{f}:14:3: column 'step': missing step\n  hint: give every row its step",
    ]
    assert tracker.exit_code() == 2


def test_a_finish_past_the_last_date_is_a_located_row_not_a_crash(tmp_path: Path,
                                                                  order: Path) -> None:
    # Waits may sum to 114,000 years and --today may be 9999-12-31; a date
    # cannot go past that: the case is a bad row, the others are tracked.
    (order / "slow.yaml").write_text(ORDER.replace("id: order", "id: slow")
                                     .replace("wait: 6d", "wait: 4000000d"))
    text = "case,workflow,step,entered\nA,slow,reorder,2026-11-20\nB,slow,ship,2026-11-20\n"
    tracker = tracked(tmp_path, order, text)
    assert [(t.case.id, t.forecast) for t in tracker.cases] == [("B", TODAY)]
    f = str(tmp_path / "cases.csv")
    hint = "check the waits and touch times of the workflow, and the date passed to --today"
    assert [str(p) for p in tracker.problems] == [
        f"{f}:2:1: case 'A': its finish at step 'reorder' of 'slow' falls after 9999-12-31, "
        f"the last date there is\n  hint: {hint}"]
    last = track(tmp_path / "cases.csv", order, dt.date.max)
    assert [(t.case.id, t.in_step_d, t.forecast) for t in last.cases] == \
        [("B", (dt.date.max - dt.date(2026, 11, 20)).days, dt.date.max)]
    assert [p.line for p in last.problems] == [2]


def test_bad_rows_in_yaml_point_at_the_key(tmp_path: Path, order: Path) -> None:
    tracker = tracked(tmp_path, order, (
        "cases:\n"
        "  - {case: A, workflow: order, step: take, entered: 2026-11-20}\n"
        "  - case: B\n"
        "    workflow: order\n"
        "    step: take\n"
        "    entered: 2027-01-01\n"
        "  - {workflow: order, step: take, entered: 2026-11-20}\n"), "cases.yaml")
    assert [t.case.id for t in tracker.cases] == ["A"]
    f = str(tmp_path / "cases.yaml")
    assert [(p.file, p.line, p.column, p.message) for p in tracker.problems] == [
        (f, 3, 5, "column 'entered': 2027-01-01 is in the future (today is 2026-11-23)"),
        (f, 7, 5, "column 'case': missing case"),
    ]


def test_a_missing_column_stops_the_run(tmp_path: Path, order: Path) -> None:
    with pytest.raises(WorkflowError) as e:
        tracked(tmp_path, order, "id,workflow,step,entered\nA,order,take,2026-11-20\n")
    assert e.value.problems[0].message == "no column 'case'"
    # ... unless it is mapped.
    tracker = tracked(tmp_path, order, "id,workflow,step,entered\nA,order,take,2026-11-20\n",
                      columns={"case": "ID"})
    assert [t.case.id for t in tracker.cases] == ["A"]


def test_excel_csv_with_bom_and_semicolons(tmp_path: Path, order: Path) -> None:
    tracker = tracked(tmp_path, order, "\ufeffCase;Workflow;Step;Entered\nA;order;take;"
                      "2026-11-20T09:30\n")
    assert [(t.case.id, t.case.entered) for t in tracker.cases] == [("A", dt.date(2026, 11, 20))]


# --- the history form ---------------------------------------------------------


def test_history_gives_the_current_state(tmp_path: Path, order: Path) -> None:
    tracker = tracked(tmp_path, order, (
        "case,workflow,step,started,finished,due,owner,blocker\n"
        "A,order,take,2026-11-10,2026-11-11,2026-12-01,Ann,\n"
        "A,order,pack,2026-11-11,2026-11-13,,,\n"
        "A,order,reorder,2026-11-13,,,,supplier closed\n"
        "B,order,take,2026-11-18,2026-11-19,,Bob,\n"
        "C,order,take,2026-11-01,2026-11-02,,,\n"
        "C,order,pack,2026-11-02,2026-11-04,,,\n"
        "C,order,ship,2026-11-04,2026-11-05,,,\n"
        "D,order,take,2026-11-01,2026-11-02,,,\n"
        "D,order,pack,2026-11-02,2026-11-04,,,\n"))
    f = str(tmp_path / "cases.csv")
    cases = by_id(tracker)
    a = cases["A"].case  # type: ignore[attr-defined]
    assert (a.step, a.entered, a.due, a.owner, a.blocker) == (
        "reorder", dt.date(2026, 11, 13), dt.date(2026, 12, 1), "Ann", "supplier closed")
    assert [(d.step, d.finished) for d in a.history] == [("take", dt.date(2026, 11, 11)),
                                                         ("pack", dt.date(2026, 11, 13))]
    b = cases["B"].case  # type: ignore[attr-defined]
    assert (b.step, b.entered) == ("pack", dt.date(2026, 11, 19))  # take's only next
    c = cases["C"]
    assert (c.status, c.case.step, c.case.entered) == (  # type: ignore[attr-defined]
        "done", None, dt.date(2026, 11, 5))
    assert "D" not in cases
    assert [str(p) for p in tracker.problems] == [
        f"{f}:10:3: case 'D': its history ends at 'pack', which goes on to ship, reorder\n"
        "  hint: add a row for the step the case is at, with its start date"]


def test_history_with_a_finish_before_its_start(tmp_path: Path, order: Path) -> None:
    tracker = tracked(tmp_path, order, "case,workflow,step,started,finished\n"
                      "A,order,take,2026-11-10,2026-11-09\n")
    assert [(p.line, p.column, p.message) for p in tracker.problems] == [
        (2, 5, "column 'finished': 2026-11-09 is before the start 2026-11-10")]


# --- output formats ----------------------------------------------------------


def test_text(tmp_path: Path, order: Path) -> None:
    tracker = tracked(tmp_path, order, CASES + "X,order,nope,2026-11-20,,,\n")
    f = tmp_path / "cases.csv"
    assert FORMATS["text"].render(tracker) == f"""\
{f}: 5 cases on 2026-11-23, days are calendar days
2 late, 1 blocked, 1 at-risk, 1 on-track

Escalate, worst first:
  1. B [late] Bob: past due 2026-11-20, expected 2026-11-24; Pack the goods (Operations) to finish; stuck for 7 d, usually 2 d
  2. E [late] Eve: expected 2026-11-26, after due 2026-11-25; Reorder stock (Operations) to finish
  3. C [blocked] Cy: unblock: no boxes; Ship (Operations) to finish
  4. D [at-risk] no owner: P90 2026-12-02 is after due 2026-11-30; Take the order (Sales) to finish

Cases:
  A [on-track] order at take (Sales) for 1 d, usually 1 d; expected 2026-11-26, P90 2026-12-01, due 2026-12-05; next handoff pack -> Operations
  B [late] order at pack (Operations) for 7 d, usually 2 d; expected 2026-11-24, P90 2026-11-29, due 2026-11-20
  C [blocked] order at ship (Operations) for 0 d, usually 0.5 d; expected 2026-11-23, P90 2026-11-23
  D [at-risk] order at take (Sales) for 0 d, usually 1 d; expected 2026-11-27, P90 2026-12-02, due 2026-11-30; next handoff pack -> Operations
  E [late] order at reorder (Operations) for 3 d, usually 6 d; expected 2026-11-26, P90 2026-11-26, due 2026-11-25

Work in progress per team: Operations 3, Sales 2
Work in progress per step: order/take 2, order/pack 1, order/reorder 1, order/ship 1
Stuck most: order/pack (1 stuck, 5 d over)

1 rows or files not tracked:
  {f}:7:3: column 'step': workflow 'order' has no step 'nope'
    hint: the steps are: pack, reorder, ship, take
"""  # noqa: E501


def test_text_escapes_control_characters(tmp_path: Path, order: Path) -> None:
    tracker = tracked(tmp_path, order, 'case,workflow,step,entered,blocker\n'
                      '"A\x1b[2J",order,take,2026-11-22,"wait\x07"\n')
    text = FORMATS["text"].render(tracker)
    assert "\x1b" not in text and "\x07" not in text
    assert "  1. A\\x1b[2J [blocked] no owner: unblock: wait\\x07; " in text


def test_csv(tmp_path: Path, order: Path) -> None:
    tracker = tracked(tmp_path, order, CASES + ",order,ship,2026-11-20,,,\n")
    assert FORMATS["csv"].render(tracker) == f"""\
case,workflow,step,entered,due,owner,blocker,status,team,days_in_step,usual_days,forecast,forecast_p90,slack_days,next_handoff,next_team,need
A,order,take,2026-11-22,2026-12-05,Ann,,on-track,Sales,1,1,2026-11-26,2026-12-01,4,pack,Operations,
B,order,pack,2026-11-16,2026-11-20,Bob,,late,Operations,7,2,2026-11-24,2026-11-29,-9,,,"past due 2026-11-20, expected 2026-11-24; Pack the goods (Operations) to finish; stuck for 7 d, usually 2 d"
C,order,ship,2026-11-23,,Cy,no boxes,blocked,Operations,0,0.5,2026-11-23,2026-11-23,,,,unblock: no boxes; Ship (Operations) to finish
D,order,take,2026-11-23,2026-11-30,,,at-risk,Sales,0,1,2026-11-27,2026-12-02,-2,pack,Operations,P90 2026-12-02 is after due 2026-11-30; Take the order (Sales) to finish
E,order,reorder,2026-11-20,2026-11-25,Eve,,late,Operations,3,6,2026-11-26,2026-11-26,-1,,,"expected 2026-11-26, after due 2026-11-25; Reorder stock (Operations) to finish"
,,,,,,,error,,,,,,,,,{tmp_path / 'cases.csv'}:7:1: column 'case': missing case
"""  # noqa: E501


def test_csv_round_trip(tmp_path: Path, order: Path) -> None:
    first = FORMATS["csv"].render(tracked(tmp_path, order, CASES))
    again = tracked(tmp_path, order, first, "again.csv")
    assert not again.problems
    assert FORMATS["csv"].render(again) == first


def test_csv_cells_never_start_a_formula_and_still_read_back(tmp_path: Path,
                                                               order: Path) -> None:
    # A blocker typed as =HYPERLINK(...) ran as a formula when the CSV was imported.
    cases = ('case,workflow,step,entered,owner,blocker\n'
             '"=1+1",order,take,2026-11-22,"@Ann","=HYPERLINK(""http://x"",""y"")"\n')
    first = FORMATS["csv"].render(tracked(tmp_path, order, cases))
    row = first.splitlines()[1]
    assert row.startswith("'=1+1,order,take,2026-11-22,,'@Ann,\"'=HYPERLINK(")
    again = tracked(tmp_path, order, first, "again.csv")
    assert [(t.case.id, t.case.owner, t.case.blocker) for t in again.cases] == [
        ("=1+1", "@Ann", '=HYPERLINK("http://x","y")')]


def test_history_round_trips_as_the_current_state(tmp_path: Path, order: Path) -> None:
    history = tracked(tmp_path, order, "case,workflow,step,started,finished,due\n"
                      "A,order,take,2026-11-20,2026-11-21,2026-12-20\n")
    current = tracked(tmp_path, order, FORMATS["csv"].render(history), "current.csv")
    assert [(t.case.step, t.case.entered, t.forecast) for t in current.cases] == \
        [(t.case.step, t.case.entered, t.forecast) for t in history.cases] == \
        [("pack", dt.date(2026, 11, 21), dt.date(2026, 11, 24))]  # pack's 2 d spent: 1.4 d


def test_json(tmp_path: Path, order: Path) -> None:
    tracker = tracked(tmp_path, order, CASES + "X,order,take,2026-11-20,,,\nX,order,take,"
                      "2026-11-20,,,\n")
    data = json.loads(FORMATS["json"].render(tracker))
    a = data["cases"][0]
    assert a["remaining_days"] == pytest.approx(3.44, abs=0.1)  # simulated
    del a["remaining_days"]
    assert a == {
        "case": "A", "workflow": "order", "step": "take", "entered": "2026-11-22",
        "due": "2026-12-05", "owner": "Ann", "blocker": None, "row": 2, "status": "on-track",
        "team": "Sales", "days_in_step": 1, "usual_days": 1.04, "remaining_p90_days": 8.54,
        "forecast": "2026-11-26", "forecast_p90": "2026-12-01", "slack_days": 4,
        "next_handoff": {"step": "pack", "team": "Operations"},
        "path": ["take", "pack", "ship"], "need": "", "history": []}
    assert data["counts"] == {"late": 2, "blocked": 1, "at-risk": 1, "on-track": 2, "done": 0}
    assert [e["case"] for e in data["escalations"]] == ["B", "E", "C", "D"]
    assert data["wip"]["teams"] == {"Operations": 3, "Sales": 3}
    assert data["stuck"] == [  # X: 3 days in take, usually 1.04
        {"workflow": "order", "step": "pack", "stuck": 1, "excess_days": 5.0},
        {"workflow": "order", "step": "take", "stuck": 1, "excess_days": 1.96}]
    assert data["errors"] == [{"file": str(tmp_path / "cases.csv"), "row": 8, "column": 1,
                               "message": "column 'case': duplicate case id 'X', also row 7",
                               "hint": "give each case one row"}]
    assert data["today"] == "2026-11-23"


def test_markdown(tmp_path: Path, order: Path) -> None:
    tracker = tracked(tmp_path, order, CASES + ",order,ship,2026-11-20,,,\n")
    text = FORMATS["markdown"].render(tracker)
    assert text.startswith(f"""\
# Tracker

5 cases in `{tmp_path / 'cases.csv'}` on 2026-11-23: 2 late, 1 blocked, 1 at-risk, 1 on-track.

## Escalations

1. **B** (late, Bob): past due 2026-11-20, expected 2026-11-24; Pack the goods (Operations) to finish; stuck for 7 d, usually 2 d
""")  # noqa: E501
    assert ("| A | order | Take the order | Sales | 1 d | 1 d | 2026-12-05 | 2026-11-26 | "
            "2026-12-01 | on-track | Ann | Operations |\n") in text
    assert "cases.csv:7:1: column 'case': missing case (give every row its case)\n" in text
    # The likely path: take ends 2026-11-23 (1 of its 1.04 days spent), pack 2 d
    # later, ship within that day; the expected and P90 finish and the due date.
    assert """\
### A

```mermaid
gantt
  title A
  dateFormat YYYY-MM-DD
  axisFormat %m-%d
  section Now
  Take the order :active, 2026-11-22, 2026-11-23
  section Ahead
  Pack the goods :2026-11-23, 2026-11-25
  Ship :2026-11-25, 2026-11-26
  section Dates
  Expected :milestone, 2026-11-26, 0d
  P90 :milestone, 2026-12-01, 0d
  Due :milestone, crit, 2026-12-05, 0d
```
""" in text


def test_markdown_gantt_of_a_history_and_a_title_with_a_colon(tmp_path: Path) -> None:
    (tmp_path / "wf").mkdir()
    (tmp_path / "wf" / "o.yaml").write_text(ORDER.replace("Take the order", '"Take: order #1"'))
    tracker = tracked(tmp_path, tmp_path / "wf", "case,workflow,step,started,finished\n"
                      "A,order,take,2026-11-20,2026-11-21\n")
    text = FORMATS["markdown"].render(tracker)
    assert "  section Done\n  Take#58; order #35;1 :done, 2026-11-20, 2026-11-21\n" in text


# --- the CLI and build ---------------------------------------------------------


def test_cli_exit_codes_and_output_file(runner: CliRunner, order: Path) -> None:
    Path("cases.csv").write_text(CASES)
    args = ["track", "cases.csv", "--workflows", str(order), "--today", "2026-11-23"]
    result = runner.invoke(main, args)
    assert result.exit_code == 1
    assert result.output.startswith("cases.csv: 5 cases on 2026-11-23")
    assert runner.invoke(main, [*args, "--fail-on", "never"]).exit_code == 0
    result = runner.invoke(main, [*args, "-f", "json", "-o", "out.json", "--fail-on", "never"])
    assert result.exit_code == 0 and result.output == ""
    assert json.loads(Path("out.json").read_text())["counts"]["late"] == 2
    Path("on-track.csv").write_text("case,workflow,step,entered\nA,order,take,2026-11-22\n")
    assert runner.invoke(main, ["track", "on-track.csv", "--workflows", str(order),
                                "--today", "2026-11-23"]).exit_code == 0


def test_cli_bad_rows_exit_2_after_the_report(runner: CliRunner, order: Path) -> None:
    Path("cases.csv").write_text(CASES + "F,order,take,2026-12-01,,,\n")
    result = runner.invoke(main, ["track", "cases.csv", "--workflows", str(order), "--today",
                                  "2026-11-23", "-f", "csv"])
    assert result.exit_code == 2
    assert result.stdout.count("\n") == 7  # header, five cases, the bad row
    assert result.stderr == ("cases.csv:7:4: column 'entered': 2026-12-01 is in the future "
                             "(today is 2026-11-23)\n  hint: check the date, or pass --today\n")


def test_cli_misuse(runner: CliRunner, order: Path) -> None:
    Path("cases.csv").write_text("who,what\n")
    result = runner.invoke(main, ["track", "cases.csv", "--workflows", str(order)])
    assert result.exit_code == 2
    assert result.stderr.startswith("cases.csv:1:1: no column 'case', 'workflow', 'step', "
                                    "'entered'\n")
    result = runner.invoke(main, ["track", "cases.csv", "--workflows", str(order),
                                  "--today", "23/11/2026"])
    assert result.exit_code == 2
    assert "'23/11/2026' is not an ISO 8601 date (YYYY-MM-DD)" in result.output
    result = runner.invoke(main, ["track", "cases.csv", "--workflows", str(order),
                                  "--column", "id"])
    assert result.exit_code == 2
    assert "'id': write FIELD=COLUMN" in result.output


def test_build_carries_the_tracker_to_publish(runner: CliRunner, order: Path) -> None:
    Path("cases.csv").write_text(CASES.replace("2026", "2020"))  # build tracks on today
    result = runner.invoke(main, ["build", str(order), "-o", "site", "--tracker", "cases.csv"])
    assert result.exit_code == 0, result.output
    assert Path("site/tracker.md").read_text().startswith("# Tracker\n\n5 cases in `cases.csv`")
    site = read_site(Path("site"))
    page = next(p for p in site.pages if p.workflow == ":tracker")
    assert page.title == "Tracker: cases"
    assert "<h2>Escalations</h2>" in page.body
    with FakeConfluence("cloud") as fake:
        api = connect(fake.url, USER, TOKEN, "cloud")
        try:
            Publisher(api, SPACE).run(site)
        finally:
            api.http.close()
        stored = fake.current()["Tracker: cases"]
        assert stored["parent"] == fake.current()["Process library"]["id"]
        assert fake.prop(stored["id"])["workflow"] == ":tracker"


# --- hostile text in the cells of a tracker -------------------------------------

GANTT_LINE = re.compile(
    r"^(gantt|  title [^\n]*|  dateFormat YYYY-MM-DD|  axisFormat %m-%d"
    r"|  section (Done|Now|Ahead|Dates)"
    r"|  [^:\n]+ :(done, |active, |milestone, (crit, )?)?\d{4}-\d\d-\d\d, (\d{4}-\d\d-\d\d|0d))$")


def test_hostile_cells_stay_text_in_every_format(runner: CliRunner, order: Path) -> None:
    texts = {k: v for k, v in HOSTILE.items() if v.strip()}
    rows = [["case", "workflow", "step", "entered", "due", "owner", "blocker"]]
    rows += [[f"{k} {v}", "order", "take", "2020-11-20", "2020-11-21", v, v]
             for k, v in texts.items()]
    with open("cases.csv", "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    tracker = track(Path("cases.csv"), order, TODAY)
    assert not tracker.problems and len(tracker.cases) == len(texts)
    # A terminal gets no control character, line break or bidi mark from a cell.
    text = FORMATS["text"].render(tracker)
    assert not UNSAFE.search(text.replace("\n", ""))
    assert len(text.splitlines()) == 2 + 2 + 2 * len(texts) + 2 + 4
    # Markdown: no HTML, link or heading procmap did not write; every gantt
    # line is one procmap writes.
    tokens = MarkdownIt("commonmark", {"html": True}).enable("table").parse(
        FORMATS["markdown"].render(tracker))
    kinds = {t.type for t in tokens} | {c.type for t in tokens for c in t.children or []}
    assert not kinds & {"html_block", "html_inline", "link_open", "image"}
    assert sum(t.type == "heading_open" for t in tokens) == 5 + len(texts)
    fences = [t for t in tokens if t.type == "fence"]
    assert [t.info for t in fences] == ["mermaid"] * len(texts)
    for fence in fences:
        assert all(GANTT_LINE.match(line) for line in fence.content.splitlines()), fence.content
    # CSV: every cell reads back as it was written (cells are read stripped).
    back = list(csv.reader(io.StringIO(FORMATS["csv"].render(tracker))))
    assert [(r[0], r[5], r[6]) for r in back[1:]] == \
        [(r[0].strip(), r[5].strip(), r[6].strip()) for r in rows[1:]]
    # Confluence: one macro, procmap's notice, whatever the cells say.
    result = runner.invoke(main, ["build", str(order), "-o", "site", "--tracker", "cases.csv"])
    assert result.exit_code == 0, result.output
    body = Path("site/tracker.storage.xhtml").read_text()
    assert storage_check(body) is None
    assert body.count("<ac:") == 2  # <ac:structured-macro> and <ac:rich-text-body>
    assert "<script" not in body


def test_with_a_tracker_a_workflow_cannot_be_called_tracker(runner: CliRunner,
                                                            order: Path) -> None:
    (order / "t.yaml").write_text(ORDER.replace("id: order", "id: tracker"))
    Path("cases.csv").write_text("case,workflow,step,entered\nA,order,take,2020-01-01\n")
    result = runner.invoke(main, ["build", str(order), "-o", "site", "--tracker", "cases.csv"])
    assert result.exit_code == 2
    assert f"{order / 't.yaml'}:2:1: the id 'tracker' is reserved: the library's own " \
           "tracker.md would replace this workflow's" in result.stderr
    assert Path("site/tracker.md").read_text().startswith("# Tracker\n\n1 cases")
    # Without a tracker the name is free.
    assert runner.invoke(main, ["build", str(order), "-o", "plain"]).exit_code == 0
    assert Path("plain/tracker.md").read_text().startswith("# Order to delivery")
