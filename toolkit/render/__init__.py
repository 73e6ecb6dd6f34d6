"""Assemble the annual report from a format and its data: Word (.docx), HTML, Markdown, or PDF (Word converted
by LibreOffice).

:mod:`.model` builds the document (title, sections, tables with merged headers) from the spec and the data;
:mod:`.docx`, :mod:`.html` and :mod:`.markdown` draw it. Every file appears whole or not at all.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from toolkit.data import ReportData
from toolkit.errors import ToolkitError
from toolkit.fileio import write_atomic
from toolkit.messages import msg
from toolkit.render.model import ReportModel, build_report, report_title
from toolkit.rules.findings import Finding
from toolkit.spec.models import ReportSpec

__all__ = ["SUFFIXES", "build_report", "default_report_name", "render_report"]

SUFFIXES: dict[str, str] = {"docx": ".docx", "html": ".html", "md": ".md", "pdf": ".pdf"}
"""Output type → file suffix."""


def default_report_name(spec: ReportSpec, data: ReportData, to: str) -> str:
    """``南口镇2020年政府信息公开工作年度报告.docx``: the report title (without organ or year when unknown) plus
    the suffix for ``to``; the organ's name never makes it a path (see :func:`toolkit.untrusted.safe_filename`)."""
    from toolkit.untrusted import safe_filename

    return safe_filename(report_title(spec, data), _suffix(to))


def _suffix(to: str) -> str:
    if to not in SUFFIXES:
        raise ToolkitError(msg("render.error.unknown_to", to=to, known="、".join(SUFFIXES)))
    return SUFFIXES[to]


def _writer(to: str) -> Callable[[ReportModel, Path], None]:
    if to == "docx":
        from toolkit.render.docx import write_docx

        return write_docx
    if to == "html":
        from toolkit.render.html import write_html

        return write_html
    if to == "md":
        from toolkit.render.markdown import write_markdown

        return write_markdown
    return _write_pdf


def _write_pdf(model: ReportModel, target: Path) -> None:
    """Write the .docx in a scratch folder, convert it with LibreOffice, copy the PDF to ``target``.

    The .docx names, per role, the face of :mod:`.fonts` installed here (LibreOffice ignores Word's stand-ins).

    Without LibreOffice, :class:`~toolkit.errors.OfficeMissingError` (in Chinese, with the install command)."""
    from toolkit.office import convert
    from toolkit.render.docx import write_docx
    from toolkit.render.fonts import installed_families

    with tempfile.TemporaryDirectory(prefix="gk-report-") as scratch:
        docx = Path(scratch) / "report.docx"
        write_docx(model, docx, installed=installed_families())  # the faces LibreOffice will find here
        (pdf,) = convert([docx], "pdf", Path(scratch) / "pdf")
        shutil.copyfile(pdf, target)


def render_report(
    spec: ReportSpec,
    data: ReportData,
    to: str,
    target: Path,
    forced_findings: Sequence[Finding] = (),
) -> Path:
    """Write the report on ``data`` as ``to`` (docx, html, md, pdf) at ``target``, atomically; returns ``target``.

    ``forced_findings`` (the error findings a forced report was made despite) are listed in a notice on the
    first page. PDF needs LibreOffice: :class:`~toolkit.errors.OfficeMissingError` when it is not installed.
    """
    _suffix(to)
    model = build_report(spec, data, forced_findings)
    writer = _writer(to)
    return write_atomic(Path(target), lambda tmp: writer(model, tmp), protect=data.source)
