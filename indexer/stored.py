"""Rebuild index documents from what an older generation stored (to keep a broken file's last good version)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index

from indexer.documents import derived_fields
from indexer.facetdefs import FACETS, Facet, index_facets
from indexer.markup import plain_text


def document_from_stored(
    fields: dict[str, Any], facets: Sequence[Facet] = FACETS
) -> dict[str, Any]:
    """Return the document to add for an entry, from its stored fields (with the columns of
    the index's `facets`)."""
    doc = dict(fields)
    if "body" not in doc:  # stored since schema 5
        doc["body"] = plain_text(doc.get("markdown", ""))
    return doc | derived_fields(doc, facets)


def documents_for_paths(generation: Path, paths: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Return, for each archive path, the documents the generation holds for it."""
    ix = whoosh_index.open_dir(str(generation))
    facets = index_facets(generation)
    out: dict[str, list[dict[str, Any]]] = {}
    with ix.searcher() as searcher:
        for rel in paths:
            docs = [
                document_from_stored(searcher.stored_fields(n), facets)
                for n in searcher.document_numbers(path=rel)
            ]
            if docs:
                out[rel] = docs
    return out
