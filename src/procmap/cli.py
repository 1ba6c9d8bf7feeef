"""The `procmap` command: a thin layer over the library.

Heavy modules (networkx, numpy) are imported inside the commands so that
`procmap --version` and `--help` answer at once.
"""

from __future__ import annotations

import errno
import functools
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from procmap import __version__
from procmap.analysis.report import FORMATS as REPORT_FORMATS
from procmap.analysis.report import help_text as report_help
from procmap.printable import one_line
from procmap.publish import TARGETS as PUBLISH_TARGETS
from procmap.publish import help_text as publish_help
from procmap.render.formats import FORMATS as DIAGRAM_FORMATS
from procmap.render.formats import format_for, suffix_list
from procmap.render.formats import help_text as diagram_help
from procmap.tracking.report import FORMATS as TRACK_FORMATS

if TYPE_CHECKING:
    from procmap.analysis.analyze import RunReport, WorkflowReport
    from procmap.config import Config
    from procmap.simplify.simplify import Simplified
    from procmap.tracking.tracker import Tracker

EXIT_USAGE = 2
Named = TypeVar("Named", str, Path)  # a path, as typed or as a Path


def _colour() -> bool | None:
    # None lets click decide from the terminal; NO_COLOR (no-color.org) wins.
    return False if os.environ.get("NO_COLOR") else None


def _folder_end(text: str) -> str | None:
    """How a path as typed ends if the end says it names a folder, made or not
    yet: a separator (as for cp), or a separator and . or .. (`out/.`).
    Path() drops the separator or the dot that said so."""
    for sep in {"/", os.sep}:
        for end in (sep, sep + ".", sep + ".."):
            if text.endswith(end):
                return end
    return None


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.samefile(b)
    except OSError:
        return False  # one of them does not exist (yet)


def _names_folder(text: str) -> bool:
    return _folder_end(text) is not None


_INPUTS = "procmap.inputs"  # in click's context: the paths the command reads


class _Path(click.Path):
    """click's Path, without the empty one: Path("") is ".", so an unset
    variable (`-o "$OUT"`) wrote a library into the current folder. Where a
    file is wanted, a name ending in / is refused: `-o newdir/` wrote a file
    named newdir."""

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> Any:
        if isinstance(value, str) and not value.strip():
            self.fail("an empty path: give a file or folder name", param, ctx)
        end = _folder_end(value) if isinstance(value, str) and not self.dir_okay else None
        if end:
            self.fail(f"{value!r} ends in {end}, so it names a folder: give a file name",
                      param, ctx)
        path = super().convert(value, param, ctx)
        if isinstance(param, click.Argument) and ctx is not None:
            # Every argument is something a command reads: _write keeps it.
            ctx.meta.setdefault(_INPUTS, []).append(Path(os.fsdecode(path)))
        return path


def _dash_is_stdout(ctx: click.Context, param: click.Parameter,
                    value: Named | None) -> Named | None:
    """`-o -` is standard output, as if no -o were given."""
    return None if value is not None and str(value) == "-" else value


def _not_dash(ctx: click.Context, param: click.Parameter, value: Path) -> Path:
    if str(value) == "-":
        raise click.BadParameter("- (standard output) cannot hold a folder of files: "
                                 "give the folder to write into")
    return value


class _Commands(click.Group):
    """Every command's unreadable input ends the same way: each problem with
    its file, line and column on stderr, and exit 2 (analysis.md)."""

    def invoke(self, ctx: click.Context) -> object:
        from procmap.format.errors import WorkflowError

        try:
            return super().invoke(ctx)
        except WorkflowError as e:
            _echo_problems(e.problems)
            sys.exit(EXIT_USAGE)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="procmap")
def main() -> None:
    """Map, measure and simplify workflows written as YAML graphs.

    A workflow lists steps, the teams that own them and the handoffs between
    them. procmap applies "the Algorithm": 1 question every requirement,
    2 delete, 3 simplify, 4 accelerate, 5 automate - in that order.
    """


def _is_workflow_file(path: Path, is_workflow: Callable[[Path], bool]) -> bool:
    try:
        return is_workflow(path)
    except OSError:  # a FIFO or a device: analyze says so
        return True


def _annotate(run: RunReport) -> None:
    """Under GitHub Actions the text report also annotates the files, and says
    when GitHub will hide some annotations."""
    from procmap.analysis.report import github

    click.echo(github.render(run), nl=False)
    note = github.hidden_note(run)
    if note:
        click.echo(note, err=True)


def _rule_ids(ctx: click.Context, param: click.Parameter,
              value: tuple[str, ...]) -> frozenset[str]:
    """Rule ids given comma-separated, the option repeated or both."""
    from procmap.analysis.rules import RULE_IDS

    ids = {part.strip() for item in value for part in item.split(",") if part.strip()}
    unknown = sorted(ids - set(RULE_IDS))
    if unknown:
        raise click.BadParameter(f"no rule {', '.join(unknown)}: see `procmap rules`")
    return frozenset(ids)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=_Path(path_type=Path))
@click.option("-f", "--format", "fmt", type=click.Choice(list(REPORT_FORMATS)),
              default="text", show_default=True, help=report_help())
@click.option("-o", "--output", type=_Path(dir_okay=False, allow_dash=True, path_type=Path),
              callback=_dash_is_stdout,
              help="Write the report to this file instead of standard output (-: standard "
                   "output).")
@click.option("--stdin-filename", default="-", metavar="NAME",
              help="The name of the workflow read from - (standard input) in the report.")
@click.option("--only-workflows", is_flag=True,
              help="Pass over named files without a top-level `procmap:` key, as a folder "
                   "search does (pre-commit names every changed YAML file).")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seed of the lead-time simulation; the same seed gives the same numbers.")
@click.option("--no-simulate", is_flag=True, help="Skip the lead-time simulation.")
@click.option("--fail-on", type=click.Choice(["error", "warning", "info"]),
              help="Lowest finding level that fails the run (exit 1). "
                   "Default: from the config file, else error.")
@click.option("--select", multiple=True, metavar="RULE[,RULE...]", callback=_rule_ids,
              help="Run only these rules.")
@click.option("--ignore", multiple=True, metavar="RULE[,RULE...]", callback=_rule_ids,
              help="Do not run these rules.")
@click.option("--exit-zero", is_flag=True,
              help="Exit 0 even with findings (2 still means an unreadable workflow).")
