"""The template's 填写说明 sheet: the format's own instructions, the counting conventions, the narrative
placeholders and the standard sentences, all from the format file."""

from __future__ import annotations

from typing import TYPE_CHECKING

from xlsxwriter.worksheet import Worksheet

from toolkit.messages import msg
from toolkit.template.style import lines_of

if TYPE_CHECKING:
    from toolkit.template.builder import Builder


def guide_sheet(b: Builder) -> None:
    """填写说明: numbered instructions, then counting conventions, placeholders and standard sentences."""
    ws = b.add_sheet("guide", (5, 66))
    ws.merge_range(0, 0, 0, 1, msg("template.guide.title"), b.fmt["title"])
    row = 2
    for i, line in enumerate(b.spec.instructions, start=1):
        row = _guide_line(b, ws, row, f"{i}.", line)
    guidance = [r for r in b.spec.rules if r.type == "guidance"]
    if guidance:
        row = _guide_heading(b, ws, row + 1, msg("template.guide.counting"))
        for rule in guidance:
            row = _guide_line(b, ws, row, "•", f"{rule.title.zh}：{rule.message.zh}")
    if b.spec.placeholders:
        row = _guide_heading(b, ws, row + 1, msg("template.guide.placeholders"))
        for name, key in b.spec.placeholders.items():
            row = _guide_line(b, ws, row, "", f"{{{name}}}　{_placeholder_label(b, key)}")
    if b.spec.standard_sentences:
        row = _guide_heading(b, ws, row + 1, msg("template.guide.sentences"))
        for sentence in b.spec.standard_sentences:
            row = _guide_line(b, ws, row, "•", f"{sentence.title}：{sentence.text}")


def _placeholder_label(b: Builder, key: str) -> str:
    """What a placeholder stands for: a table cell's label or a 基本信息 field's."""
    if key in b.spec.cells:
        return b.spec.cells[key].label
    field_id = key.removeprefix("info.")
    return next((f"{b.spec.sheets['info']}：{f.label}" for f in b.spec.info_fields if f.id == field_id), key)


def _guide_heading(b: Builder, ws: Worksheet, row: int, text: str) -> int:
    ws.write_string(row, 1, text, b.fmt["bold"])
    return row + 1


def _guide_line(b: Builder, ws: Worksheet, row: int, number: str, text: str) -> int:
    if number:
        ws.write_string(row, 0, number, b.fmt["plain"])
    ws.write_string(row, 1, text, b.fmt["plain"])
    ws.set_row(row, 15 * lines_of(text, 66) + 3)
    return row + 1
