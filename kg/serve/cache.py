"""Answers kept for the build they were computed on: a loaded build never changes, so the same query
(same text, dataset and format) on the same build gives the same bytes.

The cache holds at most ``budget`` bytes of answers, dropping the least recently used first; an
answer larger than half the budget is not kept. Identical requests that arrive while the
first is being answered wait for it instead of running the query again (so fifty clients asking the
same question run it once); when that computation fails (a time limit), the requests that waited on
it get the same error, and it is not kept: the next request runs the query again.
Keys name the build's generation, so a reloaded build never answers from the old one's answers.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

#: An answer as sent: the body and its media type.
Entry = tuple[bytes, str]


class AnswerCache:
    """A bounded, thread-safe cache of answers with one computation per key at a time.

    Args:
        budget: Bytes of answers kept (0: nothing is kept; requests still share a running computation).
    """

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self._entries: OrderedDict[Hashable, Entry] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self._running: dict[Hashable, threading.Event] = {}
        self._failed: dict[Hashable, BaseException] = {}
        self.hits = 0
        self.misses = 0

    def get_or_make(self, key: Hashable, make: Callable[[], Entry]) -> Entry:
        """The answer for ``key``: kept, or made once (others asking meanwhile wait for it)."""
        while True:
            with self._lock:
                if key in self._entries:
                    self._entries.move_to_end(key)
                    self.hits += 1
                    return self._entries[key]
                running = self._running.get(key)
                if running is None:
                    self._running[key] = threading.Event()
                    self.misses += 1
                    break
            running.wait()
            with self._lock:
                if key in self._entries:
                    self._entries.move_to_end(key)
                    self.hits += 1
                    return self._entries[key]
                failed = self._failed.get(running)  # type: ignore[call-overload]
            if failed is not None:
                raise failed
            # The first answer was too large to keep: compute it ourselves.
            return make()
        event = self._running[key]
        try:
            entry = make()
            self._keep(key, entry)
            return entry
        except Exception as exc:
            with self._lock:
                self._failed[event] = exc  # type: ignore[index]
            # Forgotten once the waiters have read it (they woke when the event was set below).
            threading.Timer(5.0, lambda: self._failed.pop(event, None)).start()  # type: ignore[call-overload]
            raise
        finally:
            with self._lock:
                self._running.pop(key).set()

    def _keep(self, key: Hashable, entry: Entry) -> None:
        size = len(entry[0])
        if self.budget <= 0 or size > self.budget // 2:
            return
        with self._lock:
            self._entries[key] = entry
            self._size += size
            while self._size > self.budget and self._entries:
                _, dropped = self._entries.popitem(last=False)
                self._size -= len(dropped[0])
