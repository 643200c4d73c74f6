"""The ``kaishu`` command: parse arguments, call one library function, print."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import sys
import tempfile
from pathlib import Path

import click
import pandas as pd

from . import __version__
from .cells import evaluate
from .errors import KaishuError
from .examples import EXAMPLES
from .samples import SAMPLE_LEDGER as SAMPLE_LEDGER_DATA
from .samples import copy_sample_data, write_samples
from .bank.run import run_match, statement_files
from .serials import to_serial
from .templates import LANGS, write_templates
from .workbook import mark_sample, refresh_workbook
from .xlsxfiles import differences

SAMPLES = Path("samples")
TEMPLATES = Path("xlsx_templates")
SAMPLE_LEDGER = SAMPLES / "ledger_utf8"
SAMPLE_BANK = SAMPLES / "bank"
SAMPLE_MONTH = "2025-09"
DEMO_OUT = Path("kaishu-demo")


class Kaishu(click.Group):
    """Domain errors (bad ledger, bad workbook) become one clear message and exit code 1."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KaishuError as error:
            raise click.ClickException(str(error)) from None
        except OSError as error:  # the system refused (disk full, no permission, ...)
            where = f"{Path(error.filename).name}: " if error.filename else ""
            raise click.ClickException(where + (error.strerror or str(error))) from None


@click.group(cls=Kaishu)
@click.version_option(__version__, prog_name="kaishu")
def main() -> None:
    """kaishu (回収): credit limits and collection checks for Excel."""


def _to_excel(value):
    """A Python example value as Excel hands it to a worksheet function."""
    return to_serial(value) if isinstance(value, dt.date) else value


@main.command()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=DEMO_OUT,
              show_default=True, help="Folder for the demo's workbooks and sample ledger.")
def demo(out: Path) -> None:
    """Compute every worksheet function on the articles' examples, write the sample
    workbook, the ready-made workbooks and the sample ledger into --out, match the sample
    bank statements (入金消込) and refresh the collection check from that ledger."""
    click.echo(f"{'function':<26} {'kaishu':>16} {'expected':>16}  source")
    for example in EXAMPLES:
        got = evaluate(example.fn, tuple(_to_excel(v) for v in example.args))
        shown = got if isinstance(got, str) else f"{got:,.4f}" if isinstance(got, float) \
            else str(got)[:10]
        expected = example.expected
        expected = f"{expected:,.4f}" if isinstance(expected, (int, float)) else str(expected)
        click.echo(f"{example.function:<26} {shown:>16} {expected:>16}  {example.source}")
    steps = [("samples", lambda: write_samples(out)),
             ("templates", lambda: build_templates(out, "ja", None)),
             ("ledger", lambda: [copy_sample_data(out / "samples")])]
    written = []
    with click.progressbar(steps, label="building workbooks", file=sys.stderr,
                           item_show_func=lambda s: s and s[0]) as bar:
        for _, step in bar:
            written += step()
    workbook = next(p for p in written if p.name == "collection_check.xlsx")
    samples = out / "samples"
    ledger = samples / SAMPLE_LEDGER_DATA
    (ledger / "receipts_bank.csv").unlink(missing_ok=True)  # a run before this one
    statements = statement_files(samples / "bank")
    click.echo(f"matching {', '.join(p.name for p in statements)} (入金消込) ...", err=True)
    result = run_match(ledger, statements, workbook)
    click.echo("入金消込: " + ", ".join(f"{status} {count}" for status, count in
                                         result.matched.counts().items()))
    click.echo(f"refreshing {workbook} for {SAMPLE_MONTH} from {ledger} ...", err=True)
    click.echo(summary(refresh_workbook(workbook, ledger, SAMPLE_MONTH)))
    for path in written:
        if path.suffix != ".py":
            click.echo(f"wrote {path}" + ("/" if path.is_dir() else ""))
    click.echo(f"everything is in {out.resolve()}: open {workbook.name} to see the month")


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
@click.option("--sample", type=click.Path(file_okay=False, path_type=Path),
              default=SAMPLE_LEDGER, show_default=True,
              help="Ledger the collection-check workbook is refreshed from, so it opens "
                   "with real figures (skipped when the folder does not exist).")
@click.option("--sample-month", default=SAMPLE_MONTH, show_default=True, metavar="YYYY-MM")
def templates(out: Path, lang: str, check: bool, sample: Path, sample_month: str) -> None:
    """Generate the ready-made workbooks (xlsx_templates/)."""
    _generate(lambda folder: build_templates(folder, lang, sample, sample_month), out, check,
              f"kaishu templates --lang {lang}")


