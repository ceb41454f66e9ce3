"""Sorting large arrays on every core: numpy sorts on one, polars on all of them."""

from __future__ import annotations

import numpy as np
import polars as pl
from numpy.typing import NDArray


def sort_order(*keys: NDArray[np.generic]) -> NDArray[np.int64]:
    """Indices that sort by ``keys[0]``, then ``keys[1]`` …, ties in index order.

    The same as ``np.lexsort(keys[::-1])`` (a stable sort), done by polars.
    """
    n = len(keys[0]) if keys else 0
    columns = {f"k{k}": key for k, key in enumerate(keys)} | {"index": np.arange(n)}
    order = pl.DataFrame(columns).select(pl.arg_sort_by(list(columns))).to_series().to_numpy()
    return order.astype(np.int64)
