"""The corpus suite: tests that read the real reports and the formats transcription outside the repository.

Where the corpus is absent every test here is skipped from this one place, so pytest's summary shows a single
line with the reason (and under CI=true the run fails before any test starts: see tests/conftest.py).
Find the corpus through ``support.REFERENCE`` (``$GK_REFERENCE``, default ``../shared/reference``), and read it
inside the tests, never at import: a module that reads it while being collected breaks the run where it is absent.
"""

from __future__ import annotations

import pytest
from support import corpus_missing, in_ci


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Skip a corpus test, with the one reason, when the corpus is not where GK_REFERENCE points (fail: CI=true)."""
    missing = corpus_missing()
    if missing and in_ci():
        pytest.fail(f"CI=true and the corpus suite cannot run: {missing}", pytrace=False)
    if missing:
        pytest.skip(f"corpus suite not run: {missing}")
