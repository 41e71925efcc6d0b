"""The SQLite store: migrations, WAL, transactions, refusal of unusable databases."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newsprism.errors import StoreError
from newsprism.models import Article, SourceKind
from newsprism.store import open_store
from newsprism.store.sqlite import _migrations


def _article(article_id: str, body: str = "Some text") -> Article:
    return Article(
        id=article_id,
        body=body,
        content_hash=article_id * 4,
        source_kind=SourceKind.TEXT,
        source_ref="x.txt",
        extraction_method="test",
        ingested_at=datetime(2025, 1, 1, tzinfo=UTC),
        published=datetime(2025, 1, 2, 3, 4, tzinfo=UTC),
    )


def test_new_database_is_migrated_and_in_wal_mode(tmp_path: Path) -> None:
    with open_store(tmp_path / "a.db") as store:
        assert store.schema_version == _migrations()[-1][0]
    conn = sqlite3.connect(tmp_path / "a.db")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    applied = conn.execute("SELECT version, name FROM schema_migrations").fetchall()
    assert applied == [(v, name) for v, name, _ in _migrations()]
    assert applied[:2] == [(1, "0001_initial.sql"), (2, "0002_stories.sql")]


def test_reopening_does_not_migrate_twice_and_keeps_rows(tmp_path: Path) -> None:
    with open_store(tmp_path / "a.db") as store, store.transaction():
        store.insert_article(_article("a1"), None)
    with open_store(tmp_path / "a.db") as store:
        got = store.get_article("a1")
        assert got is not None
        assert got.published == datetime(2025, 1, 2, 3, 4, tzinfo=UTC)
        assert store.count_articles() == 1


def test_a_failed_transaction_leaves_nothing_behind(tmp_path: Path) -> None:
    with open_store(tmp_path / "a.db") as store:
        with pytest.raises(RuntimeError), store.transaction():
            store.insert_article(_article("a1"), None)
            store.insert_article(_article("a2"), None)
            raise RuntimeError("crash in the middle of a batch")
        assert store.count_articles() == 0


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    open_store(tmp_path / "a.db").close()
    conn = sqlite3.connect(tmp_path / "a.db")
    conn.execute("INSERT INTO schema_migrations VALUES (99, '0099_future.sql', 'x')")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="schema version 99"):
        open_store(tmp_path / "a.db")


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="cannot open database"):
        open_store(bad)
    assert bad.read_bytes() == b"this is not sqlite" * 100


def test_iteration_is_in_insertion_order_across_pages(tmp_path: Path) -> None:
    with open_store(tmp_path / "a.db") as store:
        with store.transaction():
            for i in range(25):
                store.insert_article(_article(f"z{i:02d}"), None)
        assert [a.id for a in store.iter_articles(batch_size=7)] == [f"z{i:02d}" for i in range(25)]


def test_a_second_build_on_one_archive_is_refused_while_the_first_runs(tmp_path: Path) -> None:
    """Two builds at once each grouped the same articles: 975 empty stories and five times the
    threads on 3,000 articles. The second is refused at once, naming the first."""
    from newsprism.config import Settings
    from newsprism.service import Service

    settings = Settings(db=tmp_path / "a.db", story_encoder="static", synthesize_on_build=False)
    src = tmp_path / "a.jsonl"
    src.write_text('{"id": "a1", "text": "The harbour ferry timetable changes on Monday."}\n')
    with Service(settings) as first, Service(settings) as second:
        first.ingest([str(src)])
        busy = pytest.raises(StoreError, match=r"another build is running on .*a\.db \(process")
        with first.store.exclusive("build"), busy:
            second.build()
        assert second.build().articles == 1  # free again once the first is done


def test_a_killed_build_leaves_no_lock_behind(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys
    import time

    db = tmp_path / "k.db"
    open_store(db).close()
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time\nfrom newsprism.store import open_store\n"
         f"s = open_store({str(db)!r})\n"
         "with s.exclusive('build'):\n    print('held', flush=True)\n    time.sleep(60)\n"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        busy = pytest.raises(StoreError, match="another build")
        with open_store(db) as store, busy, store.exclusive("build"):
            pass
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=10)
        time.sleep(0.05)
        with open_store(db) as store, store.exclusive("build"):
            pass  # the system released the dead process's lock
    finally:
        holder.kill()
        holder.wait(timeout=10)
        if holder.stdout is not None:
            holder.stdout.close()


def test_ids_beyond_sqlite_integers_find_nothing(tmp_path: Path) -> None:
    with open_store(tmp_path / "a.db") as store:
        for n in (2**63, 2**70, -(2**63) - 1):
            assert store.story_row(n) is None  # was OverflowError
            assert store.thread_row(n) is None
