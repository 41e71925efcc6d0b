"""The periodic merge step and its story-to-story scorer (scorer-v2), without the encoder.

Articles are real small texts represented by the product's own TF-IDF and entity code; their
dense vectors are given by hand (one direction per event, a little noise), so these tests need
no sentence model and say exactly what the merge step sees.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

import numpy as np
import pytest

from newsprism.errors import ConfigError
from newsprism.models import Article, SourceKind
from newsprism.stories.clusterer import GROUPS, Clusterer, ScoringModel
from newsprism.stories.merging import MERGE_FEATURES
from newsprism.stories.represent import CorpusStats, Representation
from tests.conftest import representation

DAY = datetime(2025, 3, 3, tzinfo=UTC)
HARBOUR = [
    ("Rotterdam dock strike halts container traffic",
     "Dock workers at the Port of Rotterdam walked out on Monday over pay, leaving container "
     "ships waiting at anchor, the FNV union said."),
    ("Rotterdam port strike enters second day",
     "The FNV union said dock workers in Rotterdam would stay out until the port employers "
     "improve their pay offer; container ships are queueing."),
    ("Container ships queue as Rotterdam dockers strike",
     "Rotterdam dock workers, organised by the FNV union, kept the container terminals shut "
     "in their pay dispute with port employers."),
    ("Rotterdam dockers stay out in pay row",
     "Container traffic through Rotterdam stayed frozen as the FNV union's dock workers "
     "rejected the port employers' pay offer."),
]  # fmt: skip
BUDGET = [
    ("Finnish parliament delays budget vote",
     "Finland's parliament in Helsinki postponed its vote on the 2026 budget after Prime "
     "Minister Orpo's coalition failed to agree on spending cuts."),
    ("Helsinki budget vote pushed back a week",
     "Prime Minister Orpo asked the Finnish parliament for another week after coalition "
     "partners split over the budget's spending cuts."),
    ("Orpo coalition split stalls Finnish budget",
     "The budget vote in Helsinki was delayed as Orpo's coalition argued over spending cuts, "
     "the Finnish parliament's speaker said."),
    ("Finnish budget vote delayed by coalition row",
     "Finland's coalition under Prime Minister Orpo could not agree on the budget's spending "
     "cuts, so parliament in Helsinki put off the vote."),
]  # fmt: skip


def _reps(rng: np.random.Generator) -> list[Representation]:
    """Both events' articles in arrival order, represented by the product's code."""
    stats = CorpusStats()
    direction = {"harbour": np.eye(384)[0], "budget": np.eye(384)[1]}
    reps = []
    rows = [("harbour", t) for t in HARBOUR] + [("budget", t) for t in BUDGET]
    for n, (event, (title, body)) in enumerate(rows):
        article = Article(
            id=f"{event}-{n}", body=body, content_hash=f"{event}-{n}",
            source_kind=SourceKind.JSONL, source_ref="test", extraction_method="test",
            ingested_at=DAY, title=title, published=DAY,
        )  # fmt: skip
        stats.observe_case(article)
        dense = direction[event] + 0.3 * np.eye(384)[2 + n % 4] + 0.05 * rng.normal(size=384)
        reps.append(representation(article, stats, dense))
    return reps


def _model() -> ScoringModel:
    """The shipped scorer-v2, with joins switched off so every article opens a story: each
    story is a fragment and only the merge step can put the halves together."""
    v2 = ScoringModel.load("scorer-v2.json")
    return replace(v2, join_thresholds=dict.fromkeys(GROUPS, 1.0), merge_every=4, merge_k=5)


def _stories(model: ScoringModel, reps: list[Representation]) -> dict[str, int]:
    counter = iter(range(1, 1000))
    clusterer = Clusterer(model, 384, lambda: next(counter))
    story_of = {rep.article_id: clusterer.place(rep)[0] for rep in reps}
    clusterer.merge()
    gone_to = {gone: keep for keep, gone in clusterer.merges}

    def root(sid: int) -> int:
        while sid in gone_to:
            sid = gone_to[sid]
        return sid

    return {aid: root(sid) for aid, sid in story_of.items()}


def test_v2_merges_the_halves_of_one_story_and_keeps_two_events_apart() -> None:
    reps = _reps(np.random.default_rng(0))
    # interleave the two events, half of each first: harbour 0-1, budget 0-1, then the rest
    order = [reps[0], reps[1], reps[4], reps[5], reps[2], reps[3], reps[6], reps[7]]
    story_of = _stories(_model(), order)
    harbour = {story_of[r.article_id] for r in reps[:4]}
    budget = {story_of[r.article_id] for r in reps[4:]}
    assert len(harbour) == 1
    assert len(budget) == 1
    assert harbour != budget


def test_without_a_merge_threshold_nothing_merges() -> None:
    reps = _reps(np.random.default_rng(1))
    model = replace(_model(), merge_threshold=None, merge_thresholds=None)
    assert len(set(_stories(model, reps).values())) == len(reps)


def test_merge_rows_have_one_column_per_feature() -> None:
    reps = _reps(np.random.default_rng(2))
    counter = iter(range(1, 1000))
    clusterer = Clusterer(replace(_model(), merge_every=0), 384, lambda: next(counter))
    for rep in reps:
        clusterer.place(rep)
    cands, sims = clusterer.merge_neighbours(1)
    rows = clusterer.merge_rows(1, cands, sims)
    assert rows.shape == (len(cands), len(MERGE_FEATURES))
    assert np.isfinite(rows).all()
    assert clusterer.merge_rows(1, [], np.zeros(0)).shape == (0, len(MERGE_FEATURES))


def test_v1_still_loads_and_merges_with_the_join_scorer() -> None:
    v1 = ScoringModel.load("scorer-v1.json")
    assert v1.merge_weights is None and v1.join_thresholds is None
    assert v1.threshold("short") == v1.join_threshold
    assert v1.merge_threshold_of("long") == v1.merge_threshold


def test_v2_file_has_its_optional_fields() -> None:
    v2 = ScoringModel.load("scorer-v2.json")
    assert set(v2.join_thresholds or {}) == set(GROUPS)
    assert set(v2.merge_weights or {}) == set(MERGE_FEATURES)
    assert v2.name == "scorer-v2"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"join_thresholds": {"tiny": 0.5}}, "unknown key 'tiny'"),
        ({"join_thresholds": {"short": 1.5}}, "must be in \\[0, 1\\]"),
        ({"merge_thresholds": {"long": -0.1}}, "must be in \\[0, 1\\]"),
        ({"merge_weights": {"cent": float("nan")}}, "is not a number"),
        ({"merge_weights": {"cent": "high"}}, "is not a number"),
        ({"merge_weights": {"dense_cent; DROP TABLE": 1.0}}, "unknown key"),
    ],
)
def test_a_broken_scorer_file_is_refused_with_the_bad_value(
    change: dict[str, object], message: str
) -> None:
    data = json.loads(json.dumps(ScoringModel.load("scorer-v2.json").__dict__))
    data.update(change)
    with pytest.raises(ConfigError, match=message):
        ScoringModel(**data)


def test_a_huge_merge_round_stays_bounded_by_merge_k() -> None:
    rng = np.random.default_rng(3)
    base = _reps(rng)
    counter = iter(range(1, 10**6))
    model = replace(_model(), merge_every=0, merge_k=3)
    clusterer = Clusterer(model, 384, lambda: next(counter))
    for n in range(600):
        rep = base[n % len(base)]
        clusterer.place(replace(rep, article_id=f"copy-{n}"))
    cands, probs = clusterer.merge_candidates(1)
    assert len(cands) <= 3 and len(probs) == len(cands)
    clusterer.merge()
    assert len(clusterer.stories) < 600


def test_probabilities_are_the_join_scores_place_decides_on() -> None:
    reps = _reps(np.random.default_rng(4))
    counter = iter(range(1, 1000))
    v2 = replace(ScoringModel.load("scorer-v2.json"), merge_every=0)
    clusterer = Clusterer(v2, 384, lambda: next(counter))
    for rep in reps[:3]:
        clusterer.place(rep)
    cands, rows = clusterer.candidate_rows(reps[3])
    probs = clusterer.probabilities(rows, reps[3].n_words)
    assert probs.shape == (len(cands),) and ((probs >= 0) & (probs <= 1)).all()
    story, prob = clusterer.place(reps[3])
    assert prob == pytest.approx(float(probs.max()))
    assert story == cands[int(np.argmax(probs))]
    empty = clusterer.probabilities(np.zeros((0, rows.shape[1])), 10)
    assert empty.shape == (0,)
