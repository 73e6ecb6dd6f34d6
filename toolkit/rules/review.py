"""The checks evaluators score (年报质量 reviews) that are about one report: leftover template text, the 条例's
citation, 统计期限 naming another year, year-on-year jumps, narrative repeating last year's, a page published late.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Iterator

from toolkit.lazy import compiled as compiled_pattern
from toolkit.lazy import pattern as lazy_pattern
from toolkit.rules.crossyear import UNUSABLE
from toolkit.rules.findings import CellRef, Finding
from toolkit.rules.registry import RuleContext, rule_type
from toolkit.rules.similarity import repeated
from toolkit.rules.tableview import compiled
from toolkit.spec.load import load_spec
from toolkit.spec.models import ReportSpec, RuleSpec

TYPE_CHECKING = False  # not typing's: the check path does not import typing (mypy knows the name)
if TYPE_CHECKING:
    import datetime as dt

LEFTOVERS = (
    r"(?<![A-Za-z])[XxＸｘ]{2,}(?![A-Za-z])", r"[×＊*]{2,}", r"…{2,}|\.{6,}|。{3,}", r"20[XxＸｘ]{2}",
    r"待补充|待填写|待完善|此处填写|TODO|某某",
)
"""What a template or draft leaves behind (used when a rule lists no ``patterns``)."""
_CLAUSE_END = lazy_pattern(r"[，。；：、]")
_SENTENCE_END = lazy_pattern(r"[。；;]")
_AFTER_SENTENCE = lazy_pattern(r"(?<=[。；;！？\n])")
_YEAR = lazy_pattern(r"((?:19|20)\d\d)\s*年")
_CITATION = lazy_pattern(r"国务院令\s*(?:第\s*)?([0-9０-９]{1,5})\s*号")


def _text_ref(ctx: RuleContext, section_id: str) -> CellRef:
    tv = ctx.data.texts.get(section_id)
    return CellRef(f"text.{section_id}", ctx.spec.section(section_id).title, tv.location if tv else None)


def _excerpt(text: str, start: int, end: int, around: int = 12) -> str:
    return ("…" if start > around else "") + text[max(0, start - around):end + around] + (
        "…" if end + around < len(text) else "")


def _leftovers(spec: ReportSpec) -> Callable[[RuleSpec], tuple[list[re.Pattern[str]], list[str]]]:
    """What a leftover_text rule looks for: its compiled patterns, and the prompts' phrases long enough to quote."""

    def derive(rule: RuleSpec) -> tuple[list[re.Pattern[str]], list[str]]:
        chunk = int(rule.params.get("prompt_chars", 12))
        prompts = [s.prompt for s in spec.text_sections if s.prompt]
        pieces = [p for prompt in prompts for p in _CLAUSE_END.split(prompt) if len(p) >= chunk]
        return [compiled_pattern(str(p)) for p in rule.params.get("patterns", LEFTOVERS)], pieces

    return derive


@rule_type("leftover_text")
def leftover_text(ctx: RuleContext, rule: RuleSpec) -> Iterator[Finding]:
    """No narrative section holds placeholders (XX, ××, ……, 待补充, 20XX) or a sentence of the template's prompts."""
    patterns, pieces = compiled(ctx.spec).derived("leftover_text", rule, _leftovers(ctx.spec))
    for section in ctx.spec.text_sections:
        text = ctx.data.text(section.id)[:100_000]
        if not text.strip():
            continue
        ctx.evaluated += 1
        hits: list[tuple[int, int]] = []
        for pattern in patterns:
            hits += [(m.start(), m.end()) for m in pattern.finditer(text)]
        for piece in pieces:
            if piece in text:
                at = text.index(piece)
                hits.append((at, at + len(piece)))
        for start, end in sorted(set(hits))[:5]:
            yield ctx.finding(rule, cells=[_text_ref(ctx, section.id)], instance=f"{section.id}:{start}",
                              actual=text[start:end], section=section.title, found=text[start:end],
                              excerpt=_excerpt(text, start, end))


