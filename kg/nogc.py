"""Python's cyclic garbage collector paused while millions of small objects are built."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector: building millions of tuples or lists of strings (the rules'
    facts, a table's rows) otherwise triggers full collections again and again (they hold no cycles,
    so nothing is lost)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
