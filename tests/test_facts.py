"""The fact table on the seed articles and on hand-made texts: numbers in words and digits,
qualifiers, other languages, huge texts and texts with no numbers."""

from __future__ import annotations

import math
import time

import pytest

from newsprism.models import Article, Side
from newsprism.synthesis.facts import FACTS_METHOD, FactStatus, FactTable, fact_table
from newsprism.synthesis.numbers import find_numbers
from tests.conftest import text_article as _article


@pytest.fixture(scope="module")
def table(stored_seeds: dict[str, Article]) -> FactTable:
    sides = {stored_seeds["000"].id: Side.LEFT, stored_seeds["002"].id: Side.CENTER}
    return fact_table(list(stored_seeds.values()), sides)


def test_123_released_is_agreed_by_four_articles(
    table: FactTable, stored_seeds: dict[str, Article]
) -> None:
    (group,) = [g for g in table.groups if "123" in g.values]
    assert group.status is FactStatus.AGREED
    assert group.values == ("123",)
    assert group.predicate == "release"
    december = {stored_seeds[k].id for k in ("000", "001", "002", "003")}
    assert december <= set(group.article_ids)
    assert group.n_sources >= 4
    assert group.when is not None and group.when.isoformat() == "2025-12-13"


def test_52_released_is_single_source_from_004(
    table: FactTable, stored_seeds: dict[str, Article]
) -> None:
    groups = [g for g in table.groups if "52" in g.values]
    assert groups and all(g.status is FactStatus.SINGLE_SOURCE for g in groups)
    assert {a for g in groups for a in g.article_ids} == {stored_seeds["004"].id}
    assert any(g.when and g.when.isoformat() == "2025-09-11" for g in groups)


def test_remaining_prisoners_differ_and_the_dates_are_shown(
    table: FactTable, stored_seeds: dict[str, Article]
) -> None:
    (group,) = [g for g in table.groups if g.predicate == "remain" and g.thing == "person"]
    assert group.status is FactStatus.CONFLICTING
    assert set(group.values) == {"over 1,100", "nearly 1,200"}
    assert set(group.article_ids) == {stored_seeds["000"].id, stored_seeds["004"].id}
    assert group.dates_explain is True
    assert group.note is not None
    assert "2025-09-11" in group.note and "2025-12-13" in group.note


def test_cells_point_at_their_sentence(table: FactTable, stored_seeds: dict[str, Article]) -> None:
    by_id = {a.id: a for a in stored_seeds.values()}
    for group in table.groups:
        for cell in group.cells:
            body = by_id[cell.fact.article_id].body
            assert body[cell.fact.start : cell.fact.end] == cell.fact.number.text
            assert cell.fact.sentence in body
    data = table.to_dict()
    assert data["method"] == FACTS_METHOD == "newsprism.facts.v1"
    first = data["groups"][0]["cells"][0]
    assert {"article_id", "sentence_index", "start", "end", "side", "published"} <= set(first)


def test_sides_are_carried_to_the_cells(table: FactTable, stored_seeds: dict[str, Article]) -> None:
    group = next(g for g in table.groups if "123" in g.values)
    assert {"left", "center"} <= set(group.to_dict()["sides"])


def test_sentence_lengths_are_kept_per_person(table: FactTable) -> None:
    sentences = {g.holder: g for g in table.groups if g.kind == "duration" and g.holder}
    assert sentences["babaryka"].values == ("14",)
    assert sentences["bialiatski"].status is FactStatus.AGREED  # "ten years", "10-year"


