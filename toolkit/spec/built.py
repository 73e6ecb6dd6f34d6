"""A built and validated :class:`~toolkit.spec.models.ReportSpec` as plain values, and back (issue 16 item 2).

Building the model objects from the parsed YAML and checking every rule's parameters cost more than the rest of a
one-file check; both are pure functions of the YAML's content and of the code that builds and checks it. So the
compiled cache (:mod:`toolkit.spec.compiled`) holds the *built* spec — each record a list of its fields in order,
each enum its value, everything else (strings, numbers, tuples, a rule's parameters as the YAML gave them) as it
is — which :func:`decode` turns back into the same objects without checking anything again: the cache is used
only while the YAML's hash and :func:`code_digest` (this code's) are the ones it was made with. :func:`decode`
knows, per record class, which fields hold records or enums (the decoders below); every other field is plain data,
taken as it is. A spec that does not come back from :func:`encode` exactly (its repr, which keeps every order and
type) is never cached: :func:`toolkit.spec.compiled.compiled_text` checks that before anything is written.
"""

from __future__ import annotations

from toolkit.spec.models import (
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

TYPE_CHECKING = False  # not typing's: the check path does not import typing (mypy knows the name)
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

CODE_MODULES = ("models.py", "load.py", "params.py", "built.py")
"""The modules of :mod:`toolkit.spec` whose source decides what a built spec is (its fields, how it is built and
checked, how it is written): :func:`code_digest` hashes them."""


def code_digest() -> str | None:
    """A checksum (CRC-32, hex) of the source of :data:`CODE_MODULES`; None where a source file cannot be read (no
    cache is then trusted: the spec is built from the YAML). It tells this code from code that built a spec
    otherwise, which no one forges (whoever could would edit the code itself), so a checksum is enough where the
    YAML, which decides what the spec says, is named by its SHA-256."""
    import os
    import zlib

    here = os.path.dirname(os.path.abspath(__file__))
    crc = 0
    try:
        for name in CODE_MODULES:
            with open(os.path.join(here, name), "rb") as f:
                crc = zlib.crc32(f.read(), crc)
    except OSError:
        return None
    return f"{crc:08x}"


def encode(value: Any) -> Any:
    """``value`` (a spec, or any part of one) as plain values: a record a list of its fields."""
    fields = getattr(type(value), "__record_fields__", None)
    if fields is not None:
        own = value.__dict__
        return [encode(own[name]) for name in fields]
    if isinstance(value, (ValueKind, CellKind, Severity, Filled)):
        return value.value
    if isinstance(value, tuple):
        return tuple(encode(v) for v in value)
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {k: encode(v) for k, v in value.items()}
    return value


def _members(enum: Any) -> Callable[[str], Any]:
    return {m.value: m for m in enum}.__getitem__


def _records(make: Callable[[list[Any]], Any]) -> Callable[[tuple[list[Any], ...]], tuple[Any, ...]]:
    return lambda values: tuple(map(make, values))


def _optional(make: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda value: None if value is None else make(value)


def _mapping(make: Callable[[list[Any]], Any]) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda values: {k: make(v) for k, v in values.items()}


def _record(cls: type, **converters: Callable[[Any], Any]) -> Callable[[list[Any]], Any]:
    """The decoder of ``cls``: its fields' values in order, the ``converters`` applied to the fields they name."""
    names: tuple[str, ...] = cls.__record_fields__  # type: ignore[attr-defined]
    unknown = set(converters) - set(names)
    if unknown:
        raise TypeError(f"{cls.__name__} has no field {sorted(unknown)}")
    plan = tuple((names.index(name), convert) for name, convert in converters.items())
    width, new = len(names), object.__new__

    def make(values: list[Any]) -> Any:
        if type(values) is not list or len(values) != width:
            raise ValueError(f"{cls.__name__}: {width} fields expected")
        for i, convert in plan:
            values[i] = convert(values[i])
        made: Any = new(cls)  # the fields as __init__ would set them, without its call (a spec holds ~600 records)
        made.__dict__.update(zip(names, values, strict=True))
        return made

    return make


_value_kind, _cell_kind, _severity, _filled = (_members(e) for e in (ValueKind, CellKind, Severity, Filled))
_text = _record(Text)
_column = _record(Column, value=_value_kind, kind=_cell_kind)
_row = _record(Row)


def _group(values: list[Any]) -> ColumnGroup:
    return _column_group(values)  # type: ignore[no-any-return]


_column_group = _record(ColumnGroup, subgroups=_records(_group))
_table = _record(Table, columns=_records(_column), rows=_records(_row), column_groups=_records(_column_group))
_cell = _record(CellSpec, value=_value_kind, kind=_cell_kind)
_info = _record(InfoField, filled=_optional(_filled))
_section = _record(Section)
_rule = _record(RuleSpec, severity=_severity, title=_text, message=_text, hint=_optional(_text))
_spec = _record(ReportSpec, info_fields=_records(_info), sections=_records(_section), tables=_mapping(_table),
                cells=_mapping(_cell), rules=_records(_rule),
                standard_sentences=_records(_record(StandardSentence)))


def decode(built: Any) -> ReportSpec:
    """The spec :func:`encode` made ``built`` from (consumed: its lists are reused); ValueError, TypeError or
    KeyError for anything of another shape."""
    spec = _spec(built)
    if type(spec.sheets) is not dict or type(spec.placeholders) is not dict:
        raise ValueError("sheets and placeholders are mappings")
    return spec  # type: ignore[no-any-return]
