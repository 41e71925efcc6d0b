"""The lean build stage: estimate every article that has no estimate of the current model.

Runs after the story build. Articles are read in insertion order, in chunks; each chunk's
estimates are stored in one transaction, so an interrupted run resumes where it stopped. An
article whose cleaned text is shorter than ``min_words``, or whose language is known and not
one the model learned (:data:`MODEL_LANGUAGES`), gets no estimate: it stays unrated (counted,
never guessed) and is marked as examined, so later runs with the same model and
``min_words`` pass over it instead of examining it again.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from newsprism.lean.article import ArticleLeanModel
from newsprism.models import Article, LeanEstimate
from newsprism.store.sqlite import SQLiteStore

CHUNK = 500
# The shipped model learned English wording; on other languages it read function words that
# happen to be English ("die", "am", "el") and put German and Spanish texts on a side
MODEL_LANGUAGES = frozenset({"en"})


@dataclass
class LeanReport:
    """What one lean stage run did."""

    method: str
    estimated: int = 0
    unrated: int = 0  # too little text to estimate
    seconds: float = 0.0

    def summary(self) -> dict[str, int]:
        return {"estimated": self.estimated, "unrated": self.unrated}


def estimate_article(
    model: ArticleLeanModel, article: Article, min_words: int
) -> LeanEstimate | None:
    """One stored article's estimate; its outlet's name and domain and its byline are removed
    from the text first. None (unrated) for an article in a language the model cannot read
    (an undetected language leaves it to the text)."""
    if not reads_language(article.language):
        return None
    outlets = [n for n in (article.outlet_name, article.outlet_domain) if n]
    authors = [article.author] if article.author else []
    return model.estimate(article.body, article.title, outlets, authors, min_words=min_words)


def reads_language(language: str | None) -> bool:
    """Whether the model reads text in ``language`` (``en``, ``en-US``, ``EN_gb``; None: not
    known, so yes)."""
    if not language or not language.strip():
        return True
    return re.split(r"[-_]", language.strip().lower(), maxsplit=1)[0] in MODEL_LANGUAGES


def estimate_and_store(
    store: SQLiteStore, model: ArticleLeanModel, articles: Iterable[Article], min_words: int
) -> tuple[int, int]:
    """Estimate ``articles``, store the estimates and mark the ones left unrated (the caller
    holds the transaction); returns (estimated, unrated)."""
    rows: list[tuple[str, LeanEstimate]] = []
    unrated: list[str] = []
    for article in articles:
        estimate = estimate_article(model, article, min_words)
        if estimate is None:
            unrated.append(article.id)
        else:
            rows.append((article.id, estimate))
    store.put_article_leans(rows)
    store.put_lean_unrated(model.method, min_words, unrated)
    return len(rows), len(unrated)


def run_lean_stage(
    store: SQLiteStore,
    model: ArticleLeanModel | None = None,
    min_words: int = 40,
    chunk: int = CHUNK,
    progress: Callable[[int], None] | None = None,
) -> LeanReport:
    """Estimate and store every article lacking an estimate of ``model``'s method and not
    already left unrated by it at ``min_words``; ``report.unrated`` counts this run's."""
    if min_words < 1:
        raise ValueError(f"min_words={min_words!r} must be at least 1")
    if chunk < 1:
        raise ValueError(f"chunk={chunk!r} must be at least 1")
    model = model or ArticleLeanModel.load()
    report = LeanReport(method=model.method)
    started = time.perf_counter()
    last_seq = 0
    while True:
        pending = store.article_ids_without_lean(model.method, last_seq, chunk, min_words)
        if not pending:
            break
        last_seq = pending[-1][0]
        articles = store.get_articles([article_id for _, article_id in pending])
        with store.transaction():
            estimated, unrated = estimate_and_store(store, model, articles, min_words)
        report.estimated += estimated
        report.unrated += unrated
        if progress:
            progress(report.estimated + report.unrated)
    report.seconds = time.perf_counter() - started
    return report
