"""Finding the official structure in text as real pages print it: headings and labels inside long lines, variants,
glued item numbers, sub-headings numbered like sections, cover letters, and the format told by the tables."""

from __future__ import annotations

from pathlib import Path

from flatten import flatten

from toolkit.api import check_file
from toolkit.importer import import_report
from toolkit.importer.document import Kind
from toolkit.importer.plaintext import text_document
from toolkit.importer.segment import segment
from toolkit.spec import load_spec


def _write(tmp_path: Path, text: str, name: str = "r.txt") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _zeros(fid: str) -> dict[str, object]:
    return dict.fromkeys(load_spec(fid).cells, 0)


def test_labels_and_runs_are_found_inside_one_long_line() -> None:
    """规章000规范性文件106 splits into label, run, label, run, with each piece's span in the source line."""
    doc = segment(text_document("二、主动公开政府信息情况第二十条第（一）项信息内容本年制发件数本年 废止件数"
                                "现行有效件数规章000规范性文件106第二十条第（五）项信息内容本年处理决定数量行政　许可0",
                                "x.txt"))
    pieces = [(t.kind, t.text) for line in doc.lines for t in line.tokens]
    assert (Kind.TEXT, "规章") in pieces and (Kind.RUN, "000") in pieces and (Kind.RUN, "106") in pieces
    assert (Kind.TEXT, "本年 废止件数") in pieces and (Kind.TEXT, "行政　许可") in pieces
    run = next(t for line in doc.lines for t in line.tokens if t.text == "106")
    assert run.where == "L1" and run.span is not None and run.place == f"L1:{run.span[0] + 1}-{run.span[1]}"


def test_glued_item_numbers_go_with_their_labels() -> None:
    """00000002.其他法律… gives the run 0000000 and the label 2.其他法律…; （三）不予公开1.属于国家秘密 two labels."""
    doc = segment(text_document("（三）不予公开1.属于国家秘密 0 0 00 0 0 02.其他法律和行政法规禁止公开00000003.危及"
                                "“三安全一稳定”0000000", "x.txt"))
    texts = [t.text for line in doc.lines for t in line.tokens]
    assert texts[:5] == ["（三）不予公开", "1.属于国家秘密", "0 0 00 0 0 0", "2.其他法律和行政法规禁止公开", "0000000"]
    assert texts[5] == "3.危及“三安全一稳定”"


def test_a_sentence_that_mentions_labels_is_left_alone() -> None:
    """Narrative such as 行政法规、规章和规范性文件1条，… is not cut into table cells."""
    line = "全年公开公文类政府信息共118条，其中行政法规、规章和规范性文件1条，财政预算信息4条。"
    doc = segment(text_document(line, "x.txt"))
    assert [t.text for row in doc.lines for t in row.tokens] == [line]


def test_one_line_report_with_variants_imports_whole(tmp_path: Path) -> None:
    """A flattened 2021 report whose body is one line imports every cell; label variants are recorded."""
    values = _zeros("2021")
    values["s3.new_received.natural"] = values["s3.new_received.total"] = 12
    values["s3.granted.natural"] = values["s3.granted.total"] = 12
    values["s3.total_processed.natural"] = values["s3.total_processed.total"] = 12
    official, variant = "2.其他法律行政法规禁止公开", "2.其他法律和行政法规禁止公开"
    text = flatten(load_spec("2021"), values, seed=3).replace(official, variant)
    result = import_report(_write(tmp_path, text))
    assert {k: v.value for k, v in result.data.values.items()} == values
    assert result.missing == [] and result.uncertain == []
    assert (official, variant) in {(s.official, s.found) for s in result.data.labels}


