"""Web latency under load: the story page and the story list, 50 concurrent clients, 30 s.

    .venv/bin/python -m benchmarks.web_load prepare --db /tmp/np-web/bench.db
    .venv/bin/python -m benchmarks.web_load run --db /tmp/np-web/bench.db [--seconds 30]

``prepare`` turns the dev clustering file (7,969 docs) plus the BASIL dev articles (150) into
one JSON Lines stream (see benchmarks/clusters_data.py), ingests it with `newsprism ingest` and
groups it with `newsprism build` (about ten minutes on a 2-core machine): keep the database
outside the repository and prepare it once. ``run`` serves that database with
`newsprism serve` on loopback and drives it with wrk (Debian package ``wrk``), 50 connections
on 2 threads, first against a rotation of 200 story pages, then the first four story list
pages; it prints p50/p95/p99 latency, requests/s and errors as a Markdown table for
docs/benchmarks.md. Each story page is first fetched once, one at a time (its first-render time
is reported), so the load test measures the served steady state (pages are cached until the
database changes); ``--cold`` leaves the list pages unrendered before their load test.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.clusters_data import REPO, stream, write_jsonl

BASIL = REPO.parent / "shared" / "eval" / "basil" / "basil_dev.jsonl.gz"
_LUA = """
local paths = {%s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("NP %%d %%d %%d %%d %%d %%d %%.3f %%.3f %%.3f %%.3f\\n",
    summary.requests, e.connect + e.read + e.write + e.timeout, e.status, summary.duration,
    e.timeout, 0, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.mean / 1000))
end
"""


def _cli(db: Path, *args: str) -> None:
    env = {**os.environ, "NEWSPRISM_TORCH_THREADS": os.environ.get("NEWSPRISM_TORCH_THREADS", "1")}
    subprocess.run(
        [sys.executable, "-m", "newsprism", "--db", str(db), *args], check=False, env=env
    )


def prepare(db: Path) -> None:
    db.parent.mkdir(parents=True, exist_ok=True)
    rows = stream()
    with gzip.open(BASIL, "rt", encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            rows.append(
                {"cluster_id": r["triplet_id"], "dataset": "basil", "title": r.get("title"),
                 "text": " ".join(x["text"] for x in r.get("sentences") or []),
                 "source": r.get("source"),
                 "url": r.get("url"), "day": r.get("date")}
            )  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "web-bench.jsonl"
        write_jsonl(rows, path)
        _cli(db, "ingest", "--quiet", str(path))
    _cli(db, "build", "--quiet")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wrk(url: str, paths: list[str], seconds: int, connections: int) -> dict[str, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(_LUA % ", ".join(json.dumps(p) for p in paths))
        script = fh.name
    try:
        proc = subprocess.run(
            ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s", "-s", script,
             url],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
    finally:
        Path(script).unlink()
    match = re.search(r"^NP (.*)$", proc.stdout, re.M)
    if match is None:
        raise SystemExit(f"wrk printed no summary:\n{proc.stdout}\n{proc.stderr}")
    req, sock_err, status_err, dur_us, _, _, p50, p95, p99, mean = match.group(1).split()
    return {
        "requests": int(req),
        "errors": int(sock_err) + int(status_err),
        "rps": int(req) / (int(dur_us) / 1e6),
        "p50_ms": float(p50),
        "p95_ms": float(p95),
        "p99_ms": float(p99),
        "mean_ms": float(mean),
    }


def _render_times(base: str, paths: list[str]) -> list[float]:
    """Fetch each page once, one at a time; the seconds each took (first renders)."""
    times = []
    for path in paths:
        start = time.perf_counter()
        urllib.request.urlopen(base + path, timeout=30).read()
        times.append(time.perf_counter() - start)
    return times


def run(db: Path, seconds: int, connections: int, warm: bool = True, n_stories: int = 200) -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")
    with sqlite3.connect(db) as conn:
        n_articles = conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
        ids = [
            r[0]
            for r in conn.execute(
                "SELECT id FROM stories WHERE merged_into IS NULL AND n_articles > 0 "
                "ORDER BY n_articles DESC LIMIT ?",
                (n_stories,),
            )
        ]
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "newsprism", "--db", str(db), "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/", timeout=1).read()
                break
            except OSError:
                time.sleep(0.2)
        story_paths = [f"/stories/{i}" for i in ids]
        list_paths = ["/", "/?page=2", "/?page=3", "/?page=4"]
        cold = _render_times(base, story_paths)
        if warm:  # every page rendered once: the run measures the steady state
            # again, since storing a first-computed synthesis empties the page cache
            _render_times(base, story_paths)
            _render_times(base, list_paths)
        results = {
            "story page": _wrk(base, story_paths, seconds, connections),
            "story list": _wrk(base, list_paths, seconds, connections),
        }
    finally:
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    when = datetime.now(UTC).strftime("%Y-%m-%d")
    print(
        f"{when}, {platform.machine()} {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, {n_articles} articles, {len(ids)} story pages rotated, "
        f"{connections} connections, {seconds} s each\n"
    )
    cold.sort()
    print(
        f"first render of a story page, one at a time ({len(cold)} pages): median "
        f"{1000 * cold[len(cold) // 2]:.1f} ms, p95 {1000 * cold[int(len(cold) * 0.95)]:.1f} ms"
        + ("" if warm else " (the load test below started with an empty page cache)")
        + "\n"
    )
    print("| page | requests/s | p50 ms | p95 ms | p99 ms | errors |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, r in results.items():
        print(
            f"| {name} | {r['rps']:.0f} | {r['p50_ms']:.1f} | {r['p95_ms']:.1f} | "
            f"{r['p99_ms']:.1f} | {r['errors']} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=["prepare", "run"])
    parser.add_argument("--db", type=Path, default=Path("/tmp/np-web/bench.db"))
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument(
        "--stories", type=int, default=200, help="Largest stories whose pages are rotated."
    )
    parser.add_argument(
        "--cold", action="store_true", help="Do not render the list pages before the load test."
    )
    args = parser.parse_args()
    if args.step == "prepare":
        prepare(args.db)
    else:
        run(args.db, args.seconds, args.connections, warm=not args.cold, n_stories=args.stories)


if __name__ == "__main__":
    main()
