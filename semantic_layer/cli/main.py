"""The ``sl`` command: seed, compile, run, query, show and validate a project."""

from __future__ import annotations

import contextlib
import functools
import logging
import sys
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click

from semantic_layer import __version__, api
from semantic_layer.cli.output import FORMATS
from semantic_layer.errors import SemanticLayerError, UsageError, UserError
from semantic_layer.render.dialects import get_dialect

EXIT_OK, EXIT_USER, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
TABLE_ROWS = 20


format_option = click.option(
    "--format",
    "output",
    type=click.Choice(sorted(FORMATS)),
    default="table",
    show_default=True,
    help="How to print the rows: an aligned table, CSV or JSON.",
)


def project_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options every command shares: where the project is and which target to use."""
    options = [
        click.option(
            "--project-dir",
            type=click.Path(file_okay=False, path_type=Path),
            default=".",
            show_default=True,
            help="The folder that holds sl_project.yml.",
        ),
        click.option(
            "--profiles-dir",
            type=click.Path(file_okay=False, path_type=Path),
            help="The folder that holds profiles.yml (else $SL_PROFILES_DIR, the "
            "project folder, then ~/.sl).",
        ),
        click.option("--target", "-t", help="The target of the profile to use."),
    ]
    for option in reversed(options):
        command = option(command)

    @functools.wraps(command)
    def wrapper(
        project_dir: Path, profiles_dir: Path | None, target: str | None, **kwargs: Any
    ) -> Any:
        options = api.Options(project_dir, target, profiles_dir, on_warning=_echo_warning)
        return command(options, **kwargs)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="sl")
@click.option("--debug", is_flag=True, help="Show debug logs and tracebacks of internal errors.")
@click.option("-v", "--verbose", is_flag=True, help="Show what each step does.")
@click.pass_context
def cli(context: click.Context, debug: bool, verbose: bool) -> None:
    """Compile metric definitions into SQL views, deploy them, and query them."""
    context.obj = {"debug": debug}
    if debug or verbose:
        logging.basicConfig(
            level=logging.DEBUG if debug else logging.INFO,
            format="%(levelname)s %(name)s: %(message)s",
        )


@cli.command()
@project_options
@click.option(
    "--warehouse",
    is_flag=True,
    help="Also check the target's data: tables, columns, unique keys, and EXPLAIN of every view.",
)
def validate(options: api.Options, warehouse: bool) -> None:
    """Check every definition and compile every view.

    Every problem is reported in one run, each with its file and line. Warnings do not fail.
    """
    warnings = api.validate(options, warehouse=warehouse)
    _echo_warnings(warnings)
    checked = " and its data on the target are" if warehouse else " is"
    click.echo(f"The project{checked} valid.")


@cli.command()
@project_options
@click.option("--dialect", help="Compile for this dialect without connecting to the target.")
def compile(options: api.Options, dialect: str | None) -> None:  # noqa: A001 - the command's name
    """Write one CREATE VIEW file per view.

    The files go to target/compiled/<dialect>/; with --dialect, nothing connects to the target.
    """
    if dialect is not None:
        try:
            get_dialect(dialect)
        except UserError as error:
            raise click.BadParameter(str(error), param_hint="--dialect") from None
    views, paths, context = api.compile_views(options, dialect)
    _echo_warnings(context.project.warnings)
    folder = paths[0].parent if paths else "target/compiled"
    click.echo(f"Compiled {len(views)} views for {context.dialect.name} into {folder}.")


@cli.command()
@project_options
@click.option(
    "--years",
    type=click.IntRange(1, 10),
    help="Years of sample data to generate (1 by default); only when the seed folder is empty.",
)
def seed(options: api.Options, years: int | None) -> None:
    """Load the CSV seeds into the warehouse.

    With sample-data set in sl_project.yml and no CSV file in the seed folder, the sample data
    is generated first.
    """
    results, generated = api.seed(options, years or 1)
    if generated:
        click.echo("Generated the Jaffle Shop sample data.")
    elif years is not None:
        click.echo(
            "warning: --years is ignored because the seed folder already holds CSV files; "
            "delete them to generate new sample data",
            err=True,
        )
    for result in results:
        click.echo(f"  loaded {result.rows:>8} rows into {result.table}")


@cli.command()
@project_options
@click.option(
    "--select",
    "-s",
    multiple=True,
    help="Deploy only these views (separated by commas) and the SQL models they read.",
)
@click.option("--dry-run", is_flag=True, help="Say what would be deployed, and change nothing.")
@click.option(
    "--lock-timeout",
    type=click.FloatRange(min=0),
    default=None,
    help="Seconds to wait for another deploy to the same target to finish (60 by default).",
)
def run(
    options: api.Options, select: tuple[str, ...], dry_run: bool, lock_timeout: float | None
) -> None:
    """Deploy every SQL model and metric view.

    Views whose compiled SQL did not change since the last deploy are left alone; views sl
    created that are no longer defined are dropped (not with --select).
    """
    prefix = "would be " if dry_run else ""
    if select and not _split(select):
        # An empty --select (a shell variable left unset) must not deploy and drop everything.
        raise click.UsageError("--select names no view; give view names, or leave it out")
    with _progress_bar() as advance:
        results = api.run(
            options,
            progress=advance,
            select=_split(select),
            dry_run=dry_run,
            lock_timeout=lock_timeout,
        )
    for result in results:
        click.echo(f"  {prefix}{result.action:<9} {result.qualified_name}")
    actions = ("created", "replaced", "unchanged", "dropped")
    counts = {a: sum(r.action == a for r in results) for a in actions}
    summary = ", ".join(f"{n} {prefix}{action}" for action, n in counts.items())
    click.echo(summary + (" (dry run: nothing was changed)." if dry_run else "."))


@contextlib.contextmanager
def _progress_bar() -> Iterator[Callable[[Any, int], None] | None]:
    """A bar on stderr while views are deployed, only when stderr is a terminal."""
    if not sys.stderr.isatty():
        yield None
        return
    bars: list[Any] = []

    def advance(result: Any, total: int) -> None:
        if not bars:
            bar = click.progressbar(length=total, label="deploying", file=sys.stderr)
            bars.append(bar.__enter__())
        bars[0].label = f"deploying {result.qualified_name}"
        bars[0].update(1)

    try:
        yield advance
    finally:
        if bars:
            bars[0].__exit__(None, None, None)


def _split(values: tuple[str, ...]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


@cli.command()
@project_options
@click.option(
    "--metrics",
    "-m",
    multiple=True,
    help="Metrics to compute, separated by commas; without any, the group-by's distinct values.",
)
@click.option(
    "--group-by",
    "-g",
    multiple=True,
    help="Group-by columns, e.g. metric_time__month,customer__customer_type.",
)
@click.option(
    "--where",
    "-w",
    multiple=True,
    help="A filter, e.g. \"{{ Dimension('customer__customer_type') }} = 'new'\".",
)
@click.option(
    "--order-by",
    "-o",
    multiple=True,
    help="Columns to order by, separated by commas; a leading '-' sorts descending.",
)
@click.option("--limit", type=click.IntRange(min=0), help="The largest number of rows to return.")
@click.option("--explain", is_flag=True, help="Print the SQL instead of running it.")
@format_option
def query(
    options: api.Options,
    metrics: tuple[str, ...],
    group_by: tuple[str, ...],
    where: tuple[str, ...],
    order_by: tuple[str, ...],
    limit: int | None,
    explain: bool,
    output: str,
) -> None:
    """Compute metrics on the target and print them."""
    request: dict[str, Any] = {
        "metrics": _split(metrics),
        "group_by": _split(group_by),
        "where": list(where),
        "order_by": _split(order_by),
        "limit": limit,
    }
    if explain:
        sql, _ = api.plan_query(options, **request, connect=False)
        click.echo(sql)
        return
    _echo_rows(FORMATS[output](api.query(options, **request)))


@cli.command()
@project_options
@click.argument("view")
@click.option(
    "--limit",
    type=click.IntRange(min=0),
    help="The largest number of rows to print; by default 20 in a table and all in CSV or JSON.",
)
@format_option
def show(options: api.Options, view: str, limit: int | None, output: str) -> None:
    """Print the rows of a deployed view."""
    default = limit is None and output == "table"
    result = api.show(options, view, TABLE_ROWS + 1 if default else limit)
    cut = default and len(result.rows) > TABLE_ROWS
    if cut:
        result = type(result)(result.columns, result.rows[:TABLE_ROWS])
    _echo_rows(FORMATS[output](result))
    if cut:
        click.echo(f"(only the first {TABLE_ROWS} rows; use --limit N for more)", err=True)


def _echo_rows(text: str) -> None:
    click.echo(text, nl=not text.endswith("\n"))


def _echo_warnings(warnings: Any) -> None:
    for warning in warnings:
        _echo_warning(warning)


def _echo_warning(warning: Any) -> None:
    click.echo(str(warning), err=True)


def main(argv: list[str] | None = None) -> int:
    """Run ``sl``; user errors exit 1, usage errors 2, internal errors 3."""
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        cli.main(args=argv, prog_name="sl", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return EXIT_USER
    except click.ClickException as error:
        error.show()
        return EXIT_USAGE
    except UsageError as error:
        click.echo(f"error: {error}", err=True)
        return EXIT_USAGE
    except UserError as error:
        click.echo(str(error), err=True)
        return EXIT_USER
    except SemanticLayerError as error:
        click.echo(f"error: {error}", err=True)
        return EXIT_USER
    except Exception:  # noqa: BLE001 - anything else is our bug, reported as such
        if debug:
            traceback.print_exc()
        else:
            kind = sys.exc_info()[0].__name__  # type: ignore[union-attr]
            click.echo(
                f"internal error ({kind}): this is a bug; run again as `sl --debug ...` for the "
                "traceback and report it",
                err=True,
            )
        return EXIT_INTERNAL
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
