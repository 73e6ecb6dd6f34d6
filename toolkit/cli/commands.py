"""The ``toolkit`` command: parse → one library call → present → exit code. Nothing else lives here.

Exit codes: 0 clean (warnings allowed), 1 an error-level finding, 2 input not usable (or usage error).
Results go to stdout, diagnostics to stderr; tracebacks only with ``--debug``.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console

from toolkit.cli import typer_zh
from toolkit.cli.options import debug_option, format_option, json_option, lang_option, overwrite_option
from toolkit.cli.usage import ToolkitGroup
from toolkit.messages import current_language, msg

typer_zh.localise_typer()

out = Console(highlight=False, soft_wrap=True, emoji=False)
err = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)
_DEBUG = False



def _show(text: object) -> str:
    from toolkit.cli.present import show

    return show(text)


def _print_json(data: object) -> None:
    from toolkit.cli.present import print_json

    print_json(data)


class Lang(StrEnum):
    """Message language."""

    zh = "zh"
    en = "en"


class OutputType(StrEnum):
    """Report output types."""

    docx = "docx"
    html = "html"
    md = "md"
    pdf = "pdf"


app = typer.Typer(
    name="toolkit",
    help=msg("cli.app.help"),
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
    options_metavar="[选项]",
    subcommand_metavar="命令 [参数]...",
    pretty_exceptions_enable=False,
    cls=ToolkitGroup,  # --lang and --debug anywhere on the line; usage errors in the catalogue's language
)


def _fail(exc: Exception) -> NoReturn:
    """Print a toolkit error as one Chinese line on stderr and exit with its code (2)."""
    from toolkit.errors import ToolkitError

    if _DEBUG:
        raise exc
    if isinstance(exc, ToolkitError):
        err.print(f"[bold red]{msg('cli.error')}[/]{_show(exc)}", markup=True, highlight=False)
        raise typer.Exit(exc.exit_code)
    if isinstance(exc, OSError):  # disk full, path too long … met outside an output (reading, a scratch folder)
        from toolkit.fileio import os_error_text

        where = f"{exc.filename}：" if exc.filename else ""
        err.print(f"[bold red]{msg('cli.error')}[/]{_show(where + os_error_text(exc))}")
        raise typer.Exit(2)
    err.print(f"[bold red]{msg('cli.internal')}[/]{type(exc).__name__}: {_show(exc)}")
    raise typer.Exit(3)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            out.print(f"toolkit {version('gk-toolkit')}")
        except PackageNotFoundError:
            out.print("toolkit (未安装)")
        raise typer.Exit(0)


@app.callback()
def main_callback(
    debug: Annotated[bool, debug_option()] = False,
    lang: Annotated[Lang, lang_option()] = Lang.zh,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help=msg("cli.opt.version"))
    ] = False,
) -> None:
    """政府信息公开工作年度报告工具箱。"""
    global _DEBUG
    _DEBUG = debug


@app.command(
    "template", help=msg("cli.template.help"), short_help=msg("cli.template.short"), options_metavar="[选项]"
)
def template_cmd(
    year: Annotated[int | None, typer.Option("--year", "-y", help=msg("cli.opt.year"))] = None,
    org: Annotated[str, typer.Option("--org", help=msg("cli.opt.org"))] = "",
    format_id: Annotated[str | None, format_option("cli.opt.format")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help=msg("cli.opt.template_output"))] = None,
    previous: Annotated[Path | None, typer.Option("--from", help=msg("cli.opt.from"))] = None,
    overwrite: Annotated[bool, overwrite_option()] = False,
) -> None:
    """Write a blank (or pre-filled) standard workbook."""
    from toolkit import api
    from toolkit.template import is_future_year

    try:
        if year is None and previous is None and (year := api.default_year(format_id)) is not None:
            err.print(msg("cli.template.default_year", year=year, format=api.resolve_spec(year=year).id))
        path = api.make_template(year=year, organ=org, format_id=format_id, output=output, previous=previous,
                                 overwrite=overwrite)
    except Exception as exc:
        _fail(exc)
    if year is not None and is_future_year(year):
        err.print(msg("cli.template.future_year", year=year, today=dt.date.today().year))
    out.print(_show(msg("cli.template.done", path=path)))


@app.command(
    "check", help=msg("cli.check.help"), short_help=msg("cli.check.short"), options_metavar="[选项]"
)
def check_cmd(
    files: Annotated[list[Path], typer.Argument(help=msg("cli.arg.check_files"), show_default=False,
                                                metavar=msg("cli.metavar.file"))],
    output: Annotated[Path | None, typer.Option("--output", "-o", help=msg("cli.opt.check_output"))] = None,
    no_annotate: Annotated[bool, typer.Option("--no-annotate", help=msg("cli.opt.no_annotate"))] = False,
    as_json: Annotated[bool, json_option()] = False,
    format_id: Annotated[str | None, format_option()] = None,
    skip: Annotated[list[str] | None, typer.Option("--skip", help=msg("cli.opt.skip"))] = None,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", min=1, help=msg("cli.opt.jobs"),
                                             metavar=msg("cli.metavar.jobs"))] = None,
    previous: Annotated[Path | None, typer.Option("--previous", "-p", help=msg("cli.opt.previous"))] = None,
    overwrite: Annotated[bool, overwrite_option()] = False,
    rules_file: Annotated[Path | None, typer.Option("--rules", help=msg("cli.opt.rules"))] = None,
    returns: Annotated[Path | None, typer.Option("--returns", help=msg("cli.opt.returns"))] = None,
    summary: Annotated[Path | None, typer.Option("--summary", help=msg("cli.opt.summary"))] = None,
    table: Annotated[bool, typer.Option("--table", help=msg("cli.opt.table"))] = False,
) -> None:
    """Check one workbook, or a folder/several workbooks with a summary (:mod:`toolkit.cli.check`)."""
    from toolkit.cli.check import CheckArgs, run_check

    args = CheckArgs(files, output=output, summary=summary, no_annotate=no_annotate, as_json=as_json,
                     format_id=format_id, skip=list(skip or ()), jobs=jobs, previous=previous, overwrite=overwrite,
                     rules_file=rules_file, returns=returns, table=table)
    raise typer.Exit(run_check(args, current_language(), _DEBUG))


@app.command(
    "report", help=msg("cli.report.help"), short_help=msg("cli.report.short"), options_metavar="[选项]"
)
def report_cmd(
    file: Annotated[Path, typer.Argument(help=msg("cli.arg.report_file"), show_default=False,
                                         metavar=msg("cli.metavar.file"))],
    to: Annotated[OutputType, typer.Option("--to", "-t", help=msg("cli.opt.to"))] = OutputType.docx,
    output: Annotated[Path | None, typer.Option("--output", "-o", help=msg("cli.opt.report_output"))] = None,
    force: Annotated[bool, typer.Option("--force", help=msg("cli.opt.force"))] = False,
    format_id: Annotated[str | None, format_option()] = None,
    overwrite: Annotated[bool, overwrite_option()] = False,
) -> None:
    """Assemble the final report from a workbook."""
    from toolkit import api
    from toolkit.cli import present

    try:
        outcome = api.make_report(file, to=to.value, output=output, force=force, format_id=format_id,
                                  overwrite=overwrite)
    except Exception as exc:
        _fail(exc)
    if outcome.refused:
        present.print_check(err, outcome.result, current_language())
        err.print(msg("cli.report.refused", errors=outcome.result.errors))
        raise typer.Exit(1)
    if outcome.result.errors:
        err.print(msg("cli.report.forced", errors=outcome.result.errors))
    if outcome.rare_characters:
        err.print(msg("cli.report.rare_characters", chars="、".join(outcome.rare_characters)))
    out.print(_show(msg("cli.report.done", path=outcome.path)))


@app.command(
    "import", help=msg("cli.import.help"), short_help=msg("cli.import.short"), options_metavar="[选项]"
)
def import_cmd(
    file: Annotated[Path, typer.Argument(help=msg("cli.arg.import_file"), show_default=False,
                                         metavar=msg("cli.metavar.file"))],
    output: Annotated[Path | None, typer.Option("--output", "-o", help=msg("cli.opt.import_output"))] = None,
    format_id: Annotated[str | None, format_option("cli.opt.format_import")] = None,
    as_json: Annotated[bool, json_option("cli.opt.import_json")] = False,
    overwrite: Annotated[bool, overwrite_option()] = False,
) -> None:
    """Import a published report into the standard workbook."""
    from toolkit import api
    from toolkit.cli import present

    try:
        outcome = api.import_to_workbook(file, output=output, format_id=format_id, overwrite=overwrite)
    except Exception as exc:
        _fail(exc)
    if as_json:
        _print_json(outcome.to_dict())
    else:
        present.print_import(out, outcome)


@app.command(
    "merge", help=msg("cli.merge.help"), short_help=msg("cli.merge.short"), options_metavar="[选项]"
)
def merge_cmd(
    files: Annotated[list[Path], typer.Argument(help=msg("cli.arg.merge_files"), show_default=False,
                                                metavar=msg("cli.metavar.file"))],
    output: Annotated[Path, typer.Option("--output", "-o", help=msg("cli.opt.merge_output"))] = Path("汇总.xlsx"),
    org: Annotated[str, typer.Option("--org", help=msg("cli.opt.merge_org"))] = "",
    force: Annotated[bool, typer.Option("--force", help=msg("cli.opt.merge_force"))] = False,
    format_id: Annotated[str | None, format_option()] = None,
    as_json: Annotated[bool, json_option("cli.opt.merge_json")] = False,
    overwrite: Annotated[bool, overwrite_option()] = False,
    keep: Annotated[list[str] | None, typer.Option("--keep", help=msg("cli.opt.merge_keep"))] = None,
) -> None:
    """Sum the units' workbooks into one summary workbook."""
    from toolkit import api
    from toolkit.cli import present

    try:
        outcome = api.merge_files(files, output, organ=org, force=force, format_id=format_id, overwrite=overwrite,
                                  keep=keep or ())
    except Exception as exc:
        _fail(exc)
    if as_json:
        _print_json(outcome.to_dict())
    elif not outcome.refused:
        present.print_merge(out, outcome)
    if outcome.refused:
        present.print_refusal(err, outcome.problems)
        raise typer.Exit(outcome.exit_code or 1)
    if outcome.left_out:
        err.print(_show(msg("merge.left_out", files="、".join(str(u.source) for u in outcome.left_out))))
    if outcome.forced_errors:
        err.print(msg("cli.merge.forced", errors=outcome.forced_errors))


