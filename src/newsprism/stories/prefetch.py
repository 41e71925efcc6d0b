"""Dense vectors of the next build chunks, encoded on a background thread.

The encoder (torch, or the static tokenizer) releases the GIL while it works, so encoding chunk
k + 1 on one core while chunk k is clustered on the other roughly halves a MiniLM build's wall
time on two cores. Each chunk is encoded in exactly the call the builder would make itself (the
same texts, in the same order), so the vectors are the ones a sequential build stores.

With ``workers`` > 1, that many chunks are encoded at the same time, each by its own encoder
(``encoder.replica(n)``: its own tokenizer, the same weights, one torch thread): a chunk's call
is still the call a sequential build makes, so the vectors are still the same, and the encoder
uses both cores while the clusterer waits for it.
"""

from __future__ import annotations

import ctypes
import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from functools import cache

import numpy as np

from newsprism.models import Article
from newsprism.stories.encoder import Encoder
from newsprism.stories.represent import dense_text

AHEAD = 2  # chunks encoded ahead of the one being clustered (bounded memory)


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        trim: Callable[[int], int] = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None
    return trim


def _release_freed_memory() -> None:
    """Hand the memory an encode call freed back to the system (glibc keeps it per thread
    otherwise): about 100 MB less peak with two encoder threads, for about 1 s of CPU on the
    dev file."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


class DensePrefetch:
    """Encodes ``chunks`` (the articles of each build chunk that have no stored vector) in
    order, at most ``ahead`` chunks before the one last taken. ``lock`` serialises every use of
    the encoder; pass the same lock to any other code that encodes meanwhile. ``workers``
    chunks are encoded at once; more than one needs an encoder with ``replica(n)``."""

    def __init__(
        self,
        encoder: Encoder,
        chunks: Sequence[Sequence[Article]],
        lock: threading.Lock,
        ahead: int = AHEAD,
        workers: int = 1,
    ) -> None:
        if ahead < 1:
            raise ValueError(f"ahead={ahead!r} must be at least 1")
        if workers < 1:
            raise ValueError(f"workers={workers!r} must be at least 1")
        replica = getattr(encoder, "replica", None)
        if workers > 1 and replica is None:
            raise ValueError(
                f"workers={workers!r} needs an encoder with replica(n); "
                f"{type(encoder).__name__} has none: use workers=1"
            )
        self._encoder = encoder
        self._chunks = chunks
        self._ahead = ahead
        # each worker takes a free (encoder, lock) pair; the first shares ``lock``, as its
        # model instance may be the one the caller encodes with
        self._free: queue.SimpleQueue[tuple[Encoder, threading.Lock]] = queue.SimpleQueue()
        if workers == 1:
            self._free.put((encoder, lock))
        for n in range(workers if workers > 1 else 0):
            assert replica is not None
            self._free.put((replica(n), lock if n == 0 else threading.Lock()))
        self._workers = workers
        self._futures: dict[int, Future[np.ndarray]] = {}
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="newsprism-encode")
        for k in range(min(ahead, len(chunks))):
            self._submit(k)

    def ids(self, k: int) -> list[str]:
        """The ids of chunk ``k``'s articles that :meth:`take` returns vectors for, in order."""
        return [a.id for a in self._chunks[k]]

    def take(self, k: int) -> np.ndarray:
        """Chunk ``k``'s vectors (waits for them); starts the chunk ``ahead`` further on."""
        if not 0 <= k < len(self._chunks):
            raise IndexError(f"chunk {k!r} does not exist; there are {len(self._chunks)}")
        if k not in self._futures:
            self._submit(k)
        nxt = k + self._ahead
        if nxt < len(self._chunks) and nxt not in self._futures:
            self._submit(nxt)
        return self._futures.pop(k).result()

    def close(self) -> None:
        """Drop the chunks not started; the one being encoded, if any, finishes in the
        background (an interrupted build loses nothing stored)."""
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._futures.clear()

    def __enter__(self) -> DensePrefetch:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _submit(self, k: int) -> None:
        texts = [dense_text(a, self._encoder.words) for a in self._chunks[k]]
        self._futures[k] = self._pool.submit(self._encode, texts)

    def _encode(self, texts: list[str]) -> np.ndarray:
        encoder, lock = self._free.get()
        try:
            with lock:
                return encoder.encode(texts)
        finally:
            self._free.put((encoder, lock))
            if self._workers > 1:
                _release_freed_memory()
