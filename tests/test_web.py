"""Route tests of the web app on a fixture archive: pages, JSON twins, filters, errors,
escaping, security headers, the ingest API and the static export."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from newsprism.config import Settings
from newsprism.errors import ConfigError
from newsprism.web import create_app
from newsprism.web.export import export_site
from newsprism.web.render import safe_href
from tests.web_fixture import N_STORIES, build_archive

TOKEN = "s3cret-token-for-tests-only"
pytestmark = pytest.mark.slow  # story pages load the sentence encoder for the synthesis


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return build_archive(tmp_path_factory.mktemp("web") / "web.db")


@pytest.fixture(scope="module")
def client(archive: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(archive)) as c:
        yield c


@pytest.fixture
def writer(tmp_path: Path) -> Iterator[TestClient]:
    settings = build_archive(tmp_path / "w.db")
    with TestClient(create_app(settings, token=TOKEN, max_body_bytes=4096)) as c:
        yield c


def _story_id(client: TestClient, title_part: str) -> int:
    for page in (1, 2, 3):
        for story in client.get(f"/index.json?page={page}").json()["stories"]:
            if title_part in (story["title"] or ""):
                return int(story["id"])
    raise AssertionError(title_part)


# --- pages and their JSON twins -------------------------------------------------------------
def test_story_list_html_and_json_show_the_same_stories(client: TestClient) -> None:
    data = client.get("/index.json").json()
    assert data["total"] == N_STORIES
    assert len(data["stories"]) == 20
    html = client.get("/").text
    for story in data["stories"]:
        assert f'href="/stories/{story["id"]}"' in html
    assert client.get("/", headers={"accept": "application/json"}).json() == data
    dates = [s["last_seen"] for s in data["stories"]]
    assert dates == sorted(dates, reverse=True)


def test_pagination(client: TestClient) -> None:
    first = client.get("/index.json?per_page=10").json()
    second = client.get("/index.json?per_page=10&page=2").json()
    third = client.get("/index.json?per_page=10&page=3").json()
    ids = [s["id"] for page in (first, second, third) for s in page["stories"]]
    assert len(ids) == len(set(ids)) == N_STORIES
    assert len(third["stories"]) == 5
    assert client.get("/index.json?per_page=10&page=9").json()["stories"] == []
    html = client.get("/?per_page=10&page=2").text
    assert 'href="/?per_page=10"' in html and 'href="/?per_page=10&amp;page=3"' in html


def test_side_and_blindspot_filters(client: TestClient) -> None:
    right = client.get("/index.json?side=right&per_page=5").json()
    assert right["total"] == 8  # every third of the 24 bridge stories
    assert len(right["stories"]) == 5
    assert all(c["originals"]["right"] == 1 for c in right["coverage"].values())
    page2 = client.get("/index.json?side=right&per_page=5&page=2").json()
    assert len(page2["stories"]) == 3
    center = client.get("/index.json?side=center").json()
    assert center["total"] == 0
    spots = client.get("/index.json?blindspots=true").json()
    assert all(c["blindspot"]["flagged"] for c in spots["coverage"].values())
    html = client.get("/?side=right").text
    assert '<option value="right" selected>' in html
    assert "Right 1 · 50%" in html


def test_date_filters(client: TestClient) -> None:
    data = client.get("/index.json?since=2024-02-10&until=2024-02-12").json()
    titles = sorted(s["title"] for s in data["stories"])
    assert data["total"] == 3
    assert all(re.search(r"report (9|10|11) ", t) for t in titles)
    assert client.get("/index.json?since=2024-03-01").json()["total"] == 1  # the hostile story


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("page=0", "page"),
        ("per_page=1000", "per_page"),
        ("since=yesterday", "since"),
        ("side=purple", "side"),
        ("since=2024-03-01&until=2024-02-01", "after until"),
        ("page=99999999999999999999", "page"),
    ],
)
def test_bad_list_parameters_are_422_naming_the_value(
    client: TestClient, query: str, named: str
) -> None:
    response = client.get(f"/index.json?{query}")
    assert response.status_code == 422
    assert named in response.json()["error"]["message"]
    page = client.get(f"/?{query}")
    assert page.status_code == 422 and "text/html" in page.headers["content-type"]
    assert named in page.text


def test_story_page_and_twin(client: TestClient) -> None:
    sid = _story_id(client, "report 0 ")
    data = client.get(f"/stories/{sid}.json").json()
    assert data["story"]["id"] == sid and len(data["story"]["articles"]) == 2
    assert data["thread"]["title"] == "Harbour bridge inspections"
    twin = client.get(f"/stories/{sid}", headers={"accept": "application/json"}).json()
    assert twin["story"] == data["story"] and twin["coverage"] == data["coverage"]
    summary = data["synthesis"]["summary"]
    texts = [x["text"] for x in summary["sentences"]]
    assert [x["text"] for x in twin["synthesis"]["summary"]["sentences"]] == texts
    html = client.get(f"/stories/{sid}").text
    assert html.count('class="cite"') == len(summary["sentences"]) > 0
    assert 'id="key-points"' in html
    for section in ("coverage", "sources", "thread", "entities"):
        assert f'id="{section}"' in html
    sides = {a["side"] for a in data["coverage"]["articles"].values()}
    assert sides == {"left", "right"}
    assert data["coverage"]["originals"] == {"left": 1, "center": 0, "right": 1, "unrated": 0}
    assert 'data-side="right"' in html and 'data-side="left"' in html
    assert "Right 1 · 50%" in html
    assert "https://www.foxnews.com/us/harbour-0" in html
    assert data["story"]["n_undated"] == 1  # the Fox News report states no date: page says so
    assert "1 of 2 with no publication date, grouped on their content alone" in html
    assert data["story"]["first_seen"] == "2024-02-01"


def test_thread_page_and_twin(client: TestClient) -> None:
    sid = _story_id(client, "report 0 ")
    thread_id = client.get(f"/stories/{sid}.json").json()["thread"]["id"]
    data = client.get(f"/threads/{thread_id}.json").json()
    assert [s["first_seen"] for s in data["stories"]] == ["2024-02-01", "2024-02-02"]
    html = client.get(f"/threads/{thread_id}").text
    assert all(f'href="/stories/{s["id"]}"' in html for s in data["stories"])


def test_search_groups_hits_by_story(client: TestClient) -> None:
    data = client.get("/search.json?q=zebrafinch repairs").json()
    assert data["total_articles"] == 32
    assert len(data["groups"]) == N_STORIES - 1
    assert all(g["story"] is not None for g in data["groups"])
    assert any(text == "zebrafinch" and hit for g in data["groups"] for h in g["hits"]
               for text, hit in h["snippet"])  # fmt: skip
    html = client.get("/search?q=zebrafinch").text
    assert "<mark>zebrafinch</mark>" in html
    assert client.get("/search.json?q=").json()["groups"] == []


@pytest.mark.parametrize(
    "q", ['"', "NEAR(a b", "a* OR -b", "title:x", "^", "(((", "\x00", "😀", "AND", "'; DROP"]
)
def test_search_takes_any_text(client: TestClient, q: str) -> None:
    assert client.get("/search.json", params={"q": q}).status_code == 200
    assert client.get("/search", params={"q": q}).status_code == 200


def test_search_query_over_the_limit_is_422(client: TestClient) -> None:
    response = client.get("/search.json", params={"q": "x" * 201})
    assert response.status_code == 422
    assert "q=" in response.json()["error"]["message"]


# --- errors -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/stories/99999", 404),
        ("/threads/99999", 404),
        ("/no/such/page", 404),
        ("/stories/abc", 422),
        ("/stories/0", 422),
        (f"/stories/{10**30}", 422),
    ],
)
def test_friendly_errors_in_html_and_json(client: TestClient, path: str, status: int) -> None:
    page = client.get(path)
    assert page.status_code == status
    assert "<h1>" in page.text and "Back to the latest stories" in page.text
    twin = client.get(path, headers={"accept": "application/json"})
    assert twin.status_code == status
    assert twin.json()["error"]["status"] == status


def test_not_found_names_the_id(client: TestClient) -> None:
    assert "story 99999 does not exist" in client.get("/stories/99999.json").text


# --- escaping and security ----------------------------------------------------------------
def test_hostile_text_is_escaped_everywhere(client: TestClient) -> None:
    sid = _story_id(client, "Council votes")
    pages = [
        client.get(f"/stories/{sid}").text,
        client.get("/?since=2024-03-01").text,
        client.get("/search?q=budget").text,
        client.get("/search", params={"q": "<script>alert(1)</script>"}).text,
    ]
    for html in pages:
        assert "<script>alert" not in html
        assert "<b>Evil" not in html and "<img" not in html
        assert 'href="javascript:' not in html
        assert not re.search(r"<script(?![^>]*\bsrc=)", html)  # no inline script at all
        assert " style=" not in html  # no inline styles either (the CSP forbids both)
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;" in pages[0]
    assert "&lt;b&gt;Evil Gazette&lt;/b&gt;" in pages[0]


def test_only_http_links_are_rendered() -> None:
    assert safe_href("https://a.example/x") == "https://a.example/x"
    for bad in ("javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,x", "//x", None):
        assert safe_href(bad) is None


@pytest.mark.parametrize("path", ["/", "/stories/99999", "/static/style.css", "/index.json"])
def test_security_headers_on_every_response(client: TestClient, path: str) -> None:
    headers = client.get(path).headers
    csp = headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "no-referrer"


def test_openapi_describes_the_twins(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    for path in ("/", "/index.json", "/stories/{story_id}.json", "/search.json", "/api/articles"):
        assert path in schema["paths"]
    assert {"StoryPage", "StoryListPage", "SearchResults", "Thread", "Story"} <= set(
        schema["components"]["schemas"]
    )
    assert client.get("/docs").status_code == 404  # interactive docs need inline script


def test_create_app_refuses_a_short_token(archive: Settings) -> None:
    with pytest.raises(ConfigError, match="at least 16"):
        create_app(archive, token="short")


# --- the ingest API -----------------------------------------------------------------------
def test_read_only_server_refuses_writes(client: TestClient) -> None:
    response = client.post("/api/articles", json={"id": "x", "text": "hello"})
    assert response.status_code == 403
    assert "read-only" in response.json()["error"]["message"]


@pytest.mark.parametrize("auth", [None, "Bearer wrong-token-wrong-token", f"Basic {TOKEN}"])
def test_writes_need_the_token(writer: TestClient, auth: str | None) -> None:
    headers = {"authorization": auth} if auth else {}
    response = writer.post("/api/articles", json={"id": "x", "text": "t"}, headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert writer.get("/search.json?q=t").json()["total_articles"] == 0


def _auth() -> dict[str, str]:
    return {"authorization": f"Bearer {TOKEN}"}


def test_post_json_lines_and_json(writer: TestClient) -> None:
    lines = "\n".join(
        json.dumps({"id": f"p{i}", "title": f"Posted okapi {i}", "text": "Okapi sighted."})
        for i in range(3)
    )
    response = writer.post("/api/articles", content=lines, headers=_auth())
    assert response.status_code == 200, response.text
    assert response.json()["summary"]["added"] == 3
    array = [{"id": "j1", "title": "Okapi again", "text": "More okapi."}]
    response = writer.post("/api/articles", json=array, headers=_auth())
    assert response.json()["summary"]["added"] == 1
    response = writer.post("/api/articles", json=array[0], headers=_auth())
    assert response.json()["summary"]["duplicate"] == 1
    assert writer.get("/search.json?q=okapi").json()["total_articles"] == 4


def test_post_with_some_bad_lines_keeps_the_good_ones(writer: TestClient) -> None:
    body = '{"id": "g1", "text": "good"}\nnot json\n{"text": "no id"}\n'
    response = writer.post("/api/articles", content=body, headers=_auth())
    assert response.status_code == 200
    data = response.json()
    assert data["summary"]["added"] == 1 and data["summary"]["skipped"] == 2
    assert any(":2: not valid JSON" in r for r in data["skipped"])


@pytest.mark.parametrize(
    ("body", "content_type", "named"),
    [
        (b'[{"id": "x", "text": "t"', "application/json", "not valid JSON"),
        (b'{"id": 1', "application/json", "line 1 column"),
        (b"[1, 2]", "application/json", "item 1"),
        (b"", "application/x-ndjson", "empty"),
        (b"\xff\xfe\x00garbage", "application/x-ndjson", "not UTF-8"),
        (b"[" * 2000 + b"]" * 2000, "application/json", "nested too deeply"),
        (b'{"text": "no id"}', "application/x-ndjson", "id"),
    ],
)
def test_malformed_bodies_are_422_and_store_nothing(
    writer: TestClient, body: bytes, content_type: str, named: str
) -> None:
    before = writer.get("/index.json").json()["total"]
    response = writer.post(
        "/api/articles", content=body, headers={**_auth(), "content-type": content_type}
    )
    assert response.status_code == 422, response.text
    data = response.json()
    assert named in json.dumps(data)
    assert writer.get("/index.json").json()["total"] == before


def test_oversize_bodies_are_413(writer: TestClient) -> None:
    big = json.dumps({"id": "big", "text": "x" * 10_000}).encode()
    response = writer.post("/api/articles", content=big, headers=_auth())
    assert response.status_code == 413
    assert "4,096 bytes" in response.json()["error"]["message"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while it streams
        yield b'{"id": "big", "text": "'
        for _ in range(10):
            yield b"x" * 1000
        yield b'"}'

    response = writer.post("/api/articles", content=chunks(), headers=_auth())
    assert response.status_code == 413
    assert writer.get("/search.json?q=big").json()["total_articles"] == 0


# --- static export ------------------------------------------------------------------------
def test_export_site_writes_the_same_pages(archive: Settings, client: TestClient, tmp_path: Path):
    from newsprism.service import Service

    out = tmp_path / "site"
    with Service(archive) as svc:
        report = export_site(svc, out, per_page=10)
    assert (report.list_pages, report.stories, report.threads) == (3, N_STORIES, 1)
    assert (
        json.loads((out / "index.json").read_text()) == client.get("/index.json?per_page=10").json()
    )
    sid = _story_id(client, "report 0 ")
    assert (
        json.loads((out / f"stories/{sid}.json").read_text())
        == client.get(f"/stories/{sid}.json").json()
    )
    html = (out / f"stories/{sid}.html").read_text()
    assert 'href="../static/style.css"' in html and 'href="../threads/1.html"' in html
    assert (out / "pages/3.html").exists() and (out / "static/app.js").exists()
    assert "pages/2.html" in (out / "index.html").read_text()
    assert 'role="search"' not in html  # search needs a server
    with Service(archive) as svc:  # again into the same folder: fine
        export_site(svc, out, per_page=10)


def test_export_site_refuses_a_foreign_folder(archive: Settings, tmp_path: Path) -> None:
    from newsprism.service import Service

    (tmp_path / "notes.txt").write_text("mine")
    with Service(archive) as svc, pytest.raises(ConfigError, match="not empty"):
        export_site(svc, tmp_path)
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_cached_pages_follow_every_change_to_the_archive(writer: TestClient) -> None:
    assert writer.get("/search.json?q=pangolin").json()["total_articles"] == 0
    assert writer.get("/search.json?q=pangolin").json()["total_articles"] == 0  # cached
    body = {"id": "pg1", "title": "Pangolin found", "text": "A pangolin."}
    assert writer.post("/api/articles", json=body, headers=_auth()).status_code == 200
    assert writer.get("/search.json?q=pangolin").json()["total_articles"] == 1
    headers = writer.get("/search.json?q=pangolin").headers
    assert headers["content-security-policy"].count("default-src") == 1


def test_cached_pages_keep_one_set_of_headers(client: TestClient) -> None:
    for _ in range(3):
        response = client.get("/threads/1")
    assert len(response.headers.get_list("content-security-policy")) == 1
    assert len(response.headers.get_list("x-frame-options")) == 1


def test_opening_a_story_writes_nothing_and_keeps_the_page_cache(tmp_path: Path) -> None:
    """A synthesis the reader computes is kept in memory: storing it was a commit that emptied
    every cached page, so a crawler opening new stories kept the cache nearly empty."""
    import sqlite3

    settings = build_archive(tmp_path / "r.db")
    watcher = sqlite3.connect(settings.db, isolation_level=None)
    with TestClient(create_app(settings)) as c:
        c.get("/")  # settles the reader's own start-up writes (side counts)
        before = watcher.execute("PRAGMA data_version").fetchone()[0]
        first, second = _story_id(c, "report 1 "), _story_id(c, "report 2 ")
        page = c.get(f"/stories/{first}.json").json()
        assert page["synthesis"]["summary"]["sentences"]
        assert c.get(f"/stories/{second}").status_code == 200
        assert watcher.execute("PRAGMA data_version").fetchone()[0] == before  # no commit
        stored = watcher.execute("SELECT count(*) FROM story_synthesis").fetchone()[0]
        assert stored == 0
        assert c.get(f"/stories/{first}.json").json() == page  # the same, from memory
    watcher.close()
