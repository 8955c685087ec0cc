"""The OpenAPI 3.1 document of the JSON API, the exports and the feed (served at /api/openapi.json)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from indexer.completions import KINDS, MAX_SUGGEST_CHARS
from indexer.facetdefs import FACETS, Facet
from indexer.facetsearch import MAX_MATCH_CHARS, VALUE_SORTS
from indexer.results import MAX_PER_PAGE, SORTS
from indexer.trends import MAX_THEMES

# A year from 0001, a month 01-12, a day 01-31; a day its month lacks (02-30) or a `to` before
# `from` still answers 400.
DATE_PATTERN = r"^(?!0000)\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$"
ID_PATTERN = r"^[a-z0-9]+([-_.][a-z0-9]+)*$"  # slugs.is_valid_id: any other id is unknown (404)


def _param(
    name: str, schema: dict[str, Any], text: str, where: str = "query", repeat: bool = False
) -> dict[str, Any]:
    if repeat:
        schema = {"type": "array", "items": schema}
    p: dict[str, Any] = {"name": name, "in": where, "description": text, "schema": schema}
    if repeat:
        p.update(style="form", explode=True)
    if where == "path":
        p["required"] = True
    else:
        p["allowEmptyValue"] = True  # an empty field of the search form means "not given"
    return p


SEARCH_PARAMS = [
    _param(
        "q",
        {"type": "string", "maxLength": 2000},
        'Query text: words, "exact phrases", prefix*; empty browses everything the filters allow.',
    ),
    _param("theme", {"type": "string"}, "Theme slug; repeat to OR values.", repeat=True),
    _param(
        "author",
        {"type": "string"},
        'Author as stored (e.g. "@Seltaa_"); repeat to OR.',
        repeat=True,
    ),
    _param(
        "section",
        {"type": "string"},
        'Section short name (e.g. "The Evidence"); repeat to OR.',
        repeat=True,
    ),
    _param(
        "language",
        {"type": "string"},
        'Language code (e.g. "ja", "de") or name ("Japanese"); repeat to OR.',
        repeat=True,
    ),
    _param(
        "from",
        {"type": "string", "pattern": DATE_PATTERN},
        "Earliest date, inclusive: YYYY, YYYY-MM or YYYY-MM-DD.",
    ),
    _param(
        "to",
        {"type": "string", "pattern": DATE_PATTERN},
        "Latest date, inclusive: YYYY, YYYY-MM or YYYY-MM-DD.",
    ),
    _param(
        "sort", {"type": "string", "enum": list(SORTS), "default": "relevance"}, "Order of results."
    ),
    _param(
        "typos",
        {"type": "integer", "enum": [0, 1], "default": 1},
        "1: a word of a plain query that the archive lacks (or holds in a few entries, next to "
        "a far more frequent word one edit away) also matches its nearest archive words: none "
        "under 5 letters, 1 edit from 5, 2 from 9; entries holding the words as typed rank "
        "first, `near_spellings` says which words were added. Quoted words never; 0: the words "
        "as typed only.",
    ),
]
PAGE_PARAMS = [
    _param(
        "page",
        {"type": "integer", "minimum": 1, "maximum": 100_000, "default": 1},
        "Page number, from 1 (at most 100000).",
    ),
    _param(
        "per_page",
        {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": 10},
        f"Results per page, at most {MAX_PER_PAGE}.",
    ),
    _param(
        "subject",
        {"type": "integer", "enum": [0, 1], "default": 1},
        "1: a plain query whose words find fewer than 50 entries is followed by up to 50 entries "
        "on the same subject (they share the key words of the best matches and hold none of the "
        "query's words; `on_subject` counts them); 0: only entries holding the words.",
    ),
    _param(
        "facet_size",
        {"type": "integer", "minimum": 0, "maximum": 100000},
        "Values listed per facet, most frequent first (selected ones always); 0 lists all. "
        "Default: the FACET_SIZE setting (100).",
    ),
]
VALUE_PARAMS = [  # after the facet's name, which the index's facets list
    _param(
        "q",
        {"type": "string", "maxLength": MAX_MATCH_CHARS},
        "Text the values must hold, in their name or label (every word, any case or accent); "
        "empty lists every value.",
    ),
    _param(
        "query",
        {"type": "string", "maxLength": 2000},
        "The search's query text (what `q` is to /api/search): values are counted under it.",
    ),
    *[p for p in SEARCH_PARAMS if p["name"] not in ("q", "sort")],
    _param(
        "order",
        {"type": "string", "enum": list(VALUE_SORTS), "default": "count"},
        "count: most entries first; name: alphabetical by label.",
    ),
    _param(
        "page",
        {"type": "integer", "minimum": 1, "maximum": 100_000, "default": 1},
        "Page of values, from 1.",
    ),
    _param(
        "per_page",
        {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100},
        "Values per page, at most 1000 (the selected values come on top of them).",
    ),
]
CSV_PARAMS = [
    _param(
        "bom",
        {"type": "string", "enum": ["1", "0", "true", "false", "yes", "no"]},
        "1: start the file with UTF-8's byte-order mark, so spreadsheets read accents right.",
    ),
    _param(
        "snippets",
        {"type": "string", "enum": ["1", "0", "true", "false", "yes", "no"]},
        "1: add a `snippet` column after the entry's columns: the passage that matched, as text.",
    ),
]
SUGGEST_PARAMS = [
    _param(
        "q",
        {"type": "string", "maxLength": MAX_SUGGEST_CHARS},
        "Text being typed: its last word is completed; titles, authors and themes holding its "
        "words (the last one as a prefix) are offered too.",
    ),
    _param(
        "limit",
        {"type": "integer", "minimum": 1, "maximum": 20, "default": 8},
        "Most suggestions answered.",
    ),
]
TREND_PARAMS = [
    {
        "name": "theme",
        "in": "query",
        "required": True,
        "style": "form",
        "explode": True,
        "description": f"Theme slug; repeat to compare up to {MAX_THEMES} themes on one chart.",
        "schema": {
            "type": "array",
            "items": {"type": "string"},
            "minItems": 1,
            "maxItems": MAX_THEMES,
        },
    }
]
ID_PARAM = _param("id", {"type": "string", "pattern": ID_PATTERN}, "The entry's id.", where="path")


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _errors(*codes: int) -> dict[str, Any]:
    text = {
        400: "A parameter is malformed; the message says what was expected and what came.",
        404: "No entry with this id, no facet of this name, or no theme of this slug.",
    }
    return {
        str(c): {"description": text[c], "content": {"application/json": {"schema": _ref("Error")}}}
        for c in codes
    }


def _get(
    summary: str,
    params: list[dict[str, Any]],
    content: dict[str, Any],
    *errors: int,
    description: str = "",
) -> dict[str, Any]:
    op = {
        "summary": summary,
        "parameters": params,
        "responses": {"200": {"description": "OK", "content": content}, **_errors(*errors)},
    }
    if description:
        op["description"] = description
    return {"get": op}


STRING = {"type": "string"}
STRINGS = {"type": "array", "items": STRING}
HIT = {
    "type": "object",
    "required": ["id", "title", "author", "date", "section", "themes", "url", "source", "snippet"],
    "properties": {
        "id": STRING,
        "title": STRING,
        "author": {**STRING, "description": "The authors as one line ('a, b and c')."},
        "authors": {**STRINGS, "description": "Each author, one person per item."},
        "date": {"type": "string", "format": "date"},
        "section": STRING,
        "section_heading": STRING,
        "themes": STRINGS,
        "language": {**STRING, "description": "The entry's language, an ISO 639-1 code ('ja')."},
        "url": {"type": "string", "format": "uri"},
        "source": STRING,
        "note": STRING,
        "snippet": {"type": "string", "description": "HTML in which only <mark> is markup."},
        "score": {"type": "number"},
        "partial": {
            "type": "boolean",
            "description": "The entry holds only some of the words of a plain query.",
        },
        "synonyms": {
            "type": "array",
            "items": _ref("SynonymUse"),
            "description": "The synonyms that alone brought this entry: it holds none "
            "of the words they stand for.",
        },
        "subject": {
            "type": "boolean",
            "description": "The entry holds none of the words: it shares the key words "
            "of the best matches (see `subject_words`).",
        },
    },
}
FACET_VALUE = {
    "type": "object",
    "required": ["value", "count"],
    "properties": {
        "value": STRING,
        "count": {"type": "integer"},
        "selected": {"type": "boolean"},
        "label": STRING,
    },
}
SEARCH = {
    "type": "object",
    "required": ["query", "total", "page", "per_page", "results", "facets", "suggestion"],
    "properties": {
        "query": STRING,
        "filters": {"type": "object"},
        "sort": STRING,
        "total": {"type": "integer"},
        "page": {"type": "integer"},
        "per_page": {"type": "integer"},
        "pages": {"type": "integer"},
        "results": {"type": "array", "items": _ref("Hit")},
        "facets": {
            "type": "object",
            "description": "theme, author, section, language, then the facets the archive's field "
            "map adds (each filtered by facet_<name>), year and month, each a list of values with "
            "counts; and day (YYYY-MM-DD) when the results within the date range fall on 92 days "
            "or fewer.",
            "additionalProperties": {"type": "array", "items": _ref("FacetValue")},
        },
        "suggestion": {"type": ["string", "null"], "description": "Did-you-mean query text."},
        "partial": {"type": "boolean", "description": "A time limit cut the search short."},
        "all_words": {
            "type": ["integer", "null"],
            "description": "Plain queries of several words: how many results hold every "
            "word; they come first, the rest hold most of the words.",
        },
        "on_subject": {
            "type": "integer",
            "description": "Plain queries whose words found fewer than 50 entries: how "
            "many results follow them for sharing the key words of the "
            "best matches (hits marked `subject`); they hold none of "
            "the query's words.",
        },
        "subject_words": {**STRINGS, "description": "The key words that brought those entries."},
        "synonyms": {
            "type": "array",
            "description": "Plain words for which the archive's synonyms (synonyms.yaml, and "
            "the themes' own) were searched too.",
            "items": _ref("SynonymUse"),
        },
        "near_spellings": {
            "type": "array",
            "description": "Plain words matched with their near spellings too (see `typos`).",
            "items": {
                "type": "object",
                "required": ["typed", "words"],
                "properties": {"typed": STRING, "words": STRINGS},
            },
        },
        "generation": STRING,
        "links": {"type": "object", "additionalProperties": {"type": ["string", "null"]}},
    },
}
VALUE_PAGE = {
    "type": "object",
    "required": ["facet", "q", "order", "total", "offset", "results"],
    "properties": {
        "facet": STRING,
        "q": STRING,
        "order": {"type": "string", "enum": list(VALUE_SORTS)},
        "total": {"type": "integer", "description": "Values that match, over every page."},
        "offset": {"type": "integer"},
        "per_page": {"type": "integer"},
        "results": {
            "type": "array",
            "items": _ref("FacetValue"),
            "description": "The selected values first (always, whatever q), then one page.",
        },
        "links": {"type": "object", "additionalProperties": STRING},
    },
}
SYNONYM_USE = {
    "type": "object",
    "required": ["typed", "matched"],
    "properties": {
        "typed": {**STRING, "description": "The query's words."},
        "matched": {**STRINGS, "description": "What was searched with them."},
    },
}
SUGGESTIONS = {
    "type": "object",
    "required": ["q", "suggestions"],
    "properties": {
        "q": STRING,
        "suggestions": {
            "type": "array",
            "description": "Completions of the last word (most entries first), then themes, "
            "authors and titles.",
            "items": {
                "type": "object",
                "required": ["kind", "text", "value", "count", "url"],
                "properties": {
                    "kind": {"type": "string", "enum": list(KINDS)},
                    "text": {**STRING, "description": "What is shown."},
                    "value": {
                        **STRING,
                        "description": "word: the whole query with its last word "
                        "completed; title: the entry's id; author: the author; theme: "
                        "the theme's slug.",
                    },
                    "count": {
                        "type": "integer",
                        "description": "Entries holding the word (in "
                        "any spelling, singular or plural), by the author, of the theme; "
                        "1 for a title.",
                    },
                    "url": {
                        "type": "string",
                        "format": "uri",
                        "description": "Where picking it leads: the search, the entry, or "
                        "the search filtered by the author or theme.",
                    },
                },
            },
        },
    },
}
RELATED = {
    "type": "object",
    "properties": {
        "id": STRING,
        "title": STRING,
        "author": STRING,
        "date": STRING,
        "shared": {
            **STRINGS,
            "description": "What the two entries share, as a reader reads it: shared themes, then"
            " key phrases, then key words (never a number, a stop word, a stem or a word in more"
            " than a few percent of the entries).",
        },
        "themes": {**STRINGS, "description": "The themes both have, as labels."},
        "phrases": {**STRINGS, "description": "The key phrases both use, as written."},
        "score": {"type": "number"},
        "url": STRING,
    },
}
RELATED_AUTHOR = {
    "type": "object",
    "properties": {
        "name": STRING,
        "count": {"type": "integer", "description": "Their entries sharing a theme or phrase."},
        "entries": {"type": "integer", "description": "All their entries."},
        "themes": {**STRINGS, "description": "Shared themes, as labels, most shared first."},
        "phrases": {**STRINGS, "description": "Shared key phrases, as written."},
        "score": {"type": "number"},
        "url": {**STRING, "description": "Their author page."},
    },
}
DUPLICATE = {
    "type": "object",
    "properties": {
        "id": STRING,
        "title": STRING,
        "author": STRING,
        "date": STRING,
        "path": {**STRING, "description": "The archive file that holds it."},
        "similarity": {
            "type": "number",
            "description": "Share of the shorter text's 4-word runs the other holds (0.8 to 1).",
        },
        "url": STRING,
    },
}
ENTRY = {
    "type": "object",
    "required": ["id", "title", "author", "date", "body_html", "related"],
    "properties": {
        "id": STRING,
        "title": STRING,
        "author": {**STRING, "description": "The authors as one line ('a, b and c')."},
        "authors": {**STRINGS, "description": "Each author, one person per item."},
        "date": STRING,
        "section": STRING,
        "section_heading": STRING,
        "themes": STRINGS,
        "language": {**STRING, "description": "The entry's language, an ISO 639-1 code ('ja')."},
        "source": STRING,
        "note": STRING,
        "body": {"type": "string", "description": "Markdown as written."},
        "body_html": {"type": "string", "description": "The body rendered and sanitised."},
        "path": STRING,
        "url": STRING,
        "related": {"type": "array", "items": _ref("Related")},
        "related_authors": {
            "type": "array",
            "items": _ref("RelatedAuthor"),
            "description": "Who else writes on this: the authors closest to the entry's themes"
            " and key phrases.",
        },
        "duplicates": {
            "type": "array",
            "items": _ref("Duplicate"),
            "description": "Entries whose text is nearly the same (MinHash, then an exact check).",
        },
        "citation": {"type": "object"},
    },
}
INTEGERS = {"type": "array", "items": {"type": "integer"}}
THEME_SERIES = {
    "type": "object",
    "required": ["slug", "label", "total", "counts", "shares"],
    "properties": {
        "slug": STRING,
        "label": STRING,
        "total": {"type": "integer"},
        "counts": {**INTEGERS, "description": "The theme's entries, one per month of `months`."},
        "shares": {
            "type": "array",
            "items": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
            "description": "The theme's entries over all the month's entries, a fraction from "
            "0 to 1; null for a month without entries.",
        },
    },
}
TRENDS = {
    "type": "object",
    "required": ["months", "entries", "themes", "links"],
    "properties": {
        "months": {
            **STRINGS,
            "description": "Every month (YYYY-MM) from the archive's first "
            "entry to its last, months without entries included.",
        },
        "entries": {**INTEGERS, "description": "All the archive's entries, per month."},
        "themes": {"type": "array", "items": _ref("ThemeSeries")},
        "links": {"type": "object", "description": "`html`: the chart; `csv`: the series."},
    },
}
ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {**STRING, "examples": ["bad_parameter", "not_found"]},
                "message": STRING,
                "parameter": {
                    **STRING,
                    "description": "The parameter at fault, for bad_parameter.",
                },
            },
        }
    },
}


def own_facet_params(facets: Sequence[Facet]) -> list[dict[str, Any]]:
    """Return the filter parameter of each facet that the archive's field map adds."""
    return [
        _param(
            f.param,
            {"type": "string"},
            f"A value of {f.title}, a facet of the "
            "archive's own (its field map); repeat to OR, any case.",
            repeat=True,
        )
        for f in facets
        if not f.request
    ]


