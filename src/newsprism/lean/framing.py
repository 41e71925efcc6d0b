"""How each side tells a story: its distinctive words and phrases, and its loaded language.

Distinctive wording is the weighted log-odds ratio with an informative Dirichlet prior of
Monroe, Colaresi & Quinn (2008, "Fightin' Words", Political Analysis 16(4), eq. 16–22). For a
side *i* against the pooled other sides *j* of the same story, term *w* (unigram or bigram):

    delta_w = log((y_iw + a_w) / (n_i + a0 - y_iw - a_w))
            - log((y_jw + a_w) / (n_j + a0 - y_jw - a_w))
    z_w     = delta_w / sqrt(1 / (y_iw + a_w) + 1 / (y_jw + a_w))

The prior ``a_w = a0 * p_w`` mixes the archive's background frequency of *w* (the running
document frequencies the story engine keeps) with the story's own pooled frequency, so words
common everywhere need more evidence before they count as one side's. With one side only, the
side is compared with the archive background itself. Loaded language is counted with
:class:`~newsprism.lean.loaded.LoadedLexicon`, per side and per 1,000 words.

Functions take plain inputs (texts per side, background counts) and hold no store access.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from newsprism.lean.loaded import LOADED_METHOD, LoadedLexicon
from newsprism.models import Side, SideAssignment, Story
from newsprism.stopwords import english_stop_words

FRAMING_METHOD = "newsprism.framing-logodds.v1"
MAX_CHARS_PER_TEXT = 200_000  # longer texts are cut: a story page is not a book
Z_SIGNIFICANT = 1.645  # one-sided 5%: only over-use by a side is listed
PRIOR_SCALE = 0.1  # a0 as a share of the story's size

_TOKEN = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*", re.UNICODE)
_SEGMENT = re.compile(r"[.!?;:()\[\]\"“”\n]+")
_EXTRA_STOP = frozenset(
    "said says say told according mr mrs ms dr also just like would could".split()
)


@dataclass(frozen=True)
class DistinctiveTerm:
    """A word or two-word phrase one side uses more than the others, with its evidence."""

    term: str
    count: int  # uses by this side
    other_count: int  # uses by the other sides (or the background's scaled count)
    log_odds: float
    z: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "term": self.term,
            "count": self.count,
            "other_count": self.other_count,
            "log_odds": round(self.log_odds, 3),
            "z": round(self.z, 2),
        }


@dataclass(frozen=True)
class LoadedCount:
    """Loaded-language use by one side."""

    total: int
    words: int
    by_category: dict[str, int]
    terms: dict[str, int]  # lexicon term -> uses, most used first

    @property
    def per_1000_words(self) -> float:
        return 1000.0 * self.total / self.words if self.words else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "words": self.words,
            "per_1000_words": round(self.per_1000_words, 2),
            "by_category": self.by_category,
            "terms": self.terms,
        }


@dataclass(frozen=True)
class SideFraming:
    side: Side
    n_texts: int
    distinctive: list[DistinctiveTerm]
    loaded: LoadedCount

    def to_dict(self) -> dict[str, Any]:
        return {
            "side": self.side.value,
            "n_texts": self.n_texts,
            "distinctive": [t.to_dict() for t in self.distinctive],
            "loaded": self.loaded.to_dict(),
        }


@dataclass(frozen=True)
class Framing:
    """The framing comparison of one story (or of any texts grouped by side)."""

    sides: dict[Side, SideFraming]
    compared_with: str  # "other sides" or "archive background"
    background_docs: int
    method: str = FRAMING_METHOD
    lexicon: str = LOADED_METHOD
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "lexicon": self.lexicon,
            "compared_with": self.compared_with,
            "background_docs": self.background_docs,
            "sides": {side.value: sf.to_dict() for side, sf in self.sides.items()},
            "notes": list(self.notes),
        }


def term_counts(text: str) -> Counter[str]:
    """Unigrams and bigrams (within a clause, no stop words) of one text, lower-cased."""
    counts: Counter[str] = Counter()
    stop = english_stop_words(_EXTRA_STOP)
    for segment in _SEGMENT.split(text[:MAX_CHARS_PER_TEXT]):
        words = [_norm(m.group()) for m in _TOKEN.finditer(segment)]
        keep = [w if len(w) > 1 and w not in stop else None for w in words]
        counts.update(w for w in keep if w)
        counts.update(f"{a} {b}" for a, b in itertools.pairwise(keep) if a and b)
    return counts


def word_count(text: str) -> int:
    return sum(1 for _ in _TOKEN.finditer(text[:MAX_CHARS_PER_TEXT]))


def unigrams(counts: Iterable[str]) -> list[str]:
    """The single words among ``counts``' terms (what to look up in the archive background)."""
    return sorted({term for term in counts if " " not in term})


