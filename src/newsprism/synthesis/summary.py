"""The neutral summary: sentences chosen from every side's articles, each with its citations.

Extractive, no network and no download. Every sentence of the story (in its main language) is
scored by a linear function of what makes a sentence central and shared: its word pairs found in
the other articles, its similarity to the story's centroid and to the other articles' closest
sentences, the headlines' words it repeats, its position, its length and its form (quotes,
questions, first person). The weights were fitted on part of the NeuS dev stories
(``benchmarks/synthesis_eval.py``). Loaded wording (the loaded-language lexicon) is penalised,
a side not yet heard gets a small bonus, and a sentence too close to one already chosen is
skipped (MMR). Each chosen sentence cites every article with a sentence similar enough to it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from newsprism.models import Side
from newsprism.synthesis.candidates import (
    SENTENCE_WEIGHTS,
    story_features,
    story_words,
    variant_features,
    variant_score,
)
from newsprism.synthesis.compress import Variant, compress_many, readable, whole
from newsprism.synthesis.numbers import figures as _figures
from newsprism.synthesis.prepared import StorySentences, similar_threshold

SUMMARY_METHOD = "newsprism.summary-extractive.v2"
# v2: a sentence is not cited as support by one that states other figures only
CITATION_METHOD = "newsprism.citations.v2"
DEFAULT_WORDS = 55
MIN_WORDS = 5
REDUNDANT = 0.85
LOADED_PENALTY = 0.05
NEW_SIDE_BONUS = 0.01
_PRONOUN_START = re.compile(r"(?:He|She|It|They|We|I|His|Her|Its|Their|Them)\b")
_BULLETS = ("•", "·", "-", "–", "—", "*", "▪", "◦")


@dataclass(frozen=True)
class Selection:
    """How candidates are chosen: the best first until ``fill`` × the budget is reached, none
    that would pass ``over`` × the budget; the best ``compress_top`` sentences get cut variants
    (0: whole sentences only)."""

    fill: float = 0.85
    over: float = 1.25
    compress_top: int = 40
    loaded_penalty: float = LOADED_PENALTY
    new_side_bonus: float = NEW_SIDE_BONUS
    redundant: float = REDUNDANT

    def __post_init__(self) -> None:
        if not 0 < self.fill <= self.over:
            raise ValueError(
                f"selection fill {self.fill} and over {self.over}: need 0 < fill <= over"
            )
        if self.compress_top < 0:
            raise ValueError(f"compress_top {self.compress_top} must be 0 or more")
        if not 0 < self.redundant <= 1:
            raise ValueError(f"redundant {self.redundant} must be in (0, 1]")


class Lexicon(Protocol):
    """What the summary needs of the loaded-language lexicon."""

    def count(self, text: str) -> int: ...


@dataclass(frozen=True)
class Citation:
    """One article that states what a summary sentence says (its own article included)."""

    article_id: str
    outlet: str | None
    side: Side
    similarity: float
    sentence: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "article_id": self.article_id,
            "outlet": self.outlet,
            "side": self.side.value,
            "similarity": round(self.similarity, 3),
            "sentence": self.sentence,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Citation:
        return cls(d["article_id"], d["outlet"], Side(d["side"]), d["similarity"], d["sentence"])


@dataclass(frozen=True)
class SummarySentence:
    """A sentence of the summary: where it was taken from, and who supports it.

    ``start``/``end`` are the source sentence's offsets in its article's body. When the summary
    uses a shorter cut of it, ``spans`` holds the kept ranges of the body (``text`` is their
    concatenation, first letter capitalised) and ``cuts`` what kinds of phrase were dropped;
    both are empty for a whole sentence (and in syntheses stored before cuts existed)."""

    text: str
    article_id: str
    sentence_index: int
    start: int
    end: int
    side: Side
    score: float
    loaded_words: int
    citations: tuple[Citation, ...]
    spans: tuple[tuple[int, int], ...] = ()
    cuts: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "article_id": self.article_id,
            "sentence_index": self.sentence_index,
            "start": self.start,
            "end": self.end,
            "side": self.side.value,
            "score": round(self.score, 4),
            "loaded_words": self.loaded_words,
            "citations": [c.to_dict() for c in self.citations],
            "spans": [list(span) for span in self.spans],
            "cuts": list(self.cuts),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SummarySentence:
        spans = tuple((int(a), int(b)) for a, b in d.get("spans", ()))
        return cls(
            d["text"], d["article_id"], d["sentence_index"], d["start"], d["end"], Side(d["side"]),
            d["score"], d["loaded_words"], tuple(Citation.from_dict(c) for c in d["citations"]),
            spans, tuple(d.get("cuts", ())),
        )  # fmt: skip


@dataclass(frozen=True)
class Summary:
    """The neutral summary of one story, with notes on what it could not cover."""

    sentences: tuple[SummarySentence, ...]
    words: int
    notes: tuple[str, ...]
    method: str = SUMMARY_METHOD

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.sentences)

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "text": self.text,
            "words": self.words,
            "notes": list(self.notes),
            "sentences": [s.to_dict() for s in self.sentences],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Summary:
        sentences = tuple(SummarySentence.from_dict(s) for s in d["sentences"])
        return cls(sentences, d["words"], tuple(d["notes"]), d["method"])


def sentence_scores(story: StorySentences) -> np.ndarray:
    """The relevance of every sentence of ``story`` (higher: more central and more shared)."""
    return np.array(
        [sum(SENTENCE_WEIGHTS[k] * v for k, v in f.items()) for f in story_features(story)],
        dtype=float,
    )


def cite(story: StorySentences, row: int, threshold: float | None = None) -> tuple[Citation, ...]:
    """Every article with a sentence that states what sentence ``row`` says, best first."""
    limit = similar_threshold(story.encoder_method) if threshold is None else threshold
    own = story.sentences[row].article_id
    figures = _figures(story.sentences[row].text)
    found = []
    for article_id, (similarity, match) in story.support(story.vectors[row]).items():
        if article_id != own and other_figures(figures, story.sentences[match].text):
            continue  # "a budget of 105 million" is no support for "a budget of 90 million"
        if article_id == own or similarity >= limit:
            article = story.article(article_id)
            found.append(
                Citation(
                    article_id, article.outlet_name, story.side(article_id),
                    1.0 if article_id == own else similarity,
                    story.sentences[row if article_id == own else match].text,
                )
            )  # fmt: skip
    return tuple(sorted(found, key=lambda c: (-c.similarity, c.article_id)))


def other_figures(figures: frozenset[float], text: str) -> bool:
    """Whether ``text`` states figures and none of them is among ``figures`` (both non-empty):
    two sentences alike in wording but not in their numbers say different things."""
    if not figures:
        return False
    theirs = _figures(text)
    return bool(theirs) and not (theirs & figures)


def summarize(
    story: StorySentences,
    words: int = DEFAULT_WORDS,
    lexicon: Lexicon | None = None,
    scores: np.ndarray | None = None,
    selection: Selection = Selection(),
) -> Summary:
    """Choose about ``words`` words of central, shared, unloaded sentences (or cuts of them,
    at most one per sentence) from every side."""
    if words < MIN_WORDS:
        raise ValueError(f"summary length {words} words is too short; give at least {MIN_WORDS}")
    notes = list(_notes(story))
    if not story.sentences:
        return Summary((), 0, (*notes, "No article text to summarise."))
    rel = sentence_scores(story) if scores is None else scores
    pool = candidates(story, rel, selection.compress_top)
    values = [
        c.score - selection.loaded_penalty * (lexicon.count(c.variant.text) if lexicon else 0)
        for c in pool
    ]
    chosen: list[int] = []
    rows: set[int] = set()
    heard: set[Side] = set()
    total = 0
    while total < selection.fill * words:
        best, best_value = -1, -np.inf
        for k, cand in enumerate(pool):
            if cand.row in rows or (chosen and total + cand.variant.words > selection.over * words):
                continue
            if (
                rows
                and max(float(story.vectors[cand.row] @ story.vectors[j]) for j in rows)
                > selection.redundant
            ):
                continue
            side = story.side(story.sentences[cand.row].article_id)
            value = values[k]
            if side is not Side.UNRATED and side not in heard:
                value += selection.new_side_bonus
            if value > best_value:
                best, best_value = k, value
        if best < 0:
            break
        chosen.append(best)
        rows.add(pool[best].row)
        heard.add(story.side(story.sentences[pool[best].row].article_id))
        total += pool[best].variant.words
    picked = tuple(_summary_sentence(story, pool[k], lexicon) for k in chosen)
    if not picked:
        notes.append(
            "No sentence of the articles can stand as a summary sentence (each is too short, "
            "a list item, a link or cut off)."
        )
    return Summary(picked, total, tuple(notes))


@dataclass(frozen=True)
class Candidate:
    """A sentence of the story (its row) or a cut of it, with its predicted value."""

    row: int
    variant: Variant
    score: float


def candidates(story: StorySentences, rel: np.ndarray, compress_top: int) -> list[Candidate]:
    """Every usable sentence of ``story``, and cuts of the ``compress_top`` most relevant."""
    return [
        Candidate(row, variant, variant_score(features))
        for row, variant, features in candidate_features(story, rel, compress_top)
    ]


def candidate_features(
    story: StorySentences, rel: np.ndarray, compress_top: int
) -> list[tuple[int, Variant, dict[str, float]]]:
    """(row, variant, features) of every candidate of :func:`candidates`."""
    n = len(story.sentences)
    usable = [i for i in range(n) if not _unusable(story.sentences[i].text, n)]
    if not usable:  # short headlines ("Budget approved") rather than nothing
        usable = [i for i in range(n) if story.sentences[i].index < 0]
    ranked = sorted(usable, key=lambda i: -rel[i])
    to_cut = [i for i in ranked[:compress_top] if story.sentences[i].index >= 0]
    texts = [story.sentences[i].text for i in to_cut]
    cut = dict(zip(to_cut, compress_many(texts, story.language), strict=True))
    base = story_features(story)
    lexicon = story_words(story)
    article_ids = sorted({s.article_id for s in story.sentences})
    options = {i: cut.get(i) or [whole(story.sentences[i].text)] for i in usable}
    clean = {
        i: [v for v in found if story.sentences[i].index < 0 or stands_alone(v.text)]
        for i, found in options.items()
    }
    if any(clean.values()):  # what cannot stand alone only as a last resort
        options = clean
    out = []
    for i in usable:
        sent = story.sentences[i]
        others = [a for a in article_ids if a != sent.article_id]
        source_words = len(sent.text.split())
        for variant in options[i]:
            features = variant_features(base[i], variant, source_words, others, lexicon)
            out.append((i, variant, features))
    return out


def _summary_sentence(
    story: StorySentences, cand: Candidate, lexicon: Lexicon | None
) -> SummarySentence:
    sent = story.sentences[cand.row]
    spans = tuple((sent.start + a, sent.start + b) for a, b in cand.variant.spans)
    return SummarySentence(
        text=cand.variant.text,
        article_id=sent.article_id,
        sentence_index=sent.index,
        start=sent.start,
        end=sent.end,
        side=story.side(sent.article_id),
        score=cand.score,
        loaded_words=lexicon.count(cand.variant.text) if lexicon else 0,
        citations=cite(story, cand.row),
        spans=spans if cand.variant.cuts else (),
        cuts=cand.variant.cuts,
    )


def stands_alone(text: str) -> bool:
    """Readable out of its article: no broken quote, not cut off mid-phrase, and not opening
    with a pronoun whose referent would be in a sentence left out ("They did leave a plan.")."""
    return readable(text) and _PRONOUN_START.match(text) is None


def is_fragment(text: str) -> bool:
    """Not a sentence that can stand alone: too short, a list item ("• Ales Bialiatski, ...;"),
    a lead-in ending with a colon, or a teaser cut off mid-word ("Belarus Frees 52 ...")."""
    stripped = text.strip()
    return (
        len(stripped.split()) < MIN_WORDS
        or stripped.startswith(_BULLETS)
        or stripped.endswith((";", ":", ",", "...", "…"))
    )


def _unusable(text: str, n_sentences: int) -> bool:
    return n_sentences > 1 and is_fragment(text)


def _notes(story: StorySentences) -> Sequence[str]:
    notes = []
    if len(story.articles) == 1:
        notes.append("Only one article covers this story; the summary is drawn from it alone.")
    if story.left_out:
        langs = sorted({a.language or "unknown" for a in story.left_out})
        notes.append(
            f"{len(story.left_out)} article(s) in other languages ({', '.join(langs)}) were left "
            f"out; the summary is in the story's main language ({story.language})."
        )
    if story.truncated:
        notes.append(f"{len(story.truncated)} very long article(s) were read only in part.")
    return notes