@pytest.mark.parametrize(
    ("text", "value", "low", "high", "qualifier"),
    [
        ("fifty-two prisoners", 52, 52, 52, None),
        ("a dozen prisoners", 12, 12, 12, None),
        ("1.2 million people", 1_200_000, 1_200_000, 1_200_000, None),
        ("over 1,100 prisoners", 1100, 1100, 1150, "over"),
        ("nearly 1,200 prisoners", 1200, 1150, 1200, "nearly"),
        ("about 120 prisoners", 120, 115, 125, "about"),
        ("at least 40 prisoners", 40, 40, math.inf, "at least"),
        ("more than 1100 prisoners", 1100, 1100, 1150, "more than"),
        ("two hundred and five people", 205, 205, 205, None),
    ],
)
def test_numbers_are_normalised(
    text: str, value: float, low: float, high: float, qualifier: str | None
) -> None:
    (n,) = find_numbers(text)
    assert n.value == value
    assert n.low == pytest.approx(low) and n.high == pytest.approx(high)
    assert n.qualifier == qualifier


def test_years_days_and_list_markers_are_not_quantities() -> None:
    assert find_numbers("On Dec. 13, 2025 and 11 Sept. 2025, in 1994.\n1. John Coale") == []
    assert find_numbers("one of the prisoners") == []


def test_words_and_digits_agree_across_outlets() -> None:
    a = _article("a", "Police said fifty-two protesters were arrested on Monday.")
    b = _article("b", "Police arrested 52 protesters on Monday, officials said.")
    c = _article("c", "About 50 protesters were arrested on Monday.")
    table = fact_table([a, b, c])
    (group,) = [g for g in table.groups if g.thing == "protester"]
    assert group.status is FactStatus.AGREED
    assert set(group.values) == {"52", "about 50"}
    assert group.n_sources == 3


def test_same_day_conflict_is_not_explained_by_dates() -> None:
    a = _article("a", "At least 12 people were killed in the blast on Monday.")
    b = _article("b", "The blast on Monday killed 7 people, officials said.")
    (group,) = [g for g in fact_table([a, b]).groups if g.thing == "person"]
    assert group.status is FactStatus.CONFLICTING
    assert group.dates_explain is False


def test_reprints_do_not_count_as_agreement() -> None:
    a = _article("a", "The storm destroyed 40 homes on Monday.")
    b = Article(**{**_article("b", a.body).__dict__, "duplicate_of": "a"})
    (group,) = fact_table([a, b]).groups
    assert group.status is FactStatus.SINGLE_SOURCE


def test_other_languages_are_left_out_with_a_note() -> None:
    fr = _article("fr", "La Biélorussie a libéré 123 prisonniers politiques samedi.", language="fr")
    de = _article("de", "Belarus hat 123 politische Gefangene freigelassen.", language="de")
    en = _article("en", "Belarus freed 123 political prisoners on Saturday.")
    table = fact_table([fr, de, en])
    assert {c.fact.article_id for g in table.groups for c in g.cells} == {"en"}
    assert any("fr" in n and "'fr'" in n for n in table.notes)
    assert len(table.notes) == 2


def test_texts_without_numbers_or_text_give_an_empty_table() -> None:
    table = fact_table([_article("a", "Nothing to count here."), _article("b", "")])
    assert table.groups == () and table.notes == ()
    assert fact_table([]).groups == ()


def test_hostile_text_does_not_break_extraction() -> None:
    noise = "1,,, 2.. $ % -5 --- 10-- 99999999999999999999999 1e9 0x1F ½ ١٢٣ 𝟙𝟚𝟛 \x00 \u202e"
    table = fact_table([_article("a", noise * 50, published=None)])
    assert isinstance(table.to_dict(), dict)


@pytest.mark.slow  # parses hundreds of sentences with numbers
def test_huge_text_is_read_up_to_a_cap_and_fast() -> None:
    sentence = "Officials said 40 homes were destroyed and nobody was hurt. " * 20
    filler = "The weather was calm and the roads were quiet that day. " * 20
    body = (sentence + "\n" + filler + "\n") * 400  # about 950,000 characters
    start = time.perf_counter()
    table = fact_table([_article("big", body)])
    assert time.perf_counter() - start < 30
    assert any("only the first" in n for n in table.notes)
    (group,) = table.groups
    assert group.values == ("40",) and group.status is FactStatus.SINGLE_SOURCE
