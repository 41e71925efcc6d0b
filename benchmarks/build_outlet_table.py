"""Build the bundled starter table of outlet ratings from published research ratings.

    python -m benchmarks.build_outlet_table [--eval ../shared/eval] [--out PATH]

Reads outlet-level scores and labels only (a domain or outlet name with a value; never an
article text) from ``outlet_ratings/*.{csv,tsv}`` and ``allsides_source_labels.csv`` and writes
``src/newsprism/lean/data/outlet_ratings-v1.csv``: one ``# source: {...}`` header line per
rating source with its citation and its stated terms, then one row per (source, domain).
The output is deterministic: the same inputs give the same bytes.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
from collections import defaultdict
from pathlib import Path

from newsprism.lean.importer import BUNDLED_TABLE
from newsprism.lean.outlets import alias_key, domain_of

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "src" / "newsprism" / "lean" / "data" / f"{BUNDLED_TABLE}.csv"
RESEARCH = "research purposes only"

SOURCES = [
    {
        "name": "robertson2018",
        "scale": "score",
        "citation": "Robertson, Jiang, Joseph, Friedland, Lazer, Wilson (2018). Auditing Partisan "
        "Audience Bias within Google Search. PACM HCI 2(CSCW):148. Partisan audience bias "
        "score: -1 shared only by Democrats, +1 only by Republicans (Twitter panel).",
        "licence": 'Authors\' terms: "We provide our scores below for research purposes only."',
        "url": "https://github.com/gitronald/domains",
        "rated_on": "2018",
    },
    {
        "name": "bakshy2015",
        "scale": "score",
        "citation": "Bakshy, Messing, Adamic (2015). Exposure to ideologically diverse news and "
        "opinion on Facebook. Science 348(6239). Audience alignment score, as republished by "
        "Robertson et al. (2018).",
        "licence": f"{RESEARCH} (terms of the Robertson et al. 2018 release)",
        "url": "https://github.com/gitronald/domains",
        "rated_on": "2015",
    },
    {
        "name": "allsides2018",
        "scale": "allsides-5",
        "citation": "AllSides media bias ratings (2018), as republished by Robertson et al. "
        "(2018), PACM HCI 2(CSCW):148.",
        "licence": f"{RESEARCH} (terms of the Robertson et al. 2018 release); ratings by "
        "AllSides.com",
        "url": "https://github.com/gitronald/domains",
        "rated_on": "2018",
    },
    {
        "name": "mbfc-baly2018",
        "scale": "mbfc-7",
        "citation": "Media Bias/Fact Check labels as collected by Baly, Karadzhov, Alexandrov, "
        "Glass, Nakov (2018). Predicting Factuality of Reporting and Bias of News Media "
        "Sources. EMNLP.",
        "licence": f"{RESEARCH}; no licence file in the release (ramybaly/News-Media-"
        "Reliability); labels by mediabiasfactcheck.com",
        "url": "https://github.com/ramybaly/News-Media-Reliability",
        "rated_on": "2018",
    },
    {
        "name": "mbfc-baly2020",
        "scale": "lcr-3",
        "citation": "Media Bias/Fact Check labels (three-point) as collected by Baly, Karadzhov, "
        "An, Kwak, Dinkov, Ali, Glass, Nakov (2020). What Was Written vs. Who Read It: News "
        "Media Profiling Using Text Analysis and Social Media Context. ACL.",
        "licence": f"{RESEARCH}; no licence file in the release (ramybaly/News-Media-"
        "Reliability); labels by mediabiasfactcheck.com",
        "url": "https://github.com/ramybaly/News-Media-Reliability",
        "rated_on": "2020",
    },
    {
        "name": "allsides-baly2020",
        "scale": "lcr-3",
        "citation": "AllSides outlet ratings carried by the articles of Baly, Da San Martino, "
        "Glass, Nakov (2020). We Can Detect Your Bias: Predicting the Political Ideology of "
        "News Articles. EMNLP. Majority label of the outlet's articles; Lean Left and Lean "
        "Right folded into left and right.",
        "licence": "research and evaluation only; release under Apache-2.0 "
        "(ramybaly/Article-Bias-Prediction); ratings by AllSides.com",
        "url": "https://github.com/ramybaly/Article-Bias-Prediction",
        "rated_on": "2020",
    },
]
_ALLSIDES_5 = {"-1.0": "left", "-0.5": "lean left", "0.0": "center", "0.5": "lean right",
               "1.0": "right"}  # fmt: skip
_OPINION = re.compile(r"opinion|editorial", re.IGNORECASE)


def _robertson(path: Path) -> list[list[str]]:
    rows: list[list[str]] = []
    seen: set[tuple[str, str]] = set()
    with path.open(encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):  # most-shared domains first: the first one per domain wins
            domain = domain_of(r["domain"])
            if domain is None:
                continue
            for source, column in (("robertson2018", "score"), ("bakshy2015", "fb_score"),
                                   ("allsides2018", "allsides_score")):  # fmt: skip
                value = r[column].strip()
                if not value or (source, domain) in seen:
                    continue
                if source == "allsides2018":
                    value = _ALLSIDES_5[f"{float(value):.1f}"]
                note = f"{r['rounded_n_accts']} accounts" if source == "robertson2018" else ""
                if source != "allsides2018":
                    number = float(value)
                    if abs(number) > 1:  # a few alignment scores lie just outside [-1, 1]
                        note = f"published as {number:.4f}, clipped to the scale"
                        number = max(-1.0, min(1.0, number))
                    value = f"{number:.4f}"
                seen.add((source, domain))
                rows.append([source, domain, "", value, "", note])
    return rows


def _mbfc(path: Path, source: str) -> list[list[str]]:
    rows: list[list[str]] = []
    seen: set[str] = set()
    with path.open(encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f, delimiter="\t"):
            domain = domain_of(r["source_url_normalized"])
            if domain is None or domain in seen:
                continue
            seen.add(domain)
            note = f"factuality {r['fact']}; {r['ref']}"
            rows.append([source, domain, "", r["bias"].strip(), "", note])
    return rows


def _looks_like(name: str, domain: str) -> bool:
    """Whether an AllSides name is the outlet at ``domain`` (not a columnist published there)."""
    label = domain.split(".", maxsplit=1)[0]
    words = alias_key(name).split()
    compact = "".join(words)
    initials = "".join(w[0] for w in words)
    return bool(compact) and (
        label.startswith(compact[:3])
        or (len(initials) >= 2 and label.startswith(initials))
        or label in compact
        or label in "the" + compact
    )


def _allsides(path: Path) -> tuple[list[list[str]], int]:
    groups: dict[str, list[dict[str, str]]] = defaultdict(list)
    with path.open(encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            domain = domain_of(r["source_urls"].split("|")[0])
            if domain is not None and _looks_like(r["source"], domain):
                groups[domain].append(r)
    rows: list[list[str]] = []
    for domain in sorted(groups):
        members = groups[domain]
        news = [r for r in members if not _OPINION.search(r["source"])] or members
        counts = {k: sum(int(r[f"n_{k}"]) for r in news) for k in ("left", "center", "right")}
        label = max(counts, key=lambda k: (counts[k], k == "center"))
        note = (f"{counts['left']} left / {counts['center']} center / {counts['right']} right "
                f"articles of {', '.join(r['source'] for r in news)}")  # fmt: skip
        names = sorted(
            {r["source"] for r in members}, key=lambda n: (n not in {r["source"] for r in news}, n)
        )
        rows.append(["allsides-baly2020", domain, "|".join(names), label, "", note])
    return rows, len(groups)


def build(eval_dir: Path) -> str:
    ratings = eval_dir / "outlet_ratings"
    rows = _robertson(ratings / "robertson2018_partisan_audience_bias.csv")
    rows += _mbfc(ratings / "baly_mbfc_emnlp18_corpus.tsv", "mbfc-baly2018")
    rows += _mbfc(ratings / "baly_mbfc_acl2020_corpus.tsv", "mbfc-baly2020")
    allsides, _ = _allsides(eval_dir / "allsides_source_labels.csv")
    rows += allsides
    buffer = io.StringIO()
    buffer.write(
        f"# newsprism bundled outlet ratings, table {BUNDLED_TABLE}. Built by "
        "benchmarks/build_outlet_table.py from published research ratings: outlet-level scores "
        "and labels only, no article text.\n"
        "# Each source line gives its citation and its terms of use; switch a source off with "
        "the rating_sources_off setting.\n"
    )
    for source in SOURCES:
        buffer.write(f"# source: {json.dumps(source, ensure_ascii=False, sort_keys=True)}\n")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["source", "domain", "name", "value", "rated_on", "note"])
    writer.writerows(sorted(rows))
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--eval", type=Path, default=REPO.parent / "shared" / "eval")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    text = build(args.eval)
    args.out.write_text(text, encoding="utf-8")
    print(f"{args.out}: {text.count(chr(10))} lines")


if __name__ == "__main__":
    main()
