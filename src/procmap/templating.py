"""The jinja2 environment of the SOP and library templates.

A user's folder comes first; the shipped templates are also reachable as
`procmap/<name>`, so a user template can `{% extends "procmap/sop.md.j2" %}`
and replace one block. Every `{{ value }}` is escaped for markdown unless it
is `Raw` (markdown procmap built), so a template cannot forget to escape.
"""

from __future__ import annotations

from pathlib import Path

import jinja2

from procmap.durations import short
from procmap.markdown import Raw, code, codes, inline, prose


def shipped() -> Path:
    """The shipped templates: inside the wheel, else in the source checkout."""
    packaged = Path(__file__).parent / "templates"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parents[2] / "templates"


def environment(user: Path | None = None) -> jinja2.Environment:
    own = jinja2.FileSystemLoader(str(shipped()))
    loaders: list[jinja2.BaseLoader] = [jinja2.FileSystemLoader(str(user))] if user else []
    loaders += [own, jinja2.PrefixLoader({"procmap": own})]
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders), autoescape=False, finalize=inline,
        undefined=jinja2.StrictUndefined, keep_trailing_newline=True, trim_blocks=True,
        lstrip_blocks=True)
    env.filters.update(hours=lambda h: Raw(short(h)), code=code, codes=codes, prose=prose, raw=Raw,
                       percent=lambda x: Raw(f"{x:.1%}"), number=lambda x: Raw(f"{x:g}"))
    return env


def describe(error: jinja2.TemplateError) -> str:
    """Where a template failed and why, for people: `file:line: what`."""
    if isinstance(error, jinja2.TemplateNotFound):
        return (f"template {error.name!r} not found in the --templates folder or among the "
                "shipped ones: name it sop.md.j2 or index.md.j2, or extend "
                '"procmap/sop.md.j2"')
    if isinstance(error, jinja2.TemplateSyntaxError):
        return f"{error.filename or error.name}:{error.lineno}: {error.message}"
    # jinja2 rewrites tracebacks so that frames point at template lines.
    where = ""
    tb = error.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith(".j2"):
            where = f"{tb.tb_frame.f_code.co_filename}:{tb.tb_lineno}: "
        tb = tb.tb_next
    return f"{where}{error.message or type(error).__name__}"
