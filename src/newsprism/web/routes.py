"""The pages, each with its JSON twin (``.json`` or ``Accept: application/json``)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from newsprism.errors import NotFound
from newsprism.models import (
    SearchResults,
    Side,
    StoryQuery,
    Thread,
)
from newsprism.outlet_pages import MAX_OUTLET_PAGE, OutletListPage, OutletPage
from newsprism.pages import MAX_PER_PAGE, MAX_QUERY_CHARS, StoryListPage, StoryPage
from newsprism.service import Service
from newsprism.web.errors import wants_json
from newsprism.web.render import Links, render, to_json

router = APIRouter()
SCHEMAS: tuple[type, ...] = (
    StoryListPage, StoryPage, Thread, SearchResults, OutletListPage, OutletPage,
)  # fmt: skip
_LINKS = Links()
MAX_ID = 2**62


def service(request: Request) -> Service:
    svc: Service = request.app.state.pool.get()
    return svc


ServiceDep = Annotated[Service, Depends(service)]
StoryId = Annotated[int, Path(ge=1, le=MAX_ID, description="Story id.")]
ThreadId = Annotated[int, Path(ge=1, le=MAX_ID, description="Thread id.")]
OutletId = Annotated[int, Path(ge=1, le=MAX_ID, description="Outlet id.")]
OutletPageNo = Annotated[
    int, Query(ge=1, le=MAX_OUTLET_PAGE, description="Page of the outlet's stories, from 1.")
]


def _doc(kind: type, html: bool = True) -> dict[int | str, dict[str, Any]]:
    content: dict[str, Any] = {
        "application/json": {"schema": {"$ref": f"#/components/schemas/{kind.__name__}"}}
    }
    if html:
        content["text/html"] = {"schema": {"type": "string"}}
    return {200: {"content": content}}


def _json(data: object) -> Response:
    return Response(to_json(data), media_type="application/json")


def _page(request: Request, data: object, template: str, **context: Any) -> Response:
    if wants_json(request):
        return _json(data)
    return HTMLResponse(render(template, _LINKS, page=data, **context))


# --- the story list -----------------------------------------------------------------------
def story_query(
    page: Annotated[int, Query(ge=1, le=100_000, description="Page number, from 1.")] = 1,
    per_page: Annotated[int, Query(ge=1, le=MAX_PER_PAGE, description="Stories a page.")] = 20,
    side: Annotated[Side | None, Query(description="Only stories this side covered.")] = None,
    blindspots: Annotated[bool, Query(description="Only stories one side missed.")] = False,
    since: Annotated[date | None, Query(description="Seen on or after this day.")] = None,
    until: Annotated[date | None, Query(description="Seen on or before this day.")] = None,
) -> StoryQuery:
    return StoryQuery(page, per_page, side, blindspots, since, until)


QueryDep = Annotated[StoryQuery, Depends(story_query)]


@router.get("/index.json", responses=_doc(StoryListPage, html=False), tags=["stories"])
def story_list_json(svc: ServiceDep, query: QueryDep) -> Response:
    """The latest stories (JSON)."""
    return _json(svc.story_list(query))


@router.get("/", response_class=HTMLResponse, responses=_doc(StoryListPage), tags=["stories"])
def story_list(request: Request, svc: ServiceDep, query: QueryDep) -> Response:
    """The latest stories: title, time span, number of sources, coverage; filters and pages."""
    return _page(request, svc.story_list(query), "index.html")


# --- one story ----------------------------------------------------------------------------
def _story(svc: Service, story_id: int) -> StoryPage:
    found = svc.story_page(story_id)
    if found is None:
        raise NotFound(f"story {story_id} does not exist; the story list links every story")
    return found


@router.get("/stories/{story_id}.json", responses=_doc(StoryPage, html=False), tags=["stories"])
def story_json(svc: ServiceDep, story_id: StoryId) -> Response:
    """One story with everything its page shows (JSON)."""
    return _json(_story(svc, story_id))


@router.get("/stories/{story_id}", response_class=HTMLResponse, responses=_doc(StoryPage))
def story(request: Request, svc: ServiceDep, story_id: StoryId) -> Response:
    """The story page."""
    return _page(request, _story(svc, story_id), "story.html")


# --- threads ------------------------------------------------------------------------------
def _thread(svc: Service, thread_id: int) -> Thread:
    found = svc.thread(thread_id)
    if found is None:
        raise NotFound(f"thread {thread_id} does not exist; story pages link their thread")
    return found


@router.get("/threads/{thread_id}.json", responses=_doc(Thread, html=False), tags=["threads"])
def thread_json(svc: ServiceDep, thread_id: ThreadId) -> Response:
    """The stories of a thread, oldest first (JSON)."""
    return _json(_thread(svc, thread_id))


@router.get("/threads/{thread_id}", response_class=HTMLResponse, responses=_doc(Thread))
def thread(request: Request, svc: ServiceDep, thread_id: ThreadId) -> Response:
    """The stories of a thread on a time line."""
    return _page(request, _thread(svc, thread_id), "thread.html")


# --- search -------------------------------------------------------------------------------
SearchText = Annotated[
    str, Query(max_length=MAX_QUERY_CHARS, description="Words to find (all must match).")
]


@router.get("/search.json", responses=_doc(SearchResults, html=False), tags=["search"])
def search_json(svc: ServiceDep, q: SearchText = "") -> Response:
    """Full-text search over articles and stories, grouped by story (JSON)."""
    return _json(svc.search(q))


@router.get("/search", response_class=HTMLResponse, responses=_doc(SearchResults))
def search(request: Request, svc: ServiceDep, q: SearchText = "") -> Response:
    """Full-text search over articles and stories, grouped by story."""
    return _page(request, svc.search(q), "search.html")


# --- outlets ------------------------------------------------------------------------------
@router.get("/outlets.json", responses=_doc(OutletListPage, html=False), tags=["outlets"])
def outlet_list_json(svc: ServiceDep) -> Response:
    """The archive's outlets with their ratings and article counts (JSON)."""
    return _json(svc.outlet_list())


@router.get("/outlets", response_class=HTMLResponse, responses=_doc(OutletListPage))
def outlet_list(request: Request, svc: ServiceDep) -> Response:
    """The archive's outlets with their ratings and article counts."""
    return _page(request, svc.outlet_list(), "outlets.html")


def _outlet(svc: Service, outlet_id: int, page: int) -> OutletPage:
    found = svc.outlet_page(outlet_id, page)
    if found is None:
        raise NotFound(f"outlet {outlet_id} does not exist; the outlet list links every outlet")
    return found


@router.get("/outlets/{outlet_id}.json", responses=_doc(OutletPage, html=False), tags=["outlets"])
def outlet_json(svc: ServiceDep, outlet_id: OutletId, page: OutletPageNo = 1) -> Response:
    """One outlet: ratings with their sources, lean of its recent articles, its stories (JSON)."""
    return _json(_outlet(svc, outlet_id, page))


@router.get("/outlets/{outlet_id}", response_class=HTMLResponse, responses=_doc(OutletPage))
def outlet(
    request: Request, svc: ServiceDep, outlet_id: OutletId, page: OutletPageNo = 1
) -> Response:
    """One outlet: ratings with their sources, lean of its recent articles, its stories."""
    return _page(request, _outlet(svc, outlet_id, page), "outlet.html")
