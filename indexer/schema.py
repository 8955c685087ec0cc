"""The Whoosh schema: what search, facets, sorting, snippets and related entries need."""

from __future__ import annotations

from collections.abc import Sequence

from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from indexer.facetdefs import FACETS, Facet

# Bump when the schema or the way documents are made changes: an index of another version is rebuilt.
SCHEMA_VERSION = 9


def _text(stored: bool, boost: float = 1.0) -> TEXT:
    # imported here: NLTK takes ~0.2 s to import, and an incremental run that finds nothing
    # changed reads SCHEMA_VERSION without analyzing anything
    from indexer.analysis import TermPositions, text_analyzer

    field = TEXT(analyzer=text_analyzer(), stored=stored, field_boost=boost)
    field.format = TermPositions(field_boost=boost)  # the same postings, written faster
    return field


def make_schema(facets: Sequence[Facet] = FACETS) -> Schema:
    """Return a new schema (analyzers are pickled into the index with it), with the stored
    values and the column of each facet a field map adds."""
    schema = Schema(
        id=ID(stored=True, unique=True),
        path=ID(stored=True),
        title=_text(stored=True, boost=2.0),
        # the plain text of the markdown (markup.render), indexed and stored: snippets and
        # related entries read it rather than render the markdown again for every hit
        body=_text(stored=True),
        # The vocabulary: the folded whole words of the archive, held by vocabulary documents
        # (day 0, no id) rather than by every entry, which halves indexing time. Prefix and
        # wildcard queries expand over it, did-you-mean corrects against it.
        words=KEYWORD(),
        markdown=STORED,
        author=STORED,  # the authors as one line to display ("a, b and c")
        authors=STORED,  # each person, a tuple
        authors_col=ID(sortable=True),  # the author facet's column (facetdefs.FACETS)
        author_key=KEYWORD(lowercase=True, commas=True),
        section=ID(stored=True, sortable=True),
        section_key=KEYWORD(lowercase=True, commas=True),
        section_heading=STORED,
        # the entry's language (languages.LANGUAGES code): declared or detected; a facet column
        language=ID(stored=True, sortable=True),
        themes=KEYWORD(stored=True, commas=True, lowercase=True, scorable=True),
        theme_labels=STORED,  # a label per theme: a tag's own words, "" for the taxonomy's
        themes_col=ID(sortable=True),  # the theme facet's column (facetdefs.FACETS)
        day=NUMERIC(int, bits=32, stored=True, sortable=True, signed=False),  # YYYYMMDD
        source=STORED,
        note=STORED,
        line=STORED,
    )
    for f in facets:
        if not f.request:
            schema.add(f.stored, STORED)
            schema.add(f.column, ID(sortable=True))
    return schema


# Query-syntax names a reader may type (`author:@x`, `theme:autonomy`) and the fields they search.
FIELD_ALIASES = {
    "title": "title",
    "body": "body",
    "text": "body",
    "author": "author_key",
    "section": "section_key",
    "theme": "themes",
    "themes": "themes",
}
