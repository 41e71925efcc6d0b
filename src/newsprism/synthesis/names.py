"""Do two spellings name the same person? Transliteration-aware comparison of personal names.

Every name is first written in Latin letters (anyascii: Cyrillic, Greek, Hebrew, Arabic, CJK...),
then each word is reduced to a phonetic key by a small Slavic romanisation table that folds the
differences between BGN/PCGN, Belarusian Latin, ISO 9-like and Polish spellings (kh/h/ch, ts/c,
ya/ia/ja, ei/ey/ej, i/y, ou/ov/au, and the Belarusian a for an unstressed Russian o), so
Lukashenka/Lukashenko, Kalesnikava/Kolesnikova and Tsikhanouski/Tikhanovsky share a key or
nearly. Names from scripts that write few vowels (Hebrew, Arabic) are compared on their consonant
skeletons instead.

Evidence against a match wins over similarity: Slavic gendered forms of one surname
(Tsikhanouski/Tsikhanouskaya, Kolesnikov/Kolesnikova) or of one given name (Aleksandr/Aleksandra)
are two people, and two full names with different given names are two people.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from anyascii import anyascii
from rapidfuzz.distance import Indel, JaroWinkler

from newsprism.synthesis.nicknames import nickname_groups

NAMES_METHOD = "newsprism.names.v1"

# Ordered rewrites from spellings to one phonetic key (applied to lower-case ASCII letters).
_REWRITES: tuple[tuple[str, str], ...] = (
    (r"x", "ks"),
    (r"shch|sch|szcz", "s"),
    (r"tsch|tch|cz|ch", "c"),  # the ch/ч family; Belarusian Latin ch (х) stays close enough
    (r"kh", "x"),  # х: kh (BGN/PCGN)
    (r"dzh|dj", "j"),
    (r"zh|sz|sh|rz", "s"),
    (r"(?<=[aeiou])[iyj]|[iyj](?=[aeiou])", ""),  # glides: ya/ia/ja, yu/iu/ju, ei/ey/ej, ie/ye
    (r"(?<=[aeiou])[iyj]|[iyj](?=[aeiou])", ""),  # again, for iya/iia (Mariya/Maria)
    (r"ts(?=[ie])", "t"),  # Belarusian tsekanne: Tsikhanouski for Russian Tikhanovsky
    (r"dz", "d"),  # dzekanne, Polish dz: Dzjadok/Dyadok
    (r"tz|ts", "c"),
    (r"c(?![eiy])|q", "k"),
    (r"ph", "f"),
    (r"th", "t"),
    (r"gh", "g"),
    (r"w", "v"),
    (r"(?<=[aeo])u(?=[^aeiouy]|$)", "v"),  # ў: Tsikhanouski/Tikhanovsky, Kalesnikau/Kolesnikov
    (r"[oe]", "a"),  # akanne and я/е: Lukashenka/Lukashenko, Sviatlana/Svetlana
    (r"y", "i"),
    (r"[hx]", "g"),  # one class: Belarusian h for Russian g (Siarhei/Sergei), h for х
    (r"(.)\1+", r"\1"),
)
_ABJAD_REWRITES: tuple[tuple[str, str], ...] = (
    (r"[gz]'|dzh|dj|g(?=[eiy])", "j"),  # Hebrew geresh: g' and z' for j and zh; George
    (r"ts'|tsch|tch", "c"),
    (r"x", "ks"),
    (r"sch|sh|zh|sz", "s"),
    (r"kh|ch|ck|q|c(?![eiy])|g", "k"),
    (r"ph|p", "f"),
    (r"z|c|tz|ts", "s"),
    (r"th", "t"),
    (r"[aeiouyvwbh']", ""),  # matres lectionis and consonants the scripts write as vowels
    (r"(.)\1+", r"\1"),
)
_COMPILED = tuple((re.compile(p), r) for p, r in _REWRITES)
_ABJAD = tuple((re.compile(p), r) for p, r in _ABJAD_REWRITES)
# Slavic gendered endings (Russian, Belarusian, Polish, Latvian, Lithuanian spellings): a
# feminine and a masculine form of one stem are two people (Tsikhanouskaya, Tsikhanouski).
_GENDERED = tuple(
    (g, re.compile(rf"^(?P<stem>.{{2,}}{core}){ending}$"))
    for g, core, ending in (
        ("f", "(?:sk|ck|dzk)", "(?:aya|aja|aia|a)"),
        ("m", "(?:sk|ck|dzk)", "(?:iy|ii|ij|yi|yj|yy|y|i|is)"),
        ("f", "[aeo]", "va"),  # -ova, -eva, Belarusian -ava
        ("m", "[aeo]", "(?:v|vs|vas|ff|w|u)"),  # -ov, Latvian -ovs, -off, -ow, Belarusian -au
        ("f", "[iy]n", "a"),
        ("m", "[iy]n", "(?:s|as)?"),
    )
)
_PARTICLES = frozenset(
    {"van", "von", "der", "de", "da", "di", "la", "le", "al", "el", "bin", "ibn"}
)

TOKEN_THRESHOLD = 0.85
ABJAD_THRESHOLD = 0.8


@dataclass(frozen=True)
class NameMatch:
    """The verdict on two name spellings, its strength (0..1) and why."""

    same: bool
    score: float
    reason: str


def romanize(text: str) -> str:
    """``text`` in plain ASCII (any script), with accents and apostrophe variants folded."""
    return anyascii(unicodedata.normalize("NFC", text)).strip()


def is_abjad(text: str) -> bool:
    """True when ``text`` is written in Hebrew or Arabic script (vowels mostly unwritten)."""
    return any("\u0590" <= ch <= "\u06ff" or "\u0750" <= ch <= "\u077f" for ch in text)


def name_tokens(name: str) -> list[str]:
    """The words of a name in lower-case ASCII, particles (van, de, al...) and punctuation out."""
    words = re.findall(r"[a-z']+", romanize(name).lower().replace("-", " "))
    cleaned = [w.strip("'") for w in words]
    return [w for w in cleaned if w and w not in _PARTICLES]


@lru_cache(maxsize=65536)
def phonetic_key(token: str) -> str:
    """The Slavic-romanisation phonetic key of one name word ("Lukashenko" -> "lukasanka")."""
    key = re.sub(r"[^a-z]", "", romanize(token).lower())
    for pattern, repl in _COMPILED:
        key = pattern.sub(repl, key)
    return key


@lru_cache(maxsize=65536)
def skeleton(token: str) -> str:
    """The consonant skeleton of one name word, for comparisons with abjad scripts."""
    key = re.sub(r"[^a-z']", "", romanize(token).lower())
    for pattern, repl in _ABJAD:
        key = pattern.sub(repl, key)
    return key


def _gender(token: str) -> tuple[str, str] | None:
    """("f" or "m", stem) when ``token`` ends like a gendered Slavic surname or given name."""
    for gender, pattern in _GENDERED:
        m = pattern.match(token)
        if m:
            return gender, m.group("stem")
    return None


def gendered_pair(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` are the feminine and masculine forms of one Slavic name."""
    ra, rb = romanize(a).lower(), romanize(b).lower()
    for fem, masc in ((ra, rb), (rb, ra)):
        if fem == masc + "a" and re.search(r"[^aeiouy]$", masc):
            return True  # Aleksandr/Aleksandra, Ivan/Ivana
    ga, gb = _gender(ra), _gender(rb)
    if ga is None or gb is None or ga[0] == gb[0]:
        return False
    ka, kb = phonetic_key(ga[1]), phonetic_key(gb[1])
    return ka == kb or (min(len(ka), len(kb)) >= 3 and _similarity(ka, kb) >= TOKEN_THRESHOLD)


