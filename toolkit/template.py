"""The standard workbook (``toolkit template``): the official tables for filling in Excel, WPS or LibreOffice.

The only xlsxwriter user. Everything it writes comes from the format spec: labels, layout (:mod:`toolkit.layout`),
value kinds (data validation), totals (SUM formulas), and the rules — each linear check of the format becomes a
live pass/fail formula on the 校验 sheet and a conditional format that turns the cells of a failing check red
while the user types (the same :class:`~toolkit.rules.linear.LinearCheck` the checker evaluates, so the two agree).

Cached formula results are always the true values of the data written (0 for a blank template), because WPS and
LibreOffice may show cached results without recalculating. A hidden marker (defined names ``GK.<cell key>``,
``GK.info.<field>``, ``GK.text.<section>``, ``GK.format`` and the veryHidden ``_toolkit`` sheet) lets the reader
find every cell after rows are inserted or sheets renamed.

Only classic features that Excel 2010+, WPS and LibreOffice share: data validation, formula conditional formats
on the same sheet, sheet protection without a password, SUM/IF/ABS/COUNT/COUNTA.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from toolkit.data import CellValue, Number, ReportData
from toolkit.fileio import write_atomic
from toolkit.layout import APPLICATION_LABEL_COLUMNS, SheetLayout, sheet_layouts
from toolkit.messages import msg
from toolkit.ooxml import a1, split_a1
from toolkit.rules.linear import LinearCheck, linear_checks
from toolkit.spec.models import CellKind, CellSpec, ReportSpec, Severity, ValueKind
from toolkit.xlsxbook import MARKER_SHEET

FONT = "宋体"
"""On every Chinese Windows; LibreOffice substitutes a CJK serif elsewhere."""
FIXED_DATE = dt.datetime(2021, 9, 26)
"""Document creation date written into every template (the 2021 format's date), so output is reproducible."""
PASS, FAIL = msg("template.check.pass"), msg("template.check.fail")
CHECKS_FIRST_ROW = 4
"""Zero-based row of the first check on the 校验 sheet; checks follow in :func:`linear_checks` order."""
CHECK_RESULT_COLUMN = 7
"""Zero-based column of a check's 通过/不通过 on the 校验 sheet."""

_STYLES: dict[str, dict[str, Any]] = {
    "title": {"bold": True, "font_size": 14, "align": "center", "valign": "vcenter"},
    "caption": {"bold": True, "border": 1, "align": "center", "valign": "vcenter", "bg_color": "#D9D9D9",
                "text_wrap": True},
    "header": {"bold": True, "border": 1, "align": "center", "valign": "vcenter", "bg_color": "#D9D9D9",
               "text_wrap": True},
    "note": {"border": 1, "align": "center", "valign": "vcenter", "bg_color": "#D9D9D9", "text_wrap": True,
             "font_size": 9},
    "label": {"border": 1, "valign": "vcenter", "bg_color": "#F2F2F2", "text_wrap": True},
    "input": {"border": 1, "locked": False, "align": "center", "valign": "vcenter", "bg_color": "#FFFFFF"},
    "total": {"border": 1, "bold": True, "align": "center", "valign": "vcenter", "bg_color": "#E7E6E6"},
    "text": {"border": 1, "locked": False, "text_wrap": True, "valign": "top", "bg_color": "#FFFFFF"},
    "prompt": {"italic": True, "font_color": "#595959", "text_wrap": True, "valign": "top", "font_size": 9},
    "plain": {"text_wrap": True, "valign": "top"},
    "bold": {"bold": True},
    "bad": {"bg_color": "#FFC7CE", "font_color": "#9C0006"},
    "warn": {"bg_color": "#FFEB9C", "font_color": "#9C5700"},
    "link": {"font_color": "#0563C1", "underline": 1, "text_wrap": True, "valign": "top"},
}
_NUMBER_FORMATS = {ValueKind.COUNT: "0", ValueKind.SIGNED_COUNT: "0", ValueKind.AMOUNT: "0.####"}

SHEET_SETUP: dict[str, dict[str, Any]] = {
    "s2": {"landscape": False, "widths": [30, 22, 22, 22, 22], "freeze": False},
    "s3": {"landscape": True, "widths": [5, 12, 40, 9, 9, 9, 9, 9, 9, 9], "freeze": True},
    "s4": {"landscape": True, "widths": [8.5] * 15, "freeze": True},
}
"""Print and screen setup per table sheet (presentation only; what is drawn comes from the spec)."""


def quote(sheet: str) -> str:
    """A sheet name as it appears in a formula: always quoted, inner quotes doubled."""
    return "'" + sheet.replace("'", "''") + "'"


def absolute(row: int, col: int) -> str:
    """(4, 3) → "$D$5"."""
    ref = a1(row, col)
    letters = ref.rstrip("0123456789")
    return f"${letters}${ref[len(letters):]}"


def _width(text: str) -> int:
    """Display width in Excel character units: a CJK character counts two."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _lines(text: str, width: float) -> int:
    """Lines a wrapped text takes in a column ``width`` characters wide."""
    return sum(max(1, math.ceil(_width(part) / max(width - 1, 1))) for part in text.split("\n"))


def rectangles(cells: Iterable[tuple[int, int]]) -> list[tuple[int, int, int, int]]:
    """Cover a set of (row, col) with few rectangles (first_row, first_col, last_row, last_col), top to bottom.

    Runs of adjacent columns in a row are joined, then runs that repeat on consecutive rows.
    """
    by_row: dict[int, list[int]] = {}
    for r, c in cells:
        by_row.setdefault(r, []).append(c)
    open_runs: dict[tuple[int, int], int] = {}
    done: list[tuple[int, int, int, int]] = []
    previous = -2
    for r in sorted(by_row):
        cols = sorted(by_row[r])
        runs, start = [], cols[0]
        for a, b in itertools.pairwise(cols):
            if b != a + 1:
                runs.append((start, a))
                start = b
        runs.append((start, cols[-1]))
        still: dict[tuple[int, int], int] = {}
        for run in runs:
            still[run] = open_runs.pop(run) if run in open_runs and previous == r - 1 else r
        done.extend((top, run[0], previous, run[1]) for run, top in open_runs.items())
        open_runs, previous = still, r
    done.extend((top, run[0], previous, run[1]) for run, top in open_runs.items())
    return sorted(done)


class _Builder:
    """Draws one workbook; ``positions`` is filled as cells are placed."""

    def __init__(self, wb: Workbook, spec: ReportSpec, data: ReportData,
                 extra_sheets: Sequence[tuple[str, Sequence[Sequence[object]]]] = ()) -> None:
        self.wb, self.spec, self.data = wb, spec, data
        self.extra_sheets = extra_sheets
        self.fmt = {name: wb.add_format(props) for name, props in _STYLES.items()}
        for kind, num in _NUMBER_FORMATS.items():
            self.fmt[f"input.{kind}"] = wb.add_format({**_STYLES["input"], "num_format": num})
            self.fmt[f"total.{kind}"] = wb.add_format({**_STYLES["total"], "num_format": num})
        self.layouts = sheet_layouts(spec)
        self.positions: dict[str, tuple[str, int, int]] = {
            key: (sheet.name, r, c) for sheet in self.layouts.values() for key, (r, c) in sheet.cells.items()
        }
        self.values: dict[str, Number] = {}

    # --- addressing -------------------------------------------------------------------------------

    def address(self, key: str, *, sheet: str | None = None) -> str:
        """``$D$7`` on the same sheet as ``sheet``, else ``'三 依申请公开'!$D$7``."""
        name, row, col = self.positions[key]
        return absolute(row, col) if name == sheet else f"{quote(name)}!{absolute(row, col)}"

    def number(self, key: str) -> Number:
        """The value a cell shows once calculated: inputs as written (blank 0), totals as formulas compute them."""
        if key not in self.values:
            cell = self.spec.cells[key]
            if cell.kind is CellKind.TOTAL and self._formula_total(cell):
                self.values[key] = sum(self.number(p) for p in cell.sum_of)
            else:
                self.values[key] = self.data.number(key)
        return self.values[key]

    def _formula_total(self, cell: CellSpec) -> bool:
        """A total is a formula unless the data holds a different number (a typed-over total, kept as typed)."""
        cv = self.data.values.get(cell.key)
        if cv is None or (cv.value is None and not isinstance(cv.raw, str)):
            return True
        if cv.value is None:
            return False
        return abs(cv.value - sum(self.number(p) for p in cell.sum_of)) <= 1e-9

    # --- sheets -----------------------------------------------------------------------------------

    def build(self) -> None:
        """Every sheet in order, then the marker."""
        self.info_sheet()
        for key in ("s2", "s3", "s4"):
            if key in self.layouts:
                self.table_sheet(self.layouts[key])
        self.text_sheet()
        self.checks_sheet()
        self.guide_sheet()
        for title, rows in self.extra_sheets:
            self.extra_sheet(title, rows)
        self.marker()

    def _sheet(self, key: str, *, landscape: bool = False) -> Worksheet:
        ws = self.wb.add_worksheet(self.spec.sheets[key])
        ws.set_paper(9)
        ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
        if landscape:
            ws.set_landscape()
        ws.fit_to_pages(1, 0)
        ws.center_horizontally()
        ws.set_footer(msg("template.footer"))
        ws.protect("", {"format_columns": True, "format_rows": True})
        return ws

    def _define(self, name: str, sheet: str, row: int, col: int) -> None:
        self.wb.define_name(name, f"={quote(sheet)}!{absolute(row, col)}")

    def info_sheet(self) -> None:
        ws = self._sheet("info")
        name = self.spec.sheets["info"]
        ws.set_column(0, 0, 14)
        ws.set_column(1, 1, 36)
        ws.set_column(2, 2, 48)
        ws.merge_range(0, 0, 0, 2, msg("template.info.title", document=self.spec.issuing_document), self.fmt["title"])
        for i, info in enumerate(self.spec.info_fields, start=2):
            ws.write_string(i, 0, info.label, self.fmt["label"])
            value = self.data.info.get(info.id, "")
            if info.kind == "format":
                ws.write_string(i, 1, self.spec.id, self.fmt["total.count"])
                ws.write_string(i, 2, msg("template.info.format", document=self.spec.issuing_document),
                                self.fmt["prompt"])
            else:
                if info.kind == "year" and value.strip().isdigit():
                    ws.write_number(i, 1, int(value), self.fmt["input.count"])
                else:
                    ws.write_string(i, 1, value, self.fmt["input"])
                ws.write_string(i, 2, info.prompt, self.fmt["prompt"])
                ws.data_validation(i, 1, i, 1, self._info_validation(info.kind, info.label, info.prompt))
            ws.set_row(i, 22)
            self._define(f"GK.info.{info.id}", name, i, 1)
        ws.activate()

    def _info_validation(self, kind: str, label: str, prompt: str) -> dict[str, Any]:
        base = {"input_title": label[:32], "input_message": prompt[:255]}
        if kind != "year":
            return {"validate": "any", **base}
        last = self.spec.last_year or 2100
        return {"validate": "integer", "criteria": "between", "minimum": self.spec.first_year, "maximum": last,
                "error_title": msg("template.dv.error_title"),
                "error_message": msg("template.dv.year", first=self.spec.first_year, last=last,
                                     document=self.spec.issuing_document)[:224], **base}

    def table_sheet(self, layout: SheetLayout) -> None:
        setup = SHEET_SETUP[layout.key]
        ws = self._sheet(layout.key, landscape=setup["landscape"])
        for c, width in enumerate(setup["widths"][: layout.width]):
            ws.set_column(c, c, width)
        if setup["freeze"]:
            first = layout.blocks[0]
            label_columns = APPLICATION_LABEL_COLUMNS if first.table.layout == "applications" else 0
            ws.freeze_panes(first.header_rows[1] + 1, label_columns)
        t = layout.title
        if t.merged:
            ws.merge_range(t.row, t.col, t.last_row, t.last_col, t.text, self.fmt["title"])
        else:
            ws.write_string(t.row, t.col, t.text, self.fmt["title"])
        ws.set_row(t.row, 28)
        heights: dict[int, float] = {}
        for block in layout.blocks:
            for box in block.boxes:
                style = self.fmt[box.role]
                if box.merged:
                    ws.merge_range(box.row, box.col, box.last_row, box.last_col, box.text, style)
                else:
                    ws.write_string(box.row, box.col, box.text, style)
                if box.row == box.last_row:
                    width = sum(setup["widths"][box.col : box.last_col + 1])
                    heights[box.row] = max(heights.get(box.row, 15.0), 15.0 * _lines(box.text, width) + 3)
            for key, (r, c) in block.cells.items():
                self.write_cell(ws, layout.name, key, r, c)
                self._define(f"GK.{key}", layout.name, r, c)
        for row, height in heights.items():
            ws.set_row(row, height)
        first_block = layout.blocks[0]
        if layout.key != "s2":
            ws.repeat_rows(first_block.header_rows[0], first_block.header_rows[1])
        self.validations(ws, layout)
        self.live_checks(ws, layout)

    def write_cell(self, ws: Worksheet, sheet: str, key: str, row: int, col: int) -> None:
        cell = self.spec.cells[key]
        cv: CellValue | None = self.data.values.get(key)
        if cell.kind is CellKind.TOTAL and self._formula_total(cell):
            formula = "=SUM(" + ",".join(self.address(p, sheet=sheet) for p in cell.sum_of) + ")"
            ws.write_formula(row, col, formula, self.fmt[f"total.{cell.value}"], self.number(key))
            return
        style = self.fmt[f"{'total' if cell.kind is CellKind.TOTAL else 'input'}.{cell.value}"]
        if cv is not None and cv.value is not None:
            ws.write_number(row, col, cv.value, style)
        elif cv is not None and isinstance(cv.raw, str) and cv.raw:
            ws.write_string(row, col, cv.raw, style)
        else:
            ws.write_blank(row, col, None, style)

    def validations(self, ws: Worksheet, layout: SheetLayout) -> None:
        """One data validation per value kind on the sheet's input cells, with a Chinese input message."""
        by_kind: dict[ValueKind, list[str]] = {}
        for key, (r, c) in layout.cells.items():
            cell = self.spec.cells[key]
            if cell.kind is CellKind.INPUT:
                by_kind.setdefault(cell.value, []).append(a1(r, c))
        for kind, refs in by_kind.items():
            options: dict[str, Any] = {
                ValueKind.COUNT: {"validate": "integer", "criteria": ">=", "value": 0},
                ValueKind.SIGNED_COUNT: {"validate": "integer", "criteria": "between",
                                         "minimum": -1_000_000_000, "maximum": 1_000_000_000},
                ValueKind.AMOUNT: {"validate": "decimal", "criteria": ">=", "value": 0},
            }[kind]
            options.update(
                input_title=msg(f"template.dv.{kind}.title")[:32],
                input_message=msg(f"template.dv.{kind}.prompt")[:255],
                error_title=msg("template.dv.error_title")[:32],
                error_message=msg(f"template.dv.{kind}.error")[:224],
            )
            for chunk in _chunks(refs, 200):
                first_row, first_col = split_a1(chunk[0])
                ws.data_validation(first_row, first_col, first_row, first_col,
                                   {**options, "multi_range": " ".join(chunk)})

    def live_checks(self, ws: Worksheet, layout: SheetLayout) -> None:
        """Cells of a failing check turn red (error) or yellow (warning) while typing; text in a number cell too.

        The instances of one rule that are the same check moved along a row (one per column: 三's balance) or
        down a column (one per row: 三's 总计 column) share one conditional format with mixed references, as
        a person would write it; other checks get one each. Fewer rules keep the workbook light to open.
        """
        groups: dict[str, list[LinearCheck]] = {}
        for check in self.checks:
            if all(self.positions[k][0] == layout.name for k in check.cells):  # else live on 校验 only
                groups.setdefault(check.rule.id, []).append(check)
        for checks in groups.values():
            style = self.fmt["bad" if checks[0].rule.severity is Severity.ERROR else "warn"]
            shared = self._shared_formula(checks)
            if shared is not None:
                formula, ranges = shared
                self._conditional(ws, ranges, formula, style)
                continue
            for check in checks:
                cells = [self.positions[k][1:] for k in check.cells]
                self._conditional(ws, rectangles(cells), check.excel_fail(lambda k: self.address(k, sheet=layout.name)),
                                  style)
        inputs = [rc for k, rc in layout.cells.items() if self.spec.cells[k].kind is CellKind.INPUT]
        for top, left, bottom, right in rectangles(inputs):
            ws.conditional_format(top, left, bottom, right, {"type": "formula", "criteria": f"=ISTEXT({a1(top, left)})",
                                                             "format": self.fmt["bad"]})

    def _shared_formula(self, checks: list[LinearCheck]) -> tuple[str, list[tuple[int, int, int, int]]] | None:
        """One formula for checks that are one check moved along a row or down a column, with the ranges it
        covers; None when they are not. Columns move: rows are absolute (``C$5``); rows move: columns are."""
        if len(checks) < 2:
            return None
        where = [[self.positions[k][1:] for k in check.cells] for check in checks]
        for axis in (1, 0):  # 1: one check per column, 0: one check per row
            if not all(len({rc[axis] for rc in cells}) == 1 for cells in where):
                continue
            first = min(range(len(checks)), key=lambda i: where[i][0][axis])
            shifts = [cells[0][axis] - where[first][0][axis] for cells in where]
            moved = all(
                [(r - s * (1 - axis), c - s * axis) for r, c in cells] == where[first]
                for cells, s in zip(where, shifts, strict=True)
            )
            if not moved:
                continue
            ranges = rectangles(rc for cells in where for rc in cells)
            top, left = min(r for r, _, _, _ in ranges), min(c for _, c, _, _ in ranges)
            if ranges[0][:2] != (top, left) or where[first][0][axis] != (left if axis else top):
                continue

            def mixed(key: str, axis: int = axis) -> str:
                _, row, col = self.positions[key]
                ref = absolute(row, col)  # $C$5
                letters = ref[1:].split("$")[0]
                return f"{letters}${row + 1}" if axis else f"${letters}{row + 1}"

            return checks[first].excel_fail(mixed), ranges
        return None

    @staticmethod
    def _conditional(ws: Worksheet, ranges: list[tuple[int, int, int, int]], formula: str, style: Any) -> None:
        """One formula conditional format over ``ranges`` (relative references count from the first one's corner)."""
        top, left, bottom, right = ranges[0]
        refs = " ".join(a1(t, lft) if (t, lft) == (b, rgt) else f"{a1(t, lft)}:{a1(b, rgt)}"
                        for t, lft, b, rgt in ranges)
        ws.conditional_format(top, left, bottom, right,
                              {"type": "formula", "criteria": f"={formula}", "format": style, "multi_range": refs})

    @property
    def checks(self) -> list[LinearCheck]:
        """The format's linear checks (computed once)."""
        if not hasattr(self, "_checks"):
            self._checks = linear_checks(self.spec)
        return self._checks

    def text_sheet(self) -> None:
        ws = self._sheet("text")
        name = self.spec.sheets["text"]
        ws.set_column(0, 0, 110)
        ws.write_string(0, 0, msg("template.text.title"), self.fmt["title"])
        row = 2
        for section in self.spec.text_sections:
            ws.write_string(row, 0, section.title, self.fmt["header"])
            ws.write_string(row + 1, 0, section.prompt, self.fmt["prompt"])
            ws.set_row(row + 1, 15 * _lines(section.prompt, 110 * 1.1) + 2)
            text = self.data.text(section.id)
            ws.write_string(row + 2, 0, text, self.fmt["text"])
            ws.set_row(row + 2, max(240, min(409, 16 * _lines(text, 110) + 8)))
            ws.data_validation(row + 2, 0, row + 2, 0, {"validate": "any", "input_title": section.title[:32],
                                                        "input_message": section.prompt[:255]})
            self._define(f"GK.text.{section.id}", name, row + 2, 0)
            row += 4

    def checks_sheet(self) -> None:
        """Every linear check as a live formula: the two sums, the relation, 通过/不通过; counts at the top."""
        ws = self._sheet("checks", landscape=True)
        widths = [6, 6, 44, 52, 11, 6, 11, 9, 4, 4]
        for c, w in enumerate(widths):
            ws.set_column(c, c, w)
        ws.set_column(8, 9, 4, None, {"hidden": True})
        first, last = CHECKS_FIRST_ROW, CHECKS_FIRST_ROW + len(self.checks) - 1
        errors = [i for i, ch in enumerate(self.checks) if ch.rule.severity is Severity.ERROR]
        fails = [not ch.holds(*ch.sums(self.number)) for ch in self.checks]
        n_err = sum(1 for i in errors if fails[i])
        n_warn = sum(fails) - n_err
        ws.merge_range(0, 0, 0, 7, msg("template.checks.title"), self.fmt["title"])
        ws.write_string(1, 0, msg("template.checks.errors"), self.fmt["bold"])
        ws.write_formula(1, 2, f"=SUM(I{first + 1}:I{last + 1})", self.fmt["bold"], n_err)
        ws.write_string(2, 0, msg("template.checks.warnings"), self.fmt["bold"])
        ws.write_formula(2, 2, f"=SUM(J{first + 1}:J{last + 1})", self.fmt["bold"], n_warn)
        for c, key in enumerate(("no", "severity", "rule", "target", "left", "op", "right", "result")):
            ws.write_string(3, c, msg(f"template.checks.col.{key}"), self.fmt["header"])
        ws.freeze_panes(4, 0)
        ws.repeat_rows(3)
        sheet = self.spec.sheets["checks"]
        for i, check in enumerate(self.checks):
            row = first + i
            left, right = check.sums(self.number)
            left_f, right_f = check.excel_sides(lambda k: self.address(k, sheet=sheet))
            fail_f = check.excel_fail(lambda k: self.address(k, sheet=sheet))
            ws.write_number(row, 0, i + 1, self.fmt["plain"])
            ws.write_string(row, 1, msg(f"annotate.severity.{check.rule.severity}"), self.fmt["plain"])
            ws.write_string(row, 2, check.rule.title.zh, self.fmt["plain"])
            name, r, c = self.positions[check.lhs[0]]
            target = f"{name}：{_target(check)}"
            ws.write_url(row, 3, f"internal:{quote(name)}!{a1(r, c)}", self.fmt["link"], target)
            ws.write_formula(row, 4, f"={left_f}", None, left)
            ws.write_string(row, 5, "=" if check.op == "eq" else "≤")
            ws.write_formula(row, 6, f"={right_f}", None, right)
            ws.write_formula(row, CHECK_RESULT_COLUMN, f'=IF({fail_f},"{FAIL}","{PASS}")', None,
                             FAIL if fails[i] else PASS)
            helper = 8 if check.rule.severity is Severity.ERROR else 9
            ws.write_formula(row, helper, f'=IF(H{row + 1}="{FAIL}",1,0)', None, 1 if fails[i] else 0)
        style_for = {FAIL: self.fmt["bad"]}
        ws.conditional_format(first, 7, last, 7, {"type": "cell", "criteria": "==", "value": f'"{FAIL}"',
                                                  "format": style_for[FAIL]})
        ws.conditional_format(1, 2, 2, 2, {"type": "cell", "criteria": ">", "value": 0, "format": self.fmt["bad"]})
        note_row = last + 2
        ws.merge_range(note_row, 0, note_row, 7, msg("template.checks.others"), self.fmt["plain"])
        ws.set_row(note_row, 30)
        for j, rule in enumerate(r for r in self.spec.rules if r.type not in ("linear", "declared_total", "guidance")):
            ws.write_string(note_row + 1 + j, 1, msg(f"annotate.severity.{rule.severity}"), self.fmt["plain"])
            ws.write_string(note_row + 1 + j, 2, rule.title.zh, self.fmt["plain"])

    def guide_sheet(self) -> None:
        ws = self._sheet("guide")
        ws.set_column(0, 0, 6)
        ws.set_column(1, 1, 100)
        ws.merge_range(0, 0, 0, 1, msg("template.guide.title"), self.fmt["title"])
        row = 2
        for i, line in enumerate(self.spec.instructions, start=1):
            row = self._guide_line(ws, row, f"{i}.", line)
        guidance = [r for r in self.spec.rules if r.type == "guidance"]
        if guidance:
            row = self._guide_heading(ws, row + 1, msg("template.guide.counting"))
            for rule in guidance:
                row = self._guide_line(ws, row, "•", f"{rule.title.zh}：{rule.message.zh}")
        if self.spec.placeholders:
            row = self._guide_heading(ws, row + 1, msg("template.guide.placeholders"))
            for name, key in self.spec.placeholders.items():
                row = self._guide_line(ws, row, "", f"{{{name}}}　{self._placeholder_label(key)}")
        if self.spec.standard_sentences:
            row = self._guide_heading(ws, row + 1, msg("template.guide.sentences"))
            for sentence in self.spec.standard_sentences:
                row = self._guide_line(ws, row, "•", f"{sentence.title}：{sentence.text}")

    def _placeholder_label(self, key: str) -> str:
        """What a placeholder stands for: a table cell's label or a 基本信息 field's."""
        if key in self.spec.cells:
            return self.spec.cells[key].label
        field_id = key.removeprefix("info.")
        return next((f"{self.spec.sheets['info']}：{f.label}" for f in self.spec.info_fields if f.id == field_id), key)

    def _guide_heading(self, ws: Worksheet, row: int, text: str) -> int:
        ws.write_string(row, 1, text, self.fmt["bold"])
        return row + 1

    def _guide_line(self, ws: Worksheet, row: int, number: str, text: str) -> int:
        if number:
            ws.write_string(row, 0, number, self.fmt["plain"])
        ws.write_string(row, 1, text, self.fmt["plain"])
        ws.set_row(row, 15 * _lines(text, 100) + 3)
        return row + 1

    def extra_sheet(self, title: str, rows: Sequence[Sequence[object]]) -> None:
        """A plain table after the official sheets (e.g. a merge's 各单位明细): first row bold, numbers as numbers."""
        ws = self.wb.add_worksheet(title)
        ws.set_column(0, 0, 60)
        ws.set_column(1, max(1, max((len(r) for r in rows), default=1) - 1), 12)
        ws.freeze_panes(1, 1)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, bool) or value is None:
                    continue
                if isinstance(value, int | float):
                    ws.write_number(r, c, value, self.fmt["header"] if r == 0 else None)
                else:
                    ws.write_string(r, c, str(value), self.fmt["header"] if r == 0 else None)

    def marker(self) -> None:
        ws = self.wb.add_worksheet(MARKER_SHEET)
        ws.write_string(0, 0, "gk-toolkit")
        ws.write_string(1, 0, "format")
        ws.write_string(1, 1, self.spec.id)
        ws.very_hidden()
        self.wb.define_name("GK.format", f"={quote(MARKER_SHEET)}!$B$2")


