"""Names: what two spellings of one person's name have in common.

A raw name becomes a ``NameKeys``:
- ``simple``: the name as compared for "the same characters": traditional → simplified (OpenCC
  ``t2s``, character by character: a name is not a phrase — OpenCC's phrase table would turn the
  surname 沈 of 沈香菊 into 沉, for 沉香 "agarwood"), full-width → ASCII (NFKC), spaces and middle
  dots (· • ． ・) dropped; Latin-script names
  lower-cased with their words sorted ("SMITH, John" = "john smith").
- ``phonetic``: toneless pinyin of a Chinese name, in words: surname, then given name, with the
  surname's own reading (曾 zeng, 单 shan …); the parts of a dotted minority name each a word.
  A Latin-script name's words as they are. Words are sorted, so "Zhang Weihua", "Weihua ZHANG"
  and 张伟华 share "weihua zhang". Equal ``phonetic`` with different ``simple`` is a homophone.
- ``fuzzy``: ``phonetic`` with the usual near-homophone confusions merged (zh/z, ch/c, sh/s, n/l,
  -ang/-an, -eng/-en, -ing/-in): 陈 chen and 岑 cen agree here.
``could_read_alike`` compares every reading of each character (pypinyin heteronyms: 乐 le/yue).

Everything is cached per character, so a million names cost a few seconds at most.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import polars as pl
from numpy.typing import NDArray

from services.matching.engine.chars import ask_readings, ask_simplified, shipped

_DOTS = re.compile(r"[\s·•．・.\u00b7\u2022\u30fb\uff0e\u2027_\-]+")
_LATIN_WORDS = re.compile(r"[a-z]+")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")

# Surnames whose reading as a surname differs from the character's common reading.
SURNAME_READINGS: dict[str, str] = {
    "单": "shan", "曾": "zeng", "解": "xie", "仇": "qiu", "朴": "piao", "查": "zha", "区": "ou",
    "盖": "ge", "乐": "yue", "缪": "miao", "覃": "qin", "召": "shao", "种": "chong", "繁": "po",
    "翟": "zhai", "黑": "he", "员": "yun", "秘": "bi", "尉": "yu", "句": "gou", "厍": "she",
    "长孙": "zhangsun", "万俟": "moqi", "尉迟": "yuchi", "单于": "chanyu", "澹台": "tantai",
    "重": "chong", "折": "she", "阚": "kan", "眭": "sui", "隗": "wei", "藏": "zang", "宓": "mi",
}  # fmt: skip
COMPOUND_SURNAMES = frozenset(
    [
        "欧阳",
        "司马",
        "上官",
        "诸葛",
        "东方",
        "皇甫",
        "尉迟",
        "公孙",
        "慕容",
        "长孙",
        "宇文",
        "司徒",
        "夏侯",
        "令狐",
        "轩辕",
        "端木",
        "西门",
        "南宫",
        "万俟",
        "单于",
        "澹台",
        "呼延",
        "独孤",
        "申屠",
        "太史",
        "钟离",
        "闻人",
        "赫连",
        "百里",
        "东郭",
        "公羊",
        "濮阳",
        "第五",
    ]
)
# Near-homophones: initials and finals that speakers of many dialects do not tell apart.
_FUZZY_INITIALS = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("l", "n"), ("r", "n"))
_FUZZY_FINALS = (("iang", "ian"), ("uang", "uan"), ("ang", "an"), ("eng", "en"), ("ing", "in"))


@dataclass(frozen=True, slots=True)
class NameKeys:
    simple: str
    phonetic: str
    fuzzy: str
    latin: bool


@lru_cache(maxsize=65536)
def simplified_char(ch: str) -> str:
    """OpenCC t2s of one character on its own (``chars``: shipped for the CJK blocks)."""
    known = shipped().get(ch)
    return known[0] if known else ask_simplified([ch])[0]


def simplified_chars(chars: list[str]) -> list[str]:
    """``simplified_char`` of many characters (the few outside the table in one OpenCC call)."""
    table = shipped()
    asked = iter(ask_simplified([c for c in chars if c not in table]))
    return [table[c][0] if c in table else next(asked) for c in chars]


@lru_cache(maxsize=65536)
def char_readings(ch: str) -> tuple[str, ...]:
    """Toneless readings of one character, the common one first; a non-Han character as itself
    (``chars``: shipped for the CJK blocks, pypinyin asked for the rest)."""
    known = shipped().get(ch)
    return known[1] if known else ask_readings(ch)


@lru_cache(maxsize=4096)
def fuzzy_syllable(syllable: str) -> str:
    """One toneless syllable with its near-homophone confusions merged (zhang → zan)."""
    out = syllable
    for a, b in _FUZZY_INITIALS:
        if out.startswith(a):
            out = b + out[len(a) :]
            break
    for a, b in _FUZZY_FINALS:
        if out.endswith(a):
            out = out[: -len(a)] + b
            break
    return out


def _split_surname(name: str) -> tuple[str, str]:
    if len(name) >= 3 and name[:2] in COMPOUND_SURNAMES:
        return name[:2], name[2:]
    return name[:1], name[1:]


def _syllables(chars: str, surname: bool) -> tuple[str, ...]:
    if surname and chars in SURNAME_READINGS:
        return (SURNAME_READINGS[chars],)
    return tuple(char_readings(c)[0] for c in chars)


def _keys(simple: str, words: list[tuple[str, ...]], latin: bool) -> NameKeys:
    pairs = sorted(("".join(w), "".join(map(fuzzy_syllable, w))) for w in words if w)
    return NameKeys(
        simple=simple,
        phonetic=" ".join(p for p, _ in pairs),
        fuzzy=" ".join(f for _, f in pairs),
        latin=latin,
    )


@lru_cache(maxsize=1 << 20)
def name_keys(raw: str | None) -> NameKeys | None:
    """The comparison keys of a raw name; None when nothing is left of it."""
    if not raw:
        return None
    text = unicodedata.normalize("NFKC", raw).strip()
    if not text:
        return None
    if _CJK.search(text) is None:
        words = _LATIN_WORDS.findall(unicodedata.normalize("NFKD", text.lower()))
        if not words:
            return None
        return _keys(" ".join(sorted(words)), [(w,) for w in words], True)  # fuzzy: initial and final
    parts = [p for p in _DOTS.split("".join(map(simplified_char, text))) if p]
    simple = "".join(parts)
    if len(parts) > 1 and all(len(p) > 1 for p in parts):  # 阿依古丽·买买提: one word per part
        return _keys(simple, [_syllables(p, False) for p in parts], False)
    surname, given = _split_surname(simple)
    return _keys(simple, [_syllables(surname, True), _syllables(given, False)], False)


def could_read_alike(a: str, b: str) -> bool:
    """True when two simplified Chinese names share a reading at every character (heteronyms)."""
    if len(a) != len(b) or not _CJK.match(a) or not _CJK.match(b):
        return False
    return all(set(char_readings(x)) & set(char_readings(y)) for x, y in zip(a, b, strict=True))


_PLAIN = r"^[\u3400-\u9fff\uf900-\ufaff]{1,6}$"
KEY_SCHEMA = {
    "name": pl.String,
    "name_simple": pl.String,
    "name_phonetic": pl.String,
    "name_fuzzy": pl.String,
    "name_latin": pl.Boolean,
}


def name_table(names: list[str]) -> pl.DataFrame:
    """``name_keys`` of many distinct names at once (columns ``KEY_SCHEMA``), equal to one by one.

    Plain Chinese names (Han characters only once spaces and dots are gone: the great majority)
    are done in columns: one OpenCC call for all, readings per distinct character; the rest
    (Latin script, dotted minority names, anything unusual) go through ``name_keys``.
    """
    text = pl.Series("name", names, pl.String).str.normalize("NFKC").str.strip_chars()
    chars = sorted(set("".join(text.drop_nulls().to_list())))
    changed = {c: s for c, s in zip(chars, simplified_chars(chars), strict=True) if s != c}
    simple = text.str.replace_many(list(changed), list(changed.values())) if changed else text
    simple = simple.fill_null("")
    parts = simple.str.replace_all(_DOTS.pattern, " ").str.strip_chars(" ").str.split(" ")
    one_word_each = (parts.list.len() > 1) & (parts.list.eval(pl.element().str.len_chars()).list.min() > 1)
    frame = pl.DataFrame(
        {"name": names, "simple": parts.list.join("")}, schema={"name": pl.String, "simple": pl.String}
    )
    is_plain = frame.get_column("simple").str.contains(_PLAIN) & ~one_word_each  # 阿依古丽·买买提: not plain
    plain, other = frame.filter(is_plain), frame.filter(~is_plain).get_column("name").to_list()
    keys = [name_keys(n) for n in other]
    rest = pl.DataFrame(
        {
            "name": other,
            "name_simple": [k.simple if k else None for k in keys],
            "name_phonetic": [k.phonetic if k else None for k in keys],
            "name_fuzzy": [k.fuzzy if k else None for k in keys],
            "name_latin": [k.latin if k else None for k in keys],
        },
        schema=KEY_SCHEMA,
    )
    return pl.concat([_plain_keys(plain), rest])


MAX_SYLLABLE_BYTES = 8  # the compiled reader's room per syllable (the longest pinyin has 6)


@lru_cache(maxsize=1)
def plain_tables() -> tuple[NDArray[Any], ...]:
    """What the compiled reader (``_ingest.name_keys``) needs to key plain names itself, from the
    shipped character table (``chars``), built once per process.

    Returns (simplified, blob, offset, length, fuzzy_offset, fuzzy_length, special, compound,
    compound_first): ``simplified`` maps each character of the CJK blocks (not the compatibility
    ideographs, which NFKC changes) to its t2s form, whose first reading and near-homophone form
    lie in ``blob``; surname readings (``SURNAME_READINGS``) take slots from 0x10000 on;
    ``compound`` lists the two-character surnames (first, second, their reading's slot or -1).
    """
    table = shipped()
    specials = [k for k in SURNAME_READINGS if _CJK.match(k)]
    size = 0x10000 + len(specials)
    usable = {
        ch: readings[0]
        for ch, (_, readings) in table.items()
        if len(readings[0].encode()) <= MAX_SYLLABLE_BYTES
    }
    simplified = np.zeros(0x10000, np.uint32)
    pairs = [
        (ord(ch), ord(simple))
        for ch, (simple, _) in table.items()
        if simple in usable and ch < "\uf900" > simple
    ]
    simplified[[a for a, _ in pairs]] = [b for _, b in pairs]
    targets = sorted({b for _, b in pairs})
    readings = [usable[chr(c)] for c in targets] + [SURNAME_READINGS[k] for k in specials]
    encoded = [t.encode() for r in readings for t in (r, fuzzy_syllable(r))]  # reading, fuzzy, reading …
    lengths = np.fromiter(map(len, encoded), np.int64, len(encoded))
    at = 1 + np.cumsum(lengths) - lengths
    slots = np.r_[np.asarray(targets, np.int64), 0x10000 + np.arange(len(specials))]
    offset, fuzzy_offset = np.zeros(size, np.int32), np.zeros(size, np.int32)
    length, fuzzy_length = np.zeros(size, np.uint8), np.zeros(size, np.uint8)
    offset[slots], fuzzy_offset[slots] = at[0::2], at[1::2]
    length[slots], fuzzy_length[slots] = lengths[0::2], lengths[1::2]
    blob = b" " + b"".join(encoded)
    special = np.full(0x10000, -1, np.int32)
    slot_of = {k: 0x10000 + n for n, k in enumerate(specials)}
    for surname in specials:
        if len(surname) == 1:
            special[ord(surname)] = slot_of[surname]
    firsts = sorted(COMPOUND_SURNAMES)
    compound = np.asarray([(ord(c[0]), ord(c[1]), slot_of.get(c, -1)) for c in firsts], np.int32).reshape(
        -1, 3
    )
    compound_first = np.zeros(0x10000, np.uint8)
    compound_first[[ord(c[0]) for c in firsts]] = 1
    blob_array = np.frombuffer(blob, np.uint8)
    return (
        simplified,
        blob_array,
        offset,
        length,
        fuzzy_offset,
        fuzzy_length,
        special,
        compound,
        compound_first,
    )


def _plain_keys(frame: pl.DataFrame) -> pl.DataFrame:
    simple = pl.col("simple")
    chars = sorted(set("".join(frame.get_column("simple").to_list())))
    first = [char_readings(c)[0] for c in chars]
    reading = dict(zip(chars, first, strict=True))
    fuzzy = dict(zip(chars, map(fuzzy_syllable, first), strict=True))
    compound = (simple.str.len_chars() >= 3) & simple.str.slice(0, 2).is_in(list(COMPOUND_SURNAMES))
    width = pl.when(compound).then(2).otherwise(1)

    def word(part: pl.Expr, table: dict[str, str]) -> pl.Expr:  # every character replaced by its syllable
        return part.str.replace_many(list(table), list(table.values())) if table else pl.lit("", pl.String)

    surname, given = simple.str.slice(0, width), simple.str.slice(width)
    special = {k: v for k, v in SURNAME_READINGS.items() if _CJK.match(k)}
    out = frame.with_columns(
        pl.when(surname.is_in(list(special)))
        .then(surname.replace_strict(special, default=None))
        .otherwise(word(surname, reading))
        .alias("sp"),
        pl.when(surname.is_in(list(special)))
        .then(surname.replace_strict({k: fuzzy_syllable(v) for k, v in special.items()}, default=None))
        .otherwise(word(surname, fuzzy))
        .alias("sf"),
        word(given, reading).alias("gp"),
        word(given, fuzzy).alias("gf"),
    )
    sp, sf, gp, gf = pl.col("sp"), pl.col("sf"), pl.col("gp"), pl.col("gf")
    surname_first = (sp < gp) | ((sp == gp) & (sf <= gf))
    both = gp != ""
    return out.select(
        "name",
        simple.alias("name_simple"),
        pl.when(~both)
        .then(sp)
        .when(surname_first)
        .then(sp + " " + gp)
        .otherwise(gp + " " + sp)
        .alias("name_phonetic"),
        pl.when(~both)
        .then(sf)
        .when(surname_first)
        .then(sf + " " + gf)
        .otherwise(gf + " " + sf)
        .alias("name_fuzzy"),
        pl.lit(False).alias("name_latin"),
    )
