"""The domain models shared by the store, the pipeline stages, the CLI and the web app."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
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


@dataclass(frozen=True)
class LeanEvidence:
    """One sentence or phrase of an article and how hard it pushed the estimate to ``side``.

    ``weight`` is its contribution to the model's score for ``side`` over the mean of the three
    sides (a logit; positive). ``kind`` is ``sentence`` or ``phrase``.
    """

    kind: str
    text: str
    side: Side
    weight: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "text": self.text,
            "side": self.side.value,
            "weight": round(self.weight, 4),
        }


@dataclass(frozen=True)
class LeanEstimate:
    """An article's lean estimated from its text alone, with why.

    ``probabilities`` maps left/center/right to probabilities summing to 1; ``side`` is the
    most probable and ``probability`` its probability. ``method`` names the model and its
    version (e.g. ``newsprism.article-lean.v1``).
    """

    side: Side
    probability: float
    probabilities: dict[Side, float]
    method: str
    evidence: tuple[LeanEvidence, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "side": self.side.value,
            "probability": round(self.probability, 4),
            "probabilities": {s.value: round(p, 4) for s, p in self.probabilities.items()},
            "method": self.method,
            "estimated": True,
            "evidence": [e.to_dict() for e in self.evidence],
        }


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


# How a story's undated originals are described wherever the count is shown (CLI, web).
UNDATED_NOTE = "no publication date, grouped on their content alone"


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
    # originals with no publication date that the clusterer placed: grouped on their content
    # alone, which is less certain than a grouping that dates confirm (pinned articles were
    # placed by an editor); None where the articles are not loaded, as in story lists
    n_undated: int | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        if self.articles:
            undated = sum(
                1
                for sa in self.articles
                if sa.article.published is None and sa.assigned_by != "pinned"
            )
            object.__setattr__(self, "n_undated", undated)

    @property
    def n_originals(self) -> int:
        return len(self.articles) if self.articles else self.n_articles

    def entity_labels(self, limit: int = 8) -> list[str]:
        """The story's top entities for display: title-cased, most frequent first, without a
        name whose words all belong to a longer one kept ("ales" beside "ales bialiatski")."""
        keys = list(self.top_entities)
        words = [set(k.split()) for k in keys]
        kept = [
            key
            for i, key in enumerate(keys)
            if not any(
                j != i and len(w) > len(words[i]) and words[i] <= w for j, w in enumerate(words)
            )
        ]
        return [k.title() for k in kept[:limit]]

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
            out["n_undated"] = self.n_undated
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


# --- pages: what the web app and the static export show -------------------------------------
@dataclass(frozen=True)
class StoryQuery:
    """Which stories the story list shows: a page of the latest, optionally filtered.

    ``side`` keeps stories that side covered; ``blindspots_only`` keeps stories one side
    missed; ``since``/``until`` keep stories seen within those days (inclusive).
    """

    page: int = 1
    per_page: int = 20
    side: Side | None = None
    blindspots_only: bool = False
    since: date | None = None
    until: date | None = None


@dataclass(frozen=True)
class SearchHit:
    """An article that matches a search, with the matching passage.

    ``snippet`` is the passage as (text, matched) pieces, so callers mark matches up safely.
    """

    article_id: str
    title: str | None
    outlet: str | None
    url: str | None
    published: datetime | None
    snippet: tuple[tuple[str, bool], ...]


@dataclass(frozen=True)
class SearchGroup:
    """The hits of one story (``story`` is ``None`` for articles not yet built into one)."""

    story: Story | None
    hits: tuple[SearchHit, ...]


@dataclass(frozen=True)
class SearchResults:
    """Full-text search results, grouped by story, best match first."""

    query: str
    method: str
    groups: tuple[SearchGroup, ...]
    total_articles: int


# --- outlet ratings and sides -----------------------------------------------------------------
class Lean(StrEnum):
    """The common seven-point scale every rating source is mapped onto."""

    FAR_LEFT = "far-left"
    LEFT = "left"
    LEAN_LEFT = "lean-left"
    CENTER = "center"
    LEAN_RIGHT = "lean-right"
    RIGHT = "right"
    FAR_RIGHT = "far-right"

    @property
    def score(self) -> float:
        """The point's anchor on [-1, 1]: -1, -2/3, -1/3, 0, 1/3, 2/3, 1."""
        return (list(Lean).index(self) - 3) / 3

    @property
    def side(self) -> Side:
        if self is Lean.CENTER:
            return Side.CENTER
        return Side.LEFT if self.score < 0 else Side.RIGHT

    @classmethod
    def from_score(cls, score: float) -> Lean:
        """The nearest of the seven points (center is |score| < 1/6)."""
        steps = min(3, int(abs(score) * 3 + 0.5))  # halves round away from center
        return list(cls)[3 + (steps if score > 0 else -steps)]


