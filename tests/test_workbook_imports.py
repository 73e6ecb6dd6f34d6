"""What each module of toolkit.workbook imports when it is imported: no openpyxl or xlsxwriter anywhere (the
reader needs neither; openpyxl is only for the highlighted copy, outside the package), python-calamine only in
the modules that open a workbook with it, and nothing but :mod:`toolkit.workbook.a1` behind the two modules the
template writer takes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "toolkit" / "workbook"
MODULES = sorted(f"toolkit.workbook.{p.stem}" for p in PACKAGE.glob("*.py") if p.stem != "__init__")
CALAMINE = {"toolkit.workbook.book", "toolkit.workbook.locate", "toolkit.workbook.by_names",
            "toolkit.workbook.by_labels", "toolkit.workbook.cells"}
"""The modules that open a workbook with calamine (:mod:`.book`) or build on it."""
WRITER_SIDE = {"toolkit.workbook.a1": set(), "toolkit.workbook.marker": {"toolkit.workbook.a1"}}
"""The modules the template writer imports, and the package modules each may bring along."""


def _imported(module: str) -> set[str]:
    """The modules a fresh interpreter holds after importing ``module``."""
    code = f"import json, sys; import {module}; print(json.dumps(sorted(sys.modules)))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    return set(json.loads(proc.stdout))


def test_every_module_is_listed() -> None:
    """The package's modules are the ones the layout names (a new module is looked at here)."""
    assert len(MODULES) == 12 and "toolkit.workbook.safety" in MODULES


@pytest.mark.parametrize("module", [*MODULES, "toolkit.workbook"])
def test_module_imports_no_writer_library(module: str) -> None:
    """No toolkit.workbook module imports openpyxl or xlsxwriter; only the calamine side imports python_calamine."""
    loaded = _imported(module)
    assert not {"openpyxl", "xlsxwriter"} & loaded, module
    assert ("python_calamine" in loaded) == (module in CALAMINE), module


@pytest.mark.parametrize("module", sorted(WRITER_SIDE))
def test_writer_side_modules_bring_no_reader(module: str) -> None:
    """workbook.a1 and workbook.marker load no other module of the package than workbook.a1."""
    loaded = {m for m in _imported(module) if m.startswith("toolkit.workbook.")}
    assert loaded - {module} == WRITER_SIDE[module]


def test_template_writer_imports_only_a1_and_marker() -> None:
    """toolkit/template names no module of toolkit.workbook but a1 and marker."""
    template = Path(__file__).resolve().parents[1] / "toolkit" / "template"
    named = {line.split()[1] for p in template.glob("*.py") for line in p.read_text(encoding="utf-8").splitlines()
             if line.lstrip().startswith(("from toolkit.workbook", "import toolkit.workbook"))}
    assert named <= {"toolkit.workbook.a1", "toolkit.workbook.marker"}, named
