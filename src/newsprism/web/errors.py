"""Errors to HTTP, in one place: every error becomes a friendly HTML page or a JSON body."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from newsprism.errors import (
    BadToken,
    FatalError,
    InvalidQuery,
    ItemError,
    NewsprismError,
    NotFound,
    StoreError,
    TooLarge,
    WritesDisabled,
)
from newsprism.web.render import Links, render

log = logging.getLogger(__name__)

# Most specific first.
STATUS: tuple[tuple[type[NewsprismError], int], ...] = (
    (NotFound, 404),
    (InvalidQuery, 422),
    (WritesDisabled, 403),
    (BadToken, 401),
    (TooLarge, 413),
    (ItemError, 422),
    (StoreError, 503),
    (FatalError, 500),
    (NewsprismError, 500),
)
TITLES = {
    401: "Token needed",
    403: "Read-only",
    404: "Not found",
    405: "Method not allowed",
    413: "Request too large",
    422: "That request cannot be answered",
    500: "Something went wrong",
    503: "The archive is unavailable",
}


def status_for(exc: NewsprismError) -> int:
    return next(code for kind, code in STATUS if isinstance(exc, kind))


def wants_json(request: Request) -> bool:
    """JSON for the ``.json`` twins, the API, and clients that ask for JSON over HTML."""
    path = request.url.path
    if path.endswith(".json") or path.startswith("/api/"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def error_response(request: Request, status: int, message: str) -> Response:
    title = TITLES.get(status, "Error")
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if wants_json(request):
        body = {"error": {"status": status, "title": title, "message": message}}
        return JSONResponse(body, status_code=status, headers=headers)
    html = render("error.html", Links(), status=status, title=title, message=message)
    return HTMLResponse(html, status_code=status, headers=headers)


def install(app: FastAPI) -> None:
    """Register the handlers that turn every error into a response."""

    async def on_newsprism(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, NewsprismError)
        status = status_for(exc)
        if status >= 500:
            log.error("%s %s: %s", request.method, request.url.path, exc)
        return error_response(request, status, str(exc))

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        message = exc.detail if isinstance(exc.detail, str) else TITLES.get(exc.status_code, "")
        if exc.status_code == 404:
            message = f"there is no page at {request.url.path}"
        return error_response(request, exc.status_code, message)

    async def on_validation(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        return error_response(request, 422, _describe(exc))

    async def on_unexpected(request: Request, exc: Exception) -> Response:
        log.exception("internal error on %s %s", request.method, request.url.path)
        return error_response(request, 500, "internal error; the server log has the details")

    app.add_exception_handler(NewsprismError, on_newsprism)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(Exception, on_unexpected)


def _describe(exc: RequestValidationError) -> str:
    """'page=0: Input should be greater than or equal to 1; ...' for each bad parameter."""
    parts = []
    for error in exc.errors()[:5]:
        where = [str(p) for p in error.get("loc", ()) if p not in {"query", "path", "body"}]
        value = error.get("input")
        shown = f"={str(value)[:60]!r}" if isinstance(value, str | int | float) else ""
        parts.append(f"{'.'.join(where) or 'request'}{shown}: {error.get('msg', 'invalid')}")
    return "; ".join(parts)
