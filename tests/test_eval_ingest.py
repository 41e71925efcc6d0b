"""The dev clustering file (7,969 articles) ingested twice: nothing lost, nothing doubled."""

from __future__ import annotations

import pytest

from newsprism.service import Service
from tests.conftest import EVAL

DEV = EVAL / "clusters_dev.jsonl.gz"


@pytest.mark.slow
@pytest.mark.skipif(not DEV.exists(), reason="../shared/eval is not beside this checkout")
def test_dev_file_twice(service: Service) -> None:
    first = service.ingest([str(DEV)])
    counts = first.summary()
    assert counts["skipped"] == 0
    assert counts["added"] + counts["reprint"] == 7969
    assert service.store.count_articles() == 7969
    second = service.ingest([str(DEV)])
    assert second.summary() == {"added": 0, "reprint": 0, "duplicate": 7969, "skipped": 0}
    assert service.store.count_articles() == 7969
    assert any("unknown field 'source'" in w and "'outlet'" in w for w in first.warnings)
    article = service.article("uci:6298")
    assert article is not None and article.body == "" and article.title
