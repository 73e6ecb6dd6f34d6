"""Every user-facing string of the toolkit that is not part of an official format, in Chinese and English.

Format-specific texts (labels, rule messages, 填写说明) live in the format files; everything else —
CLI help, table headings, error messages — lives here, looked up by key with :func:`msg`.
Each block belongs to one module; keys are ``<module>.<what>``.
"""

from __future__ import annotations

from toolkit.spec.models import Text

M: dict[str, Text] = {
    # --- cli -------------------------------------------------------------------------------------
    "cli.app.help": Text(
        "政府信息公开工作年度报告工具箱：生成标准填报表，校验勾稽关系，生成年度报告。\n\n"
        "[bold]示例[/bold]\n\n"
        "  toolkit template --year 2026 --org 南口镇 -o 2026年报.xlsx\n\n"
        "  toolkit check 2026年报.xlsx\n\n"
        "  toolkit report 2026年报.xlsx --to docx",
        "Toolkit for the annual report on government information disclosure.",
    ),
    "cli.template.help": Text(
        "生成标准年报填报表（Excel/WPS 均可填写），格式按报告年度自动选择。\n\n"
        "[bold]示例[/bold]\n\n  toolkit template --year 2026 --org 南口镇 -o 2026年报.xlsx\n\n"
        "  toolkit template --from 2025年报.xlsx -o 2026年报.xlsx",
        "Write the standard workbook for a report year.",
    ),
    "cli.check.help": Text(
        "校验填好的年报表：逐项核对勾稽关系，终端列出全部问题，并在原文件旁写出标红的副本（原文件不改动）。"
        "退出码：0 无错误（可有警告），1 有错误，2 文件无法使用。\n\n"
        "[bold]示例[/bold]\n\n  toolkit check 2026年报.xlsx\n\n  toolkit check 2026年报.xlsx --json --no-annotate\n\n"
        "  toolkit check 2026年报.xlsx --previous 2025年报.xlsx\n\n  toolkit check 各单位2026/ --previous 各单位2025/",
        "Check filled workbooks; exit 0 clean, 1 errors, 2 unusable input.",
    ),
    "cli.report.help": Text(
        "由年报表生成年度报告（Word、HTML、Markdown 或 PDF）。表中有错误时拒绝生成，除非加 --force。\n\n"
        "[bold]示例[/bold]\n\n  toolkit report 2026年报.xlsx\n\n  toolkit report 2026年报.xlsx --to html -o 年报.html",
        "Assemble the report from a workbook (docx, html, md, pdf).",
    ),
    "cli.template.short": Text("生成标准年报填报表", "write the standard workbook"),
    "cli.check.short": Text("校验年报表并写出标红副本", "check workbooks"),
    "cli.report.short": Text("生成年度报告（Word/HTML/Markdown/PDF）", "assemble the report"),
    "cli.opt.jobs": Text("并行进程数，默认为本机核数（校验文件夹时）", "parallel processes for folders"),
    "cli.check.nothing": Text("没有找到要校验的 .xlsx 文件", "no workbook found"),
    "cli.check.progress": Text("校验中", "checking"),
    "present.batch.title": Text("校验汇总：共 {total} 个文件，通过 {ok} 个，有错误 {bad} 个，无法读取 {broken} 个", "{total} files: {ok} ok, {bad} with errors, {broken} unreadable"),
    "present.batch.written": Text("汇总表：{path}", "summary workbook: {path}"),
    "cli.opt.from": Text("上一年度填好的年报表：预先填入机关名称、联系人和上年结转等可结转的数字", "last year's workbook to carry over from"),
    "cli.opt.previous": Text("上一年度的年报表（或文件夹，按机关名称对应），用于跨年度核对上年结转等", "last year's workbook or folder"),
    "cli.opt.debug": Text("出错时显示完整的调试信息", "show tracebacks"),
    "cli.opt.version": Text("显示版本号并退出", "show the version and exit"),
    "cli.opt.year": Text("报告年度，如 2026（决定使用哪种格式）", "report year"),
    "cli.opt.org": Text("机关名称，如 南口镇", "organ name"),
    "cli.opt.format": Text("指定格式：2019（国办公开办函〔2019〕60号）或 2021（国办公开办函〔2021〕30号）",
                           "format id: 2019 or 2021"),
    "cli.opt.format_check": Text("按指定格式读取（2019 或 2021），默认自动识别", "read as this format"),
    "cli.opt.template_output": Text("输出文件，默认“机关名称+年度+年报.xlsx”", "output file"),
    "cli.opt.check_output": Text("标注副本的文件名，默认“原文件名.校验.xlsx”", "highlighted copy path"),
    "cli.opt.no_annotate": Text("不写标注副本", "do not write the highlighted copy"),
    "cli.opt.json": Text("以 JSON 输出校验结果", "print the result as JSON"),
    "cli.opt.lang": Text("提示语言：zh 中文，en 英文", "message language"),
    "cli.opt.skip": Text("跳过的规则编号或问题代码，可重复，如 --skip cell-blank", "skip a rule id or code"),
    "cli.opt.to": Text("输出格式：docx、html、md、pdf（pdf 需安装 LibreOffice）", "output type"),
    "cli.opt.report_output": Text("输出文件，默认“机关名称+年度+政府信息公开工作年度报告”", "output file"),
    "cli.opt.force": Text("表中有错误时仍生成报告（首页会注明未通过校验）", "render despite errors"),
    "cli.arg.check_files": Text("要校验的年报表（.xlsx），可以是多个", "workbooks to check"),
    "cli.arg.report_file": Text("填好的年报表（.xlsx）", "the filled workbook"),
    "cli.error": Text("错误：", "error: "),
    "cli.internal": Text("程序内部错误（请带 --debug 重新运行并反馈）：", "internal error: "),
    "cli.interrupted": Text("已中断。", "interrupted."),
    "cli.template.done": Text("已生成：{path}", "written: {path}"),
    "cli.check.one_output": Text("同时校验多个文件时不能用 -o 指定同一个输出文件", "-o needs a single input"),
    "cli.report.refused": Text(
        "表中有 {errors} 项错误，未生成报告。请修改后重试，或加 --force 强制生成（首页将注明未通过校验）。",
        "{errors} errors: no report written; fix them or use --force",
    ),
    "cli.report.forced": Text("注意：表中有 {errors} 项错误，已按 --force 强制生成，首页注明未通过校验。",
                              "note: forced over {errors} errors"),
    "cli.report.done": Text("已生成：{path}", "written: {path}"),
    "present.summary": Text("{file}　{organ}　{year}年度（{format}格式）：错误 {errors} 项，警告 {warnings} 项，提示 {infos} 项",
                            "{file} {organ} {year} ({format} format): {errors} errors, {warnings} warnings, {infos} notes"),
    "present.unknown_organ": Text("（未填机关名称）", "(no organ)"),
    "present.annotated": Text("标注副本：{path}", "highlighted copy: {path}"),
    # --- check / engine ----------------------------------------------------------------------------
    "annotate.severity.error": Text("错误", "error"),
    "annotate.severity.warning": Text("警告", "warning"),
    "annotate.severity.info": Text("提示", "info"),
    "annotate.hint": Text("处理建议：", "How to fix: "),
    "annotate.title": Text("{organ} 校验结果：错误 {errors} 项，警告 {warnings} 项（点击“位置”可跳到单元格）",
                           "{organ} check result: {errors} errors, {warnings} warnings (click a location to jump)"),
    "annotate.none": Text("未发现问题", "no problems found"),
    "annotate.col.no": Text("序号", "No."),
    "annotate.col.severity": Text("级别", "Severity"),
    "annotate.col.code": Text("代码", "Code"),
    "annotate.col.where": Text("位置", "Location"),
    "annotate.col.message": Text("问题", "Problem"),
    "annotate.col.expected": Text("应为", "Expected"),
    "annotate.col.actual": Text("实为", "Actual"),
    "annotate.col.hint": Text("处理建议", "How to fix"),
    "annotate.unreadable": Text("无法生成标注副本（{error}），原文件未改动", "cannot write the highlighted copy ({error}); the original is untouched"),
    # --- template ----------------------------------------------------------------------------------
    # --- reader ------------------------------------------------------------------------------------
    # --- render ------------------------------------------------------------------------------------
    # --- import ------------------------------------------------------------------------------------
}


def msg(key: str, lang: str = "zh", /, **fields: object) -> str:
    """The message ``key`` in ``lang`` ("zh" default, "en"), with ``fields`` filled in."""
    text = M[key].get(lang)
    return text.format(**fields) if fields else text
