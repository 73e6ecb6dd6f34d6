"""Importing saved web pages and Word documents, traditional-character mirrors and pages full of site chrome."""

from __future__ import annotations

import random
from pathlib import Path

import docx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support import FIXTURES, SEED

from toolkit.data import ReportData
from toolkit.importer import import_report
from toolkit.sample import sample_report
from toolkit.spec import load_spec
from toolkit.spec.models import ReportSpec, Table

Cell = tuple[str, int, int]
"""A table cell to write: (text, rowspan, colspan)."""

NAV = ("<nav><ul><li>首页</li><li>政务公开</li><li>政府信息公开年报</li></ul></nav>"
       "<div class='crumb'>当前位置：首页 &gt; 政府信息公开 &gt; 年度报告 &gt; 2025年</div>"
       "<script>var x = '一、总体情况';</script><style>p {color: red}</style>")
FOOTER = "<div class='tools'>【打印本页】【关闭窗口】</div><footer>主办单位：某县人民政府 ICP备12345678号</footer>"


def _shown(value: object, rng: random.Random) -> str:
    """A number as clerks print it: mostly plain, sometimes with 件 or in full-width digits."""
    text = str(value)
    if isinstance(value, int) and value >= 0:
        style = rng.random()
        if style < 0.15:
            return f"{text}件"
        if style < 0.3:
            return text.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    return text


def _sub_table(table: Table, data: ReportData, rng: random.Random) -> list[list[Cell]]:
    n = len(table.columns)
    width, last_span = (4, 3) if n == 1 else (n + 1, 1)
    rows: list[list[Cell]] = [[(table.caption or "", 1, width)],
                              [(table.row_header or "", 1, 1), *((c.label, 1, last_span) for c in table.columns)]]
    for row in table.data_rows:
        values = [(_shown(data.number(f"{table.id}.{row.id}.{c.id}"), rng), 1, last_span) for c in table.columns]
        rows.append([(row.label or "", 1, 1), *values])
    return rows


def _applications(table: Table, data: ReportData, rng: random.Random) -> list[list[Cell]]:
    groups = [c.label for c in table.columns if c.group]
    rows: list[list[Cell]] = [
        [(table.note or "", 3, 3), (table.column_group_header or "", 1, 7)],
        [(table.columns[0].label, 2, 1), (table.columns[1].group or "", 1, len(groups)),
         (table.columns[-1].label, 2, 1)],
        [(label, 1, 1) for label in groups],
    ]
    results = next(r for r in table.rows if r.kind == "header" and r.level == 1)
    under = [r for r in table.data_rows if r.level >= 2]
    started: set[str] = set()
    for row in table.data_rows:
        cells: list[Cell] = []
        if row.level == 1:
            cells.append((row.label or "", 1, 3))
        else:
            if not started:
                cells.append((results.label or "", len(under), 1))
                started.add(results.id)
            if row.level == 2:
                cells.append((row.label or "", 1, 2))
            else:
                if row.parent not in started:
                    started.add(row.parent or "")
                    size = len([r for r in table.data_rows if r.parent == row.parent])
                    cells.append((table.row(row.parent or "").label or "", size, 1))
                cells.append((row.label or "", 1, 1))
        cells += [(_shown(data.number(f"{table.id}.{row.id}.{c.id}"), rng), 1, 1) for c in table.columns]
        rows.append(cells)
    return rows


def _reviews(table: Table, data: ReportData, rng: random.Random) -> list[list[Cell]]:
    review, litigation = table.column_groups
    first = [table.column(c).label for c in review.columns]
    rows: list[list[Cell]] = [
        [(review.label, 1, len(review.columns)), (litigation.label, 1, 10)],
        [*((label, 2, 1) for label in first), *((g.label, 1, len(g.columns)) for g in litigation.subgroups)],
        [(table.column(c).label, 1, 1) for g in litigation.subgroups for c in g.columns],
        [(_shown(data.number(f"{table.id}.cases.{c.id}"), rng), 1, 1) for c in table.columns],
    ]
    return rows


