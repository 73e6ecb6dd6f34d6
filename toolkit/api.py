"""The library's front door: one function per user task, each what one CLI command calls.

Heavy modules (openpyxl, xlsxwriter, python-docx) are imported inside the functions, so that
``import toolkit`` and ``toolkit --help`` stay fast.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from pathlib import Path

from toolkit.checking import REPORT_SUFFIXES, check_file, check_skips, read, valid_skips
from toolkit.data import organ_key
from toolkit.record import record
from toolkit.rules.findings import CheckResult
from toolkit.spec.models import ReportSpec, Severity

TYPE_CHECKING = False  # not typing's: the check path does not import typing (mypy knows the name)
if TYPE_CHECKING:
    from typing import Any

    from toolkit.batch import FolderOutcome
    from toolkit.desk.rulesfile import OfficeRules
    from toolkit.importer import ImportResult
    from toolkit.merge import MergeOutcome
    from toolkit.office import Started

__all__ = ["REPORT_SUFFIXES", "ImportOutcome", "ReportOutcome", "check_file", "check_folder", "check_skips",
           "default_template_name", "default_year", "import_to_workbook", "make_report", "make_template",
           "merge_files", "organs_in", "read", "resolve_spec", "valid_skips"]

def resolve_spec(*, year: int | None = None, format_id: str | None = None) -> ReportSpec:
    """The format to use: ``format_id`` if given, else the one for ``year``, else the current (2021) format."""
    from toolkit.spec.load import available_formats, format_for_year, load_spec

    if format_id is not None:
        return load_spec(format_id)
    if year is not None:
        return load_spec(format_for_year(year))
    return load_spec(available_formats()[-1])


def organs_in(paths: Collection[Path]) -> dict[str, Path]:
    """Organ name (see :func:`organ_key`) → workbook, for the readable ones among ``paths``."""
    found: dict[str, Path] = {}
    for p in paths:
        try:
            organ = organ_key(read(p).organ)
        except Exception:  # last year's files are as untrusted as this year's: one bad file is left out
            continue
        if organ:
            found.setdefault(organ, p)
    return found


def default_template_name(spec: ReportSpec, organ: str, year: int | None) -> str:
    """``南口镇2026年报.xlsx`` when organ and year are known, else ``年报模板-2021格式.xlsx``.

    The organ's name is untrusted text: it never becomes a path (see :func:`toolkit.untrusted.safe_filename`).
    """
    from toolkit.untrusted import safe_filename

    if organ and year:
        return safe_filename(f"{organ}{year}年报", ".xlsx")
    if year:
        return f"{year}年报.xlsx"
    return f"年报模板-{spec.id}格式.xlsx"


def default_year(format_id: str | None = None) -> int | None:
    """The report year a template is made for when none is given: the one being prepared now, if ``format_id``
    (when given) covers it, else None (a blank template for the format's years)."""
    from toolkit.template import default_report_year

    year = default_report_year()
    return year if format_id is None or resolve_spec(format_id=format_id).applies_to(year) else None


def make_template(
    *,
    year: int | None = None,
    organ: str = "",
    format_id: str | None = None,
    output: Path | None = None,
    previous: Path | None = None,
    overwrite: bool = False,
) -> Path:
    """Write the standard workbook for ``year`` (format chosen by year unless ``format_id``); returns its path.

    Without ``year`` (and ``previous``) it is made for :func:`default_year`.

    With ``previous`` (last year's filled workbook) the new workbook is pre-filled with what carries over:
    organ, contact, the year after, and every figure that follows from last year (上年结转 …).
    An existing file is never replaced unless ``overwrite``, and ``previous`` never; the default name is
    made from the organ's name but never leaves the current folder.
    """
    from toolkit.fileio import check_output
    from toolkit.template import build_template

    if output is not None:
        check_output(Path(output), inputs=previous, overwrite=overwrite, suffixes=(".xlsx",))

    data = None
    if previous is not None:
        from toolkit.carryover import next_year_data

        last = read(Path(previous))
        if year is None and last.year is not None:
            year = last.year + 1
        spec = resolve_spec(year=year, format_id=format_id)
        data = next_year_data(last, spec, year)
        organ = organ or data.organ
    else:
        year = year if year is not None else default_year(format_id)
        spec = resolve_spec(year=year, format_id=format_id)
    target = Path(output) if output is not None else Path(default_template_name(spec, organ, year))
    check_output(target, inputs=previous, overwrite=overwrite, suffixes=(".xlsx",))
    return build_template(spec, target, organ=organ, year=year, data=data)


def check_folder(
    inputs: Sequence[Path],
    *,
    summary: Path | None = None,
    format_id: str | None = None,
    annotate: bool = True,
    skip: Collection[str] = (),
    lang: str = "zh",
    previous: Path | None = None,
    overwrite: bool = False,
    rules: OfficeRules | Path | None = None,
    jobs: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> FolderOutcome:
    """Check every workbook of ``inputs`` (folders searched, patterns expanded) and write the summary workbook.

    The summary goes to ``summary``, else ``校验汇总.xlsx`` in the one folder given (the current folder for several
    inputs); our own summary under its default name is rewritten on every run, another file only with
    ``overwrite``, an input never. ``previous`` is last year's workbook, or a folder of them: each unit is then
    matched with last year's by organ name. One unusable unit is its row, never the end of the run; a summary that
    cannot be written is ``summary_error`` (the rows are all there). Raises :class:`toolkit.errors.ToolkitError`
    when nothing can be checked at all (no workbook found, an unknown ``skip``, an unusable ``rules`` file or
    summary path). The other options are those of :func:`check_file`; ``jobs`` processes (default all cores).
    """
    from toolkit.batch import FolderOutcome, check_many, write_summary
    from toolkit.errors import ToolkitError
    from toolkit.fileio import check_output
    from toolkit.inputs import default_summary, is_folder, scan_inputs
    from toolkit.messages import msg

    check_skips(skip)
    if isinstance(rules, Path):
        from toolkit.desk.rulesfile import load_rules_file

        rules = load_rules_file(rules)
    inputs = [Path(p) for p in inputs]
    scan = scan_inputs(inputs)
    if not scan.paths:
        raise ToolkitError(msg("cli.check.nothing"))
    last_year: Path | dict[str, Path] | None = previous
    if previous is not None and is_folder(Path(previous)):
        last_year = organs_in(scan_inputs([Path(previous)]).paths)
    lasts = [last_year] if isinstance(last_year, Path) else list(last_year.values()) if last_year else []
    target = Path(summary) if summary is not None else default_summary(inputs)
    may_replace = overwrite or summary is None
    protect = [*scan.paths, *lasts]
    check_output(target, inputs=protect, overwrite=may_replace, suffixes=(".xlsx",))
    rows = list(check_many(scan.paths, jobs=jobs, annotate=annotate, lang=lang, skip=tuple(skip),
                           format_id=format_id, previous=last_year, progress=progress, rules=rules))
    try:
        return FolderOutcome(rows, write_summary(rows, target, protect=protect, overwrite=may_replace), scan.skipped)
    except ToolkitError as exc:
        return FolderOutcome(rows, None, scan.skipped, summary_error=exc)


@record(frozen=True)
class ReportOutcome:
    """What ``make_report`` did: the file written (None when refused) and the check behind it."""

    path: Path | None
    """The report written, or None when refused."""
    result: CheckResult
    """The check of the workbook."""
    refused: bool
    """True when error-level findings stopped the report (no ``force``)."""
    rare_characters: str = ""
    """Characters of the organ name and the narrative outside GB2312, which the official fonts lack."""


def make_report(
    path: Path,
    *,
    to: str = "docx",
    output: Path | None = None,
    force: bool = False,
    format_id: str | None = None,
    overwrite: bool = False,
) -> ReportOutcome:
    """Check the workbook, then assemble the report as ``to`` (docx, html, md, pdf).

    Refuses (``refused=True``, nothing written) when the workbook has error-level findings, unless
    ``force``; a forced report carries a notice listing those findings on its first page. An existing
    report (perhaps edited since) is replaced only with ``overwrite``; ``output`` must end in the suffix of
    ``to`` and is never the workbook itself.
    """
    if to != "pdf":
        return _make_report(Path(path), to, output, force, format_id, overwrite, None)
    from toolkit.office import early

    with early() as office:  # LibreOffice gets ready while the workbook is read and checked
        return _make_report(Path(path), to, output, force, format_id, overwrite, office)


def _make_report(path: Path, to: str, output: Path | None, force: bool, format_id: str | None, overwrite: bool,
                 office: Started | None) -> ReportOutcome:
    from toolkit.fileio import check_output
    from toolkit.render import SUFFIXES, default_report_name, render_report
    from toolkit.rules.engine import check_data
    from toolkit.spec.load import load_spec

    suffixes = (SUFFIXES[to], ".htm") if to == "html" else (SUFFIXES[to],) if to in SUFFIXES else ()
    if output is not None:
        check_output(Path(output), inputs=path, overwrite=overwrite, suffixes=suffixes)
    data = read(path, format_id=format_id)
    result = check_data(data)
    errors = [f for f in result.findings if f.severity is Severity.ERROR]
    if errors and not force:
        return ReportOutcome(None, result, refused=True)
    spec = load_spec(data.format_id)
    target = Path(output) if output is not None else path.with_name(default_report_name(spec, data, to))
    check_output(target, inputs=path, overwrite=overwrite, suffixes=suffixes)
    written = render_report(spec, data, to, target, forced_findings=errors, office=office)
    from toolkit.render.fonts import outside_gb2312

    rare = outside_gb2312([data.organ, *(t.text for t in data.texts.values())])
    return ReportOutcome(written, result, refused=False, rare_characters=rare)


@record(frozen=True)
class ImportOutcome:
    """What ``import_to_workbook`` did: the import and the workbook written from it."""

    result: ImportResult
    """The import (values with their provenance, what is missing or uncertain)."""
    path: Path
    """The standard workbook written."""

    def to_dict(self) -> dict[str, Any]:
        """``ImportResult.to_dict()`` plus ``output``, the workbook written (``import --json``)."""
        return {**self.result.to_dict(), "output": str(self.path)}


def import_to_workbook(path: Path, *, output: Path | None = None, format_id: str | None = None,
                       overwrite: bool = False) -> ImportOutcome:
    """Import a published report (.txt/.html/.htm/.docx) and write it as the standard workbook.

    The workbook goes to ``output``, or beside the report as ``南口镇2020年报.xlsx`` (``<report name>.xlsx``
    when the organ or year is unknown); a file already there is replaced only with ``overwrite``.
    Only what the import is certain of is written; the rest stays blank for the clerk to fill in.
    """
    from toolkit.fileio import check_output
    from toolkit.importer import import_report
    from toolkit.spec.load import load_spec
    from toolkit.template import build_template

    path = Path(path)
    if output is not None:
        check_output(Path(output), inputs=path, overwrite=overwrite, suffixes=(".xlsx",))
    result = import_report(path, format_id=format_id)
    spec = load_spec(result.format_id)
    if output is not None:
        target = Path(output)
    else:
        name = default_template_name(spec, result.organ, result.year) if result.organ and result.year else ""
        target = path.with_name(name or f"{path.stem}.xlsx")
    check_output(target, inputs=path, overwrite=overwrite, suffixes=(".xlsx",))
    from toolkit.messages import msg

    comments = {k: v for k, v in result.provenance.items() if k in spec.cells}
    notes = [[msg("api.import.sheet.head.kind"), msg("api.import.sheet.head.note")]]
    notes += [[msg("api.import.sheet.missing"), note] for note in result.missing]
    notes += [[msg("api.import.sheet.uncertain"), note] for note in result.uncertain]
    notes += [[msg("api.import.sheet.source"), f"{key}：{where}"]
              for key, where in result.provenance.items() if key not in spec.cells]
    sheet = (msg("api.import.sheet.title"), notes)
    return ImportOutcome(result, build_template(spec, target, data=result.data, extra_sheets=[sheet],
                                                comments=comments))


def merge_files(
    inputs: Collection[Path],
    output: Path,
    *,
    organ: str = "",
    force: bool = False,
    format_id: str | None = None,
    overwrite: bool = False,
    keep: Sequence[str] = (),
) -> MergeOutcome:
    """Merge the units' workbooks (files, folders, globs) into one summary workbook at ``output``.

    The same organ and year twice is refused (exit 2, the files named) unless ``keep`` holds ``"newest"`` or the
    file to keep of each duplicate.

    Every cell is the sum over the units, in the units' format; a 各单位明细 sheet lists each unit's figures.
    Refused (``refused``, nothing written, ``problems`` naming the units) when units disagree on year or
    format, or a unit has error-level findings unless ``force``. An existing ``output`` is replaced only with
    ``overwrite``, and only when it is an earlier summary (then it is not read as a unit); a unit's own file
    never. Another summary (a workbook with the 各单位明细 sheet) among the inputs refuses the merge.
    Raises :class:`toolkit.errors.ToolkitError` when an input cannot be used at all.
    """
    from toolkit.errors import OutputError, ToolkitError
    from toolkit.fileio import check_output, same_file
    from toolkit.inputs import expand_inputs
    from toolkit.merge import MergeOutcome, is_merge_output, merge_reports, read_units, write_merged
    from toolkit.messages import msg
    from toolkit.spec.load import load_spec

    output = Path(output)
    check_output(output, overwrite=overwrite, suffixes=(".xlsx",))
    paths = expand_inputs(inputs)
    if any(same_file(p, output) for p in paths):
        if not is_merge_output(output):
            raise OutputError(msg("fileio.is_input"), path=output)
        paths = [p for p in paths if not same_file(p, output)]
    if not paths:
        raise ToolkitError(msg("api.merge.nothing"))
    merged, units, checks = read_units(paths, format_id=format_id)  # each file opened once, on all cores
    if merged:
        return MergeOutcome(None, problems=[msg("api.merge.merged_input"), *(str(p) for p in merged)])
    outcome = merge_reports(units, organ=organ, force=force, keep=keep, checks=checks)
    if outcome.data is not None:
        check_output(output, inputs=paths, overwrite=overwrite, suffixes=(".xlsx",))
        write_merged(load_spec(outcome.data.format_id), outcome, output)
    return outcome
