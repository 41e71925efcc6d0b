from __future__ import annotations

import json
import math
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from newsprism.lean.framing import (
    FRAMING_METHOD,
    Framing,
    compare_framing,
    frame_story,
    log_odds,
    term_counts,
)
from newsprism.models import Article, Side, SideAssignment, Story, StoryArticle
from newsprism.service import Service

from .conftest import SEEDS


def _seed(prefix: str) -> str:
    return next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def seeds_framing() -> Framing:
    return compare_framing(
        {Side.LEFT: [_seed("000")], Side.CENTER: [_seed("002")], Side.RIGHT: [_seed("003")]}
    )


def test_seed_000_loaded_terms_stand_out_against_002_and_003(seeds_framing: Framing) -> None:
    left, center, right = (seeds_framing.sides[s] for s in (Side.LEFT, Side.CENTER, Side.RIGHT))
    assert {"dictator", "regime", "iron fist"} <= left.loaded.terms.keys()
    assert left.loaded.terms["dictator"] >= 2
    assert "iron fist" not in center.loaded.terms and "iron fist" not in right.loaded.terms
    assert "dictator" not in center.loaded.terms and "dictator" not in right.loaded.terms
    assert left.loaded.per_1000_words > 5 * max(
        center.loaded.per_1000_words, right.loaded.per_1000_words
    )
    assert seeds_framing.compared_with == "other sides"


def test_distinctive_terms_are_over_used_by_their_side(seeds_framing: Framing) -> None:
    for side in seeds_framing.sides.values():
        for term in side.distinctive:
            assert term.z >= 1.645 and term.log_odds > 0 and term.count >= 2
    left_terms = {t.term for t in seeds_framing.sides[Side.LEFT].distinctive}
    assert "lukashenka" in left_terms  # 000's spelling; 002 writes "Lukashenko"


def test_to_dict_is_json_ready(seeds_framing: Framing) -> None:
    data = seeds_framing.to_dict()
    assert data["method"] == FRAMING_METHOD
    assert set(data["sides"]) == {"left", "center", "right"}
    assert data["sides"]["left"]["loaded"]["per_1000_words"] > 0
    assert data["lexicon"] == "newsprism.loaded-lexicon.v1"


def test_log_odds_matches_the_formula() -> None:
    side, other, prior = {"a": 3, "b": 1}, {"a": 1, "b": 3}, {"a": 1.0, "b": 1.0}
    delta, z = log_odds(side, other, prior)["a"]
    expected = math.log(4 / (4 + 2 - 4)) - math.log(2 / (4 + 2 - 2))
    assert delta == pytest.approx(expected)
    assert z == pytest.approx(expected / math.sqrt(1 / 4 + 1 / 2))
    assert log_odds(side, other, prior)["b"][0] == pytest.approx(-expected)


def test_term_counts_unigrams_bigrams_no_stop_words_or_numbers() -> None:
    counts = term_counts("The iron fist. Iron fist of 2025; Putin's regime")
    assert counts["iron fist"] == 2 and counts["iron"] == 2 and counts["putin"] == 1
    assert "the" not in counts and "2025" not in counts and "fist putin" not in counts


def test_empty_texts_and_sides() -> None:
    framing = compare_framing({Side.LEFT: [""], Side.RIGHT: []})
    assert framing.sides == {} and framing.compared_with == "nothing"
    assert "no words from left" in framing.notes and "no words from right" in framing.notes
    assert compare_framing({}).sides == {}


def test_one_side_only_compares_with_the_archive() -> None:
    text = "Sanctions relief sanctions relief potash potash exports. Officials met officials."
    alone = compare_framing({Side.RIGHT: [text]})
    assert alone.compared_with == "archive background"
    assert alone.sides[Side.RIGHT].distinctive == []
    assert any("nothing to compare with" in note for note in alone.notes)
    background = {"officials": 900, "sanctions": 5, "relief": 5, "potash": 1, "exports": 40}
    framed = compare_framing({Side.RIGHT: [text] * 10}, background, background_docs=1000)
    terms = [t.term for t in framed.sides[Side.RIGHT].distinctive]
    assert "officials" not in terms and terms  # common everywhere: not this side's word