def _grids(spec: ReportSpec, data: ReportData, rng: random.Random) -> dict[str, list[list[list[Cell]]]]:
    """Section id → its tables as rows of (text, rowspan, colspan), laid out as the official format prints them."""
    grids: dict[str, list[list[list[Cell]]]] = {}
    for section in spec.sections:
        for tid in section.tables:
            table = spec.table(tid)
            make = {"applications": _applications, "reviews": _reviews}.get(table.layout, _sub_table)
            grids.setdefault(section.id, []).append(make(table, data, rng))
    return grids


def write_html(spec: ReportSpec, data: ReportData, path: Path, *, seed: int = 0) -> Path:
    """The report as a saved government web page: chrome around, headings as <p>, tables with row/colspans."""
    rng = random.Random(seed)
    grids = _grids(spec, data, rng)
    title = spec.report_title(data.organ, data.year or "")
    out = [f"<html><head><meta charset='utf-8'><title>{title}_政府信息公开</title></head><body>", NAV,
           f"<div class='article'><h1>{title}</h1>"]
    for section in spec.sections:
        out.append(f"<p>{section.title}</p>")
        out += [f"<p>{para}</p>" for para in data.text(section.id).splitlines()]
        for grid in grids.get(section.id, []):
            out.append("<table border='1'>")
            for row in grid:
                cells = "".join(f"<td rowspan='{rs}' colspan='{cs}'>{text}</td>" for text, rs, cs in row)
                out.append(f"<tr>{cells}</tr>")
            out.append("</table>")
    out.append(f"</div>{FOOTER}</body></html>")
    path.write_text("\n".join(out), encoding="utf-8")
    return path


def write_docx(spec: ReportSpec, data: ReportData, path: Path, *, seed: int = 0) -> Path:
    """The report as a Word document whose tables use real merged cells (gridSpan and vMerge)."""
    rng = random.Random(seed)
    grids = _grids(spec, data, rng)
    document = docx.Document()
    document.add_paragraph(spec.report_title(data.organ, data.year or ""))
    for section in spec.sections:
        document.add_paragraph(section.title)
        for para in data.text(section.id).splitlines():
            document.add_paragraph(para)
        for grid in grids.get(section.id, []):
            width = sum(cs for _, _, cs in grid[0])
            table = document.add_table(rows=len(grid), cols=width)
            taken: set[tuple[int, int]] = set()
            for r, row in enumerate(grid):
                c = 0
                for text, rs, cs in row:
                    while (r, c) in taken:
                        c += 1
                    taken.update((r + i, c + j) for i in range(rs) for j in range(cs))
                    cell = table.cell(r, c)
                    if rs > 1 or cs > 1:
                        cell = cell.merge(table.cell(r + rs - 1, c + cs - 1))
                    cell.text = text
                    c += cs
    document.save(str(path))
    return path


@pytest.mark.parametrize("fid", ["2019", "2021"])
@pytest.mark.parametrize("writer", [write_html, write_docx], ids=["html", "docx"])
def test_generated_report_round_trips(tmp_path: Path, fid: str, writer: object) -> None:
    """Random consistent data written as a web page or a Word document imports to the same numbers and texts."""
    spec = load_spec(fid)
    year = 2020 if fid == "2019" else 2025
    for seed in range(3):
        data = sample_report(spec, seed, organ="示例镇人民政府", year=year)
        suffix = ".html" if writer is write_html else ".docx"
        path = writer(spec, data, tmp_path / f"{fid}-{seed}{suffix}", seed=seed)  # type: ignore[operator]
        result = import_report(path)
        assert (result.format_id, result.year, result.organ) == (fid, year, "示例镇人民政府")
        assert {k: v.value for k, v in result.data.values.items()} == {k: data.number(k) for k in spec.cells}
        assert {k: t.text for k, t in result.data.texts.items()} == {k: data.text(k) for k in ("s1", "s5", "s6")}
        assert result.missing == [] and result.uncertain == [] and result.data.labels == []


