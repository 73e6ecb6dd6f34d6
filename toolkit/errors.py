"""The toolkit's one exception hierarchy. Every error carries a Chinese message for the user, a stable
``key`` (listed in docs/错误说明.md) and, where it applies, the file, sheet and cell it is about.

Exceptions are for input that cannot be used at all (exit code 2). Problems *in* a usable workbook are
findings (:class:`toolkit.rules.Finding`), never exceptions.
"""

from __future__ import annotations

from pathlib import Path

TYPE_CHECKING = False  # not typing's: the check path does not import typing (mypy knows the name)
if TYPE_CHECKING:
    from typing import Any


class ToolkitError(Exception):
    """Base of all toolkit errors: a user-facing message plus where it happened."""

    key = "toolkit-error"
    meaning = "其他无法处理的情况"
    advice = "按提示检查文件后重试；如确属程序问题，带 --debug 重新运行并反馈输出。"
    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        path: Path | str | None = None,
        sheet: str | None = None,
        cell: str | None = None,
        **details: Any,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = Path(path) if path is not None else None
        self.sheet = sheet
        self.cell = cell
        self.details = details

    def where(self) -> str:
        """``文件 x.xlsx，工作表“三 依申请公开”，单元格 D7`` — as much of it as is known."""
        from toolkit.messages import msg

        parts = []
        if self.path is not None:
            parts.append(msg("errors.where.file", name=self.path.name))
        if self.sheet:
            parts.append(msg("errors.where.sheet", sheet=self.sheet))
        if self.cell:
            parts.append(msg("errors.where.cell", cell=self.cell))
        return msg("errors.where.sep").join(parts)

    def __str__(self) -> str:
        from toolkit.messages import msg

        where = self.where()
        return msg("errors.where.message", where=where, message=self.message) if where else self.message

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready description (key, message, file, sheet, cell)."""
        return {
            "key": self.key,
            "message": self.message,
            "file": str(self.path) if self.path else None,
            "sheet": self.sheet,
            "cell": self.cell,
        }


class SpecError(ToolkitError):
    """A format file shipped with the toolkit is inconsistent (a bug, not a user error)."""

    key = "spec-invalid"
    meaning = "工具自带的格式文件有误"
    advice = "这是工具自身的格式文件出错，不是您的文件的问题；请反馈给维护人员。"


class UnknownFormatError(ToolkitError):
    """The requested or detected format/year is not one this toolkit knows."""

    key = "format-unknown"
    meaning = "年度或格式不是本工具支持的（2019年以前，或未知格式）"
    advice = (
        "确认报告年度（2019年及以后）；"
        "用 --format 2019 或 --format 2021 指定格式，或用 toolkit template 重新生成填报表。"
    )


class WorkbookError(ToolkitError):
    """A workbook cannot be read: wrong type, corrupt, encrypted, hostile or missing parts."""

    key = "workbook-unreadable"
    meaning = "工作簿损坏或无法读取"
    advice = "用 Excel 或 WPS 打开文件确认能正常打开，另存为“Excel 工作簿(*.xlsx)”后重试。"


class NotAWorkbookError(WorkbookError):
    """The file is not an .xlsx workbook (random bytes, text, PDF …)."""

    key = "not-a-workbook"
    meaning = "不是 .xlsx 工作簿"
    advice = "确认选对了文件：需要 .xlsx 工作簿，而不是 Word、PDF、文本或改了扩展名的文件。"


class LegacyFormatError(WorkbookError):
    """An .xls (BIFF) or .et file: must be saved as .xlsx first."""

    key = "legacy-format"
    meaning = "旧版 .xls 或 WPS .et 文件"
    advice = "在 Excel 或 WPS 中打开，选择“文件—另存为—Excel 工作簿(*.xlsx)”，再校验另存的文件。"


class EncryptedWorkbookError(WorkbookError):
    """A password-protected (encrypted) workbook."""

    key = "workbook-encrypted"
    meaning = "设有打开密码（加密）的工作簿"
    advice = "在 Excel 或 WPS 中输入密码打开，取消“文档加密/打开密码”后另存为 .xlsx。工作表保护不影响校验。"


class HostileWorkbookError(WorkbookError):
    """A zip bomb, XML bomb or external entity: refused before it can exhaust memory."""

    key = "workbook-hostile"
    meaning = "压缩炸弹、XML 炸弹或外部实体等异常结构"
    advice = "文件结构异常（可能被篡改或损坏），不予读取；请向报送单位索取用 Excel 或 WPS 正常保存的文件。"


class LayoutError(WorkbookError):
    """The workbook opens but its tables cannot be found (sheet deleted, not the official layout)."""

    key = "layout-not-found"
    meaning = "找不到国家统一格式的表格"
    advice = (
        "表格不是国家统一格式或被改动过（工作表被删除、栏目被改名）；"
        "请用 toolkit template 生成的标准填报表重新填写。"
    )


class OutputError(ToolkitError):
    """An output file cannot be written (read-only folder, locked file, output equals input)."""

    key = "output-unwritable"
    meaning = "输出文件无法写入（目录只读、文件被占用、与输入同名）"
    advice = "换一个可写的目录或文件名（用 -o 指定）；如文件正在 Excel/WPS 中打开，先关闭。"



class OfficeMissingError(ToolkitError):
    """LibreOffice (soffice) is not installed, so PDF output is unavailable."""

    key = "libreoffice-missing"
    meaning = "未安装 LibreOffice，无法生成 PDF"
    advice = "安装 LibreOffice 后重试，或改用 --to docx 生成 Word 再手工转为 PDF。"


class OfficeConversionError(ToolkitError):
    """LibreOffice ran but did not produce the expected file."""

    key = "libreoffice-failed"
    meaning = "LibreOffice 转换失败"
    advice = "确认 LibreOffice 能正常启动（可关闭其他 LibreOffice 窗口后重试），或改用 --to docx。"


class MacroWorkbookError(WorkbookError):
    """A macro-enabled workbook (.xlsm, a VBA project or macro sheets): refused before any parser runs."""

    key = "workbook-macro"
    meaning = "含宏的工作簿（.xlsm 或含 VBA 工程）"
    advice = "为安全起见不读取含宏的文件：在 Excel 或 WPS 中选择“文件—另存为—Excel 工作簿(*.xlsx)”（不含宏）后再校验。"


class RulesFileError(ToolkitError):
    """The office's rules file (--rules) cannot be used: not YAML, an unknown rule id, a bad level or threshold."""

    key = "rules-file-invalid"
    meaning = "审核规则文件有误（不是 YAML、规则编号不存在、级别或阈值不合法）"
    advice = "按提示改正审核规则文件；可用的规则编号见 docs/错误说明.md 的“规则”列。"


class RosterError(ToolkitError):
    """The list of expected units (--from) cannot be used: no 单位名称 column, unreadable, too large."""

    key = "roster-list-invalid"
    meaning = "单位名单无法使用（缺少“单位名称”列、无法读取或过大）"
    advice = "名单用 .xlsx 或 .csv，第一行为表头，含“单位名称”列（可选“类别”“联系人”“报送日期”）。"


class DeskStateError(ToolkitError):
    """The desk's state file (审核记录.sqlite) cannot be opened or is not the desk's."""

    key = "desk-state-unusable"
    meaning = "审核记录文件无法打开或不是本工具的审核记录"
    advice = "审核记录只保存历史，删除后不会丢失任何报表；可将其改名保留后重新运行。"
