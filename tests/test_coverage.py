"""Sides per article, coverage per story (reprints once) and the blindspot test."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newsprism.cli import app
from newsprism.config import Settings
from newsprism.lean.coverage import assign_sides, blindspot, estimate_side, story_coverage
from newsprism.models import (
    Article,
    LeanEstimate,
    Side,
    SideAssignment,
    SourceKind,
    Story,
    StoryArticle,
    TextLean,
)
from newsprism.service import Service
from tests.conftest import SEEDS

NOW = datetime(2025, 12, 14, tzinfo=UTC)


def _article(aid: str, domain: str | None, name: str | None = None, body: str = "x") -> Article:
    return Article(
        id=aid, body=body, content_hash=aid, source_kind=SourceKind.JSONL, source_ref="t",
        extraction_method="test", ingested_at=NOW, outlet_domain=domain, outlet_name=name,
        url=f"https://{domain}/{aid}" if domain else None,
    )  # fmt: skip


def _story(*members: StoryArticle) -> Story:
    return Story(1, "t", None, None, None, len(members), None, None, (), "test", members)


def _side(aid: str, side: Side, outlet_id: int | None) -> SideAssignment:
    basis = "none" if side is Side.UNRATED else "outlet-rating"
    return SideAssignment(aid, side, basis, False, None, outlet_id, None, None, "t")


BALANCED = {Side.LEFT: 1 / 3, Side.CENTER: 1 / 3, Side.RIGHT: 1 / 3}


def test_a_reprint_counts_once() -> None:
    original, reprint = _article("a", "cnn.com"), _article("b", "foxnews.com")
    other = _article("c", "reuters.com")
    story = _story(StoryArticle(original, 1.0, "t", (reprint,)), StoryArticle(other, 1.0, "t"))
    sides = {
        "a": _side("a", Side.LEFT, 1),
        "b": _side("b", Side.RIGHT, 2),
        "c": _side("c", Side.CENTER, 3),
    }
    cov = story_coverage(story, sides, BALANCED, 30, 5, 0.05)
    assert cov.originals == {"left": 1, "center": 1, "right": 0, "unrated": 0}
    assert cov.reprints == {"left": 0, "center": 0, "right": 1, "unrated": 0}
    assert cov.shares["left"] == 0.5 and cov.reprint_of == {"b": "a"}
    data = cov.to_dict()
    assert [a["reprint_of"] for a in data["articles"]] == [None, "a", None]
    assert not cov.blindspot.flagged and "fewer than the 5" in cov.blindspot.reason


def test_blindspot_needs_enough_sources_and_significance() -> None:
    few = blindspot({Side.LEFT: 4}, BALANCED, 60, 5, 0.05)
    assert not few.flagged and few.n_sources == 4
    flagged = blindspot({Side.LEFT: 8, Side.CENTER: 1}, BALANCED, 60, 5, 0.05)
    assert flagged.flagged and flagged.side is Side.LEFT
    left = next(t for t in flagged.tests if t.side is Side.LEFT)
    assert (left.k, left.n) == (8, 9) and left.base_rate == pytest.approx(1 / 3)
    assert left.p_value == pytest.approx(19 / 3**9)  # P(X >= 8), X ~ Bin(9, 1/3)
    data = flagged.to_dict()
    assert data["test"].startswith("one-sided exact binomial")
    assert data["alpha_per_side"] == pytest.approx(0.05 / 3)
    assert data["base_rate_pool"] and data["base_sources"] == 60
    # a side that dominates the archive anyway is no blindspot
    skewed = {Side.LEFT: 0.8, Side.CENTER: 0.1, Side.RIGHT: 0.1}
    assert not blindspot({Side.LEFT: 8, Side.CENTER: 1}, skewed, 60, 5, 0.05).flagged
    # a plurality that is not a majority is no blindspot
    assert not blindspot(
        {Side.LEFT: 4, Side.CENTER: 3, Side.RIGHT: 3}, BALANCED, 60, 5, 0.05
    ).flagged


def test_distinct_sources_not_articles_enter_the_test() -> None:
    members = [StoryArticle(_article(f"a{i}", "cnn.com"), 1.0, "t") for i in range(9)]
    members.append(StoryArticle(_article("r", "reuters.com"), 1.0, "t"))
    sides = {f"a{i}": _side(f"a{i}", Side.LEFT, 1) for i in range(9)}
    sides["r"] = _side("r", Side.CENTER, 2)
    cov = story_coverage(_story(*members), sides, BALANCED, 40, 2, 0.05)
    assert cov.originals["left"] == 9
    assert cov.sources == {"left": 1, "center": 1, "right": 0, "unrated": 0}
    assert not cov.blindspot.flagged  # 1 of 2 sources is no evidence


def test_estimates_are_read_by_label_or_side() -> None:
    class Estimate:
        def __init__(self, label: str, probability: float | None) -> None:
            self.label, self.probability = label, probability

    assert estimate_side(Estimate("right", 0.7)) == (Side.RIGHT, 0.7)
    assert estimate_side(Estimate("unrated", None)) is None
    assert estimate_side(Estimate("sideways", 0.9)) is None
    assert estimate_side(None) is None


def _jsonl(tmp_path: Path, rows: list[dict[str, str]]) -> Path:
    path = tmp_path / "a.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_an_article_without_outlet_and_little_text_is_unrated(service: Service) -> None:
    bare = _article("bare", None, None, body="Belarus frees prisoners.")
    sides = service.article_sides([bare])
    assert sides["bare"].side is Side.UNRATED and sides["bare"].basis == "none"
    assert sides["bare"].probability is None and not sides["bare"].estimated


def test_sides_from_outlet_ratings_with_details(service: Service) -> None:
    fox = _article("f", "foxnews.com")
    named = _article("n", None, "CNN (Web News)")
    sides = service.article_sides([fox, named])
    assert sides["f"].side is Side.RIGHT and sides["f"].basis == "outlet-rating"
    assert sides["f"].outlet_lean is not None and sides["f"].outlet_lean.n_ratings >= 3
    assert sides["n"].side is Side.LEFT and sides["n"].outlet_lean is not None
    assert sides["n"].outlet_lean.disagree  # CNN's raters straddle left and center
    assert sides["n"].to_dict()["outlet_lean"]["sides"]["center"] >= 1


def _hint(est: LeanEstimate | None) -> dict[str, object] | None:
    if est is None:
        return None
    return {"side": est.side.value, "probability": round(est.probability, 4)}


@pytest.mark.slow  # builds stories with the sentence encoder
def test_seed_story_coverage_in_show_and_exports(settings: Settings, tmp_path: Path) -> None:
    runner = CliRunner()
    db = ["--db", str(settings.db)]
    env = {"NEWSPRISM_TORCH_THREADS": "1"}
    assert runner.invoke(app, [*db, "ingest", str(SEEDS)], env=env).exit_code == 0
    assert runner.invoke(app, [*db, "build", "-q"], env=env).exit_code == 0
    shown = runner.invoke(app, [*db, "show", "1", "--format", "json"], env=env)
    assert shown.exit_code == 0, shown.output
    coverage = json.loads(shown.output)["coverage"]
    # no seed outlet is in the starter table: each article counts by its text-only estimate
    # when that is sure enough, else as unrated
    with Service(settings) as svc:
        leans = svc.store.get_article_leans([a.id for a in svc.articles()])
    floor = settings.lean_min_probability
    for row in coverage["articles"]:
        est = leans.get(row["article_id"])
        if est is not None and floor < 1.0 and est.probability >= floor:
            assert (row["side"], row["basis"]) == (est.side.value, "article-estimate"), row
        else:
            assert (row["side"], row["basis"]) == ("unrated", "none"), row
        assert row["text_estimate"] == _hint(est), row  # shown, counted or not
    assert sum(coverage["originals"].values()) == 4
    assert coverage["blindspot"]["flagged"] is False
    text = runner.invoke(app, [*db, "show", "1"], env=env)
    assert "coverage (originals" in text.output and "blindspot: none" in text.output
    ratings = tmp_path / "mine.csv"
    ratings.write_text("name,value\nStraight Arrow News,center\nFreedom Person,left\n")
    imported = runner.invoke(
        app, [*db, "outlets", "import", str(ratings), "--source", "mine", "--scale", "lcr-3"]
    )
    assert imported.exit_code == 0, imported.output
    stories = json.loads(runner.invoke(app, [*db, "export", "stories"], env=env).output)
    first = next(s for s in stories if s["id"] == 1)
    by_outlet = {a["outlet_name"]: a for a in first["coverage"]["articles"]}
    assert (by_outlet["Freedom Person"]["side"], by_outlet["Freedom Person"]["basis"]) == (
        "left", "outlet-rating",
    )  # fmt: skip
    assert by_outlet["Straight Arrow News"]["side"] == "center"
    lines = runner.invoke(app, [*db, "export", "articles"], env=env).output.splitlines()
    rows = {r["outlet"]: r for r in map(json.loads, lines)}
    assert rows["Freedom Person"]["lean"]["label"] == "left"
    assert rows["Freedom Person"]["lean"]["estimated"] is False
    assert rows["Freedom Person"]["outlet_lean"]["lean"] == "left"
    assert rows[None]["lean"] == {
        "label": "unrated", "probability": None, "estimated": False, "basis": "none",
        "method": "newsprism.story-sides.v1", "text_estimate": _hint(leans.get(rows[None]["id"])),
        "departs_from_outlet": False,
    }  # fmt: skip
    freedom = leans.get(rows["Freedom Person"]["id"])  # rated left now: its text still shows
    assert rows["Freedom Person"]["lean"]["text_estimate"] == _hint(freedom)
    csv_out = runner.invoke(app, [*db, "export", "articles", "--format", "csv"], env=env).output
    assert csv_out.splitlines()[0].endswith("outlet_lean,lean")


def test_blindspot_settings_are_validated(tmp_path: Path) -> None:
    from newsprism.config import load_settings
    from newsprism.errors import ConfigError

    with pytest.raises(ConfigError, match="blindspot_alpha"):
        load_settings(env={"NEWSPRISM_BLINDSPOT_ALPHA": "1.5"})
    with pytest.raises(ConfigError, match="blindspot_min_sources"):
        load_settings(env={"NEWSPRISM_BLINDSPOT_MIN_SOURCES": "0"})


@pytest.mark.parametrize(
    ("floor", "probability", "counted"),
    [
        (0.5, 0.62, True),
        (0.65, 0.62, False),
        (1.0, 0.99, False),
        (1.0, 1.0, False),
        (0.0, 0.3, True),
    ],
)
def test_an_estimate_counts_only_above_the_floor_and_is_shown_either_way(
    service: Service, floor: float, probability: float, counted: bool
) -> None:
    article = _article("blog", "tiny-unrated-blog.example")
    probs = {Side.LEFT: (1 - probability) / 2, Side.CENTER: (1 - probability) / 2}
    estimate = LeanEstimate(Side.RIGHT, probability, probs | {Side.RIGHT: probability}, "t.v1")
    sides = assign_sides(service.registry, [article], {"blog": estimate}, floor)
    got = sides["blog"]
    assert got.text_estimate == TextLean(Side.RIGHT, probability)
    assert got.to_dict()["text_estimate"] == {"side": "right", "probability": probability}
    if counted:
        assert (got.side, got.basis, got.estimated) == (Side.RIGHT, "article-estimate", True)
    else:
        assert (got.side, got.basis, got.estimated, got.probability) == (
            Side.UNRATED, "none", False, None,
        )  # fmt: skip


@pytest.mark.parametrize(
    ("estimated", "probability", "floor", "departs"),
    [
        (Side.LEFT, 0.75, 0.7, True),  # sure enough, on another side
        (Side.LEFT, 0.62, 0.7, False),  # would count if unrated, but under the departs floor
        (Side.LEFT, 0.62, 0.5, True),
        (Side.RIGHT, 0.9, 0.7, False),  # the outlet's own side
        (Side.LEFT, 0.99, 1.0, False),  # never
    ],
)
def test_a_rated_article_departs_from_its_outlet_only_when_its_text_is_sure_of_another_side(
    service: Service, estimated: Side, probability: float, floor: float, departs: bool
) -> None:
    article = _article("ld", "foxnews.com")  # rated right in the starter table
    rest = (1 - probability) / 2
    probs = dict.fromkeys((Side.LEFT, Side.CENTER, Side.RIGHT), rest) | {estimated: probability}
    estimate = LeanEstimate(estimated, probability, probs, "t.v1")
    got = assign_sides(service.registry, [article], {"ld": estimate}, 0.5, floor)["ld"]
    assert (got.side, got.basis, got.estimated) == (Side.RIGHT, "outlet-rating", False)
    assert got.text_estimate == TextLean(estimated, probability)
    assert got.departs_from_outlet is departs
    assert got.to_dict()["departs_from_outlet"] is departs


def test_the_departs_floor_is_validated() -> None:
    from newsprism.config import load_settings
    from newsprism.errors import ConfigError

    with pytest.raises(ConfigError, match="lean_departs_probability"):
        load_settings(env={"NEWSPRISM_LEAN_DEPARTS_PROBABILITY": "1.5"})
