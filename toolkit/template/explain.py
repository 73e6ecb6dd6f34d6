"""The 说明 sheet: one row per warning-level rule, where the unit writes why a warning is not a mistake.

``toolkit check`` then shows that warning as 已说明 with the text and no longer counts it; an empty or placeholder
说明 (无, 已核实) is a finding of its own (rule type ``explanation_quality``). Errors cannot be explained away.
"""

from __future__ import annotations

from toolkit.messages import msg
from toolkit.spec.models import ReportSpec, RuleSpec, Severity
from toolkit.template.style import print_scale

TYPE_CHECKING = False  # not typing's: the check path does not import typing (mypy knows the name)
if TYPE_CHECKING:
    from toolkit.template.plan import Drawing

EXPLANATION_HEADER_ROW = 2
"""0-based row of the header; the rules start below it."""

RULE_ID_COLUMN, TEXT_COLUMN = 2, 3
"""0-based columns of the rule id and of the 说明 the unit writes."""


def sheet_name() -> str:
    """The sheet's name (说明)."""
    return msg("template.notes.sheet")


def explainable_rules(spec: ReportSpec) -> list[RuleSpec]:
    """The rules whose warnings a 说明 can accept: warning level, with a finding code."""
    return [r for r in spec.rules if r.severity is Severity.WARNING and r.code and r.type != "explanation_quality"]


def explanations_sheet(d: Drawing) -> None:
    """序号 | 警告项目 | 规则编号 | 说明 (unlocked, wrapped) for every explainable rule."""
    ws = d.add_worksheet(sheet_name())
    ws.set_paper(9)
    ws.set_landscape()
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    widths = (6, 36, 18, 46)  # narrow enough for A4 landscape at 100% in every application (no fit-to-width)
    for c, width in enumerate(widths):
        ws.set_column(c, c, width)
    ws.set_print_scale(print_scale(widths, landscape=True))
    ws.center_horizontally()
    ws.merge_range(0, 0, 0, 3, msg("template.notes.title"), d.fmt["title"])
    ws.merge_range(1, 0, 1, 3, msg("template.notes.prompt"), d.fmt["prompt"])
    ws.set_row(1, 32)
    for c, key in enumerate(("no", "rule", "id", "text")):
        ws.write_string(EXPLANATION_HEADER_ROW, c, msg(f"template.notes.col.{key}"), d.fmt["header"])
    ws.freeze_panes(EXPLANATION_HEADER_ROW + 1, 0)
    for i, rule in enumerate(explainable_rules(d.plan.spec)):
        row = EXPLANATION_HEADER_ROW + 1 + i
        ws.write_number(row, 0, i + 1, d.fmt["plain"])
        ws.write_string(row, 1, rule.title.zh, d.fmt["plain"])
        ws.write_string(row, RULE_ID_COLUMN, rule.id, d.fmt["plain"])
        ws.write_blank(row, TEXT_COLUMN, None, d.fmt["text"])
        ws.set_row(row, 26)  # two lines; every rule on one landscape page (rows of set height never shrink)
    ws.protect("", {"format_columns": True, "format_rows": True})
