"""pathlib without urllib.parse: the one standard-library import every run of the toolkit pays for and never uses.

CPython's ``pathlib`` (3.11, 3.12) imports ``urllib.parse`` at its top for a single function, ``quote_from_bytes``,
which only :meth:`pathlib.PurePath.as_uri` calls; ``urllib.parse`` brings ``ipaddress`` with it, and the two cost
a one-file ``toolkit check`` about 10 M instructions (5 % of the process). :func:`import_pathlib` imports pathlib
with ``urllib.parse`` stood in for, just for that import, by a module holding nothing but a ``quote_from_bytes``
that imports the real one on its first call and hands over to it. The stand-in is taken out of ``sys.modules``
as soon as pathlib is imported: any later ``import urllib.parse`` gets the real module, and ``as_uri`` works as
ever. Where pathlib or urllib.parse is already imported, or this Python's pathlib wants anything else of
urllib.parse, pathlib is simply imported as usual.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False  # not typing's: the check path does not import typing (mypy knows the name)
if TYPE_CHECKING:
    from typing import Any


def _quote_from_bytes(*args: Any, **kwargs: Any) -> str:
    """``urllib.parse.quote_from_bytes``, imported on first use."""
    from urllib.parse import quote_from_bytes

    return quote_from_bytes(*args, **kwargs)


def import_pathlib() -> None:
    """Import :mod:`pathlib` without importing :mod:`urllib.parse` (see the module's docstring); idempotent."""
    if "pathlib" in sys.modules or "urllib.parse" in sys.modules:
        return
    import types

    stand_in = types.ModuleType("urllib.parse", "Stands in for urllib.parse while pathlib is imported.")
    stand_in.quote_from_bytes = _quote_from_bytes  # type: ignore[attr-defined]
    sys.modules["urllib.parse"] = stand_in
    try:
        import pathlib
    except ImportError:  # a pathlib that wants more of urllib.parse: imported as usual below
        pass
    finally:
        if sys.modules.get("urllib.parse") is stand_in:
            del sys.modules["urllib.parse"]
    if "pathlib" not in sys.modules:
        import pathlib  # noqa: F401
