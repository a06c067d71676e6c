"""The state of the filter's searches: which query, which sort, which run is the newest.

Searches run in a worker, one at a time; while one runs, only the newest request waits.
The screen keeps one `SearchState` instead of loose attributes, and resets it whole when
a worker fails.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reader.query import Query, parse_query


@dataclass(slots=True)
class SearchState:
    """What the list shows and what the search worker is doing."""

    query: Query = field(default_factory=lambda: parse_query(""))
    sort: str = "date"
    reverse: bool = False
    error: str = ""
    """The problem with the query typed, while it cannot be parsed: nothing is listed."""
    generation: int = 0
    """Counts the requests; a result is stale when its generation is not the newest."""
    running: bool = False
    queued: bool = False
    """A request came while a search ran: the newest runs when it ends."""
    queued_anchor: int | None = None
    """The paper (row id) the newest waiting request keeps the cursor on, if any."""
    partial_shown: bool = False
    """The first page of a large result is on screen; the rest is coming."""
    counting: bool = False
    """What is on screen is the first page of a result whose size is not known yet."""

    def request(self, anchor: int | None) -> bool:
        """Count a new request; True when it can start now, False when it must wait."""
        self.generation += 1
        if self.running:
            self.queued = True
            self.queued_anchor = anchor  # the newest request decides
            return False
        self.running = True
        return True

    def take_queued(self) -> tuple[bool, int | None]:
        """After a search ends: whether a request waits, and the paper it keeps the cursor on."""
        if not self.queued:
            return False, None
        anchor = self.queued_anchor
        self.queued, self.queued_anchor = False, None
        # `request` counts it again.
        self.generation -= 1
        return True, anchor

    def reset(self) -> None:
        """Forget any running or waiting search (after a worker failed)."""
        self.running = self.queued = self.partial_shown = self.counting = False
        self.queued_anchor = None
