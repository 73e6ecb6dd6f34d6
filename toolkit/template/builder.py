"""Draws one standard workbook with xlsxwriter: 基本信息, the table sheets, 正文, 校验, 填写说明 and the marker."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from toolkit.messages import msg
from toolkit.spec.models import CellKind, ValueKind
from toolkit.template.checks import checks_sheet, live_checks
from toolkit.template.explain import explanations_sheet
from toolkit.template.guide import guide_sheet
from toolkit.template.layout import APPLICATION_LABEL_COLUMNS, SheetLayout
from toolkit.template.plan import INFO_FIRST_ROW, TEXT_FIRST_ROW, TEXT_ROWS, Plan
from toolkit.template.style import (
    NUMBER_FORMATS,
    SHEET_SETUP,
    STYLES,
    break_at_words,
    chunks,
    fit_height,
    kept_together,
    lines_of,
    page_height,
    print_scale,
)
from toolkit.untrusted import xml_text
from toolkit.workbook.a1 import a1, absolute, quote, split_a1
from toolkit.workbook.marker import FORMAT_NAME, cell_name, info_name, text_name

CELL_TEXT_UNITS = 32_000
"""UTF-16 code units written into one cell (Excel holds 32 767): a longer text continues in the cells to its
right, each named ``GK.text.<section>.<n>``, and the reader joins them back."""


def with_limit(prompt: str, max_length: int | None) -> str:
    """An input message that ends with the field's length limit (within Excel's 255 characters)."""
    if max_length is None:
        return prompt[:255]
    suffix = msg("template.dv.limit", limit=max_length)
    return prompt[: 255 - len(suffix)] + suffix


def split_cell_text(text: str, limit: int = CELL_TEXT_UNITS) -> list[str]:
    """``text`` in pieces of at most ``limit`` UTF-16 units (as Excel counts), cut after a line break where one
    is near; joining the pieces gives ``text`` back. Always at least one piece."""
    pieces: list[str] = []
    start = 0
    while True:
        window = text[start:start + limit]
        if max(window, default="") <= "\uffff":  # no astral character: one unit each, the window is the piece
            end = start + len(window)
        else:
            units, end = 0, start
            while end < len(text) and units + (2 if ord(text[end]) > 0xFFFF else 1) <= limit:
                units += 2 if ord(text[end]) > 0xFFFF else 1
                end += 1
        if end >= len(text):
            pieces.append(text[start:])
            return pieces
        cut = text.rfind("\n", start, end)
        end = cut + 1 if cut > start + limit // 2 else end
        pieces.append(text[start:end])
        start = end


TEXT_WIDTH = 72
"""正文's one column: as wide as A4 portrait prints at 100% (see :data:`~toolkit.template.style.PRINT_WIDTH`)."""


