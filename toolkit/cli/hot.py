"""The hot path of the command line: ``toolkit check …`` and ``toolkit --help`` without typer, click or rich.

A one-file check costs little more than reading the file; the CLI framework alone would cost as much again. So
:func:`main` parses a ``check`` line itself, from the option names of :mod:`toolkit.cli.options`, and runs
:func:`toolkit.cli.check.run_check`, the same function the typer command calls. Any line it does not fully
understand — another command, ``-h``, an unknown or misspelled option, a missing value, a value out of range —
goes to the typer app unchanged, so every usage error and every command's help is worded in one place
(:mod:`toolkit.cli.usage`). Top-level help is rendered here from the message catalogue.

After a hot run the process flushes its output and leaves with ``os._exit``: nothing is left to clean up (the
worker pool of a folder run is shut down, outputs are written atomically), and the interpreter's teardown of
every imported module would cost as much as the check itself.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

from toolkit.cli.options import (
    DEBUG,
    FORMAT,
    GLOBAL_FLAGS,
    HELP,
    JSON,
    LANG,
    LANG_ENV,
    LANGUAGES,
    OVERWRITE,
    hoist,
)

_FLAGS = {"--no-annotate": "no_annotate", JSON[0]: "as_json", OVERWRITE: "overwrite", "--table": "table"}
"""``check``'s flags → the field of :class:`toolkit.cli.check.CheckArgs` they set."""
_VALUED = {"--output": "output", "-o": "output", "--summary": "summary", **dict.fromkeys(FORMAT, "format_id"),
           "--skip": "skip", "--jobs": "jobs", "-j": "jobs", "--previous": "previous", "-p": "previous",
           "--rules": "rules_file", "--returns": "returns"}
"""``check``'s options that take a value → the field they set (``--skip`` repeats)."""
_PATHS = frozenset({"output", "summary", "previous", "rules_file", "returns"})

COMMANDS = ("template", "check", "report", "import", "merge", "serve", "roster", "compare")
"""The commands top-level help lists (``cli.<name>.short`` is each one's line; a test keeps it the typer app's)."""


class NotHot(Exception):
    """The line is not one the hot path serves: the typer app takes it."""


def parse_check(args: Sequence[str]) -> dict[str, object]:
    """The fields of a ``check`` line (the words after ``check``); :class:`NotHot` for anything unusual."""
    fields: dict[str, object] = {"files": [], "skip": []}
    files: list[Path] = []
    i = 0
    while i < len(args):
        arg = args[i]
        i += 1
        if arg == "--":
            files += [Path(a) for a in args[i:]]
            break
        if not arg.startswith("-") or arg == "-":
            files.append(Path(arg))
            continue
        name, eq, value = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        if name in _FLAGS and not eq:
            fields[_FLAGS[name]] = True
            continue
        if name not in _VALUED:
            raise NotHot(arg)  # -h, a misspelled option, a file named like an option, -j2 …
        if not eq:
            if i >= len(args) or args[i] == "--":
                raise NotHot(arg)
            value = args[i]
            i += 1
        field = _VALUED[name]
        if field == "skip":
            fields["skip"].append(value)  # type: ignore[attr-defined]
        elif field == "jobs":
            if not value.isascii() or not value.isdigit() or int(value) < 1:
                raise NotHot(arg)
            fields["jobs"] = int(value)
        else:
            fields[field] = Path(value) if field in _PATHS else value
    if not files:
        raise NotHot("no file")
    fields["files"] = files
    return fields


def top_help(lang: str) -> str:
    """``toolkit --help`` in ``lang``, from the message catalogue (the typer app's help says the same)."""
    from toolkit.messages import msg

    def plain(text: str) -> str:
        return text.replace("[bold]", "").replace("[/bold]", "").replace("\n\n  ", "\n  ")

    options = [(DEBUG, msg("cli.opt.debug", lang)),
               (f"{LANG} [{'|'.join(LANGUAGES)}]", msg("cli.opt.lang_global", lang)),
               ("--version", msg("cli.opt.version", lang)), (", ".join(HELP), msg("usage.help_option", lang))]
    commands = [(name, msg(f"cli.{name}.short", lang)) for name in COMMANDS]
    width = max(len(n) for n, _ in options + commands) + 2
    lines = [f"{msg('usage.prefix', lang)}toolkit {msg('usage.options_metavar', lang)} "
             f"{msg('usage.subcommand_metavar', lang)}", "", plain(msg("cli.app.help", lang)), "",
             msg("usage.panel.options", lang)]
    lines += [f"  {n.ljust(width)}{h}" for n, h in options]
    lines += ["", msg("usage.panel.commands", lang)]
    lines += [f"  {n.ljust(width)}{h}" for n, h in commands]
    return "\n".join(lines) + "\n"


def _language(front: list[str]) -> str | None:
    """The language of the hoisted global options, or None when one is not a valid value (typer says so)."""
    lang = os.environ.get(LANG_ENV)
    i = 0
    while i < len(front):
        arg = front[i]
        if arg.startswith(f"{LANG}="):
            lang = arg.split("=", 1)[1]
        elif arg == LANG:
            lang = front[i + 1]
            i += 1
        i += 1
    if lang is None:
        return "zh"
    return lang if lang in LANGUAGES else None


def _split(line: list[str]) -> tuple[list[str], list[str]]:
    """(global options at the front of a hoisted line, the rest)."""
    i = 0
    while i < len(line) and (line[i] in GLOBAL_FLAGS or line[i].startswith(LANG)):
        i += 2 if line[i] == LANG else 1
    return line[:i], line[i:]


def serve(argv: Sequence[str]) -> int | None:
    """Run ``argv`` (the words after ``toolkit``) on the hot path and return the exit code, or None when the typer
    app must take the line."""
    front, rest = _split(hoist(argv))
    lang = _language(front)
    if lang is None or not rest:
        return None
    from toolkit.messages import use_language

    if rest[0] in HELP and len(rest) == 1:
        use_language(lang)
        sys.stdout.write(top_help(lang))
        return 0
    if rest[0] != "check":
        return None
    try:
        fields = parse_check(rest[1:])
    except NotHot:
        return None
    from toolkit.cli.check import CheckArgs, run_check

    previous = use_language(lang)
    try:
        return run_check(CheckArgs(**fields), lang, debug=DEBUG in front)  # type: ignore[arg-type]
    finally:
        use_language(previous)


def main() -> None:
    """Console-script entry point: the hot path, else the typer app.

    The cyclic garbage collector is off while the hot path imports and checks one file: the process leaves with
    ``os._exit`` and holds little garbage that reference counting does not free, and the collector would walk
    every object the imports made, again and again (~2 % of a one-file check). Anything else — the typer app, a
    folder (:func:`toolkit.cli.check.run_check`) — turns it back on first."""
    import gc

    gc.disable()
    try:
        code = serve(sys.argv[1:])
    except KeyboardInterrupt:
        from toolkit.messages import msg

        sys.stderr.write(msg("cli.interrupted") + "\n")
        code = 130
    except BrokenPipeError:  # the reader went away (toolkit check … | head): stop quietly, as a shell would
        os._exit(141)
    if code is None:
        gc.enable()
        from toolkit.cli.commands import main as typer_main

        typer_main()
        return
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (BrokenPipeError, ValueError):  # a closed pipe (toolkit check … | head) is not an error of the check
        code = code or 0
    lazy = sys.modules.get("toolkit.lazy")
    if lazy is not None:  # os._exit runs no atexit: the patterns compiled afresh are kept for the next run here
        lazy.save()
    os._exit(code)
