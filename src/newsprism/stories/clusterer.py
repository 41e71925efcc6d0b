"""Incremental story clustering: one pass in arrival order, a learned join score, merges.

For each article: the candidate stories are the ``k`` nearest story centroids (dense cosine)
among stories active within ``window_days`` of its date (undated stories always count); a
logistic scoring function over dense, TF-IDF, entity and time features gives the probability
that the article belongs to each candidate; it joins the best one when that probability reaches
the join threshold of its length group, else it opens a new story. Every ``merge_every``
articles, the stories that changed are compared with their ``merge_k`` nearest stories, and two
stories are merged when the story-to-story scorer (:mod:`merging`; the join scorer for files
without one) reaches ``merge_threshold``.

The cost per article depends on the number of stories in its time window, never on the size
of the archive.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import resources

import numpy as np

from newsprism.errors import ConfigError
from newsprism.stories.merging import MERGE_FEATURES, pair_row
from newsprism.stories.represent import Representation
from newsprism.stories.sparse import Members, Vocabulary
from newsprism.stories.window import WindowIndex

RECENT = 8  # latest members kept per story for the max-similarity features
SHORT_WORDS = 25  # a headline, or a headline and a line
LONG_WORDS = 150  # a full article
DEFAULT_SCORER = "scorer-v2.json"
FEATURES = (
    "dense_cent", "dense_max", "tfidf_cent", "tfidf_max", "ent_cont", "ent_shared", "both_dated",
    "gap", "log_size", "short", "short_x_dense", "short_x_tfidf", "dense_margin", "long_x_tfidf",
    "long_x_dense", "short_x_ent", "ent_rev", "tfidf_margin", "tfidf_max_margin",
    "dense_max_margin",
)  # fmt: skip


@dataclass(frozen=True)
class ScoringModel:
    """The learned scorer and the clustering parameters, loaded from a versioned JSON file."""

    name: str
    weights: dict[str, dict[str, float]]  # length group -> feature -> weight
    intercept: dict[str, float]  # length group -> intercept
    join_threshold: float
    merge_threshold: float | None
    window_days: int
    k: int
    merge_every: int
    merge_k: int
    trained_on: str = ""
    # optional (scorer-v2 on): a join threshold per length group, and a story-to-story merge
    # scorer over MERGE_FEATURES; without it the merge step reuses the join scorer
    join_thresholds: dict[str, float] | None = None
    merge_weights: dict[str, float] | None = None
    merge_intercept: float = 0.0
    merge_thresholds: dict[str, float] | None = None  # per length group; absent: merge_threshold

    def __post_init__(self) -> None:
        for label, table, known in (
            ("join_thresholds", self.join_thresholds, GROUPS),
            ("merge_thresholds", self.merge_thresholds, GROUPS),
            ("merge_weights", self.merge_weights, MERGE_FEATURES),
        ):
            for key, value in (table or {}).items():
                if key not in known:
                    raise ConfigError(
                        f"scorer {self.name!r}: {label} has unknown key {key!r}; "
                        f"use {', '.join(known)}"
                    )
                if not isinstance(value, int | float) or not math.isfinite(value):
                    raise ConfigError(
                        f"scorer {self.name!r}: {label}[{key!r}]={value!r} is not a number"
                    )
                if label != "merge_weights" and not 0.0 <= value <= 1.0:
                    raise ConfigError(
                        f"scorer {self.name!r}: {label}[{key!r}]={value!r} must be in [0, 1]"
                    )

    @classmethod
    def load(cls, name: str = DEFAULT_SCORER) -> ScoringModel:
        text = resources.files("newsprism.stories").joinpath("data", name).read_text("utf-8")
        data = json.loads(text)
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})

    def vector(self, group: str) -> np.ndarray:
        weights = self.weights[group]
        return np.array([weights.get(f, 0.0) for f in FEATURES], dtype=np.float64)

    def threshold(self, group: str) -> float:
        """The join threshold of one length group."""
        if self.join_thresholds and group in self.join_thresholds:
            return self.join_thresholds[group]
        return self.join_threshold

    def merge_threshold_of(self, group: str) -> float | None:
        """The merge threshold of stories of one length group (None: they never merge)."""
        if self.merge_thresholds and group in self.merge_thresholds:
            return self.merge_thresholds[group]
        return self.merge_threshold


GROUPS = ("short", "medium", "long")


def length_group(n_words: float) -> str:
    """Headline-only, excerpt or full text: each has its own scorer."""
    if n_words <= SHORT_WORDS:
        return "short"
    return "long" if n_words >= LONG_WORDS else "medium"


@dataclass
class StoryState:
    """What the clusterer keeps of one story."""

    story_id: int
    dsum: np.ndarray
    tsum: dict[str, float] = field(default_factory=dict)
    tnorm2: float = 0.0
    ents: Counter[str] = field(default_factory=Counter)
    ent_idf: dict[str, float] = field(default_factory=dict)
    dmin: int | None = None
    dmax: int | None = None
    size: int = 0
    nlen: float = 0.0
    recent: list[Representation] = field(default_factory=list)
    language: str | None = None
    pinned: bool = False
    touched: bool = True
    shard: int | None = None
    _recent_dense: np.ndarray | None = None
    _recent_terms: Members | None = None
    _ent_total: float | None = None

    @property
    def recent_dense(self) -> np.ndarray:
        """The latest members' dense vectors as one matrix (kept until the story changes)."""
        if self._recent_dense is None:
            self._recent_dense = np.stack([r.dense for r in self.recent])
        return self._recent_dense

    def recent_terms(self, vocab: Vocabulary) -> Members:
        """The latest members' TF-IDF vectors as arrays (kept until the story changes)."""
        if self._recent_terms is None:
            self._recent_terms = vocab.members(self.recent)
        return self._recent_terms

    @property
    def ent_total(self) -> float:
        """The summed IDF of the story's entities (kept until the story changes)."""
        if self._ent_total is None:
            self._ent_total = sum(self.ent_idf.values())
        return self._ent_total

    def _changed(self) -> None:
        self._recent_dense = None
        self._recent_terms = None
        self._ent_total = None
        self.touched = True

    def add(self, rep: Representation) -> None:
        self.dsum = self.dsum + rep.dense
        for term, weight in rep.tfidf.items():
            old = self.tsum.get(term, 0.0)
            self.tsum[term] = old + weight
            self.tnorm2 += (old + weight) ** 2 - old * old
        self.ents.update(rep.entities.keys())
        self.ent_idf.update(rep.entities)
        if rep.day is not None:
            self.dmin = rep.day if self.dmin is None else min(self.dmin, rep.day)
            self.dmax = rep.day if self.dmax is None else max(self.dmax, rep.day)
        self.size += 1
        self.nlen += rep.n_words
        self.recent = [*self.recent, rep][-RECENT:]
        if self.language is None:
            self.language = rep.language
        self._changed()

    def absorb(self, other: StoryState) -> None:
        self.dsum = self.dsum + other.dsum
        for term, weight in other.tsum.items():
            self.tsum[term] = self.tsum.get(term, 0.0) + weight
        self.tnorm2 = sum(w * w for w in self.tsum.values())
        self.ents.update(other.ents)
        self.ent_idf.update(other.ent_idf)
        if other.dmin is not None:
            self.dmin = other.dmin if self.dmin is None else min(self.dmin, other.dmin)
            assert other.dmax is not None
            self.dmax = other.dmax if self.dmax is None else max(self.dmax, other.dmax)
        self.size += other.size
        self.nlen += other.nlen
        self.recent = (self.recent + other.recent)[-RECENT:]
        self.pinned = self.pinned or other.pinned
        self._changed()

    @property
    def centroid(self) -> np.ndarray:
        return self.dsum / (float(np.linalg.norm(self.dsum)) + 1e-9)


