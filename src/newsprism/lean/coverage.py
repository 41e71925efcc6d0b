"""Which side each article of a story counts for, the story's coverage, and blindspots.

Sides come from the article's outlet rating when its outlet is rated, from the stored
text-only estimate otherwise (marked ``estimated``), and are ``unrated`` when neither exists.
A syndicated reprint counts once: coverage counts originals, and lists reprints beside them.

Blindspots: a story counts as "covered mainly by one side" only when it has at least
``blindspot_min_sources`` distinct rated sources, that side holds more than half of them, and
a one-sided exact binomial test (scipy.stats.binomtest) finds its share above the side's base
rate at ``blindspot_alpha`` / 3 (Bonferroni over the three sides). Base rates are the shares of
the sides among the archive's distinct rated sources (outlets, or the stated names or domains
of unresolved ones), each counted once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from newsprism.lean.outlets import Registry, alias_key
from newsprism.models import Article, Side, SideAssignment, Story, TextLean

SIDES_METHOD = "newsprism.story-sides.v1"
COVERAGE_METHOD = "newsprism.coverage.v1"
BLINDSPOT_METHOD = "newsprism.blindspot.binomial.v1"
BLINDSPOT_TEST = "one-sided exact binomial test (scipy.stats.binomtest), Bonferroni over 3 sides"
BASE_RATE_POOL = "distinct rated sources of the archive's originals"
RATED = (Side.LEFT, Side.CENTER, Side.RIGHT)


@dataclass(frozen=True)
class SideTest:
    """The binomial test of one side: k of n sources against the base rate."""

    side: Side
    k: int
    n: int
    share: float
    base_rate: float
    p_value: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "side": self.side.value,
            "k": self.k,
            "n": self.n,
            "share": round(self.share, 4),
            "base_rate": round(self.base_rate, 4),
            "p_value": float(f"{self.p_value:.4g}"),
        }


@dataclass(frozen=True)
class Blindspot:
    """Whether a story is covered mainly by one side, and the figures behind the answer."""

    flagged: bool
    side: Side | None  # the side covering it, when flagged
    reason: str
    n_sources: int  # distinct rated sources in the story
    min_sources: int
    alpha: float
    tests: tuple[SideTest, ...] = ()
    base_sources: int = 0  # distinct rated sources in the archive
    test: str = BLINDSPOT_TEST
    base_rate_pool: str = BASE_RATE_POOL
    method: str = BLINDSPOT_METHOD

    def to_dict(self) -> dict[str, Any]:
        return {
            "flagged": self.flagged,
            "side": self.side.value if self.side else None,
            "reason": self.reason,
            "n_sources": self.n_sources,
            "min_sources": self.min_sources,
            "alpha": self.alpha,
            "alpha_per_side": self.alpha / 3,
            "test": self.test,
            "base_rate_pool": self.base_rate_pool,
            "base_sources": self.base_sources,
            "tests": [t.to_dict() for t in self.tests],
            "method": self.method,
        }


@dataclass(frozen=True)
class Coverage:
    """Counts and shares of a story's originals by side; reprints counted beside, not again."""

    story_id: int
    originals: dict[str, int]
    reprints: dict[str, int]
    shares: dict[str, float]
    sources: dict[str, int]  # distinct sources per side
    estimated: int  # originals whose side is a text-only estimate
    articles: dict[str, SideAssignment]
    blindspot: Blindspot
    method: str = COVERAGE_METHOD
    reprint_of: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "originals": self.originals,
            "reprints": self.reprints,
            "shares": {k: round(v, 4) for k, v in self.shares.items()},
            "sources": self.sources,
            "estimated": self.estimated,
            "articles": [
                a.to_dict() | {"reprint_of": self.reprint_of.get(aid)}
                for aid, a in self.articles.items()
            ],
            "blindspot": self.blindspot.to_dict(),
            "method": self.method,
        }


