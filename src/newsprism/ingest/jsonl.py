"""JSON Lines articles (optionally gzipped): one object per line, the documented schema.

Required: ``id`` (string; integers are accepted and kept as their decimal string) and ``text``
(string; may be empty when ``title`` is given). Optional: ``title``, ``outlet``, ``url``,
``published`` (ISO date or datetime, or any form dateparser reads), ``author``, ``language``,
``story``. Other fields are kept under ``extra``. A bad line is reported with its number and
skipped; the other lines are still read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from newsprism.errors import InvalidRecord, ItemError
from newsprism.ingest.dates import parse_date
from newsprism.ingest.normalize import clean_text
from newsprism.models import ArticleDraft, ItemWarning, SourceKind

METHOD = "jsonl.v1"
KNOWN_FIELDS = frozenset(
    {"id", "text", "title", "outlet", "url", "published", "author", "language", "story"}
)
# A JSON escape of a UTF-16 surrogate: json.loads joins a valid pair into one character and
# keeps a lone one, which no UTF-8 text (nor the store) can hold
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")
# Names other tools use for our fields: reported as hints, never silently mapped.
FIELD_HINTS = {
    "source": "outlet",
    "publisher": "outlet",
    "date": "published",
    "published_at": "published",
    "body": "text",
    "content": "text",
    "headline": "title",
    "link": "url",
}


def parse_jsonl(text: str, source_ref: str) -> Iterator[ArticleDraft | ItemError | ItemWarning]:
    """Yield a draft for each good line, an error for each bad one (with its line number)."""
    seen: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{source_ref}:{number}"
        try:
            record = json.loads(line)
        except (ValueError, RecursionError) as exc:  # ValueError: an int of > 4,300 digits
            yield InvalidRecord(f"{where}: not valid JSON ({exc.__class__.__name__}: {exc})")
            continue
        if _SURROGATE_ESCAPE.search(line):
            record, replaced = _replace_surrogates(record)
            if replaced:
                yield ItemWarning(
                    f"{where}: {replaced} lone UTF-16 surrogate escape(s) (\\ud800-\\udfff) "
                    "replaced with U+FFFD"
                )
        try:
            draft, warnings = _record_draft(record, where)
        except InvalidRecord as exc:
            yield exc
            continue
        assert draft.caller_id is not None
        if draft.caller_id in seen:
            yield InvalidRecord(
                f"{where}: duplicate id {draft.caller_id!r} in this file "
                f"(first on line {seen[draft.caller_id]}); line skipped"
            )
            continue
        seen[draft.caller_id] = number
        yield from warnings
        yield draft


def _replace_surrogates(value: Any) -> tuple[Any, int]:
    """``value`` with every lone surrogate in its strings (keys included) replaced by U+FFFD,
    and how many were replaced."""
    if isinstance(value, str):
        return _SURROGATE.subn("\ufffd", value)
    if isinstance(value, list):
        items = [_replace_surrogates(v) for v in value]
        return [v for v, _ in items], sum(n for _, n in items)
    if isinstance(value, dict):
        out, total = {}, 0
        for key, item in value.items():
            new_key, n_key = _replace_surrogates(key)
            new_item, n_item = _replace_surrogates(item)
            out[new_key] = new_item
            total += n_key + n_item
        return out, total
    return value, 0


def _string(record: dict[str, Any], key: str, where: str) -> str | None:
    value = record.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidRecord(f"{where}: field {key!r} must be a string, got {type(value).__name__}")
    return value.strip() or None


def _record_draft(record: Any, where: str) -> tuple[ArticleDraft, list[ItemWarning]]:
    if not isinstance(record, dict):
        raise InvalidRecord(f"{where}: a line must hold a JSON object, got {type(record).__name__}")
    raw_id = record.get("id")
    if isinstance(raw_id, bool) or not isinstance(raw_id, str | int) or str(raw_id).strip() == "":
        raise InvalidRecord(f"{where}: required field 'id' is missing or not a non-empty string")
    if "text" not in record:
        raise InvalidRecord(f"{where}: required field 'text' is missing")
    body = _string(record, "text", where) or ""
    title = _string(record, "title", where)
    if not body and not title:
        raise InvalidRecord(f"{where}: both 'text' and 'title' are empty")
    warnings: list[ItemWarning] = []
    published = precision = None
    raw_date = record.get("published")
    if raw_date is not None:
        parsed = parse_date(str(raw_date)) if isinstance(raw_date, str) else None
        if parsed is None:
            warnings.append(
                ItemWarning(
                    f"{where}: 'published' value {str(raw_date)[:60]!r} is not a date; "
                    "kept the article with its date unknown"
                )
            )
        else:
            published, precision, _ = parsed
    story = record.get("story")
    extra = {k: v for k, v in record.items() if k not in KNOWN_FIELDS}
    draft = ArticleDraft(
        caller_id=str(raw_id).strip(),
        body=clean_text(body),
        title=clean_text(title) if title else None,
        outlet_name=_string(record, "outlet", where),
        url=_string(record, "url", where),
        author=_string(record, "author", where),
        language=_string(record, "language", where),
        story_key=str(story) if story not in (None, "") else None,
        published=published,
        published_precision=precision,
        source_kind=SourceKind.JSONL,
        source_ref=where,
        extraction_method=METHOD,
        extra=extra,
    )
    return draft, warnings
