"""Outlet pages (list, page, JSON twins, pagination, lean chart, errors, export) and the
synthesis sections of the story page (fact table, people and places, timeline)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from newsprism.config import Settings
from newsprism.models import Side
from newsprism.service import Service
from newsprism.store.sqlite import SQLiteStore
from newsprism.web import create_app
from newsprism.web.export import export_site
from tests.web_fixture import build_archive

SEEDS = Path(__file__).parents[1] / "examples" / "seeds"
pytestmark = pytest.mark.slow  # the seed story's synthesis parses five articles


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return build_archive(tmp_path_factory.mktemp("outlets") / "web.db")


@pytest.fixture(scope="module")
def client(archive: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(archive)) as c:
        yield c


def _outlet_id(client: TestClient, name: str) -> int:
    for entry in client.get("/outlets.json").json()["outlets"]:
        if name in entry["outlet"]["name"]:
            return int(entry["outlet"]["id"])
    raise AssertionError(name)


# --- outlet list and outlet pages -----------------------------------------------------------
def test_outlet_list_html_and_json(client: TestClient) -> None:
    data = client.get("/outlets.json").json()
    counts = {e["outlet"]["name"]: e["n_articles"] for e in data["outlets"]}
    assert counts == {"New York Times (Online News)": 24, "Fox News": 8}
    assert {s["name"] for s in data["sources"]} >= {"allsides2018", "robertson2018"}
    html = client.get("/outlets").text
    for entry in data["outlets"]:
        assert f'href="/outlets/{entry["outlet"]["id"]}"' in html
    assert client.get("/outlets", headers={"accept": "application/json"}).json() == data


def test_outlet_page_shows_ratings_sources_and_stories(client: TestClient) -> None:
    fox = _outlet_id(client, "Fox News")
    data = client.get(f"/outlets/{fox}.json").json()
    assert data["outlet"]["domains"] == ["foxnews.com"]
    assert data["outlet"]["lean"]["side"] == "right" and not data["outlet"]["lean"]["disagree"]
    assert {r["source"] for r in data["outlet"]["ratings"]} == {s["name"] for s in data["sources"]}
    assert all(s["citation"] and s["licence"] for s in data["sources"])
    assert (data["n_articles"], data["total_stories"], len(data["stories"])) == (8, 8, 8)
    assert data["article_lean"] is None  # no stored estimates in this archive
    html = client.get(f"/outlets/{fox}").text
    assert "Ratings and their sources" in html and "Terms:" in html
    assert "Spread: the ratings range from" in html
    assert 'id="article-lean"' not in html
    for story in data["stories"]:
        assert f'href="/stories/{story["id"]}"' in html


def test_story_page_links_its_rated_outlets(client: TestClient) -> None:
    sid = client.get("/index.json?side=right&per_page=1").json()["stories"][0]["id"]
    html = client.get(f"/stories/{sid}").text
    fox = _outlet_id(client, "Fox News")
    assert f'href="/outlets/{fox}"' in html
    assert client.get(f"/outlets/{fox}").status_code == 200


def test_outlet_stories_are_paginated(client: TestClient) -> None:
    nyt = _outlet_id(client, "New York Times")
    first = client.get(f"/outlets/{nyt}.json").json()
    second = client.get(f"/outlets/{nyt}.json?page=2").json()
    assert (first["total_stories"], first["page"], len(first["stories"])) == (24, 1, 20)
    assert (second["page"], len(second["stories"])) == (2, 4)
    ids = [s["id"] for s in first["stories"] + second["stories"]]
    assert len(set(ids)) == 24
    assert f'href="/outlets/{nyt}?page=2"' in client.get(f"/outlets/{nyt}").text
    assert client.get(f"/outlets/{nyt}.json?page=9").json()["stories"] == []


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/outlets/999999", 404),
        ("/outlets/999999.json", 404),
        ("/outlets/0", 422),
        ("/outlets/-1", 422),
        ("/outlets/abc", 422),
        ("/outlets/1e3", 422),
        ("/outlets/" + "9" * 5000, 422),
        ("/outlets/1?page=0", 422),
        ("/outlets/1?page=abc", 422),
        ("/outlets/1?page=" + "9" * 400, 422),
        ("/outlets/%3Cscript%3E", 422),
    ],
)
def test_bad_outlet_requests_are_friendly_errors(
    client: TestClient, path: str, status: int
) -> None:
    response = client.get(path)
    assert response.status_code == status
    assert "<script>" not in response.text


def test_unknown_outlet_404_names_the_id(client: TestClient) -> None:
    body = client.get("/outlets/424242.json").json()
    assert "424242" in json.dumps(body)


@pytest.mark.skipif(
    not hasattr(SQLiteStore, "put_article_leans"), reason="the article-lean store is not present"
)
def test_outlet_page_charts_the_lean_of_recent_articles(tmp_path: Path) -> None:
    from newsprism.models import LeanEstimate

    settings = build_archive(tmp_path / "lean.db")
    with Service(settings) as svc:
        ids = [a.id for a in svc.articles() if a.id.startswith("a") and a.id.endswith("-0")]
        rows = []
        for n, aid in enumerate(ids[:10]):
            side = (Side.LEFT, Side.LEFT, Side.CENTER, Side.RIGHT)[n % 4]
            probs = {s: (0.7 if s is side else 0.15) for s in (Side.LEFT, Side.CENTER, Side.RIGHT)}
            rows.append((aid, LeanEstimate(side, 0.7, probs, "test-lean.v1")))
        with svc.store.transaction():
            svc.store.put_article_leans(rows)
    with TestClient(create_app(settings)) as c:
        nyt = _outlet_id(c, "New York Times")
        chart = c.get(f"/outlets/{nyt}.json").json()["article_lean"]
        assert (chart["n_recent"], chart["n_estimated"]) == (24, 10)
        assert chart["counts"] == {"left": 6, "center": 2, "right": 2}
        assert sum(chart["shares"].values()) == 100 and chart["methods"] == ["test-lean.v1"]
        html = c.get(f"/outlets/{nyt}").text
        assert 'id="article-lean"' in html and "6 (60%)" in html and "test-lean.v1" in html


def test_export_writes_the_outlet_pages(
    archive: Settings, client: TestClient, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    with Service(archive) as svc:
        report = export_site(svc, out, per_page=10)
    assert report.outlets == 2
    nyt = _outlet_id(client, "New York Times")
    assert json.loads((out / "outlets.json").read_text()) == client.get("/outlets.json").json()
    assert (
        json.loads((out / f"outlets/{nyt}.json").read_text())
        == client.get(f"/outlets/{nyt}.json").json()
    )
    html = (out / f"outlets/{nyt}.html").read_text()
    assert f'href="../outlets/{nyt}/2.html"' in html and 'href="../static/style.css"' in html
    second = (out / f"outlets/{nyt}/2.html").read_text()
    assert (
        'href="../../static/style.css"' in second and f'href="../../outlets/{nyt}.html"' in second
    )
    assert 'href="outlets.html"' in (out / "index.html").read_text()


# --- synthesis sections of the story page ---------------------------------------------------
@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The five seed articles as one story (grouped through the store, no encoder needed)."""
    settings = Settings(db=tmp_path_factory.mktemp("seeds") / "seeds.db", torch_threads=1)
    with Service(settings) as svc:
        svc.ingest([str(SEEDS)])
        store = svc.store
        ids = [a.id for a in svc.articles()]
        with store.transaction():
            build = store.start_build("test-fixture.v1")
            story = store.new_story("test-fixture.v1")
            for aid in ids:
                store.assign(aid, story, 1.0, "test-fixture.v1", build)
            store.update_story(
                story, "Belarus frees 123 prisoners", "test-fixture.v1", "2025-12-13",
                "2025-12-14", len(ids), b"", ["belarus"],
            )  # fmt: skip
            store.finish_build(build, store.count_articles(), {})
    return settings


