"""One typed configuration, with every default in one place.

Values come, in rising order of precedence, from the defaults below, a TOML file
(``newsprism.toml`` in the working directory, or the file named by ``NEWSPRISM_CONFIG``), and
``NEWSPRISM_<FIELD>`` environment variables (``NEWSPRISM_DB``, ``NEWSPRISM_MAX_FILE_MB``...).
Nothing is read at import time: call :func:`load_settings` and pass the result in.
"""

from __future__ import annotations

import dataclasses
import math
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from newsprism.errors import ConfigError
from newsprism.files import NotARegularFile, open_regular

USER_AGENT = "newsprism/0.1 (+https://github.com/newsprism/newsprism; self-hosted news reader)"


@dataclass(frozen=True)
class Settings:
    """Every setting newsprism reads; the field docs are the user docs (docs/configuration.md)."""

    db: Path = Path("newsprism.db")
    """SQLite database file (env ``NEWSPRISM_DB``, CLI ``--db``)."""

    max_file_mb: float = 100.0
    """Largest input file (or decompressed .gz stream) read, in MiB; larger ones are refused."""

    max_article_chars: int = 2_000_000
    """Longest article body accepted, in characters; longer items are refused, not truncated."""

    min_article_chars: int = 1
    """Shortest text (title + body) accepted; an item with less is reported and skipped."""

    http_timeout_s: float = 20.0
    """Connect/read timeout of one HTTP request, in seconds."""

    http_deadline_s: float = 120.0
    """Longest time one response may take to arrive in full, in seconds: a server that sends a
    byte now and then (each read inside ``http_timeout_s``) is cut off here."""

    http_max_bytes: int = 10_000_000
    """Largest HTTP response body read; the download is cut and refused above it."""

    http_retries: int = 3
    """Retries after a transient HTTP failure (timeout, 429, 5xx), with exponential back-off."""

    http_backoff_s: float = 1.0
    """First back-off delay; doubled on each retry (a Retry-After header wins when larger)."""

    host_delay_s: float = 1.0
    """Least time between two requests to the same host (politeness)."""

    respect_robots: bool = True
    """Ask each host's robots.txt before fetching a page from it."""

    allow_private_hosts: bool = False
    """Fetch from loopback, private, link-local and other non-public addresses (an intranet
    server). Off: a URL, feed link or redirect that leads to such an address is refused, so a
    hostile feed cannot pull internal pages (cloud metadata, admin panels) into the archive."""

    follow_feed_links: bool = True
    """Fetch an entry's page when a feed carries only a teaser."""

    teaser_max_words: int = 120
    """A feed entry with fewer words than this counts as a teaser."""

    near_dup_threshold: float = 0.7
    """Jaccard similarity of word 3-shingles above which two texts are one article reprinted."""

    near_dup_containment: float = 0.9
    """Share of a shorter text's shingles found in a longer one above which it is a trimmed copy."""

    near_dup_min_words: int = 40
    """Texts shorter than this are not checked for near-duplicates (headlines alike by chance)."""

    ingest_workers: int = 1
    """Worker processes that check articles (caps, URL, hash, language) while the main one
    parses, finds duplicates and stores (0: none). Only inputs longer than 64 items start one;
    the stored articles are the same either way."""

    torch_threads: int = 2
    """CPU threads for the sentence encoder (keep at or under the number of cores); the story
    build encodes that many chunks at once (at most two), each on one thread."""

    story_encoder: str = "minilm"
    """Sentence vectors for story clustering: ``minilm`` (the all-MiniLM-L6-v2 transformer) or
    ``static`` (word-piece vectors distilled from it: no transformer at run time, faster and a
    fifth of the memory, lower F1; see docs/benchmarks.md). Each has its own learned scorer;
    switching takes effect for new articles, and ``build --full`` re-groups the archive."""

    rating_sources_off: tuple[str, ...] = ()
    """Outlet rating sources left out of every aggregate lean (names as `newsprism outlets
    sources` lists them; a list in TOML, comma-separated in the environment)."""

    blindspot_min_sources: int = 5
    """Fewest distinct rated sources a story needs before it can be flagged as a blindspot."""

    blindspot_alpha: float = 0.05
    """Significance level of the blindspot test (one-sided exact binomial, Bonferroni over the
    three sides)."""

    synthesizer: str = "extractive"
    """How the story summary is written: ``extractive`` (chosen source sentences, no network) or
    ``llm`` (the endpoint below, every sentence checked against the sources; the extractive
    summary is kept whenever the endpoint fails)."""

    summary_words: int = 55
    """Length of the extractive summary, in words (10 to 1000)."""

    llm_url: str = ""
    """OpenAI-compatible chat-completions endpoint for ``synthesizer = "llm"`` (e.g.
    ``http://localhost:8080/v1`` for llama.cpp, ``http://localhost:11434/v1`` for Ollama)."""

    llm_model: str = ""
    """Model name sent to the endpoint."""

    llm_api_key: str = ""
    """Bearer token for the endpoint, if it needs one (prefer ``NEWSPRISM_LLM_API_KEY``)."""

    llm_timeout_s: float = 60.0
    """Timeout of one request to the endpoint, in seconds."""

    lean_min_words: int = 40
    """Fewest words (headline + body, after outlet names, bylines and footers are removed) for
    a text-only lean estimate; an article with less stays unrated."""

    lean_min_probability: float = 0.5
    """Least probability of a text-only lean estimate for it to count an article on a side
    (coverage, blindspots, framing, key points); below it the article counts as unrated, and
    1.0 means never. The estimate is stored and shown either way."""

    lean_departs_probability: float = 0.7
    """Least probability of a text-only estimate on another side than its rated outlet's for
    the article to be flagged ``departs_from_outlet`` (1.0: never). Higher than the counting
    floor: on outlets it never saw the model is right 41% of the time at 0.5 and 51% at 0.7,
    where it would flag about 2% of articles rather than a quarter."""

    synthesize_on_build: bool = True
    """Compute and store, during ``build``, the synthesis of every story the build changed that
    has at least ``synthesize_min_articles`` articles, so no page waits for one; other stories
    get theirs when first shown (or with ``newsprism synthesize``)."""

    synthesize_min_articles: int = 2
    """Smallest story (in articles) whose synthesis ``build`` computes."""

    def with_overrides(self, **changes: Any) -> Settings:
        """Return a copy with the given fields replaced (``None`` values are ignored)."""
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})


