"""Plain-text and Markdown files: the words, with metadata read from the text itself."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import frontmatter
from markdown_it import MarkdownIt

from newsprism.errors import NoArticleText
from newsprism.ingest.dates import parse_date
from newsprism.ingest.normalize import clean_text, html_fragment_to_text
from newsprism.ingest.textmeta import METHOD_VERSION, TextMeta, read_text_metadata
from newsprism.models import ArticleDraft, Provenance, SourceKind

_FRONT_KEYS = {"title", "date", "published", "author", "outlet", "source", "url", "language"}


def parse_plain_text(text: str, source_ref: str, now: datetime | None = None) -> ArticleDraft:
    """A plain-text article; headline, dateline and byline are read from the text."""
    cleaned = clean_text(text)
    if not cleaned:
        raise NoArticleText(f"{source_ref}: no text after removing blank space")
    meta = read_text_metadata(cleaned, now)
    return _draft(meta, SourceKind.TEXT, source_ref, f"plaintext+{METHOD_VERSION}")


def parse_markdown(text: str, source_ref: str, now: datetime | None = None) -> ArticleDraft:
    """A Markdown article: YAML front matter and a leading ``# heading`` win over inference."""
    try:
        post = frontmatter.loads(text)
        front: dict[str, Any] = dict(post.metadata)
        content = post.content
    except Exception:
        front, content = {}, text
    tokens = MarkdownIt("commonmark").parse(content)
    heading = None
    if len(tokens) > 2 and tokens[0].type == "heading_open" and tokens[0].tag == "h1":
        heading = tokens[1].content.strip()
    rendered = MarkdownIt("commonmark").render(content)
    plain = html_fragment_to_text(rendered) if rendered.strip() else ""
    cleaned = clean_text(plain)
    if heading and cleaned.startswith(heading):
        cleaned = cleaned[len(heading) :].strip()
    if not cleaned and not heading:
        raise NoArticleText(f"{source_ref}: Markdown file holds no text")
    meta = read_text_metadata(cleaned, now) if cleaned else TextMeta(body="")
    if heading:
        title_found = meta.provenance.get("title")
        if title_found and title_found.method == "first-line" and meta.title:
            meta.body = f"{meta.title}\n{meta.body}"  # a dek under the heading: keep it as text
        meta.title = heading
        meta.provenance["title"] = Provenance("markdown-heading", 0.95)
    _apply_front_matter(meta, front, now)
    draft = _draft(meta, SourceKind.MARKDOWN, source_ref, f"markdown+{METHOD_VERSION}")
    extra = {k: str(v) for k, v in front.items() if k not in _FRONT_KEYS}
    url = front.get("url")
    language = front.get("language")
    return ArticleDraft(
        **{
            **draft.__dict__,
            "extra": extra,
            "url": str(url) if url else None,
            "language": str(language) if language else None,
        }
    )


def _apply_front_matter(meta: TextMeta, front: dict[str, Any], now: datetime | None) -> None:
    if front.get("title"):
        meta.title = str(front["title"]).strip()
        meta.provenance["title"] = Provenance("front-matter", 1.0)
    if front.get("author"):
        meta.author = str(front["author"]).strip()
        meta.provenance["author"] = Provenance("front-matter", 1.0)
    outlet = front.get("outlet") or front.get("source")
    if outlet:
        meta.outlet = str(outlet).strip()
        meta.provenance["outlet"] = Provenance("front-matter", 1.0)
    when = front.get("published") or front.get("date")
    if when:
        parsed = parse_date(str(when), now)
        if parsed:
            meta.published, meta.precision, _ = parsed
            meta.provenance["published"] = Provenance("front-matter", 1.0, str(when))


def _draft(meta: TextMeta, kind: SourceKind, source_ref: str, method: str) -> ArticleDraft:
    return ArticleDraft(
        body=meta.body,
        title=meta.title,
        author=meta.author,
        outlet_name=meta.outlet,
        published=meta.published,
        published_precision=meta.precision,
        source_kind=kind,
        source_ref=source_ref,
        extraction_method=method,
        provenance=dict(meta.provenance),
    )
