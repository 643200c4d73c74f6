"""Generate the sample ledger: a seeded, realistic export of a wholesale company.

About 60 customers over 18 months (April 2024 - September 2025) with the payment terms
Japanese companies use (月末締め翌月末払い, 20日締め翌月10日払い, ...), paying by transfer
(some deducting the bank fee), cash, promissory notes (手形) and でんさい; late payers,
partial payers, an over-limit customer, and one that switches from cash to notes.
Written twice: UTF-8 (ledger_utf8/) and CP932 (ledger_cp932/), as accounting systems
export it (amounts with thousands separators, dates as 2025/04/01, 締め日 as 末).

For the last month, the transfers come from the bank instead (入金消込, DOMAIN.md section 9):
they are left out of receipts.csv and written as a 全銀 振込入金通知 file (1st-20th) and a
bank CSV download (15th-end, overlapping it) in bank/, with the payer spellings banks send:
ｶ) before or after the name, a payer code, a customer number typed before the name, a
parent company paying for its subsidiary, fees of 110-770 yen kept back, partial payments,
an unknown payer, a cancelled notice and withdrawals. The customer master carries
得意先名カナ and 振込依頼人コード.

Also written as accounting journals of the same months (DOMAIN.md section 10): a 弥生
インポート形式 journal (journal_yayoi/, CP932) and a マネーフォワード 仕訳帳 (journal_mf/ in
UTF-8 with BOM, journal_mf_cp932/ in CP932), each beside the customers and carried-in balances.
A journal is the company's books, so it holds every receipt: September's transfers are there
as the company books the bank's deposits (:func:`booked`), each to the customer who truly
paid (the parent company's deposits to its subsidiary) with the fee it kept back as a 手数料
entry; the unknown payer's deposit is 仮受金, not a receipt.

The UTF-8 copy also ships inside the package (``src/kaishu/data/samples/ledger/``), so
``kaishu demo`` works from an installed kaishu in any folder: the demo copies the folder
``src/kaishu/data/samples/`` whole, so a further sample is shipped by writing it there too
(the bank statements are: ``bank/``, and the journals ``journal_yayoi/`` and ``journal_mf/``).

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
#: The ledger's files (what :func:`export` writes).
FILES = ("customers", "invoices", "receipts", "balances")
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
    """The customers, invoices, receipts and carried-in balances of a sample ledger (and,
    under ``kept``, the 振込手数料 each receipt kept back, in the receipts' order)."""
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
    pays["kept"] = np.where(fee, 660, 0)
    pays["amount"] -= pays["kept"]
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
        # not a file: the fee each receipt kept back (the books' 手数料; see :func:`booked`)
        "kept": pd.Series(pays["kept"].to_numpy()),
    }


KANA = {"青葉": "アオバ", "みなと": "ミナト", "さくら": "サクラ", "東和": "トウワ", "ひかり": "ヒカリ",
        "大和": "ヤマト", "富士": "フジ", "北斗": "ホクト", "旭": "アサヒ", "若葉": "ワカバ",
        "白鷺": "シラサギ", "丸山": "マルヤマ", "中央": "チュウオウ", "光陽": "コウヨウ",
        "三協": "サンキョウ", "平和": "ヘイワ", "東邦": "トウホウ", "瑞穂": "ミズホ", "朝日": "アサヒ",
        "山城": "ヤマシロ", "商事": "ショウジ", "工業": "コウギョウ", "食品": "ショクヒン",
        "建材": "ケンザイ", "電機": "デンキ", "物産": "ブッサン", "産業": "サンギョウ",
        "製作所": "セイサクショ", "運輸": "ウンユ", "システム": "システム"}
#: The bank rules' abbreviation of each legal entity (全銀 法人略語), half-width.
ENTITIES = {"株式会社": "ｶ", "有限会社": "ﾕ", "合同会社": "ﾄﾞ"}
FEES = np.array([110, 220, 330, 440, 660, 770])
TOWNS = ("トウキョウ", "オオサカ", "ナゴヤ", "フクオカ", "センダイ", "サッポロ", "ヒロシマ", "コウベ")


