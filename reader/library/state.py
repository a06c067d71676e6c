"""The user's own state (read, starred, note, tags) in a TinyDB JSON file.

Only papers the user has touched have a document. Storage documents are converted to
`PaperState` here and nowhere else.
"""

from __future__ import annotations

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
        self._next_id = 1
        self.reload()

    @property
    def path(self) -> Path:
        """The JSON file holding the state."""
        return self._storage.path

    def reload(self) -> None:
        """Read the file again (another process may have written it)."""
        self._states.clear()
        self._doc_ids.clear()
        # TinyDB caches documents per table; the storage may have changed under it.
        self._table.clear_cache()
        for document in self._table.all():
            state = _from_document(document, self.path)
            self._states[state.key] = state
            self._doc_ids[state.key] = document.doc_id
        self._next_id = max(self._doc_ids.values(), default=0) + 1

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
        next_id = self._next_id
        ids: dict[str, int] = {}
        for key in changed:
            if key in self._doc_ids:
                ids[key] = self._doc_ids[key]
            else:
                ids[key] = next_id
                next_id += 1
        documents = {str(ids[key]): _to_document(state) for key, state in changed.items()}
        self._storage.apply(TABLE, documents)
        # Only now is the change on disk: the memory view follows it, never leads it.
        self._doc_ids.update(ids)
        self._next_id = next_id
        self._states.update(changed)

    def close(self) -> None:
        """Release the database (every change is already on disk)."""
        self._db.close()


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
