"""Threads: stories about one ongoing topic but different events, linked over time.

A story joins the thread of an earlier or later story when their centroids are close
(cosine >= ``MIN_COSINE``) and they share at least ``MIN_SHARED_ENTITIES`` of their top
entities, within ``WINDOW_DAYS`` of each other. Threads that meet are merged (the older id
stays).
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date, timedelta

import numpy as np

from newsprism.store.sqlite import SQLiteStore
from newsprism.stories.represent import unpack_dense

METHOD = "centroid-entities.v1"
MIN_COSINE = 0.55
MIN_SHARED_ENTITIES = 2
WINDOW_DAYS = 180


class ThreadLinker:
    def __init__(self, store: SQLiteStore) -> None:
        self._store = store

    def link(self, story_ids: list[int]) -> int:
        """Link each given story into a thread where it belongs; returns links made."""
        linked = 0
        for sid in story_ids:
            row = self._store.story_row(sid)
            if row is None or row["merged_into"] is not None or row["centroid"] is None:
                continue
            for other in self._neighbours(row):
                if self._join(sid, row["thread_id"], other):
                    linked += 1
                    row = self._store.story_row(sid)
                    assert row is not None
        if linked:
            self._store.refresh_thread_titles()
        return linked

    def _neighbours(self, r: sqlite3.Row) -> list[int]:
        store = self._store
        first, last = r["first_seen"], r["last_seen"]
        lo = hi = None
        if first and last:
            lo = (date.fromisoformat(first) - timedelta(days=WINDOW_DAYS)).isoformat()
            hi = (date.fromisoformat(last) + timedelta(days=WINDOW_DAYS)).isoformat()
        candidates = store.stories_in_range(lo, hi, exclude=r["id"])
        mine = unpack_dense(r["centroid"])
        mine_ents = set(json.loads(r["top_entities"] or "[]"))
        out = []
        for cand in candidates:
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

    def _join(self, sid: int, my_thread: int | None, other: int) -> bool:
        store = self._store
        other_row = store.story_row(other)
        assert other_row is not None
        theirs = other_row["thread_id"]
        if my_thread is not None and my_thread == theirs:
            return False
        if my_thread is None and theirs is None:
            thread = store.new_thread(METHOD)
            store.set_thread(sid, thread, None)
            store.set_thread(other, thread, None)
        elif my_thread is None:
            store.set_thread(sid, theirs, None)
        elif theirs is None:
            store.set_thread(other, my_thread, None)
        else:
            keep, gone = sorted((my_thread, theirs))
            store.move_thread(gone, keep)
        return True
