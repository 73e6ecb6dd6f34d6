"""The .docx writer without python-docx writes, part for part, the file python-docx's builder makes, from
skeleton parts kept in the cache folder (rebuilt when missing or damaged), and never imports python-docx."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from toolkit.render import build_report
from toolkit.render.docx import write_docx
from toolkit.render.docx_builder import build_docx
from toolkit.render.fonts import installed_families
from toolkit.render.model import ReportModel
from toolkit.rules.engine import check_data
from toolkit.sample import sample_report
from toolkit.spec import Severity, load_spec


def _parts(path: Path) -> dict[str, bytes]:
    """Every part, XML canonicalised (C14N); the core properties' dates are the template's in both."""
    with zipfile.ZipFile(path) as package:
        parts = {}
        for name in package.namelist():
            blob = package.read(name)
            if name.endswith((".xml", ".rels")):
                blob = etree.tostring(etree.fromstring(blob), method="c14n")
            parts[name] = blob
    return parts


def _models() -> list[ReportModel]:
    models = []
    for fid in ("2019", "2021"):
        spec = load_spec(fid)
        data = sample_report(spec, 4, organ="城建&交通局<试点>")
        models.append(build_report(spec, data, []))
        broken = data.with_value("s3.granted.total", data.number("s3.granted.total") + 1)
        errors = [f for f in check_data(broken).findings if f.severity is Severity.ERROR]
        models.append(build_report(spec, broken, errors))
    return models


@pytest.fixture(autouse=True)
def _own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GK_CACHE_DIR", str(tmp_path / "cache"))


@pytest.mark.parametrize("installed", [None, "here"])
def test_every_part_is_the_builders(tmp_path: Path, installed: str | None) -> None:
    """For both formats, with and without a forced notice, for the official faces and those installed here, the
    written file's parts equal the builder's (the second write from the kept skeleton too)."""
    faces = installed_families() if installed else None
    for i, model in enumerate(_models()):
        built, written, again = (tmp_path / f"{kind}{i}.docx" for kind in ("built", "written", "again"))
        build_docx(model, built, installed=faces)
        write_docx(model, written, installed=faces)
        write_docx(model, again, installed=faces)
        assert _parts(written) == _parts(built) == _parts(again)
    assert len(list((tmp_path / "cache").glob("docx-skeleton-*.docx"))) == 1


def test_a_damaged_skeleton_is_made_again(tmp_path: Path) -> None:
    """A kept skeleton that is not a zip any more (a killed write, a full disk) is replaced, the report unchanged."""
    model = _models()[1]
    write_docx(model, tmp_path / "a.docx")
    (kept,) = (tmp_path / "cache").glob("docx-skeleton-*.docx")
    kept.write_bytes(b"not a zip")
    write_docx(model, tmp_path / "b.docx")
    assert _parts(tmp_path / "a.docx") == _parts(tmp_path / "b.docx")
    assert zipfile.is_zipfile(kept)


def test_title_and_organ_are_escaped_in_the_core_properties(tmp_path: Path) -> None:
    """The organ 城建&交通局<试点> is text in docProps/core.xml, never markup."""
    write_docx(_models()[0], tmp_path / "r.docx")
    core = zipfile.ZipFile(tmp_path / "r.docx").read("docProps/core.xml").decode()
    assert "城建&amp;交通局&lt;试点&gt;" in core and not re.search("GK-SKELETON", core)


def test_writing_a_report_does_not_import_python_docx(tmp_path: Path) -> None:
    """Once the skeleton is kept, a report's .docx is written without importing python-docx."""
    code = ("import sys; from pathlib import Path; from toolkit.render import render_report; "
            "from toolkit.sample import sample_report; from toolkit.spec import load_spec; s = load_spec('2021'); "
            "render_report(s, sample_report(s, 3), 'docx', Path(sys.argv[1])); print('docx' in sys.modules)")
    first = subprocess.run([sys.executable, "-c", code, str(tmp_path / "a.docx")], capture_output=True, text=True,
                           check=True)
    second = subprocess.run([sys.executable, "-c", code, str(tmp_path / "b.docx")], capture_output=True, text=True,
                            check=True)
    assert first.stdout.strip() == "True" and second.stdout.strip() == "False"
