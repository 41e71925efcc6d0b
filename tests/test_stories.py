"""The story engine on real articles: seeds, pinned stories, reprints, resume, stable ids."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from newsprism.config import Settings
from newsprism.service import Service
from tests.conftest import SEEDS

pytestmark = pytest.mark.slow  # loads the sentence encoder


def _seed_story_sets(service: Service) -> list[set[str]]:
    groups: dict[int, set[str]] = {}
    for article in service.articles():
        story_id, _ = service.assignments()[article.id]
        groups.setdefault(story_id, set()).add(Path(article.source_ref).name[:3])
    return sorted(groups.values(), key=min)


def test_seed_articles_form_two_stories_in_one_thread(service: Service) -> None:
    service.ingest([str(SEEDS)])
    report = service.build()
    assert report.articles == 5
    assert _seed_story_sets(service) == [{"000", "001", "002", "003"}, {"004"}]
    threads = service.threads()
    assert len(threads) == 1
    assert [s.first_seen for s in threads[0].stories] == ["2025-09-11", "2025-12-13"]
    december = next(s for s in service.stories() if s.n_articles == 4)
    assert december.title == "Belarus frees 123 prisoners in bid to improve US relations"


def test_build_is_incremental_and_a_second_build_does_nothing(service: Service) -> None:
    service.ingest([str(SEEDS)])
    assert service.build().articles == 5
    assert service.build().articles == 0
    before = service.assignments()
    service.build(full=True)
    assert service.assignments() == before  # same stories, same ids


def test_pinned_articles_stay_in_their_story(service: Service, tmp_path: Path) -> None:
    rows = [
        {"id": "p1", "title": "Harbour strike ends", "text": "Dock workers returned to work.",
         "story": "editor-1", "published": "2025-01-01"},
        {"id": "p2", "title": "Budget vote delayed", "text": "Parliament postponed the vote.",
         "story": "editor-1", "published": "2025-01-01"},
    ]  # fmt: skip
    src = tmp_path / "pinned.jsonl"
    src.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    service.ingest([str(src), str(SEEDS)])
    report = service.build()
    assert report.pinned == 2
    assigned = service.assignments()
    assert assigned["p1"][0] == assigned["p2"][0]
    story = service.story(assigned["p1"][0])
    assert story is not None and story.pinned_key == "editor-1"
    service.build(full=True)
    assert service.assignments()["p1"][0] == assigned["p1"][0]


def test_reprints_are_folded_under_their_original(service: Service, tmp_path: Path) -> None:
    (seed,) = SEEDS.glob("002_*.txt")
    text = seed.read_text(encoding="utf-8")
    copy = tmp_path / "syndicated.jsonl"
    copy.write_text(
        json.dumps({"id": "copy", "title": "US and Belarus deal frees prisoners", "text": text,
                    "outlet": "Other Paper"}),
        encoding="utf-8",
    )  # fmt: skip
    service.ingest([str(SEEDS), str(copy)])
    service.build()
    copy_story = service.assignments()["copy"][0]
    story = service.story(copy_story)
    assert story is not None
    folded = {r.id for sa in story.articles for r in sa.reprints}
    assert folded == {"copy"}


def test_an_interrupted_build_resumes_without_loss(settings: Settings) -> None:
    with Service(settings) as svc:
        svc.ingest([str(SEEDS)])

        def boom(done: int, total: int) -> None:
            raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            svc.build(progress=boom)
    with Service(settings) as svc:
        # the first chunk was committed before the interrupt; nothing is assigned twice
        report = svc.build()
        assert len(svc.assignments()) == 5
        assert report.articles in (0, 5)
        assert _seed_story_sets(svc) == [{"000", "001", "002", "003"}, {"004"}]


def test_entity_labels_drop_names_inside_longer_ones() -> None:
    from newsprism.models import Story

    story = Story(
        id=1, title=None, title_method=None, first_seen=None, last_seen=None, n_articles=1,
        thread_id=None, pinned_key=None, method="m",
        top_entities=("ales", "ales bialiatski", "belarus", "bialiatski", "nobel", "minsk"),
    )  # fmt: skip
    assert story.entity_labels() == ["Ales Bialiatski", "Belarus", "Nobel", "Minsk"]
    assert story.entity_labels(2) == ["Ales Bialiatski", "Belarus"]
    assert replace(story, top_entities=()).entity_labels() == []