@pytest.fixture(scope="module")
def seed_client(seeds: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(seeds)) as c:
        yield c


def test_story_twin_carries_the_parts_in_their_own_format(
    seeds: Settings, seed_client: TestClient
) -> None:
    data = seed_client.get("/stories/1.json").json()
    with Service(seeds) as svc:
        synthesis = svc.story_synthesis(1)
    assert synthesis is not None
    for name in ("facts", "entities", "timeline"):
        assert data[name] == json.loads(json.dumps(synthesis.parts[name])), name
    assert data["synthesis"]["parts"] == {}  # lifted out, not repeated
    statuses = {g["status"] for g in data["facts"]["groups"]}
    assert "agreed" in statuses


def test_story_page_renders_fact_table_entities_and_timeline(seed_client: TestClient) -> None:
    data = seed_client.get("/stories/1.json").json()
    html = seed_client.get("/stories/1").text
    assert 'id="facts"' in html and 'id="entities"' in html and 'id="timeline"' in html
    agreed = next(g for g in data["facts"]["groups"] if g["status"] == "agreed")
    assert "✓</span> Agreed" in html and agreed["label"] in html
    assert 'class="src-ref" href="#src-' in html  # each fact cell points at its source
    first = agreed["cells"][0]["sentence"]
    assert first[:60].replace("'", "&#39;").replace('"', "&#34;") in html  # the quoted sentence
    assert "Also written as" in html and 'class="tags"' not in html  # merged names replace chips
    event = data["timeline"]["events"][0]
    assert f"<time>{event['date']}</time>" in html


