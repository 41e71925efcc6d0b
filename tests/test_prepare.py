"""Articles prepared by a worker process are the articles prepared in the main one."""

from __future__ import annotations

import json
import random
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import pytest

from newsprism.config import Settings, load_settings
from newsprism.errors import ConfigError
from newsprism.ingest import prepare as prepare_module
from newsprism.ingest.prepare import BATCH, Preparer
from newsprism.models import ArticleDraft, ItemWarning, SourceKind
from newsprism.service import Service

WORDS = (
    "council budget harbour ferry strike minister court appeal vote election river flood "
    "bridge school hospital police union tariff market export grain drought wildfire"
).split()


def _mixed_lines(n: int, seed: int = 3) -> list[str]:
    """n JSON lines: good articles, reprints, near-copies, short ones, bad URLs, broken JSON,
    oversized and empty records, in a shuffled but fixed order."""
    rng = random.Random(seed)
    lines: list[str] = []
    bodies: list[str] = []
    for i in range(n):
        kind = i % 11
        if kind == 0 and bodies:  # a reprint under another outlet
            row = {"title": f"Copy {i}", "text": rng.choice(bodies), "outlet": f"Wire {i}"}
        elif kind == 1 and bodies:  # a near-copy: one word changed
            words = rng.choice(bodies).split()
            words[rng.randrange(len(words))] = "changed"
            row = {"title": f"Near {i}", "text": " ".join(words), "outlet": "Other Post"}
        elif kind == 2:
            row = {"title": f"Short {i}", "text": "A few words only."}
        elif kind == 3:
            row = {"title": f"Bad URL {i}", "text": " ".join(rng.choices(WORDS, k=60)),
                   "url": "javascript:alert(1)"}  # fmt: skip
        elif kind == 4:
            lines.append('{"title": "broken", "text": ')
            continue
        elif kind == 5:
            row = {"title": "", "text": ""}
        elif kind == 6:
            row = {"title": "Huge", "text": "word " * 400_000}
        else:
            body = " ".join(rng.choices(WORDS, k=rng.randrange(45, 120)))
            bodies.append(body)
            row = {"title": f"Story {i}", "text": body, "outlet": f"Paper {i % 7}",
                   "url": f"https://paper{i % 7}.example/a/{i}?utm_source=x",
                   "published": f"2025-0{1 + i % 9}-1{i % 9}"}  # fmt: skip
        lines.append(json.dumps({"id": f"a{i}", **row}))
    return lines


def _ingest(tmp_path: Path, name: str, lines: list[str], workers: int) -> tuple[Any, Any]:
    folder = tmp_path / name
    folder.mkdir()
    src = folder / "in.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    settings = Settings(
        db=folder / "db.sqlite", ingest_workers=workers, max_article_chars=1_000_000
    )
    with Service(settings) as svc:
        report = svc.ingest([str(src)])
        stored = [
            {k: v for k, v in a.to_dict().items() if k not in ("ingested_at", "source_ref")}
            for a in svc.articles()
        ]
    outcomes = [
        (r.outcome, r.article_id, (r.reason or "").replace(str(folder), "")) for r in report.results
    ]
    warnings = [w.replace(str(folder), "") for w in report.warnings]
    return (outcomes, warnings), stored