@app.command(
    "serve", help=msg("cli.serve.help"), short_help=msg("cli.serve.short"), options_metavar="[选项]"
)
def serve_cmd(
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help=msg("cli.opt.port"))] = 0,
    no_browser: Annotated[bool, typer.Option("--no-browser", help=msg("cli.opt.no_browser"))] = False,
) -> None:
    """Serve the local web page until Ctrl+C."""
    from toolkit.web import serve

    raise typer.Exit(serve(port, open_browser=not no_browser, lang=current_language()))


@app.command("roster", help=msg("cli.roster.help"), short_help=msg("cli.roster.short"), options_metavar="[选项]")
def roster_cmd(
    folder: Annotated[Path, typer.Argument(help=msg("cli.arg.roster_folder"), show_default=False)],
    unit_list: Annotated[Path, typer.Option("--from", help=msg("cli.opt.roster_from"))],
    deadline: Annotated[str | None, typer.Option("--deadline", help=msg("cli.opt.deadline"))] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help=msg("cli.opt.roster_output"))] = None,
    as_json: Annotated[bool, json_option()] = False,
) -> None:
    """Who has sent, who hasn't, who is late, who was returned."""
    from toolkit.cli import desk as cli_support

    try:
        cli_support.roster(out, folder, unit_list, deadline, output, as_json)
    except Exception as exc:
        _fail(exc)


