"""The peer: the same NDJSON deduplicated with Splink (DuckDB), as a competent Splink user would.

Runs in its own venv (``make bench-venv``: Splink, DuckDB, polars, OpenCC, pypinyin, pinned in
``bench/requirements-splink.txt``), never in the project's. ``bench/match_accuracy.py`` calls it.

The model, written from Splink's documentation, with generic cleaning a user would do in polars
(none of the project's code):
- cleaning: ID — full-width → ASCII, spaces/dashes removed, upper-case X, 15 digits → 18 (``19``
  inserted, check character recomputed), placeholders and all-zero IDs → null; name — NFKC,
  traditional → simplified (OpenCC), spaces and dots removed, plus a toneless pinyin column
  (pypinyin); birth date parsed from the usual forms, filled from the ID when missing; sex → 1/2;
  county and township as prefixes of the division code.
- comparisons: ID exact / Damerau–Levenshtein 1 / else; name exact / pinyin exact / pinyin
  Jaro–Winkler ≥ 0.92 / ≥ 0.8 / else, with term-frequency adjustment on the exact name;
  ``DateOfBirthComparison``; sex exact; division village / township / county / else.
- blocking for prediction: ID; pinyin + birth date; birth date + county; pinyin + township.
- training: the prior from a deterministic rule (same ID and same name, recall 0.8); u by random
  sampling (10 M pairs, the size Splink's documentation calls often adequate); m by EM in three
  sessions, blocked on the ID, on pinyin + birth date and on pinyin + township (so every
  comparison is trained by a session that did not block on it).
- prediction at match probability 0.5, clusters by connected components at ``--threshold``.
- ``--save-model`` / ``--model``: train once on another population and only predict here, as our
  engine does with its shipped model; without ``--model`` the run trains on its own input.

    .venv-bench/bin/python bench/splink_dedup.py --input records.ndjson --output clusters.csv
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
import unicodedata
from pathlib import Path
from typing import Any

import duckdb  # type: ignore[import-not-found, unused-ignore]
import opencc
import polars as pl
import splink  # type: ignore[import-not-found, unused-ignore]
import splink.comparison_level_library as cll  # type: ignore[import-not-found, unused-ignore]
import splink.comparison_library as cl  # type: ignore[import-not-found, unused-ignore]
from pypinyin import lazy_pinyin
from splink import DuckDBAPI, Linker, SettingsCreator, block_on  # type: ignore[import-not-found, unused-ignore]

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
T2S = opencc.OpenCC("t2s")


def clean_id(frame: pl.DataFrame) -> pl.DataFrame:
    """Full-width → ASCII, separators out, upper-case X, 15 digits → 18, placeholders → null."""
    s = pl.col("id")
    first17 = s.str.slice(0, 6) + "19" + s.str.slice(6, 9)
    digits = [
        pl.col("_first17").str.slice(k, 1).cast(pl.Int64, strict=False) * w for k, w in enumerate(WEIGHTS)
    ]
    check = pl.lit("10X98765432").str.slice(pl.col("_total") % 11, 1)
    return (
        frame.with_columns(
            pl.col("id_number")
            .str.replace_many(list("０１２３４５６７８９ｘＸ"), list("0123456789xX"))
            .str.replace_all(r"[^0-9A-Za-z]", "")
            .str.to_uppercase()
            .alias("id")
        )
        .with_columns(first17.alias("_first17"))
        .with_columns(pl.sum_horizontal(digits).alias("_total"))
        .with_columns(
            pl.when(s.str.contains(r"^\d{15}$")).then(pl.col("_first17") + check).otherwise(s).alias("id")
        )
        .with_columns(pl.when((s.str.len_chars() >= 6) & ~s.str.contains(r"^0+$")).then(s).alias("id"))
        .drop("_first17", "_total")
    )


def clean_names(names: list[str | None]) -> list[str | None]:
    """NFKC, traditional → simplified (one OpenCC call for all), lower case, letters only."""
    text = [unicodedata.normalize("NFKC", n or "").replace("\n", " ") for n in names]
    simple = T2S.convert("\n".join(text)).lower().split("\n") if names else []
    return ["".join(ch for ch in s if ch.isalnum()) or None for s in simple]


def pinyin(names: list[str | None]) -> list[str | None]:
    """Toneless pinyin, one pypinyin call per distinct character (per name would take minutes)."""
    chars = sorted({ch for n in names if n for ch in n})
    table = {ord(ch): "".join(lazy_pinyin(ch)) for ch in chars}
    return [n.translate(table) if n else None for n in names]


def load(path: str) -> pl.DataFrame:
    raw = pl.read_ndjson(path, schema={k: pl.String for k in
                                       ("record_id", "source", "id_number", "name", "sex", "birth_date",
                                        "division_code")})  # fmt: skip
    names = raw.get_column("name").unique().to_list()
    simple = clean_names(names)
    name_map = pl.DataFrame(
        {"name": names, "name_clean": simple, "name_pinyin": pinyin(simple)},
        schema_overrides={"name_clean": pl.String, "name_pinyin": pl.String},
    )
    b = pl.col("birth_date").str.normalize("NFKC")
    parts = pl.col("_parts")
    dob_text = pl.coalesce(
        b.str.extract(r"^(\d{8})$", 1),
        parts.struct.field("1") + parts.struct.field("2").str.zfill(2) + parts.struct.field("3").str.zfill(2),
    )
    from_id = pl.when(pl.col("id").str.contains(r"^\d{17}[\dX]$")).then(pl.col("id").str.slice(6, 8))
    dob = pl.coalesce(dob_text, from_id).str.to_date("%Y%m%d", strict=False).dt.to_string("%Y-%m-%d")
    sex, division = pl.col("_sex"), pl.col("_division")
    return (
        clean_id(raw)
        .with_columns(b.str.extract_groups(r"^(\d{4})\D{1,3}(\d{1,2})\D{1,3}(\d{1,2})").alias("_parts"))
        .with_columns(
            pl.col("sex").str.strip_chars().str.to_lowercase().alias("_sex"),
            pl.col("division_code").str.replace_all(r"\D", "").alias("_division"),
        )
        .with_columns(dob.alias("dob"))
        .join(name_map, on="name", how="left", nulls_equal=True)
        .with_row_index("unique_id")
        .select(
            "unique_id",
            "source",
            "record_id",
            "id",
            "name_clean",
            "name_pinyin",
            "dob",
            pl.when(sex.is_in(["1", "男", "m", "male"]))
            .then(pl.lit("1"))
            .when(sex.is_in(["2", "女", "f", "female"]))
            .then(pl.lit("2"))
            .alias("sex"),
            pl.when(division.str.len_chars() >= 6).then(division.str.slice(0, 6)).alias("county"),
            pl.when(division.str.len_chars() >= 9).then(division.str.slice(0, 9)).alias("township"),
            pl.when(division.str.len_chars() >= 12).then(division.str.slice(0, 12)).alias("village"),
        )
    )


def settings(dob_with: str = "county") -> SettingsCreator:
    name = cl.CustomComparison(
        output_column_name="name",
        comparison_levels=[
            cll.NullLevel("name_clean"),
            cll.ExactMatchLevel("name_clean").configure(tf_adjustment_column="name_clean"),
            cll.ExactMatchLevel("name_pinyin"),
            cll.JaroWinklerLevel("name_pinyin", 0.92),
            cll.JaroWinklerLevel("name_pinyin", 0.8),
            cll.ElseLevel(),
        ],
    )
    division = cl.CustomComparison(
        output_column_name="division",
        comparison_levels=[
            cll.NullLevel("county"),
            cll.ExactMatchLevel("village"),
            cll.ExactMatchLevel("township"),
            cll.ExactMatchLevel("county"),
            cll.ElseLevel(),
        ],
    )
    return SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.DamerauLevenshteinAtThresholds("id", [1]),
            name,
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.ExactMatch("sex"),
            division,
        ],
        blocking_rules_to_generate_predictions=[
            block_on("id"),
            block_on("name_pinyin", "dob"),
            block_on("dob", dob_with),
            block_on("name_pinyin", "township"),
        ],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )


def with_dob_rule(model: str, dob_with: str) -> dict[str, Any]:
    """A saved model with its birth-date blocking rule keyed by ``dob_with``."""
    spec: dict[str, Any] = json.loads(Path(model).read_text())
    for rule in spec["blocking_rules_to_generate_predictions"]:
        if '"dob"' in rule["blocking_rule"]:
            rule["blocking_rule"] = rule["blocking_rule"].replace('"county"', f'"{dob_with}"')
    return spec


def train(linker: Any) -> None:
    training = linker.training
    training.estimate_probability_two_random_records_match([block_on("id", "name_clean")], recall=0.8)
    training.estimate_u_using_random_sampling(max_pairs=1e7, seed=1)
    training.estimate_parameters_using_expectation_maximisation(block_on("id"))
    training.estimate_parameters_using_expectation_maximisation(block_on("name_pinyin", "dob"))
    training.estimate_parameters_using_expectation_maximisation(block_on("name_pinyin", "township"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--input", required=True)
    ap.add_argument("--output", required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--threshold", type=float, default=0.9)
    ap.add_argument("--model", help="a model saved by --save-model: no training (as our shipped model)")
    ap.add_argument("--save-model", help="save the trained model here")
    ap.add_argument(
        "--dob-with", choices=["county", "township"], default="county", help="birth-date blocking rule"
    )
    args = ap.parse_args()
    times: dict[str, float] = {}
    started = last = time.perf_counter()

    def lap(step: str) -> None:
        nonlocal last
        now = time.perf_counter()
        times[f"seconds_{step}"] = round(now - last, 2)
        last = now
        print(f"splink: {step} {now - started:.1f} s", file=sys.stderr, flush=True)

    frame = load(args.input)
    con = duckdb.connect()
    con.execute(f"SET threads = {args.threads}")
    db_api = DuckDBAPI(connection=con)
    table = db_api.register(frame.to_arrow(), dataset_display_name="records")
    spec = with_dob_rule(args.model, args.dob_with) if args.model else settings(args.dob_with)
    linker = Linker(table, spec, log_level=None)
    lap("load")
    if not args.model:
        train(linker)
        if args.save_model:
            linker.misc.save_model_to_json(args.save_model, overwrite=True)
        lap("train")
    predictions = linker.inference.predict(threshold_match_probability=0.5)
    pairs = predictions.as_duckdbpyrelation().aggregate("count(*)").fetchall()[0][0]
    lap("predict")
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=args.threshold
    )
    ids: Any = pl.from_arrow(clusters.as_duckdbpyrelation().select("unique_id, cluster_id").to_arrow_table())
    out: Any = frame.select("unique_id", "source", "record_id").join(ids, on="unique_id", how="left")
    out.select(
        "source",
        "record_id",
        pl.col("cluster_id").cast(pl.String).fill_null(pl.col("unique_id").cast(pl.String)),
    ).write_csv(args.output)
    lap("cluster")
    times["seconds_total"] = round(time.perf_counter() - started, 2)
    print(
        json.dumps(
            {
                "tool": "splink",
                "version": splink.__version__,
                "records": frame.height,
                "pairs_scored": pairs,
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                **times,
            }
        )
    )


if __name__ == "__main__":
    main()
