"""Standard person records → the columns the matcher compares, for a whole frame at once.

One implementation serves the batch run (a million rows in Rust, through polars) and the
real-time index (a frame of one row). Input: the raw string columns of the standard person
record (``RAW_SCHEMA``). Output columns (``normalize``):

| column | meaning |
|---|---|
| id18 | the ID as an integer (17 digits × 11 + check value, X = 10): as typed, 15-digit converted, |
|      | the holder's ID inside a disability certificate number, permits (``_id18``: the text) |
| id_form | ``IdForm``: how the ID was typed |
|      | a number that is no ID: ``other_document_number``; ``id_text``: the cleaned input |
| id_valid | id18 passes its check character and carries a plausible birth date |
| id_birth, id_sex | birth date (yyyymmdd) and sex (1/2) read from a valid ID |
| birth | the raw birth date parsed (yyyymmdd), null when unreadable |
| sex | 1 male / 2 female from the raw sex, null when unknown |
| county, township, village | 6/9/12-digit division prefixes as integers, null when not given |
| name_simple, name_phonetic, name_fuzzy, name_latin | ``names.name_keys`` |
"""

from __future__ import annotations

from datetime import date
from enum import IntEnum

import polars as pl

from services.matching.engine.names import name_table
from shared.codes.idnumber import FULL_WIDTH, SEPARATORS, WEIGHTS

STRING_FIELDS = (
    "record_id",
    "source",
    "id_type",
    "id_number",
    "name",
    "sex",
    "birth_date",
    "division_code",
    "address",
    "household_ref",
    "programme",
    "status",
    "start_date",
    "end_date",
    "amount",
)
RAW_SCHEMA = dict.fromkeys(STRING_FIELDS, pl.String)
MIN_BIRTH = 18500101
BIRTH_COMPACT = r"^([0-9]{8})$"
BIRTH_PARTS = r"^([0-9]{4})[^0-9]{1,3}([0-9]{1,2})[^0-9]{1,3}([0-9]{1,2})[^0-9]{0,2}$"
MALE = ("1", "男", "m", "male")
FEMALE = ("2", "女", "f", "female")


class IdForm(IntEnum):
    EMPTY = 0
    RESIDENT = 1  # 18 characters as typed
    CONVERTED_15 = 2  # old 15-digit number, converted
    PERMIT = 3  # 港澳台居民居住证 810000/820000/830000
    DISABILITY_CERT = 4  # 残疾人证号: the holder's ID + category + grade (+ B1..B9)
    GARBAGE = 5  # nothing an ID can be read from


# What clerks type when there is no ID: treated as blank, not as a garbled number.
ID_PLACEHOLDERS = ["无", "暂无", "空", "未知", "不详", "NULL", "NONE", "N/A", "NA", "/", "0", "00", "-"]
_SEPARATORS = "[" + "".join(f"\\x{{{ord(c):04x}}}" for c in SEPARATORS) + "]"  # the very characters of shared


def _clean_id() -> pl.Expr:
    raw = pl.col("id_number").str.replace_many(list(FULL_WIDTH), list(FULL_WIDTH.values()))
    cleaned = raw.str.replace_all(_SEPARATORS, "").str.to_uppercase()
    return pl.when(~cleaned.is_in(ID_PLACEHOLDERS) & (cleaned.str.len_chars() > 0)).then(cleaned)


