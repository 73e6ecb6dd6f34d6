"""The highlighted copy: the user's workbook with every finding's cells coloured and commented, plus a
校验结果 sheet listing all findings with links to their cells. The input file is never modified.

The copy patches the user's own package instead of loading and saving it: the flagged sheets get a format index on
each flagged cell, styles.xml gets the fills, fonts and formats they need, each flagged sheet gets a comments part
and its VML drawing (merged with the user's comments), workbook.xml, its relationships and the content types get
the new sheet. Every other part is copied as its compressed bytes, so the copy keeps all the user had: cached
formula results (WPS and LibreOffice show them without recalculating), images, charts, WPS's extensions.

The parts are edited at the token level (:mod:`toolkit.annotate.tokens`), not parsed and serialised: the bytes
outside each edit stay the user's exactly (namespace prefixes that ``mc:Ignorable`` names, which ElementTree would
rename and Excel would then refuse), no dependency is added, and a 60 KB sheet is patched in well under a
millisecond instead of being parsed and written again.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from toolkit.annotate.marks import COMMENT_AUTHOR, FILLS, RESULT_SHEET
from toolkit.errors import WorkbookError
from toolkit.fileio import Inputs, write_atomic
from toolkit.messages import msg
from toolkit.rules.findings import CheckResult, Finding
from toolkit.untrusted import xml_text

if TYPE_CHECKING:
    from toolkit.workbook.safety import Package

__all__ = ["COMMENT_AUTHOR", "FILLS", "RESULT_SHEET", "annotate_workbook", "annotated_path"]

def annotated_path(source: Path) -> Path:
    """Where the highlighted copy goes by default: ``2026年报.xlsx`` → ``2026年报.校验.xlsx`` beside it.

    Re-checking a copy (``2026年报.校验.xlsx``) writes ``2026年报.再校验.xlsx``, never over the file being checked.
    """
    if source.stem.endswith(".校验"):
        return source.with_name(f"{source.stem.removesuffix('.校验')}.再校验.xlsx")
    return source.with_name(f"{source.stem}.校验.xlsx")


def _comment_text(findings: list[Finding], lang: str) -> str:
    lines = []
    for f in findings:
        level = msg(f"annotate.severity.{f.severity.value}", lang)
        lines.append(f"【{level}】{f.message.get(lang)}")
        if f.hint:
            lines.append(f"  {msg('annotate.hint', lang)}{f.hint.get(lang)}")
    return xml_text("\n".join(lines))


def _write_copy(package: Package, result: CheckResult, target: Path, lang: str) -> None:
    from toolkit.annotate.build import build_parts
    from toolkit.annotate.package import Unusable, write_package

    try:
        changed, dropped = build_parts(package, result, lang, COMMENT_AUTHOR, _comment_text)
        write_package(package, changed, dropped, target)
    except Unusable as exc:  # a part the copy cannot patch, or carry over, faithfully
        raise WorkbookError(msg("annotate.unreadable", lang, part=exc.part or "?"), path=package.path,
                            reason=str(exc)) from exc


def annotate_workbook(source: Path, result: CheckResult, target: Path | None = None, *, lang: str = "zh",
                      package: Package | None = None, protect: Inputs = None, overwrite: bool = True) -> Path:
    """Write the highlighted copy of ``source`` to ``target`` (default: :func:`annotated_path`), atomically.

    Error cells get a red fill, warning cells a yellow one, each with a comment explaining every finding on
    it; a 校验结果 sheet (first, active) lists all findings with links. ``source`` is only read, and only once:
    ``package`` is the package the check read (the copy is of the very bytes checked); without it the file is
    read here. ``protect`` are further inputs the copy may not replace; an existing ``target`` is replaced
    only with ``overwrite``. Every text from the unit is written as text (never a formula), with control
    characters shown as visible marks.
    """
    from toolkit.workbook.safety import open_package

    source = Path(source)
    target = Path(target) if target is not None else annotated_path(source)
    pkg = package if package is not None else open_package(source)
    inputs = [source, *(() if protect is None else [protect] if isinstance(protect, str | Path) else protect)]
    return write_atomic(target, lambda tmp: _write_copy(pkg, result, tmp, lang), protect=inputs,
                        overwrite=overwrite, suffixes=(".xlsx",))
