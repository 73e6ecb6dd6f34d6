"""Terminal presentation of check results with rich: a summary line and a table of findings."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from toolkit.messages import msg
from toolkit.rules.findings import CheckResult, Finding
from toolkit.spec.models import Severity

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