def test_sub_headings_numbered_like_sections_are_not_sections(tmp_path: Path) -> None:
    """（一）主动公开政府信息情况 inside 一 is not section 二; 一、工作基本情况 is section 一."""
    text = ("某镇2026年政府信息公开工作年度报告\n一、工作基本情况\n（一）主动公开政府信息情况\n"
            "本年度主动公开信息20条。\n二、主动公开政府信息情况\n第二十条第（一）项\n信息内容\n本年制发件数\n本年废止件数\n现行有效件数\n规章\n0\n0\n0\n"
            "五、存在的主要问题及改进情况\n培训不足。\n六、其他需要报告的事项\n无。\n")
    result = import_report(_write(tmp_path, text))
    heading_one = result.data.texts["s1"]
    assert heading_one.present and "（一）主动公开政府信息情况" in heading_one.text
    assert result.data.values["s2_20_1.regulations.issued"].value == 0


def test_the_column_header_other_is_not_the_row_three_other(tmp_path: Path) -> None:
    """A page cut after 三's header: the header cell 其他 is not read as the row 3.其他 (no 三 value imported)."""
    text = ("某局2026年政府信息公开工作年度报告\n三、收到和处理政府信息公开申请情况\n申请人情况\n自然人\n"
            "法人或其他组织\n总计\n商业企业\n科研机构\n社会公益组织\n法律服务机构\n其他\n0\n0\n0\n0\n0\n0\n0\n一、本年新收政府信息公开申请")
    result = import_report(_write(tmp_path, text))
    assert not any(k.startswith("s3.other_other") for k in result.data.values)


def test_a_cover_letter_is_skipped_and_its_sender_is_the_organ(tmp_path: Path) -> None:
    """A report published as a 函: organ = the sender, not “…管理局关于”; the report after it is read."""
    values = _zeros("2021")
    body = flatten(load_spec("2021"), values, organ="某区测试管理局", seed=1).split("\n", 1)[1]
    text = ("某区测试管理局关于报送2026年度政府信息公开工作年度报告的函区办公室：现将我局2026年度报告报送如下，请审阅。"
            + body)
    result = import_report(_write(tmp_path, text))
    assert (result.organ, result.year, result.format_id) == ("某区测试管理局", 2026, "2021")
    assert {k: v.value for k, v in result.data.values.items()} == values


def test_the_format_is_told_by_the_tables_not_the_year(tmp_path: Path) -> None:
    """A 2021 report printed with the 2019 tables is read in the 2019 format, and check warns of the mismatch."""
    text = flatten(load_spec("2019"), _zeros("2019"), year=2021, seed=2)
    path = _write(tmp_path, text)
    result = import_report(path)
    assert (result.year, result.format_id) == (2021, "2019")
    assert len(result.data.values) == len(load_spec("2019").cells)
    findings = check_file(path, annotate=False).findings
    mismatch = [f for f in findings if f.code == "format-year-mismatch"]
    assert len(mismatch) == 1 and str(mismatch[0].severity) == "warning"


def test_a_complete_one_line_report_is_not_called_cut(tmp_path: Path) -> None:
    """No final newline, a signature glued to the last sentence: nothing is “截断”, 六 ends with its sentence."""
    text = flatten(load_spec("2021"), _zeros("2021"), seed=4)
    assert not text.endswith("\n")
    result = import_report(_write(tmp_path, text))
    assert result.missing == [] and not any("截断" in n for n in result.uncertain)
    assert result.data.texts["s6"].text == "本年度未收取信息处理费。"


def test_a_lone_pipe_line_after_each_label_is_padding_not_a_cell(tmp_path: Path) -> None:
    """Archived rows printed “label |”, a lone “|”, then the values one per line: the lone line is the label's
    spanned cell, so every value still lands in its column (before, every row of the report was refused)."""
    lines = ["某局2026年政府信息公开工作年度报告", "二、主动公开政府信息情况", "第二十条第(一)项 |", "信息内容 |",
             "本年制发件数 |", "本年废止件数 |", "现行有效件数 |", "规章 |", "|", "0 |", "1 |", "2 |",
             "行政规范性文件 |", "|", "3 |", "|", "5 |"]
    result = import_report(_write(tmp_path, "\n".join(lines) + "\n"))
    values = {k: v.value for k, v in result.data.values.items() if k.startswith("s2_20_1.")}
    assert values == {"s2_20_1.regulations.issued": 0, "s2_20_1.regulations.repealed": 1,
                      "s2_20_1.regulations.in_force": 2, "s2_20_1.normative_documents.issued": 3,
                      "s2_20_1.normative_documents.repealed": None, "s2_20_1.normative_documents.in_force": 5}


