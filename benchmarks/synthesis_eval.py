"""Neutral-summary quality on the NeuS dev stories, beside simple baselines run on the same data.

    .venv/bin/python -m benchmarks.synthesis_eval [--split val|tune] [--limit N] [--words 55]
        [--oracle]

Each NeuS story (three short excerpts from a left, a center and a right outlet, and an
editor-written neutral roundup) is written to JSON Lines with its id as the ``story`` key,
ingested through the real ingest path into a fresh database and built; our summary of each
pinned story (sides from the file's left/center/right labels) is scored against the roundup with
ROUGE-1/2/L F1 (rouge-score, Porter stemming). Baselines, same sentences, same length budget:
lead-3 of a random article (seeded), centroid sentences (MiniLM, closest to the story's mean
sentence vector first) and the lead sentence of each article. Also the share of loaded-lexicon
words in our summaries vs in the input articles. ``--oracle`` adds the ceiling of choosing whole
source sentences: greedy on ROUGE-2 F1 against the roundup itself, which no system may read.

Split: the summary's weights were fitted on the first 800 ``train`` stories of the file and its
settings tuned on the other 409 ``train`` stories (``--split tune``); figures are reported on
the 291 ``val`` stories (``--split val``), never used for fitting or tuning.
"""

from __future__ import annotations

import argparse
import gzip
import json
import platform
import random
import re
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from rouge_score import rouge_scorer

from benchmarks.results import save
from newsprism.config import Settings
from newsprism.lean.loaded import LoadedLexicon
from newsprism.models import Article, Side
from newsprism.service import Service
from newsprism.stories.encoder import MiniLMEncoder
from newsprism.synthesis.prepared import Encoder
from newsprism.synthesis.sentences import split_sentences
from newsprism.synthesis.stage import synthesize

REPO = Path(__file__).resolve().parents[1]
NEUS = REPO.parent / "shared" / "eval" / "neus" / "neus_dev.jsonl.gz"
FIT_TRAIN_STORIES = 800
_WORD = re.compile(r"[^\W\d_]+")