def bank_kana(text: str) -> str:
    """Katakana as a bank sends it: half-width (JIS X 0201), no small kana."""
    import unicodedata

    half = {unicodedata.normalize("NFKC", chr(c)): chr(c) for c in range(0xFF66, 0xFF9E)}
    half |= {"\u3099": "ﾞ", "\u309a": "ﾟ", "ー": "ｰ"}
    large = str.maketrans("ァィゥェォッャュョ", "アイウエオツヤユヨ")
    return "".join(half.get(c, c) for c in unicodedata.normalize("NFD", text.translate(large)))


def _kana(name: str) -> tuple[str, str]:
    """A generated customer name's entity and its kana (as a master writes it)."""
    entity = next((e for e in ENTITIES if name.startswith(e)), "")
    rest = name[len(entity):].split("(")[0]
    kana = ""
    while rest:
        word = next(w for w in sorted(KANA, key=len, reverse=True) if rest.startswith(w))
        kana, rest = kana + KANA[word], rest[len(word):]
    return entity, kana


def with_bank(ledger: dict[str, pd.DataFrame], month: str = LAST_MONTH,
              seed: int = SEED) -> dict[str, object]:
    """The ledger with the transfers of ``month`` moved into bank statements (a separate
    random stream, so the rest of the ledger is what :func:`generate` made)."""
    rng = np.random.default_rng(seed + 9)
    customers = ledger["customers"].copy()
    n = len(customers)
    entity, kana = zip(*(_kana(name) for name in customers["得意先名"]))
    # namesakes (旭運輸 and 朝日運輸 are both アサヒウンユ) are told apart by their town
    kana = pd.Series(kana)
    again = kana.groupby(kana).cumcount().to_numpy()
    kana = [k + (TOWNS[a - 1] if a else "") for k, a in zip(kana, again)]
    customers["得意先名カナ"] = kana
    coded = rng.random(n) < 0.15
    customers["振込依頼人コード"] = np.where(
        coded, customers["得意先コード"].str[1:].astype(int).astype(str), "")
    style = rng.choice(["before", "after", "plain", "number"], n, p=[0.45, 0.25, 0.2, 0.1])
    fee = rng.choice(FEES, n)

    receipts = ledger["receipts"]
    period = pd.Period(month, freq="M")
    dates = pd.to_datetime(receipts["入金日"])
    moved = (receipts["入金方法"] == "振込") & (dates.dt.to_period("M") == period)
    lines = receipts[moved].copy()
    who = customers.set_index("得意先コード").index.get_indexer(lines["得意先コード"])
    sent = []
    parent = who[0] if len(who) else -1   # the first payer's deposits come from its parent
    cut = next((c for c in who if c != parent and len(kana[c]) >= 12), -1)  # cut short
    for c in who:
        name = bank_kana(kana[c])
        mark = ENTITIES.get(entity[c], "")
        if c == parent:
            sent.append(f"ｶ){name[:3]}ﾎｰﾙﾃﾞｲﾝｸﾞｽ")
        elif c == cut:
            sent.append(name[:10])
        elif style[c] == "before" and mark:
            sent.append(f"{mark}){name}")
        elif style[c] == "after" and mark:
            sent.append(f"{name}({mark}")
        elif style[c] == "number" and coded[c]:
            sent.append(f"{customers.at[c, '振込依頼人コード']} {name}")
        else:
            sent.append(name)
    # the generator's fee payers kept 660 back; at the bank most keep their own fee
    kept = (lines["金額"] % 1000 == 340).to_numpy()
    amount = lines["金額"].to_numpy() + np.where(kept, 660 - fee[who], 0)
    true_fee = np.where(kept, fee[who], ledger["kept"][moved.to_numpy()].to_numpy())
    statement = pd.DataFrame({
        "date": dates[moved].to_numpy(), "amount": amount.astype(int), "payer": sent,
        "code": [customers.at[c, "振込依頼人コード"] if coded[c] and style[c] != "number" else ""
                 for c in who],
        "bank": rng.choice(["ﾐﾂﾋﾞｼﾕｰｴﾌｼﾞｴｲ", "ﾐｽﾞﾎ", "ﾐﾂｲｽﾐﾄﾓ", "ﾘｿﾅ", "ｼｽﾞｵｶ"], len(who)),
        # who truly paid, and the fee they kept back (what the books record; not sent)
        "customer": lines["得意先コード"].to_numpy(), "fee": true_fee})
    unknown = pd.DataFrame({"date": [pd.Timestamp(period.start_time) + pd.Timedelta(days=17)],
                            "amount": [33_000], "payer": ["ﾔﾏﾀﾞ ﾀﾛｳ"], "code": [""],
                            "bank": ["ﾕｳﾁﾖ"], "customer": [""], "fee": [0]})
    statement = pd.concat([statement, unknown]).sort_values("date", kind="stable")
    return {**ledger, "customers": customers, "receipts": receipts[~moved],
            "kept": ledger["kept"][~moved.to_numpy()], "bank": statement.reset_index(drop=True)}


