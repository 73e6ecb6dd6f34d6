"""The toolkit's one exception hierarchy. Every error carries a Chinese message for the user, a stable
``key`` (listed in docs/错误说明.md) and, where it applies, the file, sheet and cell it is about.

Exceptions are for input that cannot be used at all (exit code 2). Problems *in* a usable workbook are
findings (:class:`toolkit.rules.Finding`), never exceptions.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


class ToolkitError(Exception):
    """Base of all toolkit errors: a user-facing message plus where it happened."""

    key = "toolkit-error"
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
        parts = []
        if self.path is not None:
            parts.append(f"文件 {self.path.name}")
        if self.sheet:
            parts.append(f"工作表“{self.sheet}”")
        if self.cell:
            parts.append(f"单元格 {self.cell}")
        return "，".join(parts)

    def __str__(self) -> str:
        where = self.where()
        return f"{where}：{self.message}" if where else self.message

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


class UnknownFormatError(ToolkitError):
    """The requested or detected format/year is not one this toolkit knows."""

    key = "format-unknown"


class WorkbookError(ToolkitError):
    """A workbook cannot be read: wrong type, corrupt, encrypted, hostile or missing parts."""

    key = "workbook-unreadable"


class NotAWorkbookError(WorkbookError):
    """The file is not an .xlsx workbook (random bytes, text, PDF …)."""

    key = "not-a-workbook"


class LegacyFormatError(WorkbookError):
    """An .xls (BIFF) or .et file: must be saved as .xlsx first."""

    key = "legacy-format"


class EncryptedWorkbookError(WorkbookError):
    """A password-protected (encrypted) workbook."""

    key = "workbook-encrypted"


class HostileWorkbookError(WorkbookError):
    """A zip bomb, XML bomb or external entity: refused before it can exhaust memory."""

    key = "workbook-hostile"


class LayoutError(WorkbookError):
    """The workbook opens but its tables cannot be found (sheet deleted, not the official layout)."""

    key = "layout-not-found"


class OutputError(ToolkitError):
    """An output file cannot be written (read-only folder, locked file, output equals input)."""

    key = "output-unwritable"



class OfficeMissingError(ToolkitError):
    """LibreOffice (soffice) is not installed, so PDF output is unavailable."""

    key = "libreoffice-missing"


class OfficeConversionError(ToolkitError):
    """LibreOffice ran but did not produce the expected file."""

    key = "libreoffice-failed"
