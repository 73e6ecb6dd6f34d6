"""Merging units into one summary (``toolkit merge``): every cell is the sum over the units.

Refuses, with the list, when units disagree on year or format, when the same organ's report for the same year
comes twice (unless ``keep`` says which to keep), or when a unit has error-level findings (unless forced).
The merged data is in the same format, so it checks and renders like any report. Each unit's narrative is
gathered under 【单位】 with its placeholders filled from *that unit's* figures, never from the merged totals.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from toolkit.checking import check_read
from toolkit.data import CellValue, Number, ReportData, TextValue, organ_key
from toolkit.messages import msg
from toolkit.normalise import exact_sum
from toolkit.rules.findings import CheckResult
from toolkit.spec.models import ReportSpec

CONTRIBUTION_SHEET = "各单位明细"
"""Title of the merged workbook's sheet listing each unit's figures."""


class Unit(NamedTuple):
    """One unit as a merge uses it: its name, year and format, each cell's figure, its narrative already marked
    【单位】 and filled from its own figures. Made where the unit is read (:func:`as_unit`, in a worker), so that
    the process that merges receives a few plain dicts per unit instead of its whole :class:`ReportData`."""

    source: Path | None
    """The file it was read from."""
    organ: str
    """The organ's name ("" if unknown), as :attr:`ReportData.organ`."""
    year: int | None
    """The report year, as :attr:`ReportData.year`."""
    format_id: str
    """The format the unit is in."""
    values: dict[str, Number | None]
    """Every cell read: its value (None when blank, a placeholder, text or an Excel error), as 各单位明细 shows it."""
    summed: dict[str, Number]
    """The cells a sum can be made with (:attr:`CellValue.summable`): what each adds to the merged total
    (:attr:`CellValue.as_number`)."""
    texts: dict[str, list[str]]
    """Each narrative section the unit has: its non-blank lines, each marked 【单位】, placeholders filled from this
    unit's own figures (what cannot be filled made literal)."""

    def number(self, key: str) -> Number:
        """The cell's value for arithmetic (0 for blank/placeholder/missing), as :meth:`ReportData.number`."""
        return self.summed.get(key, 0)


def as_unit(data: ReportData) -> Unit:
    """``data`` as the merge uses it (:class:`Unit`): the one place a unit's figures and texts are taken."""
    values: dict[str, Number | None] = {}
    summed: dict[str, Number] = {}
    for key, cv in data.values.items():
        values[key] = cv.value
        if cv.summable:
            summed[key] = cv.as_number
    return Unit(data.source, data.organ, data.year, data.format_id, values, summed, _marked_texts(data))


def _marked_texts(data: ReportData) -> dict[str, list[str]]:
    """Each section of ``data``: its lines marked 【单位】, its placeholders filled from ``data`` (a placeholder left
    as written would be filled from the merged totals by ``report``: a false number)."""
    name = _unit_name(data)
    texts: dict[str, list[str]] = {}
    for section in data.texts:
        text = data.text(section)
        if "{" in text:  # what stays unfilled is made literal, so that no later step fills it with totals
            from toolkit.render.model import fill_placeholders
            from toolkit.rules.placeholders import PLACEHOLDER
            from toolkit.spec.load import load_spec

            filled = fill_placeholders(load_spec(data.format_id), data, text)
            text = PLACEHOLDER.sub(lambda m: f"｛{m.group(1)}｝", filled)
        texts[section] = [f"【{name}】{line.strip()}" for line in text.splitlines() if line.strip()]
    return texts


