"""Supervisor side 雷同: two units whose narratives are near-identical (one copied the other, or both a model
text). Each pair over the threshold with the share repeated and the longest shared passage. Linear per pair
(shingle sets, :mod:`toolkit.rules.similarity`), so 60 units (1,770 pairs) take well under a second.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from toolkit.rules.similarity import repeated, shingles

DEFAULT_AT_LEAST = 0.8
"""Default share of a narrative found in another unit's above which the pair is shown."""

MIN_CHARS = 100
"""Narratives shorter than this are not compared (无, a line or two)."""


@dataclass(frozen=True)
class SimilarPair:
    """Two units' narratives that are near-identical."""

    first: str
    second: str
    ratio: float
    """The larger of the two shares (of first found in second, of second in first)."""
    passage: str
    """The longest shared passage."""


def similar_units(narratives: Mapping[str, str], *, at_least: float = DEFAULT_AT_LEAST) -> list[SimilarPair]:
    """Pairs of units (name → narrative) whose narratives repeat each other at least ``at_least``."""
    names: Sequence[str] = [n for n, t in narratives.items() if len("".join(t.split())) >= MIN_CHARS]
    sets = {n: shingles(narratives[n]) for n in names}
    pairs = []
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            small, large = sorted((sets[a], sets[b]), key=len)
            if not small or len(small & large) / len(small) < at_least * 0.8:  # a cheap bound first
                continue
            ratio_a, passage_a = repeated(narratives[a], sets[b])
            ratio_b, passage_b = repeated(narratives[b], sets[a])
            ratio = max(ratio_a, ratio_b)
            if ratio >= at_least:
                pairs.append(SimilarPair(a, b, ratio, max(passage_a, passage_b, key=len)))
    return sorted(pairs, key=lambda p: -p.ratio)
