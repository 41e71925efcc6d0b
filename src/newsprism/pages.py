"""Read-side composition of the pages the web app and the static export show.

Each function builds one page's typed data from the store; the service exposes them and the web
layer renders them (HTML) or serialises them (the JSON twin) without further queries.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime

from pydantic import computed_field

from newsprism import page_parts
from newsprism.errors import InvalidQuery
from newsprism.lean.coverage import Coverage
from newsprism.lean.framing import Framing
from newsprism.models import (
    SearchGroup,
    SearchHit,
    SearchResults,
    Side,
    Story,
    StoryQuery,
    Thread,
)
from newsprism.page_parts import EntitiesData, FactTableData, TimelineData
from newsprism.store.search import MATCH_END, MATCH_START
from newsprism.store.sqlite import SQLiteStore
from newsprism.stories.views import get_story, story_from_row
from newsprism.synthesis.stage import Synthesis

SEARCH_METHOD = "newsprism.search-fts5-bm25.v1"
MAX_PER_PAGE = 100
MAX_QUERY_CHARS = 200
_MAX_TERMS = 12
_TERM = re.compile(r"\w+", re.UNICODE)

CoverageOf = Callable[[int], Coverage | None]
FramingOf = Callable[[int], Framing | None]
SynthesisOf = Callable[[int], Synthesis | None]
# (side, blindspots only, since, until) -> ids of the stories that pass, latest first
MatchingIds = Callable[[Side | None, bool, str | None, str | None], list[int]]


@dataclass(frozen=True)
class StoryListPage:
    """One page of the story list, with each listed story's coverage by side. Side and
    blindspot filters look at every story of the archive in the date range."""

    query: StoryQuery
    stories: tuple[Story, ...]
    total: int
    coverage: dict[int, Coverage] = field(default_factory=dict)

    @computed_field  # type: ignore[prop-decorator]  # in the JSON twin, for paging through
    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.query.per_page))


@dataclass(frozen=True)
class StoryPage:
    """Everything the story page shows; a section whose stage has nothing is ``None``.

    The synthesis's parts (fact table, people and places, timeline) are lifted out of
    ``synthesis.parts`` into typed fields, in the format of each part's ``to_dict()``."""

    story: Story
    thread: Thread | None
    coverage: Coverage | None = None
    framing: Framing | None = None
    synthesis: Synthesis | None = None
    facts: FactTableData | None = None
    entities: EntitiesData | None = None
    timeline: TimelineData | None = None


def story_list(
    store: SQLiteStore,
    query: StoryQuery,
    coverage_of: CoverageOf | None = None,
    matching: MatchingIds | None = None,
) -> StoryListPage:
    """One page of the latest stories under the query's filters; the side and blindspot
    filters need ``matching`` (the ids of every story that passes them, latest first)."""
    if query.page < 1:
        raise InvalidQuery(f"page {query.page} is not valid; pages start at 1")
    if not 1 <= query.per_page <= MAX_PER_PAGE:
        raise InvalidQuery(f"per_page {query.per_page} is not valid; use 1 to {MAX_PER_PAGE}")
    if query.since and query.until and query.since > query.until:
        raise InvalidQuery(f"since {query.since} is after until {query.until}")
    since = query.since.isoformat() if query.since else None
    until = query.until.isoformat() if query.until else None
    start = (query.page - 1) * query.per_page
    if (query.side or query.blindspots_only) and coverage_of is not None and matching is not None:
        return _filtered(store, query, coverage_of, matching, since, until)
    if query.side or query.blindspots_only:
        raise InvalidQuery("side and blindspot filters need outlet ratings, which are not loaded")
    rows, total = store.story_rows_page(start, query.per_page, since, until)
    stories = tuple(story_from_row(r) for r in rows)
    return StoryListPage(query, stories, total, _coverage(stories, coverage_of))


