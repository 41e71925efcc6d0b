"""Story-to-story features for the periodic merge step (the ``merge_weights`` scorer).

The join scorer compares one article with a story; merging compares two stories that each hold
several articles, so it has its own features: centroid and best-member similarity (dense and
TF-IDF), entity overlap seen from both sides, how the two stories' date ranges relate, and
their sizes. A logistic regression over them (``benchmarks/train_scorer.py``) gives the
probability that the two stories are one.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from newsprism.stories.clusterer import StoryState

SHORT_WORDS = 25  # same cut as the join scorer's length groups
LONG_WORDS = 150
MERGE_FEATURES = (
    "cent", "dense_max", "tfidf_cent", "tfidf_max", "ent_min", "ent_max", "ent_shared",
    "both_dated", "gap", "log_small", "log_big", "short", "long", "margin", "short_x_tfidf",
    "long_x_tfidf",
)  # fmt: skip


def _tfidf_dot(a: dict[str, float], b: dict[str, float]) -> float:
    return sum(a[t] * b[t] for t in a.keys() & b.keys())


def _containment(a: StoryState, b: StoryState) -> float:
    """Share of ``a``'s entity weight (IDF) that ``b`` also names."""
    total = a.ent_total
    if not total:
        return 0.0
    return sum(w for e, w in a.ent_idf.items() if e in b.ents) / total


def pair_row(
    a: StoryState,
    b: StoryState,
    cent: float,
    best: float,
    dense_max: float | None = None,
    tfidf_max: float | None = None,
) -> list[float]:
    """Merge features of stories ``a`` and ``b``; ``cent`` is their centroid cosine and
    ``best`` the highest centroid cosine among ``a``'s merge candidates. The best-member
    similarities are computed here unless given (the clusterer computes them for all of a
    story's candidates at once)."""
    if dense_max is None:
        dense_max = float((a.recent_dense @ b.recent_dense.T).max())
    tfidf_cent = _tfidf_dot(a.tsum, b.tsum) / (
        (math.sqrt(a.tnorm2) + 1e-9) * (math.sqrt(b.tnorm2) + 1e-9)
    )
    if tfidf_max is None:
        tfidf_max = max(_tfidf_dot(x.tfidf, y.tfidf) for x in a.recent for y in b.recent)
    ca, cb = _containment(a, b), _containment(b, a)
    shared = sum(w for e, w in a.ent_idf.items() if e in b.ents)
    both = a.dmin is not None and b.dmin is not None
    gap = 0.0
    if both:
        assert a.dmin is not None and a.dmax is not None
        assert b.dmin is not None and b.dmax is not None
        overlap = a.dmin <= b.dmax and b.dmin <= a.dmax
        g = 0 if overlap else min(abs(a.dmin - b.dmax), abs(b.dmin - a.dmax))
        gap = min(g, 10) / 10.0
    words = (a.nlen + b.nlen) / max(a.size + b.size, 1)
    short = 1.0 if words <= SHORT_WORDS else 0.0
    long_ = 1.0 if words >= LONG_WORDS else 0.0
    sizes = sorted((a.size, b.size))
    return [
        cent, dense_max, tfidf_cent, tfidf_max, min(ca, cb), max(ca, cb), math.log1p(shared),
        float(both), gap, math.log1p(sizes[0]), math.log1p(sizes[1]), short, long_, cent - best,
        short * tfidf_cent, long_ * tfidf_cent,
    ]  # fmt: skip
