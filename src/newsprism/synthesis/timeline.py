"""The timeline of a story or thread: dated events its articles mention, with their sources.

Each date an article mentions (:mod:`newsprism.synthesis.dating`: "in 1994", "July 2025",
"on Saturday" resolved against the article's own date) is tied to the event it dates through
the dependency parse: the noun it modifies ("the 2020 presidential election") or the verb it
attaches to ("was released in July 2025"). Mentions of the same event on the same date, in
one article or several, are merged; a year- or month-only mention joins the one more precise
event of the same kind inside that period. A date that dates nothing (a dateline, a caption
with no verb) is left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from newsprism.synthesis.dating import DateMention, Precision, find_dates
from newsprism.synthesis.parse import english_parser, lemma
from newsprism.synthesis.sentences import Sentence, split_sentences

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

    from newsprism.models import Article

TIMELINE_METHOD = "newsprism.timeline.v1"
MAX_ARTICLE_CHARS = 200_000
_MAX_SENTENCE_CHARS = 2_000
_EVENTS = {
    "elect": "election", "election": "election", "vote": "election", "poll": "election",
    "release": "release", "free": "release", "freed": "release", "pardon": "release",
    "liberate": "release", "protest": "protests", "demonstration": "protests",
    "rally": "protests", "uprising": "protests", "arrest": "arrest", "detain": "arrest",
    "sentence": "sentence", "convict": "sentence", "imprisonment": "imprisonment",
    "imprison": "imprisonment", "jail": "imprisonment", "award": "award", "visit": "visit",
    "meeting": "meeting", "meet": "meeting", "talk": "talks", "talks": "talks",
    "invasion": "invasion", "invade": "invasion", "war": "war", "crackdown": "crackdown",
    "sanction": "sanctions", "deal": "agreement", "agreement": "agreement", "summit": "summit",
    "attack": "attack", "deport": "deportation", "deportation": "deportation",
    "expel": "deportation", "announce": "announcement", "announcement": "announcement",
}  # fmt: skip
_WEAK_VERBS = {"be", "have", "do", "say", "tell", "take", "make", "get", "go", "come", "see",
               "follow", "bring", "add", "note", "report", "write", "describe",
               "hold"}  # fmt: skip
_ORDER = {Precision.DAY: 0, Precision.WEEK: 1, Precision.MONTH: 2, Precision.YEAR: 3}


@dataclass(frozen=True)
class EventMention:
    """One article's mention of a dated event: the sentence and the date's offsets in the body."""

    article_id: str
    outlet: str | None
    sentence_index: int
    start: int
    end: int
    date_text: str
    relative: bool  # resolved against the article's publication date
    sentence: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "article_id": self.article_id,
            "outlet": self.outlet,
            "sentence_index": self.sentence_index,
            "start": self.start,
            "end": self.end,
            "date_text": self.date_text,
            "relative": self.relative,
            "sentence": self.sentence,
        }


@dataclass(frozen=True)
class TimelineEvent:
    """One dated event, with every mention of it."""

    date: date
    precision: Precision
    kind: str  # "election", "release", ... or the verb or noun the date attaches to
    participants: tuple[str, ...]
    mentions: tuple[EventMention, ...]
    n_sources: int

    @property
    def when(self) -> str:
        if self.precision is Precision.YEAR:
            return f"{self.date.year:04d}"
        if self.precision is Precision.MONTH:
            return f"{self.date.year:04d}-{self.date.month:02d}"
        return self.date.isoformat()

    @property
    def title(self) -> str:
        who = f": {', '.join(self.participants[:3])}" if self.participants else ""
        return f"{self.kind}{who}"

    @property
    def article_ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m.article_id for m in self.mentions))

    def to_dict(self) -> dict[str, Any]:
        return {
            "date": self.when,
            "precision": self.precision.value,
            "kind": self.kind,
            "title": self.title,
            "participants": list(self.participants),
            "n_sources": self.n_sources,
            "article_ids": list(self.article_ids),
            "mentions": [m.to_dict() for m in self.mentions],
        }


@dataclass(frozen=True)
class Timeline:
    """The events of a story or thread, oldest first."""

    events: tuple[TimelineEvent, ...]
    notes: tuple[str, ...] = ()
    method: str = TIMELINE_METHOD

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "notes": list(self.notes),
            "events": [e.to_dict() for e in self.events],
        }


@dataclass(frozen=True)
class _Found:
    mention: EventMention
    when: DateMention
    kind: str
    participants: tuple[str, ...]
    origin: str


def timeline(articles: Sequence[Article]) -> Timeline:
    """The dated events ``articles`` mention, merged across articles, oldest first."""
    notes: list[str] = []
    found: list[_Found] = []
    for article in articles:
        if article.language not in (None, "en"):
            notes.append(f"{article.id}: left out, written in {article.language!r} "
                         "(dates are read in English text only)")  # fmt: skip
            continue
        if article.published is None:
            notes.append(f"{article.id}: no publication date, relative dates left out")
        found.extend(_article_events(article))
    return Timeline(_merge(found), tuple(notes))


def _article_events(article: Article) -> list[_Found]:
    published = article.published.date() if article.published else None
    todo: list[tuple[Sentence, list[DateMention]]] = []
    for sent in split_sentences(article.id, article.body[:MAX_ARTICLE_CHARS]):
        dates = find_dates(sent.text[:_MAX_SENTENCE_CHARS], published)
        if dates:
            todo.append((sent, dates))
    docs = english_parser().pipe((s.text[:_MAX_SENTENCE_CHARS] for s, _ in todo), batch_size=64)
    out: list[_Found] = []
    for (sent, dates), doc in zip(todo, docs, strict=True):
        for when in dates:
            event = _event_token(doc, when)
            if event is None:
                continue
            word = lemma(event)
            kind = _EVENTS.get(word, word)
            mention = EventMention(
                article_id=article.id, outlet=article.outlet_name, sentence_index=sent.index,
                start=sent.start + when.start, end=sent.start + when.end, date_text=when.text,
                relative=when.relative, sentence=sent.text,
            )  # fmt: skip
            origin = article.duplicate_of or article.id
            out.append(_Found(mention, when, kind, _participants(event), origin))
    return out


def _event_token(doc: Doc, when: DateMention) -> Token | None:
    span = doc.char_span(when.start, when.end, alignment_mode="expand")
    if span is None or len(span) == 0:
        return None
    root = span.root
    head = root.head
    nominal = ("compound", "nummod", "amod", "npadvmod", "poss", "nmod", "appos")
    if (
        head.i != root.i
        and head.pos_ == "NOUN"
        and root.dep_ in nominal
        and (lemma(head) in _EVENTS or root.dep_ != "npadvmod")
    ):
        return head  # "the 2020 presidential election", "the 2020 protests"
    token = root
    for _ in range(6):
        head = token.head
        if head.i == token.i:
            break
        if head.pos_ == "NOUN" and lemma(head) in _EVENTS:
            return head
        if head.pos_ == "VERB":
            return _verb_event(head, root)
        token = head
    return None


def _verb_event(verb: Token, date_root: Token) -> Token | None:
    """The event a verb that a date attaches to stands for."""
    if verb.tag_ == "VBN" and verb.dep_ in ("amod", "dep") and verb.i < date_root.i:
        main = verb.head if verb.head.pos_ == "VERB" else verb.head.head
        if main.pos_ == "VERB":
            verb = main  # "released 123 unlawfully detained prisoners on Dec. 13"
    for child in verb.children:  # "announced a pardon", "suppressed protests"
        if child.dep_ == "dobj" and lemma(child) in _EVENTS:
            return child
    if verb.dep_ in ("relcl", "acl") and lemma(verb.head) in _EVENTS:
        return verb.head  # "the protests that shook Belarus in 2020"
    if lemma(verb) in _WEAK_VERBS:  # "the release took place", "went to the polls"
        slots = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]
        slots += [p for c in verb.children if c.dep_ == "prep" for p in c.children]
        events = [t for t in slots if t.pos_ == "NOUN" and lemma(t) in _EVENTS]
        return events[0] if events else None
    return verb


def _participants(event: Token) -> tuple[str, ...]:
    """People or bodies the event is about: subjects and objects that are names."""
    if event.pos_ == "VERB":
        slots = [c for c in event.children if c.dep_ in ("nsubjpass", "dobj")]
        slots += [c for c in event.children if c.dep_ == "nsubj" and lemma(event) == "elect"]
    else:
        slots = [p for c in event.children if c.dep_ == "prep" and c.lower_ == "of"
                 for p in c.children]  # fmt: skip
    names: list[str] = []
    for slot in slots:
        for token in slot.subtree:
            if token.pos_ == "PROPN" and token.dep_ not in ("compound", "poss"):
                parts = [t for t in token.lefts if t.dep_ == "compound" and t.pos_ == "PROPN"]
                names.append(" ".join(t.text for t in [*parts, token]))
    return tuple(dict.fromkeys(names))


def _merge(found: list[_Found]) -> tuple[TimelineEvent, ...]:
    groups: dict[tuple[str, str], list[_Found]] = {}
    for f in sorted(found, key=lambda f: _ORDER[f.when.precision]):
        key = (f.when.label(), f.kind)
        if key not in groups and f.when.precision is not Precision.DAY:
            finer = [
                k for k, members in groups.items()
                if k[1] == f.kind and _within(members[0].when, f.when)
            ]  # fmt: skip
            if len(finer) == 1:
                key = finer[0]
        groups.setdefault(key, []).append(f)
    events = [_event(members) for members in groups.values()]
    return tuple(sorted(events, key=lambda e: (e.date, _ORDER[e.precision], -e.n_sources)))


def _event(members: list[_Found]) -> TimelineEvent:
    first = members[0]
    return TimelineEvent(
        date=first.when.date,
        precision=first.when.precision,
        kind=first.kind,
        participants=tuple(dict.fromkeys(p for m in members for p in m.participants)),
        mentions=tuple(m.mention for m in sorted(members, key=_mention_order)),
        n_sources=len({m.origin for m in members}),
    )


def _mention_order(f: _Found) -> tuple[str, int, int]:
    return (f.mention.article_id, f.mention.sentence_index, f.mention.start)


def _within(fine: DateMention, coarse: DateMention) -> bool:
    if _ORDER[fine.precision] >= _ORDER[coarse.precision]:
        return False
    if coarse.precision is Precision.YEAR:
        return fine.date.year == coarse.date.year
    if coarse.precision is Precision.MONTH:
        return (fine.date.year, fine.date.month) == (coarse.date.year, coarse.date.month)
    return 0 <= (fine.date - coarse.date).days < 7
