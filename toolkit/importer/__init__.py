"""Import a published 政府信息公开工作年度报告 (.txt, a saved web page, .docx) into :class:`ReportData`.

``import_report(path)`` finds the year, the organ, the format generation, the narrative sections (一, 五, 六)
and every official table, and imports what is certain: each value with the line or table cell it came from.
What the source lacks is named in ``missing``; what it holds but cannot be placed with certainty is named in
``uncertain`` and not imported — a number is never guessed. Values the source does not hold are absent from
``data.values`` (not 0); a missing narrative section is ``TextValue(present=False)``.

Modules: :mod:`.extract` (files → lines of cells; :mod:`.webpage`, :mod:`.word`), :mod:`.meta` (year, organ,
format), :mod:`.sections` (headings and narrative), :mod:`.tables` (cells → official tables), :mod:`.text`
(label folding).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.data import Location, ReportData
from toolkit.errors import ToolkitError
from toolkit.importer.document import Document
from toolkit.importer.extract import extract
from toolkit.importer.meta import Found, choose_format, find_organ, find_year, marker_counts
from toolkit.importer.sections import find_headings, looks_cut, section_texts
from toolkit.importer.segment import segment
from toolkit.importer.tables import Gap, Order, TableReader
from toolkit.messages import msg
from toolkit.spec.load import available_formats, load_spec

__all__ = ["ImportResult", "import_report"]


@dataclass(frozen=True)
class ImportResult:
    """A published report as imported, with where every value came from and what could not be imported."""

    data: ReportData
    """The report data (``read_mode="import"``); only what the source holds."""
    format_id: str
    """The format the report was read in ("2019" or "2021")."""
    year: int | None
    """The report year, None when the text does not say."""
    organ: str
    """The organ from the title ("" when the text has no title)."""
    provenance: dict[str, str] = field(default_factory=dict)
    """Cell key (and ``info.*``, ``text.*``) → where and how it was read."""
    missing: list[str] = field(default_factory=list)
    """What the source lacks, one Chinese note per table, run of rows or section."""
    uncertain: list[str] = field(default_factory=list)
    """What the source holds but could not be mapped with certainty (not imported)."""
    origins: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Cell key → where it came from: source line, character span, and for a split run the run and its readings."""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready description (``--json``)."""
        data = self.data
        return {
            "file": str(data.source) if data.source else None,
            "format": self.format_id,
            "year": self.year,
            "organ": self.organ,
            "values": {k: v.value for k, v in data.values.items()},
            "cells": {k: {"value": v.value, "raw": v.raw, "status": str(v.status), "where": str(v.location),
                          "note": v.note, **_origin(self.origins.get(k, {}))} for k, v in data.values.items()},
            "texts": {k: {"present": t.present, "text": t.text} for k, t in data.texts.items()},
            "labels": [{"official": s.official, "found": s.found, "where": str(s.location)} for s in data.labels],
            "provenance": dict(self.provenance),
            "missing": list(self.missing),
            "uncertain": list(self.uncertain),
        }


def _origin(origin: dict[str, Any]) -> dict[str, Any]:
    """The JSON view of a value's origin: its character span, and for a split run the run and its readings."""
    return {k: origin[k] for k in ("span", "run", "readings") if origin.get(k) is not None}


def _looks_like_report(doc: Document) -> bool:
    spec = load_spec(available_formats()[-1])
    return bool(find_headings(doc, spec)) or any(marker_counts(doc).values()) or find_organ(doc) is not None


def _info(doc: Document, found: Found | None, key: str, info: dict[str, str], where: dict[str, Location],
          provenance: dict[str, str]) -> None:
    if found is None:
        return
    info[key] = found.value
    where[key] = Location(doc.name, found.where)
    provenance[f"info.{key}"] = msg("import.provenance.info", file=doc.name, where=found.where, how=found.how,
                                    value=found.value)


def import_report(path: Path, *, format_id: str | None = None) -> ImportResult:
    """Import the published report at ``path`` (.txt, .html/.htm, .docx); ``format_id`` forces the format.

    Raises :class:`ToolkitError` when the file cannot be read or holds no report, and
    :class:`~toolkit.errors.UnknownFormatError` for reports before 2019 or when the format cannot be told.
    """
    path = Path(path)
    doc = segment(extract(path))
    if not _looks_like_report(doc):
        raise ToolkitError(msg("import.error.not_a_report"), path=path)
    year_found, organ_found = find_year(doc), find_organ(doc)
    year = int(year_found.value) if year_found else None
    fid, how, notes = choose_format(doc, year, format_id, path)
    spec = load_spec(fid)
    headings = find_headings(doc, spec)
    texts = section_texts(doc, spec, headings, organ_found.value if organ_found else "")
    tables = TableReader(doc, spec, headings).read()

    info: dict[str, str] = {"format": fid}
    info_locations: dict[str, Location] = {}
    provenance: dict[str, str] = {"info.format": how}
    _info(doc, year_found, "year", info, info_locations, provenance)
    _info(doc, organ_found, "organ", info, info_locations, provenance)
    provenance.update(tables.provenance)

    gaps = list(tables.gaps)
    found: list[Order] = list(tables.found)
    for k, section in enumerate(spec.sections):
        text = texts.get(section.id)
        if text is None:
            continue
        if text.present:
            found.append((k, 0, 0))
            heading = headings[section.id]
            provenance[f"text.{section.id}"] = msg("import.provenance.text", file=doc.name, where=heading.where,
                                                   heading=heading.text, count=len(text.text.splitlines()))
        else:
            gaps.append(Gap((k, 0, 0), "import.missing.text", {"section": section.title}))
    cut = looks_cut(doc)
    last: Order = max(found, default=(-1, -1, -1))
    missing = []
    for k, section in enumerate(spec.sections):
        text = texts.get(section.id)
        if cut and text is not None and text.present and (k, 0, 0) == last:
            missing.append(msg("import.missing.text_cut", section=section.title))
    for gap in sorted(gaps, key=lambda g: g.order):
        cause = msg("import.cause.cut") if gap.cut or (cut and gap.order > last) else msg("import.cause.absent")
        missing.append(msg(gap.key, cause=cause, **gap.fields))

    data = ReportData(
        format_id=fid,
        info=info,
        values=tables.values,
        texts=texts,
        labels=tables.labels,
        info_locations=info_locations,
        source=path,
        read_mode="import",
        missing=list(missing),
        uncertain=[*notes, *tables.uncertain],
    )
    return ImportResult(
        data=data,
        format_id=fid,
        year=year,
        organ=organ_found.value if organ_found else "",
        provenance=provenance,
        missing=missing,
        uncertain=[*notes, *tables.uncertain],
        origins=dict(tables.origins),
    )
