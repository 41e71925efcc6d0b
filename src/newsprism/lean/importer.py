"""Reading rating files: the bundled starter table and users' own CSV files.

A user's file is checked whole before anything is stored: every bad row is reported with its
line number, and one bad row means nothing from that file is imported.

Columns (header names are matched case-insensitively; others are ignored): ``domain`` (or
``url``, ``site``), ``name`` (or ``outlet``), at least one of the two; ``value`` (or
``rating``, ``bias``, ``lean``, ``score``); optional ``rated_on`` (or ``date``) and ``note``.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from newsprism.errors import InvalidRatings, ItemError
from newsprism.ingest.decode import read_capped
from newsprism.lean.outlets import Registry, alias_key, domain_of, is_domain
from newsprism.lean.ratings import Scale, parse_scale
from newsprism.models import Lean, RatingSource
from newsprism.store.outlets import RatingRow

BUNDLED_TABLE = "outlet_ratings-v1"
IMPORT_METHOD = "newsprism.rating-import.v1"
MAX_ERRORS_SHOWN = 20

_COLUMNS = {
    "domain": "domain", "url": "domain", "site": "domain", "source_url": "domain",
    "name": "name", "outlet": "name", "outlet_name": "name",
    "value": "value", "rating": "value", "bias": "value", "lean": "value", "score": "value",
    "rated_on": "rated_on", "date": "rated_on", "note": "note", "notes": "note",
}  # fmt: skip
_DATE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SOURCE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,59}$")
_FORMULA = re.compile(r"^(?:[=@\t\r]|[+-](?!\d))")


@dataclass(frozen=True)
class RatingLine:
    """One checked row of a rating file."""

    line: int
    domain: str | None
    name: str | None
    value: str
    lean: Lean
    score: float
    rated_on: str | None = None
    note: str | None = None
    source: str | None = None  # bundled table rows name their source
    aliases: tuple[str, ...] = ()  # more names of the outlet (bundled rows: "A|B|C")


@dataclass(frozen=True)
class BundledTable:
    version: str
    sources: tuple[RatingSource, ...]
    rows: tuple[RatingLine, ...]


def read_rating_file(path: Path, scale_name: str, max_bytes: int) -> list[RatingLine]:
    """Check a user's rating file whole; InvalidRatings lists every bad line (nothing kept)."""
    try:
        scale = parse_scale(scale_name)
    except ValueError as exc:
        raise InvalidRatings(str(path), [str(exc)]) from None
    try:
        # a regular file only, at most max_bytes read (a device such as /dev/zero never ends)
        text = read_capped(path, max_bytes).decode("utf-8-sig")
    except ItemError as exc:
        raise InvalidRatings(str(path), [str(exc).removeprefix(f"{path}: ")]) from None
    except UnicodeDecodeError as exc:
        raise InvalidRatings(str(path), [f"not UTF-8 text (byte {exc.start})"]) from None
    rows, errors = _parse(text, scale, bundled=False, tsv=path.suffix.lower() == ".tsv")
    if not rows and not errors:
        errors.append("no ratings: the file has no data rows")
    if errors:
        raise InvalidRatings(str(path), errors)
    return rows


@cache
def read_bundled() -> BundledTable:
    """The starter table shipped in ``newsprism/lean/data`` (parsed once per process)."""
    data = resources.files("newsprism.lean").joinpath("data", f"{BUNDLED_TABLE}.csv")
    text = data.read_text(encoding="utf-8")
    sources = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        if line.startswith("# source: "):
            meta = json.loads(line.removeprefix("# source: "))
            sources.append(RatingSource(origin="bundled", table_version=BUNDLED_TABLE, **meta))
    scales = {s.name: parse_scale(s.scale) for s in sources}
    body = "\n".join(ln for ln in text.splitlines() if not ln.startswith("#"))
    rows, errors = _parse(body, None, bundled=True, tsv=False, scales=scales)
    if errors:
        raise InvalidRatings(f"bundled {BUNDLED_TABLE}", errors)
    return BundledTable(BUNDLED_TABLE, tuple(sources), tuple(rows))


