"""Printing the workbooks: the blank templates, the examples and a highlighted copy, converted to PDF by LibreOffice
and by Gnumeric (``ssconvert``, Debian package gnumeric; never skipped), lose no text (every character of the cells'
text is on the pages) and take the pages expected; the marker survives a Gnumeric and a LibreOffice save."""

from __future__ import annotations

import re
import shutil
import subprocess
import warnings
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from openpyxl import load_workbook

from toolkit.annotate import annotate_workbook
from toolkit.rules.engine import check_data
from toolkit.workbook import read_workbook

ROOT = Path(__file__).resolve().parents[1]
WORKBOOKS = [*sorted((ROOT / "workbook_templates").glob("*.xlsx")), *sorted((ROOT / "examples").glob("*.xlsx"))]
ONE_PAGE = ("基本信息", "二 主动公开", "三 依申请公开", "四 复议诉讼")
"""Sheets that print on exactly one page."""



def _printed_text(path: Path, sheet: str) -> str:
    """Every string a sheet shows (formula results excepted), without the hidden columns."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl on Gnumeric/LibreOffice output
        ws = load_workbook(path)[sheet]
    hidden = {letter for letter, dim in ws.column_dimensions.items() if dim.hidden}
    return "".join(c.value for row in ws.iter_rows() for c in row
                   if isinstance(c.value, str) and not c.value.startswith("=") and c.column_letter not in hidden)


def _chars(text: str) -> Counter[str]:
    return Counter(ch for ch in text if not ch.isspace())


def _pdf_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True, timeout=120).stdout


def _pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True, timeout=60).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))  # type: ignore[union-attr]


def _clipped(expected: str, pdf_text: str) -> str:
    """The characters of ``expected`` the PDF lacks (cut off at a page edge or a cell's bottom)."""
    return "".join(sorted((_chars(expected) - _chars(pdf_text)).elements()))


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The blank templates, the examples, and the highlighted copy of the example with errors."""
    folder = tmp_path_factory.mktemp("print")
    paths = [Path(shutil.copy(p, folder / p.name)) for p in WORKBOOKS]
    broken = next(p for p in paths if p.name.endswith("-有错.xlsx"))
    paths.append(annotate_workbook(broken, check_data(read_workbook(broken)), folder / "标注副本.xlsx"))
    return paths


def _manual_pages(path: Path, sheet: str) -> int:
    """The pages a sheet with manual page breaks takes where every break is followed: one more than its breaks."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        breaks = load_workbook(path)[sheet].row_breaks.brk
    assert breaks, (path.name, sheet)
    return len(breaks) + 1


def _visible_sheets(path: Path) -> list[str]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return [ws.title for ws in load_workbook(path, read_only=True).worksheets if ws.sheet_state == "visible"]


def _first_and_active(source: Path, sheet: str, target: Path) -> Path:
    """A copy with ``sheet`` first and active: how Gnumeric prints one sheet right (its PDF export lays every sheet
    out with the first sheet's page setup and the active sheet's, so a landscape sheet after a portrait one loses
    the rows below a portrait page's height)."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        book = zin.read("xl/workbook.xml").decode()
        sheets = re.findall(r"<sheet [^>]*/>", book)
        index = next(i for i, s in enumerate(sheets) if f'name="{sheet}"' in s)
        rid = re.search(r'r:id="([^"]+)"', sheets[index]).group(1)  # type: ignore[union-attr]
        rels = zin.read("xl/_rels/workbook.xml.rels").decode()
        rel = next(r for r in re.findall(r"<Relationship [^>]*/>", rels) if f'Id="{rid}"' in r)
        part = "xl/" + re.search(r'Target="([^"]+)"', rel).group(1).lstrip("/").removeprefix("xl/")  # type: ignore[union-attr]

        def local(m: re.Match[str]) -> str:
            n = int(m.group(1))
            return f'localSheetId="{0 if n == index else n + 1 if n < index else n}"'

        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/workbook.xml":
                text = re.sub(r' activeTab="\d+"', "", book)
                text = text.replace("".join(sheets), "".join([sheets[index], *sheets[:index], *sheets[index + 1:]]))
                data = re.sub(r'localSheetId="(\d+)"', local, text).encode()
            elif item.filename.startswith("xl/worksheets/sheet"):
                text = re.sub(r' tabSelected="\d"', "", data.decode())
                if item.filename == part:
                    text = text.replace("<sheetView ", '<sheetView tabSelected="1" ', 1)
                data = text.encode()
            zout.writestr(item, data)
    return target


@pytest.mark.libreoffice
@pytest.mark.slow
def test_every_sheet_prints_whole_in_libreoffice_and_gnumeric(workbooks: list[Path], tmp_path: Path) -> None:
    """Each sheet printed by Gnumeric holds all its text; the tables take one page each; LibreOffice prints the
    whole workbook with all its text on exactly as many pages as Gnumeric's sheets add up to, but for 正文: its
    manual breaks keep each section's title with its text, which LibreOffice (as Excel and WPS) follows, printing
    it on one page more than it has breaks, and Gnumeric does not (it breaks where it would anyway, adding pages
    with nothing but the footer), so there only its text is compared."""
    from toolkit.office import convert

    pdfs = convert(workbooks, "pdf", tmp_path / "lo")
    for path, pdf in zip(workbooks, pdfs, strict=True):
        sheets = _visible_sheets(path)
        gnumeric_pages = 0
        for sheet in sheets:
            one = _first_and_active(path, sheet, tmp_path / f"{path.stem}-{sheets.index(sheet)}.xlsx")
            out = one.with_suffix(".pdf")
            subprocess.run(["ssconvert", "-O", f"sheet='{sheet}'", str(one), str(out)], capture_output=True,
                           check=True, timeout=300)
            assert _clipped(_printed_text(path, sheet), _pdf_text(out)) == "", (path.name, sheet)
            pages = _pages(out)
            assert pages == 1 if sheet in ONE_PAGE else 1 <= pages <= 8, (path.name, sheet, pages)
            gnumeric_pages += _manual_pages(path, sheet) if sheet == "正文" else pages
        whole = "".join(_printed_text(path, s) for s in sheets)
        assert _clipped(whole, _pdf_text(pdf)) == "", path.name
        # The long 校验 sheet breaks where Gnumeric breaks it by itself (LibreOffice follows its manual breaks).
        assert _pages(pdf) == gnumeric_pages, path.name


@pytest.mark.libreoffice
def test_marker_survives_gnumeric_and_libreoffice_saves(workbooks: list[Path], tmp_path: Path) -> None:
    """Saved by Gnumeric or LibreOffice, a template still reads by its names and shows no extra sheet."""
    from toolkit.office import convert

    example = next(p for p in workbooks if p.name == "示例区民政局2026年报.xlsx")
    gnumeric = tmp_path / "gnumeric.xlsx"
    subprocess.run(["ssconvert", str(example), str(gnumeric)], capture_output=True, check=True, timeout=300)
    (libreoffice,) = convert([example], "xlsx", tmp_path / "lo")
    before = read_workbook(example)
    for saved in (gnumeric, libreoffice):
        got = read_workbook(saved)
        assert (got.format_id, got.read_mode) == ("2021", "names"), saved.name
        assert got.number("s3.new_received.total") == before.number("s3.new_received.total")
        assert _visible_sheets(saved) == _visible_sheets(example), saved.name


def test_highlighted_copy_prints_its_findings_landscape_without_the_code(workbooks: list[Path]) -> None:
    """校验结果: A4 landscape at 100%, messages wrapped, header row repeated, the internal code column hidden."""
    copy = workbooks[-1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ws = load_workbook(copy)["校验结果"]
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize in (9, "9")
    assert not ws.sheet_properties.pageSetUpPr or not ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.column_dimensions["C"].hidden and ws["C3"].value  # the code is there, not printed
    assert ws.print_title_rows == "$2:$2"
    assert all(ws.cell(3, c).alignment.wrap_text for c in (4, 5, 8))
    printed = sum(ws.column_dimensions[c].width for c in "ABDEFGH")
    assert printed * 7 <= 770  # LibreOffice's widest measure of a width unit (7 pt) on the landscape text width


@pytest.mark.libreoffice
def test_each_sections_title_prints_on_the_page_of_its_text(tmp_path: Path) -> None:
    """正文 breaks its pages between sections, never between a section's title and its text box: the example
    (三 boxes of the least height) and a workbook whose 一 fills the tallest box both print every section's title
    on the page that holds the start of its text (LibreOffice follows the manual breaks, as Excel and WPS do)."""
    from toolkit.office import convert
    from toolkit.sample import sample_report
    from toolkit.spec import load_spec
    from toolkit.template import build_template

    spec = load_spec("2021")
    data = sample_report(spec, 4, year=2026)
    long_s1 = "本机关坚持以公开为常态、不公开为例外，全面推进政务公开。" * 60
    data.texts["s1"] = type(data.texts["s1"])("s1", long_s1)
    example = ROOT / "examples" / "示例区民政局2026年报.xlsx"
    books = [Path(shutil.copy(example, tmp_path / example.name)), build_template(spec, tmp_path / "长.xlsx", data=data)]
    for book, pdf in zip(books, convert(books, "pdf", tmp_path / "pdf"), strict=True):
        texts = read_workbook(book).texts
        pages = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True,
                               timeout=120).stdout.split("\f")
        for section in spec.text_sections:
            start = "".join(texts[section.id].text.split())[:12]
            prompt = "".join(section.prompt.split())[:12]  # printed under the title on 正文 only
            (titled,) = [i for i, page in enumerate(pages) if section.title + prompt in "".join(page.split())]
            assert start in "".join(pages[titled].split()), (book.name, section.title, titled)