_DAY = 86_400

CONFIG_MAX_BYTES = 1_048_576
"""Largest configuration file read (a settings file is a few kilobytes)."""


def _coerce(name: str, raw: Any, default: Any) -> Any:
    """Convert a TOML or environment value to the type of the field's default.

    Only a value of the right kind is taken: a table or a list where a word or a number is
    expected, a number that is not finite, or a fraction where a count is expected is refused
    rather than read as something else."""
    if isinstance(default, bool):
        kind = "true/false"
    elif isinstance(default, Path):
        kind = "file name"
    elif isinstance(default, tuple):
        kind = "list of names"
    else:
        kind = type(default).__name__
    try:
        return _convert(raw, default)
    except (TypeError, ValueError, OverflowError) as exc:
        raise ConfigError(f"setting {name}={raw!r} is not a valid {kind}") from exc


def _convert(raw: Any, default: Any) -> Any:
    if isinstance(default, bool):
        if isinstance(raw, bool):
            return raw
        text = raw.strip().lower() if isinstance(raw, str) else None
        if text in {"1", "true", "yes", "on"}:
            return True
        if text in {"0", "false", "no", "off"}:
            return False
        raise ValueError(raw)
    if isinstance(default, Path):
        if not isinstance(raw, str) or not raw.strip() or "\x00" in raw:
            raise ValueError(raw)
        return Path(raw).expanduser()
    if isinstance(default, tuple):
        items = raw.split(",") if isinstance(raw, str) else raw
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            raise TypeError(raw)
        return tuple(item.strip() for item in items if item.strip())
    if isinstance(default, int):
        if isinstance(raw, bool) or not isinstance(raw, int | float | str):
            raise TypeError(raw)
        if isinstance(raw, str):
            return int(raw)
        if isinstance(raw, float) and not raw.is_integer():  # inf and nan raise here too
            raise ValueError(raw)
        return int(raw)
    if isinstance(default, float):
        if isinstance(raw, bool) or not isinstance(raw, int | float | str):
            raise TypeError(raw)
        value = float(raw)
        if not math.isfinite(value):
            raise ValueError(raw)
        return value
    if not isinstance(raw, str):
        raise TypeError(raw)
    return raw


def _read_file(path: Path) -> dict[str, Any]:
    """The settings table of a TOML file: ``[newsprism]`` or the top level, not both.

    Only a regular file is read, and at most :data:`CONFIG_MAX_BYTES` of it: a named pipe
    would block, and a device such as ``/dev/zero`` never ends."""
    try:
        with open_regular(path) as fh:
            raw = fh.read(CONFIG_MAX_BYTES + 1)
        if len(raw) > CONFIG_MAX_BYTES:
            raise ConfigError(
                f"configuration file {path} is larger than {CONFIG_MAX_BYTES:,} bytes"
            )
        data = tomllib.loads(raw.decode("utf-8"))
    except NotARegularFile as exc:
        raise ConfigError(f"configuration file {path} is {exc}") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read configuration file {path}: {exc}") from exc
    except RecursionError:  # tomllib recurses once per level of [[[...]]] or {a={...}}
        raise ConfigError(
            f"cannot read configuration file {path}: arrays or tables nested too deeply"
        ) from None
    if "newsprism" not in data:
        return data
    table = data.pop("newsprism")
    if not isinstance(table, dict):
        raise ConfigError(f"[newsprism] must be a table of settings in {path}")
    if data:
        raise ConfigError(
            f"settings outside [newsprism] in {path} ({', '.join(sorted(data))}); "
            "put every setting under [newsprism] or none"
        )
    return table


