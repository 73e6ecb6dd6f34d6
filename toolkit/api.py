"""The library's front door: one function per user task, each what one CLI command calls.

Heavy modules (openpyxl, xlsxwriter, python-docx) are imported inside the functions, so that
``import toolkit`` and ``toolkit --help`` stay fast.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolkit.data import ReportData
from toolkit.rules.findings import CheckResult
from toolkit.spec.models import ReportSpec, Severity

if TYPE_CHECKING:
    from toolkit.importer import ImportResult
    from toolkit.merge import MergeOutcome

REPORT_SUFFIXES = frozenset({".txt", ".html", ".htm", ".docx", ".md"})
"""Published-report files that ``check`` and ``report`` import before use."""


def resolve_spec(*, year: int | None = None, format_id: str | None = None) -> ReportSpec:
    """The format to use: ``format_id`` if given, else the one for ``year``, else the current (2021) format."""
    from toolkit.spec.load import available_formats, format_for_year, load_spec

    if format_id is not None:
        return load_spec(format_id)
    if year is not None:
        return load_spec(format_for_year(year))
    return load_spec(available_formats()[-1])


def organ_key(organ: str) -> str:
    """How units are matched across folders: the organ name without any whitespace."""
    return "".join(organ.split())


def organs_in(paths: Collection[Path]) -> dict[str, Path]:
    """Organ name (see :func:`organ_key`) → workbook, for the readable ones among ``paths``."""
    from toolkit.errors import ToolkitError

    found: dict[str, Path] = {}
    for p in paths:
        try:
            organ = organ_key(read(p).organ)
        except ToolkitError:
            continue
        if organ:
            found.setdefault(organ, p)
    return found


def default_template_name(spec: ReportSpec, organ: str, year: int | None) -> str:
    """``南口镇2026年报.xlsx`` when organ and year are known, else ``年报模板-2021格式.xlsx``."""
    if organ and year:
        return f"{organ}{year}年报.xlsx"
    if year:
        return f"{year}年报.xlsx"
    return f"年报模板-{spec.id}格式.xlsx"


def make_template(
    *,
    year: int | None = None,
    organ: str = "",
    format_id: str | None = None,
    output: Path | None = None,
    previous: Path | None = None,
) -> Path:
    """Write the standard workbook for ``year`` (format chosen by year unless ``format_id``); returns its path.

    With ``previous`` (last year's filled workbook) the new workbook is pre-filled with what carries over:
    organ, contact, the year after, and every figure that follows from last year (上年结转 …).
    """
    from toolkit.template import build_template

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
        spec = resolve_spec(year=year, format_id=format_id)
    target = Path(output) if output is not None else Path(default_template_name(spec, organ, year))
    return build_template(spec, target, organ=organ, year=year, data=data)


def read(path: Path, *, format_id: str | None = None) -> ReportData:
    """Read a filled workbook — or import a published report (.txt/.html/.docx) — into report data."""
    path = Path(path)
    if path.suffix.lower() in REPORT_SUFFIXES:
        from toolkit.importer import import_report

        return import_report(path, format_id=format_id).data
    from toolkit.reader import read_workbook

    return read_workbook(path, format_id=format_id)


def check_file(
    path: Path,
    *,
    format_id: str | None = None,
    annotate: bool = True,
    output: Path | None = None,
    skip: Collection[str] = (),
    lang: str = "zh",
    previous: Path | Mapping[str, Path] | None = None,
) -> CheckResult:
    """Read and check one workbook (or published report); write the highlighted copy unless ``annotate`` is off.

    The copy goes to ``output`` or beside the input as ``<name>.校验.xlsx``; the input is never modified.
    ``previous`` is last year's workbook of the same body, or a mapping organ name → last year's workbook
    (folder mode: units are matched by organ name); it enables the cross-year rules.
    Raises :class:`toolkit.errors.ToolkitError` only when the input cannot be used at all, or when the copy
    cannot be written; then the exception's ``check_result`` holds the findings of the check that did run.
    """
    from toolkit.rules.engine import check_data

    path = Path(path)
    data = read(path, format_id=format_id)
    if isinstance(previous, Mapping):
        previous = previous.get(organ_key(data.organ))
    previous_data = read(Path(previous)) if previous is not None else None
    result = check_data(data, skip=skip, previous=previous_data)
    if annotate and path.suffix.lower() not in REPORT_SUFFIXES:
        from toolkit.annotate import annotate_workbook
        from toolkit.errors import ToolkitError

        try:
            result.annotated = annotate_workbook(path, result, output, lang=lang)
        except ToolkitError as exc:
            exc.check_result = result  # the findings are not lost with the copy
            raise
    return result


@dataclass(frozen=True)
class ReportOutcome:
    """What ``make_report`` did: the file written (None when refused) and the check behind it."""

    path: Path | None
    """The report written, or None when refused."""
    result: CheckResult
    """The check of the workbook."""
    refused: bool
    """True when error-level findings stopped the report (no ``force``)."""


def make_report(
    path: Path,
    *,
    to: str = "docx",
    output: Path | None = None,
    force: bool = False,
    format_id: str | None = None,
) -> ReportOutcome:
    """Check the workbook, then assemble the report as ``to`` (docx, html, md, pdf).

    Refuses (``refused=True``, nothing written) when the workbook has error-level findings, unless
    ``force``; a forced report carries a notice listing those findings on its first page.
    """
    from toolkit.render import default_report_name, render_report
    from toolkit.rules.engine import check_data
    from toolkit.spec.load import load_spec

    path = Path(path)
    data = read(path, format_id=format_id)
    result = check_data(data)
    errors = [f for f in result.findings if f.severity is Severity.ERROR]
    if errors and not force:
        return ReportOutcome(None, result, refused=True)
    spec = load_spec(data.format_id)
    target = Path(output) if output is not None else path.with_name(default_report_name(spec, data, to))
    written = render_report(spec, data, to, target, forced_findings=errors)
    return ReportOutcome(written, result, refused=False)


@dataclass(frozen=True)
class ImportOutcome:
    """What ``import_to_workbook`` did: the import and the workbook written from it."""

    result: ImportResult
    """The import (values with their provenance, what is missing or uncertain)."""
    path: Path
    """The standard workbook written."""

    def to_dict(self) -> dict[str, Any]:
        """``ImportResult.to_dict()`` plus ``output``, the workbook written (``import --json``)."""
        return {**self.result.to_dict(), "output": str(self.path)}


def import_to_workbook(path: Path, *, output: Path | None = None, format_id: str | None = None) -> ImportOutcome:
    """Import a published report (.txt/.html/.htm/.docx) and write it as the standard workbook.

    The workbook goes to ``output``, or beside the report as ``南口镇2020年报.xlsx`` (``<report name>.xlsx``
    when the organ or year is unknown); a file already there under that default name is never overwritten.
    Only what the import is certain of is written; the rest stays blank for the clerk to fill in.
    """
    from toolkit.errors import OutputError
    from toolkit.fileio import same_file
    from toolkit.importer import import_report
    from toolkit.messages import msg
    from toolkit.spec.load import load_spec
    from toolkit.template import build_template

    path = Path(path)
    result = import_report(path, format_id=format_id)
    spec = load_spec(result.format_id)
    if output is not None:
        target = Path(output)
    else:
        name = default_template_name(spec, result.organ, result.year) if result.organ and result.year else ""
        target = path.with_name(name or f"{path.stem}.xlsx")
        if target.exists():
            raise OutputError(msg("api.import.exists"), path=target)
    if same_file(target, path) or target.resolve() == path.resolve():
        raise OutputError(msg("api.same_file"), path=target)
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
) -> MergeOutcome:
    """Merge the units' workbooks (files, folders, globs) into one summary workbook at ``output``.

    Every cell is the sum over the units, in the units' format; a 各单位明细 sheet lists each unit's figures.
    Refused (``refused``, nothing written, ``problems`` naming the units) when units disagree on year or
    format, or a unit has error-level findings unless ``force``. ``output`` itself is never read as a unit,
    and an earlier summary (a workbook with the 各单位明细 sheet) among the inputs refuses the merge.
    Raises :class:`toolkit.errors.ToolkitError` when an input cannot be used at all.
    """
    from toolkit.batch import expand_inputs
    from toolkit.errors import ToolkitError
    from toolkit.fileio import same_file
    from toolkit.merge import MergeOutcome, is_merge_output, merge_reports, write_merged
    from toolkit.messages import msg
    from toolkit.spec.load import load_spec

    output = Path(output)
    paths = [p for p in expand_inputs(inputs) if not (same_file(p, output) or p.resolve() == output.resolve())]
    if not paths:
        raise ToolkitError(msg("api.merge.nothing"))
    merged = [p for p in paths if p.suffix.lower() not in REPORT_SUFFIXES and is_merge_output(p)]
    if merged:
        return MergeOutcome(None, problems=[msg("api.merge.merged_input"), *(str(p) for p in merged)])
    outcome = merge_reports([read(p, format_id=format_id) for p in paths], organ=organ, force=force)
    if outcome.data is not None:
        write_merged(load_spec(outcome.data.format_id), outcome, output)
    return outcome
