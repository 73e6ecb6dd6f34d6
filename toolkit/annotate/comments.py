"""The comments of a flagged sheet: a comments part and its legacy VML drawing (the boxes Excel, WPS, LibreOffice
and Gnumeric show on hover), new or merged into the ones the user's sheet already has (their comments kept, ours
added after their text where both are on one cell)."""

from __future__ import annotations

import re

from toolkit.annotate.tokens import attr, children, root, set_attr, splice, text
from toolkit.workbook.a1 import a1, split_a1

COMMENTS_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments"
VML_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/vmlDrawing"
COMMENTS_CONTENT = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
VML_CONTENT = "application/vnd.openxmlformats-officedocument.vmlDrawing"

_MAIN = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_VML_NS = {b"v": b"urn:schemas-microsoft-com:vml", b"o": b"urn:schemas-microsoft-com:office:office",
           b"x": b"urn:schemas-microsoft-com:office:excel"}
_SHAPE_ID = re.compile(rb"_x0000_s(\d+)")
IDMAP = re.compile(rb"""<o:idmap\s[^>]*?data\s*=\s*["']([0-9, ]+)["']""")

Notes = dict[tuple[int, int], tuple[str, int]]
"""Zero-based (row, col) → (the comment's text, how many findings it holds)."""


def _run(note: str, p: bytes) -> bytes:
    return (b'<%sr><%srPr><%ssz val="9"/><%srFont val="\xe5\xae\x8b\xe4\xbd\x93"/></%srPr>'
            b'<%st xml:space="preserve">%s</%st></%sr>' % (p, p, p, p, p, p, text(note), p, p))


def _ref(row: int, col: int) -> bytes:
    return a1(row, col).encode()


def comments_part(existing: bytes | None, notes: Notes, author: str, *,
                  earlier: frozenset[str] = frozenset()) -> tuple[bytes, set[tuple[int, int]], set[tuple[int, int]]]:
    """The comments part holding ``notes`` (merged into ``existing``), the cells that had no comment before (they
    need a shape in the drawing), and the cells whose comment went (their shapes must go).

    ``earlier``: the copy is being made of a copy, and these are the severity labels its notes begin with
    (【错误】…): a comment of ``author`` on a cell without a note now is removed, and a note an earlier check
    added to somebody else's comment is taken out of it (replaced, where the cell has a note now), so the copy
    says only what this check found."""
    if existing is None:
        body = b"".join(b'<comment ref="%s" authorId="0"><text>%s</text></comment>' % (_ref(*cell), _run(note, b""))
                        for cell, (note, _) in sorted(notes.items()))
        fresh = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<comments xmlns="%s"><authors><author>%s'
                 b'</author></authors><commentList>%s</commentList></comments>' % (_MAIN, text(author), body))
        return fresh, set(notes), set()
    top = root(existing)
    p = top.prefix
    kids = {k.name: k for k in children(existing, top)}
    authors, listed = kids.get(b"authors"), kids.get(b"commentList")
    if authors is None or listed is None or authors.empty:
        raise ValueError("comments part without authors or commentList")
    names = [existing[a.tag_end:a.inner_end] for a in children(existing, authors) if a.name == b"author"]
    edits: list[tuple[int, int, bytes]] = []
    if text(author) in names:
        author_id = names.index(text(author))
    else:
        author_id = len(names)
        edits.append((authors.inner_end, authors.inner_end, b"<%sauthor>%s</%sauthor>" % (p, text(author), p)))
    remaining = dict(notes)
    gone: set[tuple[int, int]] = set()
    own = b"%d" % author_id
    nameless = {b"%d" % i for i, name in enumerate(names) if not name.strip()}  # authors an application dropped
    if not listed.empty:
        for comment in children(existing, listed):
            ref = attr(comment.start_tag(existing), b"ref")
            try:
                cell = split_a1(ref.decode("ascii")) if ref else None
            except ValueError:
                continue
            if comment.empty or cell is None:
                continue
            by = attr(comment.start_tag(existing), b"authorId")
            ours = by == own or (bool(earlier) and by in nameless
                                 and _opens_with_label(existing, comment.tag_end, comment.inner_end, earlier))
            if cell not in remaining:
                if earlier and ours:
                    edits.append((comment.start, comment.end, b""))
                    gone.add(cell)
                elif earlier:
                    edits.extend(_earlier_runs(existing, comment.tag_end, comment.inner_end, earlier))
                continue
            body = existing[comment.tag_end:comment.inner_end]
            opening, close = body.find(b"<" + p + b"text>"), body.rfind(b"</" + p + b"text")
            if close < 0:
                continue
            note = remaining.pop(cell)[0]
            if ours and opening >= 0:
                # an earlier check's comment (re-checking a copy): replaced, not repeated
                start = comment.tag_end + opening + len(p) + 6
                edits.append((start, comment.tag_end + close, _run(note, p)))
            else:
                if earlier:
                    edits.extend(_earlier_runs(existing, comment.tag_end, comment.tag_end + close, earlier))
                at = comment.tag_end + close
                edits.append((at, at, _run("\n" + note, p)))
    new = b"".join(b'<%scomment ref="%s" authorId="%d"><%stext>%s</%stext></%scomment>' % (
        p, _ref(*cell), author_id, p, _run(note, p), p, p) for cell, (note, _) in sorted(remaining.items()))
    if listed.empty:
        edits.append((listed.start, listed.end, b"<%scommentList>%s</%scommentList>" % (p, new, p)))
    else:
        edits.append((listed.inner_end, listed.inner_end, new))
    return splice(existing, edits), set(remaining), gone


