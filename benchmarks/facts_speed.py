"""Time the fact table and the timeline of a 20-article story, after the parser is loaded.

    .venv/bin/python -m benchmarks.facts_speed [--n 20] [--min-words 300] [--repeat 3]

Takes the first ``n`` full texts (``min-words`` or more) of the dev clustering file
(../shared/eval/clusters_dev.jsonl.gz), as one story, and reports the parser's load time, then
the best of ``repeat`` runs of ``fact_table`` and of ``timeline`` over them, with the number of
words, groups and events. Nothing from the file is written anywhere.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import time
from datetime import UTC, datetime
from pathlib import Path

from newsprism.models import Article, SourceKind
from newsprism.synthesis.facts import fact_table
from newsprism.synthesis.parse import english_parser
from newsprism.synthesis.timeline import timeline

DEV = Path(__file__).resolve().parents[2] / "shared" / "eval" / "clusters_dev.jsonl.gz"


def _articles(n: int, min_words: int) -> list[Article]:
    out: list[Article] = []
    with gzip.open(DEV, "rt", encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            text = row.get("text") or ""
            if len(text.split()) < min_words:
                continue
            published = row.get("published") or row.get("date")
            out.append(Article(
                id=str(row["id"]), body=text, content_hash=str(row["id"]),
                source_kind=SourceKind.JSONL, source_ref=str(DEV), extraction_method="bench",
                ingested_at=datetime.now(UTC), title=row.get("title"), language="en",
                outlet_name=row.get("outlet") or row.get("source"),
                published=datetime.fromisoformat(published[:10]).replace(tzinfo=UTC)
                if published else None,
            ))  # fmt: skip
            if len(out) == n:
                break
    return out


def _best(fn: object, repeat: int) -> tuple[float, float, object]:
    """Best wall-clock and best CPU seconds of ``repeat`` runs (CPU time shows the cost on a
    machine shared with other work, where wall-clock time includes waiting for a core)."""
    best, best_cpu, result = float("inf"), float("inf"), None
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        result = fn()  # type: ignore[operator]
        best = min(best, time.perf_counter() - start)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    return best, best_cpu, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20)
    parser.add_argument("--min-words", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    articles = _articles(args.n, args.min_words)
    words = sum(len(a.body.split()) for a in articles)
    start = time.perf_counter()
    english_parser()
    load = time.perf_counter() - start
    facts_s, facts_cpu, table = _best(lambda: fact_table(articles), args.repeat)
    timeline_s, timeline_cpu, tl = _best(lambda: timeline(articles), args.repeat)
    print(json.dumps({
        "date": datetime.now(UTC).date().isoformat(),
        "machine": f"{platform.machine()}, {platform.python_version()}",
        "articles": len(articles), "words": words, "parser_load_s": round(load, 2),
        "load_average": os.getloadavg()[0],
        "fact_table_s": round(facts_s, 3), "fact_table_cpu_s": round(facts_cpu, 3),
        "groups": len(table.groups),  # type: ignore[attr-defined]
        "timeline_s": round(timeline_s, 3), "timeline_cpu_s": round(timeline_cpu, 3),
        "events": len(tl.events),  # type: ignore[attr-defined]
    }, indent=1))  # fmt: skip


if __name__ == "__main__":
    main()
