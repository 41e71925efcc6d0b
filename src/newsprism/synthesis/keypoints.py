"""Key points per side: what left, center and right articles say, and what only one side says.

For each side with articles, its most central distinct sentences (the summary's relevance score,
MMR against the ones already chosen) become its points. A point is *shared* with another side
when an article of that side has a sentence similar enough to it; a point no other present side
supports is *only this side's*: the omission detector ("only right-leaning sources mention X").
With fewer than two sides present nothing is compared and no point is called exclusive.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from newsprism.models import Side
from newsprism.synthesis.prepared import StorySentences, similar_threshold
from newsprism.synthesis.summary import Citation, cite, is_fragment, sentence_scores

KEYPOINTS_METHOD = "newsprism.keypoints.v2"  # v2: one point per thing said, per side
SIDES = (Side.LEFT, Side.CENTER, Side.RIGHT)
_LABEL = {Side.LEFT: "left-leaning", Side.CENTER: "center", Side.RIGHT: "right-leaning"}


@dataclass(frozen=True)
class KeyPoint:
    """One point a side makes, with the sides that also make it."""

    text: str
    article_id: str
    sentence_index: int
    shared_with: tuple[Side, ...]
    only_this_side: bool
    citations: tuple[Citation, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "article_id": self.article_id,
            "sentence_index": self.sentence_index,
            "shared_with": [s.value for s in self.shared_with],
            "only_this_side": self.only_this_side,
            "citations": [c.to_dict() for c in self.citations],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> KeyPoint:
        return cls(
            d["text"], d["article_id"], d["sentence_index"],
            tuple(Side(s) for s in d["shared_with"]), d["only_this_side"],
            tuple(Citation.from_dict(c) for c in d["citations"]),
        )  # fmt: skip


@dataclass(frozen=True)
class SidePoints:
    """The key points of one side."""

    side: Side
    articles: int
    points: tuple[KeyPoint, ...]

    @property
    def exclusive(self) -> list[str]:
        """Readable lines for the points only this side reports."""
        return [
            f"Only {_LABEL[self.side]} sources mention: {p.text}"
            for p in self.points
            if p.only_this_side
        ]

    def to_dict(self) -> dict[str, Any]:
        return {
            "side": self.side.value,
            "articles": self.articles,
            "points": [p.to_dict() for p in self.points],
            "only_this_side": self.exclusive,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SidePoints:
        return cls(
            Side(d["side"]), d["articles"], tuple(KeyPoint.from_dict(p) for p in d["points"])
        )


@dataclass(frozen=True)
class KeyPoints:
    """Key points of every side present in the story."""

    sides: tuple[SidePoints, ...]
    compared: bool
    method: str = KEYPOINTS_METHOD

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "compared": self.compared,
            "sides": [s.to_dict() for s in self.sides],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> KeyPoints:
        return cls(tuple(SidePoints.from_dict(s) for s in d["sides"]), d["compared"], d["method"])


def key_points(
    story: StorySentences, per_side: int = 3, scores: np.ndarray | None = None
) -> KeyPoints:
    """Up to ``per_side`` points for each of left, center and right that has articles."""
    if per_side < 1:
        raise ValueError(f"key points per side must be at least 1, not {per_side}")
    present = [s for s in SIDES if any(story.side(a.id) is s for a in story.articles)]
    rel = sentence_scores(story) if scores is None else scores
    limit = similar_threshold(story.encoder_method)
    compared = len(present) >= 2
    out = []
    for side in present:
        rows = [
            i
            for i, s in enumerate(story.sentences)
            if story.side(s.article_id) is side and not is_fragment(s.text)
        ]
        chosen: list[int] = []
        for i in sorted(rows, key=lambda r: -rel[r]):
            if len(chosen) == per_side:
                break
            # two points of one side that state the same thing are one point
            if any(float(story.vectors[i] @ story.vectors[j]) > limit for j in chosen):
                continue
            chosen.append(i)
        points = []
        for i in chosen:
            citations = cite(story, i, limit)
            shared = tuple(
                s for s in present if s is not side and any(c.side is s for c in citations)
            )
            sent = story.sentences[i]
            points.append(
                KeyPoint(sent.text, sent.article_id, sent.index, shared, compared and not shared,
                         citations)
            )  # fmt: skip
        n_articles = sum(1 for a in story.articles if story.side(a.id) is side)
        out.append(SidePoints(side, n_articles, tuple(points)))
    return KeyPoints(tuple(out), compared)