_RUN = re.compile(rb"<(?P<p>(?:[\w.-]+:)?)r>.*?</(?P=p)r>", re.DOTALL)
_RUN_TEXT = re.compile(rb"<(?:[\w.-]+:)?t(?:\s[^>]*)?>(.*?)</(?:[\w.-]+:)?t>", re.DOTALL)


def _heads(labels: frozenset[str], before: tuple[bytes, ...]) -> tuple[bytes, ...]:
    return tuple(lead + ("【" + label + "】").encode() for label in labels for lead in before)


_NEW_LINE = (b"\n", b"&#10;", b"&#xA;", b"&#xa;", b"\r\n", b"&#13;&#10;")
"""A new line as a comment's text holds it (LibreOffice writes a character reference)."""


def _opens_with_label(xml: bytes, start: int, end: int, labels: frozenset[str]) -> bool:
    """True when the text of the comment whose content lies between ``start`` and ``end`` begins with 【one of
    ``labels``】: how an earlier check's own comment is still known when an application saved the copy without
    its author (LibreOffice writes a blank one for every comment). Asked only for a comment whose author is blank:
    a comment signed by somebody is theirs, whatever it begins with."""
    found = _RUN_TEXT.search(xml, start, end)
    return found is not None and found.group(1).startswith(_heads(labels, (b"",)))


def _earlier_runs(xml: bytes, start: int, end: int, labels: frozenset[str]) -> list[tuple[int, int, bytes]]:
    """Removals that take out of one comment's text (between ``start`` and ``end``) what an earlier check appended
    to somebody else's comment: its run, as the copy wrote it (9-point text beginning with a new line and
    【one of ``labels``】), and every run after it. Text the user wrote, in a run of its own or not, is never
    taken for it: where an application merged the note into the user's text (openpyxl writes one plain text) or
    restyled its run (LibreOffice sets every run's size), the note stays in their comment."""
    heads = _heads(labels, _NEW_LINE)
    for run in _RUN.finditer(xml, start, end):
        found = _RUN_TEXT.search(run.group())
        if found is not None and found.group(1).startswith(heads) and _NOTE_SIZE.search(run.group()):
            return [(run.start(), _last_run_end(xml, run.end(), end), b"")]
    return []


_NOTE_SIZE = re.compile(rb"""<(?:[\w.-]+:)?sz\s+val\s*=\s*["']9["']""")
"""The size of a note's run (:func:`_run`)."""


def _last_run_end(xml: bytes, start: int, end: int) -> int:
    """Past the last run that begins between ``start`` and ``end`` (``start`` when none does)."""
    last = start
    for run in _RUN.finditer(xml, start, end):
        last = run.end()
    return last


