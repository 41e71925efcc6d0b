"""Article-level lean from the text alone: left / center / right, a probability and evidence.

The model is a multinomial logistic regression over sublinear TF-IDF word features of the
text after :func:`~newsprism.lean.fingerprints.strip_fingerprints` (no outlet names, bylines,
datelines, footers or house style). Its vocabulary keeps only words that many outlets use, so
it learns partisan wording rather than one outlet's house style; training weighs every outlet
alike (``benchmarks/train_lean.py``). The weights ship as plain JSON arrays
(``data/article-lean-v1.json``), so loading runs no code.

A linear model explains itself: each word's share of the score is its weight times its value,
and a sentence's share is the sum over its words. :class:`ArticleLeanModel` lists the phrases
and sentences that pushed hardest, each with the side it pushed towards.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from newsprism.errors import StoreError
from newsprism.lean.fingerprints import FINGERPRINT_METHOD, strip_fingerprints, strip_names
from newsprism.models import LeanEstimate, LeanEvidence, Side
from newsprism.stopwords import english_stop_words

METHOD = "newsprism.article-lean.v1"
MODEL_FILE = "article-lean-v1.json"
SIDES: tuple[Side, Side, Side] = (Side.LEFT, Side.CENTER, Side.RIGHT)
MAX_CHARS = 100_000  # longer bodies and headlines are read up to here
# Distinct words other than stop words and numbers that a text needs to be estimated: a text of
# function words only, or one word repeated, says nothing about politics (the model put both
# right at 0.7-0.8). No dev text of 40 words or more has fewer than 10 (of 10,378).
MIN_CONTENT_WORDS = 8
N_PHRASES = 8
N_SENTENCES = 3

_TOKEN = re.compile(r"[a-z][a-z0-9']+")
_DIGITS = re.compile(r"\d+")
_POSSESSIVE = re.compile(r"'s\b|'$")
_SENTENCE = re.compile(r"(?<=[.!?])[\"')\]]?\s+(?=[\"'(\[]?[A-Z0-9])|\n+")


class LeanModelError(StoreError):
    """The shipped lean model file is missing, unreadable or not of the expected shape."""


def tokenize(text: str) -> list[str]:
    """Lower-cased words, digits folded to ``0``, possessive ``'s`` dropped (train = serve)."""
    lowered = _DIGITS.sub("0", text.lower())
    out = []
    for found in _TOKEN.findall(lowered):
        token = _POSSESSIVE.sub("", found) if "'" in found else found
        if len(token) >= 2:
            out.append(token)
    return out


def lean_text(
    body: str,
    title: str | None = None,
    outlet_names: Iterable[str] = (),
    authors: Iterable[str] = (),
) -> str:
    """What the model reads: the headline and the body, both without outlet fingerprints."""
    outlets, people = list(outlet_names), list(authors)
    title = title[:MAX_CHARS] if title else title  # a headline is read up to the cap too
    clean = strip_fingerprints(body[:MAX_CHARS], title, outlets, people)
    head = strip_names(title or "", outlets, people)
    return f"{head}\n{clean}".strip()


def count_words(text: str) -> int:
    return len(text.split())


@cache
def _stop_words() -> frozenset[str]:
    return english_stop_words()


def content_words(tokens: Iterable[str]) -> int:
    """How many distinct ``tokens`` are neither stop words nor numbers."""
    stop = _stop_words()
    return len({t for t in tokens if t not in stop and t != "0"})


@dataclass(frozen=True)
class _Features:
    terms: list[int]  # vocabulary indices present in the text
    values: np.ndarray  # their TF-IDF values (L2-normalised over the text)
    counts: dict[int, int]