def _ends(word: str, text: str) -> Iterator[int]:
    """Where each occurrence of ``word`` in ``text`` ends, left to right, none overlapping (``re.finditer`` of
    the escaped word, without compiling it)."""
    at = text.find(word)
    while at >= 0 and word:
        yield at + len(word)
        at = text.find(word, at + len(word))


@rule_type("statute_citation")
def statute_citation(ctx: RuleContext, rule: RuleSpec) -> Iterator[Finding]:
    """Where the narrative cites the ``statute`` with a 国务院令 number (within ``near`` characters after its name,
    in the same sentence), the number is ``order``."""
    statute, order, near = str(rule.params["statute"]), int(rule.params["order"]), int(rule.params.get("near", 20))
    citation = _CITATION
    for section in ctx.spec.text_sections:
        text = ctx.data.text(section.id)[:100_000]
        if statute not in text:
            continue
        ctx.evaluated += 1
        for at in _ends(statute, text):
            window = _SENTENCE_END.split(text[at:at + near + 12], maxsplit=1)[0]
            m = citation.search(window)
            if m is None or m.start() > near:
                continue
            number = int(m.group(1).translate(str.maketrans("０１２３４５６７８９", "0123456789")))
            if number != order:
                yield ctx.finding(rule, cells=[_text_ref(ctx, section.id)], instance=f"{section.id}:{at}",
                                  expected=f"国务院令第{order}号", actual=m.group(0), section=section.title,
                                  found=m.group(0), order=order)


@rule_type("period_year")
def period_year(ctx: RuleContext, rule: RuleSpec) -> Iterator[Finding]:
    """A sentence naming the statistics period (统计期限 …) names the report's year and no other."""
    year = ctx.data.year
    if year is None:
        return
    words = [str(w) for w in rule.params.get("words", ("统计期限", "统计期间", "统计时限", "统计时段"))]
    for section in ctx.spec.text_sections:
        text = ctx.data.text(section.id)[:100_000]
        for sentence in _AFTER_SENTENCE.split(text):
            if not any(w in sentence for w in words):
                continue
            ctx.evaluated += 1
            named = {int(y) for y in _YEAR.findall(sentence)}
            wrong = sorted(named - {year})
            if wrong:
                yield ctx.finding(rule, cells=[_text_ref(ctx, section.id)], instance=f"{section.id}:{wrong[0]}",
                                  expected=f"{year}年", actual=f"{wrong[0]}年", section=section.title,
                                  sentence=sentence.strip()[:80], year=year, other=wrong[0])


@rule_type("yoy_jump")
def yoy_jump(ctx: RuleContext, rule: RuleSpec) -> Iterator[Finding]:
    """Each figure matching ``cells`` is within ``low``…``high`` times last year's when that was at least ``base``
    (a zero where last year had ``base`` or more is reported as such)."""
    previous = ctx.previous
    if previous is None or ctx.extra.get(UNUSABLE):
        return
    prev_spec = load_spec(previous.format_id)
    base, high, low = float(rule.params["base"]), float(rule.params["high"]), float(rule.params["low"])
    patterns = [str(p) for p in rule.params["cells"]]
    for key, cell in ctx.spec.cells.items():
        if not any(fnmatch.fnmatchcase(key, p) for p in patterns) or key not in prev_spec.cells:
            continue
        now, before = ctx.data.values.get(key), previous.values.get(key)
        if now is None or before is None or not now.usable or not before.usable:
            continue
        ctx.evaluated += 1
        a, b = now.as_number, before.as_number
        if b < base or low * b <= a <= high * b:
            continue
        kind = "为零" if a == 0 else ("骤增" if a > b else "骤减")
        yield ctx.finding(rule, cells=[ctx.cell(key)], instance=key, expected=b, actual=a, cell=cell.label,
                          now=a, before=b, kind=kind, factor=f"{a / b:.1f}")


