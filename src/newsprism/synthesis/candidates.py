"""What makes a sentence, or a shorter cut of one, worth a place in the neutral summary.

:func:`story_features` describes every sentence of a story: its similarity to the story's
centroid and to the other articles' closest sentences (from the sentence vectors), the share of
its word pairs and content words that the other articles use, the headlines' words it repeats,
its position, length and form (quotes, questions, first person). :func:`variant_features`
describes a cut of a sentence (:mod:`newsprism.synthesis.compress`): the sentence's vector
features, the word features recomputed on the words kept, and what was cut.
:func:`variant_score` is a linear model of a candidate's ROUGE-2 precision against an editor's
neutral roundup, fitted on the first 800 NeuS ``train`` stories by ``benchmarks/train_summary.py``
(nothing reads a roundup at run time).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from newsprism.models import Side
from newsprism.synthesis.compress import CUT_KINDS, Variant
from newsprism.synthesis.prepared import StorySentences

STOP = frozenset(
    "the a an of to in and or for on at by with from as is was are were be been that this it its "
    "their his her he she they said says will would has have had but not who which".split()
)
_WORD = re.compile(r"[a-z0-9]+")
_QUOTE = re.compile(r"[“\"”]")
_FIRST_PERSON = re.compile(r"\b(I|we|you|my|our)\b")
_DIGIT = re.compile(r"\d")
# The relevance of a whole sentence: fitted on the first 800 NeuS train stories (v1 of the
# summary); it also ranks the key points and picks the sentences worth cutting.
SENTENCE_WEIGHTS = {
    "bias": -0.0079, "centroid": 0.0625, "support_mean": -0.0461, "support_max": 0.0569,
    "lead": 0.0052, "position": 0.0271, "length": -0.0124, "short": -0.0382, "quote": 0.0031,
    "starts_quote": -0.0147, "center": 0.0128, "question": -0.0475, "first_person": 0.0155,
    "pair_support": 0.3525, "word_support": 0.0411, "headline": 0.1434,
}  # fmt: skip
# The value of a candidate (a sentence or a cut of one). A ridge regression on the cut features
# (benchmarks/train_summary.py) scored no better on the tuning stories than the sentence
# weights applied to the cut's own words, so those are used.
VARIANT_WEIGHTS: dict[str, float] = dict(SENTENCE_WEIGHTS)


def tokens(text: str) -> list[str]:
    return _WORD.findall(text.lower())


@dataclass(frozen=True)
class StoryWords:
    """Per article, its word pairs and content words (body and title); the headlines' words."""

    pairs: dict[str, set[tuple[str, str]]]
    words: dict[str, set[str]]
    headline: frozenset[str]


def story_words(story: StorySentences) -> StoryWords:
    pairs: dict[str, set[tuple[str, str]]] = {}
    words: dict[str, set[str]] = {}
    headline: set[str] = set()
    for article in story.articles:
        title = tokens(article.title or "")
        headline.update(w for w in title if w not in STOP)
        toks = [w for s in story.sentences if s.article_id == article.id for w in tokens(s.text)]
        toks += title
        pairs[article.id] = set(pairwise(toks))
        words[article.id] = set(toks) - STOP
    return StoryWords(pairs, words, frozenset(headline))


def story_features(story: StorySentences) -> list[dict[str, float]]:
    """The features of every sentence of ``story``, in order."""
    n = len(story.sentences)
    if n == 0:
        return []
    x = story.vectors
    centroid = x.mean(axis=0)
    centroid = centroid / (np.linalg.norm(centroid) + 1e-9)
    sims = x @ x.T
    owners = np.array([s.article_id for s in story.sentences])
    article_ids = sorted(set(owners.tolist()))
    lexicon = story_words(story)
    out = []
    for i, sent in enumerate(story.sentences):
        others = [a for a in article_ids if a != sent.article_id]
        support = [float(sims[i][owners == a].max()) for a in others]
        features = {
            "bias": 1.0,
            "centroid": float(x[i] @ centroid),
            "support_mean": float(np.mean(support)) if support else 0.0,
            "support_max": max(support) if support else 0.0,
            "lead": 1.0 if sent.index <= 0 else 0.0,  # -1: a headline standing in for a body
            "position": 1.0 / (1 + max(sent.index, 0)),
            "center": 1.0 if story.side(sent.article_id) is Side.CENTER else 0.0,
        }
        features |= text_features(sent.text, others, lexicon)
        out.append(features)
    return out


def text_features(text: str, others: list[str], lexicon: StoryWords) -> dict[str, float]:
    """The features read from the words of a sentence or of a cut of one."""
    toks = tokens(text)
    bigrams = list(pairwise(toks))
    content = [w for w in toks if w not in STOP]
    pair_support = (
        float(np.mean([np.mean([b in lexicon.pairs[a] for b in bigrams]) for a in others]))
        if others and bigrams
        else 0.0
    )
    word_support = (
        float(np.mean([np.mean([w in lexicon.words[a] for w in content]) for a in others]))
        if others and content
        else 0.0
    )
    n_words = len(text.split())
    return {
        "length": min(n_words, 60) / 60,
        "short": 1.0 if n_words < 8 else 0.0,
        "quote": 1.0 if _QUOTE.search(text) else 0.0,
        "starts_quote": 1.0 if text[:1] in "“\"'" else 0.0,
        "question": 1.0 if text.rstrip().endswith("?") else 0.0,
        "first_person": 1.0 if _FIRST_PERSON.search(text) else 0.0,
        "pair_support": pair_support,
        "word_support": word_support,
        "headline": float(np.mean([w in lexicon.headline for w in content])) if content else 0.0,
    }


def variant_features(
    base: dict[str, float],
    variant: Variant,
    source_words: int,
    others: list[str],
    lexicon: StoryWords,
) -> dict[str, float]:
    """The features of one cut of a sentence whose own features are ``base``."""
    features = dict(base)
    if variant.cuts:
        features |= text_features(variant.text, others, lexicon)
    n_words = variant.words
    features["kept"] = n_words / max(source_words, 1)
    features["log_words"] = math.log(max(n_words, 1))
    features["digits"] = min(len(_DIGIT.findall(variant.text)), 8) / 8
    features["cut"] = 1.0 if variant.cuts else 0.0
    for kind in CUT_KINDS:
        features[f"cut_{kind}"] = 1.0 if kind in variant.cuts else 0.0
    features["pair_x_support"] = features["pair_support"] * features["support_max"]
    features["long"] = max(0.0, n_words - 35) / 35
    return features


def variant_score(features: dict[str, float]) -> float:
    """The predicted ROUGE-2 precision of a candidate with these features."""
    return sum(w * features.get(k, 0.0) for k, w in VARIANT_WEIGHTS.items())
