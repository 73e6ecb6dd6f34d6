"""The template's live checks: the 校验 sheet (every linear check as a pass/fail formula) and the conditional
formats that turn the cells of a failing check red while the user types — compiled from the same
:class:`~toolkit.rules.linear.LinearCheck` objects the checker evaluates, so the two cannot disagree."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from toolkit.messages import msg
from toolkit.rules.linear import LinearCheck
from toolkit.rules.tables import check_target
from toolkit.spec.models import CellKind, RuleSpec, Severity
from toolkit.template.layout import SheetLayout
from toolkit.template.live_rules import has_live_form, link_to, live_rules
from toolkit.template.plan import Drawing, Plan, ref, unusable_formula
from toolkit.template.style import STYLES, break_at_words, lines_of, page_breaks, rectangles
from toolkit.workbook.a1 import a1, absolute

if TYPE_CHECKING:
    from xlsxwriter.worksheet import Worksheet

PASS, FAIL = msg("template.check.pass"), msg("template.check.fail")
UNASSESSED = msg("template.check.unassessed")
"""A sum with a part no sum can use (text, an error): not assessed, as ``toolkit check`` reports it."""
UNFILLED = msg("template.check.unfilled")
"""What every result (and the counts) show while nothing at all is filled in: a blank template is not wrong."""
FILLED_NAME = "_GK_filled"
"""Defined name counting what has been filled in (inputs, 基本信息, 正文); 0 → 未填写. A name, not a cell: a
hidden helper cell still prints as ### in LibreOffice."""
CHECKS_FIRST_ROW = 4
"""Zero-based row of the first check on the 校验 sheet; checks follow in :func:`linear_checks` order."""
CHECK_RESULT_COLUMN = 8
"""Zero-based column of a check's 通过/不通过 on the 校验 sheet."""
GNUMERIC_PAGE_ROWS = 478.0
"""Points of rows Gnumeric prints on one A4 landscape page with the template's margins and footer (measured:
31 rows of 15 pt fit, 32 do not; 14 of 33 pt fit). The sheet runs to several pages, and each application breaks
them by itself: LibreOffice fills a page deeper (495–510 pt) and repeats print-title rows, Gnumeric ignores print
titles and manual breaks. So the sheet has no repeated header and manual breaks where Gnumeric breaks by itself:
LibreOffice (and Excel) follow them, and both print the same pages."""
COUNT_COLUMN = 3
"""Zero-based column of the failing errors (row 1) and warnings (row 2) at the top of the 校验 sheet."""


def live_checks(d: Drawing, ws: Worksheet, layout: SheetLayout) -> None:
    """Cells of a failing check turn red (error) or yellow (warning) while typing; text in a number cell too.

    The instances of one rule that are the same check moved along a row (one per column: 三's balance) or
    down a column (one per row: 三's 总计 column) share one conditional format with mixed references, as
    a person would write it; other checks get one each. Fewer rules keep the workbook light to open.
    """
    plan = d.plan
    groups: dict[str, list[LinearCheck]] = {}
    for check in plan.checks:
        if all(plan.positions[k][0] == layout.name for k in check.cells):  # else live on 校验 only
            groups.setdefault(check.rule.id, []).append(check)
    for checks in groups.values():
        style = d.fmt["bad" if checks[0].rule.severity is Severity.ERROR else "warn"]
        shared = _shared_formula(plan, checks)
        if shared is not None:
            formula, ranges = shared
            _conditional(ws, ranges, formula, style)
            continue
        for check in checks:
            cells = [plan.positions[k][1:] for k in check.cells]
            fail = check.excel_fail(lambda k: plan.address(k, sheet=layout.name))
            _conditional(ws, rectangles(cells), fail, style)
    inputs = [rc for k, rc in layout.cells.items() if plan.spec.cells[k].kind is CellKind.INPUT]
    for top, left, bottom, right in rectangles(inputs):
        ws.conditional_format(top, left, bottom, right, {"type": "formula", "criteria": f"=ISTEXT({a1(top, left)})",
                                                         "format": d.fmt["bad"]})


def _shared_formula(plan: Plan, checks: list[LinearCheck]) -> tuple[str, list[tuple[int, int, int, int]]] | None:
    """One formula for checks that are one check moved along a row or down a column, with the ranges it
    covers; None when they are not. Columns move: rows are absolute (``C$5``); rows move: columns are."""
    if len(checks) < 2:
        return None
    where = [[plan.positions[k][1:] for k in check.cells] for check in checks]
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
            _, row, col = plan.positions[key]
            ref = absolute(row, col)  # $C$5
            letters = ref[1:].split("$")[0]
            return f"{letters}${row + 1}" if axis else f"${letters}{row + 1}"

        return checks[first].excel_fail(mixed), ranges
    return None


