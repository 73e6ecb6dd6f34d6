"""The report's fonts: official faces with their stand-ins in the .docx, distinct faces per role in the PDF made on
a machine with only free fonts, and a warning for characters the official (GB2312) fonts lack."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.render.fonts import BODY, HEADING, LEAD, TITLE, Face, outside_gb2312
from toolkit.spec import load_spec
from toolkit.template import build_template
from toolkit.workbook import read_workbook

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "示例区民政局2026年报.xlsx"


def test_docx_names_official_faces_and_lists_their_stand_ins(tmp_path: Path) -> None:
    """Runs name the official faces (仿宋_GB2312, 黑体 …); the font table gives each its stand-ins and GB2312."""
    out = tmp_path / "r.docx"
    result = CliRunner().invoke(app, ["report", str(EXAMPLE), "-o", str(out)])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as z:
        document = z.read("word/document.xml").decode()
        table = z.read("word/fontTable.xml").decode()
    for chain in (TITLE, BODY, HEADING, LEAD):
        assert f'w:eastAsia="{chain.official}"' in document
        entry = re.search(rf'<w:font w:name="{chain.official}">(.*?)</w:font>', table)
        assert entry is not None, chain.official
        alt = re.search(r'w:altName w:val="([^"]*)"', entry.group(1))
        assert (alt is not None and "Noto" in alt.group(1)) or "AR PL" in alt.group(1)
        assert 'w:charset w:val="86"' in entry.group(1)
    assert "Noto" not in document  # the user's copy keeps the official names on every run


def test_each_role_picks_the_first_installed_stand_in() -> None:
    """Where the official face is missing the chain's first installed face is used; unknown fonts: the official."""
    linux = frozenset({"noto serif cjk sc", "noto sans cjk sc", "ar pl ukai cn"})
    assert BODY.pick(linux) == Face("Noto Serif CJK SC")
    assert HEADING.pick(linux) == Face("Noto Sans CJK SC")
    assert LEAD.pick(linux) == Face("AR PL UKai CN")
    assert TITLE.pick(linux) == Face("Noto Serif CJK SC", bold=True)
    windows = frozenset({"仿宋", "黑体", "楷体", "宋体", "simsun"})
    assert BODY.pick(windows) == Face("仿宋") and LEAD.pick(windows) == Face("楷体")
    assert BODY.pick(None) == Face("仿宋_GB2312") and BODY.pick(frozenset({"仿宋_gb2312"})).family == "仿宋_GB2312"


def test_characters_outside_gb2312_are_found() -> None:
    """堃 喆 燊 镕 赟 are outside GB2312; common characters, full-width punctuation and ASCII are not."""
    assert outside_gb2312(["王堃、李喆（燊）", "朱镕基 赟 2026年 〔2021〕30号 —— “信息”"]) == "堃喆燊镕赟"
    assert outside_gb2312(["南口镇人民政府，2026年共收到申请500件。"]) == ""


def test_report_warns_about_characters_the_official_fonts_lack(tmp_path: Path) -> None:
    """An organ name with 堃 and a narrative with 喆: the report is written and a Chinese note names both."""
    data = read_workbook(EXAMPLE)
    texts = dict(data.texts)
    texts["s1"] = replace(texts["s1"], text=texts["s1"].text + "联系人王喆。")
    data = replace(data, info={**data.info, "organ": "堃山镇人民政府"}, texts=texts)
    workbook = build_template(load_spec("2021"), tmp_path / "w.xlsx", data=data)
    result = CliRunner().invoke(app, ["report", str(workbook), "-o", str(tmp_path / "r.docx")])
    assert result.exit_code == 0 and (tmp_path / "r.docx").exists()
    assert "“堃、喆”不在 GB2312 字符集内" in result.output
    clean = CliRunner().invoke(app, ["report", str(EXAMPLE), "-o", str(tmp_path / "c.docx")])
    assert "GB2312" not in clean.output


def _fonts_by_tag(pdf: Path) -> dict[str, str]:
    """pdffonts: subset tag (``BAAAAA``) → the full font name (``NotoSerifCJKjp-Bold-VKana``)."""
    listing = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True, timeout=60).stdout
    names = [line.split()[0] for line in listing.splitlines()[2:] if line.strip()]
    return {n.split("+", 1)[0]: n.split("+", 1)[-1] for n in names}


def _face_of(pdf: Path, text: str) -> str:
    """The font (full name, from pdffonts) of the first text line of page 1 that starts with ``text``."""
    xml = subprocess.run(["pdftohtml", "-xml", "-i", "-stdout", "-f", "1", "-l", "1", str(pdf)],
                         capture_output=True, text=True, check=True, timeout=60).stdout
    specs = dict(re.findall(r'<fontspec id="(\d+)" size="\d+" family="([^"]+)"', xml))
    for font, line in re.findall(r'<text [^>]*font="(\d+)">(.*?)</text>', xml):
        if re.sub(r"<[^>]+>|\s", "", line).startswith(text):
            return _fonts_by_tag(pdf)[specs[font].split("+", 1)[0]]
    raise AssertionError(f"{text} not on page 1")


@pytest.mark.libreoffice
def test_pdf_uses_a_serif_cjk_body_and_distinct_title_and_heading_faces(tmp_path: Path) -> None:
    """On free fonts only: body text in a serif CJK face, the title and 一级 headings each in another face."""
    assert shutil.which("pdffonts") and shutil.which("pdftohtml")
    pdf = tmp_path / "r.pdf"
    result = CliRunner().invoke(app, ["report", str(EXAMPLE), "--to", "pdf", "-o", str(pdf)])
    assert result.exit_code == 0, result.output
    body = _face_of(pdf, "2026年，示例区民政局")
    title = _face_of(pdf, "示例区民政局2026年")
    heading = _face_of(pdf, "一、总体情况")
    lead = _face_of(pdf, "（一）主动公开")
    assert ("Serif" in body and "CJK" in body) or "Ming" in body, body
    assert title != body and heading != body and heading != title, (title, body, heading)
    assert "Sans" in heading or "Hei" in heading, heading
    if "ukai" in str(subprocess.run(["fc-list"], capture_output=True, text=True, timeout=60).stdout).lower():
        assert "Kai" in lead, lead  # fonts-arphic-ukai (.ci/run installs it): 二级 leads in a 楷体 face


def test_installed_families_are_kept_until_a_font_folder_changes(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """fc-list's answer is kept in the cache folder and used while the font folders are unchanged; a new font
    folder renews it."""
    import json
    import os

    from toolkit.render import fonts

    if fonts.shutil.which("fc-list") is None:
        pytest.skip("no fontconfig here")
    monkeypatch.setenv("GK_CACHE_DIR", str(tmp_path / "cache"))
    roots = tmp_path / "fonts"
    roots.mkdir()
    monkeypatch.setattr(fonts, "_FONT_ROOTS", (str(roots),))
    listed = fonts.installed_families.__wrapped__()
    kept = tmp_path / "cache" / "font-families.json"
    assert listed and json.loads(kept.read_text(encoding="utf-8"))["families"] == sorted(listed)
    state = json.loads(kept.read_text(encoding="utf-8"))
    kept.write_text(json.dumps({**state, "families": ["marked"]}), encoding="utf-8")
    assert fonts.installed_families.__wrapped__() == frozenset({"marked"})  # the kept answer, fc-list not run
    (roots / "new-font").mkdir()
    os.utime(roots, (1, 1))
    assert fonts.installed_families.__wrapped__() == listed
