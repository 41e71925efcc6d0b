"""Plain-text and Markdown files: the words, with metadata read from the text itself."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import frontmatter
import yaml
from frontmatter.default_handlers import YAMLHandler
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
    front, content = _front_matter(text)
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


class _NoAliasLoader(yaml.SafeLoader):
    """YAML's safe loader without aliases (``*name``): nine nested lists of nine aliases
    expand to 387 million strings (the "billion laughs"), and front matter never needs one."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]  # untyped in the stubs
            raise yaml.composer.ComposerError(
                None, None, "aliases are not read in front matter", event.start_mark
            )
        return super().compose_node(parent, index)


class _SafeYAML(YAMLHandler):
    def load(self, fm: str, **kwargs: object) -> Any:
        return yaml.load(fm, Loader=_NoAliasLoader)  # noqa: S506 (a SafeLoader subclass)


def _front_matter(text: str) -> tuple[dict[str, Any], str]:
    """The front matter's fields and the text after it. Front matter that cannot be read
    (bad YAML, an alias, a tag such as ``!!python/object``) gives no fields, and its lines are
    not taken for the article's text."""
    handler = frontmatter.detect_format(text, frontmatter.handlers)
    if isinstance(handler, YAMLHandler):
        handler = _SafeYAML()
    if handler is None:
        return {}, text
    try:
        post = frontmatter.loads(text, handler=handler)
        return dict(post.metadata), post.content
    except Exception:
        try:
            return {}, handler.split(text.strip())[1].strip()
        except ValueError:
            return {}, text


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