@click.option("--max-warnings", type=click.IntRange(min=0), metavar="N",
              help="Also fail (exit 1) when there are more than N warnings.")
@click.option("-q", "--quiet", is_flag=True,
              help="Text format: only the findings, no figures, summary or notes.")
@click.option("--statistics", is_flag=True,
              help="Print the number of findings of each rule instead of the findings.")
@click.option("--baseline", "baseline_path", type=_Path(dir_okay=False, path_type=Path),
              help="Findings recorded in this baseline are reported as known and do not fail.")
@click.option("--write-baseline", "write_baseline", metavar="FILE",
              type=_Path(dir_okay=False, allow_dash=True, path_type=Path),
              help="Record today's findings in FILE for --baseline, and exit 0.")
@click.option("--config", "config_path", type=_Path(dir_okay=False, path_type=Path),
              help="Config file (.procmap.yaml or pyproject.toml). Default: the nearest "
                   "one from the current folder up to the repository root or the home folder.")
def analyze(paths: tuple[Path, ...], fmt: str, output: Path | None, stdin_filename: str,
            only_workflows: bool, seed: int, no_simulate: bool, fail_on: str | None,
            select: frozenset[str], ignore: frozenset[str], exit_zero: bool,
            max_warnings: int | None, quiet: bool, statistics: bool,
            baseline_path: Path | None, write_baseline: Path | None,
            config_path: Path | None) -> None:
    """Check workflows and measure them.

    PATHS are workflow files, - (one workflow on standard input), or folders
    searched recursively for *.yaml and *.yml files with a top-level
    `procmap:` key, past what git ignores and the config's `exclude`.

    Each finding names its rule, its level, the step of the Algorithm it
    serves and the file position of the step. Rule levels and the failing
    level come from `.procmap.yaml` or `[tool.procmap]` in pyproject.toml:

    \b
        fail-on: warning
        exclude: [drafts/]
        rules:
          serial-independent: off
          ping-pong: error

    Exit status: 0 nothing at or above the failing level, 1 findings at or
    above it, 2 a file is not a valid workflow or the command was misused.
    """
    from dataclasses import replace
    from types import MappingProxyType

    from procmap.analysis.analyze import analyze_paths
    from procmap.analysis.report import text
    from procmap.analysis.rules import RULE_IDS
    from procmap.format.discover import is_workflow

    if only_workflows:
        paths = tuple(p for p in paths if str(p) == "-" or p.is_dir() or not p.exists()
                      or _is_workflow_file(p, is_workflow))
    config = _config(config_path)
    if fail_on:
        config = replace(config, fail_on=fail_on)
    if select or ignore:
        # The shared mechanism: a rule left out is a rule set to off.
        kept = (select or frozenset(RULE_IDS)) - ignore
        config = replace(config, levels=MappingProxyType(
            {**config.levels, **{r: "off" for r in RULE_IDS if r not in kept}}))
    # A progress line on a terminal only: CI logs and pipes stay clean.
    interactive = fmt == "text" and output is None and sys.stderr.isatty()

    def progress(file: Path) -> None:
        click.echo(f"\r\033[Kanalysing {one_line(file)}", nl=False, err=True)

    run: RunReport = analyze_paths(paths, config, seed, not no_simulate,
                                   progress if interactive else None,
                                   sys.stdin.buffer, stdin_filename)
    if interactive:
        click.echo("\r\033[K", nl=False, err=True)
    if not quiet:
        _echo_notes(run.notes)
    if write_baseline is not None:
        from procmap.analysis import baseline

        recorded = baseline.dumps(run)
        if str(write_baseline) == "-":
            click.echo(recorded, nl=False)
        else:
            _write(write_baseline, recorded)
        _echo_problems(run.errors)
        sys.exit(run.exit_code if run.errors else 0)
    if baseline_path is not None:
        from procmap.analysis import baseline

        run = baseline.apply(run, baseline.read(baseline_path))
    if statistics:
        report = text.statistics(run)
    elif fmt == "text":
        report = text.render(run, quiet=quiet)
    else:
        report = REPORT_FORMATS[fmt].render(run)
    if output is not None:
        _write(output, click.unstyle(report) if fmt == "text" or statistics else report)
    else:
        click.echo(report, nl=False, color=_colour())
    if fmt == "text" and not statistics and os.environ.get("GITHUB_ACTIONS") == "true":
        _annotate(run)
    code = run.exit_code
    warnings = sum(f.level == "warning" for w in run.workflows for f in w.new_findings())
    if code == 0 and max_warnings is not None and warnings > max_warnings:
        click.echo(f"procmap: {warnings} warnings, more than --max-warnings {max_warnings}",
                   err=True)
        code = 1
    sys.exit(0 if exit_zero and code == 1 else code)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=_Path(path_type=Path))
@click.option("-f", "--format", "fmt", type=click.Choice(list(DIAGRAM_FORMATS)),
              help=f"{diagram_help()}. Default: from the suffix of -o, else svg.")
@click.option("-o", "--output", type=_Path(allow_dash=True), callback=_dash_is_stdout,
              help="The file to write (default, or -: standard output, except png); or "
                   "the folder to write into, one <workflow id>.<suffix> each: a folder "
                   "that exists, a name ending in /, or any name for several workflows.")
@click.option("--config", "config_path", type=_Path(dir_okay=False, path_type=Path),
              help="Config file whose rule levels decide the finding marks.")
