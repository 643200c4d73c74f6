"""Generate the sample ledger: a seeded, realistic export of a wholesale company.

About 60 customers over 18 months (April 2024 - September 2025) with the payment terms
Japanese companies use (月末締め翌月末払い, 20日締め翌月10日払い, ...), paying by transfer
(some deducting the bank fee), cash, promissory notes (手形) and でんさい; late payers,
partial payers, an over-limit customer, and one that switches from cash to notes.
Written twice: UTF-8 (ledger_utf8/) and CP932 (ledger_cp932/), as accounting systems
export it (amounts with thousands separators, dates as 2025/04/01, 締め日 as 末).

Also written as accounting journals of the same months (DOMAIN.md section 10): a 弥生
インポート形式 journal (journal_yayoi/, CP932) and a マネーフォワード 仕訳帳 (journal_mf/ in
UTF-8 with BOM, journal_mf_cp932/ in CP932), each beside the customers and carried-in balances.

The UTF-8 copy also ships inside the package (``src/kaishu/data/samples/ledger/``), so
``kaishu demo`` works from an installed kaishu in any folder: the demo copies the folder
``src/kaishu/data/samples/`` whole, so a further sample (a bank statement, a journal) is
shipped by writing it there too.

Run from the repository root: ``python3 samples/generate_ledger.py``. The benchmark uses
:func:`generate` for ledgers of a million invoices; everything is vectorised.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from kaishu.formulas.terms import business_day, due_date

SEED = 20251124
FIRST_MONTH, LAST_MONTH = "2024-04", "2025-09"
HERE = Path(__file__).resolve().parent
PACKAGE_SAMPLES = HERE.parent / "src" / "kaishu" / "data" / "samples"

PREFIXES = np.array(["株式会社", "有限会社", "", "合同会社"])
CORES = np.array(["青葉", "みなと", "さくら", "東和", "ひかり", "大和", "富士", "北斗", "旭",
                  "若葉", "白鷺", "丸山", "中央", "光陽", "三協", "平和", "東邦", "瑞穂",
                  "朝日", "山城"])
TRADES = np.array(["商事", "工業", "食品", "建材", "電機", "物産", "産業", "製作所", "運輸",
                   "システム"])
SALESPEOPLE = np.array(["佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺"])
#: 締め日, 支払月, 支払日 and how common each is.
TERMS = [(("末", "翌月", "末"), 0.40), ((20, "翌月", 10), 0.20), ((15, "翌月", "末"), 0.10),
         (("末", "翌々月", 10), 0.15), ((25, "翌月", 25), 0.10), ((10, "当月", "末"), 0.05)]
#: Months a sale stays unpaid under each of the terms above, on average.
TERM_MONTHS = np.array([1.5, 1.2, 1.3, 2.3, 1.5, 1.0])
#: How customers pay: method of their receipts, and days a note runs.
HABITS = [("振込", 0), ("振込", 0), ("振込", 0), ("手形", 120), ("でんさい", 90), ("現金", 0)]


def generate(customers: int = 60, first: str = FIRST_MONTH, last: str = LAST_MONTH,
             invoices_per_month: float = 4.0, seed: int = SEED) -> dict[str, pd.DataFrame]:
    """The customers, invoices, receipts and carried-in balances of a sample ledger."""
    rng = np.random.default_rng(seed)
    n = customers
    ids = np.array([f"C{i:04d}" for i in range(1, n + 1)])
    names = (rng.choice(PREFIXES, n, p=[0.55, 0.2, 0.2, 0.05]) + rng.choice(CORES, n)
             + rng.choice(TRADES, n))
    names = pd.Series(names).where(~pd.Series(names).duplicated(),
                                   pd.Series(names) + "(" + pd.Series(ids) + ")").to_numpy()
    term = rng.choice(len(TERMS), n, p=[p for _, p in TERMS])
    habit = rng.choice(len(HABITS), n)
    monthly = np.round(rng.lognormal(14.3, 0.8, n), -4)          # about 1.6 million a month
    lateness = rng.choice([0] * 8 + [15, 35, 70], n)               # days late, some chronic
    partial = rng.random(n) < 0.05                                # pay 70% of each invoice
    fee_payer = rng.random(n) < 0.3                                # deduct a 660 yen fee
    note_months = np.array([d for _, d in HABITS])[habit] / 30
    limit = np.round(monthly * 1.1 * (TERM_MONTHS[term] + note_months + lateness / 30 + 0.5)
                     * rng.uniform(1.3, 1.8, n), -5)
    limit[rng.random(n) < 0.05] = np.nan                          # no limit set
    over, switcher = 0, 1                                          # two customers of note
    monthly[over], limit[over], lateness[over], partial[over] = 9_000_000, 12_000_000, 35, False
    habit[switcher], lateness[switcher], partial[switcher] = 5, 0, False   # cash ...
    term[switcher] = 0
    terms = np.array([t for t, _ in TERMS], dtype=object)[term]

    months = pd.period_range(first, last, freq="M")
    counts = rng.poisson(invoices_per_month, (n, len(months)))
    customer = np.repeat(np.repeat(np.arange(n), len(months)), counts.ravel())
    month = np.repeat(np.tile(np.arange(len(months)), n), counts.ravel())
    starts = months.start_time.to_numpy().astype("datetime64[D]")
    lengths = months.days_in_month.to_numpy()
    date = starts[month] + (rng.random(len(month)) * lengths[month]).astype(int)
    amount = np.maximum(np.round(monthly[customer] / invoices_per_month
                                 * rng.lognormal(0, 0.5, len(month)), -3), 1000) * 1.1
    order = np.lexsort((date, customer))
    customer, month, date, amount = customer[order], month[order], date[order], amount[order]
    invoice_id = np.array([f"S{i:07d}" for i in range(1, len(customer) + 1)])
    close, pay_months, pay_day = (np.array([t[k] for t in terms], dtype=object)[customer]
                                  for k in range(3))
    due = np.asarray(due_date(date, close, pay_months, pay_day), dtype="datetime64[D]")

    # receipts: each customer pays what falls due on a due date in one receipt
    paid = np.where(partial[customer], np.round(amount * 0.7, -3), amount)
    method = np.array([h for h, _ in HABITS], dtype=object)[habit][customer]
    switch = (customer == switcher) & (month >= len(months) - 2)
    method[switch] = "手形"                                        # ... then notes
    received = due + lateness[customer] + rng.integers(0, 4, len(due)) * (lateness[customer] > 0)
    received = np.asarray(business_day(received), dtype="datetime64[D]")
    opening = np.round(monthly * rng.uniform(0.8, 1.2, n), -3)     # carried-in balances
    as_of = np.datetime64(months[0].start_time.date(), "D") - 1
    settled = np.asarray(business_day(np.full(n, as_of + 30) + lateness), "datetime64[D]")
    short = paid < amount                                          # the rest a month later
    later = np.asarray(business_day(received[short] + 30), "datetime64[D]")
    pays = pd.DataFrame({"customer": np.concatenate([np.arange(n), customer, customer[short]]),
                         "date": np.concatenate([settled, received, later]),
                         "method": np.concatenate([np.array([h for h, _ in HABITS],
                                                            dtype=object)[habit], method,
                                                   method[short]]),
                         "amount": np.concatenate([opening, paid, (amount - paid)[short]])})
    pays = pays.groupby(["customer", "date", "method"], as_index=False)["amount"].sum()
    fee = fee_payer[pays["customer"]] & (pays["method"] == "振込")
    pays.loc[fee, "amount"] -= 660
    runs = np.array([d for _, d in HABITS])[habit][pays["customer"]]
    runs = np.where(pays["method"] == "手形", 120, runs)
    maturity = pays["date"].to_numpy().astype("datetime64[D]") + runs
    end = np.datetime64(months[-1].end_time.date(), "D")
    keep = pays["date"].to_numpy().astype("datetime64[D]") <= end
    pays, maturity = pays[keep], maturity[keep]
    is_note = pays["method"].isin(["手形", "でんさい"]).to_numpy()

    return {
        "customers": pd.DataFrame({
            "得意先コード": ids, "得意先名": names, "担当者": rng.choice(SALESPEOPLE, n),
            "締め日": [t[0] for t in terms], "支払月": [t[1] for t in terms],
            "支払日": [t[2] for t in terms], "信用限度額": limit}),
        "invoices": pd.DataFrame({"請求番号": invoice_id, "得意先コード": ids[customer],
                                  "売上日": date, "金額": amount}),
        "receipts": pd.DataFrame({
            "入金日": pays["date"].to_numpy(), "得意先コード": ids[pays["customer"]],
            "金額": pays["amount"].to_numpy(), "入金方法": pays["method"].to_numpy(),
            "期日": np.where(is_note, maturity, np.datetime64("NaT"))}),
        "balances": pd.DataFrame({"得意先コード": ids, "基準日": as_of, "金額": opening,
                                  "支払期日": as_of + 30}),
    }


def export(ledger: dict[str, pd.DataFrame], folder: Path, encoding: str) -> None:
    """Write the ledger as an accounting system exports it."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in ledger.items():
        out = frame.copy()
        for column in out:
            values = out[column]
            if pd.api.types.is_datetime64_any_dtype(values):
                out[column] = pd.to_datetime(values).dt.strftime("%Y/%m/%d").fillna("")
            elif pd.api.types.is_numeric_dtype(values):
                out[column] = values.map(lambda v: "" if pd.isna(v) else f"{v:,.0f}")
        out.to_csv(folder / f"{name}.csv", index=False, encoding=encoding, lineterminator="\r\n")


