"""HTML pages (saved to disk or fetched): text and metadata with trafilatura and htmldate."""

from __future__ import annotations

from datetime import UTC, datetime
from importlib.metadata import version

import trafilatura
from htmldate import find_date
from trafilatura.settings import Document

from newsprism.errors import NoArticleText
from newsprism.ingest.dates import find_dates, parse_date
from newsprism.ingest.normalize import clean_text
from newsprism.models import ArticleDraft, DatePrecision, Provenance, SourceKind

# Fewer words than this after extraction is menus and footers, not an article.
MIN_WORDS = 25
EXTRACTION_METHOD = f"trafilatura-{version('trafilatura')}+htmldate-{version('htmldate')}"


def parse_html(
    page: str | bytes,
    source_ref: str,
    url: str | None = None,
    kind: SourceKind = SourceKind.HTML,
    now: datetime | None = None,
) -> ArticleDraft:
    """Extract the main text, title, author, site name, URL and date of an HTML page."""
    try:
        doc = trafilatura.bare_extraction(
            page, url=url, with_metadata=True, include_comments=False, favor_precision=True
        )
    except (ValueError, TypeError) as exc:
        raise NoArticleText(f"{source_ref}: HTML could not be parsed ({exc})") from exc
    if doc is not None and not isinstance(doc, Document):
        raise NoArticleText(f"{source_ref}: unexpected extraction result {type(doc).__name__}")
    text = clean_text(doc.text or "") if doc is not None else ""
    if doc is None or len(text.split()) < MIN_WORDS:
        found = f" (only {len(text.split())} words of page furniture)" if text else ""
        raise NoArticleText(f"{source_ref}: no article text found in the HTML page{found}")
    title = (doc.title or "").strip() or None
    if title and text.startswith(title):
        text = text[len(title) :].strip()
    provenance: dict[str, Provenance] = {}
    published, precision = _page_date(page, doc.date, now)
    if published is not None:
        provenance["published"] = Provenance("htmldate", 0.8)
    if doc.sitename:
        provenance["outlet"] = Provenance("html-metadata", 0.85)
    if title:
        provenance["title"] = Provenance("html-metadata", 0.9)
    if doc.author:
        provenance["author"] = Provenance("html-metadata", 0.8)
    return ArticleDraft(
        body=text,
        title=title,
        url=doc.url or url,
        outlet_name=(doc.sitename or "").strip() or None,
        author=(doc.author or "").strip() or None,
        published=published,
        published_precision=precision,
        language=doc.language,
        source_kind=kind,
        source_ref=source_ref,
        extraction_method=EXTRACTION_METHOD,
        extra={"description": doc.description} if doc.description else {},
        provenance=provenance,
    )


def _page_date(
    page: str | bytes, fallback: str | None, now: datetime | None
) -> tuple[datetime | None, DatePrecision | None]:
    """The original publication date, with the time when the page states one."""
    try:
        found = find_date(
            page,
            outputformat="%Y-%m-%dT%H:%M:%S%z",
            original_date=True,
            max_date=(now or datetime.now(UTC)).strftime("%Y-%m-%d"),
        )
    except (ValueError, TypeError):
        found = None
    found = found or fallback
    if not found:
        return None, None
    if found.endswith("T00:00:00"):
        found = found[:10]
    parsed = parse_date(found, now)
    if parsed is None or (parsed[0].day == 1 and not _states_day(page, parsed[0])):
        return None, None
    return parsed[0], parsed[1]


def _states_day(page: str | bytes, day: datetime) -> bool:
    """Whether the page states the 1st of a month that htmldate found. htmldate turns an
    impossible date into the 1st ("2025-02-30" -> 1 February, "2025-13-45" -> 1 January, from
    the year alone): a made-up day is worse than none, as it places the article in time."""
    text = page.decode("utf-8", "replace") if isinstance(page, bytes) else page
    y, m = day.year, day.month
    if f"{y}/{m:02d}/01" in text or f"{y}{m:02d}01" in text:  # URL paths, compact stamps
        return True
    for _, stated in find_dates(text):
        found = parse_date(stated)
        if found is not None and found[0].date() == day.date():
            return True
    return False
