"""The fixed text of bench/RESULTS.md: its header, and how the benchmark is run, what it measures
and what it does not (written after the figures)."""

HEADER = """# Benchmark results

Written by `bench/run.py` (issue 4). How to run it, what it measures and what it does not are at the
end of this file. Figures come from one shared, noisy 2-core machine: compare numbers of one run
side by side (the systems were measured interleaved, kind by kind), not across runs.
"""

EXPLAIN = """## How to run

    make install                                  # the project's venv, with `perspectives` and gunicorn
    .venv/bin/python bench/run.py --quick         # 10k synthetic + digitalgov-news, < 10 min
    .venv/bin/python bench/run.py                 # 100k synthetic + digitalgov-news (30-60 min)
    .venv/bin/python bench/run.py --corpus synth --entries 100000 --only index
    .venv/bin/python bench/run.py --corpus digitalgov --only search,peers,profile

Options: `--corpus synth|digitalgov|all`, `--entries N[,N]` (synthetic sizes), `--only
index,search,peers,profile`, `--quick`, and knobs for request counts (`--help`). The peers are
installed into their own venv, `bench/work/peers-venv` (pinned in `bench/requirements-peers.txt`);
corpora, indexes, logs and raw JSON results go to `bench/work/` (git-ignored). Shared corpora are
found at `../shared` beside the repository, or `$PERSPECTIVES_CORPORA`.

## What it measures

- **Corpora**: `make_corpus.py` at the chosen sizes (cached under `bench/work/corpora/synth-N`), and
  the real `digitalgov-news` with `fieldmaps/digitalgov-news.yaml`.
- **Full build** of ours: `perspectives index --full`, wall time, entries/s, CPU seconds (CPU/wall =
  cores used), size of the index generation on disk, peak RSS of the largest process (wait4's
  `ru_maxrss`) and of the whole process tree summed (sampled every 0.1 s; the sum counts pages that
  forked workers share once per process, so the tree's PSS, which splits them, is shown beside it
  when measured). The target is judged on the summed RSS, the stricter. Repeated (median) when cheap.
- **Incremental**: on a scratch copy of archive and index, our production server (`gunicorn -w 2
  'webapp:create_app()'`, `PERSPECTIVES_INDEX` set) runs; the harness appends a made-up word to one
  file, runs `perspectives index` (scanning the archive, then again naming the file), and polls
  `/api/search?q=<word>` every 25 ms from the write on, while the run goes on, until it is found:
  the time from the write until the first answer that finds it (and until 6 answers in a row do,
  so both workers see it). A run goes on after its commit (merging small segments, writing its
  manifest): the `perspectives index` wall column is the whole run. The same for 10 new files.
- **Search** through real HTTP, one client on a keep-alive connection, sequential: for each query
  kind (rare word, common word, two words, a phrase, a prefix, two spelling variants; each alone,
  with section + date range and with theme + author; browsing with no query, alone and with both
  filters; related entries `/api/entries/<id>`; the CSV export of the common word; and, ours only,
  three kinds that find fewer than 50 entries asked with `subject=1`, marked "on subject": every
  other kind asks ours for the words alone, `subject=0`, the same work as the peers) up to `--requests`
  requests or `--cell-seconds`, at least `--min-requests` (but a cell stops at 3 x `--cell-seconds`
  once 2 requests are done, so a slow peer cannot stall the run), in `--rounds` rounds (kinds and
  systems interleaved; percentiles pool the rounds). Ours is asked
  `/api/search?q=…&per_page=10` (four facet counts and 10 snippets are its defaults); the harness
  checks each answer carries four facets and `<mark>`ed snippets, and records every `total`.
- **8 concurrent clients**: threads in the harness, each with its own connection, cycling through
  the search mix, a bounded number of requests each (and a deadline): requests/s, latency, errors.
- **Peers**, same entries (dumped from our index: the same ids, titles, plain-text bodies, authors,
  sections, themes and dates) and same queries:
  - Datasette 0.65.5 over SQLite with an FTS5 table (porter), created with `content="entries"` so
    Datasette detects it (the run checks with Datasette's own `detect_fts` and stops if not), with
    indexes on author, section, date, year; `datasette serve` with `suggest_facets off`; asked
    `/perspectives/entries.json?_search=…&_searchmode=raw&_facet=author&_facet=section&_size=10` plus
    `section__exact`, `date__gte`/`date__lte`, `author__exact`, `themes__arraycontains`. Its
    `sql_time_limit_ms` and `facet_time_limit_ms` are raised to 60 s: with the defaults Datasette
    silently drops a facet after 200 ms and a count after 1 s, and would look faster by doing less.
    Its `filtered_table_rows_count` is printed as its total. On a few kinds it is also asked for all
    four facets (adding `_facet=year&_facet_array=themes`). CSV: `.csv?_stream=on` of the same rows.
  - Plain Whoosh (`bench/whoosh_baseline.py`): a bare WSGI app under gunicorn (2 workers) that opens
    our index's current generation afresh for every request, parses with `MultifieldParser`, filters
    with `Term`/`NumericRange`, counts author, section, themes (`allow_overlap`) and year (a
    `RangeFacet` over `day`) with `groupedby`, highlights 10 hits, `more_like` for related entries,
    and streams every hit for CSV.
  - tantivy 0.27 in-process (no HTTP): build time (2 threads), and each search kind with the count,
    four facet counts by its aggregations (terms on author, section, themes, year) and 10 snippets.
- **Memory of the servers**: VmHWM (peak RSS) of each gunicorn worker (and Datasette) just before
  the last CSV export (searching only) and after all the load.
- **Profile**: pyinstrument (in the peers' venv, with the project's packages on `PYTHONPATH`) on our
  three slowest kinds, in-process through Flask's test client, and on a no-op incremental
  `perspectives index` (the floor under "an edit is searchable within 1 s").

## What it does not measure, and caveats

- The load generator runs on the same 2 cores as the servers; its own CPU use is in every figure.
- Datasette does not rank (`_search` is a `WHERE rowid IN (…)` in table order), makes no snippets,
  counts two facets unless asked for four, and its porter stemmer does not fold British and American
  spellings: compare its `total` with ours before comparing speed. Datasette is one process
  (asyncio, 3 SQL threads); ours and plain Whoosh run 2 gunicorn workers.
- Plain Whoosh uses our index and so our analyzer (spelling folding, Snowball): it shows the cost
  of using Whoosh plainly, not of a different analysis.
- tantivy runs in-process with no HTTP and no JSON, as a floor for a compiled engine; its prefix
  query is a regex over the stemmed terms of title and body.
- Datasette has nothing like related entries; tantivy is asked neither for related entries nor
  for a CSV export.
- gunicorn's default sync worker closes every connection, so each request to ours and to plain
  Whoosh includes a TCP connect on 127.0.0.1 (about 0.1 ms); Datasette keeps connections alive.
- p99 over fewer than 100 requests is close to the maximum; `n` is shown.
- Incremental times include starting `perspectives index` (Python, imports) and the server
  noticing the new generation on its next request.
- Each corpus section says when, with which command and on which commit each stage ran: sections
  (and stages) from different runs are not side by side, and the core changed between them.
- The machine is shared: the load average at each stage's start and end is recorded, and a build's
  "cores used" below 2 often means other work had the CPU, not that the build is serial.
"""
