"""Ingesting web pages and RSS/Atom feeds over (fake) HTTP through the service.

Only the network is fake: a :class:`FakeWeb` behind ``httpx.MockTransport`` serves the pages
in tests/fixtures/network/ and records every URL asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from newsprism.config import Settings
from newsprism.models import Article, IngestReport, Outcome, SourceKind
from newsprism.service import Service

NETWORK = Path(__file__).parent / "fixtures" / "network"

HTML = "text/html; charset=utf-8"
RSS = "application/rss+xml"
ATOM = "application/atom+xml"

ARTICLE_URL = "https://www.lakesideledger.example/city/tram-extension"
RSS_URL = "https://hillsideherald.example/feeds/latest"
ATOM_URL = "https://riverbendpost.example/feed"
FERRY_URL = "https://riverbendpost.example/news/ferry-timetable"
GARDEN_URL = "https://riverbendpost.example/news/mill-garden"

Answer = Callable[[httpx.Request], httpx.Response]


def serve(body: bytes | str, content_type: str = HTML, status: int = 200) -> Answer:
    data = body.encode("utf-8") if isinstance(body, str) else body
    return lambda request: httpx.Response(
        status, headers={"content-type": content_type}, content=data
    )


def fixture(name: str, content_type: str = HTML) -> Answer:
    return serve((NETWORK / name).read_bytes(), content_type)


def never_answers(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadTimeout("no answer", request=request)


class FakeWeb:
    """URL (without query) -> answer; anything else is a 404. Records every request."""

    def __init__(self) -> None:
        self.pages: dict[str, Answer] = {}
        self.requested: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        self.requested.append(url)
        answer = self.pages.get(url.split("?", 1)[0])
        if answer is None:
            return httpx.Response(404, text="not found")
        return answer(request)

    def pages_requested(self) -> list[str]:
        """The requests other than robots.txt."""
        return [u for u in self.requested if not u.endswith("/robots.txt")]


@pytest.fixture
def web() -> FakeWeb:
    return FakeWeb()


@pytest.fixture
def make_service(web: FakeWeb, settings: Settings) -> Iterator[Callable[..., Service]]:
    opened: list[Service] = []

    def build(**overrides: object) -> Service:
        svc = Service(settings.with_overrides(**overrides), transport=httpx.MockTransport(web))
        opened.append(svc)
        return svc

    yield build
    for svc in opened:
        svc.close()


@pytest.fixture
def svc(make_service: Callable[..., Service]) -> Service:
    return make_service()


def reasons(report: IngestReport) -> list[str]:
    return [r.reason or "" for r in report.skipped]


def by_url(svc: Service) -> dict[str | None, Article]:
    return {a.url: a for a in svc.articles()}


# --- a web page by URL -----------------------------------------------------------------------


def test_article_page_by_url(svc: Service, web: FakeWeb) -> None:
    web.pages[ARTICLE_URL] = fixture("article.html")
    given = f"{ARTICLE_URL}?utm_source=newsletter&utm_medium=email&page=2"
    report = svc.ingest([given])
    assert report.summary() == {"added": 1, "reprint": 0, "duplicate": 0, "skipped": 0}
    (article,) = svc.articles()
    assert article.source_kind is SourceKind.URL
    assert article.source_ref == given
    assert article.url == f"{ARTICLE_URL}?page=2"  # tracking parameters gone, the rest kept
    assert article.outlet_domain == "lakesideledger.example"
    assert article.outlet_name == "Lakeside Ledger"
    assert article.title == "Tram line extension wins final approval"
    assert article.author == "Ines Okafor"
    assert article.published == datetime(2025, 4, 11, 7, 45, tzinfo=UTC)
    assert article.body.startswith("The regional transport board gave final approval")
    assert "compensate businesses" in article.body
    assert "Privacy policy" not in article.body
    assert "Weather" not in article.body
    assert article.language == "en"
    assert article.extraction_method.startswith("trafilatura-")
    assert web.requested == ["https://www.lakesideledger.example/robots.txt", given]


def test_same_url_again_is_a_duplicate(svc: Service, web: FakeWeb) -> None:
    web.pages[ARTICLE_URL] = fixture("article.html")
    assert svc.ingest([ARTICLE_URL]).count(Outcome.ADDED) == 1
    stored = [a.to_dict() for a in svc.articles()]

    again = svc.ingest([ARTICLE_URL])
    assert again.summary() == {"added": 0, "reprint": 0, "duplicate": 1, "skipped": 0}
    tracked = svc.ingest([f"{ARTICLE_URL}?utm_campaign=spring&fbclid=abc"])
    assert tracked.summary() == {"added": 0, "reprint": 0, "duplicate": 1, "skipped": 0}
    assert svc.store.count_articles() == 1
    assert [a.to_dict() for a in svc.articles()] == stored


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (serve("gone", status=404), "HTTP 404"),
        (serve("gone for good", status=410), "HTTP 410"),
        (serve("down", status=503), "HTTP 503"),
        (never_answers, "timed out"),
    ],
    ids=["404", "410", "503", "timeout"],
)
def test_a_failing_url_is_skipped_and_the_next_one_still_stored(
    svc: Service, web: FakeWeb, answer: Answer, expected: str
) -> None:
    bad = "https://brokennews.example/story/1"
    web.pages[bad] = answer
    web.pages[ARTICLE_URL] = fixture("article.html")
    report = svc.ingest([bad, ARTICLE_URL])
    assert report.summary() == {"added": 1, "reprint": 0, "duplicate": 0, "skipped": 1}
    (reason,) = reasons(report)
    assert bad in reason
    assert expected in reason
    assert report.skipped[0].source == bad
    (article,) = svc.articles()
    assert article.url == ARTICLE_URL
    attempts = web.pages_requested().count(bad)
    assert attempts == (
        1 if expected in {"HTTP 404", "HTTP 410"} else svc.settings.http_retries + 1
    )


def test_page_without_article_text_is_skipped(svc: Service, web: FakeWeb) -> None:
    url = "https://lakesideledger.example/sections"
    web.pages[url] = fixture("nav_only.html")
    report = svc.ingest([url])
    assert report.summary() == {"added": 0, "reprint": 0, "duplicate": 0, "skipped": 1}
    (reason,) = reasons(report)
    assert url in reason
    assert "no article text" in reason
    assert svc.store.count_articles() == 0


def test_page_refused_by_robots_txt_is_skipped_unrequested(svc: Service, web: FakeWeb) -> None:
    web.pages["https://www.lakesideledger.example/robots.txt"] = serve(
        "User-agent: *\nDisallow: /city/\n", "text/plain"
    )
    web.pages[ARTICLE_URL] = fixture("article.html")
    report = svc.ingest([ARTICLE_URL])
    (reason,) = reasons(report)
    assert "robots.txt" in reason
    assert ARTICLE_URL in reason
    assert web.pages_requested() == []
    assert svc.store.count_articles() == 0


# --- feeds -----------------------------------------------------------------------------------


def test_rss_feed_with_full_text_entries_is_stored_without_following_links(
    svc: Service, web: FakeWeb
) -> None:
    web.pages[RSS_URL] = fixture("full_text.rss", RSS)
    report = svc.ingest([RSS_URL])
    assert report.summary() == {"added": 2, "reprint": 0, "duplicate": 0, "skipped": 0}
    assert web.pages_requested() == [RSS_URL]  # no entry link was fetched

    articles = by_url(svc)
    rescue = articles["https://hillsideherald.example/2025/06/rescue-base"]
    assert rescue.title == "Mountain rescue team opens new base"
    assert rescue.source_kind is SourceKind.FEED
    assert rescue.source_ref == f"{RSS_URL} entry 1"
    assert rescue.outlet_name == "Hillside Herald"
    assert rescue.outlet_domain == "hillsideherald.example"
    assert rescue.published == datetime(2025, 6, 2, 9, 0, tzinfo=UTC)
    assert rescue.extraction_method.startswith("feedparser-")
    assert "trafilatura" not in rescue.extraction_method
    assert rescue.extra == {"guid": "hh-2001"}
    assert rescue.body.startswith("The volunteer mountain rescue team moved")
    assert "solar panels" in rescue.body  # the full content, not the one-line description
    assert "<p>" not in rescue.body

    harvest = articles["https://hillsideherald.example/2025/06/late-harvest"]
    assert harvest.published == datetime(2025, 6, 3, 14, 30, tzinfo=UTC)
    assert "pick their own fruit" in harvest.body

    again = svc.ingest([RSS_URL])
    assert again.summary() == {"added": 0, "reprint": 0, "duplicate": 2, "skipped": 0}
    assert svc.store.count_articles() == 2


def test_atom_feed_of_teasers_follows_each_link(svc: Service, web: FakeWeb) -> None:
    web.pages[ATOM_URL] = fixture("teasers.atom", ATOM)
    web.pages[FERRY_URL] = fixture("ferry_timetable.html")
    web.pages[GARDEN_URL] = fixture("mill_garden.html")
    report = svc.ingest([ATOM_URL])
    assert report.summary() == {"added": 2, "reprint": 0, "duplicate": 0, "skipped": 0}
    assert web.pages_requested() == [ATOM_URL, FERRY_URL, GARDEN_URL]

    articles = by_url(svc)
    ferry = articles[FERRY_URL]
    assert ferry.source_kind is SourceKind.FEED
    assert "feedparser" in ferry.extraction_method
    assert "trafilatura" in ferry.extraction_method
    # The page's own title and date win over the feed's.
    assert ferry.title == "Evening ferries added to the summer timetable"
    assert ferry.published == datetime(2025, 7, 6, 18, 20, tzinfo=UTC)
    assert ferry.body.startswith("The river ferry will run three extra crossings")
    assert "Extra evening crossings start next week" not in ferry.body  # not the teaser
    assert ferry.extra == {"guid": "urn:riverbendpost:3001"}
    assert ferry.source_ref == f"{ATOM_URL} entry 1 -> {FERRY_URL}"

    garden = articles[GARDEN_URL]
    assert "feedparser" in garden.extraction_method
    assert "trafilatura" in garden.extraction_method
    # The page has neither a title nor a date: the feed entry's are used.
    assert garden.title == "Volunteers restore the old mill garden"
    assert garden.published == datetime(2025, 7, 8, 10, 15, tzinfo=UTC)
    assert garden.provenance["published"].method == "feed-entry"
    assert "clearing brambles" in garden.body
    assert "A weekend of planting" not in garden.body


def test_entry_whose_link_fails_is_skipped_and_the_others_stored(
    svc: Service, web: FakeWeb
) -> None:
    web.pages[ATOM_URL] = fixture("teasers.atom", ATOM)
    web.pages[GARDEN_URL] = fixture("mill_garden.html")  # the ferry page is a 404
    report = svc.ingest([ATOM_URL])
    assert report.summary() == {"added": 1, "reprint": 0, "duplicate": 0, "skipped": 1}
    (reason,) = reasons(report)
    assert f"{ATOM_URL} entry 1" in reason
    assert FERRY_URL in reason
    assert "HTTP 404" in reason
    assert [a.url for a in svc.articles()] == [GARDEN_URL]


def test_entry_link_with_a_corrupt_body_does_not_lose_the_feed(svc: Service, web: FakeWeb) -> None:
    web.pages[ATOM_URL] = fixture("teasers.atom", ATOM)
    web.pages[FERRY_URL] = lambda request: httpx.Response(
        200,
        headers={"content-type": HTML, "content-encoding": "gzip"},
        content=iter([b"these bytes are not gzip at all"]),
    )
    web.pages[GARDEN_URL] = fixture("mill_garden.html")
    report = svc.ingest([ATOM_URL])
    assert report.summary() == {"added": 1, "reprint": 0, "duplicate": 0, "skipped": 1}
    (reason,) = reasons(report)
    assert "entry 1" in reason
    assert FERRY_URL in reason
    assert "internal error" not in reason
    assert [a.url for a in svc.articles()] == [GARDEN_URL]


def test_follow_feed_links_off_stores_the_teasers(
    make_service: Callable[..., Service], web: FakeWeb
) -> None:
    web.pages[ATOM_URL] = fixture("teasers.atom", ATOM)
    web.pages[FERRY_URL] = fixture("ferry_timetable.html")
    web.pages[GARDEN_URL] = fixture("mill_garden.html")
    svc = make_service(follow_feed_links=False)
    report = svc.ingest([ATOM_URL])
    assert report.summary() == {"added": 2, "reprint": 0, "duplicate": 0, "skipped": 0}
    assert web.pages_requested() == [ATOM_URL]
    articles = by_url(svc)
    ferry = articles[FERRY_URL]
    assert ferry.body == "Extra evening crossings start next week."
    assert ferry.title == "Ferry timetable changes for the summer"
    assert ferry.extraction_method.startswith("feedparser-")
    assert ferry.extra["teaser_only"] is True
    assert articles[GARDEN_URL].extra["teaser_only"] is True
    assert articles[GARDEN_URL].published == datetime(2025, 7, 8, 10, 15, tzinfo=UTC)


NOT_FEEDS = {
    "html-as-rss": ((NETWORK / "article.html").read_bytes(), RSS),
    "text-garbage": (b"%%% this is {not} a feed ;; 12 34 <<>> &&", RSS),
    "truncated-xml": (b'<?xml version="1.0"?>\n<rss version="2.0"><chan', "text/xml"),
    "json": (b'{"items": [1, 2, 3]}', RSS),
}


@pytest.mark.parametrize("name", sorted(NOT_FEEDS))
def test_a_url_that_is_not_a_feed_is_skipped(svc: Service, web: FakeWeb, name: str) -> None:
    body, content_type = NOT_FEEDS[name]
    url = "https://oddsite.example/feed.xml"
    web.pages[url] = serve(body, content_type)
    report = svc.ingest([url])
    assert report.summary() == {"added": 0, "reprint": 0, "duplicate": 0, "skipped": 1}
    (reason,) = reasons(report)
    assert reason.startswith(f"{url}: not an RSS or Atom feed")
    assert svc.store.count_articles() == 0


def test_binary_bytes_served_as_a_feed_are_skipped(svc: Service, web: FakeWeb) -> None:
    url = "https://oddsite.example/rss"
    web.pages[url] = serve(bytes(range(256)) * 8, RSS)
    report = svc.ingest([url])
    (reason,) = reasons(report)
    assert url in reason
    assert "binary" in reason
    assert svc.store.count_articles() == 0


def test_a_feed_body_naming_a_local_file_does_not_read_that_file(
    svc: Service, web: FakeWeb, tmp_path: Path
) -> None:
    local = tmp_path / "private.rss"
    local.write_bytes((NETWORK / "full_text.rss").read_bytes())
    url = "https://oddsite.example/feed"
    web.pages[url] = serve(str(local), RSS)
    report = svc.ingest([url])
    assert report.summary() == {"added": 0, "reprint": 0, "duplicate": 0, "skipped": 1}
    (reason,) = reasons(report)
    assert "not an RSS or Atom feed" in reason
    assert svc.store.count_articles() == 0


LATIN1_FEED = """<?xml version="1.0" encoding="iso-8859-1"?>
<rss version="2.0">
<channel>
<title>Le Courrier du Lac</title>
<link>https://courrierdulac.example/</link>
<item>
<title>Un café solidaire ouvre près du marché</title>
<link>https://courrierdulac.example/2025/09/cafe-solidaire</link>
<pubDate>Fri, 12 Sep 2025 07:30:00 +0200</pubDate>
<description><![CDATA[<p>Un café solidaire a ouvert ses portes jeudi à deux pas du marché couvert, \
dans l'ancienne épicerie de la rue des Tanneurs. Les bénévoles de l'association qui le gère \
servent des boissons à prix libre et proposent chaque midi une soupe préparée avec les \
invendus des maraîchers.</p>
<p>L'idée est née l'été dernier, quand plusieurs habitants du quartier se sont inquiétés de \
la fermeture des derniers commerces de proximité. Après des mois de réunions, ils ont obtenu \
un bail à loyer réduit auprès de la mairie et récolté de quoi rénover la salle, repeindre \
la façade et acheter une machine à café d'occasion.</p>
<p>Le lieu accueille aussi un atelier de réparation de vélos le samedi matin et des cours de \
français pour adultes deux soirs par semaine. Les responsables espèrent équilibrer leurs \
comptes d'ici la fin de l'année grâce aux adhésions et à la location de la salle pour des \
fêtes de famille ou des réunions d'associations du quartier.</p>]]></description>
</item>
</channel>
</rss>
"""


def test_latin1_feed_is_decoded_from_its_xml_declaration(svc: Service, web: FakeWeb) -> None:
    url = "https://courrierdulac.example/rss"
    data = LATIN1_FEED.encode("iso-8859-1")
    assert "café".encode() not in data  # really latin-1 bytes, not UTF-8
    web.pages[url] = serve(data, RSS)
    report = svc.ingest([url])
    assert report.summary() == {"added": 1, "reprint": 0, "duplicate": 0, "skipped": 0}
    assert web.pages_requested() == [url]  # full text: the link is not followed
    (article,) = svc.articles()
    assert article.title == "Un café solidaire ouvre près du marché"
    assert article.outlet_name == "Le Courrier du Lac"
    assert "l'été dernier" in article.body
    assert "la façade" in article.body
    assert "\ufffd" not in article.body
    assert "Ã" not in article.body  # no UTF-8 mojibake
    assert article.published == datetime(2025, 9, 12, 5, 30, tzinfo=UTC)
    assert article.language == "fr"