def _tfidf_dot(a: dict[str, float], b: dict[str, float]) -> float:
    return sum(a[t] * b[t] for t in a.keys() & b.keys())


def _dense_max(queries: np.ndarray, stories: list[StoryState]) -> np.ndarray:
    """For each story, the highest dense cosine between a row of ``queries`` and one of its
    latest members: one product over all the stories' members."""
    if not stories:
        return np.zeros(0, dtype=np.float32)
    mats = [s.recent_dense for s in stories]
    offsets = np.cumsum([0, *(len(m) for m in mats[:-1])])
    sims = np.concatenate(mats) @ queries.T  # (all members, queries)
    best: np.ndarray = np.maximum.reduceat(sims.max(axis=1), offsets)
    return best


def _with_margins(rows: list[list[float]]) -> np.ndarray:
    """Append, for TF-IDF (centroid, best member) and dense best-member similarity, each
    candidate's distance to the best candidate: the scorer sees the ranking, not only levels."""
    if not rows:
        return np.zeros((0, len(FEATURES)))
    matrix = np.array(rows, dtype=np.float64)
    margins = [matrix[:, col] - matrix[:, col].max() for col in (2, 3, 1)]
    return np.column_stack([matrix, *margins])


class Clusterer:
    """The incremental clusterer; the builder feeds it articles and persists its decisions."""

    def __init__(self, model: ScoringModel, dim: int, new_id: Callable[[], int]) -> None:
        self.model = model
        self._w = {g: model.vector(g) for g in GROUPS}
        self._mw: np.ndarray | None = None
        if model.merge_weights is not None:
            self._mw = np.array([model.merge_weights.get(f, 0.0) for f in MERGE_FEATURES])
        self._new_id = new_id
        self.stories: dict[int, StoryState] = {}
        self.index = WindowIndex(dim, model.window_days)
        self.merges: list[tuple[int, int]] = []  # (kept, absorbed), in order
        self.since_merge = 0
        self._dim = dim
        self._vocab = Vocabulary()

    # --- state ------------------------------------------------------------------------------
    def restore(self, story_id: int, members: Iterable[Representation], pinned: bool) -> None:
        """Rebuild a stored story's state from its members (at the start of a build)."""
        state = StoryState(story_id, np.zeros(self._dim, dtype=np.float32), pinned=pinned)
        for rep in members:
            state.add(rep)
        state.touched = False
        self.stories[story_id] = state
        self.index.upsert(state)

    def _story(self, story_id: int, pinned: bool = False) -> StoryState:
        state = self.stories.get(story_id)
        if state is None:
            state = StoryState(story_id, np.zeros(self._dim, dtype=np.float32), pinned=pinned)
            self.stories[story_id] = state
        return state

    # --- decisions --------------------------------------------------------------------------
    def candidate_rows(self, rep: Representation) -> tuple[list[int], np.ndarray]:
        """The candidate stories for an article and their feature rows (used for training)."""
        cands, sims = self._candidates(rep)
        if not cands:
            return [], np.zeros((0, len(FEATURES)))
        return cands, self._article_rows(rep, cands, sims)

    def place(self, rep: Representation) -> tuple[int, float | None]:
        """Assign one article; returns (story id, join probability or None for a new story)."""
        cands, sims = self._candidates(rep)
        story_id: int | None = None
        prob: float | None = None
        if cands:
            probs = self._probs(self._article_rows(rep, cands, sims), rep.n_words)
            best = int(np.argmax(probs))
            if probs[best] >= self.model.threshold(length_group(rep.n_words)):
                story_id, prob = cands[best], float(probs[best])
        if story_id is None:
            story_id = self._new_id()
        self.add(story_id, rep)
        return story_id, prob

    def add(self, story_id: int, rep: Representation, pinned: bool = False) -> None:
        state = self._story(story_id, pinned)
        state.add(rep)
        self.index.upsert(state)
        self.since_merge += 1
        if self.model.merge_every and self.since_merge >= self.model.merge_every:
            self.merge()

    def _candidates(self, rep: Representation) -> tuple[list[int], np.ndarray]:
        cands, sims = self.index.query(rep.dense, rep.day, self.model.k * 2)
        keep = [
            j
            for j, sid in enumerate(cands)
            if not (rep.language and self.stories[sid].language and
                    rep.language != self.stories[sid].language)
        ][: self.model.k]  # fmt: skip
        return [cands[j] for j in keep], sims[keep]

    def merge(self) -> None:
        """Merge changed stories into their nearest neighbour when the scorer says so."""
        self.since_merge = 0
        if self.model.merge_threshold is None and not self.model.merge_thresholds:
            return
        touched = sorted(
            (s for s in self.stories.values() if s.touched), key=lambda s: (-s.size, s.story_id)
        )
        for story in touched:
            if story.story_id not in self.stories:
                continue
            story.touched = False
            threshold = self.model.merge_threshold_of(length_group(story.nlen / max(story.size, 1)))
            if threshold is None:
                continue
            cands, probs = self.merge_candidates(story.story_id)
            if not cands:
                continue
            best = int(np.argmax(probs))
            if probs[best] >= threshold:
                self._absorb(story, self.stories[cands[best]])

    def merge_candidates(self, story_id: int) -> tuple[list[int], np.ndarray]:
        """The stories that ``story_id`` may merge with and the probability of each merge."""
        story = self.stories[story_id]
        cands, sims = self.merge_neighbours(story_id)
        if not cands:
            return [], np.zeros(0)
        if self._mw is None:
            probs = self._probs(
                self._story_rows(story, cands, sims), story.nlen / max(story.size, 1)
            )
        else:
            z = self.merge_rows(story_id, cands, sims) @ self._mw + self.model.merge_intercept
            probs = 1.0 / (1.0 + np.exp(-np.clip(z, -50, 50)))
        return cands, probs

    def merge_neighbours(self, story_id: int) -> tuple[list[int], np.ndarray]:
        """The ``merge_k`` nearest stories in the time window (two pinned stories never merge)
        and their centroid cosines, best first."""
        story = self.stories[story_id]
        cands, sims = self.index.query(
            story.centroid, story.dmax, self.model.merge_k, exclude=story.story_id
        )
        keep = [
            j for j, sid in enumerate(cands)
            if not (story.pinned and self.stories[sid].pinned)
        ]  # fmt: skip
        return [cands[j] for j in keep], sims[keep]

    def merge_rows(self, story_id: int, cands: list[int], sims: np.ndarray) -> np.ndarray:
        """Story-to-story feature rows (``MERGE_FEATURES``) of one story and its candidates."""
        story = self.stories[story_id]
        others = [self.stories[sid] for sid in cands]
        best = float(sims[0]) if len(sims) else 0.0
        dense_max = _dense_max(story.recent_dense, others)
        tfidf_max = self._vocab.best(story.recent, [o.recent_terms(self._vocab) for o in others])
        return np.array(
            [
                pair_row(story, other, float(sims[j]), best, float(dense_max[j]),
                         float(tfidf_max[j]))
                for j, other in enumerate(others)
            ]
        ).reshape(len(cands), len(MERGE_FEATURES))  # fmt: skip

    def _absorb(self, a: StoryState, b: StoryState) -> None:
        # The older story (smaller id) keeps its id, so ids stay stable; pinned ones always win.
        keep, gone = (a, b) if (a.pinned, -a.story_id) >= (b.pinned, -b.story_id) else (b, a)
        keep.absorb(gone)
        self.index.remove(gone)
        del self.stories[gone.story_id]
        self.index.upsert(keep)
        self.merges.append((keep.story_id, gone.story_id))

    # --- features ---------------------------------------------------------------------------
    def probabilities(self, rows: np.ndarray, n_words: float) -> np.ndarray:
        """Join probabilities of feature rows (``candidate_rows``) for an article of
        ``n_words`` words."""
        return self._probs(rows, n_words)

    def _probs(self, rows: np.ndarray, n_words: float) -> np.ndarray:
        group = length_group(n_words)
        z = rows @ self._w[group] + self.model.intercept[group]
        probs: np.ndarray = 1.0 / (1.0 + np.exp(-np.clip(z, -50, 50)))
        return probs

    def _article_rows(self, rep: Representation, cands: list[int], sims: np.ndarray) -> np.ndarray:
        """The join features of one article against each candidate story: the best-member
        similarities of all candidates at once, then the cheap features per candidate (the
        same values as ``_row`` for a one-article query)."""
        stories = [self.stories[sid] for sid in cands]
        best = float(sims[0])
        dense_max = _dense_max(rep.dense[None, :], stories)
        tfidf_max = self._vocab.best([rep], [s.recent_terms(self._vocab) for s in stories])
        q_ents = rep.entities
        weight_all = sum(q_ents.values()) + 1e-9
        nw = rep.n_words
        short = 1.0 if nw <= SHORT_WORDS else 0.0
        long_ = 1.0 if nw >= LONG_WORDS else 0.0
        day = rep.day
        rows = []
        for j, st in enumerate(stories):
            dense_cent = float(sims[j])
            tfidf_cent = _tfidf_dot(rep.tfidf, st.tsum) / (
                (math.sqrt(st.tnorm2) + 1e-9) * (1.0 + 1e-9)
            )
            st_ents = st.ent_idf
            shared = sum(w for e, w in q_ents.items() if e in st_ents)
            ent_cont = shared / weight_all if q_ents else 0.0
            story_all = st.ent_total
            ent_rev = (
                sum(st_ents[e] for e in q_ents if e in st_ents) / story_all if story_all else 0.0
            )
            both = day is not None and st.dmin is not None
            gap = 0.0
            if both:
                assert day is not None and st.dmin is not None and st.dmax is not None
                overlap = day <= st.dmax and st.dmin <= day
                g = 0 if overlap else min(abs(day - st.dmax), abs(st.dmin - day))
                gap = min(g, 10) / 10.0
            rows.append([
                dense_cent, float(dense_max[j]), tfidf_cent, float(tfidf_max[j]), ent_cont,
                math.log1p(shared), float(both), gap, math.log1p(st.size), short,
                short * dense_cent, short * tfidf_cent, dense_cent - best, long_ * tfidf_cent,
                long_ * dense_cent, short * ent_cont, ent_rev,
            ])  # fmt: skip
        return _with_margins(rows)

    def _story_rows(self, a: StoryState, cands: list[int], sims: np.ndarray) -> np.ndarray:
        best = float(sims[0])
        return _with_margins(
            [
                self._row(a.recent_dense, a.tsum, math.sqrt(a.tnorm2), a.recent,
                          a.ent_idf, a.dmin, a.dmax, a.nlen / max(a.size, 1),
                          self.stories[sid], float(sims[j]), best)
                for j, sid in enumerate(cands)
            ]
        )  # fmt: skip

    def _row(
        self,
        qd: np.ndarray,
        q_tfidf: dict[str, float],
        q_tnorm: float,
        q_recent: list[Representation],
        q_ents: dict[str, float],
        q_dmin: int | None,
        q_dmax: int | None,
        nw: float,
        st: StoryState,
        dense_cent: float,
        best: float,
    ) -> list[float]:
        dense_max = float((qd @ st.recent_dense.T).max())
        tfidf_cent = _tfidf_dot(q_tfidf, st.tsum) / (
            (math.sqrt(st.tnorm2) + 1e-9) * (q_tnorm + 1e-9)
        )
        tfidf_max = max(_tfidf_dot(q.tfidf, s.tfidf) for q in q_recent for s in st.recent)
        short = 1.0 if nw <= SHORT_WORDS else 0.0
        long_ = 1.0 if nw >= LONG_WORDS else 0.0
        weight_all = sum(q_ents.values()) + 1e-9
        shared = sum(w for e, w in q_ents.items() if e in st.ents)
        ent_cont = shared / weight_all if q_ents else 0.0
        story_all = sum(st.ent_idf.values())
        ent_rev = (
            sum(w for e, w in st.ent_idf.items() if e in q_ents) / story_all if story_all else 0.0
        )
        both = q_dmin is not None and st.dmin is not None
        gap = 0.0
        if both:
            assert q_dmin is not None and q_dmax is not None
            assert st.dmin is not None and st.dmax is not None
            overlap = q_dmin <= st.dmax and st.dmin <= q_dmax
            g = 0 if overlap else min(abs(q_dmin - st.dmax), abs(st.dmin - q_dmax))
            gap = min(g, 10) / 10.0
        return [
            dense_cent, dense_max, tfidf_cent, tfidf_max, ent_cont, math.log1p(shared),
            float(both), gap, math.log1p(st.size), short, short * dense_cent, short * tfidf_cent,
            dense_cent - best, long_ * tfidf_cent, long_ * dense_cent, short * ent_cont,
            ent_rev,
        ]  # fmt: skip
