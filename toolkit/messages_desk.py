"""The review desk's user-facing strings (merged into :data:`toolkit.messages.M`; look them up with ``msg``)."""

from __future__ import annotations

from toolkit.spec.models import Text

DESK: dict[str, Text] = {
    # --- cli (desk options and commands) -----------------------------------------------------------
    "cli.opt.rules": Text("本单位（审核机关）的审核规则文件（YAML）：关闭规则、调整级别、设定阈值",
                          "the office's rules file (YAML): rules off, levels, thresholds"),
    "cli.opt.returns": Text("退回文件夹：为有错误或未说明警告的单位写出标红副本和问题清单（.xlsx 与 .docx）",
                            "returns folder: highlighted copy and 问题清单 per unit with problems"),
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
    "desk.rules.not_a_mapping": Text("“{where}”应为键值表", "{where} must be a mapping"),
}
