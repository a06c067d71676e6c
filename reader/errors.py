"""The project's own errors: each carries one line meant for the user."""


class ReaderError(Exception):
    """A problem the user can act on; `str(error)` is a complete one-line message."""


class InputError(ReaderError):
    """An input file or text could not be read or held no papers."""


class UnknownFormatError(InputError):
    """No reader recognized an input; the CLI adds how to name the format."""


class QueryError(ReaderError):
    """A filter query is malformed; the message names the problem."""


class NotFoundError(ReaderError):
    """A paper key (or other name) is not in the library."""


class StoreError(ReaderError):
    """The library's files cannot be read or written."""