def load_settings(
    env: Mapping[str, str] | None = None, config_file: Path | None = None, **overrides: Any
) -> Settings:
    """Build the settings from defaults, a TOML file, the environment and explicit overrides."""
    env = os.environ if env is None else env
    defaults = Settings()
    values: dict[str, Any] = {}
    known = {f.name for f in fields(Settings)}
    path = config_file or (Path(env["NEWSPRISM_CONFIG"]) if "NEWSPRISM_CONFIG" in env else None)
    if path is None and Path("newsprism.toml").is_file():
        path = Path("newsprism.toml")
    if path is not None:
        for key, raw in _read_file(path).items():
            if key not in known:
                raise ConfigError(
                    f"unknown setting {key!r} in {path}; valid: {', '.join(sorted(known))}"
                )
            values[key] = _coerce(key, raw, getattr(defaults, key))
    for name in known:
        env_key = f"NEWSPRISM_{name.upper()}"
        if env_key in env:
            values[name] = _coerce(env_key, env[env_key], getattr(defaults, name))
    settings = dataclasses.replace(defaults, **values).with_overrides(**overrides)
    _validate(settings)
    return settings


def _validate(s: Settings) -> None:
    if not 0.0 <= s.lean_min_probability <= 1.0:
        raise ConfigError(
            f"setting lean_min_probability={s.lean_min_probability!r} must be in [0, 1]"
        )
    if not 0.0 <= s.lean_departs_probability <= 1.0:
        raise ConfigError(
            f"setting lean_departs_probability={s.lean_departs_probability!r} must be in [0, 1]"
        )
    if s.synthesize_min_articles < 1:
        raise ConfigError(
            f"setting synthesize_min_articles={s.synthesize_min_articles!r} must be at least 1"
        )
    if s.lean_min_words < 1:
        raise ConfigError(f"setting lean_min_words={s.lean_min_words!r} must be at least 1")
    if s.story_encoder not in {"static", "minilm"}:
        raise ConfigError(
            f"setting story_encoder={s.story_encoder!r} is not valid; use static or minilm"
        )
    if s.synthesizer not in {"extractive", "llm"}:
        raise ConfigError(
            f"setting synthesizer={s.synthesizer!r} is not valid; use extractive or llm"
        )
    if not 10 <= s.summary_words <= 1000:
        raise ConfigError(f"setting summary_words={s.summary_words!r} must be between 10 and 1000")
    if s.llm_timeout_s <= 0:
        raise ConfigError(f"setting llm_timeout_s={s.llm_timeout_s!r} must be greater than 0")
    for name in ("llm_url", "llm_model", "llm_api_key"):
        if not isinstance(getattr(s, name), str):
            raise ConfigError(f"setting {name}={getattr(s, name)!r} must be a string")
    if s.blindspot_min_sources < 1:
        raise ConfigError(f"setting blindspot_min_sources={s.blindspot_min_sources!r} must be >= 1")
    if not 0.0 < s.blindspot_alpha < 1.0:
        raise ConfigError(f"setting blindspot_alpha={s.blindspot_alpha!r} must be in (0, 1)")
    positive = (
        "max_file_mb", "max_article_chars", "http_timeout_s", "http_deadline_s", "http_max_bytes"
    )  # fmt: skip
    for name in positive:
        if getattr(s, name) <= 0:
            raise ConfigError(f"setting {name}={getattr(s, name)!r} must be greater than 0")
    for name in ("near_dup_threshold", "near_dup_containment"):
        if not 0.0 < getattr(s, name) <= 1.0:
            raise ConfigError(f"setting {name}={getattr(s, name)!r} must be in (0, 1]")
    if not 0 <= s.ingest_workers <= 64:
        raise ConfigError(f"setting ingest_workers={s.ingest_workers!r} must be from 0 to 64")
    if s.http_retries < 0 or s.host_delay_s < 0 or s.http_backoff_s < 0:
        raise ConfigError("http_retries, host_delay_s and http_backoff_s must not be negative")
    # upper bounds: a value past them is a typo, and would overflow a buffer size or a socket
    # timeout, or retry a failing server practically for ever
    most = {
        "max_file_mb": 1_048_576, "http_retries": 100, "torch_threads": 256,
        "http_timeout_s": _DAY, "http_deadline_s": _DAY, "http_backoff_s": _DAY,
        "host_delay_s": _DAY, "llm_timeout_s": _DAY,
    }  # fmt: skip
    for name, top in most.items():
        if getattr(s, name) > top:
            raise ConfigError(f"setting {name}={getattr(s, name)!r} must be at most {top:,}")
    if s.torch_threads < 1:
        raise ConfigError(f"setting torch_threads={s.torch_threads!r} must be at least 1")
    for name in ("min_article_chars", "teaser_max_words", "near_dup_min_words"):
        if getattr(s, name) < 0:
            raise ConfigError(f"setting {name}={getattr(s, name)!r} must not be negative")
