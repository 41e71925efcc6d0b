"""Static word-piece embeddings distilled from all-MiniLM-L6-v2 (the Model2Vec recipe).

A sentence vector is the mean of its word-pieces' vectors, L2-normalised: no transformer runs,
so encoding costs microseconds per article and needs neither torch nor sentence-transformers.
The vectors (int8 rows with a float16 scale, PCA-reduced, SIF-weighted) and MiniLM's tokenizer
ship in one file, ``data/static-minilm-l6-v2-256.npz``, made by ``benchmarks/distill_static.py``
and checked against a pinned SHA-256 before first use.
"""

from __future__ import annotations

import hashlib
import io
import json
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from newsprism.stories.encoder import EncoderMissing

METHOD = "static-minilm-l6-v2-256.v1"
DATA_FILE = Path(__file__).parent / "data" / "static-minilm-l6-v2-256.npz"
FILE_SHA256 = "36f614a2a02dc08a6426297ff1f31fa4f110a5e18da4cc138d9896caba26cccc"
INSTALL_HINT = "pip install --force-reinstall newsprism"
MAX_PIECES = 512  # word-pieces read per text (the title and lead come first)


def _check(path: Path, sha256: str = FILE_SHA256) -> bytes:
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise EncoderMissing(
            f"the static embedding file {path} is missing; reinstall with: {INSTALL_HINT}"
        ) from exc
    except OSError as exc:
        raise EncoderMissing(f"cannot read {path} ({exc}); reinstall with: {INSTALL_HINT}") from exc
    digest = hashlib.sha256(data).hexdigest()
    if digest != sha256:
        raise EncoderMissing(
            f"{path} has SHA-256 {digest}, not the pinned {sha256}; reinstall with: {INSTALL_HINT}"
        )
    return data


@cache
def _load(path: Path, sha256: str) -> tuple[np.ndarray, Any]:
    from tokenizers import Tokenizer

    data = _check(path, sha256)
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
            vectors = (
                arrays["vectors"].astype(np.float32) * arrays["scales"].astype(np.float32)[:, None]
            )
            tokenizer = Tokenizer.from_str(arrays["tokenizer"].tobytes().decode("utf-8"))
            json.loads(arrays["meta"].tobytes().decode("utf-8"))
        if vectors.ndim != 2 or tokenizer.get_vocab_size() > len(vectors):
            raise ValueError(f"{vectors.shape} vectors for {tokenizer.get_vocab_size()} pieces")
    except Exception as exc:  # any failure to parse means a corrupt file
        raise EncoderMissing(
            f"{path} is not a static embedding file ({exc}); reinstall with: {INSTALL_HINT}"
        ) from exc
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return vectors, tokenizer


class StaticEncoder:
    """Encodes texts to L2-normalised float32 vectors by averaging static word-piece vectors."""

    method = METHOD

    def __init__(self, path: Path = DATA_FILE, words: int = 64, sha256: str = FILE_SHA256) -> None:
        self._path = path
        self._sha256 = sha256
        self.words = words
        self.dim = int(_load(path, sha256)[0].shape[1])

    def encode(self, texts: list[str]) -> np.ndarray:
        vectors, tokenizer = _load(self._path, self._sha256)
        out = np.zeros((len(texts), vectors.shape[1]), dtype=np.float32)
        if not texts:
            return out
        encodings = tokenizer.encode_batch([t[:20000] for t in texts], add_special_tokens=False)
        for row, enc in enumerate(encodings):
            ids = enc.ids[:MAX_PIECES]
            if ids:
                out[row] = vectors[ids].mean(axis=0)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms > 0, norms, 1.0)
