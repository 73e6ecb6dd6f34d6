"""How much of one text another repeats, in linear time: the share of its characters covered by passages of at
least :data:`SHINGLE` characters that also occur in the other, and the longest such passage.

Whitespace is ignored (a repeated paragraph re-wrapped is still repeated). Inputs are capped at :data:`MAX_CHARS`.
"""

from __future__ import annotations

SHINGLE = 12
"""Shortest passage that counts as repeated (shorter runs are common phrases)."""

MAX_CHARS = 50_000
"""Characters compared of each text."""


def _squeeze(text: str) -> str:
    return "".join(text.split())[:MAX_CHARS]


def shingles(text: str, n: int = SHINGLE) -> set[str]:
    """The set of ``n``-character passages of ``text`` (whitespace removed)."""
    s = _squeeze(text)
    return {s[i:i + n] for i in range(len(s) - n + 1)}


def repeated(text: str, other: str | set[str], n: int = SHINGLE) -> tuple[float, str]:
    """(share of ``text`` repeated from ``other``, the longest repeated passage). ``other`` may be its shingles."""
    s = _squeeze(text)
    known = other if isinstance(other, set) else shingles(other, n)
    if len(s) < n or not known:
        return 0.0, ""
    covered = [False] * len(s)
    best, best_at, run_start = 0, 0, -1
    for i in range(len(s) - n + 1):
        if s[i:i + n] in known:
            for j in range(i, i + n):
                covered[j] = True
            if run_start < 0:
                run_start = i
            length = i + n - run_start
            if length > best:
                best, best_at = length, run_start
        else:
            run_start = -1
    return sum(covered) / len(s), s[best_at:best_at + best]
