"""The ingest stage: read units, turn drafts into articles, find duplicates, store.

Each unit (file or URL) is stored in one transaction: a unit that fails part-way leaves nothing
of itself behind. A bad item inside a unit (a JSON line, a feed entry) is reported and skipped,
and the unit's good items are kept.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime

from newsprism.config import Settings
from newsprism.dedup import NearDuplicateFinder, as_exact_copy, eligible, fingerprint, shingles
from newsprism.errors import InvalidRecord, ItemError
from newsprism.ingest.fetch import Fetcher
from newsprism.ingest.jsonl import FIELD_HINTS
from newsprism.ingest.prepare import Prepared, Preparer
from newsprism.ingest.sources import Unit, expand, read_unit
from newsprism.models import (
    Article,
    ArticleDraft,
    IngestReport,
    ItemResult,
    ItemWarning,
    Outcome,
    SourceKind,
)
from newsprism.store.base import ArticleStore

log = logging.getLogger(__name__)
Progress = Callable[[ItemResult], None]


class Ingestor:
    """Runs one ingest over a list of sources against a store."""

    def __init__(
        self,
        store: ArticleStore,
        settings: Settings,
        fetcher: Fetcher | None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._store = store
        self._s = settings
        self._fetcher = fetcher
        self._near = NearDuplicateFinder(store, settings)
        self._clock = clock

    def run(
        self,
        sources: Sequence[str],
        progress: Progress | None = None,
        units: Iterable[Unit | ItemError] | None = None,
    ) -> IngestReport:
        """Read every source; ``units`` replaces the expansion of ``sources`` (which then only
        names the run), for bytes that arrived another way (the web ingest endpoint)."""
        report = IngestReport()
        started = time.perf_counter()
        run_id = self._store.start_run(sources)

        def record(result: ItemResult) -> None:
            report.add(result)
            if progress:
                progress(result)

        try:
            with Preparer(self._s) as preparer:  # one worker for the run, started when needed
                for unit in expand(sources) if units is None else units:
                    if isinstance(unit, ItemError):
                        reason = str(unit)
                        record(ItemResult(reason.split(":", 1)[0], Outcome.SKIPPED, reason=reason))
                        continue
                    self._run_unit(unit, run_id, report, record, preparer)
        finally:
            self._store.finish_run(run_id, report.summary())
            report.seconds = time.perf_counter() - started
        for name, count in report.unknown_fields.items():
            hint = f" (did you mean '{FIELD_HINTS[name]}'?)" if name in FIELD_HINTS else ""
            report.warnings.append(
                f"unknown field '{name}' on {count} line(s) kept under 'extra'{hint}"
            )
        return report

    def _run_unit(
        self,
        unit: Unit,
        run_id: int,
        report: IngestReport,
        record: Callable[[ItemResult], None],
        preparer: Preparer,
    ) -> None:
        results: list[ItemResult] = []
        try:
            with self._store.transaction():
                for item, prepared in preparer.stream(read_unit(unit, self._s, self._fetcher)):
                    if isinstance(item, ItemWarning):
                        report.warnings.append(item.message)
                    elif isinstance(item, ItemError):
                        results.append(_skipped(unit.ref, item))
                    elif isinstance(item, ArticleDraft) and prepared is not None:
                        results.append(self._store_prepared(item, prepared, run_id, report))
        except ItemError as exc:  # the whole unit is unusable; its transaction rolled back
            results = [_skipped(unit.ref, exc)]
        except Exception as exc:  # a bug must not cost the rest of the run
            log.exception("internal error while ingesting %s", unit.ref)
            results = [
                ItemResult(
                    unit.ref,
                    Outcome.SKIPPED,
                    reason=f"{unit.ref}: internal error ({type(exc).__name__}: {exc}); "
                    "nothing from this source was stored",
                )
            ]
        for result in results:
            record(result)

    def _store_prepared(
        self,
        draft: ArticleDraft,
        prepared: Prepared | ItemError,
        run_id: int,
        report: IngestReport,
    ) -> ItemResult:
        if isinstance(prepared, ItemError):
            return _skipped(draft.source_ref, prepared)
        report.warnings.extend(prepared.warnings)
        article = replace(prepared.article, ingested_at=self._clock())
        report.unknown_fields.update(
            article.extra.keys() if article.source_kind is SourceKind.JSONL else ()
        )
        ref = draft.source_ref
        existing = self._store.get_article(article.id)
        if existing is not None:
            if existing.content_hash == article.content_hash or draft.caller_id is None:
                why = "same id and content" if draft.caller_id else "same URL or content"
                return ItemResult(ref, Outcome.DUPLICATE, article.id, f"already stored ({why})")
            return _skipped(
                ref,
                InvalidRecord(
                    f"{ref}: id {article.id!r} is already stored with different content "
                    f"(from {existing.source_ref}); not overwritten"
                ),
            )
        copy_of = self._exact_copy_of(article)
        if copy_of is not None:
            original_id, reason = copy_of
            if draft.caller_id is None and self._same_outlet(article, original_id):
                return ItemResult(
                    ref, Outcome.DUPLICATE, original_id, f"already stored as {original_id}"
                )
            self._store.insert_article(as_exact_copy(article, original_id, reason), run_id)
            return ItemResult(ref, Outcome.REPRINT, article.id, f"exact copy of {original_id}")
        return self._store_with_near_dup_check(article, run_id, ref)

    def _store_with_near_dup_check(self, article: Article, run_id: int, ref: str) -> ItemResult:
        if not eligible(article.body, self._s):  # too short for the check
            self._store.insert_article(article, run_id)
            return ItemResult(ref, Outcome.ADDED, article.id)
        grams = shingles(article.body)
        fp = fingerprint(grams)
        match = self._near.find(grams, fp)
        result = ItemResult(ref, Outcome.ADDED, article.id)
        repoint = None
        if match is not None:
            article, repoint = self._near.resolve(article, match)
            if repoint is None:
                result = ItemResult(
                    ref, Outcome.REPRINT, article.id, f"near-duplicate of {article.duplicate_of}"
                )
        self._store.insert_article(article, run_id)
        self._store.add_fingerprint(article.id, fp)
        if repoint is not None and match is not None:
            self._near.repoint_group(article.id, repoint, max(match.jaccard, match.containment))
        return result

    def _exact_copy_of(self, article: Article) -> tuple[str, str] | None:
        """An already stored article with the same URL, or the same text (for a different
        outlet, or any outlet when the caller gave its own id)."""
        if article.url:
            found = self._store.find_id_by_url(article.url)
            if found:
                return self._root(found), "same-url"
        for other_id in self._store.find_ids_by_hash(article.content_hash):
            return self._root(other_id), "same-content"
        return None

    def _same_outlet(self, article: Article, other_id: str) -> bool:
        """True unless both articles name an outlet and the outlets differ (a reprint)."""
        other = self._store.get_article(other_id)
        mine = (article.outlet_domain or article.outlet_name or "").casefold()
        theirs = ((other.outlet_domain or other.outlet_name or "") if other else "").casefold()
        return not (mine and theirs and mine != theirs)

    def _root(self, article_id: str) -> str:
        stored = self._store.get_article(article_id)
        return stored.duplicate_of if stored and stored.duplicate_of else article_id


def _skipped(ref: str, error: ItemError) -> ItemResult:
    return ItemResult(ref, Outcome.SKIPPED, reason=str(error))
