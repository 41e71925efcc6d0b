"""A story's sentences, embedded once, shared by the summary, the key points and the LLM check.

The story's main language is the most common language among its articles (an article whose
language is unknown counts with it); articles in other languages are set aside and named, so
that the synthesis can say what it left out instead of mixing languages.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from newsprism.models import Article, Side
from newsprism.synthesis.sentences import Sentence, split_sentences

MAX_SENTENCES_PER_ARTICLE = 150
MAX_STORY_SENTENCES = 1_500
MAX_SENTENCE_CHARS = 1_500
MAX_BODY_CHARS = 60_000
LEXICAL_METHOD = "newsprism.hashed-ngrams.v1"
HEADLINE = -1  # sentence index of an article's headline, used when its body has no text


class Encoder(Protocol):
    """Anything that maps texts to L2-normalised row vectors (MiniLM, the lexical baseline)."""

    method: str

    def encode(self, texts: list[str]) -> np.ndarray: ...


class LexicalEncoder:
    """The no-model baseline: hashed word 1-2-grams, L2-normalised (stateless, so two calls
    share one vector space)."""

    method = LEXICAL_METHOD

    def __init__(self, n_features: int = 2**14) -> None:
        from sklearn.feature_extraction.text import HashingVectorizer

        self._vectorizer = HashingVectorizer(
            n_features=n_features, ngram_range=(1, 2), alternate_sign=False, norm="l2",
            stop_words="english",
        )  # fmt: skip

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 1), dtype=np.float32)
        return np.asarray(self._vectorizer.transform(texts).toarray(), dtype=np.float32)


def similar_threshold(encoder_method: str) -> float:
    """Cosine above which two sentences of different articles state the same thing."""
    return 0.62 if encoder_method != LEXICAL_METHOD else 0.35


@dataclass(frozen=True)
class StorySentences:
    """The sentences of a story's articles in its main language, with their vectors."""

    articles: tuple[Article, ...]
    sides: Mapping[str, Side]
    sentences: tuple[Sentence, ...]
    vectors: np.ndarray
    encoder_method: str
    language: str | None
    left_out: tuple[Article, ...]
    truncated: tuple[str, ...]

    def article(self, article_id: str) -> Article:
        return next(a for a in self.articles if a.id == article_id)

    def side(self, article_id: str) -> Side:
        return self.sides.get(article_id, Side.UNRATED)

    def rows_of(self, article_id: str) -> np.ndarray:
        return np.array(
            [i for i, s in enumerate(self.sentences) if s.article_id == article_id], dtype=np.int64
        )

    def support(self, vector: np.ndarray) -> dict[str, tuple[float, int]]:
        """Per article: (best similarity of any of its sentences to ``vector``, that sentence's
        row)."""
        if not self.sentences:
            return {}
        sims = self.vectors @ vector
        best: dict[str, tuple[float, int]] = {}
        for row, sent in enumerate(self.sentences):
            value = float(sims[row])
            if sent.article_id not in best or value > best[sent.article_id][0]:
                best[sent.article_id] = (value, row)
        return best


def main_language(articles: Sequence[Article]) -> str | None:
    counts = Counter(a.language for a in articles if a.language)
    return counts.most_common(1)[0][0] if counts else None


def prepare(
    articles: Sequence[Article], sides: Mapping[str, Side], encoder: Encoder
) -> StorySentences:
    """Split and embed the story's articles in its main language (long bodies are capped)."""
    language = main_language(articles)
    kept = tuple(a for a in articles if a.language in (None, language))
    left_out = tuple(a for a in articles if a not in kept)
    sentences: list[Sentence] = []
    truncated: list[str] = []
    per_article = max(8, min(MAX_SENTENCES_PER_ARTICLE, MAX_STORY_SENTENCES // max(len(kept), 1)))
    for article in kept:
        body = article.body[:MAX_BODY_CHARS]
        found = [s for s in split_sentences(article.id, body) if s.text.strip()]
        if len(found) > per_article or len(article.body) > MAX_BODY_CHARS:
            truncated.append(article.id)
            found = found[:per_article]
        found = [s for s in found if len(s.text) <= MAX_SENTENCE_CHARS]
        if not found and article.title and article.title.strip():
            # a headline-only article (feed entries, wire alerts, a body that is one endless
            # run-on) speaks through its headline, marked by sentence index -1 and empty offsets
            found = [Sentence(article.id, HEADLINE, 0, 0, article.title.strip())]
        sentences.extend(found)
    vectors = encoder.encode([s.text for s in sentences])
    return StorySentences(
        articles=kept,
        sides=dict(sides),
        sentences=tuple(sentences),
        vectors=vectors,
        encoder_method=encoder.method,
        language=language,
        left_out=left_out,
        truncated=tuple(truncated),
    )
