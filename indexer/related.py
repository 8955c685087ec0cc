"""Related entries: Whoosh's `more_like` over an entry's key terms, with the words they share."""

from __future__ import annotations

from whoosh.searching import Searcher

from indexer.analysis import stems, surface_words
from indexer.documents import day_text
from indexer.results import Related

KEY_TERMS = 25
MAX_SHARED = 6


def related_entries(searcher: Searcher, docnum: int, limit: int = 5) -> tuple[Related, ...]:
    """Return up to `limit` entries most like this one, each with the words both use."""
    fields = searcher.stored_fields(docnum)
    text = fields.get("title", "") + "\n" + fields.get("body", "")
    # Whoosh scores key terms with stop words kept; a word that analyzes to nothing is one
    key = [t for t, _ in searcher.key_terms_from_text("body", text, numterms=KEY_TERMS) if stems(t)]
    if not key:
        return ()
    hits = searcher.more_like(docnum, "body", text=text, top=limit, numterms=KEY_TERMS)
    readable = surface_words(text, set(key))
    out = []
    for hit in hits:
        other = set(stems(hit.get("title", "") + "\n" + hit.get("body", "")))
        shared = [readable.get(t, t) for t in key if t in other][:MAX_SHARED]
        out.append(Related(
            id=hit["id"], title=hit["title"], author=hit["author"],
            date=day_text(hit["day"]), shared=tuple(shared), score=round(float(hit.score or 0), 4),
        ))
    return tuple(out)

