"""A small archive for the web tests: 25 dated stories (one holding the hostile fixtures), a
thread of two stories, grouped through the store's own story methods (no encoder needed).
Every third story is covered by a left-rated and a right-rated outlet of the bundled ratings
(nytimes.com, foxnews.com); the others by the left-rated one only. The right-rated report of
story 0 states no date."""

from __future__ import annotations

import json
from pathlib import Path

from newsprism.config import Settings
from newsprism.service import Service

HOSTILE = Path(__file__).parent / "fixtures" / "web" / "hostile.jsonl"
METHOD = "test-fixture.v1"
N_STORIES = 25


def _records() -> list[dict[str, str]]:
    rows = []
    for n in range(N_STORIES - 1):
        day = f"2024-02-{n + 1:02d}"
        for k in range(2 if n % 3 == 0 else 1):
            rows.append(
                {
                    "id": f"a{n:02d}-{k}",
                    "title": f"Harbour bridge report {n} part {k}",
                    "text": f"Engineers inspected the harbour bridge number {n} on {day}. "
                    f"Part {k} of the coverage quotes the mayor about zebrafinch repairs.",
                    "outlet": ("The New York Times", "Fox News")[k],
                    "url": (
                        f"https://www.nytimes.com/2024/harbour-{n}.html",
                        f"https://www.foxnews.com/us/harbour-{n}",
                    )[k],
                    "published": day,
                }
            )
    del rows[1]["published"]  # a00-1: an undated article in a dated story
    return rows


def build_archive(db: Path) -> Settings:
    """Ingest the fixtures into ``db`` and group them into stories; returns the settings."""
    settings = Settings(db=db, host_delay_s=0, http_backoff_s=0)
    source = db.parent / "web-fixture.jsonl"
    with source.open("w", encoding="utf-8") as fh:
        for row in _records():
            fh.write(json.dumps(row) + "\n")
    with Service(settings) as svc:
        report = svc.ingest([str(source), str(HOSTILE)])
        assert not report.skipped, report.skipped
        store = svc.store
        groups: dict[str, list[str]] = {}
        for article in svc.articles():
            key = "hostile" if article.id.startswith("hostile") else article.id.split("-")[0]
            groups.setdefault(key, []).append(article.id)
        with store.transaction():
            build = store.start_build(METHOD)
            ids = {}
            for key, members in groups.items():
                story_id = store.new_story(METHOD)
                ids[key] = story_id
                arts = store.get_articles(members)
                days = sorted(a.published.date().isoformat() for a in arts if a.published)
                for aid in members:
                    store.assign(aid, story_id, 1.0, METHOD, build)
                store.update_story(
                    story_id, arts[0].title, METHOD, days[0], days[-1], len(members), b"",
                    ["harbour", "bridge"] if key != "hostile" else ["<script>council</script>"],
                )  # fmt: skip
            thread = store.new_thread(METHOD)
            store.set_thread(ids["a00"], thread, 0.9)
            store.set_thread(ids["a01"], thread, 0.9)
            store.set_thread_title(thread, "Harbour bridge inspections")
            store.finish_build(build, store.count_articles(), {})
    return settings