def render(paths: tuple[Path, ...], fmt: str | None, output: str | None,
           config_path: Path | None) -> None:
    """Draw workflows as swimlane diagrams.

    One lane per team, in the order of `teams`; steps in flow order from left
    to right, shaped by kind (task: rounded box, approval: hexagon, check:
    parallelogram, decision: diamond, wait: dashed ellipse, end: double box).
    Handoffs between teams are blue with hollow arrowheads, ping-pong red,
    rework dashed with its probability; the critical path is thick, its steps
    bordered orange. Steps with findings are filled by their most severe
    level and carry a number, listed with the rule under the diagram; the
    legend shows the marks used. A map wider than 40 columns is drawn on
    pages, FILE-1, FILE-2..., joined by off-page connectors.

    \b
        procmap render workflows/billing-dispute.yaml -o billing.svg
        procmap render workflows/ --format mermaid -o docs/diagrams/

    Exit status: 0 drawn, 2 a file is not a valid workflow, Graphviz is
    missing for svg or png, or an output cannot be written.
    """
    from procmap.analysis.analyze import analyze_paths
    from procmap.render import SUFFIXES, GraphvizError, GraphvizMissing, render_pages

    config = _config(config_path)
    run = analyze_paths(paths, config, simulate=False)
    _echo_notes(run.notes)
    _echo_problems(run.errors)
    if fmt is None:
        fmt = (format_for(Path(output)) if output else None) or "svg"
    several = len(paths) > 1 or any(p.is_dir() for p in paths)
    # As for several workflows, so that `render $FILES -o out/` does not
    # depend on how many files there are.
    into = output is not None and (several or _names_folder(output) or Path(output).is_dir())
    if several and output is None:
        raise click.UsageError("several workflows need -o FOLDER to write into")
    if not several and output is None and DIAGRAM_FORMATS[fmt].binary and sys.stdout.isatty():
        raise click.UsageError(f"a {fmt.upper()} is not for a terminal: "
                               f"give -o FILE{SUFFIXES[fmt]}")
    failed = False
    for report in run.workflows:
        try:
            pages = render_pages(report, fmt, functools.partial(_warn, report.workflow.file))
        except GraphvizError as e:
            click.echo(f"procmap: {one_line(report.workflow.file)}: {e}", err=True)
            if isinstance(e, GraphvizMissing):
                sys.exit(EXIT_USAGE)
            failed = True  # this workflow's drawing only: the others are still drawn
            continue
        if output is None:
            if len(pages) > 1:
                raise click.UsageError(
                    f"{one_line(report.workflow.file)} is drawn on {len(pages)} pages, one "
                    "file each: give -o FILE, and FILE-1, FILE-2... are written")
            sys.stdout.buffer.write(pages[0])
            sys.stdout.flush()
            continue
        target = Path(output) / f"{report.workflow.id}{SUFFIXES[fmt]}" if into else Path(output)
        # A folder where the file goes is refused (_write), not paged beside it.
        if len(pages) == 1 or target.is_dir():
            _write(target, pages[0])
            continue
        # A map too wide to read on one page: pages by columns, as Visio does.
        names = [target.with_name(f"{target.stem}-{i}{target.suffix}")
                 for i in range(1, len(pages) + 1)]
        for name, data in zip(names, pages, strict=True):
            _write(name, data)
        click.echo(f"procmap: {one_line(report.workflow.file)}: {len(pages)} pages: "
                   f"{one_line(str(names[0]))} to {one_line(str(names[-1]))}", err=True)
    sys.exit(EXIT_USAGE if run.errors or failed else 0)


def _warn(file: str, message: str) -> None:
    click.echo(f"procmap: {one_line(file)}: warning: {message}", err=True)


_TEMPLATES = click.option(
    "--templates", type=_Path(file_okay=False, exists=True, path_type=Path),
    help="Folder of jinja2 templates that take precedence over the shipped ones "
         "(default: `templates:` in the config file). A template there may "
         '{% extends "procmap/sop.md.j2" %} and replace single blocks.')


@main.command()
@click.argument("path", type=_Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=_Path(dir_okay=False, allow_dash=True, path_type=Path),
              callback=_dash_is_stdout,
              help="The markdown file to write (default, or -: standard output).")
@_TEMPLATES
@click.option("--config", "config_path", type=_Path(dir_okay=False, path_type=Path),
              help="Config file whose rule levels decide the open questions.")
def sop(path: Path, output: Path | None, templates: Path | None,
        config_path: Path | None) -> None:
    """Write the standard operating procedure of a workflow, in markdown.

    Title, owner, purpose, scope, who does what, numbered steps in flow
    order (owner, inputs, outputs, systems, time, instructions, decisions
    and handoffs), the Mermaid diagram, the metrics, and the findings as open
    questions (requirements without a named owner first). The last line
    names the file and, in a git repository, its last commit and date.

    \b
        procmap sop workflows/billing-dispute.yaml -o docs/billing-dispute.md

    Exit status: 0 written, 2 the workflow or a template is invalid.
    """
    from procmap.docs.sop import write_sop

    config = _config(config_path)
    report = _analyse_one(path, config)
    text = _templated(lambda: write_sop(report, templates or config.templates))
    if output is not None:
        _write(output, text)
    else:
        click.echo(text, nl=False)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=_Path(path_type=Path))
@click.option("-o", "--output", required=True,
              type=_Path(file_okay=False, allow_dash=True, path_type=Path),
              callback=_not_dash,
              help="The folder to write the library into.")
@_TEMPLATES
@click.option("--config", "config_path", type=_Path(dir_okay=False, path_type=Path),
              help="Config file whose rule levels decide the findings shown.")
@click.option("--tracker", "cases", type=_Path(dir_okay=False, path_type=Path),
              help="Also write the tracker of these cases (as `procmap track`) as a page.")
@click.option("--png", is_flag=True,
              help="Also draw each diagram as PNG (<id>.png) now, instead of leaving "
                   "<id>.laid.gv for `procmap publish` to draw the PNGs a Confluence page "
                   "shows. A PNG takes three times as long as the rest of a workflow's build.")
