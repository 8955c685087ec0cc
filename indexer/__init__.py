"""Perspectives: the archive reader, the index builder and the search core."""

from indexer import whoosh_internals  # noqa: F401  (applied before any index is read)
