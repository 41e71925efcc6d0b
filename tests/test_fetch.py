"""The HTTP client: retries and back-off, size caps, redirects, politeness and robots.txt.

Only the network is fake: an ``httpx.MockTransport`` answers the requests, and fake ``sleep``
and ``clock`` callables record the waits instead of waiting.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from newsprism.config import USER_AGENT, Settings
from newsprism.errors import FetchError, TooLarge, TransientFetchError
from newsprism.ingest.fetch import Fetcher

Handler = Callable[[httpx.Request], httpx.Response]


class FakeTime:
    """A clock that only moves when something sleeps (or a test moves it)."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class Recorder:
    """Wraps a handler and records every request that reached the (fake) network."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.handler(request)

    @property
    def urls(self) -> list[str]:
        return [str(r.url) for r in self.requests]


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def base(tmp_path: Path) -> Settings:
    """No robots.txt, no politeness delay, no back-off: each test turns on what it checks."""
    return Settings(db=tmp_path / "t.db", host_delay_s=0, http_backoff_s=0, respect_robots=False)


@pytest.fixture
def make(fake_time: FakeTime) -> Iterator[Callable[[Settings, Handler], tuple[Fetcher, Recorder]]]:
    fetchers: list[Fetcher] = []

    def build(settings: Settings, handler: Handler) -> tuple[Fetcher, Recorder]:
        recorder = Recorder(handler)
        fetcher = Fetcher(
            settings,
            transport=httpx.MockTransport(recorder),
            sleep=fake_time.sleep,
            clock=fake_time.clock,
        )
        fetchers.append(fetcher)
        return fetcher, recorder

    yield build
    for fetcher in fetchers:
        fetcher.close()


def sequence(*responses: httpx.Response | Exception) -> Handler:
    """A handler giving the responses (or raising the errors) in turn, the last one forever."""
    queue = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        answer = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(answer, Exception):
            raise answer
        return answer

    return handler


def ok(body: bytes = b"<p>hello</p>", content_type: str = "text/html") -> httpx.Response:
    return httpx.Response(200, headers={"content-type": content_type}, content=body)


URL = "https://news.example/story"


# --- headers and status codes ----------------------------------------------------------------


def test_user_agent_names_newsprism(make, base: Settings) -> None:
    fetcher, web = make(base, sequence(ok()))
    page = fetcher.get(URL)
    agent = web.requests[0].headers["user-agent"]
    assert agent == USER_AGENT
    assert agent.lower().startswith("newsprism/")
    assert page.status == 200
    assert page.body == b"<p>hello</p>"
    assert page.content_type == "text/html"
    assert page.url == URL


def test_404_is_a_permanent_error_naming_url_and_status(make, base, fake_time) -> None:
    fetcher, web = make(base.with_overrides(http_backoff_s=1.0), sequence(httpx.Response(404)))
    with pytest.raises(FetchError) as caught:
        fetcher.get(URL)
    assert not isinstance(caught.value, TransientFetchError)
    assert URL in str(caught.value)
    assert "HTTP 404" in str(caught.value)
    assert web.urls == [URL]  # not retried
    assert fake_time.sleeps == []


@pytest.mark.parametrize("status", [400, 401, 403, 410])
def test_other_client_errors_are_not_retried(make, base, fake_time, status: int) -> None:
    fetcher, web = make(base, sequence(httpx.Response(status)))
    with pytest.raises(FetchError, match=f"HTTP {status}") as caught:
        fetcher.get(URL)
    assert not isinstance(caught.value, TransientFetchError)
    assert len(web.requests) == 1


def test_500_then_200_succeeds_after_one_backoff(make, base, fake_time) -> None:
    settings = base.with_overrides(http_backoff_s=1.5)
    fetcher, web = make(settings, sequence(httpx.Response(500), ok(b"second time lucky")))
    page = fetcher.get(URL)
    assert page.body == b"second time lucky"
    assert web.urls == [URL, URL]
    assert fake_time.sleeps == [1.5]


def test_503_forever_gives_up_after_all_retries_with_doubling_backoff(
    make, base, fake_time
) -> None:
    settings = base.with_overrides(http_retries=3, http_backoff_s=1.0)
    fetcher, web = make(settings, sequence(httpx.Response(503)))
    with pytest.raises(TransientFetchError) as caught:
        fetcher.get(URL)
    message = str(caught.value)
    assert URL in message
    assert "HTTP 503" in message
    assert "4 attempts" in message
    assert len(web.requests) == 4  # http_retries + 1
    assert fake_time.sleeps == [1.0, 2.0, 4.0]  # no sleep after the last attempt


def test_no_retries_configured_means_one_attempt(make, base, fake_time) -> None:
    fetcher, web = make(base.with_overrides(http_retries=0), sequence(httpx.Response(502)))
    with pytest.raises(TransientFetchError, match="1 attempts"):
        fetcher.get(URL)
    assert len(web.requests) == 1
    assert fake_time.sleeps == []


def test_429_retry_after_seconds_is_honoured(make, base, fake_time) -> None:
    settings = base.with_overrides(http_backoff_s=1.0)
    busy = httpx.Response(429, headers={"Retry-After": "7"})
    fetcher, web = make(settings, sequence(busy, ok()))
    assert fetcher.get(URL).status == 200
    assert len(web.requests) == 2
    assert len(fake_time.sleeps) == 1
    assert fake_time.sleeps[0] >= 7


def test_backoff_wins_over_a_smaller_retry_after(make, base, fake_time) -> None:
    settings = base.with_overrides(http_backoff_s=5.0)
    busy = httpx.Response(503, headers={"Retry-After": "2"})
    fetcher, _ = make(settings, sequence(busy, ok()))
    fetcher.get(URL)
    assert fake_time.sleeps == [5.0]


def test_a_huge_retry_after_is_capped(make, base, fake_time) -> None:
    busy = httpx.Response(429, headers={"Retry-After": "86400"})
    fetcher, _ = make(base, sequence(busy, ok()))
    fetcher.get(URL)
    assert len(fake_time.sleeps) == 1
    assert 7 <= fake_time.sleeps[0] <= 60


@pytest.mark.parametrize("error", [httpx.ConnectTimeout, httpx.ReadTimeout])
def test_timeouts_are_retried_then_reported(make, base, fake_time, error) -> None:
    settings = base.with_overrides(http_retries=2, http_backoff_s=0.5)

    def handler(request: httpx.Request) -> httpx.Response:
        raise error("no answer", request=request)

    fetcher, web = make(settings, handler)
    with pytest.raises(TransientFetchError) as caught:
        fetcher.get(URL)
    message = str(caught.value)
    assert "timed out" in message
    assert error.__name__ in message
    assert URL in message
    assert len(web.requests) == 3
    assert fake_time.sleeps == [0.5, 1.0]


def test_a_timeout_then_an_answer_succeeds(make, base, fake_time) -> None:
    request = httpx.Request("GET", URL)
    fetcher, web = make(base, sequence(httpx.ReadTimeout("slow", request=request), ok(b"ok")))
    assert fetcher.get(URL).body == b"ok"
    assert len(web.requests) == 2


def test_connection_errors_are_retried_then_reported(make, base, fake_time) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    fetcher, web = make(base.with_overrides(http_retries=1), handler)
    with pytest.raises(TransientFetchError, match="connection failed"):
        fetcher.get(URL)
    assert len(web.requests) == 2


# --- size cap --------------------------------------------------------------------------------


def test_declared_content_length_above_the_cap_is_refused(make, base, fake_time) -> None:
    settings = base.with_overrides(http_max_bytes=1000)
    fetcher, web = make(settings, sequence(ok(b"x" * 5000)))
    with pytest.raises(TooLarge) as caught:
        fetcher.get(URL)
    assert "http_max_bytes=1000" in str(caught.value)
    assert URL in str(caught.value)
    assert len(web.requests) == 1  # a size refusal is not retried
    assert fake_time.sleeps == []


def test_streamed_body_without_content_length_is_cut_at_the_cap(make, base) -> None:
    settings = base.with_overrides(http_max_bytes=1000)
    produced: list[int] = []

    def chunks() -> Iterator[bytes]:
        for _ in range(100):
            produced.append(1)
            yield b"y" * 300

    def handler(request: httpx.Request) -> httpx.Response:
        response = httpx.Response(200, content=chunks())
        assert "content-length" not in response.headers
        return response

    fetcher, _ = make(settings, handler)
    with pytest.raises(TooLarge, match="http_max_bytes=1000"):
        fetcher.get(URL)
    assert len(produced) < 10  # the download stopped soon after the cap, not at the end


def test_body_exactly_at_the_cap_is_accepted(make, base) -> None:
    settings = base.with_overrides(http_max_bytes=1000)
    fetcher, _ = make(settings, sequence(httpx.Response(200, content=iter([b"z" * 1000]))))
    assert len(fetcher.get(URL).body) == 1000


def test_gzip_body_is_decoded_and_the_cap_applies_to_decoded_bytes(make, base) -> None:
    text = b"<p>" + b"word " * 300 + b"</p>"
    small = httpx.Response(200, headers={"content-encoding": "gzip"}, content=gzip.compress(text))
    fetcher, _ = make(base.with_overrides(http_max_bytes=5000), sequence(small))
    assert fetcher.get(URL).body == text

    bomb = gzip.compress(b"\0" * 200_000)
    assert len(bomb) < 5000
    headers = {"content-encoding": "gzip", "content-length": str(len(bomb))}
    huge = httpx.Response(200, headers=headers, content=iter([bomb]))
    fetcher, _ = make(base.with_overrides(http_max_bytes=5000), sequence(huge))
    with pytest.raises(TooLarge, match="http_max_bytes=5000"):
        fetcher.get(URL)


def test_a_body_that_is_not_the_gzip_it_claims_is_a_fetch_error(make, base, fake_time) -> None:
    body = iter([b"not gzip" * 20])
    broken = httpx.Response(200, headers={"content-encoding": "gzip"}, content=body)
    fetcher, web = make(base.with_overrides(http_backoff_s=1.0), sequence(broken))
    with pytest.raises(FetchError, match="could not be decoded") as caught:
        fetcher.get(URL)
    assert URL in str(caught.value)
    assert not isinstance(caught.value, TransientFetchError)
    assert len(web.requests) == 1


# --- redirects -------------------------------------------------------------------------------


def test_redirects_are_followed_and_the_page_has_the_final_url(make, base) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/old":
            return httpx.Response(301, headers={"location": "https://news.example/moved"})
        if request.url.path == "/moved":
            return httpx.Response(302, headers={"location": "/final?id=3"})
        if request.url.path == "/final":
            return ok(b"the article")
        return httpx.Response(404)

    fetcher, web = make(base, handler)
    page = fetcher.get("https://news.example/old")
    assert page.url == "https://news.example/final?id=3"
    assert page.body == b"the article"
    assert web.urls == [
        "https://news.example/old",
        "https://news.example/moved",
        "https://news.example/final?id=3",
    ]


def test_a_redirect_loop_is_a_permanent_error(make, base, fake_time) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        other = "/b" if request.url.path == "/a" else "/a"
        return httpx.Response(302, headers={"location": other})

    fetcher, web = make(base.with_overrides(http_backoff_s=1.0), handler)
    with pytest.raises(FetchError, match="too many redirects") as caught:
        fetcher.get("https://news.example/a")
    assert not isinstance(caught.value, TransientFetchError)
    assert len(web.requests) == 6  # the first request and five redirects, once
    assert fake_time.sleeps == []


def test_a_redirect_to_a_non_http_url_is_a_permanent_error(make, base, fake_time) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.scheme not in {"http", "https"}:
            # What httpx's real transport does with such a URL.
            raise httpx.UnsupportedProtocol(f"unsupported protocol {request.url.scheme!r}")
        return httpx.Response(302, headers={"location": "ftp://files.example/story.txt"})

    fetcher, web = make(base.with_overrides(http_backoff_s=1.0), handler)
    with pytest.raises(FetchError, match="not http") as caught:
        fetcher.get(URL)
    assert not isinstance(caught.value, TransientFetchError)
    assert web.urls == [URL, "ftp://files.example/story.txt"]  # not retried
    assert fake_time.sleeps == []


# --- politeness ------------------------------------------------------------------------------


def test_same_host_waits_host_delay_other_hosts_do_not(make, base, fake_time) -> None:
    fetcher, web = make(base.with_overrides(host_delay_s=1.0), sequence(ok()))
    fetcher.get("https://a.example/one")
    assert fake_time.sleeps == []
    fetcher.get("https://a.example/two")
    assert fake_time.sleeps == [pytest.approx(1.0)]
    fetcher.get("https://b.example/one")
    assert fake_time.sleeps == [pytest.approx(1.0)]  # a different host: no wait
    assert web.urls == [
        "https://a.example/one",
        "https://a.example/two",
        "https://b.example/one",
    ]


def test_host_delay_counts_the_time_already_passed(make, base, fake_time) -> None:
    fetcher, _ = make(base.with_overrides(host_delay_s=1.0), sequence(ok()))
    fetcher.get("https://a.example/one")
    fake_time.now += 0.4
    fetcher.get("https://a.example/two")
    assert fake_time.sleeps == [pytest.approx(0.6)]
    fake_time.now += 5
    fetcher.get("https://a.example/three")
    assert fake_time.sleeps == [pytest.approx(0.6)]


def test_retries_to_the_same_host_are_also_spaced(make, base, fake_time) -> None:
    settings = base.with_overrides(host_delay_s=3.0, http_backoff_s=1.0)
    fetcher, web = make(settings, sequence(httpx.Response(503), ok()))
    fetcher.get(URL)
    assert len(web.requests) == 2
    assert sum(fake_time.sleeps) == pytest.approx(3.0)  # back-off 1 s, then 2 s more for the host


# --- robots.txt ------------------------------------------------------------------------------


def robots_site(robots: httpx.Response) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/robots.txt":
            return robots
        return ok(b"<p>page</p>")

    return handler


def test_robots_disallow_refuses_the_page_without_requesting_it(make, base) -> None:
    robots = httpx.Response(200, text="User-agent: *\nDisallow: /private/\n")
    fetcher, web = make(base.with_overrides(respect_robots=True), robots_site(robots))
    with pytest.raises(FetchError) as caught:
        fetcher.get("https://news.example/private/memo")
    assert "robots.txt" in str(caught.value)
    assert "https://news.example/private/memo" in str(caught.value)
    assert web.urls == ["https://news.example/robots.txt"]

    assert fetcher.get("https://news.example/public/story").body == b"<p>page</p>"
    assert web.urls == [  # robots.txt read once per site
        "https://news.example/robots.txt",
        "https://news.example/public/story",
    ]


def test_robots_rules_for_newsprism_by_name_apply(make, base) -> None:
    robots = httpx.Response(200, text="User-agent: newsprism\nDisallow: /\n\nUser-agent: *\n")
    fetcher, web = make(base.with_overrides(respect_robots=True), robots_site(robots))
    with pytest.raises(FetchError, match=r"robots\.txt"):
        fetcher.get(URL)
    assert web.urls == ["https://news.example/robots.txt"]


def test_rules_for_other_crawlers_do_not_apply(make, base) -> None:
    robots = httpx.Response(200, text="User-agent: OtherBot\nDisallow: /\n")
    fetcher, web = make(base.with_overrides(respect_robots=True), robots_site(robots))
    assert fetcher.get(URL).status == 200
    assert web.urls == ["https://news.example/robots.txt", URL]


def test_missing_robots_txt_allows_everything(make, base) -> None:
    fetcher, web = make(base.with_overrides(respect_robots=True), robots_site(httpx.Response(404)))
    assert fetcher.get(URL).status == 200
    assert fetcher.get("https://news.example/other").status == 200
    assert web.urls == ["https://news.example/robots.txt", URL, "https://news.example/other"]


def test_robots_txt_is_asked_per_site(make, base) -> None:
    fetcher, web = make(base.with_overrides(respect_robots=True), robots_site(httpx.Response(404)))
    fetcher.get("https://a.example/x")
    fetcher.get("https://b.example/y")
    assert web.urls == [
        "https://a.example/robots.txt",
        "https://a.example/x",
        "https://b.example/robots.txt",
        "https://b.example/y",
    ]


def test_respect_robots_off_never_asks_for_robots_txt(make, base) -> None:
    robots = httpx.Response(200, text="User-agent: *\nDisallow: /\n")
    fetcher, web = make(base.with_overrides(respect_robots=False), robots_site(robots))
    assert fetcher.get(URL).status == 200
    assert web.urls == [URL]


# --- what cannot be fetched ------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["ftp://files.example/story.txt", "file:///etc/passwd", "mailto:desk@news.example", "http://"],
)
def test_only_http_urls_are_fetched(make, base, url: str) -> None:
    fetcher, web = make(base.with_overrides(respect_robots=True), sequence(ok()))
    with pytest.raises(FetchError, match="only http"):
        fetcher.get(url)
    assert web.requests == []


# --- non-public addresses --------------------------------------------------------------------
@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/admin",
        "http://10.1.2.3/",
        "http://192.168.0.1:8080/router",
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata
        "http://100.64.0.1/",  # shared address space
        "http://0.0.0.0/",
        "http://[::1]/",
        "http://[fd00::1]/",
        "http://[::ffff:127.0.0.1]/",  # IPv4 loopback written as IPv6
        "http://user:secret@127.0.0.1/x",
    ],
)
def test_non_public_addresses_are_never_requested(make, base, url: str) -> None:
    fetcher, web = make(base, sequence(ok()))
    with pytest.raises(FetchError, match=r"non-public address.*allow_private_hosts") as caught:
        fetcher.get(url)
    assert "secret" not in str(caught.value)
    assert web.requests == []


def test_a_name_resolving_to_a_private_address_is_refused(fake_time, base) -> None:
    web = Recorder(sequence(ok()))
    resolved = {"intranet.example": ["10.0.0.7"], "news.example": ["93.184.216.34"]}
    asked: list[str] = []

    def resolver(host: str) -> list[str]:
        asked.append(host)
        return resolved.get(host, [])

    with Fetcher(
        base, transport=httpx.MockTransport(web), sleep=fake_time.sleep, clock=fake_time.clock,
        resolver=resolver,
    ) as fetcher:  # fmt: skip
        with pytest.raises(FetchError, match=r"intranet\.example is a non-public address"):
            fetcher.get("http://intranet.example/wiki")
        assert fetcher.get("http://news.example/story").status == 200
        assert fetcher.get("http://news.example/other").status == 200
    assert web.urls == ["http://news.example/story", "http://news.example/other"]
    assert asked == ["intranet.example", "news.example"]  # one look-up per host


def test_a_redirect_to_a_private_address_is_refused(make, base) -> None:
    moved = httpx.Response(302, headers={"location": "http://169.254.169.254/latest/"})
    fetcher, web = make(base, sequence(moved, ok()))
    with pytest.raises(FetchError, match=r"169\.254\.169\.254 is a non-public address"):
        fetcher.get("https://news.example/a")
    assert web.urls == ["https://news.example/a"]  # the redirect target was never asked


def test_allow_private_hosts_fetches_an_intranet_server(make, base) -> None:
    fetcher, web = make(base.with_overrides(allow_private_hosts=True), sequence(ok()))
    assert fetcher.get("http://10.1.2.3/page").status == 200
    assert fetcher.get("http://93.184.216.34/page").status == 200  # public: always
    assert len(web.requests) == 2


def test_a_response_that_trickles_in_is_cut_at_the_deadline(make, base, fake_time) -> None:
    """Each read arrives inside http_timeout_s, but the whole would take for ever."""

    def trickle() -> Iterator[bytes]:
        for _ in range(1000):
            fake_time.now += 19.0  # one byte every 19 s
            yield b"x"

    fetcher, web = make(
        base.with_overrides(http_deadline_s=120.0),
        lambda request: httpx.Response(200, content=trickle()),
    )
    with pytest.raises(FetchError, match=r"still arriving after http_deadline_s=120"):
        fetcher.get("https://slow.example/page")
    assert len(web.requests) == 1  # not retried: it would only trickle again
    assert fake_time.now - 1000.0 < 150


def test_the_deadline_must_be_positive() -> None:
    from newsprism.config import load_settings
    from newsprism.errors import ConfigError

    with pytest.raises(ConfigError, match=r"http_deadline_s=0\.0 must be greater than 0"):
        load_settings(env={"NEWSPRISM_HTTP_DEADLINE_S": "0"})