def build(paths: tuple[Path, ...], output: Path, templates: Path | None,
          config_path: Path | None, cases: Path | None, png: bool) -> None:
    """Build the process library: an SOP and diagrams per workflow, and an index,
    in markdown and in Confluence storage format for `procmap publish`.

    \b
    OUTPUT/<id>.md        the SOP (as `procmap sop`), showing <id>.svg
    OUTPUT/<id>.svg       the swimlane diagram (needs Graphviz; skipped with
                          a warning without it); a map wider than 40
                          columns as pages, <id>.page-1.svg...
    OUTPUT/<id>.laid.gv   the diagram laid out, from which `procmap publish`
                          draws <id>.png for Confluence when it uploads it;
                          with --png, OUTPUT/<id>.png instead
    OUTPUT/<id>.mmd       the same diagram in Mermaid
    OUTPUT/index.md       one row per workflow (owner, steps, teams, handoffs,
                          lead time, PCE, findings by level), the handoffs
                          between each pair of teams and the worst ping-pong
    OUTPUT/*.storage.xhtml  the SOPs and the index as Confluence pages
    OUTPUT/tracker.md     with --tracker: the cases against the workflows
    OUTPUT/manifest.json  what `procmap publish` sends

    Files are replaced atomically; the same input gives the same bytes. A
    second build into a folder in use stops at once. A workflow whose id is
    `index` is refused: the index would replace its pages.
    Exit status: 0 built, 2 a workflow or a template is invalid, a workflow's
    diagram failed, or the folder is in use (the valid workflows are still
    built).
    """
    from procmap.analysis.analyze import analyze_paths
    from procmap.docs.library import build as build_library

    config = _config(config_path)
    interactive = sys.stderr.isatty()

    def progress(file: Path) -> None:
        click.echo(f"\r\033[Kanalysing {one_line(file)}", nl=False, err=True)

    run = analyze_paths(paths, config, progress=progress if interactive else None)
    if interactive:
        click.echo("\r\033[K", nl=False, err=True)
    _echo_notes(run.notes)
    _echo_problems(run.errors)
    tracker = _tracker(cases, paths, config) if cases else None
    if interactive:
        with click.progressbar(length=len(run.workflows), label="writing",
                               file=sys.stderr) as bar:
            built = _templated(lambda: build_library(run, output, templates, bar.update,
                                                     tracker, png))
    else:
        built = _templated(lambda: build_library(run, output, templates, tracker=tracker,
                                                 png=png))
    for warning in built.warnings:
        click.echo(f"procmap: warning: {one_line(warning)}", err=True)
    _echo_problems(built.errors)
    click.echo(f"{len(run.workflows)} workflows, {len(built.files)} files in "
               f"{one_line(output)}", err=True)
    sys.exit(EXIT_USAGE if run.errors or built.errors or (tracker and tracker.problems) else 0)


@main.command()
@click.argument("site", type=_Path(file_okay=False, path_type=Path))
@click.option("--target", type=click.Choice(list(PUBLISH_TARGETS)), default="confluence",
              show_default=True, help=f"Where to publish. {publish_help()} An option marked "
                                      "with a target's name is for that target alone.")
@click.option("--prune", is_flag=True,
              help="Delete the pages procmap published whose workflow is gone.")
@click.option("--dry-run", is_flag=True,
              help="List what would be created, updated, uploaded or pruned; write nothing.")
@click.option("-v", "--verbose", is_flag=True,
              help="Print each request and its status (confluence), each file written "
                   "(wiki).")
@click.pass_context
def publish(ctx: click.Context, /, site: Path, target: str, prune: bool, dry_run: bool,
            verbose: bool, **options: object) -> None:
    """Publish a library built by `procmap build` to Confluence (the default)
    or a GitHub wiki.

    SITE is the output folder of `procmap build`. One page per workflow goes
    under the library page (Confluence; the wiki's Home), with its diagram
    shown. procmap marks the pages it publishes (a content property; a
    comment in a wiki page) and never writes, moves or deletes a page without
    the mark: a page in the way stops the run before anything is written. A
    second run with nothing changed writes nothing.

    \b
        export CONFLUENCE_URL=https://acme.atlassian.net/wiki
        export CONFLUENCE_USER=ops-bot@acme.com CONFLUENCE_TOKEN=...
        procmap build workflows/ -o site
        procmap publish site --space OPS --parent "Operations"
    \b
        git clone https://github.com/acme/ops.wiki.git wiki
        procmap publish site --target wiki --wiki wiki --prune

    Exit status: 0 published, 1 the target refused (Confluence refused, did
    not answer in time or answered what is not its API; a wiki file could not
    be written) or a page is in the way, 2 the folder is not a built library
    or the command was misused.
    """
    from procmap.publish.site import Action, PublishError
    from procmap.publish.target import TargetError, Ui
    from procmap.publish.target import publish as run

    kind = PUBLISH_TARGETS[target]
    mine = {option.name for option in kind.OPTIONS}
    for name in options.keys() - mine:
        if ctx.get_parameter_source(name) is click.core.ParameterSource.COMMANDLINE:
            raise click.UsageError(f"--{name.replace('_', '-')} is not an option of "
                                   f"--target {target}: leave it out")

    def log(line: str) -> None:
        click.echo(f"  {line}", err=True)

    def report(action: Action) -> None:
        would = dry_run and action.verb not in ("unchanged", "stale")
        click.echo(("would " if would else "") + str(action))

    ui = Ui(warn=lambda line: click.echo(f"procmap: {line}", err=True),
            log=log if verbose else None)
    try:
        destination = kind.open({k: v for k, v in options.items() if k in mine}, prune, ui)
    except TargetError as e:  # an address or credentials that cannot be used
        click.echo(f"procmap: {e}", err=True)
        sys.exit(EXIT_USAGE)
    try:
        library = kind.read_site(site)
    except PublishError as e:
        destination.close()
        click.echo(f"procmap: {e}", err=True)
        sys.exit(EXIT_USAGE)
    try:
        actions = run(destination, library, dry_run, report)
    except (PublishError, TargetError) as e:
        click.echo(f"procmap: {e}", err=True)
        sys.exit(1)
    finally:
        destination.close()
    counts = {verb: sum(a.verb == verb for a in actions)
              for verb in ("create", "update", "upload", "prune", "unchanged", "stale")}
    summary = ", ".join(f"{n} {verb}" for verb, n in counts.items() if n)
    click.echo(f"{'dry run, nothing written: ' if dry_run else ''}{summary or 'nothing to do'}",
               err=True)


# Each target's own options, after --target in the help.
publish.params[2:2] = [option for kind in PUBLISH_TARGETS.values() for option in kind.OPTIONS]


def _algorithm_steps(value: str) -> frozenset[int]:
    names = {name: n for n, name in ALGORITHM_NAMES.items()}
    out = set()
    for part in value.split(","):
        part = part.strip().lower()
        if part.isdigit() and int(part) in ALGORITHM_NAMES:
            out.add(int(part))
        elif part in names:
            out.add(names[part])
        else:
            raise click.BadParameter(f"{part!r}: use 1-5 or question, delete, simplify, "
                                     "accelerate, automate, separated by commas")
    return frozenset(out)


ALGORITHM_NAMES = {1: "question", 2: "delete", 3: "simplify", 4: "accelerate", 5: "automate"}


@main.command("simplify")
@click.argument("path", type=_Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=_Path(dir_okay=False, allow_dash=True, path_type=Path),
              callback=_dash_is_stdout,
              help="The simplified workflow (default, or -: standard output, with the change "
                   "log on standard error).")
@click.option("--accept", multiple=True, metavar="ID",
              help="Apply this review proposal too, e.g. unused-output:ask-deposit "
                   "(repeatable); 'all' applies every one.")
