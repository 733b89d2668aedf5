"""Answers kept for the build they were computed on: a loaded build never changes, so the same query
(same text, dataset and format) on the same build gives the same bytes.

The cache holds at most ``budget`` bytes, counting everything an entry keeps: its body, its media
type, its key and :data:`ENTRY_OVERHEAD` bytes of bookkeeping. A key is kept as a SHA-256 digest of
what names the answer, never as the query text itself (40 distinct 4 MB queries once added 620 MB
that were never freed: the old cache counted answer bytes but kept every query text as a key). The
least recently used entries are dropped first; an answer larger than half the budget is not kept.
Identical requests that arrive while the first is being answered wait for it instead of running the
query again (so fifty clients asking the same question run it once); when that computation fails (a
time limit), the requests that waited on it get the same error, and it is not kept: the next request
runs the query again. Keys name the build's generation, so a reloaded build never answers from the
old one's answers.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

#: An answer as sent: the body and its media type.
Entry = tuple[bytes, str]
#: Bytes counted per entry beyond its body, media type and key (the dictionary's and tuples' own).
ENTRY_OVERHEAD = 256


def digest(key: Hashable) -> bytes:
    """The key an entry is kept under: a SHA-256 digest of ``repr(key)`` (32 bytes, whatever the key holds)."""
    return hashlib.sha256(repr(key).encode("utf-8", "surrogatepass")).digest()


class _Computation:
    """One answer being made; those who wait for it read its error when it failed."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.error: BaseException | None = None


class AnswerCache:
    """A bounded, thread-safe cache of answers with one computation per key at a time.

    Args:
        budget: Bytes kept, all counted (0: nothing is kept; requests still share a running computation).
    """

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self._entries: OrderedDict[bytes, Entry] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self._running: dict[bytes, _Computation] = {}
        self.hits = 0
        self.misses = 0

    @property
    def size(self) -> int:
        """Bytes held now, as counted against the budget."""
        return self._size

    def __len__(self) -> int:
        return len(self._entries)

    @staticmethod
    def cost(entry: Entry) -> int:
        """The bytes an entry counts for."""
        return len(entry[0]) + len(entry[1]) + 32 + ENTRY_OVERHEAD

    def peek(self, key: Hashable) -> Entry | None:
        """The kept answer for ``key`` (counted as a hit), or None without waiting for anything."""
        name = digest(key)
        with self._lock:
            entry = self._entries.get(name)
            if entry is not None:
                self._entries.move_to_end(name)
                self.hits += 1
            return entry

    def get_or_make(self, key: Hashable, make: Callable[[], Entry]) -> Entry:
        """The answer for ``key``: kept, or made once (others asking meanwhile wait for it)."""
        name = digest(key)
        with self._lock:
            if name in self._entries:
                self._entries.move_to_end(name)
                self.hits += 1
                return self._entries[name]
            running = self._running.get(name)
            if running is None:
                mine = self._running[name] = _Computation()
                self.misses += 1
        if running is not None:
            running.done.wait()
            if running.error is not None:
                raise running.error
            with self._lock:
                if name in self._entries:
                    self._entries.move_to_end(name)
                    self.hits += 1
                    return self._entries[name]
            return make()  # the first answer was too large to keep: compute it ourselves
        try:
            entry = make()
            self._keep(name, entry)
            return entry
        except BaseException as exc:
            mine.error = exc
            raise
        finally:
            with self._lock:
                self._running.pop(name, None)
            mine.done.set()

    def _keep(self, name: bytes, entry: Entry) -> None:
        cost = self.cost(entry)
        if self.budget <= 0 or cost > self.budget // 2:
            return
        with self._lock:
            if name in self._entries:
                self._size -= self.cost(self._entries.pop(name))
            self._entries[name] = entry
            self._size += cost
            while self._size > self.budget and self._entries:
                _, dropped = self._entries.popitem(last=False)
                self._size -= self.cost(dropped)