@app.command("compare", help=msg("cli.compare.help"), short_help=msg("cli.compare.short"),
             options_metavar="[选项]")
def compare_cmd(
    files: Annotated[list[Path], typer.Argument(help=msg("cli.arg.compare_files"), show_default=False)],
    rules_file: Annotated[Path | None, typer.Option("--rules", help=msg("cli.opt.rules"))] = None,
    as_json: Annotated[bool, json_option()] = False,
) -> None:
    """What changed between the returned and the corrected version."""
    from toolkit.cli import desk as cli_support

    try:
        code = cli_support.compare(out, files, as_json, rules_file)
    except Exception as exc:
        _fail(exc)
    raise typer.Exit(code)


def _files_not_options(argv: list[str]) -> list[str]:
    """``argv`` with every argument that starts with ``-`` but names an existing file moved after ``--``.

    ``toolkit check *.xlsx`` in a folder holding a unit's file called ``-o受害.xlsx`` would otherwise read it as
    ``-o 受害.xlsx`` (the summary written over another unit's file). Each such argument is warned about. An
    argument right after an option that takes a value is that option's value and stays where it is.
    """
    if not argv or argv[0].startswith("-"):
        return argv
    rest = argv[1:]
    end = rest.index("--") if "--" in rest else len(rest)
    if not any(a.startswith("-") and a != "-" and os.path.isfile(a) for a in rest[:end]):
        return argv  # the usual case: nothing to look at, no click command built
    command = getattr(app_command(), "commands", {}).get(argv[0])
    valued = {opt for p in getattr(command, "params", []) if not getattr(p, "is_flag", True)
              and getattr(p, "param_type_name", "") == "option" for opt in p.opts}
    kept, moved = [argv[0]], []
    for i, arg in enumerate(rest):
        if arg == "--":
            kept += rest[i:]
            break
        after_option = i > 0 and rest[i - 1] in valued
        if arg.startswith("-") and arg != "-" and not after_option and os.path.isfile(arg):
            err.print(_show(msg("cli.warn.dash_file", name=arg)), style="yellow")
            moved.append(arg)
        else:
            kept.append(arg)
    if not moved:
        return argv
    if "--" in kept:
        return [*kept, *moved]
    return [*kept, "--", *moved]


def app_command() -> Any:
    """The click command behind the typer app (built once)."""
    global _COMMAND
    if _COMMAND is None:
        _COMMAND = typer.main.get_command(app)
    return _COMMAND


_COMMAND: Any = None


def main() -> None:
    """Console-script entry point."""
    try:
        sys.argv[1:] = _files_not_options(sys.argv[1:])
        app()
    except KeyboardInterrupt:
        err.print(msg("cli.interrupted"))
        sys.exit(130)