def _similarity(a: str, b: str) -> float:
    indel = Indel.normalized_similarity(a, b)
    if min(len(a), len(b)) < 6:  # a shared prefix says little about short names (Maria/Marina)
        return indel
    return max(indel, JaroWinkler.normalized_similarity(a, b) - 0.05)


def compare_tokens(a: str, b: str) -> NameMatch:
    """Compare two single name words (a surname, or a given name without nicknames)."""
    if not any(ch.isalpha() for ch in a) or not any(ch.isalpha() for ch in b):
        return NameMatch(False, 0.0, "no letters to compare")
    if is_abjad(a) or is_abjad(b):
        sa, sb = skeleton(a), skeleton(b)
        if not sa and not sb:
            return NameMatch(True, 0.5, "no consonants to compare")
        if not sa or not sb:
            return NameMatch(False, 0.0, "consonants on one side only")
        score = Indel.normalized_similarity(sa, sb)
        same = sa == sb or (score >= ABJAD_THRESHOLD and min(len(sa), len(sb)) >= 3)
        return NameMatch(
            same, score, "same consonant skeleton" if sa == sb else "transliteration of"
        )
    if gendered_pair(a, b):
        return NameMatch(False, 0.0, "gendered forms of one name (e.g. -ski/-skaya, -ov/-ova)")
    ka, kb = phonetic_key(a), phonetic_key(b)
    if not ka or not kb:
        return NameMatch(False, 0.0, "no letters to compare")
    if ka == kb:
        exact = romanize(a).lower() == romanize(b).lower()
        return NameMatch(True, 1.0, "same spelling" if exact else "same phonetic key")
    score = _similarity(ka, kb)
    same = score >= TOKEN_THRESHOLD and min(len(ka), len(kb)) >= 4 and ka[0] == kb[0]
    return NameMatch(same, score, "similar spelling")


