"""The 全銀 reader on files built byte by byte from the published layouts (field by field,
in the order and lengths the banks' specifications list — not from the reader's positions)."""

from __future__ import annotations

import datetime as dt

import pytest

from kaishu.bank import StatementError, read_statements
from kaishu.bank.zengin import wareki

# (name, length) in the published order; N fields zero-filled right, C fields space-filled left
NOTICE_HEADER = (("データ区分", 1), ("種別コード", 2), ("コード区分", 1), ("作成日", 6),
                 ("勘定日自", 6), ("勘定日至", 6), ("銀行コード", 4), ("銀行名", 15),
                 ("支店コード", 3), ("支店名", 15), ("預金種目", 1), ("口座番号", 7),
                 ("口座名", 40), ("ダミー", 93))
NOTICE_DATA = (("データ区分", 1), ("照会番号", 6), ("勘定日", 6), ("起算日", 6), ("金額", 10),
               ("うち他店券金額", 10), ("振込依頼人コード", 10), ("振込依頼人名", 48),
               ("仕向銀行名", 15), ("仕向店名", 15), ("取消区分", 1), ("EDI情報", 20),
               ("ダミー", 52))
MOVES_HEADER = (("データ区分", 1), ("種別コード", 2), ("コード区分", 1), ("作成日", 6),
                ("勘定日自", 6), ("勘定日至", 6), ("銀行コード", 4), ("銀行名", 15),
                ("支店コード", 3), ("支店名", 15), ("ダミー1", 3), ("預金種目", 1),
                ("口座番号", 10), ("口座名", 40), ("貸越区分", 1), ("通帳証書区分", 1),
                ("取引前残高", 14), ("ダミー", 71))
MOVES_DATA = (("データ区分", 1), ("照会番号", 8), ("勘定日", 6), ("預入払出日", 6),
              ("入払区分", 1), ("取引区分", 2), ("取引金額", 12), ("うち他店券金額", 12),
              ("交換呈示日", 6), ("不渡返還日", 6), ("手形小切手区分", 1),
              ("手形小切手番号", 7), ("僚店番号", 3), ("振込依頼人コード", 10),
              ("振込依頼人名", 48), ("仕向銀行名", 15), ("仕向店名", 15), ("摘要内容", 20),
              ("EDI情報", 20), ("ダミー", 1))
NUMERIC = {"種別コード", "作成日", "勘定日自", "勘定日至", "銀行コード", "支店コード", "口座番号",
           "照会番号", "勘定日", "起算日", "金額", "うち他店券金額", "振込依頼人コード", "取引金額",
           "預入払出日", "取引区分", "取引前残高"}


def record(layout, **values) -> bytes:
    out = b""
    for name, size in layout:
        value = values.get(name, "")
        raw = str(value).encode("cp932")
        if name in NUMERIC and raw:
            raw = raw.rjust(size, b"0")
        out += raw.ljust(size, b" ")[:size] if name not in NUMERIC or raw else b" " * size
    assert len(out) == 200
    return out


def trailer() -> bytes:
    return b"8" + b"0" * 37 + b" " * 162


def end() -> bytes:
    return b"9" + b" " * 199


def test_layouts_add_up_to_200_bytes():
    for layout in (NOTICE_HEADER, NOTICE_DATA, MOVES_HEADER, MOVES_DATA):
        assert sum(size for _, size in layout) == 200


def notice(*data: bytes, newline: bytes = b"") -> bytes:
    header = record(NOTICE_HEADER, データ区分=1, 種別コード="01", コード区分=0, 作成日="070912",
                    勘定日自="070910", 勘定日至="070911", 銀行コード="0172", 銀行名="ｱﾜｷﾞﾝｺｳ",
                    支店コード="101", 預金種目=1, 口座番号="1234567", 口座名="ｶ)ｶｲｼﾕ")
    return newline.join((header, *data, trailer(), end())) + newline


