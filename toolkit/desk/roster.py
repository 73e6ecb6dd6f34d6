"""The roster: the units expected (a list, or last year's folder) against the returns in a folder.

Each expected unit is 未报送, 已报送, 退回待改 or 已整改 (from the desk's state file), and 逾期 when its return came
after the deadline (the list's 报送日期 column, else the file's time). Files of units not on the list, two files for
one unit, and names that fit several units (shown with the candidates, never guessed) are listed too.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.desk.units import candidates, unit_key
from toolkit.errors import RosterError, ToolkitError
from toolkit.messages import msg

MAX_UNITS = 20_000
"""A list of expected units has at most this many rows."""

MAX_LIST_BYTES = 16 * 1024 * 1024
"""And at most this size."""

ROSTER_SHEET = "报送情况"
"""Its sheet in 校验汇总.xlsx."""

ROSTER_COLUMNS = ("序号", "单位名称", "类别", "联系人", "状态", "逾期", "报送时间", "文件", "说明")
"""The roster's columns (sheet and terminal)."""


@dataclass(frozen=True)
class Expected:
    """A unit on the list."""

    name: str
    category: str = ""
    contact: str = ""
    submitted_on: dt.date | None = None
    """The list's 报送日期 for it, when given (else the file's time counts)."""


@dataclass
class RosterEntry:
    """One line of the roster."""

    name: str
    """The unit's name as the list (or, for units not on it, the file) gives it."""
    status: str
    """已报送 / 未报送 / 退回待改 / 已整改 / 名单外 / 无法对应."""
    category: str = ""
    contact: str = ""
    files: list[Path] = field(default_factory=list)
    late: bool = False
    submitted: dt.date | None = None
    note: str = ""

    def row(self, folder: Path) -> list[Any]:
        """The entry as roster columns (after 序号)."""
        files = "、".join(str(f.relative_to(folder)) if f.is_relative_to(folder) else f.name for f in self.files)
        return [self.name, self.category, self.contact, self.status, "逾期" if self.late else "",
                self.submitted.isoformat() if self.submitted else "", files, self.note]


@dataclass
class Roster:
    """The roster of a folder."""

    folder: Path
    deadline: dt.date
    entries: list[RosterEntry]

    def counts(self) -> dict[str, int]:
        """Status → number of entries, plus 逾期."""
        counts = Counter(e.status for e in self.entries)
        counts["逾期"] = sum(1 for e in self.entries if e.late)
        return dict(counts)

    def rows(self) -> list[list[Any]]:
        """Numbered rows for the sheet and the terminal."""
        return [[i, *e.row(self.folder)] for i, e in enumerate(self.entries, start=1)]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (``roster --json``)."""
        return {"folder": str(self.folder), "deadline": self.deadline.isoformat(), "counts": self.counts(),
                "units": [dict(zip(ROSTER_COLUMNS, r, strict=True)) for r in self.rows()]}


def read_unit_list(path: Path) -> list[Expected]:
    """The expected units from an .xlsx or .csv whose first row names the columns (单位名称 required)."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_LIST_BYTES:
            raise RosterError(msg("desk.roster.too_big"), path=path)
    except OSError as exc:
        raise RosterError(msg("desk.roster.unreadable", reason=exc.strerror or exc), path=path) from exc
    table = _csv_rows(path) if path.suffix.lower() == ".csv" else _xlsx_rows(path)
    if not table:
        raise RosterError(msg("desk.roster.no_name_column"), path=path)
    header = [unit_key(str(c or "")) for c in table[0]]

    def column(*names: str) -> int | None:
        for name in names:
            if unit_key(name) in header:
                return header.index(unit_key(name))
        return None

    name_col = column("单位名称", "单位", "名称")
    if name_col is None:
        raise RosterError(msg("desk.roster.no_name_column"), path=path)
    cat_col, contact_col, date_col = column("类别"), column("联系人"), column("报送日期", "报送时间")
    units: list[Expected] = []
    for values in table[1:MAX_UNITS + 1]:
        def get(col: int | None, values: list[Any] = values) -> Any:
            return values[col] if col is not None and col < len(values) else None

        name = str(get(name_col) or "").strip()
        if name:
            units.append(Expected(name, str(get(cat_col) or "").strip(), str(get(contact_col) or "").strip(),
                                  _date(get(date_col))))
    return units


def _csv_rows(path: Path) -> list[list[Any]]:
    import csv
    import io

    blob = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = blob.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise RosterError(msg("desk.roster.encoding"), path=path)
    return [list(r) for r in csv.reader(io.StringIO(text))][: MAX_UNITS + 1]


def _xlsx_rows(path: Path) -> list[list[Any]]:
    from openpyxl import load_workbook

    from toolkit.workbook.safety import inspect_file

    try:
        inspect_file(path)
        wb = load_workbook(path, read_only=True, data_only=True)
    except ToolkitError as exc:
        raise RosterError(msg("desk.roster.unreadable", reason=exc), path=path) from exc
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise RosterError(msg("desk.roster.unreadable", reason=type(exc).__name__), path=path) from exc
    try:
        ws = wb.worksheets[0]
        return [list(r) for r in ws.iter_rows(max_row=MAX_UNITS + 1, max_col=30, values_only=True)]
    finally:
        wb.close()


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        import re

        m = re.search(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})", value)
        if m:
            try:
                return dt.date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                return None
    return None


