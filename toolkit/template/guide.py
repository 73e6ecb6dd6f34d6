"""The template's 填写说明 sheet: the format's own instructions, the counting conventions, the narrative
placeholders and the standard sentences, all from the format file."""

from __future__ import annotations

from xlsxwriter.worksheet import Worksheet

from toolkit.messages import msg
from toolkit.template.plan import Drawing
from toolkit.template.style import lines_of


def guide_sheet(d: Drawing) -> None:
    """填写说明: numbered instructions, then counting conventions, placeholders and standard sentences."""
    ws = d.add_sheet("guide", (5, 66))
    ws.merge_range(0, 0, 0, 1, msg("template.guide.title"), d.fmt["title"])
    row = 2
    for i, line in enumerate(d.plan.spec.instructions, start=1):
        row = _guide_line(d, ws, row, f"{i}.", line)
    guidance = [r for r in d.plan.spec.rules if r.type == "guidance"]
    if guidance:
        row = _guide_heading(d, ws, row + 1, msg("template.guide.counting"))
        for rule in guidance:
            row = _guide_line(d, ws, row, "•", f"{rule.title.zh}：{rule.message.zh}")
    if d.plan.spec.placeholders:
        row = _guide_heading(d, ws, row + 1, msg("template.guide.placeholders"))
        for name, key in d.plan.spec.placeholders.items():
            row = _guide_line(d, ws, row, "", f"{{{name}}}　{_placeholder_label(d, key)}")
    if d.plan.spec.standard_sentences:
        row = _guide_heading(d, ws, row + 1, msg("template.guide.sentences"))
        for sentence in d.plan.spec.standard_sentences:
            row = _guide_line(d, ws, row, "•", f"{sentence.title}：{sentence.text}")


def _placeholder_label(d: Drawing, key: str) -> str:
    """What a placeholder stands for: a table cell's label or a 基本信息 field's."""
    if key in d.plan.spec.cells:
        return d.plan.spec.cells[key].label
    field_id = key.removeprefix("info.")
    return next((f"{d.plan.spec.sheets['info']}：{f.label}" for f in d.plan.spec.info_fields if f.id == field_id), key)


def _guide_heading(d: Drawing, ws: Worksheet, row: int, text: str) -> int:
    ws.write_string(row, 1, text, d.fmt["bold"])
    return row + 1


def _guide_line(d: Drawing, ws: Worksheet, row: int, number: str, text: str) -> int:
    if number:
        ws.write_string(row, 0, number, d.fmt["plain"])
    ws.write_string(row, 1, text, d.fmt["plain"])
    ws.set_row(row, 15 * lines_of(text, 66) + 3)
    return row + 1
