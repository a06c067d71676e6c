"""The user's own state (read, starred, note, tags) in a TinyDB JSON file.

Only papers the user has touched have a document. Storage documents are converted to
`PaperState` here and nowhere else.

Two processes may use the same store. A paper's document id is derived from its key, so
they never give two papers the same id; `put` first picks up the other process's
changes; and each change is a whole document applied in journal order, so for one paper
the last write wins while changes to different papers never undo each other.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from tinydb import TinyDB

from reader.errors import StoreError
from reader.library.storage import AtomicJSONStorage
from reader.model import PaperState

TABLE = "state"


class StateStore:
    """Every `PaperState` of a library, kept in memory and written through to disk."""

    def __init__(self, path: Path) -> None:
        self._db = TinyDB(path, storage=AtomicJSONStorage)
        self._storage: AtomicJSONStorage = self._db.storage  # type: ignore[assignment]
        self._table = self._db.table(TABLE)
        self._states: dict[str, PaperState] = {}
        self._doc_ids: dict[str, int] = {}
        self.generation = 0
        """Counts the (re)loads from disk, so owners can tell the view was refreshed."""
        self.reload()

    @property
    def path(self) -> Path:
        """The JSON file holding the state."""
        return self._storage.path

    def reload(self) -> None:
        """Read the file again (another process may have written it)."""
        self.generation += 1
        self._states.clear()
        self._doc_ids.clear()
        # TinyDB caches documents per table; the storage may have changed under it.
        self._table.clear_cache()
        for document in self._table.all():
            state = _from_document(document, self.path)
            self._states[state.key] = state
            self._doc_ids[state.key] = document.doc_id

    def get(self, key: str) -> PaperState | None:
        """The state of one paper, or None when the user never touched it."""
        return self._states.get(key)

    def all(self) -> Mapping[str, PaperState]:
        """All states by paper key (read-only view)."""
        return self._states

    def __len__(self) -> int:
        return len(self._states)

    def put(self, states: Iterable[PaperState]) -> None:
        """Store these states with a single durable write (one journal line)."""
        changed = {state.key: state for state in states}
        if not changed:
            return
        if self._storage.changed_on_disk():
            # Another process wrote: learn its papers' ids (and show its changes).
            self.reload()
        # Papers stored by older versions keep their sequential ids; new ones get ids
        # from their keys, which every process computes alike.
        ids = {key: self._doc_ids.get(key) or doc_id_for(key) for key in changed}
        documents = {str(ids[key]): _to_document(state) for key, state in changed.items()}
        self._storage.apply(TABLE, documents)
        # Only now is the change on disk: the memory view follows it, never leads it.
        self._doc_ids.update(ids)
        self._states.update(changed)

    def close(self) -> None:
        """Release the database (every change is already on disk)."""
        self._db.close()


def doc_id_for(key: str) -> int:
    """The document id of a paper's state: 63 bits of its key's BLAKE2b hash (never 0)."""
    digest = hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest()
    return (int.from_bytes(digest, "big") >> 1) or 1


def _to_document(state: PaperState) -> dict[str, Any]:
    return {
        "key": state.key,
        "read": state.read,
        "starred": state.starred,
        "note": state.note,
        "tags": list(state.tags),
        "read_at": state.read_at,
        "starred_at": state.starred_at,
        "note_at": state.note_at,
        "tags_at": state.tags_at,
    }


def _from_document(document: Mapping[str, Any], path: Path) -> PaperState:
    try:
        key = document["key"]
        tags = document.get("tags", [])
        if not isinstance(key, str) or not isinstance(tags, list):
            raise TypeError
        return PaperState(
            key=key,
            read=bool(document.get("read", False)),
            starred=bool(document.get("starred", False)),
            note=str(document.get("note") or ""),
            tags=tuple(str(tag) for tag in tags),
            read_at=document.get("read_at"),
            starred_at=document.get("starred_at"),
            note_at=document.get("note_at"),
            tags_at=document.get("tags_at"),
        )
    except (KeyError, TypeError):
        raise StoreError(f"the state file {path} is damaged (a record has no valid key)") from None
