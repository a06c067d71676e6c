"""The user's own state (read, starred, note, tags, dismissed) in a TinyDB JSON file.

Only papers the user has touched have a document. Storage documents are converted to
`PaperState` here and nowhere else.

Several processes may use the same store. Every change is a change of fields, computed
under the store's lock from the documents as they are on disk at that moment and written
as a field patch: a process never writes back its copy of fields it did not change, so
two writers changing different fields of the same paper both keep their change, and for
one field the last write wins. A paper's document id is derived from its key, so every
process gives a paper the same id.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import fields as dataclass_fields
from dataclasses import replace
from itertools import repeat
from operator import attrgetter, methodcaller
from pathlib import Path
from typing import Any

from tinydb import TinyDB

from reader.errors import StoreError
from reader.library.storage import AtomicJSONStorage, Document, Line
from reader.model import STATE_DEFAULTS, STATE_FIELDS, PaperState

TABLE = "state"

Updates = Mapping[str, Mapping[str, object]]
"""New field values by paper key: {"2401.00001": {"read": True}}."""
Before = dict[str, dict[str, object]]
"""The values the changed fields held before a change, by paper key (for undo)."""
Plan = Callable[[PaperState], dict[str, tuple[object, str | None]]]
"""Given a paper's state as on disk: the fields to set, with new values and timestamps."""


