"""The web app factory: ``create_app(settings)`` gives a FastAPI app over one archive.

Handlers call the service layer only. Each worker thread keeps its own :class:`Service` (one
SQLite connection each); the app is read-only unless it was given a write token.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp

from newsprism.config import Settings
from newsprism.errors import ConfigError
from newsprism.models import StoryQuery
from newsprism.service import Service
from newsprism.web import errors
from newsprism.web.api import router as api_router
from newsprism.web.cache import PageCache
from newsprism.web.render import json_schema
from newsprism.web.routes import SCHEMAS
from newsprism.web.routes import router as page_router
from newsprism.web.security import MIN_TOKEN_CHARS, SecurityMiddleware

DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024


class ServicePool:
    """The services behind the handlers.

    Reads share one :class:`Service`, so its caches (the outlet registry, the archive's base
    rates) stay warm across requests; it is replaced by a fresh one when the database changes
    (its base rates would be stale). Writes go through a second service, one at a time.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self.write_lock = threading.Lock()
        self._retired: list[Service] = []
        self._reader = self._fresh()  # opens (and if needed migrates) the database
        self._writer: Service | None = None

    def _fresh(self) -> Service:
        service = Service(self.settings, store_syntheses=False)  # a write empties the cache
        service.story_list(StoryQuery(per_page=1))  # loads the registry and base rates
        service.refresh_story_sides()  # so no filtered list waits for them (an old archive)
        self._version = service.store.data_version()
        return service

    def get(self) -> Service:
        """The reading service, current with the database."""
        with self._lock:
            if self._reader.store.data_version() != self._version:
                self._retired.append(self._reader)
                if len(self._retired) > 1:  # old enough that no request still uses it
                    self._retired.pop(0).close()
                self._reader = self._fresh()
            return self._reader

    def writer(self) -> Service:
        """The writing service; hold ``write_lock`` while using it."""
        if self._writer is None:
            self._writer = Service(self.settings)
        return self._writer

    def close(self) -> None:
        with self._lock:
            for service in (self._reader, self._writer, *self._retired):
                if service is not None:
                    service.close()
            self._retired.clear()


@dataclass(frozen=True)
class WebOptions:
    """How the server runs: ``token`` set means writes are allowed with that bearer token."""

    token: str | None = None
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES


def create_app(
    settings: Settings,
    token: str | None = None,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    cache_pages: bool = True,
) -> FastAPI:
    """The web app over the archive in ``settings.db``; read-only unless ``token`` is given.

    Pages are cached in memory until the database changes (``cache_pages``)."""
    if token is not None and len(token) < MIN_TOKEN_CHARS:
        raise ConfigError(
            f"the write token is {len(token)} characters long; use at least {MIN_TOKEN_CHARS}"
        )
    if max_body_bytes < 1:
        raise ConfigError(f"max_body_bytes={max_body_bytes} must be positive")
    pool = ServicePool(settings)
    caches: list[PageCache] = []

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        pool.close()
        for cache in caches:
            cache.close()

    app = FastAPI(
        title="newsprism",
        summary="Stories, how each side covers them, and a neutral cited synthesis.",
        version="0.1.0",
        docs_url=None,  # the interactive docs need inline script, which the CSP forbids
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.pool = pool
    app.state.options = WebOptions(token=token, max_body_bytes=max_body_bytes)
    if cache_pages:
        app.add_middleware(_CacheHook, db=settings.db, caches=caches)
    app.add_middleware(SecurityMiddleware, max_body_bytes=max_body_bytes)  # outermost
    errors.install(app)
    app.include_router(page_router)
    app.include_router(api_router)
    static = resources.files("newsprism.web").joinpath("static")
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


class _CacheHook(PageCache):
    """The page cache, registered so the app can close it at shutdown."""

    def __init__(self, app: ASGIApp, db: Path, caches: list[PageCache]) -> None:
        super().__init__(app, db)
        caches.append(self)


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's schema, plus the page data types the JSON twins return."""
    if app.openapi_schema is None:
        schema = get_openapi(
            title=app.title, version=app.version, summary=app.summary, routes=app.routes
        )
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for kind in SCHEMAS:
            found = json_schema(kind)
            components.update(found.pop("$defs", {}))
            components[kind.__name__] = found
        app.openapi_schema = schema
    return app.openapi_schema
