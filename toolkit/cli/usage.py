"""The language of the command line: ``--lang``/``--debug`` wherever written, help texts swapped for English.

``--lang`` and ``--debug`` are declared once, on the top-level command; :class:`ToolkitGroup` moves them to the
front of the line wherever they were written, so ``toolkit check x.xlsx --debug --lang en`` works. With English
asked for, the help texts (written in Chinese when the commands were declared) are swapped for their English in
the catalogue before anything is shown. The usage errors themselves are worded by :mod:`toolkit.cli.usage_errors`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from typer.core import TyperGroup

from toolkit.cli.options import GLOBAL_FLAGS, GLOBAL_OPTIONS, LANG_ENV, hoist, language_of
from toolkit.messages import current_language, english_for, msg, use_language

__all__ = ["GLOBAL_FLAGS", "GLOBAL_OPTIONS", "LANG_ENV", "ToolkitGroup", "hoist", "language_of"]


class ToolkitGroup(TyperGroup):
    """The ``toolkit`` command: global options anywhere, the language set for the run and restored after it."""

    def main(self, args: Sequence[str] | None = None, *rest: Any, **kwargs: Any) -> Any:
        import sys

        line = hoist(sys.argv[1:] if args is None else args)
        previous = use_language(language_of(line))
        try:
            if current_language() == "en":
                translate_help(self)
            _repatch_typer()
            return super().main(line, *rest, **kwargs)
        finally:
            use_language(previous)
            _repatch_typer()


def _repatch_typer() -> None:
    import sys

    from toolkit.cli import typer_zh

    if typer_zh.RICH_UTILS in sys.modules:
        typer_zh._patch_rich_utils(sys.modules[typer_zh.RICH_UTILS])


def translate_help(command: Any) -> None:
    """Swap the Chinese help texts, metavars and usage words of ``command`` and its subcommands for English."""
    for attr in ("help", "short_help", "options_metavar", "subcommand_metavar"):
        text = getattr(command, attr, None)
        if isinstance(text, str):
            english = english_for(text) or {msg("usage.options_metavar", "zh"): msg("usage.options_metavar", "en"),
                                             msg("usage.subcommand_metavar", "zh"):
                                                 msg("usage.subcommand_metavar", "en")}.get(text)
            if english is not None:
                setattr(command, attr, english)
    for param in getattr(command, "params", ()):
        for attr in ("help", "metavar"):
            text = getattr(param, attr, None)
            if isinstance(text, str) and english_for(text) is not None:
                setattr(param, attr, english_for(text))
    for sub in getattr(command, "commands", {}).values():
        translate_help(sub)
