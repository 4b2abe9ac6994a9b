"""Long-lived objects are frozen out of the cyclic collector's sight, garbage is not."""

from __future__ import annotations

import gc
import weakref

from wowdesk import heap


class Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the cyclic collector frees it


def test_settle_collects_the_garbage_then_freezes_what_lives() -> None:
    dead, alive = Node(), Node()
    gone = weakref.ref(dead)
    del dead
    try:
        heap.settle()
        assert gone() is None  # collected, not frozen for the process's life
        assert gc.get_freeze_count() > 0
        assert not _collectable(alive)  # frozen: full collections skip it
    finally:
        gc.unfreeze()
    assert _collectable(alive)


def _collectable(obj: object) -> bool:
    return any(o is obj for o in gc.get_objects(generation=2))
