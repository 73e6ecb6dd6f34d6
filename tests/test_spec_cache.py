"""The format spec compiled once (issue 16 item 2): a cache of the built and checked spec keyed by the YAML's hash
and the code's checksum, used while both match, rebuilt when stale, altered or unusable (a wrong one is never
used), atomic, in memory where it cannot be written, and the committed caches current (the wheel ships them)."""

from __future__ import annotations

import marshal
import shutil
import subprocess
import sys
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


CACHE = "2021.compiled.marshal"


def _fresh(fid: str = "2021") -> str:
    """The spec built from the YAML alone, as text (its repr keeps every order and type)."""
    source = (FORMATS / f"{fid}.yaml").read_bytes()
    return repr(spec_load._build(compiled.parse_yaml(source.decode("utf-8"))))


@pytest.mark.parametrize("fid", ["2019", "2021"])
def test_the_committed_cache_is_current_and_gives_the_yamls_spec(fid: str) -> None:
    """Each shipped cache matches its YAML's hash and this code's checksum, and the spec loaded from it is the
    YAML's, order, types and all (and equal to it)."""
    source = compiled.source_bytes(fid)
    held = compiled.cached(fid, source)
    assert held is not None, "run python -m toolkit.dev regenerate formats"
    assert repr(held) == _fresh(fid)
    assert repr(spec_load.load_spec.__wrapped__(fid)) == _fresh(fid)
    assert held == spec_load.build_from_yaml(fid, source)


