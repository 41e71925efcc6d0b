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
from newsprism.errors import FatalError, InvalidRatings
from newsprism.lean.coverage import Coverage
from newsprism.lean.framing import Framing
from newsprism.models import (
    Article,
    IngestReport,
    ItemResult,
    Outcome,
    Outlet,
    RatingSource,
    SideAssignment,
    Story,
    Thread,
)
from newsprism.service import Service
from newsprism.stories.build import BuildReport
from newsprism.synthesis.render import as_text as synthesis_text

app = typer.Typer(
    name="newsprism",
    help="See every side of a story: ingest news coverage, group it into stories, compare sides.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
export_app = typer.Typer(help="Write stored data out as JSON Lines or CSV.", no_args_is_help=True)
app.add_typer(export_app, name="export")
outlets_app = typer.Typer(
    help="Outlets, their ratings and aggregate lean; import your own ratings.",
    invoke_without_command=True,
)
app.add_typer(outlets_app, name="outlets")

err = Console(stderr=True, highlight=False, soft_wrap=True)
out = Console(highlight=False)

EXPORT_COLUMNS = (
    "id", "title", "outlet", "outlet_domain", "url", "author", "published", "published_precision",
    "language", "language_confidence", "text", "content_hash", "ingested_at", "source_kind",
    "source_ref", "extraction_method", "story", "duplicate_of", "duplicate_similarity",
    "duplicate_method", "story_id", "thread_id", "inferred", "extra", "outlet_lean", "lean",
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
            count = _write_articles(service, service.assignments(), fmt, stream)
        finally:
            if stream is not sys.stdout:
                stream.close()
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
    """``outlet_lean`` (the outlet's aggregate rating) and ``lean`` (the side it counts for)."""
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
    }
    return {"outlet_lean": outlet, "lean": lean}


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


@app.command()
def build(
    ctx: typer.Context,
    full: Annotated[
        bool, typer.Option("--full", help="Re-cluster every article (pinned ones stay put).")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Group the articles added since the last build into stories and threads."""
    with _service(ctx) as service:
        report = _build_with_progress(service, full, quiet)
    s = report.summary()
    err.print(
        f"{s['articles']} articles built: {s['new_stories']} new stories, {s['joined']} joined, "
        f"{s['pinned']} pinned, {s['reprints']} reprints, {s['merges']} merges, "
        f"{s['threads_linked']} thread links in {report.seconds:.1f}s"
        + (
            f"; lean: {report.lean.get('estimated', 0)} articles estimated, "
            f"{report.lean.get('unrated', 0)} unrated (too little text)"
            if report.lean
            else ""
        )
        + (f"; {report.syntheses} syntheses stored" if report.syntheses is not None else "")
    )


def _build_with_progress(service: Service, full: bool, quiet: bool) -> BuildReport:
    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=quiet,
    )
    with progress:
        task = progress.add_task("building stories (articles)", total=None)
        synth = progress.add_task("writing syntheses (stories)", total=None, visible=False)

        def tick(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        def tick_synth(done: int, total: int) -> None:
            progress.update(synth, completed=done, total=total, visible=True)

        return service.build(full=full, progress=tick, synthesis_progress=tick_synth)


@app.command()
def stories(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    limit: Annotated[int, typer.Option(help="Show at most this many (latest first).")] = 50,
) -> None:
    """The latest stories: id, dates, size, title."""
    with _service(ctx) as service:
        found = service.stories(limit=limit)
    if as_json:
        out.print_json(json.dumps([st.to_dict(with_articles=False) for st in found]))
        return
    table = Table(title="Stories (latest first)")
    for column in ("id", "first seen", "last seen", "articles", "thread", "title"):
        table.add_column(column)
    for st in found:
        table.add_row(
            str(st.id), st.first_seen or "undated", st.last_seen or "", str(st.n_articles),
            str(st.thread_id or ""), st.title or "(untitled)",
        )  # fmt: skip
    out.print(table)


@app.command()
def show(
    ctx: typer.Context,
    story_id: Annotated[int, typer.Argument(metavar="STORY", help="Story id.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
    synthesizer: Annotated[
        str | None, typer.Option(help="extractive (default) or llm (see docs/configuration.md).")
    ] = None,
) -> None:
    """One story: its neutral cited synthesis, its articles (reprints folded), its coverage."""
    if fmt not in {"text", "json"}:
        raise _fail(f"--format {fmt!r} is not supported; use text or json")
    if synthesizer is not None and synthesizer not in {"extractive", "llm"}:
        raise _fail(f"--synthesizer {synthesizer!r} is not supported; use extractive or llm")
    with _service(ctx) as service:
        story = service.story(story_id)
        framing = service.story_framing(story_id) if story is not None else None
        coverage = service.story_coverage(story_id) if story is not None else None
        synthesis = service.story_synthesis(story_id, synthesizer) if story is not None else None
    if story is None:
        raise _fail(f"story {story_id} does not exist; `newsprism stories` lists them")
    if fmt == "json":
        data = story.to_dict()
        data["framing"] = framing.to_dict() if framing is not None else None
        data["coverage"] = coverage.to_dict() if coverage is not None else None
        data["synthesis"] = synthesis.to_dict() if synthesis is not None else None
        out.print_json(json.dumps(data, ensure_ascii=False))
        return
    out.print(f"[bold]Story {story.id}[/]: {story.title or '(untitled)'}", markup=True)
    out.print(
        f"{story.first_seen or 'undated'} – {story.last_seen or ''} · {story.n_articles} articles "
        f"({len(story.articles)} originals) · thread {story.thread_id or '-'}"
    )
    if story.top_entities:
        out.print("entities: " + ", ".join(story.top_entities[:8]))
    for sa in story.articles:
        date = sa.article.published.date().isoformat() if sa.article.published else "undated"
        outlet = sa.article.outlet_name or "unknown outlet"
        out.print(f"- {date} · {outlet} · {sa.article.title or '(no title)'}")
        for rp in sa.reprints:
            out.print(f"    reprint: {rp.outlet_name or 'unknown outlet'} · {rp.title or ''}")
    if synthesis is not None:
        by_id = {sa.article.id: sa.article for sa in story.articles}
        for line in synthesis_text(synthesis, by_id):
            out.print(line, markup=False, highlight=False)
    if coverage is not None:
        _print_coverage(coverage)
    if framing is not None:
        _print_framing(framing)


def _print_coverage(coverage: Coverage) -> None:
    counts = " · ".join(
        f"{side} {n} ({coverage.shares[side]:.0%})" for side, n in coverage.originals.items()
    )
    n_reprints = sum(coverage.reprints.values())
    out.print(f"coverage (originals; {n_reprints} reprints counted once): {counts}", markup=False)
    for sa in coverage.articles.values():
        if sa.article_id in coverage.reprint_of:
            continue
        how = sa.basis
        if sa.estimated and sa.probability is not None:
            how += f", p={sa.probability:.2f}"
        elif sa.outlet_lean is not None:
            lean = sa.outlet_lean
            how += f" {lean.lean.value}, {lean.n_ratings} ratings"
            if lean.disagree:
                how += f", raters disagree: {_sides_text(lean.sides)}, spread {lean.spread:.2f}"
        outlet = sa.outlet_name or "unknown outlet"
        out.print(f"  {sa.side.value:<8} {outlet} ({how})", markup=False)
    spot = coverage.blindspot
    flag = f"covered mainly by the {spot.side.value}" if spot.flagged and spot.side else "none"
    out.print(f"blindspot: {flag}: {spot.reason}", markup=False)
    for t in spot.tests:
        out.print(
            f"  {t.side.value}: {t.k}/{t.n} sources, share {t.share:.2f}, base rate "
            f"{t.base_rate:.2f}, p={t.p_value:.3g}",
            markup=False,
        )
    if spot.tests:
        out.print(f"  ({spot.test}; alpha {spot.alpha}; base rates: {spot.base_rate_pool}, "
                  f"{spot.base_sources} sources)", markup=False)  # fmt: skip


def _sides_text(sides: dict[str, int]) -> str:
    return ", ".join(f"{n} {side}" for side, n in sides.items() if n)


def _print_framing(framing: Framing) -> None:
    out.print(f"how each side tells it (compared with {framing.compared_with}):")
    for side, sf in framing.sides.items():
        loaded = sf.loaded
        terms = ", ".join(f"{t} ×{n}" for t, n in list(loaded.terms.items())[:6]) or "none"
        words = ", ".join(t.term for t in sf.distinctive[:8]) or "none significant"
        out.print(
            f"  {side.value} ({sf.n_texts} articles): loaded language {loaded.total} "
            f"({loaded.per_1000_words:.1f} per 1,000 words): {terms}"
        )
        out.print(f"    distinctive: {words}", markup=False)
    for note in framing.notes:
        out.print(f"  note: {note}", markup=False)


@app.command()
def synthesize(
    ctx: typer.Context,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Compute and store the synthesis of every story that changed (run after `build`)."""
    progress = Progress(
        SpinnerColumn(), TextColumn("synthesis"), BarColumn(),
        TextColumn("{task.completed}/{task.total} stories"), TimeElapsedColumn(),
        console=err, transient=True, disable=quiet,
    )  # fmt: skip
    with _service(ctx) as service, progress:
        task = progress.add_task("synthesis", total=None)
        computed = service.refresh_syntheses(
            lambda done, total: progress.update(task, completed=done, total=total)
        )
    err.print(f"{computed} syntheses computed and stored")


@export_app.command("stories")
def export_stories(
    ctx: typer.Context,
    fmt: Annotated[str, typer.Option("--format", "-f", help="json (one array).")] = "json",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File (default stdout).")
    ] = None,
) -> None:
    """Every story with its articles (reprints folded) and its thread."""
    if fmt != "json":
        raise _fail(f"--format {fmt!r} is not supported; use json")
    with _service(ctx) as service:
        found = [service.story(st.id) for st in service.stories()]
        data = [st.to_dict() for st in found if st is not None]
        for item in data:
            framing = service.story_framing(item["id"])
            item["framing"] = framing.to_dict() if framing is not None else None
            coverage = service.story_coverage(item["id"])
            item["coverage"] = coverage.to_dict() if coverage is not None else None
            synthesis = service.story_synthesis(item["id"])
            item["synthesis"] = synthesis.to_dict() if synthesis is not None else None
    stream = _open_output(output)
    try:
        json.dump(data, stream, ensure_ascii=False, indent=1)
        stream.write("\n")
    finally:
        if stream is not sys.stdout:
            stream.close()


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
    with _service(ctx) as service:
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
                lean += f"\nraters disagree: {_sides_text(o.lean.sides)}"
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
    with _service(ctx) as service:
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
    with _service(ctx) as service:
        try:
            report = service.import_ratings(file, meta)
        except InvalidRatings as exc:
            for problem in exc.problems:
                err.print(f"{exc.source}: {problem}", markup=False)
            raise _fail(f"{exc.source}: nothing imported") from None
    err.print(
        f"{report.ratings} ratings imported as source {report.source!r} "
        f"({report.new_outlets} new outlets)"
    )


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
    no_serve: Annotated[
        bool, typer.Option("--no-serve", help="Stop after the summary (for scripts).")
    ] = False,
    port: Annotated[int, typer.Option(help="Port to serve the demo on.")] = 8000,
) -> None:
    """Ingest the bundled sample corpus into a fresh database, show what was read, and serve
    it on http://127.0.0.1:PORT (unless --no-serve)."""
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
        built = _build_with_progress(service, full=False, quiet=False)
        found = [service.story(st.id) for st in service.stories()]
        threads = service.threads()
        largest = max(
            (st for st in found if st is not None), key=lambda st: st.n_articles, default=None
        )
        synthesis = service.story_synthesis(largest.id) if largest is not None else None
    _print_report(report, quiet=False)
    _print_demo_table(articles)
    _print_demo_stories([st for st in found if st is not None], threads, built)
    if synthesis is not None and largest is not None:
        out.print(f"[bold]Story {largest.id}[/]: {largest.title or ''}", markup=True)
        by_id = {sa.article.id: sa.article for sa in largest.articles}
        for line in synthesis_text(synthesis, by_id):
            out.print(line, markup=False, highlight=False)
    out.print(f"database: {settings.db}")
    if not no_serve:
        _serve(settings, "127.0.0.1", port, token=None, max_body_mb=10.0)


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


def _print_demo_stories(found: list[Story], threads: list[Thread], built: BuildReport) -> None:
    table = Table(title=f"Stories ({built.articles} articles built in {built.seconds:.1f}s)")
    for column in ("story", "dates", "thread", "title", "articles"):
        table.add_column(column)
    for st in found:
        names = "\n".join(Path(sa.article.source_ref).name[:3] for sa in st.articles)
        table.add_row(
            str(st.id), f"{st.first_seen or 'undated'}\n{st.last_seen or ''}",
            str(st.thread_id or "-"), st.title or "", names,
        )  # fmt: skip
    out.print(table)
    for th in threads:
        line = " → ".join(f"{s.first_seen or 'undated'} story {s.id}" for s in th.stories)
        out.print(f"thread {th.id} ({th.title}): {line}")


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    allow_writes: Annotated[
        bool, typer.Option("--allow-writes", help="Accept POST /api/articles (needs --token).")
    ] = False,
    token: Annotated[
        str | None,
        typer.Option(
            envvar="NEWSPRISM_TOKEN",
            help="Bearer token for writes (16+ characters).",
            show_default=False,
        ),
    ] = None,
    max_body_mb: Annotated[float, typer.Option(help="Largest request body, in MiB.")] = 10.0,
) -> None:
    """Serve the web app: story list, story pages, outlets, threads, search, JSON twins."""
    if allow_writes and not token:
        raise _fail("--allow-writes needs --token TOKEN (or NEWSPRISM_TOKEN) of 16+ characters")
    if not 0 < port < 65536:
        raise _fail(f"--port {port} is not a port; use 1 to 65535")
    if not 0 < max_body_mb <= 1024:
        raise _fail(f"--max-body-mb {max_body_mb} is out of range; use more than 0, up to 1024")
    _serve(ctx.obj, host, port, token if allow_writes else None, max_body_mb)


