"""Merge entity mentions into canonical people, organisations and places.

People: full names ("Siarhei Tsikhanouski") merge when their surnames match across spellings and
their given names do not conflict (``names.compare_names``); a cluster only grows while every
pair inside it stays compatible, so a chain of near-matches cannot join two different people.
A bare surname ("Tsikhanouskaya") or an initialled name joins the one cluster it fits, and stays
an ambiguous entity of its own when several fit. Organisations and places merge on common
aliases (U.S./United States), acronyms (EU/European Union) and the same phonetic key
(Hrodna/Grodno).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from newsprism.synthesis.names import NAMES_METHOD, compare_names, compare_tokens, phonetic_key
from newsprism.synthesis.names import romanize as _romanize

ENTITIES_METHOD = "newsprism.entities.v2"  # v2: articles not in English are left out

_TITLES = re.compile(
    r"^(?:(?:mr|mrs|ms|dr|sir|dame|president|prime minister|minister|gen|general|pope|"
    r"king|queen|prince|princess|sen|senator|rep|gov|governor|judge|lord|lady|sheikh)\.?\s+)+",
    re.IGNORECASE,
)
_POSSESSIVE = re.compile(r"(?:['’]s|['’])$")
_ARTICLE = re.compile(r"^the\s+", re.IGNORECASE)
_ACRONYM_SKIP = frozenset({"of", "the", "and", "for", "in", "on", "de", "du", "des", "la", "&"})
_ALIASES = {
    "us": "united states", "usa": "united states", "america": "united states",
    "united states of america": "united states",
    "uk": "united kingdom", "britain": "united kingdom", "great britain": "united kingdom",
    "eu": "european union", "un": "united nations", "uae": "united arab emirates",
    "ussr": "soviet union", "prc": "china", "people's republic of china": "china",
    "russian federation": "russia", "republic of belarus": "belarus",
}  # fmt: skip


class EntityKind(StrEnum):
    """What an entity is."""

    PERSON = "person"
    ORG = "org"
    PLACE = "place"


@dataclass(frozen=True)
class Mention:
    """One mention of a name: its article, sentence, character span in the body, and kind."""

    article_id: str
    sentence: int
    start: int
    end: int
    text: str
    kind: EntityKind


@dataclass(frozen=True)
class Variant:
    """One spelling of an entity, how often it occurs, and why it was merged."""

    form: str
    count: int
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"form": self.form, "count": self.count, "reason": self.reason}


@dataclass(frozen=True)
class Entity:
    """A canonical person, organisation or place with every spelling and mention."""

    id: str
    kind: EntityKind
    name: str
    variants: tuple[Variant, ...]
    mentions: tuple[Mention, ...]
    ambiguous_with: tuple[str, ...] = ()  # for a bare surname several people could own

    @property
    def articles(self) -> list[str]:
        return sorted({m.article_id for m in self.mentions})

    @property
    def sentences(self) -> list[tuple[str, int]]:
        return sorted({(m.article_id, m.sentence) for m in self.mentions})

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "kind": self.kind.value,
            "name": self.name,
            "mentions": len(self.mentions),
            "articles": self.articles,
            "variants": [v.to_dict() for v in self.variants],
            "sentences": [{"article": a, "sentence": s} for a, s in self.sentences],
        }
        if self.ambiguous_with:
            out["ambiguous_with"] = list(self.ambiguous_with)
        return out


@dataclass(frozen=True)
class EntityIndex:
    """The entities of a set of articles, most mentioned first."""

    entities: tuple[Entity, ...]
    method: str = ENTITIES_METHOD
    names_method: str = NAMES_METHOD
    model: str | None = None
    warnings: tuple[str, ...] = ()

    def of_kind(self, kind: EntityKind) -> list[Entity]:
        return [e for e in self.entities if e.kind is kind]

    def find(self, form: str) -> Entity | None:
        """The entity that has ``form`` among its spellings (case-insensitive), if any."""
        wanted = _norm(form)
        for entity in self.entities:
            if any(_norm(v.form) == wanted for v in entity.variants):
                return entity
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "names_method": self.names_method,
            "model": self.model,
            "warnings": list(self.warnings),
            "entities": [e.to_dict() for e in self.entities],
        }


@dataclass
class _Cluster:
    kind: EntityKind
    # normalised form -> why it was merged; "{ref}" stands for the spelling it was matched to
    forms: dict[str, str] = field(default_factory=dict)
    refs: dict[str, str] = field(default_factory=dict)

    def add(self, key: str, reason: str, ref: str | None = None) -> None:
        self.forms[key] = reason
        if ref is not None:
            self.refs[key] = ref

    @property
    def first(self) -> str:
        return next(iter(self.forms))

    ambiguous_with: list[str] = field(default_factory=list)


def clean_form(text: str) -> str:
    """A mention's text without line breaks, bullets, titles, a leading "the" or a possessive."""
    text = next((line for line in text.split("\n") if any(c.isalpha() for c in line)), "")
    text = re.sub(r"\s+", " ", text).strip(" \t•*·-–—\"'“”‘’()[],;:")
    text = _POSSESSIVE.sub("", _ARTICLE.sub("", text)).strip()
    return _TITLES.sub("", text).strip()


