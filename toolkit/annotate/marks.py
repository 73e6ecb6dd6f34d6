"""What the copy adds, by name and colour: the findings sheet's name, the fills per severity and the comments'
author (a leaf, so every part of the patcher can use them without importing the package's front)."""

from __future__ import annotations

from toolkit.spec.models import Severity

RESULT_SHEET = "校验结果"
"""Name of the findings sheet added to the copy."""

FILLS = {
    Severity.ERROR: ("FFC7CE", "9C0006"),
    Severity.WARNING: ("FFEB9C", "9C5700"),
    Severity.UNASSESSED: ("DDEBF7", "1F4E78"),
}
"""Background and font colours per severity (Excel's own 'bad' and 'neutral' styles)."""

COMMENT_AUTHOR = "toolkit 校验"
"""The author of the copy's comments (a re-check replaces its own comments, keeps everyone else's)."""
