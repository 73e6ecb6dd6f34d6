"""The report renderers: docx, html, md and pdf show the official labels, every value in its cell, and the narrative."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from support import EXAMPLES, SEED

from toolkit.data import ReportData, TextValue
from toolkit.errors import OfficeMissingError, ToolkitError
from toolkit.importer import import_report
from toolkit.normalise import fmt_number
from toolkit.office import convert
from toolkit.render import default_report_name, render_report
from toolkit.render.model import ReportModel, SectionModel, build_table
from toolkit.rules.engine import check_data
from toolkit.sample import sample_report
from toolkit.spec import Column, Row, Severity, Table, ValueKind, load_spec

LEAD = "（一）健全组织机构，加强组织领导。"


# --- reading the outputs back --------------------------------------------------------------------------------

def _docx_blocks(path: Path) -> list[tuple[str, Any]]:
    """Body paragraphs and table cells in document order: ("p", text) and ("cell", text); merged cells once."""
    document = docx.Document(str(path))
    blocks: list[tuple[str, Any]] = []
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            blocks.append(("p", "".join(t.text or "" for t in child.iter(qn("w:t")))))
        elif child.tag == qn("w:tbl"):
            for tc in child.iter(qn("w:tc")):
                merge = tc.find(f"{qn('w:tcPr')}/{qn('w:vMerge')}")
                if merge is not None and merge.get(qn("w:val")) in (None, "continue"):
                    continue
                blocks.append(("cell", "".join(t.text or "" for t in tc.iter(qn("w:t")))))
    return blocks


class _Html(HTMLParser):
    """Collects the text, the tags with their attributes, and the text of every td/th."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.cells: list[tuple[str, str]] = []
        self._cell: tuple[str, list[str]] | None = None
        self._h1: list[str] | None = None
        self.h1 = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in ("td", "th"):
            self._cell = (tag, [])
        if tag == "h1":
            self._h1 = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.cells.append((self._cell[0], "".join(self._cell[1])))
            self._cell = None
        if tag == "h1" and self._h1 is not None:
            self.h1, self._h1 = "".join(self._h1), None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._cell is not None:
            self._cell[1].append(data)
        if self._h1 is not None:
            self._h1.append(data)


def _parse_html(text: str) -> _Html:
    parser = _Html()
    parser.feed(text)
    return parser


def _md_values(text: str) -> list[str]:
    """The value cells of a Markdown report: pipe-table body cells after the label, and HTML <td> cells."""
    values: list[str] = []
    in_body = False
    for line in text.splitlines():
        if line.startswith("|:"):
            in_body = True
        elif line.startswith("|") and in_body:
            values += [c.strip() for c in line.strip("|").split(" | ")][1:]
        elif line.startswith("<tr>"):
            values += [t for tag, t in _parse_html(line).cells if tag == "td"]
        if not line.startswith("|"):
            in_body = False
    return values


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _missing_in_order(haystack: str, needles: list[str]) -> list[str]:
    """The needles not found in ``haystack`` in the given order (whitespace ignored); [] when all are."""
    text, at, missing = _squash(haystack), 0, []
    for needle in needles:
        found = text.find(_squash(needle), at)
        if found < 0:
            missing.append(needle)
        else:
            at = found + len(_squash(needle))
    return missing


def _seed_expectations() -> tuple[list[str], list[str], list[str]]:
    """From the seed text itself (not the importer): its tokens in order, its narrative paragraphs, its numbers."""
    lines = SEED.read_text(encoding="utf-8").splitlines()
    tokens = [ln.strip() for ln in lines if re.fullmatch(r"\t\d+", ln) or (ln and not ln[0].isspace() and len(ln) > 30)]
    numbers = [t for t in tokens if t.isdigit()]
    paragraphs = [t for t in tokens if not t.isdigit()]
    return tokens, paragraphs, numbers


def _render(spec_id: str, data: ReportData, to: str, tmp_path: Path, **kw: Any) -> Path:
    return render_report(load_spec(spec_id), data, to, tmp_path / f"report.{to}", **kw)


def _with_texts(data: ReportData, **texts: str) -> ReportData:
    return replace(data, texts={**data.texts, **{k: TextValue(k, v) for k, v in texts.items()}})


def _east_asia(run: Any) -> str | None:
    fonts = run._element.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
    return None if fonts is None else fonts.get(qn("w:eastAsia"))


# --- 1. the real 南口镇 report -----------------------------------------------------------------------------------

