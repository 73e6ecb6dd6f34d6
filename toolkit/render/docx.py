"""The report as Word (.docx), laid out after GB/T 9704-2012 (党政机关公文格式) as far as it applies.

A4 with margins 37/28/35/26 mm; title 方正小标宋简体 22pt centred; body 仿宋_GB2312 三号 (16pt) on a fixed 28.9pt line;
section titles 黑体, second-level leads （一）… 楷体_GB2312; page numbers "— 1 —" in 宋体 14pt, odd pages right, even
pages left; tables with borders, fixed widths on every cell, repeated header rows, 仿宋 10.5pt. The layout itself is
:mod:`.docx_builder` (python-docx).

This module writes the same file without importing python-docx (~0.15 s) or building the document through it
(~0.1 s): every part but ``word/document.xml`` and ``docProps/core.xml`` depends only on the faces chosen, so the
builder makes those parts once per choice of faces (kept in the cache folder, keyed by the faces and the code that
makes them), and the body is written here as WordprocessingML text — the XML the builder's calls produce, which a
test compares part by part. A model with a landscape section goes to the builder.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import zipfile
from pathlib import Path

from toolkit.render.fonts import CHAINS
from toolkit.render.model import ReportModel
from toolkit.render.wordml import body_xml, escape
from toolkit.untrusted import xml_text

_TITLE_MARK, _ORGAN_MARK = "GK-SKELETON-TITLE", "GK-SKELETON-ORGAN"
"""Stand-ins for the title and the organ in the kept skeleton's core properties."""


# --- the parts that do not depend on the data ------------------------------------------------------------------

def _skeleton_key(installed: frozenset[str] | None) -> str:
    """A digest of what the skeleton depends on: the faces chosen, the code making it, python-docx's files."""
    import importlib.util

    digest = hashlib.sha256()
    for chain in CHAINS:
        face = chain.pick(installed)
        digest.update(f"{chain.official}\0{face.family}\0{face.bold}\n".encode())
    here = Path(__file__).parent
    for name in ("docx.py", "docx_builder.py", "wordml.py", "fonts.py"):
        digest.update((here / name).read_bytes())
    spec = importlib.util.find_spec("docx")
    origin = Path(spec.origin) if spec is not None and spec.origin else None
    if origin is not None:
        for path in (origin, origin.parent / "templates" / "default.docx"):
            try:
                digest.update(f"{path}\0{path.stat().st_mtime_ns}\n".encode())
            except OSError:
                continue
    return digest.hexdigest()[:24]


def _skeleton(installed: frozenset[str] | None) -> list[tuple[zipfile.ZipInfo, bytes]]:
    """Every part of the report's package as the builder makes it for these faces, with the title and organ as
    stand-ins; kept in the cache folder (made with python-docx when missing or stale)."""
    from toolkit.office import cache_dir

    kept = cache_dir() / f"docx-skeleton-{_skeleton_key(installed)}.docx"
    try:
        with zipfile.ZipFile(kept) as package:
            return [(info, package.read(info)) for info in package.infolist()]
    except (OSError, zipfile.BadZipFile, KeyError, ValueError):
        pass
    from toolkit.render.docx_builder import build_docx

    blob = io.BytesIO()
    build_docx(ReportModel(_TITLE_MARK, (), (), (), _ORGAN_MARK, ""), blob, installed=installed)
    with zipfile.ZipFile(blob) as package:
        parts = [(info, package.read(info)) for info in package.infolist()]
    try:
        kept.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=kept.parent, prefix=".docx-skeleton-", suffix=".tmp")
        with os.fdopen(fd, "wb") as out, zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as copy:
            for info, part in parts:  # kept uncompressed: read back without inflating ~0.8 MB of styles
                copy.writestr(info.filename, part)
        os.replace(tmp, kept)
    except OSError:
        pass  # no cache folder: made again next time
    return parts


def write_docx(model: ReportModel, target: Path, *, installed: frozenset[str] | None = None,
               compress: bool = True) -> None:
    """Write ``model`` as a .docx file at ``target``: with the official faces, or — given the font families
    ``installed`` on the machine that will print it — with the first face of each role's chain found there.
    Without ``compress`` the parts are stored as they are (a scratch copy for LibreOffice: less to deflate and
    inflate)."""
    if any(table.wide for section in model.sections for table in section.tables):
        from toolkit.render.docx_builder import build_docx

        build_docx(model, target, installed=installed)
        return
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED) as package:
        for info, blob in _skeleton(installed):
            if info.filename == "word/document.xml":
                text = blob.decode("utf-8")
                head, rest = text.split("<w:body>", 1)
                blob = f"{head}<w:body>{body_xml(model, installed)}<w:sectPr{rest.split('<w:sectPr', 1)[1]}".encode()
            elif info.filename == "docProps/core.xml":
                blob = (blob.decode("utf-8").replace(_TITLE_MARK, escape(xml_text(model.title)))
                        .replace(_ORGAN_MARK, escape(xml_text(model.organ))).encode("utf-8"))
            package.writestr(info.filename, blob)
