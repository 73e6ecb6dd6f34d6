"""The desk's state file: migrations, transactions, WAL; SIGKILL mid-run leaves it consistent; two runs at once."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from toolkit.desk.state import MIGRATIONS, DeskState, state_path
from toolkit.errors import DeskStateError

WRITER = r"""
import sys, time
from pathlib import Path
from toolkit.desk.state import DeskState
folder, tag, count, pause = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
files = sorted(folder.glob("*.xlsx"))
with DeskState(Path(sys.argv[5])) as state:
    for i in range(count):
        path = files[i % len(files)]
        findings = [{"fingerprint": f"r{j}[{i}]", "rule": f"r{j}", "code": "c", "severity": "warning",
                     "category": "表内", "message": f"{tag} {i} {j}"} for j in range(40)]
        sid = state.record_submission(f"unit{i}", f"单位{i}", path, findings, sha256=f"{tag}-{i}")
        if i % 3 == 0:
            state.record_return(f"unit{i}", sid, path)
        print(i, flush=True)
        time.sleep(pause)
"""


def _files(tmp_path: Path, n: int = 5) -> Path:
    folder = tmp_path / "各单位2026"
    folder.mkdir()
    for i in range(n):
        (folder / f"{i}.xlsx").write_bytes(b"x" * (i + 1))
    return folder


def _writer(tmp_path: Path, folder: Path, db: Path, tag: str, count: int, pause: float) -> subprocess.Popen[str]:
    script = tmp_path / "writer.py"
    script.write_text(WRITER, encoding="utf-8")
    return subprocess.Popen([sys.executable, str(script), str(folder), tag, str(count), str(pause), str(db)],
                            stdout=subprocess.PIPE, text=True)


def _consistent(db: Path) -> tuple[int, int]:
    """Integrity ok, every submission has all 40 findings, its 已报送 history, and returns point at it."""
    with DeskState(db) as state:
        assert state.integrity() == "ok"
        rows = state.db.execute(
            "SELECT s.id, s.warnings, count(f.fingerprint) AS n FROM submissions s "
            "LEFT JOIN findings f ON f.submission = s.id GROUP BY s.id").fetchall()
        assert all(r["n"] == r["warnings"] == 40 for r in rows)
        history = state.db.execute("SELECT count(*) FROM status_history WHERE status = '已报送'").fetchone()[0]
        assert history == len(rows)
        returns = state.db.execute("SELECT count(*) FROM returns r LEFT JOIN submissions s ON s.id = r.submission "
                                   "WHERE s.id IS NULL").fetchone()[0]
        assert returns == 0
        return len(rows), state.db.execute("SELECT count(*) FROM returns").fetchone()[0]


def test_state_file_sits_beside_the_folder_and_migrates(tmp_path: Path) -> None:
    """各单位2026/ → 各单位2026.审核记录.sqlite beside it, WAL, every migration applied once."""
    folder = _files(tmp_path)
    path = state_path(folder)
    assert path == tmp_path / "各单位2026.审核记录.sqlite"
    with DeskState(path) as state:
        assert state.version == len(MIGRATIONS)
        assert state.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 1")
    db.execute("DROP TABLE explanations")
    db.execute("DROP INDEX returns_by_unit")
    db.commit()
    db.close()
    with DeskState(path) as state:  # an older file is brought up to date
        assert state.version == len(MIGRATIONS)
        assert state.explanations_of(1) == {}


def test_foreign_sqlite_file_is_refused_untouched(tmp_path: Path) -> None:
    """Another program's SQLite file is a DeskStateError and is not altered."""
    path = tmp_path / "x.sqlite"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE t (a)")
    db.commit()
    db.close()
    before = path.read_bytes()
    with pytest.raises(DeskStateError):
        DeskState(path)
    assert path.read_bytes() == before
    (tmp_path / "junk.sqlite").write_bytes(b"not a database at all" * 100)
    with pytest.raises(DeskStateError):
        DeskState(tmp_path / "junk.sqlite")


def test_a_transaction_is_all_or_nothing(tmp_path: Path) -> None:
    """A submission whose findings fail to insert leaves no trace."""
    folder = _files(tmp_path)
    with DeskState(state_path(folder)) as state:
        with pytest.raises(KeyError):
            state.record_submission("u", "单位", folder / "0.xlsx", [{"fingerprint": "a"}])
        assert state.db.execute("SELECT count(*) FROM submissions").fetchone()[0] == 0
        assert state.units() == {}


def test_sigkill_mid_run_leaves_it_consistent_and_the_next_run_continues(tmp_path: Path) -> None:
    """A writer killed with SIGKILL mid-way leaves complete units only; rerunning records the rest once."""
    folder = _files(tmp_path)
    db = state_path(folder)
    proc = _writer(tmp_path, folder, db, "a", 400, 0.002)
    assert proc.stdout is not None
    for _ in range(30):
        proc.stdout.readline()
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    proc.stdout.close()
    done, _ = _consistent(db)
    assert 30 <= done < 400
    again = _writer(tmp_path, folder, db, "a", 400, 0)
    again.communicate(timeout=120)
    assert again.returncode == 0
    assert _consistent(db)[0] == 400


def test_two_runs_at_once_do_not_corrupt_it(tmp_path: Path) -> None:
    """Two writers on the same file at the same time both finish; every record of both is there."""
    folder = _files(tmp_path)
    db = state_path(folder)
    DeskState(db).close()
    first = _writer(tmp_path, folder, db, "a", 150, 0)
    second = _writer(tmp_path, folder, db, "b", 150, 0)
    started = time.monotonic()
    first.communicate(timeout=180)
    second.communicate(timeout=180)
    assert first.returncode == 0 and second.returncode == 0, time.monotonic() - started
    done, returned = _consistent(db)
    assert done == 300 and returned == 2 * 50
