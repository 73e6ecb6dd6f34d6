"""How the highlighted copy is written: into the atomic writer's empty temporary file without truncating it (ext4
flushes a file truncated to zero when it is closed: milliseconds a copy), whole over anything a path held before."""

from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path

import pytest
from annotkit import parts
from support import EXAMPLES

from toolkit.annotate import COMMENT_AUTHOR, _comment_text
from toolkit.annotate.build import build_parts
from toolkit.annotate.package import write_package
from toolkit.api import check_file
from toolkit.workbook.safety import open_package

BROKEN = EXAMPLES / "示例区民政局2026年报-有错.xlsx"


def test_the_copy_goes_into_its_temporary_file_without_truncating_it(monkeypatch: pytest.MonkeyPatch,
                                                                     tmp_path: Path) -> None:
    """check_file's copy: its temporary file is opened once, without O_TRUNC, and the copy is whole."""
    source = Path(shutil.copy(BROKEN, tmp_path / "有错.xlsx"))
    opened: list[tuple[str, int]] = []
    real = os.open

    def recording(path: str | os.PathLike[str], flags: int, *args: int, **kwargs: object) -> int:
        opened.append((os.fspath(path), flags))
        return real(path, flags, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", recording)
    result = check_file(source)
    monkeypatch.undo()
    assert result.annotated is not None and result.copy_error is None
    temporary = [(path, flags) for path, flags in opened if Path(path).name.startswith(".~gk-")]
    written = [(path, flags) for path, flags in temporary if flags & os.O_WRONLY]
    assert len(written) == 1 and not written[0][1] & os.O_TRUNC, temporary
    with zipfile.ZipFile(result.annotated) as z:
        assert z.testzip() is None


def test_a_copy_written_over_a_longer_file_replaces_all_of_it(tmp_path: Path) -> None:
    """write_package into a path holding more bytes than the copy: the result is the copy alone."""
    result = check_file(BROKEN, annotate=False)
    package = open_package(BROKEN)
    changed, dropped = build_parts(package, result, "zh", COMMENT_AUTHOR, _comment_text)
    fresh, reused = tmp_path / "fresh.xlsx", tmp_path / "reused.xlsx"
    write_package(package, changed, dropped, fresh)
    reused.write_bytes(b"\xff" * (2 * fresh.stat().st_size))
    write_package(package, changed, dropped, reused)
    assert reused.read_bytes() == fresh.read_bytes()
    assert parts(reused).keys() >= set(package.infos) - dropped
