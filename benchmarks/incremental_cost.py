"""Incremental cost: does adding 1,000 articles cost more when the archive is 10x larger?

    .venv/bin/python -m benchmarks.incremental_cost [--small 5000] [--large 50000] [--new 1000]

The dated rows of the dev clustering file (NeuS and UCI; gold labels unused) are split by date:
the latest ``--new`` rows are the new articles, the rest make the archive. The small archive is
the latest ``--small`` archive rows; the large one is all archive rows plus older copies of them
(dates shifted back by ten years per copy, a marker in the text so that they are distinct
articles) up to ``--large``. Near-duplicate fingerprinting is switched off for the archive copies
only through settings, and the archive's dense vectors are computed once per distinct text and
written into the store before its build (building a 50,000-article archive with the encoder
would take an hour on 2 cores and is not what is measured). Then the same new articles are
ingested and built into each archive, through the real CLI, and timed.

Writes benchmarks/out/incremental_cost.json and prints a Markdown row for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np

from benchmarks.clusters_data import DEV, REPO
from benchmarks.results import save
from newsprism.stories.encoder import STORY_METHOD, MiniLMEncoder
from newsprism.stories.represent import pack_dense

CACHE = REPO / "benchmarks" / "out" / f"incremental_dense_{STORY_METHOD}.npz"


def _rows() -> tuple[list[dict], list[dict]]:
    with gzip.open(DEV, "rt", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    dated = [r for r in rows if r.get("date")]
    for n, r in enumerate(dated):
        r["day"] = r["date"][:10]
        r["key"] = f"r{n:05d}"
    dated.sort(key=lambda r: (r["day"], r["key"]))
    return dated, rows


def _record(r: dict, copy: int) -> dict:
    day = date.fromisoformat(r["day"])
    day = day.replace(year=day.year - 10 * copy) if copy else day
    text = r.get("text") or ""
    return {
        "id": f"{r['key']}c{copy}",
        "title": r.get("title") or "",
        "text": f"{text} (archive copy {copy})" if copy else text,
        "outlet": r.get("source") or None,
        "published": day.isoformat(),
    }


def _dense_text(r: dict, n_words: int) -> str:
    words = " ".join((r.get("text") or "").split()[:n_words])
    title = r.get("title") or ""
    return f"{title}. {words}".strip(". ") if title else words


def _dense_cache(rows: list[dict]) -> dict[str, np.ndarray]:
    if CACHE.exists():
        data = np.load(CACHE)
        return dict(zip(data["keys"].tolist(), data["vectors"], strict=True))
    encoder = MiniLMEncoder.for_stories(int(os.environ.get("NEWSPRISM_TORCH_THREADS", "2")))
    vectors = encoder.encode([_dense_text(r, encoder.words) for r in rows])
    CACHE.parent.mkdir(parents=True, exist_ok=True)
    np.savez(CACHE, keys=np.array([r["key"] for r in rows]), vectors=vectors)
    return {r["key"]: v for r, v in zip(rows, vectors, strict=True)}


def _cli(db: Path, *args: str, env: dict[str, str] | None = None) -> float:
    env = {"NEWSPRISM_SYNTHESIZE_ON_BUILD": "0", **(env or {})}  # the story engine is measured
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "newsprism", "--db", str(db), *args],
        capture_output=True, text=True, env={**os.environ, **env}, check=False,
    )  # fmt: skip
    if proc.returncode != 0:
        sys.exit(f"newsprism {' '.join(args)} failed: {proc.stderr[-2000:]}")
    return time.perf_counter() - start


def _archive(rows: list[dict], size: int, workdir: Path, dense: dict[str, np.ndarray]) -> Path:
    records: list[tuple[dict, str]] = []
    copy = 0
    while len(records) < size:
        batch = rows if copy else rows[-size:]
        records += [(_record(r, copy), r["key"]) for r in batch][: size - len(records)]
        copy += 1
    src = workdir / f"archive{size}.jsonl"
    with src.open("w", encoding="utf-8") as fh:
        for rec, _ in records:
            fh.write(json.dumps(rec) + "\n")
    db = workdir / f"archive{size}.db"
    quiet = {"NEWSPRISM_NEAR_DUP_MIN_WORDS": "1000000000"}
    _cli(db, "ingest", "--quiet", str(src), env=quiet)
    conn = sqlite3.connect(db)
    with conn:
        conn.executemany(
            "INSERT OR IGNORE INTO article_features (article_id, kind, method, data) "
            "VALUES (?, 'dense', ?, ?)",
            [(rec["id"], STORY_METHOD, pack_dense(dense[key])) for rec, key in records],
        )
    conn.close()
    seconds = _cli(db, "build", "--quiet")
    print(f"archive of {size}: built in {seconds:.0f}s", file=sys.stderr)
    return db


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--small", type=int, default=5000)
    ap.add_argument("--large", type=int, default=50000)
    ap.add_argument("--new", type=int, default=1000)
    args = ap.parse_args()
    dated, _ = _rows()
    new, archive_rows = dated[-args.new :], dated[: -args.new]
    dense = _dense_cache(archive_rows)
    result: dict = {
        "date": datetime.now(UTC).date().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}",
        "new_articles": len(new),
    }
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        src = work / "new.jsonl"
        with src.open("w", encoding="utf-8") as fh:
            for r in new:
                fh.write(json.dumps(_record(r, 0)) + "\n")
        for size in (args.small, args.large):
            db = _archive(archive_rows, size, work, dense)
            load = os.getloadavg()[0]
            t_ingest = _cli(db, "ingest", "--quiet", str(src))
            t_build = _cli(db, "build", "--quiet")
            result[str(size)] = {
                "ingest_s": round(t_ingest, 1),
                "build_s": round(t_build, 1),
                "total_s": round(t_ingest + t_build, 1),
                "load_before": round(load, 1),
            }
            print(json.dumps(result[str(size)]), file=sys.stderr)
    small, large = result[str(args.small)], result[str(args.large)]
    result["ratio"] = round(large["total_s"] / small["total_s"], 2)
    save("incremental_cost.json", result)
    print(
        f"| {result['date']} | {result['machine']} | {small['total_s']} s | "
        f"{large['total_s']} s | {result['ratio']}x |"
    )


if __name__ == "__main__":
    main()
