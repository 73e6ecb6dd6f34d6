"""typer's own help text (panel titles, usage prefix, the help option, error panel) in the message catalogue's
language; usage errors themselves are worded by :mod:`toolkit.cli.usage_errors`.

typer exposes its panel titles as module constants; the usage prefix and the help option's text come
from its vendored click and are wrapped here. If a future typer moves them, help falls back to English
for those few words and ``tests/test_cli.py`` fails to say so.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from types import ModuleType
from typing import Any

from toolkit.cli.usage_errors import _localise_values, message
from toolkit.messages import msg

RICH_UTILS = "typer.rich_utils"

_DONE = False


def _patch_rich_utils(ru: Any) -> None:
    """typer's panel titles and fixed phrases in the current language; its error panel worded by
    :func:`toolkit.cli.usage_errors.message`, with the argument typed (perhaps a hostile file name) made visible."""
    ru.OPTIONS_PANEL_TITLE = msg("usage.panel.options")
    ru.ARGUMENTS_PANEL_TITLE = msg("usage.panel.arguments")
    ru.COMMANDS_PANEL_TITLE = msg("usage.panel.commands")
    ru.ERRORS_PANEL_TITLE = msg("usage.panel.error")
    ru.ABORTED_TEXT = msg("usage.aborted")
    ru.REQUIRED_LONG_STRING = msg("usage.required")
    ru.DEFAULT_STRING = msg("usage.default")
    ru.RICH_HELP = msg("usage.try_help")
    if not getattr(ru.rich_format_error, "_toolkit", False):
        original = ru.rich_format_error

        def rich_format_error(exc: Any) -> None:
            from toolkit.untrusted import for_terminal

            text = for_terminal(message(exc))
            exc.format_message = lambda: text
            original(exc)

        rich_format_error._toolkit = True  # type: ignore[attr-defined]
        ru.rich_format_error = rich_format_error


class _PatchOnImport(importlib.abc.MetaPathFinder):
    """Finds ``typer.rich_utils`` as the normal finders do and patches it right after it runs.

    typer imports it only to draw help or an error panel; importing it up front (with rich.markdown) costs
    about 55 ms on every command, which a one-file check cannot afford.
    """

    def find_spec(self, name: str, path: Any, target: Any = None) -> importlib.machinery.ModuleSpec | None:
        if name != RICH_UTILS:
            return None
        sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        loader = spec.loader if spec is not None else None
        if loader is not None:
            run = loader.exec_module

            def run_and_patch(module: ModuleType) -> None:
                run(module)
                _patch_rich_utils(module)

            loader.exec_module = run_and_patch  # type: ignore[method-assign]
        return spec


def localise_typer() -> None:
    """Switch typer's fixed help strings to Chinese (idempotent); its panel module is patched when first used."""
    global _DONE
    if _DONE:
        return
    _DONE = True
    if RICH_UTILS in sys.modules:
        _patch_rich_utils(sys.modules[RICH_UTILS])
    else:
        sys.meta_path.insert(0, _PatchOnImport())
    try:
        from typer._click import core as click_core
        from typer._click import formatting as click_formatting
    except ImportError:  # pragma: no cover - depends on typer's internals
        return

    original_usage = click_formatting.HelpFormatter.write_usage

    def write_usage(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
        original_usage(self, prog, args, msg("usage.prefix") if prefix is None else prefix)

    click_formatting.HelpFormatter.write_usage = write_usage  # type: ignore[method-assign]

    original_help_option = click_core.Command.get_help_option

    def get_help_option(self: Any, ctx: Any) -> Any:
        option = original_help_option(self, ctx)
        if option is not None:
            option.help = msg("usage.help_option")
        return option

    click_core.Command.get_help_option = get_help_option  # type: ignore[method-assign]
    _localise_values()
