"""Threads: stories about one ongoing topic but different events, linked over time.

A story is a candidate for the thread of an earlier or later story when their centroids are
close (cosine >= ``MIN_COSINE``) and they share at least ``MIN_SHARED_ENTITIES`` of their top
entities, within ``WINDOW_DAYS`` of each other. It joins that thread, and two threads that meet
are merged (the older id stays), only when the two sides are close **on average**: the mean
cosine over all pairs of their stories within ``WINDOW_DAYS`` of the story is at least
``MIN_COSINE`` too. Two single stories are decided by the pairwise rule alone; a thread
grows only by stories close to the whole of it. With the pairwise rule alone (``v1``) links
chained: on the whole dev file one thread took 1,227 of 2,075 stories.

One :meth:`ThreadLinker.link` call reads the live stories the given ones can reach once, into
a :class:`_Candidates` table (a centroid matrix, day ranges, entity sets, thread ids kept in step
with every join), so each story costs one matrix-vector product instead of a query and a decode
per neighbour. The matrix product only pre-selects: every pair it keeps is checked again with
the exact pairwise cosine, so the candidates are the pairwise rule's, bit for bit; the average
is taken over each thread's stories within the story's own window, so a link does not depend
on which other stories were linked in the same call.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import date

import numpy as np

from newsprism.store.sqlite import SQLiteStore
from newsprism.stories.represent import unpack_dense

METHOD = "centroid-entities.v2"
MIN_COSINE = 0.55
MIN_SHARED_ENTITIES = 2
WINDOW_DAYS = 180
# The float32 matrix product differs from the pairwise cosine by far less than this; pairs within
# the margin are decided by the pairwise cosine itself.
_MARGIN = 1e-3


class ThreadLinker:
    def __init__(self, store: SQLiteStore) -> None:
        self._store = store

    def link(self, story_ids: list[int]) -> int:
        """Link each given story into a thread where it belongs; returns links made."""
        store = self._store
        rows = [r for r in (store.story_row(sid) for sid in story_ids) if r is not None]
        rows = [r for r in rows if r["merged_into"] is None and r["centroid"] is not None]
        if not rows:
            return 0
        table = _Candidates.load(store, [_window(r) for r in rows])
        for r in rows:
            table.thread.setdefault(int(r["id"]), r["thread_id"])
        linked = 0
        for r in rows:
            sid = int(r["id"])
            window = _window(r)
            for other in table.neighbours(sid, unpack_dense(r["centroid"]), _entities(r), window):
                if self._join(sid, other, table, window):
                    linked += 1
        if linked:
            store.refresh_thread_titles()
        return linked

    def _join(
        self, sid: int, other: int, table: _Candidates, window: tuple[int, int] | None
    ) -> bool:
        store = self._store
        thread = table.thread
        mine, theirs = thread[sid], thread[other]
        if mine is not None and mine == theirs:
            return False
        score = table.average_link(sid, other, window)
        if score < MIN_COSINE:
            return False
        score = round(score, 4)
        if mine is None and theirs is None:
            new = store.new_thread(METHOD)
            store.set_thread(sid, new, score)
            store.set_thread(other, new, score)
            thread[sid] = thread[other] = new
            table.joined(new, None, sid)
            table.joined(new, None, other)
        elif theirs is None:
            assert mine is not None
            store.set_thread(other, mine, score)
            thread[other] = mine
            table.joined(mine, None, other)
        elif mine is None:
            store.set_thread(sid, theirs, score)
            thread[sid] = theirs
            table.joined(theirs, None, sid)
        else:
            keep, gone = sorted((mine, theirs))
            store.move_thread(gone, keep)
            for story, t in thread.items():
                if t == gone:
                    thread[story] = keep
            table.joined(keep, gone, None)
        return True


def _entities(row: sqlite3.Row) -> frozenset[str]:
    return frozenset(json.loads(row["top_entities"] or "[]"))


def _window(row: sqlite3.Row) -> tuple[int, int] | None:
    """The proleptic ordinals of the days a story can link to, or None (undated: any day)."""
    first, last = row["first_seen"], row["last_seen"]
    if not (first and last):
        return None
    # ordinals, not dates: a window may reach past year 1 or 9999 (dates cannot)
    return _ordinal(first) - WINDOW_DAYS, _ordinal(last) + WINDOW_DAYS


def _ordinal(day: str | None) -> int:
    return date.fromisoformat(day).toordinal() if day else -1


def _iso(ordinal: int) -> str:
    """The day of a window bound, clamped to the days a date can hold."""
    return date.fromordinal(min(max(ordinal, 1), date.max.toordinal())).isoformat()


@dataclass
class _Candidates:
    """The live stories a set of windows can reach, newest ``last_seen`` first (id descending),
    undated ones last: the order in which the pairwise rule visited them."""

    ids: np.ndarray  # int64
    first: np.ndarray  # ordinal of first_seen, -1 when undated
    last: np.ndarray
    undated: np.ndarray  # bool
    centroids: np.ndarray  # float32, one row per story; rows of another size are left out
    norms: np.ndarray
    usable: np.ndarray  # bool: has a centroid of the common size
    postings: dict[str, np.ndarray]  # entity -> rows whose top entities hold it
    thread: dict[int, int | None]  # story id -> thread id, updated by every join
    row_of: dict[int, int]  # story id -> row
    members: dict[int, list[int]]  # thread id -> rows of its stories, updated by every join

    @classmethod
    def load(cls, store: SQLiteStore, windows: list[tuple[int, int] | None]) -> _Candidates:
        bounds: tuple[str, str] | None = None
        if all(w is not None for w in windows):
            lo = min(w[0] for w in windows if w is not None)
            hi = max(w[1] for w in windows if w is not None)
            bounds = (_iso(lo), _iso(hi))
        rows = store.thread_candidates(bounds)
        vectors = [unpack_dense(r["centroid"]) if r["centroid"] is not None else None for r in rows]
        sizes = [v.shape[0] for v in vectors if v is not None]
        dim = max(set(sizes), key=sizes.count) if sizes else 0
        usable = np.array([v is not None and v.shape[0] == dim for v in vectors], dtype=bool)
        matrix = np.zeros((len(rows), dim), dtype=np.float32)
        for i, v in enumerate(vectors):
            if usable[i]:
                matrix[i] = v
        postings: dict[str, list[int]] = {}
        for i, r in enumerate(rows):
            for entity in _entities(r):
                postings.setdefault(entity, []).append(i)
        norms = np.sqrt(np.einsum("ij,ij->i", matrix, matrix))
        members: dict[int, list[int]] = {}
        for i, r in enumerate(rows):
            if r["thread_id"] is not None and usable[i] and norms[i] > 0:
                members.setdefault(r["thread_id"], []).append(i)
        return cls(
            ids=np.array([int(r["id"]) for r in rows], dtype=np.int64),
            first=np.array([_ordinal(r["first_seen"]) for r in rows], dtype=np.int64),
            last=np.array([_ordinal(r["last_seen"]) for r in rows], dtype=np.int64),
            undated=np.array([r["last_seen"] is None for r in rows], dtype=bool),
            centroids=matrix,
            norms=norms,
            usable=usable,
            postings={e: np.array(rows_of, dtype=np.int64) for e, rows_of in postings.items()},
            thread={int(r["id"]): r["thread_id"] for r in rows},
            row_of={int(r["id"]): i for i, r in enumerate(rows)},
            members=members,
        )

    def _rows(self, sid: int, window: tuple[int, int] | None) -> np.ndarray:
        """The rows of ``sid``'s thread (of ``sid`` alone when it has none) within ``window``."""
        tid = self.thread.get(sid)
        rows = np.array(
            self.members[tid] if tid is not None and tid in self.members else [self.row_of[sid]],
            dtype=np.int64,
        )
        if window is not None:
            lo, hi = window
            rows = rows[self.undated[rows] | ((self.last[rows] >= lo) & (self.first[rows] <= hi))]
        return rows

    def average_link(self, sid: int, other: int, window: tuple[int, int] | None) -> float:
        """The mean cosine over all pairs of stories of ``sid``'s and ``other``'s threads,
        counting the stories within ``sid``'s window (``WINDOW_DAYS`` around it)."""
        if sid not in self.row_of or other not in self.row_of:
            return -1.0
        a, b = self._rows(sid, window), self._rows(other, window)
        if not len(a) or not len(b):
            return -1.0
        units = [self.centroids[r].astype(np.float64) / self.norms[r][:, None] for r in (a, b)]
        return float(units[0].sum(axis=0) @ units[1].sum(axis=0)) / (len(a) * len(b))

    def joined(self, keep: int, gone: int | None, story: int | None) -> None:
        """Keep the members in step: thread ``gone`` merged into ``keep``, or ``story`` (a
        story in no thread before) added to ``keep``."""
        if gone is not None and gone in self.members:
            self.members.setdefault(keep, []).extend(self.members.pop(gone))
        if story is not None and story in self.row_of:
            self.members.setdefault(keep, []).append(self.row_of[story])

    def neighbours(
        self, sid: int, mine: np.ndarray, mine_ents: frozenset[str], window: tuple[int, int] | None
    ) -> list[int]:
        """Stories that ``sid`` links to, in the order the pairwise rule visited them."""
        if not len(self.ids) or mine.shape[0] != self.centroids.shape[1]:
            return []
        lists = [self.postings[e] for e in mine_ents if e in self.postings]
        if len(lists) < MIN_SHARED_ENTITIES:
            return []
        shared = np.bincount(np.concatenate(lists), minlength=len(self.ids))
        keep = (shared >= MIN_SHARED_ENTITIES) & self.usable & (self.ids != sid)
        if window is not None:
            lo, hi = window
            keep &= self.undated | ((self.last >= lo) & (self.first <= hi))
        mine_norm = float(np.linalg.norm(mine))
        picked = np.flatnonzero(keep)
        approx = (self.centroids[picked] @ mine) / (self.norms[picked] * mine_norm + 1e-9)
        picked = picked[approx >= MIN_COSINE - _MARGIN]
        if window is not None:  # a dated story met undated stories first
            picked = np.concatenate([picked[self.undated[picked]], picked[~self.undated[picked]]])
        out = []
        for i in picked:
            theirs = self.centroids[i]
            cos = float(theirs @ mine) / (mine_norm * float(np.linalg.norm(theirs)) + 1e-9)
            if cos >= MIN_COSINE:
                out.append(int(self.ids[i]))
        return out
