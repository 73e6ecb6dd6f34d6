"""Assemble the annual report from a format and its data: Word (.docx), HTML, Markdown, or PDF (Word converted
by LibreOffice).

:mod:`.model` builds the document (title, sections, tables with merged headers) from the spec and the data;
:mod:`.docx`, :mod:`.html` and :mod:`.markdown` draw it. Every file appears whole or not at all.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from toolkit.data import ReportData
from toolkit.errors import ToolkitError
from toolkit.fileio import write_atomic
from toolkit.messages import msg
from toolkit.render.model import ReportModel, build_report, report_title
from toolkit.rules.findings import Finding
from toolkit.spec.models import ReportSpec

if TYPE_CHECKING:
    from toolkit.office import Started

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


def _write_pdf(model: ReportModel, target: Path, office: Started | None = None) -> None:
    """Write the .docx in a scratch folder, convert it with LibreOffice, copy the PDF to ``target``. LibreOffice
    is started first and gets ready while the .docx is made (:func:`toolkit.office.started`), or earlier by the
    caller (``office``, which this conversion uses and stops).

    The .docx names, per role, the face of :mod:`.fonts` installed here (LibreOffice ignores Word's stand-ins).

    Without LibreOffice, :class:`~toolkit.errors.OfficeMissingError` (in Chinese, with the install command)."""
    from toolkit.office import started

    with contextlib.ExitStack() as stack:
        scratch = stack.enter_context(tempfile.TemporaryDirectory(prefix="gk-report-"))
        if office is None:
            office = stack.enter_context(started())
        from toolkit.render.docx import write_docx  # LibreOffice starts meanwhile
        from toolkit.render.fonts import installed_families

        docx = Path(scratch) / "report.docx"
        write_docx(model, docx, installed=installed_families(), compress=False)  # faces installed here
        (pdf,) = office.convert([docx], "pdf", Path(scratch) / "pdf")
        shutil.copyfile(pdf, target)


def render_report(
    spec: ReportSpec,
    data: ReportData,
    to: str,
    target: Path,
    forced_findings: Sequence[Finding] = (),
    office: Started | None = None,
) -> Path:
    """Write the report on ``data`` as ``to`` (docx, html, md, pdf) at ``target``, atomically; returns ``target``.

    ``forced_findings`` (the error findings a forced report was made despite) are listed in a notice on the
    first page. PDF needs LibreOffice: :class:`~toolkit.errors.OfficeMissingError` when it is not installed;
    ``office`` is a LibreOffice the caller started early for it (:func:`toolkit.office.early`).
    """
    _suffix(to)
    model = build_report(spec, data, forced_findings)
    writer = (lambda m, t: _write_pdf(m, t, office)) if to == "pdf" else _writer(to)
    return write_atomic(Path(target), lambda tmp: writer(model, tmp), protect=data.source)
