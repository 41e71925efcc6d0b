"""Clustering quality gate: a fixed slice of the dev file through ingest + build must keep its
B-cubed F1 above the floors pinned in tests/quality_floors.json (floors only go up), and no
thread may swallow the slice (a ceiling that only goes down)."""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path

import pytest

from benchmarks.clusters_data import DEV, PARTS, score, stream, write_jsonl
from newsprism.service import Service

FLOORS = json.loads((Path(__file__).parent / "quality_floors.json").read_text(encoding="utf-8"))
CLUSTERS_PER_PART = {"neus_allsides": 120, "uci_news_aggregator": 8, "ecbplus": 6}


def _slice() -> list[dict]:
    rows = stream()
    rng = random.Random(7)
    keep: set[str] = set()
    for part, n in CLUSTERS_PER_PART.items():
        clusters = sorted({r["cluster_id"] for r in rows if r["dataset"] == part})
        keep.update(rng.sample(clusters, n))
    return [r for r in rows if r["cluster_id"] in keep]


@pytest.mark.slow
@pytest.mark.skipif(not DEV.exists(), reason="../shared/eval is not beside this checkout")
def test_clustering_quality_floor(service: Service, tmp_path: Path) -> None:
    rows = _slice()
    gold = write_jsonl(rows, tmp_path / "slice.jsonl")
    service.ingest([str(tmp_path / "slice.jsonl")])
    service.build()
    pred = {aid: story for aid, (story, _) in service.assignments().items()}
    scores = score(pred, gold)
    print(json.dumps(scores, indent=1))
    for part in PARTS:
        assert scores[part]["b3_f1"] >= FLOORS[part], (part, scores[part])
    sizes = Counter(story.thread_id for story in service.stories() if story.thread_id)
    assert sizes and max(sizes.values()) <= FLOORS["largest_thread_max"], sizes.most_common(3)
