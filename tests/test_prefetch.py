"""Background encoding of the next build chunks: the same vectors, and a build interrupted
while it runs resumes to the same stories as one uninterrupted build."""

from __future__ import annotations

import json
import random
import threading
from pathlib import Path

import numpy as np
import pytest

from newsprism.config import Settings
from newsprism.service import Service
from newsprism.stories.build import CHUNK
from newsprism.stories.prefetch import DensePrefetch
from newsprism.stories.represent import dense_text
from newsprism.stories.static_encoder import StaticEncoder
from tests.conftest import text_article

TOPICS = [
    ("Flood", "River levels rose across the northern valley and rescue teams moved families."),
    ("Election", "Polls closed in the capital as the commission began counting ballots."),
    ("Strike", "Rail workers walked out over pay and services stopped on every line."),
    ("Vaccine", "Regulators approved the new vaccine after trials showed strong protection."),
]


def _articles(n: int) -> list[dict[str, str]]:
    rng = random.Random(3)
    rows = []
    for i in range(n):
        name, lead = TOPICS[i % len(TOPICS)]
        words = lead.split()
        rng.shuffle(words)
        rows.append(
            {
                "id": f"a{i:05d}",
                "title": f"{name} update {i % 7}",
                "text": f"{lead} {' '.join(words)} Officials in Region{i % 5} said more later.",
                "published": f"2025-03-{1 + i % 20:02d}",
                "outlet": f"Outlet {i % 9}",
            }
        )
    return rows


def test_prefetched_vectors_are_the_direct_ones() -> None:
    encoder = StaticEncoder()
    arts = [text_article(f"x{i}", f"{TOPICS[i % 4][1]} Item {i}.") for i in range(23)]
    chunks = [arts[0:10], [], arts[10:11], arts[11:23]]
    with DensePrefetch(encoder, chunks, threading.Lock(), ahead=2) as ahead:
        for k, chunk in enumerate(chunks):
            assert ahead.ids(k) == [a.id for a in chunk]
            got = ahead.take(k)
            want = encoder.encode([dense_text(a, encoder.words) for a in chunk])
            assert got.shape == want.shape
            assert np.array_equal(got, want)


def test_prefetch_refuses_bad_arguments() -> None:
    encoder = StaticEncoder()
    with pytest.raises(ValueError, match="ahead=0"):
        DensePrefetch(encoder, [[]], threading.Lock(), ahead=0)
    with DensePrefetch(encoder, [[], []], threading.Lock(), ahead=50) as ahead:
        with pytest.raises(IndexError, match="chunk 2 does not exist; there are 2"):
            ahead.take(2)
        with pytest.raises(IndexError, match="chunk -1"):
            ahead.take(-1)
        assert ahead.take(1).shape[0] == 0


@pytest.mark.slow
def test_a_build_interrupted_between_chunks_resumes_to_the_same_stories(tmp_path: Path) -> None:
    src = tmp_path / "stream.jsonl"
    rows = _articles(2 * CHUNK + 150)  # three chunks
    src.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")

    def settings(name: str) -> Settings:
        return Settings(
            db=tmp_path / name, story_encoder="static", synthesize_on_build=False, host_delay_s=0
        )

    with Service(settings("whole.db")) as svc:
        svc.ingest([str(src)])
        svc.build()
        whole = svc.assignments()
    assert len({story for story, _ in whole.values()}) > 1
    with Service(settings("cut.db")) as svc:
        svc.ingest([str(src)])

        def stop_after_first(done: int, total: int) -> None:
            if done == CHUNK:
                raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            svc.build(progress=stop_after_first)
        assert len(svc.assignments()) == CHUNK  # the first chunk was committed, nothing more
    with Service(settings("cut.db")) as svc:
        report = svc.build()
        assert report.articles == len(rows) - CHUNK
        assert svc.assignments() == whole