def log_odds(
    side: Mapping[str, int],
    other: Mapping[str, int],
    prior: Mapping[str, float],
) -> dict[str, tuple[float, float]]:
    """term -> (log-odds ratio, z-score) of ``side`` against ``other`` under Dirichlet ``prior``.

    ``prior`` holds the pseudo-counts a_w of every term present in either corpus (all > 0).
    """
    n_i, n_j = sum(side.values()), sum(other.values())
    a0 = sum(prior.values())
    out: dict[str, tuple[float, float]] = {}
    for term in side.keys() | other.keys():
        a = prior[term]
        y_i, y_j = side.get(term, 0), other.get(term, 0)
        delta = math.log((y_i + a) / (n_i + a0 - y_i - a)) - math.log(
            (y_j + a) / (n_j + a0 - y_j - a)
        )
        out[term] = (delta, delta / math.sqrt(1.0 / (y_i + a) + 1.0 / (y_j + a)))
    return out


def compare_framing(
    texts: Mapping[Side, Sequence[str]],
    background: Mapping[str, int] | None = None,
    background_docs: int = 0,
    lexicon: LoadedLexicon | None = None,
    top: int = 12,
    min_count: int = 2,
) -> Framing:
    """Distinctive terms and loaded language for each side of ``texts``.

    ``background``: archive document frequency of words (a subset covering the texts' words is
    enough), over ``background_docs`` documents. Sides with no words are left out.
    """
    if top < 0 or min_count < 1:
        raise ValueError(
            f"top must be >= 0 and min_count >= 1, got top={top}, min_count={min_count}"
        )
    lexicon = lexicon or LoadedLexicon.load()
    background = background or {}
    counts = {side: _sum_counts(term_counts(t) for t in group) for side, group in texts.items()}
    words = {side: sum(word_count(t) for t in group) for side, group in texts.items()}
    present = [side for side in texts if words[side] > 0]
    notes = [f"no words from {side.value}" for side in texts if words[side] == 0]
    pooled = _sum_counts(counts[s] for s in present)
    prior = _prior(pooled, background, background_docs)
    compared = {0: "nothing", 1: "archive background"}.get(len(present), "other sides")
    if len(present) == 1 and not background:
        notes.append("one side only and no archive background: nothing to compare with")
    sides: dict[Side, SideFraming] = {}
    for side in present:
        if len(present) > 1:
            other = _sum_counts(counts[s] for s in present if s != side)
        else:
            other = _background_counts(pooled, background, background_docs)
        distinctive = _top_terms(counts[side], other, prior, top, min_count) if other else []
        sides[side] = SideFraming(
            side, len(texts[side]), distinctive, _loaded(lexicon, texts[side], words[side])
        )
    return Framing(sides, compared, background_docs, notes=notes)


class BackgroundSource(Protocol):
    """Where the archive's running document frequencies come from (the store)."""

    def corpus_stat_values(self, kind: str, keys: Sequence[str]) -> dict[str, int]: ...


COMPARED_SIDES = (Side.LEFT, Side.CENTER, Side.RIGHT)


