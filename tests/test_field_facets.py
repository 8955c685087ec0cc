"""A facet added through a field map, with no code change: declared in fieldmap.yaml, indexed,
counted (disjunctively, as the built-in ones), filtered with facet_<name>, listed by the API,
and kept through incremental runs and broken files."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from fixture_archive import write_archive
from flask.testing import FlaskClient

from indexer.build import build_index
from indexer.cli import main
from indexer.library import Library
from indexer.params import parse_request
from indexer.results import BadParameter
from webapp import create_app

FIELDMAP = """\
facets:
  medium:
    key: [medium, format]   # the first key present
    label: Medium
  topics:
    key: topics
    multi: true
"""

ORGANISING = "the-research/organising-the-evidence.md"
COLOUR = "the-research/colour-of-data.md"
LIVING = "the-stories/living-with-a-model.md"
KEYS = {
    ORGANISING: "medium: survey\ntopics: [audit, trust]\n",
    COLOUR: "format: chart\ntopics: audit\n",
    LIVING: "medium: [letter, diary]\n",  # one value: the facet is not multi-valued
}


def add_keys(archive: Path, rel: str, keys: str) -> None:
    """Add frontmatter keys to an archive file, after its opening '---'."""
    path = archive / rel
    path.write_text(
        path.read_text(encoding="utf-8").replace("---\n", "---\n" + keys, 1), encoding="utf-8"
    )


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    root = write_archive(tmp_path / "archive")
    (root / "fieldmap.yaml").write_text(FIELDMAP, encoding="utf-8")
    for rel, keys in KEYS.items():
        add_keys(root, rel, keys)
    return root


@pytest.fixture
def library(archive: Path, tmp_path: Path) -> Library:
    report = build_index(archive, tmp_path / "index", full=True)
    assert report.problems == [] and report.entries == 6
    return Library(tmp_path / "index")


def counts(library: Library, name: str, **params: list[str]) -> dict[str, tuple[int, bool]]:
    result = library.search(parse_request(params))
    return {v.value: (v.count, v.selected) for v in result.facet(name).results}


def ids(library: Library, **params: list[str]) -> list[str]:
    return sorted(h.id for h in library.search(parse_request(params)).hits)


def test_the_field_maps_facets_follow_the_built_in_ones(library: Library):
    assert [(f.name, f.title, f.multi, f.param) for f in library.facets()[4:]] == [
        ("medium", "Medium", False, "facet_medium"),
        ("topics", "Topics", True, "facet_topics"),
    ]
    assert [f.name for f in library.facets()[:4]] == ["theme", "author", "section", "language"]


def test_a_field_map_facet_is_counted_and_filtered(library: Library):
    assert counts(library, "medium") == {
        "survey": (1, False),
        "chart": (1, False),
        "letter": (1, False),
    }
    assert counts(library, "topics") == {"audit": (2, False), "trust": (1, False)}
    assert ids(library, facet_medium=["SURVEY"]) == ["organising-the-evidence"]
    assert ids(library, facet_topics=["audit"]) == ["colour-of-data", "organising-the-evidence"]
    assert ids(library, facet_topics=["audit"], facet_medium=["chart", "letter"]) == [
        "colour-of-data"
    ]
    # disjunctive: its own selection leaves the other values counted, the others' narrow it
    assert counts(library, "medium", facet_medium=["survey"]) == {
        "survey": (1, True),
        "chart": (1, False),
        "letter": (1, False),
    }
    assert counts(library, "topics", facet_medium=["survey"]) == {
        "audit": (1, False),
        "trust": (1, False),
    }
    assert counts(library, "medium", author=["@quietharbor"]) == {"letter": (1, False)}


def test_the_result_shape_echoes_and_lists_it(library: Library):
    result = library.search(parse_request({"facet_medium": ["survey"]}))
    body = result.to_dict()
    assert body["filters"]["medium"] == ["survey"] and body["filters"]["author"] == []
    assert {"value": "survey", "count": 1, "selected": True, "label": "survey"} in body["facets"][
        "medium"
    ]
    page = library.facet_values(parse_request({}), "topics", "aud")
    assert [(v.value, v.count) for v in page.results] == [("audit", 2)]


def test_a_facet_the_index_lacks_is_a_bad_parameter(library: Library):
    with pytest.raises(BadParameter) as raised:
        library.search(parse_request({"facet_colour": ["red"]}))
    assert raised.value.name == "facet_colour"
    assert (
        raised.value.message
        == "no facet 'colour' in this index (its field map adds: medium, topics)"
    )


def test_incremental_runs_and_broken_files_keep_the_values(archive: Path, library: Library):
    index = library.index_dir
    (archive / COLOUR).write_text(
        (archive / COLOUR).read_text(encoding="utf-8").replace("format: chart", "format: map"),
        encoding="utf-8",
    )
    (archive / ORGANISING).write_text("---\ntitle: [unclosed\n---\nbody\n", encoding="utf-8")
    report = build_index(archive, index)
    assert not report.full and report.kept == [ORGANISING]  # its last good version stays
    assert counts(library, "medium") == {
        "survey": (1, False),
        "map": (1, False),
        "letter": (1, False),
    }
    assert counts(library, "topics") == {"audit": (2, False), "trust": (1, False)}


def test_changing_the_field_map_rebuilds_and_drops_a_facet(archive: Path, library: Library):
    (archive / "fieldmap.yaml").write_text("facets:\n  medium: format\n", encoding="utf-8")
    assert build_index(archive, library.index_dir).full
    assert [(f.name, f.title) for f in library.facets()[4:]] == [("medium", "Medium")]
    assert counts(library, "medium") == {"chart": (1, False)}
    with pytest.raises(BadParameter):
        library.search(parse_request({"facet_topics": ["audit"]}))


def test_a_bad_value_is_a_problem_of_its_file(archive: Path, tmp_path: Path):
    add_keys(archive, "the-stories/" + "living-with-a-model.md", "topics: {a: b}\n")
    report = build_index(archive, tmp_path / "index", full=True)
    assert [str(p) for p in report.problems] == [
        f"{LIVING}:2: topics: expected text or a list of text, got a mapping"
    ]


@pytest.fixture
def client(library: Library) -> FlaskClient:
    return create_app({"INDEX": str(library.index_dir), "TESTING": True}).test_client()


def test_the_api_filters_and_lists_it(client: FlaskClient):
    body = client.get("/api/search?facet_topics=audit&facet_medium=chart").get_json()
    assert [r["id"] for r in body["results"]] == ["colour-of-data"]
    assert body["filters"]["topics"] == ["audit"] and body["filters"]["medium"] == ["chart"]
    assert body["facets"]["medium"] == [
        {"value": "chart", "count": 1, "selected": True, "label": "chart"},
        {"value": "survey", "count": 1, "selected": False, "label": "survey"},
    ]
    assert body["facets"]["topics"] == [
        {"value": "audit", "count": 1, "selected": True, "label": "audit"}
    ]
    assert list(body["facets"])[:6] == [
        "theme",
        "author",
        "section",
        "language",
        "medium",
        "topics",
    ]
    assert body["links"]["self"] == (
        "http://localhost/api/search?facet_topics=audit&facet_medium=chart"
    )
    bad = client.get("/api/search?facet_colour=red")
    assert bad.status_code == 400 and bad.get_json()["error"]["parameter"] == "facet_colour"


def test_the_api_lists_its_values_under_a_search(client: FlaskClient):
    body = client.get("/api/facets/topics?facet_medium=survey&q=tru").get_json()
    assert (body["facet"], body["total"]) == ("topics", 1)
    assert body["results"] == [{"value": "trust", "count": 1, "selected": False, "label": "trust"}]
    assert body["links"]["html"] == "http://localhost/facets/topics?facet_medium=survey&q=tru"
    bad = client.get("/api/facets/colour")
    assert bad.status_code == 404 and bad.get_json()["error"]["message"] == (
        "no facet 'colour'; the facets are theme, author, section, language, medium, topics"
    )
    assert client.get("/facets/colour").status_code == 404


def test_the_search_page_offers_its_values_and_a_chip(client: FlaskClient):
    html = client.get("/search?facet_medium=survey").get_data(as_text=True)
    box = html[html.index('<fieldset class="facet" id="facet-facet_medium">') :]
    box = box[: box.index("</fieldset>")]
    assert '<legend>Medium <span class="legend-note">1 selected</span></legend>' in box
    assert re.findall(r'name="(facet_medium)" value="(\w+)"( checked)?', box) == [
        ("facet_medium", "chart", ""),
        ("facet_medium", "letter", ""),
        ("facet_medium", "survey", " checked"),
    ]
    assert 'data-values="/api/facets/medium?facet_medium=survey"' in box
    assert re.findall(
        r'<span class="chip-kind">(\w+)</span> <span class="chip-value">(\w+)'
        r'</span> <a class="chip-remove" href="([^"]+)"',
        html,
    ) == [("Medium", "survey", "/search")]
    # its topics box follows, counted under the medium chosen
    topics = html[html.index('id="facet-facet_topics"') :]
    assert re.findall(
        r'value="(\w+)">\s*<label[^>]*><span class="choice-label">\w+</span>'
        r'<span class="count">(\d+)',
        topics[: topics.index("</fieldset>")],
    ) == [("audit", "1"), ("trust", "1")]


def test_its_page_of_every_value_applies_to_the_search(client: FlaskClient):
    html = client.get("/facets/medium?facet_topics=audit").get_data(as_text=True)
    assert "<h1>Medium: every value</h1>" in html
    applied = html[html.index('<form class="facet-apply"') :]
    assert re.findall(r'name="(\w+)" value="(\w+)"', applied) == [
        ("facet_topics", "audit"),
        ("facet_medium", "chart"),
        ("facet_medium", "survey"),
    ]


def test_the_openapi_document_names_its_parameters(client: FlaskClient):
    doc = client.get("/api/openapi.json").get_json()
    search = [p["name"] for p in doc["paths"]["/api/search"]["get"]["parameters"]]
    assert search[search.index("typos") + 1 : search.index("page")] == [
        "facet_medium",
        "facet_topics",
    ]
    values = doc["paths"]["/api/facets/{name}"]["get"]["parameters"]
    assert values[0]["schema"]["enum"] == [
        "theme",
        "author",
        "section",
        "language",
        "medium",
        "topics",
    ]
    assert [p["name"] for p in values][-2:] == ["facet_medium", "facet_topics"]


def test_exports_filter_by_it(client: FlaskClient):
    rows = client.get("/search.csv?facet_topics=audit").get_data(as_text=True).splitlines()
    assert [r.split(",")[0] for r in rows[1:]] == ["colour-of-data", "organising-the-evidence"]
    assert {r.split(",")[13] for r in rows[1:]} == {"topics=audit"}


def test_the_cli_filters_by_it_and_lists_its_values(library: Library):
    index = ["--index", str(library.index_dir)]
    found = CliRunner().invoke(
        main, ["search", *index, "--facet", "topics=audit", "--facet", "medium=chart", "--json"]
    )
    assert found.exit_code == 0, found.output
    body = json.loads(found.output)
    assert [r["id"] for r in body["results"]] == ["colour-of-data"]
    assert body["filters"]["medium"] == ["chart"]
    listed = CliRunner().invoke(main, ["facets", *index, "topics", "--facet", "medium=survey"])
    assert listed.exit_code == 0 and listed.output == (
        "2 topics values\n       1  audit\n       1  trust\n"
    )
    text = CliRunner().invoke(main, ["search", *index, "--facet", "medium=letter"])
    assert "\nmedium: chart (1), *letter (1), survey (1)\n" in text.output
    bad = CliRunner().invoke(main, ["search", *index, "--facet", "colour=red"])
    assert bad.exit_code == 2 and bad.output.endswith(
        "Error: Invalid value for --facet: no facet 'colour' in this index (its field map "
        "adds: medium, topics)\n"
    )
    odd = CliRunner().invoke(main, ["search", *index, "--facet", "medium"])
    assert odd.exit_code == 2 and "expected NAME=VALUE, got 'medium'" in odd.output
