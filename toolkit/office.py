"""LibreOffice (headless) as a converter: .docx → .pdf for ``report --to pdf``, and .xlsx → recalculated
.xlsx/.pdf for tests that must see what a spreadsheet application computes.

LibreOffice runs with a private, throw-away profile in which "recalculate on load" is forced on, so
formulas are evaluated by LibreOffice itself rather than taken from cached values.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from toolkit.errors import OfficeConversionError, OfficeMissingError

_CANDIDATES = ("soffice", "libreoffice", "/usr/bin/soffice", "/usr/lib/libreoffice/program/soffice",
               "/Applications/LibreOffice.app/Contents/MacOS/soffice",
               r"C:\Program Files\LibreOffice\program\soffice.exe")

_RECALC_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
 <prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
 <prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def find_soffice() -> str | None:
    """Path of the LibreOffice executable, or None when it is not installed (``GK_SOFFICE`` overrides)."""
    override = os.environ.get("GK_SOFFICE")
    if override:
        return override if Path(override).exists() or shutil.which(override) else None
    for name in _CANDIDATES:
        found = shutil.which(name) or (name if os.path.isabs(name) and Path(name).exists() else None)
        if found:
            return found
    return None


def convert(inputs: Sequence[Path], to: str, outdir: Path, *, timeout: float = 300) -> list[Path]:
    """Convert ``inputs`` with one LibreOffice run; returns the output paths in input order.

    ``to`` is a LibreOffice filter spec such as ``pdf``, ``xlsx`` or ``pdf:writer_pdf_Export``. Outputs are
    named like the inputs with the new extension, in ``outdir`` (which must differ from the inputs' folder
    when converting xlsx → xlsx). Formulas are recalculated on load.
    """
    soffice = find_soffice()
    if soffice is None:
        raise OfficeMissingError(
            "未找到 LibreOffice，无法转换为 PDF；请安装 LibreOffice（Debian/Ubuntu：apt-get install "
            "libreoffice-writer-nogui libreoffice-calc-nogui），或改用 --to docx"
        )
    outdir.mkdir(parents=True, exist_ok=True)
    ext = to.split(":", 1)[0]
    with tempfile.TemporaryDirectory(prefix="gk-lo-") as profile:
        user = Path(profile) / "user"
        user.mkdir()
        (user / "registrymodifications.xcu").write_text(_RECALC_PROFILE, encoding="utf-8")
        cmd = [
            soffice,
            f"-env:UserInstallation={Path(profile).as_uri()}",
            "--headless", "--norestore", "--nologo", "--nodefault", "--nolockcheck",
            "--convert-to", to, "--outdir", str(outdir),
            *[str(p) for p in inputs],
        ]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as exc:
            raise OfficeConversionError(f"LibreOffice 转换超时（{timeout:.0f}秒）") from exc
    outputs = [outdir / (Path(p).stem + "." + ext) for p in inputs]
    missing = [p for p in outputs if not p.exists()]
    if missing:
        names = ", ".join(p.name for p in missing)
        raise OfficeConversionError(
            f"LibreOffice 未能生成 {names}（退出码 {proc.returncode}）：{proc.stderr.strip()[:300]}"
        )
    return outputs
