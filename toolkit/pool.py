"""Worker processes for the folder runs (``check`` of a folder, ``merge``): chunks of inputs over all cores.

Workers are forked from the parent after it has imported the toolkit and parsed the format specs (:func:`warm`),
so a worker starts in milliseconds with nothing left to import or parse, and shares those pages with the parent.
Fork, not forkserver or spawn: those re-import the caller's ``__main__`` in every worker (a script without an
``if __name__ == "__main__"`` guard would start the run again in each) and pay the imports once more.

A worker that dies (out of memory, a crash in a parser) takes only its chunks with it: their inputs are run
again one by one, and an input that kills a worker again is run in a process of its own; if that dies too,
``died(item)`` stands for its result. Each chunk's reply carries the worker's resident memory; when a worker has
grown past :data:`RECYCLE_BYTES` its pool is drained and replaced, so memory stays flat over any number of inputs.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import sys
from collections import deque
from collections.abc import Callable, Iterator, Sequence

TYPE_CHECKING = False  # not typing's: the folder run's parent does not import typing (mypy knows the name)
if TYPE_CHECKING:
    from typing import Any, TypeVar

    T = TypeVar("T")
    R = TypeVar("R")

MB = 1024 * 1024
RECYCLE_BYTES = 160 * MB
"""A worker whose resident memory exceeds this after a chunk is retired (with its pool) and replaced."""
IN_FLIGHT = 2
"""Chunks per worker handed out at once: enough that a worker never waits, few enough that a death costs little."""


WARM_MODULES = ("toolkit.api", "toolkit.rules.engine", "toolkit.desk.explanations", "toolkit.untrusted",
                "toolkit.workbook.by_names", "toolkit.workbook.by_labels", "toolkit.workbook.cells",
                "toolkit.workbook.safety")
"""What every check and merge imports (lazily, inside functions): imported once in the parent before the fork.
A name that does not exist (any more) is passed over."""


def warm(modules: Sequence[str] = ()) -> None:
    """Import :data:`WARM_MODULES` and ``modules`` and parse the format specs, once per process (then a no-op)."""
    import importlib

    from toolkit.spec.load import FORMAT_IDS, load_spec

    for name in (*WARM_MODULES, *modules):
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    for format_id in FORMAT_IDS:
        load_spec(format_id)


def context(modules: Sequence[str] = ()) -> Any:
    """The start method: fork where there is one (Linux, macOS), after :func:`warm`; else spawn (Windows)."""
    if "fork" in multiprocessing.get_all_start_methods():
        warm(modules)
        if sys.platform.startswith("linux"):
            with contextlib.suppress(ImportError):
                import ctypes  # noqa: F401  (for _worker_init's prctl: imported once here, not in every worker)
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _worker_init(modules: Sequence[str]) -> None:
    """In each worker: die with the process that started it (Linux), so a killed run leaves no workers behind."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):
            import ctypes
            import signal

            ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    warm(modules)  # a no-op in a forked worker (all inherited); spawn pays it once per worker


def resident_bytes() -> int:
    """This process's resident memory (0 where /proc is not available)."""
    with contextlib.suppress(OSError, ValueError, IndexError), open("/proc/self/statm", "rb") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    return 0


def _run(work: Callable[[list[T]], list[R]], chunk: list[T]) -> tuple[int, list[R]]:
    results = work(chunk)
    lazy = sys.modules.get("toolkit.lazy")
    if lazy is not None:  # a worker leaves without atexit: the patterns it compiled afresh are kept for later runs
        lazy.save()  # (nothing is written when nothing is new)
    return resident_bytes(), results


