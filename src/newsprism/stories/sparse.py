"""TF-IDF vectors as integer term ids, for the clusterer's best-member similarities.

The ``tfidf_max`` features are the highest TF-IDF cosine between an article (or each of a
story's latest members) and the latest members of each candidate story: tens of dictionary dot
products per candidate in pure Python. Here each stored vector becomes a pair of arrays (term
ids, weights) over a vocabulary owned by one clusterer; the query is scattered once into a dense
scratch row, and every member of every candidate is scored with one gather and one
``bincount``. The products are the same; only the order in which they are added differs, so a
similarity may differ from the dictionary sum in its last bit.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from newsprism.stories.represent import Representation

_TOKENS = itertools.count(1)


@dataclass(frozen=True)
class Members:
    """The TF-IDF vectors of a few articles, concatenated: ``seg`` numbers their members."""

    ids: np.ndarray
    vals: np.ndarray
    seg: np.ndarray
    n: int


class Vocabulary:
    """Term ids for the TF-IDF vectors one clusterer sees, and a scratch row for queries."""

    def __init__(self) -> None:
        self.token = next(_TOKENS)  # a representation's cached ids are valid for this one only
        self._ids: dict[str, int] = {}
        self._scratch = np.zeros(4096, dtype=np.float64)

    def terms(self, rep: Representation) -> tuple[np.ndarray, np.ndarray]:
        """(term ids, weights) of one article's TF-IDF vector, computed once per vocabulary."""
        cached = rep.terms
        if cached is not None and cached[0] == self.token:
            return cached[1], cached[2]
        vocab = self._ids
        ids = np.fromiter(
            (vocab.setdefault(t, len(vocab)) for t in rep.tfidf), dtype=np.int64,
            count=len(rep.tfidf),
        )  # fmt: skip
        vals = np.fromiter(rep.tfidf.values(), dtype=np.float64, count=len(rep.tfidf))
        rep.terms = (self.token, ids, vals)
        return ids, vals

    def members(self, reps: Sequence[Representation]) -> Members:
        """The vectors of ``reps`` concatenated, for :meth:`best`."""
        if not reps:
            raise ValueError("a story with no members has no best-member similarity")
        parts = [self.terms(r) for r in reps]
        sizes = [len(ids) for ids, _ in parts]
        return Members(
            np.concatenate([ids for ids, _ in parts]),
            np.concatenate([vals for _, vals in parts]),
            np.repeat(np.arange(len(parts)), sizes),
            len(parts),
        )

    def best(self, queries: Sequence[Representation], groups: Sequence[Members]) -> np.ndarray:
        """For each group, the highest dot product between one of ``queries`` and one of the
        group's members (0.0 where no term is shared)."""
        if not groups:
            return np.zeros(0)
        ids = np.concatenate([g.ids for g in groups])
        vals = np.concatenate([g.vals for g in groups])
        offsets = np.cumsum([0, *(g.n for g in groups)])
        seg = np.concatenate([g.seg + offsets[j] for j, g in enumerate(groups)])
        if len(self._scratch) < len(self._ids):
            self._scratch = np.zeros(2 * len(self._ids), dtype=np.float64)
        scratch = self._scratch
        best = np.full(int(offsets[-1]), -np.inf)
        for query in queries:
            q_ids, q_vals = self.terms(query)
            if len(scratch) < len(self._ids):
                self._scratch = scratch = np.zeros(2 * len(self._ids), dtype=np.float64)
            scratch[q_ids] = q_vals
            sums = np.bincount(seg, weights=scratch[ids] * vals, minlength=len(best))
            scratch[q_ids] = 0.0
            np.maximum(best, sums, out=best)
        per_group: np.ndarray = np.maximum.reduceat(best, offsets[:-1])
        return per_group