def test_non_english_text_has_terms_but_no_loaded_language() -> None:
    ru = "Лукашенко освободил политзаключённых. Лукашенко освободил политзаключённых."
    framing = compare_framing({Side.LEFT: [ru], Side.RIGHT: ["The regime freed prisoners."]})
    assert framing.sides[Side.LEFT].loaded.total == 0
    assert framing.sides[Side.RIGHT].loaded.total == 1


def test_huge_texts_stay_fast() -> None:
    huge = "The regime ruled with an iron fist while officials met. " * 100_000  # 5.7 MB
    started = time.perf_counter()
    framing = compare_framing({Side.LEFT: [huge], Side.RIGHT: [_seed("003")]})
    assert time.perf_counter() - started < 15.0
    assert framing.sides[Side.LEFT].loaded.total > 0


@pytest.mark.parametrize(("top", "min_count"), [(-1, 2), (5, 0)])
def test_bad_parameters_are_named(top: int, min_count: int) -> None:
    with pytest.raises(ValueError, match="top must be >= 0"):
        compare_framing({Side.LEFT: ["x"]}, top=top, min_count=min_count)


def _assignment(article_id: str, side: Side) -> SideAssignment:
    basis = "none" if side is Side.UNRATED else "outlet-rating"
    return SideAssignment(article_id, side, basis, False, None, None, None, None, "test")


def test_frame_story_from_the_store(service: Service) -> None:
    service.ingest([str(SEEDS)])
    articles = {a.source_ref.rsplit("/", 1)[-1][:3]: a for a in service.articles()}
    with service.store.transaction():
        service.store.save_corpus_stats(
            [("meta", "n_docs", 1000), ("df", "belarus", 400), ("df", "lukashenka", 3)]
        )
    chosen = [articles["000"], articles["002"], articles["003"], articles["001"]]
    story = _story(chosen)
    sides = {
        chosen[0].id: _assignment(chosen[0].id, Side.LEFT),
        chosen[1].id: _assignment(chosen[1].id, Side.CENTER),
        chosen[2].id: _assignment(chosen[2].id, Side.RIGHT),
        chosen[3].id: _assignment(chosen[3].id, Side.UNRATED),
    }
    framing = frame_story(story, sides, service.store)
    assert framing.background_docs == 1000
    assert {"dictator", "regime", "iron fist"} <= framing.sides[Side.LEFT].loaded.terms.keys()
    assert "1 unrated article(s) left out" in framing.notes
    assert service.store.corpus_stat_values("df", ["belarus", "nope"] * 600) == {"belarus": 400}


def _story(articles: list[Article]) -> Story:
    members = tuple(StoryArticle(a, None, "test") for a in articles)
    return Story(1, None, None, None, None, len(articles), None, None, (), "test", members)


@pytest.mark.slow
def test_story_framing_through_the_service_and_cli(service: Service, tmp_path: Path) -> None:
    rows = [
        {"id": "a", "text": _seed("000"), "url": "https://www.foxnews.com/world/a", "story": "k"},
        {"id": "b", "text": _seed("002"), "url": "https://www.nytimes.com/world/b", "story": "k"},
    ]
    path = tmp_path / "two.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    service.ingest([str(path)])
    service.build()
    story_id = service.store.story_of("a")
    assert story_id is not None
    sides = service.story_sides(story_id)
    framing = service.story_framing(story_id)
    assert framing is not None and service.story_framing(99999) is None
    side_a = sides["a"].side
    assert set(framing.sides) == {a.side for a in sides.values()} - {Side.UNRATED}
    assert side_a is not Side.UNRATED and sides["b"].side is not Side.UNRATED
    assert {"dictator", "regime", "iron fist"} <= framing.sides[side_a].loaded.terms.keys()
    db = str(service.settings.db)
    service.close()
    shown = _cli("--db", db, "show", str(story_id), "--format", "json")
    assert shown["framing"] == framing.to_dict()
    exported = _cli("--db", db, "export", "stories", "--format", "json")
    assert exported[0]["framing"]["method"] == FRAMING_METHOD


def _cli(*args: str) -> Any:
    done = subprocess.run(
        [sys.executable, "-m", "newsprism", *args], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)
