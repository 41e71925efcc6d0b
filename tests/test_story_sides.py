"""The story list's side and blindspot filters: over the whole archive, from stored per-story
counts that are recomputed when a story, the ratings or the lean settings change."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from newsprism.cli import app
from newsprism.config import Settings
from newsprism.models import RatingSource, Side, StoryQuery
from newsprism.service import Service
from tests.web_fixture import METHOD, build_archive


@pytest.fixture
def archive(tmp_path: Path) -> Settings:
    return build_archive(tmp_path / "sides.db")


def _ids(svc: Service, side: Side | None = None, blindspots: bool = False) -> list[int]:
    page = svc.story_list(StoryQuery(per_page=100, side=side, blindspots_only=blindspots))
    return [s.id for s in page.stories]


def test_filters_agree_with_each_story_coverage(archive: Settings) -> None:
    with Service(archive) as svc:
        every = _ids(svc)
        for side in (Side.LEFT, Side.RIGHT, Side.CENTER):
            expected = []
            for story_id in every:
                coverage = svc.story_coverage(story_id)
                assert coverage is not None
                if coverage.originals[side.value]:
                    expected.append(story_id)
            assert _ids(svc, side) == expected
        spots = [i for i in every if (c := svc.story_coverage(i)) and c.blindspot.flagged]
        assert _ids(svc, blindspots=True) == spots
        assert svc.store.stale_story_sides(svc._sides_key()) == []


def test_a_changed_story_is_counted_again(archive: Settings) -> None:
    with Service(archive) as svc:
        right = _ids(svc, Side.RIGHT)
        assert len(right) == 8
        store = svc.store
        # a Fox News article joins a story that only the New York Times covered
        lonely = next(i for i in _ids(svc, Side.LEFT) if i not in right)
        fox = next(a for a in svc.articles() if a.outlet_domain == "foxnews.com")
        with store.transaction():
            build = store.start_build(METHOD)
            store.assign(fox.id, lonely, 1.0, METHOD, build)
            row = store.story_row(lonely)
            assert row is not None
            store.update_story(
                lonely, row["title"], METHOD, row["first_seen"], row["last_seen"],
                int(row["n_articles"]) + 1, b"", [],
            )  # fmt: skip
            store.finish_build(build, store.count_articles(), {})
        assert lonely in _ids(svc, Side.RIGHT)


def test_switching_rating_sources_off_recounts_every_story(archive: Settings) -> None:
    with Service(archive) as svc:
        assert len(_ids(svc, Side.RIGHT)) == 8
        names = tuple(s.name for s in svc.rating_sources())
    with Service(archive.with_overrides(rating_sources_off=names)) as svc:
        assert _ids(svc, Side.RIGHT) == []  # no rating left: every outlet is unrated
        assert len(_ids(svc, Side.UNRATED)) == 25
    with Service(archive) as svc:
        assert len(_ids(svc, Side.RIGHT)) == 8  # and back


def test_importing_ratings_recounts(archive: Settings, tmp_path: Path) -> None:
    ratings = tmp_path / "mine.csv"
    ratings.write_text("domain,value\nnytimes.com,right\n", encoding="utf-8")
    with Service(archive.with_overrides(rating_sources_off=())) as svc:
        names = tuple(s.name for s in svc.rating_sources())
    with Service(archive.with_overrides(rating_sources_off=names)) as svc:
        assert _ids(svc, Side.RIGHT) == []
        svc.import_ratings(ratings, RatingSource(name="mine", scale="lcr-3", origin="user"))
        assert len(_ids(svc, Side.RIGHT)) == 24  # every story but the hostile one has NYT


def test_filters_reach_stories_older_than_the_newest_two_thousand(tmp_path: Path) -> None:
    """The oldest of 2,101 stories is the only one with a right-rated outlet: found."""
    settings = Settings(db=tmp_path / "big.db", host_delay_s=0, http_backoff_s=0)
    source = tmp_path / "big.jsonl"
    with source.open("w", encoding="utf-8") as fh:
        for n in range(2101):
            right = n == 0
            fh.write(json.dumps({
                "id": f"b{n}",
                "title": f"Council notice {n}",
                "text": f"Notice {n} of the council about the ferry timetable number {n}.",
                "url": f"https://www.{'foxnews' if right else 'nytimes'}.com/notice-{n}",
                "published": f"{2000 + n // 300}-01-{n % 28 + 1:02d}",
            }) + "\n")  # fmt: skip
    with Service(settings) as svc:
        assert not svc.ingest([str(source)]).skipped
        store = svc.store
        with store.transaction():
            build = store.start_build(METHOD)
            for article in svc.articles():
                story_id = store.new_story(METHOD)
                store.assign(article.id, story_id, 1.0, METHOD, build)
                day = article.published.date().isoformat() if article.published else None
                store.update_story(story_id, article.title, METHOD, day, day, 1, b"", [])
            store.finish_build(build, store.count_articles(), {})
        page = svc.story_list(StoryQuery(side=Side.RIGHT))
        assert page.total == 1
        assert page.stories[0].title == "Council notice 0"


def test_cli_stories_filters(archive: Settings) -> None:
    runner = CliRunner()
    db = str(archive.db)

    def run(*args: str) -> Result:
        return runner.invoke(app, ["--db", db, "stories", *args])

    right = run("--side", "right", "--json")
    assert right.exit_code == 0, right.output
    rows = json.loads(right.stdout)
    assert len(rows) == 8 and all(r["coverage"]["originals"]["right"] == 1 for r in rows)
    assert len(json.loads(run("--side", "right", "--json", "--limit", "3").stdout)) == 3
    dated = json.loads(run("--since", "2024-02-10", "--until", "2024-02-12", "--json").stdout)
    assert len(dated) == 3
    table = run("--side", "right")
    assert table.exit_code == 0 and "L/C/R" in table.stdout and "1/0/1" in table.stdout
    spots = json.loads(run("--blindspots", "--json").stdout)
    assert all(r["coverage"]["blindspot"]["flagged"] for r in spots)
    for args, message in (
        (("--since", "yesterday"), "--since 'yesterday' is not a date"),
        (("--since", "2024-03-01", "--until", "2024-02-01"), "is after until"),
        (("--limit", "0"), "--limit 0 is not valid"),
    ):
        bad = run(*args)
        assert bad.exit_code == 1 and message in bad.stderr, bad.output
    assert run("--side", "purple").exit_code == 2
