"""Dump the entries of one of OUR index generations to JSON lines, so every peer gets the very
same entries (after our archive reader, field map and markdown-to-text step).

    .venv/bin/python bench/dump_entries.py INDEX_DIR OUT.jsonl

Runs in the project's venv (it unpickles our schema, whose analyzers live in `indexer`). Reads
only stored fields: id, title, markdown (made plain text as our index makes it), author, section, themes ("a,b"), day (YYYYMMDD).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from whoosh import index as whoosh_index

from indexer.markup import plain_text


def main() -> None:
    index_dir, out = Path(sys.argv[1]), Path(sys.argv[2])
    gen = (index_dir / "CURRENT").read_text(encoding="utf-8").strip()
    ix = whoosh_index.open_dir(str(index_dir / gen))
    n = 0
    tmp = out.with_suffix(".tmp")
    with ix.reader() as reader, open(tmp, "w", encoding="utf-8") as f:
        for _, doc in reader.iter_docs():
            if not doc.get("id"):  # not an entry (e.g. the index's vocabulary documents)
                continue
            day = int(doc.get("day") or 0)
            themes = doc.get("themes") or ""
            if isinstance(themes, str):
                themes = [t for t in themes.split(",") if t]
            rec = {
                "id": doc["id"],
                "title": doc.get("title") or "",
                "body": plain_text(doc.get("markdown") or ""),
                "author": doc.get("author") or "",
                "section": doc.get("section") or "",
                "themes": list(themes),
                "date": f"{day // 10000:04d}-{day // 100 % 100:02d}-{day % 100:02d}",
                "year": day // 10000,
                "source": doc.get("source") or "",
            }
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
            n += 1
    tmp.replace(out)
    print(json.dumps({"entries": n, "generation": gen}))


if __name__ == "__main__":
    main()
