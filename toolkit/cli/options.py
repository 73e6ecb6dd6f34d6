"""The options more than one command shares, declared once: their names here, their typer form in the helpers
below (typer is imported only when a helper is called), and the global ``--lang`` / ``--debug`` that may stand
anywhere on the line. The hot path (:mod:`toolkit.cli.hot`) parses ``check`` from the same names.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

TYPE_CHECKING = False  # not typing's: the check path does not import typing (mypy knows the name)
if TYPE_CHECKING:
    from typing import Any

LANG_ENV = "GK_LANG"
"""Environment variable naming the language when ``--lang`` is not given."""
LANGUAGES = ("zh", "en")
"""The values ``--lang`` accepts."""
LANG, DEBUG = "--lang", "--debug"
"""``--lang zh|en`` (messages and help) and ``--debug`` (tracebacks): options of the whole line."""
GLOBAL_FLAGS, GLOBAL_OPTIONS = (DEBUG,), (LANG,)
"""Options of the whole command line, accepted anywhere on it."""
HELP = ("-h", "--help")
"""The help option of every command."""

FORMAT = ("--format", "-f")
"""``--format``: the format to read (or write) as, 2019 or 2021."""
JSON = ("--json",)
"""``--json``: the library's result as JSON on stdout instead of the terminal presentation."""
OVERWRITE = "--overwrite"
"""The one flag, on every command that writes, that lets an existing output file be replaced."""


def hoist(args: Sequence[str]) -> list[str]:
    """``args`` with the global options (``--debug``, ``--lang X``, ``--lang=X``) moved to the front, where the
    top-level command reads them; nothing after ``--`` moves."""
    front: list[str] = []
    rest: list[str] = []
    items = list(args)
    i = 0
    while i < len(items):
        arg = items[i]
        if arg == "--":
            rest.extend(items[i:])
            break
        if arg in GLOBAL_FLAGS or any(arg.startswith(f"{o}=") for o in GLOBAL_OPTIONS):
            front.append(arg)
        elif arg in GLOBAL_OPTIONS and i + 1 < len(items):
            front.extend(items[i:i + 2])
            i += 1
        else:
            rest.append(arg)
        i += 1
    return front + rest


def language_of(args: Sequence[str]) -> str:
    """The language the line asks for: the last ``--lang``, else ``GK_LANG``, else Chinese."""
    lang = os.environ.get(LANG_ENV, "zh")
    for i, arg in enumerate(args):
        if arg == "--":
            break
        if arg == LANG and i + 1 < len(args):
            lang = args[i + 1]
        elif arg.startswith(f"{LANG}="):
            lang = arg.split("=", 1)[1]
    return "en" if lang.strip().lower() == "en" else "zh"


def lang_option() -> Any:
    """The typer declaration of ``--lang`` (the top-level command's; :func:`hoist` brings it there)."""
    import typer

    from toolkit.messages import msg

    return typer.Option(LANG, envvar=LANG_ENV, show_envvar=False, help=msg("cli.opt.lang_global"))


def debug_option() -> Any:
    """The typer declaration of ``--debug``."""
    import typer

    from toolkit.messages import msg

    return typer.Option(DEBUG, help=msg("cli.opt.debug"))


def format_option(help_key: str = "cli.opt.format_check") -> Any:
    """The typer declaration of ``--format`` / ``-f`` with the help text ``help_key``."""
    import typer

    from toolkit.messages import msg

    return typer.Option(*FORMAT, help=msg(help_key))


def json_option(help_key: str = "cli.opt.json") -> Any:
    """The typer declaration of ``--json`` with the help text ``help_key``."""
    import typer

    from toolkit.messages import msg

    return typer.Option(*JSON, help=msg(help_key))


def overwrite_option() -> Any:
    """The typer declaration of ``--overwrite``."""
    import typer

    from toolkit.messages import msg

    return typer.Option(OVERWRITE, help=msg("cli.opt.overwrite"))
