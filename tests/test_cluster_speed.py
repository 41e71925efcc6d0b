"""The clusterer's fast paths give the values of the plain ones: join and merge feature rows
computed for all candidates at once, the gathered window matrices, the TF-IDF best-member
similarities over term ids; and the build's text-only hook runs on every chunk once, in order.

Articles are small generated texts represented by the product's own TF-IDF and entity code;
dense vectors are random (seeded), so no sentence model is needed.
"""

from __future__ import annotations

import json
import os
import random
import threading
from pathlib import Path

import numpy as np
import pytest

from newsprism.config import Settings
from newsprism.models import Article
from newsprism.service import Service
from newsprism.stories.clusterer import Clusterer, ScoringModel, StoryState
from newsprism.stories.merging import pair_row
from newsprism.stories.prefetch import DensePrefetch
from newsprism.stories.represent import CorpusStats, Representation
from newsprism.stories.sparse import Vocabulary
from newsprism.stories.static_encoder import StaticEncoder
from newsprism.stories.window import WindowIndex
from tests.conftest import representation, text_article

WORDS = (
    "Rotterdam dock strike union pay container ships Helsinki budget vote coalition Orpo "
    "parliament spending cuts flood river rescue election ballots commission vaccine trial "
    "regulators approved Lagos market fire traders Nairobi court ruling appeal"
).split()


def _reps(n: int, seed: int = 5, dim: int = 32) -> list[Representation]:
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    topics = nrng.normal(size=(6, dim))
    stats = CorpusStats()
    reps = []
    for i in range(n):
        topic = i % 6
        words = [WORDS[(topic * 5 + rng.randrange(8)) % len(WORDS)] for _ in range(30)]
        body = f"{' '.join(words).capitalize()}. {rng.choice(WORDS).capitalize()} said more."
        day = f"2025-03-{1 + (i // 7) % 20:02d}" if i % 11 else None
        article = text_article(f"a{i:04d}", body, published=day)
        stats.observe_case(article)
        dense = topics[topic] + 0.6 * nrng.normal(size=dim)
        reps.append(representation(article, stats, dense))
    return reps


def _clusterer(dim: int = 32) -> Clusterer:
    counter = iter(range(1, 10**6))
    return Clusterer(ScoringModel.load(), dim, lambda: next(counter))


def test_join_rows_equal_the_per_candidate_rows() -> None:
    clusterer = _clusterer()
    checked = 0
    for rep in _reps(300):
        cands, sims = clusterer._candidates(rep)
        if cands:
            fast = clusterer._article_rows(rep, cands, sims)
            plain = [
                clusterer._row(rep.dense[None, :], rep.tfidf, 1.0, [rep], rep.entities, rep.day,
                               rep.day, rep.n_words, clusterer.stories[sid], float(sims[j]),
                               float(sims[0]))
                for j, sid in enumerate(cands)
            ]  # fmt: skip
            want = np.column_stack(
                [np.array(plain)]
                + [np.array(plain)[:, c] - np.array(plain)[:, c].max() for c in (2, 3, 1)]
            )
            np.testing.assert_allclose(fast, want, rtol=1e-6, atol=1e-6)
            checked += len(cands)
        clusterer.place(rep)
    assert checked > 1000


def test_merge_rows_equal_pair_rows_computed_one_by_one() -> None:
    clusterer = _clusterer()
    for rep in _reps(200):
        clusterer.place(rep)
    compared = 0
    for sid in list(clusterer.stories):
        cands, sims = clusterer.merge_neighbours(sid)
        if not cands:
            continue
        fast = clusterer.merge_rows(sid, cands, sims)
        story = clusterer.stories[sid]
        plain = [
            pair_row(story, clusterer.stories[c], float(sims[j]), float(sims[0]))
            for j, c in enumerate(cands)
        ]
        np.testing.assert_allclose(fast, np.array(plain), rtol=1e-6, atol=1e-6)
        compared += len(cands)
    assert compared > 20


def test_gathered_windows_answer_as_a_fresh_gather() -> None:
    rng = np.random.default_rng(2)
    index = WindowIndex(8, window_days=2)
    fresh = WindowIndex(8, window_days=2)
    stories: dict[int, StoryState] = {}
    twins: dict[int, StoryState] = {}
    for step in range(600):
        sid = int(rng.integers(1, 120))
        day = None if rng.random() < 0.1 else int(rng.integers(100, 130))
        delta = rng.standard_normal(8).astype(np.float32)  # the story's centroid moves
        for table, idx in ((stories, index), (twins, fresh)):
            state = table.setdefault(sid, StoryState(sid, np.zeros(8, dtype=np.float32)))
            state.dsum = state.dsum + delta
            if day is not None:
                state.dmax = day if state.dmax is None else max(state.dmax, day)
            idx.upsert(state)
        if step % 97 == 0 and len(stories) > 3:  # a merge removes a story
            gone = sorted(stories)[1]
            index.remove(stories.pop(gone))
            fresh.remove(twins.pop(gone))
        fresh._gathered.clear()  # the reference gathers on every query
        query = rng.standard_normal(8).astype(np.float32)
        qday = int(rng.integers(95, 135))
        got_ids, got_sims = index.query(query, qday, 5)
        want_ids, want_sims = fresh.query(query, qday, 5)
        assert got_ids == want_ids
        np.testing.assert_allclose(got_sims, want_sims, rtol=1e-5)
    assert len(index._gathered) <= WindowIndex.WINDOWS


