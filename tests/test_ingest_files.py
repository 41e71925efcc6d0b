"""Ingesting files of every supported kind, and every kind of bad file, through the service."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest

from newsprism.config import Settings
from newsprism.models import Outcome
from newsprism.service import Service
from tests.conftest import FIXTURES, SEEDS


def _only_reason(report_reasons: list[str | None]) -> str:
    assert len(report_reasons) == 1, report_reasons
    assert report_reasons[0] is not None
    return report_reasons[0]


def test_seed_corpus_is_ingested_and_reingesting_changes_nothing(service: Service) -> None:
    first = service.ingest([str(SEEDS)])
    assert first.summary() == {"added": 5, "reprint": 0, "duplicate": 0, "skipped": 0}
    before = [a.to_dict() for a in service.articles()]
    second = service.ingest([str(SEEDS)])
    assert second.summary() == {"added": 0, "reprint": 0, "duplicate": 5, "skipped": 0}
    assert [a.to_dict() for a in service.articles()] == before
    outlets = {Path(a.source_ref).name[:3]: a.outlet_name for a in service.articles()}
    assert outlets == {
        "000": None,
        "001": "Freedom Person",
        "002": "Straight Arrow News",
        "003": None,
        "004": None,
    }
    assert all(a.language == "en" for a in service.articles())


def test_same_text_under_another_file_name_is_a_duplicate(service: Service, tmp_path: Path) -> None:
    (seed,) = SEEDS.glob("003_*.txt")
    copy = tmp_path / "copy.txt"
    shutil.copy(seed, copy)
    service.ingest([str(seed)])
    report = service.ingest([str(copy)])
    assert report.count(Outcome.DUPLICATE) == 1
    assert service.store.count_articles() == 1


def test_html_page_saved_to_disk(service: Service) -> None:
    report = service.ingest([str(FIXTURES / "article.html")])
    assert report.count(Outcome.ADDED) == 1
    (article,) = service.articles()
    assert article.title == "Harbour authority approves new ferry terminal"
    assert article.outlet_name == "Coastline Courier"
    assert article.outlet_domain == "coastlinecourier.example"
    assert article.url == "https://www.coastlinecourier.example/news/2025/03/ferry-terminal"
    assert article.author == "Maria Lindqvist"
    assert article.published is not None
    assert article.published.isoformat() == "2025-03-04T08:30:00+00:00"
    assert "north quay" in article.body
    assert "All rights reserved" not in article.body
    assert article.extraction_method.startswith("trafilatura-")


@pytest.mark.parametrize(
    ("stated", "expected"),
    [
        ("2025-03-04T09:30:00+01:00", "2025-03-04T08:30:00+00:00"),
        ("2025-03-01T09:30:00+00:00", "2025-03-01T09:30:00+00:00"),  # a real 1st stays
        ("2025-02-30", None),  # htmldate reads it as 1 February: a made-up day
        ("2025-13-45", None),  # ... and this as 1 January, from the year alone
    ],
)
def test_an_impossible_page_date_is_left_unknown(
    service: Service, tmp_path: Path, stated: str, expected: str | None
) -> None:
    page = (FIXTURES / "article.html").read_text(encoding="utf-8")
    page = page.replace("2025-03-04T09:30:00+01:00", stated).replace("/2025/03/", "/news/")
    src = tmp_path / "dated.html"
    src.write_text(page, encoding="utf-8")
    service.ingest([str(src)])
    (article,) = service.articles()
    assert (article.published.isoformat() if article.published else None) == expected


def test_markdown_with_front_matter(service: Service) -> None:
    service.ingest([str(FIXTURES / "note.md")])
    (article,) = service.articles()
    assert article.title == "Council approves cycling lanes"
    assert article.outlet_name == "Riverside Weekly"
    assert article.author == "Priya Natarajan"
    assert article.published is not None and article.published.date().isoformat() == "2025-06-02"
    assert article.extra == {"tags": "transport"}
    assert article.body.startswith("The city council approved")


def test_rss_file_with_full_text_entries(service: Service) -> None:
    report = service.ingest([str(FIXTURES / "feed.rss")])
    assert report.count(Outcome.ADDED) == 2
    articles = {a.title: a for a in service.articles()}
    bridge = articles["Bridge reopens after flood repairs"]
    assert bridge.outlet_name == "Valley Gazette"
    assert bridge.published is not None and bridge.published.isoformat().startswith("2025-05-06")
    assert bridge.extra["guid"] == "vg-1001"
    assert "steel piles" in bridge.body


def test_feed_entry_dates_outside_the_plausible_range_are_left_unknown(
    service: Service, tmp_path: Path
) -> None:
    """A feed's own dates meet the same range as every other input (1900 to a day from now):
    year 1 or 2999 would otherwise be stored and skew every time window."""
    feed = (FIXTURES / "feed.rss").read_text(encoding="utf-8")
    feed = feed.replace("Tue, 06 May 2025 08:15:00 GMT", "Mon, 01 Jan 2999 00:00:00 GMT")
    feed = feed.replace("Wed, 07 May 2025 10:00:00 GMT", "Wed, 07 May 1850 10:00:00 GMT")
    src = tmp_path / "odd-dates.rss"
    src.write_text(feed, encoding="utf-8")
    report = service.ingest([str(src)])
    assert report.count(Outcome.ADDED) == 2, [r.reason for r in report.skipped]
    assert [a.published for a in service.articles()] == [None, None]
    assert all("published" not in a.provenance for a in service.articles())


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("latin1.txt", "Café owners protest new terrace rules"),
        ("bom_utf8.txt", "UTF-8 with BOM headline here"),
        ("utf16.txt", "Zürich votes on new tram line"),
    ],
)
def test_encodings_are_decoded(service: Service, name: str, expected: str) -> None:
    report = service.ingest([str(FIXTURES / name)])
    assert report.count(Outcome.ADDED) == 1, report.results
    (article,) = service.articles()
    assert article.title == expected


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty.txt", "empty input"),
        ("blank.txt", "empty input"),
        ("binary.bin", "binary data"),
        ("empty_page.html", "no article text"),
        ("not_a_feed.xml", "not an RSS or Atom feed"),
    ],
)
def test_bad_files_are_skipped_with_a_clear_reason(
    service: Service, name: str, message: str
) -> None:
    service.ingest([str(SEEDS)])
    report = service.ingest([str(FIXTURES / name)])
    reason = _only_reason([r.reason for r in report.skipped])
    assert name in reason
    assert message in reason
    assert service.store.count_articles() == 5


def test_a_huge_file_is_refused_before_it_is_read(service: Service, tmp_path: Path) -> None:
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as fh:  # sparse: 200 MB on paper, no disk used
        fh.truncate(200 * 1024 * 1024)
    report = service.ingest([str(huge)])
    reason = _only_reason([r.reason for r in report.skipped])
    assert "200.0 MiB" in reason
    assert "max_file_mb=100.0 MiB" in reason


def test_the_file_cap_is_configurable(tmp_path: Path) -> None:
    settings = Settings(db=tmp_path / "t.db", max_file_mb=0.001)
    with Service(settings) as svc:
        report = svc.ingest([str(FIXTURES / "article.html")])
    assert "max_file_mb" in _only_reason([r.reason for r in report.skipped])


def test_a_gzip_bomb_is_stopped_at_the_cap(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.jsonl.gz"
    with gzip.open(bomb, "wb") as fh:
        fh.write(b" " * (3 * 1024 * 1024))
    settings = Settings(db=tmp_path / "t.db", max_file_mb=1)
    with Service(settings) as svc:
        report = svc.ingest([str(bomb)])
    assert "decompressed data exceeds" in _only_reason([r.reason for r in report.skipped])


def test_a_missing_source_is_reported_and_the_others_still_run(service: Service) -> None:
    report = service.ingest(["/no/such/place.txt", str(FIXTURES / "note.md")])
    assert report.count(Outcome.ADDED) == 1
    assert "no such file" in _only_reason([r.reason for r in report.skipped])


def _jsonl(path: Path, rows: list[object]) -> Path:
    lines = [row if isinstance(row, str) else json.dumps(row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_jsonl_schema_ids_and_unknown_fields(service: Service, tmp_path: Path) -> None:
    src = _jsonl(
        tmp_path / "a.jsonl",
        [
            {
                "id": "caller-1",
                "text": "Parliament passed the budget after a long night of debate.",
                "title": "Budget passes",
                "outlet": "Capital Times",
                "url": "https://capitaltimes.example/budget?utm_campaign=x",
                "published": "2025-02-01T18:30:00+02:00",
                "author": "A. Writer",
                "story": "budget-2025",
                "cluster": 7,
            },
            {"id": 42, "text": "", "title": "Headline-only item about the budget"},
        ],
    )
    report = service.ingest([str(src)])
    assert report.summary()["added"] == 2
    assert any("unknown field 'cluster'" in w for w in report.warnings)
    first = service.article("caller-1")
    assert first is not None
    assert first.url == "https://capitaltimes.example/budget"
    assert first.outlet_domain == "capitaltimes.example"
    assert (
        first.published is not None and first.published.isoformat() == "2025-02-01T16:30:00+00:00"
    )
    assert first.story_key == "budget-2025"
    assert first.extra == {"cluster": 7}
    assert service.article("42") is not None


def test_jsonl_bad_lines_are_reported_by_number_and_good_lines_kept(
    service: Service, tmp_path: Path
) -> None:
    src = _jsonl(
        tmp_path / "mixed.jsonl",
        [
            {"id": "ok-1", "text": "A good first article about the harbour."},
            "{not json",
            {"text": "no id here"},
            {"id": "no-text"},
            ["a", "list"],
            {"id": "ok-1", "text": "The same id again on another line."},
            {
                "id": "bad-date",
                "text": "An article with a date nobody can read.",
                "published": "soon",
            },
            {"id": "ok-2", "text": "A good last article about the library."},
        ],
    )
    report = service.ingest([str(src)])
    assert {a.id for a in service.articles()} == {"ok-1", "ok-2", "bad-date"}
    reasons = [r.reason or "" for r in report.skipped]
    assert len(reasons) == 5
    assert any(":2: not valid JSON" in r for r in reasons)
    assert any(":3: required field 'id'" in r for r in reasons)
    assert any(":4: required field 'text'" in r for r in reasons)
    assert any(":5: a line must hold a JSON object" in r for r in reasons)
    assert any(":6: duplicate id 'ok-1'" in r and "first on line 1" in r for r in reasons)
    assert any("'published' value 'soon'" in w for w in report.warnings)


def test_jsonl_lone_surrogate_escapes_are_replaced_and_the_lines_kept(
    service: Service, tmp_path: Path
) -> None:
    """JSON may escape half a UTF-16 pair ("\\ud800"), which no UTF-8 text can hold: it
    once failed the content hash and skipped the whole file."""
    src = tmp_path / "surrogates.jsonl"
    src.write_text(
        '{"id": "ok-1", "text": "A good first article about the harbour."}\n'
        '{"id": "half", "title": "Bad \\ud800 title", "text": "Body \\uDFFF here.", '
        '"outlet": "Post \\udbff", "note \\ud801": ["x \\udc00"]}\n'
        '{"id": "pair", "text": "A whole pair stays: \\ud83d\\ude00 in the library."}\n',
        encoding="utf-8",
    )
    report = service.ingest([str(src)])
    assert not report.skipped
    stored = {a.id: a for a in service.articles()}
    assert set(stored) == {"ok-1", "half", "pair"}
    half = stored["half"]
    assert half.title == "Bad \ufffd title"
    assert half.body == "Body \ufffd here."
    assert half.outlet_name == "Post \ufffd"
    assert half.extra == {"note \ufffd": ["x \ufffd"]}
    assert "\U0001f600" in stored["pair"].body
    assert [w for w in report.warnings if "surrogate" in w] == [
        f"{src}:2: 5 lone UTF-16 surrogate escape(s) (\\ud800-\\udfff) replaced with U+FFFD"
    ]


def test_oversized_fields_are_cut_or_refused_with_a_warning(
    service: Service, tmp_path: Path
) -> None:
    """No field is stored at any length: names and headlines are cut at a word, a language
    that is no tag is detected instead, an id or story key too long to cut is refused."""
    body = "A good article about the harbour and its new ferry timetable."
    src = _jsonl(
        tmp_path / "fields.jsonl",
        [
            {"id": "long", "text": body, "title": "word " * 1_000, "outlet": "Post " * 100,
             "author": "Jane " * 100, "language": "x" * 100_000},
            {"id": "tag", "text": body + " Again.", "language": "pt-BR"},
            {"id": "k" * 600, "text": body + " Third."},
            {"id": "story", "text": body + " Fourth.", "story": "s" * 600},
        ],
    )  # fmt: skip
    report = service.ingest([str(src)])
    stored = {a.id: a for a in service.articles()}
    assert set(stored) == {"long", "tag"}
    long = stored["long"]
    assert long.title is not None and len(long.title) <= 2_000 and long.title.endswith("word…")
    assert long.outlet_name is not None and len(long.outlet_name) <= 300
    assert long.author is not None and long.author.endswith("Jane…")
    assert long.language == "en"  # detected from the text
    assert stored["tag"].language == "pt-BR"
    assert sum("cut to" in w for w in report.warnings) == 3
    assert any("is not a language tag" in w for w in report.warnings)
    reasons = [r.reason or "" for r in report.skipped]
    assert any(":3: id is 600 characters, above 512" in r for r in reasons)
    assert any(":4: story key is 600 characters, above 512" in r for r in reasons)


def test_control_characters_in_headlines_and_names_become_spaces(
    service: Service, tmp_path: Path
) -> None:
    src = _jsonl(
        tmp_path / "controls.jsonl",
        [{"id": "c", "text": "A good article about the harbour ferry timetable.",
          "title": "Ferry\u0000 times\u001b[31m change\nagain", "outlet": "Post\u0007 Daily",
          "author": "\u0000"}],
    )  # fmt: skip
    service.ingest([str(src)])
    (article,) = service.articles()
    assert article.title == "Ferry times change again"
    assert article.outlet_name == "Post Daily"
    assert article.author is None


def test_an_unexpected_error_on_one_item_skips_that_item_only(
    service: Service, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newsprism.ingest import prepare as prepare_module

    real = prepare_module.content_hash

    def fragile(title: str | None, body: str) -> str:
        if "explodes" in body:
            raise RuntimeError("boom")
        return real(title, body)

    monkeypatch.setattr(prepare_module, "content_hash", fragile)
    src = _jsonl(
        tmp_path / "fragile.jsonl",
        [
            {"id": "ok-1", "text": "A good first article about the harbour."},
            {"id": "bad", "text": "This one explodes in the checks."},
            {"id": "ok-2", "text": "A good last article about the library."},
        ],
    )
    report = service.ingest([str(src)])
    assert {a.id for a in service.articles()} == {"ok-1", "ok-2"}
    reason = _only_reason([r.reason for r in report.skipped])
    assert ":2: internal error (RuntimeError: boom); item skipped" in reason


def test_jsonl_line_with_a_10_mb_text_is_refused_alone(service: Service, tmp_path: Path) -> None:
    src = _jsonl(
        tmp_path / "big.jsonl",
        [
            {"id": "small", "text": "A normal article."},
            {"id": "huge", "text": "word " * 2_000_000},
        ],
    )
    report = service.ingest([str(src)])
    assert [a.id for a in service.articles()] == ["small"]
    reason = _only_reason([r.reason for r in report.skipped])
    assert ":2:" in reason and "max_article_chars=2,000,000" in reason


def test_gzipped_jsonl_and_the_same_id_with_other_content(service: Service, tmp_path: Path) -> None:
    src = tmp_path / "a.jsonl.gz"
    with gzip.open(src, "wt", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": "g1", "text": "Compressed article text."}) + "\n")
    assert service.ingest([str(src)]).count(Outcome.ADDED) == 1
    other = _jsonl(tmp_path / "b.jsonl", [{"id": "g1", "text": "Different text, same id."}])
    report = service.ingest([str(other)])
    assert "already stored with different content" in _only_reason(
        [r.reason for r in report.skipped]
    )
    stored = service.article("g1")
    assert stored is not None and stored.body == "Compressed article text."


def test_a_folder_with_a_mix_of_everything(service: Service, tmp_path: Path) -> None:
    folder = tmp_path / "mix"
    shutil.copytree(FIXTURES, folder)
    shutil.copytree(SEEDS, folder / "seeds")
    (folder / "sub").mkdir()
    _jsonl(folder / "sub" / "rows.jsonl", [{"id": "r1", "text": "Row text."}, "{broken"])
    (folder / ".hidden.txt").write_text("never read", encoding="utf-8")
    report = service.ingest([str(folder)])
    counts = report.summary()
    # 5 seeds + html + md + rss(2) + 3 encodings + 1 good jsonl row
    assert counts["added"] == 13, report.results
    assert counts["skipped"] == 6  # empty, blank, binary, empty page, not a feed, broken row
    assert service.store.count_articles() == 13
    assert not any(".hidden" in r.source for r in report.results)


def _paragraphs(n: int, seed: int) -> list[str]:
    words = [f"w{(seed * 7919 + i * 104729) % 5003}" for i in range(n * 40)]
    return [" ".join(words[i * 40 : (i + 1) * 40]) + "." for i in range(n)]


def test_syndicated_copies_are_linked_not_dropped(service: Service, tmp_path: Path) -> None:
    paras = _paragraphs(6, seed=1)
    rows = [
        {"id": "wire", "title": "Original headline", "text": "\n".join(paras),
         "outlet": "Wire", "published": "2025-01-02"},
        {"id": "trimmed", "title": "Another headline", "text": "\n".join(paras[:5]),
         "outlet": "Paper A", "published": "2025-01-03"},
        {"id": "unrelated", "title": "Something else", "text": "\n".join(_paragraphs(6, seed=2)),
         "outlet": "Paper B"},
    ]  # fmt: skip
    report = service.ingest([str(_jsonl(tmp_path / "w.jsonl", rows))])
    assert report.summary() == {"added": 2, "reprint": 1, "duplicate": 0, "skipped": 0}
    trimmed = service.article("trimmed")
    assert trimmed is not None and trimmed.duplicate_of == "wire"
    assert trimmed.duplicate_similarity is not None and trimmed.duplicate_similarity >= 0.9
    unrelated = service.article("unrelated")
    assert unrelated is not None and unrelated.duplicate_of is None


def test_an_earlier_copy_becomes_the_original_of_its_group(
    service: Service, tmp_path: Path
) -> None:
    text = "\n".join(_paragraphs(5, seed=3))
    rows = [
        {"id": "late", "title": "Late", "text": text, "outlet": "B", "published": "2025-03-05"},
        {"id": "early", "title": "Early", "text": text + " Extra line.", "outlet": "A",
         "published": "2025-03-01"},
    ]  # fmt: skip
    service.ingest([str(_jsonl(tmp_path / "e.jsonl", rows))])
    late, early = service.article("late"), service.article("early")
    assert late is not None and early is not None
    assert early.duplicate_of is None
    assert late.duplicate_of == "early"