@rule_type("narrative_repeat")
def narrative_repeat(ctx: RuleContext, rule: RuleSpec) -> Iterator[Finding]:
    """The narrative (``sections`` together) repeats less than ``at_least`` of itself from last year's report."""
    previous = ctx.previous
    if previous is None or ctx.extra.get(UNUSABLE):
        return
    sections = [str(s) for s in rule.params.get("sections", [s.id for s in ctx.spec.text_sections])]
    now = "\n".join(ctx.data.text(s) for s in sections)
    before = "\n".join(previous.text(s) for s in sections)
    if len(now.strip()) < int(rule.params.get("min_chars", 100)) or not before.strip():
        return
    ctx.evaluated += 1
    ratio, passage = repeated(now, before)
    threshold = float(rule.params["at_least"])
    if ratio >= threshold:
        yield ctx.finding(rule, cells=[_text_ref(ctx, sections[0])], instance="narrative",
                          expected=f"< {threshold:.0%}", actual=f"{ratio:.0%}", ratio=f"{ratio:.0%}",
                          passage=passage[:60] + ("…" if len(passage) > 60 else ""), length=len(passage))


@rule_type("published_late")
def published_late(ctx: RuleContext, rule: RuleSpec) -> Iterator[Finding]:
    """An imported web page published no later than 31 January after the report year: by its
    ``<meta name="PubDate">``, else by the one 发布时间/发布日期 the page shows (:func:`page_published`)."""
    source, year = ctx.data.source, ctx.data.year
    if source is None or year is None or source.suffix.lower() not in (".html", ".htm"):
        return
    found = page_published(source)
    if found is None:
        return
    published, how = found
    ctx.evaluated += 1
    import datetime as dt  # only for a saved web page: a workbook's check does not import it

    deadline = dt.date(year + 1, int(rule.params.get("month", 1)), int(rule.params.get("day", 31)))
    if published > deadline:
        from toolkit.messages import msg

        yield ctx.finding(rule, instance="pubdate", expected=deadline.isoformat(), actual=published.isoformat(),
                          published=published.isoformat() + msg(f"review.pubdate.{how}"),
                          deadline=deadline.isoformat())


_PUBDATE = lazy_pattern(r"""<meta\s[^>]{0,200}?name\s*=\s*["']?PubDate["']?[^>]{0,200}?>""", re.IGNORECASE)
_CONTENT = lazy_pattern(r"""content\s*=\s*["']?\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})""", re.IGNORECASE)
_SHOWN = lazy_pattern(r"(?:发布(?:时间|日期)|发布于)\s*[:：]?\s*"
                      r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
"""The publication date a page shows beside its title (发布时间：2022-01-26 11:27, 发布日期：2021年1月30日)."""
_TAG = lazy_pattern(r"<[^>]{0,2000}>|&nbsp;|&#160;")


def page_date(path: object) -> dt.date | None:
    """The date a saved web page was published (:func:`page_published`), or None."""
    found = page_published(path)
    return found[0] if found is not None else None


def page_published(path: object) -> tuple[dt.date, str] | None:
    """(the date a saved web page was published, how it was read) from the first 256 KB of the page: its
    ``PubDate`` meta ("meta"), else the 发布时间/发布日期 shown on it ("shown") when the page shows one date so
    (a page listing related articles, each with its own date, is not read: which one is the report's is not
    known); None when neither says."""
    from pathlib import Path

    from toolkit.importer.document import decode

    try:
        with Path(str(path)).open("rb") as fh:
            head = decode(fh.read(256 * 1024), html=True)
    except OSError:
        return None
    tag = _PUBDATE.search(head)
    found = _CONTENT.search(tag.group(0)) if tag else None
    if found is not None:
        return _date(found.groups(), "meta")
    text = " ".join(_TAG.sub(" ", head).split())
    shown = {_date(m.groups(), "shown") for m in _SHOWN.finditer(text)} - {None}
    return shown.pop() if len(shown) == 1 else None


def _date(parts: tuple[str | object, ...], how: str) -> tuple[dt.date, str] | None:
    import datetime as dt

    try:
        return dt.date(int(str(parts[0])), int(str(parts[1])), int(str(parts[2]))), how
    except ValueError:
        return None
