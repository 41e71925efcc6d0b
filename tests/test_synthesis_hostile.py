"""The synthesis given broken, hostile and huge input: a sane result or a clear note, never a
traceback, never a part silently lost, and nothing that reaches a terminal as a control code."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import httpx
import pytest

from newsprism.models import Article
from newsprism.synthesis.llm import ChatClient
from newsprism.synthesis.numbers import find_numbers
from newsprism.synthesis.render import as_text
from newsprism.synthesis.stage import Synthesis, _versions, synthesize
from tests.conftest import text_article


def _story(*bodies: str, titles: tuple[str, ...] = (), language: str = "en") -> list[Article]:
    out = []
    for n, body in enumerate(bodies):
        article = text_article(f"a{n}", body, language=language)
        title = titles[n] if n < len(titles) else None
        out.append(replace(article, title=title, outlet_name=f"Outlet {n}"))
    return out


def _round_trip(result: Synthesis) -> dict[str, Any]:
    data = json.loads(json.dumps(result.to_dict()))
    assert Synthesis.from_dict(data).to_dict() == data
    return data


def test_a_400_digit_number_keeps_the_fact_table() -> None:
    articles = _story(
        "9" * 400 + " stars were counted by the council on Monday. The mayor said 12 were new.",
        "The council counted the stars on Monday and said 12 were new.",
    )
    result = synthesize(articles, {})
    assert result.warnings == ()
    facts = _round_trip(result)["facts"]
    values = {c["text"] for g in facts["groups"] for c in g["cells"]}
    assert values == {"12"}
    assert find_numbers("It was worth " + "9" * 330 + ".5 dollars.") == []


def test_decimal_commas_dates_ranges_and_exponents_are_not_misread_as_counts() -> None:
    # each would otherwise give a wrong figure ("1" for 1,2 million, "31" for a date)
    for text in ["1,2 million euros", "on 31/02/2025", "1e9 cells", "10-15 people", "10–15 people",
                 "version 3.5.2 shipped"]:  # fmt: skip
        assert find_numbers(text) == [], text
    found = find_numbers("1.2 million and 1,200 people, 45%")
    assert [n.value for n in found] == [1_200_000, 1_200, 45]
    articles = _story(
        "The budget is 1,2 million euros, the council said on Monday.",
        "The council said on Monday the budget is 1.2 million euros.",
    )
    facts = synthesize(articles, {}).parts["facts"]
    assert [g["status"] for g in facts["groups"]] == ["single-source"]
    assert facts["groups"][0]["values"] == ["1,200,000"]
    assert "newsprism.numbers.v2" in _versions()  # stored syntheses read with v1 are recomputed


def test_short_headlines_alone_still_give_a_summary() -> None:
    articles = _story("", " \n ", titles=("Council approves budget", "Budget approved"))
    summary = synthesize(articles, {}).summary
    texts = {s.text: s.article_id for s in summary.sentences}
    assert texts == {"Council approves budget": "a0", "Budget approved": "a1"}
    assert all(s.sentence_index == -1 and s.start == s.end == 0 for s in summary.sentences)


def test_articles_of_one_endless_sentence_speak_through_their_headlines() -> None:
    endless = " ".join(["the council and the harbour budget"] * 8_000)  # 56,000 chars, no stop
    titles = ("Council approves the new harbour budget", "Harbour budget approved by council")
    summary = synthesize(_story(endless, endless, titles=titles), {}, with_parts=False).summary
    assert {s.text for s in summary.sentences} <= set(titles) and summary.sentences
    assert not any("No article text" in n for n in summary.notes)


def test_a_story_of_fragments_says_why_it_has_no_summary() -> None:
    articles = _story("https://example.com/a?b=c", "\U0001f600\U0001f600 \U0001f389",
                      "the council\nvoted\nyes\nfor the\nplan", "!!! ??? ... ,,,")  # fmt: skip
    result = synthesize(articles, {}, with_parts=False)
    assert result.summary.sentences == ()
    assert any("no sentence" in n.lower() for n in result.summary.notes), result.summary.notes
    assert "note: " in "\n".join(as_text(result, {a.id: a for a in articles}))


def test_terminal_control_codes_give_no_figures_and_never_reach_the_terminal() -> None:
    first = "The council approved \x1b[2J\x1b]0;pwned\x07the budget of five million on Monday."
    articles = _story(
        first + " The mayor said it would\x00 help.",
        "The council approved \x1b[31mthe budget of five million on Monday.\r The mayor agreed.",
        titles=("Budget \x1b[5m\u202eevil\nwarning: forged line", "Budget \x9b31m"),
    )
    result = synthesize(articles, {})
    (group,) = result.parts["facts"]["groups"]  # the escape codes' digits are no figures
    assert {c["text"] for c in group["cells"]} == {"five million"}
    assert group["status"] == "agreed"
    body = articles[0].body
    for sent in result.summary.sentences:
        assert "\x1b" not in sent.text and "\x00" not in sent.text
        if sent.article_id == "a0":  # offsets still point into the stored body
            assert len(body[sent.start : sent.end]) == len(sent.text)
    lines = as_text(result, {a.id: a for a in articles})
    shown = "\n".join(lines)
    assert not any(ch in shown for ch in "\x1b\x07\x00\r\x9b\u202e"), repr(shown)
    assert "pwned" not in shown and not any(line.startswith("warning: forged") for line in lines)
    assert "Budget" in shown and "five million" in shown


def test_a_story_in_another_language_is_summarised_but_not_read_by_english_models() -> None:
    articles = _story(
        "Der Stadtrat hat den Haushalt am Montag genehmigt. Der Bürgermeister sagte, es werde "
        "helfen.",
        "Der Rat stimmte dem Haushalt von fünf Millionen Euro zu, sagte Anna Schmidt.",
        language="de",
    )
    result = synthesize(articles, {})
    assert result.language == "de" and len(result.summary.sentences) >= 2
    assert not any("other languages" in n for n in result.summary.notes)
    entities = result.parts["entities"]
    assert entities["entities"] == []  # English NER would call "Haushalt" a person
    assert any("'de'" in w for w in entities["warnings"]), entities["warnings"]
    assert result.parts["facts"]["groups"] == [] and result.parts["timeline"]["events"] == []


def test_a_malformed_llm_url_is_a_clear_error_and_never_sinks_a_synthesis() -> None:
    for url in ["http://[::1/v1", "https://\x00x/v1"]:
        with pytest.raises(ValueError, match="not a valid URL"):
            ChatClient(url, "m")

    def invalid(request: httpx.Request) -> httpx.Response:
        raise httpx.InvalidURL("Invalid port: ':1'")

    client = ChatClient("http://llm.test/v1", "m", transport=httpx.MockTransport(invalid))
    articles = _story("The council approved the budget on Monday, the mayor said.",
                      "On Monday the council approved the budget.")  # fmt: skip
    result = synthesize(articles, {}, llm=client, with_parts=False)
    assert result.llm is None and result.summary.sentences
    assert any("extractive summary kept" in w and "Invalid port" in w for w in result.warnings)


def test_a_corrupt_stored_synthesis_is_refused_with_an_error_the_service_recomputes() -> None:
    good = _round_trip(synthesize(_story("The council approved the budget on Monday."), {}))
    broken = [
        {**good, "summary": {**good["summary"], "sentences": [["not", "a", "dict"]]}},
        {**good, "key_points": []},
        {**good, "llm": {"model": "m", "sentences": [None], "dropped": [], "method": "x"}},
        {**good, "articles": None},
    ]
    for data in broken:  # the service catches these three and recomputes
        with pytest.raises((KeyError, ValueError, TypeError)):
            Synthesis.from_dict(data)