_SHAPE = re.compile(rb"<(?P<p>(?:[\w.-]+:)?)shape(?=[\s>]).*?</(?P=p)shape\s*>", re.DOTALL)
_ROW_OF = re.compile(rb"<(?:[\w.-]+:)?Row\s*>\s*([0-9]+)\s*<")
_COLUMN_OF = re.compile(rb"<(?:[\w.-]+:)?Column\s*>\s*([0-9]+)\s*<")


def drop_shapes(vml: bytes, cells: set[tuple[int, int]]) -> bytes:
    """The drawing without the note boxes anchored at ``cells`` (zero-based), the comments of which are gone."""
    if not cells:
        return vml
    edits = []
    for shape in _SHAPE.finditer(vml):
        body = shape.group()
        if b"Note" not in body:
            continue
        row, col = _ROW_OF.search(body), _COLUMN_OF.search(body)
        if row is not None and col is not None and (int(row.group(1)), int(col.group(1))) in cells:
            edits.append((shape.start(), shape.end(), b""))
    return splice(vml, edits)


def _shape(shape_id: int, row: int, col: int, findings: int) -> bytes:
    height = min(80 + 40 * findings, 400)
    rows = max(4, height // 15)
    return (b'<v:shape id="_x0000_s%d" type="#_x0000_t202" style="position:absolute;margin-left:59.25pt;'
            b'margin-top:1.5pt;width:360pt;height:%dpt;z-index:%d;visibility:hidden" fillcolor="#ffffe1" '
            b'o:insetmode="auto"><v:fill color2="#ffffe1"/><v:shadow on="t" color="black" obscured="t"/>'
            b'<v:path o:connecttype="none"/><v:textbox style="mso-direction-alt:auto"><div style="text-align:left">'
            b'</div></v:textbox><x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/>'
            b'<x:Anchor>%d, 15, %d, 2, %d, 15, %d, 4</x:Anchor><x:AutoFill>False</x:AutoFill><x:Row>%d</x:Row>'
            b'<x:Column>%d</x:Column></x:ClientData></v:shape>'
            % (shape_id, height, shape_id & 0x3FF, col + 1, max(row - 1, 0), col + 8, max(row - 1, 0) + rows,
               row, col))


_SHAPETYPE = (b'<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe">'
              b'<v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>')


def vml_part(existing: bytes | None, cells: list[tuple[int, int, int]], idmap: int) -> bytes:
    """The drawing with a hidden note box for each (row, col, findings) in ``cells``, added to ``existing`` (whose
    shapes, VML that is often not well-formed XML, are left as they are) or in a new drawing numbered ``idmap``."""
    if existing is None:
        shapes = b"".join(_shape(idmap * 1024 + 1 + i, r, c, n) for i, (r, c, n) in enumerate(cells))
        declare = b" ".join(b'xmlns:%s="%s"' % item for item in _VML_NS.items())
        return (b'<xml %s><o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="%d"/></o:shapelayout>%s%s</xml>'
                % (declare, idmap, _SHAPETYPE, shapes))
    start = existing.find(b"<xml")
    close = existing.rfind(b"</xml>")
    tag_end = existing.find(b">", start)
    if start < 0 or close < tag_end or tag_end < 0:
        raise ValueError("not a VML drawing")
    head = existing[start:tag_end + 1]
    for prefix, uri in _VML_NS.items():
        bound = attr(head, b"xmlns:" + prefix)
        if bound is None:
            head = set_attr(head, b"xmlns:" + prefix, uri)
        elif bound != uri:
            raise ValueError("VML prefix bound elsewhere")
    used = [int(n) for n in _SHAPE_ID.findall(existing)]
    first = max(used, default=idmap * 1024) + 1
    shapes = b"".join(_shape(first + i, r, c, n) for i, (r, c, n) in enumerate(cells))
    if b'id="_x0000_t202"' not in existing:
        shapes = _SHAPETYPE + shapes
    return existing[:start] + head + existing[tag_end + 1:close] + shapes + existing[close:]
