"""LibreOffice conversions reuse one profile in the cache folder, one run at a time; nothing a killed run left blocks
or litters the next."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from toolkit import office

pytestmark = pytest.mark.libreoffice


@pytest.fixture
def places(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """(cache folder, temporary folder) of this test alone."""
    cache, temp = tmp_path / "cache", tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setenv("GK_CACHE_DIR", str(cache))
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    return cache, temp


def _text(tmp_path: Path, name: str = "note.txt") -> Path:
    source = tmp_path / name
    source.write_text("政府信息公开工作年度报告\n", encoding="utf-8")
    return source


def _old(path: Path) -> Path:
    stamp = time.time() - 2 * office.STALE_SECONDS
    os.utime(path, (stamp, stamp))
    return path


def test_conversions_reuse_one_profile_with_recalculation_on(tmp_path: Path, places: tuple[Path, Path]) -> None:
    """Two conversions use the same profile under the cache folder; it keeps recalculation on load forced on."""
    source = _text(tmp_path)
    (pdf,) = office.convert([source], "pdf", tmp_path / "out1")
    profile = office.profile_dir()
    assert pdf.read_bytes().startswith(b"%PDF") and profile.parent == places[0]
    mark = profile / "user" / "kept-between-runs"
    mark.write_text("1", encoding="utf-8")
    office.convert([source], "pdf", tmp_path / "out2")
    assert mark.exists() and (tmp_path / "out2" / "note.pdf").exists()
    assert 'oor:name="OOXMLRecalcMode"' in (profile / "user" / "registrymodifications.xcu").read_text(encoding="utf-8")
    assert not list(places[1].glob("gk-lo-*"))


def test_a_profile_in_use_sends_the_run_to_a_scratch_profile(tmp_path: Path, places: tuple[Path, Path]) -> None:
    """While another run holds the profile's lock, a conversion uses a scratch profile and removes it after."""
    places[0].mkdir()
    held = office._try_lock(places[0] / "profile.lock")
    assert held is not None
    try:
        (pdf,) = office.convert([_text(tmp_path)], "pdf", tmp_path / "out")
    finally:
        held.close()
    assert pdf.exists() and not office.profile_dir().exists() and not list(places[1].glob("gk-lo-*"))


def test_a_killed_run_leaves_nothing_that_blocks_or_litters_the_next(tmp_path: Path,
                                                                     places: tuple[Path, Path]) -> None:
    """After kill -9 of a run holding the profile and a scratch profile, the next run reuses the profile and
    removes the scratch one."""
    places[0].mkdir()
    scratch = places[1] / "gk-lo-killed"
    scratch.mkdir()
    holder = ("import sys, time; from pathlib import Path; from toolkit.office import _try_lock; "
              "a = _try_lock(Path(sys.argv[1])); b = _try_lock(Path(sys.argv[2])); "
              "print(a is not None and b is not None, flush=True); time.sleep(60)")
    with subprocess.Popen([sys.executable, "-c", holder, str(places[0] / "profile.lock"), str(scratch / "lock")],
                          stdout=subprocess.PIPE, text=True) as proc:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "True"
        _old(scratch)
        assert office.sweep_scratch(places[1]) == []  # old, but its lock is held: kept
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    office.convert([_text(tmp_path)], "pdf", tmp_path / "out")
    assert office.profile_dir().exists() and not scratch.exists()


def test_only_scratch_profiles_no_run_holds_are_swept(tmp_path: Path) -> None:
    """Swept: an old scratch profile with a free lock, a day-old one without a lock file. Kept: a young one, one
    whose lock is held, an hour-old one without a lock file (an older version's run may still use it), others."""
    free, bare, young, held_dir, recent_bare, other = (
        tmp_path / n for n in ("gk-lo-free", "gk-lo-bare", "gk-lo-young", "gk-lo-held", "gk-lo-recent", "gk-report-x"))
    for folder in (free, bare, young, held_dir, recent_bare, other):
        folder.mkdir()
    (free / "lock").write_bytes(b"")
    held = office._try_lock(held_dir / "lock")
    for folder in (free, held_dir, other):
        _old(folder)
    day, hour = time.time() - office.UNLOCKED_STALE_SECONDS - 60, time.time() - 3600
    os.utime(bare, (day, day))
    os.utime(recent_bare, (hour, hour))
    try:
        removed = office.sweep_scratch(tmp_path)
    finally:
        assert held is not None
        held.close()
    assert sorted(p.name for p in removed) == ["gk-lo-bare", "gk-lo-free"]
    assert young.exists() and held_dir.exists() and recent_bare.exists() and other.exists()
    assert not free.exists() and not bare.exists()