def test_table_cells_are_located_by_table_row_and_cell(tmp_path: Path) -> None:
    """HTML and Word values remember their table, row and cell (T<t>R<r>C<c>)."""
    spec = load_spec("2021")
    data = sample_report(spec, 1, year=2025)
    for path in (write_html(spec, data, tmp_path / "r.html"), write_docx(spec, data, tmp_path / "r.docx")):
        values = import_report(path).data.values
        cell = values["s3.new_received.natural"]
        assert cell.location is not None and cell.location.cell.startswith("T")
        assert values["s4.cases.after_review_total"].location is not None


MIRROR = FIXTURES / "import" / "traditional-mirror.html"
"""A hand-typed 2021-format page in traditional characters, site chrome around it; its 三 stops after （三）2."""


def test_traditional_mirror_with_site_chrome_imports() -> None:
    """A traditional-character mirror wrapped in navigation and footer still yields its numbers and sections."""
    result = import_report(MIRROR)
    assert (result.format_id, result.year, result.organ) == ("2021", 2023, "东湖镇")
    values = {k: v.value for k, v in result.data.values.items()}
    assert values["s2_20_1.normative_documents.in_force"] == 12
    assert values["s2_20_5.licensing.decisions"] == 5 and values["s2_20_8.fees.fee_amount"] == 1.5
    assert [values[f"s3.new_received.{c}"] for c in ("natural", "commercial", "total")] == [4, 1, 5]
    assert values["s3.partial.total"] == 1 and values["s4.cases.review_total"] == 1
    assert len(values) == 10 + 6 * 7 + 15
    assert result.data.labels == []
    assert result.data.text("s6") == "本年度未收取信息處理費。"
    assert result.missing == [
        "三、收到和处理政府信息公开申请情况：自“（三）不予公开 3.危及“三安全一稳定””起的行缺失（原文中未找到）"
    ]


def test_seed_with_site_chrome_around_it_imports_the_same(tmp_path: Path) -> None:
    """Navigation lines before the seed and page chrome after it change neither numbers nor narrative."""
    body = SEED.read_text(encoding="utf-8")
    before = "首页 | 政务公开 | 信息公开年报\n当前位置：首页>政府信息公开>年度报告\n\n"
    noisy = before + body + "\n【打印本页】【关闭窗口】\n版权所有 ICP备0000号\n"
    path = tmp_path / "noisy.txt"
    path.write_text(noisy, encoding="utf-8")
    clean, result = import_report(SEED), import_report(path)
    assert {k: v.value for k, v in result.data.values.items()} == {k: v.value for k, v in clean.data.values.items()}
    assert result.data.text("s5") == clean.data.text("s5") and result.organ == "南口镇"
    assert result.missing == clean.missing


def test_gbk_page_and_repeated_merged_cells(tmp_path: Path) -> None:
    """A GBK-encoded page is decoded, and a 2021 value a converter repeated across its colspan is read once."""
    page = ("<html><head><meta charset='gbk'></head><body><h1>某镇2022年政府信息公开工作年度报告</h1>"
            "<p>二、主动公开政府信息情况</p><table>"
            "<tr><td>信息内容</td><td>本年处理决定数量</td><td>本年处理决定数量</td><td>本年处理决定数量</td></tr>"
            "<tr><td>行政许可</td><td>7</td><td>7</td><td>7</td></tr></table></body></html>")
    path = tmp_path / "gbk.htm"
    path.write_bytes(page.encode("gbk"))
    result = import_report(path)
    assert result.year == 2022 and result.data.values["s2_20_5.licensing.decisions"].value == 7


MARKDOWN = """某局2020年政府信息公开工作年度报告
一、总体情况
本年度工作正常。
二、主动公开政府信息情况
| 第二十条第（一）项 | | | |
| 信息内容 | 本年新制作数量 | 本年新公开数量 | 对外公开总数量 |
| 规章 | 0 | 0 | 0 |
| 规范性文件 | 3件 | | 12 |
| 第二十条第（五）项 | | | |
| 信息内容 | 上一年项目数量 | 本年增/减 | 处理决定数量 |
| 行政许可 | 10 | -2 | 1,234 |
| 其他对外管理服务事项 | ０ | +1 | 5 |
三、收到和处理政府信息公开申请情况
| 一、本年新收政府信息公开申请数量 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |
| 二、上年结转政府信息公开申请数量 | 0 | 0 | 0 | 0 | 0 | 0 |
四、政府信息公开行政复议、行政诉讼情况
"""


