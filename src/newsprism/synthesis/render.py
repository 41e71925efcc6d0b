"""The synthesis as readable text: sentences with citation markers ([1][3]) and a sources list."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from newsprism.models import Article
from newsprism.synthesis.stage import Synthesis
from newsprism.synthesis.summary import Citation


class _Numbers:
    """Citation numbers, given to articles in order of first citation."""

    def __init__(self) -> None:
        self.order: list[str] = []

    def marks(self, citations: Iterable[Citation]) -> str:
        out = []
        for c in citations:
            if c.article_id not in self.order:
                self.order.append(c.article_id)
            out.append(f"[{self.order.index(c.article_id) + 1}]")
        return "".join(out)


def as_text(synthesis: Synthesis, articles: Mapping[str, Article]) -> list[str]:
    """Lines for a terminal: summary, key points per side, notes, warnings, sources."""
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
    lines.extend(_parts(synthesis.parts))
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


def _parts(parts: Mapping[str, Any]) -> list[str]:
    """One line per optional part that is present (their own commands show them in full)."""
    lines = []
    for name, value in parts.items():
        if isinstance(value, dict):
            sizes = [f"{len(v)} {k}" for k, v in value.items() if isinstance(v, list) and v]
            if sizes:
                lines.append(f"{name}: {', '.join(sizes)} (see --format json)")
        elif isinstance(value, list):
            lines.append(f"{name}: {len(value)} entries (see --format json)")
    return lines
