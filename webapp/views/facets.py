"""Every value of a facet: /facets/<name>, its own page that works without JavaScript, and the
shared reading of the parameters that /api/facets/<name> takes too.

Both take the parameters of a search, except that the search's text is `query` (`q` is the text
the values must hold), plus `order` (count or name), `page` and `per_page`.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from flask import Blueprint, render_template, request
from werkzeug.datastructures import MultiDict

from indexer.facetsearch import VALUE_SORTS, ValuePage, check_sort
from indexer.params import parse_int
from indexer.results import BadParameter
from webapp.core import library, request_for
from webapp.errors import NotFound
from webapp.state import SearchState

bp = Blueprint("facets", __name__)
PER_PAGE = 100  # values per page of the API when a request gives no per_page
PAGE_SIZE = 200  # values per page of /facets/<name>
MAX_VALUES_PER_PAGE = 1000


@dataclass(frozen=True)
class ValueQuery:
    """A request for a facet's values: the search they are counted under, and what to list."""

    name: str  # a facet of the index (a field map's own included): the core says which
    state: SearchState  # the search (its text as `q`, as /search takes it)
    match: str
    order: str
    page: int
    per_page: int

    def url(self, path: str, **changes: str | int) -> str:
        """Return the URL of this request at `path` with some of its parameters changed."""
        params = {"q": self.match, "order": self.order, "page": self.page, **changes}
        pairs = [("query" if k == "q" else k, v) for k, v in self.state.pairs]
        pairs += [(k, str(v)) for k, v in params.items() if v and (k, v) != ("page", 1)]
        if params["order"] == "count":
            pairs.remove(("order", "count"))
        return path + ("?" + urlencode(pairs) if pairs else "")


def value_query(name: str, default_per_page: int) -> ValueQuery:
    """Read a facet-values request from the query string (raises BadParameter)."""
    args = request.args
    search = MultiDict(
        [(k, v) for k, v in args.items(multi=True) if k not in ("q", "page", "per_page", "sort")]
    )
    search.setlist("q", args.getlist("query"))
    state = SearchState.from_args(search)
    order = check_sort(_one(args, "order") or "count")
    page = _one(args, "page")
    per_page = _one(args, "per_page")
    return ValueQuery(
        name,
        state,
        " ".join(args.getlist("q")).strip(),
        order,
        parse_int("page", page, 1, 100_000) if page else 1,
        parse_int("per_page", per_page, 1, MAX_VALUES_PER_PAGE) if per_page else default_per_page,
    )


def _one(args: MultiDict, name: str) -> str | None:
    given = [v.strip() for v in args.getlist(name) if v.strip()]
    if len(given) > 1:
        raise BadParameter(name, f"expected one value, got {len(given)}")
    return given[0] if given else None


def values(vq: ValueQuery) -> ValuePage:
    """Ask the core for one page of the facet's values (raises NotFound for a facet the index
    lacks, BadParameter for any other bad parameter)."""
    req = request_for(vq.state)
    offset = (vq.page - 1) * vq.per_page
    try:
        return library().facet_values(req, vq.name, vq.match, vq.order, offset, vq.per_page)
    except BadParameter as e:
        if e.name == "facet":
            raise NotFound(e.message) from None
        raise


@bp.get("/facets/<name>")
def facet_page(name: str) -> str:
    vq = value_query(name, PAGE_SIZE)
    found = values(vq)
    pages = max(1, -(-(found.total - sum(v.selected for v in found.results)) // vq.per_page))
    return render_template(
        "facets.html",
        vq=vq,
        found=found,
        title=found.title,
        orders=VALUE_SORTS,
        pages=pages,
        back=vq.state.url(),
        kept=[(k, v) for k, v in vq.state.pairs if k != found.param],
    )
