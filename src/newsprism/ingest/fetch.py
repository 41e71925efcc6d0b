"""The one HTTP client newsprism fetches pages and feeds with.

Timeouts, a response size cap, a clear User-Agent, retries with exponential back-off on
transient failures (timeouts, connection errors, 429, 5xx; ``Retry-After`` honoured), a minimum
delay between two requests to the same host, robots.txt, and no request to a non-public address
(loopback, private, link-local...) unless ``allow_private_hosts``: every hop, redirects
included, is checked on the addresses its host name resolves to. (A name that resolves to
another address between the check and the connection, DNS rebinding, is not caught.) Tests pass
an ``httpx.MockTransport`` and a fake clock; nothing else is faked.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

import httpx

from newsprism.config import USER_AGENT, Settings
from newsprism.errors import FetchError, TooLarge, TransientFetchError
from newsprism.ingest.decode import mib
from newsprism.ingest.normalize import without_credentials

_MAX_RETRY_AFTER_S = 60.0
Resolver = Callable[[str], list[str]]


def resolve(host: str) -> list[str]:
    """The addresses ``host`` resolves to (none when it does not resolve: the connection will
    then fail on its own)."""
    try:
        found = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return []
    return [str(info[4][0]) for info in found]


def non_public(host: str, resolver: Resolver = resolve) -> str | None:
    """The first address of ``host`` (a name or an IP literal) that is not a public one, or
    None when all are public."""
    try:
        addresses = [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        addresses = []
        for text in resolver(host):
            try:
                addresses.append(ipaddress.ip_address(text.split("%", 1)[0]))
            except ValueError:
                continue
    for found in addresses:
        address = found.ipv4_mapped if isinstance(found, ipaddress.IPv6Address) else None
        checked = address or found
        if not checked.is_global or checked.is_multicast:
            return str(checked)
    return None


@dataclass(frozen=True)
class Page:
    """A fetched response body and what we know about it."""

    url: str  # after redirects
    status: int
    content_type: str
    body: bytes


class Fetcher:
    """A polite, bounded HTTP GET client (use as a context manager)."""

    def __init__(
        self,
        settings: Settings,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        resolver: Resolver = resolve,
    ) -> None:
        self._s = settings
        self._sleep = sleep
        self._clock = clock
        self._resolver = resolver
        self._non_public: dict[str, str | None] = {}  # host -> its first non-public address
        self._last_hit: dict[str, float] = {}
        self._robots: dict[str, RobotFileParser | None] = {}
        self._client = httpx.Client(
            transport=transport,
            timeout=httpx.Timeout(settings.http_timeout_s),
            headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"},
            follow_redirects=True,
            max_redirects=5,
            event_hooks={"request": [self._refuse_non_public]},  # every hop, redirects too
        )

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def get(self, url: str) -> Page:
        """Fetch ``url``; raises :class:`FetchError` (or its transient subclass) on failure."""
        try:
            parts = urlsplit(url)
            hostname = parts.hostname
        except ValueError as exc:  # e.g. an unclosed "[" of an IPv6 address
            raise FetchError(f"{url}: invalid URL ({exc})") from exc
        if parts.scheme not in {"http", "https"} or not hostname:
            raise FetchError(f"{url}: only http(s) URLs can be fetched")
        try:
            if self._s.respect_robots and not self._allowed(url):
                raise FetchError(f"{url}: disallowed by the site's robots.txt for {USER_AGENT}")
            return self._get_with_retries(url)
        except (FetchError, TooLarge) as exc:
            shown = without_credentials(url)
            if shown == url:
                raise
            raise type(exc)(str(exc).replace(url, shown)) from None  # no password in messages

    # --- internals --------------------------------------------------------------------------
    def _get_with_retries(self, url: str) -> Page:
        delay = self._s.http_backoff_s
        attempts = self._s.http_retries + 1
        last: TransientFetchError | None = None
        for attempt in range(1, attempts + 1):
            try:
                return self._get_once(url)
            except TransientFetchError as exc:
                last = exc
                if attempt == attempts:
                    break
                wait = max(delay, exc.retry_after)
                self._sleep(min(wait, _MAX_RETRY_AFTER_S))
                delay *= 2
        raise TransientFetchError(f"{last} (gave up after {attempts} attempts)")

    def _get_once(self, url: str) -> Page:
        self._wait_for_host(url)
        try:
            with self._client.stream("GET", url) as response:
                self._check_status(url, response)
                body = self._read_capped(url, response)
                return Page(
                    url=str(response.url.copy_with(username=None, password=None)),
                    status=response.status_code,
                    content_type=response.headers.get("content-type", ""),
                    body=body,
                )
        except httpx.TimeoutException as exc:
            raise TransientFetchError(f"{url}: timed out ({type(exc).__name__})") from exc
        except httpx.TooManyRedirects as exc:
            raise FetchError(f"{url}: too many redirects") from exc
        except httpx.UnsupportedProtocol as exc:  # redirected to ftp:, file:...: no retry helps
            raise FetchError(f"{url}: redirected to a URL that is not http(s) ({exc})") from exc
        except httpx.TransportError as exc:
            raise TransientFetchError(f"{url}: connection failed ({exc})") from exc
        except httpx.InvalidURL as exc:
            raise FetchError(f"{url}: invalid URL ({exc})") from exc
        except httpx.DecodingError as exc:  # e.g. a body that claims gzip but is not
            raise FetchError(f"{url}: response body could not be decoded ({exc})") from exc

    def _refuse_non_public(self, request: httpx.Request) -> None:
        if self._s.allow_private_hosts:
            return
        host = request.url.host
        if host not in self._non_public:  # one look-up per host, not one per page
            self._non_public[host] = non_public(host, self._resolver)
        found = self._non_public[host]
        if found is not None:
            shown = without_credentials(str(request.url))
            raise FetchError(
                f"{shown}: {request.url.host} is a non-public address ({found}); "
                "set allow_private_hosts to fetch from it"
            )

    def _check_status(self, url: str, response: httpx.Response) -> None:
        code = response.status_code
        if code < 400:
            return
        reason = f"{url}: HTTP {code} {response.reason_phrase}".rstrip()
        if code == 429 or code >= 500:
            raise TransientFetchError(reason, _retry_after(response.headers.get("retry-after")))
        raise FetchError(reason)

    def _read_capped(self, url: str, response: httpx.Response) -> bytes:
        cap = self._s.http_max_bytes
        declared = response.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > cap:
            raise TooLarge(
                f"{url}: response is {mib(int(declared))}, above the cap http_max_bytes={cap}"
            )
        chunks: list[bytes] = []
        total = 0
        deadline = self._clock() + self._s.http_deadline_s
        for chunk in response.iter_bytes():
            total += len(chunk)
            if total > cap:
                raise TooLarge(f"{url}: response exceeds the cap http_max_bytes={cap}")
            if self._clock() > deadline:  # a trickle: asking again would only trickle again
                raise FetchError(
                    f"{url}: response still arriving after http_deadline_s="
                    f"{self._s.http_deadline_s:g} ({mib(total)} read)"
                )
            chunks.append(chunk)
        return b"".join(chunks)

    def _wait_for_host(self, url: str) -> None:
        host = urlsplit(url).hostname or ""
        last = self._last_hit.get(host)
        if last is not None:
            remaining = self._s.host_delay_s - (self._clock() - last)
            if remaining > 0:
                self._sleep(remaining)
        self._last_hit[host] = self._clock()

    def _allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._robots:
            self._robots[origin] = self._load_robots(origin)
        parser = self._robots[origin]
        return parser is None or parser.can_fetch(USER_AGENT, url)

    def _load_robots(self, origin: str) -> RobotFileParser | None:
        """The site's robots.txt; ``None`` (allow all) when it is missing or unreachable."""
        try:
            page = self._get_once(f"{origin}/robots.txt")
        except (FetchError, TooLarge):
            return None
        parser = RobotFileParser()
        parser.parse(page.body.decode("utf-8", errors="replace").splitlines())
        return parser


def _retry_after(value: str | None) -> float:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return 0.0
    if value.strip().isdigit():
        return float(value.strip())
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return 0.0
    return max(0.0, when.timestamp() - time.time())
