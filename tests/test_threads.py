"""Thread linking: the table-based linker makes exactly the links of the pairwise rule."""

from __future__ import annotations

import json
import random
import sqlite3
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from newsprism.store.sqlite import SQLiteStore
from newsprism.stories.represent import pack_dense, unpack_dense
from newsprism.stories.threads import (
    METHOD,
    MIN_COSINE,
    MIN_SHARED_ENTITIES,
    WINDOW_DAYS,
    ThreadLinker,
)


def _pairwise_link(store: SQLiteStore, story_ids: list[int]) -> int:
    """The rule as first written: one range query per story, one cosine per candidate."""
    linked = 0
    for sid in story_ids:
        row = store.story_row(sid)
        if row is None or row["merged_into"] is not None or row["centroid"] is None:
            continue
        for other in _pairwise_neighbours(store, row):
            if _pairwise_join(store, sid, row["thread_id"], other):
                linked += 1
                row = store.story_row(sid)
                assert row is not None
    if linked:
        store.refresh_thread_titles()
    return linked


def _pairwise_neighbours(store: SQLiteStore, r: sqlite3.Row) -> list[int]:
    first, last = r["first_seen"], r["last_seen"]
    lo = hi = None
    if first and last:
        lo = (date.fromisoformat(first) - timedelta(days=WINDOW_DAYS)).isoformat()
        hi = (date.fromisoformat(last) + timedelta(days=WINDOW_DAYS)).isoformat()
    mine = unpack_dense(r["centroid"])
    mine_ents = set(json.loads(r["top_entities"] or "[]"))
    out = []
    for cand in store.stories_in_range(lo, hi, exclude=r["id"]):
        if cand["centroid"] is None:
            continue
        theirs = unpack_dense(cand["centroid"])
        cos = float(theirs @ mine) / (
            float(np.linalg.norm(mine)) * float(np.linalg.norm(theirs)) + 1e-9
        )
        shared = mine_ents & set(json.loads(cand["top_entities"] or "[]"))
        if cos >= MIN_COSINE and len(shared) >= MIN_SHARED_ENTITIES:
            out.append(int(cand["id"]))
    return out


def _pairwise_join(store: SQLiteStore, sid: int, mine: int | None, other: int) -> bool:
    other_row = store.story_row(other)
    assert other_row is not None
    theirs = other_row["thread_id"]
    if mine is not None and mine == theirs:
        return False
    if mine is None and theirs is None:
        thread = store.new_thread(METHOD)
        store.set_thread(sid, thread, None)
        store.set_thread(other, thread, None)
    elif mine is None:
        store.set_thread(sid, theirs, None)
    elif theirs is None:
        store.set_thread(other, mine, None)
    else:
        keep, gone = sorted((mine, theirs))
        store.move_thread(gone, keep)
    return True


def _archive(path: Path, n: int, seed: int) -> SQLiteStore:
    """``n`` stories around a few topics: shared entities, close centroids, dates spread over
    two years (some undated, some with no centroid), a few merged away."""
    rng = random.Random(seed)
    np_rng = np.random.default_rng(seed)
    topics = np_rng.normal(size=(6, 16))
    names = [f"name{i}" for i in range(20)]
    store = SQLiteStore(path)
    with store.transaction():
        for _ in range(n):
            sid = store.new_story("test")
            topic = rng.randrange(len(topics))
            centroid = topics[topic] + np_rng.normal(scale=rng.choice((0.3, 0.8, 1.5)), size=16)
            day = date(2024, 1, 1) + timedelta(days=rng.randrange(730))
            dated = rng.random() > 0.15
            ents = rng.sample(names[topic * 2 : topic * 2 + 6] + names[12:], rng.randrange(1, 6))
            store.update_story(
                sid,
                f"story {sid}",
                "test",
                day.isoformat() if dated else None,
                (day + timedelta(days=rng.randrange(5))).isoformat() if dated else None,
                rng.randrange(1, 4),
                pack_dense(centroid.astype(np.float32)),
                ents,
            )
            if rng.random() < 0.03:
                store.merge_stories(max(1, sid - 1), sid)
    return store


def _threads(store: SQLiteStore) -> tuple[list[tuple[int, ...]], list[tuple[int, ...]]]:
    conn = sqlite3.connect(store.path)
    try:
        links = conn.execute("SELECT story_id, thread_id FROM story_threads ORDER BY 1").fetchall()
        threads = conn.execute("SELECT id, title FROM threads ORDER BY id").fetchall()
    finally:
        conn.close()
    return links, threads


def test_linker_makes_the_pairwise_rules_links_and_thread_ids(tmp_path: Path) -> None:
    fast = _archive(tmp_path / "fast.db", 240, seed=5)
    slow = _archive(tmp_path / "slow.db", 240, seed=5)
    batches = [list(range(1, 80)), list(range(60, 200)), list(range(150, 245))]
    for batch in batches:  # later batches meet threads made by earlier ones
        with fast.transaction():
            made = ThreadLinker(fast).link(batch)
        with slow.transaction():
            assert made == _pairwise_link(slow, batch)
    links, threads = _threads(fast)
    assert len({t for _, t in links}) > 3  # the fixture does make several threads
    assert (links, threads) == _threads(slow)


def test_linker_skips_missing_and_merged_stories(tmp_path: Path) -> None:
    store = _archive(tmp_path / "a.db", 12, seed=1)
    with store.transaction():
        store.merge_stories(1, 2)
        assert ThreadLinker(store).link([2, 999]) == 0
        assert ThreadLinker(store).link([]) == 0
    assert _threads(store)[0] == []
