"""The serving process's garbage collector (bot.runtime.settle_garbage_collector)."""

from __future__ import annotations

import gc
import weakref

from bot.runtime import GC_OLDER_THRESHOLD, GC_YOUNG_THRESHOLD, settle_garbage_collector


class Node:
    def __init__(self) -> None:
        self.me: Node | None = None


def test_after_start_up_the_collector_leaves_what_exists_alone_runs_less_often_and_still_frees_cycles() -> None:
    threshold = gc.get_threshold()
    try:
        settle_garbage_collector()
        assert gc.get_freeze_count() > 0  # start-up's objects are no longer scanned
        assert gc.get_threshold() == (GC_YOUNG_THRESHOLD, GC_OLDER_THRESHOLD, GC_OLDER_THRESHOLD)
        assert threshold[0] < GC_YOUNG_THRESHOLD
        cycle = Node()
        cycle.me = cycle
        gone = weakref.ref(cycle)
        del cycle
        gc.collect()
        assert gone() is None  # a cycle made while serving is still collected
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