def assign_sides(
    registry: Registry,
    articles: Iterable[Article],
    estimates: Mapping[str, Any],
    min_probability: float = 0.0,
    departs_probability: float = 0.7,
) -> dict[str, SideAssignment]:
    """The side of each article: outlet rating, else its stored estimate when its probability
    reaches ``min_probability`` (1.0: never), else unrated. The estimate is always kept as
    ``text_estimate``; a rated article whose estimate reaches ``departs_probability`` on
    another side ``departs_from_outlet`` (1.0: never)."""
    articles = list(articles)
    outlet_ids = {a.id: registry.resolve_article(a) for a in articles}
    leans = registry.leans(i for i in outlet_ids.values() if i is not None)
    names = {o.id: o.name for o in registry.outlets(sorted(leans))} if leans else {}
    out: dict[str, SideAssignment] = {}
    for a in articles:
        outlet_id = outlet_ids[a.id]
        lean = leans.get(outlet_id) if outlet_id is not None else None
        side, basis, probability = Side.UNRATED, "none", None
        guess = estimate_side(estimates.get(a.id))
        sure = guess is not None and _counts(guess[1], min_probability)
        departs = guess is not None and _counts(guess[1], departs_probability)
        if lean is not None:
            side, basis = lean.side, "outlet-rating"
        elif guess is not None and sure:
            side, probability = guess
            basis = "article-estimate"
        out[a.id] = SideAssignment(
            article_id=a.id,
            side=side,
            basis=basis,
            estimated=basis == "article-estimate",
            probability=probability,
            outlet_id=outlet_id,
            outlet_name=names.get(outlet_id) if outlet_id is not None else a.outlet_name,
            outlet_lean=lean,
            method=SIDES_METHOD,
            text_estimate=TextLean(*guess) if guess is not None else None,
            departs_from_outlet=(
                departs and basis == "outlet-rating" and guess is not None and guess[0] != side
            ),
        )
    return out


def _counts(probability: float | None, floor: float) -> bool:
    """Whether an estimate is sure enough to count; a floor of 1.0 means never."""
    return floor < 1.0 and (probability or 0.0) >= floor


def estimate_side(estimate: Any) -> tuple[Side, float | None] | None:
    """(side, probability) of a stored article-lean estimate; None when it names no side."""
    if estimate is None:
        return None
    raw = getattr(estimate, "side", None) or getattr(estimate, "label", None)
    try:
        side = Side(str(getattr(raw, "value", raw)))
    except ValueError:
        return None
    if side is Side.UNRATED:
        return None
    probability = getattr(estimate, "probability", None)
    return side, float(probability) if probability is not None else None


def story_coverage(
    story: Story,
    sides: Mapping[str, SideAssignment],
    base_rates: Mapping[Side, float],
    base_sources: int,
    min_sources: int,
    alpha: float,
) -> Coverage:
    """Coverage counts, shares and the blindspot test of one story."""
    everyone = (*RATED, Side.UNRATED)
    originals, source_sides = side_counts(story, sides)
    reprints: Counter[Side] = Counter()
    reprint_of: dict[str, str] = {}
    for sa in story.articles:
        for rp in sa.reprints:
            reprints[sides[rp.id].side] += 1
            reprint_of[rp.id] = sa.article.id
    total = sum(originals.values())
    estimated = sum(sides[sa.article.id].estimated for sa in story.articles)
    return Coverage(
        story_id=story.id,
        originals={s.value: originals[s] for s in everyone},
        reprints={s.value: reprints[s] for s in everyone},
        shares={s.value: originals[s] / total if total else 0.0 for s in everyone},
        sources={s.value: source_sides[s] for s in everyone},
        estimated=estimated,
        articles=dict(sides),
        blindspot=blindspot(source_sides, base_rates, base_sources, min_sources, alpha),
        reprint_of=reprint_of,
    )


def side_counts(
    story: Story, sides: Mapping[str, SideAssignment]
) -> tuple[Counter[Side], Counter[Side]]:
    """Originals per side, and distinct sources per side (each source with the majority side
    of its originals in the story; a tie counts as unrated)."""
    originals: Counter[Side] = Counter()
    by_source: dict[str, Counter[Side]] = {}
    for sa in story.articles:
        own = sides[sa.article.id]
        originals[own.side] += 1
        by_source.setdefault(source_key(sa.article, own.outlet_id), Counter())[own.side] += 1
    return originals, Counter(_majority(c) for c in by_source.values())


