"""Story titles: the most central trustworthy headline, else a label from the top entities."""

from __future__ import annotations

from collections import Counter

import numpy as np

from newsprism.models import Article
from newsprism.stories.represent import Representation

HEADLINE_METHOD = "central-headline.v1"
ENTITY_METHOD = "top-entities.v1"
_MIN_TITLE_CONFIDENCE = 0.5
MAX_LABEL_CHARS = 300  # a longer headline is cut at a word, with an ellipsis


def _short(title: str | None) -> str | None:
    if title is None or len(title) <= MAX_LABEL_CHARS:
        return title
    cut = title[: MAX_LABEL_CHARS - 1]
    if " " in cut[MAX_LABEL_CHARS // 2 :]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip() + "\u2026"


def _trusted_title(article: Article) -> bool:
    if not article.title:
        return False
    how = article.provenance.get("title")
    return how is None or how.confidence >= _MIN_TITLE_CONFIDENCE


def story_label(
    members: list[Article],
    reps: dict[str, Representation],
    centroid: np.ndarray,
    entities: Counter[str],
) -> tuple[str | None, str]:
    """(title, method) for a story; a title is at most :data:`MAX_LABEL_CHARS` long."""
    scored = [
        (float(reps[a.id].dense @ centroid), a.duplicate_of is None, a)
        for a in members
        if _trusted_title(a) and a.id in reps
    ]
    if scored:
        best = max(scored, key=lambda t: (t[1], t[0]))
        return _short(best[2].title), HEADLINE_METHOD
    top = [e.title() for e, _ in entities.most_common(3)]
    if top:
        return " · ".join(top), ENTITY_METHOD
    fallback = next((a.title for a in members if a.title), None)
    return _short(fallback), "first-title.v1"
