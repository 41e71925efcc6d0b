"""RSS and Atom feeds (feedparser), following an entry's link when it carries only a teaser."""

from __future__ import annotations

import io
import xml.sax
from collections.abc import Iterator
from datetime import UTC, datetime
from importlib.metadata import version
from typing import Any

import feedparser

from newsprism.config import Settings
from newsprism.errors import FetchError, ItemError, NotAFeed, TooLarge
from newsprism.ingest.dates import plausible
from newsprism.ingest.fetch import Fetcher
from newsprism.ingest.html import parse_html
from newsprism.ingest.normalize import clean_text, html_fragment_to_text
from newsprism.models import ArticleDraft, DatePrecision, Provenance, SourceKind

FEED_METHOD = f"feedparser-{version('feedparser')}"


def parse_feed(
    data: bytes, source_ref: str, settings: Settings, fetcher: Fetcher | None
) -> Iterator[ArticleDraft | ItemError]:
    """Yield one draft per entry, or the error that made an entry unusable."""
    # A stream, not bytes: feedparser.parse() opens bytes that name an existing file and parses
    # that file instead, so a fetched body of b"/some/local/path" would read a local file.
    parsed = feedparser.parse(io.BytesIO(data), sanitize_html=True, resolve_relative_uris=True)
    version_found = parsed.get("version") or ""
    problem = parsed.get("bozo_exception")
    broken = isinstance(problem, xml.sax.SAXException)  # e.g. a feed cut off before its items
    if not parsed.entries and (not version_found or broken):
        detail = f" ({type(problem).__name__}: {problem})" if problem else ""
        raise NotAFeed(f"{source_ref}: not an RSS or Atom feed{detail}")
    outlet = clean_text(parsed.feed.get("title", "")) or None
    for number, entry in enumerate(parsed.entries, start=1):
        where = f"{source_ref} entry {number}"
        try:
            yield _entry_draft(entry, where, outlet, settings, fetcher)
        except ItemError as exc:
            yield exc


def _entry_draft(
    entry: Any, where: str, outlet: str | None, settings: Settings, fetcher: Fetcher | None
) -> ArticleDraft:
    link = entry.get("link") or None
    title = clean_text(html_fragment_to_text(entry.get("title", ""))) or None
    content = ""
    if entry.get("content"):
        content = " ".join(part.get("value", "") for part in entry.content)
    content = content or entry.get("summary", "")
    text = clean_text(html_fragment_to_text(content))
    published, precision = _entry_time(entry)
    extra: dict[str, Any] = {}
    if entry.get("id"):
        extra["guid"] = entry.id
    teaser = len(text.split()) < settings.teaser_max_words
    if teaser and link and settings.follow_feed_links:
        if fetcher is None:
            raise FetchError(f"{where}: only a teaser, and no network client to follow {link}")
        try:
            page = fetcher.get(link)
        except (FetchError, TooLarge) as exc:
            raise FetchError(f"{where}: only a teaser; following its link failed: {exc}") from exc
        draft = parse_html(page.body, f"{where} -> {page.url}", url=page.url, kind=SourceKind.FEED)
        provenance = dict(draft.provenance)
        if outlet and not draft.outlet_name:
            provenance["outlet"] = Provenance("feed-title", 0.6)
        if published and not draft.published:
            provenance["published"] = Provenance("feed-entry", 0.95)
        return ArticleDraft(
            **{
                **draft.__dict__,
                "title": draft.title or title,
                "outlet_name": draft.outlet_name or outlet,
                "author": draft.author or entry.get("author"),
                "published": draft.published or published,
                "published_precision": draft.published_precision or precision,
                "url": link,
                "extraction_method": f"{FEED_METHOD}+{draft.extraction_method}",
                "extra": {**draft.extra, **extra},
                "provenance": provenance,
            }
        )
    if not text and not title:
        raise ItemError(f"{where}: entry has neither title nor text")
    provenance = {"published": Provenance("feed-entry", 0.95)} if published else {}
    if outlet:
        provenance["outlet"] = Provenance("feed-title", 0.6)
    if teaser:
        extra["teaser_only"] = True
    return ArticleDraft(
        body=text,
        title=title,
        url=link,
        outlet_name=outlet,
        author=entry.get("author") or None,
        published=published,
        published_precision=precision,
        language=entry.get("language") or None,
        source_kind=SourceKind.FEED,
        source_ref=where,
        extraction_method=FEED_METHOD,
        extra=extra,
        provenance=provenance,
    )


def _entry_time(entry: Any) -> tuple[datetime | None, DatePrecision | None]:
    """The entry's first readable and plausible time (the same range as every other input:
    from 1900 to a day from now); none: undated."""
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        # the dict's own look-up: feedparser's get() maps a missing "updated_parsed" to
        # "published_parsed" with a DeprecationWarning
        value = dict.get(entry, key)
        if value:
            try:
                year, month, day, hour, minute, second = value[:6]
                stamp = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
            except (TypeError, ValueError):
                continue
            if plausible(stamp):
                return stamp, DatePrecision.DATETIME
    return None, None