def test_openapi_describes_outlets_and_parts(client: TestClient) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    assert {"OutletPage", "OutletListPage", "ArticleLeanChart", "FactTableData"} <= set(schemas)
    story = schemas["StoryPage"]["properties"]
    assert "facts" in story and "timeline" in story and "entities" in story
    paths = client.get("/openapi.json").json()["paths"]
    assert "/outlets/{outlet_id}.json" in paths and "/outlets.json" in paths


def test_story_page_shows_what_the_text_suggests_when_it_does_not_count(tmp_path: Path) -> None:
    from newsprism.models import LeanEstimate

    settings = build_archive(tmp_path / "hint.db")
    with Service(settings) as svc:
        probs = {Side.LEFT: 0.3, Side.CENTER: 0.25, Side.RIGHT: 0.45}
        estimate = LeanEstimate(Side.RIGHT, 0.45, probs, "test-lean.v1")
        with svc.store.transaction():
            svc.store.put_article_leans([("hostile-1", estimate)])
        story_id = svc.store.story_of("hostile-1")
    with TestClient(create_app(settings)) as c:  # below the default floor, 0.5: not counted
        data = c.get(f"/stories/{story_id}.json").json()
        row = data["coverage"]["articles"]["hostile-1"]
        assert (row["side"], row["basis"]) == ("unrated", "none")
        assert row["text_estimate"] == {"side": "right", "probability": 0.45}
        assert "text suggests right (45%), not counted" in c.get(f"/stories/{story_id}").text


def test_story_page_shows_a_rated_article_whose_text_departs_from_its_outlet(
    tmp_path: Path,
) -> None:
    from newsprism.models import LeanEstimate

    settings = build_archive(tmp_path / "departs.db")
    with Service(settings) as svc:  # a00-1 is Fox News (rated right); its text reads left
        probs = {Side.LEFT: 0.7, Side.CENTER: 0.2, Side.RIGHT: 0.1}
        with svc.store.transaction():
            svc.store.put_article_leans([("a00-1", LeanEstimate(Side.LEFT, 0.7, probs, "t.v1"))])
        story_id = svc.store.story_of("a00-1")
    with TestClient(create_app(settings)) as c:
        row = c.get(f"/stories/{story_id}.json").json()["coverage"]["articles"]["a00-1"]
        assert (row["side"], row["basis"]) == ("right", "outlet-rating")
        assert row["text_estimate"] == {"side": "left", "probability": 0.7}
        assert row["departs_from_outlet"] is True
        html = c.get(f"/stories/{story_id}").text
        assert "text reads left (70%), unlike its outlet" in html
        assert "not counted" not in html  # the rated article is counted by its outlet
