"""Benchmarks of `procmap analyze` (analysis time beside parse-only time), of
`procmap render` (procmap's own layout and writers beside Graphviz), of
`procmap simplify` (as a ratio to analyze of the same file), of
`procmap publish` (against the Confluence test server of the tests) and of
`procmap track` (100,000 cases over 50 workflows).

Run with `make bench`. Synthetic workflows are generated with a fixed seed:
chains of steps across five teams with parallel splits, decisions, rework
loops and artifacts, so that every rule and the simulation have work to do.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from procmap.analysis.analyze import analyze, analyze_paths
from procmap.format.loader import loads
from procmap.render import layout, render_pages, to_dot, to_mermaid
from procmap.render.graphviz import draw
from procmap.simplify.compare import compare
from procmap.simplify.compare import text as diff_text

TEAMS = ["sales", "legal", "finance", "ops", "support"]


def synthetic(n: int, seed: int = 1, wid: str = "bench") -> str:
    rng = random.Random(seed)
    steps: dict[str, dict[str, object]] = {}
    for i in range(n):
        step: dict[str, object] = {
            "title": f"Step {i} {rng.choice(['review', 'prepare', 'check', 'send'])}",
            "team": rng.choice(TEAMS),
            "kind": rng.choice(["task", "task", "task", "check", "approval"]),
            "touch": rng.choice(["15m", "1h", {"min": "30m", "likely": "1h", "max": "3h"}]),
            "wait": rng.choice(["0m", "4h", "1d"]),
            "inputs": [f"a{rng.randrange(max(1, i))}"] if i else [],
            "outputs": [f"a{i}"],
        }
        if i + 1 < n:
            roll = rng.random()
            if roll < 0.1 and i + 3 < n:  # parallel split that joins later
                step["next"] = [f"s{i + 1}", f"s{i + 2}"]
            elif roll < 0.2 and i > 3:  # rework loop
                step["next"] = [{"to": f"s{i + 1}", "p": 0.8},
                                {"to": f"s{i - rng.randint(1, 3)}", "when": "redo", "p": 0.2}]
            elif roll < 0.3 and i + 3 < n:  # decision that skips ahead
                step["next"] = [{"to": f"s{i + 1}", "p": 0.6}, {"to": f"s{i + 3}", "p": 0.4}]
            else:
                step["next"] = f"s{i + 1}"
        steps[f"s{i}"] = step
    doc = {"procmap": 1, "id": wid, "title": f"Synthetic {n}",
           "teams": {t: t.title() for t in TEAMS}, "steps": steps}
    return yaml.safe_dump(doc, sort_keys=False, width=200)


def best_of(runs: int, fn: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def parse_only(text: str) -> object:
    return yaml.load(text, Loader=yaml.CSafeLoader)


def row(name: str, parse: float, analysis: float, target: str = "") -> dict[str, object]:
    ratio = analysis / parse if parse else float("inf")
    print(f"{name:<28} parse {parse * 1000:9.1f} ms   analysis {analysis * 1000:9.1f} ms"
          f"   x{ratio:5.1f}   {target}")
    return {"case": name, "parse_s": parse, "analysis_s": analysis, "ratio": ratio}


def main() -> None:
    results = []
    print(f"procmap benchmarks (python {sys.version.split()[0]}), best of several runs\n")
    for n in (100, 1_000, 10_000):
        text = synthetic(n)
        runs = 5 if n < 10_000 else 3
        parse = best_of(runs, lambda text=text: parse_only(text))
        full = best_of(runs, lambda text=text: analyze(loads(text, "bench.yaml")))
        target = "(target < 2 s)" if n == 10_000 else ""
        results.append(row(f"{n:,} steps", parse, full, target))
        if n == 10_000:
            no_sim = best_of(runs, lambda text=text: analyze(loads(text, "bench.yaml"),
                                                                simulate=False))
            print(f"{'':<28} without simulation {no_sim * 1000:9.1f} ms")
            results.append(diff_row(text, full))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for i in range(1_000):
            (folder / f"w{i:04}.yaml").write_text(synthetic(40, seed=i, wid=f"w{i}"))
        files = sorted(folder.glob("*.yaml"))
        parse = best_of(3, lambda: [parse_only(f.read_text()) for f in files])
        full = best_of(3, lambda: analyze_paths([folder]))
        results.append(row("1,000 workflows x 40 steps", parse, full, "(target x3)"))
    results += render_rows()
    results += render_ratio_rows()
    results += build_rows()
    results += simplify_rows()
    results += publish_rows()
    results += mining_rows()
    results += track_rows()
    version = best_of(5, lambda: subprocess.run(
        [sys.executable, "-m", "procmap", "--version"], check=True, capture_output=True))
    print(f"\n{'procmap --version':<28} {version * 1000:.0f} ms (target < 300 ms)")
    results.append({"case": "version", "seconds": version})
    Path("bench-results.json").write_text(json.dumps(results, indent=2) + "\n")


def diff_row(text: str, analysis: float) -> dict[str, object]:
    """`procmap diff` of two 10,000-step files that differ almost everywhere
    (another seed): two analyses, then a comparison linear in the steps."""
    after = synthetic(10_000, seed=2)
    seconds = best_of(3, lambda: diff_text(compare(analyze(loads(text, "before.yaml")),
                                                   analyze(loads(after, "after.yaml")))))
    ratio = seconds / analysis
    print(f"{'':<28} diff of two files  {seconds * 1000:9.1f} ms   x{ratio:5.1f} of analyze"
          f"   (two analyses: x2)")
    return {"case": "diff 10,000 steps", "seconds": seconds, "ratio_to_analyze": ratio}


def render_ratio_rows() -> list[dict[str, object]]:
    """`render --format svg` (analysis, layout, pages, Graphviz) as a ratio to
    `analyze` of the same file: large maps are drawn on pages, so it stays
    linear in the number of steps."""
    if not shutil.which("dot"):
        return []
    text = synthetic(2_000)
    analysis = best_of(3, lambda: analyze(loads(text, "bench.yaml")))
    drawing = best_of(2, lambda: render_pages(analyze(loads(text, "bench.yaml"),
                                                      simulate=False), "svg"))
    ratio = drawing / analysis
    print(f"\n{'render svg 2,000 steps':<28} analyze {analysis * 1000:9.1f} ms   render "
          f"{drawing * 1000:9.1f} ms   x{ratio:5.1f}   (target x4 of analyze)")
    return [{"case": "render svg 2,000 steps", "analyze_s": analysis, "render_s": drawing,
             "ratio": ratio}]


def build_rows(count: int = 100) -> list[dict[str, object]]:
    """`procmap build` of a library (analysis, SOPs, SVGs, the layouts from
    which publish draws the PNGs a Confluence page shows, Mermaid,
    Confluence pages) as a ratio to `analyze` of the same folder. No PNG:
    cairo drawing one takes about 0.27 s of CPU for a 40-step workflow,
    three times the rest of its build, and publish draws only those of the
    pages it uploads (`build --png` draws them all). CPU time (procmap's
    and Graphviz's) beside the wall clock: on a busy machine the wall clock
    says little."""
    import resource

    from procmap.docs.library import build

    if not shutil.which("dot"):
        return []

    def cpu() -> float:
        own, dot = (resource.getrusage(who) for who in (resource.RUSAGE_SELF,
                                                         resource.RUSAGE_CHILDREN))
        return own.ru_utime + own.ru_stime + dot.ru_utime + dot.ru_stime

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "workflows"
        folder.mkdir()
        for i in range(count):
            (folder / f"w{i:04}.yaml").write_text(synthetic(40, seed=i, wid=f"w{i}"))
        analysis = best_of(3, lambda: analyze_paths([folder]))
        before = cpu()
        building = best_of(1, lambda: build(analyze_paths([folder]), Path(tmp) / "site"))
        used = cpu() - before
    ratio = building / analysis
    print(f"\n{f'build {count} workflows x 40':<28} analyze {analysis * 1000:9.1f} ms   build "
          f"{building * 1000:9.1f} ms   x{ratio:5.1f}   (target x5 of analyze)   "
          f"CPU {used:5.2f} s")
    return [{"case": f"build {count} workflows x 40 steps", "analyze_s": analysis,
             "build_s": building, "ratio": ratio, "cpu_s": used}]


def render_rows() -> list[dict[str, object]]:
    print("\nrender (ms)            layout   DOT build   Mermaid   Graphviz svg")
    rows: list[dict[str, object]] = []
    for n in (50, 200, 1_000):
        report = analyze(loads(synthetic(n), "bench.yaml"), simulate=False)
        diagram = layout(report)
        dot = to_dot(diagram)
        times = {"layout_s": best_of(5, lambda r=report: layout(r)),
                 "dot_s": best_of(5, lambda d=diagram: to_dot(d)),
                 "mermaid_s": best_of(5, lambda d=diagram: to_mermaid(d)),
                 "graphviz_s": (best_of(3, lambda t=dot: draw(t, "svg"))
                                if shutil.which("dot") else None)}
        cells = [f"{v * 1000:9.1f}" if v is not None else "  no dot" for v in times.values()]
        print(f"{n:>6,} steps      " + "  ".join(cells))
        rows.append({"case": f"render {n} steps", **times})
    return rows


def simplify_rows() -> list[dict[str, object]]:
    """simplify weighs every proposal on the model and writes once: its time
    stays a small multiple of one analysis of the same file."""
    from procmap.simplify.simplify import Options, simplify

    print("\nsimplify                analyze    simplify   ratio   (target <= x10)")
    rows: list[dict[str, object]] = []
    for n in (300, 2_000):
        text = synthetic(n)
        base = best_of(3, lambda t=text: analyze(loads(t, "bench.yaml")))
        for name, options in (("safe only", Options()),
                              ("--accept all", Options(accept=frozenset({"all"})))):
            took = best_of(3, lambda t=text, o=options: simplify(t, "bench.yaml", o))
            print(f"{n:>6,} steps {name:<13} {base * 1000:7.0f} ms {took * 1000:8.0f} ms"
                  f"   x{took / base:4.1f}")
            rows.append({"case": f"simplify {n} steps, {name}", "analyze_s": base,
                         "simplify_s": took, "ratio": took / base})
    return rows


def publish_rows() -> list[dict[str, object]]:
    """Requests and time for a first publish of 200 pages and for a run with
    nothing to do. Over the network each request costs a round trip, so the
    request count matters more than the local time."""
    sys.path.insert(0, str(Path(__file__).parent.parent / "tests"))
    from fake_confluence import TOKEN, USER, FakeConfluence
    from procmap.publish.confluence import connect
    from procmap.publish.confluence.sync import Publisher, Site, SitePage

    pages = tuple(SitePage(f"w{i}", f"Workflow {i}", f"<p>Page {i}</p>",
                           {f"w{i}.png": b"png" * 1000}) for i in range(200))
    site = Site(Path("site"), "<p>index</p>", pages)
    print("\npublish, 200 pages (test server)   requests   seconds")
    rows: list[dict[str, object]] = []
    with FakeConfluence("cloud", page_size=25) as fake:
        api = connect(fake.url, USER, TOKEN, "cloud")
        for case in ("first run", "nothing to do"):
            before = len(fake.requests)
            start = time.perf_counter()
            Publisher(api, "OPS").run(site)
            seconds = time.perf_counter() - start
            requests = len(fake.requests) - before
            print(f"  {case:<32} {requests:8}   {seconds:7.2f}")
            rows.append({"case": f"publish 200 pages, {case}", "requests": requests,
                         "seconds": seconds})
        api.http.close()
    return rows


def mining_rows(events: int | None = None) -> list[dict[str, object]]:
    """`procmap mine` on a generated Parquet log, beside DuckDB's own scan of
    every column of the same file. PROCMAP_BENCH_EVENTS sets the size
    (default 10 million events)."""
    import os

    from procmap.mining import generate
    from procmap.mining.discover import discover
    from procmap.mining.log import connect, open_log

    events = events or int(os.environ.get("PROCMAP_BENCH_EVENTS", 10_000_000))
    workflow = loads(Path("workflows/order-to-activation.yaml").read_text(), "o.yaml")
    per_case = 29  # events per case of this workflow, on average
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "log.parquet"
        start = time.perf_counter()
        written = generate.write_log(log, generate.cases(workflow, events // per_case, seed=1))
        made = time.perf_counter() - start
        con = connect()
        scan = best_of(3, lambda: con.execute(
            # hash() reads every value: min() alone would answer from Parquet's statistics.
            "SELECT count(*), sum(hash(case_id, activity, resource, timestamp, lifecycle)) "
            f"FROM read_parquet('{log}')").fetchall())
        # The least any discovery must do: order each case's events once.
        follows = best_of(1, lambda: con.execute(
            "SELECT activity, nxt, count(*) FROM (SELECT activity, lead(activity) OVER "
            "(PARTITION BY case_id ORDER BY timestamp) AS nxt "
            f"FROM read_parquet('{log}')) GROUP BY ALL").fetchall())
        mine = best_of(1, lambda: discover(open_log(log)))
    ratio = mine / scan if scan else float("inf")
    print(f"\nmine, {written:,} events (generated in {made:.0f} s)   "
          f"DuckDB scan {scan:6.2f} s   procmap mine {mine:6.2f} s   x{ratio:5.1f}\n"
          f"{'':<36}DuckDB's own directly-follows query {follows:6.2f} s   "
          f"procmap mine x{mine / follows:5.1f}")
    return [{"case": f"mine {written} events", "events": written, "scan_s": scan,
             "follows_s": follows, "mine_s": mine, "ratio": ratio}]


def track_rows() -> list[dict[str, object]]:
    """100,000 cases over 50 workflows of 20 steps, end to end: load the workflows,
    read the CSV, simulate once per (workflow, step) in use, statuses, the CSV out."""
    import datetime as dt

    from procmap.tracking.report import FORMATS
    from procmap.tracking.tracker import track

    rng = random.Random(3)
    today = dt.date(2026, 11, 23)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "wf").mkdir()
        for i in range(50):
            (folder / "wf" / f"w{i:02}.yaml").write_text(synthetic(20, seed=i, wid=f"w{i}"))
        lines = ["case,workflow,step,entered,due,owner,blocker"]
        for c in range(100_000):
            entered = today - dt.timedelta(days=rng.randrange(30))
            due = today + dt.timedelta(days=rng.randrange(-5, 40))
            lines.append(f"C{c},w{rng.randrange(50)},s{rng.randrange(20)},{entered},{due},"
                         f"owner {c % 40},{'waiting' if c % 50 == 0 else ''}")
        (folder / "cases.csv").write_text("\n".join(lines) + "\n")
        start, cpu = time.perf_counter(), time.process_time()
        tracker = track(folder / "cases.csv", folder / "wf", today)
        tracked, cpu = time.perf_counter() - start, time.process_time() - cpu
        start = time.perf_counter()
        FORMATS["csv"].render(tracker)
        written = time.perf_counter() - start
    pairs = len({(t.case.workflow, t.case.step) for t in tracker.cases})
    # CPU time beside wall time: on a busy machine the wall clock says little.
    print(f"\ntrack 100,000 cases, 50 workflows   {tracked:6.2f} s, CPU {cpu:6.2f} s "
          f"(target < 10 s), {pairs} simulations (one per workflow and step); "
          f"CSV out {written:5.2f} s")
    return [{"case": "track 100,000 cases over 50 workflows", "seconds": tracked,
             "cpu_s": cpu, "simulations": pairs, "csv_s": written}]


if __name__ == "__main__":
    main()
