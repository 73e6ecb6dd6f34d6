"""Load the official formats from ``toolkit/formats/<id>.yaml`` and choose one by report year."""

from __future__ import annotations

import functools

from toolkit.errors import SpecError, UnknownFormatError
from toolkit.record import replace
from toolkit.spec.models import (
    CATEGORIES,
    CellKind,
    CellSpec,
    Column,
    ColumnGroup,
    Filled,
    InfoField,
    ReportSpec,
    Row,
    RuleSpec,
    Section,
    Severity,
    StandardSentence,
    Table,
    Text,
    ValueKind,
)
from toolkit.spec.params import RULE_SEVERITIES, Known, ParamError, check_rule_params
from toolkit.spec.params import msg as param_text

TYPE_CHECKING = False  # not typing's: the check path does not import typing (mypy knows the name)
if TYPE_CHECKING:
    from typing import Any

FORMAT_IDS: tuple[str, ...] = ("2019", "2021")
"""The official formats this toolkit knows, oldest first."""


def available_formats() -> tuple[str, ...]:
    """The ids of the formats shipped with the toolkit."""
    return FORMAT_IDS


def format_for_year(year: int) -> str:
    """The format id that applies to reports on ``year`` (2019 for ≤ 2020, 2021 from 2021 on).

    Years before 2019 predate both formats: :class:`UnknownFormatError`.
    """
    for fid in reversed(FORMAT_IDS):
        spec = load_spec(fid)
        if spec.applies_to(year):
            return fid
    raise UnknownFormatError(f"{year}年度早于现行年报格式（2019年起），本工具不支持", year=year)


@functools.cache
def load_spec(format_id: str) -> ReportSpec:
    """Parse and validate the format ``format_id`` ("2019" or "2021"); parsed once per process.

    The built spec comes from the compiled cache while it is the one this YAML and this code make
    (:mod:`toolkit.spec.compiled`); otherwise the YAML is parsed, built and checked, and the cache rewritten."""
    if format_id not in FORMAT_IDS:
        raise UnknownFormatError(f"未知的年报格式“{format_id}”，可用：{'、'.join(FORMAT_IDS)}", format_id=format_id)
    from toolkit.spec import compiled

    source = compiled.source_bytes(format_id)
    spec = compiled.cached(format_id, source)
    if spec is not None:
        return spec
    spec = build_from_yaml(format_id, source)
    data = compiled.compiled_text(source, spec)
    if data is not None:
        compiled.store(format_id, data)  # where the package folder is read-only, the spec lives in memory
    return spec


def build_from_yaml(format_id: str, source: bytes) -> ReportSpec:
    """The spec the YAML ``source`` of ``format_id`` describes, built and checked (no cache read or written);
    :class:`SpecError` naming the file when it does not parse or contradicts itself."""
    from toolkit.spec import compiled

    try:
        return _build(compiled.parse_yaml(source.decode("utf-8")))
    except (KeyError, TypeError, ValueError) as exc:  # YAML syntax and UnicodeDecodeError are ValueErrors
        detail = " ".join(str(exc).split())  # YAML errors span lines; the user gets one
        raise SpecError(f"格式文件 {format_id}.yaml 有误：{detail}") from exc


def _text(raw: Any) -> Text:
    return Text(zh=str(raw["zh"]), en=str(raw["en"]))


def _column(raw: dict[str, Any], default_value: str | None) -> Column:
    return Column(
        id=raw["id"],
        label=raw["label"],
        value=ValueKind(str(raw.get("value", default_value))),
        kind=CellKind(raw.get("kind", "input")),
        sum_of=tuple(raw.get("sum_of", ())),
        group=raw.get("group"),
        unit=raw.get("unit"),
        aliases=tuple(raw.get("aliases", ())),
    )


def _group(raw: dict[str, Any]) -> ColumnGroup:
    return ColumnGroup(
        label=raw["label"],
        columns=tuple(raw.get("columns", ())),
        subgroups=tuple(_group(g) for g in raw.get("subgroups", ())),
    )


