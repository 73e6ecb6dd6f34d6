"""One file's check: read a workbook (or import a published report), run the format's rules, write the
highlighted copy. :mod:`toolkit.api` offers these as its ``check_file`` and ``read``; the folder runner
(:mod:`toolkit.batch`) and the merge (:mod:`toolkit.merge`) call them here, below the front door.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from pathlib import Path

from toolkit.data import ReportData, organ_key
from toolkit.rules.findings import CheckResult

TYPE_CHECKING = False  # not typing's: the check path does not import typing (mypy knows the name)
if TYPE_CHECKING:
    from toolkit.desk.rulesfile import OfficeRules
    from toolkit.spec.models import ReportSpec
    from toolkit.workbook.book import Book

REPORT_SUFFIXES = frozenset({".txt", ".html", ".htm", ".docx", ".md"})
"""Published-report files that ``check`` and ``report`` import before use."""


def valid_skips() -> tuple[list[str], list[str]]:
    """What ``skip`` may name: the finding codes and the rule ids of every format (each sorted)."""
    from toolkit.spec.load import available_formats, load_spec
    from toolkit.untrusted import CONTROL_CHAR_CODE

    codes, ids = {CONTROL_CHAR_CODE}, set()
    for fid in available_formats():
        for rule in load_spec(fid).rules:
            ids.add(rule.id)
            if rule.code:
                codes.add(rule.code)
    return sorted(codes), sorted(ids)


def check_skips(skip: Collection[str]) -> None:
    """Raise :class:`toolkit.errors.ToolkitError` (exit 2) naming the first unknown entry of ``skip`` and
    listing the valid ones."""
    if not skip:
        return  # nothing to look up: no format needs loading for it
    from toolkit.errors import ToolkitError
    from toolkit.messages import msg

    codes, ids = valid_skips()
    for value in skip:
        if value not in codes and value not in ids:
            raise ToolkitError(msg("cli.skip.unknown", value=value, codes="、".join(codes), ids="、".join(ids)))


def read(path: Path, *, format_id: str | None = None) -> ReportData:
    """Read a filled workbook — or import a published report (.txt/.html/.docx) — into report data."""
    path = Path(path)
    if path.suffix.lower() in REPORT_SUFFIXES:
        from toolkit.importer import import_report

        return import_report(path, format_id=format_id).data
    from toolkit.workbook import read_workbook

    return read_workbook(path, format_id=format_id)


def check_read(data: ReportData, book: Book | None = None, *, spec: ReportSpec | None = None,
               skip: Collection[str] = (), previous: ReportData | None = None) -> CheckResult:
    """The findings on ``data`` as ``check`` gives them: the format's rules (``spec``: the format as an office's
    rules file changed it), the 说明 a workbook's unit wrote for its warnings (read from ``book`` only when a
    warning needs them), and control characters in any text. ``check_file`` and the merge both check this way, so
    a unit's counts are the same wherever they are shown."""
    from toolkit.rules.engine import check_data
    from toolkit.spec.load import load_spec
    from toolkit.untrusted import CONTROL_CHAR_CODE, control_char_findings

    explanations = None
    if book is not None:  # read only when a warning needs its 说明 (check_data calls it then)
        from functools import partial

        from toolkit.desk.explanations import read_explanations

        explanations = partial(read_explanations, book, spec or load_spec(data.format_id))
    result = check_data(data, spec, skip=skip, previous=previous, explanations=explanations)
    if CONTROL_CHAR_CODE not in skip:
        result.findings.extend(control_char_findings(data, load_spec(data.format_id)))
    return result


def check_file(
    path: Path,
    *,
    format_id: str | None = None,
    annotate: bool = True,
    output: Path | None = None,
    skip: Collection[str] = (),
    lang: str = "zh",
    previous: Path | Mapping[str, Path] | None = None,
    overwrite: bool = False,
    protect: Collection[Path] = (),
    rules: OfficeRules | Path | None = None,
) -> CheckResult:
    """Read and check one workbook (or published report); write the highlighted copy unless ``annotate`` is off.

    The copy goes to ``output`` or beside the input as ``<name>.校验.xlsx``; the input is never modified.
    ``previous`` is last year's workbook of the same body, or a mapping organ name → last year's workbook
    (folder mode: units are matched by organ name); it enables the cross-year rules. ``rules`` is the office's
    rules file (or its loaded form, :class:`toolkit.desk.rulesfile.OfficeRules`): rules off, levels, thresholds.
    Raises :class:`toolkit.errors.ToolkitError` only when the input cannot be used at all. A copy that cannot
    be written does not lose the check: the result comes back with the reason in ``copy_error``.
    A published report (.txt/.html/.docx/.md) gets no copy (it has no cells to mark): ``output`` for one is an
    :class:`~toolkit.errors.OutputError` before anything is read. The file is read once: the copy is made from the
    bytes checked. An ``output`` that exists is replaced only
    with ``overwrite`` (the default copy name always is); the copy is never the input, last year's workbook or
    one of ``protect``. An unknown entry in ``skip`` is an error listing the valid ones.
    """
    from toolkit.spec.load import load_spec

    path = Path(path)
    check_skips(skip)
    workbook = path.suffix.lower() not in REPORT_SUFFIXES
    if output is not None and annotate and not workbook:
        from toolkit.errors import OutputError
        from toolkit.messages import msg

        raise OutputError(msg("check.report_copy"), path=path)
    package = book = None
    if workbook:
        from toolkit.workbook import read_workbook
        from toolkit.workbook.book import Book
        from toolkit.workbook.safety import open_package

        package = open_package(path, lazy=not annotate)  # the copy reads parts past Package.read: scan them all
        book = Book(package)
        data = read_workbook(path, format_id=format_id, book=book)
    else:
        data = read(path, format_id=format_id)
    if isinstance(previous, Mapping):
        previous = previous.get(organ_key(data.organ))
    previous_data = read(Path(previous)) if previous is not None else None
    spec = None
    if rules is not None:
        from toolkit.desk.rulesfile import OfficeRules, load_rules_file

        office = rules if isinstance(rules, OfficeRules) else load_rules_file(Path(rules))
        spec = office.apply(load_spec(data.format_id))
    result = check_read(data, book, spec=spec, skip=skip, previous=previous_data)
    if annotate and package is not None:
        from toolkit.annotate import annotate_workbook
        from toolkit.errors import ToolkitError

        others = [*protect, *([Path(previous)] if previous is not None else [])]
        try:
            result.annotated = annotate_workbook(path, result, output, lang=lang, package=package, protect=others,
                                                 overwrite=overwrite or output is None)
        except ToolkitError as exc:
            result.copy_error = exc  # the findings are not lost with the copy
    return result
