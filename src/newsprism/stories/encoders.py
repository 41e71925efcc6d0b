"""Which sentence encoder a build uses, and the scorer learned for it.

``minilm`` (the default): the transformer (:mod:`newsprism.stories.encoder`). ``static``:
word-piece vectors distilled from it, no transformer at run time
(:mod:`newsprism.stories.static_encoder`). Stored vectors are keyed by the encoder's method, so
switching encoders re-encodes the archive on the next ``build --full`` and never mixes spaces.
"""

from __future__ import annotations

from newsprism.errors import ConfigError
from newsprism.stories.clusterer import DEFAULT_SCORER, ScoringModel
from newsprism.stories.encoder import Encoder, MiniLMEncoder
from newsprism.stories.static_encoder import StaticEncoder

ENCODERS = ("static", "minilm")
# scorer-v2 was fitted on minilm-l6-v2.v1 vectors (title + 64 words); the story vectors are now
# minilm-l6-v2.v2 (title + 48 words), with which it groups within noise of the old vectors,
# while a refit on them did not pass the quality gate (docs/benchmarks.md, third speed pass)
SCORERS = {"static": "scorer-static-v1.json", "minilm": DEFAULT_SCORER}


def make_encoder(name: str, threads: int = 1) -> Encoder:
    """The encoder called ``name``; ``threads`` is torch's thread count for ``minilm``."""
    if name == "static":
        return StaticEncoder()
    if name == "minilm":
        return MiniLMEncoder.for_stories(threads=threads)
    raise ConfigError(f"story encoder {name!r} is not known; use one of {', '.join(ENCODERS)}")


def scoring_model(name: str) -> ScoringModel:
    """The clustering scorer learned on the vectors of encoder ``name``."""
    if name not in SCORERS:
        raise ConfigError(f"story encoder {name!r} is not known; use one of {', '.join(ENCODERS)}")
    return ScoringModel.load(SCORERS[name])
