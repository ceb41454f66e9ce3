"""Display masks for personal data (domain.md §6) and the log-scrubbing primitive.

Internal display: ID ``110105********002X`` (first 6 + last 4), phone ``138****1234``, bank
account last 4, address down to the village, names ``张*明``. ``mask_id_numbers_in_text`` runs
on every log line (``shared.logs``), so it is a single precompiled regex with a quick exit.

A disability certificate number (ID + category + grade [+ Bn]) is masked as its holder's ID and
its tail is starred too: the last characters are the disability category and grade, which §6
forbids showing.
"""

from __future__ import annotations

import re

_D = "[0-9０-９]"  # an ASCII or full-width digit
_END = rf"(?!{_D})"  # an optional tail is taken only where the digit run ends
_SUFFIX = "[BbＢｂ][1-9１-９]"  # disability certificate B1..B9
# An 18-char ID ending in X (with an optional certificate tail: category, grade, Bn), or any run
# of 15+ digits (15/18-digit IDs, certificates ending in a digit) with an optional Bn suffix.
# Every match starts and ends at a digit-run boundary (the look-behind also spares the engine
# from trying inside a run), so no run of 15 digits survives masking.
ID_NUMBER_PATTERN = re.compile(
    rf"(?<!{_D})(?:{_D}{{17}}[XxＸｘ](?:[1-7１-７][1-4１-４](?:{_SUFFIX})?{_END})?|{_D}{{15,}}(?:{_SUFFIX}{_END})?)"
)
_CERT_TAIL = re.compile(r"[1-7１-７][1-4１-４](?:[BbＢｂ][1-9１-９])?")
_ASCII_DIGITS = "0123456789"
_ALL_DIGITS = _ASCII_DIGITS + "０１２３４５６７８９"
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_WORD = re.compile(r"[^\s\-'.·]+")  # a word of a Latin-script name
_VILLAGE_MARK = re.compile(r"村民委员会|居民委员会|村委会|居委会|社区|嘎查|村")
_ADDRESS_KEEP = 6


def _mask_middle(s: str, head: int, tail: int) -> str:
    return s[:head] + "*" * (len(s) - head - tail) + s[len(s) - tail :]


def mask_id_number(value: str | None) -> str | None:
    """``"11010519491231002X"`` → ``"110105********002X"``; 15 digits likewise (first 6 + last 4).

    Certificate numbers keep first 6 and the ID's last 4 and star the tail. Input shorter than
    15 characters keeps only its last 4 (shorter than 8: ``"****"``). None → None.
    """
    if value is None:
        return None
    s = "".join(value.split())
    if len(s) > 18 and _CERT_TAIL.fullmatch(s[18:]):
        return _mask_middle(s[:18], 6, 4) + "*" * (len(s) - 18)
    if len(s) >= 15:
        return _mask_middle(s, 6, 4)
    return _mask_middle(s, 0, 4) if len(s) >= 8 else "****"


def _replace(m: re.Match[str]) -> str:
    return mask_id_number(m.group()) or ""


def mask_id_numbers_in_text(text: str) -> str:
    """Mask every ID-number-like token in free text (log lines, JSON, error messages).

    Masks 18-char IDs (digit/X/x check character), 15-digit IDs, disability certificate numbers,
    full-width forms, and any run of 15+ digits. Shorter numbers (dates, amounts, ports, 12-digit
    division codes) are left alone. Idempotent: a masked token has no 15-digit run left.
    """
    if len(text) < 15:
        return text
    digits = _ASCII_DIGITS if text.isascii() else _ALL_DIGITS
    if sum(map(text.count, digits)) < 15:
        return text  # quick path: fewer than 15 digits cannot hold an ID
    return ID_NUMBER_PATTERN.sub(_replace, text)


def mask_name(name: str | None) -> str | None:
    """``张三明`` → ``张*明``, ``张三`` → ``张*``, ``欧阳娜娜`` → ``欧**娜``, ``John Smith`` → ``J*** S****``.

    Chinese names keep the first and (from three characters on) the last character; a middle
    dot ``·`` stays. Latin-script names keep the first letter of each word.
    """
    if name is None:
        return None
    s = name.strip()
    if _CJK.search(s):
        s = "".join(s.split())
        if len(s) <= 2:
            return s[:1] + "*" * (len(s) - 1) if len(s) == 2 else "*"
        inner = "".join("·" if c in "·•." else "*" for c in s[1:-1])
        return s[0] + inner + s[-1]
    return _WORD.sub(lambda m: m.group()[0] + "*" * (len(m.group()) - 1), s)


def mask_phone(phone: str | None) -> str | None:
    """``"13812341234"`` → ``"138****1234"``. A +86/86 prefix is dropped; other formatting too.

    11+ digits keep the first 3 and last 4; 7-10 digits (a landline) keep the last 4; fewer → ``"****"``.
    """
    if phone is None:
        return None
    digits = "".join(c for c in phone if c.isdigit())
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    if len(digits) >= 11:
        return _mask_middle(digits, 3, 4)
    return _mask_middle(digits, 0, 4) if len(digits) >= 7 else "****"


def mask_bank_account(account: str | None) -> str | None:
    """Keep the last 4 digits: ``"6222021234567890123"`` → ``"***************0123"``."""
    if account is None:
        return None
    s = "".join(account.split()).replace("-", "")
    return _mask_middle(s, 0, 4) if len(s) > 4 else "****"


def mask_address(address: str | None) -> str | None:
    """Keep an address down to the village/community: cut after the first 村/社区/居委会 marker.

    ``"河南省息县城关镇东关村3组15号"`` → ``"河南省息县城关镇东关村…"``. Without a marker keep
    the first 6 characters + ``"…"``.
    """
    if address is None:
        return None
    s = address.strip()
    m = _VILLAGE_MARK.search(s)
    end = m.end() if m else _ADDRESS_KEEP
    return s if len(s) <= end else s[:end] + "…"
