"""Running the reading of an input on the second core while the catalog is written.

`ahead` runs a generator in a background thread, a bounded number of items ahead of its
consumer. SQLite releases the GIL while it indexes, so a page is read and parsed while
the papers read before are being indexed, in memory bounded by `depth` batches.

Both threads need the GIL for their Python. A writer that hands SQLite a row at a time
gives the GIL up for every row, and while the other thread parses it waits up to the
interpreter's switch interval (5 ms) to get it back: at 100,000 papers, storing the rows
took 6 to 7 s with the reading thread busy and 2.6 s without it, and the import as a whole
was no faster than reading first and writing after. So the reading thread reads only in
its turns (`Turns`): while the writer waits for a batch, and while SQLite runs a long
statement of its own (`Turns.lent`).
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable, Iterator
from typing import TypeVar

T = TypeVar("T")

_DONE = object()
_STEP_SECONDS = 0.1
"""How often a producer blocked on a full queue looks whether the consumer has gone."""


class Turns:
    """When the reading thread of `ahead` may run Python: while its turn is lent (nested
    lendings add up), and while the consumer waits for an item, until one is queued. It
    finishes the item it began when the turn ends."""

    def __init__(self) -> None:
        self._lent = 0
        self._hungry = False
        """The consumer waits for an item and none is queued."""
        self._changed = threading.Condition()

    @contextlib.contextmanager
    def lent(self) -> Iterator[None]:
        """The reading thread's turn, for as long as the caller runs no Python."""
        with self._changed:
            self._lent += 1
            self._changed.notify_all()
        try:
            yield
        finally:
            with self._changed:
                self._lent -= 1

    @contextlib.contextmanager
    def _waiting(self) -> Iterator[None]:
        """The consumer's turn lent while it waits for an item (see `_queued`)."""
        with self._changed:
            self._hungry = True
            self._changed.notify_all()
        try:
            yield
        finally:
            with self._changed:
                self._hungry = False

    def _queued(self, still_queued: Callable[[], bool]) -> None:
        """An item is queued: the consumer's wait is over, and the reading thread's turn
        with it, though the consumer has not taken the item yet (it needs the GIL for
        that, and the reading thread would start the next item meanwhile).

        Only while the item is still queued: a consumer that took it already may be
        waiting for the next one, and clearing that wait would leave both threads
        waiting for each other."""
        with self._changed:
            if still_queued():
                self._hungry = False

    def wait(self, stop: threading.Event) -> bool:
        """Wait for a turn; False when `stop` is set first."""
        with self._changed:
            while not (self._lent or self._hungry):
                if stop.is_set():
                    return False
                self._changed.wait(_STEP_SECONDS)
        return not stop.is_set()


class _Failed:
    """The producer's exception, carried to the consumer."""

    def __init__(self, error: BaseException) -> None:
        self.error = error


def ahead(source: Iterator[T], depth: int = 2, turns: Turns | None = None) -> Iterator[T]:
    """The items of `source`, produced in a background thread at most `depth` items ahead
    of the consumer (so at most `depth` + 2 items exist at once: queued, being produced,
    being consumed). An exception in `source` is raised in the consumer, at the place of
    the item that failed. When the consumer stops early (an error while writing), the
    producer stops too and `source` is closed in its own thread.

    With `turns`, each item is begun only in a turn the consumer lends (`Turns.lent`),
    or while the consumer waits for an item and none is queued."""
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
            while True:
                if turns is not None and not turns.wait(stop):
                    return  # the consumer has gone
                try:
                    item = next(source)
                except StopIteration:
                    break
                if not put(item):
                    break
                if turns is not None:
                    turns._queued(lambda: not items.empty())
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
            try:
                item = items.get_nowait()
            except queue.Empty:
                with turns._waiting() if turns is not None else contextlib.nullcontext():
                    item = items.get()
            if item is _DONE:
                return
            if isinstance(item, _Failed):
                raise item.error
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        thread.join()