def test_values_as_clerks_type_them_are_normalised_and_short_rows_refused(tmp_path: Path) -> None:
    """“3件”, “1,234”, full-width “０”, “+1”, “-2” and blank cells are read as such; a 6-cell 三 row is not placed."""
    path = tmp_path / "table.txt"
    path.write_text(MARKDOWN, encoding="utf-8")
    result = import_report(path)
    values = result.data.values
    expected = {"s2_20_1.normative_documents.new_made": 3, "s2_20_1.normative_documents.new_published": None,
                "s2_20_5.licensing.change": -2, "s2_20_5.licensing.decisions": 1234,
                "s2_20_5.other_services.prev_year_items": 0, "s2_20_5.other_services.change": 1}
    assert {k: values[k].value for k in expected} == expected
    assert "全角" in values["s2_20_5.other_services.prev_year_items"].note
    assert values["s3.new_received.total"].value == 1
    assert not any(k.startswith("s3.carried_over.") for k in values)
    assert any("二、上年结转政府信息公开申请数量" in note and "6个单元格" in note for note in result.uncertain)


def test_word_numbered_headings_without_their_numbers_are_found(tmp_path: Path) -> None:
    """Word's automatic numbering drops “一、” from the text: bare official titles still open the sections."""
    spec = load_spec("2021")
    data = sample_report(spec, 2, year=2025)
    path = write_docx(spec, data, tmp_path / "numbered.docx")
    document = docx.Document(str(path))
    for paragraph in document.paragraphs:
        for section in spec.sections:
            if paragraph.text == section.title:
                paragraph.text = section.title.split("、", 1)[1]
    document.save(str(path))
    result = import_report(path)
    assert {k: t.text for k, t in result.data.texts.items()} == {k: data.text(k) for k in ("s1", "s5", "s6")}
    assert len(result.data.values) == len(spec.cells) and result.missing == []


def test_page_laid_out_in_an_outer_table_still_imports(tmp_path: Path) -> None:
    """Many sites wrap the article in a layout table: the data tables inside are still read cell by cell."""
    spec = load_spec("2019")
    data = sample_report(spec, 4, year=2020)
    page = write_html(spec, data, tmp_path / "plain.html").read_text(encoding="utf-8")
    outer = "<table width='100%'><tr><td>标题栏</td></tr><tr><td><div class='article'>"
    page = page.replace("<div class='article'>", outer)
    page = page.replace(f"</div>{FOOTER}", f"</div></td></tr></table>{FOOTER}")
    path = tmp_path / "layout.html"
    path.write_text(page, encoding="utf-8")
    result = import_report(path)
    assert {k: v.value for k, v in result.data.values.items()} == {k: data.number(k) for k in spec.cells}
    assert result.data.text("s6") == data.text("s6") and result.missing == []


def test_sloppy_html_with_unclosed_tags_is_read(tmp_path: Path) -> None:
    """Unclosed <p>, <td> and <tr> and a missing </head> (common in old CMS pages) do not lose any row."""
    path = tmp_path / "sloppy.htm"
    path.write_text("<html><head><title>某镇2021年政府信息公开工作年度报告</title><body><p>一、总体情况<p>内容。"
                    "<p>二、主动公开政府信息情况<table><tr><td>信息内容<td>本年处理决定数量"
                    "<tr><td>行政许可<td>3<tr><td>信息内容<td>本年处理决定数量<tr><td>行政处罚<td>4"
                    "<tr><td>行政强制<td>0</table>", encoding="utf-8")
    result = import_report(path)
    assert (result.organ, result.year, result.data.text("s1")) == ("某镇", 2021, "内容。")
    assert {k: v.value for k, v in result.data.values.items()} == {
        "s2_20_5.licensing.decisions": 3, "s2_20_6.penalty.decisions": 4, "s2_20_6.coercion.decisions": 0}


