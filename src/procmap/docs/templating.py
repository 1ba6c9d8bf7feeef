"""The jinja2 environments of the SOP and library templates.

A user's folder comes first; the shipped templates are also reachable as
`procmap/<name>`, so a user template can `{% extends "procmap/sop.md.j2" %}`
and replace one block. Every `{{ value }}` is escaped for markdown unless it
is `Raw` (markdown procmap built), so a template cannot forget to escape.
The Confluence templates (`*.storage.j2`) get XML autoescaping instead.
With a user's folder both run in jinja2's sandbox: a template found
through a config file may be someone else's, and must not reach Python
objects beyond what it is given. The shipped templates alone are procmap's
own and run without it: its check of every attribute took 40% of the time
of rendering them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from procmap.analysis.metrics import percent
from procmap.docs.markdown import Raw, code, codes, inline, prose
from procmap.docs.storage import cdata, markdown_to_xhtml, xml_text
from procmap.format.durations import short


def shipped() -> Path:
    """The shipped templates: inside the wheel, else in the source checkout."""
    package = Path(__file__).resolve().parents[1]
    packaged = package / "templates"
    return packaged if packaged.is_dir() else package.parents[1] / "templates"


def _loader(user: Path | None) -> jinja2.BaseLoader:
    own = jinja2.FileSystemLoader(str(shipped()))
    loaders: list[jinja2.BaseLoader] = [jinja2.FileSystemLoader(str(user))] if user else []
    return jinja2.ChoiceLoader([*loaders, own, jinja2.PrefixLoader({"procmap": own})])


def _environment(user: Path | None, autoescape: bool,
                 finalize: Callable[[Any], Any]) -> jinja2.Environment:
    kind = SandboxedEnvironment if user else jinja2.Environment
    return kind(loader=_loader(user), autoescape=autoescape, finalize=finalize,
                undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                trim_blocks=True, lstrip_blocks=True)


def environment(user: Path | None = None) -> jinja2.Environment:
    """Markdown templates (`*.md.j2`)."""
    env = _environment(user, autoescape=False, finalize=inline)
    env.filters.update(hours=lambda h: Raw(short(h)), code=code, codes=codes, prose=prose, raw=Raw,
                       percent=lambda x: Raw(percent(x)), number=lambda x: Raw(f"{x:g}"),
                       decimal=lambda x: Raw(f"{x:.2f}"))
    return env


def storage_environment(user: Path | None = None) -> jinja2.Environment:
    """Confluence storage-format templates (`*.storage.j2`): XHTML, autoescaped;
    `finalize` drops the characters that XML 1.0 cannot carry at all."""
    env = _environment(user, autoescape=True, finalize=xml_text)
    env.filters.update(hours=short, markdown=markdown_to_xhtml(), cdata=cdata,
                       percent=percent, number=lambda x: f"{x:g}",
                       decimal=lambda x: f"{x:.2f}")
    return env


def template_line(error: BaseException) -> str | None:
    """`file:line` of the template code the error came from, if it did:
    jinja2 rewrites tracebacks so that frames point at template lines."""
    where = None
    tb = error.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith(".j2"):
            where = f"{tb.tb_frame.f_code.co_filename}:{tb.tb_lineno}"
        tb = tb.tb_next
    return where


def describe(error: BaseException) -> str:
    """Where a template failed and why, for people: `file:line: what`.
    Also for a Python error in template code (`{{ 1 / 0 }}`)."""
    if not isinstance(error, jinja2.TemplateError):
        where = template_line(error)
        return f"{where + ': ' if where else ''}{type(error).__name__}: {error}"
    if isinstance(error, jinja2.TemplateNotFound):
        return (f"template {error.name!r} not found in the --templates folder or among the "
                "shipped ones: name it sop.md.j2, index.md.j2, sop.storage.j2, "
                'index.storage.j2, tracker.md.j2 or tracker.storage.j2, or extend '
                '"procmap/<name>"')
    if isinstance(error, jinja2.TemplateSyntaxError):
        return f"{error.filename or error.name}:{error.lineno}: {error.message}"
    where = template_line(error)
    return f"{where + ': ' if where else ''}{error.message or type(error).__name__}"
