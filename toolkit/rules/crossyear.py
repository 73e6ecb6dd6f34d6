"""Rules across two years of the same body's reports (``check --previous``).

``cross_year`` terms name cells of this year's report, or of last year's with a ``prev.`` prefix; a
leading ``-`` negates a term. A rule runs only when last year's report is given and is in one of the
rule's ``previous_formats`` (the 三 table is the same in both formats, so 2020 → 2021 links work).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

from toolkit.data import Number, ReportData, organ_key
from toolkit.messages import msg
from toolkit.normalise import exact_sum
from toolkit.rules.findings import CellRef, Finding
from toolkit.rules.linear import TOLERANCE, foreach_values
from toolkit.rules.registry import RuleContext, rule_type
from toolkit.spec.load import load_spec
from toolkit.spec.models import ReportSpec, RuleSpec

TYPE_CHECKING = False  # not typing's: the check path does not import typing (mypy knows the name)
if TYPE_CHECKING:
    from typing import Any


def parse_term(pattern: str) -> tuple[int, bool, str]:
    """A cross-year term: '-prev.s3.x.y' → (sign -1, previous year True, key 's3.x.y')."""
    sign = -1 if pattern.startswith("-") else 1
    pattern = pattern.lstrip("-")
    previous = pattern.startswith("prev.")
    return sign, previous, pattern.removeprefix("prev.")


def _label(spec: ReportSpec, value: str) -> str:
    """A display label for a foreach value: a column id of 三, a row id of 二（一）, or table.row."""
    if "." in value:
        table_id, row_id = value.split(".", 1)
        return spec.table(table_id).row(row_id).label or value
    for table in spec.tables.values():
        for col in table.columns:
            if col.id == value and table.id == "s3":
                return col.display
        for row in table.rows:
            if row.id == value:
                return row.label or value
    return value


def _applies(rule: RuleSpec, previous: ReportData | None) -> bool:
    return previous is not None and previous.format_id in [str(f) for f in rule.params.get("previous_formats", ())]


SIMILARITY_CHARS = 4000
"""Characters of each text compared for similarity: the comparison is quadratic (two 20 000-character sections
take 9 s, a merged one hours), and a copied text shows in its first pages."""

UNUSABLE = "previous_unusable"
"""``ctx.extra`` key set by :func:`previous_report` when last year's report is not last year's report of this
organ: the cross-year rules then do not run (their findings would be false)."""


def _same_file(a: Path | None, b: Path | None) -> bool:
    if a is None or b is None:
        return False
    try:
        return a.resolve() == b.resolve() or a.samefile(b)
    except OSError:
        return False


def _mismatches(data: ReportData, previous: ReportData) -> Iterator[tuple[str, str, str]]:
    """(instance, what zh, what en) for each way ``previous`` is not last year's report of ``data``'s organ."""
    if _same_file(data.source, previous.source):
        yield "same-file", msg("crossyear.same_file"), msg("crossyear.same_file", "en")
        return
    if data.year is not None and previous.year is not None and previous.year != data.year - 1:
        fields: dict[str, object] = {"year": previous.year, "expected": data.year - 1}
        yield "year", msg("crossyear.wrong_year", **fields), msg("crossyear.wrong_year", "en", **fields)
    if data.organ and previous.organ and organ_key(data.organ) != organ_key(previous.organ):
        fields = {"organ": previous.organ[:60], "expected": data.organ[:60]}
        yield "organ", msg("crossyear.wrong_organ", **fields), msg("crossyear.wrong_organ", "en", **fields)


@rule_type("previous_report")
def previous_report(ctx: RuleContext, rule: RuleSpec) -> Iterator[Finding]:
    """What ``--previous`` gives is last year's report of the same organ, and not this year's file itself;
    otherwise a finding each, and the cross-year rules are not run."""
    previous = ctx.previous
    if previous is None:
        return
    ctx.evaluated += 1
    name = previous.source.name if previous.source else ""
    for instance, what, what_en in _mismatches(ctx.data, previous):
        ctx.extra[UNUSABLE] = True
        yield ctx.finding(rule, cells=[CellRef(f"prev.info.{instance}", name)], instance=instance,
                          expected=None, actual=name, file=name, what=what, what_en=what_en)


@rule_type("cross_year")
def cross_year(ctx: RuleContext, rule: RuleSpec) -> Iterator[Finding]:
    """sum(lhs) == sum(rhs) over this year's and last year's cells, for every expansion of ``foreach``."""
    previous = ctx.previous
    if previous is None or not _applies(rule, previous) or ctx.extra.get(UNUSABLE):
        return
    prev_spec = load_spec(previous.format_id)
    foreach: dict[str, Any] = dict(rule.params.get("foreach") or {})
    names = list(foreach)
    for combo in itertools.product(*[foreach_values(ctx.spec, foreach[n]) for n in names]):
        env = dict(zip(names, combo, strict=True))
        sides: list[Number] = []
        cells: list[CellRef] = []
        usable = True
        for side in ("lhs", "rhs"):
            terms: list[Number] = []
            for pattern in rule.params[side]:
                sign, is_prev, key = parse_term(str(pattern).format(**env))
                data, spec = (previous, prev_spec) if is_prev else (ctx.data, ctx.spec)
                cv = data.values.get(key)
                if key not in spec.cells or cv is None or not cv.usable:
                    usable = False
                    break
                terms.append(sign * cv.as_number)
                label = spec.cells[key].label
                cells.append(CellRef(("prev." if is_prev else "") + key,
                                     f"上年 {label}" if is_prev else label, None if is_prev else cv.location))
            sides.append(exact_sum(terms))
        if not usable:
            continue
        ctx.evaluated += 1
        left, right = sides
        if abs(left - right) > TOLERANCE:
            labels = {n: _label(ctx.spec, v) for n, v in env.items()}
            yield ctx.finding(rule, cells=cells, instance=",".join(combo), expected=right, actual=left,
                              lhs=left, rhs=right, diff=abs(exact_sum([left, -right])), **labels)


@rule_type("narrative_similarity")
def narrative_similarity(ctx: RuleContext, rule: RuleSpec) -> Iterator[Finding]:
    """Each listed narrative section differs enough from last year's (similarity below ``at_least``)."""
    previous = ctx.previous
    if previous is None or ctx.extra.get(UNUSABLE):
        return
    import difflib  # only with last year's report: a one-file check does not import it

    threshold = float(rule.params["at_least"])
    for section_id in rule.params["sections"]:
        now, before = ctx.data.text(section_id).strip(), previous.text(section_id).strip()
        if len(now) < 50 or len(before) < 50:
            continue
        ctx.evaluated += 1
        ratio = difflib.SequenceMatcher(None, now[:SIMILARITY_CHARS], before[:SIMILARITY_CHARS],
                                        autojunk=False).ratio()
        if ratio >= threshold:
            tv = ctx.data.texts.get(section_id)
            section = ctx.spec.section(section_id)
            yield ctx.finding(rule, cells=[CellRef(f"text.{section_id}", section.title, tv.location if tv else None)],
                              instance=section_id, expected=f"< {threshold:.0%}", actual=f"{ratio:.0%}",
                              section=section.title, ratio=f"{ratio:.0%}")
