"""Which articles of a very large story the synthesis reads.

A story can gather hundreds of articles; reading all of them makes a synthesis take minutes and
its stored form megabytes, while the hundredth copy of a wire story adds nothing. Above
``limit`` articles, the synthesis reads a sample that keeps every voice it can: sides take
turns (left, center, right, then unrated), each side's outlets take turns in the order they
first covered the story, and each outlet's articles come earliest first. Deterministic: the
same story gives the same sample.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from newsprism.models import Article, Side

SAMPLE_METHOD = "newsprism.synthesis-sample.v1"
MAX_ARTICLES = 48
_TURNS = (Side.LEFT, Side.CENTER, Side.RIGHT, Side.UNRATED)


def read_sample(
    articles: Sequence[Article], sides: Mapping[str, Side], limit: int = MAX_ARTICLES
) -> tuple[list[Article], str | None]:
    """The articles to read (in the story's order) and a note saying what was left out, or
    all of them and ``None`` when there are at most ``limit``."""
    if limit < 1:
        raise ValueError(f"limit {limit} is not valid; read at least 1 article")
    if len(articles) <= limit:
        return list(articles), None
    queues: dict[Side, list[list[Article]]] = {}
    for side in _TURNS:
        mine = [a for a in articles if sides.get(a.id, Side.UNRATED) is side]
        outlets: dict[str, list[Article]] = {}
        for article in sorted(mine, key=_when):
            outlets.setdefault(_outlet(article), []).append(article)
        queues[side] = list(outlets.values())  # in order of each outlet's first article
    chosen: set[str] = set()
    while len(chosen) < limit and any(queues.values()):
        for side in _TURNS:
            if len(chosen) == limit or not queues[side]:
                continue
            outlet = queues[side].pop(0)  # this side's next outlet ...
            chosen.add(outlet.pop(0).id)  # ... gives its earliest unread article
            if outlet:
                queues[side].append(outlet)  # and waits for its next turn
    kept = [a for a in articles if a.id in chosen]
    outlets_read = len({_outlet(a) for a in kept})
    outlets_all = len({_outlet(a) for a in articles})
    note = (
        f"A sample of {len(kept)} of the story's {len(articles)} articles was read "
        f"({outlets_read} of its {outlets_all} outlets; sides and outlets in turn, each "
        "outlet's earliest articles first)."
    )
    return kept, note


def _outlet(article: Article) -> str:
    return (article.outlet_domain or article.outlet_name or f"article:{article.id}").lower()


def _when(article: Article) -> tuple[int, datetime | str, str]:
    return (0, article.published, article.id) if article.published else (1, "", article.id)
