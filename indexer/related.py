"""Related entries: Whoosh's `more_like` over an entry's key terms, with the words they share."""

from __future__ import annotations

from whoosh.searching import Searcher

from indexer.analysis import stems, surface_words
from indexer.documents import day_text
from indexer.results import Related

KEY_TERMS = 25
MAX_SHARED = 6
# Function words a reader does not count as "shared": the index keeps them (Whoosh's stop list
# is short, so phrases stay exact) but they say nothing about why two entries are related.
COMMON = frozenset(["about", "above", "after", "again", "against", "all", "also", "am", "among", "an", "another", "any", "anyone", "anything", "around", "because", "been", "before", "being", "below", "between", "both", "but", "can", "cannot", "could", "did", "do", "does", "doing", "done", "down", "during", "each", "either", "else", "enough", "even", "ever", "every", "few", "first", "for", "from", "further", "get", "gets", "getting", "got", "had", "has", "have", "having", "he", "her", "here", "hers", "herself", "him", "himself", "his", "how", "however", "i", "into", "its", "itself", "just", "last", "least", "less", "let", "like", "made", "make", "makes", "many", "me", "might", "more", "most", "much", "must", "my", "myself", "near", "need", "never", "no", "nobody", "none", "nor", "nothing", "now", "of", "off", "often", "once", "one", "only", "onto", "other", "others", "otherwise", "our", "ours", "ourselves", "out", "over", "own", "per", "perhaps", "quite", "rather", "really", "same", "several", "shall", "she", "should", "since", "so", "some", "someone", "something", "still", "such", "than", "that", "their", "theirs", "them", "themselves", "then", "there", "these", "they", "thing", "things", "those", "though", "through", "thus", "till", "too", "toward", "under", "until", "up", "upon", "very", "was", "way", "ways", "were", "what", "whatever", "where", "whether", "which", "while", "who", "whom", "whose", "why", "within", "without", "would", "yes", "yet", "you", "your", "yours", "yourself"])


def related_entries(searcher: Searcher, docnum: int, limit: int = 5) -> tuple[Related, ...]:
    """Return up to `limit` entries most like this one, each with the words both use."""
    fields = searcher.stored_fields(docnum)
    text = fields.get("title", "") + "\n" + fields.get("body", "")
    # Whoosh scores key terms with stop words kept; a word that analyzes to nothing is one
    key = [t for t, _ in searcher.key_terms_from_text("body", text, numterms=KEY_TERMS)
           if stems(t) and t not in COMMON]
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

