"""The desk's memory: one SQLite file beside the folder (``各单位2026.审核记录.sqlite``).

It holds each unit's returns by content hash and time, their findings, the returns sent back and when, accepted
说明 and the status history, so ``roster`` knows who was returned and ``compare`` finds the returned version.
Deleting it loses history, never a report: every report is still read from its own file.

Standard library ``sqlite3`` only. The schema grows by numbered migrations (``PRAGMA user_version``); every write is
one ``BEGIN IMMEDIATE`` transaction, the journal is WAL, so a run killed mid-way leaves the file as it was after its
last complete unit and two runs at once wait for each other instead of corrupting it.
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolkit.errors import DeskStateError
from toolkit.messages import msg

STATE_SUFFIX = ".审核记录.sqlite"
"""The state file of folder ``X`` is ``X.审核记录.sqlite`` beside it."""

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE units (key TEXT PRIMARY KEY, name TEXT NOT NULL);
    CREATE TABLE submissions (
        id INTEGER PRIMARY KEY, unit TEXT NOT NULL REFERENCES units(key), path TEXT NOT NULL,
        sha256 TEXT NOT NULL, size INTEGER NOT NULL, mtime REAL NOT NULL, seen_at REAL NOT NULL,
        errors INTEGER NOT NULL, warnings INTEGER NOT NULL, UNIQUE (unit, sha256));
    CREATE TABLE findings (
        submission INTEGER NOT NULL REFERENCES submissions(id) ON DELETE CASCADE, fingerprint TEXT NOT NULL,
        rule TEXT NOT NULL, code TEXT NOT NULL, severity TEXT NOT NULL, category TEXT NOT NULL,
        message TEXT NOT NULL, PRIMARY KEY (submission, fingerprint));
    CREATE TABLE returns (
        id INTEGER PRIMARY KEY, unit TEXT NOT NULL REFERENCES units(key),
        submission INTEGER NOT NULL REFERENCES submissions(id), copy TEXT NOT NULL, sent_at REAL NOT NULL);
    CREATE TABLE status_history (
        id INTEGER PRIMARY KEY, unit TEXT NOT NULL REFERENCES units(key), status TEXT NOT NULL,
        at REAL NOT NULL, note TEXT NOT NULL DEFAULT '');
    """,
    """
    CREATE TABLE explanations (
        submission INTEGER NOT NULL REFERENCES submissions(id) ON DELETE CASCADE, fingerprint TEXT NOT NULL,
        text TEXT NOT NULL, accepted INTEGER NOT NULL, PRIMARY KEY (submission, fingerprint));
    CREATE INDEX returns_by_unit ON returns (unit, sent_at);
    """,
)
"""Schema migrations in order; ``PRAGMA user_version`` is the number applied."""

APPLICATION_ID = 0x474B5453
"""``PRAGMA application_id`` of a desk file ('GKTS'): another SQLite file is refused, never altered."""


def state_path(folder: Path) -> Path:
    """Where the state of ``folder`` lives: ``<folder>.审核记录.sqlite`` beside it."""
    folder = Path(folder).resolve()
    return folder.with_name(folder.name + STATE_SUFFIX)


def file_hash(path: Path) -> str:
    """SHA-256 of a file's content (how a unit's return is recognised when sent again)."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class Submission:
    """One version of a unit's return as the desk saw it."""

    id: int
    unit: str
    path: str
    sha256: str
    mtime: float
    seen_at: float
    errors: int
    warnings: int


@dataclass(frozen=True)
class ReturnSent:
    """A return sent back to a unit: which version, the copy kept in the returns folder, when."""

    id: int
    unit: str
    submission: Submission
    copy: str
    sent_at: float


