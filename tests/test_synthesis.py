"""The synthesis stage, its storage through the service, the CLI, and the summary quality gate."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from newsprism.cli import app
from newsprism.config import Settings
from newsprism.lean.loaded import LoadedLexicon
from newsprism.models import Article, Side
from newsprism.service import Service
from newsprism.synthesis.prepared import LexicalEncoder
from newsprism.synthesis.stage import Synthesis, synthesize
from tests.conftest import EVAL, SEEDS

FLOOR = json.loads((Path(__file__).parent / "synthesis_floors.json").read_text(encoding="utf-8"))
NEUS = EVAL / "neus" / "neus_dev.jsonl.gz"


def _seed_story(service: Service) -> list[Article]:
    service.ingest([str(SEEDS)])
    return [a for a in service.articles() if not Path(a.source_ref).name.startswith("004")]


def test_synthesis_records_methods_times_and_round_trips(service: Service) -> None:
    articles = _seed_story(service)
    sides = {articles[0].id: Side.LEFT, articles[1].id: Side.RIGHT}
    result = synthesize(articles, sides, LexicalEncoder(), words=50, lexicon=LoadedLexicon.load())
    data = result.to_dict()
    assert data["synthesizer"] == "extractive" and data["llm"] is None
    assert data["methods"]["summary"] == "newsprism.summary-extractive.v2"
    assert data["methods"]["encoder"] == "newsprism.hashed-ngrams.v1"
    assert {"prepare", "summary", "key_points"} <= set(data["seconds"])
    assert data["articles"] == [a.id for a in articles] and data["left_out"] == []
    assert [s["side"] for s in data["key_points"]["sides"]] == ["left", "right"]
    again = Synthesis.from_dict(json.loads(json.dumps(data)))
    assert again.to_dict() == data
    assert result.text == result.summary.text


def test_hostile_article_text_still_gives_a_synthesis(service: Service, tmp_path: Path) -> None:
    src = tmp_path / "a.jsonl"
    rows = [
        {"id": "x", "language": "en", "text": "\x00\x07" * 10 + " <b>ok</b> \u202e" + "!" * 500},
        {"id": "y", "language": "en", "text": "The council met. " + "Ω" * 3000 + " It voted."},
    ]
    src.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    service.ingest([str(src)])
    result = synthesize(list(service.articles()), {}, LexicalEncoder())
    data = json.loads(json.dumps(result.to_dict()))
    assert data["articles"] == ["x", "y"]
    assert Synthesis.from_dict(data).to_dict() == data


@pytest.mark.slow
def test_service_stores_and_reuses_until_the_story_changes(tmp_path: Path) -> None:
    settings = Settings(db=tmp_path / "s.db", torch_threads=1)
    with Service(settings) as service:
        service.ingest([str(SEEDS)])
        service.build()
        story = max(service.stories(), key=lambda s: s.n_articles)
        first = service.story_synthesis(story.id)
        assert first is not None and first.summary.sentences
        start = time.perf_counter()
        again = service.story_synthesis(story.id)
        reread_ms = 1000 * (time.perf_counter() - start)
        assert again is not None and again.to_dict() == first.to_dict()
        assert reread_ms < 500, reread_ms  # stored: no model, no NLP
        assert service.story_synthesis(999_999) is None
        service.store._conn.execute("UPDATE story_synthesis SET data = '{broken'")
        repaired = service.story_synthesis(story.id)
        assert repaired is not None and repaired.summary.text == first.summary.text
    wider = settings.with_overrides(summary_words=120)
    with Service(wider) as service:
        longer = service.story_synthesis(story.id)
        assert longer is not None and longer.summary.words > first.summary.words


@pytest.mark.slow
def test_llm_synthesizer_falls_back_through_the_service(tmp_path: Path) -> None:
    settings = Settings(
        db=tmp_path / "s.db", torch_threads=1, llm_url="http://llm.test/v1", llm_model="m"
    )

    def broken(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text="<html>not json</html>")

    with Service(settings, transport=httpx.MockTransport(broken)) as service:
        service.ingest([str(SEEDS)])
        service.build()
        story = max(service.stories(), key=lambda s: s.n_articles)
        result = service.story_synthesis(story.id, synthesizer="llm")
        assert result is not None and result.llm is None and result.summary.sentences
        assert any("malformed JSON" in w for w in result.warnings)


@pytest.mark.slow
def test_cli_show_text_json_and_export(tmp_path: Path) -> None:
    db = str(tmp_path / "c.db")
    runner = CliRunner()
    env = {"NEWSPRISM_TORCH_THREADS": "1"}
    assert runner.invoke(app, ["--db", db, "ingest", "-q", str(SEEDS)], env=env).exit_code == 0
    assert runner.invoke(app, ["--db", db, "build", "-q"], env=env).exit_code == 0
    # build stored the multi-article story's synthesis; the single-article one is left
    first = runner.invoke(app, ["--db", db, "synthesize", "-q"], env=env)
    assert first.exit_code == 0 and "1 syntheses computed" in first.output, first.output
    again = runner.invoke(app, ["--db", db, "synthesize", "-q"], env=env)
    assert "0 syntheses computed" in again.output
    shown = runner.invoke(app, ["--db", db, "show", "1"], env=env)
    assert shown.exit_code == 0, shown.output
    assert "Summary (extractive" in shown.output and "[1]" in shown.output
    assert "Sources:" in shown.output
    as_json = runner.invoke(app, ["--db", db, "show", "1", "--format", "json"], env=env)
    data = json.loads(as_json.output)
    assert data["synthesis"]["summary"]["sentences"][0]["citations"]
    bad = runner.invoke(app, ["--db", db, "show", "1", "--synthesizer", "magic"], env=env)
    assert bad.exit_code == 1 and "'magic'" in bad.output
    no_llm = runner.invoke(app, ["--db", db, "show", "1", "--synthesizer", "llm"], env=env)
    assert no_llm.exit_code == 1 and "llm_url" in no_llm.output
    exported = runner.invoke(app, ["--db", db, "export", "stories", "--format", "json"], env=env)
    assert all(item["synthesis"]["summary"]["text"] for item in json.loads(exported.output))


@pytest.mark.slow
@pytest.mark.skipif(not NEUS.exists(), reason="../shared/eval/neus is not beside this checkout")
def test_summary_quality_floor_on_a_fixed_slice() -> None:
    from benchmarks.synthesis_eval import run

    result = run("val", FLOOR["stories"], FLOOR["words"])
    scores = result["scores"]
    print(json.dumps(scores, indent=1))
    assert scores["newsprism extractive"]["rouge2"] >= FLOOR["rouge2"]
    assert scores["newsprism extractive"]["rouge1"] >= FLOOR["rouge1"]
    assert result["loaded_share"]["summary"] < result["loaded_share"]["inputs"]


@pytest.mark.slow
def test_build_stores_the_synthesis_of_the_stories_it_changed(tmp_path: Path) -> None:
    settings = Settings(db=tmp_path / "b.db", torch_threads=1)
    with Service(settings) as service:
        service.ingest([str(SEEDS)])
        report = service.build()
        multi = [s.id for s in service.stories() if s.n_articles >= 2]
        single = [s.id for s in service.stories() if s.n_articles < 2]
        assert report.syntheses == len(multi) >= 1
        assert all(service.store.get_synthesis(sid) is not None for sid in multi)
        assert all(service.store.get_synthesis(sid) is None for sid in single)
        assert service.build().syntheses == 0  # nothing new: nothing recomputed
    off = settings.with_overrides(db=tmp_path / "off.db", synthesize_on_build=False)
    with Service(off) as service:
        service.ingest([str(SEEDS)])
        assert service.build().syntheses is None
        assert all(service.store.get_synthesis(s.id) is None for s in service.stories())


def test_one_story_whose_synthesis_fails_does_not_stop_the_build(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A synthesis that raises (a bug, data nobody foresaw) is reported for its story; the
    build finishes and the other stories keep theirs."""
    import newsprism.service as service_module

    real = service_module.synthesize

    def fragile(articles: list[Article], *args: object, **kwargs: object) -> Synthesis:
        if any("explodes" in a.body for a in articles):
            raise RuntimeError("boom")
        return real(articles, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(service_module, "synthesize", fragile)
    rows = [
        ("g1", "good", "The council approved the harbour budget on Tuesday after a debate."),
        ("g2", "good", "On Tuesday the council passed the harbour budget by seven votes."),
        ("b1", "bad", "The ferry strike explodes into a second week, unions say."),
        ("b2", "bad", "Ferry workers extended their strike into a second week on Monday."),
    ]
    src = tmp_path / "two.jsonl"
    src.write_text("".join(json.dumps({"id": i, "text": t, "story": k}) + "\n" for i, k, t in rows))
    with Service(settings.with_overrides(synthesize_on_build=True)) as service:
        service.ingest([str(src)])
        report = service.build()
        story_of = {aid: sid for aid, (sid, _) in service.assignments().items()}
        stored = {sid: service.store.get_synthesis(sid) for sid in set(story_of.values())}
    good, bad = story_of["g1"], story_of["b1"]
    assert report.syntheses == 1
    assert report.warnings == [
        f"story {bad}: synthesis failed (RuntimeError: boom); its page will try again"
    ]
    assert stored[good] is not None
    assert stored[bad] is None
