"""``toolkit check``: what happens between parsing and exiting, the same whichever parser read the line (the
typer app or the hot path): one library call (:func:`toolkit.api.check_file` for one file,
:func:`toolkit.api.check_folder` for a folder or several files), its result presented, the exit code returned.

Plain lines, no rich: rich is imported only for ``--table`` and ``--returns``, which print tables.
"""

from __future__ import annotations

from pathlib import Path

from toolkit.cli.present import Plain, batch_lines, check_lines, print_json
from toolkit.messages import msg
from toolkit.record import field, record


@record
class CheckArgs:
    """The ``check`` command line, parsed."""

    files: list[Path]
    """Workbooks, folders or patterns to check."""
    output: Path | None = None
    """``-o``: the highlighted copy (one input only)."""
    summary: Path | None = None
    """``--summary``: the summary workbook of a folder run."""
    no_annotate: bool = False
    """``--no-annotate``: no highlighted copy."""
    as_json: bool = False
    """``--json``: the library's result as JSON."""
    format_id: str | None = None
    """``--format``."""
    skip: list[str] = field(default_factory=list)
    """``--skip`` (repeatable)."""
    jobs: int | None = None
    """``--jobs``."""
    previous: Path | None = None
    """``--previous``: last year's workbook or folder."""
    overwrite: bool = False
    """``--overwrite``."""
    rules_file: Path | None = None
    """``--rules``: the office's rules file."""
    returns: Path | None = None
    """``--returns``: the folder the returns are written to."""
    table: bool = False
    """``--table``: rich tables instead of plain lines."""


def fail(exc: Exception, debug: bool = False) -> int:
    """Print ``exc`` as one line on stderr in the current language and return its exit code (2 for a toolkit
    error or a system error, 3 for a bug); with ``debug`` it is raised instead, traceback and all."""
    from toolkit.errors import ToolkitError

    if debug or isinstance(exc, BrokenPipeError):  # a closed stdout is the reader's doing, not the check's
        raise exc
    err = Plain(stderr=True)
    if isinstance(exc, ToolkitError):
        err.line(msg("cli.error") + str(exc), "bold red")
        return exc.exit_code
    if isinstance(exc, OSError):  # disk full, path too long … met outside an output (reading, a scratch folder)
        from toolkit.fileio import os_error_text

        where = f"{exc.filename}：" if exc.filename else ""
        err.line(msg("cli.error") + where + os_error_text(exc), "bold red")
        return 2
    err.line(f"{msg('cli.internal')}{type(exc).__name__}: {exc}", "bold red")
    return 3


def run_check(args: CheckArgs, lang: str, debug: bool = False) -> int:
    """Run ``check`` as ``args`` says, print the outcome, return the exit code (0 clean, 1 errors, 2 unusable)."""
    from toolkit import api
    from toolkit.errors import ToolkitError
    from toolkit.inputs import single_file

    progress = _progress(args)
    try:
        single = single_file(args.files)
        if single is None and args.output is not None:
            raise ToolkitError(msg("cli.check.one_output"))
        if single is not None and args.returns is None:
            return _one(single, args, lang, debug)
        import gc

        gc.enable()  # off while the hot path checks one file (toolkit.cli.hot.main); a folder may be long
        outcome = api.check_folder(args.files, summary=args.summary, format_id=args.format_id,
                                   annotate=not args.no_annotate or args.returns is not None, skip=args.skip,
                                   lang=lang, previous=args.previous, overwrite=args.overwrite,
                                   rules=args.rules_file, jobs=args.jobs, progress=progress)
    except Exception as exc:
        return fail(exc, debug)
    if progress is not None and progress.done:
        Plain(stderr=True).line("")
    if args.as_json:
        print_json(outcome.to_dict())
    elif args.table:
        from rich.console import Console

        from toolkit.cli.present import print_batch

        print_batch(Console(highlight=False, soft_wrap=True, emoji=False), outcome.rows, outcome.summary,
                    outcome.skipped)
    else:
        batch_lines(Plain(), outcome.rows, outcome.summary, outcome.skipped, lang)
    if outcome.summary_error is not None:
        return max(outcome.exit_code, fail(outcome.summary_error, debug))
    if args.returns is not None:
        from rich.console import Console

        from toolkit.cli import desk

        console = Console(stderr=args.as_json, highlight=False, soft_wrap=True, emoji=False)
        try:
            desk.returns(console, args.files, outcome.to_dict(), args.returns, outcome.summary, args.rules_file)
        except Exception as exc:
            return fail(exc, debug)
    return outcome.exit_code


def _one(path: Path, args: CheckArgs, lang: str, debug: bool) -> int:
    from toolkit import api
    from toolkit.errors import ToolkitError

    try:
        result = api.check_file(path, format_id=args.format_id, annotate=not args.no_annotate, output=args.output,
                                skip=tuple(args.skip), lang=lang, previous=args.previous,
                                overwrite=args.overwrite, rules=args.rules_file)
    except ToolkitError as exc:
        return fail(exc, debug)
    if result.copy_error is not None:  # the check ran; only its copy could not be written
        if not args.as_json:
            _present(result, args, lang)
        return fail(result.copy_error, debug)
    if args.as_json:
        print_json(result.to_dict(lang))
    else:
        _present(result, args, lang)
        from toolkit.checking import REPORT_SUFFIXES

        if not args.no_annotate and path.suffix.lower() in REPORT_SUFFIXES:  # say why there is no copy
            Plain().line(msg("present.no_copy", lang), "dim")
    return result.exit_code


def _present(result: object, args: CheckArgs, lang: str) -> None:
    from toolkit.rules.findings import CheckResult

    assert isinstance(result, CheckResult)
    if args.table:
        from rich.console import Console

        from toolkit.cli.present import print_check

        print_check(Console(highlight=False, soft_wrap=True, emoji=False), result, lang)
    else:
        check_lines(Plain(), result, lang)


def _progress(args: CheckArgs) -> _Counter | None:
    """A count of the units checked on stderr, when stderr is a terminal and the output is not JSON."""
    import sys

    return None if args.as_json or not sys.stderr.isatty() else _Counter()


class _Counter:
    def __init__(self) -> None:
        self.done = 0

    def __call__(self, n: int) -> None:
        import sys

        self.done += n
        sys.stderr.write(f"\r{msg('cli.check.progress')} {self.done}")
        sys.stderr.flush()
