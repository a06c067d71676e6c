"""The library: the papers catalog (SQLite) and the user's state (TinyDB), behind one facade."""

from reader.library.catalog import ImportResult
from reader.library.library import Library

__all__ = ["ImportResult", "Library"]
