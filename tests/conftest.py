"""Fixtures shared by every test module, and the split between the core suite and the corpus suite.

The core suite (everything outside ``tests/corpus/``) reads nothing outside the repository. ``tests/corpus/`` reads
the real-report corpus at ``$GK_REFERENCE`` (default ``../shared/reference``); its tests are marked ``corpus``
here, are skipped with one reason when the corpus is absent, and make the run fail under ``CI=true`` instead.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from support import (
    CORPUS_DIR,
    REFERENCE,
    SEED,
    FolderFactory,
    WorkbookFactory,
    build_workbooks,
    corpus_missing,
    in_ci,
)

from toolkit.data import ReportData
from toolkit.sample import sample_report
from toolkit.spec import load_spec
from toolkit.template import build_template


def _in_corpus_suite(item: pytest.Item) -> bool:
    return CORPUS_DIR in Path(item.path).parents


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test under tests/corpus/ carries the ``corpus`` mark (so ``-m "not corpus"`` leaves them out)."""
    for item in items:
        if _in_corpus_suite(item):
            item.add_marker(pytest.mark.corpus)


def pytest_configure(config: pytest.Config) -> None:
    """Under pytest-xdist (``-n``), refuse at once a CI=true run whose paths hold tests/corpus/ when it is absent.

    The workers collect, so the exact check below cannot run here; this one looks at the paths and ``-m`` given.
    """
    if not (in_ci() and corpus_missing() and config.getoption("numprocesses", None)):
        return
    if hasattr(config, "workerinput") or "not corpus" in (config.getoption("markexpr") or ""):
        return
    paths = [Path(a.split("::")[0]).resolve() for a in config.args] or [Path(config.rootpath, "tests")]
    if any(p == CORPUS_DIR or p in CORPUS_DIR.parents or CORPUS_DIR in p.parents for p in paths):
        raise pytest.UsageError(f"CI=true and the corpus suite cannot run: {corpus_missing()}")


@pytest.hookimpl(trylast=True)
def pytest_collection_finish(session: pytest.Session) -> None:
    """Under CI=true an absent corpus ends the run before any test: CI must run the corpus suite it selected.

    (With pytest-xdist the workers collect, not this process; there each corpus test fails instead, see
    tests/corpus/conftest.py.)
    """
    if hasattr(session.config, "workerinput"):  # a pytest-xdist worker
        return
    missing = corpus_missing()
    if missing and in_ci() and any(item.get_closest_marker("corpus") for item in session.items):
        raise pytest.UsageError(f"CI=true and the corpus suite cannot run: {missing}")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """One closing line on the corpus suite: how many of its tests ran, or that it did not run and why."""
    reports = [r for key in ("passed", "failed", "error", "skipped") for r in terminalreporter.stats.get(key, [])
               if getattr(r, "nodeid", "").startswith("tests/corpus/")]
    if not reports:
        return
    ran = {r.nodeid for r in reports if r.when == "call"}
    missing = corpus_missing()
    if missing:
        terminalreporter.write_line(f"corpus suite (tests/corpus/): NOT RUN: {missing}")
    else:
        terminalreporter.write_line(f"corpus suite (tests/corpus/): {len(ran)} tests ran against {REFERENCE}")


@pytest.fixture(scope="session")
def reference() -> Path:
    """The real-report corpus folder (formats.yaml, published/); only tests/corpus/ may use it."""
    return REFERENCE


@pytest.fixture
def seed_report(tmp_path: Path) -> Path:
    """A private copy of the 南口镇 2020 seed report (examples/南口镇2020年报.txt), 已发布的年报.txt in tmp_path."""
    copy = tmp_path / "已发布的年报.txt"
    copy.write_bytes(SEED.read_bytes())
    return copy


@pytest.fixture
def make_workbook(tmp_path: Path) -> WorkbookFactory:
    """A factory of filled standard workbooks made by ``toolkit template``'s builder, in tmp_path by default."""

    def make(name: str = "年报.xlsx", fid: str = "2021", seed: int = 1, data: ReportData | None = None,
             folder: Path | None = None) -> Path:
        spec = load_spec(data.format_id if data is not None else fid)
        target = (folder or tmp_path) / name
        target.parent.mkdir(parents=True, exist_ok=True)
        return build_template(spec, target, data=data if data is not None else sample_report(spec, seed))

    return make


@pytest.fixture
def make_folder(tmp_path: Path) -> FolderFactory:
    """A factory of folders of units: ``make_folder(units, name="各单位")`` writes ``NN-<organ>.xlsx`` per unit."""

    def make(units: list[ReportData], name: str = "各单位") -> Path:
        folder = tmp_path / name
        folder.mkdir(parents=True)
        build_workbooks((folder / f"{i:02d}-{unit.organ}.xlsx", unit) for i, unit in enumerate(units))
        return folder

    return make
