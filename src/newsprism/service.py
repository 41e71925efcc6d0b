"""The service layer: the one API that the CLI and the web app call.

It owns the store and the network client for the length of a session and hands work to the
pipeline stages; it holds no stage logic itself.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from newsprism import outlet_pages, pages
from newsprism.config import Settings
from newsprism.errors import ConfigError
from newsprism.ingest.fetch import Fetcher
from newsprism.ingest.posted import as_jsonl
from newsprism.ingest.runner import Ingestor, Progress
from newsprism.ingest.sources import Unit
from newsprism.lean.article import METHOD as ARTICLE_LEAN_METHOD
from newsprism.lean.article import ArticleLeanModel
from newsprism.lean.coverage import (
    SIDES_METHOD,
    Blindspot,
    Coverage,
    archive_outlet_ids,
    assign_sides,
    base_rates,
    blindspot,
    side_counts,
    story_coverage,
    story_members,
)
from newsprism.lean.framing import Framing, frame_story
from newsprism.lean.importer import ImportReport, import_ratings, install_bundled
from newsprism.lean.loaded import LoadedLexicon
from newsprism.lean.outlets import Registry, domain_of
from newsprism.lean.stage import LeanReport, estimate_and_store, run_lean_stage
from newsprism.models import (
    ArchiveStats,
    Article,
    IngestReport,
    Outlet,
    RatingSource,
    SearchResults,
    Side,
    SideAssignment,
    Story,
    StoryQuery,
    Thread,
)
from newsprism.outlet_pages import OutletListPage, OutletPage
from newsprism.pages import StoryListPage, StoryPage
from newsprism.store import SQLiteStore, open_store
from newsprism.stories.build import Builder, BuildReport
from newsprism.stories.encoder import EncoderMissing, MiniLMEncoder
from newsprism.stories.encoders import make_encoder, scoring_model
from newsprism.stories.views import get_story, list_stories, list_threads
from newsprism.synthesis.llm import ChatClient
from newsprism.synthesis.prepared import Encoder, LexicalEncoder
from newsprism.synthesis.stage import SYNTHESIZERS, Synthesis, synthesize
from newsprism.synthesis.stage import fingerprint as synthesis_fingerprint

log = logging.getLogger(__name__)
KEPT_SYNTHESES = 2_000  # computed syntheses a reader that does not store them keeps in memory


@dataclass
class SynthesisRefresh:
    """What a synthesis refresh did: syntheses computed and stored, stories that failed."""

    computed: int = 0
    failed: list[str] = field(default_factory=list)


class Service:
    """newsprism's operations over one store. Use as a context manager."""

    def __init__(
        self,
        settings: Settings,
        store: SQLiteStore | None = None,
        transport: httpx.BaseTransport | None = None,
        store_syntheses: bool = True,
    ) -> None:
        self.settings = settings
        self.store: SQLiteStore = store if store is not None else open_store(settings.db)
        self._transport = transport
        self._fetcher: Fetcher | None = None
        self._sides_lock = threading.Lock()
        self._sides_fresh: tuple[str, str] | None = None  # (sides key, last story change)
        # False for the web reader: a synthesis it computes is kept in memory, not written, as
        # any write empties the whole page cache (a crawler opening stories nobody had opened
        # kept it nearly empty); builds and `newsprism synthesize` store them
        self.store_syntheses = store_syntheses
        self._kept: OrderedDict[int, tuple[str, dict[str, Any]]] = OrderedDict()
        self._kept_lock = threading.Lock()

    def __enter__(self) -> Service:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._fetcher is not None:
            self._fetcher.close()
        self.store.close()

    @property
    def fetcher(self) -> Fetcher:
        if self._fetcher is None:
            self._fetcher = Fetcher(self.settings, transport=self._transport)
        return self._fetcher

    # --- operations -------------------------------------------------------------------------
    def ingest(self, sources: Sequence[str], progress: Progress | None = None) -> IngestReport:
        """Read every source (files, folders, URLs) into the store."""
        return Ingestor(self.store, self.settings, self.fetcher).run(sources, progress)

    def articles(self) -> Iterator[Article]:
        """Every stored article, in ingest order."""
        return self.store.iter_articles()

    def article(self, article_id: str) -> Article | None:
        return self.store.get_article(article_id)

    def stats(self) -> ArchiveStats:
        return self.store.stats()

    # --- stories ----------------------------------------------------------------------------
    def build(
        self,
        full: bool = False,
        progress: Callable[[int, int], None] | None = None,
        synthesis_progress: Callable[[int, int], None] | None = None,
    ) -> BuildReport:
        """Group every article added since the last build into stories and threads, estimate
        the text-only lean of every article that has no estimate of the current model (counts
        in ``report.lean``), then store the synthesis of the stories the build changed."""
        with self.store.exclusive("build"):  # one build at a time on an archive
            started = datetime.now(UTC).isoformat()
            leans, early = self._leans_alongside()  # each chunk's leans while vectors encode
            report = self._build_stories(full, progress, leans)
            lean = self.estimate_leans()  # whatever the chunks did not cover, and the unrated
            report.lean = {
                "estimated": early[0] + lean.estimated, "unrated": early[1] + lean.unrated
            }  # fmt: skip
            self.refresh_story_sides(self.store.stories_updated_since(started))
            if self.settings.synthesize_on_build:
                refreshed = self.refresh_syntheses(
                    synthesis_progress,
                    story_ids=self.store.stories_updated_since(
                        started, self.settings.synthesize_min_articles
                    ),
                )
                report.syntheses = refreshed.computed
                report.warnings.extend(refreshed.failed)
        return report

    def estimate_leans(self) -> LeanReport:
        """Store a text-only lean estimate for every article lacking one of the current model
        (too short ones stay unrated)."""
        return run_lean_stage(self.store, min_words=self.settings.lean_min_words)

    def _leans_alongside(self) -> tuple[Callable[[Sequence[Article]], None], list[int]]:
        """A build hook storing the text-only lean estimate of each chunk's articles that have
        none of the current model (the same estimates as ``estimate_leans``, and the same
        unrated marks), and the counts: estimated, unrated."""
        model = ArticleLeanModel.load()
        count = [0, 0]  # estimated, unrated

        def estimate(articles: Sequence[Article]) -> None:
            ids = [a.id for a in articles]
            min_words = self.settings.lean_min_words
            done = set(self.store.get_article_leans(ids, model.method))
            done |= self.store.lean_unrated(ids, model.method, min_words)
            todo = [a for a in articles if a.id not in done]
            estimated, unrated = estimate_and_store(self.store, model, todo, min_words)
            count[0] += estimated
            count[1] += unrated

        return estimate, count

    def _build_stories(
        self,
        full: bool = False,
        progress: Callable[[int, int], None] | None = None,
        alongside: Callable[[Sequence[Article]], None] | None = None,
    ) -> BuildReport:
        name = self.settings.story_encoder
        encoder = make_encoder(name, threads=self.settings.torch_threads)
        builder = Builder(self.store, encoder, scoring_model(name))
        return builder.run(full=full, progress=progress, alongside=alongside)

    def stories(self, limit: int | None = None) -> list[Story]:
        return list_stories(self.store, limit)

    def story(self, story_id: int) -> Story | None:
        return get_story(self.store, story_id)

    def threads(self) -> list[Thread]:
        return list_threads(self.store)

    def assignments(self) -> dict[str, tuple[int, int | None]]:
        """article id -> (story id, thread id)."""
        return self.store.assignments()

    # --- pages (web app and static export) --------------------------------------------------
    def story_list(self, query: StoryQuery) -> StoryListPage:
        """One page of the latest stories under the query's filters."""
        return pages.story_list(self.store, query, self.story_coverage, self._filtered_story_ids)

    def story_page(self, story_id: int) -> StoryPage | None:
        """Everything the story page shows, or None when there is no such story."""
        return pages.story_page(
            self.store, story_id, self.story_coverage, self.story_framing, self.story_synthesis
        )

    def thread(self, thread_id: int) -> Thread | None:
        """One thread with its stories, oldest first."""
        return pages.thread(self.store, thread_id)

    def search(self, text: str, limit: int = 200) -> SearchResults:
        """Full-text search over articles and stories, grouped by story."""
        return pages.search(self.store, text, limit)

    def ingest_posted(self, body: bytes, content_type: str = "") -> IngestReport:
        """Articles pushed over HTTP (JSON Lines, or JSON), through the same ingest runner."""
        text = as_jsonl(body, content_type)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
        ref = f"POST /api/articles@{stamp}"
        with tempfile.TemporaryDirectory(prefix="newsprism-post-") as tmp:
            path = Path(tmp) / "posted.jsonl"
            path.write_text(text, encoding="utf-8")
            ingestor = Ingestor(self.store, self.settings, fetcher=None)
            return ingestor.run([ref], units=[Unit(ref=ref, path=path)])

    # --- outlets, sides and coverage --------------------------------------------------------
    @cached_property
    def registry(self) -> Registry:
        """The outlet registry, with the bundled starter table loaded on first use."""
        registry = Registry(self.store, self.settings.rating_sources_off)
        install_bundled(registry)
        return registry

    def outlets(self, everything: bool = False) -> list[Outlet]:
        """Outlets of the archive's articles and of imported ratings (``everything``: all)."""
        if everything:
            return self.registry.outlets()
        return self.registry.outlets(archive_outlet_ids(self.registry))

    def outlet(self, ref: int | str) -> Outlet | None:
        """An outlet by id, domain, URL or name."""
        if isinstance(ref, int) or ref.isdigit():
            return self.registry.outlet(int(ref))
        found = self.registry.resolve(domain_of(ref), ref)
        return self.registry.outlet(found) if found is not None else None

    def outlet_list(self) -> OutletListPage:
        """The outlet list page: the archive's outlets with their article counts."""
        return outlet_pages.outlet_list(self.registry, self.outlets(), self.rating_sources())

    def outlet_page(self, ref: int | str, page: int = 1, per_page: int = 20) -> OutletPage | None:
        """An outlet's page (ratings and their sources, lean of its recent articles, one page
        of its stories), or None when no outlet matches ``ref``."""
        found = self.outlet(ref)
        if found is None:
            return None
        return outlet_pages.outlet_page(
            self.registry, found, self.rating_sources(), self._text_estimates, page, per_page
        )

    def rating_sources(self) -> list[RatingSource]:
        off = set(self.settings.rating_sources_off)
        sources = self.registry.store.rating_sources()  # the bundled ones installed first
        return [replace(s, enabled=s.name not in off) for s in sources]

    def import_ratings(self, path: Path, source: RatingSource) -> ImportReport:
        """Import a user's CSV of outlet ratings, whole or not at all."""
        max_bytes = int(self.settings.max_file_mb * 1024 * 1024)
        report = import_ratings(self.registry, path, source, max_bytes)
        self.__dict__.pop("_base_rates", None)
        self.refresh_story_sides()
        return report

    def article_sides(self, articles: Sequence[Article]) -> dict[str, SideAssignment]:
        """The side each article counts for: outlet rating, else estimate, else unrated."""
        ids = [a.id for a in articles]
        s = self.settings
        return assign_sides(
            self.registry, articles, self._text_estimates(ids), s.lean_min_probability,
            s.lean_departs_probability,
        )  # fmt: skip

    def story_sides(self, story_id: int) -> dict[str, SideAssignment]:
        """Per article of the story (reprints included): its side and the basis of it."""
        story = self.story(story_id)
        if story is None:
            return {}
        return self.article_sides(story_members(story))

    def story_coverage(self, story_id: int) -> Coverage | None:
        """Counts and shares by side (reprints once), and the blindspot test with its figures."""
        story = self.story(story_id)
        if story is None:
            return None
        rates, n_base = self._base_rates
        return story_coverage(
            story,
            self.article_sides(story_members(story)),
            rates,
            n_base,
            self.settings.blindspot_min_sources,
            self.settings.blindspot_alpha,
        )

    def refresh_story_sides(self, story_ids: Sequence[int] | None = None) -> int:
        """Store the originals and distinct sources per side of every story whose stored
        counts are stale (missing, older than the story, or computed under other ratings or
        lean settings), or of ``story_ids``; the story list's side and blindspot filters read
        them. Returns how many stories were (re)computed."""
        with self._sides_lock:
            key = self._sides_key()
            ids = self.store.stale_story_sides(key) if story_ids is None else list(story_ids)
            for start in range(0, len(ids), 500):
                stories = [s for i in ids[start : start + 500] if (s := self.story(i)) is not None]
                # one look-up of the sides of every article of the 500 stories
                sides = self.article_sides([sa.article for s in stories for sa in s.articles])
                rows = []
                for story in stories:
                    originals, sources = side_counts(story, sides)
                    rows.append((story.id, _by_name(originals), _by_name(sources)))
                self.store.put_story_sides(key, rows)
            self._sides_fresh = None
            return len(ids)

    def _sides_key(self) -> str:
        """What the stored side counts were computed with; another key makes them stale."""
        s = self.settings
        parts = (
            SIDES_METHOD, ARTICLE_LEAN_METHOD, repr(s.lean_min_probability),
            ",".join(sorted(s.rating_sources_off)), self.registry.store.ratings_state(),
        )  # fmt: skip
        return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]

    def _filtered_story_ids(
        self, side: Side | None, blindspots_only: bool, since: str | None, until: str | None
    ) -> list[int]:
        """Ids of the stories, latest first, with an original from ``side`` and (when
        ``blindspots_only``) a blindspot; over the whole archive, from the stored counts."""
        key = self._sides_key()
        state = (key, self.store.last_story_change())
        if self._sides_fresh != state:
            self.refresh_story_sides()
            self._sides_fresh = state
        rows = self.store.story_side_counts(key, since, until, side.value if side else None)
        if not blindspots_only:
            return [story_id for story_id, _ in rows]
        verdicts: dict[tuple[int, ...], Blindspot] = {}
        found = []
        for story_id, sources in rows:
            counts = tuple(sources.get(s.value, 0) for s in (Side.LEFT, Side.CENTER, Side.RIGHT))
            if counts not in verdicts:
                verdicts[counts] = self._blindspot(counts)
            if verdicts[counts].flagged:
                found.append(story_id)
        return found

    def _blindspot(self, counts: tuple[int, ...]) -> Blindspot:
        rates, n_base = self._base_rates
        sources = dict(zip((Side.LEFT, Side.CENTER, Side.RIGHT), counts, strict=True))
        s = self.settings
        return blindspot(sources, rates, n_base, s.blindspot_min_sources, s.blindspot_alpha)

    def story_framing(self, story_id: int) -> Framing | None:
        """How each side tells the story: distinctive wording and loaded language per side."""
        story = self.story(story_id)
        if story is None:
            return None
        return frame_story(story, self.story_sides(story_id), self.store)

    # --- synthesis --------------------------------------------------------------------------
    def story_synthesis(
        self, story_id: int, synthesizer: str | None = None, refresh: bool = False
    ) -> Synthesis | None:
        """The story's neutral, cited synthesis: stored, recomputed when the story changed."""
        story = self.story(story_id)
        if story is None:
            return None
        mode = synthesizer or self.settings.synthesizer
        if mode not in SYNTHESIZERS:
            raise ConfigError(f"synthesizer {mode!r} is not valid; use extractive or llm")
        articles = [sa.article for sa in story.articles]
        sides = {aid: a.side for aid, a in self.story_sides(story.id).items()}
        options = {"words": self.settings.summary_words, "synthesizer": mode}
        if mode == "llm":
            options |= {"llm_url": self.settings.llm_url, "llm_model": self.settings.llm_model}
        key = synthesis_fingerprint(articles, sides, options)
        stored = self.store.get_synthesis(story.id)
        with self._kept_lock:
            kept = self._kept.get(story.id)
        if kept is not None and kept[0] == key and (stored is None or stored[0] != key):
            stored = kept
        if stored is not None and stored[0] == key and not refresh:
            try:
                return Synthesis.from_dict(stored[1])
            except (KeyError, ValueError, TypeError):
                pass  # written by an older or broken version: recompute and overwrite
        client = self._chat_client() if mode == "llm" else None
        try:
            result = synthesize(
                articles, sides, self._sentence_encoder, self.settings.summary_words,
                LoadedLexicon.load(), client,
            )  # fmt: skip
        finally:
            if client is not None:
                client.close()
        data = result.to_dict()
        if self.store_syntheses:
            self.store.put_synthesis(story.id, key, result.method, data)
        else:
            with self._kept_lock:
                self._kept[story.id] = (key, data)
                self._kept.move_to_end(story.id)
                while len(self._kept) > KEPT_SYNTHESES:
                    self._kept.popitem(last=False)
        return Synthesis.from_dict(data)  # as every later read gives it (rounded scores)

    def refresh_syntheses(
        self,
        progress: Callable[[int, int], None] | None = None,
        story_ids: Sequence[int] | None = None,
    ) -> SynthesisRefresh:
        """Compute and store the synthesis of every story (or of ``story_ids``) whose inputs
        changed, so that no page waits for one. A story whose synthesis fails (a bug, bad
        data) is reported and left for its page to retry; the others go on. Settings errors
        (an unusable synthesizer) concern every story and stop the run."""
        ids = [s.id for s in self.stories()] if story_ids is None else list(story_ids)
        done = SynthesisRefresh()
        for n, story_id in enumerate(ids, 1):
            before = self.store.get_synthesis(story_id)
            try:
                self.story_synthesis(story_id)
            except ConfigError:
                raise
            except Exception as exc:
                log.exception("synthesis of story %s failed", story_id)
                done.failed.append(
                    f"story {story_id}: synthesis failed ({type(exc).__name__}: {exc}); "
                    "its page will try again"
                )
            else:
                after = self.store.get_synthesis(story_id)
                done.computed += before is None or after is None or before[0] != after[0]
            if progress is not None:
                progress(n, len(ids))
        return done

    def _chat_client(self) -> ChatClient:
        s = self.settings
        if not s.llm_url or not s.llm_model:
            raise ConfigError(
                "synthesizer llm needs llm_url and llm_model (NEWSPRISM_LLM_URL, "
                "NEWSPRISM_LLM_MODEL); see docs/configuration.md"
            )
        try:
            return ChatClient(
                s.llm_url, s.llm_model, s.llm_api_key, s.llm_timeout_s, transport=self._transport
            )
        except ValueError as exc:
            raise ConfigError(str(exc)) from exc

    @cached_property
    def _sentence_encoder(self) -> Encoder:
        """MiniLM when installed, else the no-model lexical encoder."""
        encoder = MiniLMEncoder(threads=self.settings.torch_threads)
        try:
            encoder.encode(["newsprism"])
        except (EncoderMissing, ImportError):
            return LexicalEncoder()
        return encoder

    @cached_property
    def _base_rates(self) -> tuple[dict[Side, float], int]:
        return base_rates(self.registry, self._estimates)

    def _text_estimates(self, ids: list[str]) -> Mapping[str, Any]:
        """Every stored text-only lean estimate of ``ids``, sure or not (shown, not counted)."""
        return self._estimates(ids, floor=0.0)

    def _estimates(self, ids: list[str], floor: float | None = None) -> Mapping[str, Any]:
        """Stored text-only lean estimates sure enough to count an article on a side
        (``floor``, by default ``lean_min_probability``); an article with a weaker one counts
        as unrated."""
        get = getattr(self.store, "get_article_leans", None)
        found = dict(get(ids)) if get is not None and ids else {}
        floor = self.settings.lean_min_probability if floor is None else floor
        if floor >= 1.0:
            return {}  # never counted
        return {k: v for k, v in found.items() if (getattr(v, "probability", 0.0) or 0.0) >= floor}


def _by_name(counts: Mapping[Side, int]) -> dict[str, int]:
    return {side.value: n for side, n in counts.items()}
