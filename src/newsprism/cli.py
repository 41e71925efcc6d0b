"""The command line: a thin shell over :mod:`newsprism.service`.

Exit status 0 on success; 1 on a user error, printed as one line naming the source and the
problem (for ``ingest``: at least one item was refused, everything else was stored).
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from newsprism.config import Settings, load_settings
from newsprism.errors import FatalError
from newsprism.models import Article, IngestReport, ItemResult, Outcome
from newsprism.service import Service

app = typer.Typer(
    name="newsprism",
    help="See every side of a story: ingest news coverage, group it into stories, compare sides.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
export_app = typer.Typer(help="Write stored data out as JSON Lines or CSV.", no_args_is_help=True)
app.add_typer(export_app, name="export")

err = Console(stderr=True, highlight=False, soft_wrap=True)
out = Console(highlight=False)

EXPORT_COLUMNS = (
    "id", "title", "outlet", "outlet_domain", "url", "author", "published", "published_precision",
    "language", "language_confidence", "text", "content_hash", "ingested_at", "source_kind",
    "source_ref", "extraction_method", "story", "duplicate_of", "duplicate_similarity",
    "duplicate_method", "inferred", "extra",
)  # fmt: skip


def _fail(message: str) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}", markup=True, soft_wrap=True)
    return typer.Exit(1)


@app.callback()
def main_options(
    ctx: typer.Context,
    db: Annotated[
        Path | None,
        typer.Option("--db", help="SQLite database (default ./newsprism.db or $NEWSPRISM_DB)."),
    ] = None,
    config: Annotated[
        Path | None, typer.Option("--config", help="TOML settings file (default ./newsprism.toml).")
    ] = None,
) -> None:
    """Global options."""
    try:
        ctx.obj = load_settings(config_file=config, db=db)
    except FatalError as exc:
        raise _fail(str(exc)) from None


@contextmanager
def _service(ctx: typer.Context, **overrides: Any) -> Iterator[Service]:
    settings: Settings = ctx.obj.with_overrides(**overrides)
    try:
        with Service(settings) as service:
            yield service
    except FatalError as exc:
        raise _fail(str(exc)) from None


def _ingest_with_progress(service: Service, sources: list[str], quiet: bool) -> IngestReport:
    progress = Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed} items"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=quiet,
    )
    with progress:
        task = progress.add_task("ingesting", total=None)

        def tick(result: ItemResult) -> None:
            progress.update(task, advance=1, description=f"ingesting {result.source[-50:]}")

        return service.ingest(sources, progress=tick)


def _print_report(report: IngestReport, quiet: bool) -> None:
    for result in report.skipped:
        err.print(f"skipped: {result.reason}", soft_wrap=True)
    if not quiet:
        for warning in report.warnings[:50]:
            err.print(f"warning: {warning}", soft_wrap=True)
        if len(report.warnings) > 50:
            err.print(f"warning: ... and {len(report.warnings) - 50} more warnings")
    counts = report.summary()
    dup_note = " (nothing changed)" if counts["duplicate"] and not counts["added"] else ""
    err.print(
        f"{counts['added']} added, {counts['reprint']} reprints linked, "
        f"{counts['duplicate']} already stored{dup_note}, {counts['skipped']} skipped "
        f"in {report.seconds:.1f}s"
    )


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
    with _service(ctx, **overrides) as service:
        report = _ingest_with_progress(service, sources, quiet)
    _print_report(report, quiet)
    if report.count(Outcome.SKIPPED):
        raise typer.Exit(1)


def _open_output(output: Path | None) -> TextIO:
    if output is None:
        return sys.stdout
    try:
        return output.open("w", encoding="utf-8", newline="")
    except OSError as exc:
        raise _fail(f"{output}: cannot write ({exc.strerror})") from None


@export_app.command("articles")
def export_articles(
    ctx: typer.Context,
    fmt: Annotated[str, typer.Option("--format", "-f", help="jsonl or csv.")] = "jsonl",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File (default stdout).")
    ] = None,
) -> None:
    """Every stored article with all its fields, ids as given at ingest."""
    if fmt not in {"jsonl", "csv"}:
        raise _fail(f"--format {fmt!r} is not supported; use jsonl or csv")
    with _service(ctx) as service:
        stream = _open_output(output)
        try:
            count = _write_articles(service.articles(), fmt, stream)
        finally:
            if stream is not sys.stdout:
                stream.close()
    if output is not None:
        err.print(f"{count} articles written to {output}")


def _write_articles(articles: Iterator[Article], fmt: str, stream: TextIO) -> int:
    count = 0
    writer = None
    if fmt == "csv":
        writer = csv.DictWriter(stream, fieldnames=EXPORT_COLUMNS, extrasaction="ignore")
        writer.writeheader()
    for article in articles:
        row = article.to_dict()
        if writer is None:
            stream.write(json.dumps(row, ensure_ascii=False) + "\n")
        else:
            row["inferred"] = json.dumps(row["inferred"], ensure_ascii=False)
            row["extra"] = json.dumps(row["extra"], ensure_ascii=False)
            writer.writerow(row)
        count += 1
    return count


@app.command()
def stats(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Counts over the archive."""
    with _service(ctx) as service:
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


def _demo_corpus() -> Path:
    here = Path(__file__).resolve()
    for base in (Path.cwd(), *here.parents):
        candidate = base / "examples" / "seeds"
        if candidate.is_dir():
            return candidate
    raise FatalError("the bundled corpus examples/seeds was not found; run from the repository")


@app.command()
def demo(
    ctx: typer.Context,
    corpus: Annotated[
        Path | None, typer.Option(help="Folder to ingest (default examples/seeds).")
    ] = None,
) -> None:
    """Ingest the bundled sample corpus into a fresh database and show what was read."""
    settings: Settings = ctx.obj
    if settings.db == Settings().db:
        settings = settings.with_overrides(db=Path("newsprism-demo.db"))
    try:
        folder = corpus or _demo_corpus()
    except FatalError as exc:
        raise _fail(str(exc)) from None
    for suffix in ("", "-wal", "-shm"):
        Path(f"{settings.db}{suffix}").unlink(missing_ok=True)
    ctx.obj = settings
    with _service(ctx) as service:
        report = _ingest_with_progress(service, [str(folder)], quiet=False)
        articles = list(service.articles())
    _print_report(report, quiet=False)
    _print_demo_table(articles)
    out.print(f"database: {settings.db}")


def _print_demo_table(articles: list[Article]) -> None:
    table = Table(title="Sample corpus", show_lines=True)
    table.add_column("source")
    table.add_column("title")
    table.add_column("date (how found)")
    table.add_column("outlet (how found)")
    for a in articles:
        date = "unknown"
        if a.published:
            how = a.provenance.get("published")
            date = a.published.date().isoformat() + (
                f"\n({how.method}, {how.confidence:.2f})" if how else ""
            )
        outlet = "unknown"
        if a.outlet_name:
            how = a.provenance.get("outlet")
            outlet = a.outlet_name + (f"\n({how.method}, {how.confidence:.2f})" if how else "")
        table.add_row(Path(a.source_ref).name, a.title or "(no title)", date, outlet)
    out.print(table)


def main() -> None:
    """Entry point of the ``newsprism`` command."""
    app()
