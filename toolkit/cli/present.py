"""Terminal presentation: a check's findings and summary line and the folder summary as plain lines
(:class:`Plain`, no rich: the hot path's output), and rich tables where one is asked for (``--table``) or the
command is not on the hot path (imports, merges)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

from toolkit.messages import msg
from toolkit.rules.findings import CheckResult, Finding
from toolkit.spec.models import Severity
from toolkit.untrusted import for_terminal

TYPE_CHECKING = False  # not typing's: the check path does not import typing (mypy knows the name)
if TYPE_CHECKING:
    from typing import TextIO

    from rich.console import Console

    from toolkit.api import ImportOutcome
    from toolkit.batch import UnitRow
    from toolkit.merge import MergeOutcome

SAME_CODE_ROWS = 5
"""Rows shown per finding code in the terminal; the rest are counted in one line (all are in --json and the copy)."""

def show(text: object) -> str:
    """``text`` ready for rich markup: control, escape and bidi characters made visible, brackets escaped.

    Every string that reaches the terminal and may hold something from a unit's file goes through here.
    """
    from rich.markup import escape

    return escape(for_terminal(text))


_ANSI = {"bold red": "1;31", "red": "31", "yellow": "33", "green": "32", "bold green": "1;32", "dim": "2",
         "magenta": "35"}


class Plain:
    """Lines on stdout or stderr (looked up at each print, so a test's capture sees them), coloured with ANSI codes
    only on a terminal and without ``NO_COLOR``. Text is made safe by :func:`toolkit.untrusted.for_terminal`."""

    def __init__(self, stderr: bool = False) -> None:
        self.stderr = stderr

    @property
    def stream(self) -> TextIO:
        """Where the lines go now."""
        return sys.stderr if self.stderr else sys.stdout

    def line(self, text: object, style: str = "") -> None:
        """Print ``text`` (untrusted parts and all) as one line, in ``style`` on a terminal."""
        stream = self.stream
        shown = for_terminal(text)
        code = _ANSI.get(style)
        if code and not os.environ.get("NO_COLOR") and stream.isatty():
            shown = f"\x1b[{code}m{shown}\x1b[0m"
        stream.write(shown + "\n")

    def flush(self) -> None:
        """Flush the stream."""
        self.stream.flush()


_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.UNASSESSED: "magenta",
          Severity.INFO: "dim"}


def _where(finding: Finding) -> str:
    located = [c for c in finding.cells if c.location is not None]
    if located:
        first = located[0].location
        assert first is not None
        more = msg("present.more_cells", count=len(located), others=len(located) - 1) if len(located) > 1 else ""
        return f"{first.sheet}!{first.cell}{more}"
    return finding.cells[0].label if finding.cells else ""


def summary_line(result: CheckResult, lang: str = "zh") -> str:
    """One line: who, which year and format, how many errors/warnings/infos."""
    name = result.source.name if result.source else ""
    unassessed = msg("present.unassessed", lang, count=result.unassessed) if result.unassessed else ""
    return msg(
        "present.summary", lang,
        file=name, organ=result.organ or msg("present.unknown_organ", lang),
        year=result.year or "?", format=result.format_id, errors=result.errors, warnings=result.warnings,
        infos=result.count(Severity.INFO),
    ) + unassessed


def _shown_findings(result: CheckResult, lang: str) -> list[Finding | str]:
    """The findings the terminal shows, at most :data:`SAME_CODE_ROWS` per code, each code's rest as one line."""
    totals: dict[str, int] = {}
    for f in result.findings:
        totals[f.code] = totals.get(f.code, 0) + 1
    shown: dict[str, int] = {}
    out: list[Finding | str] = []
    for f in result.findings:
        shown[f.code] = shown.get(f.code, 0) + 1
        if shown[f.code] <= SAME_CODE_ROWS:
            out.append(f)
        elif shown[f.code] == SAME_CODE_ROWS + 1:
            out.append(msg("present.more_same", lang, count=totals[f.code] - SAME_CODE_ROWS, code=f.code))
    return out


def check_lines(plain: Plain, result: CheckResult, lang: str = "zh") -> None:
    """One line per finding shown (level, where, message, expected and actual), its hint under the first of
    its code, then the summary line and the highlighted copy."""
    first: set[str] = set()
    severity = Severity.INFO
    for item in _shown_findings(result, lang):
        if isinstance(item, str):
            plain.line(f"  … {item}", _STYLE[severity])
            continue
        severity = item.severity
        parts = [msg(f"annotate.severity.{item.severity.value}", lang), _where(item), item.message.get(lang)]
        if item.expected is not None:
            parts.append(f"{msg('annotate.col.expected', lang)} {item.expected}")
        if item.actual is not None:
            parts.append(f"{msg('annotate.col.actual', lang)} {item.actual}")
        plain.line("  ".join(str(p) for p in parts if p != ""), _STYLE[item.severity])
        if item.hint and item.severity is not Severity.INFO and item.code not in first:
            plain.line("    " + msg("annotate.hint", lang) + item.hint.get(lang), "dim")
        first.add(item.code)
    style = "bold red" if result.errors else ("yellow" if result.warnings else "bold green")
    plain.line(summary_line(result, lang), style)
    if result.annotated:
        plain.line(msg("present.annotated", lang, path=result.annotated))


def batch_lines(plain: Plain, rows: list[UnitRow], summary: Path | None, skipped: dict[str, int] | None = None,
                lang: str = "zh") -> None:
    """The folder summary: one line per unit with a problem (errors, warnings, unusable), then the totals, what
    was skipped, and the summary workbook (None when it could not be written). Every unit is in the workbook."""
    styles = {"有警告": "yellow", "有错误": "bold red"}
    for i, row in enumerate(rows, start=1):
        if row.exit_code == 0 and not row.warnings:
            continue
        counts = msg("present.batch.counts", lang, errors=row.errors, warnings=row.warnings)
        text = "  ".join(p for p in (f"{i}.", row.status, row.organ or "—", row.file.name, counts, row.problem) if p)
        plain.line(text, styles.get(row.status, "bold red"))
    _batch_totals(plain.line, rows, summary, skipped, lang)


def _batch_totals(line: Callable[[str], None], rows: list[UnitRow], summary: Path | None,
                  skipped: dict[str, int] | None, lang: str = "zh") -> None:
    ok = sum(1 for r in rows if r.exit_code == 0)
    bad = sum(1 for r in rows if r.exit_code == 1)
    line(msg("present.batch.title", lang, total=len(rows), ok=ok, bad=bad, broken=len(rows) - ok - bad))
    text = skipped_line(skipped or {})
    if text:
        line(text)
    if summary is not None:
        line(msg("present.batch.written", lang, path=summary))


def print_check(console: Console, result: CheckResult, lang: str = "zh") -> None:
    """Print the findings table (if any) and the summary for one checked workbook (``--table``)."""
    from rich.table import Table

    if result.findings:
        table = Table(show_lines=False, header_style="bold", expand=False)
        for key in ("severity", "where", "message", "expected", "actual"):
            table.add_column(msg(f"annotate.col.{key}", lang), overflow="fold")
        shown: dict[str, int] = {}
        totals: dict[str, int] = {}
        for f in result.findings:
            totals[f.code] = totals.get(f.code, 0) + 1
        for f in result.findings:
            style = _STYLE[f.severity]
            shown[f.code] = shown.get(f.code, 0) + 1
            if shown[f.code] > SAME_CODE_ROWS:
                if shown[f.code] == SAME_CODE_ROWS + 1:
                    more = msg("present.more_same", lang, count=totals[f.code] - SAME_CODE_ROWS, code=f.code)
                    table.add_row(f"[{style}]…[/]", "", f"[{style}]{show(more)}[/]", "", "")
                continue
            message = show(f.message.get(lang))
            if f.hint and f.severity is not Severity.INFO and shown[f.code] == 1:
                message += f"\n[dim]{show(msg('annotate.hint', lang) + f.hint.get(lang))}[/dim]"
            table.add_row(
                f"[{style}]{msg(f'annotate.severity.{f.severity.value}', lang)}[/]",
                show(_where(f)),
                message,
                "" if f.expected is None else show(str(f.expected)),
                "" if f.actual is None else show(str(f.actual)),
            )
        console.print(table)
    style = "bold red" if result.errors else ("yellow" if result.warnings else "bold green")
    console.print(f"[{style}]{show(summary_line(result, lang))}[/]")
    if result.annotated:
        console.print(show(msg("present.annotated", lang, path=result.annotated)))


def skipped_line(skipped: dict[str, int]) -> str:
    """One line counting what a folder run left out, by reason ("" when nothing was)."""
    if not skipped:
        return ""
    from toolkit.inputs import SKIP_REASONS

    parts = "，".join(msg("batch.skipped.part", reason=msg(f"batch.skip.{reason}"), count=skipped[reason])
                     for reason in SKIP_REASONS if skipped.get(reason))
    return msg("batch.skipped", total=sum(skipped.values()), parts=parts)


def print_batch(console: Console, rows: list[UnitRow], summary: Path | None,
                skipped: dict[str, int] | None = None) -> None:
    """The folder summary: one line per unit (unit, year, format, errors, warnings, status), then totals, what
    was skipped, and the summary workbook (None when it could not be written)."""
    from rich.table import Table

    from toolkit.batch import SUMMARY_COLUMNS

    table = Table(header_style="bold")
    for name in SUMMARY_COLUMNS[:8]:
        table.add_column(name, overflow="fold")
    styles = {"通过": "green", "有警告": "yellow", "有错误": "bold red"}
    for i, row in enumerate(rows, start=1):
        table.add_row(
            str(i), show(row.organ or "—"), str(row.year or ""), show(row.format_id), str(row.errors),
            str(row.warnings), f"[{styles.get(row.status, 'bold red')}]{show(row.status)}[/]",
            show(row.file.name + (f"\n{row.problem}" if row.problem else "")),
        )
    console.print(table)
    _batch_totals(lambda text: console.print(show(text)), rows, summary, skipped)


def print_import(console: Console, outcome: ImportOutcome) -> None:
    """What was imported: organ, year, format, how many values, then every missing and uncertain note."""
    from toolkit.spec.load import load_spec

    result = outcome.result
    source = result.data.source.name if result.data.source else ""
    console.print(show(msg("present.import.done", file=source, path=outcome.path)), style="bold green")
    console.print(show(msg("present.import.summary", organ=result.organ or msg("present.unknown_organ"),
                             year=result.year or "?", format=result.format_id, count=len(result.data.values),
                             total=len(load_spec(result.format_id).cells))))
    for key, notes, style in (("missing", result.missing, "yellow"), ("uncertain", result.uncertain, "bold red")):
        if notes:
            console.print(show(msg(f"present.import.{key}", count=len(notes))), style=style)
            for note in notes:
                console.print(f"  • {show(note)}")
    if not result.missing and not result.uncertain:
        console.print(show(msg("present.import.complete")), style="green")
    console.print(show(msg("present.import.next", path=outcome.path)), style="dim")


def print_merge(console: Console, outcome: MergeOutcome) -> None:
    """The units merged with errors or warnings (unit, file, errors, warnings: a table row each, ~0.7 ms; every
    unit is a column of the 各单位明细 sheet), and the merged workbook written."""
    from rich.table import Table

    table = Table(header_style="bold")
    for key in ("unit", "file", "errors", "warnings"):
        table.add_column(msg(f"present.merge.col.{key}"), overflow="fold")
    for unit, check in zip(outcome.units, outcome.checks, strict=True):
        if check.errors or check.warnings:
            style = "bold red" if check.errors else "yellow"
            table.add_row(show(unit.organ or "—"), show(unit.source.name if unit.source else ""),
                          f"[{style}]{check.errors}[/]", str(check.warnings))
    if table.row_count:
        console.print(table)
    data = outcome.data
    if data is not None:
        console.print(show(msg("present.merge.done", count=len(outcome.units), organ=data.organ,
                                 year=data.year or "?", format=data.format_id, path=outcome.path)),
                      style="bold green")


def print_refusal(console: Console, problems: list[str]) -> None:
    """Why a merge was refused: one line per unit that blocks it."""
    console.print(show(msg("cli.merge.refused")), style="bold red", end="")
    for i, line in enumerate(problems):
        console.print(show(line if i == 0 else f"  {line}"))


def print_json(data: object) -> None:
    """``data`` as JSON on stdout; characters a terminal would act on are JSON escapes."""
    import json

    from toolkit.untrusted import json_for_terminal

    sys.stdout.write(json_for_terminal(json.dumps(data, ensure_ascii=False, indent=2)) + "\n")
    sys.stdout.flush()
