"""A draft made ready to store: size checks, canonical URL, content hash, language.

None of this needs the store, so on a large input a worker process does it while the main
process parses the input and stores what comes back (:class:`Preparer`). Items come back in
input order and each is prepared by the same function either way, so the stored articles are
the same whether a worker ran or not.
"""

from __future__ import annotations

import logging
import multiprocessing
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import UTC, datetime

from newsprism.config import Settings
from newsprism.errors import InvalidRecord, ItemError, NoArticleText, TooLarge
from newsprism.ingest.normalize import (
    content_hash,
    derived_id,
    detect_language,
    normalize_url,
    registrable_domain,
)
from newsprism.models import Article, ArticleDraft
from newsprism.visible import visible

log = logging.getLogger(__name__)

MAX_KEY_CHARS = 512  # an id or story key: refused above (cutting could make two alike)
MAX_TITLE_CHARS = 2_000  # a headline: cut above, with a warning
MAX_NAME_CHARS = 300  # an outlet or author name: cut above, with a warning
# A language tag as inputs give it: "en", "pt-BR", "zh_Hant", "eng" (ISO 639 and subtags)
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8}){0,3}")
BATCH = 64  # drafts sent to the worker at once
AHEAD = 8  # batches in flight before the main process waits for the oldest
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # placeholder; the store time is set when stored


@dataclass(frozen=True)
class Prepared:
    """An article ready to store (its ``ingested_at`` is set when it is stored) and the
    warnings met on the way. (Its MinHash fingerprint is left to the main process, which needs
    it only for a new article: a worker computing it for every article made re-reading a known
    input 25% slower and a new one no faster, measured on the dev file.)"""

    article: Article
    warnings: tuple[str, ...]


Results = Callable[[], list[Prepared | ItemError]]  # a batch's preparations, when asked for


def prepare(draft: ArticleDraft, settings: Settings) -> Prepared:
    """Check and complete one draft; raises :class:`ItemError` for an unusable one."""
    ref = draft.source_ref
    if len(draft.body) > settings.max_article_chars:
        raise TooLarge(
            f"{ref}: text is {len(draft.body):,} characters, above the cap "
            f"max_article_chars={settings.max_article_chars:,}"
        )
    if len((draft.title or "") + draft.body) < settings.min_article_chars or not (
        draft.title or draft.body
    ):
        raise NoArticleText(f"{ref}: no title and no text")
    for label, key in (("id", draft.caller_id), ("story key", draft.story_key)):
        if key is not None and len(key) > MAX_KEY_CHARS:
            raise InvalidRecord(
                f"{ref}: {label} is {len(key):,} characters, above {MAX_KEY_CHARS}; item skipped"
            )
    warnings: list[str] = []
    title = _capped(_one_line(draft.title), MAX_TITLE_CHARS, "title", ref, warnings)
    outlet = _capped(_one_line(draft.outlet_name), MAX_NAME_CHARS, "outlet", ref, warnings)
    author = _capped(_one_line(draft.author), MAX_NAME_CHARS, "author", ref, warnings)
    language = draft.language
    if language and not _LANGUAGE_TAG.fullmatch(language):
        warnings.append(
            f"{ref}: language {language[:40]!r} is not a language tag (such as en or pt-BR); "
            "detected from the text instead"
        )
        language = None
    url = None
    if draft.url:
        try:
            url = normalize_url(draft.url)
        except InvalidRecord as exc:
            warnings.append(f"{ref}: {exc}; URL dropped")
    chash = content_hash(title, draft.body)
    confidence = None
    if not language:
        language, confidence = detect_language(f"{title or ''}\n{draft.body}")
    article = Article(
        id=draft.caller_id or derived_id(url, chash),
        body=draft.body,
        content_hash=chash,
        source_kind=draft.source_kind,
        source_ref=ref,
        extraction_method=draft.extraction_method,
        ingested_at=_EPOCH,
        title=title,
        url=url,
        outlet_name=outlet,
        outlet_domain=registrable_domain(url) if url else None,
        author=author,
        published=draft.published,
        published_precision=draft.published_precision,
        language=language,
        language_confidence=confidence,
        story_key=draft.story_key,
        extra=draft.extra,
        provenance=draft.provenance,
    )
    return Prepared(article, tuple(warnings))


def _one_line(text: str | None) -> str | None:
    """A headline or a name on one line: control characters and terminal escape sequences
    (NUL, colour codes, line breaks) become spaces, runs of spaces one."""
    if text is None:
        return None
    return " ".join(visible(text).split()) or None


