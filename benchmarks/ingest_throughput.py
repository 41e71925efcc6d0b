"""Ingest throughput: the dev clustering file through the real CLI, into a fresh database.

    .venv/bin/python benchmarks/ingest_throughput.py [--file ../shared/eval/clusters_dev.jsonl.gz]

Runs `newsprism ingest` twice in a subprocess (first run: everything new; second run: everything
already stored), and reports wall time, articles/s and the peak resident memory of each run.
Prints a Markdown table row for docs/benchmarks.md and writes JSON to benchmarks/out/.
"""

from __future__ import annotations

import argparse
import gzip
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.results import save

REPO = Path(__file__).resolve().parents[1]
DEFAULT = REPO.parent / "shared" / "eval" / "clusters_dev.jsonl.gz"


def _run(db: Path, src: Path) -> dict[str, float | str]:
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as errors:
        proc = subprocess.Popen(
            [sys.executable, "-m", "newsprism", "--db", str(db), "ingest", "--quiet", str(src)],
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
        _, status, usage = os.wait4(proc.pid, 0)  # this child's own peak memory
        proc.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - start
        errors.seek(0)
        stderr = errors.read()
    if proc.returncode != 0:
        sys.exit(f"ingest failed ({proc.returncode}): {stderr[-2000:]}")
    return {
        "seconds": round(seconds, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "summary": stderr.strip().splitlines()[-1],
        "load_average_1m": round(os.getloadavg()[0], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--file", type=Path, default=DEFAULT)
    args = parser.parse_args()
    with gzip.open(args.file, "rt", encoding="utf-8") as fh:
        n_rows = sum(1 for line in fh if line.strip())
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        first = _run(db, args.file)
        second = _run(db, args.file)
        stored = sqlite3.connect(db).execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    result = {
        "date": datetime.now(UTC).date().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "file": args.file.name,
        "rows": n_rows,
        "stored_after_two_runs": stored,
        "first_run": first,
        "second_run": second,
        "first_run_articles_per_s": round(n_rows / float(first["seconds"]), 1),
        "second_run_articles_per_s": round(n_rows / float(second["seconds"]), 1),
    }
    save("ingest_throughput.json", result)
    print(
        f"| {result['date']} | {result['machine']} | {n_rows} | "
        f"{result['first_run_articles_per_s']} art/s, {first['peak_rss_mb']} MB | "
        f"{result['second_run_articles_per_s']} art/s, {second['peak_rss_mb']} MB | {stored} |"
    )


if __name__ == "__main__":
    main()
