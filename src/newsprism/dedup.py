"""Duplicate detection: exact copies (URL, content hash) and near-duplicates (MinHash/LSH).

A near-duplicate is syndicated copy: the same text under another headline, or with paragraphs
trimmed. It is stored and linked to its original (``duplicate_of``), never dropped, so later
stages can count "1 original + k reprints". Candidates come from LSH band keys kept in the
store (so look-up cost does not grow with the archive); each candidate is then confirmed by
the exact Jaccard similarity and containment of the two texts' word 3-shingles.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

import numpy as np

from newsprism.config import Settings
from newsprism.models import Article
from newsprism.store.base import ArticleStore, DuplicateLink, Fingerprint

if TYPE_CHECKING:
    from datasketch import MinHash

METHOD = "minhash-lsh.v1"
NUM_PERM = 128
BANDS, ROWS = 32, 4  # candidate if any 4-row band matches: P(candidate | J=0.5) ~ 0.87
_WORD = re.compile(r"\w+", re.UNICODE)


def shingles(text: str, k: int = 3) -> set[str]:
    """Case-folded word k-shingles of a text."""
    words = _WORD.findall(text.casefold())
    if len(words) < k:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + k]) for i in range(len(words) - k + 1)}


@cache
def _empty_minhash() -> MinHash:
    from datasketch import MinHash  # 0.25 s to import (scipy): only when text is ingested

    return MinHash(num_perm=NUM_PERM, seed=1)


def fingerprint(grams: set[str]) -> Fingerprint:
    """MinHash signature (uint32) and its LSH band keys (8-byte digests)."""
    mh = _empty_minhash().copy()  # the permutations are drawn once, not per article
    mh.update_batch([g.encode("utf-8") for g in sorted(grams)])
    values = mh.hashvalues.astype(np.uint32)
    keys = [
        hashlib.blake2b(values[b * ROWS : (b + 1) * ROWS].tobytes(), digest_size=8).digest()
        for b in range(BANDS)
    ]
    return Fingerprint(method=METHOD, signature=values.tobytes(), band_keys=keys)


def eligible(body: str, settings: Settings) -> bool:
    """Whether a text is long enough for the near-duplicate check."""
    return len(_WORD.findall(body)) >= settings.near_dup_min_words


@dataclass(frozen=True)
class NearDuplicate:
    original_id: str
    jaccard: float
    containment: float


class NearDuplicateFinder:
    """Finds the stored article a new text copies, if any."""

    def __init__(self, store: ArticleStore, settings: Settings) -> None:
        self._store = store
        self._s = settings

    def find(self, grams: set[str], fp: Fingerprint) -> NearDuplicate | None:
        best: NearDuplicate | None = None
        candidates = self._store.get_articles(self._store.candidates_for(fp.band_keys))
        for cand in candidates:
            other = shingles(cand.body)
            if not other or not grams:
                continue
            common = len(grams & other)
            jaccard = common / len(grams | other)
            containment = common / min(len(grams), len(other))
            if (
                jaccard >= self._s.near_dup_threshold or containment >= self._s.near_dup_containment
            ) and (best is None or jaccard > best.jaccard):
                best = NearDuplicate(cand.duplicate_of or cand.id, jaccard, containment)
        return best

    def resolve(self, article: Article, match: NearDuplicate) -> tuple[Article, str | None]:
        """The article to store, linked to its group's original; or, when it was published
        before that original, the article unlinked plus the old original's id to re-point."""
        similarity = round(max(match.jaccard, match.containment), 4)
        original = self._store.get_article(match.original_id)
        if (
            original is not None
            and article.published is not None
            and original.published is not None
            and article.published < original.published
        ):
            return article, original.id
        return _as_copy(article, match.original_id, similarity, METHOD), None

    def repoint_group(self, new_original_id: str, old_original_id: str, similarity: float) -> None:
        """Make every member of the old group a copy of the earlier-published article."""
        for member in [old_original_id, *self._store.copies_of(old_original_id)]:
            self._store.link_duplicate(
                DuplicateLink(member, new_original_id, similarity, METHOD + "+earlier")
            )


def _as_copy(article: Article, original_id: str, similarity: float, method: str) -> Article:
    return Article(
        **{
            **article.__dict__,
            "duplicate_of": original_id,
            "duplicate_similarity": similarity,
            "duplicate_method": method,
        }
    )


def as_exact_copy(article: Article, original_id: str, reason: str) -> Article:
    """``article`` linked to ``original_id`` as an exact copy (same URL or same content)."""
    return _as_copy(article, original_id, 1.0, f"exact:{reason}")
