"""The highlighted copy: the user's workbook with every finding's cells coloured and commented, plus a
校验结果 sheet listing all findings with links to their cells. The input file is never modified.

openpyxl keeps the template's classic features (validation, conditional formats, protection, names,
print setup) but drops cached formula results; the copy is marked for full recalculation on load, which
Excel, WPS and LibreOffice honour for cells without a cached value.
"""

from __future__ import annotations

import contextlib
import copy
import io
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolkit.errors import WorkbookError
from toolkit.fileio import Inputs, write_atomic
from toolkit.messages import msg
from toolkit.rules.findings import CheckResult, Finding
from toolkit.spec.models import Severity
from toolkit.untrusted import set_cell, xml_text

if TYPE_CHECKING:
    from toolkit.xlsxsafe import Package

RESULT_SHEET = "校验结果"
"""Name of the findings sheet added to the copy."""

FILLS = {
    Severity.ERROR: ("FFC7CE", "9C0006"),
    Severity.WARNING: ("FFEB9C", "9C5700"),
}
"""Background and font colours per severity (Excel's own 'bad' and 'neutral' styles)."""

COMMENT_AUTHOR = "toolkit 校验"


def annotated_path(source: Path) -> Path:
    """Where the highlighted copy goes by default: ``2026年报.xlsx`` → ``2026年报.校验.xlsx`` beside it.

    Re-checking a copy (``2026年报.校验.xlsx``) writes ``2026年报.再校验.xlsx``, never over the file being checked.
    """
    if source.stem.endswith(".校验"):
        return source.with_name(f"{source.stem.removesuffix('.校验')}.再校验.xlsx")
    return source.with_name(f"{source.stem}.校验.xlsx")


def _comment_text(findings: list[Finding], lang: str) -> str:
    lines = []
    for f in findings:
        level = msg(f"annotate.severity.{f.severity.value}", lang)
        lines.append(f"【{level}】{f.message.get(lang)}")
        if f.hint:
            lines.append(f"  {msg('annotate.hint', lang)}{f.hint.get(lang)}")
    return xml_text("\n".join(lines))


@contextlib.contextmanager
def _merged_cells_kept_as_stored() -> Iterator[None]:
    """While loading: the cells covered by a merge keep the style stored in the file.

    openpyxl replaces each covered cell by a blank MergedCell and then rebuilds its borders from the top-left
    cell (``MergedCellRange.format``), comparing and hashing Border objects cell by cell: 40–50 % of loading a
    template with its ~40 merges. Keeping each cell's stored style instead is faster and more faithful to the
    file (Excel, WPS and xlsxwriter store the borders on every covered cell). Ranges with a cell missing from
    the file still get openpyxl's rebuilt borders.
    """
    from openpyxl.cell.cell import MergedCell
    from openpyxl.worksheet.worksheet import Worksheet

    original = Worksheet._clean_merge_range

    def clean_merge_range(ws: Any, mcr: Any) -> None:
        cells = mcr.cells
        next(cells)  # the top-left cell stays as it is
        complete = True
        for row, col in cells:
            stored = ws._cells.get((row, col))
            merged = MergedCell(ws, row, col)
            if stored is None:
                complete = False
            else:
                merged._style = copy.copy(stored._style)
            ws._cells[row, col] = merged
        if not complete:
            mcr.format()

    Worksheet._clean_merge_range = clean_merge_range
    try:
        yield
    finally:
        Worksheet._clean_merge_range = original


