#!/bin/sh
# Run every fault and load script at full size, one after the other, and keep their figures.
#   sh scripts/reliability_all.sh [OUT_DIR]        (default: reliability-results/, git-ignored)
# Takes about 10-15 minutes on 2 cores. Each script prints a PASS/FAIL line; this exits 1 if any failed.
set -u
cd "$(dirname "$0")/.."
out="${1:-reliability-results}"
mkdir -p "$out"
py=.venv/bin/python
status=0
$py scripts/kill_reindex.py --entries 2000 --kills 20 --incremental-kills 5 --json "$out/kill_reindex.json" || status=1
$py scripts/concurrent_reindex.py --entries 600 --rounds 12 --json "$out/concurrent_reindex.json" || status=1
$py scripts/disk_full_reindex.py --entries 600 --json "$out/disk_full_reindex.json" || status=1
$py scripts/load_during_reindex.py --entries 3000 --duration 60 --clients 8 --json "$out/load_during_reindex.json" || status=1
exit $status
