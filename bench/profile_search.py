"""Profile our search in-process with pyinstrument, through Flask's test client (no HTTP).

    PYTHONPATH=REPO:REPO/.venv/lib/python3.11/site-packages \
        bench/work/peers-venv/bin/python bench/profile_search.py INDEX '{"kind": "/api/search?..."}' OUT_PREFIX N

Runs with the peers' venv interpreter (pyinstrument lives there, not in the project's venv) and
the project's packages first on the path. Writes OUT_PREFIX-<kind>.txt and prints a JSON summary:
per kind, ms per request and the functions with the most self time.
"""

from __future__ import annotations

import collections
import json
import re
import sys
import time
from pathlib import Path

from pyinstrument import Profiler


def self_times(frame, acc, parent_key=None) -> None:
    """Add each function's own time (pyinstrument's synthetic "[self]" leaves count for their parent)."""
    synthetic = frame.function.startswith("[") or getattr(frame, "is_synthetic", False)
    key = (
        parent_key
        if synthetic and parent_key
        else (frame.function, f"{frame.file_path_short}:{frame.line_no}")
    )
    child_time = sum(c.time for c in frame.children)
    acc[key] += max(0.0, frame.time - child_time)
    for c in frame.children:
        self_times(c, acc, key)


def inclusive(frame, acc, stack=frozenset()) -> None:
    """Add each of OUR functions' inclusive time (indexer/, webapp/), outermost call only."""
    path = frame.file_path_short or ""
    key = None
    if path.startswith(("indexer/", "webapp/")) and not frame.function.startswith("["):
        key = (frame.function, f"{path}:{frame.line_no}")
        if key not in stack:
            acc[key] += frame.time
            stack = stack | {key}
    for c in frame.children:
        inclusive(c, acc, stack)


def main() -> None:
    index, urls, prefix, n = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    from webapp import create_app

    app = create_app({"INDEX": index})
    client = app.test_client()
    summary = {}
    for kind, url in urls.items():
        for _ in range(2):  # warm: open the index, fill caches
            assert client.get(url).status_code == 200
        prof = Profiler(interval=0.0005)
        t0 = time.perf_counter()
        prof.start()
        for _ in range(n):
            client.get(url)
        prof.stop()
        elapsed = time.perf_counter() - t0
        safe = re.sub(r"[^\w+.-]", "_", kind)
        Path(f"{prefix}-{safe}.txt").write_text(
            prof.output_text(unicode=True, color=False, show_all=False)
        )
        root = prof.last_session.root_frame()
        acc: collections.Counter = collections.Counter()
        if root is not None:
            self_times(root, acc)
        total = sum(acc.values()) or 1.0
        top = [{"function": f, "where": w, "share": t / total} for (f, w), t in acc.most_common(12)]
        incl: collections.Counter = collections.Counter()
        if root is not None:
            inclusive(root, incl)
        ours = [
            {"function": f, "where": w, "share": t / total} for (f, w), t in incl.most_common(10)
        ]
        summary[kind] = {
            "url": url,
            "ms_per_request": 1000 * elapsed / n,
            "top": top,
            "ours": ours,
            "file": f"{prefix}-{safe}.txt",
        }
    print(json.dumps({"kinds": summary}))


if __name__ == "__main__":
    main()
