"""Articles pushed over HTTP (``POST /api/articles``): JSON Lines, or JSON (one object or an
array of objects) in the JSON Lines schema, turned into JSON Lines for the ingest runner."""

from __future__ import annotations

import json

from newsprism.errors import InvalidRecord, UnreadableInput

MAX_RECORDS = 10_000


def as_jsonl(body: bytes, content_type: str = "") -> str:
    """The posted body as JSON Lines text.

    A body whose content type is ``application/json``, or which starts with ``[``, is parsed as
    one JSON document: an object or an array of objects. Anything else is taken as JSON Lines
    (a bad line is reported by the runner with its number; the other lines are kept)."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableInput(
            f"request body is not UTF-8 (byte {exc.start}: {body[exc.start : exc.start + 1]!r})"
        ) from None
    stripped = text.lstrip()
    if not stripped:
        raise InvalidRecord("request body is empty; send JSON Lines or a JSON array of articles")
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind == "application/json" or stripped.startswith("["):
        return _json_document(stripped)
    return text


def _json_document(text: str) -> str:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidRecord(
            f"request body is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    except RecursionError:
        raise InvalidRecord("request body is not valid JSON: nested too deeply") from None
    except ValueError as exc:  # an integer of more than 4,300 digits
        raise InvalidRecord(f"request body is not valid JSON: {exc}") from None
    records = data if isinstance(data, list) else [data]
    if not records:
        raise InvalidRecord("request holds no articles (an empty JSON array)")
    if len(records) > MAX_RECORDS:
        raise InvalidRecord(
            f"request holds {len(records):,} articles; send at most {MAX_RECORDS:,} per request"
        )
    lines = []
    for n, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            raise InvalidRecord(
                f"item {n} of the request is a JSON {type(record).__name__}; "
                "each article must be a JSON object"
            )
        lines.append(json.dumps(record, ensure_ascii=False))
    return "\n".join(lines) + "\n"