def _parse(
    text: str,
    scale: Scale | None,
    *,
    bundled: bool,
    tsv: bool,
    scales: dict[str, Scale] | None = None,
) -> tuple[list[RatingLine], list[str]]:
    errors = _Errors()
    rows: list[RatingLine] = []
    first = re.split(r"\r\n?|\n", text, maxsplit=1)[0]
    delimiter = "\t" if tsv or "\t" in first else ","
    # newline="": lines end at \n, \r\n or a lone \r (spreadsheets' "CSV (Macintosh)")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records = _records(reader, errors)
    header = next(records, None)
    if header is None:
        return rows, errors.lines()
    columns = _header(header[1], bundled, errors)
    if columns is None:
        return rows, errors.lines()
    seen: dict[str, int] = {}
    for line, record in records:
        if not any(cell.strip() for cell in record):
            continue
        cells = {name: record[i].strip() for name, i in columns.items() if i < len(record)}
        row_scale = scale
        if scales is not None:
            row_scale = scales.get(cells.get("source", ""))
        try:
            if row_scale is None:
                raise ValueError(f"unknown rating source {cells.get('source', '')[:60]!r}")
            row = _row(line, cells, row_scale, bundled)
        except ValueError as exc:
            errors.add(f"line {line}: {exc}")
            continue
        key = f"{row.source}|{row.domain or 'name:' + (row.name or '').lower()}"
        if key in seen:
            errors.add(
                f"line {line}: {row.domain or row.name!r} is already rated on line {seen[key]}"
            )
            continue
        seen[key] = line
        rows.append(row)
    return rows, errors.lines()


def _records(reader: Any, errors: _Errors) -> Iterator[tuple[int, list[str]]]:
    line = 1
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            errors.add(f"line {line}: malformed CSV ({exc})")
            return
        yield line, record
        line = int(reader.line_num) + 1


def _header(header: list[str], bundled: bool, errors: _Errors) -> dict[str, int] | None:
    names = [h.strip().lower().lstrip("\ufeff") for h in header]
    columns: dict[str, int] = {}
    for i, name in enumerate(names):
        key = "source" if bundled and name == "source" else _COLUMNS.get(name)
        if key and key not in columns:
            columns[key] = i
    if "value" not in columns or not {"domain", "name"} & set(columns):
        errors.add(
            f"line 1: header {', '.join(names)[:200]!r} needs a value column (value, rating, "
            "bias, lean or score) and a domain or name column"
        )
        return None
    return columns


