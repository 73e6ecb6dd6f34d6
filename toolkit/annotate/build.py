"""Which parts of the user's package the copy changes or adds, and their new bytes (see :mod:`toolkit.annotate`)."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable

from toolkit.annotate.cells import SELECTED, cells_styled, merge_anchors, patch_sheet, unselect
from toolkit.annotate.comments import (
    COMMENTS_CONTENT,
    COMMENTS_TYPE,
    IDMAP,
    VML_CONTENT,
    VML_TYPE,
    Notes,
    comments_part,
    drop_shapes,
    vml_part,
)
from toolkit.annotate.marks import RESULT_SHEET
from toolkit.annotate.package import (
    STYLES_CONTENT,
    STYLES_TYPE,
    WORKSHEET_CONTENT,
    WORKSHEET_TYPE,
    Relationships,
    Unusable,
    add_content_types,
    head,
    patch_workbook,
    relative,
    rels_path,
    sheet_entries,
    unused_name,
)
from toolkit.annotate.result_sheet import print_titles, result_sheet
from toolkit.annotate.styles import MINIMAL, Styles
from toolkit.annotate.tokens import attr_any_prefix
from toolkit.rules.findings import CheckResult, Finding
from toolkit.spec.models import Severity
from toolkit.workbook.a1 import split_a1
from toolkit.workbook.opc import resolve_target
from toolkit.workbook.parts import WORKBOOK_PART, WORKBOOK_RELS
from toolkit.workbook.safety import Package

TYPES = "[Content_Types].xml"
_LEGACY = re.compile(rb"<(?:[\w.-]+:)?legacyDrawing\s[^>]*>")
_SHEET_DATA = re.compile(rb"<(?:[\w.-]+:)?sheetData[\s/>]")


def _flagged(sheets: list[tuple[str, str, str | None]],
             result: CheckResult) -> dict[str, dict[tuple[int, int], list[Finding]]]:
    """Sheet part → zero-based cell → the error and warning findings about it."""
    parts = {name: part for name, _, part in sheets if part and name != RESULT_SHEET}
    found: dict[str, dict[tuple[int, int], list[Finding]]] = {}
    for finding in result.findings:
        if finding.severity is Severity.INFO:
            continue
        for ref in finding.cells:
            part = parts.get(ref.location.sheet) if ref.location is not None else None
            if part is None or ref.location is None:
                continue
            cells = found.setdefault(part, {})
            findings = cells.setdefault(split_a1(ref.location.cell.upper()), [])
            if finding not in findings:
                findings.append(finding)
    return found


def _severity_labels() -> frozenset[str]:
    """What an earlier check's notes begin with, in any language (【错误】, 【warning】…)."""
    from toolkit.messages import msg

    return frozenset(msg(f"annotate.severity.{severity.value}", lang) for severity in Severity
                     for lang in ("zh", "en"))


def _worst(findings: list[Finding]) -> Severity:
    return max((f.severity for f in findings), key=lambda s: s.rank)


def _next_idmap(package: Package) -> Callable[[], int]:
    """Numbers for new VML drawings that no drawing of the package uses (Excel numbers shapes by them)."""
    used = {0}
    for name in package.infos:
        if name.lower().endswith(".vml"):
            for data in IDMAP.findall(package.read(name)):
                used |= {int(n) for n in data.replace(b" ", b"").split(b",") if n.isdigit()}

    def take() -> int:
        n = max(used) + 1
        used.add(n)
        return n

    return take


def build_parts(package: Package, result: CheckResult, lang: str, author: str,
                comment_text: Callable[[list[Finding], str], str]) -> tuple[dict[str, bytes], set[str]]:
    """The copy's new and changed parts (name → bytes) and the parts it leaves out. A part the copy cannot patch
    faithfully refuses the copy: :class:`~toolkit.annotate.package.Unusable`, naming that part."""
    at = [WORKBOOK_RELS]
    try:
        return _build_parts(package, result, lang, author, comment_text, at)
    except Unusable as exc:
        exc.part = exc.part or at[0]
        raise
    except (ValueError, KeyError, IndexError, UnicodeError) as exc:
        raise Unusable(f"{type(exc).__name__}: {exc}", at[0]) from exc


