"""The domain models shared by the store, the pipeline stages, the CLI and the web app."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class SourceKind(StrEnum):
    """Where an article came from."""

    TEXT = "text"
    MARKDOWN = "markdown"
    HTML = "html"
    URL = "url"
    FEED = "feed"
    JSONL = "jsonl"


class Side(StrEnum):
    """Where a source stands on the political spectrum, folded to the three sides we compare."""

    LEFT = "left"
    CENTER = "center"
    RIGHT = "right"
    UNRATED = "unrated"  # no rating and no estimate we trust


class DatePrecision(StrEnum):
    """How much of a publication time is known."""

    DATETIME = "datetime"
    DAY = "day"


@dataclass(frozen=True)
class Provenance:
    """How one metadata field was obtained and how sure we are of it (0..1)."""

    method: str
    confidence: float
    evidence: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"method": self.method, "confidence": round(self.confidence, 3)}
        if self.evidence:
            out["evidence"] = self.evidence
        return out


@dataclass(frozen=True)
class ArticleDraft:
    """An article as an extractor read it, before it gets an identity in the store.

    ``provenance`` says, per field (``title``, ``published``, ``author``, ``outlet``...), how
    the value was found when it was inferred rather than given.
    """

    body: str
    source_kind: SourceKind
    source_ref: str
    extraction_method: str
    caller_id: str | None = None
    title: str | None = None
    url: str | None = None
    outlet_name: str | None = None
    outlet_domain: str | None = None
    author: str | None = None
    published: datetime | None = None
    published_precision: DatePrecision | None = None
    language: str | None = None
    story_key: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    provenance: dict[str, Provenance] = field(default_factory=dict)


@dataclass(frozen=True)
class Article:
    """An article as stored: a draft plus identity, hashes and duplicate links."""

    id: str
    body: str
    content_hash: str
    source_kind: SourceKind
    source_ref: str
    extraction_method: str
    ingested_at: datetime
    title: str | None = None
    url: str | None = None
    outlet_name: str | None = None
    outlet_domain: str | None = None
    author: str | None = None
    published: datetime | None = None
    published_precision: DatePrecision | None = None
    language: str | None = None
    language_confidence: float | None = None
    story_key: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    provenance: dict[str, Provenance] = field(default_factory=dict)
    duplicate_of: str | None = None
    duplicate_similarity: float | None = None
    duplicate_method: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The article as JSON-ready data (the export and API format)."""
        return {
            "id": self.id,
            "title": self.title,
            "outlet": self.outlet_name,
            "outlet_domain": self.outlet_domain,
            "url": self.url,
            "author": self.author,
            "published": self.published.isoformat() if self.published else None,
            "published_precision": self.published_precision.value
            if self.published_precision
            else None,
            "language": self.language,
            "language_confidence": self.language_confidence,
            "text": self.body,
            "content_hash": self.content_hash,
            "ingested_at": self.ingested_at.isoformat(),
            "source_kind": self.source_kind.value,
            "source_ref": self.source_ref,
            "extraction_method": self.extraction_method,
            "story": self.story_key,
            "duplicate_of": self.duplicate_of,
            "duplicate_similarity": self.duplicate_similarity,
            "duplicate_method": self.duplicate_method,
            "inferred": {k: v.to_dict() for k, v in sorted(self.provenance.items())},
            "extra": self.extra,
        }


@dataclass(frozen=True)
class ItemWarning:
    """Something was dropped from an item, but the item itself was kept."""

    message: str


class Outcome(StrEnum):
    """What happened to one input item."""

    ADDED = "added"
    REPRINT = "reprint"  # stored, and linked to the article it copies
    DUPLICATE = "duplicate"  # already stored: nothing changed
    SKIPPED = "skipped"  # bad item: reported, nothing stored


@dataclass(frozen=True)
class ItemResult:
    """The outcome for one item, with the reason when it was not simply added."""

    source: str
    outcome: Outcome
    article_id: str | None = None
    reason: str | None = None


@dataclass
class IngestReport:
    """Everything an ingest run did, for the closing summary and for tests."""

    results: list[ItemResult] = field(default_factory=list)
    unknown_fields: Counter[str] = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def add(self, result: ItemResult) -> None:
        self.results.append(result)

    def count(self, outcome: Outcome) -> int:
        return sum(1 for r in self.results if r.outcome is outcome)

    @property
    def skipped(self) -> list[ItemResult]:
        return [r for r in self.results if r.outcome is Outcome.SKIPPED]

    def summary(self) -> dict[str, int]:
        return {o.value: self.count(o) for o in Outcome}


@dataclass(frozen=True)
class ArchiveStats:
    """Counts over the whole store."""

    articles: int
    originals: int
    reprints: int
    outlets: int
    by_source_kind: dict[str, int]
    by_language: dict[str, int]
    with_date: int
    first_published: datetime | None
    last_published: datetime | None
    ingest_runs: int
    schema_version: int


@dataclass(frozen=True)
class StoryArticle:
    """An article inside a story, with the reprints folded under it."""

    article: Article
    score: float | None
    assigned_by: str
    reprints: tuple[Article, ...] = ()


@dataclass(frozen=True)
class Story:
    """One real-world event, covered by one or more articles."""

    id: int
    title: str | None
    title_method: str | None
    first_seen: str | None
    last_seen: str | None
    n_articles: int
    thread_id: int | None
    pinned_key: str | None
    top_entities: tuple[str, ...]
    method: str
    articles: tuple[StoryArticle, ...] = ()

    @property
    def n_originals(self) -> int:
        return len(self.articles) if self.articles else self.n_articles

    def to_dict(self, with_articles: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "title": self.title,
            "title_method": self.title_method,
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
            "n_articles": self.n_articles,
            "thread_id": self.thread_id,
            "pinned_key": self.pinned_key,
            "top_entities": list(self.top_entities),
            "method": self.method,
        }
        if with_articles:
            out["n_originals"] = len(self.articles)
            out["articles"] = [
                {
                    "id": sa.article.id,
                    "title": sa.article.title,
                    "outlet": sa.article.outlet_name,
                    "url": sa.article.url,
                    "published": sa.article.published.isoformat() if sa.article.published else None,
                    "score": sa.score,
                    "assigned_by": sa.assigned_by,
                    "reprints": [
                        {"id": r.id, "title": r.title, "outlet": r.outlet_name, "url": r.url}
                        for r in sa.reprints
                    ],
                }
                for sa in self.articles
            ]
        return out


@dataclass(frozen=True)
class Thread:
    """Stories about one ongoing topic, on a time line."""

    id: int
    title: str | None
    stories: tuple[Story, ...]
