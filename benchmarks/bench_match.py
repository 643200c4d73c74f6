"""How 入金消込 scales: a year of deposits of 20,000 customers (300,000 statement lines)
against a million invoices.

Generates a ledger with the sample generator (vectorised; no receipts: the bank is their
source), and a year of 全銀 振込入金通知 files, one a month: each customer pays what falls
due on each due date in one transfer, some invoice by invoice, some keeping a bank fee back,
some paying part, and a few deposits come from payers nobody knows. Reports:

* reading those files (the ledger's CSV files and the statements);
* matching (customers and invoices by section 9's rules, and writing receipts_bank.csv);
* the ratio matching / reading (goal < 3), and how the lines ended.

Run: ``python3 benchmarks/bench_match.py`` (``--customers`` and ``--invoices`` for a smaller
run).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "samples"))

from generate_ledger import _pad, bank_kana, export, generate, wareki  # noqa: E402

from kaishu.bank import read_statements  # noqa: E402
from kaishu.bank.files import PAYER_COLUMNS, write_receipts  # noqa: E402
from kaishu.bank.match import match  # noqa: E402
from kaishu.ledger import read_ledger  # noqa: E402

FIRST, LAST = "2024-10", "2025-09"
SYLLABLES = list("アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン"
                 "ガギグゲゴザジズゼゾダヂヅデドバビブベボパピプペポ")


def kana_names(count: int, rng) -> list[str]:
    names: dict[str, None] = {}
    while len(names) < count:
        size = rng.integers(5, 10)
        names["".join(rng.choice(SYLLABLES, size))] = None
    return list(names)


def statements(invoices: pd.DataFrame, kana: list[str], rng) -> pd.DataFrame:
    """A year of deposits: per customer and due date, one transfer (or one per invoice)."""
    invoices = invoices.assign(customer=invoices["得意先コード"].str[1:].astype(int) - 1)
    end = np.datetime64(pd.Period(LAST, freq="M").end_time.date(), "D")
    start = np.datetime64(pd.Period(FIRST, freq="M").start_time.date(), "D")
    due = invoices["支払期日"].to_numpy("datetime64[D]")
    invoices = invoices[(due >= start) & (due <= end)]
    n = len(kana)
    each = rng.random(n) < 0.10      # pay invoice by invoice
    fee = rng.choice([0, 0, 110, 220, 330, 440, 660, 770], n)
    partial = rng.random(n) < 0.03
    single = each[invoices["customer"]]
    one = invoices[single].assign(key=np.arange(int(single.sum())))
    grouped = invoices[~single].groupby(["customer", "支払期日"], as_index=False)["金額"].sum()
    lines = pd.concat([one[["customer", "支払期日", "金額"]], grouped], ignore_index=True)
    c = lines["customer"].to_numpy()
    amount = lines["金額"].to_numpy() - fee[c]
    amount = np.where(partial[c], np.round(amount * 0.6, -3), amount)
    style = rng.choice(3, len(lines))
    names = [bank_kana(kana[i]) for i in range(n)]
    payer = [("ｶ)" + names[i]) if s == 0 else (names[i] + "(ｶ") if s == 1 else names[i]
             for i, s in zip(c, style)]
    unknown = rng.random(len(lines)) < 0.01
    strangers = kana_names(int(unknown.sum()), rng)
    payer = np.array(payer, dtype=object)
    payer[unknown] = [bank_kana(k) for k in strangers]
    return pd.DataFrame({"date": lines["支払期日"].to_numpy(), "amount": amount.astype(int),
                         "payer": payer}).sort_values("date", kind="stable")


def notice_files(lines: pd.DataFrame, folder: Path) -> list[Path]:
    """One 全銀 振込入金通知 file a month (CRLF after each 200-byte record)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for month, part in lines.groupby(lines["date"].dt.to_period("M")):
        first = pd.Timestamp(month.start_time)
        header = (b"1010" + _pad(wareki(month.end_time), 6) + _pad(wareki(first), 6)
                  + _pad(wareki(month.end_time), 6) + _pad("0005", 4) + _pad("", 15)
                  + _pad("001", 3) + _pad("", 15) + b"1" + _pad("1234567", 7) + _pad("", 40)
                  + _pad("", 93))
        records = [header]
        for number, (date, amount, payer) in enumerate(zip(
                part["date"], part["amount"], part["payer"]), start=1):
            day = wareki(date)
            records.append(b"2" + _pad(number, 6, True) + _pad(day, 6) + _pad(day, 6)
                           + _pad(amount, 10, True) + _pad(0, 10, True) + _pad(0, 10, True)
                           + _pad(payer, 48) + _pad("", 15) + _pad("", 15) + b" "
                           + _pad("", 20) + _pad("", 52))
        records += [b"8" + _pad(len(part), 6, True) + _pad("", 193), b"9" + _pad("", 199)]
        path = folder / f"furikomi_nyukin_{month.strftime('%Y%m')}.txt"
        path.write_bytes(b"\r\n".join(records) + b"\r\n")
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--invoices", type=int, default=1_000_000)
    options = parser.parse_args()
    rng = np.random.default_rng(9)
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        months = len(pd.period_range(FIRST, LAST, freq="M"))
        print(f"generating {options.invoices:,} invoices for {options.customers:,} customers",
              flush=True)
        ledger = generate(options.customers, FIRST, LAST,
                          invoices_per_month=options.invoices / options.customers / months)
        kana = kana_names(options.customers, rng)
        ledger["customers"]["得意先名カナ"] = kana
        from kaishu.formulas.terms import due_date  # the agreed due dates, written out

        terms = ledger["customers"].set_index("得意先コード").loc[ledger["invoices"]["得意先コード"]]
        ledger["invoices"]["支払期日"] = np.asarray(due_date(
            ledger["invoices"]["売上日"].to_numpy("datetime64[D]"), terms["締め日"].to_numpy(),
            terms["支払月"].to_numpy(), terms["支払日"].to_numpy()), dtype="datetime64[D]")
        lines = statements(ledger["invoices"], kana, rng)
        books = {"customers": ledger["customers"], "invoices": ledger["invoices"]}
        export(books, work / "ledger", "utf-8")
        paths = notice_files(lines, work / "bank")
        print(f"  {len(ledger['invoices']):,} invoices, {len(lines):,} statement lines in "
              f"{len(paths)} files", flush=True)
        del ledger, lines, books

        print("measuring", flush=True)
        start = time.perf_counter()
        book = read_ledger(work / "ledger")
        read_lines = read_statements(paths)
        reading = time.perf_counter() - start
        print(f"  read the ledger and the statements   {reading:8.2f} s", flush=True)
        start = time.perf_counter()
        matched = match(read_lines, book, pd.DataFrame(columns=PAYER_COLUMNS))
        write_receipts(work / "ledger", matched.receipts, set(read_lines["line_id"]))
        matching = time.perf_counter() - start
        print(f"  match and write receipts_bank.csv    {matching:8.2f} s", flush=True)
    counts = ", ".join(f"{s} {n:,}" for s, n in matched.counts().items() if n)
    print(f"lines: {counts}")
    print(f"match / read            {matching / reading:6.2f}   (goal < 3)")


if __name__ == "__main__":
    main()
