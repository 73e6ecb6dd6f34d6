"""Find the official structure inside long lines: section headings and table labels wherever the text puts them.

Many sites publish the whole report body as one line — headings, table labels and numbers follow each other with
no break (``…联系。一、总体情况2021年…规章000规范性文件106第二十条第（五）项…``). Line breaks are therefore a hint,
never a requirement: every text line is searched

1. for section headings (``一、`` … ``六、`` followed by words close to the official title, in report order, each
   after the one before; not ``（一）`` sub-headings, not 三's rows ``一、本年新收…``), and
2. for *chains* of table labels (captions, headers, column and row labels and their known variants from the format
   files, longest first), with digit runs between them.

A label counts only inside a chain — two or more labels with nothing but digits between them, or one label whose
digits end the line — so a narrative sentence that mentions 规章和规范性文件1条 is left alone. Between two runs a
short text without sentence punctuation is a row label the format files do not know (kept as a label, so the
table reader can match it fuzzily). The item number of the next row glued to the digits
(``00000002.其他法律…``) goes with its label. Each piece becomes its own line of the document, with the source
line it came from and its character span.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace

from toolkit.errors import ToolkitError
from toolkit.importer.document import Document, Kind, Line, Token, classify
from toolkit.importer.sections import heading_at
from toolkit.labels import Folded, fold, strip_enumerator, words
from toolkit.messages import msg
from toolkit.spec.load import available_formats, load_spec
from toolkit.spec.models import ColumnGroup, Table

_VALUE_CHARS = r"\d\s.,/／\-—–×件条个项"
_LEADING_VALUE = re.compile(rf"^[{_VALUE_CHARS}无]*?[\d/／\-—–×无][{_VALUE_CHARS}]*(?:万元|元|件|条|个|项)?\s*")
_TRAILING_VALUE = re.compile(rf"\s*[{_VALUE_CHARS}]*[\d/／\-—–×](?:万元|元|件|条|个|项)?\s*$")
_ONLY_VALUE = re.compile(rf"^[{_VALUE_CHARS}无]*(?:万元|元|件|条|个|项)?\s*$")
_SENTENCE = re.compile(r"[。；;！!？?]")
_COUNTED_CLAUSE = re.compile(r"\d\s*(?:万元|元|件|条|个|项|次|人)\s*[,，、。；;：:]")
_ITEM_NUMBER = re.compile(r"^\s*(?:[.．、,，]|\d[.．、])")
_DATE_AFTER = re.compile(r"^\s*[年月日%％]")
_ITEM_MARKS = frozenset(".．、,，")
NARRATIVE_CHAIN = 4
"""Labels a chain needs inside a narrative section to be taken as a table."""
LABELISH_AT_MOST = 60
"""An unknown row label between two runs is at most this long (the longest official row label has 37)."""


@dataclass(frozen=True)
class Piece:
    """A part of a line: a heading, a label, a run of digits, or narrative; [start, end) in the source line."""

    kind: str
    """``heading``, ``label``, ``run`` or ``text``."""
    start: int
    end: int


def _table_labels(table: Table) -> list[str]:
    labels = [table.caption, table.row_header, table.note, table.column_group_header]
    labels += [c.label for c in table.columns] + [a for c in table.columns for a in c.aliases]
    labels += [r.label for r in table.rows] + [a for r in table.rows for a in r.aliases]
    groups: list[ColumnGroup] = list(table.column_groups)
    while groups:
        group = groups.pop()
        labels.append(group.label)
        groups.extend(group.subgroups)
    return [label for label in labels if label]


@functools.cache
def vocabulary() -> dict[str, tuple[str, ...]]:
    """First folded character → the folded forms of every table label of every format, longest first.

    Each label is known with its item number (``1属于国家秘密``), without it, and without bracketed notes
    (``部分公开`` for （二）部分公开（区分处理的…）).
    """
    forms: set[str] = set()
    for fid in available_formats():
        for table in load_spec(fid).tables.values():
            for label in _table_labels(table):
                forms.add(words(label))
                forms.add(words(strip_enumerator(fold(label))))
                forms.add(words(re.sub(r"\([^()]*\)", "", strip_enumerator(fold(label)))))
    by_first: dict[str, list[str]] = {}
    for form in forms:
        if len(form) >= 2:
            by_first.setdefault(form[0], []).append(form)
    return {ch: tuple(sorted(found, key=len, reverse=True)) for ch, found in by_first.items()}


def label_matches(folded: Folded) -> list[tuple[int, int]]:
    """Non-overlapping label occurrences in ``folded`` (folded coordinates), leftmost-longest."""
    vocab = vocabulary()
    text, out, i = folded.text, [], 0
    while i < len(text):
        numbered = text[i].isdigit()
        if numbered and folded.source[folded.origin[i] + 1: folded.origin[i] + 2] not in _ITEM_MARKS:
            i += 1  # a digit is an item number (1.属于…) only with its mark; else it is a cell's digit
            continue
        for form in vocab.get(text[i], ()):
            if text.startswith(form, i):
                out.append((i, i + len(form)))
                i += len(form)
                break
        else:
            i += 1
    return out


def _gap(source: str, start: int, end: int, *, last: bool) -> list[Piece] | None:
    """The pieces between two labels of a chain, or None when the gap is narrative (the chain ends there)."""
    gap = source[start:end]
    if not gap.strip():
        return []
    lead = _LEADING_VALUE.match(gap)
    head = lead.end() if lead else 0
    if _COUNTED_CLAUSE.search(gap[: head + 2]):
        return None  # 93件，… is a sentence counting things, not a table's cells
    if _ONLY_VALUE.match(gap):
        return [Piece("run", start, end)]
    if head and _DATE_AFTER.match(gap[head:]):
        head = gap.rfind(" ", 0, head) + 1 if " " in gap[:head].rstrip() else 0
    if last:
        return [Piece("run", start, start + head)] if head else None
    tail_match = _TRAILING_VALUE.search(gap[head:])
    tail = head + tail_match.start() if tail_match else len(gap)
    if head and _ITEM_NUMBER.match(gap[head:]) and gap[head - 1].isdigit() and not gap[head:].lstrip()[:1].isdigit():
        head -= 1
    middle = gap[head:tail]
    labelish = len(fold(middle)) <= LABELISH_AT_MOST and not _SENTENCE.search(middle)
    numbered = bool(re.match(r"\s*(?:\d[.．、]|[(（][一二三四五六七八九十]+[)）])", middle))
    if not labelish or not ((head and tail < len(gap)) or numbered):
        return None
    pieces = [Piece("run", start, start + head)] if head else []
    pieces.append(Piece("label", start + head, start + tail))
    if tail < len(gap):
        pieces.append(Piece("run", start + tail, end))
    return pieces


_OPENING = frozenset("（(“‘【〔[「『《<")
_CLOSING = frozenset("）)”’】〕]」』》>：:")


def _widen(source: str, start: int, end: int) -> tuple[int, int]:
    """A label's source span with the brackets and quotes that enclose its first or last word."""
    while start > 0 and source[start - 1] in _OPENING:
        start -= 1
    while end < len(source) and source[end] in _CLOSING:
        end += 1
    return start, end