def test_a_cached_load_neither_imports_yaml_nor_checks_the_rules() -> None:
    """Loading a spec from its cache (a fresh interpreter) imports neither PyYAML nor json, and builds no spec
    from the parsed YAML: the rules' parameters are not checked again."""
    code = ("import sys\nimport toolkit.spec.load as load\nimport toolkit.spec.params as params\n"
            "def refuse(*a, **k):\n    raise AssertionError('built again')\n"
            "load._build = params.check_rule_params = refuse\n"
            "spec = load.load_spec('2021')\n"
            "print(len(spec.cells), 'yaml' in sys.modules, 'json' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["200", "False", "False"]


def test_a_stale_cache_is_rebuilt(formats: Path) -> None:
    """After the YAML changes, the old cache is not used: the spec is the new YAML's and the cache is rewritten."""
    yaml_file = formats / "2021.yaml"
    yaml_file.write_text(yaml_file.read_text(encoding="utf-8").replace("title:", "title: ", 1), encoding="utf-8")
    old = (formats / CACHE).read_bytes()
    assert compiled.cached("2021", yaml_file.read_bytes()) is None
    spec_load.load_spec.__wrapped__("2021")
    rebuilt = (formats / CACHE).read_bytes()
    assert rebuilt != old and rebuilt.split(b" ")[2] == compiled.digest(yaml_file.read_bytes()).encode()
    assert compiled.cached("2021", yaml_file.read_bytes()) is not None
    assert not list(formats.glob(".~gk-*")), "no temporary file left behind"


def test_a_cache_made_by_other_code_is_not_used(formats: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cache holds the spec as this code builds and checks it: when the code that builds, checks or encodes
    it changes (its checksum), the cache is not used but rebuilt from the YAML."""
    from toolkit.spec import built

    assert compiled.cached("2021", compiled.source_bytes("2021")) is not None
    monkeypatch.setattr(built, "code_digest", lambda: "0badc0de")
    assert compiled.cached("2021", compiled.source_bytes("2021")) is None
    assert repr(spec_load.load_spec.__wrapped__("2021")) == _fresh()
    assert (formats / CACHE).read_bytes().split(b"\n", 1)[0].endswith(b" 0badc0de")
    monkeypatch.setattr(built, "code_digest", lambda: None)  # a source file that cannot be read: nothing trusted
    assert compiled.cached("2021", compiled.source_bytes("2021")) is None
    assert compiled.compiled_text(compiled.source_bytes("2021"), spec_load.load_spec.__wrapped__("2021")) is None


def test_the_code_checksum_covers_the_modules_that_build_and_check(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """code_digest changes with any byte of models.py, load.py, params.py or built.py, and is None when one of
    them is missing."""
    from toolkit.spec import built

    package = tmp_path / "spec"
    package.mkdir()
    here = Path(built.__file__).parent
    for name in built.CODE_MODULES:
        shutil.copyfile(here / name, package / name)
    monkeypatch.setattr(built, "__file__", str(package / "built.py"))
    assert built.code_digest() == built.code_digest() is not None
    before = built.code_digest()
    for name in built.CODE_MODULES:
        text = (package / name).read_bytes()
        (package / name).write_bytes(text + b"#")
        assert built.code_digest() != before, name
        (package / name).write_bytes(text)
    assert built.code_digest() == before
    (package / "params.py").unlink()
    assert built.code_digest() is None


def _tampered_body(data: bytes) -> bytes:
    """The cache with one of the spec's texts changed and its first line kept as it was."""
    head, _, body = data.partition(b"\n")
    built = marshal.loads(body)
    built[1] = "国办公开办函〔2099〕1号"  # issuing_document
    return head + b"\n" + marshal.dumps(built, 0)


def _tampered_with_checksum(data: bytes) -> bytes:
    """The cache altered and its body checksum recomputed: a body that is internally consistent but does not hold
    a spec (a record with a field missing)."""
    head, _, body = data.partition(b"\n")
    built = marshal.loads(body)
    built[7] = tuple(info[:-1] for info in built[7])  # info_fields, each without its last field
    body = marshal.dumps(built, 0)
    words = head.split(b" ")
    words[3] = compiled.checksum(body).encode()
    return b" ".join(words) + b"\n" + body


@pytest.mark.parametrize("damage", ["not a cache", "empty", "old json layout", "another version", "truncated",
                                    "body altered", "wrong shape, right checksum", "not marshal"])
def test_a_cache_that_does_not_load_is_rebuilt(formats: Path, damage: str) -> None:
    """A cache that is not one, of another version or layout, truncated, altered after its first line was written,
    or whose body (with a right checksum) is not a spec is never used: the spec comes from the YAML and the cache
    is rewritten right."""
    cache = formats / CACHE
    data = cache.read_bytes()
    head, _, body = data.partition(b"\n")
    damaged = {
        "not a cache": b"not a cache",
        "empty": b"",
        "old json layout": b'{"version": 1, "sha256": "x", "data": {}}\n',
        "another version": head.replace(b"gk-spec-cache 2 ", b"gk-spec-cache 3 ") + b"\n" + body,
        "truncated": data[: len(data) // 2],
        "body altered": _tampered_body(data),
        "wrong shape, right checksum": _tampered_with_checksum(data),
        "not marshal": head.rsplit(b" ", 2)[0] + b" " + compiled.checksum(b"\xff\xff").encode() + b" "
                       + head.rsplit(b" ", 1)[1] + b"\n\xff\xff",
    }[damage]
    cache.write_bytes(damaged)
    assert compiled.cached("2021", compiled.source_bytes("2021")) is None
    assert repr(spec_load.load_spec.__wrapped__("2021")) == _fresh()
    assert compiled.cached("2021", compiled.source_bytes("2021")) is not None
    assert cache.read_bytes() == data


def test_a_spec_that_does_not_survive_its_built_form_is_not_cached(monkeypatch: pytest.MonkeyPatch) -> None:
    """compiled_text refuses (None: the spec stays in memory) a spec that would not come back from the cache as it
    is, e.g. a field the decoder would turn into something else."""
    from toolkit.spec import built

    spec = spec_load.load_spec.__wrapped__("2021")
    source = compiled.source_bytes("2021")
    assert compiled.compiled_text(source, spec) is not None
    monkeypatch.setattr(built, "encode", lambda value: [])  # a built form that is not this spec
    assert compiled.compiled_text(source, spec) is None


def test_an_unwritable_cache_location_falls_back_to_memory(formats: Path) -> None:
    """Where the cache cannot be written (its name taken by a folder), the spec still loads, from the YAML."""
    (formats / CACHE).unlink()
    (formats / CACHE).mkdir()
    assert repr(spec_load.load_spec.__wrapped__("2021")) == _fresh()
    assert (formats / CACHE).is_dir() and not list(formats.glob(".~gk-*"))


def test_dev_regenerate_check_finds_a_stale_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``python -m toolkit.dev regenerate --check formats docs`` exits 0 on this checkout, and 1 naming the file
    when a cache is stale (nothing is written by --check)."""
    assert dev.main(["regenerate", "--check", "formats", "docs"]) == 0
    root = tmp_path / "checkout"
    shutil.copytree(FORMATS, root / "toolkit" / "formats", ignore=shutil.ignore_patterns("__pycache__"))
    stale = root / "toolkit" / "formats" / "2019.compiled.marshal"
    stale.write_bytes(b"{}")
    monkeypatch.setattr(dev, "ROOT", root)
    assert dev.stale(["formats"]) == [stale] and stale.read_bytes() == b"{}"
    assert dev.main(["regenerate", "formats"]) == 0 and dev.stale(["formats"]) == []


def test_the_wheel_ships_the_caches() -> None:
    """pyproject's package data includes the compiled caches beside the YAML."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"formats/*.compiled.marshal"' in text and '"formats/*.yaml"' in text
