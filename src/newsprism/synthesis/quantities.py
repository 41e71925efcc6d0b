"""Quantities stated in one article, each with what it counts, what happened and when.

For every number that :func:`newsprism.synthesis.numbers.find_numbers` finds in a sentence,
the dependency parse gives the counted noun ("123 political prisoners" -> person), the
predicate ("released" -> release, "remain"), for durations whose they are ("Babaryka was
sentenced to 14 years" -> babaryka) and, for events, the date of the event (a date in the
sentence, else the article's publication date). Only sentences that contain a number are
parsed, which keeps a long article cheap.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from anyascii import anyascii

from newsprism.synthesis.dating import find_dates
from newsprism.synthesis.numbers import NumberMention, find_numbers
from newsprism.synthesis.parse import english_parser, lemma
from newsprism.synthesis.sentences import Sentence, split_sentences

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

    from newsprism.models import Article

_PERSON_NOUNS = {"prisoner", "detainee", "individual", "people", "person", "inmate", "captive",
                 "hostage", "man", "woman", "civilian", "resident", "citizen"}  # fmt: skip
_TOTAL_NOUNS = {"total", "toll", "tally", "number", "count", "figure"}
_TIME_UNITS = {"year", "month", "week", "day", "hour", "minute", "decade", "century"}
_PREDICATES = {
    "free": "release", "pardon": "release", "liberate": "release", "releases": "release",
    "frees": "release", "die": "kill", "death": "kill", "dead": "kill", "wound": "injure",
    "detain": "arrest", "jail": "imprison", "stay": "remain",
}  # fmt: skip
_EVENT_NOUNS = {"release", "pardon", "death", "arrest", "killing", "attack", "vote", "election",
                "deportation", "expulsion", "sale", "purchase", "payment", "loss", "increase",
                "decline", "rise", "fall", "cut"}  # fmt: skip
_STATE_PREDICATES = {"remain", "be", "have", "total", "stand", "hold", "number", "include"}
_INTENT_VERBS = {"negotiate", "seek", "demand", "urge", "plan", "hope", "want", "aim", "ask",
                 "push", "try", "call", "expect", "propose", "offer", "promise",
                 "threaten"}  # fmt: skip
_MODALS = {"could", "would", "may", "might", "will", "should", "shall", "can"}
_SENTENCE_MEASURES = {"sentence", "prison", "jail", "term", "imprisonment", "sentenced"}
_MAX_SENTENCE_CHARS = 2_000


@dataclass(frozen=True)
class Fact:
    """One stated quantity, with the sentence it came from (character offsets in the body)."""

    article_id: str
    sentence_index: int
    start: int  # the number's offsets in the article body
    end: int
    sentence: str
    number: NumberMention
    kind: str  # "count", "duration", "money" or "percent"
    thing: str  # what it counts or measures, canonical ("person", "sentence", "total")
    thing_text: str  # as written ("political prisoners")
    thing_inferred: bool  # taken from elsewhere in the text ("the 123 released")
    predicate: str  # canonical ("release", "remain", "intent:release")
    holder: str | None  # whose duration it is ("babaryka"), for sentences and ages
    event: bool  # an event count (dated) rather than a standing figure
    when: date | None
    when_source: str | None  # "text" or "published"

    def to_dict(self) -> dict[str, Any]:
        n = self.number
        return {
            "article_id": self.article_id,
            "sentence_index": self.sentence_index,
            "start": self.start,
            "end": self.end,
            "text": n.text,
            "sentence": self.sentence,
            "value": n.value,
            "low": n.low,
            "high": None if n.high == float("inf") else n.high,
            "qualifier": n.qualifier,
            "unit": n.unit,
            "spelled": n.spelled,
            "kind": self.kind,
            "thing": self.thing,
            "thing_text": self.thing_text,
            "thing_inferred": self.thing_inferred,
            "predicate": self.predicate,
            "holder": self.holder,
            "when": self.when.isoformat() if self.when else None,
            "when_source": self.when_source,
        }


def article_facts(article: Article, max_chars: int) -> list[Fact]:
    """The quantities stated in ``article``'s first ``max_chars`` characters."""
    body = article.body[:max_chars]
    published = article.published.date() if article.published else None
    todo: list[tuple[Sentence, list[NumberMention]]] = []
    for sent in split_sentences(article.id, body):
        text = sent.text[:_MAX_SENTENCE_CHARS]
        numbers = find_numbers(text)
        if numbers:
            todo.append((sent, numbers))
    docs = english_parser().pipe((s.text[:_MAX_SENTENCE_CHARS] for s, _ in todo), batch_size=64)
    facts: list[Fact] = []
    for (sent, numbers), doc in zip(todo, docs, strict=True):
        facts.extend(_sentence_facts(article.id, sent, doc, numbers, published))
    return _resolve_bare_numbers(facts)


