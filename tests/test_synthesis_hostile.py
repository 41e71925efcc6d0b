"""The synthesis given broken, hostile and huge input: a sane result or a clear note, never a
traceback, never a part silently lost, and nothing that reaches a terminal as a control code."""

from __future__ import annotations

import json
from dataclasses import replace

from newsprism.models import Article
from newsprism.synthesis.numbers import find_numbers
from newsprism.synthesis.stage import Synthesis, _versions, synthesize
from tests.conftest import text_article


def _story(*bodies: str, titles: tuple[str, ...] = (), language: str = "en") -> list[Article]:
    out = []
    for n, body in enumerate(bodies):
        article = text_article(f"a{n}", body, language=language)
        title = titles[n] if n < len(titles) else None
        out.append(replace(article, title=title, outlet_name=f"Outlet {n}"))
    return out


def _round_trip(result: Synthesis) -> dict[str, object]:
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
    values = {c["text"] for g in facts["groups"] for c in g["cells"]}  # type: ignore[index]
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
