"""Thread work that a cancellation must not cut loose (the kernel's `to_the_end`)."""

from __future__ import annotations

import threading
import time

import anyio

from wowdesk.db import in_thread


def test_work_runs_to_its_end_when_its_caller_is_already_cancelled() -> None:
    """A closing test client cancels the socket's task while its `finally` writes the
    operator's leave; the write was dropped before its thread even started."""
    done = threading.Event()

    def work() -> None:
        time.sleep(0.05)
        done.set()

    async def main() -> bool:
        with anyio.CancelScope() as scope:
            scope.cancel()  # cancels again at every await inside, as a portal's scope does
            await in_thread(work)
        return scope.cancelled_caught

    assert anyio.run(main)  # the cancellation still reaches the caller …
    assert done.is_set()  # … after the work is done, not instead of it