def _row(line: int, cells: dict[str, str], scale: Scale, bundled: bool) -> RatingLine:
    names = cells.get("name", "").split("|") if bundled else [cells.get("name", "")]
    checked = [n for n in (_text(n.strip(), "name", 200) for n in names) if n]
    name = checked[0] if checked else None
    raw_domain = cells.get("domain", "")
    domain = None
    if raw_domain:  # the bundled table holds registrable domains already
        domain = raw_domain if bundled and is_domain(raw_domain) else domain_of(raw_domain)
        if domain is None:
            raise ValueError(f"{raw_domain[:80]!r} is not a domain or URL")
    if domain is None and name is None:
        raise ValueError("neither a domain nor a name")
    value = cells.get("value", "")
    if not value:
        raise ValueError("no value")
    lean, score = scale.map(value)
    rated_on = cells.get("rated_on") or None
    if rated_on is not None and not _DATE.match(rated_on):
        raise ValueError(f"date {rated_on[:40]!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
    return RatingLine(
        line=line,
        domain=domain,
        name=name,
        value=value,
        lean=lean,
        score=score,
        rated_on=rated_on,
        note=_text(cells.get("note", ""), "note", 500),
        source=cells.get("source") if bundled else None,
        aliases=tuple(checked[1:]),
    )


def _text(value: str, what: str, limit: int) -> str | None:
    if not value:
        return None
    if len(value) > limit:
        raise ValueError(f"{what} is {len(value)} characters long (at most {limit})")
    if _CONTROL.search(value):
        raise ValueError(f"{what} {value[:60]!r} contains control characters")
    if _FORMULA.match(value):
        raise ValueError(f"{what} {value[:60]!r} starts like a spreadsheet formula")
    return value


class _Errors:
    """The first bad lines of a file, and how many more there were."""

    def __init__(self) -> None:
        self._shown: list[str] = []
        self._hidden = 0

    def add(self, message: str) -> None:
        if len(self._shown) < MAX_ERRORS_SHOWN:
            self._shown.append(message)
        else:
            self._hidden += 1

    def lines(self) -> list[str]:
        more = [f"... and {self._hidden} more bad lines"] if self._hidden else []
        return self._shown + more


@dataclass(frozen=True)
class ImportReport:
    """What an import stored."""

    source: str
    ratings: int
    new_outlets: int


def install_bundled(registry: Registry) -> bool:
    """Load the starter table into the store unless this version is there; True when loaded."""
    store = registry.store
    table = read_bundled()
    if store.bundled_table_version() == table.version:
        return False
    with store.transaction():
        store.delete_rating_sources("bundled")
        _store(registry, table.sources, table.rows, f"bundled {BUNDLED_TABLE}")
    return True


def import_ratings(
    registry: Registry,
    path: Path,
    source: RatingSource,
    max_bytes: int,
) -> ImportReport:
    """Import a user's rating file as ``source``, whole or not at all (one transaction).

    Importing into an existing user source replaces its ratings; a bundled source's name is
    refused.
    """
    name = source.name.strip()
    if not _SOURCE_NAME.match(name):
        raise InvalidRatings(str(path), [f"source name {name[:60]!r} must be 1-60 letters, "
                                         "digits, '.', '_' or '-'"])  # fmt: skip
    if source.rated_on is not None and not _DATE.match(source.rated_on):
        raise InvalidRatings(str(path), [f"date {source.rated_on[:40]!r} is not YYYY, YYYY-MM or "
                                         "YYYY-MM-DD"])  # fmt: skip
    for what, text in (("citation", source.citation), ("licence", source.licence),
                       ("url", source.url)):  # fmt: skip
        try:
            _text(text or "", what, 1000)
        except ValueError as exc:
            raise InvalidRatings(str(path), [str(exc)]) from None
    existing = {s.name: s for s in registry.store.rating_sources()}
    if name in existing and existing[name].origin != "user":
        raise InvalidRatings(
            str(path), [f"source {name!r} is a bundled source; choose another name"]
        )
    try:
        scale = parse_scale(source.scale)
    except ValueError as exc:
        raise InvalidRatings(str(path), [str(exc)]) from None
    rows = read_rating_file(path, scale.name, max_bytes)
    clean = replace(source, name=name, scale=scale.name, origin="user", table_version=None)
    before = registry.store.count_outlets()
    with registry.store.transaction():
        _store(registry, (clean,), [replace(r, source=name) for r in rows], str(path))
    return ImportReport(name, len(rows), registry.store.count_outlets() - before)


def _store(
    registry: Registry, sources: Sequence[RatingSource], rows: Sequence[RatingLine], where: str
) -> None:
    """Store ``rows`` (the caller holds the transaction); InvalidRatings when two rows of one
    source turn out to rate the same outlet (a name and a domain of it, two spellings)."""
    store = registry.store
    for source in sources:
        store.put_rating_source(source, IMPORT_METHOD)
    ids = registry.ensure_outlets([(r.domain, r.name) for r in rows])
    clashes = _same_outlet(ids, rows)
    if clashes:
        registry.forget()
        raise InvalidRatings(where, clashes)
    store.add_aliases(
        (outlet_id, alias_key(alias), alias)
        for outlet_id, row in zip(ids, rows, strict=True)
        for alias in row.aliases
        if alias_key(alias)
    )
    store.put_ratings(
        RatingRow(i, r.source or "", r.value, r.lean, r.score, r.rated_on, r.note)
        for i, r in zip(ids, rows, strict=True)
    )
    registry.forget()


def _same_outlet(ids: Sequence[int], rows: Sequence[RatingLine]) -> list[str]:
    """A line-numbered error for each row rating an outlet its source already rated on an
    earlier line: one would silently replace the other."""
    errors = _Errors()
    first: dict[tuple[int, str], RatingLine] = {}
    for outlet_id, row in zip(ids, rows, strict=True):
        earlier = first.setdefault((outlet_id, row.source or ""), row)
        if earlier is not row:
            errors.add(
                f"line {row.line}: {_label(row)} is the same outlet as {_label(earlier)} on "
                f"line {earlier.line} (one source rates an outlet once)"
            )
    return errors.lines()


def _label(row: RatingLine) -> str:
    return repr(row.domain or row.name or "")[:80]
