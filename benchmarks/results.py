"""Where benchmark scripts write what they measured: benchmarks/out/NAME (ignored by git)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent / "out"


def save(name: str, result: Any, show: bool = True) -> Path:
    """Write ``result`` as JSON to benchmarks/out/``name`` (and print it when ``show``)."""
    OUT.mkdir(parents=True, exist_ok=True)
    text = json.dumps(result, indent=2)
    path = OUT / name
    path.write_text(text + "\n", encoding="utf-8")
    if show:
        print(text)
    return path
