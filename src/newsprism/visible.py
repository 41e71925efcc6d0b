"""Article text as a reader sees it: terminal control codes blanked, lengths kept.

Scraped or pasted text can carry ANSI escape sequences ("\\x1b[31m", "\\x1b]0;title\\x07"), NUL
and other control characters. Their digits must not become figures in the fact table, and none
of them may reach a terminal through ``newsprism show``. Each is replaced by spaces of the same
length, so that every character offset into the stored body stays valid. Ingest uses the same
rule for headlines and names, which it then puts on one line.
"""

from __future__ import annotations

import re

_SEQUENCE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor moves, screen clears
    r"|\x9b[0-?]*[ -/]*[@-~]"  # the same, introduced by the one-byte C1 CSI
    r"|[\x1b\x9d]\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC: window titles, links
    r"|\x1b[ -/]*[0-~]?"  # any other escape
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # every control but newline and tab
_BIDI = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))


def visible(text: str) -> str:
    """``text`` with control sequences and characters replaced by spaces (same length)."""
    if not _CONTROL.search(text):
        return text
    text = _SEQUENCE.sub(lambda m: " " * len(m.group(0)), text)
    return _CONTROL.sub(" ", text)


def for_terminal(line: str) -> str:
    """One line safe to print: no control codes, no line breaks and no bidirectional overrides
    (which would reorder the rest of the line on screen)."""
    return " ".join(visible(line).split("\n")).replace("\t", " ").translate(_BIDI)
