"""Read-side composition of the outlet pages: the outlet list and one outlet's page.

An outlet's page shows its names and domains, its ratings with their sources (citation, scale,
terms, date), the aggregate lean with its spread, the text-only lean estimates of its recent
articles where the article-lean stage stored any, and the stories its articles belong to.
Articles count for an outlet when the registry resolves their (domain, stated name) to it; only
originals count (a reprint is the original outlet's coverage).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import computed_field

from newsprism.errors import InvalidQuery
from newsprism.lean.outlets import Registry
from newsprism.models import Outlet, RatingSource, Side, Story
from newsprism.stories.views import story_from_row

OUTLET_STORIES_PER_PAGE = 20
MAX_OUTLET_PAGE = 100_000
RECENT_ARTICLES = 50  # articles whose lean estimates the chart shows
CHART_METHOD = "newsprism.outlet-article-leans.v1"
_CHART_SIDES = (Side.LEFT, Side.CENTER, Side.RIGHT)

EstimatesOf = Callable[[list[str]], Mapping[str, Any]]


@dataclass(frozen=True)
class ArticleLean:
    """One recent article of the outlet and its text-only lean estimate."""

    article_id: str
    title: str | None
    published: datetime | None
    story_id: int | None
    side: Side
    probability: float
    score: float  # P(right) - P(left), in [-1, 1]
    method: str


@dataclass(frozen=True)
class ArticleLeanChart:
    """How the outlet's ``n_recent`` newest articles read, by their text alone.

    ``counts`` holds the estimated articles per side (left/center/right); ``mean_score`` is the
    mean of P(right) - P(left) over them. Estimates are per article and uncertain: the chart
    sits beside the outlet's ratings, never in place of them."""

    n_recent: int
    n_estimated: int
    counts: dict[str, int]
    shares: dict[str, int]  # whole percentages of n_estimated, per side
    mean_score: float | None
    articles: tuple[ArticleLean, ...]
    methods: tuple[str, ...]
    method: str = CHART_METHOD


@dataclass(frozen=True)
class OutletPage:
    """Everything an outlet's page shows; ``article_lean`` is None where no estimate exists."""

    outlet: Outlet
    sources: tuple[RatingSource, ...]
    n_articles: int
    stories: tuple[Story, ...]
    total_stories: int
    page: int
    per_page: int
    article_lean: ArticleLeanChart | None = None

    @computed_field  # type: ignore[prop-decorator]  # in the JSON twin, for paging through
    @property
    def pages(self) -> int:
        return max(1, -(-self.total_stories // self.per_page))


@dataclass(frozen=True)
class OutletEntry:
    """One row of the outlet list: the outlet and how many of the archive's originals it has."""

    outlet: Outlet
    n_articles: int


@dataclass(frozen=True)
class OutletListPage:
    """The outlets of the archive (and of imported ratings), most articles first."""

    outlets: tuple[OutletEntry, ...]
    sources: tuple[RatingSource, ...]


def _article_ids(registry: Registry) -> dict[int, list[str]]:
    """Outlet id -> ids of the archive's originals that resolve to it."""
    found: dict[int, list[str]] = {}
    for domain, name, _ in registry.store.archive_sources():
        outlet_id = registry.resolve(domain, name)
        if outlet_id is not None:
            found.setdefault(outlet_id, []).extend(registry.store.original_ids_of(domain, name))
    return found


def _article_counts(registry: Registry) -> dict[int, int]:
    counts: dict[int, int] = {}
    for domain, name, n in registry.store.archive_sources():
        outlet_id = registry.resolve(domain, name)
        if outlet_id is not None:
            counts[outlet_id] = counts.get(outlet_id, 0) + n
    return counts


def outlet_list(
    registry: Registry, outlets: Sequence[Outlet], sources: Sequence[RatingSource]
) -> OutletListPage:
    """``outlets`` with their article counts, most articles first, then by name."""
    counts = _article_counts(registry)
    entries = [OutletEntry(o, counts.get(o.id, 0)) for o in outlets]
    entries.sort(key=lambda e: (-e.n_articles, e.outlet.name.lower(), e.outlet.id))
    used = {r.source for o in outlets for r in o.ratings}
    return OutletListPage(tuple(entries), tuple(s for s in sources if s.name in used))


def outlet_page(
    registry: Registry,
    outlet: Outlet,
    sources: Sequence[RatingSource],
    estimates_of: EstimatesOf | None = None,
    page: int = 1,
    per_page: int = OUTLET_STORIES_PER_PAGE,
) -> OutletPage:
    """The page of ``outlet``: its ratings' sources, lean chart and one page of its stories."""
    if not 1 <= page <= MAX_OUTLET_PAGE:
        raise InvalidQuery(f"page {page} is not valid; use 1 to {MAX_OUTLET_PAGE}")
    if not 1 <= per_page <= 100:
        raise InvalidQuery(f"per_page {per_page} is not valid; use 1 to 100")
    ids = _article_ids(registry).get(outlet.id, [])
    store = registry.store
    story_ids = store.story_ids_of_articles(ids) if ids else []
    rows, total = (
        store.story_rows_page((page - 1) * per_page, per_page, only_ids=story_ids)
        if story_ids
        else ([], 0)
    )
    used = {r.source for r in outlet.ratings}
    chart = _chart(registry, ids, estimates_of) if ids and estimates_of is not None else None
    return OutletPage(
        outlet=outlet,
        sources=tuple(s for s in sources if s.name in used),
        n_articles=len(ids),
        stories=tuple(story_from_row(r) for r in rows),
        total_stories=total,
        page=page,
        per_page=per_page,
        article_lean=chart,
    )


def _chart(
    registry: Registry, ids: list[str], estimates_of: EstimatesOf
) -> ArticleLeanChart | None:
    recent = registry.store.recent_article_rows(ids, RECENT_ARTICLES)
    estimates = estimates_of([r["id"] for r in recent])
    if not estimates:
        return None
    points: list[ArticleLean] = []
    for row in recent:
        est = estimates.get(row["id"])
        if est is None:
            continue
        probs = {getattr(k, "value", k): float(v) for k, v in est.probabilities.items()}
        published = row["published"]
        points.append(
            ArticleLean(
                article_id=row["id"],
                title=row["title"],
                published=datetime.fromisoformat(published) if published else None,
                story_id=row["story_id"],
                side=Side(est.side),
                probability=round(float(est.probability), 4),
                score=round(probs.get("right", 0.0) - probs.get("left", 0.0), 4),
                method=str(est.method),
            )
        )
    if not points:
        return None
    counts = {s.value: sum(p.side is s for p in points) for s in _CHART_SIDES}
    n = len(points)
    return ArticleLeanChart(
        n_recent=len(recent),
        n_estimated=n,
        counts=counts,
        shares={k: round(100 * v / n) for k, v in counts.items()},
        mean_score=round(sum(p.score for p in points) / n, 4),
        articles=tuple(points),
        methods=tuple(sorted({p.method for p in points})),
    )
