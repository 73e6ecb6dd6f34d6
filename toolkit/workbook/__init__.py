"""An .xlsx → :class:`~toolkit.data.ReportData`, safely, every value keeping its sheet!cell.

* :mod:`.safety` — the gate every file passes before any parser (:mod:`.container` the file and its zip directory,
  :mod:`.xmlscan` the streaming scan of one XML part, :mod:`.opc` part names);
* :mod:`.parts` — what the reader parses itself: workbook.xml's sheets and defined names, a cell's XML;
* :mod:`.book` — calamine opened on the checked bytes, one sheet at a time;
* :mod:`.a1` and :mod:`.marker` — the A1 addresses and the template's marker names (the only two the template
  writer imports);
* :mod:`.locate`, :mod:`.by_names`, :mod:`.by_labels` — where the cells are: by the marker's names, else by the
  printed labels;
* :mod:`.cells` — the values there, normalised.

Importing this package imports none of its modules: the template writer takes :mod:`.a1` and :mod:`.marker` alone.
"""

from __future__ import annotations

from pathlib import Path

TYPE_CHECKING = False  # not typing's: the check path does not import typing (mypy knows the name)
if TYPE_CHECKING:
    from toolkit.data import ReportData
    from toolkit.workbook.book import Book
    from toolkit.workbook.safety import Package

__all__ = ["read_workbook"]


def read_workbook(path: Path, *, format_id: str | None = None, package: Package | None = None,
                  book: Book | None = None) -> ReportData:
    """Read the workbook at ``path`` (never modified); ``format_id`` overrides the detected format.

    ``package`` is ``path`` already read and checked (:func:`~toolkit.workbook.safety.open_package`), or ``book``
    that package opened, so that a caller that goes on to read more of the file (its 说明) or to copy it works on
    the very bytes read here, opened once. Without either the file is opened with the lazy gate: only the parts
    read are scanned.

    Raises a :class:`~toolkit.errors.WorkbookError` subclass when the file cannot be used (not an .xlsx,
    encrypted, hostile, no official table found …) and :class:`~toolkit.errors.UnknownFormatError` for an
    unknown format.
    """
    from toolkit.data import ReportData
    from toolkit.errors import UnknownFormatError
    from toolkit.spec.load import load_spec
    from toolkit.workbook.book import Book
    from toolkit.workbook.by_names import locate_by_names, relocate_lost_cells
    from toolkit.workbook.cells import info_text, read_cells
    from toolkit.workbook.safety import open_package

    path = Path(path)
    if format_id is not None:
        try:
            load_spec(format_id)
        except UnknownFormatError as exc:
            raise UnknownFormatError(exc.message, path=path, format_id=format_id) from None
    if book is None:
        book = Book(package if package is not None else open_package(path, lazy=True))
    located = locate_by_names(book, format_id)
    if located is None or not located.cells:
        from toolkit.workbook.by_labels import locate_by_labels

        located = locate_by_labels(book, format_id)
    else:
        relocate_lost_cells(book, located)
    spec = load_spec(located.format_id)
    info = {fid: info_text(raw, fid) for fid, (raw, _) in located.info.items()}
    info["format"] = spec.id
    return ReportData(
        format_id=spec.id,
        info=info,
        values=read_cells(book, spec, located.cells),
        texts=located.texts,
        labels=located.labels,
        info_locations={fid: loc for fid, (_, loc) in located.info.items()},
        source=path,
        read_mode=located.mode,
    )
