"""Usage errors through the message catalogue.

typer's vendored click words every usage error in English inside the code (``No such option: --jsn``,
``'二〇二六' is not a valid int.``). Here each error is worded again from what it carries: the exception's class and
fields, and — for a bad value — the value and the parameter type, caught where the type converts it. The result
is Chinese, or English with ``--lang en`` / ``GK_LANG=en``.
"""

from __future__ import annotations

import os
import re
from typing import Any

from toolkit.messages import msg

# --- bad values ------------------------------------------------------------------------------------


def _describe_range(kind: Any) -> str:
    if kind.min is not None and kind.max is not None:
        return msg("usage.range.between", min=kind.min, max=kind.max)
    if kind.min is not None:
        return msg("usage.range.min", min=kind.min)
    return msg("usage.range.max", max=kind.max)


def _value_message(kind: Any, value: object) -> str:
    """What is wrong with ``value`` for a parameter of type ``kind``, in the current language."""
    from typer._click import types

    shown = str(value)
    if isinstance(kind, types._NumberRangeBase):
        try:
            float(shown)
        except ValueError:
            pass
        else:
            return msg("usage.range", value=shown, range=_describe_range(kind))
    if isinstance(kind, types.IntParamType):
        return msg("usage.not_int", value=shown)
    if isinstance(kind, types.FloatParamType):
        return msg("usage.not_number", value=shown)
    choices = getattr(kind, "choices", None)
    if choices is not None:
        names = msg("usage.sep").join(str(getattr(c, "value", c)) for c in choices)
        return msg("usage.choice", value=shown, choices=names)
    if getattr(kind, "exists", False) and not os.path.exists(shown):
        return msg("usage.path_missing", value=shown)
    return msg("usage.bad_value", value=shown)


def _localise_values() -> None:
    """Reword every bad-value error where the value is known: around the types' conversion."""
    from typer._click import types
    from typer._click.exceptions import BadParameter

    if getattr(types.ParamType.__call__, "_toolkit", False):
        return
    original = types.ParamType.__call__

    def call(self: Any, value: Any, param: Any = None, ctx: Any = None) -> Any:
        try:
            return original(self, value, param, ctx)
        except BadParameter as exc:
            if getattr(exc, "_toolkit", False):
                raise
            again = BadParameter(_value_message(self, value), ctx=ctx, param=param)
            again._toolkit = True  # type: ignore[attr-defined]
            raise again from None

    call._toolkit = True  # type: ignore[attr-defined]
    types.ParamType.__call__ = call  # type: ignore[method-assign]

    from typer.core import TyperArgument

    metavar = TyperArgument.make_metavar

    def make_metavar(self: Any, ctx: Any, *, usage: bool = False) -> str:
        """A required argument as ``文件...`` in the usage line, not typer's raw ``{文件}``."""
        text = str(metavar(self, ctx, usage=usage))
        if text.startswith("{") and text.endswith("}"):
            text = text[1:-1] + ("..." if self.nargs != 1 else "")
        return text

    TyperArgument.make_metavar = make_metavar  # type: ignore[method-assign]
    types._NumberRangeBase._describe_range = _describe_range  # type: ignore[method-assign,assignment]  # help: [不小于1]


# --- the error line --------------------------------------------------------------------------------


def _hint(exc: Any) -> str:
    param, ctx = getattr(exc, "param", None), getattr(exc, "ctx", None)
    if getattr(exc, "param_hint", None):
        return str(exc.param_hint)
    if param is None:
        return ""
    if getattr(param, "param_type_name", "") == "argument":
        return f"“{param.human_readable_name}”"
    return " / ".join(getattr(param, "opts", ())) or str(param.get_error_hint(ctx))


def message(exc: Any) -> str:
    """A usage error (a click exception) worded in the current language, from its class and fields."""
    from typer._click import exceptions as ce

    if isinstance(exc, ce.NoSuchOption):
        text = msg("usage.no_such_option", name=exc.option_name)
        if exc.possibilities:
            text += msg("usage.did_you_mean", names=msg("usage.sep").join(sorted(exc.possibilities)))
        return text
    if isinstance(exc, ce.MissingParameter):
        kind = exc.param_type or getattr(exc.param, "param_type_name", "")
        key = "usage.missing_option" if kind == "option" else "usage.missing_argument"
        return msg(key, param=_hint(exc))
    if isinstance(exc, ce.BadParameter):
        inner = exc.message if getattr(exc, "_toolkit", False) else msg("usage.bad_value", value="…")
        return msg("usage.invalid_value", param=_hint(exc), message=inner) if _hint(exc) else inner
    if isinstance(exc, ce.BadOptionUsage):
        key = "usage.takes_no_value" if "does not take" in exc.message else "usage.needs_value"
        return msg(key, name=exc.option_name)
    text = str(getattr(exc, "message", ""))
    found = re.match(r"No such command '(.+?)'\.(?: Did you mean (.+)\?)?$", text)
    if found:
        out = msg("usage.no_such_command", name=found.group(1))
        if found.group(2):
            out += msg("usage.did_you_mean", names=msg("usage.sep").join(re.findall(r"'([^']+)'", found.group(2))))
        return out
    extra = re.match(r"Got unexpected extra arguments? \((.*)\)$", text)
    if extra:
        return msg("usage.extra_args", args=extra.group(1))
    if text == "Missing command.":
        return msg("usage.missing_command")
    return msg("usage.error")
