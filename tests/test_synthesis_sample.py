"""The sample of a very large story that the synthesis reads."""

from __future__ import annotations

from dataclasses import replace

import pytest

from newsprism.models import Article, Side
from newsprism.synthesis.sample import read_sample
from newsprism.synthesis.stage import synthesize
from tests.conftest import text_article


def _article(n: int, outlet: str, day: int) -> Article:
    body = f"The harbour bridge reopened on day {n} after repairs, the council said."
    base = text_article(f"a{n:03d}", body, f"2025-12-{day:02d}")
    return replace(base, outlet_name=outlet, outlet_domain=f"{outlet.lower()}.example")


def test_a_small_story_is_read_whole() -> None:
    articles = [_article(n, "Daily", 1) for n in range(5)]
    assert read_sample(articles, {}, limit=5) == (articles, None)


def test_sides_and_outlets_take_turns_earliest_first() -> None:
    articles = [_article(n, "Wire", 1 + n % 20) for n in range(60)]  # one busy left outlet
    articles += [_article(100 + n, f"Centre{n % 4}", 3 + n) for n in range(8)]
    articles += [_article(200, "Right", 9), _article(201, "Right", 2)]
    sides = {a.id: Side.LEFT for a in articles[:60]}
    sides |= {a.id: Side.CENTER for a in articles[60:68]}
    sides |= {"a200": Side.RIGHT, "a201": Side.RIGHT}
    kept, note = read_sample(articles, sides, limit=9)
    ids = [a.id for a in kept]
    assert len(ids) == 9 and ids == [a.id for a in articles if a.id in set(ids)]  # story order
    assert {"a200", "a201"} <= set(ids)  # the rarer side is read whole
    centres = {a.outlet_name for a in kept if sides[a.id] is Side.CENTER}
    assert centres == {"Centre0", "Centre1", "Centre2"}  # three outlets before any repeats
    wire = sorted((a.published for a in kept if a.outlet_name == "Wire"), key=str)
    assert [d.day for d in wire if d] == [1, 1, 1, 2][: len(wire)]  # earliest first
    assert note is not None and "9 of the story's 70 articles" in note
    assert read_sample(articles, sides, limit=9) == (kept, note)  # deterministic


def test_undated_articles_and_bad_limits() -> None:
    articles = [replace(_article(n, f"O{n}", 1), published=None) for n in range(4)]
    kept, note = read_sample(articles, {}, limit=2)
    assert [a.id for a in kept] == ["a000", "a001"] and note is not None
    with pytest.raises(ValueError, match="limit 0 is not valid"):
        read_sample(articles, {}, limit=0)


def test_a_huge_story_is_synthesised_from_its_sample_and_says_so() -> None:
    articles = [_article(n, f"Outlet{n % 50}", 1 + n % 28) for n in range(400)]
    synthesis = synthesize(articles, {}, with_parts=False, max_articles=48)
    assert len(synthesis.articles) == 48
    assert any("48 of the story's 400 articles" in n for n in synthesis.summary.notes)
    small = synthesize(articles[:3], {}, with_parts=False, max_articles=48)
    assert not any("sample" in n for n in small.summary.notes)
