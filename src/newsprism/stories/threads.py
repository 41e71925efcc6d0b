"""Threads: stories about one ongoing topic but different events, linked over time.

A story is a candidate for the thread of an earlier or later story when their centroids are
close (cosine >= ``MIN_COSINE``) and they share at least ``MIN_SHARED_ENTITIES`` of their top
entities, within ``WINDOW_DAYS`` of each other. It joins that thread, and two threads that meet
are merged (the older id stays), only when the two sides are close **on average**: the mean
cosine over all pairs of their stories (the thread's stories within reach of the window) is at
least ``MIN_COSINE`` too. Two single stories are decided by the pairwise rule alone; a thread
grows only by stories close to the whole of it. With the pairwise rule alone (``v1``) links
chained: on the whole dev file one thread took 1,227 of 2,075 stories.

One :meth:`ThreadLinker.link` call reads the live stories the given ones can reach once, into
a :class:`_Candidates` table (a centroid matrix, day ranges, entity sets, thread ids kept in step
with every join), so each story costs one matrix-vector product instead of a query and a decode
per neighbour. The matrix product only pre-selects: every pair it keeps is checked again with
the exact pairwise cosine, so the links made are the pairwise rule's, bit for bit.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import date, timedelta

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
            for other in table.neighbours(sid, unpack_dense(r["centroid"]), _entities(r),
                                          _window(r)):  # fmt: skip
                if self._join(sid, other, table):
                    linked += 1
        if linked:
            store.refresh_thread_titles()
        return linked

    def _join(self, sid: int, other: int, table: _Candidates) -> bool:
        store = self._store
        thread = table.thread
        mine, theirs = thread[sid], thread[other]
        if mine is not None and mine == theirs:
            return False
        score = table.average_link(sid, other)
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
    lo = date.fromisoformat(first) - timedelta(days=WINDOW_DAYS)
    hi = date.fromisoformat(last) + timedelta(days=WINDOW_DAYS)
    return lo.toordinal(), hi.toordinal()


def _ordinal(day: str | None) -> int:
    return date.fromisoformat(day).toordinal() if day else -1


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
    sums: dict[int, np.ndarray]  # thread id -> sum of its stories' unit centroids (float64)
    counts: dict[int, int]  # thread id -> stories in that sum

    @classmethod
    def load(cls, store: SQLiteStore, windows: list[tuple[int, int] | None]) -> _Candidates:
        bounds: tuple[str, str] | None = None
        if all(w is not None for w in windows):
            lo = min(w[0] for w in windows if w is not None)
            hi = max(w[1] for w in windows if w is not None)
            bounds = (date.fromordinal(lo).isoformat(), date.fromordinal(hi).isoformat())
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
        sums: dict[int, np.ndarray] = {}
        counts: dict[int, int] = {}
        for i, r in enumerate(rows):
            tid = r["thread_id"]
            if tid is not None and usable[i] and norms[i] > 0:
                unit = matrix[i].astype(np.float64) / float(norms[i])
                sums[tid] = sums[tid] + unit if tid in sums else unit
                counts[tid] = counts.get(tid, 0) + 1
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
            sums=sums,
            counts=counts,
        )

    def _unit(self, sid: int) -> np.ndarray:
        i = self.row_of[sid]
        unit: np.ndarray = self.centroids[i].astype(np.float64) / max(float(self.norms[i]), 1e-12)
        return unit

    def _side(self, sid: int) -> tuple[np.ndarray, int]:
        """The sum of unit centroids of ``sid``'s thread (of ``sid`` alone when it has none)."""
        tid = self.thread.get(sid)
        if tid is not None and tid in self.sums:
            return self.sums[tid], self.counts[tid]
        return self._unit(sid), 1

    def average_link(self, sid: int, other: int) -> float:
        """The mean cosine over all pairs of stories of ``sid``'s and ``other``'s threads."""
        if sid not in self.row_of or other not in self.row_of:
            return -1.0
        (a, na), (b, nb) = self._side(sid), self._side(other)
        return float(a @ b) / (na * nb)

    def joined(self, keep: int, gone: int | None, story: int | None) -> None:
        """Keep the sums in step: thread ``gone`` merged into ``keep``, or ``story`` (a story
        in no thread before) added to ``keep``."""
        if gone is not None and gone in self.sums:
            self.sums[keep] = self.sums.get(keep, 0.0) + self.sums.pop(gone)
            self.counts[keep] = self.counts.get(keep, 0) + self.counts.pop(gone)
        if story is not None and story in self.row_of:
            self.sums[keep] = self.sums.get(keep, 0.0) + self._unit(story)
            self.counts[keep] = self.counts.get(keep, 0) + 1

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
