"""Per-article representations for clustering, computed once and stored.

- ``tfidf``: sublinear TF-IDF over title (twice) and body words, with an IDF taken from the
  running document frequencies of the archive *at the moment the article is built*; the vector
  is frozen then, so re-building replays exactly.
- ``entities``: proper names found by capitalisation, with corpus statistics that tell a proper
  noun ("Coale") from a capitalised common word ("Officials"), and acronyms. A cheap stand-in
  for NER that also works on Title-Case headlines (measured in docs/benchmarks.md).
- ``dense``: the sentence embedding of the title and opening words (see :mod:`encoder`).

Running statistics live in the ``corpus_stats`` table so that every build continues them.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from newsprism.models import Article
from newsprism.stopwords import english_stop_words

TFIDF_METHOD = "tfidf-running.v1"
ENTITY_METHOD = "proper-noun-stats.v1"
DENSE_WORDS = 64  # title + the first 64 words go to the encoder

_WORD = re.compile(r"(?u)\b[A-Za-z][A-Za-z0-9]+\b")
_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9'\-.&]*[A-Za-z0-9]|[A-Za-z]")
_SENT = re.compile(r"(?<=[.!?])\s+")
_EXTRA_STOP = frozenset(
    """said says new year years report reports update updated video photos watch breaking
    exclusive mr mrs ms dr monday tuesday wednesday thursday friday saturday sunday january
    february march april may june july august september october november december today week
    day despite dec jan feb mar apr jun jul aug sep sept oct nov""".split()
)


@dataclass
class Representation:
    """What the clusterer knows about one article."""

    article_id: str
    tfidf: dict[str, float]
    entities: dict[str, float]  # entity -> its IDF when the article was built
    dense: np.ndarray
    day: int | None  # proleptic ordinal of the publication day, or None
    n_words: int
    language: str | None
    # (vocabulary token, term ids, weights): the TF-IDF vector as arrays, cached by the
    # clusterer's vocabulary (newsprism.stories.sparse); never stored
    terms: tuple[int, np.ndarray, np.ndarray] | None = field(
        default=None, repr=False, compare=False
    )


def article_day(article: Article) -> int | None:
    return article.published.date().toordinal() if article.published else None


def day_to_iso(day: int | None) -> str | None:
    return date.fromordinal(day).isoformat() if day is not None else None


def dense_text(article: Article, words: int = DENSE_WORDS) -> str:
    body = article.body
    title = article.title or ""
    if title and body.startswith(title):
        body = body[len(title) :]
    lead = " ".join(body.split()[:words])
    return f"{title}. {lead}".strip(". ") if title else lead


def n_words(article: Article) -> int:
    return len(f"{article.title or ''} {article.body}".split())


class CorpusStats:
    """Running document frequencies and capitalisation counts (persisted by the builder)."""

    def __init__(self, counts: dict[str, dict[str, int]] | None = None) -> None:
        counts = counts or {}
        self.df: Counter[str] = Counter(counts.get("df", {}))
        self.cap: Counter[str] = Counter(counts.get("cap", {}))
        self.low: Counter[str] = Counter(counts.get("low", {}))
        self.edf: Counter[str] = Counter(counts.get("edf", {}))
        self.n_entity_docs = int(counts.get("meta", {}).get("n_entity_docs", 0))
        self._stop = english_stop_words(_EXTRA_STOP)
        self.n_docs = int(counts.get("meta", {}).get("n_docs", 0))
        self.since_merge = int(counts.get("meta", {}).get("since_merge", 0))
        self.changed: dict[str, set[str]] = {"df": set(), "cap": set(), "low": set(), "edf": set()}

    def mark_saved(self) -> None:
        for keys in self.changed.values():
            keys.clear()

    def as_rows(self, only_changed: bool = True) -> list[tuple[str, str, int]]:
        rows: list[tuple[str, str, int]] = [
            ("meta", "n_docs", self.n_docs),
            ("meta", "since_merge", self.since_merge),
            ("meta", "n_entity_docs", self.n_entity_docs),
        ]
        counters = (("df", self.df), ("cap", self.cap), ("low", self.low), ("edf", self.edf))
        for kind, counter in counters:
            keys = self.changed[kind] if only_changed else counter.keys()
            rows.extend((kind, key, counter[key]) for key in keys)
        return rows

    # --- TF-IDF -----------------------------------------------------------------------------
    def tfidf(self, article: Article) -> dict[str, float]:
        """Observe the article's terms, then weight them with the updated IDF (L2-normalised)."""
        title = article.title or ""
        text = f"{title} {title} {article.body[:20000]}"
        counts = Counter(w.lower() for w in _WORD.findall(text))
        for stop in self._stop & counts.keys():
            del counts[stop]
        self.n_docs += 1
        for term in counts:
            self.df[term] += 1
            self.changed["df"].add(term)
        weights = {}
        n = self.n_docs
        for term, tf in counts.items():
            df = self.df[term]
            if n >= 20 and df > 0.5 * n:
                continue  # too common in the archive to tell stories apart
            weights[term] = (1.0 + math.log(tf)) * (math.log((n + 1) / (df + 1)) + 1.0)
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        return {t: w / norm for t, w in weights.items()}

    # --- entities ---------------------------------------------------------------------------
    def observe_case(self, article: Article) -> None:
        text = article.body[:2000] if article.body else (article.title or "")
        for sentence in _SENT.split(text):
            for token in _TOKEN.findall(sentence)[1:]:
                word = token.lower()
                if token[0].isupper():
                    self.cap[word] += 1
                    self.changed["cap"].add(word)
                else:
                    self.low[word] += 1
                    self.changed["low"].add(word)

    def _proper(self, word: str) -> bool | None:
        cap, low = self.cap.get(word, 0), self.low.get(word, 0)
        if cap + low == 0:
            return None
        return cap >= 2 * low

    def entities(self, article: Article) -> dict[str, float]:
        """Proper names (lower-cased words and adjacent pairs) in the title and lead, each with
        its inverse document frequency among entity sets at this point of the archive."""
        found = self._entity_keys(article)
        self.n_entity_docs += 1
        for key in found:
            self.edf[key] += 1
            self.changed["edf"].add(key)
        n = self.n_entity_docs
        return {k: round(math.log((n + 1) / (self.edf[k] + 1)) + 1.0, 4) for k in sorted(found)}

    def _entity_keys(self, article: Article) -> frozenset[str]:
        found: list[str] = []
        for text in (article.title or "", article.body[:2000]):
            for sentence in _SENT.split(text):
                run: list[str] = []
                for j, token in enumerate(_TOKEN.findall(sentence)):
                    word = token.lower().strip(".").removesuffix("'s")
                    if self._is_name(token, word, j):
                        run.append(word)
                        found.append(word)
                    else:
                        if len(run) >= 2:
                            found.append(" ".join(run[-2:]))
                        run = []
                if len(run) >= 2:
                    found.append(" ".join(run[-2:]))
        return frozenset(found)

    def _is_name(self, token: str, word: str, position: int) -> bool:
        if not token[0].isupper() or word in self._stop or len(word) < 2:
            return False
        if token.isupper() and len(token) <= 6:
            return True  # an acronym
        proper = self._proper(word)
        if proper is None:  # never seen mid-sentence: trust capitals except a sentence's first word
            return position > 0
        return proper


def pack_tfidf(vector: dict[str, float]) -> bytes:
    return json.dumps({k: round(v, 5) for k, v in vector.items()}, sort_keys=True).encode()


def unpack_tfidf(data: bytes) -> dict[str, float]:
    loaded: dict[str, float] = json.loads(data)
    return loaded


def pack_entities(entities: dict[str, float]) -> bytes:
    return json.dumps(entities, sort_keys=True).encode()


def unpack_entities(data: bytes) -> dict[str, float]:
    loaded: dict[str, float] = json.loads(data)
    return loaded


def pack_dense(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=np.float16).tobytes()


def unpack_dense(data: bytes) -> np.ndarray:
    return np.frombuffer(data, dtype=np.float16).astype(np.float32)