def _filtered(
    store: SQLiteStore, query: StoryQuery, coverage_of: CoverageOf, matching: MatchingIds,
    since: str | None, until: str | None,
) -> StoryListPage:  # fmt: skip
    ids = matching(query.side, query.blindspots_only, since, until)
    start = (query.page - 1) * query.per_page
    shown = ids[start : start + query.per_page]
    rows, _ = store.story_rows_page(0, len(shown) or 1, only_ids=shown)
    stories = tuple(story_from_row(r) for r in rows)
    return StoryListPage(query, stories, len(ids), _coverage(stories, coverage_of))


def _coverage(stories: tuple[Story, ...], coverage_of: CoverageOf | None) -> dict[int, Coverage]:
    if coverage_of is None:
        return {}
    found = {s.id: coverage_of(s.id) for s in stories}
    return {k: v for k, v in found.items() if v is not None}


def story_page(
    store: SQLiteStore,
    story_id: int,
    coverage_of: CoverageOf | None = None,
    framing_of: FramingOf | None = None,
    synthesis_of: SynthesisOf | None = None,
) -> StoryPage | None:
    story = get_story(store, story_id)
    if story is None:
        return None
    found = thread(store, story.thread_id) if story.thread_id is not None else None
    synthesis = synthesis_of(story.id) if synthesis_of else None
    parts = synthesis.parts if synthesis is not None else {}
    return StoryPage(
        story=story,
        thread=found,
        coverage=coverage_of(story.id) if coverage_of else None,
        framing=framing_of(story.id) if framing_of else None,
        synthesis=replace(synthesis, parts={}) if synthesis is not None else None,
        facts=page_parts.facts(parts),
        entities=page_parts.entities(parts),
        timeline=page_parts.timeline(parts),
    )


def thread(store: SQLiteStore, thread_id: int) -> Thread | None:
    """A thread with its live stories, oldest first."""
    row = store.thread_row(thread_id)
    if row is None:
        return None
    stories = tuple(story_from_row(r) for r in store.thread_story_rows(thread_id))
    return Thread(int(row["id"]), row["title"], stories)


def fts_query(text: str) -> str | None:
    """The words of a user's query as an FTS5 query (every word must match); None if none.

    Operators and quotes are not passed through: each word is quoted, so no input can make
    a malformed FTS5 expression."""
    if len(text) > MAX_QUERY_CHARS:
        raise InvalidQuery(
            f"search query is {len(text)} characters long; the limit is {MAX_QUERY_CHARS}"
        )
    terms = _TERM.findall(text)[:_MAX_TERMS]
    return " ".join(f'"{t}"' for t in terms) or None


def search(store: SQLiteStore, text: str, limit: int = 200) -> SearchResults:
    """Articles and stories matching every word of ``text``, grouped by story."""
    match = fts_query(text)
    if match is None:
        return SearchResults(text, SEARCH_METHOD, (), 0)
    rows = store.search_articles(match, limit)
    order: dict[int | None, list[SearchHit]] = {}
    for matched in store.search_story_ids(match, 20):
        order.setdefault(matched, [])
    for row in rows:
        order.setdefault(row["story_id"], []).append(_hit(row))
    stories = store.story_rows_by_id([sid for sid in order if sid is not None])
    groups = []
    for story_id, hits in order.items():
        story: Story | None = None
        if story_id is not None:
            if story_id not in stories:
                continue
            story = story_from_row(stories[story_id])
        groups.append(SearchGroup(story, tuple(hits)))
    return SearchResults(text, SEARCH_METHOD, tuple(groups), store.count_article_matches(match))


def _hit(row: sqlite3.Row) -> SearchHit:
    published = row["published"]
    return SearchHit(
        article_id=row["id"],
        title=row["title"],
        outlet=row["outlet_name"],
        url=row["url"],
        published=datetime.fromisoformat(published) if published else None,
        snippet=_pieces(row["snippet"] or ""),
    )


def _pieces(snippet: str) -> tuple[tuple[str, bool], ...]:
    out: list[tuple[str, bool]] = []
    for i, part in enumerate(re.split(f"[{MATCH_START}{MATCH_END}]", snippet)):
        if part:
            out.append((part, i % 2 == 1))
    return tuple(out)
