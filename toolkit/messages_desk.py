"""The review desk's user-facing strings (merged into :data:`toolkit.messages.M`; look them up with ``msg``)."""

from __future__ import annotations

from toolkit.spec.models import Text

DESK: dict[str, Text] = {
    # --- cli (desk options and commands) -----------------------------------------------------------
    "cli.roster.help": Text(
        "报送情况：按单位名单核对文件夹中各单位的报送文件，列出已报送、未报送、逾期、退回待改、已整改，"
        "以及名单外的单位和同一单位的多个文件；结果同时写入校验汇总.xlsx 的“报送情况”工作表。\n\n"
        "[bold]示例[/bold]\n\n  toolkit roster 各单位2026/ --from 名单.xlsx\n\n"
        "  toolkit roster 各单位2026/ --from 各单位2025/ --deadline 2027-01-31",
        "Roster: who has sent, who has not, who is late, who was returned."),
    "cli.roster.short": Text("核对各单位报送情况", "who has sent, who is late"),
    "cli.arg.roster_folder": Text("各单位报送文件所在的文件夹", "folder of the units' returns"),
    "cli.opt.roster_from": Text("单位名单（.xlsx 或 .csv，含“单位名称”列，可选“类别”“联系人”“报送日期”），"
                                "或上一年度的文件夹", "unit list (.xlsx/.csv) or last year's folder"),
    "cli.opt.deadline": Text("报送截止日期，默认为报告年度次年1月31日", "deadline (default 31 January next year)"),
    "cli.opt.roster_output": Text("写入“报送情况”工作表的汇总表，默认为文件夹中的校验汇总.xlsx",
                                  "summary workbook to write the roster sheet into"),
    "desk.bad_date": Text("日期“{text}”无法识别，请写成 2027-01-31", "cannot read date {text}"),
    "cli.compare.help": Text(
        "对照退回的版本和整改后的版本：每个原有问题标为已改或未改，新出现的标为新增，并列出每个改动的单元格"
        "（原值→新值）。只给一个文件时，从审核记录中找到该单位最近一次退回的版本。\n\n"
        "[bold]示例[/bold]\n\n  toolkit compare 退回/单位甲.xlsx 各单位2026/单位甲.xlsx\n\n"
        "  toolkit compare 各单位2026/单位甲.xlsx",
        "Compare the returned and the corrected version."),
    "cli.compare.short": Text("对照退回版本与整改版本", "compare returned and corrected versions"),
    "cli.arg.compare_files": Text("退回的版本和整改后的版本（只给整改后的版本时从审核记录中查找退回版本）",
                                  "OLD NEW, or NEW alone"),
    "desk.compare.usage": Text("请给出一个或两个文件：toolkit compare [退回的版本] 整改后的版本",
                               "give one or two files"),
    "cli.opt.rules": Text("本单位（审核机关）的审核规则文件（YAML）：关闭规则、调整级别、设定阈值",
                          "the office's rules file (YAML): rules off, levels, thresholds"),
    "cli.opt.returns": Text("退回文件夹：为有错误或未说明警告的单位写出标红副本和问题清单（.xlsx 与 .docx）",
                            "returns folder: highlighted copy and list of problems per unit with problems"),
    # --- desk.rulesfile ----------------------------------------------------------------------------
    "desk.rules.too_big": Text("审核规则文件超过 {limit} KB，不予读取", "rules file larger than {limit} KB"),
    "desk.rules.unreadable": Text("审核规则文件无法读取：{reason}", "rules file unreadable: {reason}"),
    "desk.rules.not_yaml": Text("审核规则文件不是有效的 YAML：{reason}", "rules file is not YAML: {reason}"),
    "desk.rules.not_mapping": Text("审核规则文件应为“关闭/级别/阈值”三项的键值表",
                                   "rules file must be a mapping of off/levels/thresholds"),
    "desk.rules.unknown_key": Text("审核规则文件中的“{key}”不是可用的项目；可用：{valid}",
                                   "unknown section {key}; valid: {valid}"),
    "desk.rules.off_list": Text("“关闭”应为规则编号的列表，如 关闭: [labels_exact]",
                                "off must be a list of rule ids"),
    "desk.rules.unknown_id": Text("“{where}”中的规则编号“{id}”不存在；可用的规则编号：{valid}",
                                  "unknown rule id {id} in {where}; valid ids: {valid}"),
    "desk.rules.bad_level": Text("规则“{id}”的级别“{level}”不合法；可用：{valid}",
                                 "rule {id}: bad level {level}; valid: {valid}"),
    "desk.rules.unknown_param": Text("规则“{id}”没有阈值“{name}”；该规则可设的阈值：{valid}",
                                     "rule {id} has no threshold {name}; valid: {valid}"),
    "desk.rules.bad_value": Text("规则“{id}”的阈值“{name}”应为不小于 0 的数字，而不是“{value}”",
                                 "rule {id}: threshold {name} must be a number >= 0, not {value}"),
    "desk.rules.bad_share": Text("“{id}”的 at_least 是重复率，应为大于 0、不超过 1 的数（如 0.7），而不是“{value}”",
                                 "{id}: at_least is a share above 0 and at most 1 (e.g. 0.7), not {value}"),
    "desk.rules.not_a_mapping": Text("“{where}”应为键值表", "{where} must be a mapping"),
    # --- desk.state --------------------------------------------------------------------------------
    "desk.state.unusable": Text("审核记录文件无法打开：{reason}", "desk state file unusable: {reason}"),
    "desk.state.foreign": Text("该文件不是本工具的审核记录，未作改动", "not a desk state file; left untouched"),
    "desk.state.newer": Text("审核记录由更新版本的工具写出（版本 {version}），请升级工具",
                             "state file written by a newer toolkit (schema {version})"),
    # --- desk.roster -------------------------------------------------------------------------------
    "desk.roster.too_big": Text("单位名单过大（超过 16 MB）", "unit list larger than 16 MB"),
    "desk.roster.unreadable": Text("单位名单无法读取：{reason}", "unit list unreadable: {reason}"),
    "desk.roster.encoding": Text("单位名单不是 UTF-8 或 GBK 编码的 CSV", "unit list is not UTF-8 or GBK CSV"),
    "desk.roster.no_name_column": Text("单位名单第一行没有“单位名称”列", "unit list has no 单位名称 column"),
    "desk.roster.no_folder": Text("不是文件夹", "not a folder"),
    "desk.roster.ambiguous": Text("名称可对应多个单位：{names}，请人工确认", "name fits several units: {names}"),
    "desk.roster.not_listed": Text("报送了文件，但不在名单中", "sent a file but is not on the list"),
    "desk.roster.duplicate": Text("同一单位有 {n} 个文件", "{n} files for one unit"),
    "desk.roster.not_resubmitted": Text("退回后尚未重新报送", "not resubmitted since returned"),
    "desk.roster.unchecked": Text("已重新报送，尚未校验", "resubmitted, not yet checked"),
    "desk.roster.still_errors": Text("重新报送后仍有 {n} 个错误（退回后未改）", "resubmitted with {n} errors"),
    "desk.roster.title": Text("报送情况：名单 {expected} 个单位，已报送 {sent} 个，未报送 {missing} 个，"
                              "逾期 {late} 个，退回待改 {returned} 个，已整改 {fixed} 个，"
                              "名单外 {extra} 个，无法对应 {ambiguous} 个",
                              "roster: {expected} expected, {sent} sent, {missing} missing, {late} late"),
    "desk.roster.written": Text("已写入 {path} 的“报送情况”工作表", "written to the 报送情况 sheet of {path}"),
    # --- desk.returns ------------------------------------------------------------------------------
    "desk.returns.title": Text("{unit}政府信息公开工作年度报告问题清单", "{unit}: list of problems"),
    "desk.returns.fix": Text("按问题明细修改", "fix as described"),
    "desk.returns.or_explain": Text("；确无问题的，在年报表“说明”中写明理由", "; or explain it in the 说明 sheet"),
    "desk.returns.footer": Text("请逐项整改，在“整改结果”栏写明整改情况，连同修改后的年报表一并报送。",
                                "fix each item, fill in 整改结果 and send it back with the corrected workbook"),
    "desk.returns.done": Text("已为 {n} 个单位写出退回材料：{path}", "returns written for {n} units: {path}"),
    # --- desk.compare ------------------------------------------------------------------------------
    "desk.compare.no_state": Text("没有审核记录，无法找到退回的版本；请写出两个文件：toolkit compare 旧文件 新文件",
                                  "no state file; give both files"),
    "desk.compare.never_returned": Text("审核记录中“{unit}”没有退回过，请写出两个文件",
                                        "{unit} was never returned; give both files"),
    "desk.compare.unfixed": Text("退回后未改：{message}", "not fixed after return: {message}"),
    "desk.compare.title": Text("{unit}：已改 {fixed} 项，未改 {unfixed} 项，新增 {new} 项，改动单元格 {cells} 个",
                               "{unit}: {fixed} fixed, {unfixed} not fixed, {new} new, {cells} cells changed"),
    "desk.compare.findings": Text("问题对照", "findings"),
    "desk.compare.changes": Text("改动的单元格", "changed cells"),
    # --- template.explain (the 说明 sheet) ------------------------------------------------------------
    "template.notes.sheet": Text("说明", "说明"),
    "template.notes.title": Text("警告说明（确无问题的警告，在此写明理由后可报送）", "explanations of warnings"),
    "template.notes.prompt": Text(
        "校验出的警告如确无问题（例如数字确实大幅增长），在对应行的“说明”栏写明具体理由，校验时显示为“已说明”，"
        "不再计入警告。只写“无”“已核实”等不算说明。错误必须修改，不能以说明代替。",
        "write why a warning is not a mistake; 无/已核实 does not count; errors must be fixed"),
    "template.notes.col.no": Text("序号", "No."),
    "template.notes.col.rule": Text("警告项目", "warning"),
    "template.notes.col.id": Text("规则编号", "rule id"),
    "template.notes.col.text": Text("说明", "explanation"),
    "desk.explained": Text("【已说明】{message}（说明：{text}）", "[explained] {message} (explanation: {text})"),
    "desk.similar.title": Text("单位间正文雷同：{n} 对", "near-identical narratives: {n} pairs"),
}