def test_seed_report_reproduces_every_paragraph_and_value_in_order(tmp_path: Path) -> None:
    """The imported 南口镇 2020 report renders to docx, html and md with all its paragraphs and numbers, in order."""
    tokens, paragraphs, numbers = _seed_expectations()
    assert len(paragraphs) == 9 and len(numbers) == 198 and "438754" in numbers and "17" in numbers
    data = import_report(SEED).data
    spec = load_spec(data.format_id)

    blocks = _docx_blocks(render_report(spec, data, "docx", tmp_path / "r.docx"))
    docx_text = "".join(text for _, text in blocks)
    assert _missing_in_order(docx_text, tokens) == []
    assert [t for kind, t in blocks if kind == "cell" and t.isdigit()] == numbers

    page = _parse_html(render_report(spec, data, "html", tmp_path / "r.html").read_text(encoding="utf-8"))
    assert _missing_in_order("".join(page.text), tokens) == []
    assert [t for tag, t in page.cells if tag == "td"] == numbers

    md = render_report(spec, data, "md", tmp_path / "r.md").read_text(encoding="utf-8")
    assert _missing_in_order(md, tokens) == []
    assert _md_values(md) == numbers

    for text in (docx_text, "".join(page.text), md):
        assert "对外公开总数量" in text and "其他对外管理服务事项" in text
        assert _missing_in_order(text, [s.title for s in spec.sections]) == []
        assert "南口镇2020年政府信息公开工作年度报告" in _squash(text)


# --- 2. the 2021 format in Word ------------------------------------------------------------------------------

def test_2021_docx_tables_hold_official_labels_and_values_in_their_cells(tmp_path: Path) -> None:
    """Each 2021 table in Word has the spec's captions, headers and row labels, and each value in its own cell."""
    spec = load_spec("2021")
    data = sample_report(spec, 7)
    tables = docx.Document(str(_render("2021", data, "docx", tmp_path))).tables
    order = [t for s in spec.sections for t in s.tables]
    assert len(tables) == len(order)

    for word, tid in zip(tables[:-2], order[:-2], strict=True):
        table = spec.table(tid)
        assert {c.text for c in word.rows[0].cells} == {table.caption}
        assert [c.text for c in word.rows[1].cells] == [table.row_header] + [c.label for c in table.columns]
        for i, row in enumerate(table.data_rows):
            values = [fmt_number(data.number(f"{tid}.{row.id}.{c.id}")) for c in table.columns]
            assert [c.text for c in word.rows[2 + i].cells] == [row.label, *values]

    s3, word = spec.table("s3"), tables[-2]
    assert word.cell(0, 0).text == s3.note and word.cell(2, 2).text == s3.note
    for j, col in enumerate(s3.columns):
        assert word.cell(0, 3 + j).text == s3.column_group_header
        assert word.cell(1, 3 + j).text == (col.group or col.label) and word.cell(2, 3 + j).text == col.label
    for i, row in enumerate(s3.data_rows):
        r, parent = 3 + i, s3.row(row.parent) if row.parent else None
        if row.level == 1:
            assert [word.cell(r, c).text for c in range(3)] == [row.label] * 3
        elif row.level == 2:
            assert parent is not None and word.cell(r, 0).text == parent.label
            assert word.cell(r, 1).text == word.cell(r, 2).text == row.label
        else:
            assert parent is not None and parent.parent is not None
            assert [word.cell(r, c).text for c in range(3)] == [s3.row(parent.parent).label, parent.label, row.label]
        assert [word.cell(r, 3 + j).text for j in range(7)] == [
            str(data.number(f"s3.{row.id}.{c.id}")) for c in s3.columns]

    s4, word = spec.table("s4"), tables[-1]
    review, litigation = s4.column_groups
    assert [word.cell(0, c).text for c in (0, 4, 5, 14)] == [review.label, review.label, litigation.label,
                                                             litigation.label]
    assert [word.cell(1, c).text for c in (0, 4, 5, 10)] == [s4.columns[0].label, s4.columns[4].label,
                                                             litigation.subgroups[0].label,
                                                             litigation.subgroups[1].label]
    assert [word.cell(2, c).text for c in range(15)] == [c.label for c in s4.columns]
    assert [word.cell(3, c).text for c in range(15)] == [str(data.number(f"s4.cases.{c.id}")) for c in s4.columns]


