"""Render report data the way many government sites flatten it: the whole body on one line, table cells run
together, stray spaces, the next row's item number glued to the digits. Test helper (no real document's prose)."""

from __future__ import annotations

import random
from collections.abc import Mapping

from toolkit.spec.models import ColumnGroup, ReportSpec, Table


def _group_labels(groups: tuple[ColumnGroup, ...]) -> list[str]:
    out: list[str] = []
    for group in groups:
        out.append(group.label)
    for group in groups:
        out.extend(_group_labels(group.subgroups))
    return out


def _cells(values: list[str], rng: random.Random, spaces: float) -> str:
    """Cells run together, a space after some of them (never a reliable boundary)."""
    out = ""
    for i, v in enumerate(values):
        out += v
        if i < len(values) - 1 and rng.random() < spaces:
            out += rng.choice([" ", "\u3000"])
    return out


def _table(spec: ReportSpec, table: Table, values: Mapping[str, object], rng: random.Random, spaces: float) -> str:
    text = ""
    if table.caption:
        text += table.caption + (table.row_header or "")
    if table.note:
        text += table.note
    if table.column_group_header:
        text += table.column_group_header
    text += "".join(_group_labels(table.column_groups))
    groups = [c.group for c in table.columns if c.group]
    if table.layout == "applications":
        text += table.columns[0].label + (groups[0] if groups else "") + table.columns[-1].label
        text += "".join(c.label for c in table.columns[1:-1])
    else:
        text += "".join(c.label for c in table.columns)
    for row in table.rows:
        text += row.label or ""
        if row.has_cells:
            cells = [str(values[f"{table.id}.{row.id}.{c.id}"]) for c in table.columns]
            text += _cells(cells, rng, spaces)
    return text


def flatten(spec: ReportSpec, values: Mapping[str, object], *, organ: str = "示例县测试局", year: int = 2026,
            seed: int = 0, spaces: float = 0.3) -> str:
    """A one-line report body for ``values`` (cell key → number) in ``spec``'s tables, with a title line."""
    rng = random.Random(seed)
    body = f"根据条例要求编制本报告，所列数据的统计期限为{year}年1月1日至{year}年12月31日。"
    for section in spec.sections:
        body += section.title
        if section.kind == "text":
            body += {"s1": "（一）主动公开情况本年度主动公开各类信息。（二）依申请公开情况依法办理申请。",
                     "s5": "存在的问题是公开内容还不够丰富，下一步将加强培训。",
                     "s6": "本年度未收取信息处理费。"}[section.id]
        for tid in section.tables:
            body += _table(spec, spec.table(tid), values, rng, spaces)
    body += f" {organ}{year + 1}年1月20日"
    return f"{organ}{year}年政府信息公开工作年度报告\n{body}"
