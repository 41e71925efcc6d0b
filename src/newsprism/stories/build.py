"""The build stage: new articles -> representations -> stories -> labels -> threads.

A build takes every article stored since the last build, in insertion order, in chunks; each
chunk is one transaction (representations, assignments, merges, story labels, progress), so a
build interrupted at any point resumes at the next ``build`` without losing or repeating work.

Articles with a ``story`` key are pinned into that story; reprints join their original's story;
everything else goes through the :class:`~newsprism.stories.clusterer.Clusterer`.
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from newsprism.models import Article
from newsprism.store.sqlite import SQLiteStore
from newsprism.stories.clusterer import Clusterer, ScoringModel
from newsprism.stories.encoder import Encoder
from newsprism.stories.labels import story_label
from newsprism.stories.prefetch import DensePrefetch
from newsprism.stories.represent import (
    ENTITY_METHOD,
    TFIDF_METHOD,
    CorpusStats,
    Representation,
    article_day,
    day_to_iso,
    dense_text,
    n_words,
    pack_dense,
    pack_entities,
    pack_tfidf,
    unpack_dense,
    unpack_entities,
    unpack_tfidf,
)
from newsprism.stories.threads import ThreadLinker

CHUNK = 500


@dataclass
class BuildReport:
    articles: int = 0
    new_stories: int = 0
    joined: int = 0
    pinned: int = 0
    reprints: int = 0
    merges: int = 0
    threads_linked: int = 0
    undated: int = 0  # articles the clusterer placed with no date: on their content alone
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    lean: dict[str, int] = field(default_factory=dict)  # the lean stage's counts, when it ran
    syntheses: int | None = None  # syntheses stored by the build, when it made them
    warnings: list[str] = field(default_factory=list)  # e.g. a story whose synthesis failed

    def summary(self) -> dict[str, int]:
        return {
            "articles": self.articles,
            "new_stories": self.new_stories,
            "joined": self.joined,
            "pinned": self.pinned,
            "reprints": self.reprints,
            "merges": self.merges,
            "threads_linked": self.threads_linked,
            "undated": self.undated,
        }


class Builder:
    """Runs a build over a store. ``encoder`` is any object with ``method``, ``dim`` and
    ``encode(list[str]) -> ndarray``."""

    def __init__(
        self,
        store: SQLiteStore,
        encoder: Encoder,
        model: ScoringModel | None = None,
    ) -> None:
        self._store = store
        self._encoder = encoder
        self._model = model or ScoringModel.load()
        self._encode_lock = threading.Lock()  # the background encoder and this thread
        self.method = f"{self._model.name}+{encoder.method}+{TFIDF_METHOD}+{ENTITY_METHOD}"

    def run(
        self,
        full: bool = False,
        progress: Callable[[int, int], None] | None = None,
        alongside: Callable[[Sequence[Article]], None] | None = None,
    ) -> BuildReport:
        """Build every article stored since the last build. ``alongside`` is called with each
        chunk's articles, in order, inside the chunk's transaction, before the chunk takes its
        dense vectors: text-only work placed there runs while the encoder threads work.
        (Running it further ahead, while a chunk's vectors are awaited, was measured: it slowed
        the encoder threads' start, which holds the build's critical path, and gained nothing.)"""
        store = self._store
        report = BuildReport()
        started = time.perf_counter()
        previous: dict[str, tuple[int, int | None]] = {}
        if full:
            previous = store.assignments()
            max_story, max_thread = store.max_ids()
            with store.transaction():
                store.clear_machine_assignments()
        start_seq = store.last_built_seq()
        pending = [(seq, a) for seq, a in store.articles_after(start_seq)]
        total = len(pending)
        if not pending:
            report.seconds = time.perf_counter() - started
            return report
        done = 0
        with (
            _one_blas_thread(),  # the cores belong to the encoder threads and this one
            self._prefetch(pending) as ahead,  # the encoder loads while stories are restored
        ):
            stats = CorpusStats(store.load_corpus_stats())
            clusterer = self._restore(pending, stats)
            linker = ThreadLinker(store)
            for k, offset in enumerate(range(0, total, CHUNK)):
                chunk = pending[offset : offset + CHUNK]
                self._build_chunk(chunk, (ahead, k), stats, clusterer, linker, report, alongside)
                done += len(chunk)
                if progress:
                    progress(done, total)
        if full:
            with store.transaction():
                keep_ids(store, previous, max_story, max_thread)
        report.articles = total
        report.seconds = time.perf_counter() - started
        return report

    def _build_chunk(
        self,
        chunk: list[tuple[int, Article]],
        vectors: tuple[DensePrefetch, int],
        stats: CorpusStats,
        clusterer: Clusterer,
        linker: ThreadLinker,
        report: BuildReport,
        alongside: Callable[[Sequence[Article]], None] | None = None,
    ) -> None:
        """One chunk in one transaction: representations, assignments, merges, labels,
        threads, running statistics and progress."""
        store = self._store
        with store.transaction():
            build_id = store.start_build(self.method)
            if alongside is not None:
                started = time.perf_counter()
                alongside([a for _, a in chunk])
                report.timings["alongside"] = (
                    report.timings.get("alongside", 0.0) + time.perf_counter() - started
                )
            reps = self._represent([a for _, a in chunk], stats, report, vectors)
            touched = self._assign(chunk, reps, clusterer, build_id, report)
            touched |= self._apply_merges(clusterer, report)
            self._relabel(touched, clusterer)
            report.threads_linked += linker.link(sorted(touched))
            stats.since_merge = clusterer.since_merge
            store.save_corpus_stats(stats.as_rows())
            stats.mark_saved()
            store.finish_build(build_id, chunk[-1][0], report.summary())

    def _prefetch(self, pending: list[tuple[int, Article]]) -> DensePrefetch:
        """Background encoding of every chunk's articles that have no stored vector yet."""
        stored = self._store.feature_ids("dense", self._encoder.method, [a.id for _, a in pending])
        chunks = [
            [a for _, a in pending[offset : offset + CHUNK] if a.id not in stored]
            for offset in range(0, len(pending), CHUNK)
        ]
        workers = _encode_workers(self._encoder)
        return DensePrefetch(
            self._encoder, chunks, self._encode_lock, ahead=max(2, workers), workers=workers
        )

    # --- representations --------------------------------------------------------------------
    def _represent(
        self,
        articles: Sequence[Article],
        stats: CorpusStats,
        report: BuildReport,
        vectors: tuple[DensePrefetch, int] | None = None,
    ) -> list[Representation]:
        store = self._store
        ids = [a.id for a in articles]
        t0 = time.perf_counter()
        tfidf = store.get_features("tfidf", TFIDF_METHOD, ids)
        ents = store.get_features("entities", ENTITY_METHOD, ids)
        dense = store.get_features("dense", self._encoder.method, ids)
        new_sparse = []
        for article in articles:
            if article.id not in tfidf or article.id not in ents:
                stats.observe_case(article)
                vec = stats.tfidf(article)
                found = stats.entities(article)
                tfidf[article.id] = pack_tfidf(vec)
                ents[article.id] = pack_entities(found)
                new_sparse.append(article.id)
        store.put_features("tfidf", TFIDF_METHOD, [(i, tfidf[i]) for i in new_sparse])
        store.put_features("entities", ENTITY_METHOD, [(i, ents[i]) for i in new_sparse])
        t1 = time.perf_counter()
        missing = [a for a in articles if a.id not in dense]
        encoded = None
        if vectors is not None:
            ahead, k = vectors
            encoded = ahead.take(k)
            if ahead.ids(k) != [a.id for a in missing]:
                encoded = None  # the store changed since the build started: encode here
        if missing:
            if encoded is None:
                with self._encode_lock:
                    words = self._encoder.words
                    encoded = self._encoder.encode([dense_text(a, words) for a in missing])
            rows = [(a.id, pack_dense(v)) for a, v in zip(missing, encoded, strict=True)]
            store.put_features("dense", self._encoder.method, rows)
            dense.update(rows)
        t2 = time.perf_counter()
        report.timings["sparse"] = report.timings.get("sparse", 0.0) + t1 - t0
        report.timings["dense"] = report.timings.get("dense", 0.0) + t2 - t1
        return [
            Representation(
                article_id=a.id,
                tfidf=unpack_tfidf(tfidf[a.id]),
                entities=unpack_entities(ents[a.id]),
                dense=unpack_dense(dense[a.id]),
                day=article_day(a),
                n_words=n_words(a),
                language=a.language,
            )
            for a in articles
        ]

    def _load_reps(self, articles: Sequence[Article]) -> list[Representation]:
        ids = [a.id for a in articles]
        store = self._store
        tfidf = store.get_features("tfidf", TFIDF_METHOD, ids)
        ents = store.get_features("entities", ENTITY_METHOD, ids)
        dense = store.get_features("dense", self._encoder.method, ids)
        missing = [a for a in articles if a.id not in dense and a.id in tfidf and a.id in ents]
        if missing:  # stored under another encoder before a switch: encode with this one, once
            with self._encode_lock:
                words = self._encoder.words
                vectors = self._encoder.encode([dense_text(a, words) for a in missing])
            rows = [(a.id, pack_dense(v)) for a, v in zip(missing, vectors, strict=True)]
            with store.transaction():
                store.put_features("dense", self._encoder.method, rows)
            dense.update(rows)
        return [
            Representation(a.id, unpack_tfidf(tfidf[a.id]), unpack_entities(ents[a.id]),
                           unpack_dense(dense[a.id]), article_day(a), n_words(a), a.language)
            for a in articles
            if a.id in tfidf and a.id in ents and a.id in dense
        ]  # fmt: skip

    # --- clustering -------------------------------------------------------------------------
    def _restore(self, pending: list[tuple[int, Article]], stats: CorpusStats) -> Clusterer:
        """A clusterer holding the stored stories that the new articles can reach."""
        store = self._store

        def new_id() -> int:
            return store.new_story(self.method)

        clusterer = Clusterer(self._model, self._encoder.dim, new_id)
        clusterer.since_merge = stats.since_merge
        days = [article_day(a) for _, a in pending]
        earliest = min((d for d in days if d is not None), default=None)
        if earliest is None or any(d is None for d in days):
            since = None  # an undated article may join any story
        else:  # (a window reaching before year 1, for an article dated then: every story)
            start = earliest - self._model.window_days
            since = date.fromordinal(start).isoformat() if start >= 1 else None
        for row in store.stories_active_since(since):
            members = store.get_articles(aid for aid, _, _ in store.story_members(row["id"]))
            clusterer.restore(
                row["id"], self._load_reps(members), pinned=row["pinned_key"] is not None
            )
        return clusterer

    def _assign(
        self,
        chunk: list[tuple[int, Article]],
        reps: list[Representation],
        clusterer: Clusterer,
        build_id: int,
        report: BuildReport,
    ) -> set[int]:
        store = self._store
        touched: set[int] = set()
        assigned: dict[str, int] = {}
        for (_, article), rep in zip(chunk, reps, strict=True):
            if article.story_key:
                sid = store.pinned_story(article.story_key) or store.new_story(
                    self.method, pinned_key=article.story_key
                )
                clusterer.add(sid, rep, pinned=True)
                store.assign(article.id, sid, None, "pinned", build_id)
                report.pinned += 1
            elif article.duplicate_of and (
                original := assigned.get(article.duplicate_of)
                or store.story_of(article.duplicate_of)
            ):
                clusterer.add(original, rep)
                store.assign(article.id, original, 1.0, "reprint", build_id)
                report.reprints += 1
                sid = original
            else:
                sid, prob = clusterer.place(rep)
                store.assign(article.id, sid, prob, self._model.name, build_id)
                report.undated += rep.day is None
                if prob is None:
                    report.new_stories += 1
                else:
                    report.joined += 1
            assigned[article.id] = sid
            touched.add(sid)
        return touched

    def _apply_merges(self, clusterer: Clusterer, report: BuildReport) -> set[int]:
        kept: set[int] = set()
        for keep, gone in clusterer.merges:
            self._store.merge_stories(keep, gone)
            kept.add(keep)
            report.merges += 1
        clusterer.merges.clear()
        return kept

    def _relabel(self, touched: set[int], clusterer: Clusterer) -> None:
        store = self._store
        for sid in sorted(touched):
            state = clusterer.stories.get(sid)
            if state is None:
                continue  # merged away
            members = store.get_articles(aid for aid, _, _ in store.story_members(sid))
            reps = {r.article_id: r for r in self._load_reps(members)}
            title, method = story_label(members, reps, state.centroid, state.ents)
            days = [d for d in (article_day(a) for a in members) if d is not None]
            store.update_story(
                sid,
                title,
                method,
                day_to_iso(min(days)) if days else None,
                day_to_iso(max(days)) if days else None,
                len(members),
                pack_dense(state.centroid.astype(np.float32)),
                [e for e, _ in state.ents.most_common(12)],
            )


