"""Related entries on the three real archives (issue 11): what "Kanban for government" gets, and
the reasons of every entry's related list read as a reader's words."""

from __future__ import annotations

import re

import pytest
from test_corpora import Built, _build
from whoosh import query as wq

from indexer.analysis import STOP_WORDS
from indexer.related import REASON_FLOOR, REASON_SHARE
from indexer.words import COMMON

NUMBER = re.compile(r"[\d.,%]+")
KANBAN = "2016-08-31-kanban-for-government"


_BUILT: dict[str, Built] = {}


def _built(tmp_path_factory: pytest.TempPathFactory, name: str) -> Built:
    if name not in _BUILT:
        _BUILT[name] = _build(tmp_path_factory, name, "archive" if name == "the-commons" else "")
    return _BUILT[name]


@pytest.fixture(params=["18f-blog", "digitalgov-news", "the-commons"])
def corpus(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Built:
    return _built(tmp_path_factory, request.param)


def test_kanban_for_government_lists_kanban_and_agile_process_first(tmp_path_factory):
    built = _built(tmp_path_factory, "18f-blog")
    entry = built.library.entry(KANBAN, related=5)
    assert entry is not None
    first, second = entry.related[:2]
    # the sprint that ran on a kanban board, then the agile workshop that names kanban
    assert first.id == "2015-09-09-how-a-two-day-spring-moved-an-agency-twenty-years-forward"
    assert "kanban" in first.shared and "agile" in first.themes
    assert "kanban" in second.shared and "agile" in second.themes
    # the reasons start with themes and key phrases, not with odd words
    assert first.shared[: len(first.themes)] == first.themes and first.phrases


def test_no_reason_is_a_number_a_stop_word_a_stem_or_boilerplate(corpus: Built):
    lib = corpus.library
    view = lib._view()
    searcher, ctx = view.searcher, lib._postings(view)
    most = max(REASON_FLOOR, REASON_SHARE * searcher.doc_count())
    ids = [f["id"] for f in searcher.all_stored_fields() if f.get("id")]
    seen = 0
    for entry_id in ids:
        entry = lib.entry(entry_id, related=5)
        assert entry is not None
        body = searcher.stored_fields(searcher.document_number(id=entry_id))["body"]
        text = " ".join((entry.title + " " + body).split()).lower()
        for rel in entry.related:
            for reason in rel.shared:
                seen += 1
                assert not NUMBER.fullmatch(reason), (entry_id, reason)
                if reason in rel.themes:
                    continue
                words = reason.split()
                # as written in the entry (not a stem); stop words only inside a phrase
                # ("work in progress"), never a number or a stop word on its own or at an end
                assert all(w.lower() in text for w in words), (entry_id, reason)
                for word in (words[0], words[-1]):
                    assert word.replace(".", "").replace("-", "").isalpha(), (entry_id, reason)
                    assert word.lower() not in STOP_WORDS | COMMON, (entry_id, reason)
                if reason not in rel.phrases:
                    holders = _holders(reason, ctx)
                    assert holders <= most, (entry_id, reason, holders)
    assert seen > len(ids)  # most entries have a related entry with a reason


def _holders(word: str, ctx) -> int:
    from indexer.analysis import stems
    from indexer.postings import evaluate

    terms = stems(word)
    return len(evaluate(wq.Term("body", terms[0]), ctx)[0]) if terms else 0
