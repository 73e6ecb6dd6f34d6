"""The report as plain Markdown, readable in a diff: one line per paragraph and per table row.

Paragraph leads such as （一）… stay plain text: CommonMark does not close ** between CJK punctuation and a
CJK character.

Tables without spans (二's sub-tables: a caption and one header row) are pipe tables with the caption as a bold
line above; tables whose headers or row labels span (三, 四) are HTML tables, one <tr> per line, with
rowspan/colspan, which Markdown viewers display as they are.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from toolkit.messages import msg
from toolkit.render.model import GridCell, ReportModel, TableModel

_INLINE = re.compile(r"([\\`*_<>\[\]])")


def _escape(text: str) -> str:
    """Backslash-escape what Markdown would read as markup; a leading # would make a heading."""
    text = _INLINE.sub(r"\\\1", text)
    return "\\" + text if text.startswith("#") else text


def _pipe_cell(text: str) -> str:
    return _escape(text).replace("|", "\\|")


def _pipe_table(table: TableModel) -> list[str]:
    rows = table.rows()
    lines = []
    start = 0
    if rows and len(rows[0]) == 1 and rows[0][0].role == "caption":
        lines += [f"**{_escape(rows[0][0].text)}**", ""]
        start = 1
    header, body = rows[start], rows[start + 1:]
    lines.append("| " + " | ".join(_pipe_cell(c.text) for c in header) + " |")
    lines.append("|" + "|".join(":---" if c.role == "corner" else ":---:" for c in header) + "|")
    lines += ["| " + " | ".join(_pipe_cell(c.text) for c in row) + " |" for row in body]
    return lines


def _html_cell(cell: GridCell) -> str:
    tag = "th" if cell.role != "value" else "td"
    spans = (f' rowspan="{cell.rowspan}"' if cell.rowspan > 1 else "") + (
        f' colspan="{cell.colspan}"' if cell.colspan > 1 else "")
    return f"<{tag}{spans}>{html.escape(cell.text, quote=False)}</{tag}>"


def _html_table(table: TableModel) -> list[str]:
    rows = table.rows()
    lines = [f'<table id="{table.id}">', "<thead>"]
    lines += ["<tr>" + "".join(_html_cell(c) for c in row) + "</tr>" for row in rows[: table.header_rows]]
    lines += ["</thead>", "<tbody>"]
    lines += ["<tr>" + "".join(_html_cell(c) for c in row) + "</tr>" for row in rows[table.header_rows:]]
    lines += ["</tbody>", "</table>"]
    return lines


def markdown_text(model: ReportModel) -> str:
    """The report's Markdown."""
    lines: list[str] = []
    if model.notice:
        lines.append("> **" + _escape(msg("render.forced.notice", count=len(model.notice))) + "**")
        lines.append(">")
        lines += [f"> {n}. {_escape(m)}" for n, m in enumerate(model.notice, start=1)]
        lines.append("")
    lines += [f"# {_escape(model.title)}", ""]
    for section in model.sections:
        lines += [f"## {_escape(section.title)}", ""]
        for p in section.paragraphs:
            lines += [_escape(p.text), ""]
        if section.blank:
            lines += [_escape(msg("render.section.blank")), ""]
        for table in section.tables:
            lines += [*(_html_table(table) if table.spans_matter else _pipe_table(table)), ""]
    if model.date:
        for text in (model.organ, model.date):
            if text:
                lines += [_escape(text), ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def write_markdown(model: ReportModel, target: Path) -> None:
    """Write ``model`` as Markdown (UTF-8) at ``target``."""
    target.write_text(markdown_text(model), encoding="utf-8", newline="\n")
