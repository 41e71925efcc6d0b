"""SQLite storage of representations, builds, stories and threads (mixed into SQLiteStore)."""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime

from newsprism.models import Article


def _now() -> str:
    return datetime.now(UTC).isoformat()


class StoryTables:
    """Story-engine tables; expects ``self._conn`` and ``self.transaction`` from the store."""

    _conn: sqlite3.Connection

    # --- representations --------------------------------------------------------------------
    def put_features(self, kind: str, method: str, rows: Iterable[tuple[str, bytes]]) -> None:
        self._conn.executemany(
            "INSERT OR REPLACE INTO article_features (article_id, kind, method, data) "
            "VALUES (?, ?, ?, ?)",
            [(aid, kind, method, data) for aid, data in rows],
        )

    def get_features(self, kind: str, method: str, article_ids: Sequence[str]) -> dict[str, bytes]:
        rows = self._feature_rows("article_id, data", kind, method, article_ids)
        return {r[0]: bytes(r[1]) for r in rows}

    def feature_ids(self, kind: str, method: str, article_ids: Sequence[str]) -> set[str]:
        """Which of ``article_ids`` have a stored feature (without reading the data)."""
        return {r[0] for r in self._feature_rows("article_id", kind, method, article_ids)}

    def _feature_rows(
        self, columns: str, kind: str, method: str, article_ids: Sequence[str]
    ) -> list[sqlite3.Row]:
        """``columns`` of the stored features of ``article_ids``, 500 ids per query."""
        out: list[sqlite3.Row] = []
        for start in range(0, len(article_ids), 500):
            chunk = list(article_ids[start : start + 500])
            out += self._conn.execute(
                f"SELECT {columns} FROM article_features WHERE kind = ? AND method = ? "
                f"AND article_id IN ({', '.join('?' * len(chunk))})",
                [kind, method, *chunk],
            ).fetchall()
        return out

    def load_corpus_stats(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = defaultdict(dict)
        for kind, key, value in self._conn.execute("SELECT kind, key, value FROM corpus_stats"):
            out[kind][key] = value
        return dict(out)

    def corpus_stat_values(self, kind: str, keys: Sequence[str]) -> dict[str, int]:
        """The running statistic ``kind`` for ``keys`` only (indexed look-ups, any archive size)."""
        out: dict[str, int] = {}
        unique = sorted(set(keys))
        for start in range(0, len(unique), 500):
            chunk = unique[start : start + 500]
            rows = self._conn.execute(
                "SELECT key, value FROM corpus_stats WHERE kind = ? "
                f"AND key IN ({', '.join('?' * len(chunk))})",
                [kind, *chunk],
            )
            out.update((str(r[0]), int(r[1])) for r in rows)
        return out

    def save_corpus_stats(self, rows: Iterable[tuple[str, str, int]]) -> None:
        self._conn.executemany("INSERT OR REPLACE INTO corpus_stats VALUES (?, ?, ?)", rows)

    # --- builds -----------------------------------------------------------------------------
    def last_built_seq(self) -> int:
        row = self._conn.execute(
            "SELECT MAX(last_seq) FROM builds WHERE finished_at IS NOT NULL"
        ).fetchone()
        return int(row[0] or 0)

    def start_build(self, method: str) -> int:
        cur = self._conn.execute(
            "INSERT INTO builds (started_at, method) VALUES (?, ?)", (_now(), method)
        )
        return int(cur.lastrowid or 0)

    def finish_build(self, build_id: int, last_seq: int, summary: dict[str, int]) -> None:
        self._conn.execute(
            "UPDATE builds SET finished_at = ?, last_seq = ?, summary = ? WHERE id = ?",
            (_now(), last_seq, json.dumps(summary), build_id),
        )

    def articles_after(self, seq: int, batch_size: int = 1000) -> Iterator[tuple[int, Article]]:
        """(seq, article) for every article stored after ``seq``, in insertion order."""
        from newsprism.store.sqlite import _ARTICLE_COLUMNS, _row_to_article

        last = seq
        while True:
            rows = self._conn.execute(
                f"SELECT {_ARTICLE_COLUMNS}, seq FROM articles WHERE seq > ? ORDER BY seq LIMIT ?",
                (last, batch_size),
            ).fetchall()
            if not rows:
                return
            for row in rows:
                yield row["seq"], _row_to_article(row)
            last = rows[-1]["seq"]

    # --- stories ----------------------------------------------------------------------------
    def new_story(self, method: str, pinned_key: str | None = None) -> int:
        now = _now()
        cur = self._conn.execute(
            "INSERT INTO stories (pinned_key, method, created_at, updated_at) VALUES (?, ?, ?, ?)",
            (pinned_key, method, now, now),
        )
        return int(cur.lastrowid or 0)

    def pinned_story(self, key: str) -> int | None:
        row = self._conn.execute("SELECT id FROM stories WHERE pinned_key = ?", (key,)).fetchone()
        return int(row[0]) if row else None

    def assign(
        self, article_id: str, story_id: int, score: float | None, by: str, build_id: int
    ) -> None:
        self._conn.execute(
            "INSERT OR REPLACE INTO story_articles VALUES (?, ?, ?, ?, ?)",
            (article_id, story_id, score, by, build_id),
        )

    def story_of(self, article_id: str) -> int | None:
        row = self._conn.execute(
            "SELECT story_id FROM story_articles WHERE article_id = ?", (article_id,)
        ).fetchone()
        return int(row[0]) if row else None

    def merge_stories(self, keep: int, gone: int) -> None:
        """Move every article of story ``gone`` into ``keep``; ``gone`` remembers where."""
        self._conn.execute(
            "UPDATE story_articles SET story_id = ?, assigned_by = assigned_by || '+merge' "
            "WHERE story_id = ?",
            (keep, gone),
        )
        self._conn.execute(
            "UPDATE stories SET merged_into = ?, n_articles = 0, updated_at = ? WHERE id = ?",
            (keep, _now(), gone),
        )
        self._conn.execute(
            "UPDATE story_threads SET story_id = ? WHERE story_id = ? AND NOT EXISTS "
            "(SELECT 1 FROM story_threads WHERE story_id = ?)",
            (keep, gone, keep),
        )
        self._conn.execute("DELETE FROM story_threads WHERE story_id = ?", (gone,))

    def update_story(
        self,
        story_id: int,
        title: str | None,
        title_method: str,
        first_seen: str | None,
        last_seen: str | None,
        n_articles: int,
        centroid: bytes,
        top_entities: list[str],
    ) -> None:
        self._conn.execute(
            "UPDATE stories SET title = ?, title_method = ?, first_seen = ?, last_seen = ?, "
            "n_articles = ?, centroid = ?, top_entities = ?, updated_at = ? WHERE id = ?",
            (title, title_method, first_seen, last_seen, n_articles, centroid,
             json.dumps(top_entities), _now(), story_id),
        )  # fmt: skip

    def stories_updated_since(self, iso_time: str, min_articles: int = 1) -> list[int]:
        """Ids of live stories changed at or after a time (a build's start), oldest first."""
        rows = self._conn.execute(
            "SELECT id FROM stories WHERE merged_into IS NULL AND n_articles >= ? "
            "AND updated_at >= ? ORDER BY id",
            (min_articles, iso_time),
        ).fetchall()
        return [int(r[0]) for r in rows]

    def stories_active_since(self, day_iso: str | None) -> list[sqlite3.Row]:
        """Live stories last seen on or after a day, plus every undated one (None: all)."""
        if day_iso is None:
            return self.story_rows()
        return self._conn.execute(
            "SELECT s.*, st.thread_id FROM stories s LEFT JOIN story_threads st "
            "ON st.story_id = s.id WHERE s.merged_into IS NULL AND s.n_articles > 0 "
            "AND (s.last_seen IS NULL OR s.last_seen >= ?) ORDER BY s.id",
            (day_iso,),
        ).fetchall()

    def story_members(self, story_id: int) -> list[tuple[str, float | None, str]]:
        rows = self._conn.execute(
            "SELECT sa.article_id, sa.score, sa.assigned_by FROM story_articles sa "
            "JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = ? ORDER BY a.seq",
            (story_id,),
        )
        return [(r[0], r[1], r[2]) for r in rows]

    def story_rows(self, live_only: bool = True) -> list[sqlite3.Row]:
        where = "WHERE s.merged_into IS NULL AND s.n_articles > 0" if live_only else ""
        return self._conn.execute(
            "SELECT s.*, st.thread_id FROM stories s LEFT JOIN story_threads st "
            f"ON st.story_id = s.id {where} ORDER BY s.last_seen DESC, s.id DESC"
        ).fetchall()

    def story_row(self, story_id: int) -> sqlite3.Row | None:
        if not fits_sqlite(story_id):  # no such row; SQLite would raise OverflowError
            return None
        row: sqlite3.Row | None = self._conn.execute(
            "SELECT s.*, st.thread_id FROM stories s LEFT JOIN story_threads st "
            "ON st.story_id = s.id WHERE s.id = ?",
            (story_id,),
        ).fetchone()
        return row

    def assignments(self) -> dict[str, tuple[int, int | None]]:
        """article id -> (story id, thread id) for every assigned article."""
        rows = self._conn.execute(
            "SELECT sa.article_id, sa.story_id, st.thread_id FROM story_articles sa "
            "LEFT JOIN story_threads st ON st.story_id = sa.story_id"
        )
        return {r[0]: (r[1], r[2]) for r in rows}

    def clear_machine_assignments(self) -> None:
        """Forget every clustering decision for a full re-cluster. Story rows stay, so pinned
        stories keep their ids (their articles are pinned again by key)."""
        self._conn.execute("DELETE FROM story_articles")
        self._conn.execute("DELETE FROM story_threads")
        self._conn.execute("DELETE FROM builds")
        self._conn.execute(
            "UPDATE corpus_stats SET value = 0 WHERE kind = 'meta' AND key = 'since_merge'"
        )
        self._conn.execute(
            "UPDATE stories SET n_articles = (SELECT COUNT(*) FROM story_articles sa "
            "WHERE sa.story_id = stories.id), merged_into = NULL"
        )

    def renumber_story(self, new: int, old: int) -> None:
        """Give the story ``new`` the id ``old`` (ids survive a full re-cluster)."""
        c = self._conn
        c.execute("UPDATE story_articles SET story_id = ? WHERE story_id = ?", (old, new))
        c.execute(
            "UPDATE stories SET (title, title_method, first_seen, last_seen, n_articles, "
            "centroid, top_entities, method, merged_into, updated_at) = (SELECT title, "
            "title_method, first_seen, last_seen, n_articles, centroid, top_entities, method, "
            "NULL, updated_at FROM stories WHERE id = ?) WHERE id = ?",
            (new, old),
        )
        c.execute("UPDATE story_threads SET story_id = ? WHERE story_id = ?", (old, new))
        c.execute("UPDATE stories SET merged_into = ? WHERE merged_into = ?", (old, new))
        c.execute("DELETE FROM stories WHERE id = ?", (new,))

    def renumber_thread(self, new: int, old: int) -> None:
        c = self._conn
        c.execute("UPDATE story_threads SET thread_id = ? WHERE thread_id = ?", (old, new))
        c.execute(
            "UPDATE threads SET title = (SELECT title FROM threads WHERE id = ?) WHERE id = ?",
            (new, old),
        )
        c.execute("DELETE FROM threads WHERE id = ?", (new,))

    def max_ids(self) -> tuple[int, int]:
        row = self._conn.execute(
            "SELECT (SELECT COALESCE(MAX(id), 0) FROM stories), "
            "(SELECT COALESCE(MAX(id), 0) FROM threads)"
        ).fetchone()
        return int(row[0]), int(row[1])

    # --- threads ----------------------------------------------------------------------------
    def set_thread(self, story_id: int, thread_id: int, score: float | None) -> None:
        self._conn.execute(
            "INSERT OR REPLACE INTO story_threads VALUES (?, ?, ?)", (story_id, thread_id, score)
        )

    def new_thread(self, method: str) -> int:
        cur = self._conn.execute(
            "INSERT INTO threads (method, created_at) VALUES (?, ?)", (method, _now())
        )
        return int(cur.lastrowid or 0)

    def set_thread_title(self, thread_id: int, title: str | None) -> None:
        self._conn.execute("UPDATE threads SET title = ? WHERE id = ?", (title, thread_id))

    def move_thread(self, gone: int, keep: int) -> None:
        self._conn.execute(
            "UPDATE story_threads SET thread_id = ? WHERE thread_id = ?", (keep, gone)
        )

    def refresh_thread_titles(self) -> None:
        """A thread is titled after its largest story."""
        self._conn.execute(
            "UPDATE threads SET title = (SELECT s.title FROM story_threads st JOIN stories s "
            "ON s.id = st.story_id WHERE st.thread_id = threads.id "
            "ORDER BY s.n_articles DESC, s.id LIMIT 1)"
        )

    def stories_in_range(self, lo: str | None, hi: str | None, exclude: int) -> list[sqlite3.Row]:
        """Live stories overlapping [lo, hi] (all when unbounded), and every undated one."""
        if lo is None or hi is None:
            return self._conn.execute(
                "SELECT s.*, st.thread_id FROM stories s LEFT JOIN story_threads st "
                "ON st.story_id = s.id WHERE s.merged_into IS NULL AND s.n_articles > 0 "
                "AND s.id != ?",
                (exclude,),
            ).fetchall()
        return self._conn.execute(
            "SELECT s.*, st.thread_id FROM stories s LEFT JOIN story_threads st "
            "ON st.story_id = s.id WHERE s.merged_into IS NULL AND s.n_articles > 0 "
            "AND s.id != ? AND (s.last_seen IS NULL OR (s.last_seen >= ? AND s.first_seen <= ?))",
            (exclude, lo, hi),
        ).fetchall()

    def thread_candidates(self, bounds: tuple[str, str] | None) -> list[sqlite3.Row]:
        """Live stories overlapping the days ``bounds`` (all when None), and every undated one,
        newest ``last_seen`` first (id descending), undated ones last."""
        where = "s.merged_into IS NULL AND s.n_articles > 0"
        params: tuple[str, ...] = ()
        if bounds is not None:
            where += " AND (s.last_seen IS NULL OR (s.last_seen >= ? AND s.first_seen <= ?))"
            params = bounds
        return self._conn.execute(
            "SELECT s.id, s.first_seen, s.last_seen, s.centroid, s.top_entities, st.thread_id "
            f"FROM stories s LEFT JOIN story_threads st ON st.story_id = s.id WHERE {where} "
            "ORDER BY s.last_seen IS NULL, s.last_seen DESC, s.id DESC",
            params,
        ).fetchall()

    def thread_rows(self) -> list[sqlite3.Row]:
        return self._conn.execute(
            "SELECT t.id, t.title, COUNT(st.story_id) AS n_stories FROM threads t "
            "JOIN story_threads st ON st.thread_id = t.id GROUP BY t.id ORDER BY t.id"
        ).fetchall()


def fits_sqlite(n: int) -> bool:
    """Whether ``n`` is an integer SQLite can hold (a 64-bit signed one)."""
    return -(2**63) <= n < 2**63
