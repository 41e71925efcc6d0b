"""Metadata read from plain text, on the real seed articles and small made-up texts."""

from __future__ import annotations

from datetime import UTC, datetime

from newsprism.ingest.normalize import clean_text
from newsprism.ingest.textmeta import first_sentence, read_text_metadata
from tests.conftest import SEEDS


def _seed(prefix: str) -> str:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return clean_text(path.read_text(encoding="utf-8"))


def test_dateline_and_byline_of_the_human_rights_analysis() -> None:
    meta = read_text_metadata(_seed("001"))
    assert meta.published == datetime(2025, 12, 14, tzinfo=UTC)
    assert meta.provenance["published"].method == "dateline"
    assert meta.outlet == "Freedom Person"
    assert meta.author == "Vitali Ivaneko"
    assert meta.provenance["outlet"].method == "byline"
    assert not meta.body.startswith("December 14, 2025")


def test_labelled_date_headline_and_author_bio_of_the_news_story() -> None:
    meta = read_text_metadata(_seed("002"))
    assert meta.published == datetime(2025, 12, 13, tzinfo=UTC)
    assert meta.provenance["published"].confidence >= 0.9
    assert meta.title == "Belarus frees 123 prisoners in bid to improve US relations"
    assert meta.outlet == "Straight Arrow News"
    assert meta.author == "Diane Duenez"
    assert meta.body.startswith("Image credit")


def test_texts_that_name_no_outlet_keep_it_unknown() -> None:
    for prefix in ("000", "003", "004"):
        meta = read_text_metadata(_seed(prefix))
        assert meta.outlet is None, prefix
        assert "outlet" not in meta.provenance


def test_headline_first_line_and_low_confidence_lead_date() -> None:
    meta = read_text_metadata(_seed("004"))
    assert meta.title == "Belarus Releases 52 Political Prisoners in Deal Brokered by the US"
    assert meta.published == datetime(2025, 9, 11, tzinfo=UTC)
    assert meta.provenance["published"].method == "lead-date"
    assert meta.provenance["published"].confidence < 0.5


def test_no_date_in_text_stays_unknown_and_title_comes_from_the_lead() -> None:
    meta = read_text_metadata(_seed("003"))
    assert meta.published is None
    assert meta.provenance["title"].method == "lead-sentence"
    assert meta.title is not None and meta.title.startswith("Rumours of a major prisoner release")


def test_future_dates_are_not_taken_as_publication_dates() -> None:
    now = datetime(2020, 1, 1, tzinfo=UTC)
    meta = read_text_metadata("March 3, 2031 — Somewhere\n\nA story about the future.", now=now)
    assert meta.published is None


def test_first_sentence_respects_abbreviations() -> None:
    text = "Talks began on Dec. 12 in Minsk with the U.S. envoy. Then more happened."
    assert first_sentence(text) == "Talks began on Dec. 12 in Minsk with the U.S. envoy."