class DeskState:
    """An open state file. Use as a context manager; every ``record_*`` is one transaction."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            self.db = sqlite3.connect(self.path, timeout=60, isolation_level=None)
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA busy_timeout = 60000")
            self.db.execute("PRAGMA foreign_keys = ON")
            self._refuse_foreign()
            self.db.execute("PRAGMA journal_mode = WAL")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            self.db.close()
            raise DeskStateError(msg("desk.state.unusable", reason=exc), path=self.path) from exc
        except DeskStateError:
            self.db.close()
            raise

    def __enter__(self) -> DeskState:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection."""
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """``BEGIN IMMEDIATE`` … ``COMMIT`` (``ROLLBACK`` on any exception): all or nothing."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def _refuse_foreign(self) -> None:
        """Another program's database (or a newer desk's) is refused before anything is written to it."""
        app_id = self.db.execute("PRAGMA application_id").fetchone()[0]
        tables = self.db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if app_id != APPLICATION_ID and (app_id or tables):
            raise DeskStateError(msg("desk.state.foreign"), path=self.path)

    def _migrate(self) -> None:
        with self.transaction() as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > len(MIGRATIONS):
                raise DeskStateError(msg("desk.state.newer", version=version), path=self.path)
            for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
                for statement in filter(str.strip, script.split(";")):
                    db.execute(statement)
                db.execute(f"PRAGMA user_version = {number}")
            db.execute(f"PRAGMA application_id = {APPLICATION_ID}")

    @property
    def version(self) -> int:
        """The schema version applied."""
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def record_submission(self, unit: str, name: str, path: Path, findings: Iterable[Mapping[str, Any]], *,
                          sha256: str | None = None, explanations: Mapping[str, tuple[str, bool]] | None = None,
                          now: float | None = None) -> int:
        """Remember a version of ``unit``'s return and its findings (``Finding.to_dict`` forms); returns its id.

        The same content seen again keeps its first record (its findings are refreshed).
        """
        path = Path(path)
        sha = sha256 or file_hash(path)
        stat = path.stat()
        found = list(findings)
        errors = sum(1 for f in found if f["severity"] == "error")
        warnings = sum(1 for f in found if f["severity"] == "warning")
        with self.transaction() as db:
            db.execute("INSERT INTO units (key, name) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET name = ?",
                       (unit, name, name))
            row = db.execute("SELECT id FROM submissions WHERE unit = ? AND sha256 = ?", (unit, sha)).fetchone()
            if row is None:
                cur = db.execute(
                    "INSERT INTO submissions (unit, path, sha256, size, mtime, seen_at, errors, warnings)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (unit, str(path), sha, stat.st_size, stat.st_mtime, now or time.time(), errors, warnings))
                sid = int(cur.lastrowid or 0)
                db.execute("INSERT INTO status_history (unit, status, at) VALUES (?, ?, ?)",
                           (unit, "已报送", now or time.time()))
            else:
                sid = int(row["id"])
                db.execute("UPDATE submissions SET path = ?, errors = ?, warnings = ? WHERE id = ?",
                           (str(path), errors, warnings, sid))
                db.execute("DELETE FROM findings WHERE submission = ?", (sid,))
                db.execute("DELETE FROM explanations WHERE submission = ?", (sid,))
            db.executemany(
                "INSERT OR REPLACE INTO findings VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(sid, f["fingerprint"], f["rule"], f["code"], f["severity"], f.get("category") or "",
                  f["message"]) for f in found])
            db.executemany("INSERT OR REPLACE INTO explanations VALUES (?, ?, ?, ?)",
                           [(sid, fp, text, int(ok)) for fp, (text, ok) in (explanations or {}).items()])
        return sid

    def record_return(self, unit: str, submission: int, copy: Path, *, now: float | None = None) -> int:
        """Remember that ``submission`` was sent back, its copy kept at ``copy``; returns the return's id."""
        at = now or time.time()
        with self.transaction() as db:
            cur = db.execute("INSERT INTO returns (unit, submission, copy, sent_at) VALUES (?, ?, ?, ?)",
                             (unit, submission, str(copy), at))
            db.execute("INSERT INTO status_history (unit, status, at) VALUES (?, ?, ?)", (unit, "退回待改", at))
            return int(cur.lastrowid or 0)

    def _submission(self, row: sqlite3.Row) -> Submission:
        return Submission(int(row["id"]), row["unit"], row["path"], row["sha256"], float(row["mtime"]),
                          float(row["seen_at"]), int(row["errors"]), int(row["warnings"]))

    def submission_by_hash(self, unit: str, sha256: str) -> Submission | None:
        """The recorded version of ``unit`` with this content, if any."""
        row = self.db.execute("SELECT * FROM submissions WHERE unit = ? AND sha256 = ?", (unit, sha256)).fetchone()
        return self._submission(row) if row else None

    def returns_to(self, unit: str) -> list[ReturnSent]:
        """Every return sent to ``unit``, latest first."""
        rows = self.db.execute(
            "SELECT r.id AS rid, r.copy, r.sent_at, s.* FROM returns r JOIN submissions s ON s.id = r.submission"
            " WHERE r.unit = ? ORDER BY r.sent_at DESC, r.id DESC", (unit,)).fetchall()
        return [ReturnSent(int(r["rid"]), unit, self._submission(r), r["copy"], float(r["sent_at"])) for r in rows]

    def last_return(self, unit: str) -> ReturnSent | None:
        """The latest return sent to ``unit`` (None when never returned)."""
        sent = self.returns_to(unit)
        return sent[0] if sent else None

    def findings_of(self, submission: int) -> list[dict[str, Any]]:
        """The findings recorded for a submission, in fingerprint order."""
        rows = self.db.execute("SELECT * FROM findings WHERE submission = ? ORDER BY fingerprint", (submission,))
        return [dict(r) for r in rows]

    def explanations_of(self, submission: int) -> dict[str, tuple[str, bool]]:
        """Fingerprint → (说明 text, accepted) recorded for a submission."""
        rows = self.db.execute("SELECT * FROM explanations WHERE submission = ?", (submission,))
        return {r["fingerprint"]: (r["text"], bool(r["accepted"])) for r in rows}

    def units(self) -> dict[str, str]:
        """Unit key → name, for every unit seen."""
        return {r["key"]: r["name"] for r in self.db.execute("SELECT * FROM units ORDER BY key")}

    def history(self, unit: str) -> list[tuple[str, float]]:
        """``unit``'s status changes, oldest first."""
        rows = self.db.execute("SELECT status, at FROM status_history WHERE unit = ? ORDER BY at, id", (unit,))
        return [(r["status"], float(r["at"])) for r in rows]

    def integrity(self) -> str:
        """``PRAGMA integrity_check`` ("ok" when sound)."""
        return str(self.db.execute("PRAGMA integrity_check").fetchone()[0])


def open_state(folder: Path, *, create: bool = True) -> DeskState | None:
    """The state of ``folder`` (created when missing and ``create``; None when missing and not ``create``)."""
    path = state_path(folder)
    if not create and not path.exists():
        return None
    return DeskState(path)