def _compact_text(spec: ReportSpec, data: ReportData, styles: list[int]) -> tuple[str, dict[str, str | None]]:
    """The report as ``|`` rows; per data row a style: 0 as is, 1 one cell left blank, 2 one blank cell dropped.

    Returns the text and what each cell should import as (its text, "" for a blank, None when not importable).
    """
    lines = [spec.report_title("某镇", data.year or ""), spec.sections[0].title, data.text("s1")]
    expect: dict[str, str | None] = {}
    rows = [(t, r) for s in spec.sections for t in (spec.table(x) for x in s.tables) for r in t.data_rows]
    for n, (table, row) in enumerate(rows):
        section = next(s for s in spec.sections if table.id in s.tables)
        if section.title not in lines:
            lines.append(section.title)
        keys = [f"{table.id}.{row.id}.{c.id}" for c in table.columns]
        cells = [str(data.number(k)) for k in keys]
        style = styles[n % len(styles)]
        if style and len(cells) > 1:
            cells[n % len(cells)] = ""
        for key, cell in zip(keys, cells, strict=True):
            expect[key] = None if style == 2 and len(cells) > 1 else cell
        shown = [c for c in cells if c or style != 2 or len(cells) == 1]
        if row.label:
            lines.append(" | ".join([row.label, *shown]) + " |")
        else:
            lines.append(" | ".join(g.label for g in table.column_groups) + " |")
            lines.append(" | ".join(c.label for c in table.columns) + " |")
            lines.append("| " + " | ".join(shown) + " |")
    lines += [spec.sections[4].title, data.text("s5"), spec.sections[5].title, data.text("s6")]
    return "\n".join(lines) + "\n", expect


@settings(max_examples=25, deadline=None)
@given(fid=st.sampled_from(["2019", "2021"]), seed=st.integers(0, 1000),
       styles=st.lists(st.integers(0, 2), min_size=1, max_size=6))
def test_no_number_is_ever_invented(tmp_path_factory: pytest.TempPathFactory, fid: str, seed: int,
                                    styles: list[int]) -> None:
    """Rows with a blank cell import it as blank; rows that lost a cell import nothing; every number is the source's."""
    spec = load_spec(fid)
    data = sample_report(spec, seed, year=2020 if fid == "2019" else 2024)
    text, expect = _compact_text(spec, data, styles)
    path = tmp_path_factory.mktemp("compact") / "report.txt"
    path.write_text(text, encoding="utf-8")
    result = import_report(path)
    got = {k: v.raw for k, v in result.data.values.items()}
    assert got == {k: v for k, v in expect.items() if v is not None}
    assert bool(result.uncertain) == any(v is None for v in expect.values())


@pytest.mark.parametrize("fid", ["2019", "2021"])
@pytest.mark.parametrize("to", ["html", "md", "docx"])
def test_our_own_report_imports_back_to_the_workbook(tmp_path: Path, fid: str, to: str) -> None:
    """Random workbooks → `toolkit report --to html|md|docx` → `toolkit import`: the same numbers, info and texts."""
    from toolkit import api
    from toolkit.template import build_template

    spec = load_spec(fid)
    year = 2020 if fid == "2019" else 2025
    for seed in range(2):
        data = sample_report(spec, 100 + seed, organ="示例镇人民政府", year=year)
        workbook = build_template(spec, tmp_path / f"w{seed}.xlsx", data=data)
        report = api.make_report(workbook, to=to, output=tmp_path / f"r{seed}.{to}").path
        assert report is not None
        back = api.import_to_workbook(report, output=tmp_path / f"back{seed}.xlsx")
        got = api.read(back.path)
        assert {k: v.value for k, v in got.values.items()} == {k: data.number(k) for k in spec.cells}
        assert (got.organ, got.year, got.format_id) == ("示例镇人民政府", year, fid)
        assert {k: got.text(k) for k in ("s1", "s5", "s6")} == {k: data.text(k) for k in ("s1", "s5", "s6")}
        assert back.result.missing == [] and back.result.uncertain == []
