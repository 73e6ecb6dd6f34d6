"""The format spec compiled once (issue 16 item 2): a cache keyed by the YAML's hash, used while it matches,
rebuilt when stale or unusable (never trusted blindly), atomic, in memory where it cannot be written, and the
committed caches current (the wheel ships them)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from support import ROOT

from toolkit import dev
from toolkit.spec import compiled
from toolkit.spec import load as spec_load

FORMATS = ROOT / "toolkit" / "formats"


@pytest.fixture
def formats(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of toolkit/formats/ (YAML and caches) that the loader reads instead."""
    folder = tmp_path / "formats"
    shutil.copytree(FORMATS, folder, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(compiled, "FORMATS_DIR", folder)
    return folder


def _fresh(fid: str = "2021") -> str:
    """The spec built from the YAML alone, as text (its repr keeps every order)."""
    source = (FORMATS / f"{fid}.yaml").read_bytes()
    return repr(spec_load._build(compiled.parse_yaml(source.decode("utf-8"))))


@pytest.mark.parametrize("fid", ["2019", "2021"])
def test_the_committed_cache_is_current_and_gives_the_yamls_spec(fid: str) -> None:
    """Each shipped cache matches its YAML's hash, and the spec loaded from it is the YAML's, order and all."""
    source = compiled.source_bytes(fid)
    held = compiled.cached(fid, source)
    assert held is not None, "run python -m toolkit.dev regenerate"
    assert repr(spec_load._build(held)) == _fresh(fid)
    assert repr(spec_load.load_spec.__wrapped__(fid)) == _fresh(fid)


def test_a_stale_cache_is_rebuilt(formats: Path) -> None:
    """After the YAML changes, the old cache is not used: the spec is the new YAML's and the cache is rewritten."""
    yaml_file = formats / "2021.yaml"
    yaml_file.write_text(yaml_file.read_text(encoding="utf-8").replace("title:", "title: ", 1), encoding="utf-8")
    old = (formats / "2021.compiled.json").read_text(encoding="utf-8")
    assert compiled.cached("2021", yaml_file.read_bytes()) is None
    spec_load.load_spec.__wrapped__("2021")
    rebuilt = (formats / "2021.compiled.json").read_text(encoding="utf-8")
    assert rebuilt != old and json.loads(rebuilt)["sha256"] == compiled.digest(yaml_file.read_bytes())
    assert not list(formats.glob(".~gk-*")), "no temporary file left behind"


@pytest.mark.parametrize("damage", ["not json", "[]", '{"version": 1}', "wrong-data", "truncated"])
def test_a_cache_that_does_not_load_is_rebuilt(formats: Path, damage: str) -> None:
    """A cache that is not JSON, of another shape, truncated, or whose data (with the right hash) the loader
    rejects is not trusted: the spec comes from the YAML and the cache is rewritten right."""
    cache = formats / "2021.compiled.json"
    text = cache.read_text(encoding="utf-8")
    if damage == "wrong-data":
        held = json.loads(text)
        held["data"] = {"id": "2021", "tables": 7}
        text = json.dumps(held)
    elif damage == "truncated":
        text = text[: len(text) // 2]
    else:
        text = damage
    cache.write_text(text, encoding="utf-8")
    assert repr(spec_load.load_spec.__wrapped__("2021")) == _fresh()
    assert compiled.cached("2021", compiled.source_bytes("2021")) is not None


def test_an_unwritable_cache_location_falls_back_to_memory(formats: Path) -> None:
    """Where the cache cannot be written (its name taken by a folder), the spec still loads, from the YAML."""
    (formats / "2021.compiled.json").unlink()
    (formats / "2021.compiled.json").mkdir()
    assert repr(spec_load.load_spec.__wrapped__("2021")) == _fresh()
    assert (formats / "2021.compiled.json").is_dir() and not list(formats.glob(".~gk-*"))


def test_dev_regenerate_check_finds_a_stale_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``python -m toolkit.dev regenerate --check formats docs`` exits 0 on this checkout, and 1 naming the file
    when a cache is stale (nothing is written by --check)."""
    assert dev.main(["regenerate", "--check", "formats", "docs"]) == 0
    root = tmp_path / "checkout"
    shutil.copytree(FORMATS, root / "toolkit" / "formats", ignore=shutil.ignore_patterns("__pycache__"))
    stale = root / "toolkit" / "formats" / "2019.compiled.json"
    stale.write_text("{}", encoding="utf-8")
    monkeypatch.setattr(dev, "ROOT", root)
    assert dev.stale(["formats"]) == [stale] and stale.read_text(encoding="utf-8") == "{}"
    assert dev.main(["regenerate", "formats"]) == 0 and dev.stale(["formats"]) == []


def test_the_wheel_ships_the_caches() -> None:
    """pyproject's package data includes the compiled caches beside the YAML."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"formats/*.compiled.json"' in text and '"formats/*.yaml"' in text