def test_2021_docx_uses_gbt9704_fonts_page_and_margins(tmp_path: Path) -> None:
    """Title 方正小标宋简体 22pt, headings 黑体, leads 楷体_GB2312, body 仿宋_GB2312 16pt; A4 with 37/28/35/26 mm."""
    spec = load_spec("2021")
    data = _with_texts(sample_report(spec, 7), s1=LEAD + "本机关明确专人负责。\n第二段。")
    document = docx.Document(str(_render("2021", data, "docx", tmp_path)))
    paragraphs = document.paragraphs

    title = next(p for p in paragraphs if p.style.name == "Title")
    assert {_east_asia(r) for r in title.runs} == {"方正小标宋简体"} and title.runs[0].font.size == Pt(22)
    headings = [p for p in paragraphs if p.style.name == "Heading 1"]
    assert [p.text for p in headings] == [s.title for s in spec.sections]
    assert all(_east_asia(r) == "黑体" for p in headings for r in p.runs)
    lead = next(p for p in paragraphs if p.text.startswith(LEAD))
    assert [(r.text, _east_asia(r)) for r in lead.runs] == [(LEAD, "楷体_GB2312"),
                                                            ("本机关明确专人负责。", "仿宋_GB2312")]
    body = next(p for p in paragraphs if p.text == "第二段。")
    assert {(_east_asia(r), r.font.size) for r in body.runs} == {("仿宋_GB2312", Pt(16))}
    assert body.paragraph_format.line_spacing == Pt(28.9)
    cell_run = document.tables[0].cell(2, 1).paragraphs[0].runs[0]
    assert (_east_asia(cell_run), cell_run.font.size) == ("仿宋_GB2312", Pt(10.5))

    normal = document.styles["Normal"].element.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
    assert normal.get(qn("w:eastAsia")) == "仿宋_GB2312"
    defaults = document.styles.element.find("/".join(qn(t) for t in ("w:docDefaults", "w:rPrDefault", "w:rPr",
                                                                       "w:rFonts")))
    assert defaults.get(qn("w:eastAsia")) == "仿宋_GB2312" and defaults.get(qn("w:eastAsiaTheme")) is None

    for section in document.sections:
        sizes = (section.page_width, section.page_height, section.top_margin, section.left_margin,
                 section.bottom_margin, section.right_margin)
        for got, mm in zip(sizes, (210, 297, 37, 28, 35, 26), strict=True):
            assert abs(got - Mm(mm)) < Mm(0.1)
    footer = document.sections[0].footer.paragraphs[0]
    assert "PAGE" in "".join(t.text or "" for t in footer._p.iter(qn("w:instrText")))
    assert {_east_asia(r) for r in footer.runs} == {"宋体"}
    assert all(t._tbl.tr_lst[0].trPr.find(qn("w:tblHeader")) is not None for t in document.tables)


def test_a_table_too_wide_for_portrait_gets_a_landscape_section(tmp_path: Path) -> None:
    """A table whose data columns would be narrower than two characters on a portrait page is set landscape."""
    from toolkit.render.docx import write_docx

    columns = tuple(Column(f"c{i}", f"第{i}列", ValueKind.COUNT) for i in range(20))
    wide = Table("wide", "s4", columns, (Row("only", "合计"),))
    narrow = build_table(load_spec("2021").table("s4"), ReportData("2021"))
    model = ReportModel("标题", ("标题",), (
        SectionModel("s4", "四、宽表", (), (narrow,), blank=False),
        SectionModel("s5", "五、更宽的表", (), (build_table(wide, ReportData("2021")),), blank=False),
    ), (), "", "")
    write_docx(model, tmp_path / "wide.docx")
    sections = docx.Document(str(tmp_path / "wide.docx")).sections
    assert not narrow.wide
    assert [s.page_width > s.page_height for s in sections] == [False, True]
    assert abs(sections[1].page_width - Mm(297)) < Mm(0.1)


# --- 3. html and md ------------------------------------------------------------------------------------------

def test_html_is_one_self_contained_escaped_page_with_spanning_tables(tmp_path: Path) -> None:
    """The page loads nothing external, shows 城建&交通局<试点> as written, and draws merged headers with spans."""
    spec = load_spec("2021")
    organ = "城建&交通局<试点>"
    data = _with_texts(sample_report(spec, 2, organ=organ), s1=f"{organ}认真落实条例。")
    raw = _render("2021", data, "html", tmp_path).read_text(encoding="utf-8")
    page = _parse_html(raw)
    assert "<试点>" not in raw and "城建&amp;交通局&lt;试点&gt;" in raw
    assert page.h1 == spec.report_title(organ, data.year or 0)
    assert f"{organ}认真落实条例。" in "".join(page.text)
    tags = [tag for tag, _ in page.tags]
    assert "link" not in tags and tags.count("h1") == 1 and tags.count("h2") == 6 and tags.count("table") == 6
    for _, attrs in page.tags:
        for name in ("src", "href"):
            assert not (attrs.get(name) or "").startswith(("http:", "https:", "//"))
    assert any("rowspan" in attrs for _, attrs in page.tags) and any("colspan" in attrs for _, attrs in page.tags)
    assert "@media print" in raw
    values = [fmt_number(data.number(k)) for k in spec.cells]
    assert [t for tag, t in page.cells if tag == "td"] == values


