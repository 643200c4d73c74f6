"""Reading an accounting journal against reading the same ledger as section 8's files.

Builds one ledger of 1,000,000 sales to 20,000 customers, each paid by one receipt (mostly
transfers, some notes and でんさい with their maturity, some cash), and writes it twice:

* as section 8's CSV files (customers, invoices, receipts: UTF-8, amounts as ``1,234``);
* as a 弥生インポート形式 journal of 2,000,000 one-line 伝票 (CP932, 25 columns) with the
  customers.csv beside it.

Then times :func:`kaishu.ledger.read_ledger` on each (best of ``--repeat`` runs) and prints
the ratio journal / files. Goal: under 2x. Run: ``python3 benchmarks/bench_journal.py``
(``--sales`` for a smaller run).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from kaishu.ledger import read_ledger

METHODS = np.array(["振込", "手形", "でんさい", "現金"])
ACCOUNTS = {"振込": "普通預金", "手形": "受取手形", "でんさい": "電子記録債権", "現金": "現金"}


def ledger(sales: int, customers: int, seed: int = 1) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    ids = np.array([f"C{i:05d}" for i in range(1, customers + 1)])
    names = np.array([f"株式会社取引先{i:05d}" for i in range(1, customers + 1)])
    customer = rng.integers(0, customers, sales)
    start = np.datetime64("2024-04-01")
    date = start + rng.integers(0, 540, sales).astype("timedelta64[D]")
    order = np.argsort(date, kind="stable")
    customer, date = customer[order], date[order]
    amount = np.round(rng.lognormal(12.5, 0.8, sales), -3) + 1000
    method = METHODS[rng.choice(4, sales, p=[0.8, 0.08, 0.07, 0.05])]
    received = date + rng.integers(20, 70, sales).astype("timedelta64[D]")
    maturity = np.where(np.isin(method, ["手形", "でんさい"]),
                        received + np.timedelta64(90, "D"), np.datetime64("NaT"))
    return {
        "customers": pd.DataFrame({"得意先コード": ids, "得意先名": names, "担当者": "佐藤",
                                   "締め日": "末", "支払月": "翌月", "支払日": "末"}),
        "invoices": pd.DataFrame({"請求番号": [f"S{i:08d}" for i in range(1, sales + 1)],
                                  "得意先コード": ids[customer], "売上日": date,
                                  "金額": amount}),
        "receipts": pd.DataFrame({"入金日": received, "得意先コード": ids[customer],
                                  "金額": amount, "入金方法": method, "期日": maturity}),
    }


def _dates(values) -> pd.Series:
    return pd.Series(pd.to_datetime(values)).dt.strftime("%Y/%m/%d").fillna("")


def write_files(data: dict[str, pd.DataFrame], folder: Path) -> None:
    folder.mkdir(parents=True)
    for name, frame in data.items():
        out = frame.copy()
        for column in out:
            if pd.api.types.is_datetime64_any_dtype(out[column]):
                out[column] = _dates(out[column]).to_numpy()
            elif pd.api.types.is_float_dtype(out[column]):
                out[column] = [f"{v:,.0f}" for v in out[column]]
        out.to_csv(folder / f"{name}.csv", index=False, encoding="utf-8")


def write_journal(data: dict[str, pd.DataFrame], folder: Path) -> None:
    folder.mkdir(parents=True)
    customers = data["customers"].set_index("得意先コード")["得意先名"]
    invoices, receipts = data["invoices"], data["receipts"]
    n = len(invoices)
    name = customers.reindex(invoices["得意先コード"]).to_numpy()
    amount = invoices["金額"].map("{:.0f}".format).to_numpy()
    blank = np.full(n, "", object)
    sale = {1: np.full(n, "2111", object), 2: np.arange(1, n + 1).astype(str), 3: blank,
            4: _dates(invoices["売上日"]).to_numpy(), 5: np.full(n, "売掛金", object),
            6: name, 7: blank, 8: np.full(n, "対象外", object), 9: amount,
            10: np.full(n, "0", object), 11: np.full(n, "売上高", object), 12: blank,
            13: blank, 14: np.full(n, "課税売上込10%", object), 15: amount,
            16: (invoices["金額"] - (invoices["金額"] / 1.1).round()).map("{:.0f}".format)
            .to_numpy(), 17: np.full(n, "売上", object),
            18: invoices["請求番号"].to_numpy(), 19: blank}
    money = dict(sale)
    money.update({2: np.arange(n + 1, 2 * n + 1).astype(str),
                  4: _dates(receipts["入金日"]).to_numpy(),
                  5: receipts["入金方法"].map(ACCOUNTS).to_numpy(), 6: blank,
                  11: np.full(n, "売掛金", object), 12: name,
                  14: np.full(n, "対象外", object), 16: np.full(n, "0", object),
                  17: np.full(n, "入金", object), 18: blank,
                  19: _dates(receipts["期日"]).to_numpy()})
    tail = {20: "0", 21: "", 22: "", 23: "0", 24: "0", 25: "no"}
    frames = [pd.DataFrame({**part, **{k: np.full(n, v, object) for k, v in tail.items()}})
              for part in (sale, money)]
    journal = pd.concat(frames, ignore_index=True)
    when = pd.to_datetime(journal[4])
    journal = journal.iloc[np.argsort(when.to_numpy(), kind="stable")]
    journal.to_csv(folder / "仕訳日記帳.txt", header=False, index=False, encoding="cp932",
                   lineterminator="\r\n")
    data["customers"].to_csv(folder / "customers.csv", index=False, encoding="utf-8")


def best(path: Path, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = read_ledger(path)
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sales", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=2)
    options = parser.parse_args()
    data = ledger(options.sales, options.customers)
    with tempfile.TemporaryDirectory() as tmp:
        files, journal = Path(tmp) / "files", Path(tmp) / "journal"
        write_files(data, files)
        write_journal(data, journal)
        lines = 2 * options.sales
        print(f"{options.sales:,} sales and their receipts: {lines:,} journal lines",
              flush=True)
        three, a = best(files, options.repeat)
        print(f"  three CSV files      {three:8.2f} s", flush=True)
        one, b = best(journal, options.repeat)
        print(f"  弥生 journal          {one:8.2f} s", flush=True)
        assert len(b.invoices) == len(a.invoices) and len(b.receipts) == len(a.receipts)
        assert b.invoices["amount"].sum() == a.invoices["amount"].sum()
        assert b.receipts["amount"].sum() == a.receipts["amount"].sum()
        ratio = one / three
        print(f"ratio journal / files: {ratio:.2f} (goal < 2)")


if __name__ == "__main__":
    main()
