"""Turning page data into HTML (Jinja2, autoescaped) and into its JSON twin.

The same :class:`Renderer` serves the web app (links like ``/stories/12``) and the static
export (links like ``../stories/12.html``), so both show exactly the same pages.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup
from pydantic import TypeAdapter

from newsprism.models import UNDATED_NOTE, Side, StoryQuery

SIDES = (Side.LEFT, Side.CENTER, Side.RIGHT, Side.UNRATED)
# Characters HTML does not allow in text (NUL and the C0/C1 controls but tab and line ends)
_NOT_IN_HTML = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
# Bidi embeddings and overrides (closed by PDF) and isolates (closed by PDI)
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
_PDF, _PDI = "\u202c", "\u2069"


@dataclass(frozen=True)
class Links:
    """Where each page lives: ``root`` is the site root as seen from the current page, and
    ``ext`` the suffix of HTML pages ("" when served, ".html" in a static export)."""

    root: str = "/"
    ext: str = ""
    static_site: bool = False

    def home(self, query: StoryQuery | None = None, page: int | None = None) -> str:
        if self.static_site:
            number = page or (query.page if query else 1)
            return f"{self.root}index.html" if number <= 1 else f"{self.root}pages/{number}.html"
        params = _query_params(query, page)
        return self.root + (f"?{urlencode(params)}" if params else "")

    def story(self, story_id: int, twin: bool = False) -> str:
        return f"{self.root}stories/{story_id}{self._suffix(twin)}"

    def thread(self, thread_id: int, twin: bool = False) -> str:
        return f"{self.root}threads/{thread_id}{self._suffix(twin)}"

    def outlet(self, outlet_id: int | str, twin: bool = False, page: int = 1) -> str:
        if page > 1:
            if self.static_site:
                return f"{self.root}outlets/{outlet_id}/{page}{self._suffix(twin)}"
            return f"{self.root}outlets/{outlet_id}{self._suffix(twin)}?page={page}"
        return f"{self.root}outlets/{outlet_id}{self._suffix(twin)}"

    def outlets(self, twin: bool = False) -> str:
        return f"{self.root}outlets{self._suffix(twin)}"

    def home_twin(self, query: StoryQuery) -> str:
        if self.static_site:
            return self.home(query).removesuffix(".html") + ".json"
        params = _query_params(query, None)
        return f"{self.root}index.json" + (f"?{urlencode(params)}" if params else "")

    def _suffix(self, twin: bool) -> str:
        return ".json" if twin else self.ext

    def search(self) -> str:
        return f"{self.root}search"

    def static(self, name: str) -> str:
        return f"{self.root}static/{name}"


def _query_params(query: StoryQuery | None, page: int | None) -> dict[str, str]:
    if query is None:
        return {"page": str(page)} if page and page > 1 else {}
    params: dict[str, str] = {}
    if query.side:
        params["side"] = query.side.value
    if query.blindspots_only:
        params["blindspots"] = "true"
    if query.since:
        params["since"] = query.since.isoformat()
    if query.until:
        params["until"] = query.until.isoformat()
    if query.per_page != StoryQuery().per_page:
        params["per_page"] = str(query.per_page)
    number = page if page is not None else query.page
    if number > 1:
        params["page"] = str(number)
    return params


def safe_href(url: str | None) -> str | None:
    """An article link only when it is http(s); ``javascript:`` and the like are dropped."""
    if not url:
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in {"http", "https"} else None


def day(value: datetime | date | str | None) -> str:
    """A date as YYYY-MM-DD ('undated' when unknown)."""
    if value is None or value == "":
        return "undated"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value[:10]


def span(first: str | None, last: str | None) -> str:
    if not first:
        return "undated"
    return day(first) if not last or day(last) == day(first) else f"{day(first)} – {day(last)}"


def _bidi_closers(text: str) -> str:
    """The PDF and PDI characters that close what ``text`` leaves open, innermost first (as
    the Unicode bidi algorithm pairs them: a PDI also closes the embeddings inside its
    isolate; a PDF never closes past an isolate)."""
    stack: list[str] = []
    for ch in _BIDI.findall(text):
        if ch == _PDF:
            if stack and stack[-1] == _PDF:
                stack.pop()
        elif ch == _PDI:
            if _PDI in stack:
                while stack.pop() != _PDI:
                    pass
        else:
            stack.append(_PDI if ch >= "\u2066" else _PDF)
    return "".join(reversed(stack))


def shown(value: object) -> object:
    """A value as a page shows it (Jinja's ``finalize``, before escaping): a stored text
    loses the controls HTML forbids (NUL and the like, as U+FFFD) and has its bidi overrides
    closed at its end, so a right-to-left override in a title cannot reverse the outlet,
    date or title shown after it."""
    if not isinstance(value, str) or isinstance(value, Markup):
        return value  # markup was built from values already passed through here
    text = _NOT_IN_HTML.sub("\ufffd", value)
    return text + _bidi_closers(text) if _BIDI.search(text) else text


@functools.cache
def _adapter(kind: type) -> TypeAdapter[Any]:
    return TypeAdapter(kind)


def to_json(data: object) -> bytes:
    """The JSON twin of a page's data (dataclasses, enums and dates as JSON)."""
    kind: type = type(data)
    return _adapter(kind).dump_json(data)


def json_schema(kind: type) -> dict[str, Any]:
    schema: dict[str, Any] = _adapter(kind).json_schema(
        mode="serialization", ref_template="#/components/schemas/{model}"
    )
    return schema


@functools.cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("newsprism.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=shown,
    )
    env.globals.update(SIDES=SIDES, UNDATED_NOTE=UNDATED_NOTE)
    env.filters.update(day=day, safe_href=safe_href)
    env.globals.update(span=span)
    return env


def render(template: str, links: Links, **context: Any) -> str:
    """One page as HTML."""
    return environment().get_template(template).render(links=links, **context)
