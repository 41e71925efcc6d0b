"""Outlets and their ratings: ``outlets``, ``outlets sources``, ``outlets import``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from newsprism.cli.base import (
    err,
    fail,
    open_service,
    out,
    outlets_app,
    sides_text,
)
from newsprism.errors import InvalidRatings
from newsprism.models import (
    Outlet,
    RatingSource,
)


@outlets_app.callback()
def outlets(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    everything: Annotated[
        bool, typer.Option("--all", help="Every outlet of the registry, not just the archive's.")
    ] = False,
) -> None:
    """Outlets of the archive (and of imported ratings): aggregate lean, spread and ratings."""
    if ctx.invoked_subcommand is not None:
        return
    with open_service(ctx) as service:
        found = service.outlets(everything=everything)
    if as_json:
        out.print_json(json.dumps([o.to_dict() for o in found], ensure_ascii=False))
        return
    _print_outlets(found)


def _print_outlets(found: list[Outlet]) -> None:
    table = Table(title=f"Outlets ({len(found)})")
    for column in ("id", "outlet", "domains", "lean", "spread", "ratings"):
        table.add_column(column)
    for o in found:
        lean = "unrated"
        if o.lean is not None:
            lean = f"{o.lean.lean.value} ({o.lean.score:+.2f})"
            if o.lean.disagree:
                lean += f"\nraters disagree: {sides_text(o.lean.sides)}"
        ratings = "\n".join(
            f"{r.source}: {r.value} → {r.lean.value}" + ("" if r.enabled else " (switched off)")
            for r in o.ratings
        )
        spread = f"{o.lean.spread:.2f}" if o.lean is not None else ""
        table.add_row(str(o.id), o.name, ", ".join(o.domains[:3]), lean, spread, ratings or "-")
    out.print(table)


@outlets_app.command("sources")
def outlet_sources(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Rating sources: scale, citation, terms, and whether each is switched on."""
    with open_service(ctx) as service:
        found = service.rating_sources()
    if as_json:
        out.print_json(json.dumps([s.to_dict() for s in found], ensure_ascii=False))
        return
    for s in found:
        state = "on" if s.enabled else "switched off (rating_sources_off)"
        out.print(f"{s.name} [{s.origin}, {s.scale}, {s.n_ratings} ratings, {state}]", markup=False)
        out.print(f"  citation: {s.citation or '-'}", markup=False)
        out.print(f"  terms: {s.licence or '-'}", markup=False)


@outlets_app.command("import")
def outlets_import(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="CSV (or TSV): domain and/or name, value.")],
    source: Annotated[str, typer.Option("--source", help="Name of the rating source.")],
    scale: Annotated[
        str,
        typer.Option(help="lcr-3, allsides-5, mbfc-7, lean-7, score, or range:A:B."),
    ],
    citation: Annotated[str | None, typer.Option(help="Who made the ratings, where.")] = None,
    licence: Annotated[str | None, typer.Option(help="Licence or terms of use.")] = None,
    url: Annotated[str | None, typer.Option(help="Where the ratings are published.")] = None,
    rated_on: Annotated[str | None, typer.Option("--date", help="When they were made.")] = None,
) -> None:
    """Import your own outlet ratings; a file with any bad row imports nothing."""
    meta = RatingSource(
        name=source, scale=scale, origin="user", citation=citation, licence=licence, url=url,
        rated_on=rated_on,
    )  # fmt: skip
    with open_service(ctx, create=True) as service:
        try:
            report = service.import_ratings(file, meta)
        except InvalidRatings as exc:
            for problem in exc.problems:
                err.print(f"{exc.source}: {problem}", markup=False)
            raise fail(f"{exc.source}: nothing imported") from None
    err.print(
        f"{report.ratings} ratings imported as source {report.source!r} "
        f"({report.new_outlets} new outlets)"
    )
