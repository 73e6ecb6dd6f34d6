"""Generate docs/错误说明.md: every error key (file unusable, exit 2) and every finding code, with what to do.

Run ``python -m toolkit.dev regenerate`` after adding an error class or a rule; a test fails when the page is stale.
"""

from __future__ import annotations

from pathlib import Path

from toolkit import errors
from toolkit.messages import msg
from toolkit.spec.load import available_formats, load_spec
from toolkit.untrusted import CONTROL_CHAR_CODE

DOC_PATH = Path(__file__).resolve().parents[1] / "docs" / "错误说明.md"
_SEVERITY = {"error": "错误", "warning": "警告", "unassessed": "未校验", "info": "提示"}


def _error_classes() -> list[type[errors.ToolkitError]]:
    found: list[type[errors.ToolkitError]] = []
    todo: list[type[errors.ToolkitError]] = [errors.ToolkitError]
    while todo:
        cls = todo.pop(0)
        found.append(cls)
        todo.extend(sorted(cls.__subclasses__(), key=lambda c: c.__name__))
    return found


def render_error_docs() -> str:
    """The page's Markdown text."""
    lines = [
        "# 错误说明",
        "",
        "本页由 `python -m toolkit.dev regenerate` 生成，列出 toolkit 的全部错误代码和问题代码。",
        "",
        "## 一、文件无法使用（退出码 2）",
        "",
        "文件本身无法读取或无法写出时，toolkit 输出一行中文说明（含文件名，能确定时含工作表和单元格），退出码为 2，"
        "不会改动原文件，也不会留下写了一半的输出文件。`--json` 输出中的 `key` 即下表的代码。",
        "",
        "| 代码 | 含义 | 怎么办 |",
        "|---|---|---|",
    ]
    for cls in _error_classes():
        lines.append(f"| `{cls.key}` | {cls.meaning} | {cls.advice} |")
    lines += [
        "",
        "## 二、校验发现的问题",
        "",
        "级别：**错误**（数字不可能都对，退出码 1，`toolkit report` 拒绝生成报告）、"
        "**警告**（很可能有误，请人工核对）、**提示**（读取时做了规范化等说明）。`--skip 代码` 可跳过某类问题。",
        "",
        "| 代码 | 级别 | 规则 | 适用格式 | 怎么办 |",
        "|---|---|---|---|---|",
    ]
    codes: dict[str, tuple[str, str, str, list[str]]] = {}
    for fid in available_formats():
        for rule in load_spec(fid).rules:
            if not rule.code:
                continue
            hint = rule.hint.zh if rule.hint else ""
            entry = codes.setdefault(rule.code, (rule.severity.value, rule.title.zh, hint, []))
            entry[3].append(fid)
    codes[CONTROL_CHAR_CODE] = ("info", msg("untrusted.control_char.title"), msg("untrusted.control_char.hint"),
                                list(available_formats()))
    codes["sum-not-assessed"] = ("unassessed", msg("rules.unassessed.title"), msg("rules.unassessed.hint"),
                                 list(available_formats()))
    for code, (severity, title, hint, fids) in codes.items():
        lines.append(f"| `{code}` | {_SEVERITY[severity]} | {title} | {'、'.join(fids)} | {hint} |")
    lines += [
        "",
        "## 三、填报口径（不作为问题报告，显示在填报表的“填写说明”中）",
        "",
    ]
    seen: set[str] = set()
    for fid in available_formats():
        for rule in load_spec(fid).rules:
            if rule.type == "guidance" and rule.id not in seen:
                seen.add(rule.id)
                lines.append(f"- **{rule.title.zh}**：{rule.message.zh}（依据：{rule.source}）")
    return "\n".join(lines) + "\n"