def _serve(settings: Settings, host: str, port: int, token: str | None, max_body_mb: float) -> None:
    import uvicorn

    from newsprism.web import create_app

    try:
        web = create_app(settings, token=token, max_body_bytes=int(max_body_mb * 1_048_576))
    except FatalError as exc:
        raise _fail(str(exc)) from None
    shown = f"[{host}]" if ":" in host else host
    mode = "accepting POST /api/articles with the token" if token else "read-only"
    out.print(f"serving {settings.db} on http://{shown}:{port}/ ({mode}); Ctrl-C stops")
    uvicorn.run(web, host=host, port=port, log_level="warning", server_header=False)


@export_app.command("site")
def export_site(
    ctx: typer.Context,
    folder: Annotated[Path, typer.Argument(metavar="DIR", help="Folder to write (created).")],
    per_page: Annotated[int, typer.Option(help="Stories on each list page.")] = 20,
) -> None:
    """The web pages as static HTML + JSON, to publish without running a server."""
    from newsprism.web.export import export_site as write_site

    if not 1 <= per_page <= 100:
        raise _fail(f"--per-page {per_page} is out of range; use 1 to 100")
    with _service(ctx) as service:
        try:
            report = write_site(service, folder, per_page=per_page)
        except FatalError as exc:
            raise _fail(str(exc)) from None
        except OSError as exc:
            raise _fail(f"{folder}: cannot write ({exc.strerror})") from None
    err.print(
        f"{report.stories} story pages, {report.threads} thread pages and {report.list_pages} "
        f"list pages written to {folder} (open {folder / 'index.html'})"
    )


def main() -> None:
    """Entry point of the ``newsprism`` command."""
    app()
