"""Stories: ``build``, ``stories``, ``show``, ``synthesize``."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from newsprism.cli.base import (
    app,
    build_with_progress,
    err,
    fail,
    open_service,
    out,
    sides_text,
)
from newsprism.errors import RequestError
from newsprism.lean.coverage import Coverage
from newsprism.lean.framing import Framing
from newsprism.models import UNDATED_NOTE, Side, StoryQuery
from newsprism.pages import MAX_PER_PAGE
from newsprism.synthesis.render import as_text as synthesis_text


@app.command()
def build(
    ctx: typer.Context,
    full: Annotated[
        bool, typer.Option("--full", help="Re-cluster every article (pinned ones stay put).")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Group the articles added since the last build into stories and threads."""
    with open_service(ctx) as service:
        report = build_with_progress(service, full, quiet)
    s = report.summary()
    err.print(
        f"{s['articles']} articles built: {s['new_stories']} new stories, {s['joined']} joined, "
        f"{s['pinned']} pinned, {s['reprints']} reprints, {s['merges']} merges, "
        f"{s['threads_linked']} thread links in {report.seconds:.1f}s"
        + (
            f"; {s['undated']} undated article{'s' if s['undated'] > 1 else ''} grouped on "
            f"{'their' if s['undated'] > 1 else 'its'} content alone"
            if s["undated"]
            else ""
        )
        + (
            f"; lean: {report.lean.get('estimated', 0)} articles estimated, "
            f"{report.lean.get('unrated', 0)} unrated (too little text)"
            if report.lean
            else ""
        )
        + (f"; {report.syntheses} syntheses stored" if report.syntheses is not None else "")
    )
    for warning in report.warnings:
        err.print(f"warning: {warning}")


@app.command()
def stories(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    limit: Annotated[int, typer.Option(help="Show at most this many (latest first).")] = 50,
    side: Annotated[
        Side | None, typer.Option(help="Only stories with an article from this side.")
    ] = None,
    blindspots: Annotated[
        bool, typer.Option("--blindspots", help="Only stories covered mainly by one side.")
    ] = False,
    since: Annotated[str | None, typer.Option(help="Only stories seen since this day.")] = None,
    until: Annotated[str | None, typer.Option(help="Only stories seen up to this day.")] = None,
) -> None:
    """The latest stories: id, dates, size, title; filtered by side, blindspot or dates with
    their coverage by side (over the whole archive)."""
    if limit < 1:
        raise fail(f"--limit {limit} is not valid; use 1 or more")
    filtered = side is not None or blindspots or since is not None or until is not None
    coverage: dict[int, Coverage] = {}
    with open_service(ctx) as service:
        if not filtered:
            found = service.stories(limit=limit)
        else:
            query = StoryQuery(
                per_page=min(limit, MAX_PER_PAGE), side=side, blindspots_only=blindspots,
                since=_day(since, "--since"), until=_day(until, "--until"),
            )  # fmt: skip
            found = []
            try:
                while len(found) < limit:
                    page = service.story_list(query)
                    found += page.stories[: limit - len(found)]
                    coverage |= page.coverage
                    if query.page >= page.pages:
                        break
                    query = replace(query, page=query.page + 1)
            except RequestError as exc:
                raise fail(str(exc)) from None
    if as_json:
        rows = [
            st.to_dict(with_articles=False)
            | ({"coverage": coverage[st.id].to_dict()} if st.id in coverage else {})
            for st in found
        ]
        out.print_json(json.dumps(rows, ensure_ascii=False))
        return
    table = Table(
        title="Stories (latest first)",
        caption="n: articles"
        + ("; L/C/R: originals from left, center and right outlets" if filtered else ""),
    )
    table.add_column("id", no_wrap=True)
    table.add_column("seen", no_wrap=True)
    table.add_column("n", no_wrap=True)
    table.add_column("thread", no_wrap=True)
    table.add_column("title", min_width=16, ratio=1)
    if filtered:
        table.add_column("L/C/R", no_wrap=True)
        table.add_column("blindspot", no_wrap=True)
    for st in found:
        seen = st.first_seen or "undated"
        if st.last_seen and st.last_seen != st.first_seen:
            seen += f" – {st.last_seen}"
        row = [
            str(st.id),
            seen,
            str(st.n_articles),
            str(st.thread_id or ""),
            st.title or "(untitled)",
        ]
        if filtered:
            row += _coverage_cells(coverage.get(st.id))
        table.add_row(*row)
    out.print(table)


def _day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise fail(f"{option} {value!r} is not a date; use YYYY-MM-DD") from None


def _coverage_cells(coverage: Coverage | None) -> list[str]:
    if coverage is None:
        return ["", ""]
    counts = "/".join(str(coverage.originals[s]) for s in ("left", "center", "right"))
    spot = coverage.blindspot
    return [counts, spot.side.value if spot.flagged and spot.side else ""]


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
        raise fail(f"--format {fmt!r} is not supported; use text or json")
    if synthesizer is not None and synthesizer not in {"extractive", "llm"}:
        raise fail(f"--synthesizer {synthesizer!r} is not supported; use extractive or llm")
    with open_service(ctx) as service:
        story = service.story(story_id)
        framing = service.story_framing(story_id) if story is not None else None
        coverage = service.story_coverage(story_id) if story is not None else None
        synthesis = service.story_synthesis(story_id, synthesizer) if story is not None else None
    if story is None:
        raise fail(f"story {story_id} does not exist; `newsprism stories` lists them")
    if fmt == "json":
        data = story.to_dict()
        data["framing"] = framing.to_dict() if framing is not None else None
        data["coverage"] = coverage.to_dict() if coverage is not None else None
        data["synthesis"] = synthesis.to_dict() if synthesis is not None else None
        out.print_json(json.dumps(data, ensure_ascii=False))
        return
    out.print(f"[bold]Story {story.id}[/]: {escape(story.title or '(untitled)')}", markup=True)
    out.print(
        f"{story.first_seen or 'undated'} – {story.last_seen or ''} · {story.n_articles} articles "
        f"({len(story.articles)} originals) · thread {story.thread_id or '-'}"
    )
    if story.top_entities:
        out.print("entities: " + ", ".join(story.entity_labels()))
    if story.n_undated:
        out.print(f"{story.n_undated} of {len(story.articles)} articles with {UNDATED_NOTE}")
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
        elif sa.basis == "none" and sa.text_estimate is not None:
            hint, p = sa.text_estimate.side, sa.text_estimate.probability
            how += f"; the text suggests {hint.value}" + (f", p={p:.2f}" if p is not None else "")
            how += ", too unsure to count"
        elif sa.outlet_lean is not None:
            lean = sa.outlet_lean
            how += f" {lean.lean.value}, {lean.n_ratings} ratings"
            if lean.disagree:
                how += f", raters disagree: {sides_text(lean.sides)}, spread {lean.spread:.2f}"
            if sa.departs_from_outlet and sa.text_estimate is not None:
                hint, p = sa.text_estimate.side, sa.text_estimate.probability
                how += f"; this article's text reads {hint.value}"
                how += (f", p={p:.2f}" if p is not None else "") + ", unlike its outlet"
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
    with open_service(ctx) as service, progress:
        task = progress.add_task("synthesis", total=None)
        refreshed = service.refresh_syntheses(
            lambda done, total: progress.update(task, completed=done, total=total)
        )
    for warning in refreshed.failed:
        err.print(f"warning: {warning}")
    failed = f", {len(refreshed.failed)} failed" if refreshed.failed else ""
    err.print(f"{refreshed.computed} syntheses computed and stored{failed}")
