"""Every error searchclip reports to the user, in one place.

Library code raises these; the command line turns each into one line on stderr and exit code 2,
in one place (`app/cli.py: main`), and the service into an HTTP 400 answer. Anything else that
escapes is a bug, reported as an internal error. This module imports nothing, so every layer may
raise these errors.
"""

from __future__ import annotations


class SearchclipError(Exception):
    """Base class of every error searchclip reports to the user."""


class ClippingError(SearchclipError):
    """A clipping file could not be read or parsed."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class DocumentError(SearchclipError):
    """The index refuses a value of one file's posts; that file is reported, the others go on."""


class ConfigError(SearchclipError):
    """The config file cannot be read or has a wrong value."""


class UserDictionaryError(ConfigError):
    """The user dictionary names words the analyzers cannot load."""


class FolderError(SearchclipError):
    """A folder to index is missing, or none was named."""


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


class IndexCorruptError(SearchclipError):
    """The index on disk is damaged or unreadable; `searchclip index --full` rebuilds it."""


class IndexRootError(SearchclipError):
    """The index folder is not searchclip's (it holds other files) or not a folder."""


class IndexWriteError(SearchclipError):
    """Writing the index failed (disk full, I/O error); the previous index is left as it was."""


class ServiceBusyError(SearchclipError):
    """A search service already answers on this index's socket."""


class ServiceFolderError(SearchclipError):
    """The folder for the service's socket is not private to this user."""


class ServiceError(SearchclipError):
    """The search service cannot start: its socket or port cannot be bound."""


class BenchmarkDataError(SearchclipError):
    """A test set's files are missing, malformed or refer to ids that do not exist."""


class EmbedBusyError(SearchclipError):
    """Another process is embedding this index's posts; it takes the new ones too."""


class VectorStoreError(SearchclipError):
    """The vector store beside the index is damaged or cannot be written."""


class EmbedderError(SearchclipError):
    """The embedding model cannot be loaded or run."""


class VectorsMissingError(SearchclipError):
    """A search by meaning was asked of an index whose posts have no vectors yet."""
