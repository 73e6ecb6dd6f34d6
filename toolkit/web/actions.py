"""The page's five actions, each one call of the library the CLI makes (``toolkit.api``, ``toolkit.batch``):
save the uploads in the action's private folder, call, and describe what came back for the template.

Nothing here checks, renders or imports anything itself.
"""

from __future__ import annotations

import datetime
import sys
import traceback
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from toolkit.errors import ToolkitError
from toolkit.messages import msg
from toolkit.web.multipart import Form, Upload
from toolkit.web.store import Job, Store, display_name
from toolkit.web.views import check_view, unit_view

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = "application/pdf"
HTML = "text/html; charset=utf-8"

Context = dict[str, Any]


class FormProblem(Exception):
    """The form was filled in wrongly (a required file missing, a year that is not a number)."""


class Uploads:
    """The uploads of one action: stored under fixed names, shown under their own (cleaned) names."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self.names: dict[str, str] = {}

    def save(self, upload: Upload, kind: str = "upload") -> Path:
        """Store ``upload``; remember its display name."""
        path = self.job.save(upload.data, upload.filename, kind)
        self.names[path.name] = self.unique(display_name(upload.filename))
        return path

    def unique(self, name: str) -> str:
        """``name``, or ``name (2)`` when another upload of this action is shown under it already."""
        taken = set(self.names.values())
        if name not in taken:
            return name
        stem, dot, suffix = name.rpartition(".")
        stem, suffix = (stem, dot + suffix) if dot else (name, "")
        n = 2
        while f"{stem} ({n}){suffix}" in taken:
            n += 1
        return f"{stem} ({n}){suffix}"

    def shown(self, text: str) -> str:
        """``text`` with the stored names replaced by the names the user knows."""
        for stored, name in self.names.items():
            text = text.replace(stored, name)
        return text

    def name_of(self, path: Path) -> str:
        """The display name of a stored upload."""
        return self.names.get(path.name, path.name)


def _required(form: Form, field: str) -> Upload:
    upload = form.file(field)
    if upload is None:
        raise FormProblem(msg("web.form.no_file"))
    return upload


def _year(form: Form) -> int | None:
    text = form.get("year")
    if not text:
        return None
    digits = text.translate(str.maketrans("０１２３４５６７８９", "0123456789")).removesuffix("年")
    if not digits.isdecimal() or len(digits) != 4:
        raise FormProblem(msg("web.form.bad_year", value=text[:20]))
    return int(digits)


def _format(form: Form) -> str | None:
    value = form.get("format")
    return value if value in formats_ids() else None


def formats_ids() -> list[str]:
    """The formats the library knows."""
    from toolkit.spec.load import available_formats

    return list(available_formats())


def formats_shown(lang: str) -> list[dict[str, Any]]:
    """Each format with its document and years, for the template form."""
    from toolkit.spec.load import load_spec

    shown = []
    for fid in formats_ids():
        spec = load_spec(fid)
        years = (msg("web.template.years_range", lang, first=spec.first_year, last=spec.last_year)
                 if spec.last_year else msg("web.template.years_from", lang, first=spec.first_year))
        shown.append({"id": fid, "document": spec.issuing_document, "title": spec.format_title, "years": years})
    return shown


def default_year() -> int:
    """The year most reports being filled are about: last year."""
    return datetime.date.today().year - 1


def make_template(job: Job, form: Form, lang: str) -> Context:
    """生成填报表: ``api.make_template``; the format it chose is read back from the workbook written."""
    from toolkit import api

    uploads = Uploads(job)
    previous = form.file("previous")
    last = uploads.save(previous, "previous") if previous is not None else None
    target = job.folder / "template.xlsx"
    try:
        api.make_template(year=_year(form), organ=form.get("organ")[:200], format_id=_format(form), output=target,
                          previous=last)
    except ToolkitError as exc:
        raise ToolkitError(uploads.shown(str(exc))) from exc
    data = api.read(target)
    spec = api.resolve_spec(format_id=data.format_id)
    job.offer("workbook", target, api.default_template_name(spec, data.organ, data.year), XLSX)
    return {"done": {"organ": data.organ, "year": data.year, "format_id": spec.id,
                     "document": spec.issuing_document, "title": spec.format_title,
                     "name": job.downloads["workbook"].name}}


def check(job: Job, form: Form, lang: str) -> Context:
    """校验: ``api.check_file`` with the highlighted copy written into the action's folder."""
    from toolkit import api

    uploads = Uploads(job)
    path = uploads.save(_required(form, "workbook"))
    previous = form.file("previous")
    last = uploads.save(previous, "previous") if previous is not None else None
    name = uploads.name_of(path)
    copy = job.folder / "checked.xlsx"
    try:
        result = api.check_file(path, output=copy, lang=lang, previous=last)
    except ToolkitError as exc:
        raise ToolkitError(uploads.shown(str(exc))) from exc
    if result.copy_error is not None:
        return {"check": check_view(result, name, lang), "error": uploads.shown(str(result.copy_error))}
    if result.annotated is not None:
        job.offer("checked", result.annotated, f"{Path(name).stem}.校验.xlsx", XLSX)
    return {"check": check_view(result, name, lang)}


