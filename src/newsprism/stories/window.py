"""The clusterer's candidate search: story centroids by their latest day, exact cosine within
the time window, each recently queried window kept gathered in one matrix."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from newsprism.stories.clusterer import StoryState


class _Window:
    """The gathered centroids of one day's window, kept current as stories change."""

    def __init__(self, day: int, rows: np.ndarray, matrix: np.ndarray) -> None:
        self.day = day
        n = len(rows)
        self.rows = np.empty(n + 64, dtype=np.int64)
        self.rows[:n] = rows
        self.matrix = np.empty((n + 64, matrix.shape[1]), dtype=np.float32)
        self.matrix[:n] = matrix[rows]
        self.n = n
        self.pos = dict(zip(rows.tolist(), range(n), strict=True))

    def append(self, row: int, centroid: np.ndarray) -> None:
        n = self.n
        if n >= len(self.rows):
            self.rows = np.concatenate([self.rows, np.empty_like(self.rows)])
            self.matrix = np.concatenate([self.matrix, np.empty_like(self.matrix)])
        self.matrix[n] = centroid
        self.rows[n] = row
        self.pos[row] = n
        self.n = n + 1


class WindowIndex:
    """Story centroids bucketed by their latest day; exact cosine within the window.

    Each day's bucket keeps its matrix rows as an array, rebuilt only when that bucket changes.
    The rows of the last few queried windows are also kept gathered, one matrix each, updated
    in place as stories change and extended as stories enter the window (articles mostly arrive
    day by day, so consecutive queries share a window): a query then costs one product."""

    WINDOWS = 8  # gathered windows kept (the articles' day and the merge step's days)

    def __init__(self, dim: int, window_days: int) -> None:
        self._window = window_days
        self._rows: dict[int, int] = {}
        self._ids: list[int] = []
        self._matrix = np.zeros((256, dim), dtype=np.float32)
        self._shards: dict[int, set[int]] = defaultdict(set)  # day -> rows
        self._shard_rows: dict[int, np.ndarray] = {}
        self._alive = np.zeros(256, dtype=bool)
        self._gathered: dict[int, _Window] = {}  # day -> its window, least recently used first

    def upsert(self, story: StoryState) -> None:
        row = self._rows.get(story.story_id)
        if row is None:
            row = len(self._ids)
            self._rows[story.story_id] = row
            self._ids.append(story.story_id)
            if row >= len(self._matrix):
                self._matrix = np.vstack([self._matrix, np.zeros_like(self._matrix)])
                self._alive = np.concatenate([self._alive, np.zeros_like(self._alive)])
            self._alive[row] = True
        centroid = story.centroid
        self._matrix[row] = centroid
        key = story.dmax if story.dmax is not None else -1
        if story.shard != key:
            if story.shard is not None:
                self._shards[story.shard].discard(row)
                self._shard_rows.pop(story.shard, None)
            self._shards[key].add(row)
            self._shard_rows.pop(key, None)
            story.shard = key
        for day, win in list(self._gathered.items()):
            pos = win.pos.get(row)
            inside = key == -1 or abs(key - day) <= self._window
            if pos is not None and inside:
                win.matrix[pos] = centroid
            elif pos is not None:
                del self._gathered[day]  # left the window: gather again when queried
            elif inside:
                win.append(row, centroid)

    def remove(self, story: StoryState) -> None:
        row = self._rows.pop(story.story_id, None)
        if row is not None:
            self._alive[row] = False
            for day, win in list(self._gathered.items()):
                if row in win.pos:
                    del self._gathered[day]
        if story.shard is not None and row is not None:
            self._shards[story.shard].discard(row)
            self._shard_rows.pop(story.shard, None)

    def _window_of(self, day: int) -> _Window:
        win = self._gathered.pop(day, None)
        if win is None:
            win = _Window(day, self.window_rows(day), self._matrix)
            if len(self._gathered) >= self.WINDOWS:
                del self._gathered[next(iter(self._gathered))]
        self._gathered[day] = win  # most recently used last
        return win

    def _rows_of(self, key: int) -> np.ndarray:
        rows = self._shard_rows.get(key)
        if rows is None:
            rows = np.array(sorted(self._shards.get(key, ())), dtype=np.int64)
            self._shard_rows[key] = rows
        return rows

    def window_rows(self, day: int | None) -> np.ndarray:
        """Matrix rows of the stories within the window of ``day`` (all of them for None)."""
        if day is None:
            keys = sorted(self._shards)
        else:
            keys = [-1, *range(day - self._window, day + self._window + 1)]
        parts = [self._rows_of(k) for k in keys if self._shards.get(k)]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)

    def window(self, day: int | None) -> list[int]:
        return [self._ids[r] for r in self.window_rows(day)]

    def query(
        self, vector: np.ndarray, day: int | None, k: int, exclude: int | None = None
    ) -> tuple[list[int], np.ndarray]:
        if day is None:  # every story: one product over the whole matrix, no gather
            rows = np.flatnonzero(self._alive[: len(self._ids)])
            sims = (self._matrix[: len(self._ids)] @ vector)[rows]
        else:
            win = self._window_of(day)
            rows = win.rows[: win.n]
            sims = win.matrix[: win.n] @ vector
        if exclude is not None and exclude in self._rows:
            keep = rows != self._rows[exclude]
            rows, sims = rows[keep], sims[keep]
        if not len(rows):
            return [], np.zeros(0, dtype=np.float32)
        if len(rows) > k:
            top = np.argpartition(-sims, k - 1)[:k]
            top = top[np.lexsort((rows[top], -sims[top]))]
        else:
            top = np.lexsort((rows, -sims))
        return [self._ids[r] for r in rows[top]], sims[top]