def units_of_folder(folder: Path) -> list[Expected]:
    """Last year's folder as the list: the organ named in each readable return."""
    from toolkit.api import read
    from toolkit.batch import expand_inputs

    names: dict[str, Expected] = {}
    for path in expand_inputs([folder]):
        try:
            organ = read(path).organ.strip()
        except ToolkitError:
            continue
        if organ:
            names.setdefault(unit_key(organ), Expected(organ))
    return list(names.values())


def returns_in(folder: Path) -> list[tuple[Path, str]]:
    """Each return in ``folder`` with the unit it names (the file's name when it cannot be read)."""
    from toolkit.api import read
    from toolkit.batch import expand_inputs

    found = []
    for path in expand_inputs([folder]):
        try:
            organ = read(path).organ.strip()
        except ToolkitError:
            organ = ""
        found.append((path, organ or path.stem))
    return found


def default_deadline(folder: Path) -> dt.date:
    """31 January after the report year the folder's name carries (各单位2026 → 2027-01-31), else after last year."""
    import re

    years = [int(y) for y in re.findall(r"(20\d\d)", Path(folder).resolve().name)]
    year = years[-1] if years else dt.date.today().year - 1
    return dt.date(year + 1, 1, 31)


def build_roster(folder: Path, expected: list[Expected], *, deadline: dt.date | None = None,
                 returns: list[tuple[Path, str]] | None = None) -> Roster:
    """Match the returns in ``folder`` to the ``expected`` units and give each its status (see module doc)."""
    from toolkit.desk.state import file_hash, open_state

    folder = Path(folder).resolve()
    deadline = deadline or default_deadline(folder)
    found = returns if returns is not None else returns_in(folder)
    by_key: dict[str, Expected] = {}
    for unit in expected:
        by_key.setdefault(unit_key(unit.name), unit)
    files: dict[str, list[Path]] = {k: [] for k in by_key}
    extras: list[RosterEntry] = []
    for path, organ in found:
        key = unit_key(organ)
        if key in by_key:
            files[key].append(path)
            continue
        near = candidates(key, by_key)
        if len(near) == 1:
            files[near[0]].append(path)
        elif near:
            extras.append(RosterEntry(organ, "无法对应", files=[path], note=msg(
                "desk.roster.ambiguous", names="、".join(by_key[k].name for k in near))))
        else:
            extras.append(RosterEntry(organ, "名单外", files=[path], note=msg("desk.roster.not_listed")))
    state = open_state(folder, create=False)
    entries = []
    try:
        for key, unit in by_key.items():
            entry = RosterEntry(unit.name, "未报送", unit.category, unit.contact, files=sorted(files[key]))
            if entry.files:
                latest = max(entry.files, key=lambda p: p.stat().st_mtime)
                entry.submitted = unit.submitted_on or dt.datetime.fromtimestamp(latest.stat().st_mtime).date()
                entry.late = entry.submitted > deadline
                entry.status = "已报送"
                notes = []
                if len(entry.files) > 1:
                    notes.append(msg("desk.roster.duplicate", n=len(entry.files)))
                if state is not None:
                    status, note = _returned_status(state, key, latest, file_hash)
                    entry.status = status or entry.status
                    notes += [note] if note else []
                entry.note = "；".join(notes)
            entries.append(entry)
    finally:
        if state is not None:
            state.close()
    return Roster(folder, deadline, entries + extras)


def _returned_status(state: Any, key: str, path: Path, file_hash: Any) -> tuple[str, str]:
    """退回待改 / 已整改 from the desk's memory ("" when the unit was never returned)."""
    returns = state.returns_to(key)
    if not returns:
        return "", ""
    sent, sha = returns[0], file_hash(path)
    if sha == sent.submission.sha256:
        if len(returns) > 1 and sent.submission.errors:  # this version was itself sent back again
            return "退回待改", msg("desk.roster.still_errors", n=sent.submission.errors)
        return "退回待改", msg("desk.roster.not_resubmitted")
    now = state.submission_by_hash(key, sha)
    if now is None:
        return "退回待改", msg("desk.roster.unchecked")
    if now.errors:
        return "退回待改", msg("desk.roster.still_errors", n=now.errors)
    return "已整改", ""


def make_roster(folder: Path, unit_list: Path, *, deadline: dt.date | None = None,
                summary: Path | None = None) -> Roster:
    """The roster of ``folder`` against ``unit_list`` (.xlsx/.csv, or last year's folder), written as the
    报送情况 sheet of ``summary`` (default ``folder/校验汇总.xlsx``; its other sheets kept)."""
    from toolkit.batch import SUMMARY_NAME
    from toolkit.desk.sheets import put_sheet

    folder = Path(folder)
    if not folder.is_dir():
        raise RosterError(msg("desk.roster.no_folder"), path=folder)
    unit_list = Path(unit_list)
    expected = units_of_folder(unit_list) if unit_list.is_dir() else read_unit_list(unit_list)
    roster = build_roster(folder, expected, deadline=deadline)
    put_sheet(summary or folder / SUMMARY_NAME, ROSTER_SHEET, ROSTER_COLUMNS, roster.rows(),
              (6, 28, 10, 10, 10, 6, 12, 36, 50))
    return roster
