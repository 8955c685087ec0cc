"""Theme trends on the web (issue 11): a theme page's trend, /trends comparing themes, the
series as CSV (/trends.csv) and JSON (/api/trends), and what bad parameters answer."""

from __future__ import annotations

import csv
import io
import re

import pytest
from web_fixtures import assert_inert, text_of

SEVEN = "&".join(f"theme=t{i}" for i in range(7))


def test_a_theme_page_shows_its_share_per_month_as_a_chart_and_a_table(client):
    markup = client.get("/themes/autonomy").get_data(as_text=True)
    assert_inert(markup)
    api = client.get("/api/trends?theme=autonomy").get_json()
    assert '<h2 id="trend-title">Trend</h2>' in markup
    svg = re.search(
        r'<svg class="trend-chart" viewBox="0 0 640 240" role="img" '
        r'aria-labelledby="trend-summary">\s*<title id="trend-summary">([^<]+)</title>',
        markup,
    )
    assert svg and svg[1].startswith("Share of all entries per month, ")
    assert "Autonomy: highest " in svg[1]
    assert markup.count('class="trend-line series-1"') == 1
    text = text_of(markup)
    assert "Month Entries with the theme All entries Share" in text
    # one row per month of the archive's span, and months without entries have no share
    rows = re.findall(
        r'<tr><th scope="row">([^<]+)</th><td>(\d+)</td><td>(\d+)</td>'
        r"<td>([^<]+)</td></tr>",
        markup,
    )
    assert len(rows) == len(api["months"])
    assert all(share == "–" for _, _, every, share in rows if every == "0")
    assert 'href="/trends.csv?theme=autonomy"' in markup
    assert 'href="/trends?theme=autonomy"' in markup


def test_the_series_as_csv(client):
    resp = client.get("/trends.csv?theme=autonomy")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    assert resp.headers["Content-Disposition"] == 'attachment; filename="trends-autonomy.csv"'
    rows = list(csv.reader(io.StringIO(resp.get_data(as_text=True))))
    assert rows[0] == ["month", "theme", "entries", "all_entries", "share"]
    api = client.get("/api/trends?theme=autonomy").get_json()
    series = api["themes"][0]
    expected = [
        [m, "autonomy", str(c), str(n), "" if s is None else f"{s:.4f}"]
        for m, c, n, s in zip(api["months"], series["counts"], api["entries"], series["shares"])
    ]
    assert rows[1:] == expected
    assert any(r[4] == "" for r in rows[1:]) and any(r[4] == "1.0000" for r in rows[1:])


def test_compared_themes_as_csv_one_row_per_month_per_theme(client):
    resp = client.get("/trends.csv?theme=autonomy&theme=deprecation")
    assert resp.headers["Content-Disposition"].endswith(
        'filename="trends-autonomy-deprecation.csv"'
    )
    rows = list(csv.reader(io.StringIO(resp.get_data(as_text=True))))[1:]
    months = client.get("/api/trends?theme=autonomy").get_json()["months"]
    assert len(rows) == 2 * len(months)
    assert [r[1] for r in rows[:4]] == ["autonomy", "deprecation"] * 2
    assert rows[0][0] == rows[1][0] == months[0]


def test_the_api_gives_the_series_with_links(client):
    data = client.get("/api/trends?theme=deprecation&theme=autonomy").get_json()
    assert set(data) == {"months", "entries", "themes", "links"}
    assert [t["slug"] for t in data["themes"]] == ["deprecation", "autonomy"]
    assert [t["label"] for t in data["themes"]] == ["Deprecation", "Autonomy"]
    months = data["months"]
    assert months[0] == "2023-05" and months[-1] == "2026-02" and len(months) == 34
    for t in data["themes"]:
        assert sum(t["counts"]) == t["total"] > 0
        for c, n, s in zip(t["counts"], data["entries"], t["shares"], strict=True):
            assert s == (c / n if n else None)
    total = client.get("/api/search?theme=autonomy").get_json()["total"]
    assert data["themes"][1]["total"] == total
    assert sum(data["entries"]) == client.get("/api/search").get_json()["total"]
    assert data["links"]["csv"].endswith("/trends.csv?theme=deprecation&theme=autonomy")
    assert data["links"]["html"].endswith("/trends?theme=deprecation&theme=autonomy")


def test_the_compare_page_draws_each_theme_apart(client):
    resp = client.get("/trends?theme=autonomy&theme=deprecation&theme=transparency")
    assert resp.status_code == 200
    markup = resp.get_data(as_text=True)
    assert_inert(markup)
    for n in (1, 2, 3):
        assert markup.count(f'class="trend-line series-{n}"') == 1
    # colour and a dash pattern and a marker shape of its own
    dashes = re.findall(
        r'<path class="trend-path" d="M[^"]+"(?: stroke-dasharray="([^"]+)")?/>', markup
    )
    assert len(set(dashes[:3])) == 3
    assert len(set(re.findall(r'class="trend-markers (trend-\w+)"', markup))) == 3
    text = text_of(markup)
    assert (
        "Autonomy solid line, circle markers Deprecation dashed line, square markers "
        "Transparency dotted line, triangle markers"
    ) in text
    assert "Month All entries Autonomy Deprecation Transparency" in text
    assert re.search(r'name="theme" value="deprecation" checked', markup)
    assert (
        'href="/trends.csv?theme=autonomy&amp;theme=deprecation&amp;theme=transparency"' in markup
    )


def test_the_compare_page_without_themes_offers_the_form(client):
    resp = client.get("/trends")
    assert resp.status_code == 200
    markup = resp.get_data(as_text=True)
    assert "trend-chart" not in markup and "Themes to compare" in markup
    for slug in ("autonomy", "deprecation", "transparency"):
        assert f'name="theme" value="{slug}"' in markup
    assert re.search(
        r'href="/trends\?theme=[\w-]+&amp;theme=', client.get("/themes").get_data(as_text=True)
    )


def test_too_many_themes_keep_the_form_and_say_why(client):
    resp = client.get("/trends?" + SEVEN)
    assert resp.status_code == 400
    assert "Choose at most 6 themes: 7 were chosen." in text_of(resp.get_data(as_text=True))


@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        ("/api/trends?theme=nope", 404, "theme: no theme 'nope' in the archive"),
        ("/trends.csv?theme=autonomy&theme=nope", 404, "theme: no theme 'nope' in the archive"),
        ("/api/trends", 400, "theme: expected at least one theme, got none"),
        ("/trends.csv", 400, "theme: expected at least one theme, got none"),
        ("/api/trends?" + SEVEN, 400, "theme: at most 6 themes are compared, got 7"),
        ("/trends.csv?" + SEVEN, 400, "theme: at most 6 themes are compared, got 7"),
    ],
)
def test_bad_themes_answer_the_error_shape(client, path, status, message):
    resp = client.get(path)
    assert resp.status_code == status and resp.mimetype == "application/json"
    error = resp.get_json()["error"]
    assert error["message"] == message and error["parameter"] == "theme"


def test_an_unknown_theme_on_the_compare_page_is_a_404_page(client):
    resp = client.get("/trends?theme=autonomy&theme=nope")
    assert resp.status_code == 404 and resp.mimetype == "text/html"
    assert "theme: no theme &#39;nope&#39; in the archive" in resp.get_data(as_text=True)