def _sentence_facts(
    article_id: str, sent: Sentence, doc: Doc, numbers: list[NumberMention], published: date | None
) -> list[Fact]:
    out: list[Fact] = []
    dates = find_dates(sent.text[:_MAX_SENTENCE_CHARS], published)
    for number in numbers:
        span = doc.char_span(number.start, number.end, alignment_mode="expand")
        if span is None or len(span) == 0:
            continue
        anchor = span.root
        while anchor.head.pos_ == "NUM" and anchor.head.i != anchor.i and anchor.dep_ in (
            "compound", "conj", "quantmod", "nummod",
        ):  # fmt: skip
            anchor = anchor.head
        noun, parsed = _counted_noun(anchor)
        pred_tok = _predicate_token(noun if noun is not None and parsed else anchor)
        if noun is None and number.unit is None:
            noun = _elided_noun(anchor)
        predicate = _canonical_predicate(pred_tok)
        kind, thing, thing_text = _classify(number, noun, predicate)
        if thing in _TOTAL_NOUNS:
            predicate = "total"
        holder = None
        if kind == "duration" and (thing == "sentence" or predicate in ("sentence", "imprison")):
            holder = _holder(pred_tok) or f"?{article_id}:{sent.index}"
        event = kind != "duration" and predicate.split(":")[-1] not in _STATE_PREDICATES
        when, source = None, None
        if event:
            when, source = _event_date(dates, pred_tok, published)
        out.append(Fact(
            article_id=article_id, sentence_index=sent.index, start=sent.start + number.start,
            end=sent.start + number.end, sentence=sent.text, number=number, kind=kind,
            thing=thing, thing_text=thing_text, thing_inferred=False, predicate=predicate,
            holder=holder, event=event, when=when, when_source=source,
        ))  # fmt: skip
    return out


def _counted_noun(anchor: Token) -> tuple[Token | None, bool]:
    """The noun a number counts, and whether the parse (not word order) says so."""
    head = anchor.head
    if head.i != anchor.i and head.pos_ in ("NOUN", "PROPN") and anchor.dep_ in (
        "nummod", "quantmod", "compound", "amod", "nmod", "npadvmod",
    ):  # fmt: skip
        return head, True
    if anchor.pos_ == "NOUN" and anchor.lower_ in ("%", "percent"):
        return anchor, True
    for child in anchor.children:  # "a dozen of them", "52 of the prisoners"
        if child.dep_ == "prep" and child.lower_ == "of":
            for pobj in child.children:
                if pobj.dep_ == "pobj" and pobj.pos_ in ("NOUN", "PROPN"):
                    return pobj, True
    for token in anchor.doc[anchor.i + 1 : anchor.i + 6]:  # "123 unlawfully detained prisoners"
        if token.pos_ == "NOUN":
            return token, False
        if token.pos_ not in ("ADV", "ADJ", "PROPN") and token.tag_ != "VBN":
            break
    return None, False


def _elided_noun(anchor: Token) -> Token | None:
    verb = anchor.head.head if anchor.head.pos_ == "ADP" else anchor.head
    for child in verb.children:  # "brings the total to 156", "the total freed ... to 156"
        if child.dep_ in ("dobj", "nsubj", "nsubjpass"):
            for token in (child, *child.children):
                if lemma(token) in _TOTAL_NOUNS and token.pos_ == "NOUN":
                    return token
    return None


def _predicate_token(start: Token) -> Token | None:
    token, indirect = start, False
    for _ in range(8):
        head = token.head
        if head.i == token.i:
            break
        if head.pos_ in ("VERB", "AUX") or lemma(head) in _EVENT_NOUNS:
            if indirect or lemma(head) in ("be", "have"):
                return _participle(start) or head
            return head
        if head.pos_ in ("NOUN", "PROPN", "PRON", "ADJ"):
            indirect = True  # "many of the 123 freed": the verb governs "many"
        token = head
    return _participle(start) or (start if start.pos_ == "VERB" else None)


