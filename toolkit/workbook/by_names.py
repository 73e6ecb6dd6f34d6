"""Find the cells of a workbook made by ``toolkit template`` by its marker names (:mod:`toolkit.workbook.marker`):
``GK.<cell key>``, ``GK.info.<field>``, ``GK.text.<section>`` and ``GK.format``. Names follow inserted rows and
renamed or moved sheets; a name left pointing at a sheet that is gone is found again by its printed label."""

from __future__ import annotations

from toolkit.data import Location, TextValue
from toolkit.errors import UnknownFormatError, WorkbookError
from toolkit.messages import msg
from toolkit.spec.load import available_formats, load_spec
from toolkit.spec.models import ReportSpec
from toolkit.workbook.book import Book
from toolkit.workbook.cells import info_text, text_of
from toolkit.workbook.locate import Located, value_at
from toolkit.workbook.marker import (
    FORMAT_NAME,
    MARKER_FORMAT_CELL,
    MARKER_SHEET,
    folded,
    folded_cell_names,
    info_name,
    marker_names,
    text_name,
)


def relocate_lost_cells(book: Book, located: Located) -> None:
    """Names that point at a sheet the workbook no longer has (renamed by a program that left the names
    behind, or deleted): find those cells by their printed labels instead; what is not found stays absent."""
    sheets = set(book.sheet_names)
    lost = {key for key, loc in located.cells.items() if loc.sheet not in sheets}
    if not lost:
        return
    from toolkit.workbook.by_labels import locate_by_labels  # labels only when a name is lost

    try:
        by_labels = locate_by_labels(book, located.format_id)
    except WorkbookError:
        by_labels = None
    for key in lost:
        found = by_labels.cells.get(key) if by_labels is not None else None
        if found is not None and found.sheet in sheets:
            located.cells[key] = found
        else:
            del located.cells[key]
    if by_labels is not None:
        located.labels.extend(seen for seen in by_labels.labels if seen not in located.labels)


def _marker_format(book: Book, names: dict[str, tuple[str, str]]) -> str | None:
    ref = names.get(folded(FORMAT_NAME))
    if ref is None and book.xml.sheet(MARKER_SHEET) is not None:
        ref = (MARKER_SHEET, MARKER_FORMAT_CELL)
    if ref is None:
        return None
    raw = value_at(book, *ref)
    return info_text(raw, "format") or None


class _Shared:
    """What a workbook's defined names say, worked out once per distinct tuple of names: the marker names, and per
    format the cells they locate. A folder's units filled in one template share that tuple (workbook.xml is parsed
    once per distinct content: :func:`toolkit.workbook.parts.parse_workbook`), and folding its few hundred names
    and placing every cell was a tenth of reading a unit."""

    __slots__ = ("cells", "markers", "names")

    def __init__(self, names: tuple[object, ...], markers: dict[str, tuple[str, str]]) -> None:
        self.names = names  # held: the cache is keyed by its id
        self.markers = markers
        self.cells: dict[str, dict[str, Location]] = {}


_SHARED: dict[int, _Shared] = {}
_SHARED_MAX = 32


def _shared(book: Book) -> _Shared:
    names = book.xml.names
    found = _SHARED.get(id(names))
    if found is not None and found.names is names:
        return found
    if len(_SHARED) >= _SHARED_MAX:
        del _SHARED[next(iter(_SHARED))]
    found = _SHARED[id(names)] = _Shared(names, marker_names(names))
    return found


def _cells_named(shared: _Shared, spec: ReportSpec) -> dict[str, Location]:
    """Cell key → where its marker name points, for the format ``spec`` (read-only: it is shared)."""
    cells = shared.cells.get(spec.id)
    if cells is None:
        names, keys = shared.markers, tuple(spec.cells)
        cells = shared.cells[spec.id] = {key: Location(*names[name])
                                         for key, name in zip(keys, folded_cell_names(keys), strict=True)
                                         if name in names}
    return cells


def locate_by_names(book: Book, format_id: str | None) -> Located | None:
    """The cells named by the template's marker; None when the workbook carries no marker names."""
    shared = _shared(book)
    names = shared.markers
    if not names:
        return None
    if format_id is None:
        format_id = _marker_format(book, names)
        if format_id is not None and format_id not in available_formats():
            raise UnknownFormatError(
                msg("reader.unknown_format", format_id=format_id, known="、".join(available_formats())),
                path=book.path, format_id=format_id,
            )
    if format_id is None:
        counts = {fid: sum(n in names for n in folded_cell_names(tuple(load_spec(fid).cells)))
                  for fid in available_formats()}
        format_id = max(counts, key=lambda fid: counts[fid])
        if counts[format_id] == 0:
            return None
    spec = load_spec(format_id)
    located = Located(spec.id, "names", dict(_cells_named(shared, spec)))
    for info_field in spec.info_fields:
        ref = names.get(folded(info_name(info_field.id)))
        if ref is not None:
            located.info[info_field.id] = (value_at(book, *ref), Location(*ref))
    for section in spec.text_sections:
        ref = names.get(folded(text_name(section.id)))
        if ref is not None:
            located.texts[section.id] = TextValue(section.id, _spilled_text(book, names, section.id, ref),
                                                  Location(*ref))
    return located


def _spilled_text(book: Book, names: dict[str, tuple[str, str]], section: str, ref: tuple[str, str]) -> str:
    """A section's text: its cell, joined with the continuation cells ``GK.text.<section>.2`` … that a text longer
    than one cell holds spills into (the merge of many units); pieces are joined exactly as written."""
    first = value_at(book, *ref)
    pieces: list[object] = []
    while (more := names.get(folded(text_name(section, len(pieces) + 2)))) is not None:
        pieces.append(value_at(book, *more))
    if not pieces:
        return text_of(first)
    joined = "".join(str(p) for p in (first, *pieces) if p is not None and not isinstance(p, bool))
    return text_of(joined)
