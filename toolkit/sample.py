"""Generated report data: random but consistent (every error-level sum rule holds), for tests, examples,
benchmarks and demos. Deterministic for a given seed.
"""

from __future__ import annotations

import random

from toolkit.data import Number, ReportData
from toolkit.spec.models import CellKind, ReportSpec, ValueKind

MAIN_OUTCOMES = frozenset({"granted", "partial"})
"""三's outcomes most applications get; the other outcome items are drawn smaller, as in real reports."""


def consistent_numbers(spec: ReportSpec, rng: random.Random, *, scale: int = 20) -> dict[str, Number]:
    """Random values for every cell such that all totals, the 三 balance and the 二 plausibility rules hold.

    Inputs are drawn first; totals are then computed from their ``sum_of`` (deepest first), and
    三's 本年新收 is set so that 一 + 二 = （七） + 四 in every column, a few applications carried each way.
    """
    values: dict[str, Number] = {}
    for cell in spec.cells.values():
        if cell.kind is CellKind.TOTAL:
            continue
        if cell.value is ValueKind.SIGNED_COUNT:
            values[cell.key] = rng.randint(-scale // 2, scale // 2)
        elif cell.value is ValueKind.AMOUNT:
            values[cell.key] = round(rng.uniform(0, scale), 2)
        elif cell.table == "s3" and cell.row not in MAIN_OUTCOMES:
            values[cell.key] = rng.randint(0, max(scale // 5, 1))
        else:
            values[cell.key] = rng.randint(0, scale)
    _plausible_table2(spec, values, rng)
    _balance_table3(spec, values, rng)
    _fill_totals(spec, values)
    return values


def _plausible_table2(spec: ReportSpec, values: dict[str, Number], rng: random.Random) -> None:
    """Make 二（一） satisfy the format's ≤ rules (issued ≤ in force + repealed; new published ≤ total)."""
    for row in ("regulations", "normative_documents"):
        base = f"s2_20_1.{row}."
        if base + "in_force" in spec.cells:
            values[base + "in_force"] = int(values[base + "issued"]) + rng.randint(0, 30)
        if base + "total_published" in spec.cells:
            values[base + "total_published"] = int(values[base + "new_published"]) + rng.randint(0, 30)


def _balance_table3(spec: ReportSpec, values: dict[str, Number], rng: random.Random) -> None:
    """Make 一 + 二 = （七） + 四 in every column as real offices do: few carried over or forward, the rest new."""
    table = spec.table("s3")
    total_row = next(r for r in table.rows if r.kind == "total")
    for col in table.columns:
        if col.kind is CellKind.TOTAL:
            continue
        decided = sum(values[f"s3.{r}.{col.id}"] for r in total_row.sum_of)
        carried_over = min(int(values[f"s3.carried_over.{col.id}"]) % 4, decided)
        carried_forward = rng.randint(0, 3)
        values[f"s3.carried_over.{col.id}"] = carried_over
        values[f"s3.carried_forward.{col.id}"] = carried_forward
        values[f"s3.new_received.{col.id}"] = decided + carried_forward - carried_over


def _fill_totals(spec: ReportSpec, values: dict[str, Number]) -> None:
    pending = [c for c in spec.cells.values() if c.kind is CellKind.TOTAL]
    while pending:
        later = []
        for cell in pending:
            if all(p in values for p in cell.sum_of):
                values[cell.key] = sum(values[p] for p in cell.sum_of)
            else:
                later.append(cell)
        if len(later) == len(pending):
            raise ValueError("circular totals: " + ", ".join(c.key for c in later))
        pending = later


SAMPLE_TEXTS: dict[str, str] = {
    "s1": "本年度，本机关认真贯彻落实《中华人民共和国政府信息公开条例》，扎实做好主动公开、依申请公开、政府信息管理、"
    "政府信息公开平台建设和监督保障等工作。",
    "s5": "存在的主要问题是信息发布的时效性有待加强。下一步将完善信息发布审核机制，提升公开质量。",
    "s6": "本年度未收取信息处理费。无其他需要报告的事项。",
}
"""Narrative that passes the text rules of both formats (a clean example, not a real report)."""


def sample_report(
    spec: ReportSpec, seed: int = 0, *, organ: str = "示例镇人民政府", year: int | None = None
) -> ReportData:
    """A complete, clean report for ``spec``: consistent numbers, all info fields, the sample narrative."""
    rng = random.Random(seed)
    report_year = year if year is not None else (spec.last_year or spec.first_year + 5)
    return ReportData.from_numbers(
        spec.id,
        consistent_numbers(spec, rng),
        info={"organ": organ, "year": str(report_year), "format": spec.id, "contact": "张三", "phone": "010-12345678",
              "date": f"{report_year + 1}年1月20日"},
        texts=dict(SAMPLE_TEXTS),
    )
