"""SQLite storage of the outlet registry and its ratings (mixed into SQLiteStore)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

from newsprism.models import Lean, RatingSource


@dataclass(frozen=True)
class RatingRow:
    """One rating to store: the outlet it rates and the value as given and as mapped."""

    outlet_id: int
    source: str
    value: str
    lean: Lean
    score: float
    rated_on: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class NewOutlet:
    """An outlet to create, with the domains and names it is known by."""

    name: str
    domains: tuple[str, ...] = ()
    aliases: tuple[tuple[str, str], ...] = ()  # (key, alias as written)


_T = TypeVar("_T")


def _chunks(items: Sequence[_T], size: int = 500) -> Iterable[list[_T]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


class OutletTables:
    """Outlet-registry tables; expects ``self._conn`` and ``self.transaction`` from the store."""

    _conn: sqlite3.Connection

    # --- sources ----------------------------------------------------------------------------
    def rating_sources(self) -> list[RatingSource]:
        rows = self._conn.execute(
            "SELECT s.*, (SELECT COUNT(*) FROM outlet_ratings r WHERE r.source = s.name) AS n "
            "FROM rating_sources s ORDER BY s.origin, s.name"
        )
        return [
            RatingSource(
                name=r["name"],
                scale=r["scale"],
                origin=r["origin"],
                citation=r["citation"],
                licence=r["licence"],
                url=r["url"],
                rated_on=r["rated_on"],
                table_version=r["table_version"],
                n_ratings=r["n"],
            )
            for r in rows
        ]

    def bundled_table_version(self) -> str | None:
        row = self._conn.execute(
            "SELECT table_version FROM rating_sources WHERE origin = 'bundled' LIMIT 1"
        ).fetchone()
        return row[0] if row else None

    def put_rating_source(self, source: RatingSource, method: str) -> None:
        """Create or replace a source; its old ratings are removed (a re-import replaces them)."""
        self._conn.execute("DELETE FROM outlet_ratings WHERE source = ?", (source.name,))
        self._conn.execute(
            "INSERT OR REPLACE INTO rating_sources (name, scale, origin, citation, licence, url, "
            "rated_on, table_version, method, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                source.name, source.scale, source.origin, source.citation, source.licence,
                source.url, source.rated_on, source.table_version, method,
                datetime.now(UTC).isoformat(),
            ),
        )  # fmt: skip

    def delete_rating_sources(self, origin: str) -> None:
        self._conn.execute("DELETE FROM rating_sources WHERE origin = ?", (origin,))

    def put_ratings(self, rows: Iterable[RatingRow]) -> None:
        self._conn.executemany(
            "INSERT OR REPLACE INTO outlet_ratings VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                (r.outlet_id, r.source, r.value, r.lean.value, r.score, r.rated_on, r.note)
                for r in rows
            ),
        )

    # --- outlets ----------------------------------------------------------------------------
    def outlet_ids_by_domain(self, domains: Sequence[str]) -> dict[str, int]:
        out: dict[str, int] = {}
        for chunk in _chunks(domains):
            rows = self._conn.execute(
                "SELECT domain, outlet_id FROM outlet_domains WHERE domain IN "
                f"({', '.join('?' * len(chunk))})",
                chunk,
            )
            out.update((r[0], r[1]) for r in rows)
        return out

    def count_outlets(self) -> int:
        return int(self._conn.execute("SELECT COUNT(*) FROM outlets").fetchone()[0])

    def outlet_ids_by_alias(self, key: str) -> list[int]:
        rows = self._conn.execute(
            "SELECT DISTINCT outlet_id FROM outlet_aliases WHERE key = ? ORDER BY outlet_id", (key,)
        )
        return [r[0] for r in rows]

    def add_outlets(self, outlets: Sequence[NewOutlet]) -> list[int]:
        """Create outlets (their domains must be new); returns their ids in order."""
        first = int(
            self._conn.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM outlets").fetchone()[0]
        )
        ids = list(range(first, first + len(outlets)))
        now = datetime.now(UTC).isoformat()
        self._conn.executemany(
            "INSERT INTO outlets (id, name, created_at) VALUES (?, ?, ?)",
            [(i, o.name, now) for i, o in zip(ids, outlets, strict=True)],
        )
        self._conn.executemany(
            "INSERT INTO outlet_domains VALUES (?, ?)",
            [(d, i) for i, o in zip(ids, outlets, strict=True) for d in o.domains],
        )
        self.add_aliases(
            (i, key, alias) for i, o in zip(ids, outlets, strict=True) for key, alias in o.aliases
        )
        return ids

    def add_domain(self, domain: str, outlet_id: int) -> None:
        self._conn.execute(
            "INSERT OR IGNORE INTO outlet_domains VALUES (?, ?)", (domain, outlet_id)
        )

    def add_aliases(self, rows: Iterable[tuple[int, str, str]]) -> None:
        self._conn.executemany(
            "INSERT OR IGNORE INTO outlet_aliases (outlet_id, key, alias) VALUES (?, ?, ?)", rows
        )

    def outlet_rows(self, ids: Sequence[int] | None = None) -> list[sqlite3.Row]:
        """Outlets (all when ``ids`` is None) with their domains and aliases as '\\x1f' lists."""
        query = (
            "SELECT o.id, o.name, "
            "(SELECT group_concat(domain, char(31)) FROM outlet_domains d WHERE d.outlet_id = o.id)"
            " AS domains, "
            "(SELECT group_concat(alias, char(31)) FROM outlet_aliases a WHERE a.outlet_id = o.id)"
            " AS aliases FROM outlets o"
        )
        if ids is None:
            return self._conn.execute(query + " ORDER BY o.id").fetchall()
        out: list[sqlite3.Row] = []
        for chunk in _chunks(ids):
            out.extend(
                self._conn.execute(
                    query + f" WHERE o.id IN ({', '.join('?' * len(chunk))}) ORDER BY o.id", chunk
                )
            )
        return out

    def rating_rows(self, ids: Sequence[int] | None = None) -> list[sqlite3.Row]:
        query = (
            "SELECT r.outlet_id, r.source, s.scale, r.value, r.lean, r.score, r.rated_on, r.note "
            "FROM outlet_ratings r JOIN rating_sources s ON s.name = r.source"
        )
        if ids is None:
            return self._conn.execute(query + " ORDER BY r.outlet_id, r.source").fetchall()
        out: list[sqlite3.Row] = []
        for chunk in _chunks(ids):
            out.extend(
                self._conn.execute(
                    query + f" WHERE r.outlet_id IN ({', '.join('?' * len(chunk))}) "
                    "ORDER BY r.outlet_id, r.source",
                    chunk,
                )
            )
        return out

    def user_rated_outlet_ids(self) -> list[int]:
        rows = self._conn.execute(
            "SELECT DISTINCT r.outlet_id FROM outlet_ratings r JOIN rating_sources s "
            "ON s.name = r.source WHERE s.origin = 'user' ORDER BY 1"
        )
        return [r[0] for r in rows]

    def archive_sources(self) -> list[tuple[str | None, str | None, int]]:
        """Each distinct (domain, outlet name) among the archive's originals, with its count."""
        rows = self._conn.execute(
            "SELECT outlet_domain, outlet_name, COUNT(*) FROM articles "
            "WHERE duplicate_of IS NULL GROUP BY outlet_domain, outlet_name"
        )
        return [(r[0], r[1], int(r[2])) for r in rows]

    def original_ids_of(self, domain: str | None, name: str | None) -> list[str]:
        """The ids of the originals stored with this (domain, outlet name)."""
        rows = self._conn.execute(
            "SELECT id FROM articles WHERE duplicate_of IS NULL AND outlet_domain IS ? "
            "AND outlet_name IS ? ORDER BY seq",
            (domain, name),
        )
        return [r[0] for r in rows]
