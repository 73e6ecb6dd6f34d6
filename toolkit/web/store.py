"""Where the page keeps uploads and results: one private temporary folder (mode 0700) per start, one
sub-folder per action, removed when the action fails and all of it removed on exit.

Uploaded file names are untrusted text: files are stored under fixed names (``upload-1.xlsx``, only a short
alphanumeric suffix is kept), and the given name is used, cleaned, only to show and to name downloads.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import tempfile
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from urllib.parse import quote

MAX_JOBS = 40
"""Actions whose results are kept for download; older ones are removed."""
STALE_SECONDS = 24 * 3600
"""A gk-serve-* folder untouched this long was left by a server that was killed (the folder's time changes with
every action); the next start removes it."""

_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]')
_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,8}")
MAX_NAME_CHARS = 100
"""Longest display name kept (characters)."""


def display_name(untrusted: str, fallback: str = "上传的文件") -> str:
    """A name fit to show and to offer as a download name: last path component only, no control, bidi or
    reserved characters, no leading dots, at most ``MAX_NAME_CHARS`` characters (suffix kept)."""
    base = re.split(r"[\\/]", untrusted)[-1]
    cleaned = _UNSAFE_NAME.sub("_", base).strip().lstrip(".").strip()
    if len(cleaned) > MAX_NAME_CHARS:
        suffix = safe_suffix(cleaned)
        cleaned = cleaned[: MAX_NAME_CHARS - len(suffix)] + suffix
    return cleaned or fallback


def safe_suffix(untrusted: str) -> str:
    """The name's suffix (lower case) when it is a short alphanumeric one, else ""."""
    suffix = PurePath(untrusted.replace("\\", "/")).suffix
    return suffix.lower() if _SUFFIX.fullmatch(suffix) else ""


def content_disposition(name: str, *, inline: bool = False) -> str:
    """``attachment; filename="…"; filename*=UTF-8''…`` (RFC 6266/5987): an ASCII fallback and the real name."""
    fallback = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\%;' else "_" for ch in name) or "download"
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


@dataclass
class Download:
    """A file offered for download: where it is and the name the browser saves it under."""

    path: Path
    """The file inside the store."""
    name: str
    """Download name (already cleaned)."""
    mime: str
    """Content type."""
    inline: bool = False
    """Shown in the page (report preview) rather than saved."""


@dataclass
class Job:
    """One action's folder and the downloads it offers."""

    id: str
    """Random id, part of download addresses."""
    folder: Path
    """Private folder of this action."""
    downloads: dict[str, Download] = field(default_factory=dict)
    """Slot name → download."""
    count: int = 0

    def save(self, data: bytes, untrusted_name: str, kind: str = "upload") -> Path:
        """Write an upload under a fixed name (``upload-1.xlsx``); returns its path."""
        self.count += 1
        path = self.folder / f"{kind}-{self.count}{safe_suffix(untrusted_name)}"
        path.write_bytes(data)
        return path

    def offer(self, slot: str, path: Path, name: str, mime: str, *, inline: bool = False) -> str:
        """Make ``path`` downloadable as ``name``; returns the slot."""
        self.downloads[slot] = Download(path, display_name(name, "下载"), mime, inline)
        return slot


class Store:
    """The per-start temporary folder and the jobs in it."""

    def __init__(self, parent: Path | None = None) -> None:
        remove_stale(Path(parent or tempfile.gettempdir()))
        self.root = Path(tempfile.mkdtemp(prefix="gk-serve-", dir=parent))  # mode 0700
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()

    def new_job(self) -> Job:
        """A fresh private folder for one action (the oldest jobs beyond ``MAX_JOBS`` are removed)."""
        job_id = secrets.token_urlsafe(9)
        self.root.mkdir(mode=0o700, exist_ok=True)  # if another start found it stale after a long idle spell
        folder = Path(tempfile.mkdtemp(prefix="job-", dir=self.root))
        job = Job(job_id, folder)
        with self._lock:
            self._jobs[job_id] = job
            while len(self._jobs) > MAX_JOBS:
                _, old = self._jobs.popitem(last=False)
                shutil.rmtree(old.folder, ignore_errors=True)
        return job

    def drop(self, job: Job) -> None:
        """Remove a job and its files (an action that failed leaves nothing behind)."""
        with self._lock:
            self._jobs.pop(job.id, None)
        shutil.rmtree(job.folder, ignore_errors=True)

    def download(self, job_id: str, slot: str) -> Download | None:
        """The download in ``slot`` of job ``job_id``, if both exist and the file is still there."""
        with self._lock:
            job = self._jobs.get(job_id)
        found = job.downloads.get(slot) if job is not None else None
        return found if found is not None and found.path.is_file() else None

    def close(self) -> None:
        """Remove the whole folder."""
        with self._lock:
            self._jobs.clear()
        shutil.rmtree(self.root, ignore_errors=True)


def remove_stale(parent: Path, now: float | None = None) -> None:
    """Remove this user's gk-serve-* folders in ``parent`` untouched for ``STALE_SECONDS`` (left by a server that
    was killed, or whose console window was closed before it could clean up)."""
    now = time.time() if now is None else now
    uid = getattr(os, "getuid", lambda: None)()
    for folder in parent.glob("gk-serve-*"):
        try:
            info = folder.lstat()
        except OSError:
            continue
        mine = uid is None or info.st_uid == uid
        if folder.is_dir() and not folder.is_symlink() and mine and now - info.st_mtime > STALE_SECONDS:
            shutil.rmtree(folder, ignore_errors=True)
