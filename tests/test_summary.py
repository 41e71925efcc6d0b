"""The extractive neutral summary and key points on real seeds and small hostile stories.

The fast tests use the no-model lexical encoder; the seed story through MiniLM is marked slow.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from newsprism.lean.loaded import LoadedLexicon
from newsprism.models import Article, Side
from newsprism.service import Service
from newsprism.synthesis.compress import balanced, compress, compress_many, readable, whole
from newsprism.synthesis.keypoints import key_points
from newsprism.synthesis.prepared import LexicalEncoder, prepare
from newsprism.synthesis.summary import (
    Selection,
    Summary,
    SummarySentence,
    cite,
    is_fragment,
    stands_alone,
    summarize,
)
from tests.conftest import SEEDS, text_article


def _ingest(service: Service, tmp_path: Path, records: list[dict[str, str]]) -> list[Article]:
    src = tmp_path / "story.jsonl"
    src.write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    report = service.ingest([str(src)])
    assert not report.skipped, report.skipped
    wanted = [r["id"] for r in records]
    found = {a.id: a for a in service.articles()}
    return [found[i] for i in wanted]


def _seed_story(service: Service) -> list[Article]:
    service.ingest([str(SEEDS)])
    return [a for a in service.articles() if not Path(a.source_ref).name.startswith("004")]


def _source_text(body: str, sent: SummarySentence) -> str:
    """What the summary sentence quotes of its article: the sentence, or its kept ranges."""
    if not sent.spans:
        return body[sent.start : sent.end]
    assert all(sent.start <= a < b <= sent.end for a, b in sent.spans) and sent.cuts
    joined = "".join(body[a:b] for a, b in sent.spans)
    return joined[:1].upper() + joined[1:]


SIDED = [
    {"id": "l1", "outlet": "Left Daily", "language": "en", "text":
        "The city council approved the new transit budget on Tuesday. "
        "Activists said the vote was a victory for working families across the region."},
    {"id": "c1", "outlet": "Center Wire", "language": "en", "text":
        "The city council approved a new transit budget on Tuesday by a vote of seven to two. "
        "The budget adds forty buses and extends night service."},
    {"id": "r1", "outlet": "Right Post", "language": "en", "text":
        "The city council approved the transit budget on Tuesday. "
        "Property owners will pay a higher levy of two percent to fund the plan next year."},
]  # fmt: skip
SIDES = {"l1": Side.LEFT, "c1": Side.CENTER, "r1": Side.RIGHT}


def test_seed_summary_cites_every_supporting_article(service: Service) -> None:
    articles = _seed_story(service)
    story = prepare(articles, {}, LexicalEncoder())
    summary = summarize(story, words=55, lexicon=LoadedLexicon.load())
    assert summary.sentences
    assert 0.5 * 55 <= summary.words <= 1.25 * 55
    ids = {a.id for a in articles}
    for sent in summary.sentences:
        own = [c for c in sent.citations if c.article_id == sent.article_id]
        body = next(a.body for a in articles if a.id == sent.article_id)
        assert own and own[0].similarity == 1.0 and own[0].sentence == body[sent.start : sent.end]
        assert {c.article_id for c in sent.citations} <= ids
        assert sent.start < sent.end
        assert _source_text(body, sent) == sent.text
    assert any(len(s.citations) >= 2 for s in summary.sentences)  # found in other articles too
    assert not any(n.startswith("Only one article") for n in summary.notes)


def test_length_is_configurable_and_validated(service: Service) -> None:
    story = prepare(_seed_story(service), {}, LexicalEncoder())
    short, long = summarize(story, words=20), summarize(story, words=150)
    assert short.words < long.words
    assert long.words <= 1.25 * 150
    with pytest.raises(ValueError, match="3 words is too short"):
        summarize(story, words=3)


def test_summary_prefers_unloaded_wording(service: Service, tmp_path: Path) -> None:
    lexicon = LoadedLexicon.load()
    articles = _ingest(service, tmp_path, [
        {"id": "a", "language": "en", "text": "The regime thugs brutally crushed the protest in "
         "the capital on Monday, witnesses said."},
        {"id": "b", "language": "en", "text": "Police dispersed the protest in the capital on "
         "Monday, witnesses said."},
        {"id": "c", "language": "en", "text": "Police dispersed the protest in the capital on "
         "Monday after it grew."},
    ])  # fmt: skip
    summary = summarize(prepare(articles, {}, LexicalEncoder()), words=12, lexicon=lexicon)
    assert summary.sentences[0].loaded_words == 0
    assert "thugs" not in summary.sentences[0].text
    inputs = sum(lexicon.count(a.body) for a in articles)
    assert sum(s.loaded_words for s in summary.sentences) < inputs


def test_key_points_mark_shared_and_single_side_points(service: Service, tmp_path: Path) -> None:
    articles = _ingest(service, tmp_path, SIDED)
    story = prepare(articles, SIDES, LexicalEncoder())
    points = key_points(story, per_side=2)
    assert points.compared
    by_side = {sp.side: sp for sp in points.sides}
    assert set(by_side) == {Side.LEFT, Side.CENTER, Side.RIGHT}
    texts = {p.text: p for sp in points.sides for p in sp.points}
    levy = next(p for t, p in texts.items() if "levy" in t)
    assert levy.only_this_side and not levy.shared_with
    assert any(
        "Only right-leaning sources mention" in line for line in by_side[Side.RIGHT].exclusive
    )
    approved = [p for t, p in texts.items() if "approved" in t]
    assert approved and all(p.shared_with and not p.only_this_side for p in approved)
    with pytest.raises(ValueError, match="at least 1, not 0"):
        key_points(story, per_side=0)


def test_one_article_says_so_and_invents_no_sides(service: Service, tmp_path: Path) -> None:
    articles = _ingest(service, tmp_path, SIDED[:1])
    story = prepare(articles, {"l1": Side.LEFT}, LexicalEncoder())
    summary = summarize(story)
    assert summary.notes[0].startswith("Only one article covers this story")
    assert all(c.article_id == "l1" for s in summary.sentences for c in s.citations)
    points = key_points(story)
    assert not points.compared
    assert [sp.side for sp in points.sides] == [Side.LEFT]
    assert not any(p.only_this_side for sp in points.sides for p in sp.points)


def test_other_languages_are_left_out_and_named(service: Service, tmp_path: Path) -> None:
    records = [*SIDED, {"id": "d1", "language": "de", "outlet": "Zeitung", "text":
               "Der Stadtrat hat am Dienstag den neuen Verkehrshaushalt beschlossen."}]  # fmt: skip
    story = prepare(_ingest(service, tmp_path, records), SIDES, LexicalEncoder())
    assert story.language == "en" and [a.id for a in story.left_out] == ["d1"]
    summary = summarize(story)
    assert any("other languages (de)" in n and "(en)" in n for n in summary.notes)
    assert all(s.article_id != "d1" for s in summary.sentences)


def test_empty_hostile_and_huge_input(service: Service, tmp_path: Path) -> None:
    empty = summarize(prepare([], {}, LexicalEncoder()))
    assert not empty.sentences and "No article text" in empty.notes[-1]
    huge_body = "The council met again today and voted on the budget. " * 40_000  # 2.1M chars
    articles = _ingest(service, tmp_path, [
        {"id": "junk", "language": "en", "text": "!!! ?? \u200b\U0001f600 <script>x</script>"},
        {"id": "huge", "language": "en", "text": huge_body[:1_900_000]},
    ])  # fmt: skip
    start = time.perf_counter()
    story = prepare(articles, {"junk": Side("left")}, LexicalEncoder())
    summary = summarize(story, words=40)
    assert time.perf_counter() - start < 20
    assert "huge" in story.truncated
    assert any("read only in part" in n for n in summary.notes)
    assert summary.sentences and len(summary.sentences) <= 10


@pytest.mark.slow
def test_seed_summary_with_minilm_names_the_release(service: Service) -> None:
    from newsprism.stories.encoder import MiniLMEncoder

    articles = _seed_story(service)
    story = prepare(articles, {}, MiniLMEncoder(threads=1))
    summary = summarize(story, words=60, lexicon=LoadedLexicon.load())
    assert summary.sentences
    assert max(len(s.citations) for s in summary.sentences) >= 3
    lexicon = LoadedLexicon.load()
    words = sum(len(a.body.split()) for a in articles)
    assert sum(s.loaded_words for s in summary.sentences) / summary.words < (
        sum(lexicon.count(a.body) for a in articles) / words
    )


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("• Ales Bialiatski, human rights activist and Nobel Peace Prize laureate;", True),
        ("Among those released were:", True),
        ("Belarus Frees 52 Political Prisoners In US-Brokere...", True),
        ("Too short.", True),
        ("Belarus released 123 political prisoners on Saturday.", False),
    ],
)
def test_fragments_are_never_chosen(text: str, fragment: bool) -> None:
    assert is_fragment(text) is fragment


def test_headline_only_articles_are_summarised_from_headlines(
    service: Service, tmp_path: Path
) -> None:
    articles = _ingest(service, tmp_path, [
        {"id": "h1", "language": "en", "text": "",
         "title": "City council approves new transit budget after long debate"},
        {"id": "h2", "language": "en", "text": "",
         "title": "Council approves transit budget with forty new buses"},
    ])  # fmt: skip
    summary = summarize(prepare(articles, {}, LexicalEncoder()), words=20)
    assert summary.sentences and all(s.sentence_index == -1 for s in summary.sentences)
    assert summary.sentences[0].text in {a.title for a in articles}


@pytest.mark.parametrize(
    ("sentence", "cut", "kind"),
    [
        ("WASHINGTON (AP) — The Senate passed the budget bill late on Tuesday night.",
         "The Senate passed the budget bill late on Tuesday night.", "dateline"),
        ("WASHINGTON - A former lawyer will plead guilty to falsifying a document.",
         "A former lawyer will plead guilty to falsifying a document.", "dateline"),
        ("On Tuesday, the city council approved the new transit budget for next year.",
         "The city council approved the new transit budget for next year.", "lead"),
        ("Sen. Rand Paul (R-Ky.) said on Sunday that he would vote against the bill.",
         "Sen. Rand Paul said on Sunday that he would vote against the bill.", "paren"),
        ("Jair Bolsonaro, a former army captain, has won the country's presidential election.",
         "Jair Bolsonaro has won the country's presidential election.", "appos"),
    ],
)  # fmt: skip
def test_cuts_drop_what_a_reader_can_lose(sentence: str, cut: str, kind: str) -> None:
    variants = compress(sentence)
    assert variants[0].text == sentence and not variants[0].cuts
    found = {v.text: v for v in variants[1:]}
    assert cut in found and kind in found[cut].cuts
    joined = "".join(sentence[a:b] for a, b in found[cut].spans)
    assert joined[:1].upper() + joined[1:] == cut


@pytest.mark.parametrize(
    "sentence",
    [
        "If the bill passes, taxes on fuel will rise by ten percent next year.",
        "Without approval from the board, the merger cannot go ahead this year.",
        "Prices rose sharply in March, according to the statistics office.",
        "The plan will cost billions, the minister said on Tuesday evening.",
    ],
)
def test_conditions_and_attributions_are_never_cut(sentence: str) -> None:
    variants = compress(sentence)
    assert [v.text for v in variants] == [sentence]


def test_cuts_never_break_a_quote() -> None:
    for sentence in [
        '"We will not back down," said Smith, a senator from Ohio, on Tuesday in the capital.',
        "The mayor, who called the plan “a disaster, frankly”, voted against it on Monday.",
        'He said the deal, which he called "historic, was signed in Paris on Friday.',
        "Officials (who declined to be named “for now) said talks would resume on Monday.",
    ]:
        for v in compress(sentence)[1:]:
            assert v.text.count('"') % 2 == 0, v.text
            assert v.text.count("“") == v.text.count("”"), v.text
            assert v.text.count("(") == v.text.count(")"), v.text


@pytest.mark.parametrize(
    "text", ["", " ", "Word", "...", "“ unbalanced quote opens here and never closes"]
)
def test_compress_hostile_short_input(text: str) -> None:
    variants = compress(text)
    assert variants[0].text == text
    assert all(v.words >= 5 for v in variants[1:])


def test_compress_huge_and_foreign_input() -> None:
    huge = "The council, which met on Tuesday, voted on the budget again " * 500  # 5,500 words
    start = time.perf_counter()
    assert compress(huge) == [whole(huge)]  # over MAX_CHARS: left whole, not parsed
    assert time.perf_counter() - start < 1
    german = "Der Stadtrat, der am Dienstag tagte, hat den neuen Haushalt beschlossen."
    assert compress(german, language="de") == [whole(german)]
    assert compress_many([], "en") == []


def test_cut_summary_round_trips_and_old_rows_still_read(service: Service) -> None:
    story = prepare(_seed_story(service), {}, LexicalEncoder())
    summary = summarize(story, words=55)
    data = json.loads(json.dumps(summary.to_dict()))
    assert Summary.from_dict(data).to_dict() == data
    for sent in data["sentences"]:  # a summary stored before cuts existed
        del sent["spans"], sent["cuts"]
    old = Summary.from_dict(data)
    assert all(not s.spans and not s.cuts for s in old.sentences)


def test_a_lone_quote_left_by_the_segmenter_is_dropped_and_cut_offs_are_not_readable() -> None:
    text = "McConnell said he was mistaken about the pandemic playbook. “"
    fixed = whole(text)
    assert fixed.text == "McConnell said he was mistaken about the pandemic playbook."
    assert fixed.cuts == ("quote",) and text[: fixed.spans[0][1]] == fixed.text
    assert readable(fixed.text) and not readable(text)
    assert not readable("She would support Sen. Bernie Sanders's (I-Vt.)")
    assert not readable('Medicare for All" bill, which would institute a single-payer system.')
    assert not readable("Brazil's top court declared that Bolsonaro has won the election for")
    assert readable('He called it "a disaster."') and readable("Prices rose in the U.S.")


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"fill": 0.0}, "fill 0.0 and over 1.25"),
        ({"fill": 1.2, "over": 1.1}, "fill 1.2 and over 1.1"),
        ({"compress_top": -1}, "compress_top -1"),
        ({"redundant": 1.5}, "redundant 1.5"),
    ],
)
def test_selection_settings_are_validated(settings: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Selection(**settings)  # type: ignore[arg-type]


def test_compress_pathological_sentences_stay_fast_and_well_formed() -> None:
    many = ", ".join(f"Minister {i} (party {i}), a member since {2000 + i}" for i in range(25))
    sentence = f"On Monday, {many}, voted for the bill (the third vote)."
    foreign = "Путин заявил, что переговоры (в Минске), которые начались вчера, продолжатся."
    noise = "\x00\u202e “On Tuesday,” (he said), \U0001f600 — the council voted at last."
    start = time.perf_counter()
    for text in (sentence, foreign, noise):
        variants = compress(text)
        assert variants[0].spans == ((0, len(text)),) or variants[0].cuts == ("quote",)
        for v in variants[1:]:
            assert balanced(v.text) and v.words >= 5 and len(v.text) < len(text)
            assert all(0 <= a < b <= len(text) for a, b in v.spans)
    assert time.perf_counter() - start < 5


@pytest.mark.parametrize(
    ("text", "alone"),
    [
        ("They did leave behind a plan.", False),
        ("It looks like he is going to get it.", False),
        ("Senate leader Mitch McConnell said he was mistaken. “", False),
        ("Italy's parliament approved the budget on Friday.", True),  # "It" only as a word
        ("The White House announced a $13 billion aid package.", True),
    ],
)
def test_what_stands_alone_in_a_summary(text: str, alone: bool) -> None:
    assert stands_alone(text) is alone


def test_a_sentence_is_not_cited_by_one_with_other_figures() -> None:
    """Alike in wording, not in numbers: "105 million" does not support "90 million"; the same
    figure in words or digits does."""
    body = "The council approved a budget of {} million dollars for the harbour on Tuesday."
    articles = [
        text_article("a", body.format("105")),
        text_article("b", body.format("90")),
        text_article("c", body.format("105")),
        text_article("d", "The council approved a budget for the harbour on Tuesday."),
    ]
    story = prepare(articles, {}, LexicalEncoder())
    row = next(i for i, s in enumerate(story.sentences) if s.article_id == "a")
    cited = {c.article_id for c in cite(story, row, threshold=0.3)}
    assert cited == {"a", "c", "d"}
    row_b = next(i for i, s in enumerate(story.sentences) if s.article_id == "b")
    assert {c.article_id for c in cite(story, row_b, threshold=0.3)} == {"b", "d"}
