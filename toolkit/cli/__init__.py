"""The ``toolkit`` command line: terminal only, imported by nothing else in the package.

``main`` (the console script) runs a one-file or folder ``check`` on a parser of its own
(:mod:`toolkit.cli.hot`) and prints top-level help from the message catalogue, so that the commonest runs
import neither typer, click nor rich. Everything else (every other command, command help, usage errors) goes to
the typer app in :mod:`toolkit.cli.commands`, which ``toolkit.cli.app`` names (imported on first use).
"""

from __future__ import annotations

TYPE_CHECKING = False  # not typing's: the check path does not import typing (mypy knows the name)
if TYPE_CHECKING:
    from typing import Any

__all__ = ["app", "main"]


def main() -> None:
    """Console-script entry point: the hot path when it can serve the line, else the typer app."""
    import sys

    from toolkit.cli.hot import main as hot_main

    args = sys.argv[1:]
    if "report" in args and any(a in ("--to=pdf", "-tpdf") or (a in ("--to", "-t") and b == "pdf")
                                for a, b in zip(args, [*args[1:], ""], strict=True)):
        from toolkit.office import prestart

        prestart()  # LibreOffice gets ready while the command line, the workbook and the .docx are made
    hot_main()


def __getattr__(name: str) -> Any:
    """``app`` and the rest of :mod:`toolkit.cli.commands`, imported the first time they are asked for."""
    if name.startswith("__"):
        raise AttributeError(name)
    import importlib

    if name in ("commands", "hot", "present", "usage", "typer_zh", "desk", "terminal", "options"):
        return importlib.import_module(f"{__name__}.{name}")
    return getattr(importlib.import_module(f"{__name__}.commands"), name)
