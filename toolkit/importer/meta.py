"""The report's year, organ and format generation, each with where it was read.

* Year: an archive header ``year:``, else the title (南口镇2020年政府信息公开工作年度报告), else the
  统计期限 sentence (统计期限为2024年1月1日至…).
* Organ: the title (the name before or after the year), else the 现公布…年度报告 sentence.
* Format: the table labels that only one generation prints (2019: 本年新制作数量, 上一年项目数量, 政府集中采购 …;
  2021: 本年制发件数, 本年处理决定数量, 本年收费金额 …), computed from the two format files; the majority
  decides, and without any the year does. Reports before 2019 are refused.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from pathlib import Path

from toolkit.errors import UnknownFormatError
from toolkit.importer.document import Document, Kind
from toolkit.labels import COVER_LETTER, core, format_markers, leading_format, parse_title, plain, score_formats
from toolkit.messages import msg
from toolkit.spec.load import format_for_year, load_spec

_NAME = r"[^\d,.;:!?，。；：！？《》“”<>]{2,40}?"
_REPORT = r"年度?(?:政府信息公开|政务公开|信息公开)(?:工作)?(?:年度)?报告"
_PUBLISHED = re.compile(rf"(?:现|特|予以)(?:向社会)?公布(?P<organ>{_NAME})(?P<year>(?:19|20)\d\d){_REPORT}")
_PERIOD = re.compile(r"统计(?:期限|时限|期间|区间|时间)[^\d]{0,12}((?:19|20)\d\d)年1月1日")
_SCAN_LINES = 60
_TITLE_AT_MOST = 80
"""A title is short; a line that starts with one and goes on is a one-line body (the title is its start)."""


@dataclass(frozen=True)
class Found:
    """A value read from the text."""

    value: str
    """What was read."""
    where: str
    """Its location (``L<n>``)."""
    how: str
    """How it was found (Chinese, for the provenance)."""


def _candidates(doc: Document) -> list[tuple[str, str]]:
    texts = [(line.text, line.where) for line in doc.lines[:_SCAN_LINES] if not line.row and line.text.strip()]
    # A title on one line first; then a title broken after its year (南口镇2020年政府信息公开工作 / 年度报告).
    pairs = [(plain(text), where) for text, where in texts]
    pairs += [(plain(text + nxt), where) for (text, where), (nxt, _) in itertools.pairwise(texts)
              if re.search(r"(?:19|20)\d\d", text) and not re.search(r"\d", nxt)]
    return pairs


def _title(doc: Document) -> tuple[tuple[str, int], str] | None:
    """(organ, year) and where, from the title; a cover letter's title (…关于报送…报告的函) names the sender."""
    for candidate, where in _candidates(doc):
        text = candidate.removeprefix("标题:")
        cut = COVER_LETTER.search(text)
        if cut is not None:
            text = text[: cut.end()]
        elif len(text) > _TITLE_AT_MOST:
            m = re.search(r"报告", text)
            text = text[: m.end()] if m else text
        found = parse_title(text)
        if found is not None:
            return found, where
    return None


def find_year(doc: Document) -> Found | None:
    """The report year: header ``year:``, title, or 统计期限."""
    if "year" in doc.header:
        value, where = doc.header["year"]
        if re.fullmatch(r"(?:19|20)\d\d", value.strip()):
            return Found(value.strip(), where, msg("import.how.header_year"))
    title = _title(doc)
    if title is not None:
        return Found(str(title[0][1]), title[1], msg("import.how.title"))
    for line in doc.lines:
        m = _PERIOD.search(plain(line.text))
        if m:
            return Found(m.group(1), line.where, msg("import.how.period"))
    return None


def find_organ(doc: Document) -> Found | None:
    """The organ's name from the title (for a 函, its sender), else from the 现公布……年度报告 sentence."""
    title = _title(doc)
    if title is not None:
        return Found(title[0][0], title[1], msg("import.how.title"))
    for line in doc.lines:
        m = _PUBLISHED.search(plain(line.text))
        if m:
            return Found(m.group("organ"), line.where, msg("import.how.published"))
    return None


def marker_counts(doc: Document) -> dict[str, int]:
    """Format id → how many of its own labels (rows, columns, captions) the document prints as labels."""
    return score_formats(core(t.text) for t in doc.tokens if t.kind is Kind.TEXT)


def choose_format(doc: Document, year: int | None, format_id: str | None, path: Path | None = None
                  ) -> tuple[str, str, list[str]]:
    """(format id, how it was chosen, notes): forced, by the tables' own labels, or by the year.

    The tables decide over the year: a 2021 report printed with the 2019 tables is read in the 2019 format (and
    ``check`` reports the mismatch). Raises :class:`UnknownFormatError` for reports before 2019, and when neither
    labels nor year tell.
    """
    if year is not None and year < 2019 and format_id is None:
        raise UnknownFormatError(msg("import.error.pre2019", year=year), path=path or doc.name, year=year)
    counts = marker_counts(doc)
    best = leading_format(counts)
    notes: list[str] = []
    if format_id is not None:
        load_spec(format_id)
        if best is not None and best != format_id:
            notes.append(msg("import.note.forced_format", forced=format_id, found=best))
        return format_id, msg("import.how.forced"), notes
    if best is not None:
        return best, msg("import.how.labels", count=counts[best]), notes
    if year is not None:
        return format_for_year(year), msg("import.how.year", year=year), notes
    raise UnknownFormatError(msg("import.error.no_format"), path=path or doc.name)


__all__ = ["Found", "choose_format", "find_organ", "find_year", "format_markers", "marker_counts"]