def test_notice_without_line_ends(tmp_path):
    path = tmp_path / "notice.txt"
    path.write_bytes(notice(
        record(NOTICE_DATA, データ区分=2, 照会番号=1, 勘定日="070910", 起算日="070910",
               金額=1234340, 振込依頼人名="ｶ)ｱｵﾊﾞｼﾖｳｼﾞ", 仕向銀行名="ﾐﾂﾋﾞｼﾕ-ｴﾌｼﾞｴｲ"),
        record(NOTICE_DATA, データ区分=2, 照会番号=2, 勘定日="070911", 起算日="070911",
               金額=500000, 振込依頼人コード="0000004711", 振込依頼人名="ﾐﾅﾄｺｳｷﾞﾖｳ(ﾕ")))
    lines = read_statements([path])
    assert lines[["date", "amount", "payer", "name", "payer_code", "bank"]].values.tolist() == [
        [dt.datetime(2025, 9, 10), 1234340, "ｶ)ｱｵﾊﾞｼﾖｳｼﾞ", "アオバシヨウジ", "", "ﾐﾂﾋﾞｼﾕ-ｴﾌｼﾞｴｲ"],
        [dt.datetime(2025, 9, 11), 500000, "ﾐﾅﾄｺｳｷﾞﾖｳ(ﾕ", "ミナトコウギヨウ", "4711", ""]]
    assert lines["line_id"].tolist() == ["2025-09-10/1234340/アオバシヨウジ/1",
                                         "2025-09-11/500000/ミナトコウギヨウ/1"]
    assert not lines["cancelled"].any()


def test_with_crlf_the_same_lines_and_read_twice_counts_once(tmp_path):
    data = record(NOTICE_DATA, データ区分=2, 照会番号=7, 勘定日="070910", 起算日="070910",
                  金額=99340, 振込依頼人名="ｻｸﾗｼﾖｸﾋﾝ")
    (tmp_path / "a.txt").write_bytes(notice(data, newline=b"\r\n"))
    (tmp_path / "b.txt").write_bytes(notice(data))
    lines = read_statements([tmp_path / "a.txt", tmp_path / "b.txt"])
    assert lines["amount"].tolist() == [99340]


def test_cancelled_notice_cancels_the_earlier_one(tmp_path):
    fields = dict(データ区分=2, 照会番号=3, 勘定日="070910", 起算日="070910", 金額=10000,
                  振込依頼人名="ﾋｶﾘﾃﾞﾝｷ")
    (tmp_path / "n.txt").write_bytes(notice(record(NOTICE_DATA, **fields),
                                            record(NOTICE_DATA, **fields, 取消区分=1)))
    lines = read_statements([tmp_path / "n.txt"])
    assert lines["cancelled"].tolist() == [True]


def moves(*data: bytes) -> bytes:
    header = record(MOVES_HEADER, データ区分=1, 種別コード="03", コード区分=0, 作成日="070930",
                    勘定日自="070901", 勘定日至="070930", 銀行コード="0597", 支店コード="001",
                    預金種目=1, 口座番号="0001234567")
    return b"\n".join((header, *data, trailer(), end()))


def test_moves_reads_payments_only(tmp_path):
    def line(n, direction, kind, amount, payer):
        return record(MOVES_DATA, データ区分=2, 照会番号=n, 勘定日="070910", 預入払出日="070910",
                      入払区分=direction, 取引区分=kind, 取引金額=amount, 振込依頼人名=payer)
    (tmp_path / "m.txt").write_bytes(moves(
        line(1, 1, 11, 300000, "ﾄｳﾜｹﾝｻﾞｲ(ｶ"),   # transfer: read
        line(2, 2, 11, 50000, "ﾃﾞﾝｷﾀﾞｲ"),        # withdrawal: ignored
        line(3, 1, 13, 800000, ""),              # a note collected (交換): not read
        line(4, 1, 10, 20000, "ｹﾞﾝｷﾝ")))         # cash: read
    lines = read_statements([tmp_path / "m.txt"])
    assert lines[["amount", "name"]].values.tolist() == [[300000, "トウワケンザイ"],
                                                         [20000, "ゲンキン"]]


