"""The report as one self-contained HTML page: semantic <h1>/<h2>/<table> with rowspan/colspan, inline CSS
(screen and print), no external assets. Rendered by Jinja2 with autoescaping on, so organ names and narrative
such as 城建&交通局<试点> appear exactly as written."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from toolkit.messages import msg
from toolkit.render.model import ReportModel

_ENV = Environment(
    loader=PackageLoader("toolkit.render", "templates"),
    autoescape=select_autoescape(["html", "j2"], default=True),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)


def html_text(model: ReportModel) -> str:
    """The page's HTML."""
    template = _ENV.get_template("report.html.j2")
    return template.render(
        report=model,
        notice_head=msg("render.forced.notice", count=len(model.notice)),
        blank=msg("render.section.blank"),
    )


def write_html(model: ReportModel, target: Path) -> None:
    """Write ``model`` as an HTML page (UTF-8) at ``target``."""
    target.write_text(html_text(model), encoding="utf-8", newline="\n")