def test_best_member_similarities_are_the_dictionary_dot_products() -> None:
    reps = _reps(40)
    vocab = Vocabulary()
    groups = [reps[0:3], reps[3:4], reps[4:12]]
    got = vocab.best([reps[20], reps[21]], [vocab.members(g) for g in groups])
    want = [
        max(sum(q.tfidf[t] * m.tfidf[t] for t in q.tfidf.keys() & m.tfidf.keys())
            for q in (reps[20], reps[21]) for m in g)
        for g in groups
    ]  # fmt: skip
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)
    unseen = Representation("u", {"zzzunseen": 1.0}, {}, reps[0].dense, None, 1, "en")
    assert vocab.best([unseen], [vocab.members(reps[0:2])]).tolist() == [0.0]
    assert vocab.best([unseen], []).shape == (0,)
    with pytest.raises(ValueError, match="no members"):
        vocab.members([])


def test_a_representation_cached_by_one_vocabulary_is_recomputed_by_another() -> None:
    reps = _reps(10)
    first, second = Vocabulary(), Vocabulary()
    second.terms(reps[9])  # other ids in the second vocabulary
    a = first.best([reps[1]], [first.members(reps[2:5])])
    b = second.best([reps[1]], [second.members(reps[2:5])])
    np.testing.assert_allclose(a, b, rtol=1e-12)


def test_prefetch_refuses_bad_worker_counts() -> None:
    encoder = StaticEncoder()
    with pytest.raises(ValueError, match="workers=0"):
        DensePrefetch(encoder, [[]], threading.Lock(), workers=0)
    with pytest.raises(ValueError, match="StaticEncoder has none"):
        DensePrefetch(encoder, [[]], threading.Lock(), workers=2)


def test_the_text_only_hook_sees_every_chunk_once_in_order(tmp_path: Path) -> None:
    from newsprism.stories.build import CHUNK, Builder
    from newsprism.stories.encoders import scoring_model

    rows = [
        {"id": f"h{i:04d}", "title": f"{WORDS[i % 30].capitalize()} report {i}",
         "text": " ".join(WORDS[(i + j) % len(WORDS)] for j in range(40)),
         "published": f"2025-04-{1 + i % 9:02d}"}
        for i in range(CHUNK + 37)
    ]  # fmt: skip
    src = tmp_path / "a.jsonl"
    src.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    seen: list[list[str]] = []

    def hook(articles: list[Article] | tuple[Article, ...]) -> None:
        seen.append([a.id for a in articles])

    settings = Settings(db=tmp_path / "h.db", story_encoder="static")
    with Service(settings) as svc:
        svc.ingest([str(src)])
        builder = Builder(svc.store, StaticEncoder(), scoring_model("static"))
        report = builder.run(alongside=hook)
        assert report.articles == len(rows)
        assert [len(c) for c in seen] == [CHUNK, 37]
        assert [i for c in seen for i in c] == [r["id"] for r in rows]
        seen.clear()
        assert builder.run(alongside=hook).articles == 0 and seen == []


@pytest.mark.slow
def test_minilm_replicas_on_two_threads_give_the_primary_vectors() -> None:
    from newsprism.stories.encoder import MiniLMEncoder

    encoder = MiniLMEncoder.for_stories(threads=1)
    arts = [text_article(f"m{i}", " ".join(WORDS[i % 9 : i % 9 + 12 + i % 5])) for i in range(90)]
    chunks = [arts[0:40], arts[40:41], [], arts[41:90]]
    with DensePrefetch(encoder, chunks, threading.Lock(), ahead=3, workers=2) as ahead:
        got = [ahead.take(k) for k in range(len(chunks))]
    from newsprism.stories.represent import dense_text

    for chunk, vectors in zip(chunks, got, strict=True):
        want = encoder.encode([dense_text(a, encoder.words) for a in chunk])
        assert np.array_equal(vectors, want)
    with pytest.raises(ValueError, match="replica n=-1"):
        encoder.replica(-1)


def test_build_encodes_at_most_torch_threads_chunks_at_once() -> None:
    from newsprism.stories.build import _encode_workers
    from newsprism.stories.encoder import MiniLMEncoder

    assert _encode_workers(MiniLMEncoder(threads=1)) == 1  # the setting caps the cores taken
    assert _encode_workers(MiniLMEncoder(threads=8)) == min(2, os.cpu_count() or 1)
    assert _encode_workers(object()) == 1  # type: ignore[arg-type]  # no replicas: one
