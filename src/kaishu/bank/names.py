"""Payer names as banks send them, normalised for comparison (DOMAIN.md section 9).

Banks send 振込依頼人名 in half-width katakana (JIS X 0201): no small kana, ``-`` or ``ｰ`` for
long vowels, and the legal entity written as the bank rules' abbreviation (ｶ) before the name,
(ｶ after it, (ｶ) in the middle) or spelled out. A customer master holds the same name as
株式会社… or with full-width kana. :func:`normalise` maps all of them onto one spelling.
"""

from __future__ import annotations

import re
import unicodedata

#: Small kana a bank cannot send, as the large kana it sends instead (after NFKC).
SMALL_TO_LARGE = str.maketrans("ァィゥェォッャュョヮヵヶぁぃぅぇぉっゃゅょゎ",
                               "アイウエオツヤユヨワカケアイウエオツヤユヨワ")
#: Long-vowel marks and hyphens (after NFKC), all written as ー.
LONG_VOWELS = re.compile(r"[-‐‑‒–—―−ｰー─━~〜]+")
SPACES = re.compile(r"[\s\u3000]+")

#: The legal-entity abbreviations of the bank rules (法人略語), as NFKC makes them
#: (ｶ -> カ, ﾄﾞ -> ド), with the entity each stands for. Longest first when matched.
ENTITY_ABBREVIATIONS = {
    "カ": "株式会社", "ユ": "有限会社", "ド": "合同会社", "メ": "合名会社", "シ": "合資会社",
    "イ": "医療法人", "ザイ": "財団法人", "シヤ": "社団法人", "フク": "社会福祉法人",
    "ガク": "学校法人", "トクヒ": "特定非営利活動法人", "シユウ": "宗教法人",
    "ギヨ": "漁業協同組合", "ノウ": "農業協同組合", "セイキヨウ": "生活協同組合",
    "キヨウクミ": "協同組合", "ドク": "独立行政法人", "コウ": "公益財団法人",
    "ベン": "弁護士法人", "ゼイ": "税理士法人", "カン": "監査法人", "シホウ": "司法書士法人",
}
#: The same entities spelled out, in kana (as banks spell them) and in kanji (as masters do).
ENTITY_WORDS = (
    "カブシキガイシヤ", "カブシキカイシヤ", "ユウゲンガイシヤ", "ユウゲンカイシヤ",
    "ゴウドウガイシヤ", "ゴウドウカイシヤ", "ゴウメイガイシヤ", "ゴウシガイシヤ",
    "イリヨウホウジン", "ザイダンホウジン", "シヤダンホウジン", "シヤカイフクシホウジン",
    "ガツコウホウジン", "トクテイヒエイリカツドウホウジン",
    "株式会社", "有限会社", "合同会社", "合名会社", "合資会社", "医療法人", "一般財団法人",
    "公益財団法人", "財団法人", "一般社団法人", "公益社団法人", "社団法人", "社会福祉法人",
    "学校法人", "特定非営利活動法人", "NPO法人", "(株)", "(有)", "(合)", "(同)", "(医)",
    "(財)", "(社)", "(福)", "(学)",
)
_ABBREVIATIONS = "|".join(sorted(map(re.escape, ENTITY_ABBREVIATIONS), key=len, reverse=True))
#: (ｶ) anywhere; ｶ) at the start or after a space; (ｶ at the end or before a space.
_ENTITY = re.compile(
    rf"\((?:{_ABBREVIATIONS})\)"
    rf"|(?:^|(?<=\s))(?:{_ABBREVIATIONS})\)"
    rf"|\((?:{_ABBREVIATIONS})(?=\s|$)")
_WORDS = re.compile("|".join(map(re.escape, sorted(
    {unicodedata.normalize("NFKC", w) for w in ENTITY_WORDS}, key=len, reverse=True))))
_LEADING_CODE = re.compile(r"^\s*(\d+)\s*")


def _width_and_kana(text: str) -> str:
    """NFKC (ﾊﾞ -> バ, full-width letters and digits -> ASCII), small kana made large,
    hiragana written as katakana, letters upper case."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" else c for c in text)
    return text.translate(SMALL_TO_LARGE).upper()


def normalise(name: str | None) -> str:
    """The payer name as every comparison sees it.

    NFKC, small kana to large, long-vowel marks and hyphens unified, the legal entity
    (abbreviated or spelled out, in any position) removed, spaces removed.

    Examples
    --------
    >>> normalise("ｶ)ｱｵﾊﾞｼﾖｳｼﾞ"), normalise("ｱｵﾊﾞｼﾖｳｼﾞ(ｶ"), normalise("ｱｵﾊﾞ (ｶ) ｼﾖｳｼﾞ")
    ('アオバシヨウジ', 'アオバシヨウジ', 'アオバシヨウジ')
    >>> normalise("カブシキガイシャ　アオバショウジ"), normalise("ｽｰﾊﾟｰ-ﾏﾙｲﾁ")
    ('アオバシヨウジ', 'スーパーマルイチ')
    """
    if not name:
        return ""
    text = _width_and_kana(str(name))
    text = LONG_VOWELS.sub("ー", text)
    text = _ENTITY.sub(" ", text)
    text = _WORDS.sub(" ", text)
    return SPACES.sub("", text)


def split_code(name: str | None) -> tuple[str, str]:
    """Digits a payer typed before the name (a customer number), and the rest (NFKC).

    >>> split_code("00123 ｶ)ｱｵﾊﾞｼﾖｳｼﾞ")
    ('123', 'カ)アオバシヨウジ')
    >>> split_code("ｱｵﾊﾞｼﾖｳｼﾞ")
    ('', 'ｱｵﾊﾞｼﾖｳｼﾞ')
    """
    text = unicodedata.normalize("NFKC", name or "")
    found = _LEADING_CODE.match(text)
    if not found:
        return "", name or ""
    return payer_code(found.group(1)), text[found.end():]


def payer_code(code: str | None) -> str:
    """A 振込依頼人コード compared as a number: leading zeros and blanks dropped, all-zero
    meaning none.

    >>> payer_code("0000012345"), payer_code("0000000000"), payer_code(" 12 ")
    ('12345', '', '12')
    """
    text = unicodedata.normalize("NFKC", str(code or "")).strip()
    return text.lstrip("0") if text.isdigit() else text