def wareki(date) -> str:
    """和暦 YYMMDD of a 令和 date."""
    date = pd.Timestamp(date)
    return f"{date.year - 2018:02d}{date.month:02d}{date.day:02d}"


def _pad(text, size: int, number: bool = False) -> bytes:
    raw = str(text).encode("cp932")
    return raw.rjust(size, b"0") if number else raw.ljust(size, b" ")[:size]


def zengin_notice(statement: pd.DataFrame, first, last, made) -> bytes:
    """A 全銀 振込入金通知 (種別 01) file: header, data, trailer, end; CRLF after each."""
    header = (b"1" + b"01" + b"0" + _pad(wareki(made), 6) + _pad(wareki(first), 6)
              + _pad(wareki(last), 6) + _pad("0005", 4) + _pad("ﾐﾂﾋﾞｼﾕｰｴﾌｼﾞｴｲ", 15)
              + _pad("001", 3) + _pad("ﾎﾝﾃﾝ", 15) + b"1" + _pad("1234567", 7)
              + _pad("ｶ)ｻﾝﾌﾟﾙｼﾖｳｼﾞ", 40) + _pad("", 93))
    records = [header]
    for number, line in enumerate(statement.itertuples(), start=1):
        number = line.inquiry or number  # a cancellation repeats its notice's number
        records.append(b"2" + _pad(number, 6, True) + _pad(wareki(line.date), 6)
                       + _pad(wareki(line.date), 6) + _pad(line.amount, 10, True)
                       + _pad(0, 10, True) + _pad(line.code, 10, bool(line.code))
                       + _pad(line.payer, 48) + _pad(line.bank, 15) + _pad("", 15)
                       + _pad(line.cancel, 1) + _pad("", 20) + _pad("", 52))
    total = int(statement.loc[statement["cancel"] != "1", "amount"].sum())
    records.append(b"8" + _pad(len(statement), 6, True) + _pad(total, 12, True)
                   + _pad(int((statement["cancel"] == "1").sum()), 6, True)
                   + _pad(int(statement.loc[statement["cancel"] == "1", "amount"].sum()), 12,
                          True) + _pad("", 163))
    records.append(b"9" + _pad("", 199))
    assert all(len(r) == 200 for r in records)
    return b"\r\n".join(records) + b"\r\n"


def export_bank(statement: pd.DataFrame, folder: Path, month: str = LAST_MONTH) -> None:
    """The month's deposits as the bank gives them: a 全銀 振込入金通知 file of the 1st-20th
    (with a mistaken transfer and its cancellation) and a CSV download of the 15th-end
    (withdrawals too); the 15th-20th are in both, and count once."""
    folder.mkdir(parents=True, exist_ok=True)
    period = pd.Period(month, freq="M")
    start = pd.Timestamp(period.start_time)
    day = statement["date"].dt.day
    notice = statement[day <= 20].assign(cancel="", inquiry=0)
    mistake = notice.iloc[[0]].assign(amount=120_000)   # a transfer sent by mistake ...
    notice = pd.concat([notice, mistake, mistake.assign(  # ... and cancelled
        cancel="1", inquiry=len(notice) + 1)])
    (folder / f"furikomi_nyukin_{period.strftime('%Y%m')}.txt").write_bytes(
        zengin_notice(notice, start, start + pd.Timedelta(days=19), start + pd.Timedelta(days=20)))
    download = statement[day >= 15]
    withdrawals = pd.DataFrame({"date": [start + pd.Timedelta(days=24), period.end_time.normalize()],
                                "out": [1_250_000, 880], "payer": ["ｷﾕｳﾖ", "ﾌﾘｺﾐﾃｽｳﾘﾖｳ"]})
    rows = pd.concat([download.assign(out=np.nan), withdrawals]).sort_values("date", kind="stable")
    out = pd.DataFrame({"日付": rows["date"].dt.strftime("%Y/%m/%d"),
                        "お引出金額": rows["out"].map(lambda v: "" if pd.isna(v) else f"{v:,.0f}"),
                        "お預り金額": rows["amount"].map(lambda v: "" if pd.isna(v) else f"{v:,.0f}"),
                        "振込依頼人名": rows["payer"], "振込依頼人コード": rows["code"].fillna(""),
                        "仕向銀行名": rows["bank"].fillna("")})
    with open(folder / f"nyushukkin_{period.strftime('%Y%m')}.csv", "w", encoding="cp932",
              newline="") as handle:
        handle.write("口座,ﾐﾂﾋﾞｼﾕｰｴﾌｼﾞｴｲ 本店 普通 1234567\r\n")
        out.to_csv(handle, index=False, lineterminator="\r\n")


