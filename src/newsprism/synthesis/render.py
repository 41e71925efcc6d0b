"""The synthesis as readable text: sentences with citation markers ([1][3]) and a sources list."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from newsprism.models import Article
from newsprism.synthesis.stage import Synthesis
from newsprism.synthesis.summary import Citation
from newsprism.visible import for_terminal


class _Numbers:
    """Citation numbers, given to articles in order of first citation."""

    def __init__(self) -> None:
        self.order: list[str] = []

    def marks(self, citations: Iterable[Citation]) -> str:
        return self.marks_of(c.article_id for c in citations)

    def marks_of(self, article_ids: Iterable[str]) -> str:
        out = []
        for article_id in dict.fromkeys(article_ids):
            if article_id not in self.order:
                self.order.append(article_id)
            out.append(f"[{self.order.index(article_id) + 1}]")
        return "".join(out)


def as_text(synthesis: Synthesis, articles: Mapping[str, Article]) -> list[str]:
    """Lines for a terminal: summary, key points per side, notes, warnings, sources (control
    codes, line breaks and bidirectional overrides from the articles taken out)."""
    return [for_terminal(line) for line in _lines(synthesis, articles)]


def _lines(synthesis: Synthesis, articles: Mapping[str, Article]) -> list[str]:
    numbers = _Numbers()
    lines: list[str] = []
    kind = "checked language-model summary" if synthesis.llm is not None else "extractive"
    lines.append(f"Summary ({kind}, {synthesis.summary.words} words extracted):")
    if synthesis.llm is not None:
        for checked in synthesis.llm.kept:
            lines.append(f"  {checked.text} {numbers.marks(checked.citations)}")
    else:
        for sent in synthesis.summary.sentences:
            lines.append(f"  {sent.text} {numbers.marks(sent.citations)}")
    for note in synthesis.summary.notes:
        lines.append(f"  note: {note}")
    if synthesis.key_points.sides:
        lines.append("Key points by side:")
    for side in synthesis.key_points.sides:
        lines.append(f"  {side.side.value} ({side.articles} article(s)):")
        for point in side.points:
            also = f" (also: {', '.join(s.value for s in point.shared_with)})"
            flag = " (only this side)" if point.only_this_side else ""
            shown = also if point.shared_with else flag
            lines.append(f"    - {point.text} {numbers.marks(point.citations)}{shown}")
    lines.extend(_facts(synthesis.parts.get("facts"), numbers))
    lines.extend(_entities(synthesis.parts.get("entities")))
    lines.extend(_timeline(synthesis.parts.get("timeline"), numbers))
    for warning in synthesis.warnings:
        lines.append(f"warning: {warning}")
    if numbers.order:
        lines.append("Sources:")
    for n, article_id in enumerate(numbers.order, 1):
        a = articles.get(article_id)
        leaning = _side_of(synthesis, article_id)
        title = a.title if a is not None and a.title else "(no title)"
        outlet = a.outlet_name if a is not None and a.outlet_name else "unknown outlet"
        lines.append(f"  [{n}] {outlet} · {leaning} · {title} ({article_id})")
    return lines


def _side_of(synthesis: Synthesis, article_id: str) -> str:
    for sent in synthesis.summary.sentences:
        for c in sent.citations:
            if c.article_id == article_id:
                return c.side.value
    for side in synthesis.key_points.sides:
        for point in side.points:
            for c in point.citations:
                if c.article_id == article_id:
                    return c.side.value
    return "unrated"


_STATUS = {"agreed": "✓ agreed", "conflicting": "≠ conflicting", "single-source": "○ single source"}


def _facts(part: Any, numbers: _Numbers, limit: int = 12) -> list[str]:
    """The fact table: one line per group, its status in words, values with their sources."""
    if not isinstance(part, dict) or not part.get("groups"):
        return []
    lines = ["Fact table (figures stated in the articles):"]
    groups = part["groups"]
    for group in groups[:limit]:
        by_value: dict[str, list[str]] = {}
        for cell in group.get("cells", []):
            by_value.setdefault(str(cell.get("text")), []).append(str(cell.get("article_id")))
        values = "; ".join(f"{v} {numbers.marks_of(ids)}" for v, ids in by_value.items())
        when = f", {group['when']}" if group.get("when") else ""
        status = _STATUS.get(str(group.get("status")), str(group.get("status")))
        lines.append(f"  {status:<16} {group.get('label')}{when}: {values}")
        if group.get("note"):
            lines.append(f"  {'':<16} note: {group['note']}")
    if len(groups) > limit:
        lines.append(f"  ... and {len(groups) - limit} more (see --format json)")
    return lines


def _entities(part: Any, limit: int = 12) -> list[str]:
    """People, organisations and places, with the spellings that were merged into each."""
    if not isinstance(part, dict) or not part.get("entities"):
        return []
    lines = ["People, organisations and places:"]
    shown = [e for e in part["entities"] if e.get("kind") in {"person", "org", "place"}]
    for entity in shown[:limit]:
        others = [v["form"] for v in entity.get("variants", []) if v.get("form") != entity["name"]]
        also = f" (also written {', '.join(others)})" if others else ""
        n = len(entity.get("articles", []))
        lines.append(f"  {entity['kind']:<6} {entity['name']}{also}: {n} article(s)")
    if len(shown) > limit:
        lines.append(f"  ... and {len(shown) - limit} more (see --format json)")
    return lines


def _timeline(part: Any, numbers: _Numbers, limit: int = 12) -> list[str]:
    """Dated events mentioned in the articles, oldest first, with their sources."""
    if not isinstance(part, dict) or not part.get("events"):
        return []
    lines = ["Timeline (dates mentioned in the articles):"]
    events = part["events"]
    for event in events[:limit]:
        ids = [str(m.get("article_id")) for m in event.get("mentions", [])]
        lines.append(f"  {event.get('date')!s:<10} {event.get('title')} {numbers.marks_of(ids)}")
    if len(events) > limit:
        lines.append(f"  ... and {len(events) - limit} more (see --format json)")
    return lines