#: 入金方法 -> the account a journal books the money in.
ACCOUNTS = {"振込": "普通預金", "現金": "現金", "手形": "受取手形", "でんさい": "電子記録債権",
            "相殺": "買掛金", "手数料": "支払手数料", "その他": "雑収入"}
YAYOI_NAME_BYTES = 24


def _yayoi_cut(names: pd.Series) -> pd.Series:
    """補助科目 as 弥生 keeps them: the first 24 bytes of the name in CP932."""
    return names.map(lambda n: n.encode("cp932")[:YAYOI_NAME_BYTES].decode("cp932", "ignore"))


def journal_entries(ledger: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The sales and receipts of the ledger as one-line journal entries, in date order
    (invoices before receipts on a day, each in the ledger's order): date, 借方, 貸方,
    customer, amount, invoice number, maturity."""
    customers = ledger["customers"].set_index("得意先コード")["得意先名"]
    invoices, receipts = ledger["invoices"], ledger["receipts"]
    sales = pd.DataFrame({
        "date": invoices["売上日"].to_numpy(), "debit": "売掛金", "credit": "売上高",
        "customer": customers.reindex(invoices["得意先コード"]).to_numpy(),
        "amount": invoices["金額"].to_numpy(), "number": invoices["請求番号"].to_numpy(),
        "maturity": np.datetime64("NaT")})
    money = pd.DataFrame({
        "date": receipts["入金日"].to_numpy(),
        "debit": receipts["入金方法"].map(ACCOUNTS).to_numpy(), "credit": "売掛金",
        "customer": customers.reindex(receipts["得意先コード"]).to_numpy(),
        "amount": receipts["金額"].to_numpy(), "number": "",
        "maturity": receipts["期日"].to_numpy()})
    entries = pd.concat([sales, money], ignore_index=True)
    return entries.sort_values("date", kind="stable", ignore_index=True)


def _text(dates: pd.Series, form: str) -> pd.Series:
    return pd.to_datetime(dates).dt.strftime(form).fillna("")


def export_yayoi(ledger: dict[str, pd.DataFrame], path: Path) -> None:
    """The ledger as 弥生会計 exports its 仕訳日記帳 (弥生インポート形式: 25 columns, no header,
    CP932, one-line 伝票 2111; 補助科目 cut at 24 bytes)."""
    e = journal_entries(ledger)
    n = len(e)
    sale = (e["debit"] == "売掛金").to_numpy()
    sub = _yayoi_cut(e["customer"])
    amount = e["amount"].map(lambda v: f"{v:.0f}")
    tax = (e["amount"] - (e["amount"] / 1.1).round()).map(lambda v: f"{v:.0f}")
    blank = np.full(n, "", object)
    columns = [
        np.full(n, "2111", object), (np.arange(n) + 1).astype(str), blank,
        _text(e["date"], "%Y/%m/%d"),
        e["debit"], np.where(sale, sub, ""), blank, np.where(sale, "対象外", "対象外"),
        amount, np.full(n, "0", object),
        e["credit"], np.where(sale, "", sub), blank, np.where(sale, "課税売上込10%", "対象外"),
        amount, np.where(sale, tax, "0"),
        np.where(sale, "売上", "入金"), e["number"], _text(e["maturity"], "%Y/%m/%d"),
        np.full(n, "0", object), blank, blank, np.full(n, "0", object),
        np.full(n, "0", object), np.full(n, "no", object)]
    frame = pd.DataFrame({i: np.asarray(c, dtype=object) for i, c in enumerate(columns)})
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, header=False, index=False, encoding="cp932", lineterminator="\r\n")


MF_HEADER = ("取引No", "取引日", "借方勘定科目", "借方補助科目", "借方部門", "借方取引先",
             "借方税区分", "借方インボイス", "借方金額(円)", "借方税額", "貸方勘定科目",
             "貸方補助科目", "貸方部門", "貸方取引先", "貸方税区分", "貸方インボイス",
             "貸方金額(円)", "貸方税額", "摘要", "仕訳メモ", "タグ", "MF仕訳タイプ",
             "決算整理仕訳", "作成日時", "作成者", "最終更新日時", "最終更新者")


def export_mf(ledger: dict[str, pd.DataFrame], path: Path, encoding: str) -> None:
    """The ledger as マネーフォワード クラウド会計 exports its 仕訳帳 (a header row; a note's
    maturity written in 摘要)."""
    e = journal_entries(ledger)
    n = len(e)
    sale = (e["debit"] == "売掛金").to_numpy()
    amount = e["amount"].map(lambda v: f"{v:,.0f}")
    tax = (e["amount"] - (e["amount"] / 1.1).round()).map(lambda v: f"{v:,.0f}")
    due = _text(e["maturity"], "%Y/%m/%d")
    memo = np.where(sale, "売上 " + e["number"].astype(str),
                    np.where(due != "", "入金 期日" + due, "入金"))
    blank = np.full(n, "", object)
    columns = [
        (np.arange(n) + 1).astype(str), _text(e["date"], "%Y/%m/%d"),
        e["debit"], np.where(sale, e["customer"], ""), blank, blank, np.full(n, "対象外", object),
        blank, amount, blank,
        e["credit"], np.where(sale, "", e["customer"]), blank, blank,
        np.where(sale, "課税売上 10%", "対象外"), blank, amount, np.where(sale, tax, ""),
        memo, blank, blank, np.full(n, "インポート", object), blank,
        np.full(n, "2025/10/01 09:00", object), np.full(n, "経理", object),
        np.full(n, "2025/10/01 09:00", object), np.full(n, "経理", object)]
    frame = pd.DataFrame({h: np.asarray(c, dtype=object) for h, c in zip(MF_HEADER, columns)})
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, encoding=encoding, lineterminator="\r\n")


def export_journals(ledger: dict[str, pd.DataFrame], out: Path) -> None:
    """The journals, each in its folder with the customers and carried-in balances."""
    for folder, write in (
            ("journal_yayoi", lambda f: export_yayoi(ledger, f / "仕訳日記帳.txt")),
            ("journal_mf", lambda f: export_mf(ledger, f / "仕訳帳.csv", "utf-8-sig")),
            ("journal_mf_cp932", lambda f: export_mf(ledger, f / "仕訳帳.csv", "cp932"))):
        write(out / folder)
        export({k: ledger[k] for k in ("customers", "balances")}, out / folder, "utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE)
    parser.add_argument("--package-out", type=Path, default=PACKAGE_SAMPLES,
                        help="the samples folder shipped in the package")
    options = parser.parse_args()
    ledger = generate()
    export(ledger, options.out / "ledger_utf8", "utf-8")
    export(ledger, options.out / "ledger_cp932", "cp932")
    export_journals(ledger, options.out)
    export(ledger, options.package_out / "ledger", "utf-8")
    print(f"{len(ledger['customers'])} customers, {len(ledger['invoices'])} invoices, "
          f"{len(ledger['receipts'])} receipts -> {options.out}")


if __name__ == "__main__":
    main()
