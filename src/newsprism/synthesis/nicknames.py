"""The bundled table of English given names and their nicknames (Bill/William, Liz/Elizabeth).

Derived from github.com/carltonnorthern/nicknames (Apache-2.0; see the header of
``data/nicknames.tsv``). Two given names are nicknames of one another when they share a group:
the formal name and every nickname listed under it.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

NICKNAMES_METHOD = "carltonnorthern-nicknames.v1"


@lru_cache(maxsize=1)
def nickname_groups() -> dict[str, frozenset[str]]:
    """Each known given name (lower case) -> the formal names whose group it belongs to."""
    text = resources.files("newsprism.synthesis").joinpath("data/nicknames.tsv").read_text("utf-8")
    groups: dict[str, set[str]] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, _, nicks = line.partition("\t")
        for member in [name, *nicks.split(",")]:
            if member:
                groups.setdefault(member, set()).add(name)
    return {name: frozenset(g) for name, g in groups.items()}