@click.option("--keep", multiple=True, metavar="STEP",
              help="A step id no proposal may change (repeatable).")
@click.option("--only", "only", default="1,2,3,4,5", show_default=True,
              help="Steps of the Algorithm whose rules propose changes, by number or name.")
@click.option("--log", "log_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Format of the change log.")
@click.option("--config", "config_path", type=_Path(dir_okay=False, path_type=Path),
              help="Config file whose rule levels decide what counts as a finding.")
def simplify_command(path: Path, output: Path | None, accept: tuple[str, ...],
                     keep: tuple[str, ...], only: str, log_format: str,
                     config_path: Path | None) -> None:
    """Propose changes to a workflow and apply those nobody has to agree to.

    Each rule's findings become proposals with an id RULE:STEP. A safe one
    removes only waste the author marked or the graph proves adds nothing
    (a non-value-added step without a requirement, a repeated check, a
    redundant link, the same work done twice on the same material): it is
    applied. A review one needs the yes of the person named in the step's
    requirement, else the workflow's owner: it is listed with that person
    and its saving until you pass --accept ID.

    Whatever is accepted, simplify never deletes or cuts down a decision,
    never moves an approval, check or decision to another team, never
    leaves a step reading what nothing makes, never loses a process output
    and never makes lead time or handoffs worse. Only the edited lines of
    the file change; a file edited meanwhile is not overwritten.

    \b
        procmap simplify workflows/billing-dispute.yaml -o after.yaml
        procmap simplify wf.yaml -o after.yaml --accept unused-output:ask-deposit
        procmap diff workflows/billing-dispute.yaml after.yaml

    Exit status: 0 written, 2 the workflow is invalid or an option is wrong.
    """
    import json

    from procmap.simplify.simplify import ALL, Options, simplify

    options = Options(frozenset(accept), frozenset(keep), _algorithm_steps(only),
                      _config(config_path))
    from procmap.format.files import read_regular
    from procmap.format.yamlnodes import MAX_BYTES

    try:
        data = read_regular(path, MAX_BYTES)
        result = simplify(data, str(path), options)
    except OSError as e:
        click.echo(f"procmap: cannot read {path}: {e.strerror or e}", err=True)
        sys.exit(EXIT_USAGE)
    unknown = [k for k in keep if k not in result.before.workflow.steps]
    if unknown:
        raise click.BadParameter(f"no step {', '.join(unknown)} in {path}", param_hint="--keep")
    ids = {o.proposal.id for o in result.outcomes}
    strangers = [a for a in accept if a != ALL and a not in ids]
    if strangers:
        raise click.BadParameter(
            f"no proposal {', '.join(strangers)} for {path}; its proposals: "
            f"{', '.join(sorted(ids)) or 'none'}", param_hint="--accept")
    log = (json.dumps([o.as_json() for o in result.outcomes], indent=2, ensure_ascii=False)
           + "\n" if log_format == "json" else _change_log(result))
    try:
        changed = path.read_bytes() != data
    except OSError:
        changed = True
    if changed:
        click.echo(f"procmap: {path} changed while simplify read it: nothing written; "
                   "run simplify again on the new version", err=True)
        sys.exit(EXIT_USAGE)
    if output is not None:
        _write(output, result.data, replaces_input=True)
        click.echo(log, nl=False)
    else:
        sys.stdout.flush()
        sys.stdout.buffer.write(result.data)
        sys.stdout.buffer.flush()
        click.echo(log, nl=False, err=True)


def _change_log(result: Simplified) -> str:
    from procmap.analysis.metrics import percent
    from procmap.format.durations import short

    period = result.before.workflow.volume.period if result.before.workflow.volume else None
    lines = []
    for o in result.outcomes:
        p, s = o.proposal, o.saving
        saves = []
        if s.touch_h > 1e-9:
            share = f" ({s.share:.0%} of cases)" if s.share < 1 - 1e-9 else ""
            saves.append((f"{s.touch_period_h:.1f} touch hours per {period}"
                          if s.touch_period_h is not None else f"{short(s.touch_h)} of touch "
                          "per case") + share)
        if s.lead_h > 1e-9:
            saves.append(f"{short(s.lead_h)} of lead time")
        if s.handoffs > 1e-9:
            per_case = f"{s.handoffs:.2g}"
            saves.append(f"{per_case} handoff{'' if per_case == '1' else 's'} per case")
        tail = f"; saves {', '.join(saves)}" if saves else ""
        ask = ""
        if (p.klass == "review" or o.held) and not o.applied:
            quote = f" (\"{p.why}\")" if p.why else ""
            ask = f"ask {p.person or 'the process owner'}{quote}: "
        line = f"{o.status:<8} {p.klass:<7} {p.id}: {ask}{p.reason}{tail}"
        if o.blocked:
            line += f". Not possible: {o.blocked}"
        elif o.held:
            line += f". Held back: {o.held}"
        lines.append(one_line(line))  # titles and names are the author's text
    b, a = result.before.metrics, result.after.metrics
    counts = {status: sum(o.status == status for o in result.outcomes)
              for status in ("applied", "waiting", "blocked")}

    lines.append(f"steps {b.steps} -> {a.steps}, handoffs per case "
                 f"{b.expected_handoffs:.2f} -> {a.expected_handoffs:.2f}, "
                 f"lead time {short(b.lead_time_h)} -> {short(a.lead_time_h)}, "
                 f"PCE {percent(b.pce)} -> {percent(a.pce)}; {counts['applied']} applied, "
                 f"{counts['waiting']} wait for a yes (--accept ID), "
                 f"{counts['blocked']} not possible")
    return "\n".join(lines) + "\n"


@main.command("diff")
@click.argument("before", type=_Path(dir_okay=False, path_type=Path))
@click.argument("after", type=_Path(dir_okay=False, path_type=Path))
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json", "markdown"]),
              default="text", show_default=True,
              help="markdown is made to be posted as a pull-request comment.")
@click.option("-o", "--output", type=_Path(dir_okay=False, allow_dash=True, path_type=Path),
              callback=_dash_is_stdout,
              help="Write to this file instead of standard output (-: standard output).")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seed of the simulated lead times.")
@click.option("--diagram", type=_Path(dir_okay=False, path_type=Path),
              help="Also draw both versions in one swimlane diagram: removed steps greyed "
                   "and struck, added ones green, moved ones marked. The format follows the "
                   f"suffix: {suffix_list()}.")