def document(server: str, site: str, facets: Sequence[Facet] = FACETS) -> dict[str, Any]:
    """Return the OpenAPI document for a server's base URL and the index's `facets`."""
    filters = SEARCH_PARAMS + own_facet_params(facets)
    name = _param(
        "name", {"type": "string", "enum": [f.name for f in facets]}, "The facet.", where="path"
    )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"{site} API",
            "version": "1.0",
            "description": "Search and read the archive. Values of one facet are OR-ed, "
            "facets are AND-ed. Bad parameters answer 400, unknown ids 404, "
            "both with the Error shape. Answers carry an ETag: send it back in "
            "If-None-Match and an unchanged answer is 304 with no body.",
        },
        "servers": [{"url": server}],
        "paths": {
            "/api/search": _get(
                "Search the archive",
                filters + PAGE_PARAMS,
                {"application/json": {"schema": _ref("SearchResult")}},
                400,
            ),
            "/api/facets/{name}": _get(
                "Every value of a facet that holds a text, counted under a search",
                [name, *VALUE_PARAMS, *own_facet_params(facets)],
                {"application/json": {"schema": _ref("FacetValues")}},
                400,
                404,
                description="Values of one facet (theme, author, section, language, and those the "
                "archive's field map adds) whose name or label "
                "holds every word of `q`, with their counts under the search that `query` and "
                "the filters describe (the facet's own selection ignored, as in /api/search). "
                "`links.html` is the same list as a page of its own.",
            ),
            "/api/suggest": _get(
                "Suggestions for text being typed",
                SUGGEST_PARAMS,
                {"application/json": {"schema": _ref("Suggestions")}},
                400,
                description="Completions of the last word from the archive's vocabulary (ranked "
                "by how many entries hold them, spellings folded: organis offers organization), "
                "then the themes, authors and titles whose words start with the typed ones, each "
                "with its kind and count. Made for a search box: answers in milliseconds.",
            ),
            "/api/entries/{id}": _get(
                "One entry with related entries",
                [ID_PARAM],
                {"application/json": {"schema": _ref("Entry")}},
                404,
            ),
            "/search.json": _get(
                "Export the whole filtered result set as JSON",
                filters,
                {"application/json": {"schema": {"type": "object"}}},
                400,
                description="Records query, filters, sort, index generation and export time, then "
                "`results`, `count` and `truncated` (cut at the server's export limit), and last "
                "`complete`: true when every record was written, false (after an `error`) when a "
                "failure cut the stream. The X-Result-Count header gives the records to expect.",
            ),
            "/search.csv": _get(
                "Export the whole filtered result set as CSV",
                filters + CSV_PARAMS,
                {"text/csv": {"schema": STRING}},
                400,
                description="One row per entry; the columns query, filters, sort, generation and "
                "exported record what produced it. Cells that start with = + - @ get a "
                "leading apostrophe so spreadsheets never run them. The X-Result-Count header "
                "gives the rows to expect; a failure that cuts the stream ends it with a row "
                "whose one cell starts with `# incomplete`.",
            ),
            "/search.atom": _get(
                "The newest entries of a search as an Atom feed",
                filters,
                {"application/atom+xml": {"schema": STRING}},
                400,
            ),
            "/entries/{id}.csl.json": _get(
                "The entry's citation as CSL-JSON",
                [ID_PARAM],
                {"application/vnd.citationstyles.csl+json": {"schema": {"type": "array"}}},
                404,
            ),
            "/entries/{id}.bib": _get(
                "The entry's citation as BibTeX",
                [ID_PARAM],
                {"application/x-bibtex": {"schema": STRING}},
                404,
            ),
            "/api/trends": _get(
                "Themes' shares of all entries per month",
                TREND_PARAMS,
                {"application/json": {"schema": _ref("ThemeTrends")}},
                400,
                404,
                description="For each theme, its entries per month and their share of all the "
                "archive's entries that month, over every month from the first entry to the "
                "last. The same series as the chart of /trends and /themes/{slug}.",
            ),
            "/trends.csv": _get(
                "Themes' shares of all entries per month as CSV",
                TREND_PARAMS,
                {"text/csv": {"schema": STRING}},
                400,
                404,
                description="Columns month (YYYY-MM), theme (slug), entries (the theme's), "
                "all_entries and share: entries over all_entries as a fraction from 0 to 1 with "
                "four decimals, empty for a month without entries. One row per month per theme.",
            ),
            "/api/openapi.json": _get(
                "This document", [], {"application/json": {"schema": {"type": "object"}}}
            ),
        },
        "components": {
            "schemas": {
                "SearchResult": SEARCH,
                "Hit": HIT,
                "FacetValue": FACET_VALUE,
                "FacetValues": VALUE_PAGE,
                "Suggestions": SUGGESTIONS,
                "SynonymUse": SYNONYM_USE,
                "Entry": ENTRY,
                "Related": RELATED,
                "Duplicate": DUPLICATE,
                "RelatedAuthor": RELATED_AUTHOR,
                "ThemeTrends": TRENDS,
                "ThemeSeries": THEME_SERIES,
                "Error": ERROR,
            }
        },
    }
