"""The strings of rule parameters checked at load and of checks that could not be assessed (merged into
:data:`toolkit.messages.M`; look them up with ``msg``)."""

from __future__ import annotations

from toolkit.spec.models import Text
from toolkit.spec.params import PARAM_TEXTS

RULES: dict[str, Text] = {
    **PARAM_TEXTS,
    # --- rules: a check that could not be assessed -------------------------------------------------
    "rules.unassessed.message": Text(
        "未能校验“{rule}”（{target}）：{cells} 不是求和能计入的数字（文字、错误值或超出范围），这项勾稽关系没有核对",
        "'{rule}' ({target}) was not checked: {cells} not a number a sum can use (text, an error or out of range), "
        "so this relation is unverified"),
    "rules.unassessed.title": Text("未能校验的勾稽关系", "Relations not checked"),
    "rules.unassessed.hint": Text("先把这些单元格改成数字（不带单位、不写成文字；没有的填0），再重新校验",
                                  "make those cells numbers (or blank, or 0) and check again"),
    "rules.unassessed.more": Text("等{count}格", " and {others} more"),
}