def _participle(token: Token) -> Token | None:
    for child in token.children:
        if child.dep_ in ("acl", "relcl", "amod") and child.tag_ in ("VBN", "VBD", "VBG"):
            return child
    return None


def _canonical_predicate(token: Token | None) -> str:
    if token is None:
        return "-"
    word = lemma(token)
    name = _PREDICATES.get(word, word)
    governor = token.head if token.pos_ == "NOUN" else token
    while governor.pos_ not in ("VERB", "AUX") and governor.head.i != governor.i:
        governor = governor.head
    infinitive = any(c.dep_ == "aux" and c.tag_ == "TO" for c in governor.children)
    modal = any(c.dep_ == "aux" and c.lower_ in _MODALS for c in token.children)
    if lemma(governor) in _INTENT_VERBS or infinitive or modal:
        return f"intent:{name}"
    if any(c.dep_ == "neg" for c in token.children):
        return f"not:{name}"
    return name


def _classify(number: NumberMention, noun: Token | None, predicate: str) -> tuple[str, str, str]:
    if number.unit == "%":
        return "percent", predicate, "%"
    if number.unit is not None:
        return "money", number.unit, number.unit
    if noun is None:
        return "count", "?", ""
    word = lemma(noun)
    if noun.pos_ == "PROPN" and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]  # "52 Political Prisoners" in a headline is tagged as a name
    if word in _TIME_UNITS:
        return "duration", _measure(noun, predicate), noun.text.lower()
    words = [c.text for c in noun.children if c.dep_ in ("amod", "compound") and c.i < noun.i]
    text = " ".join([*words, noun.text]).lower()
    return "count", "person" if word in _PERSON_NOUNS else word, text


def _measure(unit: Token, predicate: str) -> str:
    head = unit.head
    if unit.dep_ in ("compound", "amod", "nmod") and head.pos_ == "NOUN":
        word = lemma(head)  # "a 10-year sentence", "a two-day visit"
    else:
        preps = [p for c in unit.children if c.dep_ == "prep" for p in c.children]
        word = lemma(preps[0]) if preps else predicate  # "years in prison"
    return "sentence" if word in _SENTENCE_MEASURES else word


def _holder(verb: Token | None) -> str | None:
    while verb is not None:
        subjects = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]
        if subjects:
            names = [t for c in subjects for t in c.subtree if t.pos_ == "PROPN"]
            heads = [t for t in names if t.dep_ != "compound"] or names
            return anyascii(heads[-1].text).lower() if heads else None
        verb = verb.head if verb.dep_ in ("conj", "xcomp") and verb.head.i != verb.i else None
    return None


def _event_date(
    dates: list[Any], pred: Token | None, published: date | None
) -> tuple[date | None, str | None]:
    if dates:
        where = pred.idx if pred is not None else 0
        nearest = min(dates, key=lambda d: abs(d.start - where))
        return nearest.date, "text"
    return (published, "published") if published else (None, None)


def _resolve_bare_numbers(facts: list[Fact]) -> list[Fact]:
    """A number with no noun takes the noun of the same value elsewhere in the article ("the
    123 released" after "123 individuals") or of the number just before it in its sentence
    ("nine journalists were released, though 27 remain")."""
    from dataclasses import replace

    named = {f.number.value: f for f in facts if f.kind == "count" and f.thing != "?"}
    out: list[Fact] = []
    for i, found in enumerate(facts):
        fact = found
        if fact.kind == "count" and fact.thing == "?":
            source = named.get(fact.number.value)
            if source is None and i > 0 and facts[i - 1].sentence_index == fact.sentence_index:
                prev = facts[i - 1]
                source = prev if prev.kind == "count" and prev.thing != "?" else None
            if source is not None:
                fact = replace(fact, thing=source.thing, thing_text=source.thing_text,
                               thing_inferred=True)  # fmt: skip
                if fact.thing in _TOTAL_NOUNS:
                    fact = replace(fact, predicate="total", event=False, when=None,
                                   when_source=None)  # fmt: skip
        out.append(fact)
    return out
