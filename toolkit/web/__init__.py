"""``toolkit serve``: the toolkit as a local web page for clerks who never open a terminal.

Server-rendered forms (Jinja2) on the standard library's WSGI server; every action is one call of the
same library functions the CLI calls. See :func:`serve`.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["serve"]


def serve(port: int = 0, *, open_browser: bool = True, lang: str = "zh", temp_parent: Path | None = None) -> int:
    """Serve the page on 127.0.0.1 (``port`` 0: a free one) until Ctrl+C or SIGTERM; returns the exit code."""
    from toolkit.web.server import serve as run

    return run(port, open_browser=open_browser, lang=lang, temp_parent=temp_parent)
