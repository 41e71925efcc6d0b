"""A response cache for the read-only pages, emptied whenever the archive changes.

Pages only change when the database does (an ingest, a build, a ratings import), so a page is
rendered once and served from memory until then. The database's change counter
(``PRAGMA data_version``, read on a connection of the cache's own, which sees every commit
made by any other connection or process) is checked on each request: cheap, and never stale.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import OrderedDict
from pathlib import Path

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_SKIP_PREFIXES = ("/api/", "/static/", "/openapi.json")


class PageCache:
    """An LRU cache of whole 200 responses to GET requests, bounded in bytes."""

    def __init__(self, app: ASGIApp, db: Path, max_bytes: int = 64 * 1024 * 1024) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self._conn = sqlite3.connect(db, check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple[str, bytes, bool], tuple[list[Message], int]] = (
            OrderedDict()
        )
        self._size = 0
        self._version: int | None = None

    def _current(self) -> int:
        """Drop every entry when the database changed since the last look; the version."""
        version = int(self._conn.execute("PRAGMA data_version").fetchone()[0])
        if version != self._version:
            self._entries.clear()
            self._size = 0
            self._version = version
        return version

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "GET"
            or scope["path"].startswith(_SKIP_PREFIXES)
        ):
            await self.app(scope, receive, send)
            return
        accept = b""
        for name, value in scope.get("headers", []):
            if name == b"accept":
                accept = value
        key = (scope["path"], scope.get("query_string", b""), b"application/json" in accept
               and b"text/html" not in accept)  # fmt: skip
        with self._lock:
            version = self._current()
            hit = self._entries.get(key)
            if hit is not None:
                self._entries.move_to_end(key)
        if hit is not None:
            for message in hit[0]:
                await send(dict(message))  # a copy: outer layers may add headers
            return
        captured: list[Message] = []
        cacheable = True

        async def capture(message: Message) -> None:
            nonlocal cacheable
            if message["type"] == "http.response.start" and message["status"] != 200:
                cacheable = False
            captured.append(dict(message))  # a copy: outer layers add their own headers
            await send(message)

        await self.app(scope, receive, capture)
        if cacheable:
            self._store(key, captured, version)

    def _store(self, key: tuple[str, bytes, bool], messages: list[Message], version: int) -> None:
        size = sum(len(m.get("body", b"")) for m in messages) + 512
        if size > self.max_bytes // 8:
            return
        with self._lock:
            if self._current() != version:  # the archive changed while the page was made
                return
            self._entries[key] = (messages, size)
            self._size += size
            while self._size > self.max_bytes and self._entries:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._size -= dropped

    def close(self) -> None:
        self._conn.close()