def table_pieces(source: str, *, narrative: bool = False) -> list[Piece]:
    """``source`` cut into narrative, labels and runs (one ``text`` piece when it holds no chain of labels).

    Inside a narrative section (一, 五, 六) a chain needs :data:`NARRATIVE_CHAIN` labels: a sentence there may
    name two (行政复议93件，行政诉讼19件), a table printed there (a heading the text lacks) names many more.
    """
    folded = Folded.of(source)
    matches = [_widen(source, *folded.span(a, b)) for a, b in label_matches(folded)]
    if not matches or (len(matches) == 1 and matches[0] == (0, len(source.rstrip()))):
        return [Piece("text", 0, len(source))]
    pieces: list[Piece] = []
    cursor = 0
    i = 0
    while i < len(matches):
        chain = [Piece("label", *matches[i])]
        j = i
        while j + 1 < len(matches):
            between = _gap(source, matches[j][1], matches[j + 1][0], last=False)
            if between is None:
                break
            chain += [*between, Piece("label", *matches[j + 1])]
            j += 1
        tail_end = matches[j + 1][0] if j + 1 < len(matches) else len(source)
        tail = _gap(source, matches[j][1], tail_end, last=True) or []
        chain += tail
        labels = sum(1 for p in chain if p.kind == "label")
        ends_line = bool(tail) and not source[tail[-1].end:tail_end].strip() and j + 1 == len(matches)
        needed = NARRATIVE_CHAIN if narrative else 2
        if labels >= needed or (labels == 1 and tail and ends_line and not narrative):
            if chain[0].start > cursor:
                pieces.append(Piece("text", cursor, chain[0].start))
            pieces += chain
            cursor = chain[-1].end
        i = j + 1
    if cursor < len(source):
        pieces.append(Piece("text", cursor, len(source)))
    return [p for p in pieces if source[p.start:p.end].strip()]