def load(split: str, limit: int | None = None, path: Path = NEUS) -> list[dict[str, Any]]:
    """The stories of one part: ``val`` (report), ``fit`` (the first train stories, for fitting)
    or ``tune`` (the train stories after them, for choosing settings)."""
    with gzip.open(path, "rt", encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    if split == "val":
        chosen = [r for r in rows if r["neus_split"] == "val"]
    elif split == "fit":
        chosen = [r for r in rows if r["neus_split"] == "train"][:FIT_TRAIN_STORIES]
    elif split == "tune":
        chosen = [r for r in rows if r["neus_split"] == "train"][FIT_TRAIN_STORIES:]
    else:
        raise SystemExit(f"--split {split!r} is not valid; use val, tune or fit")
    return chosen[:limit] if limit else chosen


def write_jsonl(rows: list[dict[str, Any]], out: Path) -> dict[str, Side]:
    """One line per article, pinned by its story's id; returns article id -> side."""
    sides: dict[str, Side] = {}
    with out.open("w", encoding="utf-8") as f:
        for row in rows:
            for a in row["articles"]:
                aid = f"{row['id']}-{a['position']}"
                sides[aid] = Side(a["lean"]) if a["lean"] else Side.UNRATED
                record = {"id": aid, "title": a["title"], "text": a["text"] or "",
                          "outlet": a["source"], "published": a["date"], "story": row["id"],
                          "language": "en"}  # fmt: skip
                f.write(json.dumps(record, ensure_ascii=False) + "\n")
    return sides


def ingest_and_build(
    rows: list[dict[str, Any]], workdir: Path
) -> tuple[dict[str, Any], dict[str, Side]]:
    """Story key -> its articles, through ingest and build; and the sides."""
    src = workdir / "neus.jsonl"
    sides = write_jsonl(rows, src)
    settings = Settings(db=workdir / "eval.db", torch_threads=1)
    timing: dict[str, float] = {}
    with Service(settings) as service:
        start = time.perf_counter()
        service.ingest([str(src)])
        timing["ingest_s"] = round(time.perf_counter() - start, 1)
        start = time.perf_counter()
        service.build()
        timing["build_s"] = round(time.perf_counter() - start, 1)
        stories: dict[str, list[Article]] = {}
        for listed in service.stories():
            story = service.story(listed.id)
            if story is not None and story.pinned_key:
                stories[story.pinned_key] = [sa.article for sa in story.articles]
    return {"stories": stories, "timing": timing}, sides


def _budget(sentences: list[str], words: int) -> str:
    """Sentences in the given order until about ``words`` words (the summary's own rule)."""
    out: list[str] = []
    total = 0
    for s in sentences:
        n = len(s.split())
        if out and total + n > 1.25 * words:
            continue
        out.append(s)
        total += n
        if total >= 0.85 * words:
            break
    return " ".join(out)


def baselines(articles: list[Article], encoder: Encoder, words: int, seed: int) -> dict[str, str]:
    split = {a.id: [s.text for s in split_sentences(a.id, a.body)] for a in articles}
    pool = [s for a in articles for s in split[a.id]]
    lead3 = " ".join(split[random.Random(seed).choice(articles).id][:3]) if articles else ""
    vectors = encoder.encode(pool)
    centroid = vectors.mean(axis=0) if pool else np.zeros(1)
    order: list[int] = np.argsort(-(vectors @ centroid)).tolist() if pool else []
    return {
        "lead-3 of a random article": lead3,
        "centroid sentences": _budget([pool[i] for i in order], words),
        "lead sentence of each article": " ".join(split[a.id][0] for a in articles if split[a.id]),
    }


def oracle(articles: list[Article], roundup: str, words: int, scorer: Any) -> str:
    """The ceiling of choosing whole sentences: greedily add the sentence that most raises
    ROUGE-2 F1 against the roundup (which a system never sees), within the summary's own
    length cap of 1.25 x ``words``; stop when no sentence raises it."""
    pool = [s.text for a in articles for s in split_sentences(a.id, a.body)]
    chosen: list[str] = []
    best, total = 0.0, 0
    while True:
        pick, pick_f = None, best
        for s in pool:
            n = len(s.split())
            if s in chosen or total + n > 1.25 * words:
                continue
            f = scorer.score(roundup, " ".join([*chosen, s]))["rouge2"].fmeasure
            if f > pick_f:
                pick, pick_f = s, f
        if pick is None:
            return " ".join(chosen)
        chosen.append(pick)
        best, total = pick_f, total + len(pick.split())


def loaded_share(texts: list[str], lexicon: LoadedLexicon) -> float:
    words = sum(len(_WORD.findall(t)) for t in texts)
    return sum(lexicon.count(t) for t in texts) / words if words else 0.0


def run(split: str, limit: int | None, words: int, with_oracle: bool = False) -> dict[str, Any]:
    rows = load(split, limit)
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    encoder = MiniLMEncoder(threads=1)
    lexicon = LoadedLexicon.load()
    with tempfile.TemporaryDirectory() as tmp:
        built, sides = ingest_and_build(rows, Path(tmp))
    scores: dict[str, list[list[float]]] = {}
    lengths: dict[str, list[int]] = {}
    ours_texts: list[str] = []
    input_texts: list[str] = []
    oracle_s = 0.0  # not part of the timing
    start = time.perf_counter()
    for n, row in enumerate(rows):
        articles = built["stories"].get(row["id"], [])
        synthesis = synthesize(articles, sides, encoder, words, lexicon, with_parts=False)
        systems = {"newsprism extractive": synthesis.summary.text}
        systems |= baselines(articles, encoder, words, seed=n)
        if with_oracle:
            t = time.perf_counter()
            systems["oracle: whole sentences, greedy ROUGE-2"] = oracle(
                articles, row["roundup"], words, scorer
            )
            oracle_s += time.perf_counter() - t
        ours_texts.append(synthesis.summary.text)
        input_texts.extend(a.body for a in articles)
        for name, text in systems.items():
            r = scorer.score(row["roundup"], text)
            scores.setdefault(name, []).append(
                [r["rouge1"].fmeasure, r["rouge2"].fmeasure, r["rougeL"].fmeasure]
            )
            lengths.setdefault(name, []).append(len(text.split()))
    synth_s = time.perf_counter() - start - oracle_s
    table = {
        name: {
            "rouge1": round(float(np.mean([v[0] for v in vals])), 4),
            "rouge2": round(float(np.mean([v[1] for v in vals])), 4),
            "rougeL": round(float(np.mean([v[2] for v in vals])), 4),
            "words": round(float(np.mean(lengths[name])), 1),
        }
        for name, vals in scores.items()
    }
    return {
        "date": datetime.now(UTC).date().isoformat(),
        "machine": f"{platform.machine()}, Python {platform.python_version()}",
        "split": split,
        "stories": len(rows),
        "words": words,
        "reference_words": round(float(np.mean([len(r["roundup"].split()) for r in rows])), 1),
        "scores": table,
        "loaded_share": {
            "summary": round(loaded_share(ours_texts, lexicon), 5),
            "inputs": round(loaded_share(input_texts, lexicon), 5),
        },
        "timing": built["timing"]
        | {
            "synthesis_s": round(synth_s, 1),
            "ms_per_story": round(1000 * synth_s / max(len(rows), 1), 1),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", default="val", help="val (report) or tune")
    parser.add_argument("--limit", type=int, default=None, help="first N stories only")
    parser.add_argument("--words", type=int, default=55, help="summary length in words")
    parser.add_argument(
        "--oracle", action="store_true", help="also the greedy sentence oracle (reads the roundups)"
    )
    args = parser.parse_args()
    if not NEUS.exists():
        raise SystemExit(f"{NEUS} is missing; the benchmark needs ../shared/eval beside the repo")
    result = run(args.split, args.limit, args.words, args.oracle)
    save(f"synthesis_eval_{args.split}.json", result)
    for name, s in result["scores"].items():
        print(f"| {name} | {s['rouge1']:.3f} | {s['rouge2']:.3f} | {s['rougeL']:.3f} | "
              f"{s['words']} |")  # fmt: skip


if __name__ == "__main__":
    main()
