"""The 错误说明 page lists every error key and finding code, and is current."""

from __future__ import annotations

from toolkit.error_docs import DOC_PATH, _error_classes, render_error_docs
from toolkit.spec import available_formats, load_spec


def test_error_page_is_current() -> None:
    """docs/错误说明.md equals what `python -m toolkit.dev regenerate` generates (regenerate after changes)."""
    assert DOC_PATH.read_text(encoding="utf-8") == render_error_docs()


def test_every_error_class_has_a_chinese_meaning_and_advice() -> None:
    """Each exception class says in Chinese what went wrong and what to do, under its own key."""
    keys = [cls.key for cls in _error_classes()]
    assert len(keys) == len(set(keys))
    for cls in _error_classes():
        assert "meaning" in vars(cls) and "advice" in vars(cls), cls.__name__
        assert any("\u4e00" <= ch <= "\u9fff" for ch in cls.advice)


def test_every_finding_code_is_documented() -> None:
    """Each rule's finding code appears on the page."""
    page = DOC_PATH.read_text(encoding="utf-8")
    for fid in available_formats():
        for rule in load_spec(fid).rules:
            if rule.code:
                assert f"`{rule.code}`" in page