class Builder:
    """Draws one workbook from its :class:`~toolkit.template.plan.Plan` (the :class:`Drawing` the sheet drawers
    get)."""

    def __init__(self, wb: Workbook, plan: Plan,
                 extra_sheets: Sequence[tuple[str, Sequence[Sequence[object]]]] = (),
                 comments: Mapping[str, str] | None = None) -> None:
        self.wb, self.plan = wb, plan
        self.spec, self.data = plan.spec, plan.data
        self.extra_sheets = extra_sheets
        self.comments = dict(comments or {})
        """Cell key → comment text (where an imported value came from)."""
        self.fmt = {name: wb.add_format(props) for name, props in STYLES.items()}
        for kind, num in NUMBER_FORMATS.items():
            self.fmt[f"input.{kind}"] = wb.add_format({**STYLES["input"], "num_format": num})
            self.fmt[f"total.{kind}"] = wb.add_format({**STYLES["total"], "num_format": num})

    # --- the drawing interface --------------------------------------------------------------------

    def add_worksheet(self, name: str) -> Worksheet:
        """A plain sheet named ``name``."""
        return self.wb.add_worksheet(name)

    def add_format(self, props: Mapping[str, Any]) -> Any:
        """A cell format from xlsxwriter properties."""
        return self.wb.add_format(dict(props))

    def define_name(self, name: str, formula: str) -> None:
        """A workbook-level defined name."""
        self.wb.define_name(name, formula)

    # --- sheets -----------------------------------------------------------------------------------

    def build(self) -> None:
        """Every sheet in order, then the marker."""
        self.info_sheet()
        for key in ("s2", "s3", "s4"):
            if key in self.plan.layouts:
                self.table_sheet(self.plan.layouts[key])
        self.text_sheet()
        checks_sheet(self)
        guide_sheet(self)
        explanations_sheet(self)
        for title, rows in self.extra_sheets:
            self.extra_sheet(title, rows)
        self.marker()

    def add_sheet(self, key: str, widths: Sequence[float], *, landscape: bool = False) -> Worksheet:
        """A sheet of the spec (by key) set up for A4 at 100% (its widths fit: no fit-to-width, which LibreOffice
        ignores on some sheets), centred, page numbers in the footer, protected without a password."""
        ws = self.wb.add_worksheet(self.spec.sheets[key])
        ws.set_paper(9)
        ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
        if landscape:
            ws.set_landscape()
        for c, width in enumerate(widths):
            ws.set_column(c, c, width)
        ws.set_print_scale(print_scale(widths, landscape=landscape))
        ws.center_horizontally()
        ws.set_footer(msg("template.footer"))
        ws.protect("", {"format_columns": True, "format_rows": True})
        return ws

    def _define(self, name: str, sheet: str, row: int, col: int) -> None:
        self.define_name(name, f"={quote(sheet)}!{absolute(row, col)}")

    def info_sheet(self) -> None:
        ws = self.add_sheet("info", (11, 26, 34))
        ws.merge_range(0, 0, 0, 2, self.title(), self.fmt["title"])
        ws.set_row(0, 20 * lines_of(self.title(), 71 / 14 * 11) + 6)  # 14 pt across the three columns
        for i, info in enumerate(self.spec.info_fields, start=INFO_FIRST_ROW):
            ws.write_string(i, 0, info.label, self.fmt["label"])
            value = self.data.info.get(info.id, "")
            if info.kind == "format":
                ws.write_string(i, 1, self.spec.id, self.fmt["total.count"])
                ws.write_string(i, 2, msg("template.info.format", document=self.spec.issuing_document),
                                self.fmt["prompt"])
            else:
                if info.kind == "year" and value.strip().isdecimal():
                    ws.write_number(i, 1, int(value), self.fmt["input.count"])
                elif value:
                    ws.write_string(i, 1, value, self.fmt["input"])
                else:  # a real blank: an empty string would count as filled in on the 校验 sheet
                    ws.write_blank(i, 1, None, self.fmt["input"])
                prompt = with_limit(info.prompt, info.max_length)
                ws.write_string(i, 2, prompt, self.fmt["prompt"])
                ws.data_validation(i, 1, i, 1, self._info_validation(info.kind, info.label, prompt, info.max_length))
            ws.set_row(i, 22)
            self._define(info_name(info.id), *self.plan.info_at[info.id])
        ws.activate()

    def title(self) -> str:
        """基本信息's title: the report year and the format it was made for (the years a blank one covers)."""
        spec, year = self.spec, self.data.info.get("year", "").strip()
        if year.isdecimal():
            return msg("template.info.title_year", year=year, format=spec.id, document=spec.issuing_document)
        years = (msg("template.info.years_range", first=spec.first_year, last=spec.last_year) if spec.last_year
                 else msg("template.info.years_from", first=spec.first_year))
        return msg("template.info.title_blank", format=spec.id, document=spec.issuing_document, years=years)

    def _info_validation(self, kind: str, label: str, prompt: str, max_length: int | None) -> dict[str, Any]:
        base = {"input_title": label[:32], "input_message": prompt[:255]}
        if kind != "year" and max_length is not None:
            return {"validate": "length", "criteria": "<=", "value": max_length,
                    "error_title": msg("template.dv.error_title"),
                    "error_message": msg("template.dv.length", field=label, limit=max_length)[:224], **base}
        if kind != "year":
            return {"validate": "any", **base}
        last = self.spec.last_year or 2100
        return {"validate": "integer", "criteria": "between", "minimum": self.spec.first_year, "maximum": last,
                "error_title": msg("template.dv.error_title"),
                "error_message": msg("template.dv.year", first=self.spec.first_year, last=last,
                                     document=self.spec.issuing_document)[:224], **base}

    def table_sheet(self, layout: SheetLayout) -> None:
        setup = SHEET_SETUP[layout.key]
        ws = self.add_sheet(layout.key, setup["widths"][: layout.width], landscape=setup["landscape"])
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
                width = sum(setup["widths"][box.col : box.last_col + 1])
                text = break_at_words(box.text, width) if box.role == "header" else box.text
                if box.merged:
                    ws.merge_range(box.row, box.col, box.last_row, box.last_col, text, style)
                else:
                    ws.write_string(box.row, box.col, text, style)
                if box.row == box.last_row:
                    heights[box.row] = max(heights.get(box.row, 15.0), 15.0 * lines_of(text, width) + 3)
            for key, (r, c) in block.cells.items():
                self.write_cell(ws, layout.name, key, r, c)
                self._define(cell_name(key), layout.name, r, c)
        heights[t.row] = 28
        for row, height in heights.items():
            ws.set_row(row, height)
        first_block = layout.blocks[0]
        if layout.key != "s2":
            ws.repeat_rows(*first_block.header_rows)
        last = max(r for block in layout.blocks for r, _ in block.cells.values())
        tall = sum(heights.get(r, 15.0) for r in range(last + 1))  # one table, one page: shrink to its height too
        ws.set_print_scale(min(print_scale(setup["widths"][: layout.width], landscape=setup["landscape"]),
                               fit_height(tall, landscape=setup["landscape"])))
        self.validations(ws, layout)
        live_checks(self, ws, layout)

    def write_cell(self, ws: Worksheet, sheet: str, key: str, row: int, col: int) -> None:
        if key in self.comments:
            ws.write_comment(row, col, xml_text(self.comments[key]), {"x_scale": 3, "y_scale": 2})
        cell = self.spec.cells[key]
        cv = self.data.values.get(key)
        kind = self.plan.written(key)
        if kind == "formula":
            formula = "=SUM(" + ",".join(self.plan.address(p, sheet=sheet) for p in cell.sum_of) + ")"
            ws.write_formula(row, col, formula, self.fmt[f"total.{cell.value}"], self.plan.number(key))
            return
        style = self.fmt[f"{'total' if cell.kind is CellKind.TOTAL else 'input'}.{cell.value}"]
        if kind == "number" and cv is not None and cv.value is not None:
            ws.write_number(row, col, cv.value, style)
        elif kind == "text" and cv is not None:
            ws.write_string(row, col, str(cv.raw), style)
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
            for chunk in chunks(refs, 200):
                first_row, first_col = split_a1(chunk[0])
                ws.data_validation(first_row, first_col, first_row, first_col,
                                   {**options, "multi_range": " ".join(chunk)})

    def text_sheet(self) -> None:
        ws = self.add_sheet("text", (TEXT_WIDTH,))
        ws.write_string(0, 0, msg("template.text.title"), self.fmt["title"])
        ws.set_row(0, 20 * lines_of(msg("template.text.title"), TEXT_WIDTH * 11 / 14) + 6)
        row, widest = TEXT_FIRST_ROW, 0
        blocks = [(0, 20 * lines_of(msg("template.text.title"), TEXT_WIDTH * 11 / 14) + 6 + 15 * (row - 1))]
        for section in self.spec.text_sections:
            ws.write_string(row, 0, section.title, self.fmt["header"])
            ws.write_string(row + 1, 0, section.prompt, self.fmt["prompt"])
            prompt_height = 15 * lines_of(section.prompt, TEXT_WIDTH * 1.1) + 2
            ws.set_row(row + 1, prompt_height)
            text, *more = split_cell_text(self.data.text(section.id))
            if text:
                ws.write_string(row + 2, 0, text, self.fmt["text"])
            else:  # a real blank: an empty string would count as filled in on the 校验 sheet
                ws.write_blank(row + 2, 0, None, self.fmt["text"])
            text_height = max(240, min(409, 16 * lines_of(text, TEXT_WIDTH) + 8))
            ws.set_row(row + 2, text_height)
            # the section's title, guidance and text box on one page, the gap rows before the next one
            blocks.append((row, 15 + prompt_height + text_height + 15 * (TEXT_ROWS - 3)))
            for n, piece in enumerate(more, start=2):  # longer than a cell holds (a merge of many units)
                ws.write_string(row + 2, n - 1, piece, self.fmt["text"])
                widest = max(widest, n - 1)
                self._define(text_name(section.id, n), self.plan.text_at[section.id][0], row + 2, n - 1)
            limit = {"validate": "any"} if section.max_length is None else {
                "validate": "length", "criteria": "<=", "value": section.max_length, "error_type": "warning",
                "error_title": msg("template.dv.error_title"),
                "error_message": msg("template.dv.length", field=section.title, limit=section.max_length)[:224]}
            ws.data_validation(row + 2, 0, row + 2, 0, {**limit, "input_title": section.title[:32],
                                                        "input_message": with_limit(section.prompt,
                                                                                    section.max_length)})
            self._define(text_name(section.id), *self.plan.text_at[section.id])
            row += TEXT_ROWS
        ws.print_area(0, 0, row - TEXT_ROWS + 2, widest)  # to the last text: its gap row would print a blank page
        # The text boxes' heights are set here, so the pages are known: a page breaks before a section that would
        # otherwise print its title at the foot of one page and its text on the next.
        ws.set_h_pagebreaks(kept_together(blocks, page_height(landscape=False)))

    def extra_sheet(self, title: str, rows: Sequence[Sequence[object]]) -> None:
        """A plain table after the official sheets (e.g. a merge's 各单位明细): first row bold, numbers as numbers
        (below the first row written as :class:`~toolkit.template.plain.PlainSheet` keeps them: the same cells)."""
        from toolkit.template.plain import PlainSheet

        ws = self.wb.add_worksheet(title, worksheet_class=PlainSheet)
        ws.set_column(0, 0, 60)
        ws.set_column(1, max(1, max((len(r) for r in rows), default=1) - 1), 12)
        ws.freeze_panes(1, 1)
        for r, row in enumerate(rows):
            fmt = self.fmt["header"] if r == 0 else None
            numbers = [(c, v) for c, v in enumerate(row) if v.__class__ is int or v.__class__ is float] if r else []
            if len(numbers) < len(row):  # the rest: texts, blanks, the first row
                plain = {c for c, _ in numbers}
                for c, value in enumerate(row):
                    if c in plain or isinstance(value, bool) or value is None:
                        continue
                    if isinstance(value, int | float):
                        ws.write_number(r, c, value, fmt)
                    else:
                        ws.write_string(r, c, xml_text(str(value)), fmt)
            ws.write_plain_numbers(r, numbers)

    def marker(self) -> None:
        """``GK.format`` names 基本信息's 格式 cell (the format id the tool writes there).

        No marker sheet: Gnumeric saves a hidden sheet as visible and it would then print; a workbook from an
        earlier version keeps its veryHidden ``_toolkit`` sheet, which the reader still understands."""
        self._define(FORMAT_NAME, *self.plan.info_at["format"])
