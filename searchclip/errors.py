"""Exceptions of searchclip's library. The CLI turns each into a one-line message and exit code 2."""

from __future__ import annotations


class SearchclipError(Exception):
    """Base class of every error searchclip reports to the user."""


class ClippingError(SearchclipError):
    """A clipping file could not be read or parsed."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class QuerySyntaxError(SearchclipError):
    """The query text cannot be understood (for example an unbalanced quote)."""


class FilterError(SearchclipError):
    """A search filter such as --since has a value that cannot be used."""


class IndexMissingError(SearchclipError):
    """There is no index at the expected location yet."""


class IndexBusyError(SearchclipError):
    """Another rebuild holds the index lock."""


class IndexVersionError(SearchclipError):
    """The index was written by an incompatible version of searchclip."""


class IndexWriteError(SearchclipError):
    """Writing the index failed (disk full, I/O error); the previous index is left as it was."""
