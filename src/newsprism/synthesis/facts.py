"""The fact table of a story: the figures its articles state, side by side.

Quantities (:mod:`newsprism.synthesis.quantities`) that describe the same thing — the same
counted noun and predicate ("political prisoners" + remain), the same measured term and person
for durations ("sentence" of Babaryka), and for events the same date give or take a few days
(the 52 released on 11 September are not the 123 released on 13 December) — form one group,
marked:

- **agreed**: two or more independent sources (a reprint counts with its original) whose
  values can all be true at once ("123" and "123"; "over 1,100" and "1,137");
- **conflicting**: different values for the same thing, with whether the articles' own dates
  may explain it (figures published weeks apart, e.g. a count that changes over time);
- **single-source**: one source only.

Only English text is read; articles in other languages are listed in ``notes`` and left out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from itertools import combinations
from typing import Any

from newsprism.models import Article, Side
from newsprism.synthesis.quantities import Fact, article_facts

FACTS_METHOD = "newsprism.facts.v1"
MAX_ARTICLE_CHARS = 200_000  # longer bodies are read up to here (a note says so)
_EVENT_DAYS = 3  # event dates this close describe the same event
_UPDATE_DAYS = 1  # publication dates further apart than this can explain a change


class FactStatus(StrEnum):
    """Whether the sources agree on a figure."""

    AGREED = "agreed"
    CONFLICTING = "conflicting"
    SINGLE_SOURCE = "single-source"


@dataclass(frozen=True)
class FactCell:
    """One stated figure in the table, with who stated it and when."""

    fact: Fact
    outlet: str | None
    side: Side | None
    published: date | None

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.fact.to_dict(),
            "outlet": self.outlet,
            "side": self.side.value if self.side else None,
            "published": self.published.isoformat() if self.published else None,
        }


@dataclass(frozen=True)
class FactGroup:
    """Figures that describe the same thing, and whether their sources agree."""

    label: str
    kind: str
    thing: str
    predicate: str
    holder: str | None
    when: date | None
    status: FactStatus
    values: tuple[str, ...]  # the distinct figures as written, most cited first
    cells: tuple[FactCell, ...]
    n_sources: int
    dates_explain: bool | None  # conflicting only: do the publication dates explain it?
    note: str | None

    @property
    def article_ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c.fact.article_id for c in self.cells))

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "kind": self.kind,
            "thing": self.thing,
            "predicate": self.predicate,
            "holder": self.holder,
            "when": self.when.isoformat() if self.when else None,
            "status": self.status.value,
            "values": list(self.values),
            "n_sources": self.n_sources,
            "article_ids": list(self.article_ids),
            "sides": sorted({c.side.value for c in self.cells if c.side}),
            "dates_explain": self.dates_explain,
            "note": self.note,
            "cells": [c.to_dict() for c in self.cells],
        }


@dataclass(frozen=True)
class FactTable:
    """Every figure the articles state, grouped, with what was left out and why."""

    groups: tuple[FactGroup, ...]
    notes: tuple[str, ...] = ()
    method: str = FACTS_METHOD
    article_ids: tuple[str, ...] = field(default=())

    def by_status(self, status: FactStatus) -> list[FactGroup]:
        return [g for g in self.groups if g.status is status]

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "article_ids": list(self.article_ids),
            "notes": list(self.notes),
            "groups": [g.to_dict() for g in self.groups],
        }


def fact_table(articles: Sequence[Article], sides: Mapping[str, Side] | None = None) -> FactTable:
    """The fact table of ``articles`` (a story's or a thread's), sides taken from ``sides``."""
    sides = sides or {}
    notes: list[str] = []
    cells: list[FactCell] = []
    origin: dict[str, str] = {}
    for article in articles:
        origin[article.id] = article.duplicate_of or article.id
        if article.language not in (None, "en"):
            notes.append(f"{article.id}: left out, written in {article.language!r} "
                         "(the fact table reads English only)")  # fmt: skip
            continue
        if len(article.body) > MAX_ARTICLE_CHARS:
            notes.append(f"{article.id}: only the first {MAX_ARTICLE_CHARS:,} of "
                         f"{len(article.body):,} characters read")  # fmt: skip
        published = article.published.date() if article.published else None
        side = sides.get(article.id)
        for fact in article_facts(article, MAX_ARTICLE_CHARS):
            cells.append(FactCell(fact, article.outlet_name, side, published))
    groups = [_group(members, origin) for members in _partition(cells)]
    groups.sort(key=lambda g: (-g.n_sources, _STATUS_ORDER[g.status], g.label))
    return FactTable(tuple(groups), tuple(notes), FACTS_METHOD, tuple(a.id for a in articles))


_STATUS_ORDER = {FactStatus.CONFLICTING: 0, FactStatus.AGREED: 1, FactStatus.SINGLE_SOURCE: 2}


def _subject(fact: Fact) -> tuple[str, ...]:
    if fact.kind == "duration":
        return ("duration", fact.thing, fact.holder or "")
    return (fact.kind, fact.thing, fact.predicate)


def _partition(cells: list[FactCell]) -> list[list[FactCell]]:
    """Cells describing the same thing; events split further by their dates."""
    by_subject: dict[tuple[str, ...], list[FactCell]] = {}
    for cell in cells:
        by_subject.setdefault(_subject(cell.fact), []).append(cell)
    out: list[list[FactCell]] = []
    for members in by_subject.values():
        if any(c.fact.event for c in members):
            out.extend(_split_by_event_date(members))
        else:
            out.append(members)
    return out


def _split_by_event_date(members: list[FactCell]) -> list[list[FactCell]]:
    dated = sorted((c for c in members if c.fact.when), key=lambda c: c.fact.when or date.min)
    runs: list[list[FactCell]] = []
    for cell in dated:
        last = runs[-1][-1].fact.when if runs else None
        when = cell.fact.when
        if last is not None and when is not None and (when - last).days <= _EVENT_DAYS:
            runs[-1].append(cell)
        else:
            runs.append([cell])
    loose: list[FactCell] = []
    for cell in (c for c in members if not c.fact.when):
        fits = [r for r in runs if any(cell.fact.number.overlaps(o.fact.number) for o in r)]
        if fits or len(runs) == 1:
            max(fits or runs, key=len).append(cell)
        else:
            loose.append(cell)
    return [*runs, loose] if loose else runs


def _group(cells: list[FactCell], origin: Mapping[str, str]) -> FactGroup:
    cells = sorted(cells, key=lambda c: (c.published or date.min, c.fact.article_id,
                                         c.fact.start))  # fmt: skip
    first = cells[0].fact
    sources = {origin.get(c.fact.article_id, c.fact.article_id) for c in cells}
    clash = [
        (a, b)
        for a, b in combinations(cells, 2)
        if origin.get(a.fact.article_id) != origin.get(b.fact.article_id)
        and not a.fact.number.overlaps(b.fact.number)
    ]
    dates_explain: bool | None = None
    note = None
    if len(sources) == 1:
        status = FactStatus.SINGLE_SOURCE
    elif not clash:
        status = FactStatus.AGREED
    else:
        status = FactStatus.CONFLICTING
        dates_explain, note = _explain(cells, clash)
    counts: dict[str, int] = {}
    for c in cells:
        counts[_value_text(c.fact)] = counts.get(_value_text(c.fact), 0) + 1
    whens = [c.fact.when for c in cells if c.fact.when]
    return FactGroup(
        label=_label(first), kind=first.kind, thing=first.thing, predicate=first.predicate,
        holder=first.holder, when=min(whens) if first.event and whens else None, status=status,
        values=tuple(sorted(counts, key=lambda v: -counts[v])), cells=tuple(cells),
        n_sources=len(sources), dates_explain=dates_explain, note=note,
    )  # fmt: skip


def _explain(
    cells: list[FactCell], clash: list[tuple[FactCell, FactCell]]
) -> tuple[bool | None, str]:
    if any(a.published is None or b.published is None for a, b in clash):
        return None, "differing figures; some articles have no date, so time cannot explain it"
    apart = [abs((a.published - b.published).days) for a, b in clash]  # type: ignore[operator]
    timeline = "; ".join(
        f"{_value_text(c.fact)} ({c.published.isoformat()})" for c in cells if c.published
    )
    if min(apart) > _UPDATE_DAYS:
        return True, f"figures published {min(apart)}+ days apart may reflect a change: {timeline}"
    return False, f"differing figures published within {_UPDATE_DAYS} day: {timeline}"


def _value_text(fact: Fact) -> str:
    n = fact.number
    value = f"{n.value:,.0f}" if n.value == int(n.value) else f"{n.value:,}"
    unit = {"%": "%", None: ""}.get(n.unit, f" {n.unit}")
    return f"{n.qualifier + ' ' if n.qualifier else ''}{value}{unit}"


def _label(fact: Fact) -> str:
    if fact.kind == "duration":
        whose = f" ({fact.holder})" if fact.holder and not fact.holder.startswith("?") else ""
        return f"{fact.thing}{whose}"
    what = fact.thing_text or fact.thing
    return f"{what}: {fact.predicate}" if fact.predicate != "-" else what
