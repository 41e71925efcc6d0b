"""Sentence segmentation shared by every synthesis stage.

spaCy's rule-based sentencizer over its English tokenizer (which keeps abbreviations such as
"U.S." and "Dec." whole): no statistical model, about as fast as the tokenizer itself. Every
sentence keeps its character offsets in the article body so a citation can point back to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language

SEGMENTER_METHOD = "spacy.sentencizer.v1"


@dataclass(frozen=True)
class Sentence:
    """One sentence of one article, with its position in the article's body."""

    article_id: str
    index: int
    start: int
    end: int
    text: str


@lru_cache(maxsize=1)
def _segmenter() -> Language:
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


def split_sentences(article_id: str, body: str, min_chars: int = 2) -> list[Sentence]:
    """The sentences of ``body``, in order; blank lines always end a sentence."""
    out: list[Sentence] = []
    offset = 0
    for block in body.split("\n"):
        if block.strip():
            for sent in _segmenter()(block).sents:
                text = sent.text.strip()
                if len(text) >= min_chars:
                    start = offset + sent.start_char + (len(sent.text) - len(sent.text.lstrip()))
                    out.append(Sentence(article_id, len(out), start, start + len(text), text))
        offset += len(block) + 1
    return out
