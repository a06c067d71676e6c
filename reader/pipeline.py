"""Running the reading of an input on the second core while the catalog is written.

`ahead` runs a generator in a background thread, a bounded number of items ahead of its
consumer. SQLite releases the GIL while it indexes, so a page is read and parsed while
the previous batch of papers is being written: an import takes little longer than its
writing alone, in memory bounded by `depth` batches.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import TypeVar

T = TypeVar("T")

_DONE = object()
_STEP_SECONDS = 0.1
"""How often a producer blocked on a full queue looks whether the consumer has gone."""


class _Failed:
    """The producer's exception, carried to the consumer."""

    def __init__(self, error: BaseException) -> None:
        self.error = error


def ahead(source: Iterator[T], depth: int = 2) -> Iterator[T]:
    """The items of `source`, produced in a background thread at most `depth` items ahead
    of the consumer (so at most `depth` + 2 items exist at once: queued, being produced,
    being consumed). An exception in `source` is raised in the consumer, at the place of
    the item that failed. When the consumer stops early (an error while writing), the
    producer stops too and `source` is closed in its own thread."""
    items: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                items.put(item, timeout=_STEP_SECONDS)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in source:
                if not put(item):
                    break
        except BaseException as error:  # carried to the consumer, raised there
            put(_Failed(error))
            return
        finally:
            close = getattr(source, "close", None)
            if close is not None:
                close()
        put(_DONE)

    thread = threading.Thread(target=produce, name="reader-read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            item = items.get()
            if item is _DONE:
                return
            if isinstance(item, _Failed):
                raise item.error
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        thread.join()
