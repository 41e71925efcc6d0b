"""The write API: articles pushed from elsewhere, behind the server's token."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from newsprism.models import IngestReport, Outcome
from newsprism.service import Service
from newsprism.web.security import check_token

router = APIRouter(prefix="/api", tags=["api"])

_BODY_DOC: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "JSON Lines (one article a line), or JSON: one article or an array. "
        "Fields: id and text (required), title, outlet, url, published, author, language, "
        "story.",
        "content": {
            "application/x-ndjson": {"schema": {"type": "string"}},
            "application/json": {
                "schema": {
                    "oneOf": [
                        {"type": "object"},
                        {"type": "array", "items": {"type": "object"}},
                    ]
                }
            },
        },
    }
}


@router.post(
    "/articles",
    openapi_extra=_BODY_DOC,
    responses={
        200: {"description": "What happened to each article."},
        401: {"description": "Missing or wrong token."},
        403: {"description": "The server is read-only."},
        413: {"description": "The body is over the size limit."},
        422: {"description": "The body is not JSON / JSON Lines, or no article was usable."},
    },
)
async def post_articles(
    request: Request,
    authorization: Annotated[str | None, Header()] = None,
) -> JSONResponse:
    """Store pushed articles through the ingest runner (run `newsprism build` to group them)."""
    check_token(request.app.state.options.token, authorization)
    body = await request.body()
    content_type = request.headers.get("content-type", "")

    def ingest() -> IngestReport:
        pool = request.app.state.pool
        with pool.write_lock:
            svc: Service = pool.writer()
            return svc.ingest_posted(body, content_type)

    report = await run_in_threadpool(ingest)
    counts = report.summary()
    stored = counts["added"] + counts["reprint"] + counts["duplicate"]
    status = 422 if counts["skipped"] and not stored else 200
    return JSONResponse(
        {
            "summary": counts,
            "results": [
                {
                    "source": r.source,
                    "outcome": r.outcome.value,
                    "article_id": r.article_id,
                    "reason": r.reason,
                }
                for r in report.results
            ],
            "skipped": [r.reason for r in report.results if r.outcome is Outcome.SKIPPED],
            "warnings": report.warnings,
        },
        status_code=status,
    )