def _group_paths(groups: tuple[ColumnGroup, ...], prefix: str = "") -> dict[str, str]:
    paths: dict[str, str] = {}
    for g in groups:
        path = f"{prefix}/{g.label}" if prefix else g.label
        for cid in g.columns:
            paths[cid] = path
        paths.update(_group_paths(g.subgroups, path))
    return paths


def _table(tid: str, raw: dict[str, Any]) -> Table:
    groups = tuple(_group(g) for g in raw.get("column_groups", ()))
    paths = _group_paths(groups)
    columns = []
    for c in raw["columns"]:
        col = _column(c, raw.get("value"))
        if col.id in paths and col.group is None:
            col = replace(col, group=paths[col.id])
        columns.append(col)
    rows = tuple(
        Row(
            id=r["id"],
            label=r.get("label"),
            kind=r.get("kind", "input"),
            level=int(r.get("level", 1)),
            parent=r.get("parent"),
            sum_of=tuple(r.get("sum_of", ())),
            aliases=tuple(r.get("aliases", ())),
        )
        for r in raw["rows"]
    )
    return Table(
        id=tid,
        sheet=raw["sheet"],
        columns=tuple(columns),
        rows=rows,
        caption=raw.get("caption"),
        row_header=raw.get("row_header"),
        note=raw.get("note"),
        column_group_header=raw.get("column_group_header"),
        column_groups=groups,
        layout=raw.get("layout", "simple"),
    )


def _cell_label(section_title: str, table: Table, row: Row, col: Column) -> str:
    """A readable name for messages.

    E.g. 三 （三）不予公开 1.属于国家秘密／自然人; 二 第二十条第（一）项 规章／本年制发件数; 四 行政复议—总计.
    """
    parts = [section_title.split("、", 1)[0]]
    if table.caption:
        parts.append(table.caption)
    if row.parent and row.level == 3:
        parent = table.row(row.parent)
        if parent.label:
            parts.append(parent.label)
    if row.label:
        parts.append(row.label)
    where = " ".join(parts)
    return f"{where}／{col.display}" if row.label else f"{where} {col.display}"


def _cells(tables: dict[str, Table], sections: tuple[Section, ...]) -> dict[str, CellSpec]:
    section_of = {t: s.title for s in sections for t in s.tables}
    cells: dict[str, CellSpec] = {}
    for table in tables.values():
        for row in table.data_rows:
            for col in table.columns:
                key = f"{table.id}.{row.id}.{col.id}"
                if col.kind is CellKind.TOTAL:
                    kind, sum_of = CellKind.TOTAL, tuple(f"{table.id}.{row.id}.{c}" for c in col.sum_of)
                elif row.kind == "total":
                    kind, sum_of = CellKind.TOTAL, tuple(f"{table.id}.{r}.{col.id}" for r in row.sum_of)
                else:
                    kind, sum_of = CellKind.INPUT, ()
                cells[key] = CellSpec(
                    key=key,
                    table=table.id,
                    row=row.id,
                    column=col.id,
                    value=col.value,
                    kind=kind,
                    sum_of=sum_of,
                    label=_cell_label(section_of[table.id], table, row, col),
                )
    return cells


def _validate(spec: ReportSpec) -> None:
    for cell in spec.cells.values():
        for part in cell.sum_of:
            if part not in spec.cells:
                raise ValueError(f"{cell.key}: sum_of names unknown cell {part}")
    for table in spec.tables.values():
        if table.sheet not in spec.sheets:
            raise ValueError(f"table {table.id}: unknown sheet key {table.sheet}")
    for name, key in spec.placeholders.items():
        if key not in spec.cells and not key.startswith(("info.", "text.")):
            raise ValueError(f"placeholder {name} names unknown cell {key}")
    for section in spec.sections:
        for tid in section.tables:
            if tid not in spec.tables:
                raise ValueError(f"section {section.id}: unknown table {tid}")
    seen: set[str] = set()
    known = Known(frozenset(spec.cells), frozenset(s.id for s in spec.sections), frozenset(spec.tables))
    for rule in spec.rules:
        if rule.id in seen:
            raise ValueError(f"duplicate rule id {rule.id}")
        seen.add(rule.id)
        if rule.type != "guidance" and not rule.code:
            raise ValueError(f"rule {rule.id} has no code")
        check_rule_params(rule.id, rule.type, rule.params, known)
        if rule.category not in CATEGORIES:
            raise ValueError(f"rule {rule.id}: category {rule.category!r} is not one of {'/'.join(CATEGORIES)}")


