"""Article storage behind a small typed interface (:class:`ArticleStore`)."""

from __future__ import annotations

from pathlib import Path

from newsprism.store.base import ArticleStore, DuplicateLink, Fingerprint
from newsprism.store.sqlite import SQLiteStore

__all__ = ["ArticleStore", "DuplicateLink", "Fingerprint", "SQLiteStore", "open_store"]


def open_store(path: Path | str) -> SQLiteStore:
    """Open (creating and migrating if needed) the store at ``path``."""
    return SQLiteStore(path)