def _norm(form: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", form).lower().replace(".", "")).strip()


def _display(forms: Counter[str], kind: EntityKind) -> str:
    """The most frequent spelling; for people full names before bare surnames; mixed case
    before capitals."""
    person = kind is EntityKind.PERSON
    return max(forms, key=lambda f: (person and " " in f, not f.isupper(), forms[f], len(f)))


def resolve(
    mentions: list[Mention], warnings: list[str] | None = None, model: str | None = None
) -> EntityIndex:
    """Canonical entities from raw mentions (pure: no model, no I/O)."""
    by_form: dict[str, list[Mention]] = defaultdict(list)
    surface: dict[str, Counter[str]] = defaultdict(Counter)
    kinds: dict[str, Counter[EntityKind]] = defaultdict(Counter)
    for m in mentions:
        form = clean_form(m.text)
        if sum(ch.isalpha() for ch in form) < 2 or len(form) > 80:
            continue
        key = _norm(form)
        by_form[key].append(m)
        surface[key][form] += 1
        kinds[key][m.kind] += 1
    kind_of = {k: c.most_common(1)[0][0] for k, c in kinds.items()}
    clusters = _people([k for k in by_form if kind_of[k] is EntityKind.PERSON], by_form)
    for kind in (EntityKind.ORG, EntityKind.PLACE):
        clusters += _named_things([k for k in by_form if kind_of[k] is kind], kind)
    _adopt_stray_surnames(clusters, by_form)
    built = [_build(c, by_form, surface) for c in clusters]
    built.sort(key=lambda e: (-len(e.mentions), e.name))
    seen: Counter[str] = Counter()
    final = []
    for e in built:
        slug = re.sub(r"[^a-z0-9]+", "-", _romanize(e.name).lower()).strip("-") or "x"
        seen[slug] += 1
        eid = f"{e.kind.value}:{slug}" + (f"-{seen[slug]}" if seen[slug] > 1 else "")
        final.append(Entity(eid, e.kind, e.name, e.variants, e.mentions, e.ambiguous_with))
    return EntityIndex(tuple(final), model=model, warnings=tuple(warnings or ()))


def _is_initialled(key: str) -> bool:
    words = key.split()
    return len(words) > 1 and any(len(w) == 1 for w in words[:-1])


def _new(kind: EntityKind, key: str) -> _Cluster:
    cluster = _Cluster(kind)
    cluster.add(key, "reference form")
    return cluster


def _people(keys: list[str], by_form: dict[str, list[Mention]]) -> list[_Cluster]:
    full = [k for k in keys if len(k.split()) > 1 and not _is_initialled(k)]
    partial = [k for k in keys if k not in set(full)]
    full.sort(key=lambda k: -len(by_form[k]))
    clusters: list[_Cluster] = []
    for key in full:
        best: tuple[float, _Cluster, str, str] | None = None
        for c in clusters:
            verdicts = [(compare_names(key, other), other) for other in c.forms]
            if all(v.same for v, _ in verdicts):
                top, other = max(verdicts, key=lambda vo: vo[0].score)
                if best is None or top.score > best[0]:
                    best = (top.score, c, top.reason, other)
        if best is None:
            clusters.append(_new(EntityKind.PERSON, key))
        else:
            best[1].add(key, _explain(best[2]), best[3])
    own: list[_Cluster] = []
    for key in sorted(partial, key=lambda k: -len(by_form[k])):
        fits = [c for c in clusters if all(compare_names(key, f).same for f in c.forms)]
        if len(fits) == 1:
            target = fits[0].first
            verdict = compare_tokens(key.split()[-1], target.split()[-1])
            fits[0].add(key, f"{_part(key)} of {{ref}} ({verdict.reason})", target)
            continue
        home = next((c for c in own if all(compare_names(key, f).same for f in c.forms)), None)
        if home is not None and not home.ambiguous_with:
            verdict = compare_names(key, home.first)
            home.add(key, _explain(verdict.reason.removeprefix("surname only ")), home.first)
            continue
        cluster = _new(EntityKind.PERSON, key)
        if len(fits) > 1:
            cluster.ambiguous_with = sorted(c.first for c in fits)
        own.append(cluster)
    return clusters + own


def _part(key: str) -> str:
    return "initialled form" if _is_initialled(key) else "surname"


def _explain(reason: str) -> str:
    if reason in ("same spelling", "same phonetic key"):
        return f"{reason} as {{ref}}"
    return f"transliteration of {{ref}} ({reason})"


def _thing_key(key: str) -> str:
    key = _ALIASES.get(key, key)
    return "".join(phonetic_key(w) for w in key.split())


def _acronym(key: str) -> str:
    return "".join(w[0] for w in key.split() if w not in _ACRONYM_SKIP)


def _named_things(keys: list[str], kind: EntityKind) -> list[_Cluster]:
    groups: dict[str, _Cluster] = {}
    for key in sorted(keys, key=lambda k: (-len(k.split()), k)):
        pkey = _thing_key(key)
        if pkey in groups:
            reason = "alias of {ref}" if _ALIASES.get(key) else "same phonetic key as {ref}"
            groups[pkey].add(key, reason, groups[pkey].first)
            continue
        if " " not in key and 2 <= len(key) <= 6:
            owner = next((c for c in groups.values() if _acronym(c.first) == key), None)
            if owner is not None:
                owner.add(key, "acronym of {ref}", owner.first)
                continue
        groups[pkey] = _new(kind, key)
    return list(groups.values())


def _adopt_stray_surnames(clusters: list[_Cluster], by_form: dict[str, list[Mention]]) -> None:
    """A one-word organisation that is the surname of a person named in the same articles
    (the model tags "Coale" as an organisation now and then) joins that person."""
    people = [c for c in clusters if c.kind is EntityKind.PERSON and not c.ambiguous_with]
    for stray in [c for c in clusters if c.kind is EntityKind.ORG and len(c.forms) == 1]:
        key = stray.first
        if " " in key:
            continue
        articles = {m.article_id for m in by_form[key]}
        owners = [
            (p, f)
            for p in people
            for f in p.forms
            if len(f.split()) > 1
            and f.split()[-1] == key
            and articles & {m.article_id for m in by_form[f]}
        ]
        if len({id(p) for p, _ in owners}) == 1:
            owners[0][0].add(key, "surname of {ref} (tagged as an organisation)", owners[0][1])
            clusters.remove(stray)


def _build(
    cluster: _Cluster, by_form: dict[str, list[Mention]], surface: dict[str, Counter[str]]
) -> Entity:
    counts: Counter[str] = Counter()
    variants: list[Variant] = []
    mentions: list[Mention] = []
    for key, reason in cluster.forms.items():
        ref = cluster.refs.get(key)
        text = reason.format(ref=surface[ref].most_common(1)[0][0] if ref else "")
        counts.update(surface[key])
        for form, n in surface[key].most_common():
            variants.append(Variant(form, n, text))
        mentions.extend(by_form[key])
    mentions.sort(key=lambda m: (m.article_id, m.start))
    variants.sort(key=lambda v: -v.count)
    return Entity(
        "",
        cluster.kind,
        _display(counts, cluster.kind),
        tuple(variants),
        tuple(mentions),
        tuple(surface[k].most_common(1)[0][0] for k in cluster.ambiguous_with),
    )
