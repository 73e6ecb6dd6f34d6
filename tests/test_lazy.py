"""Patterns compiled once per interpreter (issue 16): :func:`toolkit.lazy.compiled` answers as ``re.compile``,
serves a pattern from the cache file of this interpreter's compiled patterns, ignores a file of another
interpreter or an altered one, writes what it compiled afresh atomically, and a check (a real process) fills the
cache once and then compiles nothing afresh."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from support import EXAMPLES, ROOT

from toolkit import lazy

SAMPLES = {
    r"(?:(?:本年度?|全年)|(?P<year>\d{4})年度?)[，,、 ]*(?:[^\d\s。；;，,、：:]{1,6}?)?(?P<n>\d+)\s*(?:件|条)": (
        "2026年共收到申请500件；全年，办结12件", 0),
    r"[，。；：、]": ("一、二。三；四：五，六", 0),
    r"(?<![A-Za-z])[XxＸｘ]{2,}(?![A-Za-z])": ("XX单位 ｘｘ and Xx1 maXXim", 0),
    r"TODO|待补充": ("todo 待补充 TODO", re.IGNORECASE),
    rb"<(?:[\w.-]+:)?c(?=[\s/>])(?P<attrs>[^>]*?)(?:/>|>(?P<body>.*?)</c\s*>)": (b'<c r="A1"><v>1\n2</v></c><c/>',
                                                                                 re.DOTALL),
}


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty cache folder, and a table not yet loaded from it."""
    monkeypatch.setenv("GK_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(lazy, "_TABLE", {})
    monkeypatch.setattr(lazy, "_STATE", {"loaded": False, "new": False})
    return tmp_path


def _same(made: re.Pattern[str] | re.Pattern[bytes], source: str | bytes, flags: int, sample: str | bytes) -> None:
    expected = re.compile(source, flags)
    assert (made.pattern, made.flags, made.groups, made.groupindex) == (
        expected.pattern, expected.flags, expected.groups, expected.groupindex)
    assert [m.groupdict() or m.group(0) for m in made.finditer(sample)] == [  # type: ignore[arg-type]
        m.groupdict() or m.group(0) for m in expected.finditer(sample)]  # type: ignore[arg-type]


@pytest.mark.parametrize("source", list(SAMPLES), ids=range(len(SAMPLES)))
def test_a_pattern_compiled_afresh_and_one_from_the_cache_match_as_re_compile(cache: Path, source: str) -> None:
    """A pattern compiled afresh, then the same served from the cache file in a new table, has re.compile's
    pattern, flags, groups and names and finds the same matches (str and bytes, flags)."""
    sample, flags = SAMPLES[source]
    _same(lazy.compiled(source, flags), source, flags, sample)
    lazy.save()
    assert Path(lazy.cache_file()).parent == cache and os.path.isfile(lazy.cache_file())
    lazy._TABLE.clear()
    lazy._STATE["loaded"] = False
    served = lazy.compiled(source, flags)
    assert not lazy._STATE["new"], "served from the file, nothing compiled afresh"
    _same(served, source, flags, sample)
    assert lazy.pattern(source, flags).pattern == source


def test_a_cache_of_another_interpreter_or_altered_is_ignored_and_rewritten(cache: Path) -> None:
    """A file whose first line names another interpreter version, or whose body no longer has the checksum its
    first line gives, is not used: the pattern is compiled afresh (and matches right) and the file rewritten."""
    source = r"(\d+)件"
    lazy.compiled(source)
    lazy.save()
    data = Path(lazy.cache_file()).read_bytes()
    head, _, body = data.partition(b"\n")
    words = head.split(b" ")
    other = b" ".join([*words[:3], b"%x" % (sys.hexversion + 1), *words[4:]]) + b"\n" + body
    for damaged in (other, data[:-3] + b"\x00\x00\x00", b"", b"gk-re-cache"):
        Path(lazy.cache_file()).write_bytes(damaged)
        lazy._TABLE.clear()
        lazy._STATE["loaded"] = False
        assert lazy.compiled(source).findall("3件和45件") == ["3", "45"]
        assert lazy._STATE["new"], "compiled afresh"
        lazy.save()
        assert Path(lazy.cache_file()).read_bytes() == data


def test_an_entry_the_engine_refuses_is_compiled_afresh(cache: Path) -> None:
    """A table entry whose opcodes the regex engine refuses is dropped and the pattern compiled as re.compile does;
    a pattern that does not compile raises re.error as re.compile does."""
    source = r"a+b"
    flags, code, *rest = lazy._compile(source, 0)[1]  # type: ignore[misc]
    lazy._STATE["loaded"] = True
    lazy._TABLE[(source, 0)] = (flags, [9999, *code], *rest)
    assert lazy.compiled(source).fullmatch("aab")
    assert lazy._TABLE[(source, 0)][1] == code
    with pytest.raises(re.error):
        lazy.compiled(r"(unclosed")


def test_nothing_is_written_when_nothing_is_new_or_the_folder_cannot_be(cache: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """save() writes nothing when every pattern came from the file, and fails quietly where the cache folder cannot
    be made (no temporary file left behind)."""
    lazy.save()
    assert not os.listdir(cache)
    blocked = cache / "blocked"
    blocked.write_text("a file where the folder would be", encoding="utf-8")
    monkeypatch.setenv("GK_CACHE_DIR", str(blocked / "sub"))
    assert lazy.compiled(r"x+y").fullmatch("xxy")
    lazy.save()
    assert sorted(os.listdir(cache)) == ["blocked"]


def test_a_check_fills_the_cache_once_then_compiles_nothing_afresh(tmp_path: Path) -> None:
    """A real ``toolkit check`` process (the hot path, which leaves with os._exit) writes the patterns it compiled
    into the cache; a second check finds every one there (the file is not rewritten) and prints the same."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8", "GK_CACHE_DIR": str(tmp_path)}
    line = [sys.executable, "-m", "toolkit", "check", str(EXAMPLES / "示例区民政局2026年报-有错.xlsx"), "--no-annotate"]
    first = subprocess.run(line, capture_output=True, text=True, encoding="utf-8", env=env, check=False, timeout=120)
    (written,) = tmp_path.glob("re-*.marshal")
    before = (written.read_bytes(), written.stat().st_mtime_ns)
    assert len(before[0]) > 1000
    second = subprocess.run(line, capture_output=True, text=True, encoding="utf-8", env=env, check=False, timeout=120)
    assert (written.read_bytes(), written.stat().st_mtime_ns) == before
    assert (second.returncode, second.stdout) == (first.returncode, first.stdout) and first.returncode == 1
