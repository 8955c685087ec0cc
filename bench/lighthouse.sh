#!/bin/sh
# Lighthouse (npm `lighthouse`, pinned in package.json; phone emulation, its default) on the 18F
# archive with its field map: the home, search, entry and /themes pages, served by gunicorn as
# the README says. Writes each page's four scores to bench/RESULTS.md under "## Lighthouse"
# (bench/lighthouse_results.py) and the full reports to bench/work/lighthouse/. Each page runs
# LIGHTHOUSE_RUNS times (3): on a shared machine one run's blocking time is noise.
# Needs Debian's chromium and the corpora (PERSPECTIVES_CORPORA, default ../shared/corpora).
set -eu
cd "$(dirname "$0")/.."
CORPORA="${PERSPECTIVES_CORPORA:-../shared/corpora}"
ARCHIVE="$CORPORA/18f-blog"
WORK=bench/work/lighthouse
PORT="${LIGHTHOUSE_PORT:-8731}"
RUNS="${LIGHTHOUSE_RUNS:-3}"  # per page; the report with the median performance score counts
[ -d "$ARCHIVE" ] || { echo "no archive at $ARCHIVE: set PERSPECTIVES_CORPORA" >&2; exit 2; }
[ -x /usr/bin/chromium ] || { echo "/usr/bin/chromium is missing (apt-get install chromium)" >&2; exit 2; }
if [ ! -x node_modules/.bin/lighthouse ]; then
    # the full lock, Lighthouse included (make test installs only what the tests use)
    npm ci --ignore-scripts --no-audit --no-fund
fi
mkdir -p "$WORK"
.venv/bin/perspectives index --full --archive "$ARCHIVE" --index "$WORK/index" \
    --fieldmap fieldmaps/18f-blog.yaml > "$WORK/index.log" 2>&1 || true  # a rejected file is listed there
PERSPECTIVES_INDEX="$WORK/index" .venv/bin/gunicorn -w 2 -b "127.0.0.1:$PORT" \
    'webapp:create_app()' > "$WORK/gunicorn.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT INT TERM
BASE="http://127.0.0.1:$PORT"
for _ in $(seq 100); do
    curl -fs -o /dev/null "$BASE/api/search?per_page=1" && break
    sleep 0.2
done
ENTRY=$(curl -fs "$BASE/api/search?q=design&per_page=1" | .venv/bin/python -c \
    'import json, sys; print(json.load(sys.stdin)["results"][0]["id"])')
FLAGS="--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update"
for page in "home /" "search /search?q=design" "entry /entries/$ENTRY" "themes /themes"; do
    name=${page%% *}
    path=${page#* }
    for run in $(seq "$RUNS"); do
        echo "lighthouse: $name ($path), run $run of $RUNS"
        CHROME_PATH=/usr/bin/chromium node_modules/.bin/lighthouse "$BASE$path" --quiet \
            --chrome-flags="$FLAGS" --output=json --output-path="$WORK/$name-$run.json" \
            --only-categories=performance,accessibility,best-practices,seo
    done
done
.venv/bin/python bench/lighthouse_results.py "$WORK" "$RUNS" home search entry themes