def _target(check: LinearCheck) -> str:
    """What a check is about, for the 校验 sheet: the row or column it runs along."""
    parts = [check.fields[k] for k in ("group", "r", "c") if check.fields.get(k)]
    if check.rule.type == "declared_total" and check.rule.params.get("along") == "rows":
        parts = [check.fields["c"]]
    elif check.rule.type == "declared_total":
        parts = [p for p in (check.fields.get("r"), check.fields.get("group")) if p]
    return "／".join(dict.fromkeys(parts)) or check.rule.title.zh


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def build_template(
    spec: ReportSpec,
    path: Path,
    *,
    organ: str = "",
    year: int | None = None,
    data: ReportData | None = None,
    extra_sheets: Sequence[tuple[str, Sequence[Sequence[object]]]] = (),
) -> Path:
    """Write the standard workbook for ``spec`` to ``path`` atomically and return ``path``.

    Blank unless ``data`` is given: then every value, info field and text of ``data`` is written where the
    template puts it (a total that disagrees with its parts is written as the number given, as a clerk who typed
    over the formula leaves it, so the workbook reads back as ``data``). ``organ`` and ``year`` fill 基本信息
    when ``data`` does not. ``extra_sheets`` (title, rows) are plain tables appended after the official sheets.
    The output is reproducible: the same arguments give the same workbook.
    """
    data = data if data is not None else ReportData(spec.id)
    info = dict(data.info)
    if organ and not info.get("organ"):
        info["organ"] = organ
    if year is not None and not info.get("year"):
        info["year"] = str(year)
    data = ReportData(spec.id, info, dict(data.values), dict(data.texts))

    def write(tmp: Path) -> None:
        wb = xlsxwriter.Workbook(str(tmp), {"default_format_properties": {"font_name": FONT, "font_size": 11},
                                            "strings_to_numbers": False, "strings_to_formulas": False,
                                            "strings_to_urls": False})
        wb.set_properties({"title": spec.report_title(info.get("organ", ""), info.get("year", "")),
                           "subject": spec.format_title, "author": "gk-toolkit", "comments": spec.issuing_document,
                           "created": FIXED_DATE})
        wb.set_calc_mode("auto")
        _Builder(wb, spec, data, extra_sheets).build()
        wb.close()

    return write_atomic(Path(path), write)


def regenerate(folder: Path) -> list[Path]:
    """Rewrite the blank templates in ``folder`` (one per format); returns their paths."""
    from toolkit.spec.load import available_formats, load_spec

    folder.mkdir(parents=True, exist_ok=True)
    return [build_template(load_spec(fid), folder / blank_template_name(fid)) for fid in available_formats()]


def blank_template_name(format_id: str) -> str:
    """``年报模板-2021格式.xlsx``."""
    return f"年报模板-{format_id}格式.xlsx"


def _main(argv: list[str] | None = None, echo: Callable[[str], object] = print) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m toolkit.template", description=msg("template.main.help"))
    parser.add_argument("--regenerate", action="store_true", help=msg("template.main.regenerate"))
    args = parser.parse_args(argv)
    if not args.regenerate:
        parser.print_help()
        return 2
    for path in regenerate(Path(__file__).resolve().parents[1] / "workbook_templates"):
        echo(str(path))
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())