def build_templates(folder: Path, lang: str, sample: Path | None,
                    month: str = SAMPLE_MONTH) -> list[Path]:
    """The templates, with the collection check refreshed from the sample ledger for the
    six months up to ``month`` (so its history has something to show)."""
    paths = write_templates(folder, lang)
    if sample is not None and sample.is_dir():
        with tempfile.TemporaryDirectory(prefix="kaishu-sample-") as work:
            sample = matched_sample(sample, Path(work) / "ledger")
            for path in paths:
                if path.name.startswith("collection_check") and path.suffix != ".py":
                    for earlier in pd.period_range(end=month, periods=6, freq="M"):
                        refresh_workbook(path, sample, str(earlier))
                    mark_sample(path)  # the first real refresh replaces the sample's rows
    return paths


def matched_sample(ledger: Path, into: Path) -> Path:
    """The sample ledger with the bank statements beside it (../bank) matched into its
    receipts_bank.csv, in a copy at ``into`` (the ledger as it is when there are none)."""
    bank = ledger.parent / "bank"
    if not bank.is_dir():
        return ledger
    shutil.copytree(ledger, into)
    (into / "receipts_bank.csv").unlink(missing_ok=True)
    run_match(into, statement_files(bank))
    return into


@main.command()
@click.argument("workbook", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--ledger", type=click.Path(exists=True, path_type=Path),
              help="Folder of customers/invoices/receipts CSV files, one .xlsx, or an "
                   "accounting journal (弥生インポート形式 or マネーフォワード 仕訳帳) or its folder "
                   "[default: 台帳の場所 in the workbook's settings].")
@click.option("--month", metavar="YYYY-MM", callback=lambda ctx, param, value: _month(value),
              help="The month to refresh [default: 対象月 in the workbook's settings].")