def export(ledger: dict[str, pd.DataFrame], folder: Path, encoding: str) -> None:
    """Write the ledger as an accounting system exports it."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in ledger.items():
        if name not in FILES:
            continue
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


def booked(ledger: dict[str, object]) -> dict[str, pd.DataFrame]:
    """The ledger as the company's books hold it: the receipts of receipts.csv and each
    deposit of the bank statements, booked to the customer who truly paid (the fee it kept
    back as a 手数料 first, then the 振込; on one day after that customer's receipts.csv rows,
    as the ledger reader places receipts_bank.csv). A deposit from no customer (the unknown
    payer) is not a receipt: the books hold it as 仮受金, not against 売掛金."""
    bank = ledger["bank"]
    bank = bank[bank["customer"] != ""]
    rows = []
    for line in bank.itertuples():
        if line.fee:
            rows.append((line.date, line.customer, line.fee, "手数料"))
        rows.append((line.date, line.customer, line.amount, "振込"))
    deposits = pd.DataFrame(rows, columns=["入金日", "得意先コード", "金額", "入金方法"])
    receipts = pd.concat([ledger["receipts"], deposits.assign(期日=pd.NaT)], ignore_index=True)
    receipts["入金日"] = pd.to_datetime(receipts["入金日"])
    receipts = receipts.sort_values("入金日", kind="stable", ignore_index=True)
    return {**{k: ledger[k] for k in FILES}, "receipts": receipts}


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


JOURNALS = ("journal_yayoi", "journal_mf", "journal_mf_cp932")


def export_journals(ledger: dict[str, pd.DataFrame], out: Path,
                    folders: tuple[str, ...] = JOURNALS) -> None:
    """The journals, each in its folder with the customers and carried-in balances."""
    writers = {
        "journal_yayoi": lambda f: export_yayoi(ledger, f / "仕訳日記帳.txt"),
        "journal_mf": lambda f: export_mf(ledger, f / "仕訳帳.csv", "utf-8-sig"),
        "journal_mf_cp932": lambda f: export_mf(ledger, f / "仕訳帳.csv", "cp932")}
    for folder in folders:
        writers[folder](out / folder)
        export({k: ledger[k] for k in ("customers", "balances")}, out / folder, "utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE)
    parser.add_argument("--package-out", type=Path, default=PACKAGE_SAMPLES,
                        help="the samples folder shipped in the package")
    options = parser.parse_args()
    ledger = with_bank(generate())
    export(ledger, options.out / "ledger_utf8", "utf-8")
    export(ledger, options.out / "ledger_cp932", "cp932")
    books = booked(ledger)
    export_journals(books, options.out)
    # the package ships one journal of each format (the CP932 one differs only in encoding)
    export_journals(books, options.package_out, ("journal_yayoi", "journal_mf"))
    export(ledger, options.package_out / "ledger", "utf-8")
    export_bank(ledger["bank"], options.out / "bank")
    export_bank(ledger["bank"], options.package_out / "bank")
    print(f"{len(ledger['customers'])} customers, {len(ledger['invoices'])} invoices, "
          f"{len(ledger['receipts'])} receipts -> {options.out}")


if __name__ == "__main__":
    main()
