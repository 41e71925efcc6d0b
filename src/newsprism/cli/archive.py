"""Reading articles in and writing the archive out: ``ingest``, ``stats``, ``export``."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer
from rich.table import Table

from newsprism.cli.base import (
    app,
    err,
    export_app,
    fail,
    ingest_with_progress,
    open_service,
    out,
    output_stream,
    print_report,
)
from newsprism.errors import FatalError
from newsprism.models import (
    Article,
    Outcome,
    SideAssignment,
)
from newsprism.service import Service

EXPORT_COLUMNS = (
    "id", "title", "outlet", "outlet_domain", "url", "author", "published", "published_precision",
    "language", "language_confidence", "text", "content_hash", "ingested_at", "source_kind",
    "source_ref", "extraction_method", "story", "duplicate_of", "duplicate_similarity",
    "duplicate_method", "story_id", "thread_id", "inferred", "extra", "outlet_lean", "lean",
)  # fmt: skip


OutputFile = Annotated[Path | None, typer.Option("--output", "-o", help="File (default stdout).")]


@app.command()
def ingest(
    ctx: typer.Context,
    sources: Annotated[
        list[str], typer.Argument(help="Files, folders (read recursively) or http(s) URLs.")
    ],
    no_follow: Annotated[
        bool, typer.Option("--no-follow", help="Keep feed teasers; do not fetch entry links.")
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Only errors and the summary.")
    ] = False,
) -> None:
    """Read articles from text, Markdown, HTML, RSS/Atom, JSON Lines (.gz too), folders, URLs."""
    overrides = {"follow_feed_links": False} if no_follow else {}
    with open_service(ctx, create=True, **overrides) as service:
        report = ingest_with_progress(service, sources, quiet)
    print_report(report, quiet)
    if report.count(Outcome.SKIPPED):
        raise typer.Exit(1)


@export_app.command("articles")
def export_articles(
    ctx: typer.Context,
    fmt: Annotated[str, typer.Option("--format", "-f", help="jsonl or csv.")] = "jsonl",
    output: OutputFile = None,
) -> None:
    """Every stored article with all its fields, ids as given at ingest."""
    if fmt not in {"jsonl", "csv"}:
        raise fail(f"--format {fmt!r} is not supported; use jsonl or csv")
    with open_service(ctx) as service, output_stream(output) as stream:
        count = _write_articles(service, service.assignments(), fmt, stream)
    if output is not None:
        err.print(f"{count} articles written to {output}")


def _write_articles(
    service: Service,
    assigned: dict[str, tuple[int, int | None]],
    fmt: str,
    stream: TextIO,
) -> int:
    count = 0
    writer = None
    if fmt == "csv":
        writer = csv.DictWriter(stream, fieldnames=EXPORT_COLUMNS, extrasaction="ignore")
        writer.writeheader()
    for batch in _batches(service.articles(), 500):
        sides = service.article_sides(batch)
        for article in batch:
            row = article.to_dict()
            row["story_id"], row["thread_id"] = assigned.get(article.id, (None, None))
            row.update(_lean_fields(sides[article.id]))
            if writer is None:
                stream.write(json.dumps(row, ensure_ascii=False) + "\n")
            else:
                for key in ("inferred", "extra", "outlet_lean", "lean"):
                    row[key] = json.dumps(row[key], ensure_ascii=False)
                writer.writerow(row)
            count += 1
    return count


def _batches(articles: Iterator[Article], size: int) -> Iterator[list[Article]]:
    batch: list[Article] = []
    for article in articles:
        batch.append(article)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _lean_fields(side: SideAssignment) -> dict[str, Any]:
    """``outlet_lean`` (the outlet's aggregate rating) and ``lean`` (the side it counts for,
    what its text alone suggests, and whether that departs from its rated outlet)."""
    outlet = None
    if side.outlet_id is not None:
        outlet = {"outlet_id": side.outlet_id, "outlet": side.outlet_name}
        outlet |= side.outlet_lean.to_dict() if side.outlet_lean else {"lean": None}
    lean = {
        "label": side.side.value,
        "probability": side.probability,
        "estimated": side.estimated,
        "basis": side.basis,
        "method": side.method,
        "text_estimate": side.to_dict()["text_estimate"],
        "departs_from_outlet": side.departs_from_outlet,
    }
    return {"outlet_lean": outlet, "lean": lean}


@app.command()
def stats(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Counts over the archive."""
    with open_service(ctx) as service:
        s = service.stats()
    data = {
        "articles": s.articles,
        "originals": s.originals,
        "reprints": s.reprints,
        "outlets": s.outlets,
        "with_date": s.with_date,
        "first_published": s.first_published.isoformat() if s.first_published else None,
        "last_published": s.last_published.isoformat() if s.last_published else None,
        "by_source_kind": s.by_source_kind,
        "by_language": s.by_language,
        "ingest_runs": s.ingest_runs,
        "schema_version": s.schema_version,
    }
    if as_json:
        out.print_json(json.dumps(data))
        return
    table = Table(title=f"newsprism archive ({ctx.obj.db})", show_header=False)
    for key, value in data.items():
        shown = (
            ", ".join(f"{k} {v}" for k, v in value.items()) if isinstance(value, dict) else value
        )
        table.add_row(key.replace("_", " "), str(shown))
    out.print(table)


@export_app.command("stories")
def export_stories(
    ctx: typer.Context,
    fmt: Annotated[str, typer.Option("--format", "-f", help="json (one array).")] = "json",
    output: OutputFile = None,
) -> None:
    """Every story with its articles (reprints folded) and its thread."""
    if fmt != "json":
        raise fail(f"--format {fmt!r} is not supported; use json")
    with open_service(ctx) as service:
        found = [service.story(st.id) for st in service.stories()]
        data = [st.to_dict() for st in found if st is not None]
        for item in data:
            framing = service.story_framing(item["id"])
            item["framing"] = framing.to_dict() if framing is not None else None
            coverage = service.story_coverage(item["id"])
            item["coverage"] = coverage.to_dict() if coverage is not None else None
            synthesis = service.story_synthesis(item["id"])
            item["synthesis"] = synthesis.to_dict() if synthesis is not None else None
    with output_stream(output) as stream:
        json.dump(data, stream, ensure_ascii=False, indent=1)
        stream.write("\n")


@export_app.command("site")
def export_site(
    ctx: typer.Context,
    folder: Annotated[Path, typer.Argument(metavar="DIR", help="Folder to write (created).")],
    per_page: Annotated[int, typer.Option(help="Stories on each list page.")] = 20,
) -> None:
    """The web pages as static HTML + JSON, to publish without running a server."""
    from newsprism.web.export import export_site as write_site

    if not 1 <= per_page <= 100:
        raise fail(f"--per-page {per_page} is out of range; use 1 to 100")
    with open_service(ctx) as service:
        try:
            report = write_site(service, folder, per_page=per_page)
        except FatalError as exc:
            raise fail(str(exc)) from None
        except OSError as exc:
            raise fail(f"{folder}: cannot write ({exc.strerror})") from None
    err.print(
        f"{report.stories} story pages, {report.threads} thread pages and {report.list_pages} "
        f"list pages written to {folder} (open {folder / 'index.html'})"
    )
