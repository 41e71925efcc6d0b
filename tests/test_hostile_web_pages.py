"""Hostile and huge *stored* data shown by the web reader and the static export: every field
an article, an outlet or a rating source can carry (titles, outlet names, authors, URLs,
citations, the synthesis built from the text) comes back escaped, under the CSP, as valid HTML
and valid JSON; huge stories, threads and outlets still answer quickly."""

from __future__ import annotations

import json
import random
import re
import sqlite3
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from newsprism.config import Settings
from newsprism.models import RatingSource
from newsprism.service import Service
from newsprism.web import create_app
from newsprism.web.export import export_site
from newsprism.web.render import shown

pytestmark = pytest.mark.slow  # the build stores each story's synthesis (sentence encoder)

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(2)>'
TEMPLATE = "{{ 7*7 }}{% for x in [1] %}looped{% endfor %}"
RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: reverses what follows until a PDF (U+202C)
ZERO_WIDTH = "zero\u200bwidth\u200djoin"
ASTRAL = "Emoji 😀 astral 𝕏 family 👨‍👩‍👧"
LONG_WORD = "W" * 10_000
NUL = "nul\x00byte"
# each hostile value once as a title, an outlet name and an author, with a URL beside it
HOSTILE = [
    (SCRIPT, "javascript:alert(3)"),
    (IMG, "data:text/html,<script>alert(4)</script>"),
    (TEMPLATE, f'https://a.example/q?x="{IMG}'),
    (f"Right {RLO}to left", f"https://b.example/rtl{RLO}"),
    (ZERO_WIDTH, " JaVaScRiPt:alert(5)"),
    (LONG_WORD, "https://c.example/" + LONG_WORD),
    (ASTRAL, "https://d.example/😀"),
    (NUL, "https://e.example/nul\x00x"),
    ("vbscript", "vbscript:msgbox(1)"),
    ("tab", "java\tscript:alert(6)"),
]
RAW = (SCRIPT, "<img", "onerror=alert(2)>", "<script>alert(4)", "49looped")
# the same texts with one figure, one date and one name each, so the fact table, timeline and
# names table hold hostile text too; distinct words keep them originals, not reprints
SENTENCES = (
    "Mayor {v} Smith said on 5 March 2024 the council approved $4.{n} million for the tram. "
    "Councillor Jones of {v} Springfield said {n}00 jobs in the {w} district would follow. "
    "On 7 March 2024 the vote {v} passed by 7 votes to {n} in Springfield. "
    "The {w} plan for the {w2} quarter rose {n}2 percent on Monday."
)
_BIDI_OPEN = {"\u202a", "\u202b", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068"}
_BIDI_CLOSE = {"\u202c", "\u2069"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _records() -> list[dict[str, str]]:
    rows = []
    for n, (value, url) in enumerate(HOSTILE):
        text = SENTENCES.format(v=value if len(value) < 100 else value[:3000], n=n,
                                w=f"kestrel{n}", w2=f"plover{n}")  # fmt: skip
        rows.append({"id": f"h{n}", "title": f"{value} Council budget", "text": text,
                     "outlet": f"{value} Gazette", "author": value, "url": url,
                     "published": f"2024-03-0{n % 9 + 1}", "story": "hostile"})  # fmt: skip
    rated = SENTENCES.format(v="x", n=9, w="heron", w2="egret")
    rows.append({"id": "rated", "title": "Tram vote on the rated site", "text": rated,
                 "url": "https://evil.example/tram", "outlet": "Evil", "published": "2024-03-09",
                 "story": "hostile"})  # fmt: skip
    for n in range(3):  # a thread of single-article stories
        rows.append({"id": f"t{n}", "title": f"{SCRIPT} thread part {n} {RLO}", "text": f"Part "
                     f"{n} of the {IMG} saga about osprey{n} nests.", "outlet": f"{RLO}Post",
                     "published": f"2024-04-0{n + 1}", "story": f"thread-{n}"})  # fmt: skip
    return rows


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    folder = tmp_path_factory.mktemp("hostile-pages")
    settings = Settings(db=folder / "h.db", host_delay_s=0, http_backoff_s=0,
                        story_encoder="static")  # fmt: skip
    source = folder / "hostile.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in _records()), encoding="utf-8")
    ratings = folder / "ratings.csv"
    ratings.write_text(f'domain,name,value\nevil.example,"{SCRIPT} Evil {RLO}",left\n')
    with Service(settings) as svc:
        svc.import_ratings(ratings, RatingSource(
            name="evil-src", scale="lcr-3", origin="user", citation=f"{IMG} {RLO}cited",
            licence=TEMPLATE, url="javascript:alert(7)",
        ))  # fmt: skip
        report = svc.ingest([str(source)])
        assert not report.skipped, report.skipped
        svc.build()
        with svc.store.transaction():
            thread = svc.store.new_thread("test-fixture.v1")
            for story in svc.stories():
                if "thread part" in (story.title or ""):
                    svc.store.set_thread(story.id, thread, 0.9)
            svc.store.set_thread_title(thread, f"{SCRIPT} saga {RLO}")
    return settings


@pytest.fixture(scope="module")
def client(archive: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(archive)) as c:
        yield c


def _paths(client: TestClient) -> list[str]:
    paths = ["/", "/outlets", "/search?q=council", "/search?q=osprey0"]
    for story in client.get("/index.json").json()["stories"]:
        paths.append(f"/stories/{story['id']}")
        if story["thread_id"]:
            paths.append(f"/threads/{story['thread_id']}")
    for entry in client.get("/outlets.json").json()["outlets"]:
        paths.append(f"/outlets/{entry['outlet']['id']}")
    return sorted(set(paths))


def _twin(path: str) -> str:
    if path == "/":
        return "/index.json"
    base, _, query = path.partition("?")
    return f"{base}.json" + (f"?{query}" if query else "")


class _Page(HTMLParser):
    """The text runs, attribute values, links and inline scripts of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.runs: list[str] = []
        self.hrefs: list[str] = []
        self.inline_scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "script" and not found.get("src"):
            self.inline_scripts += 1
        if found.get("href") is not None:
            self.hrefs.append(found["href"] or "")
        self.runs.extend(v for v in found.values() if v)
        if any(name.startswith("on") for name in found):
            raise AssertionError(f"event handler attribute on <{tag}>: {attrs}")

    def handle_data(self, data: str) -> None:
        self.runs.append(data)


def _open_bidi(text: str) -> int:
    """How many bidi embeddings, overrides and isolates ``text`` leaves open at its end (they
    would reorder the page's text after it)."""
    depth = 0
    for ch in text:
        if ch in _BIDI_OPEN:
            depth += 1
        elif ch in _BIDI_CLOSE and depth:
            depth -= 1
    return depth


def _check_html(html: str, where: str) -> _Page:
    for raw in RAW:
        assert raw not in html, f"{where}: {raw!r} unescaped"
    assert not _CONTROL.search(html), f"{where}: control character {_CONTROL.search(html)!r}"
    page = _Page()
    page.feed(html)
    page.close()
    assert page.inline_scripts == 0, where
    for href in page.hrefs:
        if href == "data:,":  # the page's own empty favicon
            continue
        scheme = urlsplit(href).scheme.lower()
        assert scheme in {"", "http", "https"}, f"{where}: href {href!r}"
    # html.parser splits text at tags, so each run is one element's text or one attribute
    leaking = [run[:80] for run in page.runs if _open_bidi(run)]
    assert not leaking, f"{where}: bidi override left open in {leaking}"
    return page


# --- every page and its twin --------------------------------------------------------------
def test_every_page_escapes_every_field_and_its_twin_is_valid_json(client: TestClient) -> None:
    paths = _paths(client)
    assert len(paths) >= 8 and any(p.startswith("/outlets/") for p in paths)
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "unsafe-inline" not in response.headers["content-security-policy"]
        _check_html(response.text, path)
        twin = client.get(_twin(path))
        assert twin.status_code == 200, _twin(path)
        assert isinstance(json.loads(twin.content), dict)


def test_hostile_values_are_shown_as_text(client: TestClient) -> None:
    story = client.get("/index.json?since=2024-03-01&until=2024-03-31").json()["stories"][0]
    html = client.get(f"/stories/{story['id']}").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Council budget" in html  # title
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Gazette" in html  # outlet
    assert "&#34;&gt;&lt;img src=x onerror=alert(2)&gt;" in html
    assert "{{ 7*7 }}{% for x in [1] %}looped{% endfor %}" in html  # never evaluated
    assert 'id="facts"' in html and 'id="timeline"' in html and 'id="summary"' in html
    data = client.get(f"/stories/{story['id']}.json").json()
    titles = {a["article"]["title"] for a in data["story"]["articles"]}
    assert f"{ASTRAL} Council budget" in titles  # astral characters round-trip in JSON
    assert f"{ASTRAL} Council budget" in html
    urls = {a["article"]["url"] for a in data["story"]["articles"]}
    assert not any(u and not u.startswith(("http://", "https://")) for u in urls)


def test_rating_source_fields_are_escaped_and_its_javascript_url_is_not_linked(
    client: TestClient,
) -> None:
    entry = next(e for e in client.get("/outlets.json").json()["outlets"]
                 if "evil.example" in e["outlet"]["domains"])  # fmt: skip
    html = client.get(f"/outlets/{entry['outlet']['id']}").text
    _check_html(html, "outlet page")
    assert "&#34;&gt;&lt;img src=x onerror=alert(2)&gt;" in html  # the citation
    assert "Terms: {{ 7*7 }}" in html
    assert "alert(7)" not in html  # its javascript: URL is neither linked nor shown


def test_a_right_to_left_override_in_data_does_not_reverse_the_text_after_it(
    client: TestClient,
) -> None:
    thread_id = next(s["thread_id"] for s in client.get("/index.json").json()["stories"]
                     if s["thread_id"])  # fmt: skip
    html = client.get(f"/threads/{thread_id}").text
    title = re.search(r"<title>(.*?)</title>", html, re.S)
    assert title is not None and RLO in title.group(1)
    assert _open_bidi(title.group(1)) == 0  # " · newsprism" after it reads as written
    _check_html(html, "thread page")


def test_nul_bytes_never_reach_the_html(client: TestClient) -> None:
    data = client.get("/search.json?q=nul").json()
    titles = [h["title"] or "" for g in data["groups"] for h in g["hits"]]
    assert any("nul byte" in t for t in titles)  # the NUL became a space at ingest
    assert not any("\x00" in t for t in titles)
    for path in ("/search?q=nul", "/search?q=council"):
        assert "\x00" not in client.get(path).text
    assert "nul byte" in client.get("/search?q=nul").text
    # what an older archive kept: every page shows it as U+FFFD
    assert shown("nul\x00byte\x1b") == "nul\ufffdbyte\ufffd"


def test_a_10000_character_word_renders_and_may_wrap(client: TestClient) -> None:
    html = client.get("/search?q=council").text
    assert "W" * 1000 in html
    css = client.get("/static/style.css").text
    assert re.search(r"main\s*\{[^}]*overflow-wrap:\s*anywhere", css)


def test_the_static_export_holds_the_same_guarantees(archive: Settings, tmp_path: Path) -> None:
    with Service(archive) as svc:
        report = export_site(svc, tmp_path / "site")
    assert report.stories >= 4 and report.threads == 1 and report.outlets >= 1
    pages = sorted((tmp_path / "site").rglob("*.html"))
    assert len(pages) >= 8
    for page in pages:
        _check_html(page.read_text(encoding="utf-8"), str(page))
        twin = json.loads(page.with_suffix(".json").read_bytes())
        assert isinstance(twin, dict)


# --- huge stories, threads and outlets ----------------------------------------------------
@pytest.fixture(scope="module")
def huge(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """10,000 articles of one rated outlet: a story of 2,000, then 300 two-article stories
    (put in one thread), then single-article stories."""
    folder = tmp_path_factory.mktemp("huge")
    settings = Settings(db=folder / "huge.db", host_delay_s=0, http_backoff_s=0,
                        story_encoder="static", synthesize_on_build=False)  # fmt: skip
    source = folder / "huge.jsonl"
    rng = random.Random(7)
    with source.open("w", encoding="utf-8") as fh:
        for n in range(10_000):
            key = "giant" if n < 2000 else f"pair{(n - 2000) // 2}" if n < 2600 else f"one{n}"
            words = " ".join(f"w{rng.randrange(50_000)}" for _ in range(40))
            fh.write(json.dumps({
                "id": f"b{n}", "title": f"{SCRIPT} item {n}", "text": f"{words}. Item {n}.",
                "outlet": "The New York Times", "url": f"https://www.nytimes.com/b{n}.html",
                "published": f"2024-0{1 + n % 9}-{1 + n % 28:02d}", "story": key,
            }) + "\n")  # fmt: skip
    with Service(settings) as svc:
        assert not svc.ingest([str(source)]).skipped
        svc.build()
        with sqlite3.connect(settings.db) as conn:
            pairs = [r[0] for r in conn.execute(
                "SELECT id FROM stories WHERE pinned_key LIKE 'pair%' ORDER BY id")]  # fmt: skip
        with svc.store.transaction():
            thread = svc.store.new_thread("test-fixture.v1")
            for story_id in pairs:
                svc.store.set_thread(story_id, thread, 0.9)
    return settings


def _timed(client: TestClient, path: str) -> tuple[float, float]:
    """Seconds for the first and for a cached request of ``path`` (both must be 200)."""
    times = []
    for _ in range(2):
        start = time.perf_counter()
        response = client.get(path)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, path
    return times[0], times[1]


def test_huge_story_thread_and_outlet_pages(huge: Settings) -> None:
    with TestClient(create_app(huge)) as client:
        with sqlite3.connect(huge.db) as conn:
            (giant,) = conn.execute("SELECT id FROM stories WHERE pinned_key = 'giant'").fetchone()
        data = client.get(f"/stories/{giant}.json").json()  # computes its synthesis once
        assert len(data["story"]["articles"]) == 2000
        entry = client.get("/outlets.json").json()["outlets"][0]  # most articles first
        assert entry["n_articles"] == 10_000
        outlet = entry["outlet"]["id"]
        paths = [f"/stories/{giant}", f"/stories/{giant}.json", "/", "/index.json"]
        paths += [f"/outlets/{outlet}", f"/outlets/{outlet}?page=386", "/search?q=item"]
        for path in paths:
            first, cached = _timed(client, path)
            assert first < 5 and cached < 0.2, (path, first, cached)
        html = client.get(f"/stories/{giant}").text
        assert html.count('class="headline"') == 2000
        _check_html(html, "giant story")
        last = client.get(f"/outlets/{outlet}.json?page=386").json()
        assert last["total_stories"] == 1 + 300 + 7400 and len(last["stories"]) == 1  # 20 a page
        with sqlite3.connect(huge.db) as conn:
            (thread,) = conn.execute("SELECT DISTINCT thread_id FROM story_threads").fetchone()
        first, cached = _timed(client, f"/threads/{thread}")
        assert len(client.get(f"/threads/{thread}.json").json()["stories"]) == 300
        assert first < 2 and cached < 0.2
