"""The typed interface every article store implements (SQLite now, PostgreSQL later).

Stages talk to this protocol only, never to SQL. Writes happen inside :meth:`transaction`;
leaving the block normally commits, an exception rolls the whole block back.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol

from newsprism.models import ArchiveStats, Article


@dataclass(frozen=True)
class DuplicateLink:
    """Marks ``article_id`` as a copy of ``original_id``."""

    article_id: str
    original_id: str
    similarity: float
    method: str


@dataclass(frozen=True)
class Fingerprint:
    """A near-duplicate fingerprint: the MinHash signature and its LSH band keys."""

    method: str
    signature: bytes
    band_keys: Sequence[bytes]


class ArticleStore(Protocol):
    """Storage of articles, fingerprints and ingest runs."""

    def transaction(self) -> AbstractContextManager[None]: ...

    def close(self) -> None: ...

    # --- runs -------------------------------------------------------------------------------
    def start_run(self, sources: Sequence[str]) -> int: ...

    def finish_run(self, run_id: int, summary: dict[str, int]) -> None: ...

    # --- articles ---------------------------------------------------------------------------
    def insert_article(self, article: Article, run_id: int | None) -> None: ...

    def get_article(self, article_id: str) -> Article | None: ...

    def get_articles(self, article_ids: Iterable[str]) -> list[Article]: ...

    def find_id_by_url(self, url: str) -> str | None: ...

    def find_ids_by_hash(self, content_hash: str) -> list[str]: ...

    def iter_articles(self, batch_size: int = 500) -> Iterator[Article]: ...

    def count_articles(self) -> int: ...

    # --- duplicates -------------------------------------------------------------------------
    def add_fingerprint(self, article_id: str, fingerprint: Fingerprint) -> None: ...

    def candidates_for(self, band_keys: Sequence[bytes]) -> list[str]: ...

    def get_signatures(self, article_ids: Iterable[str]) -> dict[str, bytes]: ...

    def link_duplicate(self, link: DuplicateLink) -> None: ...

    def copies_of(self, original_id: str) -> list[str]: ...

    def stats(self) -> ArchiveStats: ...