def diff_command(before: Path, after: Path, fmt: str, output: Path | None, seed: int,
                 diagram: Path | None) -> None:
    """Compare two versions of a workflow.

    Metrics side by side with their change, first the simulated lead time
    (mean, P50, P90) and handoffs per case, then the worst branch (critical
    path), steps, teams, handoff links, ping-pong, rework, touch time and
    PCE; then the steps removed, added, moved between teams and changed
    (old -> new), and the links removed, added or given another condition.

    Exit status: 0 compared, 2 a file is not a valid workflow.
    """
    from procmap.simplify.compare import FORMATS, compare

    comparison = compare(_analyse_one(before, seed=seed), _analyse_one(after, seed=seed))
    if diagram is not None:
        from procmap.render import GraphvizError
        from procmap.simplify.compare import picture

        picture_format = format_for(diagram)
        if picture_format is None:
            raise click.BadParameter(f"end the file name with {suffix_list()}",
                                     param_hint="--diagram")
        try:
            _write(diagram, picture(comparison, picture_format))
        except GraphvizError as e:
            click.echo(f"procmap: {before} -> {after}: {e}", err=True)
            sys.exit(EXIT_USAGE)
    text = FORMATS[fmt](comparison)
    if output is not None:
        _write(output, text)
    else:
        click.echo(text, nl=False)


class LogUnusable(click.ClickException):
    """An event log (or a map to check it against) that cannot be used: exit 2."""

    exit_code = EXIT_USAGE


_LOG_MAP = click.option(
    "--map", "mapping", multiple=True, metavar="COLUMN=ROLE",
    help="Which column holds what: roles case, step, team, time, lifecycle, variant "
         "(e.g. --map activity=step,resource=team). Usual names are found without it.")


def _mining(call: Callable[[], T]) -> T:
    from procmap.mining.discover import DiscoveryError
    from procmap.mining.log import LogError

    try:
        return call()
    except (LogError, DiscoveryError) as e:
        raise LogUnusable(str(e)) from None


@main.command("mine")
@click.argument("log", type=_Path(dir_okay=False, path_type=Path))
@_LOG_MAP
@click.option("-o", "--output", type=_Path(dir_okay=False, allow_dash=True, path_type=Path),
              help="Write the discovered workflow to this file (-: standard output); with "
                   "--calibrate, the calibrated map.")
@click.option("--min-share", type=click.FloatRange(0, 1), default=0.01, show_default=True,
              help="Keep an edge a -> b when at least this share of a's moves go to b.")
@click.option("--id", "workflow_id", help="Id of the discovered workflow (default: from LOG).")
@click.option("--against", type=_Path(dir_okay=False, path_type=Path),
              help="Check the log against this map: conformance, deviations, measured "
                   "versus mapped times and handoffs.")
@click.option("--calibrate", is_flag=True,
              help="With --against: set the map's p, waits and touch times to what the log "
                   "measures, keeping every other byte of the file. Shows what would change; "
                   "-o FILE writes the calibrated map (the map itself too), -o - prints it.")
@click.option("--min-cases", type=click.IntRange(1), default=30, show_default=True,
              help="With --calibrate: a value measured in fewer cases keeps the map's guess.")
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Format of the conformance or calibration report.")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seed of the map's simulated figures.")
def mine_command(log: Path, mapping: tuple[str, ...], output: Path | None, min_share: float,
                 workflow_id: str | None, against: Path | None, calibrate: bool,
                 min_cases: int, fmt: str, seed: int) -> None:
    """Read an event log (CSV, Parquet, XES): discover the as-is workflow, or
    check a map against it with --against, or calibrate the map with
    --against MAP --calibrate.

    Without --against the discovered workflow goes to -o or standard output;
    with it the conformance report goes to standard output, and the
    discovered workflow to -o when given. What is wrong in the log (missing
    values, unreadable timestamps, events out of order, unfinished cases)
    is counted, with examples, on standard error.

    With --calibrate the calibration report takes the conformance report's
    place and nothing is written unless -o is given: the report lists each
    value that would change (old -> new, with its cases) and each that keeps
    the map's guess, and why (too few cases, not in the log).

    \b
        procmap mine tickets.csv --against workflows/tickets.yaml --calibrate
        procmap mine tickets.csv --against workflows/tickets.yaml --calibrate \\
            -o workflows/tickets.yaml

    Exit status: 0 done, 2 the log or the map cannot be used.
    """
    from procmap.mining.log import parse_map
    from procmap.mining.run import mine

    if calibrate and against is None:
        raise click.UsageError("--calibrate needs the map to calibrate: give it with --against")
    to_stdout = output is not None and str(output) == "-"
    if to_stdout and not calibrate:
        output = None  # -o - is standard output, as if no -o were given
    result = _mining(lambda: mine(log, parse_map(mapping), min_share,
                                  discover_map=not calibrate and (against is None
                                                                  or output is not None),
                                  against=against, fmt=fmt, workflow_id=workflow_id,
                                  seed=seed, calibrate=calibrate, min_cases=min_cases))
    _echo_notes(result.notes)
    if result.calibrated is not None:
        assert result.report is not None
        if to_stdout:
            sys.stdout.flush()
            sys.stdout.buffer.write(result.calibrated)
            sys.stdout.buffer.flush()
            click.echo(result.report, nl=False, err=True)
            return
        click.echo(result.report, nl=False)
        if output is not None:
            _write(output, result.calibrated)
            if fmt == "text":
                click.echo(f"Wrote {output}.")
        elif fmt == "text":
            click.echo(f"Nothing written: -o FILE writes the calibrated map (it may be "
                       f"{against} itself), -o - prints it.")
        return
    if result.workflow_yaml is not None:
        if output is not None:
            _write(output, result.workflow_yaml)
        else:
            click.echo(result.workflow_yaml, nl=False)
    if result.report is not None:
        click.echo(result.report, nl=False)


@main.command("compare-logs")
@click.argument("logs", nargs=-1, required=True, type=_Path(dir_okay=False, path_type=Path))
@_LOG_MAP
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json", "markdown"]),
              default="text", show_default=True)
@click.option("-o", "--output", type=_Path(dir_okay=False, allow_dash=True, path_type=Path),
              callback=_dash_is_stdout,
              help="Write to this file instead of standard output (-: standard output).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the bootstrap.")
