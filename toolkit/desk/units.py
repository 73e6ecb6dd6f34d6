"""Unit names as the desk matches them: folded (toolkit.labels.fold: full/half width, whitespace, traditional
forms) and without the suffixes offices drop (人民政府, 办事处), so 南口镇人民政府 and 南口镇 are one unit."""

from __future__ import annotations

from collections.abc import Iterable

from toolkit.labels import fold

SUFFIXES = ("人民政府", "办事处", "街道办")
"""Trailing words that do not tell units apart (街道办事处 → 街道, 南口镇人民政府 → 南口镇)."""


def unit_key(name: str) -> str:
    """The matching key of a unit name: folded, trailing 人民政府/办事处 removed (街道办 → 街道)."""
    key = fold(name)
    changed = True
    while changed:
        changed = False
        for suffix in SUFFIXES:
            if key.endswith(suffix) and len(key) > len(suffix) + 1:
                key = key[: -len(suffix)] + ("街道" if suffix == "街道办" else "")
                changed = True
    return key


def candidates(key: str, known: Iterable[str]) -> list[str]:
    """Keys among ``known`` that one of ``key`` contains (or that contain ``key``): the near matches."""
    if len(key) < 2:
        return []
    return [k for k in known if len(k) >= 2 and k != key and (k in key or key in k)]
