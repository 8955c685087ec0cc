"""Export rows: formula-safe CSV cells and streamed JSON."""

from __future__ import annotations

import csv
import io
import json

import pytest

from indexer.results import Hit
from webapp import exporting


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@handle", "'@handle"),
        ("\tx", "'\tx"),
        ("plain", "plain"),
        ("", ""),
        ("a=b", "a=b"),
    ],
)
def test_neutralise(value, safe):
    assert exporting.neutralise(value) == safe


def hit(i: int) -> Hit:
    return Hit(
        id=f"e{i}",
        title=f"=T{i}",
        author="@a",
        date="2025-01-01",
        section="S",
        section_heading="S: s",
        themes=("x", "y"),
        source="https://e.org",
        note="",
        snippet="",
    )


def test_csv_rows_have_provenance_columns():
    prov = {
        "query": "q",
        "filters": "theme=x",
        "sort": "relevance",
        "generation": "g",
        "exported": "t",
    }
    text = "".join(exporting.csv_rows([hit(1), hit(2)], lambda h: "u/" + h.id, prov))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["id"] for r in rows] == ["e1", "e2"]
    assert rows[0]["title"] == "'=T1" and rows[0]["themes"] == "x; y" and rows[0]["url"] == "u/e1"
    assert rows[1]["generation"] == "g"


def test_json_chunks_make_one_document():
    text = "".join(exporting.json_chunks({"query": "q"}, ({"i": i} for i in range(5)), limit=3))
    data = json.loads(text)
    assert data == {
        "query": "q",
        "results": [{"i": 0}, {"i": 1}, {"i": 2}],
        "count": 3,
        "truncated": True,
        "complete": True,
    }
    assert json.loads("".join(exporting.json_chunks({}, iter([]), 3)))["count"] == 0


def failing(items, after: int):
    """Yield the items, then fail as a disk or a bug would, part way."""
    yield from items[:after]
    raise OSError("the index went away")


def test_json_chunks_cut_by_a_failure_say_so_last(caplog):
    records = failing([{"i": i} for i in range(5)], after=2)
    data = json.loads("".join(exporting.json_chunks({"query": "q"}, records, limit=10)))
    assert data["results"] == [{"i": 0}, {"i": 1}] and data["count"] == 2
    assert list(data)[-2:] == ["error", "complete"] and data["complete"] is False
    assert data["error"]["code"] == "internal_error"
    assert "stopped after 2 records" in caplog.text and "the index went away" in caplog.text


def test_csv_rows_cut_by_a_failure_end_with_a_marker_row(caplog):
    prov = dict.fromkeys(exporting.PROVENANCE_COLUMNS, "p")
    text = "".join(exporting.csv_rows(failing([hit(1), hit(2), hit(3)], 2), lambda h: "u", prov))
    rows = list(csv.reader(io.StringIO(text)))
    assert [r[0] for r in rows[1:3]] == ["e1", "e2"]
    assert len(rows) == 4 and rows[-1][0].startswith(exporting.INCOMPLETE)
    assert "CSV export stopped after 2 rows" in caplog.text
