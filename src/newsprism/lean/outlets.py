"""The outlet registry: outlets with names, aliases, domains and ratings.

An article's outlet is found from its URL's registrable domain (tldextract with its bundled
Public Suffix List: nothing is fetched), its stored ``outlet_domain``, or its stated name
through aliases: "CNN (Web News)", "cnn.com" and "CNN" are one outlet. A name that several
outlets share resolves to none of them, and an outlet nobody lists stays unknown.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import replace

from anyascii import anyascii

from newsprism.ingest.normalize import registrable_domain
from newsprism.lean.ratings import aggregate
from newsprism.models import Article, Lean, Outlet, OutletLean, Rating
from newsprism.store.outlets import NewOutlet
from newsprism.store.sqlite import SQLiteStore

REGISTRY_METHOD = "newsprism.outlet-registry.v1"

_DOMAIN = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{1,62}$")
_SUFFIX = re.compile(r"\s*(?:\([^)]*\)|-\s*(?:news|opinion|editorial)|\bonline news|web news)\s*$")


def alias_key(name: str) -> str:
    """The form names are matched in: ASCII, lower case, no parenthetical or section suffix.

    >>> alias_key("CNN (Web News)"), alias_key("The New York Times - News")
    ('cnn', 'new york times')
    """
    text = anyascii(name).lower().strip()
    for _ in range(3):
        text = _SUFFIX.sub("", text).strip()
    text = re.sub(r"[^a-z0-9]+", " ", text).strip()
    return text.removeprefix("the ").strip()


def is_domain(text: str) -> bool:
    """Whether ``text`` is written like a lower-case domain name (``example.co.uk``)."""
    return bool(_DOMAIN.match(text))


def domain_of(text: str) -> str | None:
    """The registrable domain of a URL, a host or a bare domain (internationalised names in
    punycode, ``xn--bcher-kva.de``); None when it is neither."""
    raw = text.strip().lower()
    if not raw or len(raw) > 2000 or any(c.isspace() for c in raw):
        return None
    url = raw if "://" in raw else f"http://{raw}"
    try:
        domain = registrable_domain(url)
    except ValueError:
        return None
    if domain is None:
        return None
    if not domain.isascii():  # an internationalised name: stored as ingest stores URLs' hosts
        try:
            domain = domain.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    return domain if _DOMAIN.match(domain) else None


class Registry:
    """Outlets and ratings in one store; ``disabled`` names rating sources switched off."""

    def __init__(self, store: SQLiteStore, disabled: Collection[str] = ()) -> None:
        self.store = store
        self.disabled = frozenset(disabled)
        self._resolved: dict[tuple[str | None, str | None], int | None] = {}
        self._leans: dict[int, OutletLean | None] = {}

    # --- resolution -------------------------------------------------------------------------
    def resolve(self, domain: str | None, name: str | None) -> int | None:
        """The outlet of a (domain, stated name) pair, or None when no outlet matches."""
        key = (domain, name)
        if key not in self._resolved:
            self._resolved[key] = self._resolve(domain, name)
        return self._resolved[key]

    def resolve_article(self, article: Article) -> int | None:
        domain = article.outlet_domain or (domain_of(article.url) if article.url else None)
        return self.resolve(domain, article.outlet_name)

    def _resolve(self, domain: str | None, name: str | None) -> int | None:
        domains = [d for d in (domain, domain_of(name) if name else None) if d]
        found = self.store.outlet_ids_by_domain(domains)
        for d in domains:
            if d in found:
                return found[d]
        if name:
            ids = self.store.outlet_ids_by_alias(alias_key(name))
            if len(ids) == 1:
                return ids[0]
        return None

    def forget(self) -> None:
        """Drop cached look-ups (after the registry changed)."""
        self._resolved.clear()
        self._leans.clear()

    # --- reading ----------------------------------------------------------------------------
    def outlets(self, ids: Sequence[int] | None = None) -> list[Outlet]:
        """Outlets with their ratings and aggregate lean (every outlet when ``ids`` is None)."""
        ratings: dict[int, list[Rating]] = {}
        for r in self.store.rating_rows(ids):
            ratings.setdefault(r["outlet_id"], []).append(
                Rating(
                    source=r["source"],
                    scale=r["scale"],
                    value=r["value"],
                    lean=Lean(r["lean"]),
                    score=float(r["score"]),
                    rated_on=r["rated_on"],
                    note=r["note"],
                    enabled=r["source"] not in self.disabled,
                )
            )
        out = []
        for row in self.store.outlet_rows(ids):
            own = tuple(ratings.get(row["id"], ()))
            lean = aggregate(own)
            self._leans[row["id"]] = lean
            out.append(
                Outlet(
                    id=row["id"],
                    name=row["name"],
                    domains=_split(row["domains"]),
                    aliases=_split(row["aliases"]),
                    ratings=own,
                    lean=lean,
                )
            )
        return out

    def outlet(self, outlet_id: int) -> Outlet | None:
        found = self.outlets([outlet_id])
        return found[0] if found else None

    def leans(self, ids: Iterable[int]) -> dict[int, OutletLean | None]:
        """The aggregate lean of each outlet (None: no enabled rating), cached."""
        ids = list(ids)
        wanted = sorted({i for i in ids if i not in self._leans})
        if wanted:
            self.outlets(wanted)
            for i in wanted:
                self._leans.setdefault(i, None)
        return {i: self._leans[i] for i in ids}

    # --- writing ----------------------------------------------------------------------------
    def ensure_outlets(self, wanted: Sequence[tuple[str | None, str | None]]) -> list[int]:
        """The outlet of each (domain, name), created when nothing matches; names become aliases.

        Call inside a transaction. A known name met with a new domain gains that domain.
        """
        pairs = [(d or (domain_of(n) if n else None), n) for d, n in wanted]
        by_domain = self.store.outlet_ids_by_domain(sorted({d for d, _ in pairs if d}))
        ids: list[int] = []
        pending: dict[str, NewOutlet] = {}
        slots: list[tuple[int, str]] = []
        aliases: list[tuple[int, str, str]] = []
        for pos, (domain, name) in enumerate(pairs):
            key = alias_key(name) if name else ""
            found = by_domain.get(domain) if domain else None
            if found is None and key:
                matches = self.store.outlet_ids_by_alias(key)
                found = matches[0] if len(matches) == 1 else None
                if found is not None and domain:
                    self.store.add_domain(domain, found)
                    by_domain[domain] = found
            ids.append(found if found is not None else -1)
            if found is not None:
                if key and name:
                    aliases.append((found, key, name))
                continue
            slot = domain or f"name:{key}"
            entry = pending.get(slot) or NewOutlet(name or slot, (domain,) if domain else ())
            if key and name:
                entry = replace(entry, aliases=(*entry.aliases, (key, name)))
            pending[slot] = entry
            slots.append((pos, slot))
        self.store.add_aliases(aliases)
        if pending:
            names = list(pending)
            created = dict(
                zip(names, self.store.add_outlets([pending[n] for n in names]), strict=True)
            )
            for pos, slot in slots:
                ids[pos] = created[slot]
        self.forget()
        return ids


def _split(joined: str | None) -> tuple[str, ...]:
    return tuple(sorted(set(joined.split("\x1f")))) if joined else ()
