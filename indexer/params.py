"""Turn request parameters (from a URL or the command line) into a SearchRequest, or say what is wrong."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence

from indexer.facetdefs import FACETS, FIELD_PARAM, RESERVED
from indexer.results import MAX_PER_PAGE, SORTS, BadParameter, DateBound, SearchRequest

MAX_QUERY_CHARS = 2000
MAX_VALUES = 50
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")

Getter = Callable[[str], Sequence[str]]


def parse_date(name: str, text: str, end: bool) -> DateBound:
    """Parse YYYY, YYYY-MM or YYYY-MM-DD into an inclusive bound (first or last day of the span)."""
    m = _DATE.match(text.strip())
    if not m:
        raise BadParameter(name, f"expected YYYY, YYYY-MM or YYYY-MM-DD, got {text!r}")
    year, month, day = int(m[1]), m[2], m[3]
    try:
        if month is None:
            return DateBound(text, dt.date(year, 12, 31) if end else dt.date(year, 1, 1))
        mon = int(month)
        if day is None:
            last = calendar.monthrange(year, mon)[1] if 1 <= mon <= 12 else 0
            return DateBound(text, dt.date(year, mon, last if end else 1))
        return DateBound(text, dt.date(year, mon, int(day)))
    except ValueError:
        raise BadParameter(name, f"no such date: {text!r}") from None


def parse_int(name: str, text: str, low: int, high: int) -> int:
    """Parse an integer between low and high inclusive."""
    try:
        value = int(text)
    except ValueError:
        raise BadParameter(name, f"expected a whole number, got {text!r}") from None
    if not low <= value <= high:
        raise BadParameter(name, f"expected a number from {low} to {high}, got {value}")
    return value


def _values(get: Getter, name: str) -> tuple[str, ...]:
    values = tuple(v.strip() for v in get(name) if v.strip())
    if len(values) > MAX_VALUES:
        raise BadParameter(name, f"at most {MAX_VALUES} values, got {len(values)}")
    return tuple(dict.fromkeys(values))


def _one(get: Getter, name: str) -> str | None:
    values = [v for v in get(name) if v.strip()]
    if len(values) > 1:
        raise BadParameter(name, f"expected one value, got {len(values)}")
    return values[0].strip() if values else None


def parse_request(
    params: Mapping[str, Sequence[str]] | Getter,
    per_page: int = 10,
    facet_size: int = 0,
    extra: Iterable[str] = (),
) -> SearchRequest:
    """Build a SearchRequest from parameter lists (q, theme, author, section, language, from, to,
    sort, page, per_page, facet_size, subject, typos, and facet_<name> for each name of a field
    map's facet in `extra`, or, from a mapping, for each such parameter it holds)."""
    get: Getter = params if callable(params) else (lambda k: params.get(k, ()))
    if not callable(params):
        extra = [*extra, *field_facet_names(params)]
    q = " ".join(v for v in get("q") if v)
    if len(q) > MAX_QUERY_CHARS:
        raise BadParameter("q", f"at most {MAX_QUERY_CHARS} characters, got {len(q)}")
    sort = _one(get, "sort") or "relevance"
    if sort not in SORTS:
        raise BadParameter("sort", f"expected one of {', '.join(SORTS)}, got {sort!r}")
    text_from, text_to = _one(get, "from"), _one(get, "to")
    date_from = parse_date("from", text_from, end=False) if text_from else None
    date_to = parse_date("to", text_to, end=True) if text_to else None
    if date_from and date_to and date_from.day > date_to.day:
        raise BadParameter("to", f"must not be before from ({text_from}), got {text_to!r}")
    page_text, per_page_text = _one(get, "page"), _one(get, "per_page")
    size_text = _one(get, "facet_size")
    subject_text = _one(get, "subject")
    if subject_text not in (None, "", "0", "1"):
        raise BadParameter("subject", f"expected 0 or 1, got {subject_text!r}")
    typos_text = _one(get, "typos")
    if typos_text not in (None, "", "0", "1"):
        raise BadParameter("typos", f"expected 0 or 1, got {typos_text!r}")
    return SearchRequest(
        q=q.replace("\x00", " ").strip(),
        **{f.request: _values(get, f.name) for f in FACETS},
        extra=_extra(get, extra),
        date_from=date_from,
        date_to=date_to,
        sort=sort,
        page=parse_int("page", page_text, 1, 100_000) if page_text else 1,
        per_page=parse_int("per_page", per_page_text, 1, MAX_PER_PAGE)
        if per_page_text
        else per_page,
        facet_size=parse_int("facet_size", size_text, 0, 100_000) if size_text else facet_size,
        subject=subject_text != "0",
        typos=typos_text != "0",
    )


def field_facet_names(names: Iterable[str]) -> list[str]:
    """Return the facet names of the facet_<name> parameters among these parameter names."""
    out = []
    for param in names:
        name = param.removeprefix(FIELD_PARAM)
        if param.startswith(FIELD_PARAM) and name and name not in RESERVED:
            out.append(name)
    return out


def _extra(get: Getter, names: Iterable[str]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Return the selections of a field map's facets, by name, for those with values."""
    pairs = ((name, _values(get, FIELD_PARAM + name)) for name in dict.fromkeys(names))
    return tuple((name, values) for name, values in pairs if values)