class ArticleLeanModel:
    """The shipped linear lean model; :meth:`estimate` is the public entry point."""

    def __init__(
        self,
        vocabulary: Sequence[str],
        idf: Sequence[float] | np.ndarray,
        coef: Sequence[Sequence[float]] | np.ndarray,
        intercept: Sequence[float] | np.ndarray,
        method: str = METHOD,
        meta: dict[str, Any] | None = None,
    ) -> None:
        self.vocabulary = list(vocabulary)
        self.index = {term: i for i, term in enumerate(self.vocabulary)}
        self.idf = np.asarray(idf, dtype=np.float64)
        self.coef = np.asarray(coef, dtype=np.float64)
        self.intercept = np.asarray(intercept, dtype=np.float64)
        self.method = method
        self.meta = meta or {}
        v = len(self.vocabulary)
        if len(self.index) != v or self.idf.shape != (v,) or self.coef.shape != (3, v):
            raise LeanModelError(
                f"lean model {method}: {v} terms ({len(self.index)} distinct), idf "
                f"{self.idf.shape}, coef {self.coef.shape}; expected ({v},) and (3, {v})"
            )
        if self.intercept.shape != (3,):
            raise LeanModelError(f"lean model {method}: intercept shape {self.intercept.shape}")
        if not (np.isfinite(self.coef).all() and np.isfinite(self.idf).all()):
            raise LeanModelError(f"lean model {method} holds non-finite weights")
        self._centered = self.coef - self.coef.mean(axis=0, keepdims=True)

    # --- loading ----------------------------------------------------------------------------
    @classmethod
    def load(cls, path: Path | None = None) -> ArticleLeanModel:
        """The shipped model, or the JSON file at ``path`` (as written by :meth:`to_json`)."""
        try:
            if path is None:
                raw = resources.files("newsprism.lean").joinpath("data", MODEL_FILE).read_text()
                where = f"newsprism/lean/data/{MODEL_FILE}"
            else:
                raw, where = Path(path).read_text(encoding="utf-8"), str(path)
            data = json.loads(raw)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise LeanModelError(f"cannot read the lean model {path or MODEL_FILE}: {exc}") from exc
        if not isinstance(data, dict):
            raise LeanModelError(f"lean model {where} is not a JSON object")
        try:
            return cls(
                data["vocabulary"],
                data["idf"],
                data["coef"],
                data["intercept"],
                method=str(data["method"]),
                meta=dict(data.get("training", {})),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise LeanModelError(f"lean model {where} is malformed: {exc!r}") from exc

    def to_json(self) -> str:
        return json.dumps(
            {
                "method": self.method,
                "fingerprints": FINGERPRINT_METHOD,
                "classes": [s.value for s in SIDES],
                "training": self.meta,
                "intercept": [round(float(x), 6) for x in self.intercept],
                "vocabulary": self.vocabulary,
                "idf": [round(float(x), 5) for x in self.idf],
                "coef": [[round(float(x), 5) for x in row] for row in self.coef],
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )

    # --- scoring ----------------------------------------------------------------------------
    def _features(self, tokens: Iterable[str]) -> _Features:
        counts: Counter[int] = Counter()
        for token in tokens:
            i = self.index.get(token)
            if i is not None:
                counts[i] += 1
        terms = sorted(counts)
        values = np.array([(1.0 + math.log(counts[i])) * self.idf[i] for i in terms])
        norm = float(np.linalg.norm(values)) if terms else 0.0
        return _Features(terms, values / norm if norm else values, dict(counts))

    def probabilities(self, clean_text: str) -> np.ndarray:
        """P(left, center, right) for a text already stripped of fingerprints."""
        f = self._features(tokenize(clean_text))
        return _softmax(self.intercept + self.coef[:, f.terms] @ f.values)

    def estimate(
        self,
        body: str,
        title: str | None = None,
        outlet_names: Iterable[str] = (),
        authors: Iterable[str] = (),
        min_words: int = 40,
    ) -> LeanEstimate | None:
        """The lean of one article, or ``None`` (unrated) when its cleaned text has fewer than
        ``min_words`` words or fewer than :data:`MIN_CONTENT_WORDS` distinct content words: too
        little to say anything, and we never guess silently."""
        if not isinstance(body, str):
            raise TypeError(f"article body must be a str, not {type(body).__name__}")
        if title is not None and not isinstance(title, str):
            raise TypeError(f"article title must be a str or None, not {type(title).__name__}")
        text = lean_text(body, title, outlet_names, authors)
        if count_words(text) < max(1, min_words):
            return None
        tokens = tokenize(text)
        if content_words(tokens) < MIN_CONTENT_WORDS:
            return None
        f = self._features(tokens)
        if not f.terms:
            return None
        probs = _softmax(self.intercept + self.coef[:, f.terms] @ f.values)
        best = int(np.argmax(probs))
        contrib = self._centered[:, f.terms] * f.values  # each term's push per side, a column
        evidence = _phrases(contrib, f.terms, self.vocabulary) + self._sentences(
            text, f, dict(zip(f.terms, contrib[best].tolist(), strict=True)), best
        )
        return LeanEstimate(
            side=SIDES[best],
            probability=float(probs[best]),
            probabilities={s: float(p) for s, p in zip(SIDES, probs, strict=True)},
            method=self.method,
            evidence=tuple(evidence),
        )

    def _sentences(
        self, text: str, f: _Features, push_of: dict[int, float], best: int
    ) -> list[LeanEvidence]:
        """The sentences that push most towards side ``best`` (``push_of``: each term's push
        towards it)."""
        scored: list[tuple[float, str]] = []
        for piece in _SENTENCE.split(text):
            sentence = piece.strip()
            if len(sentence.split()) < 4:
                continue
            local: Counter[int] = Counter()
            for token in tokenize(sentence):
                i = self.index.get(token)
                if i is not None and i in push_of:
                    local[i] += 1
            push = sum(push_of[i] * n / f.counts[i] for i, n in local.items())
            if push > 0:
                scored.append((push, sentence[:400]))
        scored.sort(key=lambda item: -item[0])
        return [LeanEvidence("sentence", s, SIDES[best], w) for w, s in scored[:N_SENTENCES]]


def _phrases(
    contrib: np.ndarray, terms: Sequence[int], vocabulary: Sequence[str]
) -> list[LeanEvidence]:
    """The terms with the strongest push towards any side (``contrib``: sides x terms)."""
    order = np.argsort(-contrib.max(axis=0), kind="stable")[:N_PHRASES]
    out = []
    for j in order.tolist():
        side = int(np.argmax(contrib[:, j]))
        if contrib[side, j] > 0:
            weight = float(contrib[side, j])
            out.append(LeanEvidence("phrase", vocabulary[terms[j]], SIDES[side], weight))
    return out


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max())
    out: np.ndarray = e / e.sum()
    return out