def test_markdown_holds_every_value_in_table_order(tmp_path: Path) -> None:
    """Markdown lists every cell value in spec order (pipe tables for 二, HTML rows for 三 and 四)."""
    spec = load_spec("2021")
    data = sample_report(spec, 9, organ="城建&交通局<试点>")
    md = _render("2021", data, "md", tmp_path).read_text(encoding="utf-8")
    assert _md_values(md) == [fmt_number(data.number(k)) for k in spec.cells]
    assert "| 信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |" in md
    assert '<th colspan="5">法人或其他组织</th>' in md
    assert md.startswith("# 城建&交通局\\<试点\\>")


# --- 4. placeholders -----------------------------------------------------------------------------------------

def test_known_placeholders_are_replaced_by_their_values(tmp_path: Path) -> None:
    """{申请.新收.总计}, {s3.carried_over.total} and {机关} become the figures and the organ in the report."""
    spec = load_spec("2021")
    data = _with_texts(sample_report(spec, 4), s1="{机关}本年度共收到政府信息公开申请{申请.新收.总计}件，"
                       "上年结转{s3.carried_over.total}件，收费{收费.金额}万元。")
    md = _render("2021", data, "md", tmp_path).read_text(encoding="utf-8")
    received, carried = data.number("s3.new_received.total"), data.number("s3.carried_over.total")
    fee = fmt_number(data.number("s2_20_8.fees.fee_amount"))
    assert f"{data.organ}本年度共收到政府信息公开申请{received}件，上年结转{carried}件，收费{fee}万元。" in md
    assert "{" not in md
    assert not [f for f in check_data(data).findings if f.code == "placeholder-unknown"]


def test_unknown_placeholder_is_an_error_finding_on_its_text_cell(tmp_path: Path) -> None:
    """An unknown {name} is a placeholder-unknown error on that section; braces with spaces are plain text."""
    spec = load_spec("2019")
    data = _with_texts(sample_report(spec, 4), s5="详见{申请.不存在}。{ 这不是占位符 }{}")
    found = [f for f in check_data(data).findings if f.code == "placeholder-unknown"]
    assert len(found) == 1
    assert found[0].severity is Severity.ERROR and [c.key for c in found[0].cells] == ["text.s5"]
    assert "“申请.不存在”" in found[0].message.zh and "“申请.不存在”" in found[0].message.en
    assert found[0].actual == "{申请.不存在}" and found[0].instance == "s5:申请.不存在:2"
    md = _render("2019", data, "md", tmp_path).read_text(encoding="utf-8")
    assert "详见{申请.不存在}。{ 这不是占位符 }{}" in md


@pytest.mark.parametrize("fid", ["2019", "2021"])
def test_standard_sentences_use_only_known_placeholders(fid: str, tmp_path: Path) -> None:
    """Every standard sentence of the format fills in completely and raises no finding."""
    spec = load_spec(fid)
    assert 3 <= len(spec.standard_sentences) <= 5
    data = _with_texts(sample_report(spec, 1), s1="\n".join(s.text for s in spec.standard_sentences))
    assert not [f for f in check_data(data).findings if f.code == "placeholder-unknown"]
    md = _render(fid, data, "md", tmp_path).read_text(encoding="utf-8")
    assert "{" not in md
    assert f"共收到政府信息公开申请{data.number('s3.new_received.total')}件" in md


# --- 5. forced reports ---------------------------------------------------------------------------------------

def test_forced_report_lists_its_errors_on_the_first_page(tmp_path: Path) -> None:
    """With forced findings the first block is the notice naming their number and messages; without, no notice."""
    spec = load_spec("2021")
    data = sample_report(spec, 4)
    broken = data.with_value("s3.granted.total", data.number("s3.granted.total") + 1)
    errors = [f for f in check_data(broken).findings if f.severity is Severity.ERROR]
    assert len(errors) >= 2
    head = f"本报告由未通过校验的填报表强制生成，存在{len(errors)}项错误："

    blocks = _docx_blocks(_render("2021", broken, "docx", tmp_path, forced_findings=errors))
    assert blocks[0] == ("cell", blocks[0][1]) and blocks[0][1].startswith(head)
    assert all(f.message.zh in blocks[0][1] for f in errors)
    html = _parse_html(_render("2021", broken, "html", tmp_path, forced_findings=errors).read_text(encoding="utf-8"))
    assert _missing_in_order("".join(html.text), [head, *(f.message.zh for f in errors), html.h1]) == []
    md = _render("2021", broken, "md", tmp_path, forced_findings=errors).read_text(encoding="utf-8")
    assert md.index(head) < md.index("# ") and all(f.message.zh in md for f in errors)

    clean_dir = tmp_path / "clean"
    clean_dir.mkdir()
    for to in ("docx", "html", "md"):
        clean = _render("2021", data, to, clean_dir)
        text = "".join(t for _, t in _docx_blocks(clean)) if to == "docx" else clean.read_text(encoding="utf-8")
        assert "强制生成" not in text and f"{len(errors)}项错误" not in text