@click.option("--limits", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A credit-limit workbook whose adopted limits replace the master's.")
@click.option("--receivable-account", metavar="NAME",
              help="Journal: the receivables account, whose 補助科目 are the customers "
                   "[default: the settings sheet's, else 売掛金].")
@click.option("--bank-accounts", metavar="NAMES",
              help="Journal: bank accounts (receipts by transfer), separated by 、 or commas "
                   "[default: 普通預金、当座預金、定期預金、通知預金、別段預金].")
@click.option("--note-accounts", metavar="NAMES", help="Journal: notes received [受取手形].")
@click.option("--densai-accounts", metavar="NAMES", help="Journal: でんさい [電子記録債権].")
@click.option("--fee-accounts", metavar="NAMES", help="Journal: bank fees [支払手数料].")
@click.option("--discount-accounts", metavar="NAMES",
              help="Journal: accounts that reduce what is owed (credit notes) "
                   "[売上値引高、売上戻り高、売上割戻し].")
@click.option("--offset-accounts", metavar="NAMES",
              help="Journal: payables offset against receivables (相殺) [買掛金、未払金].")
@click.option("--default-terms", metavar="CLOSE,MONTHS,DAY",
              help="Journal: terms of customers without terms in customers.csv, e.g. "
                   "末,翌月,末 or 20,1,10 [default: the settings sheet's, else 末,翌月,末].")
@click.option("--force", is_flag=True,
              help="Write the month even when it lies outside the ledger's dates.")
def refresh(workbook: Path, ledger: Path | None, month: str | None, limits: Path | None,
            force: bool, default_terms: str | None, **accounts: str | None) -> None:
    """Rebuild the monthly collection check in WORKBOOK from the ledger export (section 8
    files, or an accounting journal: 弥生インポート形式 or マネーフォワード 仕訳帳)."""
    journal = {name.removesuffix("_accounts").removesuffix("_account"): value
               for name, value in accounts.items()}
    journal = {JOURNAL_OPTIONS[k]: v for k, v in journal.items()}
    if default_terms:
        words = [w.strip() for w in re.split(r"[,、，]", default_terms)]
        if len(words) != 3:
            raise click.BadParameter(f"{default_terms!r}: give 締め日,支払月,支払日 "
                                     "such as 末,翌月,末", param_hint="--default-terms")
        journal.update(zip(("closing_day", "payment_months", "payment_day"), words))
    with click.progressbar(length=1, label="refreshing", file=sys.stderr) as bar:
        result = refresh_workbook(workbook, ledger, month, limits, force, journal)
        bar.update(1)
    click.echo(summary(result))
    click.echo(f"wrote {workbook}")


@main.command(name="match")
@click.option("--ledger", required=True, type=click.Path(exists=True, path_type=Path),
              help="The ledger folder: receipts_bank.csv (and payers.csv) are written there.")
@click.option("--bank", "statements", required=True, multiple=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A bank statement: 全銀 振込入金通知 / 入出金取引明細 file, or a CSV download. "
                   "Give --bank once per file; the same deposit in several files counts once.")
@click.argument("more", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--workbook", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A collection-check workbook: its 入金消込 sheet is written, and the codes "
                   "typed in 得意先コード(手入力) are learned first.")
@click.option("--date-column", metavar="NAME", help="CSV: the date column, if not found by "
              "its usual name (日付/取引日/勘定日).")
@click.option("--amount-column", metavar="NAME", help="CSV: the deposit column, if not found "
              "by its usual name (入金額/お預り金額/入金金額).")
@click.option("--payer-column", metavar="NAME", help="CSV: the payer column, if not found by "
              "its usual name (振込依頼人名/摘要/お取引内容/内容).")
def match_command(ledger: Path, statements: tuple[Path, ...], more: tuple[Path, ...],
                  workbook: Path | None, date_column: str | None, amount_column: str | None,
                  payer_column: str | None) -> None:
    """Match bank deposits to customers and invoices (入金消込) and write receipts_bank.csv.

    kaishu match --ledger DIR --bank FILE [FILE ...] [--workbook BOOK]"""
    from .bank.run import run_match, summary as match_summary

    result = run_match(ledger, [*statements, *more], workbook, date_column, amount_column,
                       payer_column)
    click.echo(match_summary(result))
    click.echo(f"wrote {result.receipts_file} ({result.receipt_rows} rows)")
    if result.workbook:
        click.echo(f"wrote {result.workbook} (入金消込)")
#: --xxx-accounts option -> the Accounts field it sets.
JOURNAL_OPTIONS = {"receivable": "receivable", "bank": "banks", "note": "notes",
                   "densai": "densai", "fee": "fees", "discount": "discounts",
                   "offset": "offsets"}


def _month(value: str | None) -> str | None:
    """``YYYY-MM``, checked."""
    if value is None:
        return None
    try:
        return str(pd.Period(dt.datetime.strptime(value, "%Y-%m"), freq="M"))
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a month written as YYYY-MM") from None


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
    if not committed.exists():
        return ["missing"]
    if fresh.suffix in (".xlsx", ".xlsm"):
        return differences(committed, fresh)
    return [] if committed.read_bytes() == fresh.read_bytes() else ["content"]


def summary(month) -> str:
    """A few lines a manager reads first: warnings and the largest overdue amounts."""
    table = month.customers
    overdue = table[[c for c in table if c.startswith("overdue_")]].sum(axis=1)
    collected = table[["cash", "transfer", "note", "densai", "offset", "fee", "other"]].sum(
        axis=1)
    exposure, limit = table["exposure"], table["credit_limit"]
    over = table.loc[(limit > 0) & (exposure > limit), "name"].tolist()
    lines = [f"{month.month}: {len(table)} customers, billed {table['billed'].sum():,.0f}, "
             f"collected {collected.sum():,.0f}, scheduled {table['scheduled'].sum():,.0f}",
             f"over limit: {len(over)}" + (f" ({', '.join(map(str, over[:5]))})" if over else ""),
             f"overdue: {int((overdue > 0).sum())} customers, {overdue.sum():,.0f} yen"]
    if "notice" in table:  # named once each (section 10: 条件未設定, 補助科目なし)
        for word in ("(補助科目なし)", "条件未設定"):
            named = table.loc[table["notice"].fillna("").str.contains(word, regex=False),
                              "name"].astype(str).tolist()
            if named:
                lines.append(f"{word}: {len(named)} customers ({', '.join(named)})")
    top = overdue[overdue > 0].sort_values(ascending=False).head(5)
    lines += [f"  {table.at[i, 'code']} {table.at[i, 'name']}: {v:,.0f}" for i, v in top.items()]
    return "\n".join(lines + month.warnings)


def run() -> None:
    """The ``kaishu`` command."""
    main()


if __name__ == "__main__":
    run()