def report(job: Job, form: Form, lang: str) -> Context:
    """生成年度报告: ``api.make_report`` as HTML (shown in the page), .docx and, with LibreOffice, .pdf."""
    from toolkit import api
    from toolkit.office import find_soffice

    uploads = Uploads(job)
    path = uploads.save(_required(form, "workbook"))
    force = form.get("force") == "1"
    try:
        outcome = api.make_report(path, to="html", output=job.folder / "report.html", force=force)
    except ToolkitError as exc:
        raise ToolkitError(uploads.shown(str(exc))) from exc
    context: Context = {"check": check_view(outcome.result, uploads.name_of(path), lang)}
    if outcome.refused:
        context["refused"] = msg("web.report.refused", lang, errors=outcome.result.errors)
        return context
    spec = api.resolve_spec(format_id=outcome.result.format_id)
    title = spec.report_title(outcome.result.organ, outcome.result.year or "")
    assert outcome.path is not None
    job.offer("html", outcome.path, f"{title}.html", HTML, inline=True)
    docx = api.make_report(path, to="docx", output=job.folder / "report.docx", force=force)
    if docx.path is not None:
        job.offer("docx", docx.path, f"{title}.docx", DOCX)
    context["forced"] = outcome.result.errors if force else 0
    if form.get("pdf") == "1":
        if find_soffice() is None:
            context["pdf_missing"] = True
        else:
            try:
                pdf = api.make_report(path, to="pdf", output=job.folder / "report.pdf", force=force)
            except ToolkitError as exc:
                context["pdf_error"] = uploads.shown(str(exc))
            else:
                if pdf.path is not None:
                    job.offer("pdf", pdf.path, f"{title}.pdf", PDF)
    return context


def import_report(job: Job, form: Form, lang: str) -> Context:
    """导入已发布的年报: ``api.import_to_workbook``; lists what was missing or uncertain."""
    from toolkit import api

    uploads = Uploads(job)
    path = uploads.save(_required(form, "report"))
    try:
        outcome = api.import_to_workbook(path, output=job.folder / "imported.xlsx")
    except ToolkitError as exc:
        raise ToolkitError(uploads.shown(str(exc))) from exc
    result = outcome.result
    spec = api.resolve_spec(format_id=result.format_id)
    name = (api.default_template_name(spec, result.organ, result.year) if result.organ and result.year
            else f"{Path(uploads.name_of(path)).stem}.xlsx")
    job.offer("workbook", outcome.path, name, XLSX)
    return {"imported": {"name": uploads.name_of(path), "organ": result.organ, "year": result.year,
                         "format_id": result.format_id, "document": spec.issuing_document,
                         "count": len(result.data.values), "total": len(spec.cells),
                         "missing": [uploads.shown(n) for n in result.missing],
                         "uncertain": [uploads.shown(n) for n in result.uncertain],
                         "download": job.downloads["workbook"].name}}