@dataclass(frozen=True)
class RatingSource:
    """Who rated outlets, on which scale, under which terms."""

    name: str
    scale: str
    origin: str  # "bundled" (the starter table) or "user" (imported)
    citation: str | None = None
    licence: str | None = None
    url: str | None = None
    rated_on: str | None = None
    table_version: str | None = None
    enabled: bool = True
    n_ratings: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Rating:
    """One source's rating of one outlet: the value as given and its place on the common scale."""

    source: str
    scale: str
    value: str
    lean: Lean
    score: float
    rated_on: str | None = None
    note: str | None = None
    enabled: bool = True

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["lean"] = self.lean.value
        out["score"] = round(self.score, 4)
        return out


@dataclass(frozen=True)
class OutletLean:
    """The aggregate of an outlet's enabled ratings, with their spread kept in view.

    ``disagree`` is true when the ratings fall on more than one side (left / center / right):
    the aggregate is then shown beside the spread, never in place of it.
    """

    lean: Lean
    score: float
    side: Side
    n_ratings: int
    spread: float  # highest minus lowest score
    lowest: float
    highest: float
    sides: dict[str, int]  # ratings per side
    disagree: bool
    method: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "lean": self.lean.value,
            "score": round(self.score, 4),
            "side": self.side.value,
            "n_ratings": self.n_ratings,
            "spread": round(self.spread, 4),
            "lowest": round(self.lowest, 4),
            "highest": round(self.highest, 4),
            "sides": dict(self.sides),
            "disagree": self.disagree,
            "method": self.method,
        }


@dataclass(frozen=True)
class Outlet:
    """A news outlet: its names, domains and ratings."""

    id: int
    name: str
    domains: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    ratings: tuple[Rating, ...] = ()
    lean: OutletLean | None = None  # None: no enabled rating

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "domains": list(self.domains),
            "aliases": list(self.aliases),
            "lean": self.lean.to_dict() if self.lean else None,
            "ratings": [r.to_dict() for r in self.ratings],
        }


@dataclass(frozen=True)
class TextLean:
    """What an article's text alone suggests: the most probable side and its probability."""

    side: Side
    probability: float | None


@dataclass(frozen=True)
class SideAssignment:
    """Which side one article counts for in a story, and on what basis.

    ``basis`` is ``outlet-rating`` (its outlet's aggregate rating), ``article-estimate`` (the
    text-only estimate, for an article whose outlet nobody rated, sure enough to count;
    ``estimated`` is then true and ``probability`` is the estimate's) or ``none`` (unrated).
    ``text_estimate`` is the text-only estimate (side, probability) whenever one is stored,
    counted or not: an unrated article still shows what its text suggests, and a rated one
    ``departs_from_outlet`` when its text alone puts it on another side with probability at
    least ``lean_departs_probability``.
    """

    article_id: str
    side: Side
    basis: str
    estimated: bool
    probability: float | None
    outlet_id: int | None
    outlet_name: str | None
    outlet_lean: OutletLean | None
    method: str
    text_estimate: TextLean | None = None
    departs_from_outlet: bool = False

    def to_dict(self) -> dict[str, Any]:
        hint = self.text_estimate
        return {
            "article_id": self.article_id,
            "side": self.side.value,
            "basis": self.basis,
            "estimated": self.estimated,
            "probability": None if self.probability is None else round(self.probability, 4),
            "outlet_id": self.outlet_id,
            "outlet_name": self.outlet_name,
            "outlet_lean": self.outlet_lean.to_dict() if self.outlet_lean else None,
            "method": self.method,
            "text_estimate": None if hint is None else {
                "side": hint.side.value,
                "probability": None if hint.probability is None else round(hint.probability, 4),
            },
            "departs_from_outlet": self.departs_from_outlet,
        }  # fmt: skip
