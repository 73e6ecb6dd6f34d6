"""``python -m toolkit.dev regenerate [--check]``: the one entry that rewrites what the repository generates.

* the compiled format caches (``toolkit/formats/<id>.compiled.marshal``, :mod:`toolkit.spec.compiled`);
* the blank templates (``workbook_templates/``, :func:`toolkit.template.regenerate`);
* the examples and their expected results (``examples/``, ``examples/generate.py``);
* the page of error codes (``docs/错误说明.md``, :mod:`toolkit.error_docs`).

With ``--check`` nothing is written: each is made afresh in a scratch folder and compared with what is committed;
the exit code is 1 when one is stale (CI runs it), 0 when all are current. Run from a checkout: the templates,
examples and docs live beside the package, not in it.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from toolkit.messages import msg

ROOT = Path(__file__).resolve().parents[1]
"""The checkout the package lives in."""

Maker = Callable[[Path], list[Path]]
"""Writes one kind of generated file into a folder laid out like the checkout; returns what it wrote."""


def _formats(root: Path) -> list[Path]:
    from toolkit.spec import compiled
    from toolkit.spec.load import available_formats, build_from_yaml

    written = []
    for fid in available_formats():
        source = (ROOT / "toolkit" / "formats" / f"{fid}.yaml").read_bytes()
        data = compiled.compiled_text(source, build_from_yaml(fid, source))  # None: it would not load as built
        if data is None:
            continue
        target = root / "toolkit" / "formats" / f"{fid}.compiled.marshal"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        written.append(target)
    return written


def _templates(root: Path) -> list[Path]:
    from toolkit.template import regenerate

    return regenerate(root / "workbook_templates")


def _examples(root: Path) -> list[Path]:
    spec = importlib.util.spec_from_file_location("generate", ROOT / "examples" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    folder = root / "examples"
    folder.mkdir(parents=True, exist_ok=True)
    books: list[Path] = module.generate(folder)
    return [p for book in books for p in (book, book.with_name(book.stem + ".expected.json"))]


def _docs(root: Path) -> list[Path]:
    from toolkit.error_docs import DOC_PATH, render_error_docs

    target = root / DOC_PATH.relative_to(ROOT)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_error_docs(), encoding="utf-8")
    return [target]


MAKERS: dict[str, Maker] = {"formats": _formats, "templates": _templates, "examples": _examples, "docs": _docs}
"""Every kind of generated file, in the order they are made (templates and examples read the formats)."""


def _same(fresh: Path, committed: Path) -> bool:
    """Whether ``committed`` holds what was made afresh (workbooks: the same parts with the same content)."""
    if not committed.is_file():
        return False
    if fresh.suffix != ".xlsx":
        return fresh.read_bytes() == committed.read_bytes()
    import zipfile

    with zipfile.ZipFile(fresh) as a, zipfile.ZipFile(committed) as b:
        names = sorted(a.namelist())
        return names == sorted(b.namelist()) and all(a.read(n) == b.read(n) for n in names)


def stale(kinds: Sequence[str] = tuple(MAKERS)) -> list[Path]:
    """The committed files of ``kinds`` that differ from what the code makes now (nothing is written)."""
    found = []
    with tempfile.TemporaryDirectory(prefix="gk-dev-") as scratch:
        root = Path(scratch)
        for kind in kinds:
            for fresh in MAKERS[kind](root):
                committed = ROOT / fresh.relative_to(root)
                if not _same(fresh, committed):
                    found.append(committed)
    return found


def regenerate(kinds: Sequence[str] = tuple(MAKERS)) -> list[Path]:
    """Rewrite the committed files of ``kinds`` in place; returns them."""
    return [p for kind in kinds for p in MAKERS[kind](ROOT)]


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m toolkit.dev regenerate [--check] [KIND ...]``; returns the exit code."""
    parser = argparse.ArgumentParser(prog="python -m toolkit.dev", description=msg("dev.help"))
    sub = parser.add_subparsers(dest="command", required=True)
    again = sub.add_parser("regenerate", help=msg("dev.regenerate"))
    again.add_argument("--check", action="store_true", help=msg("dev.check"))
    again.add_argument("kinds", nargs="*", choices=[[], *MAKERS], metavar="KIND", help=msg("dev.kinds"))
    args = parser.parse_args(argv)
    kinds = args.kinds or list(MAKERS)
    if args.check:
        found = stale(kinds)
        for path in found:
            print(msg("dev.stale", path=path.relative_to(ROOT)))
        print(msg("dev.current") if not found else msg("dev.run"))
        return 1 if found else 0
    for path in regenerate(kinds):
        print(msg("dev.written", path=path.relative_to(ROOT)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