def test_the_imported_workbook_says_where_each_value_came_from(tmp_path: Path) -> None:
    """``toolkit import`` writes each value's source (line, span, the run it was split from) as the cell's comment,
    and a 导入情况 sheet lists what could not be imported."""
    import openpyxl

    from toolkit.api import import_to_workbook

    values = _zeros("2021")
    values["s2_20_1.normative_documents.issued"], values["s2_20_1.normative_documents.in_force"] = 12, 15
    path = _write(tmp_path, flatten(load_spec("2021"), values, seed=5, spaces=0))
    outcome = import_to_workbook(path, output=tmp_path / "out.xlsx")
    book = openpyxl.load_workbook(outcome.path)
    notes = list(book["导入情况"].iter_rows(values_only=True))
    assert any("行政规范性文件" in str(row[1]) and "12、0、15" in str(row[1]) for row in notes)
    sheet = book["三 依申请公开"]
    comments = [c.comment.text for row in sheet.iter_rows() for c in row if c.comment]
    assert comments and all("r.txt L2:" in text and "按表内勾稽关系拆分" in text for text in comments)


def test_a_sentence_counting_reviews_is_not_table_four(tmp_path: Path) -> None:
    """一 saying 行政复议93件，行政诉讼19件。 names two of 四's labels with numbers: it stays narrative, and nothing
    is imported or doubted for 四 from it."""
    text = ("某市2026年政府信息公开工作年度报告\n一、总体情况\n（二）依申请公开方面。全年新收申请1541件，"
            "因政府信息公开引发行政复议93件，行政诉讼19件。\n（三）政府信息管理方面。规范信息发布。")
    result = import_report(_write(tmp_path, text))
    assert not any(k.startswith("s4.") for k in result.data.values)
    assert result.uncertain == []
    assert "行政复议93件，行政诉讼19件。" in result.data.texts["s1"].text


def test_a_table_cell_holding_a_label_and_its_digits_is_split(tmp_path: Path) -> None:
    """``| （三）不予公开 | 1.属于国家秘密 0 0 0 0 0 0 0 |``: the second cell is the row label and its seven cells."""
    doc = segment(text_document("（三）不予公开 | 1.属于国家秘密 0 0 0 0 0 0 0 |\n", "x.txt"))
    (line,) = doc.lines
    assert [(t.kind, t.text) for t in line.tokens] == [
        (Kind.TEXT, "（三）不予公开"), (Kind.TEXT, "1.属于国家秘密"), (Kind.RUN, "0 0 0 0 0 0 0")]


def test_section_titles_named_in_a_sentence_are_not_headings(tmp_path: Path) -> None:
    """An introduction that lists the sections with their numbers (本报告由一、总体情况，二、……组成) does not stand
    for the headings; the real headings after it are found."""
    intro = ("本报告由一、总体情况，二、主动公开政府信息情况，三、收到和处理政府信息公开申请情况，"
             "四、政府信息公开行政复议、行政诉讼情况，五、存在的主要问题及改进情况和六、其他需要报告的事项等六部分组成。")
    text = flatten(load_spec("2021"), _zeros("2021"), seed=6).replace("根据条例要求编制本报告，", intro, 1)
    result = import_report(_write(tmp_path, text))
    assert result.missing == [] and result.uncertain == []
    assert result.data.texts["s1"].text.startswith("（一）主动公开情况")
    assert len(result.data.values) == len(load_spec("2021").cells)
