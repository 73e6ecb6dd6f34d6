"""Government pages saved as HTML, written here with the features real sites have: a 索引号/发布机构 metadata table
before the report, &nbsp; blank cells, header and data rows of different column spans, <br/> inside labels, units
on numbers, and GBK without a charset declaration."""

from __future__ import annotations

from pathlib import Path

from toolkit.data import ValueStatus
from toolkit.importer import import_report

S3_ROWS = [
    ("一、本年新收政府信息公开申请数量", [5, 1, 0, 0, 0, 0, 6]),
    ("二、上年结转政府信息公开申请数量", [0, 0, 0, 0, 0, 0, 0]),
    ("（一）予以公开", [4, 1, 0, 0, 0, 0, 5]),
    ("（二）部分公开（区分处理的，只计这一情形，<br/>不计其他情形）", [1, 0, 0, 0, 0, 0, 1]),
]
ZERO_ROWS = ["1.属于国家秘密", "2.其他法律行政法规禁止公开", "3.危及“三安全一稳定”", "4.保护第三方合法权益",
             "5.属于三类内部事务信息", "6.属于四类过程性信息", "7.属于行政执法案卷", "8.属于行政查询事项",
             "1.本机关不掌握相关政府信息", "2.没有现成信息需要另行制作", "3.补正后申请内容仍不明确",
             "1.信访举报投诉类申请", "2.重复申请", "3.要求提供公开出版物", "4.无正当理由大量反复申请",
             "5.要求行政机关确认或重新出具已获取信息",
             "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
             "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "3.其他"]
GROUPS = {"1.属于国家秘密": "（三）不予公开", "1.本机关不掌握相关政府信息": "（四）无法提供",
          "1.信访举报投诉类申请": "（五）不予处理", ZERO_ROWS[16]: "（六）其他处理"}


def _cells(values: list[int]) -> str:
    return "".join(f"<td>{v}</td>" for v in values)


def page() -> str:
    """A 2026 report page of a fictional bureau."""
    rows = "".join(f'<tr><td colspan="3">{label}</td>{_cells(v)}</tr>' for label, v in S3_ROWS[:2])
    rows += '<tr><td rowspan="25">三、本年度办理结果</td><td colspan="2">（一）予以公开</td>' + _cells(S3_ROWS[2][1])
    rows += f'</tr><tr><td colspan="2">{S3_ROWS[3][0]}</td>{_cells(S3_ROWS[3][1])}</tr>'
    for label in ZERO_ROWS:
        group = f'<td rowspan="3">{GROUPS[label]}</td>' if label in GROUPS else ""
        rows += f"<tr>{group}<td>{label}</td>{_cells([0] * 7)}</tr>"
    rows += '<tr><td colspan="2">（七）总计</td>' + _cells([5, 1, 0, 0, 0, 0, 6]) + "</tr>"
    rows += '<tr><td colspan="3">四、结转下年度继续办理</td>' + _cells([0] * 7) + "</tr>"
    return f"""<html><head><title>示例市测试局2026年政府信息公开工作年度报告</title></head><body>
<table class="meta"><tr><td>索引号：</td><td>11350000-2027-00012</td><td>发布机构：</td><td>示例市测试局</td></tr>
<tr><td>发布日期：</td><td>2027-01-20</td><td>文号：</td><td>&nbsp;</td></tr></table>
<h1>示例市测试局2026年政府信息公开工作年度报告</h1>
<p>一、总体情况</p><p>本年度依法主动公开政府信息。</p>
<p>二、主动公开政府信息情况</p>
<table><tr><td colspan="4">第二十条第（一）项</td></tr>
<tr><td>信息内容</td><td>本年<br/>制发件数</td><td>本年<br/>废止件数</td><td>现行<br/>有效件数</td></tr>
<tr><td>规章</td><td>&nbsp;</td><td>&nbsp;</td><td>&nbsp;</td></tr>
<tr><td>行政规范性文件</td><td>3件</td><td>1件</td><td>12件</td></tr>
<tr><td colspan="4">第二十条第（五）项</td></tr><tr><td>信息内容</td><td colspan="3">本年处理决定数量</td></tr>
<tr><td>行政许可</td><td colspan="3">1,205</td></tr>
<tr><td colspan="4">第二十条第（六）项</td></tr><tr><td>信息内容</td><td colspan="3">本年处理决定数量</td></tr>
<tr><td>行政处罚</td><td colspan="3">/</td></tr><tr><td>行政强制</td><td colspan="3">0</td></tr>
<tr><td colspan="4">第二十条第（八）项</td></tr>
<tr><td>信息内容</td><td colspan="3">本年收费金额（单位：万元）</td></tr>
<tr><td>行政事业性收费</td><td colspan="3">25.1万元</td></tr></table>
<p>三、收到和处理政府信息公开申请情况</p>
<table><tr><td colspan="3" rowspan="3">（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</td>
<td colspan="7">申请人情况</td></tr><tr><td rowspan="2">自然人</td><td colspan="5">法人或其他组织</td>
<td rowspan="2">总计</td></tr><tr><td>商业<br/>企业</td><td>科研<br/>机构</td><td>社会公益<br/>组织</td>
<td>法律服务<br/>机构</td><td>其他</td></tr>{rows}</table>
<p>四、政府信息公开行政复议、行政诉讼情况</p>
<table><tr><td colspan="5">行政复议</td><td colspan="10">行政诉讼</td></tr>
<tr><td rowspan="2">结果维持</td><td rowspan="2">结果纠正</td><td rowspan="2">其他结果</td><td rowspan="2">尚未审结</td>
<td rowspan="2">总计</td><td colspan="5">未经复议直接起诉</td><td colspan="5">复议后起诉</td></tr>
<tr>{"".join(f"<td>{h}</td>" for h in ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2)}</tr>
<tr>{_cells([1, 0, 0, 0, 1] + [0] * 10)}</tr></table>
<p>五、存在的主要问题及改进情况</p><p>信息更新还不够及时。</p>
<p>六、其他需要报告的事项</p><p>本年度未收取信息处理费。</p>
<p>示例市测试局</p><p>2027年1月20日</p><div class="footer">版权所有 示例市人民政府</div></body></html>"""


def test_a_saved_gbk_page_without_charset_imports_every_table(tmp_path: Path) -> None:
    """GBK bytes, no declaration: the metadata table is no report table, spans are mapped by order, <br/> labels,
    &nbsp; blanks, 件/万元 units and 1,205 are read; the tables and the narrative come back whole."""
    path = tmp_path / "page.htm"
    path.write_bytes(page().encode("gbk"))
    result = import_report(path)
    assert (result.organ, result.year, result.format_id) == ("示例市测试局", 2026, "2021")
    values = result.data.values
    assert values["s2_20_1.regulations.issued"].status is ValueStatus.BLANK
    assert [values[f"s2_20_1.normative_documents.{c}"].value for c in ("issued", "repealed", "in_force")] == [3, 1, 12]
    assert values["s2_20_5.licensing.decisions"].value == 1205
    assert values["s2_20_6.penalty.decisions"].status is ValueStatus.PLACEHOLDER
    assert values["s2_20_8.fees.fee_amount"].value == 25.1
    assert values["s3.new_received.natural"].value == 5 and values["s3.partial.natural"].value == 1
    assert values["s3.total_processed.total"].value == 6 and values["s4.cases.review_total"].value == 1
    assert sum(1 for k in values if k.startswith("s3.")) == 25 * 7
    assert result.missing == [] and result.uncertain == []
    assert result.data.texts["s6"].text == "本年度未收取信息处理费。"
