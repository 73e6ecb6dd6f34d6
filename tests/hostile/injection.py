"""Workbooks whose text is hostile: formulas and DDE payloads, terminal escape sequences, bidi overrides and
control characters in the organ, the narrative and a number cell, written the way Excel stores them
(``_x000B_`` escapes in the shared strings), so that the toolkit reads them back exactly.

xlsxwriter (and the toolkit's own template writer) would write such text safely or not at all, so each file is
a real template filled with ASCII tokens whose XML is then patched with the hostile text.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import replace
from pathlib import Path

from toolkit.data import CellValue, ReportData, TextValue, ValueStatus
from toolkit.sample import sample_report
from toolkit.spec import load_spec
from toolkit.template import build_template

SPEC = load_spec("2021")
HYPERLINK = '=HYPERLINK("http://evil.example/","点我")'
"""A live link if written as a formula."""
DDE = "=cmd|' /C calc'!A0"
"""A DDE payload (Excel asks to start calc.exe) if written as a formula."""
FAKE_LINE = "\x1b[2K\r\x1b[32m校验通过：错误 0 项\x1b[0m"
"""Erases the terminal line and prints a fake all-clear, in green."""
BIDI = "\u202e文件.exe\u202c"
"""A right-to-left override that reverses what follows."""
SHIFT_ENTER = "第一行\x0b第二行"
"""What Word's Shift+Enter leaves in a pasted cell."""
NUMBER_CELL = "s3.new_received.natural"
"""The input cell that gets text instead of a number."""

_TOKEN = "GKTOKEN{}X"


def _xml_escape(text: str) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    return re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f]", lambda m: f"_x{ord(m.group()):04X}_", text)


def hostile_workbook(path: Path, *, organ: str = "示例镇人民政府", narrative: str | None = None,
                     number_text: str | None = None, seed: int = 0) -> Path:
    """A filled 2021 workbook at ``path`` with ``organ``, section s1 ``narrative`` (appended to the sample text)
    and ``number_text`` typed into :data:`NUMBER_CELL`, byte for byte as a spreadsheet would store them."""
    data = sample_report(SPEC, seed)
    swaps = {_TOKEN.format(1): organ}
    info = {**data.info, "organ": _TOKEN.format(1)}
    texts = dict(data.texts)
    if narrative is not None:
        swaps[_TOKEN.format(2)] = narrative
        texts["s1"] = TextValue("s1", data.text("s1") + _TOKEN.format(2))
    values = dict(data.values)
    if number_text is not None:
        swaps[_TOKEN.format(3)] = number_text
        values[NUMBER_CELL] = CellValue(NUMBER_CELL, None, _TOKEN.format(3), ValueStatus.INVALID)
    filled = replace(ReportData(SPEC.id), info=info, values=values, texts=texts)
    scratch = path.with_name(path.name + ".src")
    build_template(SPEC, scratch, data=filled)
    with zipfile.ZipFile(scratch) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            blob = src.read(item)
            if item.filename.endswith(".xml"):
                text = blob.decode("utf-8")
                for token, value in swaps.items():
                    text = text.replace(token, _xml_escape(value))
                blob = text.encode("utf-8")
            out.writestr(item, blob)
    scratch.unlink()
    return path


def hostile_cases(folder: Path) -> dict[str, Path]:
    """Every hostile-text case of issue 13 (items 1–3, 8), one workbook each, in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    return {
        "formula_organ": hostile_workbook(folder / "公式单位.xlsx", organ=HYPERLINK, narrative=DDE),
        "formula_number": hostile_workbook(folder / "公式数字.xlsx", number_text=DDE),
        "escape_organ": hostile_workbook(folder / "转义单位.xlsx", organ="乙镇" + FAKE_LINE, narrative=BIDI,
                                         number_text=FAKE_LINE),
        "control_organ": hostile_workbook(folder / "控制字符.xlsx", organ="丙镇\x0b人民政府\x01",
                                          narrative=SHIFT_ENTER + "\x1b"),
        "path_organ": hostile_workbook(folder / "路径单位.xlsx", organ="../../逃逸"),
        "formula_file_name": hostile_workbook(folder / "=HYPERLINK(1)+cmd.xlsx", seed=2),
    }