def _conditional(ws: Worksheet, ranges: list[tuple[int, int, int, int]], formula: str, style: Any) -> None:
    """One formula conditional format over ``ranges`` (relative references count from the first one's corner)."""
    top, left, bottom, right = ranges[0]
    refs = " ".join(a1(t, lft) if (t, lft) == (b, rgt) else f"{a1(t, lft)}:{a1(b, rgt)}"
                    for t, lft, b, rgt in ranges)
    ws.conditional_format(top, left, bottom, right,
                          {"type": "formula", "criteria": f"={formula}", "format": style, "multi_range": refs})


@dataclass(frozen=True)
class CheckRow:
    """One row of the 校验 sheet: a sum check or another rule, with its formulas and cached results."""

    rule: RuleSpec
    target: str
    link: tuple[str, int, int] | None
    left: str
    """Formula of the figure checked (a sum, a count, a length)."""
    op: str
    """The relation shown ("=", "≤") or "" for other rules."""
    right: str | None
    """Formula of the other side (sums only)."""
    fails: str
    """Boolean formula, TRUE when the rule fails."""
    cached: tuple[object, object, bool]
    """(left, right, failed) on the data written."""
    instance: str = ""
    """The checker's finding instance this row stands for (``rule[instance]`` is the fingerprint)."""
    per_cell: bool = False
    """The row's figure counts cells the checker reports one by one: the counts at the top add the figure."""
    unassessed: str = ""
    """Boolean formula, TRUE when the sum cannot be assessed (a part is text or an error); "" for other rules."""
    cached_unassessed: bool = False
    """What ``unassessed`` computes on the data written."""

    @property
    def result(self) -> str:
        """What the row's result cell shows on the data written (once anything is filled in)."""
        return UNASSESSED if self.cached_unassessed else FAIL if self.cached[2] else PASS

    @property
    def weight(self) -> int:
        """What the row adds to the failing count on the data written."""
        left, _, failed = self.cached
        if not failed or self.cached_unassessed:
            return 0
        return int(left) if self.per_cell and isinstance(left, int | float) else 1


def check_rows(plan: Plan) -> list[CheckRow]:
    """The 校验 sheet's rows: every linear check (in :func:`linear_checks` order), then every other rule with
    a live form (:mod:`toolkit.template.live_rules`)."""
    sheet = plan.spec.sheets["checks"]
    rows = []
    for check in plan.checks:
        left, right = check.sums(plan.number)
        left_f, right_f = check.excel_sides(lambda k: plan.address(k, sheet=sheet))
        where = plan.positions[check.lhs[0]]
        rows.append(CheckRow(check.rule, f"{where[0]}：{check_target(check)}", where, left_f,
                             "=" if check.op == "eq" else "≤", right_f,
                             check.excel_fail(lambda k: plan.address(k, sheet=sheet)),
                             (left, right, not check.holds(left, right)), check.instance,
                             unassessed=unusable_formula([plan.address(k, sheet=sheet) for k in check.cells]),
                             cached_unassessed=any(plan.unusable(k) for k in check.cells)))
    for lr in live_rules(plan):
        rows.append(CheckRow(lr.rule, lr.target, lr.link, lr.value, "", None, lr.fails,
                             (lr.cached_value, None, lr.cached_fails), lr.instance, lr.per_cell))
    return rows