def _one_blas_thread() -> AbstractContextManager[object]:
    """numpy's OpenBLAS at one thread while the build runs: the clusterer's products are small,
    and a second BLAS thread spinning for work took a core from the encoder threads (the
    window query cost 6 s of a build instead of 0.7 s)."""
    from threadpoolctl import ThreadpoolController

    limiter: AbstractContextManager[object] = (
        ThreadpoolController().select(internal_api="openblas").limit(limits=1)
    )
    return limiter


def _encode_workers(encoder: Encoder) -> int:
    """Chunks encoded at once, for an encoder that can replicate itself (else one): one per
    core, each on one torch thread, at most two (memory) and at most the encoder's ``threads``
    (the ``torch_threads`` setting caps the cores the build's encoding takes)."""
    if not hasattr(encoder, "replica"):
        return 1
    cap = int(getattr(encoder, "threads", 2) or 1)
    return max(1, min(2, cap, os.cpu_count() or 1))


def _match(old_of: dict[str, int], new_of: dict[str, int], first_new: int) -> dict[int, int]:
    """new id -> old id, greedily by shared members, each old id used once."""
    overlap: Counter[tuple[int, int]] = Counter(
        (new, old_of[key]) for key, new in new_of.items() if new > first_new and key in old_of
    )
    mapping: dict[int, int] = {}
    used: set[int] = set()
    for (new, old), _ in sorted(overlap.items(), key=lambda kv: (-kv[1], kv[0])):
        if new not in mapping and old not in used:
            mapping[new] = old
            used.add(old)
    return mapping


def keep_ids(
    store: SQLiteStore, previous: dict[str, tuple[int, int | None]], max_story: int,
    max_thread: int,
) -> None:  # fmt: skip
    """After a full re-cluster, give each new story (and thread) the id of the old one it
    shares most articles with, so ids stay stable."""
    now = store.assignments()
    stories = _match(
        {a: s for a, (s, _) in previous.items()}, {a: s for a, (s, _) in now.items()}, max_story
    )
    for new, old in stories.items():
        store.renumber_story(new, old)
    now = store.assignments()
    threads = _match(
        {a: t for a, (_, t) in previous.items() if t is not None},
        {a: t for a, (_, t) in now.items() if t is not None},
        max_thread,
    )
    for new, old in threads.items():
        store.renumber_thread(new, old)