def compare_logs_command(logs: tuple[Path, ...], mapping: tuple[str, ...], fmt: str,
                         output: Path | None, seed: int) -> None:
    """A/B test of a process change: LOG_A LOG_B, or one log with a variant column.

    Lead time (mean, P50, P90), handoffs per case and rework rate per
    variant; the difference in mean lead time with a 95% bootstrap interval,
    a Mann-Whitney U test, the cases per variant needed to detect it, and a
    plain verdict.

    Exit status: 0 compared, 2 a log cannot be used.
    """
    from procmap.mining.log import parse_map
    from procmap.mining.run import compare_logs

    text, notes = _mining(lambda: compare_logs(logs, parse_map(mapping), fmt, seed))
    _echo_notes(notes)
    if output is not None:
        _write(output, text)
    else:
        click.echo(text, nl=False)


def _today(ctx: click.Context, param: click.Parameter, value: str | None) -> object:
    import datetime as dt

    from procmap.tracking.cases import parse_date

    try:
        return parse_date(value) if value else dt.date.today()
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO 8601 date (YYYY-MM-DD)") from None


def _columns(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> object:
    from procmap.tracking.cases import FIELDS

    out = {}
    for item in value:
        field, sep, name = item.partition("=")
        if not sep or field not in FIELDS or not name.strip():
            raise click.BadParameter(f"{item!r}: write FIELD=COLUMN, FIELD one of "
                                     f"{', '.join(FIELDS)}")
        out[field] = name.strip()
    return out


@main.command("track")
@click.argument("cases", type=_Path(dir_okay=False, path_type=Path))
@click.option("--workflows", "workflows", required=True, type=_Path(path_type=Path),
              help="The workflows the cases run through: a folder or a file.")
@click.option("--today", callback=_today, metavar="DATE",
              help="The date to track on, YYYY-MM-DD (default: today), for output that "
                   "does not change from day to day.")
@click.option("-f", "--format", "fmt", type=click.Choice(list(TRACK_FORMATS)), default="text",
              show_default=True,
              help="text for people, json for scripts, csv to import into a spreadsheet, "
                   "markdown with a gantt chart per case.")
@click.option("-o", "--output", type=_Path(dir_okay=False, path_type=Path),
              help="Write to this file instead of standard output.")
@click.option("--fail-on", type=click.Choice(["late", "blocked", "at-risk", "never"]),
              default="at-risk", show_default=True,
              help="The least severe status that fails the run (exit 1): late > blocked > "
                   "at-risk.")
@click.option("--column", "columns", multiple=True, callback=_columns, metavar="FIELD=NAME",
              help="Read FIELD from the column NAME (repeatable), over `track: columns:` in "
                   "the config.")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seed of the simulations of the remaining time.")
@click.option("--config", "config_path", type=_Path(dir_okay=False, path_type=Path),
              help="Config file with `track:` columns and calendar.")
def track_command(cases: Path, workflows: Path, today: object, fmt: str, output: Path | None,
                  fail_on: str, columns: dict[str, str], seed: int,
                  config_path: Path | None) -> None:
    """Track live cases against their workflows: dates, risk and escalations.

    CASES is a CSV (as Smartsheet, Salesforce or Excel export it) or YAML
    file with a row per case: case, workflow, step, entered (the date the
    case entered the step), and optionally due, owner and blocker. A history
    instead (columns started and finished, a row per step run) gives the
    current state itself.

    Each case gets its expected and P90 finish, simulated from its current
    step, a status (late, blocked, at-risk, on-track), its time in the step
    against the usual and its next handoff; then come the escalations,
    worst first, work in progress per team and step, and the steps where
    cases are stuck most.

    \b
        procmap track trackers/partners.csv --workflows workflows/ --today 2026-11-23

    Exit status: 0 nothing at or above --fail-on, 1 a case is, 2 a row or
    workflow could not be read (the other rows are still tracked and the
    bad ones listed in every format) or the command was misused.
    """
    import datetime as dt

    from procmap.tracking.tracker import track

    assert isinstance(today, dt.date)  # from _today
    config = _config(config_path)
    tracker = track(cases, workflows, today, config, columns, seed)
    text = _templated(lambda: TRACK_FORMATS[fmt].render(tracker))
    if output is not None:
        _write(output, text)
    else:
        click.echo(text, nl=False)
    if output is not None or fmt != "text":
        _echo_problems(tracker.problems)
    sys.exit(tracker.exit_code(fail_on))


def _tracker(cases: Path, workflows: Iterable[Path], config: Config) -> Tracker:
    """The tracker that `build --tracker` writes; its bad rows go to standard error."""
    from procmap.tracking.tracker import track

    tracker = track(cases, workflows, config=config)
    _echo_problems(p for p in tracker.problems if p.file == str(cases))
    return tracker


def _echo_notes(notes: Iterable[str]) -> None:
    for note in notes:
        click.echo(f"procmap: note: {note}", err=True)


def _echo_problems(problems: Iterable[object]) -> None:
    for problem in problems:
        click.echo(str(problem), err=True)


def _analyse_one(path: Path, config: Config | None = None, seed: int = 0) -> WorkflowReport:
    """The analysis of one workflow file; exit 2 with its problems when it does not load.
    A file given by name is always read, so a valid one always yields a report."""
    from procmap.analysis.analyze import analyze_paths

    run = analyze_paths([path], config, seed)
    _echo_problems(run.errors)
    if run.errors:
        sys.exit(EXIT_USAGE)
    return run.workflows[0]


T = TypeVar("T")


def _templated(make: Callable[[], T]) -> T:
    """Run template code; a broken template is a clear error, not a traceback."""
    import jinja2

    from procmap.docs.templating import describe, template_line

    try:
        return make()
    except jinja2.TemplateError as e:
        click.echo(f"procmap: template error: {describe(e)}", err=True)
        sys.exit(EXIT_USAGE)
    except (ArithmeticError, LookupError, TypeError, ValueError) as e:
        # Python errors of the template's own code ({{ 1 / 0 }}) are the
        # author's to fix; raised in procmap's code they stay internal errors.
        if template_line(e) is None:
            raise
        click.echo(f"procmap: template error: {describe(e)}", err=True)
        sys.exit(EXIT_USAGE)
    except OSError as e:
        click.echo(f"procmap: cannot write {one_line(e.filename)}: {e.strerror or e}", err=True)
        sys.exit(EXIT_USAGE)


@main.command()
@click.option("--config", "which", flag_value="config",
              help="Print the schema of .procmap.yaml instead.")
@click.option("-o", "--output", type=_Path(dir_okay=False, allow_dash=True, path_type=Path),
              callback=_dash_is_stdout,
              help="Write the schema to this file (default, or -: standard output).")
def schema(which: str | None, output: Path | None) -> None:
    """Print the JSON Schema of the workflow format.

    Editors with the YAML language server (VS Code's YAML extension among
    them) complete and check workflows as you type when a workflow starts with

    \b
        # yaml-language-server: $schema=./procmap.schema.json

    after `procmap schema -o procmap.schema.json`.
    """
    import json

    if which == "config":
        from procmap.config import config_schema

        data = config_schema()
    else:
        from procmap.analysis.rules import RULE_IDS
        from procmap.format.schema import workflow_schema

        data = workflow_schema(RULE_IDS)
    text = json.dumps(data, indent=2) + "\n"
    if output is not None:
        _write(output, text)
    else:
        click.echo(text, nl=False)


@main.command("rules")
@click.option("--markdown", is_flag=True,
              help="Print each rule's documentation in markdown (docs/rules.md).")
def list_rules(markdown: bool) -> None:
    """List the rules: id, default level, Algorithm step and what fires them."""
    from procmap.analysis.rules import RULES
    from procmap.analysis.rules.base import ALGORITHM

    if markdown:
        from procmap.analysis.ruledocs import markdown as rule_docs

        click.echo(rule_docs(), nl=False)
        return
    for r in RULES:
        click.echo(f"{r.id:<24} {r.level:<8} {r.algorithm} {ALGORITHM[r.algorithm]:<11} "
                   f"{r.summary}")


@main.group("import")
def import_group() -> None:
    """Read workflows from other formats."""


@import_group.command("bpmn")
@click.argument("path", type=_Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output", required=True, type=_Path(file_okay=False, path_type=Path),
              help="The folder to write the workflows into, one <id>.yaml per pool.")
@click.option("--strict", is_flag=True,
              help="Fail (exit 1, write nothing) when the model says anything a workflow "
                   "cannot.")
def import_bpmn_command(path: Path, output: Path, strict: bool) -> None:
    """Import a BPMN 2.0 model (Camunda Modeler, bpmn.io, Signavio ...): one
    workflow per pool.

    Lanes become teams, other pools external teams, tasks steps, exclusive
    gateways decisions of the step before them, parallel gateways parallel
    `next`, timers waits. Each file starts with a comment listing what the
    model says that the workflow cannot, by element id, and the same list is
    printed; shares the model does not give are an even split marked as a
    guess. The README has the whole mapping.

    \b
        procmap import bpmn order.bpmn -o workflows/

    Exit status: 0 written, 1 --strict and something could not be expressed
    (nothing written), 2 the file is not readable BPMN.
    """
    from procmap.bpmn import import_file

    imported = import_file(path)
    for item in imported:
        target = output / f"{item.id}.yaml"
        click.echo(f"{target}: {len(item.losses)} not expressed" if item.losses
                   else f"{target}: everything expressed")
        for loss in item.losses:
            click.echo(f"  {loss.located(str(path))}")
    if strict and any(item.losses for item in imported):
        click.echo("procmap: --strict: nothing written", err=True)
        sys.exit(1)
    for item in imported:
        _write(output / f"{item.id}.yaml", item.text)


@main.group("export")
def export_group() -> None:
    """Write workflows in other formats."""


@export_group.command("bpmn")
@click.argument("path", type=_Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=_Path(dir_okay=False, path_type=Path),
              help="The .bpmn file to write (default: standard output).")
def export_bpmn_command(path: Path, output: Path | None) -> None:
    """Export a workflow as BPMN 2.0 with its diagram, for bpmn.io or Camunda Modeler.

    One collaboration: a pool with a lane per team of the company, a pool
    per external team with message flows for the handoffs to and from it,
    exclusive gateways for decisions, parallel gateways for parallel work,
    timer events for waits. procmap import bpmn reads it back whole.

    Exit status: 0 written, 2 the workflow is invalid.
    """
    from procmap.bpmn import export_file

    data = export_file(path)
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        _write(output, data)


_OUTPUT_FAILED = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO})