def checks_sheet(d: Drawing) -> None:
    """Every rule a formula can evaluate, live: the figures, 通过/不通过, and the failing counts at the top;
    then the rules only ``toolkit check`` evaluates. The 检查对象 is plain wrapped text with the jump link in a
    narrow column beside it (LibreOffice does not wrap a hyperlink cell's text)."""
    widths = (5, 5, 31, 27, 5, 9, 5, 8, 7)  # at 100%: the sheet runs to several pages (see print_scale)
    plan = d.plan
    ws = d.add_sheet("checks", widths, landscape=True)
    heights: dict[int, float] = {}
    err_col, warn_col = CHECK_RESULT_COLUMN + 1, CHECK_RESULT_COLUMN + 2
    ws.set_column(err_col, warn_col, 4, None, {"hidden": True})
    letter = {c: a1(0, c).rstrip("1") for c in (5, CHECK_RESULT_COLUMN, err_col, warn_col, COUNT_COLUMN)}
    rows = check_rows(plan)
    first, last = CHECKS_FIRST_ROW, CHECKS_FIRST_ROW + len(rows) - 1
    n_err = sum(r.weight for r in rows if r.rule.severity is Severity.ERROR)
    n_warn = sum(r.weight for r in rows) - n_err
    ws.merge_range(0, 0, 0, CHECK_RESULT_COLUMN, msg("template.checks.title"), d.fmt["title"])
    heights[0] = 20 * lines_of(msg("template.checks.title"), sum(widths) * 11 / 14) + 6  # 14 pt across the sheet
    filled_formula, filled = _filled(plan)
    d.define_name(FILLED_NAME, f"={filled_formula}")

    def unless_blank(formula: str, value: object) -> tuple[str, object]:
        return f'=IF({FILLED_NAME}=0,"{UNFILLED}",{formula})', value if filled else UNFILLED

    count = d.add_format({**STYLES["bold"], "align": "left"})
    for r, key, col, n in ((1, "errors", err_col, n_err), (2, "warnings", warn_col, n_warn)):
        ws.merge_range(r, 0, r, COUNT_COLUMN - 1, msg(f"template.checks.{key}"), d.fmt["bold"])  # room everywhere
        total = f"SUM({letter[col]}{first + 1}:{letter[col]}{last + 1})"
        ws.write_formula(r, COUNT_COLUMN, *_styled(unless_blank(total, n), count))
    headers = [break_at_words(msg(f"template.checks.col.{key}"), w) for key, w in zip(
        ("no", "severity", "rule", "target", "link", "left", "op", "right", "result"), widths, strict=True)]
    for c, header in enumerate(headers):
        ws.write_string(3, c, header, d.fmt["header"])
    heights[3] = 15 * max(lines_of(h, w) for h, w in zip(headers, widths, strict=True)) + 3
    ws.freeze_panes(4, 0)  # no repeated header row when printed: Gnumeric does not repeat it (see below)
    for i, check in enumerate(rows):
        row = first + i
        left, right, _ = check.cached
        ws.write_number(row, 0, i + 1, d.fmt["plain"])
        ws.write_string(row, 1, msg(f"annotate.severity.{check.rule.severity}"), d.fmt["plain"])
        ws.write_string(row, 2, check.rule.title.zh, d.fmt["plain"])
        ws.write_string(row, 3, check.target, d.fmt["plain"])
        heights[row] = 15 * max(lines_of(check.rule.title.zh, widths[2]), lines_of(check.target, widths[3])) + 3
        if check.link is not None:
            ws.write_url(row, 4, link_to(check.link), d.fmt["link"], msg("template.checks.go"))
        ws.write_formula(row, 5, f"={check.left}", None, left)
        if check.op:
            ws.write_string(row, 6, check.op)
        if check.right is not None:
            ws.write_formula(row, 7, f"={check.right}", None, right)
        verdict = f'IF({check.fails},"{FAIL}","{PASS}")'
        if check.unassessed:
            verdict = f'IF({check.unassessed},"{UNASSESSED}",{verdict})'
        formula, shown = unless_blank(verdict, check.result)
        ws.write_formula(row, CHECK_RESULT_COLUMN, formula, None, shown)
        helper = err_col if check.rule.severity is Severity.ERROR else warn_col
        counted = f"{letter[5]}{row + 1}" if check.per_cell else "1"  # the figure (left) column counts cells
        ws.write_formula(row, helper, f'=IF({letter[CHECK_RESULT_COLUMN]}{row + 1}="{FAIL}",{counted},0)', None,
                         check.weight)
    ws.conditional_format(first, CHECK_RESULT_COLUMN, last, CHECK_RESULT_COLUMN,
                          {"type": "cell", "criteria": "==", "value": f'"{FAIL}"', "format": d.fmt["bad"]})
    corner = f"{letter[COUNT_COLUMN]}2"
    ws.conditional_format(1, COUNT_COLUMN, 2, COUNT_COLUMN, {"type": "formula", "format": d.fmt["bad"],
                                                             "criteria": f"=AND(ISNUMBER({corner}),{corner}>0)"})
    note_row = last + 2
    ws.merge_range(note_row, 0, note_row, CHECK_RESULT_COLUMN, msg("template.checks.others"), d.fmt["plain"])
    heights[note_row] = 15 * lines_of(msg("template.checks.others"), sum(widths)) + 3
    others = [r for r in plan.spec.rules if r.type != "guidance" and not has_live_form(r)]
    for j, rule in enumerate(others):
        ws.write_string(note_row + 1 + j, 1, msg(f"annotate.severity.{rule.severity}"), d.fmt["plain"])
        ws.write_string(note_row + 1 + j, 2, rule.title.zh, d.fmt["plain"])
        heights[note_row + 1 + j] = 15 * lines_of(rule.title.zh, widths[2]) + 3
    for row, height in heights.items():
        ws.set_row(row, height)
    rows_printed = [heights.get(r, 15.0) for r in range(max(heights) + 1)]
    ws.set_h_pagebreaks(page_breaks(rows_printed, GNUMERIC_PAGE_ROWS))


def _styled(formula_value: tuple[str, object], style: Any) -> tuple[str, Any, object]:
    """(formula, value) → (formula, style, value), the order ``write_formula`` takes."""
    return formula_value[0], style, formula_value[1]


def _filled(plan: Plan) -> tuple[str, int]:
    """A formula counting the cells filled in anywhere (table inputs, 基本信息, 正文) and its value on the data."""
    fields = [f.id for f in plan.spec.info_fields if f.kind != "format"]
    refs = [*plan.input_ranges(), *(ref(plan.info_at[f]) for f in fields), *(ref(w) for w in plan.text_at.values())]
    count = sum(1 for k, c in plan.spec.cells.items() if c.kind is CellKind.INPUT and plan.written(k) != "blank")
    count += sum(1 for f in fields if plan.data.info.get(f, ""))  # COUNTA counts a cell of spaces too
    count += sum(1 for s in plan.spec.text_sections if plan.data.text(s.id))
    return "+".join(f"COUNTA({r})" for r in refs), count
