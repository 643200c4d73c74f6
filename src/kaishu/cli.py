"""The ``kaishu`` command: parse arguments, call one library function, print."""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path

import click

from . import __version__
from .cells import evaluate
from .errors import KaishuError
from .examples import EXAMPLES
from .samples import write_samples
from .templates import LANGS, write_templates
from .xlsxfiles import differences

SAMPLES = Path("samples")
TEMPLATES = Path("xlsx_templates")


@click.group()
@click.version_option(__version__, prog_name="kaishu")
def main() -> None:
    """kaishu (回収): credit limits and collection checks for Excel."""


def _to_excel(value):
    """A Python example value as Excel hands it to a worksheet function."""
    if isinstance(value, dt.date):
        return float((value - dt.date(1899, 12, 30)).days)
    return value


@main.command()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("out"),
              show_default=True, help="Folder for the generated workbooks.")
def demo(out: Path) -> None:
    """Compute every worksheet function on the articles' examples and write the sample
    workbook and the ready-made workbooks."""
    click.echo(f"{'function':<26} {'kaishu':>16} {'expected':>16}  source")
    for example in EXAMPLES:
        got = evaluate(example.fn, tuple(_to_excel(v) for v in example.args))
        shown = got if isinstance(got, str) else f"{got:,.4f}" if isinstance(got, float) \
            else str(got)[:10]
        expected = example.expected
        expected = f"{expected:,.4f}" if isinstance(expected, (int, float)) else str(expected)
        click.echo(f"{example.function:<26} {shown:>16} {expected:>16}  {example.source}")
    for path in [*write_samples(out), *write_templates(out)]:
        click.echo(f"wrote {path}")


@main.command()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=SAMPLES,
              show_default=True, help="Folder for the sample workbooks.")
@click.option("--check", is_flag=True,
              help="Do not write; exit 1 if the workbooks in --out differ from a fresh build.")
def samples(out: Path, check: bool) -> None:
    """Generate the sample workbooks (samples/)."""
    _generate(write_samples, out, check, "kaishu samples")


@main.command()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=TEMPLATES,
              show_default=True, help="Folder for the workbooks.")
@click.option("--lang", type=click.Choice(LANGS), default="ja", show_default=True,
              help="Language of labels and headers (ja: Japanese, en: English).")
@click.option("--check", is_flag=True,
              help="Do not write; exit 1 if the workbooks in --out differ from a fresh build.")
def templates(out: Path, lang: str, check: bool) -> None:
    """Generate the ready-made workbooks (xlsx_templates/)."""
    _generate(lambda folder: write_templates(folder, lang), out, check,
              f"kaishu templates --lang {lang}")


def _generate(write, out: Path, check: bool, command: str) -> None:
    """Write generated workbooks into ``out``, or with ``check`` compare them with a fresh
    build (as normalised XML) and fail on any difference."""
    if not check:
        for path in write(out):
            click.echo(f"wrote {path}")
        return
    with tempfile.TemporaryDirectory() as fresh:
        stale = [f"{path.name}: {', '.join(diff)}" for path in write(Path(fresh))
                 if (diff := _compare(out / path.name, path))]
    if stale:
        raise click.ClickException(f"out of date, run `{command}`: " + "; ".join(stale))
    click.echo(f"{out} is up to date")


def _compare(committed: Path, fresh: Path) -> list[str]:
    return ["missing"] if not committed.exists() else differences(committed, fresh)


def run() -> None:
    """Entry point that turns domain errors into one line and exit code 1."""
    try:
        main(standalone_mode=False)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except KaishuError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)
