"""政府信息公开工作年度报告工具箱 (gk-toolkit): the standard workbook, its checks and the final report.

The public API is the task functions of :mod:`toolkit.api` and the spec loader; they are imported on first use,
so that ``import toolkit`` (and ``toolkit --help``) stays fast::

    import toolkit
    result = toolkit.check_file("2026年报.xlsx", annotate=False)
    print(result.errors, [f.code for f in result.findings])
"""

from __future__ import annotations

from toolkit.quickimport import import_pathlib

import_pathlib()  # before any module of the toolkit imports pathlib: without urllib.parse, which it never uses

TYPE_CHECKING = False  # not typing's: the check path does not import typing (mypy knows the name)
if TYPE_CHECKING:
    from typing import Any

__all__ = ["check_file", "check_folder", "import_to_workbook", "load_spec", "make_report", "make_template",
           "merge_files", "read"]

_HOME = {"check_file": "toolkit.api", "check_folder": "toolkit.api", "import_to_workbook": "toolkit.api",
         "make_report": "toolkit.api", "make_template": "toolkit.api", "merge_files": "toolkit.api",
         "read": "toolkit.api", "load_spec": "toolkit.spec.load"}


def __getattr__(name: str) -> Any:
    """Import a public function from its module the first time it is used."""
    if name not in _HOME:
        raise AttributeError(f"module 'toolkit' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(_HOME[name]), name)