def _write_copy(package: Package, result: CheckResult, target: Path, lang: str) -> None:
    from openpyxl import load_workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.hyperlink import Hyperlink

    source = package.path
    try:
        with _merged_cells_kept_as_stored():
            wb = load_workbook(io.BytesIO(package.blob), rich_text=True)
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise WorkbookError(msg("annotate.unreadable", lang, error=type(exc).__name__), path=source) from exc

    by_cell: dict[tuple[str, str], list[Finding]] = {}
    for finding in result.findings:
        if finding.severity is Severity.INFO:
            continue
        for ref in finding.cells:
            if ref.location is not None and ref.location.sheet in wb.sheetnames:
                by_cell.setdefault((ref.location.sheet, ref.location.cell), []).append(finding)

    for (sheet, coord), findings in by_cell.items():
        ws = wb[sheet]
        cell = ws[coord]
        worst = max((f.severity for f in findings), key=lambda s: s.rank)
        bg, fg = FILLS[worst]
        cell.fill = PatternFill("solid", fgColor=bg, bgColor=bg)
        font = copy.copy(cell.font) if cell.font else Font()
        font.color = fg
        cell.font = font
        text = _comment_text(findings, lang)
        with contextlib.suppress(AttributeError):  # merged non-anchor cells cannot hold a comment
            comment = Comment(text, COMMENT_AUTHOR)
            comment.width, comment.height = 360, min(80 + 40 * len(findings), 400)
            cell.comment = comment

    if RESULT_SHEET in wb.sheetnames:
        del wb[RESULT_SHEET]
    ws = wb.create_sheet(RESULT_SHEET, 0)
    headers = [msg(f"annotate.col.{c}", lang) for c in ("no", "severity", "code", "where", "message", "expected",
                                                         "actual", "hint")]
    set_cell(ws.cell(row=1, column=1), msg("annotate.title", lang, organ=result.organ or "", errors=result.errors,
                                             warnings=result.warnings))
    ws["A1"].font = Font(bold=True, size=13)
    for col, header in enumerate(headers, start=1):
        cell = set_cell(ws.cell(row=2, column=col), header)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="D9D9D9", bgColor="D9D9D9")
    for i, f in enumerate(result.findings, start=1):
        first = next((c for c in f.cells if c.location is not None), None)
        where = f"{first.location.sheet}!{first.location.cell}" if first and first.location else (
            f.cells[0].label if f.cells else "")
        row = i + 2
        values: tuple[object, ...] = (
            i, msg(f"annotate.severity.{f.severity.value}", lang), f.code, where, f.message.get(lang),
            "" if f.expected is None else str(f.expected), "" if f.actual is None else str(f.actual),
            f.hint.get(lang) if f.hint else "",
        )
        for col, value in enumerate(values, start=1):
            set_cell(ws.cell(row=row, column=col), value)
        if first is not None and first.location is not None:
            target_ref = f"'{first.location.sheet}'!{first.location.cell}"
            link = ws.cell(row=row, column=4)
            link.hyperlink = Hyperlink(ref=link.coordinate, location=xml_text(target_ref), display=xml_text(where))
            link.font = Font(color="0563C1", underline="single")
        if f.severity in FILLS:
            ws.cell(row=row, column=2).fill = PatternFill("solid", fgColor=FILLS[f.severity][0],
                                                          bgColor=FILLS[f.severity][0])
    if not result.findings:
        set_cell(ws.cell(row=3, column=2), msg("annotate.none", lang))
    _print_setup(ws, lang)
    for row_cells in ws.iter_rows(min_row=3):
        for c in row_cells:
            c.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A3"
    wb.active = 0
    for other in wb.worksheets[1:]:
        other.sheet_view.tabSelected = False
    wb.calculation.fullCalcOnLoad = True
    wb.save(target)
    from toolkit.cached import restore_cached_values

    restore_cached_values(package, target)


def _print_setup(ws: Any, lang: str) -> None:
    """校验结果 on A4 landscape at 100% (the printed columns fit the page in LibreOffice too), messages wrapped in rows
    tall enough, the header row repeated, the internal code column (C) hidden (still in the cells and ``--json``)."""
    from toolkit.template.style import lines_of

    widths = dict(zip("ABCDEFGH", (5, 6, 14, 16, 38, 8, 8, 22), strict=True))
    for col, width in widths.items():
        ws.column_dimensions[col].width = width
    ws.column_dimensions["C"].hidden = True
    for row in ws.iter_rows(min_row=3):  # set heights: Gnumeric does not fit rows to wrapped text
        ws.row_dimensions[row[0].row].height = 15 * max(
            lines_of(str(c.value or ""), widths[c.column_letter]) for c in row if c.column_letter != "C") + 3
    ws.page_setup.orientation, ws.page_setup.paperSize = "landscape", ws.PAPERSIZE_A4
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.print_title_rows = "2:2"
    ws.print_options.horizontalCentered = True
    ws.oddFooter.center.text = msg("template.footer", lang).removeprefix("&C")


def annotate_workbook(source: Path, result: CheckResult, target: Path | None = None, *, lang: str = "zh",
                      package: Package | None = None, protect: Inputs = None, overwrite: bool = True) -> Path:
    """Write the highlighted copy of ``source`` to ``target`` (default: :func:`annotated_path`), atomically.

    Error cells get a red fill, warning cells a yellow one, each with a comment explaining every finding on
    it; a 校验结果 sheet (first, active) lists all findings with links. ``source`` is only read, and only once:
    ``package`` is the package the check read (the copy is of the very bytes checked); without it the file is
    read here. ``protect`` are further inputs the copy may not replace; an existing ``target`` is replaced
    only with ``overwrite``. Every text from the unit is written as text (never a formula), with control
    characters shown as visible marks.
    """
    from toolkit.xlsxsafe import open_package

    source = Path(source)
    target = Path(target) if target is not None else annotated_path(source)
    pkg = package if package is not None else open_package(source)
    inputs = [source, *(() if protect is None else [protect] if isinstance(protect, str | Path) else protect)]
    return write_atomic(target, lambda tmp: _write_copy(pkg, result, tmp, lang), protect=inputs,
                        overwrite=overwrite, suffixes=(".xlsx",))