def run() -> None:
    """Entry point: a bug in procmap ends with a short report, not a traceback."""
    try:
        main(standalone_mode=True)
    except SystemExit:
        raise
    except Exception as e:
        if os.environ.get("PROCMAP_DEBUG"):
            raise
        if isinstance(e, OSError) and e.errno in _OUTPUT_FAILED:
            # Files named with -o say which file failed (_write); what gets
            # here is standard output on a full disk or a dead device: no bug.
            click.echo(f"procmap: cannot write the output: {e.strerror}", err=True)
            sys.exit(EXIT_USAGE)
        click.echo(f"procmap: internal error: {type(e).__name__}: {one_line(e)}\n"
                   "Please report it with the workflow that caused it; set PROCMAP_DEBUG=1 "
                   "to see the traceback.", err=True)
        sys.exit(EXIT_USAGE)


def _config(path: Path | None) -> Config:
    """The given config file, else the nearest one; exit 2 when it is invalid."""
    from procmap.config import Config, find_config, read_config

    found = path or find_config(Path.cwd())
    return read_config(found) if found else Config()


def _write(path: Path, data: str | bytes, replaces_input: bool = False) -> None:
    """`data` written atomically to `path`; never over a file the command
    reads, unless `replaces_input` (simplify's and calibrate's -o MAP)."""
    from procmap.atomic import write_bytes
    from procmap.format.files import NotAFile

    read = click.get_current_context().meta.get(_INPUTS, ())
    same = next((p for p in read if _same_file(Path(path), p)), None)
    if same is not None and not replaces_input:
        click.echo(f"procmap: cannot write {one_line(path)}: it is {one_line(same)}, which "
                   "this command reads: name another file", err=True)
        sys.exit(EXIT_USAGE)
    try:
        write_bytes(path, data.encode() if isinstance(data, str) else data)
    except NotAFile as e:
        click.echo(f"procmap: cannot write {one_line(path)}: {e}: name a regular file, or - for "
                   "standard output", err=True)
        sys.exit(EXIT_USAGE)
    except OSError as e:
        click.echo(f"procmap: cannot write {one_line(path)}: {e.strerror or e}", err=True)
        sys.exit(EXIT_USAGE)
