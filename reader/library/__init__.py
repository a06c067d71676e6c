"""The library: the papers catalog (SQLite) and the user's state (TinyDB), behind one facade."""

from reader.library.library import Library
from reader.library.merging import ImportResult

__all__ = ["ImportResult", "Library"]