@dataclass
class MergeOutcome:
    """The merged report, each unit's part, and why the merge was refused (if it was)."""

    data: ReportData | None
    """The summed report (None when refused)."""
    units: list[Unit] = field(default_factory=list)
    """The units, in input order."""
    problems: list[str] = field(default_factory=list)
    """Chinese lines naming each unit that blocks the merge and why."""
    checks: list[CheckResult] = field(default_factory=list)
    """Each unit's check."""
    path: Path | None = None
    """The merged workbook, once written (:func:`write_merged`)."""
    duplicates: list[list[Unit]] = field(default_factory=list)
    """Groups of units that are the same organ's report for the same year (refused unless resolved by ``keep``)."""
    left_out: list[Unit] = field(default_factory=list)
    """Duplicates left out by ``keep``."""
    exit_code: int = 0
    """0 merged, 1 refused for the units' data (year, format, errors), 2 refused as unusable (duplicates)."""

    @property
    def refused(self) -> bool:
        """True when the merge was refused."""
        return self.data is None

    @property
    def forced_errors(self) -> int:
        """Error-level findings of the units merged despite them (``force``)."""
        return sum(r.errors for r in self.checks) if self.data is not None else 0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready description (``merge --json``)."""
        data = self.data
        checks: list[CheckResult | None] = [*self.checks, *[None] * (len(self.units) - len(self.checks))]
        return {
            "output": str(self.path) if self.path else None,
            "refused": self.refused,
            "problems": list(self.problems),
            "organ": data.organ if data else None,
            "year": data.year if data else None,
            "format": data.format_id if data else None,
            "units": [{"file": str(u.source) if u.source else None, "organ": u.organ, "year": u.year,
                       "format": u.format_id, "errors": r.errors if r else None,
                       "warnings": r.warnings if r else None} for u, r in zip(self.units, checks, strict=True)],
            "values": {k: v.value for k, v in data.values.items()} if data else {},
            "duplicates": [[str(u.source) if u.source else _unit_name(u) for u in group] for group in self.duplicates],
            "left_out": [str(u.source) if u.source else _unit_name(u) for u in self.left_out],
        }


def _unit_name(data: ReportData | Unit) -> str:
    return data.organ or (data.source.name if data.source else "（未命名单位）")


KEEP_NEWEST = "newest"
"""``keep`` value: of each duplicate group keep the file modified last."""


def _mtime(unit: Unit) -> float:
    with contextlib.suppress(OSError):
        if unit.source is not None:
            return unit.source.stat().st_mtime
    return 0.0


def _is_kept(unit: Unit, keep: Sequence[str]) -> bool:
    if unit.source is None:
        return False
    for wanted in keep:
        with contextlib.suppress(OSError):
            if unit.source.resolve() == Path(wanted).resolve() or unit.source.samefile(wanted):
                return True
    return False


def find_duplicates(units: Sequence[Unit]) -> list[list[Unit]]:
    """Groups (in input order) of units that are the same organ's report for the same year; unnamed units never
    match each other (their own check reports the missing name)."""
    groups: dict[tuple[str, int | None], list[Unit]] = {}
    for unit in units:
        key = organ_key(unit.organ)
        if key:
            groups.setdefault((key, unit.year), []).append(unit)
    return [group for group in groups.values() if len(group) > 1]


def resolve_duplicates(outcome: MergeOutcome, keep: Sequence[str]) -> list[Unit]:
    """The units to merge: each duplicate group reduced to the one ``keep`` names (``newest``, or a file);
    groups it does not resolve are listed in ``outcome.problems`` (then the merge is refused, exit 2)."""
    units = outcome.units
    outcome.duplicates = find_duplicates(units)
    dropped: list[Unit] = []
    unresolved: list[list[Unit]] = []
    for group in outcome.duplicates:
        newest = KEEP_NEWEST in keep
        chosen = [max(reversed(group), key=_mtime)] if newest else [u for u in group if _is_kept(u, keep)]
        if len(chosen) != 1:
            unresolved.append(group)
            continue
        dropped += [u for u in group if u is not chosen[0]]
    if unresolved:
        outcome.problems.append(msg("merge.duplicates"))
        for group in unresolved:
            files = "、".join(u.source.name if u.source else "（内存）" for u in group)
            outcome.problems.append(msg("merge.duplicate_group", organ=_unit_name(group[0]),
                                        year=group[0].year or "?", count=len(group), files=files))
        outcome.problems.append(msg("merge.duplicates_hint"))
        outcome.exit_code = 2
    outcome.left_out = dropped
    return [u for u in units if not any(u is d for d in dropped)]


def merge_reports(units: Sequence[ReportData | Unit], *, organ: str = "", force: bool = False,
                  keep: Sequence[str] = (), checks: Sequence[CheckResult] | None = None) -> MergeOutcome:
    """Sum ``units`` cell by cell into one report named ``organ`` (default: first unit's name + 等N个单位汇总).

    Blank cells count as 0; a value that is not a number is left out of the sum (and the unit's check
    reports it). The same organ and year twice is refused, naming the files, unless ``keep`` holds
    :data:`KEEP_NEWEST` or the file of each duplicate to keep. Each narrative section gathers the units' texts,
    each paragraph marked 【单位】 with the unit's placeholders filled from the unit's own figures, as the draft
    from which the summary's own text is written. ``units``: each unit's data, or its :class:`Unit` (what
    :func:`read_units` gives); ``checks``: each unit's check (:func:`toolkit.checking.check_read`), when already
    done (:func:`read_units` checks each unit where it reads it; a :class:`Unit` cannot be checked here).
    """
    if checks is None and any(isinstance(u, Unit) for u in units):
        raise ValueError("merge_reports: a Unit comes with its check (checks=, as read_units gives them)")
    merging = [u if isinstance(u, Unit) else as_unit(u) for u in units]
    done = {id(m): r for m, r in zip(merging, checks, strict=True)} if checks is not None else {}
    read = {id(m): u for m, u in zip(merging, units, strict=True) if isinstance(u, ReportData)}
    outcome = MergeOutcome(data=None, units=merging)
    if not merging:
        outcome.problems.append("没有可汇总的单位")
        return outcome
    merging = resolve_duplicates(outcome, keep)
    if outcome.problems:
        return outcome
    outcome.units = merging
    formats = {u.format_id for u in merging}
    years = {u.year for u in merging}
    if len(formats) > 1 or len(years) > 1:
        for u in merging:
            outcome.problems.append(f"{_unit_name(u)}：{u.year or '年度未填'}年度，{u.format_id}格式")
        outcome.problems.insert(0, "各单位的报告年度或格式不一致，不能汇总：")
        outcome.exit_code = 1
        return outcome
    outcome.checks = [done[id(u)] if id(u) in done else check_read(read[id(u)]) for u in merging]
    failing = [(u, r) for u, r in zip(merging, outcome.checks, strict=True) if r.errors]
    if failing and not force:
        outcome.problems.append("以下单位的年报表有错误，请先改正（或加 --force 强制汇总）：")
        outcome.problems += [f"{_unit_name(u)}：错误 {r.errors} 项" for u, r in failing]
        outcome.exit_code = 1
        return outcome
    fid = merging[0].format_id
    parts: dict[str, list[Number]] = {}
    for unit in merging:
        for key, number in unit.summed.items():
            if key in parts:
                parts[key].append(number)
            else:
                parts[key] = [number]
    totals = {key: exact_sum(values) for key, values in parts.items()}
    name = organ or f"{_unit_name(merging[0])}等{len(merging)}个单位汇总"
    year = merging[0].year
    outcome.data = ReportData(
        format_id=fid,
        info={"organ": name, "year": str(year) if year else "", "format": fid},
        values={k: CellValue(k, v, v) for k, v in totals.items()},
        texts=_gathered_texts(merging),
    )
    return outcome


def _gathered_texts(units: list[Unit]) -> dict[str, TextValue]:
    """Each section any unit has: every unit's marked paragraphs (:attr:`Unit.texts`), in unit order."""
    sections = {s for u in units for s in u.texts}
    texts = {}
    for section in sorted(sections):
        lines = [line for unit in units for line in unit.texts.get(section, ())]
        texts[section] = TextValue(section, "\n".join(lines))
    return texts


def contribution_rows(outcome: MergeOutcome, labels: dict[str, str]) -> list[list[object]]:
    """The 各单位明细 sheet: one row per cell (its label), one column per unit, then the sum."""
    assert outcome.data is not None
    header: list[object] = ["栏目", *(_unit_name(u) for u in outcome.units), "合计"]
    rows: list[list[object]] = [header]
    totals = outcome.data.values
    for key, label in labels.items():
        row: list[object] = [label, *(unit.values.get(key) for unit in outcome.units)]
        row.append(totals[key].value if key in totals else None)
        rows.append(row)
    return rows


def cell_labels(spec: ReportSpec) -> dict[str, str]:
    """Cell key → its label with table and row (二 第二十条第（一）项 规章／本年制发件数), in table order."""
    return {key: cell.label for key, cell in spec.cells.items()}


def write_merged(spec: ReportSpec, outcome: MergeOutcome, target: Path) -> Path:
    """Write the merged report as the standard workbook plus the 各单位明细 sheet; sets and returns ``path``."""
    from toolkit.template import build_template

    assert outcome.data is not None
    rows = contribution_rows(outcome, cell_labels(spec))
    outcome.path = build_template(spec, Path(target), data=outcome.data, extra_sheets=[(CONTRIBUTION_SHEET, rows)])
    return outcome.path


@dataclass
class UnitRead:
    """One input of a merge as a worker read it: the unit and its check, or that it is a summary, or unusable."""

    data: Unit | None = None
    """The unit (None when it is a summary or could not be read)."""
    check: CheckResult | None = None
    """Its check, as ``check`` gives it (:func:`toolkit.checking.check_read`)."""
    summary: bool = False
    """True for a workbook :func:`write_merged` wrote (a summary, never a unit)."""


def _read_unit(path: Path, format_id: str | None) -> UnitRead:
    """Open ``path`` once: a summary is only recognised; a unit is read and checked. A file that cannot be used
    is ``UnitRead()`` (its error is raised again where the merge runs, by :func:`read_units`)."""
    from toolkit.checking import REPORT_SUFFIXES
    from toolkit.errors import ToolkitError

    book = None
    try:
        if Path(path).suffix.lower() in REPORT_SUFFIXES:
            from toolkit.checking import read

            data = read(path, format_id=format_id)
        else:
            from toolkit.workbook import read_workbook
            from toolkit.workbook.book import Book
            from toolkit.workbook.safety import open_package

            book = Book(open_package(Path(path), lazy=True))  # only the parts read are unpacked and scanned
            if book.xml.sheet(CONTRIBUTION_SHEET) is not None:
                return UnitRead(summary=True)
            data = read_workbook(Path(path), format_id=format_id, book=book)
    except ToolkitError:
        return UnitRead()
    return UnitRead(as_unit(data), check_read(data, book))  # book: None for a published report


def _read_chunk(chunk: list[tuple[Path, str | None]]) -> list[UnitRead]:
    return [_read_unit(path, format_id) for path, format_id in chunk]


def read_units(paths: Sequence[Path], *, format_id: str | None = None,
               jobs: int | None = None) -> tuple[list[Path], list[Unit], list[CheckResult]]:
    """Read and check every unit once, over ``jobs`` processes (default: all cores that memory allows).

    Returns (the summaries among ``paths``, the units (:class:`Unit`), their checks) in input order. A worker
    sends each unit as its :class:`Unit`, not its :class:`ReportData`: the figures and marked texts the merge
    uses (0.1 ms to unpickle instead of ~2), so that the process that merges does not compete with the workers.
    When a file cannot be used, it is read again here so that its error (:class:`~toolkit.errors.ToolkitError`)
    is raised as a serial read would raise it, the first such file in input order; unless summaries are among the
    inputs (then those are reported and nothing is raised).
    """
    from toolkit.budget import worker_count
    from toolkit.messages import msg as message

    jobs = worker_count(jobs)
    items = [(Path(p), format_id) for p in paths]
    if jobs <= 1 or len(items) < 8:
        reads = _read_chunk(items)
    else:
        from toolkit.errors import ToolkitError
        from toolkit.pool import chunk_size, run_chunks

        def died(item: tuple[Path, str | None]) -> UnitRead:
            raise ToolkitError(message("batch.worker_died"), path=item[0])

        def failed(item: tuple[Path, str | None], error: BaseException) -> UnitRead:
            raise ToolkitError(message("batch.unexpected", error=type(error).__name__), path=item[0])

        reads = [UnitRead()] * len(items)
        for index, unit in run_chunks(_read_chunk, items, jobs=jobs, size=chunk_size(len(items), jobs, largest=32),
                                      died=died, failed=failed):
            reads[index] = unit
    summaries = [path for (path, _), unit in zip(items, reads, strict=True) if unit.summary]
    if summaries:
        return summaries, [], []
    data: list[Unit] = []
    checks: list[CheckResult] = []
    for (path, fid), unit in zip(items, reads, strict=True):
        if unit.data is None or unit.check is None:
            from toolkit.checking import read

            again = read(path, format_id=fid)  # raises the file's own error
            unit.data, unit.check = as_unit(again), check_read(again)
        data.append(unit.data)
        checks.append(unit.check)
    return summaries, data, checks


def is_merge_output(path: Path) -> bool:
    """True for a workbook written by :func:`write_merged` (it has the 各单位明细 sheet): not a unit."""
    from toolkit.errors import ToolkitError
    from toolkit.workbook.parts import parse_workbook
    from toolkit.workbook.safety import open_package

    try:
        return parse_workbook(open_package(Path(path), lazy=True)).sheet(CONTRIBUTION_SHEET) is not None
    except ToolkitError:
        return False
