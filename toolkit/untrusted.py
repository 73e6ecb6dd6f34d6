"""Strings that came from a unit's file, made safe for where they go: a spreadsheet cell (never a formula),
XML (never an illegal character), the terminal (never an escape sequence) and a file name (never a path).

This is the one home of those rules; every writer and printer calls these instead of its own.
"""

from __future__ import annotations

import re
import unicodedata

from toolkit.lazy import pattern
from toolkit.messages import msg

TYPE_CHECKING = False  # not typing's: the check path does not import typing (mypy knows the name)
if TYPE_CHECKING:
    from typing import Any

    from toolkit.data import ReportData
    from toolkit.rules.findings import Finding
    from toolkit.spec.models import ReportSpec

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
"""What makes a spreadsheet (Excel, WPS, LibreOffice, a CSV import) read text as a formula or a DDE call:
the ASCII triggers, the line-break characters some importers strip before looking, and their full-width
forms (WPS accepts ＝ as =)."""

_XML_ILLEGAL = pattern("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
"""Characters XML 1.0 cannot hold (openpyxl's IllegalCharacterError, lxml's "must be XML compatible")."""

_TERMINAL_UNSAFE = pattern("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e"
                              "\u2066-\u2069\ufeff\ufff9-\ufffb\ud800-\udfff]")
"""What a terminal acts on instead of showing: C0 controls but tab and newline (ESC starts every escape
sequence, CR rewrites the line), DEL, C1 controls (CSI 0x9b), bidirectional overrides and isolates, line
and paragraph separators, interlinear annotation marks, lone surrogates."""

_CONTROL_CODES = pattern("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
"""Control characters a clerk can paste into a cell (Word's Shift+Enter is \\x0b) that no document shows."""

CONTROL_CHAR_CODE = "control-char"
"""The code of the finding that says a unit's text held control characters (replaced by visible marks)."""


def visible(ch: str) -> str:
    """A printable stand-in for one control character: its Unicode Control Picture (␋ ␛ ␁) for C0 and DEL,
    else ``<U+202E>``."""
    code = ord(ch)
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return "\u2421"
    return f"<U+{code:04X}>"


def _mark(match: re.Match[str]) -> str:
    return visible(match.group())


def xml_text(text: str) -> str:
    """``text`` with every character XML cannot hold replaced by a visible mark (see :func:`visible`)."""
    return _XML_ILLEGAL.sub(_mark, text)


def for_terminal(text: object) -> str:
    """``text`` (anything: str() is taken) safe to print: no control, escape or bidi character acts."""
    return _TERMINAL_UNSAFE.sub(_mark, str(text))


def json_for_terminal(text: str) -> str:
    """JSON text safe to print: the characters :func:`for_terminal` refuses become ``\\uXXXX`` escapes, which
    every JSON reader decodes back to the same string."""
    return _TERMINAL_UNSAFE.sub(lambda m: "".join(f"\\u{ord(c):04x}" for c in m.group()), text)


def looks_like_formula(value: object) -> bool:
    """True for text a spreadsheet would take as a formula or command (see :data:`FORMULA_START`)."""
    return isinstance(value, str) and value.startswith(FORMULA_START)


def cell_text(value: Any) -> Any:
    """A value for a workbook cell: text with XML-illegal characters replaced; anything else as it is."""
    return xml_text(value) if isinstance(value, str) else value


def set_cell(cell: Any, value: Any) -> Any:
    """Put ``value`` into an openpyxl cell (ordinary or write-only) so that text is always a text cell.

    openpyxl turns any string that starts with ``=`` into a live formula; the type is set back to string
    after the value, so ``=HYPERLINK(...)`` or ``=cmd|' /C calc'!A0`` from a unit stays the text it was.
    """
    cell.value = cell_text(value)
    if isinstance(cell.value, str):
        cell.data_type = "s"
    return cell


# --- file names --------------------------------------------------------------------------------------

_NAME_UNSAFE = pattern(r'[\\/:*?"<>|]')
_RESERVED = frozenset({"CON", "PRN", "AUX", "NUL", "CLOCK$", "CONIN$", "CONOUT$",
                       *(f"COM{i}" for i in "123456789¹²³"), *(f"LPT{i}" for i in "123456789¹²³")})
"""Windows device names: a file called ``NUL.xlsx`` or ``com1.docx`` cannot be created there."""
MAX_NAME_BYTES = 255
"""The longest file name (in UTF-8 bytes) Linux and macOS file systems take; Windows takes 255 UTF-16 units."""


def safe_filename(stem: str, suffix: str = "", *, fallback: str = "未命名") -> str:
    """A file name made from untrusted text (an organ's name): never a path, never unusable on any system.

    No separators or ``..`` (so ``../../x`` stays in its folder), no control or bidi characters, no characters
    Windows forbids, no reserved device name, no leading or trailing dots and spaces, at most
    :data:`MAX_NAME_BYTES` bytes with ``suffix`` (cut at a character boundary).
    """
    name = unicodedata.normalize("NFC", stem)
    name = _TERMINAL_UNSAFE.sub("", _XML_ILLEGAL.sub("", name))
    name = _NAME_UNSAFE.sub("_", name.replace("\n", " ").replace("\t", " "))
    name = re.sub(r"\.{2,}", "_", name.strip(" .")).strip(" .")
    if name.split(".")[0].strip().upper() in _RESERVED:
        name = "_" + name
    budget = MAX_NAME_BYTES - len(suffix.encode())
    while len(name.encode()) > budget:
        name = name[:-1]
    name = name.rstrip(" .") or fallback
    return name + suffix


# --- the finding -------------------------------------------------------------------------------------


def has_control_chars(text: str) -> bool:
    """True when ``text`` holds a control character no document shows (see :data:`_CONTROL_CODES`)."""
    return _CONTROL_CODES.search(text) is not None


def control_char_findings(data: ReportData, spec: ReportSpec) -> list[Finding]:
    """One ``info`` finding per 基本信息 field or narrative section holding control characters: every output
    shows them as visible marks (␋), and the clerk is told where they are."""
    from toolkit.rules.findings import CellRef, Finding
    from toolkit.spec.models import Severity, Text

    found: list[Finding] = []
    places: list[tuple[str, str, str, Any]] = []
    for field in spec.info_fields:
        places.append((f"info.{field.id}", field.label, data.info.get(field.id, ""),
                       data.info_locations.get(field.id)))
    for section in spec.text_sections:
        tv = data.texts.get(section.id)
        places.append((f"text.{section.id}", section.title, tv.text if tv else "", tv.location if tv else None))
    for key, label, text, location in places:
        chars = sorted({c for c in text if _CONTROL_CODES.match(c)})
        if not chars:
            continue
        shown = "".join(visible(c) for c in chars)
        codes = "、".join(f"U+{ord(c):04X}" for c in chars)
        found.append(Finding(
            code=CONTROL_CHAR_CODE, rule=CONTROL_CHAR_CODE, severity=Severity.INFO,
            message=Text(msg("untrusted.control_char", "zh", label=label, marks=shown, codes=codes),
                         msg("untrusted.control_char", "en", label=label, marks=shown, codes=codes)),
            hint=Text(msg("untrusted.control_char.hint", "zh"), msg("untrusted.control_char.hint", "en")),
            cells=(CellRef(key, label, location),), actual=codes, instance=key,
        ))
    return found
