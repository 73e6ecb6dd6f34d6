"""Comparing a corrected return with the version sent back: each earlier finding 已改 / 未改, each new one 新增,
and every changed cell with its old and new value. A finding still there after the return is a finding of its
own, 退回后未改 (code ``unfixed-after-return``), at the level of the finding it repeats.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.desk.units import unit_key
from toolkit.errors import ToolkitError
from toolkit.messages import msg

TEXT_SHOWN = 60
"""Characters of a changed narrative shown on each side."""


@dataclass(frozen=True)
class CellChange:
    """One cell (or narrative, or 基本信息 field) whose value changed."""

    key: str
    label: str
    where: str
    old: str
    new: str


@dataclass
class Comparison:
    """What changed between the returned and the corrected version."""

    old: Path
    new: Path
    unit: str
    items: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    """(已改 / 未改 / 新增, finding as ``Finding.to_dict``), earlier findings first."""
    changes: list[CellChange] = field(default_factory=list)
    unfixed: list[dict[str, Any]] = field(default_factory=list)
    """The 退回后未改 findings."""

    def counts(self) -> dict[str, int]:
        """已改 / 未改 / 新增 → number, and 改动单元格."""
        out = {"已改": 0, "未改": 0, "新增": 0}
        for status, _ in self.items:
            out[status] += 1
        out["改动单元格"] = len(self.changes)
        return out

    @property
    def exit_code(self) -> int:
        """1 when an error is still there or a new one came, else 0."""
        return 1 if any(f["severity"] == "error" and s != "已改" for s, f in self.items) else 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (``compare --json``)."""
        return {"old": str(self.old), "new": str(self.new), "unit": self.unit, "counts": self.counts(),
                "findings": [{"status": s, **f} for s, f in self.items],
                "changes": [c.__dict__ for c in self.changes], "unfixed": self.unfixed}


def returned_version(new: Path) -> Path:
    """The copy kept when ``new``'s unit was last returned (from the state file beside ``new``'s folder)."""
    from toolkit.api import read
    from toolkit.desk.state import open_state

    organ = read(new).organ
    state = open_state(Path(new).resolve().parent, create=False)
    if state is None:
        raise ToolkitError(msg("desk.compare.no_state"), path=new)
    with state:
        sent = state.last_return(unit_key(organ))
    if sent is None or not Path(sent.copy).exists():
        raise ToolkitError(msg("desk.compare.never_returned", unit=organ), path=new)
    return Path(sent.copy)


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    return text if len(text) <= TEXT_SHOWN else text[:TEXT_SHOWN] + "…"


def compare_files(old: Path | None, new: Path, *, rules: Any = None) -> Comparison:
    """Compare ``new`` with ``old`` (default: its unit's last returned version, found in the state file)."""
    from toolkit.api import check_file, read
    from toolkit.spec.load import load_spec

    new = Path(new)
    old = Path(old) if old is not None else returned_version(new)
    before, after = read(old), read(new)
    old_result = check_file(old, annotate=False, rules=rules).to_dict()
    new_result = check_file(new, annotate=False, rules=rules).to_dict()
    now = {f["fingerprint"]: f for f in new_result["findings"] if f["severity"] != "info"}
    earlier = {f["fingerprint"]: f for f in old_result["findings"] if f["severity"] != "info"}
    comparison = Comparison(old, new, after.organ or before.organ)
    for fp, f in earlier.items():
        comparison.items.append(("未改" if fp in now else "已改", now.get(fp, f)))
        if fp in now:
            repeat = dict(now[fp])
            repeat.update(code="unfixed-after-return", rule="unfixed_after_return",
                          fingerprint=f"unfixed_after_return[{fp}]",
                          message=msg("desk.compare.unfixed", message=now[fp]["message"]))
            comparison.unfixed.append(repeat)
    comparison.items += [("新增", f) for fp, f in now.items() if fp not in earlier]
    spec = load_spec(after.format_id)
    for key in dict.fromkeys([*before.values, *after.values]):
        a, b = before.values.get(key), after.values.get(key)
        va, vb = (a.value if a else None), (b.value if b else None)
        if va != vb:
            cell = spec.cells.get(key)
            holder = b or a
            loc = holder.location if holder is not None else None
            comparison.changes.append(CellChange(key, cell.label if cell else key,
                                                 f"{loc.sheet}!{loc.cell}" if loc else "", _shown(va), _shown(vb)))
    for field_id in dict.fromkeys([*before.info, *after.info]):
        if before.info.get(field_id, "") != after.info.get(field_id, ""):
            comparison.changes.append(CellChange(f"info.{field_id}", field_id, "", _shown(before.info.get(field_id)),
                                                 _shown(after.info.get(field_id))))
    for section in spec.text_sections:
        ta, tb = before.text(section.id), after.text(section.id)
        if ta != tb:
            comparison.changes.append(CellChange(f"text.{section.id}", section.title, "", _shown(ta), _shown(tb)))
    return comparison
