"""The timeline on the seed articles and on hand-made texts: relative dates resolved against
the article's date, merging across articles, other languages, undated, hostile and huge texts."""

from __future__ import annotations

import time
from datetime import date

import pytest

from newsprism.models import Article
from newsprism.synthesis.dating import Precision, find_dates
from newsprism.synthesis.timeline import TIMELINE_METHOD, Timeline, TimelineEvent, timeline
from tests.conftest import text_article as _article


@pytest.fixture(scope="module")
def seed_timeline(stored_seeds: dict[str, Article]) -> Timeline:
    return timeline(list(stored_seeds.values()))


def _event(tl: Timeline, when: str, kind: str) -> TimelineEvent:
    found = [e for e in tl.events if e.when == when and e.kind == kind]
    assert len(found) == 1, [(e.when, e.kind) for e in tl.events]
    return found[0]


def test_seed_elections_are_on_the_timeline(
    seed_timeline: Timeline, stored_seeds: dict[str, Article]
) -> None:
    assert _event(seed_timeline, "1994", "election").article_ids == (stored_seeds["000"].id,)
    election_2020 = _event(seed_timeline, "2020", "election")
    assert election_2020.n_sources >= 3
    assert election_2020.precision is Precision.YEAR


def test_seed_releases_are_dated_and_merged(
    seed_timeline: Timeline, stored_seeds: dict[str, Article]
) -> None:
    july = _event(seed_timeline, "2025-07", "release")
    assert "Siarhei Tsikhanouski" in july.participants
    september = _event(seed_timeline, "2025-09-11", "release")
    assert september.article_ids == (stored_seeds["004"].id,)
    december = _event(seed_timeline, "2025-12-13", "release")
    assert {stored_seeds[k].id for k in ("000", "001", "002")} <= set(december.article_ids)
    # "early Saturday" in an article published on Saturday 13 December is that day
    saturday = [m for m in december.mentions if m.date_text == "Saturday"]
    assert saturday and all(m.relative for m in saturday)


def test_events_are_in_order_and_cite_their_sentences(
    seed_timeline: Timeline, stored_seeds: dict[str, Article]
) -> None:
    dates = [e.date for e in seed_timeline.events]
    assert dates == sorted(dates)
    by_id = {a.id: a for a in stored_seeds.values()}
    for event in seed_timeline.events:
        for m in event.mentions:
            assert by_id[m.article_id].body[m.start : m.end] == m.date_text
    data = seed_timeline.to_dict()
    assert data["method"] == TIMELINE_METHOD == "newsprism.timeline.v1"
    assert {"date", "precision", "kind", "title", "n_sources", "mentions"} <= set(data["events"][0])


def test_undated_article_keeps_absolute_dates_only(stored_seeds: dict[str, Article]) -> None:
    undated = stored_seeds["003"]
    assert undated.published is None
    tl = timeline([undated])
    assert any(e.when == "2020" for e in tl.events)
    assert any("no publication date" in n for n in tl.notes)


@pytest.mark.parametrize(
    ("text", "expected", "precision"),
    [
        ("Protesters were arrested yesterday.", date(2025, 12, 12), Precision.DAY),
        ("Protesters were arrested last week.", date(2025, 12, 6), Precision.WEEK),
        ("Protesters were arrested on Saturday.", date(2025, 12, 13), Precision.DAY),
        ("Protesters were arrested last Saturday.", date(2025, 12, 6), Precision.DAY),
        ("Protesters were arrested on Friday.", date(2025, 12, 12), Precision.DAY),
        ("Protesters were arrested in July.", date(2025, 7, 1), Precision.MONTH),
        ("Protesters were arrested three days ago.", date(2025, 12, 10), Precision.DAY),
        ("Protesters were arrested on 11 Sept.", date(2025, 9, 11), Precision.DAY),
    ],
)
def test_relative_dates_resolve_against_the_article_date(
    text: str, expected: date, precision: Precision
) -> None:
    (event,) = timeline([_article("a", text)]).events
    assert event.date == expected and event.precision is precision
    assert event.kind == "arrest"
    assert event.mentions[0].relative


def test_relative_dates_in_undated_articles_are_dropped() -> None:
    assert find_dates("They met yesterday and on Saturday, in July.", None) == []
    tl = timeline([_article("a", "Protesters were arrested yesterday.", published=None)])
    assert tl.events == ()


def test_same_event_in_several_articles_is_one_event() -> None:
    a = _article("a", "The election was held on March 3, 2024, amid protests.")
    b = _article("b", "Voters went to the polls in the election on 3 March 2024.")
    c = _article("c", "Police arrested dozens in 2024.")
    tl = timeline([a, b, c])
    election = _event(tl, "2024-03-03", "election")
    assert election.n_sources == 2
    assert _event(tl, "2024", "arrest").article_ids == ("c",)


def test_may_the_verb_is_not_a_month() -> None:
    tl = timeline([_article("a", "Officials may release more prisoners, they said.")])
    assert tl.events == ()


def test_other_languages_are_left_out_with_a_note() -> None:
    fr = _article("fr", "Les élections ont eu lieu le 9 août 2020.", language="fr")
    tl = timeline([fr, _article("en", "The election was held on August 9, 2020.")])
    assert {a for e in tl.events for a in e.article_ids} == {"en"}
    assert any("'fr'" in n for n in tl.notes)


def test_empty_and_hostile_texts() -> None:
    assert timeline([]).events == ()
    assert timeline([_article("e", "")]).events == ()
    noise = "2025-99-99 31 February 2025 May May 0000 9999 Dec. 45, 2025 \x00 \u202e ١٢٣ " * 100
    assert isinstance(timeline([_article("n", noise)]).to_dict(), dict)


@pytest.mark.slow  # parses thousands of dated sentences
def test_huge_text_is_read_up_to_a_cap() -> None:
    body = ("The vote was held on 5 May 2024 after weeks of debate. " * 30 + "\n") * 200
    start = time.perf_counter()
    tl = timeline([_article("big", body)])
    assert time.perf_counter() - start < 30
    assert _event(tl, "2024-05-05", "election").n_sources == 1


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("He bought item 1800 at the fair in 2020.", ["2020"]),
        ("Flight 1901 landed late; No. 2019 was sold in 1999.", ["1999"]),
        ("Ticket #2000 won, and Room 1850 stayed empty since 1994.", ["1994"]),
        ("The Human Rights Act 1998 and the 2020 election.", ["1998", "2020"]),
    ],
)
def test_a_number_after_a_label_is_not_a_year(text: str, years: list[str]) -> None:
    found = [d for d in find_dates(text, None) if d.precision is Precision.YEAR]
    assert [d.text for d in found] == years