_RULE_KEYS = {"id", "type", "severity", "title", "message", "code", "hint", "source", "category"}
_RULE_REQUIRED = ("id", "type", "severity", "title", "message")


def _filled(raw: dict[str, Any]) -> Filled | None:
    """A 基本信息 field's ``filled``: required for a required field the unit types, absent otherwise."""
    typed = raw.get("required") and raw.get("kind") != "format"
    if typed and "filled" not in raw:
        raise ParamError(param_text("spec.info.filled", field=raw.get("id", "?")))
    return Filled(raw["filled"]) if typed else None


def _rule(raw: dict[str, Any]) -> RuleSpec:
    """One rule; its parameters are checked against its type's declaration (:mod:`toolkit.spec.params`)."""
    rule_id = str(raw.get("id", "?"))
    for key in _RULE_REQUIRED:
        if key not in raw:
            raise ParamError(param_text("spec.rule.missing", rule=rule_id, key=key))
    if raw["severity"] not in RULE_SEVERITIES:
        raise ParamError(param_text("spec.param.severity", rule=rule_id, severity=raw["severity"]))
    return RuleSpec(
        id=rule_id,
        type=str(raw["type"]),
        severity=Severity(raw["severity"]),
        title=_text(raw["title"]),
        message=_text(raw["message"]),
        code=raw.get("code", ""),
        hint=_text(raw["hint"]) if "hint" in raw else None,
        source=raw.get("source", ""),
        params={k: v for k, v in raw.items() if k not in _RULE_KEYS},
        category=str(raw.get("category", "")),
    )


def _build(raw: dict[str, Any]) -> ReportSpec:
    sections = tuple(
        Section(
            id=s["id"],
            title=s["title"],
            kind=s["kind"],
            tables=tuple(s.get("tables", ())),
            prompt=s.get("prompt", ""),
            aliases=tuple(s.get("aliases", ())),
            max_length=int(s["max_length"]) if "max_length" in s else None,
        )
        for s in raw["sections"]
    )
    tables = {tid: _table(tid, t) for tid, t in raw["tables"].items()}
    rules = tuple(_rule(r) for r in raw["rules"])
    years = raw["report_years"]
    spec = ReportSpec(
        id=str(raw["id"]),
        issuing_document=raw["issuing_document"],
        format_title=raw["format_title"],
        first_year=int(years["first"]),
        last_year=int(years["last"]) if years.get("last") is not None else None,
        title_template=raw["title_template"],
        sheets=dict(raw["sheets"]),
        info_fields=tuple(
            InfoField(
                id=f["id"],
                label=f["label"],
                kind=f["kind"],
                required=bool(f.get("required", False)),
                prompt=f.get("prompt", ""),
                max_length=int(f["max_length"]) if "max_length" in f else None,
                filled=_filled(f),
            )
            for f in raw["info_fields"]
        ),
        sections=sections,
        tables=tables,
        cells=_cells(tables, sections),
        rules=rules,
        instructions=tuple(raw.get("instructions", ())),
        placeholders={str(k): str(v) for k, v in (raw.get("placeholders") or {}).items()},
        standard_sentences=tuple(
            StandardSentence(id=s["id"], title=s["title"], text=s["text"]) for s in raw.get("standard_sentences", ())
        ),
    )
    _validate(spec)
    return spec
