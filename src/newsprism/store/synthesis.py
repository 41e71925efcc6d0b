"""SQLite storage of each story's synthesis, keyed by a fingerprint of its inputs."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from typing import Any


class SynthesisTables:
    """The ``story_synthesis`` table; expects ``self._conn`` from the store."""

    _conn: sqlite3.Connection

    def get_synthesis(self, story_id: int) -> tuple[str, dict[str, Any]] | None:
        """(fingerprint, data) of the stored synthesis of ``story_id``, if any."""
        row = self._conn.execute(
            "SELECT fingerprint, data FROM story_synthesis WHERE story_id = ?", (story_id,)
        ).fetchone()
        if row is None:
            return None
        try:
            data = json.loads(row[1])
        except ValueError:
            return None  # unreadable: recomputed and overwritten by the caller
        return str(row[0]), data if isinstance(data, dict) else {}

    def put_synthesis(
        self, story_id: int, fingerprint: str, method: str, data: dict[str, Any]
    ) -> None:
        """Store (or replace) the synthesis of ``story_id``; one statement, so atomic."""
        self._conn.execute(
            "INSERT OR REPLACE INTO story_synthesis VALUES (?, ?, ?, ?, ?)",
            (story_id, fingerprint, method, json.dumps(data, ensure_ascii=False),
             datetime.now(UTC).isoformat()),
        )  # fmt: skip
