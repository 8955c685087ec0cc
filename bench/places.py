"""Where the benchmark reads and writes: everything under bench/work/ (git-ignored), but
bench/RESULTS.md (results_md.RESULTS)."""

from __future__ import annotations

from pathlib import Path

BENCH = Path(__file__).resolve().parent
WORK = BENCH / "work"
LOGS = WORK / "logs"
PEERS_VENV = WORK / "peers-venv"  # Datasette, sqlite-utils, tantivy, pyinstrument: not ours
PEERS_PY = PEERS_VENV / "bin" / "python"
PEERS_REQUIREMENTS = BENCH / "requirements-peers.txt"
