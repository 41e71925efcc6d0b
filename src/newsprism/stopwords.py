"""English stop words (scikit-learn's list), loaded on first use.

Importing scikit-learn pulls in scipy.stats, ≈ 0.6 s that every command paid at start-up when
the list was imported at module level (``newsprism --help``: 1.55 s → 0.9 s without it).
"""

from __future__ import annotations

from functools import cache


@cache
def english_stop_words(extra: frozenset[str] = frozenset()) -> frozenset[str]:
    """scikit-learn's English stop words and ``extra``."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS) | extra
