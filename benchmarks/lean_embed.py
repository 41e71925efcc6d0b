"""Sentence vectors of the lean evaluation texts, cached under benchmarks/out/lean_explore/.

    .venv/bin/python -m benchmarks.lean_embed prepare
    NEWSPRISM_TORCH_THREADS=1 .venv/bin/python -m benchmarks.lean_embed encode \\
        [--model minilm|PATH] [--limit 200] [--device cpu|cuda]

``prepare`` reads the AllSides dev file as the product reads it
(:func:`benchmarks.train_lean.load`, i.e. ``lean_text``) and the NeuS triplets, and writes the
texts to ``inputs.json.gz`` (a cache: ignored by git, never committed). ``encode`` needs only
that file and a sentence-transformers model folder, so it also runs on a machine without the
evaluation data. Per AllSides article it stores:

- ``stored``: what the story build already encodes with MiniLM (``dense_text``: the raw title
  and the first 64 words, 128 word-pieces at most): a model using only it costs nothing extra;
- ``head``: the cleaned text up to 256 word-pieces;
- ``mean`` / ``max``: the cleaned text cut into passages of sentences (at most 200
  word-pieces each), each encoded, then averaged / max-pooled;

and per NeuS article ``neus`` (title and excerpt, 256 word-pieces at most). Vectors are
L2-normalised float32.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import os
import re
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.results import OUT

CACHE = OUT / "lean_explore"
INPUTS = CACHE / "inputs.json.gz"
NEUS = Path(__file__).resolve().parents[2] / "shared" / "eval" / "neus" / "neus_dev.jsonl.gz"
PASSAGE_PIECES = 200
_SENTENCE = re.compile(r"(?<=[.!?])[\"')\]]?\s+|\n+")


def prepare(inputs: Path = INPUTS) -> dict[str, Any]:
    """The texts every representation reads, with labels, outlet groups and NeuS stories."""
    from benchmarks.train_lean import DEV, load, outlet_group

    data = load(DEV)
    with gzip.open(DEV, "rt", encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    stored = [_dense_text(r.get("title") or "", r.get("content") or "") for r in rows]
    neus = []
    with gzip.open(NEUS, "rt", encoding="utf-8") as f:
        for line in f:
            story = json.loads(line)
            for a in story["articles"]:
                url = str(a.get("url") or "")
                domain = re.sub(r"^https?://", "", url).split("/")[0]
                known = bool(a.get("source") or domain)
                group = outlet_group({"source_url": domain, "source": a.get("source")})
                neus.append({
                    "story": story["id"],
                    "lean": a.get("lean"),
                    "outlet": group if known else None,
                    "text": f"{a.get('title') or ''}. {a.get('text') or ''}".strip(". "),
                })  # fmt: skip
    out = {
        "ids": data.ids,
        "clean": data.texts,
        "stored": stored,
        "labels": data.labels.tolist(),
        "groups": data.groups.tolist(),
        "neus": neus,
    }
    inputs.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(inputs, "wt", encoding="utf-8") as f:
        json.dump(out, f)
    return out


def _dense_text(title: str, body: str, words: int = 64) -> str:
    """``newsprism.stories.represent.dense_text`` on a raw dev row."""
    if title and body.startswith(title):
        body = body[len(title) :]
    lead = " ".join(body.split()[:words])
    return f"{title}. {lead}".strip(". ") if title else lead


def passages(text: str, tokenizer: Any, pieces: int = PASSAGE_PIECES) -> list[str]:
    """Consecutive sentences grouped while they fit in ``pieces`` word-pieces; a longer
    sentence is cut by words."""
    sentences = [s.strip() for s in _SENTENCE.split(text) if s and s.strip()]
    if not sentences:
        return [text[:2000]] if text.strip() else [""]
    sizes = [len(ids) for ids in tokenizer(sentences, add_special_tokens=False)["input_ids"]]
    out: list[str] = []
    current: list[str] = []
    used = 0
    for sentence, size in zip(sentences, sizes, strict=True):
        if size > pieces:  # roughly 1.3 pieces a word
            words = sentence.split()
            step = max(1, int(len(words) * pieces / size))
            chunks = [" ".join(words[i : i + step]) for i in range(0, len(words), step)]
        else:
            chunks = [sentence]
        for chunk in chunks:
            n = min(size, pieces)
            if current and used + n > pieces:
                out.append(" ".join(current))
                current, used = [], 0
            current.append(chunk)
            used += n
    if current:
        out.append(" ".join(current))
    return out


def load_model(path: str, device: str) -> Any:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import torch
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(int(os.environ.get("NEWSPRISM_TORCH_THREADS", "1")))
    model = SentenceTransformer(path, device=device)
    return model.float()  # a half-precision copy of the weights is computed in fp32


def encode(model: Any, texts: list[str], max_tokens: int, device: str) -> np.ndarray:
    import torch

    model.max_seq_length = max_tokens
    bf16 = device == "cpu" and _cpu_bf16()
    with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
        vectors = model.encode(
            texts,
            batch_size=128 if device != "cpu" else 32,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
    return np.asarray(vectors, dtype=np.float32)


def _cpu_bf16() -> bool:
    from newsprism.stories.encoder import _bf16_supported

    return _bf16_supported()


PARTS = ("stored", "head", "full", "neus")


def embed(
    inputs: dict[str, Any],
    path: str,
    device: str,
    limit: int | None = None,
    parts: tuple[str, ...] = PARTS,
    head_tokens: int = 256,
) -> dict[str, Any]:
    """The representations of the module docstring named in ``parts`` (``full`` gives
    ``mean`` and ``max``), with the seconds each took."""
    model = load_model(path, device)
    n = limit or len(inputs["clean"])
    clean = inputs["clean"][:n]
    arrays: dict[str, np.ndarray] = {}
    seconds: dict[str, float] = {}
    meta: dict[str, Any] = {"model": path, "device": device, "articles": n}
    for part in parts:
        started = time.perf_counter()
        if part == "stored":
            arrays["stored"] = encode(model, inputs["stored"][:n], 128, device)
        elif part == "head":
            arrays["head"] = encode(model, clean, head_tokens, device)
            meta["head_tokens"] = head_tokens
        elif part == "full":
            pieces = [passages(t, model.tokenizer) for t in clean]
            flat = [p for ps in pieces for p in ps]
            vectors = encode(model, flat, 256, device)
            bounds = np.cumsum([0] + [len(ps) for ps in pieces]).tolist()
            spans = list(itertools.pairwise(bounds))
            arrays["mean"] = np.stack([vectors[a:b].mean(axis=0) for a, b in spans])
            arrays["max"] = np.stack([vectors[a:b].max(axis=0) for a, b in spans])
            meta["passages"] = len(flat)
        elif part == "neus":
            texts = [a["text"] for a in inputs["neus"]][: (limit or len(inputs["neus"]))]
            arrays["neus"] = encode(model, texts, 256, device)
        else:
            raise ValueError(f"unknown representation {part!r}; use some of {', '.join(PARTS)}")
        seconds[part] = round(time.perf_counter() - started, 2)
        print(f"{part}: {seconds[part]:.1f} s", flush=True)
    meta["seconds"] = seconds
    return {"arrays": arrays, "meta": meta}


def cache_path(name: str, limit: int | None = None) -> Path:
    return CACHE / (f"emb-{name}" + (f"-first{limit}" if limit else "") + ".npz")


def load_embeddings(name: str) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    with np.load(cache_path(name)) as f:
        arrays = {k: f[k] for k in f.files if k != "meta"}
        meta = json.loads(str(f["meta"]))
    return arrays, meta


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("step", choices=["prepare", "encode"])
    parser.add_argument("--inputs", type=Path, default=INPUTS)
    parser.add_argument("--model", default="minilm", help="minilm, or a model folder")
    parser.add_argument("--name", default=None, help="cache name (default: the model's)")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--limit", type=int, default=None, help="first n articles (timing)")
    parser.add_argument("--out", type=Path, default=None, help="write the vectors here")
    parser.add_argument("--parts", default=",".join(PARTS), help="comma-separated")
    parser.add_argument("--head-tokens", type=int, default=256)
    args = parser.parse_args(argv)
    if args.step == "prepare":
        out = prepare(args.inputs)
        print(f"wrote {args.inputs}: {len(out['clean'])} articles, {len(out['neus'])} NeuS")
        return
    with gzip.open(args.inputs, "rt", encoding="utf-8") as f:
        inputs = json.load(f)
    if args.model == "minilm":
        from newsprism.stories.encoder import model_dir

        path = str(model_dir())
    else:
        path = args.model
    name = args.name or ("minilm" if args.model == "minilm" else Path(path).name)
    parts = tuple(p for p in args.parts.split(",") if p)
    result = embed(inputs, path, args.device, args.limit, parts, args.head_tokens)
    target = args.out or cache_path(name, args.limit)
    target.parent.mkdir(parents=True, exist_ok=True)
    np.savez(target, meta=np.array(json.dumps(result["meta"])), **result["arrays"])
    print(json.dumps(result["meta"]))


if __name__ == "__main__":
    main()
