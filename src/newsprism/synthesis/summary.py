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
from itertools import pairwise
from typing import Any, Protocol

import numpy as np

from newsprism.models import Side
from newsprism.synthesis.prepared import StorySentences, similar_threshold

SUMMARY_METHOD = "newsprism.summary-extractive.v1"
DEFAULT_WORDS = 55
MIN_WORDS = 5
REDUNDANT = 0.85
_WEIGHTS = {
    "bias": -0.0079, "centroid": 0.0625, "support_mean": -0.0461, "support_max": 0.0569,
    "lead": 0.0052, "position": 0.0271, "length": -0.0124, "short": -0.0382, "quote": 0.0031,
    "starts_quote": -0.0147, "center": 0.0128, "question": -0.0475, "first_person": 0.0155,
    "pair_support": 0.3525, "word_support": 0.0411, "headline": 0.1434,
}  # fmt: skip
LOADED_PENALTY = 0.05
NEW_SIDE_BONUS = 0.01
_STOP = frozenset(
    "the a an of to in and or for on at by with from as is was are were be been that this it its "
    "their his her he she they said says will would has have had but not who which".split()
)
_WORD = re.compile(r"[a-z0-9]+")
_QUOTE = re.compile(r"[“\"”]")
_BULLETS = ("•", "·", "-", "–", "—", "*", "▪", "◦")
_FIRST_PERSON = re.compile(r"\b(I|we|you|my|our)\b")


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
    """A sentence of the summary: where it was taken from, and who supports it."""

    text: str
    article_id: str
    sentence_index: int
    start: int
    end: int
    side: Side
    score: float
    loaded_words: int
    citations: tuple[Citation, ...]

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
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SummarySentence:
        return cls(
            d["text"], d["article_id"], d["sentence_index"], d["start"], d["end"], Side(d["side"]),
            d["score"], d["loaded_words"], tuple(Citation.from_dict(c) for c in d["citations"]),
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


def _tokens(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def sentence_scores(story: StorySentences) -> np.ndarray:
    """The relevance of every sentence of ``story`` (higher: more central and more shared)."""
    n = len(story.sentences)
    if n == 0:
        return np.zeros(0)
    x = story.vectors
    centroid = x.mean(axis=0)
    centroid = centroid / (np.linalg.norm(centroid) + 1e-9)
    sims = x @ x.T
    owners = np.array([s.article_id for s in story.sentences])
    article_ids = sorted(set(owners.tolist()))
    pairs: dict[str, set[tuple[str, str]]] = {}
    words: dict[str, set[str]] = {}
    headline: set[str] = set()
    for article in story.articles:
        title = _tokens(article.title or "")
        headline.update(w for w in title if w not in _STOP)
        toks = [w for s in story.sentences if s.article_id == article.id for w in _tokens(s.text)]
        toks += title
        pairs[article.id] = set(pairwise(toks))
        words[article.id] = set(toks) - _STOP
    out = np.zeros(n)
    for i, sent in enumerate(story.sentences):
        others = [a for a in article_ids if a != sent.article_id]
        support = [float(sims[i][owners == a].max()) for a in others]
        toks = _tokens(sent.text)
        bigrams = list(pairwise(toks))
        content = [w for w in toks if w not in _STOP]
        pair_support = (
            float(np.mean([np.mean([b in pairs[a] for b in bigrams]) for a in others]))
            if others and bigrams
            else 0.0
        )
        word_support = (
            float(np.mean([np.mean([w in words[a] for w in content]) for a in others]))
            if others and content
            else 0.0
        )
        n_words = len(sent.text.split())
        features = {
            "bias": 1.0,
            "centroid": float(x[i] @ centroid),
            "support_mean": float(np.mean(support)) if support else 0.0,
            "support_max": max(support) if support else 0.0,
            "lead": 1.0 if sent.index <= 0 else 0.0,  # -1: a headline standing in for a body
            "position": 1.0 / (1 + max(sent.index, 0)),
            "length": min(n_words, 60) / 60,
            "short": 1.0 if n_words < 8 else 0.0,
            "quote": 1.0 if _QUOTE.search(sent.text) else 0.0,
            "starts_quote": 1.0 if sent.text[:1] in "“\"'" else 0.0,
            "center": 1.0 if story.side(sent.article_id) is Side.CENTER else 0.0,
            "question": 1.0 if sent.text.rstrip().endswith("?") else 0.0,
            "first_person": 1.0 if _FIRST_PERSON.search(sent.text) else 0.0,
            "pair_support": pair_support,
            "word_support": word_support,
            "headline": float(np.mean([w in headline for w in content])) if content else 0.0,
        }
        out[i] = sum(_WEIGHTS[k] * v for k, v in features.items())
    return out


def cite(story: StorySentences, row: int, threshold: float | None = None) -> tuple[Citation, ...]:
    """Every article with a sentence that states what sentence ``row`` says, best first."""
    limit = similar_threshold(story.encoder_method) if threshold is None else threshold
    own = story.sentences[row].article_id
    found = []
    for article_id, (similarity, match) in story.support(story.vectors[row]).items():
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


def summarize(
    story: StorySentences,
    words: int = DEFAULT_WORDS,
    lexicon: Lexicon | None = None,
    scores: np.ndarray | None = None,
) -> Summary:
    """Choose about ``words`` words of central, shared, unloaded sentences from every side."""
    if words < MIN_WORDS:
        raise ValueError(f"summary length {words} words is too short; give at least {MIN_WORDS}")
    notes = list(_notes(story))
    if not story.sentences:
        return Summary((), 0, (*notes, "No article text to summarise."))
    rel = sentence_scores(story) if scores is None else scores
    loaded = [lexicon.count(s.text) if lexicon else 0 for s in story.sentences]
    lengths = [len(s.text.split()) for s in story.sentences]
    chosen: list[int] = []
    heard: set[Side] = set()
    total = 0
    while total < 0.85 * words:
        best, best_score = -1, -np.inf
        for i, sent in enumerate(story.sentences):
            if i in chosen or _unusable(sent.text, lengths[i], len(story.sentences)):
                continue
            if chosen and total + lengths[i] > 1.25 * words:
                continue
            if (
                chosen
                and max(float(story.vectors[i] @ story.vectors[j]) for j in chosen) > REDUNDANT
            ):
                continue
            side = story.side(sent.article_id)
            value = rel[i] - LOADED_PENALTY * loaded[i]
            value += NEW_SIDE_BONUS if side is not Side.UNRATED and side not in heard else 0.0
            if value > best_score:
                best, best_score = i, value
        if best < 0:
            break
        chosen.append(best)
        heard.add(story.side(story.sentences[best].article_id))
        total += lengths[best]
    picked = tuple(
        SummarySentence(
            text=story.sentences[i].text,
            article_id=story.sentences[i].article_id,
            sentence_index=story.sentences[i].index,
            start=story.sentences[i].start,
            end=story.sentences[i].end,
            side=story.side(story.sentences[i].article_id),
            score=float(rel[i]),
            loaded_words=loaded[i],
            citations=cite(story, i),
        )
        for i in chosen
    )
    return Summary(picked, total, tuple(notes))


def is_fragment(text: str) -> bool:
    """Not a sentence that can stand alone: too short, a list item ("• Ales Bialiatski, ...;"),
    a lead-in ending with a colon, or a teaser cut off mid-word ("Belarus Frees 52 ...")."""
    stripped = text.strip()
    return (
        len(stripped.split()) < MIN_WORDS
        or stripped.startswith(_BULLETS)
        or stripped.endswith((";", ":", ",", "...", "…"))
    )


def _unusable(text: str, n_words: int, n_sentences: int) -> bool:
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