# --- names, errors, pdf --------------------------------------------------------------------------------------

def test_default_report_name_is_the_title_with_a_safe_fallback() -> None:
    """The file is named after the title; without a year the 年 part is left out; unsafe characters become _."""
    spec = load_spec("2019")
    data = ReportData.from_numbers("2019", {}, info={"organ": "南口镇", "year": "2020"})
    assert default_report_name(spec, data, "docx") == "南口镇2020年政府信息公开工作年度报告.docx"
    no_year = ReportData("2019", info={"organ": "南口镇"})
    assert default_report_name(spec, no_year, "md") == "南口镇政府信息公开工作年度报告.md"
    assert default_report_name(spec, ReportData("2019"), "pdf") == "政府信息公开工作年度报告.pdf"
    odd = ReportData("2019", info={"organ": "城建/交通局<试点>", "year": "2020"})
    assert default_report_name(spec, odd, "html") == "城建_交通局_试点_2020年政府信息公开工作年度报告.html"
    with pytest.raises(ToolkitError, match="不支持的报告格式"):
        default_report_name(spec, data, "odt")


def test_pdf_without_libreoffice_is_a_chinese_error_and_writes_nothing(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Without soffice, --to pdf raises OfficeMissingError in Chinese and leaves no file behind."""
    monkeypatch.setenv("GK_SOFFICE", str(tmp_path / "no-soffice"))
    with pytest.raises(OfficeMissingError, match="未找到 LibreOffice"):
        _render("2021", sample_report(load_spec("2021"), 1), "pdf", tmp_path)
    assert list(tmp_path.iterdir()) == []


def _png_size(path: Path) -> tuple[int, int]:
    width, height = struct.unpack(">II", path.read_bytes()[16:24])
    return width, height


@pytest.mark.libreoffice
def test_docx_converts_to_pdf_and_renders_a4_pages(tmp_path: Path) -> None:
    """LibreOffice turns the report into a PDF (directly and via --to pdf) whose pages pdftoppm renders as A4."""
    spec = load_spec("2021")
    data = sample_report(spec, 4)
    docx_path = _render("2021", data, "docx", tmp_path)
    (converted,) = convert([docx_path], "pdf", tmp_path / "lo")
    direct = _render("2021", data, "pdf", tmp_path)
    for pdf in (converted, direct):
        assert pdf.read_bytes().startswith(b"%PDF")
        assert shutil.which("pdftoppm")
        prefix = tmp_path / f"page-{pdf.parent.name}"
        subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(prefix)], check=True, timeout=120)
        pages = sorted(tmp_path.glob(f"{prefix.name}-*.png"))
        assert len(pages) >= 3
        width, height = _png_size(pages[0])
        assert abs(width - 496) <= 2 and abs(height - 702) <= 2


def test_seed_example_workbook_needs_force_and_then_reproduces_the_seed(tmp_path: Path) -> None:
    """`toolkit report` on examples/南口镇2020年报.xlsx refuses (六 is missing); with --force it reproduces the seed."""
    from typer.testing import CliRunner

    from toolkit.cli import app

    example = EXAMPLES / "南口镇2020年报.xlsx"
    runner = CliRunner()
    refused = runner.invoke(app, ["report", str(example), "-o", str(tmp_path / "r.docx")])
    assert refused.exit_code == 1 and not (tmp_path / "r.docx").exists()
    assert "--force" in refused.output
    forced = runner.invoke(app, ["report", str(example), "--force", "-o", str(tmp_path / "r.docx")])
    assert forced.exit_code == 0, forced.output
    tokens, _, numbers = _seed_expectations()
    blocks = _docx_blocks(tmp_path / "r.docx")
    text = "".join(t for _, t in blocks)
    assert _missing_in_order(text, tokens) == []
    assert [t for kind, t in blocks if kind == "cell" and t.isdigit()] == numbers
    assert "六、其他需要报告的事项" in text and "未通过校验" in text