def _capped(text: str | None, cap: int, label: str, ref: str, warnings: list[str]) -> str | None:
    """``text`` cut at a word before ``cap`` characters (with an ellipsis), noted in
    ``warnings``."""
    if text is None or len(text) <= cap:
        return text
    cut = text[: cap - 1]
    if " " in cut[cap // 2 :]:
        cut = cut[: cut.rindex(" ")]
    warnings.append(f"{ref}: {label} of {len(text):,} characters cut to {len(cut) + 1}")
    return cut.rstrip() + "…"


def prepare_or_error(draft: ArticleDraft, settings: Settings) -> Prepared | ItemError:
    """:func:`prepare`, or the reason the item is skipped. The checks touch no store, so an
    unexpected error (a bug) costs this one item, never the rest of its file."""
    try:
        return prepare(draft, settings)
    except ItemError as exc:
        return exc
    except Exception as exc:
        log.exception("internal error while preparing %s", draft.source_ref)
        return ItemError(
            f"{draft.source_ref}: internal error ({type(exc).__name__}: {exc}); item skipped"
        )


def prepare_batch(drafts: list[ArticleDraft], settings: Settings) -> list[Prepared | ItemError]:
    """What the worker process runs: each draft's :func:`prepare_or_error`, in order."""
    return [prepare_or_error(d, settings) for d in drafts]


class Preparer:
    """Prepares the drafts of streams of parsed items (one stream per input unit), in a worker
    process once a stream is longer than one batch (short inputs never start one); the worker
    then serves the rest of the run. Use as a context manager."""

    def __init__(self, settings: Settings, workers: int | None = None) -> None:
        self._s = settings
        self._workers = settings.ingest_workers if workers is None else workers
        self._pool: ProcessPoolExecutor | None = None
        self._broken = False
        self._pending: list[Future[list[Prepared | ItemError]]] = []

    def __enter__(self) -> Preparer:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def stream(
        self, items: Iterable[object]
    ) -> Iterator[tuple[object, Prepared | ItemError | None]]:
        """Each item with its preparation (``None`` for an item that is not a draft), in input
        order."""
        window: deque[tuple[list[object], Results]] = deque()
        batch: list[object] = []
        try:
            for item in items:
                batch.append(item)
                if len(batch) > BATCH:  # an input of BATCH items or fewer never starts a worker
                    full, batch = batch[:BATCH], batch[BATCH:]
                    window.append((full, self._submit(full)))
                    while len(window) > AHEAD:
                        yield from _zip(*window.popleft())
            if batch:  # the tail (or a short input) is prepared here, no worker waited for
                window.append((batch, _here(_drafts(batch), self._s)))
            while window:
                yield from _zip(*window.popleft())
        finally:  # a unit given up part-way: its batches not yet started are dropped
            for future in self._pending:
                future.cancel()
            self._pending.clear()

    def _submit(self, batch: list[object]) -> Results:
        drafts = _drafts(batch)
        pool = self._start()
        if pool is None:
            return _here(drafts, self._s)
        try:
            future = pool.submit(prepare_batch, drafts, self._s)
        except (BrokenProcessPool, OSError, RuntimeError):  # no worker could be started
            self._broken = True
            return _here(drafts, self._s)
        self._pending.append(future)
        return lambda: self._result(future, drafts)

    def _result(
        self, future: Future[list[Prepared | ItemError]], drafts: list[ArticleDraft]
    ) -> list[Prepared | ItemError]:
        if future.cancel():  # not started yet: no need to wait for the worker
            return prepare_batch(drafts, self._s)
        try:
            return future.result()
        except BrokenProcessPool:  # the worker died (killed, out of memory): go on here
            self._broken = True
            return prepare_batch(drafts, self._s)

    def _start(self) -> ProcessPoolExecutor | None:
        if self._workers < 1 or self._broken:
            return None
        if self._pool is None:
            # spawn: a fresh interpreter, safe beside threads (fork is not)
            context = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(self._workers, mp_context=context)
        return self._pool


def _drafts(batch: list[object]) -> list[ArticleDraft]:
    return [d for d in batch if isinstance(d, ArticleDraft)]


def _here(drafts: list[ArticleDraft], settings: Settings) -> Results:
    """The batch prepared in this process, when its results are asked for."""
    return lambda: prepare_batch(drafts, settings)


def _zip(
    batch: list[object], results: Results
) -> Iterator[tuple[object, Prepared | ItemError | None]]:
    prepared = iter(results())
    for item in batch:
        yield item, (next(prepared) if isinstance(item, ArticleDraft) else None)
