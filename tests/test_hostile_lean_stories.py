"""Broken, hostile and huge input for outlet ratings, article lean and the story build."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newsprism.config import Settings
from newsprism.errors import InvalidRatings
from newsprism.lean.article import MAX_CHARS, ArticleLeanModel, lean_text
from newsprism.lean.fingerprints import strip_fingerprints, strip_names
from newsprism.lean.outlets import domain_of
from newsprism.lean.ratings import parse_scale
from newsprism.models import RatingSource, Side
from newsprism.service import Service
from newsprism.stories.build import Builder
from newsprism.stories.encoders import make_encoder, scoring_model
from newsprism.stories.labels import MAX_LABEL_CHARS
from tests.conftest import text_article

GERMAN = (
    "Die Bundesregierung hat am Mittwoch einen neuen Haushaltsentwurf vorgelegt. Der "
    "Finanzminister sagte, die Schuldenbremse werde eingehalten, obwohl die Opposition scharfe "
    "Kritik an den geplanten Kürzungen im Sozialbereich übte. Die Grünen forderten mehr "
    "Investitionen in den Klimaschutz, während die Union eine Senkung der Unternehmenssteuern "
    "verlangte. Experten rechnen mit langen Verhandlungen im Bundestag, bevor der Etat im "
    "Dezember verabschiedet werden kann."
)
ENGLISH = (
    "The Senate passed the spending bill on Tuesday after a long night of debate. Lawmakers "
    "from both parties argued over border security, tax cuts and the deficit, and the "
    "president said he would sign the measure. Critics warned that the package would add "
    "billions to the national debt, while supporters said it would fund schools, roads and "
    "hospitals across the country for the next two years."
)


@pytest.fixture(scope="module")
def model() -> ArticleLeanModel:
    return ArticleLeanModel.load()


def _source(name: str = "mine", scale: str = "lean-7") -> RatingSource:
    return RatingSource(name=name, scale=scale, origin="user", citation="own reading")


def _write(tmp_path: Path, data: str | bytes, name: str = "r.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def _ratings_of(service: Service, key: str, source: str = "mine") -> list[str]:
    outlet = service.outlet(key)
    return [] if outlet is None else [r.value for r in outlet.ratings if r.source == source]


def _counts(service: Service) -> tuple[int, ...]:
    assert service.registry
    conn = service.store._conn
    return tuple(
        conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
        for t in ("outlets", "outlet_ratings", "rating_sources", "outlet_aliases")
    )


# --- rating files -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "first", "again"),
    [
        ("domain,name,value\ncnn.com,,left\n,CNN,right\n", "cnn.com", "CNN"),
        ("name,value\nAcme Post,left\nacme-post,right\n", "Acme Post", "acme-post"),
        ("domain,name,value\nzzz-news.org,,left\n,zzz-news.org,right\n", "zzz-news.org", None),
        ("name,value\nCNN,left\nCNN (Web News),right\n", "CNN", "CNN (Web News)"),
    ],
)
def test_two_rows_for_one_outlet_in_one_file_are_refused_not_overwritten(
    service: Service, tmp_path: Path, text: str, first: str, again: str | None
) -> None:
    before = _counts(service)
    with pytest.raises(InvalidRatings) as info:
        service.import_ratings(_write(tmp_path, text), _source())
    (problem,) = info.value.problems
    assert problem.startswith("line 3: ") and "line 2" in problem and "same outlet" in problem
    assert first in problem
    assert _counts(service) == before  # nothing imported, no outlet created
    assert _ratings_of(service, first) == []


def test_the_same_outlet_in_two_sources_is_a_disagreement_shown_as_such(
    service: Service, tmp_path: Path
) -> None:
    service.import_ratings(_write(tmp_path, "name,value\nAcme Post,far-left\n"), _source("a"))
    service.import_ratings(_write(tmp_path, "name,value\nacme-post,far-right\n"), _source("b"))
    outlet = service.outlet("Acme Post")
    assert outlet is not None and outlet.lean is not None
    assert sorted(r.value for r in outlet.ratings) == ["far-left", "far-right"]
    assert outlet.lean.disagree and outlet.lean.spread == pytest.approx(2.0)


def test_importing_the_same_file_twice_changes_nothing(service: Service, tmp_path: Path) -> None:
    path = _write(tmp_path, "domain,name,value\nacme.org,Acme,left\nbeta.net,Beta,right\n")
    service.import_ratings(path, _source())
    once = _counts(service)
    report = service.import_ratings(path, _source())
    assert (report.ratings, report.new_outlets) == (2, 0)
    assert _counts(service) == once
    assert _ratings_of(service, "acme.org") == ["left"]


def test_internationalised_domains_are_stored_as_punycode(service: Service, tmp_path: Path) -> None:
    assert domain_of("https://Bücher.de/path?x=1") == "xn--bcher-kva.de"
    assert domain_of("http://EXAMPLE.com/path?x") == "example.com"
    service.import_ratings(_write(tmp_path, "domain,value\nbücher.de,lean-left\n"), _source())
    outlet = service.outlet("xn--bcher-kva.de")
    assert outlet is not None and outlet.domains == ("xn--bcher-kva.de",)
    assert service.outlet("bücher.de") == outlet
    with pytest.raises(InvalidRatings, match="already rated on line 2"):
        service.import_ratings(
            _write(tmp_path, "domain,value\nbücher.de,left\nxn--bcher-kva.de,right\n"),
            _source("other"),
        )


@pytest.mark.parametrize(
    "data",
    [
        "name,value\rCR Post,left\rCR Daily,right\r",  # classic Mac / "CSV (Macintosh)" export
        "\ufeffname,value\r\nCR Post,left\r\nCR Daily,right\r\n",
        "name,value\r\nCR Post,left\r\nCR Daily,right",
    ],
)
def test_line_endings_and_bom(service: Service, tmp_path: Path, data: str) -> None:
    report = service.import_ratings(_write(tmp_path, data), _source())
    assert report.ratings == 2
    assert _ratings_of(service, "CR Post") == ["left"]
    assert _ratings_of(service, "CR Daily") == ["right"]


def test_line_numbers_count_cr_only_lines(service: Service, tmp_path: Path) -> None:
    with pytest.raises(InvalidRatings) as info:
        service.import_ratings(_write(tmp_path, "name,value\rA,left\rB,sideways\r"), _source())
    assert info.value.problems[0].startswith("line 3: value 'sideways'")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("name,value\nA,left\n".encode("utf-16"), "not UTF-8 text"),
        (bytes(range(256)) * 8, "not UTF-8 text"),
        ('{"name": "A", "value": "left"}\n', "line 1: header"),
        (",,\nA,left,\n", "line 1: header"),
        ("name;value\nA;left\n", "line 1: header"),
        ("name,value\nA\x00B,left\n", "control characters"),
    ],
)
def test_files_that_are_not_rating_tables(
    service: Service, tmp_path: Path, data: str | bytes, message: str
) -> None:
    before = _counts(service)
    with pytest.raises(InvalidRatings) as info:
        service.import_ratings(_write(tmp_path, data), _source())
    assert any(message in p for p in info.value.problems), info.value.problems
    assert _counts(service) == before


def test_extra_and_repeated_columns_are_ignored(service: Service, tmp_path: Path) -> None:
    text = "name,name,value,comment,\nExtra Daily,Other,left,hi,there\n"
    assert service.import_ratings(_write(tmp_path, text), _source()).ratings == 1
    assert _ratings_of(service, "Extra Daily") == ["left"]


def test_a_range_too_narrow_to_divide_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown scale"):
        parse_scale("range:-5e-324:5e-324")


# --- article lean -----------------------------------------------------------------------------
@pytest.mark.parametrize("token", ["a.b-", "x.y", "1.2.", "a-b."])
def test_long_dotted_tokens_are_stripped_in_linear_time(token: str) -> None:
    text = token * (40_000 // len(token))
    started = time.perf_counter()
    strip_names(text)
    strip_fingerprints(f"Lawmakers argued.\n{text}\nmail x@{text}")
    assert time.perf_counter() - started < 1.5


def test_urls_and_emails_are_still_stripped() -> None:
    out = strip_names(
        "See www.example.com/x or news.bbc.co.uk, write to jo.doe+tips@mail.example.org now, "
        "and .example.com too"
    )
    assert out == "See or write to now, and too"
    # the whole address goes, not only its domain: a reporter's name is a fingerprint
    assert strip_names("Email jane.smith@nytimes.com for tips") == "Email for tips"


def test_a_huge_headline_is_read_only_up_to_the_cap(model: ArticleLeanModel) -> None:
    title = "Senate budget fight " * 50_000  # 1 MB
    assert len(lean_text(ENGLISH, title)) <= 2 * MAX_CHARS + 1
    started = time.perf_counter()
    estimate = model.estimate(ENGLISH, "x.y-" * 250_000)
    assert estimate is not None
    assert time.perf_counter() - started < 3


@pytest.mark.parametrize(
    "name", ["C++ Weekly", "(Reuters)", "a|b", "\\d+", "[AP]", "(?P<x>", "x" * 10_000, "**"]
)
def test_outlet_names_with_regex_metacharacters_are_literal(
    model: ArticleLeanModel, name: str
) -> None:
    body = f"{ENGLISH}\n{name} reported that {ENGLISH}"
    assert name not in lean_text(body, outlet_names=[name])
    assert model.estimate(body, outlet_names=[name]) == model.estimate(
        f"{ENGLISH}\nreported that {ENGLISH}"
    )


def test_text_exactly_at_the_word_floor(model: ArticleLeanModel) -> None:
    words = ENGLISH.split()
    assert model.estimate(" ".join(words[:40]), min_words=40) is not None
    assert model.estimate(" ".join(words[:39]), min_words=40) is None


def test_all_boilerplate_is_unrated(model: ArticleLeanModel) -> None:
    footer = "Copyright 2024 The Daily. All rights reserved. Sign up for our newsletter today."
    assert model.estimate("\n".join([footer] * 50)) is None


def _jsonl(tmp_path: Path, rows: list[dict[str, str]], name: str = "in.jsonl") -> str:
    path = tmp_path / name
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    return str(path)


def test_a_non_english_article_is_unrated_by_the_english_lean_model(
    service: Service, tmp_path: Path
) -> None:
    service.ingest(
        [
            _jsonl(
                tmp_path,
                [
                    {"id": "de", "title": "Haushalt vorgelegt", "text": GERMAN},
                    {"id": "en", "title": "Senate passes budget", "text": ENGLISH},
                ],
            )
        ]
    )
    languages = {a.id: a.language for a in service.articles()}
    assert languages == {"de": "de", "en": "en"}
    report = service.estimate_leans()
    assert (report.estimated, report.unrated) == (1, 1)
    stored = service.store.get_article_leans(["de", "en"])
    assert set(stored) == {"en"}
    sides = service.article_sides(list(service.articles()))
    assert sides["de"].side is Side.UNRATED and sides["de"].text_estimate is None
    assert service.estimate_leans().unrated == 0  # examined once


def test_an_upgrade_removes_estimates_an_older_version_stored_for_non_english_articles(
    settings: Settings, tmp_path: Path
) -> None:
    """Migration 0009: the English model's old estimates of German text go, with the side
    counts of their stories, which are recounted without them."""
    src = _jsonl(
        tmp_path,
        [
            {"id": "de", "title": "Haushalt vorgelegt", "text": GERMAN, "story": "s-de"},
            {"id": "en", "title": "Senate passes budget", "text": ENGLISH, "story": "s-en"},
        ],
    )
    with Service(_static(settings)) as svc:
        svc.ingest([src])
        svc.build()
        svc.refresh_story_sides()
        story_of = {aid: sid for aid, (sid, _) in svc.assignments().items()}
        conn = svc.store._conn
        # what an earlier version stored: an estimate for the German article
        conn.execute(
            "INSERT INTO article_leans SELECT 'de', method, side, probability, probabilities, "
            "evidence, created_at FROM article_leans WHERE article_id = 'en'"
        )
        conn.execute("DELETE FROM schema_migrations WHERE version = 9")
        assert {r[0] for r in conn.execute("SELECT story_id FROM story_sides")} == {
            story_of["de"],
            story_of["en"],
        }
    with Service(_static(settings)) as svc:  # reopening applies 0009 again
        conn = svc.store._conn
        assert {r[0] for r in conn.execute("SELECT article_id FROM article_leans")} == {"en"}
        assert {r[0] for r in conn.execute("SELECT story_id FROM story_sides")} == {story_of["en"]}
        assert svc.refresh_story_sides() == 1  # the German story is recounted


# --- the story build --------------------------------------------------------------------------
def _static(settings: Settings) -> Settings:
    return settings.with_overrides(story_encoder="static")


def test_an_interrupted_build_hook_resumes_to_the_same_stories(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import newsprism.stories.build as build

    monkeypatch.setattr(build, "CHUNK", 5)
    topics = ["harbour strike dock workers pay", "budget vote parliament deficit",
              "wildfire evacuation county wind", "vaccine trial biotech patients"]  # fmt: skip
    rows = [
        {"id": f"a{i}", "title": f"{topics[i % 4].split()[0].title()} update {i}",
         "text": f"Officials said the {topics[i % 4]} story went on. " * 5,
         "published": f"2025-03-{1 + i // 4:02d}"}
        for i in range(24)
    ]  # fmt: skip
    source = _jsonl(tmp_path, rows)

    def build_with(db: Path, fail_at: int | None) -> dict[str, tuple[int, int | None]]:
        with Service(_static(settings).with_overrides(db=db)) as svc:
            if not list(svc.articles()):
                svc.ingest([source])
            calls = 0

            def hook(articles: object) -> None:
                nonlocal calls
                calls += 1
                if calls == fail_at:
                    raise KeyboardInterrupt

            builder = Builder(svc.store, make_encoder("static"), scoring_model("static"))
            if fail_at is not None:
                with pytest.raises(KeyboardInterrupt):
                    builder.run(alongside=hook)
                assert len(svc.assignments()) == 5 * (fail_at - 1)
            builder.run(alongside=hook)
            return svc.assignments()

    straight = build_with(tmp_path / "straight.db", None)
    resumed = build_with(tmp_path / "resumed.db", 3)
    assert len(straight) == 24 and resumed == straight


def test_languages_undated_and_headline_only_articles(settings: Settings, tmp_path: Path) -> None:
    strike = "Dock workers at the harbour went on strike over pay, the union said on Monday. "
    streik = "Die Hafenarbeiter streiken weiter für mehr Lohn, sagte die Gewerkschaft in Hamburg. "
    rows = [
        {"id": "en1", "title": "Harbour strike goes on", "text": strike * 4,
         "published": "2025-03-02"},
        {"id": "en2", "title": "Dock workers strike over pay", "text": strike * 3,
         "published": "2025-03-02"},
        {"id": "de1", "title": "Hafenstreik geht weiter", "text": streik * 4,
         "published": "2025-03-02"},
        {"id": "de2", "title": "Hafenarbeiter streiken weiter", "text": streik * 3,
         "published": "2025-03-02"},
        {"id": "undated", "title": "Harbour strike: dock workers want pay", "text": strike * 3},
        {"id": "headline", "title": "Harbour strike ends", "text": ""},
    ]  # fmt: skip
    with Service(_static(settings)) as svc:
        svc.ingest([_jsonl(tmp_path, rows)])
        languages = {a.id: a.language for a in svc.articles()}
        assert languages["de1"] == languages["de2"] == "de" and languages["en1"] == "en"
        report = svc.build()
        # the undated headline was placed on its content alone, and the build says so; the
        # undated text is a reprint of en2, placed by the reprint link instead
        assert report.undated == 1
        story = {aid: s for aid, (s, _) in svc.assignments().items()}
        assert len(story) == 6
        assert story["de1"] == story["de2"] != story["en1"]
        assert story["en1"] == story["en2"] == story["undated"]
        s = svc.story(story["undated"])
        assert s is not None and s.first_seen == "2025-03-02"  # the undated one sets no date
        assert s.n_undated == 0  # reprints are not counted: only originals were clustered
        headline = svc.story(story["headline"])
        assert headline is not None and headline.n_undated == 1
        assert headline.to_dict()["n_undated"] == 1


def test_an_undated_article_pinned_by_an_editor_is_not_counted_as_grouped_on_content(
    settings: Settings, tmp_path: Path
) -> None:
    text = "Dock workers at the harbour went on strike over pay, the union said on Monday. "
    rows = [
        {"id": "dated", "title": "Harbour strike", "text": text * 3, "published": "2025-03-02",
         "story": "strike"},
        {"id": "undated", "title": "Dock workers walk out", "text": text * 2 + "More later.",
         "story": "strike"},
    ]  # fmt: skip
    with Service(_static(settings)) as svc:
        svc.ingest([_jsonl(tmp_path, rows)])
        report = svc.build()
        assert report.pinned == 2 and report.undated == 0
        sid = svc.assignments()["undated"][0]
        story = svc.story(sid)
        assert story is not None and len(story.articles) == 2
        assert story.n_undated == 0


def test_dates_in_year_1_and_9999_and_a_huge_headline(settings: Settings) -> None:
    strike = "Dock workers at the harbour went on strike over pay, the union said. " * 4
    dated = [
        replace(text_article("y1", strike), published=datetime(1, 1, 2, tzinfo=UTC)),
        replace(text_article("y9999", strike), published=datetime(9999, 12, 30, tzinfo=UTC)),
        replace(text_article("huge", "Wildfire forces evacuations."), title="Fire " * 25_000),
    ]
    with Service(_static(settings)) as svc:
        with svc.store.transaction():  # library use: ingest keeps dates within 1900..tomorrow
            for article in dated:
                svc.store.insert_article(article, None)
        assert svc.build().articles == 3
        story = {aid: s for aid, (s, _) in svc.assignments().items()}
        assert len(set(story.values())) == 3  # eight thousand years apart: never one story
        days = {s.first_seen for s in svc.stories()}
        assert {"0001-01-02", "9999-12-30"} <= days
        huge = svc.story(story["huge"])
        assert huge is not None and huge.title is not None
        assert len(huge.title) <= MAX_LABEL_CHARS and huge.title.endswith("Fire\u2026")
