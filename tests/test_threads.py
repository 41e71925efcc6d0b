"""Thread linking: the table-based linker makes exactly the links of the rule written plainly
(pairwise candidates, average-link check), whatever the batches, and no thread chains into a
blob."""

from __future__ import annotations

import itertools
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
    """The rule written plainly: one range query per story, one cosine per candidate, and the
    mean cosine over all pairs of the two threads' stories within the story's window."""
    linked = 0
    for sid in story_ids:
        row = store.story_row(sid)
        if row is None or row["merged_into"] is not None or row["centroid"] is None:
            continue
        for other in _pairwise_neighbours(store, row):
            if _pairwise_join(store, row, other):
                linked += 1
                row = store.story_row(sid)
                assert row is not None
    if linked:
        store.refresh_thread_titles()
    return linked


def _bounds(r: sqlite3.Row) -> tuple[str | None, str | None]:
    first, last = r["first_seen"], r["last_seen"]
    if not (first and last):
        return None, None
    lo = (date.fromisoformat(first) - timedelta(days=WINDOW_DAYS)).isoformat()
    hi = (date.fromisoformat(last) + timedelta(days=WINDOW_DAYS)).isoformat()
    return lo, hi


def _pairwise_neighbours(store: SQLiteStore, r: sqlite3.Row) -> list[int]:
    mine = unpack_dense(r["centroid"])
    mine_ents = set(json.loads(r["top_entities"] or "[]"))
    out = []
    for cand in store.stories_in_range(*_bounds(r), exclude=r["id"]):
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


def _members(store: SQLiteStore, sid: int, window: sqlite3.Row) -> list[np.ndarray]:
    """Unit centroids of ``sid``'s thread's stories (``sid`` alone without one) within the
    window of the story being linked."""
    row = store.story_row(sid)
    assert row is not None
    ids = [sid] if row["thread_id"] is None else [
        int(r["id"]) for r in store.story_rows() if r["thread_id"] == row["thread_id"]
    ]  # fmt: skip
    reach = {int(r["id"]): r for r in store.stories_in_range(*_bounds(window), exclude=-1)}
    out = []
    for i in ids:
        if i in reach and reach[i]["centroid"] is not None:
            v = unpack_dense(reach[i]["centroid"]).astype(np.float64)
            out.append(v / np.linalg.norm(v))
    return out


def _pairwise_join(store: SQLiteStore, row: sqlite3.Row, other: int) -> bool:
    sid, mine = int(row["id"]), row["thread_id"]
    other_row = store.story_row(other)
    assert other_row is not None
    theirs = other_row["thread_id"]
    if mine is not None and mine == theirs:
        return False
    theirs_all = _members(store, other, row)
    pairs = [float(a @ b) for a in _members(store, sid, row) for b in theirs_all]
    if sum(pairs) / len(pairs) < MIN_COSINE:
        return False
    score = round(sum(pairs) / len(pairs), 4)
    if mine is None and theirs is None:
        thread = store.new_thread(METHOD)
        store.set_thread(sid, thread, score)
        store.set_thread(other, thread, score)
    elif mine is None:
        store.set_thread(sid, theirs, score)
    elif theirs is None:
        store.set_thread(other, mine, score)
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


def test_a_chain_of_drifting_stories_does_not_become_one_thread(tmp_path: Path) -> None:
    """Each story is close to the next (cosine 0.71) and all share two names, but the chain
    turns a full circle (the last is 45 degrees from the first again): the pairwise rule alone
    put all of them in one thread."""
    store = SQLiteStore(tmp_path / "chain.db")
    angles = [i * np.pi / 4 for i in range(8)]  # 45 degrees apart
    with store.transaction():
        for i, angle in enumerate(angles):
            sid = store.new_story("test")
            centroid = np.zeros(16, dtype=np.float32)
            centroid[:2] = (np.cos(angle), np.sin(angle))
            day = (date(2025, 1, 1) + timedelta(days=i)).isoformat()
            store.update_story(sid, f"s{sid}", "test", day, day, 1, pack_dense(centroid),
                               ["belarus", "lukashenko"])  # fmt: skip
        made = ThreadLinker(store).link(list(range(1, 9)))
    links, _ = _threads(store)
    thread_of = {int(s): int(t) for s, t in links}
    assert made > 0 and len(set(thread_of.values())) > 1
    for a, b in itertools.combinations(thread_of, 2):
        if thread_of[a] == thread_of[b]:  # same thread: never more than 45 degrees apart
            assert min(abs(a - b), 8 - abs(a - b)) <= 1, (a, b, thread_of)
    with store.transaction():  # linking again changes nothing
        assert ThreadLinker(store).link(list(range(1, 9))) == 0
    assert {int(s): int(t) for s, t in _threads(store)[0]} == thread_of
    scores = sqlite3.connect(store.path).execute("SELECT score FROM story_threads").fetchall()
    assert all(s is not None and s >= MIN_COSINE for (s,) in scores)
