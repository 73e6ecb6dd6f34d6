"""``import toolkit`` imports pathlib without urllib.parse, and leaves pathlib and urllib.parse working as ever."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_bare(code: str) -> list[str]:
    """``code``'s printed lines, in an interpreter without site (no editable finder imports pathlib first)."""
    done = subprocess.run([sys.executable, "-S", "-c", f"import sys; sys.path.insert(0, {str(ROOT)!r})\n{code}"],
                          capture_output=True, text=True, encoding="utf-8", check=False, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.splitlines()


def test_import_toolkit_imports_pathlib_without_urllib_parse_or_ipaddress() -> None:
    lines = run_bare("import toolkit\nprint(sorted(m for m in ('pathlib', 'urllib.parse', 'ipaddress', 'urllib')"
                     " if m in sys.modules))")
    assert lines == ["['pathlib']"]


def test_as_uri_and_a_later_urllib_parse_import_work() -> None:
    """``Path.as_uri`` (the one user of urllib.parse in pathlib) gives pathlib's answer, and a later
    ``import urllib.parse`` is the real module, complete, also as an attribute of ``urllib``."""
    lines = run_bare("import toolkit, pathlib\n"
                     "print(pathlib.PurePosixPath('/年报 2026/a#b.xlsx').as_uri())\n"
                     "import urllib.parse, urllib\n"
                     "print(urllib.parse.urlsplit('http://h/p?q').query, urllib.parse.__spec__ is not None,"
                     " hasattr(urllib.parse, 'urlencode'))")
    assert lines == ["file:///%E5%B9%B4%E6%8A%A5%202026/a%23b.xlsx", "q True True"]


def test_nothing_is_stood_in_when_pathlib_is_imported_already() -> None:
    lines = run_bare("import pathlib, urllib.parse\nreal = sys.modules['urllib.parse']\nimport toolkit\n"
                     "print(sys.modules['urllib.parse'] is real)")
    assert lines == ["True"]
