"""The package's public face: ``import toolkit`` exposes every task function, lazily, and they work through it."""

from __future__ import annotations

import inspect
import subprocess
import sys
from pathlib import Path

import pytest
from support import WorkbookFactory

import toolkit
from toolkit import api
from toolkit.spec import load as spec_load

TASKS = {"check_file", "check_folder", "import_to_workbook", "load_spec", "make_report", "make_template",
         "merge_files", "read"}
"""One function per user task (check, import, template, report, merge, read) and the spec loader."""
HELPERS = {"check_skips", "default_template_name", "default_year", "organ_key", "organs_in", "resolve_spec",
           "valid_skips"}
"""Public functions of toolkit.api that serve the tasks and the command line rather than being tasks."""


def test_all_lists_every_task_function() -> None:
    """``toolkit.__all__`` is exactly the task functions; each public function of toolkit.api (its own, and the
    one-file check it offers from toolkit.checking) is one or a helper, and ``api.__all__`` names them all."""
    assert set(toolkit.__all__) == TASKS
    defined = {name for name, obj in inspect.getmembers(api, inspect.isfunction)
               if obj.__module__ in ("toolkit.api", "toolkit.checking") and not name.startswith("_")}
    assert defined - HELPERS == TASKS - {"load_spec"}
    assert defined <= set(api.__all__)


@pytest.mark.parametrize("name", sorted(TASKS))
def test_every_exported_name_is_the_library_function(name: str) -> None:
    """``toolkit.<name>`` is the very function of its module (not a copy or a wrapper)."""
    home = spec_load if name == "load_spec" else api
    assert getattr(toolkit, name) is getattr(home, name)


def test_unknown_attribute_is_an_attribute_error() -> None:
    """A name the package does not export raises AttributeError naming it."""
    with pytest.raises(AttributeError, match="no_such_task"):
        toolkit.no_such_task  # noqa: B018  (the attribute access is the test)


def test_import_toolkit_loads_no_task_module() -> None:
    """``import toolkit`` alone imports neither the api nor openpyxl (the exports load on first use): only
:mod:`toolkit.quickimport`, which imports pathlib before any module of the toolkit does."""
    code = "import sys, toolkit; print(sorted(m for m in sys.modules if m.startswith(('toolkit.', 'openpyxl'))))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['toolkit.quickimport']"


def test_check_file_through_the_package(make_workbook: WorkbookFactory, tmp_path: Path) -> None:
    """``toolkit.check_file`` checks a workbook: a clean one has no finding, a broken total gives its error code."""
    from toolkit.sample import sample_report

    spec = toolkit.load_spec("2021")
    data = sample_report(spec, 2)
    clean = make_workbook("好.xlsx", data=data)
    broken = make_workbook("坏.xlsx", data=data.with_value("s3.granted.total", data.number("s3.granted.total") + 1))
    ok = toolkit.check_file(clean, annotate=False)
    assert (ok.findings, ok.errors, ok.exit_code, ok.annotated) == ([], 0, 0, None)
    bad = toolkit.check_file(broken)
    assert bad.exit_code == 1 and {f.code for f in bad.findings} == {"s3-row-total", "s3-results-total"}
    assert bad.annotated == tmp_path / "坏.校验.xlsx" and bad.annotated.is_file()