def test_every_bad_record_reported_at_once(tmp_path):
    bad_date = record(NOTICE_DATA, データ区分=2, 照会番号=1, 勘定日="071340", 金額=100)
    bad_amount = record(NOTICE_DATA, データ区分=2, 照会番号=2, 勘定日="070910", 金額="12A4")
    (tmp_path / "bad.txt").write_bytes(notice(bad_date, bad_amount, newline=b"\n"))
    with pytest.raises(StatementError) as error:
        read_statements([tmp_path / "bad.txt"])
    text = str(error.value)
    assert "bad.txt record 2, 勘定日: '071340'" in text
    assert "bad.txt record 3, 金額: '000000012A4'" not in text  # shown as found
    assert "bad.txt record 3, 金額: '00000012A4'" in text
    assert len(error.value.problems) == 2


def test_ebcdic_and_short_records_reported(tmp_path):
    (tmp_path / "e.txt").write_bytes(b"\xf1\xf0\xf1\xf1" + b"\x40" * 196)
    short = notice(newline=b"\n").replace(trailer(), trailer()[:150])
    (tmp_path / "s.txt").write_bytes(short)
    with pytest.raises(StatementError) as error:
        read_statements([tmp_path / "e.txt", tmp_path / "s.txt"])
    text = str(error.value)
    assert "e.txt record 1, コード区分 — expected JIS/CP932 records (EBCDIC" in text
    assert "s.txt record 2 — expected a record of 200 bytes (found 150)" in text


def test_wareki_years():
    assert wareki("010501") == dt.date(2019, 5, 1)            # 令和元年
    assert wareki("070910", dt.date(2025, 9, 12)) == dt.date(2025, 9, 10)
    # 平成31年 in a file made in 令和元年: 令和31年 would lie decades after it
    assert wareki("310430", dt.date(2019, 5, 7)) == dt.date(2019, 4, 30)


def test_a_cancellation_in_a_later_file_cancels_by_identity(tmp_path):
    fields = dict(データ区分=2, 照会番号=5, 勘定日="070910", 起算日="070910", 金額=10000,
                  振込依頼人名="ﾋｶﾘﾃﾞﾝｷ")
    (tmp_path / "day1.txt").write_bytes(notice(record(NOTICE_DATA, **fields)))
    (tmp_path / "day2.txt").write_bytes(notice(record(NOTICE_DATA, **fields, 取消区分=1)))
    first = read_statements([tmp_path / "day1.txt"])
    later = read_statements([tmp_path / "day2.txt"])
    assert later["line_id"].tolist() == first["line_id"].tolist()
    assert later["cancelled"].tolist() == [True]


def test_a_notice_and_a_csv_download_of_the_same_deposit_count_once(tmp_path):
    (tmp_path / "n.txt").write_bytes(notice(
        record(NOTICE_DATA, データ区分=2, 照会番号=1, 勘定日="070910", 起算日="070910",
               金額=1234340, 振込依頼人名="ｶ)ｱｵﾊﾞｼﾖｳｼﾞ")))
    (tmp_path / "d.csv").write_text("日付,入金額,摘要\n2025/09/10,\"1,234,340\",振込 ｶ)ｱｵﾊﾞｼﾖｳｼﾞ\n"
                                    "2025/09/10,\"1,234,340\",振込 ｶ)ｱｵﾊﾞｼﾖｳｼﾞ\n",
                                    encoding="cp932")
    lines = read_statements([tmp_path / "n.txt", tmp_path / "d.csv"])
    # the download shows the same deposit twice: the second is another deposit
    assert lines["line_id"].tolist() == ["2025-09-10/1234340/アオバシヨウジ/1",
                                         "2025-09-10/1234340/アオバシヨウジ/2"]
    assert lines["file"].tolist() == ["n.txt", "d.csv"]
