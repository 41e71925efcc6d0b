from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import numpy as np
import pytest

from newsprism.config import Settings
from newsprism.models import Article, SourceKind
from newsprism.service import Service
from newsprism.stories.represent import CorpusStats, Representation, article_day, n_words

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "files"
SEEDS = REPO / "examples" / "seeds"
EVAL = REPO.parent / "shared" / "eval"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # syntheses are computed when first shown; tests of build-time synthesis turn it on
    return Settings(
        db=tmp_path / "test.db", host_delay_s=0, http_backoff_s=0, synthesize_on_build=False
    )


def _no_network(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError(f"tests have no network: {request.url}", request=request)


@pytest.fixture
def service(settings: Settings) -> Iterator[Service]:
    """A service whose HTTP client answers every request with a connection error."""
    with Service(settings, transport=httpx.MockTransport(_no_network)) as svc:
        yield svc


@pytest.fixture(scope="session")
def stored_seeds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Article]:
    """The five seed articles as stored, keyed by their file prefix ("000".."004")."""
    db = tmp_path_factory.mktemp("seeds") / "seeds.db"
    settings = Settings(db=db, host_delay_s=0, http_backoff_s=0)
    with Service(settings, transport=httpx.MockTransport(_no_network)) as service:
        service.ingest([str(SEEDS)])
        return {Path(a.source_ref).name[:3]: a for a in service.articles()}


def text_article(
    aid: str, body: str, published: str | None = "2025-12-13", language: str | None = "en"
) -> Article:
    """A stored-looking plain-text article for tests that need no store."""
    return Article(
        id=aid, body=body, content_hash=aid, source_kind=SourceKind.TEXT, source_ref=f"{aid}.txt",
        extraction_method="test", ingested_at=datetime(2026, 1, 1, tzinfo=UTC),
        outlet_name=f"Outlet {aid}", language=language,
        published=datetime.fromisoformat(published).replace(tzinfo=UTC) if published else None,
    )  # fmt: skip


def representation(article: Article, stats: CorpusStats, dense: np.ndarray) -> Representation:
    """What the build stores for ``article``, with a given dense vector (normalised here)."""
    unit = (dense / np.linalg.norm(dense)).astype(np.float32)
    return Representation(
        article.id, stats.tfidf(article), stats.entities(article), unit, article_day(article),
        n_words(article), "en",
    )  # fmt: skip
