"""Read-side: stories and threads as domain models, built from the store."""

from __future__ import annotations

import json
import sqlite3

from newsprism.models import Article, Story, StoryArticle, Thread
from newsprism.store.sqlite import SQLiteStore


def _story(row: sqlite3.Row, articles: tuple[StoryArticle, ...] = ()) -> Story:
    return Story(
        id=row["id"],
        title=row["title"],
        title_method=row["title_method"],
        first_seen=row["first_seen"],
        last_seen=row["last_seen"],
        n_articles=row["n_articles"],
        thread_id=row["thread_id"],
        pinned_key=row["pinned_key"],
        top_entities=tuple(json.loads(row["top_entities"] or "[]")),
        method=row["method"],
        articles=articles,
    )


def list_stories(store: SQLiteStore, limit: int | None = None) -> list[Story]:
    rows = store.story_rows()
    return [_story(r) for r in (rows[:limit] if limit else rows)]


def get_story(store: SQLiteStore, story_id: int) -> Story | None:
    row = store.story_row(story_id)
    while row is not None and row["merged_into"] is not None:
        row = store.story_row(row["merged_into"])  # a merged id still resolves
    if row is None:
        return None
    members = store.story_members(row["id"])
    by_id = {a.id: a for a in store.get_articles(aid for aid, _, _ in members)}
    reprints: dict[str, list[Article]] = {}
    originals: list[tuple[Article, float | None, str]] = []
    for aid, score, by in members:
        article = by_id[aid]
        if article.duplicate_of and article.duplicate_of in by_id:
            reprints.setdefault(article.duplicate_of, []).append(article)
        else:
            originals.append((article, score, by))
    folded = tuple(
        StoryArticle(a, score, by, tuple(reprints.get(a.id, ()))) for a, score, by in originals
    )
    return _story(row, folded)


def list_threads(store: SQLiteStore) -> list[Thread]:
    stories = list_stories(store)
    out = []
    for row in store.thread_rows():
        members = sorted(
            (s for s in stories if s.thread_id == row["id"]),
            key=lambda s: (s.first_seen or "", s.id),
        )
        out.append(Thread(row["id"], row["title"], tuple(members)))
    return out


def story_from_row(row: sqlite3.Row) -> Story:
    """A story without its articles, from a ``stories`` row joined with its thread id."""
    return _story(row)
