"""The synthesis stage: a thin orchestrator over summary, key points, people and places, facts,
timeline and the optional language-model pass. It holds no stage logic; it runs each part in
order, times it, records its method, and turns a failing optional part into a warning.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

from newsprism.models import Article, Side
from newsprism.synthesis.keypoints import KeyPoints, key_points
from newsprism.synthesis.llm import ChatClient, LLMSynthesis, synthesize_llm
from newsprism.synthesis.prepared import Encoder, LexicalEncoder, prepare
from newsprism.synthesis.sample import MAX_ARTICLES, read_sample
from newsprism.synthesis.summary import DEFAULT_WORDS, Lexicon, Summary, summarize
from newsprism.visible import visible

SYNTHESIS_METHOD = "newsprism.synthesis.v3"  # v3: control codes blanked; v2: headline fallback
SYNTHESIZERS = ("extractive", "llm")
# Parts built by their own modules; each is imported when present and reports via to_dict().
_OPTIONAL = (
    ("entities", "newsprism.synthesis.entities", "entities"),
    ("facts", "newsprism.synthesis.facts", "fact_table"),
    ("timeline", "newsprism.synthesis.timeline", "timeline"),
)


@dataclass(frozen=True)
class Synthesis:
    """Everything the story page shows beside the articles, with methods, times and warnings."""

    summary: Summary
    key_points: KeyPoints
    language: str | None
    articles: tuple[str, ...]
    left_out: tuple[str, ...]
    methods: dict[str, str]
    seconds: dict[str, float]
    warnings: tuple[str, ...] = ()
    llm: LLMSynthesis | None = None
    parts: dict[str, Any] = field(default_factory=dict)
    method: str = SYNTHESIS_METHOD

    @property
    def text(self) -> str:
        """The summary to show: the checked model text when there is one, else the extract."""
        return self.llm.text if self.llm is not None else self.summary.text

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "synthesizer": "llm" if self.llm is not None else "extractive",
            "language": self.language,
            "articles": list(self.articles),
            "left_out": list(self.left_out),
            "summary": self.summary.to_dict(),
            "key_points": self.key_points.to_dict(),
            "llm": self.llm.to_dict() if self.llm is not None else None,
            **self.parts,
            "methods": self.methods,
            "seconds": self.seconds,
            "warnings": list(self.warnings),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Synthesis:
        """A stored synthesis back from :meth:`to_dict` (raises KeyError, ValueError or
        TypeError if broken)."""
        try:
            return cls._from_dict(d)
        except (AttributeError, IndexError) as exc:  # a list or a string where a dict was
            raise ValueError(f"stored synthesis is malformed: {exc}") from exc

    @classmethod
    def _from_dict(cls, d: dict[str, Any]) -> Synthesis:
        return cls(
            summary=Summary.from_dict(d["summary"]),
            key_points=KeyPoints.from_dict(d["key_points"]),
            language=d["language"],
            articles=tuple(d["articles"]),
            left_out=tuple(d["left_out"]),
            methods=dict(d["methods"]),
            seconds=dict(d["seconds"]),
            warnings=tuple(d["warnings"]),
            llm=LLMSynthesis.from_dict(d["llm"]) if d.get("llm") else None,
            parts={name: d[name] for name, _, _ in _OPTIONAL if name in d},
            method=d["method"],
        )


class _Clock:
    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def run(self, name: str, fn: Callable[[], Any]) -> Any:
        start = time.perf_counter()
        try:
            return fn()
        finally:
            self.seconds[name] = round(time.perf_counter() - start, 4)


def synthesize(
    articles: Sequence[Article],
    sides: Mapping[str, Side],
    encoder: Encoder | None = None,
    words: int = DEFAULT_WORDS,
    lexicon: Lexicon | None = None,
    llm: ChatClient | None = None,
    per_side: int = 3,
    with_parts: bool = True,
    max_articles: int = MAX_ARTICLES,
) -> Synthesis:
    """The synthesis of one story's articles (originals; reprints add nothing new); of a
    sample of them above ``max_articles`` (:mod:`newsprism.synthesis.sample`, said in a note).

    ``with_parts=False`` leaves out people and places, facts and timeline (for benchmarks of
    the summary alone)."""
    enc = encoder if encoder is not None else LexicalEncoder()
    clock = _Clock()
    articles, sample_note = read_sample(articles, sides, max_articles)
    articles = [_visible(a) for a in articles]
    story = clock.run("prepare", lambda: prepare(articles, sides, enc))
    from newsprism.synthesis.summary import sentence_scores

    scores = clock.run("scores", lambda: sentence_scores(story))
    summary = clock.run("summary", lambda: summarize(story, words, lexicon, scores))
    if sample_note is not None:
        summary = replace(summary, notes=(*summary.notes, sample_note))
    points = clock.run("key_points", lambda: key_points(story, per_side, scores))
    methods = {
        "synthesis": SYNTHESIS_METHOD,
        "encoder": enc.method,
        "summary": summary.method,
        "key_points": points.method,
    }
    if lexicon is not None:
        methods["lexicon"] = str(getattr(lexicon, "method", "loaded-lexicon"))
    warnings: list[str] = []
    parts: dict[str, Any] = {}
    for name, module, function in _OPTIONAL if with_parts else ():
        found = _optional(module, function)
        if found is None:
            continue
        try:
            call = partial(found, list(story.articles))
            if "sides" in inspect.signature(found).parameters:
                call = partial(found, list(story.articles), sides=dict(story.sides))
            result = clock.run(name, call)
        except Exception as exc:  # an optional part must not sink the synthesis
            warnings.append(f"{name} failed and was left out: {exc.__class__.__name__}: {exc}")
            continue
        parts[name] = result.to_dict() if hasattr(result, "to_dict") else result
        methods[name] = str(getattr(result, "method", getattr(result, "model", module)))
    checked = None
    if llm is not None:
        extra = [p.text for s in points.sides for p in s.points]
        checked, notes = clock.run("llm", lambda: synthesize_llm(llm, story, summary, enc, extra))
        warnings.extend(notes)
        if checked is not None:
            methods["llm"] = f"{checked.method}:{checked.model}"
    return Synthesis(
        summary=summary,
        key_points=points,
        language=story.language,
        articles=tuple(a.id for a in story.articles),
        left_out=tuple(a.id for a in story.left_out),
        methods=methods,
        seconds=clock.seconds,
        warnings=tuple(warnings),
        llm=checked,
        parts=parts,
    )


def _visible(article: Article) -> Article:
    """``article`` with control codes in its body and title blanked (offsets unchanged)."""
    body, title = visible(article.body), visible(article.title) if article.title else article.title
    if body is article.body and title is article.title:
        return article
    return replace(article, body=body, title=title)


def _optional(module: str, function: str) -> Callable[..., Any] | None:
    try:
        found = getattr(importlib.import_module(module), function, None)
    except ImportError:
        return None
    return found if callable(found) else None


def _versions() -> list[str]:
    """The versioned method names of every stage, so a new version recomputes stored results."""
    modules = [summarize.__module__, key_points.__module__, read_sample.__module__, __name__]
    modules += ["newsprism.synthesis.sentences", "newsprism.synthesis.numbers"]
    modules += [mod for _, mod, _ in _OPTIONAL]
    found = []
    for name in modules:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        constants = vars(module).items()
        found += [v for k, v in constants if k.endswith("_METHOD") and isinstance(v, str)]
    return sorted(set(found))


def fingerprint(
    articles: Sequence[Article], sides: Mapping[str, Side], settings: Mapping[str, Any]
) -> str:
    """A hash of everything a stored synthesis depends on (recompute when it changes)."""
    data = {
        "method": SYNTHESIS_METHOD,
        "articles": sorted((a.id, a.content_hash, a.title or "") for a in articles),
        "sides": sorted((k, v.value) for k, v in sides.items()),
        "settings": dict(sorted(settings.items())),
        "parts": [m for m, _, f in _OPTIONAL if _optional(_OPTIONAL_MOD[m], f) is not None],
        "versions": _versions(),
    }
    return hashlib.sha256(json.dumps(data, default=str).encode()).hexdigest()[:32]


_OPTIONAL_MOD = {name: module for name, module, _ in _OPTIONAL}