def _build_parts(package: Package, result: CheckResult, lang: str, author: str,
                 comment_text: Callable[[list[Finding], str], str], at: list[str]) -> tuple[dict[str, bytes], set[str]]:
    """:func:`build_parts`; ``at[0]`` is kept the name of the part being read or patched."""
    changed: dict[str, bytes] = {}
    dropped: set[str] = set()
    taken: set[str] = set()
    overrides: list[tuple[str, str]] = []
    defaults: list[tuple[str, str]] = []
    book_rels = Relationships(package.read(WORKBOOK_RELS))
    styles_target = book_rels.of_type(STYLES_TYPE)
    styles_part = resolve_target(styles_target) if styles_target else None
    if styles_part is None or styles_part not in package.infos:
        styles_part = unused_name(package, taken, "xl/styles{}.xml")
        book_rels.add(STYLES_TYPE, relative(styles_part, WORKBOOK_PART))
        overrides.append((styles_part, STYLES_CONTENT))
        styles = Styles(MINIMAL)
    else:
        at[0] = styles_part
        styles = Styles(package.read(styles_part))
    next_idmap = _next_idmap(package)
    at[0] = WORKBOOK_PART
    sheets = sheet_entries(package.read(WORKBOOK_PART), book_rels, package)
    old = next((s for s in sheets if s[0] == RESULT_SHEET), None)
    # A copy checked again (it holds our 校验结果 sheet): its earlier marks go where this check finds nothing.
    at[0] = styles_part
    marks = styles.marks() if old is not None else {}
    earlier = _severity_labels() if old is not None else frozenset()
    flagged = _flagged(sheets, result)
    visit = list(flagged)
    if old is not None:
        visit += [part for _, _, part in sheets if part and part != old[2] and part not in flagged]

    for part in visit:
        cells = flagged.get(part, {})
        at[0] = part
        xml = package.read(part)
        stale = cells_styled(xml, marks) - set(cells)
        severity = {cell: _worst(findings) for cell, findings in cells.items()}
        anchors = merge_anchors(xml, cells)
        on: dict[tuple[int, int], list[Finding]] = {}
        for cell, findings in cells.items():
            box = on.setdefault(anchors.get(cell, cell), [])
            box.extend(f for f in findings if f not in box)
        notes: Notes = {cell: (comment_text(findings, lang), len(findings)) for cell, findings in on.items()}
        own_rels_part = rels_path(part)
        rels = Relationships(package.read(own_rels_part) if own_rels_part in package.infos else None)
        comments_target = rels.of_type(COMMENTS_TYPE)
        comments_name = resolve_target(comments_target, posixpath.dirname(part)) if comments_target else None
        existing = package.read(comments_name) if comments_name and comments_name in package.infos else None
        if not cells and not stale and existing is None:
            continue  # a sheet of the earlier copy with no mark of its own
        legacy = _LEGACY.search(xml)
        vml_rid = attr_any_prefix(legacy.group(), b"id") if legacy else None
        vml_target = rels.target(vml_rid.decode()) if vml_rid else None
        vml_name = resolve_target(vml_target, posixpath.dirname(part)) if vml_target else None
        if legacy is not None and (vml_name is None or vml_name not in package.infos):
            if cells:
                raise ValueError("legacyDrawing without its drawing")
            vml_name = None  # (a sheet with nothing found now: its drawing is left as it is)
        new_rid = None
        if cells:
            at[0] = comments_name or part
            comments, new_cells, gone = comments_part(existing, notes, author, earlier=earlier)
            if comments_name is None or existing is None:
                comments_name = unused_name(package, taken, "xl/comments{}.xml")
                rels.add(COMMENTS_TYPE, relative(comments_name, part))
                overrides.append((comments_name, COMMENTS_CONTENT))
            changed[comments_name] = comments
            shapes = [(r, c, notes[r, c][1]) for r, c in sorted(new_cells)]
            if vml_name is None:
                vml_name = unused_name(package, taken, "xl/drawings/vmlDrawing{}.vml")
                new_rid = rels.add(VML_TYPE, relative(vml_name, part))
                defaults.append(("vml", VML_CONTENT))
                changed[vml_name] = vml_part(None, shapes, next_idmap())
            elif shapes or gone:
                at[0] = vml_name
                changed[vml_name] = vml_part(drop_shapes(package.read(vml_name), gone), shapes, next_idmap())
            changed[own_rels_part] = rels.xml()
        elif existing is not None and comments_name is not None:
            # a sheet with nothing found now: only an earlier check's comments go. One the copy cannot read is
            # left as it is (the sheet has no finding, so nothing of this check is lost by it).
            try:
                comments, _, gone = comments_part(existing, {}, author, earlier=earlier)
                drawing = drop_shapes(package.read(vml_name), gone) if vml_name is not None and gone else None
            except (ValueError, KeyError, IndexError, UnicodeError):
                comments, drawing = existing, None
            if comments != existing:
                changed[comments_name] = comments
                if drawing is not None and vml_name is not None:
                    changed[vml_name] = drawing
            elif not stale:
                continue  # nothing of an earlier check on it

        def restyle(xf: int, cell: tuple[int, int], severity: dict[tuple[int, int], Severity] = severity) -> int:
            base = marks.get(xf, xf)  # a cell an earlier check marked: from the format it had before
            return styles.flagged(base, severity[cell]) if cell in severity else base

        at[0] = part
        changed[part] = patch_sheet(xml, set(cells) | stale, restyle, new_rid)

    for _, _, sheet_part in sheets:
        if sheet_part and sheet_part not in changed and (old is None or sheet_part != old[2]):
            start = head(package, sheet_part)
            data_at = _SHEET_DATA.search(start)
            if data_at is None and len(start) < package.infos[sheet_part].file_size:
                views = None  # the head ends before the cells: look at the whole sheet
            else:
                views = start[:data_at.start()] if data_at is not None else start
            if views is not None and not SELECTED.search(views):
                continue  # its views (before its cells) select no tab
            at[0] = sheet_part
            xml = package.read(sheet_part)
            unselected = unselect(xml)
            if unselected != xml:
                changed[sheet_part] = unselected
    replaced_rid: str | None = None
    if old is not None and old[2] is not None:
        result_part, replaced_rid = old[2], old[1]
        if rels_path(result_part) in package.infos:
            dropped.add(rels_path(result_part))  # its comments and drawings must not come onto the new sheet
        rid = replaced_rid
    else:
        result_part = unused_name(package, taken, "xl/worksheets/sheet{}.xml")
        rid = book_rels.add(WORKSHEET_TYPE, relative(result_part, WORKBOOK_PART))
        overrides.append((result_part, WORKSHEET_CONTENT))
    changed[result_part] = result_sheet(result, styles, lang)
    at[0] = WORKBOOK_PART
    changed[WORKBOOK_PART] = patch_workbook(package.read(WORKBOOK_PART), RESULT_SHEET, rid, replaced_rid,
                                            print_titles())
    changed[WORKBOOK_RELS] = book_rels.xml()
    at[0] = styles_part
    changed[styles_part] = styles.xml()
    at[0] = TYPES
    changed[TYPES] = add_content_types(package.read(TYPES), overrides, defaults)
    return changed, dropped
