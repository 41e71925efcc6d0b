"""Rating scales, their mapping onto the common seven-point scale, and an outlet's aggregate lean.

Every rating source states its values on its own scale. Each scale below maps them onto
:class:`~newsprism.models.Lean` (far-left ... far-right) and a score in [-1, 1]:

========== ============================================================================
scale      values
========== ============================================================================
lcr-3      left, center, right (anchors -2/3, 0, 2/3)
allsides-5 left, lean left, center, lean right, right
mbfc-7     extreme-left, left, left-center, center (or least biased), right-center,
           right, extreme-right
lean-7     far-left, left, lean-left, center, lean-right, right, far-right
score      a number in [-1, 1] (-1 = furthest left)
range:A:B  a number in [A, B], mapped linearly onto [-1, 1] (e.g. ``range:-42:42``)
========== ============================================================================

An outlet's displayed lean is the median of its enabled ratings' scores; the spread of the
scores and the sides they fall on stay beside it (``disagree`` when more than one side).
"""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from newsprism.models import Lean, OutletLean, Rating, Side

AGGREGATE_METHOD = "newsprism.outlet-lean.v1"

_L = Lean
_LABELS: dict[str, dict[str, Lean]] = {
    "lcr-3": {"left": _L.LEFT, "center": _L.CENTER, "centre": _L.CENTER, "right": _L.RIGHT},
    "allsides-5": {
        "left": _L.LEFT,
        "lean-left": _L.LEAN_LEFT,
        "center": _L.CENTER,
        "centre": _L.CENTER,
        "lean-right": _L.LEAN_RIGHT,
        "right": _L.RIGHT,
    },
    "mbfc-7": {
        "extreme-left": _L.FAR_LEFT,
        "left": _L.LEFT,
        "left-center": _L.LEAN_LEFT,
        "center": _L.CENTER,
        "least-biased": _L.CENTER,
        "right-center": _L.LEAN_RIGHT,
        "right": _L.RIGHT,
        "extreme-right": _L.FAR_RIGHT,
    },
    "lean-7": {lean.value: lean for lean in Lean} | {"centre": _L.CENTER},
}
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,3})?$")
_RANGE = re.compile(r"^range:(?P<lo>[^:]+):(?P<hi>[^:]+)$")
SCALE_NAMES = (*_LABELS, "score", "range:A:B")


@dataclass(frozen=True)
class Scale:
    """A rating scale: labels onto the seven points, or a numeric range onto [-1, 1]."""

    name: str
    labels: dict[str, Lean] | None = None
    low: float = -1.0
    high: float = 1.0

    def map(self, raw: str) -> tuple[Lean, float]:
        """``raw`` on this scale -> (seven-point lean, score). ValueError names the bad value."""
        value = raw.strip()
        if self.labels is not None:
            key = re.sub(r"[\s_]+", "-", value.lower())
            lean = self.labels.get(key)
            if lean is None:
                valid = ", ".join(sorted({k for k in self.labels if k != "centre"}))
                raise ValueError(f"value {value[:60]!r} is not on scale {self.name} ({valid})")
            return lean, lean.score
        number = _parse_number(value)
        if number is None or not self.low <= number <= self.high:
            raise ValueError(
                f"value {value[:60]!r} is not a number in [{_fmt(self.low)}, {_fmt(self.high)}] "
                f"(scale {self.name})"
            )
        score = max(-1.0, min(1.0, 2 * _position(number, self.low, self.high) - 1))
        return Lean.from_score(score), score


def parse_scale(name: str) -> Scale:
    """The scale called ``name``; ValueError lists the valid names."""
    text = name.strip().lower()
    if text in _LABELS:
        return Scale(text, labels=_LABELS[text])
    if text == "score":
        return Scale("score")
    match = _RANGE.match(text)
    if match:
        low, high = _parse_number(match["lo"]), _parse_number(match["hi"])
        if low is not None and high is not None and not math.isnan(_position(high, low, high)):
            return Scale(f"range:{_fmt(low)}:{_fmt(high)}", low=low, high=high)
    raise ValueError(
        f"unknown scale {name[:60]!r}; valid: {', '.join(SCALE_NAMES)} "
        "(range:A:B with numbers A < B)"
    )


def aggregate(ratings: Iterable[Rating]) -> OutletLean | None:
    """The median of the enabled ratings, with spread and sides; None when none is enabled."""
    used = [r for r in ratings if r.enabled]
    if not used:
        return None
    scores = [r.score for r in used]
    median = statistics.median(scores)
    lean = Lean.from_score(median)
    sides = Counter(r.lean.side.value for r in used)
    return OutletLean(
        lean=lean,
        score=median,
        side=lean.side,
        n_ratings=len(used),
        spread=max(scores) - min(scores),
        lowest=min(scores),
        highest=max(scores),
        sides={s.value: sides.get(s.value, 0) for s in (Side.LEFT, Side.CENTER, Side.RIGHT)},
        disagree=len(sides) > 1,
        method=AGGREGATE_METHOD,
    )


def _position(number: float, low: float, high: float) -> float:
    """Where ``number`` lies between ``low`` (0) and ``high`` (1), in halves so that ranges as
    wide as the floats (``range:-1e308:1e308``) do not overflow; nan when the range is empty
    or too narrow to divide."""
    width = high / 2 - low / 2
    return (number / 2 - low / 2) / width if width > 0 else math.nan


def _parse_number(text: str) -> float | None:
    text = text.strip()
    if not _NUMBER.match(text):
        return None
    value = float(text)
    return value if math.isfinite(value) else None


def _fmt(value: float) -> str:
    return f"{value:g}"