def blindspot(
    source_sides: Mapping[Side, int],
    base_rates: Mapping[Side, float],
    base_sources: int,
    min_sources: int,
    alpha: float,
) -> Blindspot:
    """Test each side's share of a story's distinct rated sources against its base rate."""
    n = sum(source_sides.get(s, 0) for s in RATED)

    def verdict(side: Side | None, reason: str, tests: Sequence[SideTest] = ()) -> Blindspot:
        return Blindspot(
            flagged=side is not None,
            side=side,
            reason=reason,
            n_sources=n,
            min_sources=min_sources,
            alpha=alpha,
            tests=tuple(tests),
            base_sources=base_sources,
        )

    if n < min_sources:
        return verdict(None, f"{n} distinct rated sources, fewer than the {min_sources} needed")
    from scipy.stats import binomtest  # 0.6 s to import: only when a story is tested

    tests = []
    for side in RATED:
        k, p0 = source_sides.get(side, 0), base_rates.get(side, 0.0)
        if p0 <= 0.0:
            p_value = 0.0 if k else 1.0
        elif p0 >= 1.0:
            p_value = 1.0
        else:
            p_value = float(binomtest(k, n, p0, alternative="greater").pvalue)
        tests.append(SideTest(side, k, n, k / n, p0, p_value))
    hits = [t for t in tests if t.share > 0.5 and t.share > t.base_rate and t.p_value < alpha / 3]
    if not hits:
        return verdict(
            None, "no side's share is both a majority and significantly above its base rate", tests
        )
    top = min(hits, key=lambda t: t.p_value)
    reason = (
        f"{top.k} of {n} sources are {top.side.value} (share {top.share:.2f}, base rate "
        f"{top.base_rate:.2f}, p = {top.p_value:.3g} < {alpha / 3:.3g})"
    )
    return verdict(top.side, reason, tests)


def base_rates(
    registry: Registry, estimates_for: Callable[[list[str]], Mapping[str, Any]]
) -> tuple[dict[Side, float], int]:
    """Shares of the sides among the archive's distinct rated sources, and their number.

    A rated outlet counts with its rating's side; any other source with the majority side of
    its originals' stored estimates (``estimates_for(ids)``); an original with neither an
    outlet domain nor a name is a source of its own.
    """
    store = registry.store
    votes: dict[str, Counter[Side]] = {}
    for domain, name, _count in store.archive_sources():
        outlet_id = registry.resolve(domain, name)
        lean = registry.leans([outlet_id])[outlet_id] if outlet_id is not None else None
        if lean is not None:
            votes[_key(outlet_id, domain, name)] = Counter({lean.side: 1})
            continue
        ids = store.original_ids_of(domain, name)
        found = estimates_for(ids)
        for aid in ids:
            key = _key(outlet_id, domain, name, aid)
            guess = estimate_side(found.get(aid))
            votes.setdefault(key, Counter())[guess[0] if guess else Side.UNRATED] += 1
    counts = Counter(_majority(v) for v in votes.values())
    total = sum(counts[s] for s in RATED)
    return ({s: counts[s] / total if total else 0.0 for s in RATED}, total)


def source_key(article: Article, outlet_id: int | None) -> str:
    """One distinct source: the outlet, else the domain, else the stated name."""
    return _key(outlet_id, article.outlet_domain, article.outlet_name, article.id)


def _key(outlet_id: int | None, domain: str | None, name: str | None, aid: str = "") -> str:
    if outlet_id is not None:
        return f"outlet:{outlet_id}"
    if domain:
        return f"domain:{domain}"
    if name and alias_key(name):
        return f"name:{alias_key(name)}"
    return f"article:{aid}"


def _majority(votes: Counter[Side]) -> Side:
    rated = [(n, s) for s, n in votes.items() if s is not Side.UNRATED]
    if not rated:
        return Side.UNRATED
    best = max(n for n, _ in rated)
    tied = [s for n, s in rated if n == best]
    return tied[0] if len(tied) == 1 else Side.UNRATED


def story_members(story: Story) -> list[Article]:
    """The story's originals and their reprints."""
    return [a for sa in story.articles for a in (sa.article, *sa.reprints)]


def archive_outlet_ids(registry: Registry) -> list[int]:
    """Outlets that the archive's originals resolve to, and outlets with imported ratings."""
    found = {registry.resolve(d, n) for d, n, _ in registry.store.archive_sources()}
    found.update(registry.store.user_rated_outlet_ids())
    return sorted(i for i in found if i is not None)
