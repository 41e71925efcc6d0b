"""From what the user names (files, folders, URLs) to a stream of article drafts.

Each *unit* (a file, or a URL) is read on its own, so one bad unit never stops the others, and
the service stores each unit's articles in one transaction.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from newsprism.config import Settings
from newsprism.errors import ItemError, NoArticleText
from newsprism.ingest.decode import decode_text, read_capped
from newsprism.ingest.feeds import parse_feed
from newsprism.ingest.fetch import Fetcher
from newsprism.ingest.html import parse_html
from newsprism.ingest.jsonl import parse_jsonl
from newsprism.ingest.normalize import without_credentials
from newsprism.ingest.plaintext import parse_markdown, parse_plain_text
from newsprism.models import ArticleDraft, ItemWarning, SourceKind

Parsed = ArticleDraft | ItemError | ItemWarning


class Format(StrEnum):
    TEXT = "text"
    MARKDOWN = "markdown"
    HTML = "html"
    FEED = "feed"
    JSONL = "jsonl"


_EXTENSIONS = {
    ".txt": Format.TEXT,
    ".text": Format.TEXT,
    ".md": Format.MARKDOWN,
    ".markdown": Format.MARKDOWN,
    ".html": Format.HTML,
    ".htm": Format.HTML,
    ".xhtml": Format.HTML,
    ".shtml": Format.HTML,
    ".xml": Format.FEED,
    ".rss": Format.FEED,
    ".atom": Format.FEED,
    ".rdf": Format.FEED,
    ".jsonl": Format.JSONL,
    ".ndjson": Format.JSONL,
    ".json": Format.JSONL,
}
_FEED_START = re.compile(r"<(rss|feed|rdf:RDF)\b", re.I)
_HTML_START = re.compile(r"<(!doctype html|html|head|body|article|div|p)\b", re.I)


@dataclass(frozen=True)
class Unit:
    """One thing to read: a local file or a URL."""

    ref: str
    path: Path | None = None
    url: str | None = None


def is_url(source: str) -> bool:
    return source.lower().startswith(("http://", "https://"))


def expand(sources: Iterable[str]) -> Iterator[Unit | ItemError]:
    """Units for each source: a URL, a file, or every file under a folder (recursively, in
    name order, hidden files skipped). A source that does not exist yields an error."""
    for source in sources:
        if is_url(source):
            yield Unit(ref=without_credentials(source), url=source)
            continue
        path = Path(source).expanduser()
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if not name.startswith("."):
                        child = Path(root) / name
                        yield Unit(ref=_printable(child), path=child)
        elif path.exists():
            yield Unit(ref=_printable(path), path=path)
        else:
            yield ItemError(f"{source}: no such file, folder or http(s) URL")


def _printable(path: Path) -> str:
    """A path as text the store can hold: bytes of a name that are not UTF-8 (kept by Python
    as lone surrogates) are written as ``\\xNN`` escapes."""
    return os.fsencode(path).decode("utf-8", errors="backslashreplace")


def format_for(name: str, text: str, content_type: str = "") -> Format:
    """The format of a source, from its name, then its content type, then its first bytes."""
    lower = name.lower().removesuffix(".gz")
    for ext, fmt in _EXTENSIONS.items():
        if lower.endswith(ext):
            return fmt
    ctype = content_type.lower()
    if any(t in ctype for t in ("rss", "atom", "/xml")):
        return Format.FEED
    if "html" in ctype:
        return Format.HTML
    if "json" in ctype:
        return Format.JSONL
    head = text[:2000].lstrip("\ufeff \t\r\n")
    if head.startswith("{"):
        return Format.JSONL
    if _FEED_START.search(head):
        return Format.FEED
    if head.startswith("<") and _HTML_START.match(head):
        return Format.HTML
    return Format.TEXT


def read_unit(unit: Unit, settings: Settings, fetcher: Fetcher | None) -> Iterator[Parsed]:
    """Parse one unit. Errors that spoil the whole unit are raised; per-item ones yielded."""
    if unit.url is not None:
        if fetcher is None:
            raise ItemError(f"{unit.url}: fetching URLs is switched off")
        page = fetcher.get(unit.url)
        text = decode_text(page.body, unit.ref)
        fmt = format_for(_url_path(page.url), text, page.content_type)
        yield from _parse(fmt, text, page.body, unit.ref, settings, fetcher, url=page.url)
        return
    assert unit.path is not None
    data = read_capped(unit.path, int(settings.max_file_mb * 1_048_576))
    text = decode_text(data, unit.ref)
    fmt = format_for(unit.path.name, text)
    yield from _parse(fmt, text, data, unit.ref, settings, fetcher)


def _url_path(url: str) -> str:
    path = url.split("?", 1)[0].split("#", 1)[0]
    last = path.rstrip("/").rsplit("/", 1)[-1]
    return last if "." in last else ""


def _parse(
    fmt: Format,
    text: str,
    raw: bytes,
    ref: str,
    settings: Settings,
    fetcher: Fetcher | None,
    url: str | None = None,
) -> Iterator[Parsed]:
    if fmt is Format.JSONL:
        yield from parse_jsonl(text, ref)
    elif fmt is Format.FEED:
        yield from parse_feed(raw, ref, settings, fetcher)  # feedparser reads encodings itself
    elif fmt is Format.HTML:
        kind = SourceKind.URL if url else SourceKind.HTML
        yield parse_html(text, ref, url=url, kind=kind)
    elif fmt is Format.MARKDOWN:
        yield parse_markdown(text, ref)
    else:
        if not text.strip():
            raise NoArticleText(f"{ref}: no text")
        yield parse_plain_text(text, ref)
