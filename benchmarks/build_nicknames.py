"""Re-make the bundled nickname table from the carltonnorthern/nicknames list (Apache-2.0).

    python -m benchmarks.build_nicknames [--source ../shared/eval/names/nicknames_names.csv]

Writes ``src/newsprism/synthesis/data/nicknames.tsv``: one line per given name, its nicknames
after a tab, with the source and licence in a comment header.
"""

from __future__ import annotations

import argparse
import csv
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SOURCE = REPO.parent / "shared" / "eval" / "names" / "nicknames_names.csv"
TARGET = REPO / "src" / "newsprism" / "synthesis" / "data" / "nicknames.tsv"
HEADER = (
    "# Given names and their nicknames, derived from github.com/carltonnorthern/nicknames\n"
    "# (names.csv), Copyright Carlton Northern and contributors, Apache License 2.0.\n"
    "# Format: name<TAB>nickname,nickname,...   Re-made by python -m benchmarks.build_nicknames\n"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--source", type=Path, default=SOURCE)
    args = parser.parse_args()
    table: dict[str, set[str]] = defaultdict(set)
    with args.source.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if row["relationship"] == "has_nickname":
                table[row["name1"].strip().lower()].add(row["name2"].strip().lower())
    lines = [f"{name}\t{','.join(sorted(nicks))}" for name, nicks in sorted(table.items())]
    TARGET.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines)} names, {sum(len(v) for v in table.values())} pairs -> {TARGET}")


if __name__ == "__main__":
    main()
