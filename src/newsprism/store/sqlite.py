"""The SQLite article store: WAL mode, numbered migrations, one transaction per batch."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from newsprism.errors import StoreError
from newsprism.models import ArchiveStats, Article, DatePrecision, Provenance, SourceKind
from newsprism.store.base import DuplicateLink, Fingerprint
from newsprism.store.leans import LeanTables
from newsprism.store.outlets import OutletTables
from newsprism.store.search import SearchTables
from newsprism.store.sides import SideTables
from newsprism.store.stories import StoryTables
from newsprism.store.synthesis import SynthesisTables

_ARTICLE_COLUMNS = (
    "id, url, outlet_name, outlet_domain, title, author, published, published_precision, "
    "language, language_confidence, body, content_hash, ingested_at, source_kind, source_ref, "
    "extraction_method, story_key, extra, provenance, duplicate_of, duplicate_similarity, "
    "duplicate_method"
)


def _migrations() -> list[tuple[int, str, str]]:
    """The bundled migrations as (version, name, sql), in order."""
    folder = resources.files("newsprism.store").joinpath("migrations")
    found = []
    for entry in folder.iterdir():
        name = entry.name
        if name.endswith(".sql") and name[:4].isdigit():
            found.append((int(name[:4]), name, entry.read_text(encoding="utf-8")))
    return sorted(found)


def _iso(dt: datetime | None) -> str | None:
    return dt.astimezone(UTC).isoformat() if dt else None


def _row_to_article(row: sqlite3.Row) -> Article:
    prov = {k: Provenance(**v) for k, v in json.loads(row["provenance"]).items()}
    return Article(
        id=row["id"],
        url=row["url"],
        outlet_name=row["outlet_name"],
        outlet_domain=row["outlet_domain"],
        title=row["title"],
        author=row["author"],
        published=datetime.fromisoformat(row["published"]) if row["published"] else None,
        published_precision=DatePrecision(row["published_precision"])
        if row["published_precision"]
        else None,
        language=row["language"],
        language_confidence=row["language_confidence"],
        body=row["body"],
        content_hash=row["content_hash"],
        ingested_at=datetime.fromisoformat(row["ingested_at"]),
        source_kind=SourceKind(row["source_kind"]),
        source_ref=row["source_ref"],
        extraction_method=row["extraction_method"],
        story_key=row["story_key"],
        extra=json.loads(row["extra"]),
        provenance=prov,
        duplicate_of=row["duplicate_of"],
        duplicate_similarity=row["duplicate_similarity"],
        duplicate_method=row["duplicate_method"],
    )


class SQLiteStore(StoryTables, SearchTables, OutletTables, SynthesisTables, LeanTables, SideTables):
    """An :class:`~newsprism.store.base.ArticleStore` in one SQLite file."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        if self.path.is_dir():
            raise StoreError(f"database path {self.path} is a directory; give a file name")
        try:
            self._conn = sqlite3.connect(
                self.path, isolation_level=None, timeout=30.0, check_same_thread=False
            )
            self._conn.row_factory = sqlite3.Row
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA foreign_keys=ON")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._in_tx = False
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open database {self.path}: {exc}") from exc

    # --- lifecycle --------------------------------------------------------------------------
    def _migrate(self) -> None:
        conn = self._conn
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        applied = {r[0] for r in conn.execute("SELECT version FROM schema_migrations")}
        known = _migrations()
        newest = max((v for v, _, _ in known), default=0)
        if applied and max(applied) > newest:
            raise StoreError(
                f"database {self.path} has schema version {max(applied)}, newer than this "
                f"newsprism understands ({newest}); upgrade newsprism"
            )
        for version, name, sql in known:
            if version in applied:
                continue
            with self.transaction():
                for statement in _split_sql(sql):
                    conn.execute(statement)
                conn.execute(
                    "INSERT INTO schema_migrations VALUES (?, ?, ?)",
                    (version, name, datetime.now(UTC).isoformat()),
                )

    @property
    def schema_version(self) -> int:
        row = self._conn.execute("SELECT MAX(version) FROM schema_migrations").fetchone()
        return int(row[0] or 0)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Run a block in one transaction; nested blocks join the outer one."""
        if self._in_tx:
            yield
            return
        self._conn.execute("BEGIN IMMEDIATE")
        self._in_tx = True
        try:
            yield
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        else:
            self._conn.execute("COMMIT")
        finally:
            self._in_tx = False

    def close(self) -> None:
        self._conn.close()

    @contextmanager
    def exclusive(self, what: str) -> Iterator[None]:
        """Hold the archive's ``what`` lock (e.g. "build") for the block, or raise
        :class:`StoreError` at once if another process holds it. Two builds at once would
        each group the same articles and leave empty stories and duplicate threads behind. The
        lock is a file lock beside the database, released by the system when its process ends,
        so a killed build never leaves the archive locked."""
        import fcntl

        path = self.path.with_name(f"{self.path.name}.{what}.lock")
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise StoreError(f"cannot create the {what} lock {path}: {exc.strerror}") from exc
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                owner = os.pread(fd, 100, 0).decode("utf-8", "replace").strip() or "unknown"
                raise StoreError(
                    f"another {what} is running on {self.path} ({owner}); run it again when "
                    "that one has finished"
                ) from None
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"process {os.getpid()}".encode(), 0)
            yield
        finally:
            os.close(fd)  # releases the lock

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- runs -------------------------------------------------------------------------------
    def start_run(self, sources: Sequence[str]) -> int:
        with self.transaction():
            cur = self._conn.execute(
                "INSERT INTO ingest_runs (started_at, sources) VALUES (?, ?)",
                (datetime.now(UTC).isoformat(), json.dumps(list(sources))),
            )
        return int(cur.lastrowid or 0)

    def finish_run(self, run_id: int, summary: dict[str, int]) -> None:
        with self.transaction():
            self._conn.execute(
                "UPDATE ingest_runs SET finished_at = ?, summary = ? WHERE id = ?",
                (datetime.now(UTC).isoformat(), json.dumps(summary), run_id),
            )

    # --- articles ---------------------------------------------------------------------------
    def insert_article(self, article: Article, run_id: int | None) -> None:
        a = article
        values: tuple[Any, ...] = (
            a.id,
            a.url,
            a.outlet_name,
            a.outlet_domain,
            a.title,
            a.author,
            _iso(a.published),
            a.published_precision.value if a.published_precision else None,
            a.language,
            a.language_confidence,
            a.body,
            a.content_hash,
            _iso(a.ingested_at),
            a.source_kind.value,
            a.source_ref,
            a.extraction_method,
            a.story_key,
            json.dumps(a.extra, ensure_ascii=False, sort_keys=True),
            json.dumps({k: v.to_dict() for k, v in a.provenance.items()}, ensure_ascii=False),
            a.duplicate_of,
            a.duplicate_similarity,
            a.duplicate_method,
            run_id,
        )
        self._conn.execute(
            f"INSERT INTO articles ({_ARTICLE_COLUMNS}, run_id, seq) VALUES "
            f"({', '.join('?' * 23)}, (SELECT COALESCE(MAX(seq), 0) + 1 FROM articles))",
            values,
        )

    def get_article(self, article_id: str) -> Article | None:
        row = self._conn.execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        return _row_to_article(row) if row else None

    def get_articles(self, article_ids: Iterable[str]) -> list[Article]:
        ids = list(article_ids)
        out: list[Article] = []
        for chunk in _chunks(ids, 500):
            rows = self._conn.execute(
                f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE id IN "
                f"({', '.join('?' * len(chunk))}) ORDER BY seq",
                chunk,
            )
            out.extend(_row_to_article(r) for r in rows)
        return out

    def find_id_by_url(self, url: str) -> str | None:
        row = self._conn.execute(
            "SELECT id FROM articles WHERE url = ? ORDER BY seq LIMIT 1", (url,)
        ).fetchone()
        return row[0] if row else None

    def find_ids_by_hash(self, content_hash: str) -> list[str]:
        rows = self._conn.execute(
            "SELECT id FROM articles WHERE content_hash = ? ORDER BY seq", (content_hash,)
        )
        return [r[0] for r in rows]

    def iter_articles(self, batch_size: int = 500) -> Iterator[Article]:
        """All articles in insertion order, read in pages (constant memory)."""
        last = 0
        while True:
            rows = self._conn.execute(
                f"SELECT {_ARTICLE_COLUMNS}, seq FROM articles WHERE seq > ? ORDER BY seq LIMIT ?",
                (last, batch_size),
            ).fetchall()
            if not rows:
                return
            for row in rows:
                yield _row_to_article(row)
            last = rows[-1]["seq"]

    def count_articles(self) -> int:
        return int(self._conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0])

    # --- duplicates -------------------------------------------------------------------------
    def add_fingerprint(self, article_id: str, fingerprint: Fingerprint) -> None:
        self._conn.execute(
            "INSERT INTO article_minhash VALUES (?, ?, ?)",
            (article_id, fingerprint.method, fingerprint.signature),
        )
        self._conn.executemany(
            "INSERT INTO lsh_bands (band, key, article_id) VALUES (?, ?, ?)",
            [(i, key, article_id) for i, key in enumerate(fingerprint.band_keys)],
        )

    def candidates_for(self, band_keys: Sequence[bytes]) -> list[str]:
        found: dict[str, None] = {}
        for band, key in enumerate(band_keys):
            for row in self._conn.execute(
                "SELECT article_id FROM lsh_bands WHERE band = ? AND key = ?", (band, key)
            ):
                found.setdefault(row[0], None)
        return list(found)

    def get_signatures(self, article_ids: Iterable[str]) -> dict[str, bytes]:
        ids = list(article_ids)
        out: dict[str, bytes] = {}
        for chunk in _chunks(ids, 500):
            rows = self._conn.execute(
                "SELECT article_id, signature FROM article_minhash WHERE article_id IN "
                f"({', '.join('?' * len(chunk))})",
                chunk,
            )
            out.update((r[0], bytes(r[1])) for r in rows)
        return out

    def link_duplicate(self, link: DuplicateLink) -> None:
        self._conn.execute(
            "UPDATE articles SET duplicate_of = ?, duplicate_similarity = ?, "
            "duplicate_method = ? WHERE id = ?",
            (link.original_id, link.similarity, link.method, link.article_id),
        )

    def copies_of(self, original_id: str) -> list[str]:
        rows = self._conn.execute(
            "SELECT id FROM articles WHERE duplicate_of = ? ORDER BY seq", (original_id,)
        )
        return [r[0] for r in rows]

    # --- statistics -------------------------------------------------------------------------
    def stats(self) -> ArchiveStats:
        c = self._conn
        total, originals, dated, first, last = c.execute(
            "SELECT COUNT(*), SUM(duplicate_of IS NULL), COUNT(published), MIN(published), "
            "MAX(published) FROM articles"
        ).fetchone()
        outlets = c.execute(
            "SELECT COUNT(DISTINCT COALESCE(outlet_domain, outlet_name)) FROM articles"
        ).fetchone()[0]
        kinds = dict(
            c.execute("SELECT source_kind, COUNT(*) FROM articles GROUP BY 1 ORDER BY 2 DESC")
        )
        langs = dict(
            c.execute(
                "SELECT COALESCE(language, 'unknown'), COUNT(*) FROM articles GROUP BY 1 "
                "ORDER BY 2 DESC"
            )
        )
        runs = c.execute("SELECT COUNT(*) FROM ingest_runs").fetchone()[0]
        return ArchiveStats(
            articles=total,
            originals=originals or 0,
            reprints=total - (originals or 0),
            outlets=outlets,
            by_source_kind=kinds,
            by_language=langs,
            with_date=dated,
            first_published=datetime.fromisoformat(first) if first else None,
            last_published=datetime.fromisoformat(last) if last else None,
            ingest_runs=runs,
            schema_version=self.schema_version,
        )


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _split_sql(script: str) -> list[str]:
    """Split a migration script into statements (sqlite3 knows where each one ends)."""
    statements, buffer = [], ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip() and not all(
        ln.strip().startswith("--") or not ln.strip() for ln in buffer.splitlines()
    ):
        raise StoreError(f"migration ends with an incomplete statement: {buffer.strip()[:80]}")
    return statements