def _count_workers(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The worker pools started from now on (a list that grows)."""
    started: list[object] = []

    class Counted(prepare_module.ProcessPoolExecutor):  # type: ignore[name-defined,misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            started.append(self)

    monkeypatch.setattr(prepare_module, "ProcessPoolExecutor", Counted)
    return started


@pytest.mark.slow
def test_a_worker_stores_exactly_what_the_main_process_stores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = _count_workers(monkeypatch)
    lines = _mixed_lines(6 * BATCH + 17)
    with_worker = _ingest(tmp_path, "worker", lines, workers=1)
    assert len(started) == 1  # the worker did run
    alone = _ingest(tmp_path, "alone", lines, workers=0)
    assert len(started) == 1  # and none without one
    _ingest(tmp_path, "short", _mixed_lines(BATCH), workers=1)
    assert len(started) == 1  # nor for an input of one batch
    assert with_worker == alone
    (outcomes, warnings), stored = alone
    kinds = {o for o, _, _ in outcomes}
    assert {"added", "reprint", "skipped"} <= {k.value for k in kinds}
    assert any("URL dropped" in w for w in warnings)
    assert any("max_article_chars" in r for _, _, r in outcomes)
    assert len(stored) > 200


def test_items_come_back_in_input_order_with_their_preparation() -> None:
    settings = Settings()
    items: list[object] = []
    for i in range(3 * BATCH + 5):
        if i % 10 == 0:
            items.append(ItemWarning(f"warning {i}"))
        else:
            body = "" if i % 13 == 0 else f"text number {i} " * 20
            items.append(ArticleDraft(body=body, source_kind=SourceKind.JSONL, source_ref=f"r{i}",
                                      extraction_method="test", title=f"t{i}"))  # fmt: skip
    with Preparer(settings, workers=0) as preparer:
        got = list(preparer.stream(items))
    assert [item for item, _ in got] == items
    for item, prepared in got:
        if isinstance(item, ItemWarning):
            assert prepared is None
        else:
            assert prepared is not None
            assert not isinstance(prepared, Exception)
            assert prepared.article.source_ref == item.source_ref  # type: ignore[attr-defined]


class _DeadPool:
    """An executor whose worker has died: every future fails as a broken pool does."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        self.submitted = 0

    def submit(self, fn: object, *args: object) -> Future[object]:
        self.submitted += 1
        future: Future[object] = Future()
        future.set_running_or_notify_cancel()
        future.set_exception(BrokenProcessPool("worker killed"))
        return future

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        pass


def test_a_dead_worker_costs_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(prepare_module, "ProcessPoolExecutor", _DeadPool)
    lines = _mixed_lines(3 * BATCH)
    dead = _ingest(tmp_path, "dead", lines, workers=1)
    alone = _ingest(tmp_path, "alone", lines, workers=0)
    assert dead == alone


def test_the_setting_is_validated(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="ingest_workers=-1"):
        load_settings(env={"NEWSPRISM_INGEST_WORKERS": "-1"}, db=tmp_path / "x.db")
    assert (
        load_settings(env={"NEWSPRISM_INGEST_WORKERS": "0"}, db=tmp_path / "x.db").ingest_workers
        == 0
    )


@pytest.mark.slow
def test_one_worker_serves_a_folder_of_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = _count_workers(monkeypatch)
    lines = _mixed_lines(3 * (BATCH + 40))
    results = {}
    for workers in (1, 0):
        folder = tmp_path / f"in{workers}"
        folder.mkdir()
        for n in range(3):  # three files, each longer than one batch
            part = lines[n * (BATCH + 40) : (n + 1) * (BATCH + 40)]
            (folder / f"part{n}.jsonl").write_text("\n".join(part) + "\n", encoding="utf-8")
        with Service(Settings(db=tmp_path / f"db{workers}.sqlite", ingest_workers=workers)) as svc:
            report = svc.ingest([str(folder)])
            results[workers] = (
                [(r.outcome, r.article_id) for r in report.results],
                [a.content_hash for a in svc.articles()],
            )
    assert len(started) == 1  # one worker for the whole run, none without
    assert results[1] == results[0]


class _NoProcesses(_DeadPool):
    """An executor that cannot start a process at all (no fork, no executable)."""

    def submit(self, fn: object, *args: object) -> Future[object]:
        raise OSError("cannot start a process here")


def test_no_worker_at_all_costs_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(prepare_module, "ProcessPoolExecutor", _NoProcesses)
    lines = _mixed_lines(3 * BATCH)
    assert _ingest(tmp_path, "none", lines, workers=1) == _ingest(
        tmp_path, "alone", lines, workers=0
    )