def chunk_size(count: int, jobs: int, *, largest: int = 16) -> int:
    """Inputs per chunk: about four chunks per worker for a short tail, at most ``largest`` (~0.3 s of work)."""
    return max(1, min(largest, count // (jobs * 4)))


def chunks(count: int, size: int, jobs: int) -> list[list[int]]:
    """The indexes ``0 … count-1`` in runs of ``size``, the last runs smaller (down to one input) so that the
    workers finish together instead of one idling while another works through a whole last chunk."""
    runs, start = [], 0
    while start < count:
        step = max(1, min(size, (count - start) // (jobs * 2)))
        runs.append(list(range(start, start + step)))
        start += step
    return runs


def run_chunks(
    work: Callable[[list[T]], list[R]],
    items: Sequence[T],
    *,
    jobs: int,
    size: int,
    died: Callable[[T], R],
    failed: Callable[[T, BaseException], R],
    modules: Sequence[str] = (),
) -> Iterator[tuple[int, R]]:
    """(index, result) for every item, ``work`` run over chunks of ``size`` (smaller at the end: :func:`chunks`) in
    ``jobs`` processes, in any order.

    ``work`` is a module-level function (it is pickled by name) mapping a list of items to their results.
    ``failed(item, error)`` is the result of each item of a chunk whose ``work`` raised; ``died(item)`` that of an
    item that killed its worker even alone. ``modules``: what ``work`` imports beyond :data:`WARM_MODULES`.
    """
    import gc

    ctx = context(modules)
    forked = ctx.get_start_method() == "fork"
    if forked:
        gc.freeze()  # see below
    try:
        yield from _run_all(work, items, jobs, size, died, failed, modules, ctx)
    finally:
        if forked:
            gc.unfreeze()


def _run_all(work: Callable[[list[T]], list[R]], items: Sequence[T], jobs: int, size: int, died: Callable[[T], R],
             failed: Callable[[T, BaseException], R], modules: Sequence[str], ctx: Any) -> Iterator[tuple[int, R]]:
    """:func:`run_chunks`' loop. While it runs, what the parent held when it began is out of the garbage
    collector's sight (:func:`gc.freeze`, as the gc documentation advises before forking workers): a worker's
    collections do not walk the modules and specs it inherited (a third less time in the collector per unit) nor
    copy the pages they sit on. The parent takes them back (:func:`gc.unfreeze`) when the run ends."""
    from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    queue: deque[list[int]] = deque(chunks(len(items), size, jobs))
    suspects: set[int] = set()
    while queue:
        broken: list[list[int]] = []
        retire = False
        with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_worker_init,
                                 initargs=(modules,)) as pool:
            running: dict[Future[tuple[int, list[R]]], list[int]] = {}
            while (queue or running) and not broken:
                while queue and len(running) < IN_FLIGHT * jobs and not retire:
                    idxs = queue.popleft()
                    if len(idxs) == 1 and idxs[0] in suspects:
                        yield idxs[0], _alone(work, items[idxs[0]], ctx, died, modules)
                        continue
                    try:
                        running[pool.submit(_run, work, [items[i] for i in idxs])] = idxs
                    except BrokenProcessPool:  # a worker died before this chunk could be handed out
                        queue.appendleft(idxs)
                        break
                if not running:
                    break
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                if any(isinstance(f.exception(), BrokenProcessPool) for f in done):
                    done, _ = wait(running)
                for fut in done:
                    idxs = running.pop(fut)
                    error = fut.exception()
                    if isinstance(error, BrokenProcessPool):
                        broken.append(idxs)
                    elif error is not None:
                        for i in idxs:
                            yield i, failed(items[i], error)
                    else:
                        rss, results = fut.result()
                        retire = retire or rss > RECYCLE_BYTES
                        yield from zip(idxs, results, strict=True)
        for idxs in reversed(broken):
            if len(idxs) == 1:
                suspects.add(idxs[0])
            queue.extendleft([i] for i in reversed(idxs))


def _alone(work: Callable[[list[T]], list[R]], item: T, ctx: Any, died: Callable[[T], R],
           modules: Sequence[str]) -> R:
    """``work`` on ``item`` alone in a fresh process: the way to tell which input killed a worker."""
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    with ProcessPoolExecutor(max_workers=1, mp_context=ctx, initializer=_worker_init, initargs=(modules,)) as pool:
        try:
            return pool.submit(_run, work, [item]).result()[1][0]
        except BrokenProcessPool:
            return died(item)