def frame_story(
    story: Story,
    sides: Mapping[str, SideAssignment],
    background: BackgroundSource,
    lexicon: LoadedLexicon | None = None,
) -> Framing:
    """The framing comparison of a stored story: its original articles grouped by side.

    Reprints are left out (their wording is the original's); unrated articles and articles in
    another language than English (the lexicon's) are left out and counted in the notes.
    """
    texts: dict[Side, list[str]] = {side: [] for side in COMPARED_SIDES}
    unrated = other_language = 0
    for member in story.articles:
        article = member.article
        assignment = sides.get(article.id)
        if assignment is None or assignment.side not in texts:
            unrated += 1
        elif article.language not in (None, "en"):
            other_language += 1
        else:
            texts[assignment.side].append(f"{article.title or ''}\n{article.body}")
    grouped = {side: group for side, group in texts.items() if group}
    vocabulary = unigrams(_sum_counts(term_counts(t) for g in grouped.values() for t in g))
    df = background.corpus_stat_values("df", vocabulary)
    n_docs = background.corpus_stat_values("meta", ["n_docs"]).get("n_docs", 0)
    framing = compare_framing(grouped, df, n_docs, lexicon)
    if unrated:
        framing.notes.append(f"{unrated} unrated article(s) left out")
    if other_language:
        framing.notes.append(f"{other_language} article(s) not in English left out")
    return framing


def _norm(token: str) -> str:
    word = token.lower().replace("’", "'")
    return word[:-2] if word.endswith("'s") else word


def _sum_counts(parts: Iterable[Mapping[str, int]]) -> Counter[str]:
    total: Counter[str] = Counter()
    for part in parts:
        total.update(part)
    return total


def _prior(
    pooled: Mapping[str, int], background: Mapping[str, int], n_docs: int
) -> dict[str, float]:
    """a_w = a0 * (half the story's pooled frequency + half the archive's), a0 = story size."""
    n = sum(pooled.values())
    if n == 0:
        return {}
    a0 = PRIOR_SCALE * n
    story = {t: c / n for t, c in pooled.items()}
    docs = max(n_docs, max(background.values(), default=0), 1)
    rate = {t: background.get(t, 0) / docs for t in pooled if " " not in t}
    rate_total = sum(rate.values())
    if rate_total == 0:
        return {t: max(a0 * p, 1e-3) for t, p in story.items()}
    archive = {t: rate.get(t, 0.0) / rate_total for t in pooled}
    return {t: max(a0 * (0.5 * story[t] + 0.5 * archive[t]), 1e-3) for t in pooled}


def _background_counts(
    pooled: Mapping[str, int], background: Mapping[str, int], n_docs: int
) -> Counter[str]:
    """The archive's expected counts of the story's words at the story's size (unigrams)."""
    words = {t: background.get(t, 0) for t in pooled if " " not in t}
    total = sum(words.values())
    if total == 0:
        return Counter()
    n = sum(pooled.values())
    return Counter({t: max(1, round(n * c / total)) for t, c in words.items() if c})


def _top_terms(
    side: Mapping[str, int],
    other: Mapping[str, int],
    prior: Mapping[str, float],
    top: int,
    min_count: int,
) -> list[DistinctiveTerm]:
    prior = {t: prior.get(t, 1e-3) for t in side.keys() | other.keys()}
    scores = log_odds(side, other, prior)
    ranked = sorted(
        (
            DistinctiveTerm(t, side.get(t, 0), other.get(t, 0), d, z)
            for t, (d, z) in scores.items()
            if z >= Z_SIGNIFICANT and side.get(t, 0) >= min_count
        ),
        key=lambda d: (-d.z, d.term),
    )
    return ranked[:top]


def _loaded(lexicon: LoadedLexicon, texts: Sequence[str], words: int) -> LoadedCount:
    spans = [s for text in texts for s in lexicon.spans(text[:MAX_CHARS_PER_TEXT])]
    by_category = Counter(s.category for s in spans)
    terms = Counter(s.term for s in spans)
    return LoadedCount(
        len(spans), words, dict(by_category.most_common()), dict(terms.most_common())
    )