def folder(job: Job, form: Form, lang: str) -> Context:
    """整个文件夹: ``batch.check_many`` → summary table and ``校验汇总.xlsx``; ``api.merge_files`` → 汇总.xlsx."""
    from toolkit import api
    from toolkit.batch import SUMMARY_NAME, check_many, write_summary

    files = form.files.get("workbooks", [])
    if not files:
        raise FormProblem(msg("web.form.no_file"))
    uploads = Uploads(job)
    paths = [uploads.save(f, "unit") for f in files]
    last_year = [uploads.save(f, "previous") for f in form.files.get("previous", [])]
    previous = api.organs_in(last_year) if last_year else None
    rows = list(check_many(paths, jobs=1, lang=lang, previous=previous))
    units, shown_rows = [], []
    for number, row in enumerate(rows, start=1):
        name = uploads.name_of(row.file)
        view = unit_view(number, row, name, uploads.shown(row.problem))
        copy_name = f"{Path(name).stem}.校验.xlsx"
        if row.annotated is not None:
            view.copy_slot = job.offer(f"copy-{number}", row.annotated, copy_name, XLSX)
        units.append(view)
        # the summary workbook links each unit by the name the supervisor knows, relative to the summary
        shown_rows.append(replace(row, file=job.folder / name, problem=view.problem,
                                  annotated=job.folder / copy_name if row.annotated else None))
    summary = write_summary(shown_rows, job.folder / "summary.xlsx")
    job.offer("summary", summary, SUMMARY_NAME, XLSX)
    usable = [row.file for row in rows if row.exit_code < 2]
    context: Context = {"units": units, "skipped": len(rows) - len(usable),
                        "ok": sum(1 for r in rows if r.exit_code == 0 and not r.warnings),
                        "warned": sum(1 for r in rows if r.exit_code == 0 and r.warnings),
                        "bad": sum(1 for r in rows if r.exit_code == 1)}
    if not usable:
        return context
    try:
        merged = api.merge_files(usable, job.folder / "merged.xlsx", organ=form.get("organ")[:200],
                                 force=form.get("force") == "1")
    except ToolkitError as exc:
        context["merge_error"] = uploads.shown(str(exc))
        return context
    if merged.refused:
        context["merge_refused"] = [uploads.shown(p) for p in merged.problems]
    elif merged.path is not None and merged.data is not None:
        job.offer("merged", merged.path, "汇总.xlsx", XLSX)
        context["merged"] = {"count": len(merged.units), "organ": merged.data.organ,
                             "forced": merged.forced_errors}
    return context


Action = Callable[[Job, Form, str], Context]

ACTIONS: dict[str, Action] = {
    "template": make_template,
    "check": check,
    "report": report,
    "import": import_report,
    "folder": folder,
}
"""Page name → action."""


def run(store: Store, name: str, form: Form, lang: str) -> Context:
    """Run action ``name`` in a fresh private folder; a failure becomes a message and leaves no file behind."""
    job = store.new_job()
    try:
        context = ACTIONS[name](job, form, lang)
    except FormProblem as exc:
        context = {"error": str(exc)}
    except ToolkitError as exc:
        context = {"error": str(exc)}
    except Exception:  # a bug must not stop the page: say so, log the trace for the maintainer
        traceback.print_exc(file=sys.stderr)
        context = {"error": msg("web.internal", lang)}
    if not job.downloads:
        store.drop(job)
    context["job"] = job.id
    context["downloads"] = {slot: d.name for slot, d in job.downloads.items()}
    return context
