"""The folder runs' worker pool (toolkit.pool): every input gets its result, whatever happens to a worker."""

from __future__ import annotations

import os

import pytest

from toolkit import pool

DEADLY = 13


def _square_or_die(chunk: list[int]) -> list[tuple[int, int]]:
    if DEADLY in chunk:
        os._exit(3)  # a crash in a parser: the worker is gone without a word
    return [(n * n, os.getpid()) for n in chunk]


def _square(chunk: list[int]) -> list[tuple[int, int]]:
    return [(n * n, os.getpid()) for n in chunk]


def _raise_on_seven(chunk: list[int]) -> list[tuple[int, int]]:
    if 7 in chunk:
        raise ValueError("bad chunk")
    return [(n * n, os.getpid()) for n in chunk]


def test_a_worker_killed_by_one_input_costs_only_that_input() -> None:
    """An input that kills its worker gets the died() result; every other input still gets its own result."""
    items = list(range(40))
    results = dict(pool.run_chunks(_square_or_die, items, jobs=2, size=4, died=lambda n: (-1, 0),
                                   failed=lambda n, e: (-2, 0)))
    assert sorted(results) == items
    assert results[DEADLY] == (-1, 0)
    assert all(results[n][0] == n * n for n in items if n != DEADLY)


def test_a_chunk_that_raises_marks_only_its_own_inputs() -> None:
    """A chunk whose work raises gives failed() for its inputs; the other chunks are unaffected."""
    results = dict(pool.run_chunks(_raise_on_seven, list(range(20)), jobs=2, size=5, died=lambda n: (-1, 0),
                                   failed=lambda n, e: (-2, 0) if isinstance(e, ValueError) else (-3, 0)))
    seven = next(run for run in pool.chunks(20, 5, 2) if 7 in run)
    assert [results[n][0] for n in seven] == [-2] * len(seven)
    assert all(results[n][0] == n * n for n in range(20) if n not in seven)


def test_workers_that_grow_are_replaced(monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker over the memory mark is retired with its pool: fresh workers take the remaining chunks."""
    monkeypatch.setattr(pool, "RECYCLE_BYTES", 0)
    items = list(range(24))
    results = dict(pool.run_chunks(_square, items, jobs=2, size=2, died=lambda n: (-1, 0),
                                   failed=lambda n, e: (-2, 0)))
    assert all(results[n][0] == n * n for n in items)
    assert len({pid for _, pid in results.values()}) > 2  # more workers than one pool of 2 ever has


def test_chunks_are_small_enough_for_a_short_tail() -> None:
    """About four chunks per worker, never more than 16 inputs in one, never empty."""
    assert pool.chunk_size(1000, 2) == 16 and pool.chunk_size(40, 2) == 5 and pool.chunk_size(3, 2) == 1


def test_the_last_chunks_are_smaller_so_the_workers_finish_together() -> None:
    """Every index once, in order; full chunks first, then smaller ones down to single inputs at the end."""
    runs = pool.chunks(1000, 16, 2)
    assert [i for run in runs for i in run] == list(range(1000))
    sizes = [len(run) for run in runs]
    assert sizes[0] == 16 and sizes[-1] == 1 and sizes == sorted(sizes, reverse=True) and len(runs) < 80
    assert pool.chunks(0, 4, 2) == [] and pool.chunks(3, 1, 2) == [[0], [1], [2]]


def _frozen(chunk: list[int]) -> list[int]:
    import gc

    return [gc.get_freeze_count() for _ in chunk]


def test_a_forked_worker_does_not_collect_what_it_inherited() -> None:
    """Workers fork from a parent whose objects were frozen out of the garbage collector (gc.freeze); the parent
    has them back once the run is over."""
    import gc
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("fork only")
    results = dict(pool.run_chunks(_frozen, list(range(4)), jobs=2, size=2, died=lambda n: -1,
                                   failed=lambda n, e: -2))
    assert all(count > 0 for count in results.values())
    assert gc.get_freeze_count() == 0


def _compile_a_new_pattern(chunk: list[int]) -> list[tuple[int, int]]:
    from toolkit.lazy import compiled

    return [(len(compiled(f"worker-{n}-[0-9]+").findall(f"worker-{n}-42")), os.getpid()) for n in chunk]


def test_patterns_a_worker_compiles_afresh_are_kept_in_the_cache(tmp_path: os.PathLike[str],
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers leave without atexit: what they compiled afresh is still written to the pattern cache."""
    import marshal

    from toolkit import lazy

    monkeypatch.setenv("GK_CACHE_DIR", str(tmp_path))
    results = dict(pool.run_chunks(_compile_a_new_pattern, list(range(6)), jobs=2, size=1, died=lambda n: (-1, 0),
                                   failed=lambda n, e: (-2, 0)))
    assert {n: found for n, (found, _) in results.items()} == dict.fromkeys(range(6), 1)
    with open(lazy.cache_file(), "rb") as f:
        held = marshal.loads(f.read().partition(b"\n")[2])
    assert any(isinstance(key[0], str) and key[0].startswith("worker-") for key in held)
