"""The report's year, organ and format generation, each with where it was read.

* Year: an archive header ``year:``, else the title (南口镇2020年政府信息公开工作年度报告), else the
  统计期限 sentence (统计期限为2024年1月1日至…).
* Organ: the title (the name before or after the year), else the 现公布…年度报告 sentence.
* Format: the table labels that only one generation prints (2019: 本年新制作数量, 上一年项目数量, 政府集中采购 …;
  2021: 本年制发件数, 本年处理决定数量, 本年收费金额 …), computed from the two format files; the majority
  decides, and without any the year does. Reports before 2019 are refused.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from toolkit.errors import UnknownFormatError
from toolkit.importer.extract import Document, Kind
from toolkit.importer.text import core, simplified
from toolkit.messages import msg
from toolkit.spec.load import available_formats, format_for_year, load_spec

_NAME = r"[^\d,.;:!?，。；：！？《》“”<>]{2,40}?"
_REPORT = r"年度?(?:政府信息公开|政务公开)(?:工作)?(?:年度)?报告"
_TITLE_FULL = re.compile(rf"^(?:标题:)?(?P<organ>{_NAME})(?P<year>(?:19|20)\d\d){_REPORT}$")
_TITLE_YEAR_FIRST = re.compile(
    rf"^(?:标题:)?(?P<year>(?:19|20)\d\d)年度?(?P<organ>{_NAME})(?:政府信息公开|政务公开)(?:工作)?(?:年度)?报告"
)
_PUBLISHED = re.compile(rf"(?:现|特|予以)(?:向社会)?公布(?P<organ>{_NAME})(?P<year>(?:19|20)\d\d){_REPORT}")
_PERIOD = re.compile(r"统计(?:期限|时限|期间|区间|时间)[^\d]{0,12}((?:19|20)\d\d)年1月1日")
_SCAN_LINES = 60


@dataclass(frozen=True)
class Found:
    """A value read from the text."""

    value: str
    """What was read."""
    where: str
    """Its location (``L<n>``)."""
    how: str
    """How it was found (Chinese, for the provenance)."""


def _plain(text: str) -> str:
    return "".join(simplified(unicodedata.normalize("NFKC", text)).split())


def _title(doc: Document) -> tuple[re.Match[str], str] | None:
    texts = [(line.text, line.where) for line in doc.lines[:_SCAN_LINES] if not line.row and line.text.strip()]
    # A title on one line first; then a title broken after its year (南口镇2020年政府信息公开工作 / 年度报告).
    pairs = [(_plain(text), where) for text, where in texts]
    pairs += [(_plain(text + nxt), where) for (text, where), (nxt, _) in itertools.pairwise(texts)
              if re.search(r"(?:19|20)\d\d", text) and not re.search(r"\d", nxt)]
    for candidate, where in pairs:
        m = _TITLE_FULL.match(candidate) or _TITLE_YEAR_FIRST.match(candidate)
        if m and (m.group("organ") or "").strip():
            return m, where
    return None


def find_year(doc: Document) -> Found | None:
    """The report year: header ``year:``, title, or 统计期限."""
    if "year" in doc.header:
        value, where = doc.header["year"]
        if re.fullmatch(r"(?:19|20)\d\d", value.strip()):
            return Found(value.strip(), where, msg("import.how.header_year"))
    title = _title(doc)
    if title is not None:
        return Found(title[0].group("year"), title[1], msg("import.how.title"))
    for line in doc.lines:
        m = _PERIOD.search(_plain(line.text))
        if m:
            return Found(m.group(1), line.where, msg("import.how.period"))
    return None


def find_organ(doc: Document) -> Found | None:
    """The organ's name from the title, else from the 现公布……年度报告 sentence."""
    title = _title(doc)
    if title is not None:
        return Found(title[0].group("organ"), title[1], msg("import.how.title"))
    for line in doc.lines:
        m = _PUBLISHED.search(_plain(line.text))
        if m:
            return Found(m.group("organ"), line.where, msg("import.how.published"))
    return None


@functools.cache
def format_markers() -> dict[str, frozenset[str]]:
    """Format id → the cores of the 二/三 labels that only that format prints (from the format files)."""
    labels: dict[str, set[str]] = {}
    for fid in available_formats():
        spec = load_spec(fid)
        found: set[str] = set()
        for tid in (*spec.section("s2").tables, *spec.section("s3").tables):
            table = spec.table(tid)
            found.update(core(c.label) for c in table.columns)
            found.update(core(r.label) for r in table.rows if r.label)
        labels[fid] = found
    return {fid: frozenset(found - set().union(*(v for k, v in labels.items() if k != fid)))
            for fid, found in labels.items()}


def marker_counts(doc: Document) -> dict[str, int]:
    """Format id → how many of its own labels the document prints."""
    seen = {core(t.text) for t in doc.tokens if t.kind is Kind.TEXT}
    return {fid: len(markers & seen) for fid, markers in format_markers().items()}


def choose_format(doc: Document, year: int | None, format_id: str | None, path: Path | None = None
                  ) -> tuple[str, str, list[str]]:
    """(format id, how it was chosen, notes): forced, by the labels, or by the year.

    Raises :class:`UnknownFormatError` for reports before 2019, and when neither labels nor year tell.
    """
    if year is not None and year < 2019 and format_id is None:
        raise UnknownFormatError(msg("import.error.pre2019", year=year), path=path or doc.name, year=year)
    counts = marker_counts(doc)
    best = max(counts, key=lambda fid: counts[fid])
    decided = counts[best] > 0 and list(counts.values()).count(counts[best]) == 1
    notes: list[str] = []
    if format_id is not None:
        load_spec(format_id)
        if decided and best != format_id:
            notes.append(msg("import.note.forced_format", forced=format_id, found=best))
        return format_id, msg("import.how.forced"), notes
    if decided:
        return best, msg("import.how.labels", count=counts[best]), notes
    if year is not None:
        return format_for_year(year), msg("import.how.year", year=year), notes
    raise UnknownFormatError(msg("import.error.no_format"), path=path or doc.name)
