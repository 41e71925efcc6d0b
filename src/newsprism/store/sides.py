"""SQLite storage of each story's count of originals and distinct sources per side."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from contextlib import AbstractContextManager
from datetime import UTC, datetime

from newsprism.store.search import LIVE_STORY, span_clause

SIDE_NAMES = ("left", "center", "right", "unrated")


class SideTables:
    """The ``story_sides`` table; expects ``self._conn`` and ``self.transaction`` from the
    store."""

    _conn: sqlite3.Connection

    def transaction(self) -> AbstractContextManager[None]:  # the store's own
        raise NotImplementedError

    def ratings_state(self) -> str:
        """What outlet sides depend on in the store: ratings, rating sources, domains, aliases.

        Row counts and highest row ids of those tables: any import, added alias or removed
        rating changes it."""
        parts = []
        for table in ("outlet_ratings", "rating_sources", "outlet_domains", "outlet_aliases"):
            n, top = self._conn.execute(
                f"SELECT COUNT(*), COALESCE(MAX(rowid), 0) FROM {table}"
            ).fetchone()
            parts.append(f"{table}:{n}:{top}")
        return ";".join(parts)

    def last_story_change(self) -> str:
        """The latest ``updated_at`` of any story, and how many stories there are (a cache key)."""
        n, last = self._conn.execute("SELECT COUNT(*), MAX(updated_at) FROM stories").fetchone()
        return f"{n}:{last}"

    def stale_story_sides(self, sides_key: str) -> list[int]:
        """Live stories whose side counts are missing, of another key, or older than the story."""
        rows = self._conn.execute(
            "SELECT s.id FROM stories s LEFT JOIN story_sides d ON d.story_id = s.id "
            f"WHERE {LIVE_STORY} AND (d.story_id IS NULL OR d.sides_key != ? "
            "OR d.computed_at < s.updated_at) ORDER BY s.id",
            (sides_key,),
        ).fetchall()
        return [int(r[0]) for r in rows]

    def put_story_sides(
        self,
        sides_key: str,
        rows: Iterable[tuple[int, Mapping[str, int], Mapping[str, int]]],
    ) -> None:
        """Store (story id, originals per side, distinct sources per side) rows in one
        transaction; a story's earlier row is replaced."""
        now = datetime.now(UTC).isoformat()
        values = [
            (story_id, sides_key, *(orig.get(s, 0) for s in SIDE_NAMES),
             *(src.get(s, 0) for s in SIDE_NAMES), now)
            for story_id, orig, src in rows
        ]  # fmt: skip
        with self.transaction():
            self._conn.executemany(
                "INSERT OR REPLACE INTO story_sides VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                values,
            )

    def story_side_counts(
        self,
        sides_key: str,
        since: str | None = None,
        until: str | None = None,
        side: str | None = None,
    ) -> list[tuple[int, dict[str, int]]]:
        """(story id, distinct sources per side) of live stories with current counts, latest
        first as in the story list; ``side`` keeps stories with at least one original from it;
        ``since``/``until`` as in ``story_rows_page``."""
        where, args = span_clause(since, until)
        where += [LIVE_STORY, "d.sides_key = ?"]
        args.append(sides_key)
        if side is not None:
            if side not in SIDE_NAMES:
                raise ValueError(f"side {side!r} is not one of {', '.join(SIDE_NAMES)}")
            where.append(f"d.orig_{side} > 0")
        rows = self._conn.execute(
            "SELECT s.id, d.src_left, d.src_center, d.src_right, d.src_unrated FROM stories s "
            f"JOIN story_sides d ON d.story_id = s.id WHERE {' AND '.join(where)} "
            "ORDER BY s.last_seen DESC, s.id DESC",
            args,
        ).fetchall()
        return [(int(r[0]), dict(zip(SIDE_NAMES, map(int, r[1:]), strict=True))) for r in rows]
