"""Sentence segmentation: quotations stay whole, offsets always point back into the body."""

from __future__ import annotations

import pytest

from newsprism.synthesis.sentences import MAX_QUOTE_CHARS, split_sentences


def _texts(body: str) -> list[str]:
    out = split_sentences("a", body)
    for s in out:
        assert body[s.start : s.end] == s.text
    return [s.text for s in out]


def test_a_quotation_of_several_sentences_stays_one_sentence() -> None:
    body = (
        "Lukashenko spoke first. “We have many issues. The world is changing very quickly. "
        "And perhaps, resolve some matters,” Lukashenko told the press. Coale nodded."
    )
    assert _texts(body) == [
        "Lukashenko spoke first.",
        "“We have many issues. The world is changing very quickly. And perhaps, resolve some "
        "matters,” Lukashenko told the press.",
        "Coale nodded.",
    ]


@pytest.mark.parametrize(
    "body",
    [
        'Paul doubted it. "It is a farce. It will fail," he said. Then he left.',
        'Paul doubted it. “It is a farce. It will fail," he said. Then he left.',  # mixed marks
    ],
)
def test_straight_and_mixed_quote_marks(body: str) -> None:
    texts = _texts(body)
    assert texts[0] == "Paul doubted it."
    assert texts[1].endswith("he said.") and "farce. It will fail" in texts[1]
    assert texts[2] == "Then he left."


def test_an_opening_mark_left_at_a_sentence_end_moves_to_the_next() -> None:
    body = "Democrats panicked. “It is doom,” one said."
    texts = _texts(body)
    assert texts[0] == "Democrats panicked."
    assert texts[-1].startswith("“It is doom")


def test_a_stray_mark_never_swallows_the_paragraph() -> None:
    body = 'He measured 5 ft 10" that day. ' + "Another plain sentence follows here. " * 40
    texts = _texts(body)
    assert len(texts) >= 40
    assert all(len(t) <= MAX_QUOTE_CHARS for t in texts)


def test_a_quote_left_open_at_the_paragraph_end_does_not_cross_the_line() -> None:
    body = "“The first paragraph of a long quote.\n“The second paragraph,” she said."
    assert _texts(body) == [
        "“The first paragraph of a long quote.",
        "“The second paragraph,” she said.",
    ]


def test_hostile_and_huge_input_stay_fast_and_well_formed() -> None:
    body = ("“" * 5000) + ". " + ('"a. ' * 20000) + "\n\n" + ("x" * 100_000)
    texts = _texts(body)
    assert texts and all(len(t) <= max(MAX_QUOTE_CHARS, 100_000) for t in texts)
    assert _texts("") == [] and _texts("\n\n \n") == []
