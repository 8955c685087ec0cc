"""Open and warm a new generation of the index before any reader meets it.

A full rebuild publishes a new generation: opening it costs seconds at 100,000 entries (every
segment's facet columns are read), and the first searches of common words then read long
posting lists. A server's Library (`Library(prepare=True)`) does that work in a thread of its
own as soon as a request notices the new generation, and its requests are answered from the
generation they were reading until the new one is ready: no reader waits for it.

Moving parts: `Preparer` (one per Library: which generation is being prepared, the view made
ready for the first thread to take, and the names made ready); `warming_words` (what a view is
warmed with: the archive's most held words, within WARM_SECONDS and WARM_SHARE of the cache).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable

import numpy as np

from indexer.completions import Completions
from indexer.postings import CACHE_POSTINGS
from indexer.view import View

log = logging.getLogger(__name__)

WARM_WORDS = 20  # the archive's most held words searched once in a new generation (then
# the postings of its most held stems are read, without a search: postings.warm_terms)
WARM_SECONDS = 5.0  # at most this long warming one generation
WARM_SHARE = 0.75  # and stop once the posting cache holds this share of its bound
STEMS_SHARE = 0.5  # of which the most held stems' postings, read first (postings.warm_terms)
RETRY_SECONDS = 1.0  # after a failed preparation (a generation half synced), try again after


class Preparer:
    """Prepares one generation at a time in a daemon thread: `ready` hands the prepared view to
    the first thread that asks, and tells the others the generation is ready to open."""

    def __init__(self, open_view: Callable[[str], View], warm: Callable[[View], None]) -> None:
        self._open_view = open_view
        self._warm = warm
        self._lock = threading.Lock()
        self._preparing: str | None = None
        self._prepared: dict[str, View] = {}  # a warmed view no thread has taken yet
        self._ready: set[str] = set()  # generations prepared (their shared caches are filled)
        self.failures = 0
        self._retry_at = 0.0
        self._pid = os.getpid()

    def _forked(self) -> None:
        """Forget a preparation begun before this process was forked (a server that loads the
        app before forking its workers): its thread did not come along. Called locked."""
        if self._pid != os.getpid():
            self._pid = os.getpid()
            self._preparing = None
            self._prepared.clear()
            self._ready.clear()

    def take(self, name: str) -> View | None:
        """Return generation `name`'s warmed view if it is ready and no thread has taken it,
        without starting anything (a thread that opens its first view asks this)."""
        with self._lock:
            self._forked()
            return self._prepared.pop(name, None) if name in self._ready else None

    def ready(self, name: str) -> tuple[bool, View | None]:
        """Tell whether generation `name` is ready, with its warmed view for the first thread
        that asks (None for the others: they open their own). Starts preparing it if needed."""
        with self._lock:
            self._forked()
            if name in self._ready:
                return True, self._prepared.pop(name, None)
            if self._preparing != name and time.monotonic() >= self._retry_at:
                self._preparing = name
                threading.Thread(
                    target=self._prepare, args=(name,), name=f"prepare {name}", daemon=True
                ).start()
            return False, None

    def _prepare(self, name: str) -> None:
        try:
            view = self._open_view(name)
            self._warm(view)
        except Exception:  # a generation half written or gone: the next request tries again
            log.exception("preparing generation %s failed", name)
            with self._lock:
                self.failures += 1
                self._retry_at = time.monotonic() + RETRY_SECONDS
                if self._preparing == name:
                    self._preparing = None
            return
        with self._lock:
            for old in self._prepared.values():  # never taken: a newer generation came first
                old.close()
            self._prepared = {name: view}
            self._ready = {name}
            if self._preparing == name:
                self._preparing = None


def warming_words(completions: Completions | None, limit: int = WARM_WORDS) -> list[str]:
    """Return the words held by most entries (one per family, most held first)."""
    if completions is None or not len(completions):
        return []
    shown = np.unique(completions.shown)
    order = shown[np.argsort(-completions.counts[shown], kind="stable")][:limit]
    return [completions.words[i] for i in order.tolist()]


def warm_with(view: View, search: Callable[[str], object], deadline: float | None = None) -> int:
    """Search the archive's most held words in a view, until the time (WARM_SECONDS, or the
    deadline given) or cache bound; return how many were searched."""
    deadline = deadline if deadline is not None else time.monotonic() + WARM_SECONDS
    done = 0
    for word in warming_words(view.completions):
        if time.monotonic() > deadline or view.postings.held > WARM_SHARE * CACHE_POSTINGS:
            break
        search(word)
        done += 1
    return done
