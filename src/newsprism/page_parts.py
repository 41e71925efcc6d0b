"""Typed shapes of the synthesis parts the story page shows: the fact table, people and places,
and the timeline.

Each shape is exactly what the part's own ``to_dict()`` writes (and the synthesis stores), so
the story page's JSON twin carries the same keys as ``newsprism show --format json``, and the
OpenAPI schema describes them instead of an opaque object.

- fact table: :meth:`newsprism.synthesis.facts.FactTable.to_dict`
- people, organisations and places: :meth:`newsprism.synthesis.resolve.EntityIndex.to_dict`
- timeline: :meth:`newsprism.synthesis.timeline.Timeline.to_dict`
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, NotRequired, cast

from pydantic import TypeAdapter, ValidationError
from typing_extensions import TypedDict  # pydantic needs this one on Python < 3.12

FactStatusName = Literal["agreed", "conflicting", "single-source"]
SideName = Literal["left", "center", "right", "unrated"]


class FactCellData(TypedDict):
    """One stated figure, the sentence that states it and who stated it."""

    article_id: str
    sentence_index: int
    start: int
    end: int
    text: str
    sentence: str
    value: float | None
    low: float | None
    high: float | None
    qualifier: str | None
    unit: str | None
    spelled: bool
    kind: str
    thing: str
    thing_text: str
    thing_inferred: bool
    predicate: str
    holder: str | None
    when: str | None
    when_source: str | None
    outlet: str | None
    side: SideName | None
    published: str | None


class FactGroupData(TypedDict):
    """Figures describing the same thing, and whether their sources agree."""

    label: str
    kind: str
    thing: str
    predicate: str
    holder: str | None
    when: str | None
    status: FactStatusName
    values: list[str]
    n_sources: int
    article_ids: list[str]
    sides: list[str]
    dates_explain: bool | None
    note: str | None
    cells: list[FactCellData]


class FactTableData(TypedDict):
    method: str
    article_ids: list[str]
    notes: list[str]
    groups: list[FactGroupData]


class VariantData(TypedDict):
    """One spelling of an entity, how often it was written, and why it was merged."""

    form: str
    count: int
    reason: str


class SentenceRef(TypedDict):
    article: str
    sentence: int


class EntityData(TypedDict):
    """A person, organisation or place with every spelling merged into it."""

    id: str
    kind: Literal["person", "org", "place"]
    name: str
    mentions: int
    articles: list[str]
    variants: list[VariantData]
    sentences: list[SentenceRef]
    ambiguous_with: NotRequired[list[str]]


class EntitiesData(TypedDict):
    method: str
    names_method: str
    model: str | None
    warnings: list[str]
    entities: list[EntityData]


class EventMentionData(TypedDict):
    """Where one article dates an event: the date as written and its sentence."""

    article_id: str
    outlet: str | None
    sentence_index: int
    start: int
    end: int
    date_text: str
    relative: bool
    sentence: str


class TimelineEventData(TypedDict):
    date: str
    precision: Literal["day", "week", "month", "year"]
    kind: str
    title: str
    participants: list[str]
    n_sources: int
    article_ids: list[str]
    mentions: list[EventMentionData]


class TimelineData(TypedDict):
    method: str
    notes: list[str]
    events: list[TimelineEventData]


_SHAPES: dict[str, TypeAdapter[Any]] = {
    "facts": TypeAdapter(FactTableData),
    "entities": TypeAdapter(EntitiesData),
    "timeline": TypeAdapter(TimelineData),
}


def part(parts: Mapping[str, Any], name: str) -> Any:
    """The stored part ``name`` checked against its shape; None when absent or malformed
    (written by another version: the page leaves that section out rather than fail)."""
    found = parts.get(name)
    if found is None:
        return None
    try:
        return _SHAPES[name].validate_python(found)
    except ValidationError:
        return None


def facts(parts: Mapping[str, Any]) -> FactTableData | None:
    return cast("FactTableData | None", part(parts, "facts"))


def entities(parts: Mapping[str, Any]) -> EntitiesData | None:
    return cast("EntitiesData | None", part(parts, "entities"))


def timeline(parts: Mapping[str, Any]) -> TimelineData | None:
    return cast("TimelineData | None", part(parts, "timeline"))
