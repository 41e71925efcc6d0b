"""SQLite queries behind the web pages: full-text search (FTS5), story list pages, threads
(mixed into SQLiteStore; the indexes are created by migration 0005)."""

from __future__ import annotations

import json
import sqlite3

from newsprism.store.stories import fits_sqlite

# Snippet markers: control characters that cleaned article text never contains.
MATCH_START = "\x02"
MATCH_END = "\x03"

LIVE_STORY = "s.merged_into IS NULL AND s.n_articles > 0"


class SearchTables:
    """Read queries for pages; expects ``self._conn`` from the store."""

    _conn: sqlite3.Connection

    def data_version(self) -> int:
        """Changes whenever another connection commits to the database (a cache key)."""
        return int(self._conn.execute("PRAGMA data_version").fetchone()[0])

    def search_articles(self, match: str, limit: int) -> list[sqlite3.Row]:
        """Articles matching an FTS5 query, best first: id, title, outlet_name, url,
        published, story_id, snippet (matches between MATCH_START and MATCH_END), rank."""
        return self._conn.execute(
            "SELECT a.id, a.title, a.outlet_name, a.url, a.published, sa.story_id, "
            f"snippet(articles_fts, -1, '{MATCH_START}', '{MATCH_END}', '…', 24) AS snippet, "
            "bm25(articles_fts, 4.0, 1.0) AS rank "
            "FROM articles_fts JOIN articles a ON a.seq = articles_fts.rowid "
            "LEFT JOIN story_articles sa ON sa.article_id = a.id "
            "WHERE articles_fts MATCH ? ORDER BY rank LIMIT ?",
            (match, limit),
        ).fetchall()

    def count_article_matches(self, match: str) -> int:
        row = self._conn.execute(
            "SELECT COUNT(*) FROM articles_fts WHERE articles_fts MATCH ?", (match,)
        ).fetchone()
        return int(row[0])

    def search_story_ids(self, match: str, limit: int) -> list[int]:
        """Live stories whose title or top entities match, best first."""
        rows = self._conn.execute(
            "SELECT s.id FROM stories_fts JOIN stories s ON s.id = stories_fts.rowid "
            f"WHERE stories_fts MATCH ? AND {LIVE_STORY} ORDER BY bm25(stories_fts) LIMIT ?",
            (match, limit),
        )
        return [int(r[0]) for r in rows]

    def story_rows_by_id(self, story_ids: list[int]) -> dict[int, sqlite3.Row]:
        if not story_ids:
            return {}
        rows = self._conn.execute(
            "SELECT s.*, st.thread_id FROM stories s LEFT JOIN story_threads st "
            f"ON st.story_id = s.id WHERE s.id IN ({', '.join('?' * len(story_ids))})",
            story_ids,
        )
        return {int(r["id"]): r for r in rows}

    def story_rows_page(
        self,
        offset: int,
        limit: int,
        since: str | None = None,
        until: str | None = None,
        only_ids: list[int] | None = None,
    ) -> tuple[list[sqlite3.Row], int]:
        """One page of live stories, latest first, and how many there are in all.

        ``since``/``until`` (ISO days, inclusive) keep stories whose span overlaps them;
        undated stories are left out when either bound is given. ``only_ids`` restricts the
        list to those stories."""
        where, args = span_clause(since, until)
        where.insert(0, LIVE_STORY)
        if only_ids is not None:
            where.append("s.id IN (SELECT value FROM json_each(?))")
            args.append("[" + ",".join(str(int(i)) for i in only_ids) + "]")
        clause = " AND ".join(where)
        total = self._conn.execute(f"SELECT COUNT(*) FROM stories s WHERE {clause}", args)
        rows = self._conn.execute(
            "SELECT s.*, st.thread_id FROM stories s LEFT JOIN story_threads st "
            f"ON st.story_id = s.id WHERE {clause} "
            "ORDER BY s.last_seen DESC, s.id DESC LIMIT ? OFFSET ?",
            [*args, limit, offset],
        ).fetchall()
        return rows, int(total.fetchone()[0])

    def thread_row(self, thread_id: int) -> sqlite3.Row | None:
        if not fits_sqlite(thread_id):  # no such row; SQLite would raise OverflowError
            return None
        row: sqlite3.Row | None = self._conn.execute(
            "SELECT id, title, method FROM threads WHERE id = ?", (thread_id,)
        ).fetchone()
        return row

    def thread_story_rows(self, thread_id: int) -> list[sqlite3.Row]:
        """The live stories of one thread, oldest first."""
        return self._conn.execute(
            "SELECT s.*, st.thread_id FROM story_threads st JOIN stories s ON s.id = st.story_id "
            f"WHERE st.thread_id = ? AND {LIVE_STORY} ORDER BY s.first_seen, s.id",
            (thread_id,),
        ).fetchall()

    def story_ids_of_articles(self, article_ids: list[str]) -> list[int]:
        """The live stories holding any of these articles."""
        rows = self._conn.execute(
            "SELECT DISTINCT s.id FROM story_articles sa JOIN stories s ON s.id = sa.story_id "
            f"WHERE sa.article_id IN (SELECT value FROM json_each(?)) AND {LIVE_STORY}",
            (json.dumps(article_ids),),
        )
        return [int(r[0]) for r in rows]

    def recent_article_rows(self, article_ids: list[str], limit: int) -> list[sqlite3.Row]:
        """id, title, url, published and story id of the newest of these articles (by date
        published, else by when stored)."""
        return self._conn.execute(
            "SELECT a.id, a.title, a.url, a.published, sa.story_id FROM articles a "
            "LEFT JOIN story_articles sa ON sa.article_id = a.id "
            "WHERE a.id IN (SELECT value FROM json_each(?)) "
            "ORDER BY coalesce(a.published, '') DESC, a.seq DESC LIMIT ?",
            (json.dumps(article_ids), limit),
        ).fetchall()


def span_clause(since: str | None, until: str | None) -> tuple[list[str], list[str]]:
    """SQL conditions (on ``stories s``) and arguments keeping stories whose span overlaps
    ``since``/``until`` (ISO days, inclusive); undated stories fail either bound."""
    where, args = [], []
    if since:
        where.append("s.last_seen >= ?")
        args.append(since)
    if until:
        where.append("s.first_seen < ?")
        args.append(until + "~")  # any time on that day sorts before "~"
    return where, args