def _check_total(first17: pl.Expr) -> pl.Expr:
    """The GB 11643 weighted sum of 17 digits given as one integer (integer arithmetic only)."""
    return pl.sum_horizontal([first17 // 10 ** (16 - i) % 10 * w for i, w in enumerate(WEIGHTS)])


def _check_char(total: pl.Expr) -> pl.Expr:
    value = (12 - total % 11) % 11
    return pl.when(value == 10).then(pl.lit("X")).otherwise(value.cast(pl.String))


def _yyyymmdd(text: pl.Expr) -> pl.Expr:
    """Eight digits that make a real date, as an integer; else null."""
    return pl.when(text.str.to_date("%Y%m%d", strict=False).is_not_null()).then(
        text.cast(pl.Int64, strict=False)
    )


def _id_stages(today: int) -> list[list[pl.Expr]]:
    """The ID columns, in stages so that no expression is evaluated twice (see ``normalize``)."""
    s = pl.col("_id")
    first17_15 = s.str.slice(0, 6) + pl.lit("19") + s.str.slice(6, 9)
    is18, is15, cert = pl.col("_is18"), pl.col("_is15"), pl.col("_cert")
    form = (
        pl.when(s.is_null())
        .then(IdForm.EMPTY)
        .when(is18 & s.str.slice(0, 6).is_in(["810000", "820000", "830000"]))
        .then(IdForm.PERMIT)
        .when(is18)
        .then(IdForm.RESIDENT)
        .when(is15)
        .then(IdForm.CONVERTED_15)
        .when(cert.is_not_null())
        .then(IdForm.DISABILITY_CERT)
        .otherwise(IdForm.GARBAGE)
    )
    t = pl.col("_id18")
    check = t.str.slice(17, 1)
    valid = pl.col("id_valid")
    return [
        [
            s.str.contains(r"^[0-9]{17}[0-9X]$").alias("_is18"),
            s.str.contains(r"^[0-9]{15}$").alias("_is15"),
            s.str.extract(r"^([0-9]{17}[0-9X])[1-7][1-4](?:B[1-9])?$", 1).alias("_cert"),
            first17_15.alias("_first17_15"),
            first17_15.cast(pl.Int64, strict=False).alias("_first17_15_int"),
        ],
        [
            pl.when(is18)
            .then(s)
            .when(is15)
            .then(pl.col("_first17_15") + _check_char(_check_total(pl.col("_first17_15_int"))))
            .otherwise(cert)
            .alias("_id18"),
            form.cast(pl.UInt8).alias("_id_form"),
        ],
        [
            _yyyymmdd(t.str.slice(6, 8)).alias("_id_born"),
            t.str.slice(0, 17).cast(pl.Int64, strict=False).alias("_id17"),
            pl.when(check == "X")
            .then(10)
            .otherwise(check.cast(pl.Int64, strict=False))
            .alias("_check_value"),
        ],
        [
            ((12 - _check_total(pl.col("_id17")) % 11) % 11 == pl.col("_check_value")).alias("_check_ok"),
        ],
        [
            pl.coalesce(
                pl.col("_id17") * 11 + pl.col("_check_value"), other_document_number(pl.col("_id"))
            ).alias("id18"),
            (pl.col("_check_ok") & pl.col("_id_born").is_between(MIN_BIRTH, today) & (pl.col("_id_form") > 0))
            .fill_null(False)
            .alias("id_valid"),
        ],
        [
            pl.when(valid).then(pl.col("_id_born")).alias("id_birth"),
            pl.when(valid).then(2 - t.str.slice(16, 1).cast(pl.Int8, strict=False) % 2).alias("id_sex"),
        ],
    ]


def other_document_number(cleaned: pl.Expr) -> pl.Expr:
    """A number that is no ID (a passport, a garbled ID) as an integer above every ID's, or null.

    Two records carrying the same such number still agree on it; 5 characters at least.
    """
    hashed = (cleaned.hash(seed=3) // 4 + (1 << 62)).cast(pl.Int64)
    return pl.when(cleaned.str.len_chars() >= 5).then(hashed)


def _birth_text() -> pl.Expr:
    """The typed birth date as 8 digits, from ``_birth_raw`` and its ``_birth_parts``."""
    parts = pl.col("_birth_parts")
    spaced = (
        parts.struct.field("1") + parts.struct.field("2").str.zfill(2) + parts.struct.field("3").str.zfill(2)
    )
    return pl.coalesce(pl.col("_birth_raw").str.extract(BIRTH_COMPACT, 1), spaced).alias("_birth_text")


def _birth(today: int) -> pl.Expr:
    as_int = pl.col("_birth_int")
    return pl.when(as_int.is_between(MIN_BIRTH, today)).then(as_int).alias("birth")


def _sex() -> pl.Expr:
    s = pl.col("sex").str.strip_chars().str.to_lowercase()
    male = s.is_in(MALE)
    female = s.is_in(FEMALE)
    return pl.when(male).then(1).when(female).then(2).cast(pl.Int8).alias("sex")


def _divisions() -> list[pl.Expr]:
    d = pl.col("_division_digits")
    out = []
    for name, width in (("county", 6), ("township", 9), ("village", 12)):
        part = d.str.slice(0, width)
        tail = part.str.slice(width - 3, 3) if width > 6 else part.str.slice(2, 4)
        known = (part.str.len_chars() == width) & (tail != ("000" if width > 6 else "0000"))
        out.append(pl.when(known).then(part.cast(pl.Int64, strict=False)).alias(name))
    return out


def add_name_keys(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with the ``name_*`` columns, computed once per distinct name."""
    table = name_table(frame.get_column("name").unique().drop_nulls().to_list())
    return frame.join(table, on="name", how="left", maintain_order="left")


TEMPORARY = [
    "_is18",
    "_is15",
    "_cert",
    "_first17_15",
    "_first17_15_int",
    "_check_ok",
    "_id_born",
    "_id17",
    "_check_value",
]
TEMPORARY += ["_birth_raw", "_birth_parts", "_birth_text", "_birth_int", "_division_digits"]


def normalize(frame: pl.DataFrame, *, today: date | None = None, names: bool = True) -> pl.DataFrame:
    """The raw standard-record columns of ``frame`` plus the normalised ones (see module doc).

    ``names=False`` leaves out the name keys, for a caller that adds them once over many frames
    (``add_name_keys``).
    """
    day = today or date.today()
    limit = day.year * 10000 + day.month * 100 + day.day
    missing = [pl.lit(None, pl.String).alias(c) for c in STRING_FIELDS if c not in frame.columns]
    lazy = (
        frame.lazy()
        .with_columns(missing)
        .with_columns(
            _clean_id().alias("_id"),
            pl.col("birth_date").str.normalize("NFKC").str.strip_chars().alias("_birth_raw"),
            pl.col("division_code").str.replace_all(r"[^0-9]", "").alias("_division_digits"),
            _sex(),
        )
        .with_columns(
            pl.col("_birth_raw").str.extract_groups(BIRTH_PARTS).alias("_birth_parts"), *_divisions()
        )
        .with_columns(_birth_text())
        .with_columns(_yyyymmdd(pl.col("_birth_text")).alias("_birth_int"))
        .with_columns(_birth(limit))
    )
    for stage in _id_stages(limit):
        lazy = lazy.with_columns(stage)
    out = lazy.drop(TEMPORARY).rename({"_id": "id_text"}).collect()
    return add_name_keys(out) if names else out