class StateStore:
    """Every `PaperState` of a library, kept in memory and written through to disk."""

    def __init__(self, path: Path) -> None:
        self._db = TinyDB(path, storage=AtomicJSONStorage, compact=compact_documents)
        self._storage: AtomicJSONStorage = self._db.storage  # type: ignore[assignment]
        self._states: dict[str, PaperState] = {}
        """The states built so far, by key (see `_unbuilt`)."""
        self._unbuilt: dict[str, Document] = {}
        """Records whose states are not built yet, by key. Opening a library builds only
        the states the first screen shows (`get`); the rest are built together at the
        first use of them all (`all`, a bulk change), usually by the search worker after
        the first paint. 10,000 stars: 25 ms less before the first painted list."""
        self._complete: dict[str, PaperState] | None = None
        """`_states` once it holds every state (nothing left in `_unbuilt`). Reads take no
        lock: one that finds no state in another dict than this one asks again under the
        lock, for the state may be being built, or the view replaced, at that moment."""
        self._stored_ids: dict[str, str] = {}
        """The id of each paper's record in the file, by key."""
        self._hashed_ids: dict[str, str] = {}
        """Papers' key-derived document ids (a hash each), kept once computed: an undo
        of a bulk change needs the same 100,000 again."""
        self._loaded = -1
        # A worker refreshes the view while the UI thread writes: one at a time.
        self._threads = threading.RLock()
        self.generation = 0
        """Counts the rebuilds of the view from disk, so owners can tell it changed."""
        # A compaction killed midway leaves its temporary file; none is running while
        # the lock is held, so they can go now.
        self._storage.remove_leftovers()
        self.refresh()

    @property
    def path(self) -> Path:
        """The JSON file holding the state."""
        return self._storage.path

    @property
    def storage(self) -> AtomicJSONStorage:
        """The storage under this store (for `reader doctor` and tests)."""
        return self._storage

    def refresh(self) -> bool:
        """Pick up what other processes wrote; True when the view changed."""
        with self._threads:
            data = self._storage.read()
            if self._storage.loads == self._loaded:
                return False
            self._rebuild((data or {}).get(TABLE, {}))
            return True

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the store against every other change, from this process's threads and
        from other processes (a sync reads, then merges, with nothing changed between).

        The threads' lock first, then the files' lock: the order every change takes them
        in. Holding the files' lock first (`storage.locked()`) and then reading states
        could wait for a change holding the threads' lock while it waits for the files:
        each waiting for the other, for ever.
        """
        with self._threads, self._storage.locked():
            yield

    def changed_on_disk(self) -> bool:
        """Cheap check (two `stat` calls): did another process write since we last looked?"""
        return self._storage.changed_on_disk()

    def get(self, key: str) -> PaperState | None:
        """The state of one paper, or None when the user never touched it."""
        # `_complete` first: a view complete then stays complete. `_states` and `_unbuilt`
        # cannot be read together without the lock (another thread may be moving the
        # paper from one to the other, or replacing both).
        complete = self._complete
        states = self._states
        state = states.get(key)
        if state is None and states is not complete:
            with self._threads:
                state = self._build_one(key)
        return state

    def all(self) -> Mapping[str, PaperState]:
        """All states by paper key (read-only view)."""
        complete = self._complete
        if complete is not None and complete is self._states:
            return complete
        with self._threads:
            self._build_all()
            return self._states

    def __len__(self) -> int:
        with self._threads:
            return len(self._states) + len(self._unbuilt)

    def set_fields(self, updates: Updates, stamp: str) -> Before:
        """Set fields of papers to new values, in one durable write (one journal line).

        Fields already holding the new value (on disk, right now) are left alone and
        keep their old timestamp. Returns what each changed field held before.
        """

        def plan(state: PaperState) -> dict[str, tuple[object, str | None]]:
            wanted = updates.get(state.key, {})
            return {name: (value, stamp) for name, value in wanted.items()}

        return self._write(updates.keys(), plan)

    def set_field(
        self, keys: Iterable[str], name: str, value: object, stamp: str
    ) -> dict[str, object]:
        """Set one field of many papers to one value: `set_fields` for a bulk change.

        The same result as `set_fields` giving every paper `{name: value}` (one durable
        write, one compact journal line, computed under the lock from the files as they
        are now; papers already holding `value` keep their old timestamp), with no
        per-paper work beyond a comparison, an id and the new state: marking 100,000
        papers read, or undoing it, takes a fraction of a second. Returns what the field
        held before, for each paper that changed.
        """
        wanted = list(dict.fromkeys(keys))
        stored = list(value) if name == "tags" else value  # type: ignore[call-overload]
        default, field = STATE_DEFAULTS[name], attrgetter(name)
        before: dict[str, object] = {}

        def line_for(documents: Mapping[str, Document]) -> Line | None:
            nonlocal before
            if self._storage.loads != self._loaded:
                self._rebuild(documents)  # another process wrote: start from its files
            self._build_all()  # a bulk change looks at every state: build them at once
            states = self._states
            before = {
                key: old
                for key in wanted
                if (old := field(states[key]) if key in states else default) != value
            }
            if not before:
                return None
            fields = {name: stored, f"{name}_at": stamp}
            return {"bulk": {"fields": fields, "ids": self._ids_of(before)}}

        with self._threads, collection_paused():
            self._storage.update(TABLE, line_for)
            if before:
                self._states.update(_with_field(self._states, before, name, value, stamp))
        return before

    def update_fields(
        self, keys: Iterable[str], plan: Callable[[PaperState], Mapping[str, object]], stamp: str
    ) -> Before:
        """Set fields computed from each paper's state as it is on disk now, under the lock.

        `plan(state)` returns the new values (for example the tags with one added); what
        another process wrote a moment ago is in `state`, so nothing of it is lost.
        """

        def timed(state: PaperState) -> dict[str, tuple[object, str | None]]:
            return {name: (value, stamp) for name, value in plan(state).items()}

        return self._write(keys, timed)

    def adopt(self, states: Iterable[PaperState], stamp: str) -> Before:
        """Take the fields of these states that this store never had (an import's state).

        A field the user changed here at any time (it has a timestamp) is never
        replaced; default values are never adopted. The adopted fields keep the times
        the input gives (or `stamp` when it gives none).
        """
        incoming = {state.key: state for state in states}

        def plan(state: PaperState) -> dict[str, tuple[object, str | None]]:
            other = incoming[state.key]
            adopted: dict[str, tuple[object, str | None]] = {}
            for name in STATE_FIELDS:
                value = getattr(other, name)
                if getattr(state, f"{name}_at") is None and value != STATE_DEFAULTS[name]:
                    adopted[name] = (value, getattr(other, f"{name}_at") or stamp)
            return adopted

        return self._write(incoming.keys(), plan)

    def merge_fields(self, keys: Iterable[str], plan: Plan) -> Before:
        """Set fields to values with times of their own (a sync's merge), computed under
        the lock from each paper's state as on disk now; `plan` may return nothing for a
        paper whose fields changed meanwhile."""
        return self._write(keys, plan)

    def close(self) -> None:
        """Release the database (every change is already on disk)."""
        self._db.close()

    # --- internals -----------------------------------------------------------------------

    def _write(self, keys: Iterable[str], plan: Plan) -> Before:
        """Compute field changes under the lock from the current files, then write them.

        `plan(state)` gets each paper's state as on disk and returns the fields to set,
        with their new values and timestamps.
        """
        before: Before = {}
        changed: dict[str, PaperState] = {}
        wanted = list(dict.fromkeys(keys))

        def line_for(documents: Mapping[str, Document]) -> Line | None:
            if self._storage.loads != self._loaded:
                self._rebuild(documents)  # another process wrote: start from its files
            if len(wanted) > _MANY:
                self._build_all()  # at once, rather than one by one below
            patch: dict[str, Document] = {}
            for key in wanted:
                old = self.get(key) or PaperState(key=key)
                fields = {
                    name: (value, at)
                    for name, (value, at) in plan(old).items()
                    if getattr(old, name) != value
                }
                if not fields:
                    continue
                before[key] = {name: getattr(old, name) for name in fields}
                document: Document = {"key": key}
                values: dict[str, Any] = {}
                for name, (value, at) in fields.items():
                    document[name] = list(value) if name == "tags" else value  # type: ignore[call-overload]
                    document[f"{name}_at"] = at
                    values[name], values[f"{name}_at"] = value, at
                patch[self._doc_id(key)] = document
                changed[key] = replace(old, **values)
            return _journal_line(patch)

        many = len(wanted) > _MANY
        with self._threads, collection_paused() if many else contextlib.nullcontext():
            self._storage.update(TABLE, line_for)
            self._states.update(changed)
        return before

    def _rebuild(self, documents: Mapping[str, Document]) -> None:
        # Made aside and swapped in whole: the app reads states from another thread
        # while a worker refreshes them, and must never see a half-made view.
        records = list(documents.values())
        keys = _plain_keys(records, self.path)
        if keys is not None and len(set(keys)) == len(keys):
            # The usual case: each state is built at its first use (see `_unbuilt`).
            with self._threads:
                self._states, self._unbuilt = {}, dict(zip(keys, records, strict=True))
                self._stored_ids = dict(zip(keys, documents, strict=True))
                self._loaded = self._storage.loads
                self.generation += 1
                # Not the old view: it would be kept alive for nothing.
                self._complete = None if self._unbuilt else self._states
            return
        # A record to check field by field (it may be damaged: this raises then), or two
        # records of one paper: every state is built now.
        built = states_from_documents(records, self.path)
        keys = [state.key for state in built]
        states = dict(zip(keys, built, strict=True))
        stored = dict(zip(keys, documents, strict=True))
        if len(states) < len(built):
            # Two records of one paper (a first-version id and a key-derived one, until
            # the next compaction merges them): each field from the later change, and
            # changes go on to the first-version record.
            states, stored = {}, {}
            for doc_id, state in zip(documents, built, strict=True):
                known = states.get(state.key)
                states[state.key] = state if known is None else newest_fields(known, state)
                if known is None or doc_id != self._hashed(state.key):
                    stored[state.key] = doc_id
        with self._threads:
            self._states, self._unbuilt, self._stored_ids = states, {}, stored
            self._complete = states
            self._loaded = self._storage.loads
            self.generation += 1

    def _build_one(self, key: str) -> PaperState | None:
        """The state of one paper, built now if it was not yet (the lock held)."""
        state = self._states.get(key)
        if state is None and (document := self._unbuilt.get(key)) is not None:
            # Stored before the record is let go, so no reader ever misses this paper.
            state = self._states[key] = _from_document(document, self.path)
            del self._unbuilt[key]
            if not self._unbuilt:
                self._complete = self._states
        return state

    def _build_all(self) -> None:
        """Build every state not built yet (the lock held)."""
        states = self._states
        if self._unbuilt:
            waiting = [record for key, record in self._unbuilt.items() if key not in states]
            built = states_from_documents(waiting, self.path)
            states.update({state.key: state for state in built})
            self._unbuilt = {}
        self._complete = states

    def _hashed(self, key: str) -> str:
        hashed = self._hashed_ids.get(key)
        if hashed is None:
            hashed = self._hashed_ids[key] = str(doc_id_for(key))
        return hashed

    def _doc_id(self, key: str) -> str:
        # A paper's id comes from its key (`doc_id_for`), except for papers stored by the
        # first version, which keep their sequential ids until the next compaction moves
        # them: so a paper with a record is written under that record's id. Opening a
        # library hashes no key (10,000 stars: 15 ms less).
        return self._stored_ids.get(key) or self._hashed(key)

    def _ids_of(self, keys: Iterable[str]) -> dict[str, str]:
        """{document id: key} for these papers (`_doc_id` of each, the hashes cached)."""
        wanted = list(keys)
        stored, hashed = self._stored_ids, self._hashed_ids
        hashed.update(
            {key: str(doc_id_for(key)) for key in wanted if key not in stored and key not in hashed}
        )
        return {stored.get(key) or hashed[key]: key for key in wanted}


_MANY = 1000
"""A change of more papers than this pauses the cycle collector while it is made."""


@contextlib.contextmanager
def collection_paused() -> Iterator[None]:
    """Python's cycle collector paused while a bulk change builds its objects.

    A change of 100,000 papers makes several hundred thousand objects (documents, states,
    the journal line), none of them garbage; each thousand or so of them sets off a
    collection, and every few of those walks the whole heap of the app: a third of the
    change's time, for nothing. Collection resumes (if it was on) when the change is
    made. Textual pauses it the same way while it scrolls.
    """
    global _paused_depth, _paused_from_on
    with _pause_lock:
        if _paused_depth == 0:
            _paused_from_on = gc.isenabled()
            gc.disable()
        _paused_depth += 1
    try:
        yield
    finally:
        with _pause_lock:
            _paused_depth -= 1
            if _paused_depth == 0 and _paused_from_on:
                gc.enable()


# Bulk changes on several threads (two stores in one process) pause the collector once:
# the first to start records whether it was on, the last to end turns it back on.
_pause_lock = threading.Lock()
_paused_depth = 0
_paused_from_on = False


def doc_id_for(key: str) -> int:
    """The document id of a paper's state: 63 bits of its key's BLAKE2b hash (never 0)."""
    digest = hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return (int.from_bytes(digest, "big") >> 1) or 1


def _with_field(
    states: Mapping[str, PaperState], keys: Iterable[str], name: str, value: object, stamp: str
) -> dict[str, PaperState]:
    """The states of these papers with one field set (and its time): new states for the
    papers that had none."""
    wanted = list(keys)
    blank = PaperState(key="")
    olds = [states.get(key, blank) for key in wanted]
    columns: list[Iterable[object]] = [wanted]
    for field in _ORDER[1:]:
        if field == name:
            columns.append(repeat(value))
        elif field == f"{name}_at":
            columns.append(repeat(stamp))
        else:
            columns.append(map(attrgetter(field), olds))
    return dict(zip(wanted, _build_states(len(wanted), columns), strict=True))


_ORDER = tuple(field.name for field in dataclass_fields(PaperState))
"""`PaperState`'s fields in the order its constructor takes them."""
_SETTERS = [getattr(PaperState, name).__set__ for name in _ORDER]
"""The slot of each field, set directly (as the dataclass's own `__init__` does)."""


def _build_states(count: int, columns: list[Iterable[object]]) -> list[PaperState]:
    """`count` states from one column of values per field (in `_ORDER`).

    Field by field in C-level loops rather than `count` calls of the dataclass's
    `__init__` (eleven `object.__setattr__` each): twice as fast, for the 100,000 states
    of a bulk change. `PaperState` is a frozen dataclass with slots and nothing to run
    after `__init__`; `tests/unit/test_bulk_state.py` checks the states are equal.
    """
    states = list(map(object.__new__, repeat(PaperState, count)))
    for set_slot, column in zip(_SETTERS, columns, strict=True):
        deque(map(set_slot, states, column), maxlen=0)
    return states


def compact_documents(documents: dict[str, Document]) -> dict[str, Document]:
    """The documents a new snapshot keeps: one per paper, under its key-derived id.

    A blank record (every field at its default) says nothing and is left out, so that
    marking 100,000 papers read and undoing it leaves the store as small as before. Two
    records of one paper (a first-version id and a key-derived one) are merged field by
    field, the later change winning.
    """
    kept: dict[str, Document] = {}
    for document in documents.values():
        key = document["key"]
        doc_id = str(doc_id_for(key))
        if doc_id in kept:
            document = _newest_document(kept[doc_id], document)
        kept[doc_id] = document
    return {doc_id: doc for doc_id, doc in kept.items() if not _is_blank(doc)}


def newest_fields(first: PaperState, second: PaperState) -> PaperState:
    """One state from two records of a paper: each field from the later change."""
    values: dict[str, Any] = {}
    for name in STATE_FIELDS:
        stamp = f"{name}_at"
        if (getattr(second, stamp) or "") >= (getattr(first, stamp) or ""):
            values[name], values[stamp] = getattr(second, name), getattr(second, stamp)
    return replace(first, **values)


def _newest_document(first: Document, second: Document) -> Document:
    merged = dict(first)
    for name in STATE_FIELDS:
        stamp = f"{name}_at"
        if name in second and str(second.get(stamp) or "") >= str(first.get(stamp) or ""):
            merged[name], merged[stamp] = second[name], second.get(stamp)
    return merged


def _is_blank(document: Document) -> bool:
    return not any(document.get(name) for name in STATE_FIELDS)


def _journal_line(patch: dict[str, Document]) -> Line | None:
    """The journal line for a patch: the compact bulk form when every paper gets the same."""
    if not patch:
        return None
    documents = iter(patch.values())
    first = {name: value for name, value in next(documents).items() if name != "key"}
    if len(patch) > 1 and all(
        {name: value for name, value in document.items() if name != "key"} == first
        for document in documents
    ):
        return {"bulk": {"fields": first, "ids": {i: doc["key"] for i, doc in patch.items()}}}
    return {"patch": patch}


def states_from_documents(documents: list[Document], path: Path) -> list[PaperState]:
    """The state of each document, as `_from_document` gives it, built column-wise.

    Every state at once (10,000 stars take 15 µs each through the dataclass's
    `__init__`): a column of each field in C-level loops and `_build_states` take a
    third of that. `tests/unit/test_state_columns.py` checks both give the same
    states and refuse the same documents.
    """
    keys = _plain_keys(documents, path)
    if keys is None:
        # Rare (a damaged file, or a subclass of str or list): the exact per-document check.
        return [_from_document(document, path) for document in documents]
    tag_lists = [document.get("tags") or () for document in documents]
    columns: list[Iterable[object]] = [keys]
    for name in _ORDER[1:]:
        if name == "tags":
            columns.append([tuple(map(str, tags)) if tags else () for tags in tag_lists])
            continue
        values = list(map(methodcaller("get", name), documents))
        if name == "note":
            columns.append([str(value) if value else "" for value in values])
        elif name.endswith("_at"):
            columns.append([value if type(value) is str else None for value in values])
        else:
            columns.append(list(map(bool, values)))
    return _build_states(len(documents), columns)


def _plain_keys(documents: list[Document], path: Path) -> list[str] | None:
    """The key of each document, when every key is a `str` and every tag list a `list`
    (what this store writes); None when a document needs the exact check of
    `_from_document`. `StoreError` when one has no key."""
    try:
        keys = [document["key"] for document in documents]
    except KeyError:
        raise _damaged(path) from None
    if not all(type(key) is str for key in keys) or not all(
        type(tags) is list for document in documents if (tags := document.get("tags"))
    ):
        return None
    return keys


def _damaged(path: Path) -> StoreError:
    return StoreError(f"the state file {path} is damaged (a record has no valid key)")


def _from_document(document: Mapping[str, Any], path: Path) -> PaperState:
    try:
        key = document["key"]
        tags = document.get("tags") or []
        if not isinstance(key, str) or not isinstance(tags, list):
            raise TypeError
        return PaperState(
            key=key,
            read=bool(document.get("read", False)),
            starred=bool(document.get("starred", False)),
            note=str(document.get("note") or ""),
            tags=tuple(str(tag) for tag in tags),
            dismissed=bool(document.get("dismissed", False)),
            read_at=_stamp(document.get("read_at")),
            starred_at=_stamp(document.get("starred_at")),
            note_at=_stamp(document.get("note_at")),
            tags_at=_stamp(document.get("tags_at")),
            dismissed_at=_stamp(document.get("dismissed_at")),
        )
    except (KeyError, TypeError):
        raise _damaged(path) from None


def _stamp(value: object) -> str | None:
    return value if isinstance(value, str) else None
