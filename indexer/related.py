"""Related entries: Whoosh's `more_like` over an entry's key terms, with the words they share."""

from __future__ import annotations

import numpy as np
from whoosh import query as wq
from whoosh.searching import Searcher

from indexer.analysis import EXACT, stems, surface_words
from indexer.documents import day_text
from indexer.postings import Postings, evaluate
from indexer.results import Related

KEY_TERMS = 25
# A key term in more than this share of the entries (and more than FEW_DOCS of them) says
# little about what is related, and reading its long posting list is most of the cost of a
# related list at 100,000 entries (60-270 ms cold): such terms are left out.
COMMON_SHARE = 0.05
FEW_DOCS = 50
MAX_SHARED = 6
# Function words a reader does not count as "shared": the index keeps them (Whoosh's stop list
# is short, so phrases stay exact) but they say nothing about why two entries are related.
COMMON = frozenset(["about", "above", "after", "again", "against", "all", "also", "am", "among", "an", "another", "any", "anyone", "anything", "around", "because", "been", "before", "being", "below", "between", "both", "but", "can", "cannot", "could", "did", "do", "does", "doing", "done", "down", "during", "each", "either", "else", "enough", "even", "ever", "every", "few", "first", "for", "from", "further", "get", "gets", "getting", "got", "had", "has", "have", "having", "he", "her", "here", "hers", "herself", "him", "himself", "his", "how", "however", "i", "into", "its", "itself", "just", "last", "least", "less", "let", "like", "made", "make", "makes", "many", "me", "might", "more", "most", "much", "must", "my", "myself", "near", "need", "never", "no", "nobody", "none", "nor", "nothing", "now", "of", "off", "often", "once", "one", "only", "onto", "other", "others", "otherwise", "our", "ours", "ourselves", "out", "over", "own", "per", "perhaps", "quite", "rather", "really", "same", "several", "shall", "she", "should", "since", "so", "some", "someone", "something", "still", "such", "than", "that", "their", "theirs", "them", "themselves", "then", "there", "these", "they", "thing", "things", "those", "though", "through", "thus", "till", "too", "toward", "under", "until", "up", "upon", "very", "was", "way", "ways", "were", "what", "whatever", "where", "whether", "which", "while", "who", "whom", "whose", "why", "within", "without", "would", "yes", "yet", "you", "your", "yours", "yourself"])


def related_entries(searcher: Searcher, docnum: int, limit: int, ctx: Postings
                    ) -> tuple[Related, ...]:
    """Return up to `limit` entries most like this one, each with the words both use.

    Like Whoosh's `more_like`: the entry's key terms (Bo1 model) weighted by their scores, as
    one OR query, but evaluated over whole posting lists (postings.py).
    """
    fields = searcher.stored_fields(docnum)
    text = fields.get("title", "") + "\n" + fields.get("body", "")
    # Whoosh scores key terms with stop words kept; a word that analyzes to nothing is one
    most = max(FEW_DOCS, COMMON_SHARE * searcher.doc_count())
    key = [(t, w) for t, w in searcher.key_terms_from_text("body", text, numterms=KEY_TERMS * 2)
           if not t.startswith(EXACT) and stems(t) and t not in COMMON
           and searcher.doc_frequency("body", t) <= most
           ][:KEY_TERMS]
    if not key:
        return ()
    ids, scores = evaluate(wq.Or([wq.Term("body", t, boost=w) for t, w in key]), ctx)
    others = ids != docnum
    ids, scores = ids[others], scores[others]
    order = np.lexsort((ids, -scores))[:limit]
    readable = surface_words(text, {t for t, _ in key})
    postings = {t: evaluate(wq.Term("body", t), ctx)[0] for t, _ in key}
    out = []
    for n, score in zip(ids[order], scores[order]):
        hit = searcher.stored_fields(int(n))
        shared = [readable[t] for t, _ in key if t in readable and _holds(postings[t], int(n))]
        out.append(Related(
            id=hit["id"], title=hit["title"], author=hit["author"], date=day_text(hit["day"]),
            shared=tuple(shared[:MAX_SHARED]), score=round(float(score), 4),
        ))
    return tuple(out)


def _holds(sorted_ids: np.ndarray, n: int) -> bool:
    i = int(np.searchsorted(sorted_ids, n))
    return i < len(sorted_ids) and int(sorted_ids[i]) == n