def compare_given(a: str, b: str, nicknames: bool = True) -> NameMatch:
    """Compare two given names: initials, nicknames (Bill/William), then spelling."""
    ta, tb = romanize(a).lower().strip("."), romanize(b).lower().strip(".")
    if len(ta) == 1 or len(tb) == 1:
        same = bool(ta) and bool(tb) and ta[0] == tb[0]
        return NameMatch(same, 0.7 if same else 0.0, "initial of")
    if nicknames and not (is_abjad(a) or is_abjad(b)):
        groups = nickname_groups()
        if groups.get(ta, set()) & groups.get(tb, set()):
            return NameMatch(True, 0.9, "nickname of")
    return compare_tokens(a, b)


def compare_names(a: str, b: str) -> NameMatch:
    """Compare two full names: the surnames must match, and the given names must not conflict."""
    wa, wb = _words(a), _words(b)
    if not wa or not wb:
        return NameMatch(False, 0.0, "empty name")
    last = compare_tokens(wa[-1], wb[-1])
    if not last.same and len(wa) > 1 and len(wb) > 1:
        # Word order differs between scripts now and then (surname first).
        swapped = compare_tokens(wa[0], wb[-1]), compare_tokens(wa[-1], wb[0])
        if all(m.same for m in swapped):
            return NameMatch(True, min(m.score for m in swapped), "same words, other order")
        return NameMatch(False, last.score, f"different surnames ({last.reason})")
    if not last.same:
        return NameMatch(False, last.score, f"different surnames ({last.reason})")
    if len(wa) == 1 or len(wb) == 1:
        return NameMatch(True, last.score * 0.8, f"surname only ({last.reason})")
    first = compare_given(wa[0], wb[0])
    if not first.same:
        return NameMatch(False, first.score, f"different given names ({first.reason})")
    reasons = sorted({first.reason, last.reason} - {"same spelling"})
    return NameMatch(True, min(first.score, last.score), reasons[0] if reasons else "same spelling")


_NUMERAL = re.compile(r"^(?:I{1,3}|IV|VI{0,3}|IX|XI{1,3}|Jr|Sr|JR|SR|\d+(?:st|nd|rd|th)?)$")


def _words(name: str) -> list[str]:
    """Name words in their own script (kept for abjad detection): "Last, First" put back in
    order; particles, regnal numbers and suffixes (III, Jr) dropped."""
    text = unicodedata.normalize("NFC", name).strip()
    if text.count(",") == 1:
        last, first = text.split(",")
        text = f"{first} {last}"
    raw = re.split(r"[\s\-]+", text)
    words = [w.strip('.,"') if is_abjad(w) else w.strip(".,'’\"") for w in raw]  # keep geresh
    return [w for w in words if w and w.lower() not in _PARTICLES and not _NUMERAL.match(w)]
