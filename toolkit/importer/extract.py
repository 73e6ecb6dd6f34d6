"""Read a published report file into a :class:`~toolkit.importer.document.Document`, by its suffix.

.txt → :mod:`.plaintext`; .html/.htm and .md → :mod:`.webpage`; .docx → :mod:`.word`. Every reader is bounded:
files over :data:`MAX_BYTES` are refused before they are read.
"""

from __future__ import annotations

from pathlib import Path

from toolkit.errors import ToolkitError
from toolkit.importer.document import Document
from toolkit.messages import msg

SUFFIXES = frozenset({".txt", ".html", ".htm", ".docx", ".md"})
"""The file types :func:`extract` reads."""
MAX_BYTES = {".docx": 20 * 1024 * 1024}
"""Largest file read, by suffix: a .docx may carry pictures (its XML is bounded in :mod:`.word`)."""
MAX_TEXT_BYTES = 4 * 1024 * 1024
"""Largest text, page or Markdown file read (a saved report page is well under 1 MB)."""


def extract(path: Path) -> Document:
    """Read ``path`` (.txt, .html/.htm, .docx, .md) into a :class:`Document`."""
    path = Path(path)
    if not path.is_file():
        raise ToolkitError(msg("import.error.not_found"), path=path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ToolkitError(msg("import.error.suffix", suffix=suffix or "（无扩展名）"), path=path)
    size = path.stat().st_size
    if size > MAX_BYTES.get(suffix, MAX_TEXT_BYTES):
        limit = MAX_BYTES.get(suffix, MAX_TEXT_BYTES) // (1024 * 1024)
        raise ToolkitError(msg("import.error.too_large", size=max(size // (1024 * 1024), 1), limit=limit), path=path)
    if suffix == ".txt":
        from toolkit.importer.plaintext import read_text

        return read_text(path)
    if suffix == ".docx":
        from toolkit.importer.word import read_docx

        return read_docx(path)
    if suffix == ".md":
        from toolkit.importer.webpage import read_markdown

        return read_markdown(path)
    from toolkit.importer.webpage import read_html

    return read_html(path)
