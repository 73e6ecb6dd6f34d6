"""The standard workbook (``toolkit template``): the official tables for filling in Excel, WPS or LibreOffice.

The only xlsxwriter user. Everything it writes comes from the format spec: labels, layout
(:mod:`~toolkit.template.layout`, planned by :mod:`~toolkit.template.plan`), value kinds (data validation),
totals (SUM formulas), and the rules — each linear check of the format becomes a live pass/fail formula on the
校验 sheet and a conditional format that turns the cells of a failing check red while the user types (the same
:class:`~toolkit.rules.linear.LinearCheck` the checker evaluates, so the two agree).

Cached formula results are always the true values of the data written (0 for a blank template), because WPS and
LibreOffice may show cached results without recalculating. A hidden marker (defined names ``GK.<cell key>``,
``GK.info.<field>``, ``GK.text.<section>``, ``GK.format`` → 基本信息's 格式 cell) lets the reader
find every cell after rows are inserted or sheets renamed.

Only classic features that Excel 2010+, WPS and LibreOffice share: data validation, formula conditional formats
on the same sheet, sheet protection without a password, SUM/IF/ABS/COUNT/COUNTA.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from toolkit.data import ReportData
from toolkit.record import replace
from toolkit.spec.models import ReportSpec
from toolkit.template.style import FONT, rectangles
from toolkit.untrusted import xml_text

TYPE_CHECKING = False  # not typing's: the check path does not import typing (mypy knows the name)
if TYPE_CHECKING:
    import datetime as dt
    from typing import Any

    from toolkit.template.checks import CheckRow

_FROM_CHECKS = ("CHECKS_FIRST_ROW", "CHECK_RESULT_COLUMN", "FAIL", "PASS", "CheckRow")
"""Names of :mod:`toolkit.template.checks` this package re-exports, imported on first use: a check imports this
package (for the 说明 sheet's layout) and must not pay for the 校验 sheet's modules."""


def __getattr__(name: str) -> Any:
    """A re-exported name of :mod:`toolkit.template.checks`, imported the first time it is asked for; FIXED_DATE
    (made on first use: a check imports this package and not :mod:`datetime`)."""
    if name == "FIXED_DATE":
        return _fixed_date()
    if name not in _FROM_CHECKS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module("toolkit.template.checks"), name)


__all__ = ["CHECKS_FIRST_ROW", "CHECK_RESULT_COLUMN", "FAIL", "FIXED_DATE", "FONT", "PASS", "CheckRow",
           "blank_template_name", "build_template", "check_sheet_rows", "default_report_year",
           "is_future_year", "rectangles", "regenerate"]

def _fixed_date() -> dt.datetime:
    """FIXED_DATE: the document creation date written into every template (the 2021 format's date), so output is
    reproducible."""
    import datetime as dt

    return dt.datetime(2021, 9, 26)


def build_template(
    spec: ReportSpec,
    path: Path,
    *,
    organ: str = "",
    year: int | None = None,
    data: ReportData | None = None,
    extra_sheets: Sequence[tuple[str, Sequence[Sequence[object]]]] = (),
    comments: Mapping[str, str] | None = None,
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
    info = {k: xml_text(v) for k, v in info.items()}  # a unit's \x0b would make the cached results invalid XML
    texts = {k: replace(t, text=xml_text(t.text)) for k, t in data.texts.items()}
    data = ReportData(spec.id, info, dict(data.values), texts)

    import xlsxwriter  # here, not at the top: a check imports this package for its constants, never xlsxwriter

    from toolkit.fileio import write_atomic
    from toolkit.template.builder import Builder
    from toolkit.template.plan import Plan
    from toolkit.template.sheet import Sheet

    def write(tmp: Path) -> None:
        wb = xlsxwriter.Workbook(str(tmp), {"default_format_properties": {"font_name": FONT, "font_size": 11},
                                            "strings_to_numbers": False, "strings_to_formulas": False,
                                            "strings_to_urls": False})
        wb.set_properties({"title": spec.report_title(info.get("organ", ""), info.get("year", "")),
                           "subject": spec.format_title, "author": "gk-toolkit", "comments": spec.issuing_document,
                           "created": _fixed_date()})
        wb.set_calc_mode("auto")
        wb.worksheet_class = Sheet  # xlsxwriter's, with a shorter way through its formula preparation
        Builder(wb, Plan(spec, data), extra_sheets, comments or {}).build()
        wb.close()

    return write_atomic(Path(path), write)


def check_sheet_rows(spec: ReportSpec, data: ReportData | None = None) -> list[CheckRow]:
    """The rows the 校验 sheet has for ``data`` (from :data:`CHECKS_FIRST_ROW` on), with their cached results."""
    from toolkit.template.checks import check_rows
    from toolkit.template.plan import Plan

    return check_rows(Plan(spec, data if data is not None else ReportData(spec.id)))


def regenerate(folder: Path) -> list[Path]:
    """Rewrite the blank templates in ``folder`` (one per format); returns their paths."""
    from toolkit.spec.load import available_formats, load_spec

    folder.mkdir(parents=True, exist_ok=True)
    return [build_template(load_spec(fid), folder / blank_template_name(fid)) for fid in available_formats()]


def default_report_year(today: dt.date | None = None) -> int:
    """The report year being prepared on ``today``: reports on a year are written from November to the end of
    January (published by 31 January), so this year from November on, last year before."""
    import datetime as dt

    today = today or dt.date.today()
    return today.year if today.month >= 11 else today.year - 1


def is_future_year(year: int, today: dt.date | None = None) -> bool:
    """Whether ``year`` has not yet begun on ``today`` (a report on it cannot exist yet)."""
    import datetime as dt

    return year > (today or dt.date.today()).year


def blank_template_name(format_id: str) -> str:
    """``年报模板-2021格式.xlsx``."""
    return f"年报模板-{format_id}格式.xlsx"