MAX_TOKENS = 30_000
"""Cells a document may have once segmented (a long report has ~2,000); beyond it the import is refused, which
bounds the time of every later step (they are linear in the rows times the cells)."""


_NARRATIVE_SECTIONS = frozenset({0, 4, 5})
"""Indexes of 一, 五 and 六, whose text is prose."""


class Segmenter:
    """Splits the long lines of a document into headings, narrative, labels and runs (see the module docstring)."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.next_section = 0
        self.lines: list[Line] = []
        self.tokens = 0

    def _emit(self, line: Line, piece: Piece, source: str) -> None:
        text = source[piece.start:piece.end].strip()
        if not text:
            return
        offset = len(source[piece.start:piece.end]) - len(source[piece.start:piece.end].lstrip())
        span = (piece.start + offset, piece.start + offset + len(text))
        kind = {"run": Kind.RUN, "heading": Kind.TEXT, "label": Kind.TEXT}.get(piece.kind) or classify(text)
        whole = span == (0, len(source))
        token = Token(text, line.where, 0, kind, span=None if whole else span)
        self.lines.append(Line(0, text, line.where, (token,), False))
        self._count(1)

    def _count(self, tokens: int) -> None:
        self.tokens += tokens
        if self.tokens > MAX_TOKENS:
            raise ToolkitError(msg("import.error.too_many_cells", limit=MAX_TOKENS), path=self.doc.name)

    def _headings(self, source: str) -> list[tuple[Piece, int]]:
        """The line cut at section headings: (piece, index of the section it lies in; -1 before the first)."""
        pieces: list[tuple[Piece, int]] = []
        cursor = 0
        for pos, ch in enumerate(source):
            if pos < cursor or ch not in "一二三四五六第":
                continue
            found = heading_at(source, pos, self.next_section)
            if found is None:
                continue
            section, end = found
            if pos > cursor:
                pieces.append((Piece("body", cursor, pos), self.next_section - 1))
            pieces.append((Piece("heading", pos, end), section))
            self.next_section, cursor = section + 1, end
        if cursor < len(source):
            pieces.append((Piece("body", cursor, len(source)), self.next_section - 1))
        return pieces

    def _split_cells(self, line: Line) -> Line:
        """A table row whose cell prints a label and its digits together (``| 1.属于国家秘密 0 0 0 |``): that cell
        becomes the label and the run, in the same row."""
        tokens: list[Token] = []
        for token in line.tokens:
            pieces = table_pieces(token.text) if token.kind is Kind.TEXT else []
            if len(pieces) > 1 and all(p.kind in ("label", "run") for p in pieces):
                for p in pieces:
                    text = token.text[p.start:p.end].strip()
                    tokens.append(replace(token, text=text, kind=Kind.RUN if p.kind == "run" else Kind.TEXT))
            else:
                tokens.append(token)
        return replace(line, tokens=tuple(tokens)) if len(tokens) != len(line.tokens) else line

    def run(self) -> Document:
        """The segmented document (lines renumbered; tokens keep their source line and span)."""
        for line in self.doc.lines:
            token = line.tokens[0]
            if line.row or len(line.tokens) != 1 or token.kind not in (Kind.TEXT, Kind.RUN) or token.span:
                self.lines.append(self._split_cells(line) if line.row else line)
                self._count(len(self.lines[-1].tokens))
                continue
            source = token.text
            for part, section in self._headings(source):
                if part.kind == "heading":
                    self._emit(line, part, source)
                    continue
                narrative = section in _NARRATIVE_SECTIONS
                for piece in table_pieces(source[part.start:part.end], narrative=narrative):
                    self._emit(line, Piece(piece.kind, piece.start + part.start, piece.end + part.start), source)
        return self.doc.renumbered(self.lines)


def segment(doc: Document) -> Document:
    """``doc`` with its long lines split at section headings and table labels (see the module docstring)."""
    return Segmenter(doc).run()
