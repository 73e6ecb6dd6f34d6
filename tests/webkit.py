"""Shared by tests/test_web.py and tests/test_web_browser.py: ``toolkit serve`` started as a real subprocess on a
free port, and plain-HTTP helpers (urllib / http.client, multipart bodies built by hand)."""

from __future__ import annotations

import http.client
import os
import secrets
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

START_TIMEOUT = 20.0
"""Seconds the server may take to print its address (it needs well under one; CI machines are slow)."""


@dataclass
class Reply:
    """An HTTP answer: status, headers (lower-case names), body."""

    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        """The body as UTF-8 text."""
        return self.body.decode("utf-8")


def _as_from_a_terminal() -> None:
    """In the server's child process before it runs: SIGINT as a terminal gives it (Ctrl+C raises
    KeyboardInterrupt). A test run started in the background by a non-interactive shell inherits SIGINT ignored,
    and Python keeps an ignored SIGINT ignored: the Ctrl+C test would then wait for nothing."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class Server:
    """A running ``python -m toolkit serve --no-browser`` with its own TMPDIR."""

    def __init__(self, tmp: Path, *args: str) -> None:
        self.tmp = tmp
        tmp.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "TMPDIR": str(tmp), "PYTHONIOENCODING": "utf-8"}
        self.proc = subprocess.Popen([sys.executable, "-m", "toolkit", "serve", "--no-browser", *args],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                                     preexec_fn=_as_from_a_terminal)
        line: list[bytes] = []
        reader = threading.Thread(target=lambda: line.append(self.proc.stdout.readline()), daemon=True)  # type: ignore[union-attr]
        reader.start()
        reader.join(START_TIMEOUT)
        if not line or not line[0].startswith(b"http://"):
            self.proc.kill()
            raise RuntimeError(f"server did not start: {self.proc.stderr.read().decode()}")  # type: ignore[union-attr]
        self.url = line[0].decode().strip()
        parts = urlsplit(self.url)
        self.port = parts.port or 0
        self.base = parts.path.rstrip("/")  # /<token>
        self.token = self.base.strip("/")
        self.proc_stderr = ""
        """What the server wrote on stderr (read when it is stopped)."""

    def root(self) -> Path:
        """The server's private temporary folder (gk-serve-*)."""
        (found,) = self.tmp.glob("gk-serve-*")
        return found

    def files_left(self) -> set[Path]:
        """Every file now in the server's temporary folder."""
        return {p for p in self.root().rglob("*") if p.is_file()}

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None,
                timeout: float = 60) -> Reply:
        """Send one request with http.client (so any Host header can be sent)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            return Reply(resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read())
        finally:
            conn.close()

    def get(self, path: str) -> Reply:
        """GET ``path`` (relative to the token prefix unless it starts with //)."""
        return self.request("GET", path[1:] if path.startswith("//") else self.base + path)

    def post(self, page: str, fields: dict[str, str] | None = None,
             files: list[tuple[str, str, bytes]] | None = None, lang: str = "zh") -> Reply:
        """POST a multipart form to page ``page``; ``files`` are (field, file name, content)."""
        body, ctype = multipart(fields or {}, files or [])
        query = "?lang=en" if lang == "en" else ""
        return self.request("POST", f"{self.base}/{page}{query}", body, {"Content-Type": ctype})

    def alive(self) -> bool:
        """The process runs and answers its home page."""
        return self.proc.poll() is None and self.get("/").status == 200

    def stop(self) -> int:
        """SIGTERM, then wait; returns the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait(5)
        finally:
            if self.proc.stderr is not None and not self.proc.stderr.closed:
                self.proc_stderr = self.proc.stderr.read().decode("utf-8", errors="replace")
            for stream in (self.proc.stdout, self.proc.stderr):
                if stream is not None:
                    stream.close()


def multipart(fields: dict[str, str], files: list[tuple[str, str, bytes]]) -> tuple[bytes, str]:
    """A ``multipart/form-data`` body as a browser sends it (UTF-8 file names, raw) and its content type."""
    boundary = "----gktest" + secrets.token_hex(8)
    out = bytearray()
    for name, value in fields.items():
        out += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
    for name, filename, data in files:
        quoted = filename.replace('"', "%22")
        out += (f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{quoted}"\r\n'
                "Content-Type: application/octet-stream\r\n\r\n").encode()
        out += data + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return bytes(out), f"multipart/form-data; boundary={boundary}"


def fetch(url: str) -> Reply:
    """GET a full URL with urllib (errors returned as replies)."""
    try:
        with urllib.request.urlopen(url, timeout=60) as resp:
            return Reply(resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read())
    except urllib.error.HTTPError as exc:
        return Reply(exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read())
