"""Terminal presentation of check results with rich: a summary line and a table of findings."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from toolkit.messages import msg
from toolkit.rules.findings import CheckResult, Finding
from toolkit.spec.models import Severity

if TYPE_CHECKING:
    from toolkit.batch import UnitRow

_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "dim"}


def _where(finding: Finding) -> str:
    located = [c for c in finding.cells if c.location is not None]
    if located:
        first = located[0].location
        assert first is not None
        more = f" 等{len(located)}格" if len(located) > 1 else ""
        return f"{first.sheet}!{first.cell}{more}"
    return finding.cells[0].label if finding.cells else ""


def summary_line(result: CheckResult, lang: str = "zh") -> str:
    """One line: who, which year and format, how many errors/warnings/infos."""
    name = result.source.name if result.source else ""
    return msg(
        "present.summary", lang,
        file=name, organ=result.organ or msg("present.unknown_organ", lang),
        year=result.year or "?", format=result.format_id, errors=result.errors, warnings=result.warnings,
        infos=result.count(Severity.INFO),
    )


def print_check(console: Console, result: CheckResult, lang: str = "zh") -> None:
    """Print the findings table (if any) and the summary for one checked workbook."""
    if result.findings:
        table = Table(show_lines=False, header_style="bold", expand=False)
        for key in ("severity", "where", "message", "expected", "actual"):
            table.add_column(msg(f"annotate.col.{key}", lang), overflow="fold")
        for f in result.findings:
            style = _STYLE[f.severity]
            message = escape(f.message.get(lang))
            if f.hint and f.severity is not Severity.INFO:
                message += f"\n[dim]{escape(msg('annotate.hint', lang) + f.hint.get(lang))}[/dim]"
            table.add_row(
                f"[{style}]{msg(f'annotate.severity.{f.severity.value}', lang)}[/]",
                escape(_where(f)),
                message,
                "" if f.expected is None else escape(str(f.expected)),
                "" if f.actual is None else escape(str(f.actual)),
            )
        console.print(table)
    style = "bold red" if result.errors else ("yellow" if result.warnings else "bold green")
    console.print(f"[{style}]{escape(summary_line(result, lang))}[/]")
    if result.annotated:
        console.print(escape(msg("present.annotated", lang, path=result.annotated)))


def print_batch(console: Console, rows: list[UnitRow], summary: Path) -> None:
    """The folder summary: one line per unit (unit, year, format, errors, warnings, status), then totals."""
    from toolkit.batch import SUMMARY_COLUMNS

    table = Table(header_style="bold")
    for name in SUMMARY_COLUMNS[:8]:
        table.add_column(name, overflow="fold")
    styles = {"通过": "green", "有警告": "yellow", "有错误": "bold red", "无法读取": "bold red"}
    for i, row in enumerate(rows, start=1):
        table.add_row(
            str(i), escape(row.organ or "—"), str(row.year or ""), row.format_id, str(row.errors),
            str(row.warnings), f"[{styles[row.status]}]{row.status}[/]",
            escape(row.file.name + (f"\n{row.problem}" if row.problem else "")),
        )
    console.print(table)
    ok = sum(1 for r in rows if r.exit_code == 0)
    bad = sum(1 for r in rows if r.exit_code == 1)
    console.print(msg("present.batch.title", total=len(rows), ok=ok, bad=bad, broken=len(rows) - ok - bad))
    console.print(escape(msg("present.batch.written", path=summary)))
