"""A fix to Whoosh's reading of compound segments, applied when `indexer` is imported.

Whoosh maps each segment file into memory, then wraps every part it opens (postings, term
index, columns) in a `BufferFile` whose `io.BytesIO(buffer)` *copies* the part: a reader of a
100,000-entry index held a private copy of it (~300 MB a process, on every index change).
Here the part is read through a view of the map instead; nothing is copied, and the pages
read stay shared with the operating system's file cache.
"""

from __future__ import annotations

import io
from typing import Any

from whoosh.filedb import structfile


class _View(io.RawIOBase):
    """A read-only, seekable file over a buffer, handing out copies of the slices read."""

    def __init__(self, buf: Any) -> None:
        self._buf = memoryview(buf)
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: len(self._buf)}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def read(self, size: int | None = -1) -> bytes:
        end = len(self._buf) if size is None or size < 0 else min(len(self._buf), self._pos + size)
        data = bytes(self._buf[self._pos:end]) if end > self._pos else b""
        self._pos = max(self._pos, end)
        return data

    def readinto(self, target: Any) -> int:
        data = self.read(len(target))
        target[: len(data)] = data
        return len(data)

    def readline(self, size: int | None = -1) -> bytes:
        end = len(self._buf) if size is None or size < 0 else min(len(self._buf), self._pos + size)
        start = self._pos
        while start < end:  # look for the newline a block at a time, never copying the rest
            found = bytes(self._buf[start:min(end, start + 4096)]).find(b"\n")
            if found >= 0:
                return self.read(start + found + 1 - self._pos)
            start += 4096
        return self.read(end - self._pos)

def _buffer_file_init(self: Any, buf: Any, name: str | None = None, onclose: Any = None) -> None:
    self._buf = buf
    self._name = name
    self.file = _View(buf)
    self.onclose = onclose
    self.is_real = False
    self.is_closed = False


structfile.BufferFile.__init__ = _buffer_file_init
