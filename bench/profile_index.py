"""Profile a no-op incremental `perspectives index` with pyinstrument (what an edit costs at least).

    PYTHONPATH=REPO:REPO/.venv/lib/python3.11/site-packages \
        bench/work/peers-venv/bin/python bench/profile_index.py OUT.txt -- index --archive A --index I [--fieldmap F]

Runs the CLI in-process (imports included, as `perspectives index` pays them), writes the text
profile to OUT.txt and prints a JSON summary of our functions' inclusive time.
"""

from __future__ import annotations

import collections
import json
import sys
import time
from pathlib import Path

from pyinstrument import Profiler

sys.path.insert(0, str(Path(__file__).resolve().parent))
import contextlib

from profile_search import inclusive  # noqa: E402


def main() -> None:
    out = Path(sys.argv[1])
    args = sys.argv[sys.argv.index("--") + 1 :]
    prof = Profiler(interval=0.001)
    t0 = time.perf_counter()
    prof.start()
    from indexer.cli import main as cli

    sys.argv = ["perspectives", *args]
    with contextlib.suppress(SystemExit):
        cli()
    prof.stop()
    elapsed = time.perf_counter() - t0
    out.write_text(prof.output_text(unicode=True, color=False, show_all=False))
    root = prof.last_session.root_frame()
    acc: collections.Counter = collections.Counter()
    if root is not None:
        inclusive(root, acc)
    total = root.time if root is not None else 1.0
    ours = [{"function": f, "where": w, "share": t / total} for (f, w), t in acc.most_common(10)]
    print(json.dumps({"seconds": elapsed, "ours": ours, "file": str(out)}))


if __name__ == "__main__":
    main()
